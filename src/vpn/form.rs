//! The form of one VPN: the fields of its type, as typed, each checked,
//! and the settings connman-vpnd's `Manager.Create` (or the connection's
//! `SetProperty`, for an edit) takes from them.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use base64::Engine;

use super::VpnType;
use zbus::zvariant::Value;

use crate::connman::types::{
    netmask_to_prefix, prefix_to_netmask, routes_value, split_list, Route,
};
use crate::i18n::{gettext, gettext_f, N_};

/// What a field holds, and so how it is checked and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text without control characters.
    Text,
    /// A host name or an IP address.
    Host,
    /// 1–65535.
    Port,
    /// A whole number 0–65535 (MTU, keepalive seconds).
    Number,
    /// The path of a readable file.
    File,
    /// Typed, hidden (a password, a private key).
    Secret,
    /// A WireGuard key: base64 of 32 bytes (`secret`: hidden).
    Key { secret: bool },
    /// On sends `on`; off sends nothing (clears).
    Flag { on: &'static str },
    /// One of connmand's spellings (the first is the default).
    Choice(&'static [&'static str]),
    /// One `address/prefix`.
    Cidr,
    /// `address/prefix` entries separated by commas.
    CidrList,
    /// IP addresses separated by commas.
    AddressList,
}

/// A field of a VPN type's form.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// connman-vpnd's key (`OpenVPN.Port`), or one of [`NAME`], [`HOST`],
    /// [`DOMAIN`], [`SPLIT`], [`ROUTES`].
    pub key: &'static str,
    /// Untranslated label (through [`Spec::label`]).
    label: &'static str,
    pub kind: Kind,
    pub required: bool,
}

impl Spec {
    pub fn label(&self) -> String {
        gettext(self.label)
    }
}

pub const NAME: &str = "Name";
pub const HOST: &str = "Host";
pub const DOMAIN: &str = "VPN.Domain";
pub const SPLIT: &str = "SplitRouting";
pub const ROUTES: &str = "UserRoutes";

const fn spec(key: &'static str, label: &'static str, kind: Kind, required: bool) -> Spec {
    Spec {
        key,
        label,
        kind,
        required,
    }
}

const COMMON: [Spec; 5] = [
    spec(NAME, N_("Name"), Kind::Text, true),
    spec(HOST, N_("Server"), Kind::Host, true),
    spec(DOMAIN, N_("Domain (optional)"), Kind::Host, false),
    spec(
        SPLIT,
        N_("Use only for the VPN's own networks"),
        Kind::Flag { on: "true" },
        false,
    ),
    spec(ROUTES, N_("Extra routes (optional)"), Kind::CidrList, false),
];

const OPENVPN: [Spec; 11] = [
    spec("OpenVPN.Port", N_("Port"), Kind::Port, false),
    spec(
        "OpenVPN.Proto",
        N_("Protocol"),
        Kind::Choice(&["udp", "tcp-client"]),
        false,
    ),
    spec("OpenVPN.CACert", N_("CA certificate"), Kind::File, false),
    spec("OpenVPN.Cert", N_("Client certificate"), Kind::File, false),
    spec("OpenVPN.Key", N_("Client key"), Kind::File, false),
    spec(
        "OpenVPN.AuthUserPass",
        N_("Ask for a username and password"),
        Kind::Flag { on: "-" },
        false,
    ),
    spec(
        "OpenVPN.TLSAuth",
        N_("TLS authentication key"),
        Kind::File,
        false,
    ),
    spec(
        "OpenVPN.TLSAuthDir",
        N_("TLS key direction"),
        Kind::Choice(&["", "1", "0"]),
        false,
    ),
    spec(
        "OpenVPN.RemoteCertTls",
        N_("Check the server's certificate type"),
        Kind::Flag { on: "server" },
        false,
    ),
    spec("OpenVPN.Cipher", N_("Cipher"), Kind::Text, false),
    spec(
        "OpenVPN.DeviceType",
        N_("Device type"),
        Kind::Choice(&["tun", "tap"]),
        false,
    ),
];

