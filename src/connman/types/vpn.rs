//! net.connman.vpn.Connection's properties.

use std::collections::{BTreeMap, HashMap};

use zbus::zvariant::{OwnedValue, Value};

use super::enums::*;
use super::read::*;

// ---------------------------------------------------------------------------------------------
// VPN connection
// ---------------------------------------------------------------------------------------------

/// `IPv4` of a vpn Connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VpnIpv4 {
    pub address: Option<String>,
    pub netmask: Option<String>,
    pub gateway: Option<String>,
    /// The tunnel's far end.
    pub peer: Option<String>,
}

/// `IPv6` of a vpn Connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VpnIpv6 {
    pub address: Option<String>,
    /// A byte on the wire (the API document says string; both are accepted).
    pub prefix_length: Option<u8>,
    pub gateway: Option<String>,
    pub peer: Option<String>,
}

/// One entry of `UserRoutes` / `ServerRoutes` (`a(a{sv})` on the wire).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    /// 4 or 6 (`ProtocolFamily`, `i`); `None` when connmand omits it.
    pub protocol_family: Option<i32>,
    pub network: String,
    /// A dotted netmask for IPv4, a prefix length for IPv6.
    pub netmask: String,
    pub gateway: Option<String>,
}

/// Properties of a `net.connman.vpn.Connection`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VpnConnectionProps {
    pub state: VpnState,
    /// E.g. `openvpn`, `wireguard`.
    pub type_: Option<String>,
    pub name: Option<String>,
    pub domain: Option<String>,
    pub host: Option<String>,
    /// Provisioned from a `.config` file: only Connect/Disconnect are allowed.
    pub immutable: bool,
    /// Index of the tunnel interface; absent without one.
    pub index: Option<i32>,
    /// Absent means `false`.
    pub split_routing: bool,
    pub ipv4: VpnIpv4,
    pub ipv6: VpnIpv6,
    pub nameservers: Vec<String>,
    pub user_routes: Vec<Route>,
    pub server_routes: Vec<Route>,
    /// Type-specific settings connman-vpnd shows (all strings), e.g. `OpenVPN.Port`.
    /// An empty string clears a setting.
    pub settings: BTreeMap<String, String>,
    /// Unknown properties that are not strings.
    pub extra: HashMap<String, OwnedValue>,
}

fn parse_routes(name: &str, v: &Value<'_>) -> Result<(Vec<Route>, Option<ParseIssue>), ParseIssue> {
    let array = match peel(v) {
        Value::Array(array) => array,
        other => return Err(ParseIssue::new(name, None, wrong("a(a{sv})", other))),
    };
    let mut routes = Vec::new();
    let mut first_issue = None;
    for (i, item) in array.inner().iter().enumerate() {
        let item = peel(item);
        // connmand wraps each dict in a struct; accept a bare dict too.
        let dict = match item {
            Value::Structure(s) => s.fields().first().map(peel).unwrap_or(item),
            other => other,
        };
        let mut fields = match Fields::new(dict) {
            Ok(fields) => fields,
            Err(kind) => {
                first_issue.get_or_insert(ParseIssue::new(name, Some(format!("[{i}]")), kind));
                continue;
            }
        };
        let protocol_family = fields.int("ProtocolFamily", "i");
        let network = fields.string("Network");
        let netmask = fields.string("Netmask");
        let gateway = fields.string("Gateway");
        if let Some((field, kind)) = fields.issue {
            first_issue.get_or_insert(ParseIssue::new(name, Some(format!("[{i}].{field}")), kind));
        }
        // connman-vpnd ignores routes without network or netmask (and sends an empty dict
        // for "no routes" in some paths): so do we.
        if let (Some(network), Some(netmask)) = (network, netmask) {
            routes.push(Route {
                protocol_family,
                network,
                netmask,
                gateway,
            });
        }
    }
    Ok((routes, first_issue))
}

