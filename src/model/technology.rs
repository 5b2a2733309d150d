//! connmand's technologies (wifi, ethernet, bluetooth, ...) as GObjects, and
//! their list in connmand's order.

use std::cell::{Cell, RefCell};

use gio::prelude::*;
use gio::subclass::prelude::*;

use super::keyed::Keyed;
use crate::connman::state::{Event, State};
use crate::connman::{TechnologyProps, TechnologyType};

mod imp_object {
    use super::*;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::TechnologyObject)]
    pub struct TechnologyObject {
        #[property(get, set, construct_only)]
        pub(super) path: RefCell<String>,
        /// connmand's English name (`WiFi`); the UI names technologies by type.
        #[property(get)]
        pub(super) name: RefCell<String>,
        /// connmand's type spelling: `wifi`, `ethernet`, `bluetooth`, ...
        #[property(get)]
        pub(super) kind: RefCell<String>,
        #[property(get)]
        pub(super) powered: Cell<bool>,
        #[property(get)]
        pub(super) connected: Cell<bool>,
        #[property(get)]
        pub(super) tethering: Cell<bool>,
        /// A `Scan` call made by Connie is in flight (set by the UI).
        #[property(get, set)]
        pub(super) scanning: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for TechnologyObject {
        const NAME: &'static str = "CnTechnology";
        type Type = super::TechnologyObject;
    }

    #[glib::derived_properties]
    impl ObjectImpl for TechnologyObject {}
}

glib::wrapper! {
    /// One technology, updated in place (each changed property notified).
    pub struct TechnologyObject(ObjectSubclass<imp_object::TechnologyObject>);
}

impl TechnologyObject {
    pub fn new(path: &str, props: &TechnologyProps) -> Self {
        let obj: Self = glib::Object::builder().property("path", path).build();
        obj.update(props);
        obj
    }

    pub fn update(&self, t: &TechnologyProps) {
        let imp = self.imp();
        let _frozen = self.freeze_notify();
        let name = t.name.clone().unwrap_or_default();
        if *imp.name.borrow() != name {
            imp.name.replace(name);
            self.notify_name();
        }
        if *imp.kind.borrow() != t.type_.as_str() {
            imp.kind.replace(t.type_.as_str().to_owned());
            self.notify_kind();
        }
        if imp.powered.replace(t.powered) != t.powered {
            self.notify_powered();
        }
        if imp.connected.replace(t.connected) != t.connected {
            self.notify_connected();
        }
        if imp.tethering.replace(t.tethering) != t.tethering {
            self.notify_tethering();
        }
    }

    pub fn technology_type(&self) -> TechnologyType {
        TechnologyType::parse(&self.imp().kind.borrow())
    }
}

mod imp_list {
    use super::*;

    #[derive(Default)]
    pub struct TechnologyList {
        pub(super) keyed: Keyed<TechnologyObject>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for TechnologyList {
        const NAME: &'static str = "CnTechnologyList";
        type Type = super::TechnologyList;
        type Interfaces = (gio::ListModel,);
    }

    impl ObjectImpl for TechnologyList {}

    impl ListModelImpl for TechnologyList {
        fn item_type(&self) -> glib::Type {
            self.keyed.item_type()
        }

        fn n_items(&self) -> u32 {
            self.keyed.n_items()
        }

        fn item(&self, position: u32) -> Option<glib::Object> {
            self.keyed.item(position)
        }
    }
}

glib::wrapper! {
    /// The technologies in connmand's order; same contract as
    /// [`super::ServiceList`].
    pub struct TechnologyList(ObjectSubclass<imp_list::TechnologyList>)
        @implements gio::ListModel;
}

impl Default for TechnologyList {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl TechnologyList {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, path: &str) -> Option<TechnologyObject> {
        self.imp().keyed.get(path)
    }

    /// The first technology of this type (there is one per type).
    pub fn by_type(&self, type_: &TechnologyType) -> Option<TechnologyObject> {
        self.imp()
            .keyed
            .entries()
            .into_iter()
            .map(|(_, t)| t)
            .find(|t| &t.technology_type() == type_)
    }

    pub fn paths(&self) -> Vec<String> {
        self.imp().keyed.keys()
    }

    /// Follows one event of the client, with the values it carries.
    pub fn apply(&self, event: &Event) {
        match event {
            Event::ConnmanUp(state) => self.reset(state),
            Event::ConnmanDown => self.reset(&State::default()),
            Event::TechnologyAdded { path, props } => match self.get(path) {
                // announced again: replaced in place
                Some(obj) => obj.update(props),
                None => {
                    let mut target = self.paths();
                    target.push(path.clone());
                    self.imp()
                        .keyed
                        .sync(self, &target, |p| TechnologyObject::new(p, props));
                }
            },
            Event::TechnologyRemoved(path) => {
                let mut target = self.paths();
                target.retain(|p| p != path);
                self.imp().keyed.sync(self, &target, |p| {
                    TechnologyObject::new(p, &TechnologyProps::default())
                });
            }
            Event::TechnologyChanged { path, props, .. } => {
                if let Some(obj) = self.get(path) {
                    obj.update(props);
                }
            }
            _ => {}
        }
    }

    /// Takes the technologies of a whole state.
    pub fn reset(&self, state: &State) {
        let keyed = &self.imp().keyed;
        for (path, props) in &state.technologies {
            if let Some(obj) = keyed.get(path) {
                obj.update(props);
            }
        }
        let target: Vec<String> = state.technologies.iter().map(|(p, _)| p.clone()).collect();
        keyed.sync(self, &target, |path| {
            let props = state.technology(path).cloned().unwrap_or_default();
            TechnologyObject::new(path, &props)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::rc::Rc;
    use zbus::zvariant::{OwnedValue, Value};

    fn tech(type_: &str, powered: bool) -> HashMap<String, OwnedValue> {
        [
            ("Name", Value::from(type_.to_owned())),
            ("Type", Value::from(type_.to_owned())),
            ("Powered", Value::Bool(powered)),
            ("Connected", Value::Bool(false)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect()
    }

    #[test]
    fn follows_added_removed_and_changed() {
        let mut state = State::default();
        state.reset_connman(
            &HashMap::new(),
            &vec![("/t/ethernet".into(), tech("ethernet", true))],
            &Vec::new(),
        );
        let list = TechnologyList::new();
        let changes = Rc::new(RefCell::new(Vec::new()));
        let c = changes.clone();
        list.connect_items_changed(move |_, p, r, a| c.borrow_mut().push((p, r, a)));
        list.apply(&Event::ConnmanUp(std::sync::Arc::new(state.clone())));
        let (e, _) = state.technology_added("/t/wifi", &tech("wifi", false));
        list.apply(&e);
        assert_eq!(*changes.borrow(), [(0, 0, 1), (1, 0, 1)]);
        assert_eq!(list.paths(), ["/t/ethernet", "/t/wifi"]);
        let wifi = list.by_type(&TechnologyType::Wifi).unwrap();
        assert!(!wifi.powered());
        let (e, _) = state.technology_property("/t/wifi", "Powered", &Value::Bool(true));
        list.apply(&e.unwrap());
        assert!(wifi.powered());
        assert_eq!(changes.borrow().len(), 2, "a property is no items-changed");
        let e = state.technology_removed("/t/ethernet").unwrap();
        list.apply(&e);
        assert_eq!(changes.borrow()[2], (0, 1, 0));
        assert_eq!(list.paths(), ["/t/wifi"]);
    }
}
