//! The read side: connmand's property dicts parsed leniently into typed values
//! (see the contract in [`super`]).

use std::collections::HashMap;
use std::fmt;

use zbus::zvariant::{OwnedValue, Value};

use super::enums::*;
use super::{netmask_to_prefix, strength_level};

// ---------------------------------------------------------------------------------------------
// Parse issues
// ---------------------------------------------------------------------------------------------

/// Something in a property dict that did not fit the model. Never fatal: see the module
/// documentation for what was kept. Meant to be logged once by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    /// The top-level property name, e.g. `IPv4`.
    pub property: String,
    /// The path inside a nested dict, e.g. `Address` or `IPv4.Address`; `None` when the
    /// property itself was at fault (and the old value was kept).
    pub field: Option<String>,
    pub kind: IssueKind,
}

/// What was wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// The D-Bus type was not the documented one. `expected`/`found` are D-Bus signatures.
    WrongType {
        expected: &'static str,
        found: String,
    },
    /// A number outside the documented range. For `Strength` the value was clamped and
    /// stored; elsewhere it was treated as absent.
    OutOfRange {
        value: String,
        expected: &'static str,
    },
}

impl ParseIssue {
    pub(super) fn new(property: &str, field: Option<String>, kind: IssueKind) -> Self {
        Self {
            property: property.to_owned(),
            field,
            kind,
        }
    }

    /// Whether the old value of the property was kept (rather than a partly or
    /// clamped new one stored).
    pub fn kept_old_value(&self) -> bool {
        self.field.is_none() && matches!(self.kind, IssueKind::WrongType { .. })
    }
}

impl fmt::Display for ParseIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.property)?;
        if let Some(field) = &self.field {
            write!(f, ".{field}")?;
        }
        match &self.kind {
            IssueKind::WrongType { expected, found } => {
                write!(f, ": expected type {expected}, got {found}")
            }
            IssueKind::OutOfRange { value, expected } => {
                write!(f, ": value {value} out of range {expected}")
            }
        }
    }
}

impl std::error::Error for ParseIssue {}

// ---------------------------------------------------------------------------------------------
// Value access (all total functions)
// ---------------------------------------------------------------------------------------------

/// Strips any number of `v` layers.
pub(super) fn peel<'v, 'a>(mut v: &'v Value<'a>) -> &'v Value<'a> {
    while let Value::Value(inner) = v {
        v = inner;
    }
    v
}

pub(super) fn wrong(expected: &'static str, found: &Value<'_>) -> IssueKind {
    IssueKind::WrongType {
        expected,
        found: found.value_signature().to_string(),
    }
}

pub(super) fn want_str<'v>(v: &'v Value<'_>) -> Result<&'v str, IssueKind> {
    match peel(v) {
        Value::Str(s) => Ok(s.as_str()),
        other => Err(wrong("s", other)),
    }
}

pub(super) fn want_bool(v: &Value<'_>) -> Result<bool, IssueKind> {
    match peel(v) {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong("b", other)),
    }
}

/// Any integer type; `expected` names the documented one for the issue.
pub(super) fn want_int(v: &Value<'_>, expected: &'static str) -> Result<i128, IssueKind> {
    Ok(match peel(v) {
        Value::U8(n) => i128::from(*n),
        Value::I16(n) => i128::from(*n),
        Value::U16(n) => i128::from(*n),
        Value::I32(n) => i128::from(*n),
        Value::U32(n) => i128::from(*n),
        Value::I64(n) => i128::from(*n),
        Value::U64(n) => i128::from(*n),
        other => return Err(wrong(expected, other)),
    })
}

/// An integer converted to `T`, range-checked.
pub(super) fn want_int_as<T: TryFrom<i128>>(
    v: &Value<'_>,
    expected: &'static str,
) -> Result<T, IssueKind> {
    let n = want_int(v, expected)?;
    T::try_from(n).map_err(|_| IssueKind::OutOfRange {
        value: n.to_string(),
        expected,
    })
}

/// `as`, also accepting `av` whose items are strings.
pub(super) fn want_strings(v: &Value<'_>) -> Result<Vec<String>, IssueKind> {
    match peel(v) {
        Value::Array(array) => array
            .inner()
            .iter()
            .map(|item| match peel(item) {
                Value::Str(s) => Ok(s.as_str().to_owned()),
                _ => Err(wrong("as", peel(v))),
            })
            .collect(),
        other => Err(wrong("as", other)),
    }
}

/// `a{sv}` (or any dict with string keys) as a list of `(key, unwrapped value)`.
pub(super) fn want_dict<'v, 'a>(
    v: &'v Value<'a>,
) -> Result<Vec<(&'v str, &'v Value<'a>)>, IssueKind> {
    match peel(v) {
        Value::Dict(dict) => dict
            .iter()
            .map(|(k, item)| match peel(k) {
                Value::Str(s) => Ok((s.as_str(), peel(item))),
                _ => Err(wrong("a{sv}", peel(v))),
            })
            .collect(),
        other => Err(wrong("a{sv}", other)),
    }
}

/// Reads the fields of a nested dict, remembering the first field that did not fit.
pub(super) struct Fields<'v, 'a> {
    entries: Vec<(&'v str, &'v Value<'a>)>,
    pub(super) issue: Option<(String, IssueKind)>,
}

impl<'v, 'a> Fields<'v, 'a> {
    pub(super) fn new(v: &'v Value<'a>) -> Result<Self, IssueKind> {
        Ok(Self {
            entries: want_dict(v)?,
            issue: None,
        })
    }

    pub(super) fn get(&self, key: &str) -> Option<&'v Value<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, value)| *value)
    }

    pub(super) fn note(&mut self, key: &str, kind: IssueKind) {
        if self.issue.is_none() {
            self.issue = Some((key.to_owned(), kind));
        }
    }

