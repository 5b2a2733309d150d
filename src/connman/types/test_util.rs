//! Builders shared by the unit tests of the types modules (values the way connmand sends
//! them), and the fuzz tests that cross the read and the write side.

// What every types test needs, for one `use test_util::*`.
pub(super) use super::read::*;
pub(super) use super::*;
pub(super) use std::collections::{BTreeMap, HashMap};
pub(super) use zbus::zvariant::{
    serialized::Context, to_bytes, Array, Dict, OwnedValue, Signature, StructureBuilder, Value, LE,
};

// ----- building values the way connmand sends them -------------------------------------

/// A nested `a{sv}` dict.
pub(super) fn sv(entries: Vec<(&str, Value<'static>)>) -> Value<'static> {
    let mut dict = Dict::new(&Signature::Str, &Signature::Variant);
    for (k, v) in entries {
        dict.append(Value::from(k.to_owned()), Value::Value(Box::new(v)))
            .unwrap();
    }
    Value::Dict(dict)
}

pub(super) fn strs(list: &[&str]) -> Value<'static> {
    Value::from(list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}

/// Serializes a top-level `a{sv}` and decodes it as zbus hands it to a proxy.
pub(super) fn wire(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
    let map: HashMap<String, Value<'static>> = entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let ctxt = Context::new_dbus(LE, 0);
    let data = to_bytes(ctxt, &map).unwrap();
    data.deserialize::<HashMap<String, OwnedValue>>().unwrap().0
}

/// A value sent as the `v` argument of `SetProperty` and read back as the receiver sees it.
pub(super) fn over_wire(value: &Value<'_>) -> OwnedValue {
    let ctxt = Context::new_dbus(LE, 0);
    let data = to_bytes(ctxt, value).unwrap();
    data.deserialize::<OwnedValue>().unwrap().0
}

/// For an `a{sv}` value: each key with the signature of its (unwrapped) value.
pub(super) fn entry_signatures(value: &Value<'_>) -> BTreeMap<String, String> {
    let Value::Dict(dict) = peel(value) else {
        panic!("not a dict: {value:?}");
    };
    assert_eq!(dict.signature().to_string(), "a{sv}");
    dict.iter()
        .map(|(k, v)| {
            let Value::Str(k) = k else {
                panic!("key {k:?}")
            };
            let Value::Value(inner) = v else {
                panic!("value not in a variant: {v:?}")
            };
            (k.as_str().to_owned(), inner.value_signature().to_string())
        })
        .collect()
}

pub(super) fn entry_str(value: &Value<'_>, key: &str) -> String {
    let entries = want_dict(value).unwrap();
    let (_, v) = entries.iter().find(|(k, _)| *k == key).unwrap();
    want_str(v).unwrap().to_owned()
}

pub(super) const HOSTILE: &[&str] = &[
    "<b>&_Café</b>",
    "\u{202E}evil\u{202C}.exe",
    "\u{FFFD}\u{FFFD}net\u{FFFD}",
    "",
    " spaced ",
    "__mnemonic&&",
    "漢字😀",
    "\"quoted' \\",
];

pub(super) fn wifi_entries() -> Vec<(&'static str, Value<'static>)> {
    vec![
        ("Type", Value::from("wifi")),
        ("Security", strs(&["psk", "wps"])),
        ("State", Value::from("online")),
        ("Strength", Value::U8(73)),
        ("Favorite", Value::Bool(true)),
        ("Immutable", Value::Bool(false)),
        ("AutoConnect", Value::Bool(true)),
        ("Name", Value::from("Lab PSK")),
        (
            "Ethernet",
            sv(vec![
                ("Method", Value::from("auto")),
                ("Interface", Value::from("wlan0")),
                ("Address", Value::from("02:00:00:00:01:00")),
                ("MTU", Value::U16(1500)),
            ]),
        ),
        (
            "IPv4",
            sv(vec![
                ("Method", Value::from("dhcp")),
                ("Address", Value::from("10.77.2.57")),
                ("Netmask", Value::from("255.255.255.0")),
                ("Gateway", Value::from("10.77.2.1")),
            ]),
        ),
        (
            "IPv4.Configuration",
            sv(vec![("Method", Value::from("dhcp"))]),
        ),
        (
            "IPv6",
            sv(vec![
                ("Method", Value::from("auto")),
                ("Address", Value::from("fd00:77:2::39")),
                ("PrefixLength", Value::U8(64)),
                ("Privacy", Value::from("prefered")),
            ]),
        ),
        (
            "IPv6.Configuration",
            sv(vec![
                ("Method", Value::from("auto")),
                ("Privacy", Value::from("prefered")),
            ]),
        ),
        ("Nameservers", strs(&["10.77.2.1"])),
        ("Nameservers.Configuration", strs(&[])),
        ("Timeservers", strs(&["10.77.2.1"])),
        ("Timeservers.Configuration", strs(&[])),
        ("Domains", strs(&["lab"])),
        ("Domains.Configuration", strs(&[])),
        ("Proxy", sv(vec![("Method", Value::from("direct"))])),
        ("Proxy.Configuration", sv(vec![])),
        ("mDNS", Value::Bool(false)),
        ("mDNS.Configuration", Value::Bool(false)),
        ("Provider", sv(vec![])),
        (
            "LastAddressConflict",
            sv(vec![
                ("IPv4", sv(vec![("Address", Value::from("0.0.0.0"))])),
                (
                    "Ethernet",
                    sv(vec![("Address", Value::from("00:00:00:00:00:00"))]),
                ),
                ("Timestamp", Value::I64(0)),
                ("Resolved", Value::Bool(true)),
            ]),
        ),
    ]
}

pub(super) fn ethernet_entries() -> Vec<(&'static str, Value<'static>)> {
    vec![
        ("Type", Value::from("ethernet")),
        ("Security", strs(&[])),
        ("State", Value::from("ready")),
        ("Favorite", Value::Bool(true)),
        ("Immutable", Value::Bool(false)),
        ("AutoConnect", Value::Bool(true)),
        ("Name", Value::from("Wired")),
        (
            "Ethernet",
            sv(vec![
                ("Method", Value::from("auto")),
                ("Interface", Value::from("eth0")),
                ("Address", Value::from("52:54:00:12:34:56")),
                ("MTU", Value::U16(1500)),
            ]),
        ),
        (
            "IPv4",
            sv(vec![
                ("Method", Value::from("dhcp")),
                ("Address", Value::from("10.77.1.23")),
                ("Netmask", Value::from("255.255.255.0")),
                ("Gateway", Value::from("10.77.1.1")),
            ]),
        ),
        (
            "IPv4.Configuration",
            sv(vec![("Method", Value::from("dhcp"))]),
        ),
        ("IPv6", sv(vec![])),
        (
            "IPv6.Configuration",
            sv(vec![
                ("Method", Value::from("auto")),
                ("Privacy", Value::from("disabled")),
            ]),
        ),
        ("Nameservers", strs(&["10.77.1.1"])),
        ("Nameservers.Configuration", strs(&[])),
        ("Timeservers", strs(&[])),
        ("Timeservers.Configuration", strs(&[])),
        ("Domains", strs(&[])),
        ("Domains.Configuration", strs(&[])),
        (
            "Proxy",
            sv(vec![
                ("Method", Value::from("manual")),
                ("Servers", strs(&["proxy.lab:3128"])),
                ("Excludes", strs(&["localhost", "10.0.0.0/8"])),
            ]),
        ),
        (
            "Proxy.Configuration",
            sv(vec![
                ("Method", Value::from("manual")),
                ("Servers", strs(&["proxy.lab:3128"])),
                ("Excludes", strs(&["localhost", "10.0.0.0/8"])),
            ]),
        ),
        ("mDNS", Value::Bool(false)),
        ("mDNS.Configuration", Value::Bool(false)),
        ("Provider", sv(vec![])),
    ]
}

pub(super) fn wifi() -> ServiceProps {
    let (props, issues) = ServiceProps::from_dict(&wire(wifi_entries()));
    assert!(issues.is_empty(), "{issues:?}");
    props
}

pub(super) fn route(
    family: Option<i32>,
    network: &str,
    netmask: &str,
    gateway: Option<&str>,
) -> Value<'static> {
    let mut entries = vec![
        ("Network", Value::from(network.to_owned())),
        ("Netmask", Value::from(netmask.to_owned())),
    ];
    if let Some(f) = family {
        entries.push(("ProtocolFamily", Value::I32(f)));
    }
    if let Some(g) = gateway {
        entries.push(("Gateway", Value::from(g.to_owned())));
    }
    Value::Structure(
        StructureBuilder::new()
            .append_field(sv(entries))
            .build()
            .unwrap(),
    )
}

pub(super) fn routes(items: Vec<Value<'static>>) -> Value<'static> {
    let sig = items
        .first()
        .map(|v| v.value_signature().clone())
        .unwrap_or_else(|| route(None, "a", "b", None).value_signature().clone());
    let mut array = Array::new(&sig);
    for item in items {
        array.append(item).unwrap();
    }
    Value::Array(array)
}

// ----- fuzz ---------------------------------------------------------------------------------

pub(super) struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub(super) const SERVICE_NAMES: &[&str] = &[
    "State",
    "Error",
    "Name",
    "Type",
    "Security",
    "Strength",
    "Favorite",
    "Immutable",
    "AutoConnect",
    "Roaming",
    "IPv4",
    "IPv4.Configuration",
    "IPv6",
    "IPv6.Configuration",
    "Nameservers",
    "Nameservers.Configuration",
    "Timeservers",
    "Timeservers.Configuration",
    "Domains",
    "Domains.Configuration",
    "Proxy",
    "Proxy.Configuration",
    "Provider",
    "Ethernet",
    "mDNS",
    "mDNS.Configuration",
    "LastAddressConflict",
];

pub(super) const OTHER_NAMES: &[&str] = &[
    "Method",
    "Address",
    "Netmask",
    "Gateway",
    "PrefixLength",
    "Privacy",
    "Interface",
    "MTU",
    "URL",
    "Servers",
    "Excludes",
    "Host",
    "Domain",
    "Timestamp",
    "Resolved",
    "ProtocolFamily",
    "Network",
    "Peer",
    "Index",
    "SplitRouting",
    "UserRoutes",
    "ServerRoutes",
    "Powered",
    "TetheringFreq",
    "Time",
    "OfflineMode",
    "Bogus",
    "",
    "ipv4",
];

pub(super) fn random_name(rng: &mut XorShift) -> &'static str {
    if rng.below(3) == 0 {
        OTHER_NAMES[rng.below(OTHER_NAMES.len())]
    } else {
        SERVICE_NAMES[rng.below(SERVICE_NAMES.len())]
    }
}

pub(super) fn random_string(rng: &mut XorShift) -> String {
    if rng.below(4) == 0 {
        return HOSTILE[rng.below(HOSTILE.len())].to_owned();
    }
    const CHARS: &[char] = &[
        'a', 'Z', '0', '9', '.', ':', '/', '-', '_', '<', '&', '%', ' ', 'é', '漢', '😀',
        '\u{FFFD}', '\u{202E}', '\u{200B}', '\n',
    ];
    let len = rng.below(12);
    (0..len).map(|_| CHARS[rng.below(CHARS.len())]).collect()
}

pub(super) fn random_sv(rng: &mut XorShift, depth: u32) -> Value<'static> {
    let mut dict = Dict::new(&Signature::Str, &Signature::Variant);
    for _ in 0..rng.below(5) {
        let key = random_name(rng).to_owned();
        let value = random_value(rng, depth);
        dict.append(Value::from(key), Value::Value(Box::new(value)))
            .unwrap();
    }
    Value::Dict(dict)
}

