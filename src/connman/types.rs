//! The typed, validated model of connmand's property dicts.
//!
//! # Read side
//!
//! connmand describes each object (Manager, Technology, Service, Clock, vpn Connection) as an
//! `a{sv}` dict. It sends the whole dict from `GetProperties`/`GetServices`/`TechnologyAdded`,
//! only the changed keys in `ServicesChanged` (an empty dict for a service already known), and one
//! key at a time in `PropertyChanged`. All of these go through [`PropertyDict::apply`], so one code
//! path handles them, with one contract:
//!
//! - a key that is not there leaves the old value (a full dict starts from `Default`);
//! - a value of the wrong D-Bus type leaves the old value and comes back as a [`ParseIssue`] for
//!   the caller to log (once); the other keys of the dict are applied all the same;
//! - inside a nested dict (`IPv4`, `Ethernet`, ...) a field of the wrong type is treated as
//!   absent, the rest of the dict is stored, and the field is reported;
//! - an unknown enum value is kept verbatim in the enum's `Unknown(String)` variant;
//! - an unknown property is kept in the struct's `extra` map, silently: newer connmand versions
//!   add properties, that is not a fault;
//! - variants wrapped in extra `v` layers are unwrapped; any integer type is accepted where a
//!   number is expected (range-checked);
//! - strings (names above all) are kept exactly as sent: connmand shows invalid UTF-8 in an SSID
//!   as U+FFFD, and names may contain markup, mnemonics or RTL overrides. Escaping is the job of
//!   whoever renders them.
//!
//! Nothing here panics, whatever the input.
//!
//! # Write side
//!
//! [`ServiceSetting`], [`TechnologySetting`], [`ClockSetting`] and [`ManagerSetting`] build the
//! exact `(name, value)` pair connmand's `SetProperty` expects. They validate first and return a
//! [`SettingError`] rather than a value connmand would reject (or, worse, silently mangle:
//! connmand drops invalid nameservers without an error and splits list entries at spaces).
//!
//! This module never imports GTK or GLib.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use zbus::zvariant::{Dict, OwnedValue, Signature, Value};

pub use super::error::SettingError;

// ---------------------------------------------------------------------------------------------
// String enums
// ---------------------------------------------------------------------------------------------

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident (default $default:expr) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of Connie does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every known value, in connmand's documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// Parses connmand's spelling. Unknown values are kept in `Unknown`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $( $text $(| $alias)* => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// connmand's spelling (what goes on the wire).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Unknown(s) => s.as_str(),
                }
            }

            /// Whether this is a value Connie does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $default
            }
        }

        impl fmt::Display for $name {
            /// The wire spelling, not a translated label.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }
    };
}

/// Also used for the agents' field types and requirements.
pub(crate) use string_enum;

string_enum! {
    /// `Service.State`.
    pub enum ServiceState (default Self::Idle) {
        Idle = "idle",
        Failure = "failure",
        Association = "association",
        Configuration = "configuration",
        Ready = "ready",
        Disconnect = "disconnect",
        /// Ready, and the online check (HTTP) succeeded.
        Online = "online",
    }
}

impl ServiceState {
    /// `ready` or `online`: treat `ready` as connected (the online check may be off).
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Ready | Self::Online)
    }

    /// `association` or `configuration`.
    pub fn is_connecting(&self) -> bool {
        matches!(self, Self::Association | Self::Configuration)
    }

    /// `failure`: only then does `Service.Error` mean something.
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failure)
    }
}

string_enum! {
    /// `Manager.State`, the global state.
    pub enum ManagerState (default Self::Idle) {
        Offline = "offline",
        Idle = "idle",
        Ready = "ready",
        Online = "online",
    }
}

impl ManagerState {
    /// `ready` or `online`.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Ready | Self::Online)
    }
}

string_enum! {
    /// `Service.Type` and `Technology.Type`.
    pub enum ServiceType (default Self::Unknown(String::new())) {
        Ethernet = "ethernet",
        Wifi = "wifi",
        Bluetooth = "bluetooth",
        Cellular = "cellular",
        Gadget = "gadget",
        P2p = "p2p",
        Vpn = "vpn",
        System = "system",
        Gps = "gps",
    }
}

/// Technologies use the same type names as services.
pub type TechnologyType = ServiceType;

string_enum! {
    /// One entry of `Service.Security` (a service carries a list).
    pub enum Security (default Self::None) {
        None = "none",
        Wep = "wep",
        /// WPA/WPA2/WPA3 personal (connmand folds wpa and rsn into psk).
        Psk = "psk",
        /// Enterprise: needs a provisioning file.
        Ieee8021x = "ieee8021x",
        /// The access point supports WPS (listed next to the real security).
        Wps = "wps",
        /// The access point is advertising WPS right now (push-button active).
        WpsAdvertising = "wps_advertising",
    }
}

impl Security {
    /// `wps` and `wps_advertising` describe a way in, not the protection of the network.
    pub fn is_wps(&self) -> bool {
        matches!(self, Self::Wps | Self::WpsAdvertising)
    }
}

string_enum! {
    /// `Service.Error`: meaningful only while the state is `failure`.
    /// Sentences and retry advice are in [`super::error`].
    pub enum ServiceError (default Self::Unknown(String::new())) {
        OutOfRange = "out-of-range",
        PinMissing = "pin-missing",
        DhcpFailed = "dhcp-failed",
        ConnectFailed = "connect-failed",
        LoginFailed = "login-failed",
        AuthFailed = "auth-failed",
        InvalidKey = "invalid-key",
        Blocked = "blocked",
        OnlineCheckFailed = "online-check-failed",
    }
}

string_enum! {
    /// `IPv4.Method` / `IPv4.Configuration.Method`.
    pub enum Ipv4Method (default Self::Unknown(String::new())) {
        Dhcp = "dhcp",
        Manual = "manual",
        /// IPv4 link-local after DHCP failed (read only; cannot be set).
        Auto = "auto",
        Off = "off",
        /// Given by the network (cellular); cannot be changed.
        Fixed = "fixed",
    }
}

string_enum! {
    /// `IPv6.Method` / `IPv6.Configuration.Method`.
    pub enum Ipv6Method (default Self::Unknown(String::new())) {
        Auto = "auto",
        Manual = "manual",
        /// A 6to4 tunnel made by connmand (read only; cannot be set).
        SixToFour = "6to4",
        Off = "off",
        /// Given by the network (cellular); cannot be changed.
        Fixed = "fixed",
    }
}

string_enum! {
    /// `IPv6.Privacy` (RFC 4941). connmand spells the third value `prefered`; newer
    /// versions also accept `preferred` on input, so both parse, and `prefered` is sent.
    pub enum Ipv6Privacy (default Self::Disabled) {
        Disabled = "disabled",
        /// Temporary addresses exist, public ones are preferred.
        Enabled = "enabled",
        /// Temporary addresses are preferred.
        Prefered = "prefered" | "preferred",
    }
}

string_enum! {
    /// `Proxy.Method`.
    pub enum ProxyMethod (default Self::Unknown(String::new())) {
        Direct = "direct",
        /// PAC file from `URL`, or WPAD/DHCP when there is none.
        Auto = "auto",
        Manual = "manual",
    }
}

