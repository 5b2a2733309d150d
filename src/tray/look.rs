//! What the tray icon shows for a ConnMan state: the icon, its tooltip and
//! its menu, as plain data. Pure (no GTK, no D-Bus), so every case is tested
//! without a tray host; the StatusNotifierItem only maps this onto ksni.

use crate::connman::state::State;
use crate::connman::strength_level;
use crate::connman::types::{ServiceProps, ServiceType};
use crate::i18n::{gettext, gettext_f};
use crate::text::{name_of, service_icon, state_word, type_name};

/// The icon and tooltip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    /// A freedesktop icon name (Connie ships fallbacks under the same names).
    pub icon: &'static str,
    /// Drawn over `icon` while a VPN is up, so the uplink's state stays visible.
    pub overlay: Option<&'static str>,
    pub title: String,
    /// Plain text, with `<`, `>` and `&` escaped: hosts may render it as markup.
    pub tooltip: String,
    /// Something went wrong (a service in failure): hosts may highlight the icon.
    pub needs_attention: bool,
}

/// Escapes text for hosts that render tooltips (or notifications) as markup.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a dbusmenu label, where `_` marks a mnemonic.
pub fn escape_mnemonic(text: &str) -> String {
    text.replace('_', "__")
}

/// The service that carries the default route: the first connected one in
/// connmand's order that is not a VPN.
fn uplink(state: &State) -> Option<(&str, &ServiceProps)> {
    state
        .services_in_order()
        .find(|(_, s)| s.type_ != ServiceType::Vpn && s.state.is_connected())
}

fn connected_vpn(state: &State) -> Option<(&str, &ServiceProps)> {
    state
        .services_in_order()
        .find(|(_, s)| s.type_ == ServiceType::Vpn && s.state.is_connected())
}

/// The icon and tooltip for `state`.
pub fn look(state: &State) -> Look {
    let title = gettext("Connie");
    let failed = state
        .services_in_order()
        .any(|(_, s)| s.current_error().is_some());
    let vpn = connected_vpn(state);
    let overlay = vpn.map(|_| "network-vpn-symbolic");
    if state.connman_refused.is_some() {
        return Look {
            icon: "network-error-symbolic",
            overlay: None,
            title,
            tooltip: gettext("Not allowed to use ConnMan"),
            needs_attention: true,
        };
    }
    if !state.connman_running {
        return Look {
            icon: "network-error-symbolic",
            overlay: None,
            title,
            tooltip: gettext("ConnMan is not running"),
            needs_attention: false,
        };
    }
    if state.manager.offline_mode {
        return Look {
            icon: "airplane-mode-symbolic",
            overlay: None,
            title,
            tooltip: gettext("Airplane mode"),
            needs_attention: false,
        };
    }
    let mut lines = Vec::new();
    let icon = if let Some((_, s)) = uplink(state) {
        let name = escape_markup(&name_of(s));
        let line = match s.strength {
            Some(strength) if s.type_ == ServiceType::Wifi => {
                gettext_f("Connected to {} ({} %)", &[&name, &strength.to_string()])
            }
            _ => {
                let kind = type_name(&s.type_);
                // connmand names every wired service "Wired"
                if kind.is_empty() || kind == name {
                    gettext_f("Connected to {}", &[&name])
                } else {
                    gettext_f("Connected to {} ({})", &[&name, &kind])
                }
            }
        };
        lines.push(line);
        if let Some(addr) = s.ipv4.address.as_deref() {
            lines.push(gettext_f("Address {}", &[&escape_markup(addr)]));
        }
        let level = s.strength.map_or(-1, |v| i32::from(strength_level(v)));
        service_icon(&s.type_, level)
    } else if let Some((_, s)) = state
        .services_in_order()
        .find(|(_, s)| s.state.is_connecting())
    {
        lines.push(gettext_f(
            "Connecting to {}…",
            &[&escape_markup(&name_of(s))],
        ));
        if s.type_ == ServiceType::Wifi {
            "network-wireless-acquiring-symbolic"
        } else {
            "network-wired-acquiring-symbolic"
        }
    } else {
        lines.push(gettext("Not connected"));
        "network-offline-symbolic"
    };
    // the other connected services, after the one in use (wired ones
    // with their interface: connmand names them all "Wired")
    let in_use = uplink(state).map(|(p, _)| p);
    let others: Vec<String> = state
        .services_in_order()
        .filter(|(p, s)| {
            s.type_ != ServiceType::Vpn && s.state.is_connected() && Some(*p) != in_use
        })
        .map(|(_, s)| {
            let name = escape_markup(&name_of(s));
            match s.ethernet.interface.as_deref() {
                Some(i) if s.type_ == ServiceType::Ethernet => {
                    format!("{name} ({})", escape_markup(i))
                }
                _ => name,
            }
        })
        .collect();
    if !others.is_empty() {
        lines.push(gettext_f("Also connected: {}", &[&others.join(", ")]));
    }
    if let Some((_, v)) = vpn {
        lines.push(gettext_f("VPN: {}", &[&escape_markup(&name_of(v))]));
    }
    Look {
        icon: if failed && uplink(state).is_none() {
            "network-error-symbolic"
        } else {
            icon
        },
        overlay,
        title,
        tooltip: lines.join("\n"),
        needs_attention: failed,
    }
}

