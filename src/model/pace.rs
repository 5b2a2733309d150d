//! Paces the signal-strength storm.
//!
//! Every access point in range changes its `Strength` several times a
//! minute, and connmand re-sorts the list on each change (it orders wifi
//! networks by strength), so a room full of networks sends a steady stream
//! of `PropertyChanged("Strength")` and order-only `ServicesChanged`. Shown
//! as they come, each is a relayout and a frame of the whole window (GTK
//! 4.8's cairo renderer draws the whole tree, clipped, for every frame), and
//! a tray refresh. None of them is news a person waits for: the [`Pacer`]
//! holds them back and hands them on together at most once per [`PACE`].
//!
//! Everything else goes through at once, and first takes what was held back
//! with it, so the models never show a later state with an earlier order.
//! A re-sort is news when it follows something the person did or saw
//! happen: a service changing state (connected services move to the top), a
//! service added or removed, or a move asked for from the window
//! ([`Pacer::hurry`]). For [`URGENT`] after those, re-sorts go through at
//! once too.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::connman::state::Event;
use crate::connman::ServiceProps;

/// How long strength changes and re-sorts may wait.
pub const PACE: Duration = Duration::from_secs(1);

/// How long after a state change, an added or removed service or a move a
/// re-sort is shown at once (connmand sends it about 100 ms later).
pub const URGENT: Duration = Duration::from_secs(2);

/// What to do with one event of the client.
#[derive(Debug, PartialEq)]
pub enum Decision {
    /// Held back: [`Pacer::take`] gives it (merged) when the pace allows.
    Defer,
    /// Apply now, after `catch_up` (what was held back) when there is one.
    Apply { catch_up: Option<Event> },
}

/// Decides which of the client's events wait; see the module's docs.
#[derive(Debug, Default)]
pub struct Pacer {
    /// Services whose strength changed while held back, in the order of
    /// their first change, each with its properties after its last change.
    strength: Vec<(String, Arc<ServiceProps>)>,
    /// An order-only change is held back.
    reorder: bool,
    /// The order of the last held-back re-sort that changed it.
    order: Option<Arc<Vec<String>>>,
    urgent_until: Option<Instant>,
}