string_enum! {
    /// `Ethernet.Method` (connmand always says `auto` today).
    pub enum EthernetMethod (default Self::Unknown(String::new())) {
        Auto = "auto",
        Manual = "manual",
    }
}

string_enum! {
    /// `net.connman.vpn.Connection.State` (connman-vpnd has no `association`, no `online`).
    pub enum VpnState (default Self::Idle) {
        Idle = "idle",
        Failure = "failure",
        Configuration = "configuration",
        Ready = "ready",
        Disconnect = "disconnect",
    }
}

impl VpnState {
    /// `ready`.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Ready)
    }

    /// `configuration`.
    pub fn is_connecting(&self) -> bool {
        matches!(self, Self::Configuration)
    }
}

string_enum! {
    /// `Clock.TimeUpdates` and `Clock.TimezoneUpdates`.
    pub enum UpdatePolicy (default Self::Unknown(String::new())) {
        Auto = "auto",
        Manual = "manual",
    }
}

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
    fn new(property: &str, field: Option<String>, kind: IssueKind) -> Self {
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
fn peel<'v, 'a>(mut v: &'v Value<'a>) -> &'v Value<'a> {
    while let Value::Value(inner) = v {
        v = inner;
    }
    v
}

fn wrong(expected: &'static str, found: &Value<'_>) -> IssueKind {
    IssueKind::WrongType {
        expected,
        found: found.value_signature().to_string(),
    }
}

fn want_str<'v>(v: &'v Value<'_>) -> Result<&'v str, IssueKind> {
    match peel(v) {
        Value::Str(s) => Ok(s.as_str()),
        other => Err(wrong("s", other)),
    }
}

fn want_bool(v: &Value<'_>) -> Result<bool, IssueKind> {
    match peel(v) {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong("b", other)),
    }
}