/// What a menu entry does when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Connect(String),
    Disconnect(String),
    ConnectHidden(String),
    SetPowered(String, bool),
    SetOffline(bool),
    Rescan(String),
    OpenWindow,
    /// The icon was clicked: show the window, or hide it if shown.
    ToggleWindow,
    Quit,
    /// A tray host (StatusNotifierWatcher) is there, now or again.
    HostAppeared,
    /// There is no tray host (any more).
    HostGone,
}

/// One menu entry (labels already escaped for dbusmenu).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Item {
        label: String,
        icon: &'static str,
        /// `Some(true)` draws a check mark (the connected network).
        checked: Option<bool>,
        command: Option<Command>,
    },
    Header(String),
    Separator,
}

/// How a network is secured, in a word (`None` when open).
fn security_word(security: &[crate::connman::types::Security]) -> Option<String> {
    use crate::connman::types::Security;
    let word = if security.contains(&Security::Ieee8021x) {
        // Translators: enterprise wifi security
        gettext("802.1X")
    } else if security.contains(&Security::Psk) {
        gettext("WPA")
    } else if security.contains(&Security::Wep) {
        gettext("WEP")
    } else {
        return None;
    };
    Some(word)
}

fn service_entry(path: &str, s: &ServiceProps) -> Entry {
    let level = s.strength.map_or(-1, |v| i32::from(strength_level(v)));
    let mut label = name_of(s);
    // connmand names every wired service "Wired": the interface tells them
    // apart, as in the tooltip
    if let (ServiceType::Ethernet, Some(interface)) = (&s.type_, s.ethernet.interface.as_deref()) {
        label = format!("{label} ({interface})");
    }
    // the security as a word: a lock glyph needs an emoji font the host may
    // not have
    if let Some(word) = security_word(&s.security) {
        label = format!("{label} · {word}");
    }
    if !s.state.is_connected() && !matches!(s.state, crate::connman::ServiceState::Idle) {
        label = format!("{label} ({})", state_word(&s.state));
    }
    let command = if s.is_hidden() {
        Command::ConnectHidden(path.to_owned())
    } else if s.state.is_connected() || s.state.is_connecting() {
        Command::Disconnect(path.to_owned())
    } else {
        Command::Connect(path.to_owned())
    };
    Entry::Item {
        label: escape_mnemonic(&label),
        icon: service_icon(&s.type_, level),
        checked: Some(s.state.is_connected()),
        command: Some(command),
    }
}

/// How many wifi networks the tray menu lists (connmand's first ones, and
/// any connected or connecting one after them); the others are in the
/// window, behind "More Networks…". A menu of hundreds (a campus, a
/// conference hall) is of no use to anyone, and each entry costs memory in
/// the menu's D-Bus layout and in the host.
pub const MENU_NETWORKS: usize = 12;

