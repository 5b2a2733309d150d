//! One connmand service as a GObject the UI binds to.

use std::cell::{Cell, RefCell};

use glib::prelude::*;
use glib::subclass::prelude::*;

use crate::connman::{ServiceProps, ServiceState, ServiceType};

mod imp {
    use super::*;

    #[derive(glib::Properties)]
    #[properties(wrapper_type = super::ServiceObject)]
    pub struct ServiceObject {
        /// The D-Bus object path: the key, never changes.
        #[property(get, set, construct_only)]
        pub(super) path: RefCell<String>,
        /// The name exactly as connmand sends it (empty for a hidden network).
        /// Hostile data: never render it as markup.
        #[property(get)]
        pub(super) name: RefCell<String>,
        /// connmand's type spelling: `wifi`, `ethernet`, `vpn`, ...
        #[property(get)]
        pub(super) kind: RefCell<String>,
        /// connmand's state spelling: `idle`, `association`, ..., `online`.
        #[property(get)]
        pub(super) state: RefCell<String>,
        /// Signal strength in five levels (0..=4), -1 when the service has none.
        #[property(get, minimum = -1, maximum = 4, default = -1)]
        pub(super) strength_level: Cell<i32>,
        /// The protection, ignoring WPS: `none`, `wep`, `psk`, `ieee8021x`, ...
        #[property(get)]
        pub(super) security: RefCell<String>,
        /// Whether joining needs a secret or credentials.
        #[property(get)]
        pub(super) secured: Cell<bool>,
        /// Saved: connmand remembers it.
        #[property(get)]
        pub(super) favorite: Cell<bool>,
        /// connmand's error spelling while the state is `failure`, else empty.
        #[property(get)]
        pub(super) error: RefCell<String>,
        /// A wifi network that does not broadcast its name.
        #[property(get)]
        pub(super) hidden: Cell<bool>,
        /// The network interface (`eth0`, `wlan0`), when connmand says.
        #[property(get)]
        pub(super) interface: RefCell<String>,
        /// A `Connect` call made by Connie is in flight (set by the UI).
        #[property(get, set)]
        pub(super) pending: Cell<bool>,
        /// A VPN whose connection carries only its own networks
        /// (connman-vpnd's `SplitRouting`); false for other services.
        #[property(get)]
        pub(super) split_routing: Cell<bool>,
        /// How many notifications it has sent: equal revisions, same values.
        pub(super) revision: Cell<u64>,
    }

    impl Default for ServiceObject {
        fn default() -> Self {
            Self {
                path: RefCell::default(),
                name: RefCell::default(),
                kind: RefCell::default(),
                state: RefCell::new("idle".into()),
                strength_level: Cell::new(-1),
                security: RefCell::new("none".into()),
                secured: Cell::default(),
                favorite: Cell::default(),
                error: RefCell::default(),
                hidden: Cell::default(),
                interface: RefCell::default(),
                pending: Cell::default(),
                split_routing: Cell::default(),
                revision: Cell::default(),
            }
        }
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ServiceObject {
        const NAME: &'static str = "CnService";
        type Type = super::ServiceObject;
    }

    #[glib::derived_properties]
    impl ObjectImpl for ServiceObject {
        fn notify(&self, pspec: &glib::ParamSpec) {
            self.revision.set(self.revision.get() + 1);
            self.parent_notify(pspec);
        }
    }
}

glib::wrapper! {
    /// A service of connmand's list, updated in place: each changed property
    /// is notified on its own, so only what shows it is touched.
    pub struct ServiceObject(ObjectSubclass<imp::ServiceObject>);
}

/// Stores `value` if it differs; no allocation when it does not.
fn replace(cell: &RefCell<String>, value: &str) -> bool {
    if *cell.borrow() == value {
        return false;
    }
    cell.replace(value.to_owned());
    true
}

fn set<T: PartialEq + Copy>(cell: &Cell<T>, value: T) -> bool {
    if cell.get() == value {
        return false;
    }
    cell.set(value);
    true
}

impl ServiceObject {
    pub fn new(path: &str, props: &ServiceProps) -> Self {
        let obj: Self = glib::Object::builder().property("path", path).build();
        obj.update(props);
        obj
    }

    /// Takes connmand's current properties; notifies exactly the properties
    /// whose value changed (all at once, after the update).
    pub fn update(&self, p: &ServiceProps) {
        let imp = self.imp();
        let _frozen = self.freeze_notify();
        if replace(&imp.name, p.name.as_deref().unwrap_or_default()) {
            self.notify_name();
        }
        if replace(&imp.kind, p.type_.as_str()) {
            self.notify_kind();
        }
        if replace(&imp.state, p.state.as_str()) {
            self.notify_state();
        }
        let level = p.signal_level().map_or(-1, i32::from);
        if set(&imp.strength_level, level) {
            self.notify_strength_level();
        }
        if replace(&imp.security, p.primary_security().as_str()) {
            self.notify_security();
        }
        if set(&imp.secured, p.is_secured()) {
            self.notify_secured();
        }
        if set(&imp.favorite, p.favorite) {
            self.notify_favorite();
        }
        let error = p.current_error().map(|e| e.as_str()).unwrap_or_default();
        if replace(&imp.error, error) {
            self.notify_error();
        }
        if set(&imp.hidden, p.is_hidden()) {
            self.notify_hidden();
        }
        if replace(
            &imp.interface,
            p.ethernet.interface.as_deref().unwrap_or_default(),
        ) {
            self.notify_interface();
        }
    }