impl PropertyDict for VpnConnectionProps {
    fn apply(&mut self, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
        match name {
            "State" => set_enum(&mut self.state, name, v, VpnState::parse),
            "Type" => set_string(&mut self.type_, name, v),
            "Name" => set_string(&mut self.name, name, v),
            "Domain" => set_string(&mut self.domain, name, v),
            "Host" => set_string(&mut self.host, name, v),
            "Immutable" => set_bool(&mut self.immutable, name, v),
            "Index" => {
                self.index = Some(want_int_as(v, "i").map_err(at(name))?);
                Ok(())
            }
            "SplitRouting" => set_bool(&mut self.split_routing, name, v),
            "IPv4" => set_dict(&mut self.ipv4, name, v, |f| VpnIpv4 {
                address: f.string("Address"),
                netmask: f.string("Netmask"),
                gateway: f.string("Gateway"),
                peer: f.string("Peer"),
            }),
            "IPv6" => set_dict(&mut self.ipv6, name, v, |f| VpnIpv6 {
                address: f.string("Address"),
                prefix_length: f.read("PrefixLength", |v| match peel(v) {
                    Value::Str(s) => {
                        s.as_str()
                            .trim()
                            .parse::<u8>()
                            .map_err(|_| IssueKind::OutOfRange {
                                value: s.as_str().to_owned(),
                                expected: "0..=128",
                            })
                    }
                    other => want_int_as(other, "y"),
                }),
                gateway: f.string("Gateway"),
                peer: f.string("Peer"),
            }),
            "Nameservers" => set_strings(&mut self.nameservers, name, v),
            "UserRoutes" | "ServerRoutes" => {
                let (routes, issue) = parse_routes(name, v)?;
                if name == "UserRoutes" {
                    self.user_routes = routes;
                } else {
                    self.server_routes = routes;
                }
                issue.map_or(Ok(()), Err)
            }
            _ => {
                if let Value::Str(s) = peel(v) {
                    if s.as_str().is_empty() {
                        self.settings.remove(name);
                    } else {
                        self.settings.insert(name.to_owned(), s.as_str().to_owned());
                    }
                } else {
                    keep_extra(&mut self.extra, name, v);
                }
                Ok(())
            }
        }
    }
}