pub(super) fn random_value(rng: &mut XorShift, depth: u32) -> Value<'static> {
    let kinds = if depth == 0 { 10 } else { 17 };
    let next = depth.saturating_sub(1);
    match rng.below(kinds) {
        0 => Value::U8(rng.next() as u8),
        1 => Value::Bool(rng.below(2) == 0),
        2 => Value::I16(rng.next() as i16),
        3 => Value::U16(rng.next() as u16),
        4 => Value::I32(rng.next() as i32),
        5 => Value::U32(rng.next() as u32),
        6 => Value::I64(rng.next() as i64),
        7 => Value::U64(rng.next()),
        8 => Value::F64(f64::from_bits(rng.next())),
        9 => Value::from(random_string(rng)),
        10 => Value::Value(Box::new(random_value(rng, next))),
        11 => Value::from(
            (0..rng.below(4))
                .map(|_| random_string(rng))
                .collect::<Vec<_>>(),
        ),
        12 => {
            let mut array = Array::new(&Signature::Variant);
            for _ in 0..rng.below(4) {
                array
                    .append(Value::Value(Box::new(random_value(rng, next))))
                    .unwrap();
            }
            Value::Array(array)
        }
        13 | 14 => random_sv(rng, next),
        15 => {
            let mut builder = StructureBuilder::new();
            for _ in 0..=rng.below(3) {
                builder = builder.append_field(random_value(rng, next));
            }
            Value::Structure(builder.build().unwrap())
        }
        _ => {
            // a(a{sv}) like routes, or a{iv}
            if rng.below(2) == 0 {
                let items: Vec<Value<'static>> = (0..=rng.below(3))
                    .map(|_| {
                        Value::Structure(
                            StructureBuilder::new()
                                .append_field(random_sv(rng, next))
                                .build()
                                .unwrap(),
                        )
                    })
                    .collect();
                routes(items)
            } else {
                let mut dict = Dict::new(&Signature::I32, &Signature::Variant);
                dict.append(
                    Value::I32(rng.next() as i32),
                    Value::Value(Box::new(random_value(rng, next))),
                )
                .unwrap();
                Value::Dict(dict)
            }
        }
    }
}