/// Any integer type; `expected` names the documented one for the issue.
fn want_int(v: &Value<'_>, expected: &'static str) -> Result<i128, IssueKind> {
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
fn want_int_as<T: TryFrom<i128>>(v: &Value<'_>, expected: &'static str) -> Result<T, IssueKind> {
    let n = want_int(v, expected)?;
    T::try_from(n).map_err(|_| IssueKind::OutOfRange {
        value: n.to_string(),
        expected,
    })
}

/// `as`, also accepting `av` whose items are strings.
fn want_strings(v: &Value<'_>) -> Result<Vec<String>, IssueKind> {
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
fn want_dict<'v, 'a>(v: &'v Value<'a>) -> Result<Vec<(&'v str, &'v Value<'a>)>, IssueKind> {
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
struct Fields<'v, 'a> {
    entries: Vec<(&'v str, &'v Value<'a>)>,
    issue: Option<(String, IssueKind)>,
}

impl<'v, 'a> Fields<'v, 'a> {
    fn new(v: &'v Value<'a>) -> Result<Self, IssueKind> {
        Ok(Self {
            entries: want_dict(v)?,
            issue: None,
        })
    }

    fn get(&self, key: &str) -> Option<&'v Value<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, value)| *value)
    }

    fn note(&mut self, key: &str, kind: IssueKind) {
        if self.issue.is_none() {
            self.issue = Some((key.to_owned(), kind));
        }
    }

    fn read<T>(
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

    fn string(&mut self, key: &str) -> Option<String> {
        self.read(key, |v| want_str(v).map(str::to_owned))
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        self.read(key, want_bool)
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        self.read(key, want_strings).unwrap_or_default()
    }

    fn int<T: TryFrom<i128>>(&mut self, key: &str, expected: &'static str) -> Option<T> {
        self.read(key, |v| want_int_as(v, expected))
    }

    /// A dict inside this dict; issues inside are reported as `key.field`.
    fn dict<T>(&mut self, key: &str, parse: impl FnOnce(&mut Fields<'_, '_>) -> T) -> Option<T> {
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

    fn finish(self, property: &str) -> Result<(), ParseIssue> {
        match self.issue {
            None => Ok(()),
            Some((field, kind)) => Err(ParseIssue::new(property, Some(field), kind)),
        }
    }
}

fn at(name: &str) -> impl FnOnce(IssueKind) -> ParseIssue + '_ {
    move |kind| ParseIssue::new(name, None, kind)
}

fn set_string(slot: &mut Option<String>, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
    *slot = Some(want_str(v).map_err(at(name))?.to_owned());
    Ok(())
}

fn set_bool(slot: &mut bool, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
    *slot = want_bool(v).map_err(at(name))?;
    Ok(())
}

fn set_strings(slot: &mut Vec<String>, name: &str, v: &Value<'_>) -> Result<(), ParseIssue> {
    *slot = want_strings(v).map_err(at(name))?;
    Ok(())
}

fn set_enum<E>(
    slot: &mut E,
    name: &str,
    v: &Value<'_>,
    parse: fn(&str) -> E,
) -> Result<(), ParseIssue> {
    *slot = parse(want_str(v).map_err(at(name))?);
    Ok(())
}

/// Replaces `slot` with a parsed nested dict (fields that did not fit are absent).
fn set_dict<T>(
    slot: &mut T,
    name: &str,
    v: &Value<'_>,
    parse: impl FnOnce(&mut Fields<'_, '_>) -> T,
) -> Result<(), ParseIssue> {
    let mut fields = Fields::new(v).map_err(at(name))?;
    *slot = parse(&mut fields);
    fields.finish(name)
}

fn keep_extra(extra: &mut HashMap<String, OwnedValue>, name: &str, v: &Value<'_>) {
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
    fn parse(f: &mut Fields<'_, '_>) -> Self {
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
    fn parse(f: &mut Fields<'_, '_>) -> Self {
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
    fn parse(f: &mut Fields<'_, '_>) -> Self {
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
    fn parse(f: &mut Fields<'_, '_>) -> Self {
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
    fn parse(f: &mut Fields<'_, '_>) -> Self {
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
    fn parse(f: &mut Fields<'_, '_>) -> Self {
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

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The service (or technology, connection) identifier: the last element of its object path,
/// e.g. `wifi_0123456789ab_4c6162_managed_psk` for `/net/connman/service/wifi_…`.
pub fn service_id(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Signal strength (0–100) in five levels, 0..=4, for icons:
///
/// | strength | level | usual icon |
/// |---|---|---|
/// | 0–5 | 0 | none |
/// | 6–30 | 1 | weak |
/// | 31–55 | 2 | ok |
/// | 56–80 | 3 | good |
/// | 81–100 (and above) | 4 | excellent |
///
/// (The thresholds are NetworkManager's, which users know from other desktops.)
pub fn strength_level(strength: u8) -> u8 {
    match strength {
        0..=5 => 0,
        6..=30 => 1,
        31..=55 => 2,
        56..=80 => 3,
        _ => 4,
    }
}

/// `255.255.255.0` → 24. `None` for a non-contiguous or malformed mask.
pub fn netmask_to_prefix(netmask: &str) -> Option<u8> {
    let mask = u32::from(netmask.trim().parse::<Ipv4Addr>().ok()?);
    let ones = mask.leading_ones();
    (mask.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
}

/// 24 → `255.255.255.0`. `None` above 32.
pub fn prefix_to_netmask(prefix: u8) -> Option<Ipv4Addr> {
    match prefix {
        0 => Some(Ipv4Addr::UNSPECIFIED),
        1..=32 => Some(Ipv4Addr::from(u32::MAX << (32 - u32::from(prefix)))),
        _ => None,
    }
}

/// Splits user input for a list (nameservers, domains, ...) at whitespace, `,` and `;`.
pub fn split_list(input: &str) -> Vec<String> {
    input
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What connmand accepts as a WPA passphrase (`TetheringPassphrase`, agent `Passphrase` of
/// type `psk`): 8–63 bytes, or exactly 64 hex digits (a raw key).
pub fn psk_passphrase_valid(passphrase: &str) -> bool {
    match passphrase.len() {
        64 => passphrase.bytes().all(|b| b.is_ascii_hexdigit()),
        n => (8..=63).contains(&n),
    }
}

/// What connmand accepts as a WEP key: 5 or 13 bytes, or 10 or 26 hex digits.
pub fn wep_key_valid(key: &str) -> bool {
    match key.len() {
        5 | 13 => true,
        10 | 26 => key.bytes().all(|b| b.is_ascii_hexdigit()),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Write side
// ---------------------------------------------------------------------------------------------

/// An `a{sv}` dict as connmand's `SetProperty` reads it: each value inside a variant.
fn sv_dict(entries: HashMap<&'static str, Value<'static>>) -> Value<'static> {
    let mut dict = Dict::new(&Signature::Str, &Signature::Variant);
    let mut entries: Vec<_> = entries.into_iter().collect();
    entries.sort_by_key(|(k, _)| *k);
    for (key, value) in entries {
        // Key `s` and value `v` always match the dict's signature: this cannot fail.
        let appended = dict.append(Value::from(key), Value::Value(Box::new(value)));
        debug_assert!(appended.is_ok());
    }
    Value::Dict(dict)
}

fn strings_value(list: &[String]) -> Value<'static> {
    Value::from(list.to_vec())
}

fn usable_ipv4(field: &'static str, addr: Ipv4Addr) -> Result<Ipv4Addr, SettingError> {
    if addr.is_unspecified() || addr.is_broadcast() || addr.is_multicast() {
        Err(SettingError::InvalidAddress {
            field,
            input: addr.to_string(),
        })
    } else {
        Ok(addr)
    }
}

fn usable_ipv6(field: &'static str, addr: Ipv6Addr) -> Result<Ipv6Addr, SettingError> {
    if addr.is_unspecified() || addr.is_multicast() {
        Err(SettingError::InvalidAddress {
            field,
            input: addr.to_string(),
        })
    } else {
        Ok(addr)
    }
}

fn parse_ipv4(field: &'static str, input: &str) -> Result<Ipv4Addr, SettingError> {
    let addr = input
        .trim()
        .parse::<Ipv4Addr>()
        .map_err(|_| SettingError::InvalidAddress {
            field,
            input: input.to_owned(),
        })?;
    usable_ipv4(field, addr)
}

fn parse_ipv6(field: &'static str, input: &str) -> Result<Ipv6Addr, SettingError> {
    let addr = input
        .trim()
        .parse::<Ipv6Addr>()
        .map_err(|_| SettingError::InvalidAddress {
            field,
            input: input.to_owned(),
        })?;
    usable_ipv6(field, addr)
}

/// `IPv4.Configuration`. connmand accepts only `dhcp`, `manual` and `off` here (`auto` and
/// `fixed` are read-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv4Config {
    Dhcp,
    Off,
    Manual {
        address: Ipv4Addr,
        /// 1–32; sent as a dotted `Netmask`.
        prefix_length: u8,
        gateway: Option<Ipv4Addr>,
    },
}

impl Ipv4Config {
    /// Builds a manual configuration from what the user typed. `netmask` may be dotted
    /// (`255.255.255.0`) or a prefix length (`24`, `/24`); an empty `gateway` means none.
    pub fn manual_from_input(
        address: &str,
        netmask: &str,
        gateway: &str,
    ) -> Result<Self, SettingError> {
        let address = parse_ipv4("Address", address)?;
        let mask = netmask.trim();
        let bare = mask.strip_prefix('/').unwrap_or(mask);
        let prefix_length = if !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_digit()) {
            bare.parse::<u8>().ok().filter(|p| (1..=32).contains(p))
        } else {
            netmask_to_prefix(mask).filter(|p| *p >= 1)
        }
        .ok_or_else(|| SettingError::InvalidNetmask {
            input: netmask.to_owned(),
        })?;
        let gateway = match gateway.trim() {
            "" => None,
            g => Some(parse_ipv4("Gateway", g)?),
        };
        let config = Self::Manual {
            address,
            prefix_length,
            gateway,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks a configuration built by hand.
    pub fn validate(&self) -> Result<(), SettingError> {
        let Self::Manual {
            address,
            prefix_length,
            gateway,
        } = self
        else {
            return Ok(());
        };
        usable_ipv4("Address", *address)?;
        let Some(mask) = prefix_to_netmask(*prefix_length).filter(|_| *prefix_length >= 1) else {
            return Err(SettingError::InvalidPrefixLength {
                input: prefix_length.to_string(),
                max: 32,
            });
        };
        let (addr, mask) = (u32::from(*address), u32::from(mask));
        // In subnets with a network and a broadcast address, neither is a host address.
        if *prefix_length <= 30 && (addr & !mask == 0 || addr | mask == u32::MAX) {
            return Err(SettingError::InvalidAddress {
                field: "Address",
                input: address.to_string(),
            });
        }
        if let Some(gateway) = gateway {
            usable_ipv4("Gateway", *gateway)?;
            if gateway == address {
                return Err(SettingError::GatewayIsAddress);
            }
        }
        Ok(())
    }

    /// The dict connmand expects: `Method`, plus `Address`, `Netmask` and (if any) `Gateway`
    /// for `manual`, all strings.
    pub fn to_dict(&self) -> Result<HashMap<&'static str, Value<'static>>, SettingError> {
        self.validate()?;
        let mut dict = HashMap::new();
        match self {
            Self::Dhcp => {
                dict.insert("Method", Value::from("dhcp"));
            }
            Self::Off => {
                dict.insert("Method", Value::from("off"));
            }
            Self::Manual {
                address,
                prefix_length,
                gateway,
            } => {
                dict.insert("Method", Value::from("manual"));
                dict.insert("Address", Value::from(address.to_string()));
                if let Some(mask) = prefix_to_netmask(*prefix_length) {
                    dict.insert("Netmask", Value::from(mask.to_string()));
                }
                if let Some(gateway) = gateway {
                    dict.insert("Gateway", Value::from(gateway.to_string()));
                }
            }
        }
        Ok(dict)
    }
}

/// `IPv6.Configuration`. connmand accepts only `auto`, `manual` and `off` here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv6Config {
    /// SLAAC/DHCPv6. `privacy: None` leaves the current privacy setting alone.
    Auto {
        privacy: Option<Ipv6Privacy>,
    },
    Off,
    Manual {
        address: Ipv6Addr,
        /// 1–128; sent as a byte.
        prefix_length: u8,
        gateway: Option<Ipv6Addr>,
    },
}

impl Ipv6Config {
    /// Builds a manual configuration from what the user typed. The address may carry the
    /// prefix (`2001:db8::5/64`) when `prefix` is empty; an empty `gateway` means none.
    pub fn manual_from_input(
        address: &str,
        prefix: &str,
        gateway: &str,
    ) -> Result<Self, SettingError> {
        let (address, inline_prefix) = match address.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (address.trim(), None),
        };
        let address = parse_ipv6("Address", address)?;
        let prefix_text = match (prefix.trim().trim_start_matches('/'), inline_prefix) {
            ("", Some(p)) => p.trim(),
            (p, _) => p,
        };
        let prefix_length = prefix_text
            .parse::<u8>()
            .ok()
            .filter(|p| (1..=128).contains(p))
            .ok_or_else(|| SettingError::InvalidPrefixLength {
                input: prefix_text.to_owned(),
                max: 128,
            })?;
        let gateway = match gateway.trim() {
            "" => None,
            g => Some(parse_ipv6("Gateway", g)?),
        };
        let config = Self::Manual {
            address,
            prefix_length,
            gateway,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks a configuration built by hand.
    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Off => Ok(()),
            Self::Auto { privacy } => match privacy {
                Some(Ipv6Privacy::Unknown(value)) => Err(SettingError::UnsupportedValue {
                    field: "Privacy",
                    value: value.clone(),
                }),
                _ => Ok(()),
            },
            Self::Manual {
                address,
                prefix_length,
                gateway,
            } => {
                usable_ipv6("Address", *address)?;
                if !(1..=128).contains(prefix_length) {
                    return Err(SettingError::InvalidPrefixLength {
                        input: prefix_length.to_string(),
                        max: 128,
                    });
                }
                if let Some(gateway) = gateway {
                    usable_ipv6("Gateway", *gateway)?;
                    if gateway == address {
                        return Err(SettingError::GatewayIsAddress);
                    }
                }
                Ok(())
            }
        }
    }

    /// The dict connmand expects: `Method`; for `auto` optionally `Privacy` (spelled
    /// `prefered`); for `manual` `Address`, `PrefixLength` (a byte, `y`) and `Gateway`.
    pub fn to_dict(&self) -> Result<HashMap<&'static str, Value<'static>>, SettingError> {
        self.validate()?;
        let mut dict = HashMap::new();
        match self {
            Self::Auto { privacy } => {
                dict.insert("Method", Value::from("auto"));
                if let Some(privacy) = privacy {
                    dict.insert("Privacy", Value::from(privacy.as_str().to_owned()));
                }
            }
            Self::Off => {
                dict.insert("Method", Value::from("off"));
            }
            Self::Manual {
                address,
                prefix_length,
                gateway,
            } => {
                dict.insert("Method", Value::from("manual"));
                dict.insert("Address", Value::from(address.to_string()));
                dict.insert("PrefixLength", Value::U8(*prefix_length));
                if let Some(gateway) = gateway {
                    dict.insert("Gateway", Value::from(gateway.to_string()));
                }
            }
        }
        Ok(dict)
    }
}

/// `Proxy.Configuration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyConfig {
    Direct,
    /// `url: None` lets connmand try DHCP/WPAD.
    Auto {
        url: Option<String>,
    },
    /// At least one server (connmand turns an empty list into `direct`).
    Manual {
        servers: Vec<String>,
        excludes: Vec<String>,
    },
}

fn no_space_entry(field: &'static str, entry: &str) -> Result<(), SettingError> {
    // connmand joins list entries with spaces and splits them again.
    if entry.is_empty() || entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(SettingError::InvalidProxyEntry {
            field,
            input: entry.to_owned(),
        })
    } else {
        Ok(())
    }
}

impl ProxyConfig {
    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Direct | Self::Auto { url: None } => Ok(()),
            Self::Auto { url: Some(input) } => {
                let url = input.trim();
                if url.is_empty() {
                    return Err(SettingError::EmptyProxyUrl);
                }
                let valid = match url.split_once("://") {
                    Some((scheme, rest)) => {
                        !scheme.is_empty()
                            && scheme
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                            && !rest.is_empty()
                            && !url.chars().any(|c| c.is_whitespace() || c.is_control())
                    }
                    None => false,
                };
                if valid {
                    Ok(())
                } else {
                    Err(SettingError::InvalidProxyUrl {
                        input: input.clone(),
                    })
                }
            }
            Self::Manual { servers, excludes } => {
                if servers.is_empty() {
                    return Err(SettingError::NoProxyServers);
                }
                servers
                    .iter()
                    .try_for_each(|s| no_space_entry("Servers", s))?;
                excludes
                    .iter()
                    .try_for_each(|s| no_space_entry("Excludes", s))
            }
        }
    }

    /// The dict connmand expects: `Method`; `URL` for `auto` with a URL; `Servers` and
    /// `Excludes` (both `as`, both always sent so that old excludes are cleared) for `manual`.
    pub fn to_dict(&self) -> Result<HashMap<&'static str, Value<'static>>, SettingError> {
        self.validate()?;
        let mut dict = HashMap::new();
        match self {
            Self::Direct => {
                dict.insert("Method", Value::from("direct"));
            }
            Self::Auto { url } => {
                dict.insert("Method", Value::from("auto"));
                if let Some(url) = url {
                    dict.insert("URL", Value::from(url.trim().to_owned()));
                }
            }
            Self::Manual { servers, excludes } => {
                dict.insert("Method", Value::from("manual"));
                dict.insert("Servers", strings_value(servers));
                dict.insert("Excludes", strings_value(excludes));
            }
        }
        Ok(dict)
    }
}

fn valid_hostname(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn valid_nameserver(entry: &str) -> bool {
    if entry.parse::<IpAddr>().is_ok() {
        return true;
    }
    // An IPv6 link-local address with a zone: fe80::1%eth0.
    match entry.split_once('%') {
        Some((addr, zone)) => {
            addr.parse::<Ipv6Addr>().is_ok()
                && !zone.is_empty()
                && zone
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        }
        None => false,
    }
}

/// A writable property of `net.connman.Service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceSetting {
    Ipv4(Ipv4Config),
    Ipv6(Ipv6Config),
    /// IP addresses; an empty list clears the configuration.
    Nameservers(Vec<String>),
    /// Host names or IP addresses; an empty list clears.
    Timeservers(Vec<String>),
    /// Search domains; an empty list clears.
    Domains(Vec<String>),
    Proxy(ProxyConfig),
    /// `mDNS.Configuration`.
    Mdns(bool),
    /// Needs a Favorite service (else `InvalidService`).
    AutoConnect(bool),
}

impl ServiceSetting {
    /// The property name for `SetProperty`.
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::Ipv4(_) => "IPv4.Configuration",
            Self::Ipv6(_) => "IPv6.Configuration",
            Self::Nameservers(_) => "Nameservers.Configuration",
            Self::Timeservers(_) => "Timeservers.Configuration",
            Self::Domains(_) => "Domains.Configuration",
            Self::Proxy(_) => "Proxy.Configuration",
            Self::Mdns(_) => "mDNS.Configuration",
            Self::AutoConnect(_) => "AutoConnect",
        }
    }

    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Ipv4(c) => c.validate(),
            Self::Ipv6(c) => c.validate(),
            Self::Proxy(c) => c.validate(),
            Self::Nameservers(list) => list.iter().try_for_each(|s| {
                if valid_nameserver(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidNameserver { input: s.clone() })
                }
            }),
            Self::Timeservers(list) => list.iter().try_for_each(|s| {
                if s.parse::<IpAddr>().is_ok() || valid_hostname(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidHostname {
                        field: "Timeservers",
                        input: s.clone(),
                    })
                }
            }),
            Self::Domains(list) => list.iter().try_for_each(|s| {
                if valid_hostname(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidHostname {
                        field: "Domains",
                        input: s.clone(),
                    })
                }
            }),
            Self::Mdns(_) | Self::AutoConnect(_) => Ok(()),
        }
    }

    /// The `(name, value)` pair for `Service.SetProperty`, after validation.
    pub fn to_property(&self) -> Result<(&'static str, Value<'static>), SettingError> {
        self.validate()?;
        let value = match self {
            Self::Ipv4(c) => sv_dict(c.to_dict()?),
            Self::Ipv6(c) => sv_dict(c.to_dict()?),
            Self::Proxy(c) => sv_dict(c.to_dict()?),
            Self::Nameservers(list) | Self::Timeservers(list) | Self::Domains(list) => {
                strings_value(list)
            }
            Self::Mdns(b) | Self::AutoConnect(b) => Value::Bool(*b),
        };
        Ok((self.property_name(), value))
    }
}

/// A writable property of `net.connman.Technology`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TechnologySetting {
    Powered(bool),
    Tethering(bool),
    /// Hotspot SSID: 1–32 bytes.
    TetheringIdentifier(String),
    /// Hotspot passphrase: see [`psk_passphrase_valid`].
    TetheringPassphrase(String),
    /// MHz, not negative (connmand ignores negative values without an error).
    TetheringFreq(i32),
}

impl TechnologySetting {
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::Powered(_) => "Powered",
            Self::Tethering(_) => "Tethering",
            Self::TetheringIdentifier(_) => "TetheringIdentifier",
            Self::TetheringPassphrase(_) => "TetheringPassphrase",
            Self::TetheringFreq(_) => "TetheringFreq",
        }
    }

    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::TetheringIdentifier(id) if id.is_empty() || id.len() > 32 => {
                Err(SettingError::InvalidTetheringIdentifier)
            }
            Self::TetheringPassphrase(p) if !psk_passphrase_valid(p) => {
                Err(SettingError::InvalidTetheringPassphrase)
            }
            Self::TetheringFreq(f) if *f < 0 => Err(SettingError::InvalidFrequency { value: *f }),
            _ => Ok(()),
        }
    }

    /// The `(name, value)` pair for `Technology.SetProperty`: `b`, `b`, `s`, `s`, `i`.
    pub fn to_property(&self) -> Result<(&'static str, Value<'static>), SettingError> {
        self.validate()?;
        let value = match self {
            Self::Powered(b) | Self::Tethering(b) => Value::Bool(*b),
            Self::TetheringIdentifier(s) | Self::TetheringPassphrase(s) => Value::from(s.clone()),
            Self::TetheringFreq(f) => Value::I32(*f),
        };
        Ok((self.property_name(), value))
    }
}