    pub(super) fn read<T>(
        &mut self,
        key: &str,
        f: impl FnOnce(&Value<'a>) -> Result<T, IssueKind>,
    ) -> Option<T> {
        let value = self.get(key)?;
        match f(value) {
            Ok(t) => Some(t),
            Err(kind) => {
                self.note(key, kind);
                None
            }
        }
    }

    pub(super) fn string(&mut self, key: &str) -> Option<String> {
        self.read(key, |v| want_str(v).map(str::to_owned))
    }

    pub(super) fn boolean(&mut self, key: &str) -> Option<bool> {
        self.read(key, want_bool)
    }

    pub(super) fn strings(&mut self, key: &str) -> Vec<String> {
        self.read(key, want_strings).unwrap_or_default()
    }

    pub(super) fn int<T: TryFrom<i128>>(&mut self, key: &str, expected: &'static str) -> Option<T> {
        self.read(key, |v| want_int_as(v, expected))
    }

    /// A dict inside this dict; issues inside are reported as `key.field`.
    pub(super) fn dict<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&mut Fields<'_, '_>) -> T,
    ) -> Option<T> {
        let value = self.get(key)?;
        match Fields::new(value) {
            Ok(mut inner) => {
                let t = parse(&mut inner);
                if let Some((field, kind)) = inner.issue {
                    self.note(&format!("{key}.{field}"), kind);
                }
                Some(t)
            }
            Err(kind) => {
                self.note(key, kind);
                None
            }
        }
    }

    pub(super) fn finish(self, property: &str) -> Result<(), ParseIssue> {
        match self.issue {
            None => Ok(()),
            Some((field, kind)) => Err(ParseIssue::new(property, Some(field), kind)),
        }
    }
}

pub(super) fn at(name: &str) -> impl FnOnce(IssueKind) -> ParseIssue + '_ {
    move |kind| ParseIssue::new(name, None, kind)
}

pub(super) fn set_string(
    slot: &mut Option<String>,
    name: &str,
    v: &Value<'_>,
) -> Result<(), ParseIssue> {
    *slot = Some(want_str(v).map_err(at(name))?.to_owned());
    Ok(())
}

pub(super) fn set_bool(slot: &mut bool, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
    *slot = want_bool(v).map_err(at(name))?;
    Ok(())
}

pub(super) fn set_strings(
    slot: &mut Vec<String>,
    name: &str,
    v: &Value<'_>,
) -> Result<(), ParseIssue> {
    *slot = want_strings(v).map_err(at(name))?;
    Ok(())
}

pub(super) fn set_enum<E>(
    slot: &mut E,
    name: &str,
    v: &Value<'_>,
    parse: fn(&str) -> E,
) -> Result<(), ParseIssue> {
    *slot = parse(want_str(v).map_err(at(name))?);
    Ok(())
}

/// Replaces `slot` with a parsed nested dict (fields that did not fit are absent).
pub(super) fn set_dict<T>(
    slot: &mut T,
    name: &str,
    v: &Value<'_>,
    parse: impl FnOnce(&mut Fields<'_, '_>) -> T,
) -> Result<(), ParseIssue> {
    let mut fields = Fields::new(v).map_err(at(name))?;
    *slot = parse(&mut fields);
    fields.finish(name)
}

pub(super) fn keep_extra(extra: &mut HashMap<String, OwnedValue>, name: &str, v: &Value<'_>) {
    // Only a value holding a file descriptor that cannot be duplicated fails here;
    // connmand sends none, and dropping it is the right answer anyway.
    if let Ok(owned) = OwnedValue::try_from(peel(v)) {
        extra.insert(name.to_owned(), owned);
    }
}

// ---------------------------------------------------------------------------------------------
// The PropertyDict trait
// ---------------------------------------------------------------------------------------------

/// A model of one connmand object's property dict.
pub trait PropertyDict: Default {
    /// Applies one property, from a dict (full or partial) or a `PropertyChanged` signal.
    /// On `Err` the issue says what was kept (see [`ParseIssue::kept_old_value`]); the
    /// caller logs it once. Never panics.
    fn apply(&mut self, name: &str, value: &Value<'_>) -> Result<(), ParseIssue>;

    /// Applies every entry of a (possibly partial) dict, e.g. from `ServicesChanged`.
    /// Issues come back sorted by property name.
    fn update_from_dict(&mut self, dict: &HashMap<String, OwnedValue>) -> Vec<ParseIssue> {
        let mut issues: Vec<ParseIssue> = dict
            .iter()
            .filter_map(|(name, value)| self.apply(name, value).err())
            .collect();
        issues.sort_by(|a, b| a.property.cmp(&b.property));
        issues
    }

    /// Builds the model from a full dict (`GetProperties`, `GetServices`, `TechnologyAdded`).
    fn from_dict(dict: &HashMap<String, OwnedValue>) -> (Self, Vec<ParseIssue>) {
        let mut props = Self::default();
        let issues = props.update_from_dict(dict);
        (props, issues)
    }

    /// Like [`PropertyDict::update_from_dict`], for a dict still inside a [`enum@Value`]. If the value
    /// is not a dict with string keys, nothing changes and one issue (property `""`) says so.
    fn update_from_value(&mut self, dict: &Value<'_>) -> Vec<ParseIssue> {
        match want_dict(dict) {
            Ok(entries) => {
                let mut issues: Vec<ParseIssue> = entries
                    .into_iter()
                    .filter_map(|(name, value)| self.apply(name, value).err())
                    .collect();
                issues.sort_by(|a, b| a.property.cmp(&b.property));
                issues
            }
            Err(kind) => vec![ParseIssue::new("", None, kind)],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Nested structs
// ---------------------------------------------------------------------------------------------

/// `IPv4` / `IPv4.Configuration`. An empty dict (service not connected) is all `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ipv4 {
    pub method: Option<Ipv4Method>,
    pub address: Option<String>,
    pub netmask: Option<String>,
    pub gateway: Option<String>,
}

impl Ipv4 {
    pub(super) fn parse(f: &mut Fields<'_, '_>) -> Self {
        Self {
            method: f.string("Method").map(|s| Ipv4Method::parse(&s)),
            address: f.string("Address"),
            netmask: f.string("Netmask"),
            gateway: f.string("Gateway"),
        }
    }

    /// The prefix length of `netmask` (`255.255.255.0` → 24), if it is a valid mask.
    pub fn prefix_length(&self) -> Option<u8> {
        self.netmask.as_deref().and_then(netmask_to_prefix)
    }

    /// `address/prefix` (e.g. `192.168.1.5/24`), or the bare address without a valid mask.
    pub fn cidr(&self) -> Option<String> {
        let address = self.address.as_deref()?;
        Some(match self.prefix_length() {
            Some(prefix) => format!("{address}/{prefix}"),
            None => address.to_owned(),
        })
    }
}

/// `IPv6` / `IPv6.Configuration`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ipv6 {
    pub method: Option<Ipv6Method>,
    pub address: Option<String>,
    /// A byte on the wire.
    pub prefix_length: Option<u8>,
    pub gateway: Option<String>,
    pub privacy: Option<Ipv6Privacy>,
}

impl Ipv6 {
    pub(super) fn parse(f: &mut Fields<'_, '_>) -> Self {
        Self {
            method: f.string("Method").map(|s| Ipv6Method::parse(&s)),
            address: f.string("Address"),
            prefix_length: f.int("PrefixLength", "y"),
            gateway: f.string("Gateway"),
            privacy: f.string("Privacy").map(|s| Ipv6Privacy::parse(&s)),
        }
    }

    /// `address/prefix`, or the bare address without a prefix length.
    pub fn cidr(&self) -> Option<String> {
        let address = self.address.as_deref()?;
        Some(match self.prefix_length {
            Some(prefix) => format!("{address}/{prefix}"),
            None => address.to_owned(),
        })
    }
}

/// `Proxy` / `Proxy.Configuration`. `Proxy` is an empty dict unless the service is connected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxy {
    pub method: Option<ProxyMethod>,
    /// PAC URL (method `auto`).
    pub url: Option<String>,
    /// Proxy URIs (method `manual`); one without a scheme is the generic proxy.
    pub servers: Vec<String>,
    /// Hosts reached directly (method `manual`).
    pub excludes: Vec<String>,
}

impl Proxy {
    pub(super) fn parse(f: &mut Fields<'_, '_>) -> Self {
        Self {
            method: f.string("Method").map(|s| ProxyMethod::parse(&s)),
            url: f.string("URL"),
            servers: f.strings("Servers"),
            excludes: f.strings("Excludes"),
        }
    }
}

/// `Ethernet`: the link under the service (wifi services have one too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ethernet {
    pub method: Option<EthernetMethod>,
    /// Interface name, e.g. `eth0`.
    pub interface: Option<String>,
    /// MAC address.
    pub address: Option<String>,
    /// A `q` (uint16) on the wire.
    pub mtu: Option<u16>,
}

