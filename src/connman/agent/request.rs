//! What the daemons ask: [`AgentKind`], the fields of `RequestInput` and their parsing
//! into an [`InputRequest`].

use std::collections::HashMap;
use std::fmt;

use zbus::zvariant::{OwnedValue, Signature, Value};

use super::*;
use crate::connman::types::string_enum;
use crate::connman::types::{psk_passphrase_valid, wep_key_valid};

/// Which daemon a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentKind {
    /// connmand, `net.connman.Agent`.
    Connman,
    /// connman-vpnd, `net.connman.vpn.Agent`.
    Vpn,
}

impl AgentKind {
    pub const ALL: [AgentKind; 2] = [AgentKind::Connman, AgentKind::Vpn];

    /// The agent interface we serve.
    pub const fn interface(self) -> &'static str {
        match self {
            Self::Connman => "net.connman.Agent",
            Self::Vpn => "net.connman.vpn.Agent",
        }
    }

    /// Our object path for this agent.
    pub const fn path(self) -> &'static str {
        match self {
            Self::Connman => AGENT_PATH,
            Self::Vpn => VPN_AGENT_PATH,
        }
    }

    /// The daemon's well-known bus name: only its owner may call the agent.
    pub const fn bus_name(self) -> &'static str {
        match self {
            Self::Connman => "net.connman",
            Self::Vpn => "net.connman.vpn",
        }
    }

    /// The daemon's manager interface (at `/`), where agents register.
    pub const fn manager_interface(self) -> &'static str {
        match self {
            Self::Connman => "net.connman.Manager",
            Self::Vpn => "net.connman.vpn.Manager",
        }
    }

    pub(super) const fn index(self) -> usize {
        match self {
            Self::Connman => 0,
            Self::Vpn => 1,
        }
    }
}

string_enum! {
    /// A field's `Type` (agent-api.txt and vpn-agent-api.txt).
    pub enum FieldType (default Self::String) {
        /// Plain text: a network `Name`, an `Identity`, a `Username`.
        String = "string",
        /// WPA passphrase: 8–63 bytes or 64 hex digits.
        Psk = "psk",
        /// WEP key: 5/13 bytes or 10/26 hex digits.
        Wep = "wep",
        /// An EAP passphrase.
        Passphrase = "passphrase",
        /// A one-time answer (EAP-GTC/OTP), shown, not hidden.
        Response = "response",
        /// A network name as bytes; answered as `ay`.
        Ssid = "ssid",
        /// A WPS PIN; empty means push-button.
        WpsPin = "wpspin",
        /// A VPN password.
        Password = "password",
        /// A VPN flag (`SaveCredentials`, the `Allow*Credentials` controls).
        Boolean = "boolean",
    }
}

impl FieldType {
    /// Whether the value is a secret: hide it while typing, never log it.
    pub fn is_secret(&self) -> bool {
        matches!(
            self,
            Self::Psk | Self::Wep | Self::Passphrase | Self::WpsPin | Self::Password
        )
    }
}

string_enum! {
    /// A field's `Requirement`.
    pub enum Requirement (default Self::Mandatory) {
        /// Must be answered.
        Mandatory = "mandatory",
        /// May be answered.
        Optional = "optional",
        /// May be answered instead of the field that lists it in `Alternates`.
        Alternate = "alternate",
        /// Not to be answered: carries a `Value` (e.g. `PreviousPassphrase`, VPN `Host`).
        Informational = "informational",
        /// VPN: a behaviour hint with a `Value`, not shown as such (`AllowStoreCredentials`).
        Control = "control",
    }
}

impl Requirement {
    /// Whether the person is asked for this field (mandatory, optional or alternate).
    pub fn is_input(&self) -> bool {
        matches!(self, Self::Mandatory | Self::Optional | Self::Alternate)
    }

    fn rank(&self) -> u8 {
        match self {
            Self::Mandatory => 0,
            Self::Alternate => 1,
            Self::Optional => 2,
            Self::Informational => 3,
            Self::Control => 4,
            Self::Unknown(_) => 5,
        }
    }
}

