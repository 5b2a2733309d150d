//! The GObjects the UI binds to. Plain GObjects: they work without GTK
//! (nothing here initialises or imports it), so a tray-only Connie can keep
//! them current without loading the toolkit.
//!
//! The client's events are applied on the main context by
//! [`Models::apply`]; each model then converges to the client's state at that
//! moment (which may already hold later events: they are applied again when
//! they come, without effect). Lists emit exact `items-changed`, objects
//! notify only the properties whose value changed.

mod keyed;
mod manager;
pub mod moves;
pub mod pace;
mod service_list;
mod service_object;
pub mod splice;
mod technology;
mod vpn;

pub use manager::{Availability, ManagerObject};
pub use service_list::ServiceList;
pub use service_object::ServiceObject;
pub use technology::{TechnologyList, TechnologyObject};
pub use vpn::{vpn_service_path, VpnList, VpnObject};

use crate::connman::state::{Event, State};

/// Everything the window shows, kept current from the client's events.
#[derive(Clone, Default)]
pub struct Models {
    pub manager: ManagerObject,
    pub technologies: TechnologyList,
    pub services: ServiceList,
    /// connman-vpnd's connections (empty while it is not running).
    pub vpns: VpnList,
}

impl Models {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the whole state (after the client started).
    pub fn reset(&self, state: &State) {
        self.technologies.reset(state);
        self.services.reset(state);
        self.vpns.reset(state);
        self.manager.update(state);
    }

    /// Follows one event of the client.
    pub fn apply(&self, event: &Event, state: &State) {
        self.technologies.apply(event, state);
        self.services.apply(event, state);
        self.vpns.apply(event, state);
        match event {
            Event::TechnologyAdded(_)
            | Event::TechnologyRemoved(_)
            | Event::TechnologyChanged { .. }
            | Event::VpnConnectionAdded(_)
            | Event::VpnConnectionRemoved(_)
            | Event::VpnConnectionChanged { .. } => {}
            // everything else may change the global state or the default service
            _ => self.manager.update(state),
        }
    }
}