impl Ethernet {
    pub(super) fn parse(f: &mut Fields<'_, '_>) -> Self {
        Self {
            method: f.string("Method").map(|s| EthernetMethod::parse(&s)),
            interface: f.string("Interface"),
            address: f.string("Address"),
            mtu: f.int("MTU", "q"),
        }
    }
}

/// `Provider` of a VPN service (empty unless the VPN is connected).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provider {
    pub host: Option<String>,
    pub domain: Option<String>,
    pub name: Option<String>,
    /// VPN type, e.g. `openvpn`.
    pub type_: Option<String>,
    /// Sent by newer connmand only.
    pub split_routing: Option<bool>,
}

impl Provider {
    pub(super) fn parse(f: &mut Fields<'_, '_>) -> Self {
        Self {
            host: f.string("Host"),
            domain: f.string("Domain"),
            name: f.string("Name"),
            type_: f.string("Type"),
            split_routing: f.boolean("SplitRouting"),
        }
    }
}

/// `LastAddressConflict` (IPv4 address conflict detection, connmand ≥ 1.38).
/// With no conflict connmand reports `0.0.0.0`, `00:00:00:00:00:00`, timestamp 0, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressConflict {
    /// `IPv4.Address`: the address that was in conflict.
    pub ipv4_address: Option<String>,
    /// `Ethernet.Address`: the MAC of the other host.
    pub ethernet_address: Option<String>,
    /// Microseconds since the epoch (`x`).
    pub timestamp: Option<i64>,
    /// `false` while the conflict stands.
    pub resolved: Option<bool>,
}

impl AddressConflict {
    pub(super) fn parse(f: &mut Fields<'_, '_>) -> Self {
        Self {
            ipv4_address: f.dict("IPv4", |g| g.string("Address")).flatten(),
            ethernet_address: f.dict("Ethernet", |g| g.string("Address")).flatten(),
            timestamp: f.int("Timestamp", "x"),
            resolved: f.boolean("Resolved"),
        }
    }

    /// Whether a conflict was seen and is not resolved.
    pub fn is_active(&self) -> bool {
        self.resolved == Some(false)
    }
}

// ---------------------------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------------------------

/// All properties of a `net.connman.Service`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceProps {
    pub state: ServiceState,
    /// `None` when absent or empty (connmand sends `""` when it clears the error).
    pub error: Option<ServiceError>,
    /// `None` for hidden wifi networks (and on some ethernet services).
    pub name: Option<String>,
    pub type_: ServiceType,
    pub security: Vec<Security>,
    /// 0–100. connmand omits it when 0 and for wired services.
    pub strength: Option<u8>,
    pub favorite: bool,
    pub immutable: bool,
    pub autoconnect: bool,
    pub roaming: bool,
    pub ipv4: Ipv4,
    pub ipv4_config: Ipv4,
    pub ipv6: Ipv6,
    pub ipv6_config: Ipv6,
    pub nameservers: Vec<String>,
    pub nameservers_config: Vec<String>,
    pub timeservers: Vec<String>,
    pub timeservers_config: Vec<String>,
    pub domains: Vec<String>,
    pub domains_config: Vec<String>,
    pub proxy: Proxy,
    pub proxy_config: Proxy,
    pub provider: Provider,
    pub ethernet: Ethernet,
    pub mdns: bool,
    pub mdns_config: bool,
    pub last_address_conflict: Option<AddressConflict>,
    /// Properties this version does not know, as sent.
    pub extra: HashMap<String, OwnedValue>,
}

