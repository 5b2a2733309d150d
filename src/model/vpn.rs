//! connman-vpnd's connections, as a `gio::ListModel` of GObjects (the VPN
//! section of the window). Empty while connman-vpnd is not running.

use std::cell::{Cell, RefCell};

use gio::prelude::*;
use gio::subclass::prelude::*;

use super::keyed::Keyed;
use crate::connman::state::Event;
use crate::connman::types::VpnConnectionProps;

/// connmand's service for connman-vpnd's connection `path`: the connection
/// `…/vpn/connection/<id>` is the service `…/service/vpn_<id>`.
pub fn vpn_service_path(connection: &str) -> String {
    let id = connection.rsplit('/').next().unwrap_or_default();
    format!("/net/connman/service/vpn_{id}")
}

mod obj {
    use super::*;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::VpnObject)]
    pub struct VpnObject {
        /// connman-vpnd's object path: the key, never changes.
        #[property(get, set, construct_only)]
        pub(super) path: RefCell<String>,
        /// The name as connman-vpnd sends it. Hostile data: never markup.
        #[property(get)]
        pub(super) name: RefCell<String>,
        /// The VPN type (`openvpn`, `wireguard`, ...).
        #[property(get)]
        pub(super) kind: RefCell<String>,
        #[property(get)]
        pub(super) host: RefCell<String>,
        /// connman-vpnd's state spelling: `idle`, `configuration`, `ready`, ...
        #[property(get)]
        pub(super) state: RefCell<String>,
        #[property(get)]
        pub(super) split_routing: Cell<bool>,
        /// It has routes of its own (`ServerRoutes`/`UserRoutes`): only
        /// then can it carry just its networks (a move target in connmand).
        #[property(get)]
        pub(super) routed: Cell<bool>,
        /// A Connect of Connie's is in flight (set by the UI).
        #[property(get, set)]
        pub(super) pending: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for VpnObject {
        const NAME: &'static str = "CnVpn";
        type Type = super::VpnObject;
    }

    #[glib::derived_properties]
    impl ObjectImpl for VpnObject {}
}

glib::wrapper! {
    /// One connman-vpnd connection, updated in place.
    pub struct VpnObject(ObjectSubclass<obj::VpnObject>);
}

fn replace(cell: &RefCell<String>, value: &str) -> bool {
    if *cell.borrow() == value {
        return false;
    }
    cell.replace(value.to_owned());
    true
}

impl VpnObject {
    pub fn new(path: &str, props: &VpnConnectionProps) -> Self {
        let o: Self = glib::Object::builder().property("path", path).build();
        o.update(props);
        o
    }

    /// Takes connman-vpnd's properties; notifies what changed.
    pub fn update(&self, p: &VpnConnectionProps) {
        let imp = self.imp();
        let _frozen = self.freeze_notify();
        if replace(&imp.name, p.name.as_deref().unwrap_or_default()) {
            self.notify_name();
        }
        if replace(&imp.kind, p.type_.as_deref().unwrap_or_default()) {
            self.notify_kind();
        }
        if replace(&imp.host, p.host.as_deref().unwrap_or_default()) {
            self.notify_host();
        }
        if replace(&imp.state, p.state.as_str()) {
            self.notify_state();
        }
        if imp.split_routing.replace(p.split_routing) != p.split_routing {
            self.notify_split_routing();
        }
        let routed = p.has_routes();
        if imp.routed.replace(routed) != routed {
            self.notify_routed();
        }
    }

    /// connmand's service for this connection (connect and disconnect go
    /// through it).
    pub fn service_path(&self) -> String {
        vpn_service_path(&self.path())
    }

    pub fn is_connected(&self) -> bool {
        crate::connman::types::VpnState::parse(&self.state()).is_connected()
    }

