//! The words and icons the window shows for connmand's values. Pure
//! functions (no GTK), so they are tested without a display.

use crate::connman::types::VpnState;
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
    parts.join(" · ")
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

/// The name to show: connmand's, literally, or a description of a hidden one.
pub fn display_name(name: &str, hidden: bool) -> String {
    if name.is_empty() {
        if hidden {
            gettext("Hidden network")
        } else {
            gettext("Unnamed network")
        }
    } else {
        name.to_owned()
    }
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