/// A field's `Value`, as sent.
#[derive(Debug, PartialEq)]
pub enum FieldValue {
    /// A string. Kept as a [`Secret`]: `PreviousPassphrase` carries the old passphrase.
    Text(Secret),
    /// A boolean (VPN controls).
    Bool(bool),
    /// A byte array.
    Bytes(Vec<u8>),
    /// A value of another D-Bus type; its signature.
    Other(String),
}

/// One field of a `RequestInput`.
#[derive(Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub type_: FieldType,
    pub requirement: Requirement,
    /// Names of the fields that may be answered instead of this one.
    pub alternates: Vec<String>,
    /// The `Value`: informational fields, controls, and a VPN `Username` already known.
    pub value: Option<FieldValue>,
}

impl Field {
    /// Parses one entry of the fields dict, leniently: a missing or mistyped `Type` or
    /// `Requirement` becomes `Unknown("")`, other keys are ignored.
    pub fn parse(name: &str, value: &Value<'_>) -> Field {
        let mut field = Field {
            name: name.to_owned(),
            type_: FieldType::Unknown(String::new()),
            requirement: Requirement::Unknown(String::new()),
            alternates: Vec::new(),
            value: None,
        };
        let Value::Dict(dict) = unwrap_variant(value) else {
            return field;
        };
        for (key, v) in dict.iter() {
            let Value::Str(key) = unwrap_variant(key) else {
                continue;
            };
            let v = unwrap_variant(v);
            match key.as_str() {
                "Type" => {
                    if let Value::Str(s) = v {
                        field.type_ = FieldType::parse(s.as_str());
                    }
                }
                "Requirement" => {
                    if let Value::Str(s) = v {
                        field.requirement = Requirement::parse(s.as_str());
                    }
                }
                "Alternates" => {
                    if let Value::Array(a) = v {
                        field.alternates = a
                            .iter()
                            .filter_map(|x| match unwrap_variant(x) {
                                Value::Str(s) => Some(s.as_str().to_owned()),
                                _ => None,
                            })
                            .collect();
                    }
                }
                "Value" => field.value = Some(FieldValue::from_value(v)),
                _ => {}
            }
        }
        field
    }