const OPENCONNECT: [Spec; 8] = [
    spec(
        "OpenConnect.Protocol",
        N_("Protocol"),
        Kind::Choice(&["anyconnect", "nc", "gp", "pulse", "f5", "fortinet", "array"]),
        false,
    ),
    spec(
        "OpenConnect.AuthType",
        N_("Sign in with"),
        Kind::Choice(&[
            "cookie",
            "cookie_with_userpass",
            "userpass",
            "publickey",
            "pkcs",
        ]),
        false,
    ),
    spec("OpenConnect.Usergroup", N_("Group"), Kind::Text, false),
    spec(
        "OpenConnect.CACert",
        N_("CA certificate"),
        Kind::File,
        false,
    ),
    spec(
        "OpenConnect.ClientCert",
        N_("Client certificate"),
        Kind::File,
        false,
    ),
    spec(
        "OpenConnect.UserPrivateKey",
        N_("Client key"),
        Kind::File,
        false,
    ),
    spec(
        "OpenConnect.AllowSelfSignedCert",
        N_("Accept a self-signed server certificate"),
        Kind::Flag { on: "true" },
        false,
    ),
    spec(
        "OpenConnect.NoDTLS",
        N_("Do not use DTLS"),
        Kind::Flag { on: "true" },
        false,
    ),
];

const WIREGUARD: [Spec; 8] = [
    spec("WireGuard.Address", N_("Address"), Kind::Cidr, true),
    spec(
        "WireGuard.PrivateKey",
        N_("Private key"),
        Kind::Key { secret: true },
        true,
    ),
    spec(
        "WireGuard.PublicKey",
        N_("Server's public key"),
        Kind::Key { secret: false },
        true,
    ),
    spec(
        "WireGuard.PresharedKey",
        N_("Pre-shared key (optional)"),
        Kind::Key { secret: true },
        false,
    ),
    spec(
        "WireGuard.AllowedIPs",
        N_("Allowed IPs"),
        Kind::CidrList,
        true,
    ),
    spec(
        "WireGuard.EndpointPort",
        N_("Server port"),
        Kind::Port,
        false,
    ),
    spec("WireGuard.DNS", N_("DNS servers"), Kind::AddressList, false),
    spec(
        "WireGuard.PersistentKeepalive",
        N_("Keepalive (seconds)"),
        Kind::Number,
        false,
    ),
];

const L2TP: [Spec; 2] = [
    spec("L2TP.User", N_("Username"), Kind::Text, false),
    spec(
        "L2TP.Password",
        N_("Password (asked when empty)"),
        Kind::Secret,
        false,
    ),
];

const PPTP: [Spec; 2] = [
    spec("PPTP.User", N_("Username"), Kind::Text, false),
    spec(
        "PPTP.Password",
        N_("Password (asked when empty)"),
        Kind::Secret,
        false,
    ),
];

/// The fields of a type's form: the common ones, then its own.
pub fn specs(t: VpnType) -> Vec<Spec> {
    let own: &[Spec] = match t {
        VpnType::OpenVpn => &OPENVPN,
        VpnType::OpenConnect => &OPENCONNECT,
        VpnType::WireGuard => &WIREGUARD,
        VpnType::L2tp => &L2TP,
        VpnType::Pptp => &PPTP,
    };
    COMMON.iter().chain(own).copied().collect()
}

/// A checked form: the settings for `Manager.Create` (strings) and the
/// user routes (sent apart: they are not strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub strings: BTreeMap<String, String>,
    pub routes: Vec<Route>,
}

impl Settings {
    /// The dict for `vpn.Manager.Create`: strings, but `SplitRouting` a
    /// boolean and `UserRoutes` an `a(a{sv})`; empty settings left out.
    pub fn to_create(&self) -> HashMap<String, Value<'static>> {
        let mut dict: HashMap<String, Value<'static>> = self
            .strings
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), property_value(k, v)))
            .collect();
        if !self.routes.is_empty() {
            dict.insert(ROUTES.to_owned(), routes_value(&self.routes));
        }
        dict
    }
}

/// The value of setting `key` for connman-vpnd: `SplitRouting` is a
/// boolean, the rest strings ("" clears one).
pub fn property_value(key: &str, value: &str) -> Value<'static> {
    if key == SPLIT {
        Value::Bool(value == "true")
    } else {
        Value::from(value.to_owned())
    }
}

/// What an edit changes: the string settings, and the routes if they
/// changed.
pub type Changes = (BTreeMap<String, String>, Option<Vec<Route>>);

/// A VPN's form: its type and every field's text (a flag is "" or its
/// `on` value; a choice its spelling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpnForm {
    pub type_: VpnType,
    pub values: BTreeMap<&'static str, String>,
}