/// The menu for `state`: wifi networks in connmand's order (at most
/// [`MENU_NETWORKS`] of them, then "More Networks…"), VPNs, wired services,
/// then hidden networks, technology switches, airplane mode, rescan, open
/// and quit.
pub fn menu(state: &State) -> Vec<Entry> {
    let mut entries = Vec::new();
    let section = |title: String, kind: ServiceType, limit: usize, entries: &mut Vec<Entry>| {
        let mut items = Vec::new();
        let mut left_out = 0usize;
        for (p, s) in state
            .services_in_order()
            .filter(|(_, s)| s.type_ == kind && !s.is_hidden())
        {
            // the connected (or connecting) network always shows, wherever
            // connmand ranks it
            if items.len() < limit || s.state.is_connected() || s.state.is_connecting() {
                items.push(service_entry(p, s));
            } else {
                left_out += 1;
            }
        }
        if !items.is_empty() {
            entries.push(Entry::Header(escape_mnemonic(&title)));
            entries.extend(items);
            if left_out > 0 {
                entries.push(Entry::Item {
                    label: gettext("More Networks…"),
                    icon: "",
                    checked: None,
                    command: Some(Command::OpenWindow),
                });
            }
            entries.push(Entry::Separator);
        }
    };
    section(
        gettext("Wi-Fi Networks"),
        ServiceType::Wifi,
        MENU_NETWORKS,
        &mut entries,
    );
    section(gettext("VPN"), ServiceType::Vpn, usize::MAX, &mut entries);
    section(
        gettext("Wired"),
        ServiceType::Ethernet,
        usize::MAX,
        &mut entries,
    );
    if let Some((path, _)) = state
        .services_in_order()
        .find(|(_, s)| s.is_hidden() && s.type_ == ServiceType::Wifi)
    {
        entries.push(Entry::Item {
            label: gettext("Connect to Hidden Network…"),
            icon: "network-wireless-hidden-symbolic",
            checked: None,
            command: Some(Command::ConnectHidden(path.to_owned())),
        });
    }
    if !state.technologies.is_empty() {
        if !matches!(entries.last(), None | Some(Entry::Separator)) {
            entries.push(Entry::Separator);
        }
        entries.push(Entry::Header(gettext("Devices")));
    }
    for (path, t) in &state.technologies {
        let name = crate::text::technology_name(&t.type_, t.name.as_deref().unwrap_or(""));
        entries.push(Entry::Item {
            label: escape_mnemonic(&name),
            icon: crate::text::technology_icon(&t.type_),
            checked: Some(t.powered),
            command: Some(Command::SetPowered(path.clone(), !t.powered)),
        });
        if t.type_ == ServiceType::Wifi && t.powered {
            entries.push(Entry::Item {
                label: gettext("Scan for Wi-Fi Networks"),
                icon: "view-refresh-symbolic",
                checked: None,
                command: Some(Command::Rescan(path.clone())),
            });
        }
    }
    if state.connman_running {
        entries.push(Entry::Item {
            label: gettext("Airplane Mode"),
            icon: "airplane-mode-symbolic",
            checked: Some(state.manager.offline_mode),
            command: Some(Command::SetOffline(!state.manager.offline_mode)),
        });
    }
    entries.push(Entry::Separator);
    entries.push(Entry::Item {
        label: gettext("Open Connie"),
        icon: "",
        checked: None,
        command: Some(Command::OpenWindow),
    });
    entries.push(Entry::Item {
        label: gettext("Quit"),
        icon: "application-exit-symbolic",
        checked: None,
        command: Some(Command::Quit),
    });
    entries
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use zbus::zvariant::{OwnedValue, Value};

    use super::*;
    use crate::connman::state::PathDicts;

    fn dict(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
            .collect()
    }

    fn service(
        name: Option<&str>,
        kind: &str,
        state: &str,
        strength: u8,
    ) -> HashMap<String, OwnedValue> {
        let mut d = dict(vec![
            ("Type", Value::from(kind.to_owned())),
            ("State", Value::from(state.to_owned())),
            ("Strength", Value::U8(strength)),
            ("Security", Value::from(vec!["psk".to_owned()])),
        ]);
        if let Some(n) = name {
            d.insert(
                "Name".into(),
                OwnedValue::try_from(Value::from(n.to_owned())).unwrap(),
            );
        }
        d
    }

    fn state(services: Vec<(&str, HashMap<String, OwnedValue>)>, offline: bool) -> State {
        let mut s = State::default();
        let list: PathDicts = services
            .into_iter()
            .map(|(p, d)| (p.to_owned(), d))
            .collect();
        let techs: PathDicts = vec![(
            "/net/connman/technology/wifi".into(),
            dict(vec![
                ("Type", Value::from("wifi")),
                ("Powered", Value::from(true)),
            ]),
        )];
        s.reset_connman(
            &dict(vec![("OfflineMode", Value::from(offline))]),
            &techs,
            &list,
        );
        s
    }

    #[test]
    fn a_crowded_room_lists_a_bounded_few_then_more_networks() {
        // 300 networks in connmand's order, the connected one far down (as
        // after a re-sort that has not come yet)
        let names: Vec<String> = (0..300).map(|i| format!("AP{i:03}")).collect();
        let paths: Vec<String> = (0..300).map(|i| format!("/s{i}")).collect();
        let list: Vec<(&str, HashMap<String, OwnedValue>)> = (0..300)
            .map(|i| {
                let st = if i == 200 { "online" } else { "idle" };
                (paths[i].as_str(), service(Some(&names[i]), "wifi", st, 50))
            })
            .collect();
        let m = menu(&state(list, false));
        let wifi: Vec<&str> = m
            .iter()
            .filter_map(|e| match e {
                Entry::Item { label, .. } if label.starts_with("AP") => Some(label.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(wifi.len(), MENU_NETWORKS + 1, "{wifi:?}");
        for (i, label) in wifi.iter().take(MENU_NETWORKS).enumerate() {
            assert!(label.starts_with(&names[i]), "connmand's order: {wifi:?}");
        }
        assert!(
            wifi[MENU_NETWORKS].starts_with("AP200"),
            "the connected one"
        );
        let more = m
            .iter()
            .position(|e| matches!(e, Entry::Item { label, .. } if label == "More Networks…"))
            .expect("More Networks…");
        let last = m
            .iter()
            .position(|e| matches!(e, Entry::Item { label, .. } if label.starts_with("AP200")))
            .unwrap();
        assert_eq!(more, last + 1, "after the networks");
        assert!(matches!(
            &m[more],
            Entry::Item {
                command: Some(Command::OpenWindow),
                ..
            }
        ));
        // a few networks: all of them, and no "More Networks…"
        let few: Vec<(&str, HashMap<String, OwnedValue>)> = (0..MENU_NETWORKS)
            .map(|i| {
                (
                    paths[i].as_str(),
                    service(Some(&names[i]), "wifi", "idle", 50),
                )
            })
            .collect();
        let m = menu(&state(few, false));
        assert!(!m
            .iter()
            .any(|e| matches!(e, Entry::Item { label, .. } if label == "More Networks…")));
    }

    #[test]
    fn the_icon_tells_the_state() {
        let mut down = State::default();
        assert_eq!(look(&down).icon, "network-error-symbolic");
        down.connman_running = true;
        assert_eq!(look(&down).icon, "network-offline-symbolic");
        assert_eq!(look(&state(vec![], true)).icon, "airplane-mode-symbolic");
        let wifi = state(
            vec![("/w", service(Some("Home"), "wifi", "online", 90))],
            false,
        );
        assert_eq!(
            look(&wifi).icon,
            "network-wireless-signal-excellent-symbolic"
        );
        let weak = state(
            vec![("/w", service(Some("Home"), "wifi", "ready", 20))],
            false,
        );
        assert_eq!(look(&weak).icon, "network-wireless-signal-weak-symbolic");
        let wired = state(
            vec![("/e", service(Some("Wired"), "ethernet", "ready", 0))],
            false,
        );
        assert_eq!(look(&wired).icon, "network-wired-symbolic");
        let connecting = state(
            vec![("/w", service(Some("Home"), "wifi", "association", 50))],
            false,
        );
        assert_eq!(
            look(&connecting).icon,
            "network-wireless-acquiring-symbolic"
        );
    }

    #[test]
    fn a_vpn_shows_on_top_of_the_uplink() {
        let s = state(
            vec![
                ("/v", service(Some("Work"), "vpn", "ready", 0)),
                ("/w", service(Some("Home"), "wifi", "online", 60)),
            ],
            false,
        );
        let l = look(&s);
        assert_eq!(l.icon, "network-wireless-signal-good-symbolic");
        assert_eq!(l.overlay, Some("network-vpn-symbolic"));
        assert!(
            l.tooltip.contains("Connected to Home (60 %)"),
            "{}",
            l.tooltip
        );
        assert!(l.tooltip.contains("VPN: Work"), "{}", l.tooltip);
    }

    #[test]
    fn every_connected_service_is_named_the_one_in_use_first() {
        let s = state(
            vec![
                ("/w", service(Some("Home"), "wifi", "online", 60)),
                ("/e", service(Some("Wired"), "ethernet", "ready", 0)),
                ("/o", service(Some("Cafe"), "wifi", "idle", 40)),
            ],
            false,
        );
        let l = look(&s);
        let lines: Vec<&str> = l.tooltip.lines().collect();
        assert_eq!(lines[0], "Connected to Home (60 %)");
        assert_eq!(
            lines.last(),
            Some(&"Also connected: Wired"),
            "{}",
            l.tooltip
        );
        assert!(!l.tooltip.contains("Cafe"));
    }

    #[test]
    fn hostile_names_stay_text() {
        let s = state(
            vec![(
                "/w",
                service(Some("<b>Free</b> & _wifi"), "wifi", "ready", 70),
            )],
            false,
        );
        let l = look(&s);
        assert!(
            l.tooltip.contains("&lt;b&gt;Free&lt;/b&gt; &amp; _wifi"),
            "{}",
            l.tooltip
        );
        let m = menu(&s);
        assert!(m.iter().any(
            |e| matches!(e, Entry::Item { label, .. } if label.starts_with("<b>Free</b> & __wifi"))
        ));
    }

    #[test]
    fn wired_entries_are_told_apart_by_their_interface() {
        let wired = |interface: &str| {
            let mut d = service(Some("Wired"), "ethernet", "ready", 0);
            let eth: HashMap<String, OwnedValue> =
                dict(vec![("Interface", Value::from(interface.to_owned()))]);
            d.insert(
                "Ethernet".into(),
                OwnedValue::try_from(Value::from(eth)).unwrap(),
            );
            d.remove("Security");
            d
        };
        let s = state(vec![("/e1", wired("lab_1")), ("/e2", wired("lab2"))], false);
        let labels: Vec<String> = menu(&s)
            .into_iter()
            .filter_map(|e| match e {
                Entry::Item {
                    label,
                    command: Some(Command::Disconnect(_)),
                    ..
                } => Some(label),
                _ => None,
            })
            .collect();
        // underscores stay text, not mnemonics
        assert_eq!(labels, ["Wired (lab__1)", "Wired (lab2)"]);
    }

    #[test]
    fn the_menu_lists_networks_in_connmands_order_with_the_connected_one_checked() {
        let s = state(
            vec![
                ("/b", service(Some("B"), "wifi", "ready", 40)),
                ("/a", service(Some("A"), "wifi", "idle", 80)),
                ("/h", service(None, "wifi", "idle", 50)),
            ],
            false,
        );
        let m = menu(&s);
        let wifi: Vec<(&str, Option<bool>, &Option<Command>)> = m
            .iter()
            .filter_map(|e| match e {
                Entry::Item {
                    label,
                    checked,
                    command: command @ Some(Command::Connect(_) | Command::Disconnect(_)),
                    ..
                } => Some((label.as_str(), *checked, command)),
                _ => None,
            })
            .collect();
        assert_eq!(wifi.len(), 2);
        assert!(wifi[0].0.starts_with('B') && wifi[0].1 == Some(true));
        assert_eq!(wifi[0].2, &Some(Command::Disconnect("/b".into())));
        assert_eq!(wifi[1].2, &Some(Command::Connect("/a".into())));
        assert!(m.contains(&Entry::Item {
            label: "Connect to Hidden Network…".into(),
            icon: "network-wireless-hidden-symbolic",
            checked: None,
            command: Some(Command::ConnectHidden("/h".into())),
        }));
        assert!(m.iter().any(|e| matches!(
            e,
            Entry::Item {
                command: Some(Command::SetOffline(true)),
                ..
            }
        )));
        assert!(m.iter().any(|e| matches!(
            e,
            Entry::Item {
                command: Some(Command::SetPowered(_, false)),
                ..
            }
        )));
        assert!(matches!(
            m.last(),
            Some(Entry::Item {
                command: Some(Command::Quit),
                ..
            })
        ));
    }
}