impl PropertyDict for ServiceProps {
    fn apply(&mut self, name: &str, value: &Value<'_>) -> Result<(), ParseIssue> {
        let v = value;
        match name {
            "State" => set_enum(&mut self.state, name, v, ServiceState::parse),
            "Error" => {
                let s = want_str(v).map_err(at(name))?;
                self.error = (!s.is_empty()).then(|| ServiceError::parse(s));
                Ok(())
            }
            "Name" => set_string(&mut self.name, name, v),
            "Type" => set_enum(&mut self.type_, name, v, ServiceType::parse),
            "Security" => {
                let list = want_strings(v).map_err(at(name))?;
                self.security = list.iter().map(|s| Security::parse(s)).collect();
                Ok(())
            }
            "Strength" => {
                let n = want_int(v, "y").map_err(at(name))?;
                let clamped = n.clamp(0, 100);
                self.strength = Some(u8::try_from(clamped).unwrap_or(100));
                if clamped == n {
                    Ok(())
                } else {
                    Err(ParseIssue::new(
                        name,
                        None,
                        IssueKind::OutOfRange {
                            value: n.to_string(),
                            expected: "0..=100",
                        },
                    ))
                }
            }
            "Favorite" => set_bool(&mut self.favorite, name, v),
            "Immutable" => set_bool(&mut self.immutable, name, v),
            "AutoConnect" => set_bool(&mut self.autoconnect, name, v),
            "Roaming" => set_bool(&mut self.roaming, name, v),
            "IPv4" => set_dict(&mut self.ipv4, name, v, Ipv4::parse),
            "IPv4.Configuration" => set_dict(&mut self.ipv4_config, name, v, Ipv4::parse),
            "IPv6" => set_dict(&mut self.ipv6, name, v, Ipv6::parse),
            "IPv6.Configuration" => set_dict(&mut self.ipv6_config, name, v, Ipv6::parse),
            "Nameservers" => set_strings(&mut self.nameservers, name, v),
            "Nameservers.Configuration" => set_strings(&mut self.nameservers_config, name, v),
            "Timeservers" => set_strings(&mut self.timeservers, name, v),
            "Timeservers.Configuration" => set_strings(&mut self.timeservers_config, name, v),
            "Domains" => set_strings(&mut self.domains, name, v),
            "Domains.Configuration" => set_strings(&mut self.domains_config, name, v),
            "Proxy" => set_dict(&mut self.proxy, name, v, Proxy::parse),
            "Proxy.Configuration" => set_dict(&mut self.proxy_config, name, v, Proxy::parse),
            "Provider" => set_dict(&mut self.provider, name, v, Provider::parse),
            "Ethernet" => set_dict(&mut self.ethernet, name, v, Ethernet::parse),
            "mDNS" => set_bool(&mut self.mdns, name, v),
            "mDNS.Configuration" => set_bool(&mut self.mdns_config, name, v),
            "LastAddressConflict" => {
                let mut fields = Fields::new(v).map_err(at(name))?;
                self.last_address_conflict = Some(AddressConflict::parse(&mut fields));
                fields.finish(name)
            }
            _ => {
                keep_extra(&mut self.extra, name, v);
                Ok(())
            }
        }
    }
}

impl ServiceProps {
    /// A wifi service without a name: connmand's entry for hidden networks.
    pub fn is_hidden(&self) -> bool {
        self.type_ == ServiceType::Wifi && self.name.is_none()
    }

    /// `ready` or `online`.
    pub fn is_connected(&self) -> bool {
        self.state.is_connected()
    }

    /// `association` or `configuration`.
    pub fn is_connecting(&self) -> bool {
        self.state.is_connecting()
    }

    /// The error, but only while the state is `failure` (elsewhere it is stale).
    pub fn current_error(&self) -> Option<&ServiceError> {
        if self.state.is_failure() {
            self.error.as_ref()
        } else {
            None
        }
    }

    /// The protection of the network, ignoring `wps`/`wps_advertising`:
    /// `ieee8021x` > `psk` > `wep` > `none` (an unknown value counts after `psk`).
    pub fn primary_security(&self) -> Security {
        let rank = |s: &Security| match s {
            Security::Ieee8021x => 5,
            Security::Psk => 4,
            Security::Unknown(_) => 3,
            Security::Wep => 2,
            Security::None => 1,
            Security::Wps | Security::WpsAdvertising => 0,
        };
        self.security
            .iter()
            .filter(|s| !s.is_wps())
            .max_by_key(|s| rank(s))
            .cloned()
            .unwrap_or(Security::None)
    }

    /// Whether joining needs a secret or credentials.
    pub fn is_secured(&self) -> bool {
        self.primary_security() != Security::None
    }

    /// Whether the access point is advertising WPS push-button right now.
    pub fn wps_advertising(&self) -> bool {
        self.security.contains(&Security::WpsAdvertising)
    }

    /// [`strength_level`] of the strength, for services that have one.
    pub fn signal_level(&self) -> Option<u8> {
        self.strength.map(strength_level)
    }
}

// ---------------------------------------------------------------------------------------------
// Technology, Manager, Clock
// ---------------------------------------------------------------------------------------------

/// All properties of a `net.connman.Technology`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TechnologyProps {
    /// connmand's English name, e.g. `WiFi` (translate by `type_` instead).
    pub name: Option<String>,
    pub type_: TechnologyType,
    pub powered: bool,
    pub connected: bool,
    pub tethering: bool,
    /// Hotspot SSID (wifi only).
    pub tethering_identifier: Option<String>,
    /// Hotspot passphrase (wifi only; readable, unlike client passphrases).
    pub tethering_passphrase: Option<String>,
    /// Hotspot frequency in MHz (`i`); 0 or absent means connmand's default (2412).
    pub tethering_freq: Option<i32>,
    pub extra: HashMap<String, OwnedValue>,
}

impl PropertyDict for TechnologyProps {
    fn apply(&mut self, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
        match name {
            "Name" => set_string(&mut self.name, name, v),
            "Type" => set_enum(&mut self.type_, name, v, ServiceType::parse),
            "Powered" => set_bool(&mut self.powered, name, v),
            "Connected" => set_bool(&mut self.connected, name, v),
            "Tethering" => set_bool(&mut self.tethering, name, v),
            "TetheringIdentifier" => set_string(&mut self.tethering_identifier, name, v),
            "TetheringPassphrase" => set_string(&mut self.tethering_passphrase, name, v),
            "TetheringFreq" => {
                self.tethering_freq = Some(want_int_as(v, "i").map_err(at(name))?);
                Ok(())
            }
            _ => {
                keep_extra(&mut self.extra, name, v);
                Ok(())
            }
        }
    }
}

/// Properties of `net.connman.Manager`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManagerProps {
    pub state: ManagerState,
    pub offline_mode: bool,
    /// Deprecated, without effect; kept because connmand still sends it.
    pub session_mode: bool,
    /// E.g. `Ipv4StatusUrl`, `Ipv6StatusUrl` on newer versions.
    pub extra: HashMap<String, OwnedValue>,
}