impl VpnConnectionProps {
    /// Whether routes exist, so that the VPN can be a move target (split routing).
    pub fn has_routes(&self) -> bool {
        !self.user_routes.is_empty() || !self.server_routes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::test_util::*;

    #[test]
    fn parses_a_vpn_connection() {
        let (v, issues) = VpnConnectionProps::from_dict(&wire(vec![
            ("State", Value::from("ready")),
            ("Type", Value::from("openvpn")),
            ("Name", Value::from("Lab <VPN> & co")),
            ("Host", Value::from("10.77.9.1")),
            ("Index", Value::I32(7)),
            ("Domain", Value::from("vpn.lab")),
            ("Immutable", Value::Bool(false)),
            (
                "IPv4",
                sv(vec![
                    ("Address", Value::from("10.8.0.6")),
                    ("Netmask", Value::from("255.255.255.0")),
                    ("Gateway", Value::from("10.8.0.1")),
                    ("Peer", Value::from("10.8.0.5")),
                ]),
            ),
            ("Nameservers", strs(&["10.8.0.1"])),
            (
                "UserRoutes",
                routes(vec![route(Some(4), "192.168.50.0", "255.255.255.0", None)]),
            ),
            (
                "ServerRoutes",
                routes(vec![
                    route(Some(4), "10.99.0.0", "255.255.0.0", Some("10.8.0.1")),
                    route(Some(6), "fd99::", "64", None),
                    route(None, "", "", None),
                ]),
            ),
            ("OpenVPN.Port", Value::from("1194")),
            ("VPN.Domain", Value::from("vpn.lab")),
        ]));
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(v.state, VpnState::Ready);
        assert!(v.state.is_connected());
        assert_eq!(v.type_.as_deref(), Some("openvpn"));
        assert_eq!(v.name.as_deref(), Some("Lab <VPN> & co"));
        assert_eq!(v.index, Some(7));
        assert!(!v.split_routing, "absent means false");
        assert_eq!(v.ipv4.peer.as_deref(), Some("10.8.0.5"));
        assert_eq!(v.user_routes.len(), 1);
        assert_eq!(
            v.server_routes.len(),
            3,
            "an empty network is still a network"
        );
        assert_eq!(
            v.server_routes[0],
            Route {
                protocol_family: Some(4),
                network: "10.99.0.0".into(),
                netmask: "255.255.0.0".into(),
                gateway: Some("10.8.0.1".into()),
            }
        );
        assert_eq!(v.server_routes[1].protocol_family, Some(6));
        assert!(v.has_routes());
        assert_eq!(
            v.settings.get("OpenVPN.Port").map(String::as_str),
            Some("1194")
        );
        assert_eq!(v.settings.len(), 2);

        let mut v2 = v.clone();
        v2.apply("OpenVPN.Port", &Value::from("")).unwrap();
        assert!(
            !v2.settings.contains_key("OpenVPN.Port"),
            "an empty string clears"
        );
        v2.apply("SplitRouting", &Value::Bool(true)).unwrap();
        assert!(v2.split_routing);
        v2.apply("State", &Value::from("association")).unwrap();
        assert_eq!(v2.state, VpnState::Unknown("association".into()));
        // IPv6 PrefixLength: a byte on the wire, a string in the document.
        v2.apply(
            "IPv6",
            &sv(vec![
                ("Address", Value::from("fd00::2")),
                ("PrefixLength", Value::U8(64)),
            ]),
        )
        .unwrap();
        assert_eq!(v2.ipv6.prefix_length, Some(64));
        v2.apply("IPv6", &sv(vec![("PrefixLength", Value::from("48"))]))
            .unwrap();
        assert_eq!(v2.ipv6.prefix_length, Some(48));
        assert!(v2
            .apply("IPv6", &sv(vec![("PrefixLength", Value::from("x"))]))
            .is_err());
        assert_eq!(v2.ipv6.prefix_length, None);
    }

    #[test]
    fn vpn_routes_survive_odd_shapes() {
        let mut v = VpnConnectionProps::default();
        // bare dicts instead of structs
        let mut array = Array::new(&Signature::dict(Signature::Str, Signature::Variant));
        array
            .append(sv(vec![
                ("Network", Value::from("10.1.0.0")),
                ("Netmask", Value::from("255.255.0.0")),
            ]))
            .unwrap();
        v.apply("UserRoutes", &Value::Array(array)).unwrap();
        assert_eq!(v.user_routes.len(), 1);
        assert_eq!(v.user_routes[0].protocol_family, None);
        // a route without netmask is dropped, like connman-vpnd does
        v.apply(
            "UserRoutes",
            &routes(vec![route(Some(4), "10.2.0.0", "255.255.0.0", None)]),
        )
        .unwrap();
        let mut no_mask = Array::new(&Signature::dict(Signature::Str, Signature::Variant));
        no_mask
            .append(sv(vec![("Network", Value::from("10.3.0.0"))]))
            .unwrap();
        v.apply("ServerRoutes", &Value::Array(no_mask)).unwrap();
        assert!(v.server_routes.is_empty());
        // wrong element type
        let issue = v.apply("ServerRoutes", &strs(&["10.0.0.0/8"])).unwrap_err();
        assert_eq!(issue.field.as_deref(), Some("[0]"));
        // wrong field type
        let bad = Value::Structure(
            StructureBuilder::new()
                .append_field(sv(vec![
                    ("Network", Value::from("10.4.0.0")),
                    ("Netmask", Value::from("255.255.0.0")),
                    ("ProtocolFamily", Value::from("4")),
                ]))
                .build()
                .unwrap(),
        );
        let issue = v.apply("ServerRoutes", &routes(vec![bad])).unwrap_err();
        assert_eq!(issue.field.as_deref(), Some("[0].ProtocolFamily"));
        assert_eq!(v.server_routes.len(), 1);
        // not an array at all: old value kept
        let before = v.clone();
        assert!(v
            .apply("UserRoutes", &Value::from("x"))
            .unwrap_err()
            .kept_old_value());
        assert_eq!(v, before);
    }
}

/// `UserRoutes` as connman-vpnd reads it: `a(a{sv})`, each route a struct
/// of one dict with `ProtocolFamily` (`i`), `Network`, `Netmask` and
/// `Gateway` (strings).
pub fn routes_value(routes: &[Route]) -> Value<'static> {
    use zbus::zvariant::{Array, Dict, Signature, StructureBuilder};
    let element: Signature = "(a{sv})".parse().unwrap_or(Signature::Variant);
    let mut array = Array::new(&element);
    for r in routes {
        let mut dict = Dict::new(&Signature::Str, &Signature::Variant);
        let mut entry = |k: &str, v: Value<'static>| {
            let _ = dict.append(Value::from(k.to_owned()), Value::Value(Box::new(v)));
        };
        if let Some(f) = r.protocol_family {
            entry("ProtocolFamily", Value::I32(f));
        }
        entry("Network", Value::from(r.network.clone()));
        entry("Netmask", Value::from(r.netmask.clone()));
        if let Some(g) = &r.gateway {
            entry("Gateway", Value::from(g.clone()));
        }
        if let Ok(s) = StructureBuilder::new()
            .append_field(Value::Dict(dict))
            .build()
        {
            let _ = array.append(Value::Structure(s));
        }
    }
    Value::Array(array)
}

#[cfg(test)]
mod routes_tests {
    use super::*;

    #[test]
    fn routes_go_as_connman_vpnd_reads_them_and_read_back() {
        let routes = vec![Route {
            protocol_family: Some(4),
            network: "10.99.0.0".into(),
            netmask: "255.255.0.0".into(),
            gateway: None,
        }];
        let value = routes_value(&routes);
        assert_eq!(value.value_signature().to_string(), "a(a{sv})");
        let (read, issue) = parse_routes("UserRoutes", &value).unwrap();
        assert_eq!(issue, None);
        assert_eq!(read, routes);
    }
}
