//! Sharing the connection (tethering), the clock and the traffic counters:
//! commands that end in one [`Outcome`], with connmand's refusals said as
//! sentences about what to do.

use super::outcome::{Failure, Outcome};
use super::Backend;
use crate::connman::types::{ClockSetting, TechnologySetting, TechnologyType};
use crate::connman::ConnmanError;
use crate::i18n::{gettext, gettext_f};

/// Why connmand refused to start sharing over `tech` (its name as shown,
/// e.g. "Wi-Fi"), as a sentence; `None` for errors with nothing special
/// to say.
pub fn tethering_sentence(
    error: &ConnmanError,
    type_: &TechnologyType,
    tech: &str,
) -> Option<String> {
    let wifi = *type_ == TechnologyType::Wifi;
    Some(match error {
        // not in TetheringTechnologies, no bridge support in the kernel, or
        // (Wi-Fi) no device that can be an access point
        ConnmanError::NotSupported if wifi => gettext(
            "ConnMan does not share over Wi-Fi here: either TetheringTechnologies in \
             /etc/connman/main.conf does not list wifi, or the Wi-Fi device cannot act as \
             an access point.",
        ),
        ConnmanError::NotSupported => gettext_f(
            "ConnMan does not share over {} here: TetheringTechnologies in \
             /etc/connman/main.conf does not allow it, or the system cannot build a network \
             bridge.",
            &[tech],
        ),
        ConnmanError::PermissionDenied(_) => gettext_f(
            "{} is switched off. Switch it on first: ConnMan shares only over a technology \
             that is on.",
            &[tech],
        ),
        ConnmanError::PassphraseRequired => gettext(
            "The hotspot password is missing or not valid: it must be 8 to 63 characters \
             long, or 64 hexadecimal digits.",
        ),
        ConnmanError::InvalidArguments if wifi => gettext(
            "The hotspot needs a name (1 to 32 bytes) and a password (8 to 63 characters) \
             before it can start.",
        ),
        _ => return None,
    })
}

/// What to say when connmand took Wi-Fi sharing on and the access point
/// then failed to start (it answers before the access point is up, and
/// says so later only by `Tethering` going back to false).
pub fn tethering_stopped_sentence() -> String {
    gettext(
        "The hotspot stopped right after it started: the Wi-Fi device could not become an \
         access point (wpa_supplicant refused, or the radio does not allow it).",
    )
}

impl Backend {
    /// Switches sharing over technology `path` on or off.
    pub async fn set_tethering(&self, path: &str, on: bool) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let (name, type_) = self
            .models()
            .technologies
            .get(path)
            .map(|t| {
                let type_ = t.technology_type();
                (crate::text::technology_name(&type_, &t.name()), type_)
            })
            .unwrap_or_else(|| (String::new(), TechnologyType::Unknown(String::new())));
        let what = if on {
            gettext("Could not share the connection")
        } else {
            gettext("Could not stop sharing")
        };
        let result = client
            .set_technology(path, &TechnologySetting::Tethering(on))
            .await;
        let outcome = match result {
            Ok(()) => Outcome::Done,
            Err(e) if e.is_routine() => Outcome::Quiet,
            Err(e) => {
                let why =
                    tethering_sentence(&e, &type_, &name).unwrap_or_else(|| gettext(&e.sentence()));
                Outcome::Failed(Failure {
                    title: what,
                    subject: Some(name),
                    why,
                    technical: e.to_string(),
                })
            }
        };
        if outcome != Outcome::Done {
            if let Some(t) = self.models().technologies.get(path) {
                t.notify_tethering();
            }
        }
        outcome
    }

    /// Sends the hotspot settings of technology `path` (name, password,
    /// frequency), one `SetProperty` each, in order; says how each ended.
    /// connmand uses them the next time sharing starts.
    pub async fn set_hotspot(&self, path: &str, settings: &[TechnologySetting]) -> Vec<Outcome> {
        let what = gettext("Could not change the hotspot");
        let Some(client) = self.client() else {
            return settings.iter().map(|_| Outcome::Quiet).collect();
        };
        let mut outcomes = Vec::with_capacity(settings.len());
        for setting in settings {
            let outcome = match client.set_technology(path, setting).await {
                Ok(()) => Outcome::Done,
                Err(e) => {
                    let why = match (&e, setting) {
                        (ConnmanError::PassphraseRequired, _) => {
                            tethering_sentence(&e, &TechnologyType::Wifi, "").unwrap_or_default()
                        }
                        (
                            ConnmanError::InvalidArguments,
                            TechnologySetting::TetheringIdentifier(_),
                        ) => gettext("The hotspot name must be 1 to 32 bytes long."),
                        _ => gettext(&e.sentence()),
                    };
                    Outcome::Failed(Failure {
                        title: what.clone(),
                        subject: None,
                        why,
                        technical: e.to_string(),
                    })
                }
            };
            tracing::debug!("{path}: {}: {outcome:?}", setting.property_name());
            outcomes.push(outcome);
        }
        client.sync().await;
        outcomes
    }

    /// Sets one property of connmand's clock.
    pub async fn set_clock(&self, setting: &ClockSetting) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let what = gettext("Could not change the date and time settings");
        match client.set_clock(setting).await {
            Ok(()) => Outcome::Done,
            Err(e) => {
                let why = match (&e, setting) {
                    (ConnmanError::PermissionDenied(_), ClockSetting::Time(_)) => gettext(
                        "The time is set automatically. Switch automatic time off first.",
                    ),
                    (ConnmanError::PermissionDenied(_), ClockSetting::Timezone(_)) => gettext(
                        "The time zone is set automatically. Switch automatic time zone off first.",
                    ),
                    (ConnmanError::InvalidArguments, ClockSetting::Timezone(tz)) => gettext_f(
                        "ConnMan could not set the time zone “{}”: it is unknown, or /etc/localtime \
                         cannot be written.",
                        &[tz],
                    ),
                    _ => gettext(&e.sentence()),
                };
                Outcome::Failed(Failure {
                    title: what,
                    subject: None,
                    why,
                    technical: e.to_string(),
                })
            }
        }
    }

    /// Zeroes the traffic counters of service `path`.
    pub async fn reset_counters(&self, path: &str) -> Outcome {
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let name = self.service_name(path);
        let result = client.reset_counters(path).await;
        super::outcome::of_call(
            result,
            &gettext("Could not reset the counters"),
            Some(&name),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tethering_refusals_say_what_to_do() {
        let wifi = TechnologyType::Wifi;
        let eth = TechnologyType::Ethernet;
        let s = tethering_sentence(&ConnmanError::NotSupported, &wifi, "Wi-Fi").unwrap();
        assert!(s.contains("TetheringTechnologies") && s.contains("access point"));
        let s = tethering_sentence(&ConnmanError::NotSupported, &eth, "Wired").unwrap();
        assert!(s.contains("Wired") && s.contains("main.conf"));
        let s = tethering_sentence(&ConnmanError::PermissionDenied(None), &eth, "Wired").unwrap();
        assert!(s.starts_with("Wired is switched off"));
        assert!(
            tethering_sentence(&ConnmanError::PassphraseRequired, &wifi, "Wi-Fi")
                .unwrap()
                .contains("8 to 63")
        );
        assert!(
            tethering_sentence(&ConnmanError::InvalidArguments, &wifi, "Wi-Fi")
                .unwrap()
                .contains("name")
        );
        assert_eq!(
            tethering_sentence(&ConnmanError::InvalidArguments, &eth, "Wired"),
            None
        );
    }
}