impl Pacer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Re-sorts for the next [`URGENT`] are shown at once (the window asks
    /// this when it moves a service).
    pub fn hurry(&mut self, now: Instant) {
        self.urgent_until = Some(now + URGENT);
    }

    fn urgent(&self, now: Instant) -> bool {
        self.urgent_until.is_some_and(|until| now < until)
    }

    /// Whether something is held back.
    pub fn is_holding(&self) -> bool {
        self.reorder || !self.strength.is_empty()
    }

    pub fn on_event(&mut self, event: &Event, now: Instant) -> Decision {
        match event {
            Event::ServiceChanged {
                path,
                property,
                props,
            } if property == "Strength" => {
                // the latest values win; the place is the first change's
                match self.strength.iter_mut().find(|(p, _)| p == path) {
                    Some(held) => held.1 = props.clone(),
                    None => self.strength.push((path.clone(), props.clone())),
                }
                return Decision::Defer;
            }
            Event::ServicesChanged {
                added,
                removed,
                updated,
                order,
                ..
            } if added.is_empty()
                && removed.is_empty()
                && updated.is_empty()
                && !self.urgent(now) =>
            {
                self.reorder = true;
                if order.is_some() {
                    self.order = order.clone();
                }
                return Decision::Defer;
            }
            // an urgent re-sort goes through without extending the urgency
            Event::ServicesChanged {
                added,
                removed,
                updated,
                ..
            } if added.is_empty() && removed.is_empty() && updated.is_empty() => {}
            Event::ServicesChanged { .. } | Event::ServiceChanged { .. } => self.hurry(now),
            _ => {}
        }
        Decision::Apply {
            catch_up: self.take(),
        }
    }

    /// What was held back, as one event the models and listeners take like
    /// any other: a `ServicesChanged` with the services whose strength
    /// changed (and their latest properties) and, when it changed, the
    /// latest order.
    pub fn take(&mut self) -> Option<Event> {
        if !self.is_holding() {
            return None;
        }
        self.reorder = false;
        let services = std::mem::take(&mut self.strength);
        Some(Event::ServicesChanged {
            added: Vec::new(),
            removed: Vec::new(),
            updated: services.iter().map(|(p, _)| p.clone()).collect(),
            order: self.order.take(),
            services,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::ManagerProps;

    fn props(strength: u8) -> Arc<ServiceProps> {
        Arc::new(ServiceProps {
            strength: Some(strength),
            ..Default::default()
        })
    }

    fn strength(path: &str, value: u8) -> Event {
        Event::ServiceChanged {
            path: path.into(),
            property: "Strength".into(),
            props: props(value),
        }
    }

    fn state_change(path: &str) -> Event {
        Event::ServiceChanged {
            path: path.into(),
            property: "State".into(),
            props: props(50),
        }
    }

    fn order(paths: &[&str]) -> Arc<Vec<String>> {
        Arc::new(paths.iter().map(|p| p.to_string()).collect())
    }

    fn resort(paths: &[&str]) -> Event {
        Event::ServicesChanged {
            added: vec![],
            removed: vec![],
            updated: vec![],
            order: Some(order(paths)),
            services: vec![],
        }
    }

    fn catch_up(updated: &[(&str, u8)], paths: Option<&[&str]>) -> Event {
        Event::ServicesChanged {
            added: vec![],
            removed: vec![],
            updated: updated.iter().map(|(p, _)| p.to_string()).collect(),
            order: paths.map(order),
            services: updated
                .iter()
                .map(|(p, v)| (p.to_string(), props(*v)))
                .collect(),
        }
    }

    #[test]
    fn a_storm_is_held_back_and_merged_keeping_the_latest_values() {
        let mut p = Pacer::new();
        let t = Instant::now();
        for i in 0..3 {
            assert_eq!(p.on_event(&strength("/a", 10 + i), t), Decision::Defer);
            let sorted: &[&str] = if i % 2 == 0 {
                &["/a", "/b"]
            } else {
                &["/b", "/a"]
            };
            assert_eq!(p.on_event(&resort(sorted), t), Decision::Defer);
            assert_eq!(p.on_event(&strength("/b", 20 + i), t), Decision::Defer);
        }
        // a re-sort that left the order as it was carries none: the last order stands
        let same = Event::ServicesChanged {
            added: vec![],
            removed: vec![],
            updated: vec![],
            order: None,
            services: vec![],
        };
        assert_eq!(p.on_event(&same, t), Decision::Defer);
        assert!(p.is_holding());
        assert_eq!(
            p.take(),
            Some(catch_up(&[("/a", 12), ("/b", 22)], Some(&["/a", "/b"])))
        );
        assert!(!p.is_holding());
        assert_eq!(p.take(), None);
    }

    #[test]
    fn other_news_goes_through_with_what_was_held_back_first() {
        let mut p = Pacer::new();
        let t = Instant::now();
        p.on_event(&strength("/a", 7), t);
        assert_eq!(
            p.on_event(&state_change("/b"), t),
            Decision::Apply {
                catch_up: Some(catch_up(&[("/a", 7)], None))
            }
        );
        let manager = Event::ManagerChanged {
            property: "State".into(),
            props: Arc::new(ManagerProps::default()),
        };
        assert_eq!(p.on_event(&manager, t), Decision::Apply { catch_up: None });
    }

    #[test]
    fn a_resort_after_a_state_change_or_a_move_is_news() {
        let mut p = Pacer::new();
        let t = Instant::now();
        p.on_event(&state_change("/b"), t);
        let soon = t + Duration::from_millis(150);
        assert_eq!(
            p.on_event(&resort(&["/b", "/a"]), soon),
            Decision::Apply { catch_up: None }
        );
        // once things have settled, re-sorts wait again
        assert_eq!(
            p.on_event(&resort(&["/a", "/b"]), t + URGENT),
            Decision::Defer
        );
        p.take();
        // a move asked for from the window
        let later = t + Duration::from_secs(10);
        p.hurry(later);
        assert_eq!(
            p.on_event(&resort(&["/b", "/a"]), later + Duration::from_millis(100)),
            Decision::Apply { catch_up: None }
        );
    }

    #[test]
    fn added_or_removed_services_are_news() {
        let mut p = Pacer::new();
        let t = Instant::now();
        p.on_event(&resort(&["/b", "/a"]), t);
        let added = Event::ServicesChanged {
            added: vec!["/new".into()],
            removed: vec![],
            updated: vec![],
            order: Some(order(&["/new", "/b", "/a"])),
            services: vec![("/new".into(), props(1))],
        };
        assert_eq!(
            p.on_event(&added, t),
            Decision::Apply {
                catch_up: Some(catch_up(&[], Some(&["/b", "/a"])))
            }
        );
        // and the re-sort that may follow it too
        assert_eq!(
            p.on_event(
                &resort(&["/b", "/new", "/a"]),
                t + Duration::from_millis(100)
            ),
            Decision::Apply { catch_up: None }
        );
    }
}
