//! Desktop notifications: what changed that a person wants to hear about,
//! decided from two snapshots of the state ([`notices`], pure), and sent to
//! the desktop's notification service ([`Notifier`], `org.freedesktop.
//! Notifications` on the session bus). GTK-free.
//!
//! One notification replaces the previous one (Connie keeps the id the
//! server gave), nothing is said at start-up or when connmand comes back, and
//! each [`Category`] can be turned off in the preferences.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use zbus::zvariant::Value;

use crate::connman::state::State;
use crate::connman::types::ServiceType;
use crate::i18n::{gettext, gettext_f};

/// The kinds of notification, each with its own switch in the preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Connected to, or disconnected from, a network.
    Connection,
    /// A VPN came up or went down.
    Vpn,
    /// A connection attempt failed.
    Failure,
    /// Airplane mode turned on or off.
    Offline,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Connection,
        Category::Vpn,
        Category::Failure,
        Category::Offline,
    ];

    /// The key in the preferences file.
    pub fn key(self) -> &'static str {
        match self {
            Category::Connection => "notify-connection",
            Category::Vpn => "notify-vpn",
            Category::Failure => "notify-failure",
            Category::Offline => "notify-offline",
        }
    }

    /// The freedesktop notification category (a hint servers may use).
    pub fn hint(self) -> &'static str {
        match self {
            Category::Connection => "network.connected",
            Category::Vpn => "network",
            Category::Failure => "network.error",
            Category::Offline => "network",
        }
    }

    /// What the preference's switch says.
    pub fn title(self) -> String {
        match self {
            Category::Connection => gettext("Connected and disconnected"),
            Category::Vpn => gettext("VPN up and down"),
            Category::Failure => gettext("Connection failures"),
            Category::Offline => gettext("Airplane mode"),
        }
    }

    /// Higher says more: it is what the notification is titled after.
    fn weight(self) -> u8 {
        match self {
            Category::Failure => 3,
            Category::Vpn => 2,
            // the person's own switch says more than its consequences
            Category::Offline => 2,
            Category::Connection => 1,
        }
    }
}

/// One thing to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub category: Category,
    pub summary: String,
    pub body: String,
    /// The service it is about, when one.
    pub about: Option<String>,
}

/// What notifications are decided on: the parts of the state a person is
/// told about. Strength and addresses are not in it, so a storm of strength
/// changes compares equal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    running: bool,
    offline: bool,
    /// (path, name) of the service with the default route.
    uplink: Option<(String, String)>,
    /// Connected VPNs: path → name.
    vpns: BTreeMap<String, String>,
    /// Services in failure: path → (name, the error as a sentence).
    failures: BTreeMap<String, (String, String)>,
}

impl Snapshot {
    pub fn of(state: &State) -> Snapshot {
        let name = crate::text::name_of;
        let mut snap = Snapshot {
            running: state.connman_running,
            offline: state.manager.offline_mode,
            ..Snapshot::default()
        };
        for (path, s) in state.services_in_order() {
            if s.type_ == ServiceType::Vpn {
                if s.state.is_connected() {
                    snap.vpns.insert(path.to_owned(), name(s));
                }
            } else if s.state.is_connected() && snap.uplink.is_none() {
                snap.uplink = Some((path.to_owned(), name(s)));
            }
            if s.state.is_failure() {
                let why = s
                    .error
                    .as_ref()
                    .map(|e| e.sentence())
                    .unwrap_or_else(|| gettext("The connection failed."));
                snap.failures.insert(path.to_owned(), (name(s), why));
            }
        }
        snap
    }
}

