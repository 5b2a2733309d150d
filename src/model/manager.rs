//! The global state: is ConnMan there, how connected are we, airplane mode.

use std::cell::{Cell, RefCell};

use glib::prelude::*;
use glib::subclass::prelude::*;

use crate::connman::state::State;
use crate::connman::{ManagerProps, ManagerState};

/// Whether Connie can show anything of ConnMan.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, glib::Enum)]
#[enum_type(name = "CnAvailability")]
pub enum Availability {
    /// The client is still connecting to the system bus.
    #[default]
    Starting,
    /// The system bus could not be reached (see `bus-error`).
    NoBus,
    /// connmand is not running (its name has no owner).
    Down,
    /// connmand is there and everything was fetched.
    Up,
    /// connmand is there but refuses to talk to Connie (the bus's policy).
    Refused,
}

mod imp {
    use super::*;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::ManagerObject)]
    pub struct ManagerObject {
        #[property(get, builder(Availability::Starting))]
        pub(super) availability: Cell<Availability>,
        /// Why the system bus could not be reached (technical, for the curious).
        #[property(get)]
        pub(super) bus_error: RefCell<String>,
        /// connmand's global state spelling: `offline`, `idle`, `ready`, `online`.
        #[property(get)]
        pub(super) state: RefCell<String>,
        #[property(get)]
        pub(super) offline_mode: Cell<bool>,
        #[property(get)]
        pub(super) vpn_running: Cell<bool>,
        /// The name of the connected service that carries the default route
        /// (the first connected one in connmand's order), empty when none.
        #[property(get)]
        pub(super) via: RefCell<String>,
        /// Its type spelling (`wifi`, `ethernet`, `vpn`, ...), empty when none.
        #[property(get)]
        pub(super) via_type: RefCell<String>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ManagerObject {
        const NAME: &'static str = "CnManager";
        type Type = super::ManagerObject;
    }

    #[glib::derived_properties]
    impl ObjectImpl for ManagerObject {}
}

glib::wrapper! {
    /// What the header of the window tells; updated in place.
    pub struct ManagerObject(ObjectSubclass<imp::ManagerObject>);
}

impl Default for ManagerObject {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ManagerObject {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn manager_state(&self) -> ManagerState {
        ManagerState::parse(&self.imp().state.borrow())
    }

    /// The system bus could not be reached; `error` says why.
    pub fn set_bus_failed(&self, error: &str) {
        let imp = self.imp();
        if *imp.bus_error.borrow() != error {
            imp.bus_error.replace(error.to_owned());
            self.notify_bus_error();
        }
        self.set_availability(Availability::NoBus);
    }

    /// connmand refuses access; `error` is its error.
    pub fn set_refused(&self, error: &str) {
        let imp = self.imp();
        if *imp.bus_error.borrow() != error {
            imp.bus_error.replace(error.to_owned());
            self.notify_bus_error();
        }
        self.set_availability(Availability::Refused);
    }

    fn set_availability(&self, a: Availability) {
        if self.imp().availability.replace(a) != a {
            self.notify_availability();
        }
    }

    /// Takes what the state says (cheap: reads up to the first connected service).
    /// Takes a whole state.
    pub fn update(&self, state: &State) {
        let _frozen = self.freeze_notify();
        self.set_running(state.connman_running);
        self.set_manager(&state.manager);
        self.set_vpn_running(state.vpn_running);
        let (via, via_type) = state
            .services_in_order()
            .find(|(_, s)| s.is_connected())
            .map(|(_, s)| {
                (
                    s.name.clone().unwrap_or_default(),
                    s.type_.as_str().to_owned(),
                )
            })
            .unwrap_or_default();
        self.set_via(via, via_type);
    }

    /// Whether connmand runs.
    pub(super) fn set_running(&self, running: bool) {
        self.set_availability(if running {
            Availability::Up
        } else {
            Availability::Down
        });
    }

    /// Takes connmand's manager properties.
    pub(super) fn set_manager(&self, manager: &ManagerProps) {
        let imp = self.imp();
        let s = manager.state.as_str();
        if *imp.state.borrow() != s {
            imp.state.replace(s.to_owned());
            self.notify_state();
        }
        let offline = manager.offline_mode;
        if imp.offline_mode.replace(offline) != offline {
            self.notify_offline_mode();
        }
    }

    pub(super) fn set_vpn_running(&self, running: bool) {
        if self.imp().vpn_running.replace(running) != running {
            self.notify_vpn_running();
        }
    }

    /// The name and type of the service connmand routes through.
    pub(super) fn set_via(&self, via: String, via_type: String) {
        let imp = self.imp();
        if *imp.via.borrow() != via {
            imp.via.replace(via);
            self.notify_via();
        }
        if *imp.via_type.borrow() != via_type {
            imp.via_type.replace(via_type);
            self.notify_via_type();
        }
    }
}
