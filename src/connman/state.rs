//! What connmand and connman-vpnd report, kept up to date by applying their
//! signals: the reducer behind [`super::client::Client`]. Pure code, no I/O.
//!
//! Invariant: after applying every signal received, `State` equals what a
//! fresh `GetProperties` + `GetTechnologies` + `GetServices` (+
//! `GetConnections`) would return now. The service order is connmand's (its
//! priority order): `ServicesChanged` carries the complete new order, with a
//! full dict for a service new to us and only the changed properties (often
//! none) for a known one.

use std::collections::{HashMap, HashSet};
use std::ops::Deref;
use std::sync::Arc;

use zbus::zvariant::{OwnedValue, Value};

use super::types::{
    ManagerProps, ParseIssue, PropertyDict, ServiceProps, TechnologyProps, VpnConnectionProps,
};

/// A `(path, properties)` list, as `GetServices`, `GetTechnologies`,
/// `GetConnections` and `ServicesChanged` send it.
pub type PathDicts = Vec<(String, HashMap<String, OwnedValue>)>;

/// What changed, for whoever shows the state, with the changed values: the
/// models follow the events alone, without reading [`State`] (and so without
/// its lock). Paths are D-Bus object paths. The values are shared ([`Arc`]):
/// each change clones one object's properties once, however many subscribers
/// get the event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// connmand appeared and everything was fetched again (or for the first
    /// time): the whole state after the fetch, for the models to reset to.
    ConnmanUp(Arc<State>),
    /// connmand went away: no services, no technologies.
    ConnmanDown,
    /// connmand is there but refuses Connie (the bus's policy, e.g. only
    /// members of a group may talk to it): connmand's error.
    ConnmanRefused(String),
    /// connman-vpnd appeared: its connections, as fetched.
    VpnUp(Arc<Vec<(String, VpnConnectionProps)>>),
    /// connman-vpnd went away: no connections.
    VpnDown,
    ManagerChanged {
        property: String,
        /// The manager's properties after the change.
        props: Arc<ManagerProps>,
    },
    /// A technology appeared (or was announced again: then it replaces the
    /// one with its path, in place).
    TechnologyAdded {
        path: String,
        props: Arc<TechnologyProps>,
    },
    TechnologyRemoved(String),
    TechnologyChanged {
        path: String,
        property: String,
        /// The technology's properties after the change.
        props: Arc<TechnologyProps>,
    },
    /// The service list changed: `removed` are gone, `added` are new,
    /// `updated` got new values, and `order` is the new order when it changed
    /// (`None`: same order). `services` holds the properties of every added
    /// and updated service after the change.
    ServicesChanged {
        added: Vec<String>,
        removed: Vec<String>,
        updated: Vec<String>,
        order: Option<Arc<Vec<String>>>,
        services: Vec<(String, Arc<ServiceProps>)>,
    },
    ServiceChanged {
        path: String,
        property: String,
        /// The service's properties after the change.
        props: Arc<ServiceProps>,
    },
    /// A VPN connection appeared (or was announced again: then it replaces
    /// the one with its path, in place).
    VpnConnectionAdded {
        path: String,
        props: Arc<VpnConnectionProps>,
    },
    VpnConnectionRemoved(String),
    VpnConnectionChanged {
        path: String,
        property: String,
        /// The connection's properties after the change.
        props: Arc<VpnConnectionProps>,
    },
}

/// The daemons' state as last reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    pub connman_running: bool,
    /// connmand runs but refused access (its error), until it is read.
    pub connman_refused: Option<String>,
    pub vpn_running: bool,
    pub manager: ManagerProps,
    /// Technologies in connmand's order.
    pub technologies: Vec<(String, TechnologyProps)>,
    /// Service paths in connmand's (priority) order (shared with the events
    /// that carry it).
    pub order: Arc<Vec<String>>,
    pub services: HashMap<String, ServiceProps>,
    pub vpn_connections: Vec<(String, VpnConnectionProps)>,
    /// Values connmand sent that did not parse, one entry per (object, property)
    /// so that each is logged once.
    pub issues_seen: HashSet<(String, String)>,
}