/// What to tell about the change from `before` to `after`, most important
/// first. Nothing while connmand is (or was) not running: its appearing is
/// start-up, not news.
pub fn notices(before: &Snapshot, after: &Snapshot) -> Vec<Notice> {
    let mut out = Vec::new();
    if !before.running || !after.running {
        return out;
    }
    if before.offline != after.offline {
        out.push(Notice {
            about: None,
            category: Category::Offline,
            summary: if after.offline {
                gettext("Airplane mode on")
            } else {
                gettext("Airplane mode off")
            },
            body: if after.offline {
                gettext("All radios and connections are off.")
            } else {
                String::new()
            },
        });
    }
    for (path, (name, why)) in &after.failures {
        if !before.failures.contains_key(path) {
            out.push(Notice {
                category: Category::Failure,
                summary: gettext_f("Could not connect to {}", &[name]),
                body: why.clone(),
                about: Some(path.clone()),
            });
        }
    }
    for (path, name) in &before.vpns {
        if !after.vpns.contains_key(path) {
            let uplink_lost = before.uplink.is_some() && before.uplink != after.uplink;
            out.push(Notice {
                about: None,
                category: Category::Vpn,
                summary: gettext_f("VPN {} disconnected", &[name]),
                body: if uplink_lost {
                    gettext("The network it ran over went away.")
                } else {
                    String::new()
                },
            });
        }
    }
    for (path, name) in &after.vpns {
        if !before.vpns.contains_key(path) {
            out.push(Notice {
                about: None,
                category: Category::Vpn,
                summary: gettext_f("VPN {} connected", &[name]),
                body: String::new(),
            });
        }
    }
    if before.uplink != after.uplink && !after.offline {
        match (&before.uplink, &after.uplink) {
            (_, Some((_, name))) => out.push(Notice {
                about: None,
                category: Category::Connection,
                summary: gettext_f("Connected to {}", &[name]),
                body: String::new(),
            }),
            (Some((_, name)), None) => out.push(Notice {
                about: None,
                category: Category::Connection,
                summary: gettext_f("Disconnected from {}", &[name]),
                body: gettext("No network connection."),
            }),
            (None, None) => {}
        }
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.category.weight()));
    out
}

/// Several notices at once become one notification, titled after the most
/// important; the others are lines of its body.
pub fn merge(notices: &[Notice]) -> Option<Notice> {
    let (first, rest) = notices.split_first()?;
    let mut lines = Vec::new();
    if !first.body.is_empty() {
        lines.push(first.body.clone());
    }
    lines.extend(rest.iter().map(|n| n.summary.clone()));
    Some(Notice {
        about: first.about.clone(),
        category: first.category,
        summary: first.summary.clone(),
        body: lines.join("\n"),
    })
}

/// Sends notifications to `org.freedesktop.Notifications` on the session
/// bus, each replacing the previous. The bus is reached on first use; with
/// no session bus or no server, notifications are dropped (once said on
/// stderr), never an error for the person.
#[derive(Clone, Default)]
pub struct Notifier {
    inner: Arc<Mutex<NotifierInner>>,
}

#[derive(Default)]
struct NotifierInner {
    conn: Option<zbus::Connection>,
    last_id: u32,
    warned: bool,
}

impl Notifier {
    pub fn new() -> Notifier {
        Notifier::default()
    }

    /// Shows `notice`, replacing the previous notification.
    pub async fn show(&self, notice: &Notice) {
        let (conn, replaces) = {
            let inner = self.inner.lock().unwrap();
            (inner.conn.clone(), inner.last_id)
        };
        let conn = match conn {
            Some(c) => c,
            None => match zbus::Connection::session().await {
                Ok(c) => {
                    self.inner.lock().unwrap().conn = Some(c.clone());
                    c
                }
                Err(e) => return self.warn(&e),
            },
        };
        let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
        hints.insert("category", Value::from(notice.category.hint()));
        hints.insert("desktop-entry", Value::from(crate::config::APP_ID));
        // the application's icon says who speaks; the image, what happened
        let image = match notice.category {
            Category::Failure => "network-error-symbolic",
            Category::Offline => "airplane-mode-symbolic",
            Category::Vpn => "network-vpn-symbolic",
            Category::Connection => "network-transmit-receive-symbolic",
        };
        hints.insert("image-path", Value::from(image));
        let reply = conn
            .call_method(
                Some("org.freedesktop.Notifications"),
                "/org/freedesktop/Notifications",
                Some("org.freedesktop.Notifications"),
                "Notify",
                &(
                    gettext("Connie"),
                    replaces,
                    crate::config::APP_ID,
                    notice.summary.as_str(),
                    // servers may read the body as markup; names are data
                    crate::tray::look::escape_markup(&notice.body),
                    Vec::<&str>::new(),
                    hints,
                    -1i32,
                ),
            )
            .await;
        match reply.and_then(|m| m.body().deserialize::<u32>()) {
            Ok(id) => self.inner.lock().unwrap().last_id = id,
            Err(e) => self.warn(&e),
        }
    }

