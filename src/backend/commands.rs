//! The commands the window, the tray and the dialogs give: each asks
//! connmand, keeps the models' "working on it" marks, and ends in one
//! [`Outcome`] that they only show. Call them on the main context.

use futures_lite::future::{BoxedLocal, FutureExt};

use super::outcome::{self, Outcome};
use super::Backend;
use crate::connman::state::Event;
use crate::connman::types::ServiceSetting;
use crate::connman::ConnmanError;
use crate::i18n::gettext;
use crate::model::moves::MoveKind;
use crate::text;

impl Backend {
    /// The name of service `path` as people see it ("Hidden network" for
    /// one without a name).
    pub fn service_name(&self, path: &str) -> String {
        let Some(client) = self.client() else {
            return String::new();
        };
        let state = client.state();
        state.service(path).map(text::name_of).unwrap_or_default()
    }

    /// The name of technology `path` ("Wi-Fi").
    fn technology_name(&self, path: &str) -> String {
        self.models()
            .technologies
            .get(path)
            .map(|t| text::technology_name(&t.technology_type(), &t.name()))
            .unwrap_or_default()
    }

    /// Connects `path` (a network, or a VPN's service). The service's row
    /// shows it as busy at once (before the returned future first runs);
    /// the future ends when it is connected or failed. A second connect of
    /// the same service while one is under way is quiet.
    pub fn connect(&self, path: &str) -> BoxedLocal<Outcome> {
        let Some(client) = self.client() else {
            return quiet();
        };
        {
            let mut attempts = self.inner.attempts.borrow_mut();
            if !attempts.in_flight.insert(path.to_owned()) {
                return quiet();
            }
            attempts.canceled.remove(path);
            attempts.reported.remove(path);
            attempts.untrusted.remove(path);
            attempts.answered.remove(path);
            attempts.told.remove(path);
        }
        let service = self.models().services.get(path);
        if let Some(s) = &service {
            s.set_pending(true);
        }
        let (this, path) = (self.clone(), path.to_owned());
        let owner = client.connman_owner();
        // connmand 1.41 answers a VPN's Connect only after its 120 s timeout
        // when connman-vpnd failed to start it, though the service shows
        // the failure at once: so the failure ends the wait
        let failures = service
            .as_ref()
            .is_some_and(|s| s.service_type() == crate::connman::ServiceType::Vpn)
            .then(|| client.events());
        async move {
            let call = client.connect_service(&path);
            let result = match failures {
                Some(events) => {
                    let failed = async {
                        let failure = crate::connman::types::ServiceState::Failure;
                        while let Ok(event) = events.recv().await {
                            let failed = match &event {
                                Event::ServiceChanged { path: p, props, .. } => {
                                    *p == path && props.state == failure
                                }
                                Event::ServicesChanged { services, .. } => services
                                    .iter()
                                    .any(|(p, props)| *p == path && props.state == failure),
                                _ => false,
                            };
                            if failed {
                                return Err(ConnmanError::OperationAborted);
                            }
                        }
                        std::future::pending().await
                    };
                    futures_lite::future::or(call, failed).await
                }
                None => call.await,
            };
            let outcome = match result {
                Ok(()) => Outcome::Done,
                Err(e) => {
                    // what connmand said before it failed the call (the
                    // service's Error, or its going away) is in the state
                    // after this
                    client.sync().await;
                    let restarted = client.connman_owner() != owner;
                    let (canceled, reported, untrusted, answered) = {
                        let mut attempts = this.inner.attempts.borrow_mut();
                        (
                            attempts.canceled.remove(&path),
                            attempts.reported.remove(&path),
                            attempts.untrusted.remove(&path),
                            attempts.answered.remove(&path),
                        )
                    };
                    let state = client.state();
                    let service = state.service(&path);
                    let name = service.map(text::name_of).unwrap_or_default();
                    let outcome = if restarted {
                        outcome::daemon_went_away(&gettext("Could not connect"), &name, &e)
                    } else if let Some(why) = untrusted {
                        outcome::untrusted_certificate(why, &name, &e)
                    } else if answered && !canceled && outcome::vpn_failed(service) {
                        outcome::vpn_login_failed(&name, &e)
                    } else {
                        outcome::of_connect(&e, service, &name, canceled, reported)
                    };
                    tracing::debug!("connecting {path}: {e}: {outcome:?}");
                    outcome
                }
            };
            if let Some(s) = &service {
                s.set_pending(false);
            }
            let mut attempts = this.inner.attempts.borrow_mut();
            attempts.in_flight.remove(&path);
            if matches!(outcome, Outcome::Explained | Outcome::Quiet) {
                attempts.told.insert(path);
            }
            outcome
        }
        .boxed_local()
    }

