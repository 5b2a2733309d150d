//! connmand's services, in connmand's order, as a `gio::ListModel`.

use gio::subclass::prelude::*;

use super::keyed::Keyed;
use super::service_object::ServiceObject;
use crate::connman::client::vpn_connection_path;
use crate::connman::state::{Event, State};
use crate::connman::ServiceType;

/// A VPN service follows the `SplitRouting` of its connman-vpnd connection.
fn update_split_routing(obj: &ServiceObject, path: &str, state: &State) {
    let on = state
        .service(path)
        .is_some_and(|s| s.type_ == ServiceType::Vpn)
        && state
            .vpn_connection(&vpn_connection_path(path))
            .is_some_and(|c| c.split_routing);
    obj.update_split_routing(on);
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct ServiceList {
        pub(super) keyed: Keyed<ServiceObject>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ServiceList {
        const NAME: &'static str = "CnServiceList";
        type Type = super::ServiceList;
        type Interfaces = (gio::ListModel,);
    }

    impl ObjectImpl for ServiceList {}

    impl ListModelImpl for ServiceList {
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
    /// The services in connmand's (priority) order; the UI never sorts.
    ///
    /// Contract: after [`ServiceList::apply`] the items are exactly
    /// `State::order`, one [`ServiceObject`] per path, kept for as long as the
    /// path stays in the list; `items-changed` is exact (see
    /// [`super::keyed::Keyed`]). A property change of one service emits no
    /// `items-changed`, only that object's notifications.
    pub struct ServiceList(ObjectSubclass<imp::ServiceList>)
        @implements gio::ListModel;
}

impl Default for ServiceList {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ServiceList {
    pub fn new() -> Self {
        Self::default()
    }

    /// The service at `path`, if listed.
    pub fn get(&self, path: &str) -> Option<ServiceObject> {
        self.imp().keyed.get(path)
    }

    /// The paths, in order.
    pub fn paths(&self) -> Vec<String> {
        self.imp().keyed.keys()
    }

    /// Follows one event of the client; `state` is the client's state now
    /// (which may already include later events: the list converges to it).
    pub fn apply(&self, event: &Event, state: &State) {
        match event {
            Event::ConnmanUp | Event::ConnmanDown => self.reset(state),
            Event::ServicesChanged { updated, added, .. } => {
                self.sync_order(state);
                for path in added {
                    if let Some(obj) = self.get(path) {
                        update_split_routing(&obj, path, state);
                    }
                }
                for path in updated {
                    self.update_one(path, state);
                }
            }
            Event::ServiceChanged { path, .. } => self.update_one(path, state),
            Event::VpnUp
            | Event::VpnDown
            | Event::VpnConnectionAdded(_)
            | Event::VpnConnectionRemoved(_)
            | Event::VpnConnectionChanged { .. } => {
                for (path, obj) in self.imp().keyed.entries() {
                    update_split_routing(&obj, &path, state);
                }
            }
            _ => {}
        }
    }

    /// Takes the whole state: order and every service's properties.
    pub fn reset(&self, state: &State) {
        self.sync_order(state);
        for (path, obj) in self.imp().keyed.entries() {
            if let Some(props) = state.service(&path) {
                obj.update(props);
            }
            update_split_routing(&obj, &path, state);
        }
    }

    fn update_one(&self, path: &str, state: &State) {
        let (Some(obj), Some(props)) = (self.get(path), state.service(path)) else {
            return;
        };
        obj.update(props);
        update_split_routing(&obj, path, state);
    }

    fn sync_order(&self, state: &State) {
        // only what connmand describes can be shown
        let target: Vec<String> = state
            .order
            .iter()
            .filter(|p| state.services.contains_key(*p))
            .cloned()
            .collect();
        self.imp().keyed.sync(self, &target, |path| {
            let props = state.service(path).cloned().unwrap_or_default();
            ServiceObject::new(path, &props)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::state::PathDicts;
    use gio::prelude::*;
    use std::cell::RefCell;
    use std::collections::HashMap as Map;
    use std::rc::Rc;
    use zbus::zvariant::{OwnedValue, Value};

    type Changes = Rc<RefCell<Vec<(u32, u32, u32)>>>;

    fn dict(name: &str, state: &str, strength: u8) -> Map<String, OwnedValue> {
        [
            ("Name", Value::from(name.to_owned())),
            ("Type", Value::from("wifi")),
            ("State", Value::from(state.to_owned())),
            ("Strength", Value::U8(strength)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect()
    }

    fn p(k: &str) -> String {
        format!("/net/connman/service/{k}")
    }

    /// A list following a state, recording every `items-changed` and
    /// checking, at each emission, that the model is consistent.
    struct Fixture {
        state: State,
        list: ServiceList,
        changes: Changes,
    }

    impl Fixture {
        fn new(keys: &[&str]) -> Fixture {
            let mut state = State::default();
            let services: PathDicts = keys.iter().map(|k| (p(k), dict(k, "idle", 50))).collect();
            state.reset_connman(&Map::new(), &Vec::new(), &services);
            let list = ServiceList::new();
            let changes: Changes = Rc::default();
            let c = changes.clone();
            list.connect_items_changed(move |list, pos, removed, added| {
                c.borrow_mut().push((pos, removed, added));
                // every item the model claims is there
                for i in 0..list.n_items() {
                    assert!(list.item(i).is_some(), "hole at {i}");
                }
                assert!(list.item(list.n_items()).is_none());
            });
            let f = Fixture {
                state,
                list,
                changes,
            };
            f.list.apply(&Event::ConnmanUp, &f.state);
            f.check();
            f
        }

        /// `ServicesChanged` with these keys in this order (dicts for new
        /// ones only, as connmand sends it) and these removed.
        fn services_changed(&mut self, keys: &[&str], removed: &[&str]) -> Vec<(u32, u32, u32)> {
            let changed: PathDicts = keys
                .iter()
                .map(|k| {
                    let d = if self.state.services.contains_key(&p(k)) {
                        Map::new()
                    } else {
                        dict(k, "idle", 50)
                    };
                    (p(k), d)
                })
                .collect();
            let removed: Vec<String> = removed.iter().map(|k| p(k)).collect();
            let (event, _) = self.state.services_changed(&changed, &removed);
            self.changes.borrow_mut().clear();
            self.list.apply(&event, &self.state);
            self.check();
            self.changes.take()
        }

        /// The list equals the state's order, item by item.
        fn check(&self) {
            assert_eq!(self.list.paths(), self.state.order);
            let items: Vec<String> = (0..self.list.n_items())
                .map(|i| {
                    self.list
                        .item(i)
                        .and_downcast::<ServiceObject>()
                        .unwrap()
                        .path()
                })
                .collect();
            assert_eq!(items, self.state.order);
        }
    }

    #[test]
    fn first_fetch_is_one_insertion() {
        let f = Fixture::new(&["a", "b", "c"]);
        assert_eq!(*f.changes.borrow(), [(0, 0, 3)]);
        assert_eq!(f.list.n_items(), 3);
        assert_eq!(f.list.item_type(), ServiceObject::static_type());
    }

    #[test]
    fn services_changed_sequences_are_exact() {
        let mut f = Fixture::new(&["a", "b", "c", "d"]);
        // nothing moved: nothing emitted
        assert_eq!(f.services_changed(&["a", "b", "c", "d"], &[]), []);
        // one appears in the middle
        assert_eq!(
            f.services_changed(&["a", "b", "n", "c", "d"], &[]),
            [(2, 0, 1)]
        );
        // two go, one of them explicitly removed, one just left out
        assert_eq!(
            f.services_changed(&["a", "n", "d"], &["b"]),
            [(1, 1, 0), (2, 1, 0)]
        );
        // d moves to the top: one splice over the span
        assert_eq!(f.services_changed(&["d", "a", "n"], &[]), [(0, 3, 3)]);
        // a goes, x and y arrive, at the top and the bottom
        assert_eq!(
            f.services_changed(&["x", "d", "n", "y"], &["a"]),
            [(1, 1, 0), (0, 0, 1), (3, 0, 1)]
        );
        // everything goes
        assert_eq!(f.services_changed(&[], &[]), [(0, 4, 0)]);
    }

    #[test]
    fn a_move_keeps_the_objects() {
        let mut f = Fixture::new(&["a", "b", "c"]);
        let c = f.list.get(&p("c")).unwrap();
        f.services_changed(&["c", "a", "b"], &[]);
        assert_eq!(f.list.get(&p("c")).unwrap(), c);
        assert_eq!(f.list.item(0).and_downcast::<ServiceObject>().unwrap(), c);
    }

    #[test]
    fn a_property_change_touches_only_its_object() {
        let mut f = Fixture::new(&["a", "b"]);
        let b = f.list.get(&p("b")).unwrap();
        let a_notes = Rc::new(RefCell::new(0));
        let n = a_notes.clone();
        f.list
            .get(&p("a"))
            .unwrap()
            .connect_notify_local(None, move |_, _| *n.borrow_mut() += 1);
        let (event, _) = f
            .state
            .service_property(&p("b"), "Strength", &Value::U8(95));
        let event = event.unwrap();
        f.changes.borrow_mut().clear();
        f.list.apply(&event, &f.state);
        assert!(f.changes.borrow().is_empty(), "no items-changed");
        assert_eq!(*a_notes.borrow(), 0);
        assert_eq!(b.strength_level(), 4);
        // updates that come with ServicesChanged apply too
        let changed: PathDicts = vec![(p("b"), Map::new()), (p("a"), dict("A2", "ready", 50))];
        let (event, _) = f.state.services_changed(&changed, &[]);
        f.changes.borrow_mut().clear();
        f.list.apply(&event, &f.state);
        assert_eq!(*f.changes.borrow(), [(0, 2, 2)]);
        assert_eq!(f.list.get(&p("a")).unwrap().name(), "A2");
        assert_eq!(f.list.get(&p("a")).unwrap().state(), "ready");
        f.check();
    }

    #[test]
    fn connmand_down_and_up_again() {
        let mut f = Fixture::new(&["a", "b"]);
        f.state.connman_gone();
        f.changes.borrow_mut().clear();
        f.list.apply(&Event::ConnmanDown, &f.state);
        assert_eq!(*f.changes.borrow(), [(0, 2, 0)]);
        f.check();
        let services: PathDicts = vec![
            (p("b"), dict("b", "ready", 10)),
            (p("c"), dict("c", "idle", 1)),
        ];
        f.state.reset_connman(&Map::new(), &Vec::new(), &services);
        f.changes.borrow_mut().clear();
        f.list.apply(&Event::ConnmanUp, &f.state);
        assert_eq!(*f.changes.borrow(), [(0, 0, 2)]);
        f.check();
        assert_eq!(f.list.get(&p("b")).unwrap().state(), "ready");
    }

    #[test]
    fn a_state_ahead_of_the_event_is_followed() {
        // two ServicesChanged applied to the state before the list sees the first
        let mut f = Fixture::new(&["a"]);
        let (e1, _) = f.state.services_changed(
            &vec![(p("a"), Map::new()), (p("b"), dict("b", "idle", 5))],
            &[],
        );
        let (e2, _) = f
            .state
            .services_changed(&vec![(p("b"), Map::new())], &[p("a")]);
        f.changes.borrow_mut().clear();
        f.list.apply(&e1, &f.state);
        f.check();
        f.list.apply(&e2, &f.state);
        f.check();
        assert_eq!(*f.changes.borrow(), [(0, 1, 0), (0, 0, 1)]);
    }
}