impl PropertyDict for ManagerProps {
    fn apply(&mut self, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
        match name {
            "State" => set_enum(&mut self.state, name, v, ManagerState::parse),
            "OfflineMode" => set_bool(&mut self.offline_mode, name, v),
            "SessionMode" => set_bool(&mut self.session_mode, name, v),
            _ => {
                keep_extra(&mut self.extra, name, v);
                Ok(())
            }
        }
    }
}

/// Properties of `net.connman.Clock` (experimental upstream: may be absent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClockProps {
    /// Seconds since the epoch (`t`), as of when connmand sent it.
    pub time: Option<u64>,
    pub time_updates: Option<UpdatePolicy>,
    /// E.g. `Europe/Berlin`.
    pub timezone: Option<String>,
    pub timezone_updates: Option<UpdatePolicy>,
    /// Global NTP servers.
    pub timeservers: Vec<String>,
    pub timeserver_synced: bool,
    pub extra: HashMap<String, OwnedValue>,
}

impl PropertyDict for ClockProps {
    fn apply(&mut self, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
        match name {
            "Time" => {
                self.time = Some(want_int_as(v, "t").map_err(at(name))?);
                Ok(())
            }
            "TimeUpdates" => {
                self.time_updates = Some(UpdatePolicy::parse(want_str(v).map_err(at(name))?));
                Ok(())
            }
            "Timezone" => set_string(&mut self.timezone, name, v),
            "TimezoneUpdates" => {
                self.timezone_updates = Some(UpdatePolicy::parse(want_str(v).map_err(at(name))?));
                Ok(())
            }
            "Timeservers" => set_strings(&mut self.timeservers, name, v),
            "TimeserverSynced" => set_bool(&mut self.timeserver_synced, name, v),
            _ => {
                keep_extra(&mut self.extra, name, v);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::test_util::*;

    // ----- reading ----------------------------------------------------------------------------

    #[test]
    fn parses_a_full_wifi_psk_service() {
        let s = wifi();
        assert_eq!(s.type_, ServiceType::Wifi);
        assert_eq!(s.security, vec![Security::Psk, Security::Wps]);
        assert_eq!(s.state, ServiceState::Online);
        assert!(s.is_connected() && !s.is_connecting());
        assert_eq!(s.strength, Some(73));
        assert_eq!(s.signal_level(), Some(3));
        assert!(s.favorite && s.autoconnect && !s.immutable && !s.roaming);
        assert_eq!(s.name.as_deref(), Some("Lab PSK"));
        assert!(!s.is_hidden());
        assert_eq!(s.error, None);
        assert_eq!(
            s.ethernet,
            Ethernet {
                method: Some(EthernetMethod::Auto),
                interface: Some("wlan0".into()),
                address: Some("02:00:00:00:01:00".into()),
                mtu: Some(1500),
            }
        );
        assert_eq!(
            s.ipv4,
            Ipv4 {
                method: Some(Ipv4Method::Dhcp),
                address: Some("10.77.2.57".into()),
                netmask: Some("255.255.255.0".into()),
                gateway: Some("10.77.2.1".into()),
            }
        );
        assert_eq!(s.ipv4.cidr().as_deref(), Some("10.77.2.57/24"));
        assert_eq!(s.ipv4_config.method, Some(Ipv4Method::Dhcp));
        assert_eq!(s.ipv4_config.address, None);
        assert_eq!(s.ipv6.prefix_length, Some(64));
        assert_eq!(s.ipv6.privacy, Some(Ipv6Privacy::Prefered));
        assert_eq!(s.ipv6.cidr().as_deref(), Some("fd00:77:2::39/64"));
        assert_eq!(s.ipv6_config.method, Some(Ipv6Method::Auto));
        assert_eq!(s.nameservers, vec!["10.77.2.1"]);
        assert!(s.nameservers_config.is_empty());
        assert_eq!(s.timeservers, vec!["10.77.2.1"]);
        assert_eq!(s.domains, vec!["lab"]);
        assert_eq!(s.proxy.method, Some(ProxyMethod::Direct));
        assert_eq!(s.proxy_config, Proxy::default());
        assert_eq!(s.provider, Provider::default());
        assert!(!s.mdns && !s.mdns_config);
        let conflict = s.last_address_conflict.clone().unwrap();
        assert_eq!(conflict.ipv4_address.as_deref(), Some("0.0.0.0"));
        assert_eq!(
            conflict.ethernet_address.as_deref(),
            Some("00:00:00:00:00:00")
        );
        assert_eq!(conflict.timestamp, Some(0));
        assert!(!conflict.is_active());
        assert!(s.extra.is_empty());
        assert_eq!(s.primary_security(), Security::Psk);
        assert!(s.is_secured() && !s.wps_advertising());
    }

    #[test]
    fn parses_a_full_ethernet_service() {
        let (s, issues) = ServiceProps::from_dict(&wire(ethernet_entries()));
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(s.type_, ServiceType::Ethernet);
        assert_eq!(s.state, ServiceState::Ready);
        assert!(s.security.is_empty());
        assert_eq!(s.primary_security(), Security::None);
        assert!(!s.is_secured());
        assert_eq!(s.strength, None);
        assert_eq!(s.signal_level(), None);
        assert_eq!(s.name.as_deref(), Some("Wired"));
        assert_eq!(s.ethernet.interface.as_deref(), Some("eth0"));
        assert_eq!(s.ipv6, Ipv6::default());
        assert_eq!(s.ipv6_config.privacy, Some(Ipv6Privacy::Disabled));
        assert_eq!(
            s.proxy,
            Proxy {
                method: Some(ProxyMethod::Manual),
                url: None,
                servers: vec!["proxy.lab:3128".into()],
                excludes: vec!["localhost".into(), "10.0.0.0/8".into()],
            }
        );
        assert_eq!(s.proxy, s.proxy_config);
        assert_eq!(s.last_address_conflict, None);
    }

    #[test]
    fn a_hidden_network_has_no_name() {
        let (s, issues) = ServiceProps::from_dict(&wire(vec![
            ("Type", Value::from("wifi")),
            ("Security", strs(&["psk"])),
            ("State", Value::from("idle")),
            ("Strength", Value::U8(40)),
        ]));
        assert!(issues.is_empty());
        assert!(s.is_hidden());
        assert_eq!(s.name, None);
    }

    #[test]
    fn partial_updates_touch_only_what_they_carry() {
        let before = wifi();
        let mut s = before.clone();
        assert!(s.update_from_dict(&wire(vec![])).is_empty());
        assert_eq!(s, before);

        let issues = s.update_from_dict(&wire(vec![
            ("State", Value::from("configuration")),
            ("Strength", Value::U8(41)),
        ]));
        assert!(issues.is_empty());
        assert_eq!(s.state, ServiceState::Configuration);
        assert!(s.is_connecting());
        assert_eq!(s.strength, Some(41));
        let mut expected = before.clone();
        expected.state = ServiceState::Configuration;
        expected.strength = Some(41);
        assert_eq!(s, expected);
    }

    #[test]
    fn property_changed_replaces_a_whole_nested_dict() {
        let mut s = wifi();
        // connmand sends the whole dict again; an empty one means "no address now".
        s.apply("IPv4", &sv(vec![])).unwrap();
        assert_eq!(s.ipv4, Ipv4::default());
        s.apply(
            "IPv4",
            &sv(vec![
                ("Method", Value::from("auto")),
                ("Address", Value::from("169.254.3.4")),
            ]),
        )
        .unwrap();
        assert_eq!(s.ipv4.method, Some(Ipv4Method::Auto));
        assert_eq!(s.ipv4.cidr().as_deref(), Some("169.254.3.4"));
    }

    #[test]
    fn error_is_cleared_by_an_empty_string_and_only_counts_in_failure() {
        let mut s = wifi();
        s.apply("Error", &Value::from("invalid-key")).unwrap();
        assert_eq!(s.error, Some(ServiceError::InvalidKey));
        assert_eq!(s.current_error(), None, "state is online");
        s.apply("State", &Value::from("failure")).unwrap();
        assert_eq!(s.current_error(), Some(&ServiceError::InvalidKey));
        s.apply("Error", &Value::from("")).unwrap();
        assert_eq!(s.error, None);
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        let mut s = wifi();
        s.apply("State", &Value::from("warping")).unwrap();
        assert_eq!(s.state, ServiceState::Unknown("warping".into()));
        assert!(!s.is_connected() && !s.is_connecting());
        s.apply("Type", &Value::from("lora")).unwrap();
        assert_eq!(s.type_.as_str(), "lora");
        s.apply("Security", &strs(&["sae", "psk", "wps_advertising"]))
            .unwrap();
        assert_eq!(
            s.security,
            vec![
                Security::Unknown("sae".into()),
                Security::Psk,
                Security::WpsAdvertising
            ]
        );
        assert_eq!(s.primary_security(), Security::Psk);
        assert!(s.wps_advertising());
        s.apply("Error", &Value::from("quantum-failure")).unwrap();
        assert_eq!(
            s.error,
            Some(ServiceError::Unknown("quantum-failure".into()))
        );
        s.apply("IPv4", &sv(vec![("Method", Value::from("bootp"))]))
            .unwrap();
        assert_eq!(s.ipv4.method, Some(Ipv4Method::Unknown("bootp".into())));
        s.apply("IPv6", &sv(vec![("Privacy", Value::from("sometimes"))]))
            .unwrap();
        assert_eq!(
            s.ipv6.privacy.as_ref().map(|p| p.as_str()),
            Some("sometimes")
        );
        s.apply("Security", &strs(&["wep", "sae"])).unwrap();
        assert_eq!(s.primary_security(), Security::Unknown("sae".into()));
    }

    #[test]
    fn enums_round_trip_their_spelling() {
        fn check<E: fmt::Display + PartialEq + fmt::Debug>(known: &[E], parse: fn(&str) -> E) {
            for e in known {
                assert_eq!(&parse(&e.to_string()), e);
            }
        }
        check(ServiceState::KNOWN, ServiceState::parse);
        check(ManagerState::KNOWN, ManagerState::parse);
        check(ServiceType::KNOWN, ServiceType::parse);
        check(Security::KNOWN, Security::parse);
        check(ServiceError::KNOWN, ServiceError::parse);
        check(Ipv4Method::KNOWN, Ipv4Method::parse);
        check(Ipv6Method::KNOWN, Ipv6Method::parse);
        check(Ipv6Privacy::KNOWN, Ipv6Privacy::parse);
        check(ProxyMethod::KNOWN, ProxyMethod::parse);
        check(EthernetMethod::KNOWN, EthernetMethod::parse);
        check(VpnState::KNOWN, VpnState::parse);
        check(UpdatePolicy::KNOWN, UpdatePolicy::parse);
        assert_eq!(Ipv6Privacy::parse("preferred"), Ipv6Privacy::Prefered);
        assert_eq!(Ipv6Privacy::Prefered.as_str(), "prefered");
        assert_eq!(Ipv6Method::SixToFour.as_str(), "6to4");
        assert_eq!(Security::WpsAdvertising.as_str(), "wps_advertising");
        assert_eq!(
            ServiceError::OnlineCheckFailed.as_str(),
            "online-check-failed"
        );
        assert_eq!(ServiceState::KNOWN.len(), 7);
        assert_eq!(ServiceError::KNOWN.len(), 9);
        assert!(ServiceState::parse("Ready").is_unknown(), "case matters");
        let tech: TechnologyType = TechnologyType::parse("bluetooth");
        assert_eq!(tech, ServiceType::Bluetooth);
    }

    #[test]
    fn hostile_names_are_kept_exactly() {
        for name in HOSTILE {
            let (s, issues) =
                ServiceProps::from_dict(&wire(vec![("Name", Value::from(name.to_string()))]));
            assert!(issues.is_empty());
            assert_eq!(s.name.as_deref(), Some(*name));
        }
        // Not possible on the wire, but apply must not care.
        let mut s = ServiceProps::default();
        s.apply("Name", &Value::from("a\0b")).unwrap();
        assert_eq!(s.name.as_deref(), Some("a\0b"));
    }

    #[test]
    fn extra_variant_layers_are_unwrapped() {
        let mut s = ServiceProps::default();
        let wrapped = |v: Value<'static>| Value::Value(Box::new(Value::Value(Box::new(v))));
        s.apply("State", &wrapped(Value::from("ready"))).unwrap();
        assert_eq!(s.state, ServiceState::Ready);
        s.apply("Strength", &wrapped(Value::U8(12))).unwrap();
        assert_eq!(s.strength, Some(12));
        s.apply(
            "IPv4",
            &wrapped(sv(vec![("Address", wrapped(Value::from("10.0.0.2")))])),
        )
        .unwrap();
        assert_eq!(s.ipv4.address.as_deref(), Some("10.0.0.2"));
        // `av` holding strings
        let mut av = Array::new(&Signature::Variant);
        av.append(wrapped(Value::from("psk"))).unwrap();
        s.apply("Security", &Value::Array(av)).unwrap();
        assert_eq!(s.security, vec![Security::Psk]);
    }

    #[test]
    fn strength_is_range_checked() {
        let mut s = wifi();
        s.apply("Strength", &Value::U16(55)).unwrap();
        assert_eq!(s.strength, Some(55), "any integer type is fine");
        let issue = s.apply("Strength", &Value::U8(150)).unwrap_err();
        assert_eq!(s.strength, Some(100), "clamped");
        assert!(matches!(issue.kind, IssueKind::OutOfRange { .. }));
        assert!(!issue.kept_old_value());
        s.apply("Strength", &Value::I32(-4)).unwrap_err();
        assert_eq!(s.strength, Some(0));
        s.apply("Strength", &Value::U64(u64::MAX)).unwrap_err();
        assert_eq!(s.strength, Some(100));
        let issue = s.apply("Strength", &Value::from("73")).unwrap_err();
        assert!(issue.kept_old_value());
        assert_eq!(s.strength, Some(100));
        s.apply("Strength", &Value::F64(50.0)).unwrap_err();
        assert_eq!(s.strength, Some(100));
    }

    /// Every property of a service with a value of a wrong type: the issue names it, the old
    /// value stays, nothing else moves.
    #[test]
    fn every_wrong_top_level_type_keeps_the_old_value() {
        let base = wifi();
        let not_a_string = Value::U32(7);
        let not_a_dict = strs(&["Method"]);
        let cases: Vec<(&str, Value<'static>)> = vec![
            ("State", not_a_string.clone()),
            ("Error", Value::Bool(true)),
            ("Name", Value::I32(42)),
            ("Type", strs(&["wifi"])),
            ("Security", Value::from("psk")),
            ("Security", Value::from(vec![1u8, 2])),
            ("Strength", Value::from("high")),
            ("Favorite", Value::from("true")),
            ("Immutable", Value::U8(1)),
            ("AutoConnect", Value::I32(1)),
            ("Roaming", Value::from("no")),
            ("IPv4", not_a_dict.clone()),
            ("IPv4.Configuration", Value::from("dhcp")),
            ("IPv6", Value::Bool(false)),
            ("IPv6.Configuration", not_a_dict.clone()),
            ("Nameservers", Value::from("10.0.0.1")),
            ("Nameservers.Configuration", sv(vec![])),
            ("Timeservers", Value::U8(0)),
            ("Timeservers.Configuration", Value::Bool(true)),
            ("Domains", Value::from("lab")),
            ("Domains.Configuration", Value::I64(3)),
            ("Proxy", Value::from("direct")),
            ("Proxy.Configuration", not_a_dict.clone()),
            ("Provider", Value::U16(2)),
            ("Ethernet", Value::from("eth0")),
            ("mDNS", Value::from("yes")),
            ("mDNS.Configuration", Value::U32(1)),
            ("LastAddressConflict", Value::I64(5)),
        ];
        for (name, value) in cases {
            let mut s = base.clone();
            let issue = s.apply(name, &value).unwrap_err();
            assert_eq!(issue.property, name);
            assert_eq!(issue.field, None);
            assert!(issue.kept_old_value(), "{issue}");
            assert!(matches!(issue.kind, IssueKind::WrongType { .. }));
            assert_eq!(s, base, "{name} changed");
        }
    }

    #[test]
    fn a_dict_with_non_string_keys_is_a_wrong_type() {
        let mut dict = Dict::new(&Signature::I32, &Signature::Variant);
        dict.append(Value::I32(1), Value::Value(Box::new(Value::from("dhcp"))))
            .unwrap();
        let mut s = wifi();
        let issue = s.apply("IPv4", &Value::Dict(dict)).unwrap_err();
        assert!(issue.kept_old_value());
        assert_eq!(s.ipv4, wifi().ipv4);
    }

    #[test]
    fn a_wrong_field_in_a_nested_dict_is_dropped_and_the_rest_kept() {
        let mut s = wifi();
        let issue = s
            .apply(
                "IPv4",
                &sv(vec![
                    ("Method", Value::from("manual")),
                    ("Address", Value::U32(0x0a00_0001)),
                    ("Netmask", Value::from("255.255.0.0")),
                    ("Gateway", Value::from("10.0.0.254")),
                ]),
            )
            .unwrap_err();
        assert_eq!(issue.property, "IPv4");
        assert_eq!(issue.field.as_deref(), Some("Address"));
        assert!(!issue.kept_old_value());
        assert_eq!(
            s.ipv4,
            Ipv4 {
                method: Some(Ipv4Method::Manual),
                address: None,
                netmask: Some("255.255.0.0".into()),
                gateway: Some("10.0.0.254".into()),
            }
        );
        assert_eq!(issue.to_string(), "IPv4.Address: expected type s, got u");

        let issue = s
            .apply(
                "Ethernet",
                &sv(vec![
                    ("Interface", Value::from("eth9")),
                    ("MTU", Value::U32(70000)),
                ]),
            )
            .unwrap_err();
        assert_eq!(issue.field.as_deref(), Some("MTU"));
        assert!(matches!(issue.kind, IssueKind::OutOfRange { .. }));
        assert_eq!(s.ethernet.interface.as_deref(), Some("eth9"));
        assert_eq!(s.ethernet.mtu, None);

        let issue = s
            .apply("IPv6", &sv(vec![("PrefixLength", Value::from("64"))]))
            .unwrap_err();
        assert_eq!(issue.field.as_deref(), Some("PrefixLength"));
        assert_eq!(s.ipv6, Ipv6::default());

        let issue = s
            .apply(
                "Proxy",
                &sv(vec![
                    ("Method", Value::from("manual")),
                    ("Servers", Value::from("p:1")),
                ]),
            )
            .unwrap_err();
        assert_eq!(issue.field.as_deref(), Some("Servers"));
        assert_eq!(s.proxy.method, Some(ProxyMethod::Manual));
        assert!(s.proxy.servers.is_empty());

        let issue = s
            .apply(
                "LastAddressConflict",
                &sv(vec![
                    ("IPv4", sv(vec![("Address", Value::U8(1))])),
                    ("Ethernet", Value::from("nope")),
                    ("Timestamp", Value::I64(1_700_000_000_000_000)),
                    ("Resolved", Value::Bool(false)),
                ]),
            )
            .unwrap_err();
        assert_eq!(issue.field.as_deref(), Some("IPv4.Address"));
        let conflict = s.last_address_conflict.clone().unwrap();
        assert_eq!(conflict.ipv4_address, None);
        assert_eq!(conflict.ethernet_address, None);
        assert_eq!(conflict.timestamp, Some(1_700_000_000_000_000));
        assert!(conflict.is_active());
    }

    #[test]
    fn from_dict_reports_bad_entries_and_parses_the_rest() {
        let mut entries = wifi_entries();
        entries.retain(|(k, _)| *k != "Name" && *k != "Strength" && *k != "Favorite");
        entries.push(("Name", Value::I32(5)));
        entries.push(("Strength", Value::from("73")));
        entries.push(("Favorite", Value::from("true")));
        let (s, issues) = ServiceProps::from_dict(&wire(entries));
        let names: Vec<&str> = issues.iter().map(|i| i.property.as_str()).collect();
        assert_eq!(names, vec!["Favorite", "Name", "Strength"], "sorted");
        assert_eq!(s.name, None);
        assert_eq!(s.strength, None);
        assert!(!s.favorite);
        let mut expected = wifi();
        expected.name = None;
        expected.strength = None;
        expected.favorite = false;
        assert_eq!(s, expected);
    }

    #[test]
    fn unknown_properties_are_kept_in_extra() {
        let mut s = wifi();
        s.apply("Quality.Experimental", &sv(vec![("Level", Value::U8(3))]))
            .unwrap();
        s.apply("Future", &Value::Value(Box::new(Value::from("x"))))
            .unwrap();
        assert_eq!(s.extra.len(), 2);
        assert_eq!(*s.extra["Future"], Value::from("x"));
        let mut without = s.clone();
        without.extra.clear();
        assert_eq!(without, wifi());
    }

    #[test]
    fn update_from_value_accepts_only_dicts() {
        let mut s = ServiceProps::default();
        let issues = s.update_from_value(&sv(vec![
            ("State", Value::from("ready")),
            ("Name", Value::U8(1)),
        ]));
        assert_eq!(s.state, ServiceState::Ready);
        assert_eq!(issues.len(), 1);
        let issues = s.update_from_value(&Value::from("nope"));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].property, "");
        assert_eq!(s.state, ServiceState::Ready);
    }

    #[test]
    fn technology_manager_and_clock() {
        let (t, issues) = TechnologyProps::from_dict(&wire(vec![
            ("Name", Value::from("WiFi")),
            ("Type", Value::from("wifi")),
            ("Powered", Value::Bool(true)),
            ("Connected", Value::Bool(false)),
            ("Tethering", Value::Bool(false)),
            ("TetheringIdentifier", Value::from("Connie <hotspot>")),
            ("TetheringPassphrase", Value::from("secret123")),
            ("TetheringFreq", Value::I32(2412)),
        ]));
        assert!(issues.is_empty());
        assert_eq!(t.name.as_deref(), Some("WiFi"));
        assert_eq!(t.type_, TechnologyType::Wifi);
        assert!(t.powered && !t.connected && !t.tethering);
        assert_eq!(t.tethering_identifier.as_deref(), Some("Connie <hotspot>"));
        assert_eq!(t.tethering_passphrase.as_deref(), Some("secret123"));
        assert_eq!(t.tethering_freq, Some(2412));
        let mut t2 = t.clone();
        assert!(t2
            .apply("Powered", &Value::from("on"))
            .unwrap_err()
            .kept_old_value());
        assert!(t2.apply("TetheringFreq", &Value::I64(1 << 40)).is_err());
        assert_eq!(t2, t);

        let (m, issues) = ManagerProps::from_dict(&wire(vec![
            ("State", Value::from("online")),
            ("OfflineMode", Value::Bool(false)),
            ("SessionMode", Value::Bool(false)),
            (
                "Ipv4StatusUrl",
                Value::from("http://ipv4.connman.net/online/status.html"),
            ),
        ]));
        assert!(issues.is_empty());
        assert_eq!(m.state, ManagerState::Online);
        assert!(m.state.is_connected());
        assert!(!m.offline_mode);
        assert!(m.extra.contains_key("Ipv4StatusUrl"));
        let mut m2 = m.clone();
        m2.apply("State", &Value::from("offline")).unwrap();
        assert_eq!(m2.state, ManagerState::Offline);
        assert!(m2.apply("OfflineMode", &Value::U8(1)).is_err());

        let (c, issues) = ClockProps::from_dict(&wire(vec![
            ("Time", Value::U64(1_700_000_000)),
            ("TimeUpdates", Value::from("auto")),
            ("Timezone", Value::from("Europe/Berlin")),
            ("TimezoneUpdates", Value::from("manual")),
            ("Timeservers", strs(&["pool.ntp.org"])),
            ("TimeserverSynced", Value::Bool(true)),
        ]));
        assert!(issues.is_empty());
        assert_eq!(c.time, Some(1_700_000_000));
        assert_eq!(c.time_updates, Some(UpdatePolicy::Auto));
        assert_eq!(c.timezone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(c.timezone_updates, Some(UpdatePolicy::Manual));
        assert_eq!(c.timeservers, vec!["pool.ntp.org"]);
        assert!(c.timeserver_synced);
        let mut c2 = c.clone();
        assert!(c2.apply("Time", &Value::I64(-1)).is_err());
        assert!(c2.apply("TimeUpdates", &Value::Bool(true)).is_err());
        assert_eq!(c2, c);
    }
}
