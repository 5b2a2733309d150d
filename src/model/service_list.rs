//! connmand's services, in connmand's order, as a `gio::ListModel`.

use std::collections::HashMap;

use gio::subclass::prelude::*;

use super::keyed::Keyed;
use super::service_object::ServiceObject;
use crate::connman::client::vpn_connection_path;
use crate::connman::state::{Event, State};
use crate::connman::{ServiceProps, ServiceType};

/// A VPN service follows the `SplitRouting` of its connman-vpnd connection;
/// `split` says it for a connection path.
fn update_split_routing(obj: &ServiceObject, path: &str, split: &dyn Fn(&str) -> bool) {
    let on = obj.service_type() == ServiceType::Vpn && split(&vpn_connection_path(path));
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
    /// Contract: after [`ServiceList::apply`] of the client's events in
    /// turn, the items are exactly the order the last one left (`State::order`
    /// as of that event), one [`ServiceObject`] per path, kept for as long as
    /// the path stays in the list; `items-changed` is exact (see
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

    /// Follows one event of the client, with the values it carries. `split`
    /// says whether a VPN connection (by its path) is in split routing, as
    /// of this event.
    pub fn apply(&self, event: &Event, split: &dyn Fn(&str) -> bool) {
        match event {
            Event::ConnmanUp(state) => self.reset(state, split),
            Event::ConnmanDown => self.reset(&State::default(), split),
            Event::ServicesChanged {
                added,
                order,
                services,
                ..
            } => {
                if let Some(order) = order {
                    let carried: HashMap<&str, &ServiceProps> =
                        services.iter().map(|(p, s)| (p.as_str(), &**s)).collect();
                    self.imp().keyed.sync(self, order, |path| {
                        let props = carried.get(path).copied();
                        ServiceObject::new(path, props.unwrap_or(&ServiceProps::default()))
                    });
                }
                for (path, props) in services {
                    let Some(obj) = self.get(path) else {
                        continue;
                    };
                    // an added service was made with its properties
                    if !added.contains(path) {
                        obj.update(props);
                    }
                    update_split_routing(&obj, path, split);
                }
            }
            Event::ServiceChanged { path, props, .. } => {
                if let Some(obj) = self.get(path) {
                    obj.update(props);
                    update_split_routing(&obj, path, split);
                }
            }
            Event::VpnUp(_)
            | Event::VpnDown
            | Event::VpnConnectionAdded { .. }
            | Event::VpnConnectionRemoved(_)
            | Event::VpnConnectionChanged { .. } => {
                for (path, obj) in self.imp().keyed.entries() {
                    update_split_routing(&obj, &path, split);
                }
            }
            _ => {}
        }
    }

    /// Takes the services of a whole state: order and every service's
    /// properties.
    pub fn reset(&self, state: &State, split: &dyn Fn(&str) -> bool) {
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
        for (path, obj) in self.imp().keyed.entries() {
            if let Some(props) = state.service(&path) {
                obj.update(props);
            }
            update_split_routing(&obj, &path, split);
        }
    }

    /// The name and type of the first connected service (connmand's default
    /// route), or empty strings.
    pub fn first_connected(&self) -> (String, String) {
        self.imp()
            .keyed
            .find_map(|obj| obj.is_connected().then(|| (obj.name(), obj.kind())))
            .unwrap_or_default()
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
    use std::sync::Arc;
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
            f.apply(&Event::ConnmanUp(Arc::new(f.state.clone())));
            f.check();
            f
        }

        /// The list takes `event` (no VPN is in split routing).
        fn apply(&self, event: &Event) {
            self.list.apply(event, &|_| false);
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
            self.apply(&event);
            self.check();
            self.changes.take()
        }

        /// The list equals the state's order, item by item.
        fn check(&self) {
            assert_eq!(self.list.paths(), *self.state.order);
            let items: Vec<String> = (0..self.list.n_items())
                .map(|i| {
                    self.list
                        .item(i)
                        .and_downcast::<ServiceObject>()
                        .unwrap()
                        .path()
                })
                .collect();
            assert_eq!(items, *self.state.order);
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
        f.apply(&event);
        assert!(f.changes.borrow().is_empty(), "no items-changed");
        assert_eq!(*a_notes.borrow(), 0);
        assert_eq!(b.strength_level(), 4);
        // updates that come with ServicesChanged apply too
        let changed: PathDicts = vec![(p("b"), Map::new()), (p("a"), dict("A2", "ready", 50))];
        let (event, _) = f.state.services_changed(&changed, &[]);
        f.changes.borrow_mut().clear();
        f.apply(&event);
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
        f.apply(&Event::ConnmanDown);
        assert_eq!(*f.changes.borrow(), [(0, 2, 0)]);
        f.check();
        let services: PathDicts = vec![
            (p("b"), dict("b", "ready", 10)),
            (p("c"), dict("c", "idle", 1)),
        ];
        f.state.reset_connman(&Map::new(), &Vec::new(), &services);
        f.changes.borrow_mut().clear();
        f.apply(&Event::ConnmanUp(Arc::new(f.state.clone())));
        assert_eq!(*f.changes.borrow(), [(0, 0, 2)]);
        f.check();
        assert_eq!(f.list.get(&p("b")).unwrap().state(), "ready");
    }

    #[test]
    fn events_are_followed_in_order_each_with_its_own_values() {
        // two ServicesChanged applied to the state before the list sees the
        // first: the list shows each event's order in turn, not the state's
        let mut f = Fixture::new(&["a"]);
        let (e1, _) = f
            .state
            .services_changed(&[(p("a"), Map::new()), (p("b"), dict("b", "idle", 5))], &[]);
        let (e2, _) = f.state.services_changed(&[(p("b"), Map::new())], &[p("a")]);
        f.changes.borrow_mut().clear();
        f.apply(&e1);
        assert_eq!(f.list.paths(), [p("a"), p("b")]);
        assert_eq!(f.list.get(&p("b")).unwrap().strength_level(), 0);
        f.apply(&e2);
        f.check();
        assert_eq!(*f.changes.borrow(), [(1, 0, 1), (0, 1, 0)]);
    }

    #[test]
    fn a_vpn_service_follows_its_connections_split_routing() {
        let mut f = Fixture::new(&["a"]);
        let vpn: Map<String, OwnedValue> = [
            ("Name", Value::from("Work")),
            ("Type", Value::from("vpn")),
            ("State", Value::from("idle")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect();
        let (e, _) = f
            .state
            .services_changed(&[(p("a"), Map::new()), (p("vpn_x"), vpn)], &[]);
        f.list.apply(&e, &|c| c == "/net/connman/vpn/connection/x");
        assert!(f.list.get(&p("vpn_x")).unwrap().split_routing());
        assert!(!f.list.get(&p("a")).unwrap().split_routing(), "not a VPN");
        f.list.apply(&Event::VpnDown, &|_| false);
        assert!(!f.list.get(&p("vpn_x")).unwrap().split_routing());
    }
}