/// A writable property of `net.connman.Manager`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerSetting {
    OfflineMode(bool),
}

impl ManagerSetting {
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::OfflineMode(_) => "OfflineMode",
        }
    }

    /// The `(name, value)` pair for `Manager.SetProperty`.
    pub fn to_property(&self) -> (&'static str, Value<'static>) {
        match self {
            Self::OfflineMode(b) => (self.property_name(), Value::Bool(*b)),
        }
    }
}

/// A writable property of `net.connman.Clock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockSetting {
    /// Seconds since the epoch; only takes effect with `TimeUpdates = manual`.
    Time(u64),
    TimeUpdates(UpdatePolicy),
    /// A tzdata name such as `Europe/Berlin`; only with `TimezoneUpdates = manual`.
    Timezone(String),
    TimezoneUpdates(UpdatePolicy),
    Timeservers(Vec<String>),
}

impl ClockSetting {
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::Time(_) => "Time",
            Self::TimeUpdates(_) => "TimeUpdates",
            Self::Timezone(_) => "Timezone",
            Self::TimezoneUpdates(_) => "TimezoneUpdates",
            Self::Timeservers(_) => "Timeservers",
        }
    }

    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Time(_) => Ok(()),
            Self::TimeUpdates(p) | Self::TimezoneUpdates(p) => match p {
                UpdatePolicy::Unknown(value) => Err(SettingError::UnsupportedValue {
                    field: self.property_name(),
                    value: value.clone(),
                }),
                _ => Ok(()),
            },
            Self::Timezone(tz) => {
                let valid = !tz.is_empty()
                    && !tz.starts_with('/')
                    && tz
                        .split('/')
                        .all(|part| !part.is_empty() && part != "." && part != "..")
                    && tz
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
                if valid {
                    Ok(())
                } else {
                    Err(SettingError::InvalidTimezone { input: tz.clone() })
                }
            }
            Self::Timeservers(list) => list.iter().try_for_each(|s| {
                if s.parse::<IpAddr>().is_ok() || valid_hostname(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidHostname {
                        field: "Timeservers",
                        input: s.clone(),
                    })
                }
            }),
        }
    }

    /// The `(name, value)` pair for `Clock.SetProperty`: `t`, `s`, `s`, `s`, `as`.
    pub fn to_property(&self) -> Result<(&'static str, Value<'static>), SettingError> {
        self.validate()?;
        let value = match self {
            Self::Time(t) => Value::U64(*t),
            Self::TimeUpdates(p) | Self::TimezoneUpdates(p) => Value::from(p.as_str().to_owned()),
            Self::Timezone(tz) => Value::from(tz.clone()),
            Self::Timeservers(list) => strings_value(list),
        };
        Ok((self.property_name(), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::zvariant::{serialized::Context, to_bytes, Array, StructureBuilder, LE};

    // ----- building values the way connmand sends them -------------------------------------

    /// A nested `a{sv}` dict.
    fn sv(entries: Vec<(&str, Value<'static>)>) -> Value<'static> {
        let mut dict = Dict::new(&Signature::Str, &Signature::Variant);
        for (k, v) in entries {
            dict.append(Value::from(k.to_owned()), Value::Value(Box::new(v)))
                .unwrap();
        }
        Value::Dict(dict)
    }

    fn strs(list: &[&str]) -> Value<'static> {
        Value::from(list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    /// Serializes a top-level `a{sv}` and decodes it as zbus hands it to a proxy.
    fn wire(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
        let map: HashMap<String, Value<'static>> = entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let ctxt = Context::new_dbus(LE, 0);
        let data = to_bytes(ctxt, &map).unwrap();
        data.deserialize::<HashMap<String, OwnedValue>>().unwrap().0
    }

    /// A value sent as the `v` argument of `SetProperty` and read back as the receiver sees it.
    fn over_wire(value: &Value<'_>) -> OwnedValue {
        let ctxt = Context::new_dbus(LE, 0);
        let data = to_bytes(ctxt, value).unwrap();
        data.deserialize::<OwnedValue>().unwrap().0
    }

    /// For an `a{sv}` value: each key with the signature of its (unwrapped) value.
    fn entry_signatures(value: &Value<'_>) -> BTreeMap<String, String> {
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

    fn entry_str(value: &Value<'_>, key: &str) -> String {
        let entries = want_dict(value).unwrap();
        let (_, v) = entries.iter().find(|(k, _)| *k == key).unwrap();
        want_str(v).unwrap().to_owned()
    }

    const HOSTILE: &[&str] = &[
        "<b>&_Café</b>",
        "\u{202E}evil\u{202C}.exe",
        "\u{FFFD}\u{FFFD}net\u{FFFD}",
        "",
        " spaced ",
        "__mnemonic&&",
        "漢字😀",
        "\"quoted' \\",
    ];

    fn wifi_entries() -> Vec<(&'static str, Value<'static>)> {
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

    fn ethernet_entries() -> Vec<(&'static str, Value<'static>)> {
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

    fn wifi() -> ServiceProps {
        let (props, issues) = ServiceProps::from_dict(&wire(wifi_entries()));
        assert!(issues.is_empty(), "{issues:?}");
        props
    }

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

    fn route(
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

    fn routes(items: Vec<Value<'static>>) -> Value<'static> {
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

    #[test]
    fn helpers() {
        assert_eq!(
            service_id("/net/connman/service/wifi_02000000_4c6162_managed_psk"),
            "wifi_02000000_4c6162_managed_psk"
        );
        assert_eq!(service_id("/net/connman/technology/wifi"), "wifi");
        assert_eq!(service_id("ethernet_x_cable"), "ethernet_x_cable");
        assert_eq!(service_id("/"), "");
        assert_eq!(service_id(""), "");

        let levels: Vec<u8> = [0u8, 5, 6, 30, 31, 55, 56, 80, 81, 100, 255]
            .iter()
            .map(|s| strength_level(*s))
            .collect();
        assert_eq!(levels, vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);

        assert_eq!(netmask_to_prefix("255.255.255.0"), Some(24));
        assert_eq!(netmask_to_prefix("255.255.255.255"), Some(32));
        assert_eq!(netmask_to_prefix("0.0.0.0"), Some(0));
        assert_eq!(netmask_to_prefix("255.255.128.0"), Some(17));
        assert_eq!(netmask_to_prefix("255.0.255.0"), None);
        assert_eq!(netmask_to_prefix("24"), None);
        assert_eq!(prefix_to_netmask(24), Some(Ipv4Addr::new(255, 255, 255, 0)));
        assert_eq!(prefix_to_netmask(32), Some(Ipv4Addr::BROADCAST));
        assert_eq!(prefix_to_netmask(0), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(prefix_to_netmask(33), None);
        for p in 0..=32 {
            assert_eq!(
                netmask_to_prefix(&prefix_to_netmask(p).unwrap().to_string()),
                Some(p)
            );
        }

        assert_eq!(
            split_list(" 8.8.8.8, 1.1.1.1;;9.9.9.9\n"),
            vec!["8.8.8.8", "1.1.1.1", "9.9.9.9"]
        );
        assert!(split_list(" ,; ").is_empty());

        assert!(psk_passphrase_valid("12345678"));
        assert!(psk_passphrase_valid(&"x".repeat(63)));
        assert!(!psk_passphrase_valid("1234567"));
        assert!(psk_passphrase_valid(
            &"aB3"
                .repeat(21)
                .chars()
                .chain("0".chars())
                .collect::<String>()
        ));
        assert!(!psk_passphrase_valid(&"g".repeat(64)));
        assert!(psk_passphrase_valid(&"0123456789abcdef".repeat(4)));
        assert!(!psk_passphrase_valid(&"x".repeat(65)));
        assert!(wep_key_valid("abcde") && wep_key_valid("abcdefghijklm"));
        assert!(wep_key_valid("0123456789") && wep_key_valid(&"a".repeat(26)));
        assert!(!wep_key_valid("012345678g") && !wep_key_valid("abcdef"));

        let mut s = wifi();
        s.ipv4.netmask = Some("255.0.255.0".into());
        assert_eq!(s.ipv4.cidr().as_deref(), Some("10.77.2.57"));
        s.ipv4.address = None;
        assert_eq!(s.ipv4.cidr(), None);
    }

    // ----- writing ----------------------------------------------------------------------------

    #[test]
    fn ipv4_manual_dict_is_exact() {
        let config = Ipv4Config::manual_from_input(" 192.168.1.20 ", "24", "192.168.1.1").unwrap();
        let dict = config.to_dict().unwrap();
        let mut keys: Vec<_> = dict.keys().copied().collect();
        keys.sort_unstable();
        assert_eq!(keys, vec!["Address", "Gateway", "Method", "Netmask"]);
        assert_eq!(dict["Method"], Value::from("manual"));
        assert_eq!(dict["Address"], Value::from("192.168.1.20"));
        assert_eq!(dict["Netmask"], Value::from("255.255.255.0"));
        assert_eq!(dict["Gateway"], Value::from("192.168.1.1"));

        let (name, value) = ServiceSetting::Ipv4(config).to_property().unwrap();
        assert_eq!(name, "IPv4.Configuration");
        assert_eq!(value.value_signature().to_string(), "a{sv}");
        let received = over_wire(&value);
        let sigs = entry_signatures(&received);
        assert_eq!(
            sigs,
            [
                ("Address", "s"),
                ("Gateway", "s"),
                ("Method", "s"),
                ("Netmask", "s")
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
        );
        // What connmand sends back reads as what we sent.
        let mut s = ServiceProps::default();
        s.apply("IPv4.Configuration", &received).unwrap();
        assert_eq!(s.ipv4_config.method, Some(Ipv4Method::Manual));
        assert_eq!(s.ipv4_config.cidr().as_deref(), Some("192.168.1.20/24"));
        assert_eq!(s.ipv4_config.gateway.as_deref(), Some("192.168.1.1"));
    }

    #[test]
    fn ipv4_other_methods_send_only_the_method() {
        for (config, method) in [(Ipv4Config::Dhcp, "dhcp"), (Ipv4Config::Off, "off")] {
            let (_, value) = ServiceSetting::Ipv4(config).to_property().unwrap();
            let received = over_wire(&value);
            assert_eq!(entry_signatures(&received).len(), 1);
            assert_eq!(entry_str(&received, "Method"), method);
        }
        let no_gateway = Ipv4Config::manual_from_input("10.0.0.2", "255.0.0.0", "  ").unwrap();
        let dict = no_gateway.to_dict().unwrap();
        assert!(!dict.contains_key("Gateway"));
        assert_eq!(dict["Netmask"], Value::from("255.0.0.0"));
    }

    #[test]
    fn ipv4_input_is_validated() {
        let ok = |a: &str, m: &str, g: &str| Ipv4Config::manual_from_input(a, m, g);
        assert!(ok("192.168.1.20", "/24", "").is_ok());
        assert!(ok("192.168.1.20", "255.255.255.0", "").is_ok());
        assert!(ok("10.0.0.1", "32", "10.0.0.2").is_ok(), "point-to-point");
        assert!(ok("10.0.0.1", "31", "").is_ok());
        let field = |r: Result<Ipv4Config, SettingError>| r.unwrap_err().field();
        assert_eq!(field(ok("192.168.1", "24", "")), "Address");
        assert_eq!(field(ok("192.168.1.300", "24", "")), "Address");
        assert_eq!(field(ok("fe80::1", "24", "")), "Address");
        assert_eq!(field(ok("", "24", "")), "Address");
        assert_eq!(field(ok("0.0.0.0", "24", "")), "Address");
        assert_eq!(field(ok("224.0.0.1", "24", "")), "Address");
        assert_eq!(field(ok("255.255.255.255", "24", "")), "Address");
        assert_eq!(
            field(ok("192.168.1.0", "24", "")),
            "Address",
            "network address"
        );
        assert_eq!(
            field(ok("192.168.1.255", "24", "")),
            "Address",
            "broadcast address"
        );
        assert_eq!(field(ok("192.168.1.20", "255.0.255.0", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "33", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "0", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "0.0.0.0", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "abc", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "24", "gateway")), "Gateway");
        assert_eq!(field(ok("192.168.1.20", "24", "192.168.1.20")), "Gateway");
        // Built by hand, still checked before anything is sent.
        let bad = Ipv4Config::Manual {
            address: Ipv4Addr::new(10, 0, 0, 1),
            prefix_length: 40,
            gateway: None,
        };
        assert!(matches!(
            bad.to_dict(),
            Err(SettingError::InvalidPrefixLength { max: 32, .. })
        ));
        assert!(ServiceSetting::Ipv4(bad).to_property().is_err());
    }

    #[test]
    fn ipv6_dicts_are_exact() {
        let manual = Ipv6Config::manual_from_input("2001:db8::5", "64", "2001:db8::1").unwrap();
        let (name, value) = ServiceSetting::Ipv6(manual.clone()).to_property().unwrap();
        assert_eq!(name, "IPv6.Configuration");
        let received = over_wire(&value);
        let sigs = entry_signatures(&received);
        assert_eq!(
            sigs.get("PrefixLength").map(String::as_str),
            Some("y"),
            "a byte, not an int"
        );
        assert_eq!(sigs.get("Method").map(String::as_str), Some("s"));
        assert_eq!(sigs.get("Address").map(String::as_str), Some("s"));
        assert_eq!(sigs.get("Gateway").map(String::as_str), Some("s"));
        assert_eq!(sigs.len(), 4);
        assert_eq!(manual.to_dict().unwrap()["PrefixLength"], Value::U8(64));
        let mut s = ServiceProps::default();
        s.apply("IPv6.Configuration", &received).unwrap();
        assert_eq!(s.ipv6_config.cidr().as_deref(), Some("2001:db8::5/64"));

        let auto = Ipv6Config::Auto {
            privacy: Some(Ipv6Privacy::Prefered),
        };
        let (_, value) = ServiceSetting::Ipv6(auto).to_property().unwrap();
        let received = over_wire(&value);
        assert_eq!(entry_signatures(&received).len(), 2);
        assert_eq!(
            entry_str(&received, "Privacy"),
            "prefered",
            "connmand's spelling"
        );
        assert_eq!(entry_str(&received, "Method"), "auto");

        let plain = Ipv6Config::Auto { privacy: None }.to_dict().unwrap();
        assert_eq!(plain.len(), 1);
        assert_eq!(
            Ipv6Config::Off.to_dict().unwrap()["Method"],
            Value::from("off")
        );

        let inline = Ipv6Config::manual_from_input("2001:db8::5/48", "", "").unwrap();
        assert_eq!(inline.to_dict().unwrap()["PrefixLength"], Value::U8(48));
        assert!(!inline.to_dict().unwrap().contains_key("Gateway"));
    }

    #[test]
    fn ipv6_input_is_validated() {
        let f =
            |a: &str, p: &str, g: &str| Ipv6Config::manual_from_input(a, p, g).unwrap_err().field();
        assert_eq!(f("2001:db8::5", "129", ""), "PrefixLength");
        assert_eq!(f("2001:db8::5", "0", ""), "PrefixLength");
        assert_eq!(f("2001:db8::5", "", ""), "PrefixLength");
        assert_eq!(f("2001:db8::5", "-1", ""), "PrefixLength");
        assert_eq!(f("10.0.0.1", "64", ""), "Address");
        assert_eq!(f("::", "64", ""), "Address");
        assert_eq!(f("ff02::1", "64", ""), "Address");
        assert_eq!(f("2001:db8::5", "64", "nope"), "Gateway");
        assert_eq!(f("2001:db8::5", "64", "2001:db8::5"), "Gateway");
        assert!(Ipv6Config::manual_from_input("2001:db8::5", "128", "").is_ok());
        assert!(Ipv6Config::manual_from_input("2001:db8::5", "/64", "").is_ok());
        let unknown = Ipv6Config::Auto {
            privacy: Some(Ipv6Privacy::Unknown("always".into())),
        };
        assert_eq!(unknown.validate().unwrap_err().field(), "Privacy");
        let bad = Ipv6Config::Manual {
            address: "2001:db8::5".parse().unwrap(),
            prefix_length: 200,
            gateway: None,
        };
        assert!(ServiceSetting::Ipv6(bad).to_property().is_err());
    }

    #[test]
    fn list_settings_are_string_arrays() {
        let cases = [
            (
                ServiceSetting::Nameservers(vec![
                    "10.0.0.1".into(),
                    "fe80::1%wlan0".into(),
                    "2001:db8::53".into(),
                ]),
                "Nameservers.Configuration",
            ),
            (
                ServiceSetting::Timeservers(vec!["pool.ntp.org".into(), "10.0.0.1".into()]),
                "Timeservers.Configuration",
            ),
            (
                ServiceSetting::Domains(vec![
                    "example.com".into(),
                    "lab.".into(),
                    "_srv.corp".into(),
                ]),
                "Domains.Configuration",
            ),
            (
                ServiceSetting::Nameservers(vec![]),
                "Nameservers.Configuration",
            ),
        ];
        for (setting, expected_name) in cases {
            let (name, value) = setting.to_property().unwrap();
            assert_eq!(name, expected_name);
            let received = over_wire(&value);
            assert_eq!(received.value_signature().to_string(), "as");
            let (ServiceSetting::Nameservers(list)
            | ServiceSetting::Timeservers(list)
            | ServiceSetting::Domains(list)) = &setting
            else {
                unreachable!()
            };
            assert_eq!(&want_strings(&received).unwrap(), list);
        }
        let bad = |s: ServiceSetting| s.to_property().unwrap_err();
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["dns.google".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["1.1.1.1 8.8.8.8".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["fe80::1%".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert_eq!(
            bad(ServiceSetting::Timeservers(vec!["ntp server".into()])).field(),
            "Timeservers"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["-bad.com".into()])).field(),
            "Domains"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["a..b".into()])).field(),
            "Domains"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["x".repeat(64)])).field(),
            "Domains"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["<b>".into()])).field(),
            "Domains"
        );
    }

    #[test]
    fn proxy_dicts_are_exact() {
        let check = |config: ProxyConfig, expected: &[(&str, &str)]| {
            let (name, value) = ServiceSetting::Proxy(config).to_property().unwrap();
            assert_eq!(name, "Proxy.Configuration");
            let sigs = entry_signatures(&over_wire(&value));
            let expected: BTreeMap<String, String> = expected
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(sigs, expected);
            over_wire(&value)
        };
        let v = check(ProxyConfig::Direct, &[("Method", "s")]);
        assert_eq!(entry_str(&v, "Method"), "direct");
        check(ProxyConfig::Auto { url: None }, &[("Method", "s")]);
        let v = check(
            ProxyConfig::Auto {
                url: Some(" http://wpad.lab/proxy.pac ".into()),
            },
            &[("Method", "s"), ("URL", "s")],
        );
        assert_eq!(entry_str(&v, "URL"), "http://wpad.lab/proxy.pac");
        let v = check(
            ProxyConfig::Manual {
                servers: vec!["proxy.lab:3128".into(), "https://secure.lab:443".into()],
                excludes: vec![],
            },
            &[("Method", "s"), ("Servers", "as"), ("Excludes", "as")],
        );
        let mut s = ServiceProps::default();
        s.apply("Proxy.Configuration", &v).unwrap();
        assert_eq!(
            s.proxy_config.servers,
            vec!["proxy.lab:3128", "https://secure.lab:443"]
        );
        assert!(s.proxy_config.excludes.is_empty());

        let err = |c: ProxyConfig| c.validate().unwrap_err();
        assert_eq!(
            err(ProxyConfig::Auto {
                url: Some("".into())
            }),
            SettingError::EmptyProxyUrl
        );
        assert_eq!(
            err(ProxyConfig::Auto {
                url: Some("  ".into())
            }),
            SettingError::EmptyProxyUrl
        );
        assert!(matches!(
            err(ProxyConfig::Auto {
                url: Some("wpad.lab".into())
            }),
            SettingError::InvalidProxyUrl { .. }
        ));
        assert!(matches!(
            err(ProxyConfig::Auto {
                url: Some("http://a b".into())
            }),
            SettingError::InvalidProxyUrl { .. }
        ));
        assert!(matches!(
            err(ProxyConfig::Auto {
                url: Some("http://".into())
            }),
            SettingError::InvalidProxyUrl { .. }
        ));
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec![],
                excludes: vec!["x".into()]
            }),
            SettingError::NoProxyServers
        );
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec!["a b:1".into()],
                excludes: vec![]
            })
            .field(),
            "Servers"
        );
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec!["".into()],
                excludes: vec![]
            })
            .field(),
            "Servers"
        );
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec!["p:1".into()],
                excludes: vec!["a\tb".into()]
            })
            .field(),
            "Excludes"
        );
    }

    #[test]
    fn boolean_settings() {
        let (name, value) = ServiceSetting::Mdns(true).to_property().unwrap();
        assert_eq!((name, value), ("mDNS.Configuration", Value::Bool(true)));
        let (name, value) = ServiceSetting::AutoConnect(false).to_property().unwrap();
        assert_eq!((name, value), ("AutoConnect", Value::Bool(false)));
        assert_eq!(
            ManagerSetting::OfflineMode(true).to_property(),
            ("OfflineMode", Value::Bool(true))
        );
    }

    #[test]
    fn technology_settings() {
        let p = |s: TechnologySetting| s.to_property();
        assert_eq!(
            p(TechnologySetting::Powered(true)).unwrap(),
            ("Powered", Value::Bool(true))
        );
        assert_eq!(
            p(TechnologySetting::Tethering(false)).unwrap(),
            ("Tethering", Value::Bool(false))
        );
        assert_eq!(
            p(TechnologySetting::TetheringIdentifier("Connie".into())).unwrap(),
            ("TetheringIdentifier", Value::from("Connie"))
        );
        assert_eq!(
            p(TechnologySetting::TetheringPassphrase(
                "correct horse".into()
            ))
            .unwrap(),
            ("TetheringPassphrase", Value::from("correct horse"))
        );
        let (_, freq) = p(TechnologySetting::TetheringFreq(5180)).unwrap();
        assert_eq!(over_wire(&freq).value_signature().to_string(), "i");
        assert_eq!(
            p(TechnologySetting::TetheringIdentifier("".into())).unwrap_err(),
            SettingError::InvalidTetheringIdentifier
        );
        assert_eq!(
            p(TechnologySetting::TetheringIdentifier("é".repeat(17))).unwrap_err(),
            SettingError::InvalidTetheringIdentifier
        );
        assert!(p(TechnologySetting::TetheringIdentifier("x".repeat(32))).is_ok());
        assert_eq!(
            p(TechnologySetting::TetheringPassphrase("short".into())).unwrap_err(),
            SettingError::InvalidTetheringPassphrase
        );
        assert!(matches!(
            p(TechnologySetting::TetheringFreq(-1)).unwrap_err(),
            SettingError::InvalidFrequency { value: -1 }
        ));
    }

    #[test]
    fn clock_settings() {
        let (name, value) = ClockSetting::Time(1_700_000_000).to_property().unwrap();
        assert_eq!(name, "Time");
        assert_eq!(over_wire(&value).value_signature().to_string(), "t");
        assert_eq!(
            ClockSetting::TimeUpdates(UpdatePolicy::Manual)
                .to_property()
                .unwrap(),
            ("TimeUpdates", Value::from("manual"))
        );
        assert_eq!(
            ClockSetting::Timezone("America/Argentina/Buenos_Aires".into())
                .to_property()
                .unwrap()
                .1,
            Value::from("America/Argentina/Buenos_Aires")
        );
        assert!(ClockSetting::Timezone("Etc/GMT+5".into())
            .validate()
            .is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../../etc/passwd",
            "Europe//Berlin",
            "Europe/Berlin ",
        ] {
            assert!(
                ClockSetting::Timezone(bad.into()).validate().is_err(),
                "{bad:?}"
            );
        }
        assert!(
            ClockSetting::TimezoneUpdates(UpdatePolicy::Unknown("x".into()))
                .validate()
                .is_err()
        );
        let (_, list) = ClockSetting::Timeservers(vec!["0.pool.ntp.org".into()])
            .to_property()
            .unwrap();
        assert_eq!(over_wire(&list).value_signature().to_string(), "as");
        assert!(ClockSetting::Timeservers(vec!["bad name".into()])
            .validate()
            .is_err());
    }

    // ----- fuzz ---------------------------------------------------------------------------------

    struct XorShift(u64);

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

    const SERVICE_NAMES: &[&str] = &[
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

    const OTHER_NAMES: &[&str] = &[
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

    fn random_name(rng: &mut XorShift) -> &'static str {
        if rng.below(3) == 0 {
            OTHER_NAMES[rng.below(OTHER_NAMES.len())]
        } else {
            SERVICE_NAMES[rng.below(SERVICE_NAMES.len())]
        }
    }

    fn random_string(rng: &mut XorShift) -> String {
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

    fn random_sv(rng: &mut XorShift, depth: u32) -> Value<'static> {
        let mut dict = Dict::new(&Signature::Str, &Signature::Variant);
        for _ in 0..rng.below(5) {
            let key = random_name(rng).to_owned();
            let value = random_value(rng, depth);
            dict.append(Value::from(key), Value::Value(Box::new(value)))
                .unwrap();
        }
        Value::Dict(dict)
    }

    fn random_value(rng: &mut XorShift, depth: u32) -> Value<'static> {
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
    fn without(props: &ServiceProps, name: &str) -> ServiceProps {
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
    fn fuzz_apply_never_panics_and_never_touches_other_properties() {
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
    fn fuzz_whole_dicts_for_every_object() {
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
    fn fuzz_write_side_never_panics() {
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
}