fn valid_host(host: &str) -> bool {
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// `address/prefix` as a route: IPv4 with a dotted netmask, IPv6 with the
/// prefix length (what connman-vpnd reads).
fn parse_cidr(input: &str) -> Option<Route> {
    let (addr, prefix) = input.split_once('/')?;
    let addr: IpAddr = addr.trim().parse().ok()?;
    let prefix: u8 = prefix.trim().parse().ok()?;
    match addr {
        IpAddr::V4(a) if prefix <= 32 => Some(Route {
            protocol_family: Some(4),
            network: a.to_string(),
            netmask: prefix_to_netmask(prefix)?.to_string(),
            gateway: None,
        }),
        IpAddr::V6(a) if prefix <= 128 => Some(Route {
            protocol_family: Some(6),
            network: a.to_string(),
            netmask: prefix.to_string(),
            gateway: None,
        }),
        _ => None,
    }
}

/// A route as the form shows it (`10.99.0.0/16`).
pub fn route_text(r: &Route) -> String {
    let prefix = netmask_to_prefix(&r.netmask).map_or_else(|| r.netmask.clone(), |p| p.to_string());
    format!("{}/{prefix}", r.network)
}

/// Why `value` does not fit `spec`, if it does not.
fn check(spec: &Spec, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return spec.required.then(|| gettext("This is needed."));
    }
    if v.chars().any(char::is_control) {
        return Some(gettext("This cannot contain control characters."));
    }
    match spec.kind {
        Kind::Text | Kind::Secret | Kind::File | Kind::Flag { .. } => None,
        Kind::Choice(options) => {
            (!options.contains(&v)).then(|| gettext_f("“{}” is not one of the choices.", &[v]))
        }
        Kind::Host => (!valid_host(v)).then(|| {
            gettext_f(
                "“{}” is not a host name or an IP address (no spaces).",
                &[v],
            )
        }),
        Kind::Port => match v.parse::<u32>() {
            Ok(1..=65535) => None,
            _ => Some(gettext_f("“{}” is not a port (1 to 65535).", &[v])),
        },
        Kind::Number => match v.parse::<u32>() {
            Ok(0..=65535) => None,
            _ => Some(gettext_f("“{}” is not a number from 0 to 65535.", &[v])),
        },
        Kind::Key { .. } => {
            let decoded = base64::engine::general_purpose::STANDARD.decode(v);
            (!matches!(decoded, Ok(k) if k.len() == 32)).then(|| {
                gettext("This is not a WireGuard key (44 characters of base64, ending in “=”).")
            })
        }
        Kind::Cidr => parse_cidr(v).is_none().then(|| {
            gettext_f(
                "“{}” is not an address with its prefix (for example 10.0.0.2/24).",
                &[v],
            )
        }),
        Kind::CidrList => split_list(v)
            .into_iter()
            .find(|e| parse_cidr(e).is_none())
            .map(|e| {
                gettext_f(
                    "“{}” is not a network with its prefix (for example 10.0.0.0/8).",
                    &[&e],
                )
            }),
        Kind::AddressList => split_list(v)
            .into_iter()
            .find(|e| e.parse::<IpAddr>().is_err())
            .map(|e| gettext_f("“{}” is not an IP address.", &[&e])),
    }
}

impl VpnForm {
    /// An empty form of type `t` (choices at their first spelling).
    pub fn new(t: VpnType) -> VpnForm {
        let values = specs(t)
            .iter()
            .map(|s| {
                let v = match s.kind {
                    Kind::Choice(options) => options[0].to_owned(),
                    _ => String::new(),
                };
                (s.key, v)
            })
            .collect();
        VpnForm { type_: t, values }
    }

    /// The form of an existing connection: its name, host, domain, split
    /// routing, user routes and type settings.
    pub fn of(t: VpnType, props: &crate::connman::types::VpnConnectionProps) -> VpnForm {
        let mut form = VpnForm::new(t);
        for spec in specs(t) {
            let value = match spec.key {
                NAME => props.name.clone(),
                HOST => props.host.clone(),
                DOMAIN => props.domain.clone(),
                SPLIT => Some(if props.split_routing { "true" } else { "" }.to_owned()),
                ROUTES => Some(
                    props
                        .user_routes
                        .iter()
                        .map(route_text)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                key => props.settings.get(key).cloned(),
            };
            if let Some(v) = value {
                form.values.insert(spec.key, v);
            }
        }
        form
    }

    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or_default()
    }

