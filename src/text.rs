//! The words and icons the window shows for connmand's values. Pure
//! functions (no GTK), so they are tested without a display.

use crate::connman::types::{ServiceProps, VpnState};
use crate::connman::{ManagerState, ServiceError, ServiceState, ServiceType, TechnologyType};
use crate::i18n::{gettext, gettext_f};
use crate::model::Availability;

/// The icon of a service: its type, and for wifi and cellular the strength
/// in five levels (`level` 0..=4, -1 when unknown).
pub fn service_icon(type_: &ServiceType, level: i32) -> &'static str {
    match type_ {
        ServiceType::Wifi => match level {
            4 => "network-wireless-signal-excellent-symbolic",
            3 => "network-wireless-signal-good-symbolic",
            2 => "network-wireless-signal-ok-symbolic",
            1 => "network-wireless-signal-weak-symbolic",
            _ => "network-wireless-signal-none-symbolic",
        },
        ServiceType::Cellular => match level {
            4 => "network-cellular-signal-excellent-symbolic",
            3 => "network-cellular-signal-good-symbolic",
            2 => "network-cellular-signal-ok-symbolic",
            1 => "network-cellular-signal-weak-symbolic",
            0 => "network-cellular-signal-none-symbolic",
            _ => "network-cellular-symbolic",
        },
        ServiceType::Ethernet => "network-wired-symbolic",
        ServiceType::Vpn => "network-vpn-symbolic",
        ServiceType::Bluetooth => "bluetooth-active-symbolic",
        ServiceType::P2p => "network-wireless-hotspot-symbolic",
        ServiceType::Gadget => "media-removable-symbolic",
        _ => "network-workgroup-symbolic",
    }
}

pub fn technology_icon(type_: &TechnologyType) -> &'static str {
    match type_ {
        ServiceType::Wifi => "network-wireless-symbolic",
        ServiceType::Cellular => "network-cellular-symbolic",
        _ => service_icon(type_, -1),
    }
}

/// What people call a kind of network ("Wi-Fi", "Wired", ...).
pub fn type_name(type_: &ServiceType) -> String {
    match type_ {
        ServiceType::Wifi => gettext("Wi-Fi"),
        ServiceType::Ethernet => gettext("Wired"),
        ServiceType::Vpn => gettext("VPN"),
        ServiceType::Bluetooth => gettext("Bluetooth"),
        // Translators: a mobile phone network (3G, 4G, 5G)
        ServiceType::Cellular => gettext("Mobile Network"),
        ServiceType::P2p => gettext("Wi-Fi Direct"),
        // Translators: networking over a USB cable to this device
        ServiceType::Gadget => gettext("USB Networking"),
        ServiceType::Gps => gettext("GPS"),
        ServiceType::System => gettext("System"),
        ServiceType::Unknown(s) => s.clone(),
    }
}

/// A technology's name: by type, so that it is translated; connmand's own
/// name only for a type Connie does not know.
pub fn technology_name(type_: &TechnologyType, connmand_name: &str) -> String {
    match type_ {
        ServiceType::Unknown(_) if !connmand_name.is_empty() => connmand_name.to_owned(),
        t => type_name(t),
    }
}

/// A service's state in a word or two.
pub fn state_word(state: &ServiceState) -> String {
    match state {
        ServiceState::Idle => gettext("Not connected"),
        ServiceState::Association => gettext("Connecting…"),
        // Translators: connmand is asking for an IP address (DHCP)
        ServiceState::Configuration => gettext("Getting an address…"),
        ServiceState::Ready => gettext("Connected"),
        // Translators: connected, and the internet answers
        ServiceState::Online => gettext("Online"),
        ServiceState::Disconnect => gettext("Disconnecting…"),
        ServiceState::Failure => gettext("Failed"),
        ServiceState::Unknown(s) => s.clone(),
    }
}