/// `props` with the field behind `name` reset, to compare everything else.
pub(super) fn without(props: &ServiceProps, name: &str) -> ServiceProps {
    let mut p = props.clone();
    match name {
        "State" => p.state = Default::default(),
        "Error" => p.error = None,
        "Name" => p.name = None,
        "Type" => p.type_ = Default::default(),
        "Security" => p.security.clear(),
        "Strength" => p.strength = None,
        "Favorite" => p.favorite = false,
        "Immutable" => p.immutable = false,
        "AutoConnect" => p.autoconnect = false,
        "Roaming" => p.roaming = false,
        "IPv4" => p.ipv4 = Default::default(),
        "IPv4.Configuration" => p.ipv4_config = Default::default(),
        "IPv6" => p.ipv6 = Default::default(),
        "IPv6.Configuration" => p.ipv6_config = Default::default(),
        "Nameservers" => p.nameservers.clear(),
        "Nameservers.Configuration" => p.nameservers_config.clear(),
        "Timeservers" => p.timeservers.clear(),
        "Timeservers.Configuration" => p.timeservers_config.clear(),
        "Domains" => p.domains.clear(),
        "Domains.Configuration" => p.domains_config.clear(),
        "Proxy" => p.proxy = Default::default(),
        "Proxy.Configuration" => p.proxy_config = Default::default(),
        "Provider" => p.provider = Default::default(),
        "Ethernet" => p.ethernet = Default::default(),
        "mDNS" => p.mdns = false,
        "mDNS.Configuration" => p.mdns_config = false,
        "LastAddressConflict" => p.last_address_conflict = None,
        other => {
            p.extra.remove(other);
        }
    }
    p
}

