//! The GObjects the UI binds to. Plain GObjects: they work without GTK
//! (nothing here initialises or imports it), so a tray-only Connie can keep
//! them current without loading the toolkit.
//!
//! The client's events are applied on the main context by
//! [`Models::apply`], in order, each with the values it carries (the
//! client's state is never read, so no model or widget code runs under its
//! lock). Lists emit exact `items-changed`, objects notify only the
//! properties whose value changed.

pub mod hotspot;
mod keyed;
mod manager;
pub mod moves;
pub mod pace;
pub mod service_form;
mod service_list;
mod service_object;
pub mod splice;
mod technology;
pub mod traffic;
mod vpn;

pub use manager::{Availability, ManagerObject};
pub use service_list::ServiceList;
pub use service_object::ServiceObject;
pub use technology::{TechnologyList, TechnologyObject};
pub use vpn::{vpn_service_path, VpnList, VpnObject};

use crate::connman::state::{Event, State};
use crate::connman::ManagerProps;
use glib::prelude::*;

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
        let split = |c: &str| state.vpn_connection(c).is_some_and(|c| c.split_routing);
        self.services.reset(state, &split);
        self.vpns.reset(if state.vpn_running {
            &state.vpn_connections
        } else {
            &[]
        });
        self.manager.update(state);
        if let Some(error) = &state.connman_refused {
            self.manager.set_refused(error);
        }
    }

    /// Follows one event of the client, with the values it carries.
    pub fn apply(&self, event: &Event) {
        self.technologies.apply(event);
        // the services follow their VPN connection's split routing as of this
        // event (the VPN list takes the event after them)
        let split = |connection: &str| -> bool {
            match event {
                Event::ConnmanUp(state) => state
                    .vpn_connection(connection)
                    .is_some_and(|c| c.split_routing),
                Event::VpnUp(connections) => connections
                    .iter()
                    .any(|(p, c)| p == connection && c.split_routing),
                Event::VpnDown => false,
                Event::VpnConnectionAdded { path, props }
                | Event::VpnConnectionChanged { path, props, .. }
                    if path == connection =>
                {
                    props.split_routing
                }
                Event::VpnConnectionRemoved(path) if path == connection => false,
                _ => self.vpns.split_routing(connection),
            }
        };
        self.services.apply(event, &split);
        self.vpns.apply(event);
        let manager = &self.manager;
        let _frozen = manager.freeze_notify();
        match event {
            Event::TechnologyAdded { .. }
            | Event::TechnologyRemoved(_)
            | Event::TechnologyChanged { .. }
            | Event::VpnConnectionAdded { .. }
            | Event::VpnConnectionRemoved(_)
            | Event::VpnConnectionChanged { .. } => return,
            Event::ConnmanUp(state) => {
                manager.set_running(true);
                manager.set_manager(&state.manager);
                manager.set_vpn_running(state.vpn_running);
            }
            Event::ConnmanDown => {
                manager.set_running(false);
                manager.set_manager(&ManagerProps::default());
            }
            Event::ConnmanRefused(error) => manager.set_refused(error),
            Event::VpnUp(_) => manager.set_vpn_running(true),
            Event::VpnDown => manager.set_vpn_running(false),
            Event::ManagerChanged { props, .. } => manager.set_manager(props),
            Event::ServicesChanged { .. } | Event::ServiceChanged { .. } => {}
        }
        // the global state's "via": the first connected service, as listed
        let (via, via_type) = self.services.first_connected();
        manager.set_via(via, via_type);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::state::PathDicts;
    use gio::prelude::ListModelExt;
    use std::collections::HashMap;
    use std::sync::Arc;
    use zbus::zvariant::{OwnedValue, Value};

    fn dict(entries: &[(&str, Value<'static>)]) -> HashMap<String, OwnedValue> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), OwnedValue::try_from(v.clone()).unwrap()))
            .collect()
    }

    #[test]
    fn the_models_follow_the_values_events_carry() {
        let mut state = State::default();
        let services: PathDicts = vec![
            (
                "/s/wired".into(),
                dict(&[
                    ("Name", Value::from("Wired")),
                    ("Type", Value::from("ethernet")),
                    ("State", Value::from("idle")),
                ]),
            ),
            (
                "/s/vpn_x".into(),
                dict(&[("Name", Value::from("Work")), ("Type", Value::from("vpn"))]),
            ),
        ];
        state.reset_connman(
            &dict(&[("State", Value::from("idle"))]),
            &Vec::new(),
            &services,
        );
        let models = Models::new();
        models.apply(&Event::ConnmanUp(Arc::new(state.clone())));
        assert_eq!(models.manager.availability(), Availability::Up);
        assert_eq!(models.manager.via(), "");

        let (e, _) = state.service_property("/s/wired", "State", &Value::from("online"));
        let (m, _) = state.manager_property("State", &Value::from("online"));
        // the state moves on; the models take only what the events carry
        state.service_property("/s/wired", "State", &Value::from("failure"));
        models.apply(&e.unwrap());
        assert_eq!(
            (models.manager.via(), models.manager.via_type()),
            ("Wired".to_owned(), "ethernet".to_owned())
        );
        assert_eq!(models.services.get("/s/wired").unwrap().state(), "online");
        models.apply(&m);
        assert_eq!(models.manager.state(), "online");

        // connman-vpnd with a connection in split routing
        let mut vpn = crate::connman::VpnConnectionProps {
            split_routing: true,
            ..Default::default()
        };
        let conn = "/net/connman/vpn/connection/x".to_owned();
        models.apply(&Event::VpnUp(Arc::new(vec![(conn.clone(), vpn.clone())])));
        assert!(models.manager.vpn_running());
        assert!(models.services.get("/s/vpn_x").unwrap().split_routing());
        vpn.split_routing = false;
        models.apply(&Event::VpnConnectionChanged {
            path: conn.clone(),
            property: "SplitRouting".into(),
            props: Arc::new(vpn),
        });
        assert!(!models.vpns.get(&conn).unwrap().split_routing());
        assert!(!models.services.get("/s/vpn_x").unwrap().split_routing());

        models.apply(&Event::ConnmanDown);
        assert_eq!(models.manager.availability(), Availability::Down);
        assert_eq!(models.services.n_items(), 0);
        assert_eq!(models.manager.via(), "");
    }
}