    /// Takes connman-vpnd's `SplitRouting` of the VPN connection behind
    /// this service.
    pub fn update_split_routing(&self, on: bool) {
        if set(&self.imp().split_routing, on) {
            self.notify_split_routing();
        }
    }

    /// Grows with every change notified: a widget that showed this object at
    /// revision `r` shows it as it is while `revision()` is still `r`.
    pub fn revision(&self) -> u64 {
        self.imp().revision.get()
    }

    pub fn service_state(&self) -> ServiceState {
        ServiceState::parse(&self.imp().state.borrow())
    }

    pub fn service_type(&self) -> ServiceType {
        ServiceType::parse(&self.imp().kind.borrow())
    }

    /// `ready` or `online`.
    pub fn is_connected(&self) -> bool {
        self.service_state().is_connected()
    }

    /// Connecting as connmand reports it, or a Connect of ours in flight.
    pub fn is_busy(&self) -> bool {
        self.service_state().is_connecting() || self.pending()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::{Security, ServiceError};
    use std::rc::Rc;

    fn wifi(name: &str, strength: u8) -> ServiceProps {
        ServiceProps {
            name: Some(name.into()),
            type_: ServiceType::Wifi,
            strength: Some(strength),
            security: vec![Security::Psk, Security::Wps],
            ..Default::default()
        }
    }

    fn notified(obj: &ServiceObject) -> Rc<RefCell<Vec<String>>> {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        obj.connect_notify_local(None, move |_, pspec| {
            let mut seen = s.borrow_mut();
            seen.push(pspec.name().to_owned());
            // GLib does not promise an order when thawing
            seen.sort();
        });
        seen
    }

    #[test]
    fn properties_from_connmand() {
        let s = ServiceObject::new("/net/connman/service/wifi_1", &wifi("<b>Café</b> & _x", 70));
        assert_eq!(s.path(), "/net/connman/service/wifi_1");
        assert_eq!(s.name(), "<b>Café</b> & _x");
        assert_eq!(s.kind(), "wifi");
        assert_eq!(s.state(), "idle");
        assert_eq!(s.strength_level(), 3);
        assert_eq!(s.security(), "psk");
        assert!(s.secured());
        assert!(!s.favorite());
        assert!(!s.hidden());
        assert_eq!(s.error(), "");
        let wired = ServiceObject::new(
            "/e",
            &ServiceProps {
                type_: ServiceType::Ethernet,
                ..Default::default()
            },
        );
        assert_eq!(wired.strength_level(), -1);
        assert!(!wired.secured());
    }

    #[test]
    fn an_update_notifies_only_what_changed() {
        let s = ServiceObject::new("/w", &wifi("Net", 70));
        let seen = notified(&s);
        let revision = s.revision();
        let mut p = wifi("Net", 75); // same level
        s.update(&p);
        assert!(seen.borrow().is_empty());
        assert_eq!(s.revision(), revision, "nothing changed");
        p.strength = Some(90);
        s.update(&p);
        assert_eq!(*seen.borrow(), ["strength-level"]);
        assert!(s.revision() > revision);
        let revision = s.revision();
        s.set_pending(true);
        assert!(s.revision() > revision, "a change the UI makes counts too");
        seen.borrow_mut().clear();
        p.state = ServiceState::Failure;
        p.error = Some(ServiceError::InvalidKey);
        s.update(&p);
        assert_eq!(*seen.borrow(), ["error", "state"]);
        assert_eq!(s.error(), "invalid-key");
        seen.borrow_mut().clear();
        // the error means nothing outside `failure`
        p.state = ServiceState::Idle;
        s.update(&p);
        assert_eq!(*seen.borrow(), ["error", "state"]);
        assert_eq!(s.error(), "");
    }

    #[test]
    fn busy_while_connecting_or_pending() {
        let s = ServiceObject::new("/w", &wifi("Net", 70));
        assert!(!s.is_busy());
        s.set_pending(true);
        assert!(s.is_busy());
        s.set_pending(false);
        let mut p = wifi("Net", 70);
        p.state = ServiceState::Association;
        s.update(&p);
        assert!(s.is_busy() && !s.is_connected());
        p.state = ServiceState::Online;
        s.update(&p);
        assert!(s.is_connected() && !s.is_busy());
    }
}