#[test]
pub(super) fn fuzz_apply_never_panics_and_never_touches_other_properties() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let base = wifi();
    for i in 0..4000 {
        let name = random_name(&mut rng);
        let value = random_value(&mut rng, 4);
        let mut props = base.clone();
        let result = props.apply(name, &value);
        assert_eq!(
            without(&props, name),
            without(&base, name),
            "iteration {i}: {name} = {value:?}"
        );
        if let Err(issue) = &result {
            assert_eq!(issue.property, name);
            if issue.kept_old_value() {
                assert_eq!(props, base, "iteration {i}: {issue}");
            }
            assert!(!issue.to_string().is_empty());
        }
        assert!(!matches!(props.strength, Some(s) if s > 100));
    }
}

#[test]
pub(super) fn fuzz_whole_dicts_for_every_object() {
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    for i in 0..3000 {
        let dict = random_sv(&mut rng, 3);
        let dict = if rng.below(8) == 0 {
            random_value(&mut rng, 3)
        } else {
            dict
        };

        let mut service = ServiceProps::default();
        let _ = service.update_from_value(&dict);
        // Keys absent from the dict stay at their defaults.
        let present: Vec<&str> = want_dict(&dict)
            .map(|e| e.iter().map(|(k, _)| *k).collect())
            .unwrap_or_default();
        let mut reset = service.clone();
        for name in &present {
            reset = without(&reset, name);
        }
        assert_eq!(reset, ServiceProps::default(), "iteration {i}");

        let mut tech = TechnologyProps::default();
        let _ = tech.update_from_value(&dict);
        let mut manager = ManagerProps::default();
        let _ = manager.update_from_value(&dict);
        let mut clock = ClockProps::default();
        let _ = clock.update_from_value(&dict);
        let mut vpn = VpnConnectionProps::default();
        let _ = vpn.update_from_value(&dict);
        for _ in 0..3 {
            let name = random_name(&mut rng);
            let value = random_value(&mut rng, 3);
            let _ = vpn.apply(name, &value);
            let _ = tech.apply(name, &value);
            let _ = clock.apply(name, &value);
        }
    }
}

#[test]
pub(super) fn fuzz_write_side_never_panics() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for _ in 0..3000 {
        let a = random_string(&mut rng);
        let b = random_string(&mut rng);
        let c = random_string(&mut rng);
        if let Ok(config) = Ipv4Config::manual_from_input(&a, &b, &c) {
            assert!(config.to_dict().is_ok());
        }
        if let Ok(config) = Ipv6Config::manual_from_input(&a, &b, &c) {
            assert!(config.to_dict().is_ok());
        }
        let list = split_list(&format!("{a} {b},{c}"));
        for setting in [
            ServiceSetting::Nameservers(list.clone()),
            ServiceSetting::Timeservers(list.clone()),
            ServiceSetting::Domains(list.clone()),
            ServiceSetting::Proxy(ProxyConfig::Auto {
                url: Some(a.clone()),
            }),
            ServiceSetting::Proxy(ProxyConfig::Manual {
                servers: list.clone(),
                excludes: vec![b.clone()],
            }),
        ] {
            if let Ok((_, value)) = setting.to_property() {
                // Whatever we send survives D-Bus serialization.
                let _ = over_wire(&value);
            }
        }
        let _ = TechnologySetting::TetheringIdentifier(a.clone()).to_property();
        let _ = ClockSetting::Timezone(b).to_property();
    }
}