    /// Sets a field (keys of other types are ignored).
    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(slot) = self.values.iter_mut().find(|(k, _)| **k == key) {
            *slot.1 = value.to_owned();
        }
    }

    /// The settings, or every field's error.
    pub fn check(&self) -> Result<Settings, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut strings = BTreeMap::new();
        let mut routes = Vec::new();
        for spec in specs(self.type_) {
            let value = self.get(spec.key).trim().to_owned();
            if let Some(why) = check(&spec, &value) {
                errors.push((spec.key, why));
                continue;
            }
            match spec.key {
                ROUTES => {
                    routes = split_list(&value)
                        .iter()
                        .filter_map(|e| parse_cidr(e))
                        .collect()
                }
                // connman-vpnd reads these as strings; an empty one clears
                _ => {
                    let value = match spec.kind {
                        // connman-vpnd splits AllowedIPs at ", " exactly
                        Kind::CidrList | Kind::AddressList => split_list(&value).join(", "),
                        _ => value,
                    };
                    strings.insert(spec.key.to_owned(), value);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        strings.insert("Type".into(), self.type_.id().into());
        Ok(Settings { strings, routes })
    }

    /// What an edit changes on connman-vpnd's connection, from `start`:
    /// the string settings that differ (an emptied one as "", which
    /// clears it), and the routes when they differ.
    pub fn changes(&self, start: &VpnForm) -> Result<Changes, Vec<(&'static str, String)>> {
        let now = self.check()?;
        let before = start.check().ok();
        let mut strings = BTreeMap::new();
        for (k, v) in &now.strings {
            let old = before.as_ref().and_then(|b| b.strings.get(k));
            if old != Some(v) && !(old.is_none() && v.is_empty()) {
                strings.insert(k.clone(), v.clone());
            }
        }
        let routes = (before.map(|b| b.routes) != Some(now.routes.clone())).then_some(now.routes);
        Ok((strings, routes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wireguard() -> VpnForm {
        let mut f = VpnForm::new(VpnType::WireGuard);
        f.set(NAME, "Home");
        f.set(HOST, "vpn.example.org");
        f.set("WireGuard.Address", "10.8.0.2/24");
        f.set(
            "WireGuard.PrivateKey",
            "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
        );
        f.set(
            "WireGuard.PublicKey",
            "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
        );
        f.set("WireGuard.AllowedIPs", "0.0.0.0/0,::/0");
        f
    }

    #[test]
    fn a_wireguard_form_gives_connman_vpnds_strings() {
        let s = wireguard().check().expect("valid");
        assert_eq!(s.strings["Type"], "wireguard");
        assert_eq!(s.strings["Host"], "vpn.example.org");
        // separated by ", " exactly: connman-vpnd drops "a/0,b/0"
        assert_eq!(s.strings["WireGuard.AllowedIPs"], "0.0.0.0/0, ::/0");
        assert!(s.routes.is_empty());
    }

    #[test]
    fn every_bad_field_says_why() {
        let mut f = wireguard();
        f.set(HOST, "vpn example.org");
        f.set("WireGuard.PrivateKey", "not base64!");
        f.set("WireGuard.EndpointPort", "70000");
        f.set(ROUTES, "10.0.0.0/33");
        f.set(NAME, "");
        let errors = f.check().unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                NAME,
                HOST,
                ROUTES,
                "WireGuard.PrivateKey",
                "WireGuard.EndpointPort"
            ]
        );
        assert!(errors[1].1.contains("vpn example.org"), "{errors:?}");
        assert!(errors[4].1.contains("70000"), "{errors:?}");
    }

    #[test]
    fn routes_go_apart_with_a_dotted_mask() {
        let mut f = VpnForm::new(VpnType::OpenVpn);
        f.set(NAME, "Lab");
        f.set(HOST, "10.77.0.1");
        f.set(ROUTES, "10.99.0.0/16, 2001:db8::/32");
        let s = f.check().unwrap();
        assert_eq!(s.routes.len(), 2);
        assert_eq!(s.routes[0].netmask, "255.255.0.0");
        assert_eq!(s.routes[1].netmask, "32");
        assert_eq!(route_text(&s.routes[0]), "10.99.0.0/16");
        assert!(!s.strings.contains_key(ROUTES));
        assert_eq!(s.strings["OpenVPN.Proto"], "udp");
    }

    #[test]
    fn an_edit_sends_what_changed_and_clears_what_was_emptied() {
        let mut start = VpnForm::new(VpnType::OpenVpn);
        start.set(NAME, "Lab");
        start.set(HOST, "10.77.0.1");
        start.set("OpenVPN.Port", "1194");
        let mut f = start.clone();
        f.set(SPLIT, "true");
        f.set("OpenVPN.Port", "");
        let (strings, routes) = f.changes(&start).unwrap();
        assert_eq!(
            strings,
            BTreeMap::from([
                ("OpenVPN.Port".to_owned(), String::new()),
                (SPLIT.to_owned(), "true".to_owned())
            ])
        );
        assert_eq!(routes, None);
    }
}