    pub fn is_busy(&self) -> bool {
        crate::connman::types::VpnState::parse(&self.state()).is_connecting() || self.pending()
    }
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct VpnList {
        pub(super) keyed: Keyed<VpnObject>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for VpnList {
        const NAME: &'static str = "CnVpnList";
        type Type = super::VpnList;
        type Interfaces = (gio::ListModel,);
    }

    impl ObjectImpl for VpnList {}

    impl ListModelImpl for VpnList {
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
    /// connman-vpnd's connections in its order; exact `items-changed`.
    pub struct VpnList(ObjectSubclass<imp::VpnList>)
        @implements gio::ListModel;
}

impl Default for VpnList {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl VpnList {
    pub fn get(&self, path: &str) -> Option<VpnObject> {
        self.imp().keyed.get(path)
    }

    pub fn paths(&self) -> Vec<String> {
        self.imp().keyed.keys()
    }

    /// Follows one event of the client.
    /// Follows one event of the client, with the values it carries.
    pub fn apply(&self, event: &Event) {
        match event {
            Event::ConnmanUp(state) => {
                let none = Vec::new();
                self.reset(if state.vpn_running {
                    &state.vpn_connections
                } else {
                    &none
                });
            }
            Event::VpnUp(connections) => self.reset(connections),
            Event::VpnDown => self.reset(&[]),
            Event::VpnConnectionAdded { path, props } => match self.get(path) {
                // announced again: replaced in place
                Some(o) => o.update(props),
                None => {
                    let mut target = self.paths();
                    target.push(path.clone());
                    self.imp()
                        .keyed
                        .sync(self, &target, |p| VpnObject::new(p, props));
                }
            },
            Event::VpnConnectionRemoved(path) => {
                let mut target = self.paths();
                target.retain(|p| p != path);
                self.imp().keyed.sync(self, &target, |p| {
                    VpnObject::new(p, &VpnConnectionProps::default())
                });
            }
            Event::VpnConnectionChanged { path, props, .. } => {
                if let Some(o) = self.get(path) {
                    o.update(props);
                }
            }
            _ => {}
        }
    }

    /// Takes connman-vpnd's connections (none while it is not running).
    pub fn reset(&self, connections: &[(String, VpnConnectionProps)]) {
        let keyed = &self.imp().keyed;
        for (path, props) in connections {
            if let Some(o) = keyed.get(path) {
                o.update(props);
            }
        }
        let target: Vec<String> = connections.iter().map(|(p, _)| p.clone()).collect();
        keyed.sync(self, &target, |path| {
            let props = connections
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            VpnObject::new(path, &props)
        });
    }

    /// Whether the connection at `path` is listed and in split routing.
    pub fn split_routing(&self, path: &str) -> bool {
        self.get(path).is_some_and(|o| o.split_routing())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_of_a_connection() {
        assert_eq!(
            vpn_service_path("/net/connman/vpn/connection/10_77_0_1_lab"),
            "/net/connman/service/vpn_10_77_0_1_lab"
        );
        assert_eq!(
            crate::connman::client::vpn_connection_path(&vpn_service_path(
                "/net/connman/vpn/connection/x"
            )),
            "/net/connman/vpn/connection/x"
        );
    }

    #[test]
    fn follows_vpnd_and_empties_when_it_goes() {
        let list = VpnList::default();
        let props = VpnConnectionProps {
            name: Some("<b>Work</b>".into()),
            host: Some("vpn.example".into()),
            type_: Some("openvpn".into()),
            ..Default::default()
        };
        let connections = vec![("/net/connman/vpn/connection/a".to_owned(), props)];
        let changes = std::rc::Rc::new(RefCell::new(Vec::new()));
        let c = changes.clone();
        list.connect_items_changed(move |_, p, r, a| c.borrow_mut().push((p, r, a)));
        list.apply(&Event::VpnUp(std::sync::Arc::new(connections)));
        assert_eq!(*changes.borrow(), [(0, 0, 1)]);
        let o = list.get("/net/connman/vpn/connection/a").unwrap();
        assert_eq!(o.name(), "<b>Work</b>");
        assert_eq!(o.kind(), "openvpn");
        assert_eq!(o.service_path(), "/net/connman/service/vpn_a");
        list.apply(&Event::VpnDown);
        assert_eq!(*changes.borrow(), [(0, 0, 1), (0, 1, 0)]);
        assert_eq!(list.n_items(), 0);
    }
}