    /// Disconnects `path`, or cancels its connecting (then the failing
    /// `Connect` is the person's cancel, not a failure).
    pub async fn disconnect(&self, path: &str) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        if self
            .models()
            .services
            .get(path)
            .is_some_and(|s| s.is_busy())
        {
            self.note_canceled(path);
        }
        let name = self.service_name(path);
        let result = client.disconnect_service(path).await;
        outcome::of_call(result, &gettext("Could not disconnect"), Some(&name))
    }

    /// Forgets the saved network `path` (`Service.Remove`).
    pub async fn forget(&self, path: &str) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let name = self.service_name(path);
        let result = client.remove_service(path).await;
        outcome::of_call(result, &gettext("Could not forget it"), Some(&name))
    }

    /// Sends the settings of service `path`, one `SetProperty` each and in
    /// order, so that one connmand refuses keeps none of the others from
    /// landing; says how each ended (in the order given).
    pub async fn apply_settings(&self, path: &str, settings: &[ServiceSetting]) -> Vec<Outcome> {
        let what = gettext("Could not change the settings");
        let Some(client) = self.client() else {
            let gone = outcome::daemon_went_away(&what, "", &ConnmanError::ServiceUnknown);
            return settings.iter().map(|_| gone.clone()).collect();
        };
        let name = self.service_name(path);
        let owner = client.connman_owner();
        let mut outcomes = Vec::with_capacity(settings.len());
        for setting in settings {
            let result = client.set_service(path, setting).await;
            let outcome = match result {
                Err(e) if client.connman_owner() != owner => {
                    outcome::daemon_went_away(&what, &name, &e)
                }
                // nothing a setting can fail with is routine: say each
                Err(e) => Outcome::Failed(outcome::Failure::new(&what, Some(&name), &e)),
                Ok(()) => Outcome::Done,
            };
            tracing::debug!("{path}: {}: {outcome:?}", setting.property_name());
            outcomes.push(outcome);
        }
        // what connmand said of the changes is in the state after this
        client.sync().await;
        outcomes
    }

    /// Forgets the saved network `path` and connects it again, so that
    /// connmand asks for its passphrase anew (it has no property to
    /// change a saved passphrase).
    pub async fn forget_and_connect(&self, path: &str) -> Outcome {
        match self.forget(path).await {
            Outcome::Done => self.connect(path).await,
            other => other,
        }
    }

    /// Switches the technology `path` on or off. When connmand refuses, the
    /// technology's switch goes back to what connmand says.
    pub async fn set_powered(&self, path: &str, on: bool) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let name = self.technology_name(path);
        let what = if on {
            gettext("Could not switch it on")
        } else {
            gettext("Could not switch it off")
        };
        let outcome = outcome::of_call(client.set_powered(path, on).await, &what, Some(&name));
        if outcome != Outcome::Done {
            if let Some(t) = self.models().technologies.get(path) {
                t.notify_powered();
            }
        }
        outcome
    }

    /// Airplane mode on or off.
    pub async fn set_offline(&self, on: bool) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let result = client.set_offline_mode(on).await;
        let outcome = outcome::of_call(result, &gettext("Could not change airplane mode"), None);
        if outcome != Outcome::Done {
            self.models().manager.notify_offline_mode();
        }
        outcome
    }

    /// Scans for networks with technology `path`; its row shows the scan at
    /// once (before the returned future first runs). A scan while one is
    /// under way is quiet.
    pub fn scan(&self, path: &str) -> BoxedLocal<Outcome> {
        let (Some(client), Some(tech)) = (self.client(), self.models().technologies.get(path))
        else {
            return quiet();
        };
        if tech.scanning() {
            return quiet();
        }
        tech.set_scanning(true);
        let path = path.to_owned();
        async move {
            let result = client.scan(&path).await;
            tech.set_scanning(false);
            outcome::of_call(result, &gettext("Could not scan for networks"), None)
        }
        .boxed_local()
    }

    /// Moves `moving` next to `target` as the move rules decided
    /// ([`crate::model::moves`]); the list then shows connmand's order, at
    /// once rather than at the strength storm's pace.
    pub async fn move_service(&self, moving: &str, target: &str, kind: MoveKind) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let name = self.service_name(moving);
        self.hurry();
        let result = match kind {
            MoveKind::Before => client.move_before(moving, target).await,
            MoveKind::After => client.move_after(moving, target).await,
            MoveKind::VpnBelowUplink => client.vpn_below_uplink(moving, target).await,
        };
        // the VPN recipe takes several steps: again when it is done
        self.hurry();
        outcome::of_call(result, &gettext("Could not move it"), Some(&name))
    }

    /// Follows the attempts of connmand's own: a service that connects again
    /// after a failure a dialog told has a new failure to tell.
    pub(super) fn follow_attempts(&self, event: &Event) {
        // a service that went takes what was told of it along (among
        // hundreds of networks in a day, many go)
        if let Event::ServicesChanged { removed, .. } = event {
            if !removed.is_empty() {
                let mut attempts = self.inner.attempts.borrow_mut();
                for path in removed {
                    if !attempts.in_flight.contains(path) {
                        attempts.told.remove(path);
                        attempts.canceled.remove(path);
                        attempts.reported.remove(path);
                    }
                }
            }
            return;
        }
        let Event::ServiceChanged {
            path,
            property,
            props,
        } = event
        else {
            return;
        };
        if property != "State" || !props.state.is_connecting() {
            return;
        }
        let mut attempts = self.inner.attempts.borrow_mut();
        if !attempts.in_flight.contains(path) {
            attempts.told.remove(path);
        }
    }
}

/// A command that had nothing to do.
fn quiet() -> BoxedLocal<Outcome> {
    std::future::ready(Outcome::Quiet).boxed_local()
}