impl State {
    /// Services in connmand's order.
    pub fn services_in_order(&self) -> impl Iterator<Item = (&str, &ServiceProps)> {
        self.order
            .iter()
            .filter_map(|p| self.services.get(p).map(|s| (p.as_str(), s)))
    }

    pub fn service(&self, path: &str) -> Option<&ServiceProps> {
        self.services.get(path)
    }

    pub fn technology(&self, path: &str) -> Option<&TechnologyProps> {
        self.technologies
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t)
    }

    pub fn vpn_connection(&self, path: &str) -> Option<&VpnConnectionProps> {
        self.vpn_connections
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c)
    }

    /// Notes a parse issue; true the first time this (object, property) has one.
    fn note(&mut self, path: &str, issues: Vec<ParseIssue>) -> Vec<ParseIssue> {
        issues
            .into_iter()
            .filter(|i| {
                self.issues_seen
                    .insert((path.to_owned(), i.property.clone()))
            })
            .collect()
    }

    /// Replaces everything connmand reports (after a (re)start of connmand or
    /// of the client). Returns the issues seen for the first time.
    pub fn reset_connman(
        &mut self,
        manager: &HashMap<String, OwnedValue>,
        technologies: &PathDicts,
        services: &PathDicts,
    ) -> Vec<ParseIssue> {
        let mut fresh = Vec::new();
        self.connman_running = true;
        self.connman_refused = None;
        let (m, issues) = ManagerProps::from_dict(manager);
        self.manager = m;
        fresh.extend(self.note("/", issues));
        self.technologies.clear();
        for (path, dict) in technologies {
            let (t, issues) = TechnologyProps::from_dict(dict);
            fresh.extend(self.note(path, issues));
            self.technologies.push((path.clone(), t));
        }
        let mut order = Vec::with_capacity(services.len());
        self.services.clear();
        for (path, dict) in services {
            let (s, issues) = ServiceProps::from_dict(dict);
            fresh.extend(self.note(path, issues));
            if self.services.insert(path.clone(), s).is_none() {
                order.push(path.clone());
            }
        }
        self.order = Arc::new(order);
        fresh
    }

    /// connmand went away: nothing it reported holds any more.
    pub fn connman_gone(&mut self) {
        self.connman_running = false;
        self.connman_refused = None;
        self.manager = ManagerProps::default();
        self.technologies.clear();
        self.order = Arc::default();
        self.services.clear();
    }

    pub fn reset_vpn(&mut self, connections: &PathDicts) -> Vec<ParseIssue> {
        let mut fresh = Vec::new();
        self.vpn_running = true;
        self.vpn_connections.clear();
        for (path, dict) in connections {
            let (c, issues) = VpnConnectionProps::from_dict(dict);
            fresh.extend(self.note(path, issues));
            self.vpn_connections.push((path.clone(), c));
        }
        fresh
    }

    pub fn vpn_gone(&mut self) {
        self.vpn_running = false;
        self.vpn_connections.clear();
    }

    pub fn manager_property(&mut self, name: &str, value: &Value<'_>) -> (Event, Vec<ParseIssue>) {
        let issues = self.manager.apply(name, value).err().into_iter().collect();
        let event = Event::ManagerChanged {
            property: name.to_owned(),
            props: Arc::new(self.manager.clone()),
        };
        (event, self.note("/", issues))
    }

    pub fn technology_added(
        &mut self,
        path: &str,
        dict: &HashMap<String, OwnedValue>,
    ) -> (Event, Vec<ParseIssue>) {
        let (t, issues) = TechnologyProps::from_dict(dict);
        let props = Arc::new(t.clone());
        match self.technologies.iter_mut().find(|(p, _)| p == path) {
            Some(slot) => slot.1 = t,
            None => self.technologies.push((path.to_owned(), t)),
        }
        let event = Event::TechnologyAdded {
            path: path.to_owned(),
            props,
        };
        (event, self.note(path, issues))
    }

    pub fn technology_removed(&mut self, path: &str) -> Option<Event> {
        let before = self.technologies.len();
        self.technologies.retain(|(p, _)| p != path);
        (self.technologies.len() != before).then(|| Event::TechnologyRemoved(path.to_owned()))
    }

    pub fn technology_property(
        &mut self,
        path: &str,
        name: &str,
        value: &Value<'_>,
    ) -> (Option<Event>, Vec<ParseIssue>) {
        let Some((_, t)) = self.technologies.iter_mut().find(|(p, _)| p == path) else {
            return (None, Vec::new());
        };
        let issues = t.apply(name, value).err().into_iter().collect();
        let event = Event::TechnologyChanged {
            path: path.to_owned(),
            property: name.to_owned(),
            props: Arc::new(t.clone()),
        };
        (Some(event), self.note(path, issues))
    }

    /// Applies `ServicesChanged(changed, removed)`.
    ///
    /// In a room of networks connmand sends this for every strength change,
    /// with every path in the new order and empty dictionaries: the order
    /// is compared in place, the paths kept are moved into the new order
    /// (unless an event still holds the old one), and the event shares the
    /// new order with the state.
    pub fn services_changed<P: Deref<Target = str>>(
        &mut self,
        changed: &[(P, HashMap<String, OwnedValue>)],
        removed: &[P],
    ) -> (Event, Vec<ParseIssue>) {
        let same_paths = changed.len() == self.order.len()
            && changed
                .iter()
                .zip(self.order.iter())
                .all(|((p, _), o)| **p == **o);
        if same_paths && removed.is_empty() && changed.iter().all(|(_, d)| d.is_empty()) {
            let event = Event::ServicesChanged {
                added: Vec::new(),
                removed: Vec::new(),
                updated: Vec::new(),
                order: None,
                services: Vec::new(),
            };
            return (event, Vec::new());
        }
        let mut fresh = Vec::new();
        let mut gone = Vec::new();
        for path in removed {
            if let Some((path, _)) = self.services.remove_entry(&**path) {
                gone.push(path);
            }
        }
        // the paths of the old order, to be moved into the new one (copied
        // only while an event not yet handed on still shares that order)
        let mut pool: HashSet<String> = Arc::unwrap_or_clone(std::mem::take(&mut self.order))
            .into_iter()
            .collect();
        let mut added = Vec::new();
        let mut updated = Vec::new();
        let mut new_order = Vec::with_capacity(changed.len());
        for (path, dict) in changed {
            let path: &str = path;
            let owned = pool.take(path).unwrap_or_else(|| path.to_owned());
            match self.services.get_mut(path) {
                Some(s) => {
                    if !dict.is_empty() {
                        let issues = s.update_from_dict(dict);
                        fresh.extend(self.note(path, issues));
                        updated.push(owned.clone());
                    }
                }
                None => {
                    let (s, issues) = ServiceProps::from_dict(dict);
                    fresh.extend(self.note(path, issues));
                    self.services.insert(owned.clone(), s);
                    added.push(owned.clone());
                }
            }
            new_order.push(owned);
        }
        // A service connmand left out of the new order without removing it
        // is not in its list any more either.
        for p in pool {
            if self.services.remove(&p).is_some() {
                gone.push(p);
            }
        }
        // what was seen of a service that went is forgotten with it: in a
        // day among hundreds of networks, thousands come and go
        if !gone.is_empty() && !self.issues_seen.is_empty() {
            let gone_set: HashSet<&String> = gone.iter().collect();
            self.issues_seen.retain(|(p, _)| !gone_set.contains(p));
        }
        let order_changed = !same_paths || !added.is_empty() || !gone.is_empty();
        self.order = Arc::new(new_order);
        let order = order_changed.then(|| self.order.clone());
        let services = added
            .iter()
            .chain(&updated)
            .filter_map(|p| Some((p.clone(), Arc::new(self.services.get(p)?.clone()))))
            .collect();
        (
            Event::ServicesChanged {
                added,
                removed: gone,
                updated,
                order,
                services,
            },
            fresh,
        )
    }

    pub fn service_property(
        &mut self,
        path: &str,
        name: &str,
        value: &Value<'_>,
    ) -> (Option<Event>, Vec<ParseIssue>) {
        let Some(s) = self.services.get_mut(path) else {
            return (None, Vec::new());
        };
        let issues = s.apply(name, value).err().into_iter().collect();
        let event = Event::ServiceChanged {
            path: path.to_owned(),
            property: name.to_owned(),
            props: Arc::new(s.clone()),
        };
        (Some(event), self.note(path, issues))
    }

    pub fn vpn_connection_added(
        &mut self,
        path: &str,
        dict: &HashMap<String, OwnedValue>,
    ) -> (Event, Vec<ParseIssue>) {
        let (c, issues) = VpnConnectionProps::from_dict(dict);
        let props = Arc::new(c.clone());
        match self.vpn_connections.iter_mut().find(|(p, _)| p == path) {
            Some(slot) => slot.1 = c,
            None => self.vpn_connections.push((path.to_owned(), c)),
        }
        let event = Event::VpnConnectionAdded {
            path: path.to_owned(),
            props,
        };
        (event, self.note(path, issues))
    }

    pub fn vpn_connection_removed(&mut self, path: &str) -> Option<Event> {
        let before = self.vpn_connections.len();
        self.vpn_connections.retain(|(p, _)| p != path);
        (self.vpn_connections.len() != before).then(|| Event::VpnConnectionRemoved(path.to_owned()))
    }

    pub fn vpn_connection_property(
        &mut self,
        path: &str,
        name: &str,
        value: &Value<'_>,
    ) -> (Option<Event>, Vec<ParseIssue>) {
        let Some((_, c)) = self.vpn_connections.iter_mut().find(|(p, _)| p == path) else {
            return (None, Vec::new());
        };
        let issues = c.apply(name, value).err().into_iter().collect();
        let event = Event::VpnConnectionChanged {
            path: path.to_owned(),
            property: name.to_owned(),
            props: Arc::new(c.clone()),
        };
        (Some(event), self.note(path, issues))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::ServiceState;

    fn v(value: Value<'static>) -> OwnedValue {
        OwnedValue::try_from(value).unwrap()
    }

    fn dict(entries: &[(&str, Value<'static>)]) -> HashMap<String, OwnedValue> {
        entries
            .iter()
            .map(|(k, val)| (k.to_string(), v(val.clone())))
            .collect()
    }

    fn wifi(name: &str, state: &str, strength: u8) -> HashMap<String, OwnedValue> {
        dict(&[
            ("Name", Value::from(name.to_owned())),
            ("Type", Value::from("wifi")),
            ("State", Value::from(state.to_owned())),
            ("Strength", Value::U8(strength)),
        ])
    }

    fn started(services: &[(&str, &str)]) -> State {
        let mut s = State::default();
        let list: PathDicts = services
            .iter()
            .map(|(p, n)| (p.to_string(), wifi(n, "idle", 50)))
            .collect();
        assert!(s
            .reset_connman(&HashMap::new(), &Vec::new(), &list)
            .is_empty());
        s
    }

    /// A `ServicesChanged`'s lists, and whether it carries a new order.
    fn summary(ev: &Event) -> (Vec<String>, Vec<String>, Vec<String>, bool) {
        let Event::ServicesChanged {
            added,
            removed,
            updated,
            order,
            ..
        } = ev
        else {
            panic!("not a ServicesChanged: {ev:?}");
        };
        (
            added.clone(),
            removed.clone(),
            updated.clone(),
            order.is_some(),
        )
    }

    fn order(s: &State) -> Vec<&str> {
        s.order.iter().map(String::as_str).collect()
    }

    #[test]
    fn initial_fetch_keeps_connmand_order() {
        let s = started(&[("/c", "C"), ("/a", "A"), ("/b", "B")]);
        assert_eq!(order(&s), ["/c", "/a", "/b"]);
        assert_eq!(s.services["/a"].name.as_deref(), Some("A"));
        assert!(s.connman_running);
    }

    #[test]
    fn what_was_seen_of_a_service_goes_with_it() {
        let mut s = started(&[("/a", "A")]);
        // a Strength of the wrong type: an issue, noted once
        let bad = dict(&[
            ("Name", Value::from("B")),
            ("Type", Value::from("wifi")),
            ("Strength", Value::from("loud")),
        ]);
        let changed: PathDicts = vec![("/a".into(), HashMap::new()), ("/b".into(), bad)];
        let (_, issues) = s.services_changed(&changed, &[]);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(s.issues_seen.len(), 1);
        let (_, issues) =
            s.services_changed::<String>(&[("/a".into(), HashMap::new())], &["/b".into()]);
        assert!(issues.is_empty());
        assert!(s.issues_seen.is_empty(), "{:?}", s.issues_seen);
    }

    #[test]
    fn services_changed_in_the_same_order_changes_nothing() {
        let mut s = started(&[("/a", "A"), ("/b", "B")]);
        let before = s.order.clone();
        let same: PathDicts = vec![("/a".into(), HashMap::new()), ("/b".into(), HashMap::new())];
        let (ev, issues) = s.services_changed(&same, &[]);
        assert!(issues.is_empty());
        assert_eq!(summary(&ev), (vec![], vec![], vec![], false));
        assert!(
            Arc::ptr_eq(&before, &s.order),
            "the order is kept as it was"
        );
        // the same paths with a value: an update, still no new order
        let updated: PathDicts = vec![
            ("/a".into(), HashMap::new()),
            ("/b".into(), dict(&[("State", Value::from("ready"))])),
        ];
        let (ev, _) = s.services_changed(&updated, &[]);
        assert_eq!(summary(&ev), (vec![], vec![], vec!["/b".into()], false));
        // a path connmand says it removed, which was never listed: nothing
        let (ev, _) = s.services_changed(&same, &["/z".to_owned()]);
        assert_eq!(summary(&ev), (vec![], vec![], vec![], false));
        assert_eq!(order(&s), ["/a", "/b"]);
    }

    #[test]
    fn services_changed_reorders_with_empty_dicts() {
        let mut s = started(&[("/a", "A"), ("/b", "B"), ("/c", "C")]);
        let changed: PathDicts = vec![
            ("/b".into(), HashMap::new()),
            ("/a".into(), HashMap::new()),
            ("/c".into(), HashMap::new()),
        ];
        let (ev, issues) = s.services_changed(&changed, &[]);
        assert!(issues.is_empty());
        assert_eq!(summary(&ev), (vec![], vec![], vec![], true));
        assert_eq!(order(&s), ["/b", "/a", "/c"]);
        assert_eq!(s.services["/b"].name.as_deref(), Some("B"));
    }

    #[test]
    fn services_changed_adds_removes_and_updates_partially() {
        let mut s = started(&[("/a", "A"), ("/b", "B")]);
        let changed: PathDicts = vec![
            ("/n".into(), wifi("New", "idle", 80)),
            ("/a".into(), dict(&[("State", Value::from("ready"))])),
        ];
        let (ev, _) = s.services_changed(&changed, &["/b".to_owned()]);
        assert_eq!(
            summary(&ev),
            (
                vec!["/n".into()],
                vec!["/b".into()],
                vec!["/a".into()],
                true
            )
        );
        assert_eq!(order(&s), ["/n", "/a"]);
        let a = &s.services["/a"];
        assert_eq!(a.state, ServiceState::Ready);
        // a partial dict keeps what it does not mention
        assert_eq!(a.name.as_deref(), Some("A"));
        assert_eq!(a.strength, Some(50));
        assert!(!s.services.contains_key("/b"));
        // the event carries the new order and the added and updated services as they are now
        let Event::ServicesChanged {
            order, services, ..
        } = &ev
        else {
            unreachable!()
        };
        assert_eq!(
            order.as_deref(),
            Some(&vec!["/n".to_owned(), "/a".to_owned()])
        );
        let carried: Vec<(&str, &ServiceProps)> =
            services.iter().map(|(p, s)| (p.as_str(), &**s)).collect();
        assert_eq!(
            carried,
            [("/n", &s.services["/n"]), ("/a", &s.services["/a"])]
        );
    }

    #[test]
    fn same_order_is_not_a_reorder() {
        let mut s = started(&[("/a", "A"), ("/b", "B")]);
        let changed: PathDicts = vec![
            ("/a".into(), HashMap::new()),
            ("/b".into(), dict(&[("Strength", Value::U8(90))])),
        ];
        let (ev, _) = s.services_changed(&changed, &[]);
        assert_eq!(summary(&ev), (vec![], vec![], vec!["/b".into()], false));
    }

    #[test]
    fn a_service_missing_from_the_new_order_is_dropped() {
        let mut s = started(&[("/a", "A"), ("/b", "B")]);
        let (ev, _) = s.services_changed::<String>(&[("/a".into(), HashMap::new())], &[]);
        assert_eq!(summary(&ev), (vec![], vec!["/b".into()], vec![], true));
        assert_eq!(order(&s), ["/a"]);
        assert_eq!(s.services.len(), 1);
    }

    #[test]
    fn property_changed_touches_one_service_and_unknown_paths_are_ignored() {
        let mut s = started(&[("/a", "A"), ("/b", "B")]);
        let (ev, issues) = s.service_property("/a", "Strength", &Value::U8(12));
        assert!(issues.is_empty());
        let Some(Event::ServiceChanged {
            path,
            property,
            props,
        }) = ev
        else {
            panic!("not a ServiceChanged: {ev:?}");
        };
        assert_eq!((path.as_str(), property.as_str()), ("/a", "Strength"));
        assert_eq!(
            *props, s.services["/a"],
            "it carries the service after the change"
        );
        assert_eq!(s.services["/a"].strength, Some(12));
        assert_eq!(s.services["/b"].strength, Some(50));
        assert_eq!(s.service_property("/zz", "Strength", &Value::U8(1)).0, None);
    }

    #[test]
    fn a_bad_value_keeps_the_old_one_and_is_reported_once() {
        let mut s = started(&[("/a", "A")]);
        let (_, first) = s.service_property("/a", "Strength", &Value::from("strong"));
        assert_eq!(first.len(), 1);
        let (_, again) = s.service_property("/a", "Strength", &Value::from("stronger"));
        assert!(again.is_empty(), "logged once");
        assert_eq!(s.services["/a"].strength, Some(50));
        assert_eq!(s.services["/a"].name.as_deref(), Some("A"));
    }

    #[test]
    fn connman_going_away_empties_everything_and_coming_back_refills() {
        let mut s = started(&[("/a", "A")]);
        s.technology_added(
            "/net/connman/technology/wifi",
            &dict(&[("Powered", Value::from(true))]),
        );
        s.connman_gone();
        assert!(!s.connman_running);
        assert!(s.order.is_empty() && s.services.is_empty() && s.technologies.is_empty());
        let list: PathDicts = vec![("/b".into(), wifi("B", "ready", 70))];
        s.reset_connman(
            &dict(&[("State", Value::from("ready"))]),
            &Vec::new(),
            &list,
        );
        assert_eq!(order(&s), ["/b"]);
        assert!(s.manager.state.is_connected());
    }

    #[test]
    fn technologies_are_added_changed_and_removed() {
        let mut s = State::default();
        let p = "/net/connman/technology/wifi";
        let (ev, _) = s.technology_added(
            p,
            &dict(&[
                ("Type", Value::from("wifi")),
                ("Powered", Value::from(false)),
            ]),
        );
        assert!(
            matches!(&ev, Event::TechnologyAdded { path, props } if path == p && !props.powered)
        );
        let (ev, _) = s.technology_property(p, "Powered", &Value::from(true));
        assert!(s.technology(p).unwrap().powered);
        assert!(matches!(ev, Some(Event::TechnologyChanged { props, .. }) if props.powered));
        assert_eq!(
            s.technology_removed(p),
            Some(Event::TechnologyRemoved(p.into()))
        );
        assert_eq!(s.technology_removed(p), None);
    }

    #[test]
    fn vpn_connections_follow_vpnd() {
        let mut s = State::default();
        let p = "/net/connman/vpn/connection/x";
        s.reset_vpn(&vec![(p.into(), dict(&[("State", Value::from("idle"))]))]);
        assert!(s.vpn_running);
        s.vpn_connection_property(p, "State", &Value::from("ready"));
        assert!(s.vpn_connection(p).unwrap().state.is_connected());
        assert_eq!(
            s.vpn_connection_removed(p),
            Some(Event::VpnConnectionRemoved(p.into()))
        );
        s.vpn_gone();
        assert!(!s.vpn_running);
    }
}