    /// The value as text, when it is a string.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Some(FieldValue::Text(s)) => Some(s.expose()),
            _ => None,
        }
    }

    /// The value as a flag, when it is a boolean.
    pub fn flag(&self) -> Option<bool> {
        match &self.value {
            Some(FieldValue::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// Checks an answer by the field's type before it is sent (CONNMAN.md #5): connmand
    /// would refuse it after a round trip through the radio otherwise.
    pub fn check(&self, input: &str) -> Result<(), InputProblem> {
        match self.type_ {
            FieldType::Psk if !psk_passphrase_valid(input) => Err(InputProblem::InvalidPsk),
            FieldType::Wep if !wep_key_valid(input) => Err(InputProblem::InvalidWepKey),
            FieldType::WpsPin
                if !(input.is_empty()
                    || (matches!(input.len(), 4 | 8)
                        && input.bytes().all(|b| b.is_ascii_digit()))) =>
            {
                Err(InputProblem::InvalidWpsPin)
            }
            FieldType::Ssid if input.len() > 32 => Err(InputProblem::SsidTooLong),
            _ if input.is_empty()
                && self.requirement == Requirement::Mandatory
                && self.type_ != FieldType::WpsPin =>
            {
                Err(InputProblem::Empty)
            }
            _ => Ok(()),
        }
    }
}

/// Why [`Field::check`] refused an answer. The sentences for people belong in `error.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputProblem {
    /// A mandatory field left empty.
    Empty,
    /// Not 8–63 bytes nor 64 hex digits.
    InvalidPsk,
    /// Not 5/13 bytes nor 10/26 hex digits.
    InvalidWepKey,
    /// Not empty (push-button), nor 4 or 8 digits.
    InvalidWpsPin,
    /// More than 32 bytes.
    SsidTooLong,
}

impl FieldValue {
    fn from_value(v: &Value<'_>) -> FieldValue {
        match unwrap_variant(v) {
            Value::Str(s) => FieldValue::Text(Secret::new(s.as_str())),
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Array(a) if a.element_signature() == &Signature::U8 => FieldValue::Bytes(
                a.iter()
                    .filter_map(|x| match x {
                        Value::U8(b) => Some(*b),
                        _ => None,
                    })
                    .collect(),
            ),
            other => FieldValue::Other(other.value_signature().to_string()),
        }
    }
}

fn unwrap_variant<'a, 'v>(mut v: &'a Value<'v>) -> &'a Value<'v> {
    while let Value::Value(inner) = v {
        v = inner;
    }
    v
}

/// A `RequestInput` call, parsed.
#[derive(Debug, PartialEq)]
pub struct InputRequest {
    pub kind: AgentKind,
    /// The service (connmand) or VPN connection (connman-vpnd) object path.
    pub path: String,
    /// Every field, in a stable order: by requirement (mandatory, alternate, optional,
    /// informational, control, unknown), names sorted within.
    pub fields: Vec<Field>,
}

impl InputRequest {
    /// Parses the `fields` argument of `RequestInput`.
    pub fn parse(kind: AgentKind, path: &str, fields: &HashMap<String, OwnedValue>) -> Self {
        let mut fields: Vec<Field> = fields
            .iter()
            .map(|(name, value)| Field::parse(name, value))
            .collect();
        fields
            .sort_by(|a, b| (a.requirement.rank(), &a.name).cmp(&(b.requirement.rank(), &b.name)));
        InputRequest {
            kind,
            path: path.to_owned(),
            fields,
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The fields the person is asked for (mandatory, alternate, optional), in order.
    pub fn inputs(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.requirement.is_input())
    }

    /// `PreviousPassphrase`'s value: connmand sends it on the next `Connect` after a wrong
    /// key (the wrong one) or when a saved passphrase stopped working.
    pub fn previous_passphrase(&self) -> Option<&str> {
        self.field("PreviousPassphrase").and_then(Field::text)
    }

    /// connmand asks for the network's name: a hidden network.
    pub fn is_hidden_network(&self) -> bool {
        self.kind == AgentKind::Connman
            && ["Name", "SSID"].iter().any(|n| {
                self.field(n)
                    .is_some_and(|f| f.requirement != Requirement::Informational)
            })
    }

    /// WPS may be used instead of the passphrase (answer `WPS: ""` for push-button).
    pub fn is_wps_possible(&self) -> bool {
        self.kind == AgentKind::Connman && self.field("WPS").is_some()
    }

    /// 802.1X: an `Identity` is asked.
    pub fn is_enterprise(&self) -> bool {
        self.kind == AgentKind::Connman && self.field("Identity").is_some()
    }

    /// A WISPr hotspot login (`Username` and `Password`).
    pub fn is_wispr(&self) -> bool {
        self.kind == AgentKind::Connman
            && self.field("Username").is_some()
            && self.field("Password").is_some()
    }

    /// VPN: the informational `Host`.
    pub fn host(&self) -> Option<&str> {
        self.informational("Host")
    }

    /// VPN: the informational `Name` of the connection.
    pub fn vpn_name(&self) -> Option<&str> {
        match self.kind {
            AgentKind::Vpn => self.informational("Name"),
            AgentKind::Connman => None,
        }
    }

    /// VPN: whether the person may be offered to store what they type.
    pub fn allow_store_credentials(&self) -> Option<bool> {
        self.field("AllowStoreCredentials").and_then(Field::flag)
    }

    /// VPN: whether stored credentials may be filled in.
    pub fn allow_retrieve_credentials(&self) -> Option<bool> {
        self.field("AllowRetrieveCredentials").and_then(Field::flag)
    }

    /// VPN: whether stored credentials are to be kept (newer connman-vpnd).
    pub fn keep_credentials(&self) -> Option<bool> {
        self.field("KeepCredentials").and_then(Field::flag)
    }

    /// VPN: `VpnAgent.AuthFailure` is present: the last credentials were refused. Its value
    /// (may be empty) says why.
    pub fn auth_failure(&self) -> Option<&str> {
        self.field("VpnAgent.AuthFailure")
            .map(|f| f.text().unwrap_or(""))
    }

    fn informational(&self, name: &str) -> Option<&str> {
        self.field(name)
            .filter(|f| f.requirement == Requirement::Informational)
            .and_then(Field::text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::agent::test_util::*;

    #[test]
    fn every_type_and_requirement_parses_and_unknown_ones_are_kept() {
        for t in FieldType::KNOWN {
            let f = Field::parse("F", &typed(t.as_str(), "mandatory"));
            assert_eq!(&f.type_, t);
            assert_eq!(f.requirement, Requirement::Mandatory);
        }
        for r in Requirement::KNOWN {
            let f = Field::parse("F", &typed("string", r.as_str()));
            assert_eq!(&f.requirement, r);
            assert_eq!(f.type_, FieldType::String);
        }
        let f = Field::parse("F", &typed("fingerprint", "someday"));
        assert_eq!(f.type_, FieldType::Unknown("fingerprint".into()));
        assert_eq!(f.requirement, Requirement::Unknown("someday".into()));
        assert_eq!(f.type_.as_str(), "fingerprint");
        // not a dict at all
        let f = Field::parse("F", &OwnedValue::from(7u32));
        assert_eq!(f.type_, FieldType::Unknown(String::new()));
        assert!(f.alternates.is_empty() && f.value.is_none());
    }

    #[test]
    fn hidden_network_request_with_alternates() {
        let name = field_value(&[
            ("Type", Value::from("string")),
            ("Requirement", Value::from("mandatory")),
            ("Alternates", Value::from(vec!["SSID"])),
        ]);
        let req = InputRequest::parse(
            AgentKind::Connman,
            "/net/connman/service/wifi_x_hidden_managed_psk",
            &fields(vec![
                ("SSID", typed("ssid", "alternate")),
                ("Passphrase", typed("psk", "mandatory")),
                ("Name", name),
            ]),
        );
        let names: Vec<&str> = req.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["Name", "Passphrase", "SSID"],
            "mandatory first, sorted"
        );
        assert_eq!(req.field("Name").unwrap().alternates, ["SSID"]);
        assert!(req.is_hidden_network());
        assert!(!req.is_wps_possible());
        assert!(!req.is_enterprise());
        assert_eq!(req.inputs().count(), 3);
        assert_eq!(req.previous_passphrase(), None);
    }

    #[test]
    fn informational_values_and_wps() {
        let prev = field_value(&[
            ("Type", Value::from("psk")),
            ("Requirement", Value::from("informational")),
            ("Value", Value::from("wrongpassword")),
        ]);
        let pass = field_value(&[
            ("Type", Value::from("psk")),
            ("Requirement", Value::from("mandatory")),
            ("Alternates", Value::from(vec!["WPS"])),
        ]);
        let req = InputRequest::parse(
            AgentKind::Connman,
            "/s",
            &fields(vec![
                ("PreviousPassphrase", prev),
                ("Passphrase", pass),
                ("WPS", typed("wpspin", "alternate")),
            ]),
        );
        assert_eq!(req.previous_passphrase(), Some("wrongpassword"));
        assert!(req.is_wps_possible());
        assert!(!req.is_hidden_network());
        let names: Vec<&str> = req.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Passphrase", "WPS", "PreviousPassphrase"]);
        assert_eq!(req.inputs().count(), 2);
        // the old passphrase never shows in Debug output
        let debug = format!("{req:?}");
        assert!(!debug.contains("wrongpassword"), "{debug}");
        assert!(debug.contains("***"));
    }

    #[test]
    fn vpn_request_with_controls_and_auth_failure() {
        let host = field_value(&[
            ("Type", Value::from("string")),
            ("Requirement", Value::from("informational")),
            ("Value", Value::from("10.77.0.1")),
        ]);
        let name = field_value(&[
            ("Type", Value::from("string")),
            ("Requirement", Value::from("informational")),
            ("Value", Value::from("Lab auth VPN")),
        ]);
        let store = field_value(&[
            ("Type", Value::from("boolean")),
            ("Requirement", Value::from("control")),
            ("Value", Value::from(false)),
        ]);
        let user = field_value(&[
            ("Type", Value::from("string")),
            ("Requirement", Value::from("mandatory")),
            ("Value", Value::from("labuser")),
        ]);
        let fail = field_value(&[
            ("Type", Value::from("string")),
            ("Requirement", Value::from("informational")),
        ]);
        let bytes = field_value(&[
            ("Type", Value::from("string")),
            ("Requirement", Value::from("informational")),
            ("Value", Value::from(vec![1u8, 2, 3])),
        ]);
        let odd = field_value(&[
            ("Type", Value::from("string")),
            ("Requirement", Value::from("informational")),
            ("Value", Value::from(5u32)),
        ]);
        let req = InputRequest::parse(
            AgentKind::Vpn,
            "/net/connman/vpn/connection/x",
            &fields(vec![
                ("Host", host),
                ("Name", name),
                ("AllowStoreCredentials", store),
                ("OpenVPN.Username", user),
                ("OpenVPN.Password", typed("password", "mandatory")),
                ("VpnAgent.AuthFailure", fail),
                ("OpenConnect.CACert", bytes),
                ("Odd", odd),
            ]),
        );
        assert_eq!(req.host(), Some("10.77.0.1"));
        assert_eq!(req.vpn_name(), Some("Lab auth VPN"));
        assert!(!req.is_hidden_network(), "VPN Name is informational");
        assert_eq!(req.allow_store_credentials(), Some(false));
        assert_eq!(req.allow_retrieve_credentials(), None);
        assert_eq!(req.keep_credentials(), None);
        assert_eq!(req.auth_failure(), Some(""));
        assert_eq!(
            req.field("OpenVPN.Username").unwrap().text(),
            Some("labuser")
        );
        assert_eq!(
            req.field("OpenConnect.CACert").unwrap().value,
            Some(FieldValue::Bytes(vec![1, 2, 3]))
        );
        assert_eq!(
            req.field("Odd").unwrap().value,
            Some(FieldValue::Other("u".into()))
        );
        let inputs: Vec<&str> = req.inputs().map(|f| f.name.as_str()).collect();
        assert_eq!(inputs, ["OpenVPN.Password", "OpenVPN.Username"]);
        assert_eq!(req.fields.last().unwrap().name, "AllowStoreCredentials");
        assert!(req.field("OpenVPN.Password").unwrap().type_.is_secret());
    }

    #[test]
    fn answers_are_checked_by_type() {
        let f = |t: &str, r: &str| Field::parse("F", &typed(t, r));
        let psk = f("psk", "mandatory");
        assert_eq!(psk.check("short"), Err(InputProblem::InvalidPsk));
        assert_eq!(psk.check("labpassword"), Ok(()));
        assert_eq!(psk.check(&"a".repeat(64)), Ok(()));
        assert_eq!(psk.check(&"g".repeat(64)), Err(InputProblem::InvalidPsk));
        let wep = f("wep", "mandatory");
        assert_eq!(wep.check("12345"), Ok(()));
        assert_eq!(wep.check("0123456789"), Ok(()));
        assert_eq!(wep.check("1234"), Err(InputProblem::InvalidWepKey));
        let pin = f("wpspin", "alternate");
        assert_eq!(pin.check(""), Ok(()), "push-button");
        assert_eq!(pin.check("12345670"), Ok(()));
        assert_eq!(pin.check("12a4"), Err(InputProblem::InvalidWpsPin));
        let name = f("string", "mandatory");
        assert_eq!(name.check(""), Err(InputProblem::Empty));
        assert_eq!(name.check("x"), Ok(()));
        assert_eq!(f("string", "optional").check(""), Ok(()));
        assert_eq!(
            f("ssid", "alternate").check(&"x".repeat(33)),
            Err(InputProblem::SsidTooLong)
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(AgentKind::Connman.path(), AGENT_PATH);
        assert_eq!(AgentKind::Vpn.path(), VPN_AGENT_PATH);
        assert_eq!(AgentKind::Vpn.bus_name(), "net.connman.vpn");
        assert_eq!(
            AgentKind::Vpn.manager_interface(),
            "net.connman.vpn.Manager"
        );
        assert_eq!(AgentKind::Connman.interface(), "net.connman.Agent");
    }
}