    fn warn(&self, e: &zbus::Error) {
        let mut inner = self.inner.lock().unwrap();
        if !inner.warned {
            inner.warned = true;
            tracing::warn!("cannot show notifications: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(uplink: Option<&str>, vpns: &[&str], failures: &[&str], offline: bool) -> Snapshot {
        Snapshot {
            running: true,
            offline,
            uplink: uplink.map(|n| (format!("/s/{n}"), n.to_owned())),
            vpns: vpns
                .iter()
                .map(|n| (format!("/v/{n}"), n.to_string()))
                .collect(),
            failures: failures
                .iter()
                .map(|n| (format!("/s/{n}"), (n.to_string(), "why".to_owned())))
                .collect(),
        }
    }

    fn summaries(n: &[Notice]) -> Vec<&str> {
        n.iter().map(|n| n.summary.as_str()).collect()
    }

    #[test]
    fn nothing_at_start_up_or_when_connmand_returns() {
        let before = Snapshot::default();
        let after = snap(Some("Home"), &["Work"], &["Cafe"], false);
        assert!(notices(&before, &after).is_empty());
        let down = Snapshot::default();
        assert!(notices(&after, &down).is_empty());
        assert!(notices(&after, &after).is_empty());
    }

    #[test]
    fn connects_disconnects_and_switches() {
        let none = snap(None, &[], &[], false);
        let home = snap(Some("Home"), &[], &[], false);
        let cafe = snap(Some("Café <b>"), &[], &[], false);
        assert_eq!(summaries(&notices(&none, &home)), ["Connected to Home"]);
        assert_eq!(summaries(&notices(&home, &cafe)), ["Connected to Café <b>"]);
        let n = notices(&cafe, &none);
        assert_eq!(summaries(&n), ["Disconnected from Café <b>"]);
        assert_eq!(n[0].category, Category::Connection);
    }

    #[test]
    fn a_vpn_dropping_with_its_uplink_says_so_first() {
        let up = snap(Some("Home"), &["Work"], &[], false);
        let down = snap(None, &[], &[], false);
        let n = notices(&up, &down);
        assert_eq!(
            summaries(&n),
            ["VPN Work disconnected", "Disconnected from Home"]
        );
        assert!(n[0].body.contains("went away"));
        let merged = merge(&n).unwrap();
        assert_eq!(merged.category, Category::Vpn);
        assert!(merged.body.contains("Disconnected from Home"), "{merged:?}");
        let vpn_only = snap(Some("Home"), &[], &[], false);
        let n = notices(&up, &vpn_only);
        assert_eq!(summaries(&n), ["VPN Work disconnected"]);
        assert!(n[0].body.is_empty());
        assert_eq!(summaries(&notices(&vpn_only, &up)), ["VPN Work connected"]);
    }

    #[test]
    fn failures_once_and_airplane_mode() {
        let none = snap(None, &[], &[], false);
        let failed = snap(None, &[], &["Cafe"], false);
        let n = notices(&none, &failed);
        assert_eq!(summaries(&n), ["Could not connect to Cafe"]);
        assert_eq!(n[0].body, "why");
        assert!(notices(&failed, &failed).is_empty());
        let home = snap(Some("Home"), &[], &[], false);
        let offline = snap(None, &[], &[], true);
        // the disconnection is airplane mode's doing: one notice
        assert_eq!(summaries(&notices(&home, &offline)), ["Airplane mode on"]);
        assert_eq!(summaries(&notices(&offline, &none)), ["Airplane mode off"]);
    }

    #[test]
    fn merging_nothing_is_nothing() {
        assert!(merge(&[]).is_none());
    }
}