/// What tells a service apart besides its name.
pub struct ServiceFacts<'a> {
    pub name: &'a str,
    pub type_: &'a ServiceType,
    pub state: &'a ServiceState,
    pub error: Option<&'a ServiceError>,
    pub favorite: bool,
    /// The network interface; shown for wired services, which connmand
    /// all names "Wired".
    pub interface: &'a str,
}

/// The line under a service's name: kind (unless the name says it), the
/// interface of a wired one, state (the error's sentence when it failed),
/// and "Saved".
pub fn service_subtitle(f: &ServiceFacts<'_>) -> String {
    subtitle_parts(f).join(" · ")
}

fn subtitle_parts(f: &ServiceFacts<'_>) -> Vec<String> {
    let ServiceFacts {
        name,
        type_,
        state,
        error,
        favorite,
        interface,
    } = *f;
    let mut parts = Vec::new();
    let kind = type_name(type_);
    if !kind.is_empty() && kind != name {
        parts.push(kind);
    }
    if *type_ == ServiceType::Ethernet && !interface.is_empty() {
        parts.push(interface.to_owned());
    }
    match (state, error) {
        (ServiceState::Failure, Some(e)) => parts.push(gettext(&e.sentence())),
        (s, _) => parts.push(state_word(s)),
    }
    if favorite {
        // Translators: connmand remembers this network (a "favorite")
        parts.push(gettext("Saved"));
    }
    parts
}

/// The signal strength in words, for those who do not see the icon
/// (`level` as for [`service_icon`]; `None` when unknown).
pub fn strength_words(level: i32) -> Option<String> {
    Some(match level {
        // Translators: how strong a network's signal is (read out by screen readers)
        4 => gettext("Excellent signal"),
        3 => gettext("Good signal"),
        2 => gettext("Fair signal"),
        1 => gettext("Weak signal"),
        0 => gettext("No signal"),
        _ => return None,
    })
}

/// What a screen reader says about a service row besides its name: what
/// the line under the name says, whether a wifi network is secured, its
/// signal in words, and the keys that move it when it can be moved.
pub fn service_description(
    f: &ServiceFacts<'_>,
    secured: bool,
    level: i32,
    movable: bool,
) -> String {
    let mut parts = subtitle_parts(f);
    if *f.type_ == ServiceType::Wifi {
        parts.push(if secured {
            gettext("Secured")
        } else {
            // Translators: a wifi network without a password
            gettext("Open")
        });
    }
    parts.extend(strength_words(level));
    if movable {
        // Translators: the keys that move a network up or down the list
        parts.push(gettext("Alt+Up and Alt+Down move it"));
    }
    parts.join(", ")
}

/// A VPN type as its makers spell it (connman-vpnd sends it in lower case).
pub fn vpn_type_name(kind: &str) -> String {
    match kind {
        "openvpn" => "OpenVPN".into(),
        "wireguard" => "WireGuard".into(),
        "openconnect" => "OpenConnect".into(),
        "vpnc" => "VPNC".into(),
        "l2tp" => "L2TP".into(),
        "pptp" => "PPTP".into(),
        other => other.to_owned(),
    }
}

/// connman-vpnd's state of a connection in a word or two.
pub fn vpn_state_word(state: &VpnState) -> String {
    match state {
        VpnState::Idle => gettext("Not connected"),
        VpnState::Configuration => gettext("Connecting…"),
        VpnState::Ready => gettext("Connected"),
        VpnState::Disconnect => gettext("Disconnecting…"),
        VpnState::Failure => gettext("Failed"),
        VpnState::Unknown(s) => s.clone(),
    }
}

