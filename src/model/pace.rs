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

use std::time::{Duration, Instant};

use crate::connman::state::Event;

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
    /// Services whose strength changed while held back, in arrival order.
    strength: Vec<String>,
    /// An order-only change is held back.
    reorder: bool,
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
            Event::ServiceChanged { path, property } if property == "Strength" => {
                if !self.strength.contains(path) {
                    self.strength.push(path.clone());
                }
                return Decision::Defer;
            }
            Event::ServicesChanged {
                added,
                removed,
                updated,
                ..
            } if added.is_empty()
                && removed.is_empty()
                && updated.is_empty()
                && !self.urgent(now) =>
            {
                self.reorder = true;
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
    /// any other: a `ServicesChanged` naming the services whose strength
    /// changed (the models re-read them) and, when needed, the new order.
    pub fn take(&mut self) -> Option<Event> {
        if !self.is_holding() {
            return None;
        }
        Some(Event::ServicesChanged {
            added: Vec::new(),
            removed: Vec::new(),
            updated: std::mem::take(&mut self.strength),
            order_changed: std::mem::take(&mut self.reorder),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strength(path: &str) -> Event {
        Event::ServiceChanged {
            path: path.into(),
            property: "Strength".into(),
        }
    }

    fn resort() -> Event {
        Event::ServicesChanged {
            added: vec![],
            removed: vec![],
            updated: vec![],
            order_changed: true,
        }
    }

    fn catch_up(updated: &[&str], order_changed: bool) -> Event {
        Event::ServicesChanged {
            added: vec![],
            removed: vec![],
            updated: updated.iter().map(|p| p.to_string()).collect(),
            order_changed,
        }
    }

    #[test]
    fn a_storm_is_held_back_and_merged() {
        let mut p = Pacer::new();
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(p.on_event(&strength("/a"), t), Decision::Defer);
            assert_eq!(p.on_event(&resort(), t), Decision::Defer);
            assert_eq!(p.on_event(&strength("/b"), t), Decision::Defer);
        }
        assert!(p.is_holding());
        assert_eq!(p.take(), Some(catch_up(&["/a", "/b"], true)));
        assert!(!p.is_holding());
        assert_eq!(p.take(), None);
    }

    #[test]
    fn other_news_goes_through_with_what_was_held_back_first() {
        let mut p = Pacer::new();
        let t = Instant::now();
        p.on_event(&strength("/a"), t);
        let state = Event::ServiceChanged {
            path: "/b".into(),
            property: "State".into(),
        };
        assert_eq!(
            p.on_event(&state, t),
            Decision::Apply {
                catch_up: Some(catch_up(&["/a"], false))
            }
        );
        assert_eq!(
            p.on_event(&Event::ManagerChanged("State".into()), t),
            Decision::Apply { catch_up: None }
        );
    }

    #[test]
    fn a_resort_after_a_state_change_or_a_move_is_news() {
        let mut p = Pacer::new();
        let t = Instant::now();
        let state = Event::ServiceChanged {
            path: "/b".into(),
            property: "State".into(),
        };
        p.on_event(&state, t);
        let soon = t + Duration::from_millis(150);
        assert_eq!(
            p.on_event(&resort(), soon),
            Decision::Apply { catch_up: None }
        );
        // once things have settled, re-sorts wait again
        assert_eq!(p.on_event(&resort(), t + URGENT), Decision::Defer);
        p.take();
        // a move asked for from the window
        let later = t + Duration::from_secs(10);
        p.hurry(later);
        assert_eq!(
            p.on_event(&resort(), later + Duration::from_millis(100)),
            Decision::Apply { catch_up: None }
        );
    }

    #[test]
    fn added_or_removed_services_are_news() {
        let mut p = Pacer::new();
        let t = Instant::now();
        p.on_event(&resort(), t);
        let added = Event::ServicesChanged {
            added: vec!["/new".into()],
            removed: vec![],
            updated: vec![],
            order_changed: true,
        };
        assert_eq!(
            p.on_event(&added, t),
            Decision::Apply {
                catch_up: Some(catch_up(&[], true))
            }
        );
        // and the re-sort that may follow it too
        assert_eq!(
            p.on_event(&resort(), t + Duration::from_millis(100)),
            Decision::Apply { catch_up: None }
        );
    }
}