/// The line under a VPN's name: type, host, state, and split mode.
pub fn vpn_subtitle(kind: &str, host: &str, state: &VpnState, split: bool) -> String {
    let split = if split {
        // Translators: the VPN carries only its own networks
        gettext("Split mode")
    } else {
        String::new()
    };
    [
        vpn_type_name(kind),
        host.to_owned(),
        vpn_state_word(state),
        split,
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ")
}

/// A service's name as shown ([`display_name`] of what connmand reports).
pub fn name_of(props: &ServiceProps) -> String {
    display_name(props.name.as_deref().unwrap_or(""), props.is_hidden())
}

/// The name to show: connmand's, literally, or a description of a hidden one.
///
/// An SSID is any 32 bytes, and connmand passes them on as they are (only
/// invalid UTF-8 becomes U+FFFD), so a name is made safe to show, without
/// changing what it says: control characters (a newline, an escape) become
/// their visible pictures (U+2400 ␀ and on), so a name stays one line and
/// shows what it holds; and a name with bidi controls (an RTL override) is
/// isolated (U+2068 … U+2069, its embeddings closed), so that it cannot turn
/// the text around it ("Connected to …", "… · WPA") backwards.
pub fn display_name(name: &str, hidden: bool) -> String {
    if name.is_empty() {
        if hidden {
            gettext("Hidden network")
        } else {
            gettext("Unnamed network")
        }
    } else {
        isolate_bidi(&control_pictures(name))
    }
}

/// Control characters as their pictures: C0 as U+2400 + code, DEL as
/// U+2421, C1 as U+FFFD (they have no pictures).
fn control_pictures(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// `name` inside a first-strong isolate when it holds bidi controls, with
/// the embeddings, overrides and isolates it opens closed before the
/// isolate ends, and an isolate opened first for each of its unmatched
/// isolate ends (which would otherwise end Connie's isolate early).
fn isolate_bidi(name: &str) -> String {
    const LRE_RLE_LRO_RLO: [char; 4] = ['\u{202a}', '\u{202b}', '\u{202d}', '\u{202e}'];
    const PDF: char = '\u{202c}';
    const LRI_RLI_FSI: [char; 3] = ['\u{2066}', '\u{2067}', '\u{2068}'];
    const FSI: char = '\u{2068}';
    const PDI: char = '\u{2069}';
    if !name
        .chars()
        .any(|c| LRE_RLE_LRO_RLO.contains(&c) || c == PDF || LRI_RLI_FSI.contains(&c) || c == PDI)
    {
        return name.to_owned();
    }
    // what the name leaves open at its end, innermost last
    let mut open: Vec<char> = Vec::new();
    let mut unmatched_pdi = 0;
    for c in name.chars() {
        if LRE_RLE_LRO_RLO.contains(&c) {
            open.push(PDF);
        } else if c == PDF {
            // closes the innermost embedding, not across an isolate
            if open.last() == Some(&PDF) {
                open.pop();
            }
        } else if LRI_RLI_FSI.contains(&c) {
            open.push(PDI);
        } else if c == PDI {
            // closes the innermost isolate and the embeddings inside it
            match open.iter().rposition(|&o| o == PDI) {
                Some(i) => open.truncate(i),
                None => unmatched_pdi += 1,
            }
        }
    }
    let mut out = String::with_capacity(name.len() + 3 * (open.len() + unmatched_pdi + 2));
    out.push(FSI);
    out.extend(std::iter::repeat_n(FSI, unmatched_pdi));
    out.push_str(name);
    out.extend(open.iter().rev());
    out.push(PDI);
    out
}

/// Title and subtitle of the window's header: the global state at a glance.
pub fn header(
    availability: Availability,
    state: &ManagerState,
    offline_mode: bool,
    via: &str,
) -> (String, Option<String>) {
    match availability {
        Availability::Starting | Availability::NoBus => (gettext("Connie"), None),
        Availability::Down => (gettext("No ConnMan"), None),
        Availability::Refused => (gettext("Not Allowed"), None),
        Availability::Up => {
            let via = || {
                let name = display_name(via, true);
                // Translators: the network that carries the traffic, e.g. "via Home WiFi"
                Some(gettext_f("via {}", &[&name]))
            };
            match state {
                _ if offline_mode => (gettext("Airplane Mode"), None),
                ManagerState::Offline => (gettext("Offline"), None),
                ManagerState::Idle => (gettext("Not Connected"), None),
                ManagerState::Ready => (gettext("Connected"), via()),
                ManagerState::Online => (gettext("Online"), via()),
                ManagerState::Unknown(s) => (s.clone(), None),
            }
        }
    }
}

/// The groups whose members the system's D-Bus policy lets talk to
/// connmand (from connman's policy files, as installed).
pub fn connman_policy_groups() -> Vec<String> {
    let mut groups = Vec::new();
    for dir in ["/etc/dbus-1/system.d", "/usr/share/dbus-1/system.d"] {
        let Ok(text) = std::fs::read_to_string(format!("{dir}/connman.conf")) else {
            continue;
        };
        groups.extend(policy_groups(&text));
    }
    groups.dedup();
    groups
}

/// The groups of `<policy group="…">` blocks that allow sending to
/// `net.connman`, in a D-Bus policy file.
pub fn policy_groups(conf: &str) -> Vec<String> {
    let mut groups = Vec::new();
    for block in conf.split("<policy").skip(1) {
        let Some(rest) = block.trim_start().strip_prefix("group=\"") else {
            continue;
        };
        let Some((group, body)) = rest.split_once('"') else {
            continue;
        };
        let body = body.split("</policy>").next().unwrap_or_default();
        let allows = body.contains("<allow send_destination=\"net.connman\"");
        if allows && !groups.iter().any(|g| g == group) {
            groups.push(group.to_owned());
        }
    }
    groups
}

/// What to do when connmand's D-Bus policy refuses Connie.
pub fn refused_help(groups: &[String]) -> String {
    match groups {
        [] => gettext(
            "The system’s D-Bus policy does not let this user talk to ConnMan. Ask an \
             administrator to allow it (ConnMan’s policy is in \
             /usr/share/dbus-1/system.d/connman.conf), then log in again.",
        ),
        _ => gettext_f(
            "The system’s D-Bus policy lets only members of the group {} talk to ConnMan. \
             Ask an administrator to add you (for example: sudo adduser $USER {}), then \
             log in again.",
            &[&groups.join(", "), &groups[0]],
        ),
    }
}

/// The first sentence of a longer text, for a toast (the rest goes to Details).
pub fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wifi_strength_in_five_icons() {
        let icons: Vec<&str> = (-1..=4)
            .map(|l| service_icon(&ServiceType::Wifi, l))
            .collect();
        assert_eq!(
            icons,
            [
                "network-wireless-signal-none-symbolic",
                "network-wireless-signal-none-symbolic",
                "network-wireless-signal-weak-symbolic",
                "network-wireless-signal-ok-symbolic",
                "network-wireless-signal-good-symbolic",
                "network-wireless-signal-excellent-symbolic",
            ]
        );
        assert_eq!(
            service_icon(&ServiceType::Ethernet, -1),
            "network-wired-symbolic"
        );
        assert_eq!(service_icon(&ServiceType::Vpn, -1), "network-vpn-symbolic");
        assert_eq!(
            technology_icon(&ServiceType::Wifi),
            "network-wireless-symbolic"
        );
    }

    #[test]
    fn subtitles() {
        let sub = |name, type_, state, error, favorite, interface| {
            service_subtitle(&ServiceFacts {
                name,
                type_: &type_,
                state: &state,
                error,
                favorite,
                interface,
            })
        };
        use ServiceState::*;
        use ServiceType::*;
        assert_eq!(
            sub("Wired", Ethernet, Online, None, true, ""),
            "Online · Saved"
        );
        assert_eq!(
            sub("Wired", Ethernet, Ready, None, true, "eth1"),
            "eth1 · Connected · Saved"
        );
        assert_eq!(
            sub("Café", Wifi, Idle, None, false, "wlan0"),
            "Wi-Fi · Not connected"
        );
        assert_eq!(
            sub(
                "Café",
                Wifi,
                Failure,
                Some(&ServiceError::InvalidKey),
                true,
                ""
            ),
            "Wi-Fi · The password was wrong. · Saved"
        );
        assert_eq!(sub("x", Wifi, Failure, None, false, ""), "Wi-Fi · Failed");
    }

    #[test]
    fn descriptions_say_state_security_strength_and_keys() {
        let facts = |type_, state| ServiceFacts {
            name: "Café",
            type_,
            state,
            error: None,
            favorite: true,
            interface: "",
        };
        use ServiceState::*;
        use ServiceType::*;
        assert_eq!(
            service_description(&facts(&Wifi, &Online), true, 4, true),
            "Wi-Fi, Online, Saved, Secured, Excellent signal, Alt+Up and Alt+Down move it"
        );
        assert_eq!(
            service_description(&facts(&Wifi, &Idle), false, 1, false),
            "Wi-Fi, Not connected, Saved, Open, Weak signal"
        );
        // wired: neither secured nor open, no signal
        assert_eq!(
            service_description(&facts(&Ethernet, &Ready), false, -1, false),
            "Wired, Connected, Saved"
        );
        let words: Vec<String> = (-1..=4).filter_map(strength_words).collect();
        assert_eq!(
            words,
            [
                "No signal",
                "Weak signal",
                "Fair signal",
                "Good signal",
                "Excellent signal"
            ]
        );
    }

    #[test]
    fn headers() {
        let up = Availability::Up;
        assert_eq!(
            header(up, &ManagerState::Online, false, "<b>Home</b>"),
            ("Online".into(), Some("via <b>Home</b>".into()))
        );
        assert_eq!(
            header(up, &ManagerState::Ready, false, ""),
            ("Connected".into(), Some("via Hidden network".into()))
        );
        assert_eq!(
            header(up, &ManagerState::Idle, false, ""),
            ("Not Connected".into(), None)
        );
        assert_eq!(
            header(up, &ManagerState::Offline, true, ""),
            ("Airplane Mode".into(), None)
        );
        assert_eq!(
            header(Availability::Down, &ManagerState::Online, false, "x").0,
            "No ConnMan"
        );
    }

    #[test]
    fn names() {
        assert_eq!(display_name("<i>a</i>", false), "<i>a</i>");
        assert_eq!(display_name("", true), "Hidden network");
        assert_eq!(display_name("__x&amp;", false), "__x&amp;");
        assert_eq!(display_name("漢字😀", false), "漢字😀");
        // control characters: visible, one line
        assert_eq!(
            display_name("a\u{1}\u{1b}\t\nb\u{7f}\u{85}", false),
            "a\u{2401}\u{241b}\u{2409}\u{240a}b\u{2421}\u{fffd}"
        );
        // an override cannot reach the text around the name
        assert_eq!(
            display_name("\u{202e}txet", false),
            "\u{2068}\u{202e}txet\u{202c}\u{2069}"
        );
        assert_eq!(
            display_name("a\u{202e}b\u{202c}c", false),
            "\u{2068}a\u{202e}b\u{202c}c\u{2069}"
        );
        // an isolate of its own, closed; an isolate end of its own, matched
        assert_eq!(
            display_name("\u{2067}x\u{202d}y", false),
            "\u{2068}\u{2067}x\u{202d}y\u{202c}\u{2069}\u{2069}"
        );
        assert_eq!(
            display_name("\u{2069}\u{202e}z", false),
            "\u{2068}\u{2068}\u{2069}\u{202e}z\u{202c}\u{2069}"
        );
        assert_eq!(technology_name(&ServiceType::Wifi, "WiFi"), "Wi-Fi");
        assert_eq!(
            technology_name(&ServiceType::Unknown("lora".into()), "LoRa"),
            "LoRa"
        );
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("Only one."), "Only one.");
    }

    #[test]
    fn vpn_lines() {
        assert_eq!(
            vpn_subtitle("openvpn", "10.77.0.1", &VpnState::Ready, true),
            "OpenVPN · 10.77.0.1 · Connected · Split mode"
        );
        assert_eq!(
            vpn_subtitle("<b>x</b>", "", &VpnState::Idle, false),
            "<b>x</b> · Not connected"
        );
        assert_eq!(vpn_type_name("wireguard"), "WireGuard");
    }
}
