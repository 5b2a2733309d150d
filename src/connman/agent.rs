//! Connie's agents: `net.connman.Agent` and `net.connman.vpn.Agent`, served on the client's
//! own bus connection.
//!
//! # Data flow
//!
//! ```text
//! connmand ──RequestInput──> ConnmanAgent (zbus task) ──AgentRequest::Input{request, reply}──> UI
//!    ^                            │ awaits the reply slot (bounded(1), used as a oneshot)     │
//!    └──── a{sv} or an error ─────┘ <──────────── Responder::send(InputReply) ────────────────┘
//! ```
//!
//! Every incoming call becomes an [`AgentRequest`] on the channel that [`serve`] returns; the
//! D-Bus method then awaits the answer without blocking anything (zbus runs each method call in
//! a task of its own). The UI answers through the [`Responder`] inside the request, whenever it
//! likes; dropping a responder unanswered answers for it ([`Unanswered`]: `Canceled` for input
//! and the browser, a plain return for errors).
//!
//! # Cancel
//!
//! connmand calls `Cancel()` when it gives up on the request it is waiting for; in 1.41 that
//! is seen in the same millisecond as `ReportError(invalid-key)`. A `Cancel` answers every
//! call still pending on that agent with its unanswered value (the UI's later answer goes
//! nowhere, [`Responder::is_moot`] tells), and reaches the UI as [`AgentRequest::Cancel`] so
//! that it closes the open prompt. connmand sends at most one request at a time to an agent,
//! so there is at most one prompt per [`AgentKind`] to close.
//!
//! Not every end is announced. After `InputRequestTimeout` connmand 1.41 sends *no* `Cancel`
//! (it sends one only for a `Timeout`/`TimedOut` error, while libdbus reports an expired call
//! as `NoReply`, seen in the lab): its `Connect` fails and the prompt would stay open. The
//! caller of `Connect` therefore calls [`AgentHandle::cancel_service`] when `Connect` fails,
//! and [`AgentHandle::cancel_pending`] when the daemon's bus name loses its owner. zbus may start the task of a
//! call after the task of the `Cancel` that followed it; calls are therefore ordered by their
//! D-Bus serial: a call from the same sender with a lower serial than the last `Cancel` is
//! answered at once. Such an `Input` or `RequestBrowser` is not shown at all; a `ReportError`
//! still reaches the UI (it says what went wrong) with a moot responder.
//!
//! # Who may call
//!
//! Any process on the system bus can call our objects. Only the current owner of
//! `net.connman` (for the VPN agent, of `net.connman.vpn`) is answered; everyone else gets
//! `org.freedesktop.DBus.Error.AccessDenied` (and one line on stderr), so no other process can
//! pop up a fake passphrase prompt. The owners are kept in [`AgentOwners`], which the client
//! updates from `NameOwnerChanged`; while an owner is unknown, that agent refuses everyone.
//!
//! # Secrets
//!
//! Answers are [`Secret`]s: `Debug` and `Display` print `***`, and the bytes are overwritten
//! when the value is dropped. Nothing in this module logs a field value. The reply dict
//! ([`ReplyDict`]) borrows the secrets and is serialized straight into the reply message, then
//! dropped with them. Limits, honestly: zbus serializes the reply into a message buffer, and the
//! request (with `PreviousPassphrase`) arrives in one; neither buffer is wiped. The kernel's
//! socket buffers, dbus-daemon and connmand hold copies too, and so does whatever widget the
//! person typed into. Wiping shortens the life of our own copies; it is not a guarantee.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use zbus::export::serde::ser::{SerializeMap, Serializer};
use zbus::export::serde::Serialize;
use zbus::message::{Header, Message};
use zbus::names::{BusName, ErrorName, InterfaceName};
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Signature, Type, Value};
use zbus::{Connection, DBusError};

use super::error::ConnmanError;
use super::types::string_enum;
use super::types::{psk_passphrase_valid, wep_key_valid, ServiceError};

/// Where the `net.connman.Agent` object is served.
pub const AGENT_PATH: &str = "/io/github/connie/Agent";
/// Where the `net.connman.vpn.Agent` object is served.
pub const VPN_AGENT_PATH: &str = "/io/github/connie/VpnAgent";

// ---------------------------------------------------------------------------------------------
// Kinds, fields, requests
// ---------------------------------------------------------------------------------------------

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

    const fn index(self) -> usize {
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

// ---------------------------------------------------------------------------------------------
// Secrets and answers
// ---------------------------------------------------------------------------------------------

/// A passphrase, PIN or password. `Debug` and `Display` print `***`; the bytes are
/// overwritten with zeros on drop (see the module documentation for what that does not cover).
/// Deliberately not `Clone`: every copy is one more to wipe.
#[derive(Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, to put in an entry or compare. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the bytes out, leaving this secret empty (to send an SSID as `ay`).
    fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0).into_bytes()
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = self.take_bytes();
        wipe(&mut bytes);
    }
}

/// Overwrites the whole allocation (capacity, not just length) with zeros.
fn wipe(bytes: &mut Vec<u8>) {
    let capacity = bytes.capacity();
    bytes.clear();
    bytes.resize(capacity, 0);
    // Keeps the optimizer from dropping the writes to memory about to be freed.
    std::hint::black_box(&mut *bytes);
}

/// One answer to a field.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// A string (`s`). Text for a field of type `ssid` is sent as bytes.
    Text(Secret),
    /// An SSID as raw bytes (`ay`): up to 32 arbitrary bytes.
    Ssid(Vec<u8>),
    /// A boolean (`b`): the VPN's `SaveCredentials`.
    Bool(bool),
}

impl From<Secret> for Answer {
    fn from(s: Secret) -> Answer {
        Answer::Text(s)
    }
}

impl From<&str> for Answer {
    fn from(s: &str) -> Answer {
        Answer::Text(Secret::from(s))
    }
}

impl From<String> for Answer {
    fn from(s: String) -> Answer {
        Answer::Text(Secret::from(s))
    }
}

impl From<bool> for Answer {
    fn from(b: bool) -> Answer {
        Answer::Bool(b)
    }
}

/// The UI's answer to [`AgentRequest::Input`].
#[derive(Debug, PartialEq)]
pub enum InputReply {
    /// Field name → answer. Build with [`InputReply::values`] and [`InputReply::set`].
    Values(Vec<(String, Answer)>),
    /// The person canceled: `net.connman.Agent.Error.Canceled` (vpn: `….vpn.Agent.Error.…`).
    Canceled,
    /// WISPr: the person prefers to log in with a browser (`….Agent.Error.LaunchBrowser`).
    /// The VPN agent has no such answer; it sends `Canceled` instead.
    LaunchBrowser,
}

impl InputReply {
    /// An empty answer, to fill with [`InputReply::set`].
    pub fn values() -> InputReply {
        InputReply::Values(Vec::new())
    }

    /// Adds (or replaces) the answer for `name`. No effect on `Canceled`/`LaunchBrowser`.
    pub fn set(mut self, name: impl Into<String>, answer: impl Into<Answer>) -> InputReply {
        if let InputReply::Values(values) = &mut self {
            let name = name.into();
            values.retain(|(n, _)| *n != name);
            values.push((name, answer.into()));
        }
        self
    }

    /// `Passphrase` only: the usual answer for PSK and WEP networks.
    pub fn passphrase(passphrase: Secret) -> InputReply {
        InputReply::values().set("Passphrase", passphrase)
    }

    /// WPS push-button: `WPS` present with an empty string (leaving `WPS` out means "no WPS").
    pub fn wps_push_button() -> InputReply {
        InputReply::values().set("WPS", "")
    }

    /// WPS with a PIN.
    pub fn wps_pin(pin: Secret) -> InputReply {
        InputReply::values().set("WPS", pin)
    }
}

/// The UI's answer to [`AgentRequest::ReportError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorReply {
    /// Plain return: the error was shown.
    Ok,
    /// `net.connman.Agent.Error.Retry`: ask connmand to try again. connmand 1.41 has already
    /// canceled after `invalid-key`, so it does nothing there (CONNMAN.md #3).
    Retry,
}

/// The UI's answer to [`AgentRequest::RequestBrowser`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserReply {
    /// A browser was opened at the URL.
    Opened,
    /// `net.connman.Agent.Error.Canceled`.
    Canceled,
}

/// The answer given for a request nobody answered (responder dropped, `Cancel`, `Release`,
/// or the daemon went away).
pub trait Unanswered {
    fn unanswered() -> Self;
}

impl Unanswered for InputReply {
    fn unanswered() -> Self {
        InputReply::Canceled
    }
}

impl Unanswered for ErrorReply {
    fn unanswered() -> Self {
        ErrorReply::Ok
    }
}

impl Unanswered for BrowserReply {
    fn unanswered() -> Self {
        BrowserReply::Canceled
    }
}

/// The way back to the D-Bus call that is waiting. Answer once with [`Responder::send`];
/// dropping it unanswered answers [`Unanswered::unanswered`].
pub struct Responder<T: Unanswered> {
    tx: Option<async_channel::Sender<T>>,
}

impl<T: Unanswered> Responder<T> {
    fn new(tx: async_channel::Sender<T>) -> Self {
        Responder { tx: Some(tx) }
    }

    /// Answers the call. Returns `false` when the answer went nowhere: the call was already
    /// answered for us (a `Cancel`, the daemon gone), and the value is dropped (and wiped).
    pub fn send(mut self, value: T) -> bool {
        match self.tx.take() {
            Some(tx) => answer_once(&tx, value),
            None => false,
        }
    }

    /// Whether the call was already answered for us, e.g. by a `Cancel`: an answer now would
    /// go nowhere, and the prompt can close.
    pub fn is_moot(&self) -> bool {
        match &self.tx {
            Some(tx) => is_answered(tx),
            None => true,
        }
    }
}

impl<T: Unanswered> Drop for Responder<T> {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            answer_once(&tx, T::unanswered());
        }
    }
}

/// Puts the one answer in the call's slot and closes it, so that every later answer fails
/// (the answer already queued stays receivable). `false` if another answer was first.
fn answer_once<T>(tx: &async_channel::Sender<T>, value: T) -> bool {
    let sent = tx.try_send(value).is_ok();
    tx.close();
    sent
}

/// Whether the call has its answer (closed by [`answer_once`], or full in between).
fn is_answered<T>(tx: &async_channel::Sender<T>) -> bool {
    tx.is_closed() || tx.is_full()
}

impl<T: Unanswered> fmt::Debug for Responder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("moot", &self.is_moot())
            .finish()
    }
}

/// What the daemons ask, in the order the calls arrived.
#[derive(Debug)]
pub enum AgentRequest {
    /// `RequestInput`: show a prompt, answer through `reply`. Skip it when
    /// `reply.is_moot()` (a `Cancel` overtook it in the queue).
    Input {
        request: InputRequest,
        reply: Responder<InputReply>,
    },
    /// `ReportError`: show the error. connmand 1.41 follows `invalid-key` with `Cancel`.
    ReportError {
        kind: AgentKind,
        /// The service (connmand) or VPN connection (connman-vpnd).
        path: String,
        error: ServiceError,
        reply: Responder<ErrorReply>,
    },
    /// `RequestBrowser` (connmand only): a captive portal. `url` may be empty (seen in 1.41).
    RequestBrowser {
        path: String,
        url: String,
        reply: Responder<BrowserReply>,
    },
    /// `Cancel`: the daemon gave up on the request it was waiting for. Close the open prompt
    /// of this kind; its responder is moot already. Also sent by
    /// [`AgentHandle::cancel_pending`] and [`AgentHandle::cancel_service`].
    Cancel { kind: AgentKind },
    /// `Release`: the daemon unregistered the agent (it is going away). Register again when
    /// its bus name has an owner again.
    Release { kind: AgentKind },
}

// ---------------------------------------------------------------------------------------------
// Replies on the wire
// ---------------------------------------------------------------------------------------------

/// An error answer of our agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentError {
    /// `net.connman.Agent.Error.Canceled` / `net.connman.vpn.Agent.Error.Canceled`.
    Canceled(AgentKind),
    /// `net.connman.Agent.Error.Retry` / `net.connman.vpn.Agent.Error.Retry`.
    Retry(AgentKind),
    /// `net.connman.Agent.Error.LaunchBrowser` (WISPr).
    LaunchBrowser,
    /// `net.connman.Agent.Error.Rejected` (peer authorization).
    Rejected,
    /// `org.freedesktop.DBus.Error.AccessDenied`: the caller does not own the daemon's name.
    AccessDenied(AgentKind),
}

impl AgentError {
    /// The D-Bus error name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Canceled(AgentKind::Connman) => "net.connman.Agent.Error.Canceled",
            Self::Canceled(AgentKind::Vpn) => "net.connman.vpn.Agent.Error.Canceled",
            Self::Retry(AgentKind::Connman) => "net.connman.Agent.Error.Retry",
            Self::Retry(AgentKind::Vpn) => "net.connman.vpn.Agent.Error.Retry",
            Self::LaunchBrowser => "net.connman.Agent.Error.LaunchBrowser",
            Self::Rejected => "net.connman.Agent.Error.Rejected",
            Self::AccessDenied(_) => "org.freedesktop.DBus.Error.AccessDenied",
        }
    }

    fn message(&self) -> &'static str {
        match self {
            Self::Canceled(_) => "Canceled",
            Self::Retry(_) => "Retry",
            Self::LaunchBrowser => "Launch browser",
            Self::Rejected => "Rejected",
            Self::AccessDenied(AgentKind::Connman) => {
                "Only the owner of net.connman may call this agent"
            }
            Self::AccessDenied(AgentKind::Vpn) => {
                "Only the owner of net.connman.vpn may call this agent"
            }
        }
    }
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for AgentError {}

impl DBusError for AgentError {
    fn create_reply(&self, call: &Header<'_>) -> zbus::Result<Message> {
        Message::error(call, self.name())?.build(&(self.message(),))
    }

    fn name(&self) -> ErrorName<'_> {
        ErrorName::from_static_str_unchecked(AgentError::name(self))
    }

    fn description(&self) -> Option<&str> {
        Some(self.message())
    }
}

/// The `a{sv}` answer to `RequestInput`. It owns the answers and borrows the secrets while
/// zbus serializes it into the reply; dropping it wipes them.
#[derive(Debug, Default, PartialEq)]
pub struct ReplyDict {
    entries: Vec<(String, Answer)>,
}

impl ReplyDict {
    /// Builds the dict for `request` from the UI's answers: text for a field of type `ssid`
    /// (or named `SSID` when the request does not list it) becomes bytes; a later answer for
    /// the same name replaces an earlier one. Everything else goes as given.
    pub fn build(request: &InputRequest, values: Vec<(String, Answer)>) -> ReplyDict {
        let ssid_fields: Vec<&str> = request
            .fields
            .iter()
            .filter(|f| f.type_ == FieldType::Ssid)
            .map(|f| f.name.as_str())
            .collect();
        Self::build_with(&ssid_fields, values)
    }

    fn build_with(ssid_fields: &[&str], values: Vec<(String, Answer)>) -> ReplyDict {
        let mut entries: Vec<(String, Answer)> = Vec::with_capacity(values.len());
        for (name, answer) in values {
            let is_ssid =
                ssid_fields.contains(&name.as_str()) || (ssid_fields.is_empty() && name == "SSID");
            let answer = match answer {
                Answer::Text(mut s) if is_ssid => Answer::Ssid(s.take_bytes()),
                other => other,
            };
            entries.retain(|(n, _)| *n != name);
            entries.push((name, answer));
        }
        ReplyDict { entries }
    }

    /// The entries as they go on the wire (strings borrowed, not copied).
    pub fn entries(&self) -> impl Iterator<Item = (&str, Value<'_>)> {
        self.entries.iter().map(|(name, answer)| {
            let value = match answer {
                Answer::Text(s) => Value::from(s.expose()),
                Answer::Ssid(bytes) => Value::from(bytes.as_slice()),
                Answer::Bool(b) => Value::from(*b),
            };
            (name.as_str(), value)
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Serialize for ReplyDict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (name, value) in self.entries() {
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

impl Type for ReplyDict {
    const SIGNATURE: &'static Signature = <HashMap<String, Value<'static>> as Type>::SIGNATURE;
}

/// What goes back for an input answer.
pub fn input_outcome(request: &InputRequest, reply: InputReply) -> Result<ReplyDict, AgentError> {
    match reply {
        InputReply::Values(values) => Ok(ReplyDict::build(request, values)),
        InputReply::Canceled => Err(AgentError::Canceled(request.kind)),
        InputReply::LaunchBrowser => Err(match request.kind {
            AgentKind::Connman => AgentError::LaunchBrowser,
            AgentKind::Vpn => AgentError::Canceled(AgentKind::Vpn),
        }),
    }
}

/// What goes back for an error answer.
pub fn error_outcome(kind: AgentKind, reply: ErrorReply) -> Result<(), AgentError> {
    match reply {
        ErrorReply::Ok => Ok(()),
        ErrorReply::Retry => Err(AgentError::Retry(kind)),
    }
}

/// What goes back for a browser answer.
pub fn browser_outcome(reply: BrowserReply) -> Result<(), AgentError> {
    match reply {
        BrowserReply::Opened => Ok(()),
        BrowserReply::Canceled => Err(AgentError::Canceled(AgentKind::Connman)),
    }
}

// ---------------------------------------------------------------------------------------------
// Owners
// ---------------------------------------------------------------------------------------------

/// The current unique-name owners of `net.connman` and `net.connman.vpn`: the only callers
/// our agents answer. Shared: the client updates it from `NameOwnerChanged`, the agents read
/// it on every call. `None` (unknown, or no daemon) refuses everyone.
#[derive(Debug, Clone, Default)]
pub struct AgentOwners {
    connman: Arc<Mutex<Option<String>>>,
    vpn: Arc<Mutex<Option<String>>>,
}

impl AgentOwners {
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, kind: AgentKind) -> MutexGuard<'_, Option<String>> {
        match kind {
            AgentKind::Connman => &self.connman,
            AgentKind::Vpn => &self.vpn,
        }
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the owner of `kind`'s bus name (a unique name like `:1.7`), or `None`.
    pub fn set(&self, kind: AgentKind, owner: Option<String>) {
        *self.slot(kind) = owner;
    }

    pub fn set_connman(&self, owner: Option<String>) {
        self.set(AgentKind::Connman, owner);
    }

    pub fn set_vpn(&self, owner: Option<String>) {
        self.set(AgentKind::Vpn, owner);
    }

    pub fn get(&self, kind: AgentKind) -> Option<String> {
        self.slot(kind).clone()
    }

    /// Asks the bus for both owners now ([`resolve_owner`]).
    pub async fn refresh(&self, conn: &Connection) {
        for kind in AgentKind::ALL {
            self.set(kind, resolve_owner(conn, kind.bus_name()).await);
        }
    }

    fn is_owner(&self, kind: AgentKind, sender: Option<&str>) -> bool {
        match (sender, self.slot(kind).as_deref()) {
            (Some(sender), Some(owner)) => sender == owner,
            _ => false,
        }
    }
}

/// The unique name owning `name` now (`org.freedesktop.DBus.GetNameOwner`), or `None`.
pub async fn resolve_owner(conn: &Connection, name: &str) -> Option<String> {
    let name = BusName::try_from(name).ok()?;
    let proxy = zbus::fdo::DBusProxy::new(conn).await.ok()?;
    let owner = proxy.get_name_owner(name).await.ok()?;
    Some(owner.to_string())
}

// ---------------------------------------------------------------------------------------------
// Serving
// ---------------------------------------------------------------------------------------------

enum Slot {
    Input(async_channel::Sender<InputReply>),
    Error(async_channel::Sender<ErrorReply>),
    Browser(async_channel::Sender<BrowserReply>),
}

impl Slot {
    /// Whether the call has its answer already (its task may not have sent it yet).
    fn is_settled(&self) -> bool {
        match self {
            Slot::Input(tx) => is_answered(tx),
            Slot::Error(tx) => is_answered(tx),
            Slot::Browser(tx) => is_answered(tx),
        }
    }

    /// Answers the pending call for the UI (a no-op when it was answered already).
    fn settle(&self) {
        match self {
            Slot::Input(tx) => answer_once(tx, InputReply::unanswered()),
            Slot::Error(tx) => answer_once(tx, ErrorReply::unanswered()),
            Slot::Browser(tx) => answer_once(tx, BrowserReply::unanswered()),
        };
    }
}

struct Pending {
    id: u64,
    kind: AgentKind,
    path: String,
    slot: Slot,
}

#[derive(Default)]
struct State {
    next_id: u64,
    pending: Vec<Pending>,
    /// Per kind: the sender and serial of the last `Cancel`/`Release`.
    settled_before: [Option<(String, u32)>; 2],
}

struct Shared {
    owners: AgentOwners,
    requests: async_channel::Sender<AgentRequest>,
    state: Mutex<State>,
}

/// Removes a pending call when its D-Bus method ends (or its task is dropped).
struct Tracked<'a> {
    shared: &'a Shared,
    id: u64,
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        self.shared.state().pending.retain(|p| p.id != self.id);
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn authorize(&self, kind: AgentKind, header: &Header<'_>) -> Result<(), AgentError> {
        let sender = header.sender().map(|s| s.as_str());
        if self.owners.is_owner(kind, sender) {
            return Ok(());
        }
        tracing::warn!(
            "refused {}.{} from {}: only the owner of {} ({}) may call the agent",
            kind.interface(),
            header.member().map_or("?", |m| m.as_str()),
            sender.unwrap_or("an unknown sender"),
            kind.bus_name(),
            self.owners
                .get(kind)
                .unwrap_or_else(|| "nobody known".to_owned()),
        );
        Err(AgentError::AccessDenied(kind))
    }

    fn forward(&self, request: AgentRequest) {
        // Unbounded: never blocks. When the UI is gone, the request (and its responder) is
        // dropped, which answers the call.
        let _ = self.requests.try_send(request);
    }

    /// Registers a pending call. Returns the guard and whether a `Cancel` that came after it
    /// on the bus has been handled already.
    fn track(
        &self,
        kind: AgentKind,
        header: &Header<'_>,
        path: &str,
        slot: Slot,
    ) -> (Tracked<'_>, bool) {
        let mut state = self.state();
        let stale = match (&state.settled_before[kind.index()], header.sender()) {
            (Some((sender, serial)), Some(from)) => {
                sender == from.as_str() && header.primary().serial_num().get() < *serial
            }
            _ => false,
        };
        if stale {
            slot.settle();
        }
        let id = state.next_id;
        state.next_id += 1;
        state.pending.push(Pending {
            id,
            kind,
            path: path.to_owned(),
            slot,
        });
        (Tracked { shared: self, id }, stale)
    }

    /// Answers every pending call of `kind` for the UI. With the header of the daemon's
    /// `Cancel`/`Release`, calls that it sent earlier and whose tasks have not run yet are
    /// answered as soon as they do.
    fn settle_all(&self, kind: AgentKind, header: Option<&Header<'_>>) {
        let mut state = self.state();
        if let Some((h, sender)) = header.and_then(|h| Some((h, h.sender()?))) {
            state.settled_before[kind.index()] =
                Some((sender.to_string(), h.primary().serial_num().get()));
        }
        for p in state.pending.iter().filter(|p| p.kind == kind) {
            p.slot.settle();
        }
    }

    async fn request_input(
        &self,
        kind: AgentKind,
        header: &Header<'_>,
        path: &str,
        fields: &HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.authorize(kind, header)?;
        let request = InputRequest::parse(kind, path, fields);
        // The reply is built against the field types, kept apart from the request that
        // goes to the UI.
        let skeleton = InputRequest {
            kind,
            path: String::new(),
            fields: request
                .fields
                .iter()
                .filter(|f| f.type_ == FieldType::Ssid)
                .map(|f| Field {
                    name: f.name.clone(),
                    type_: FieldType::Ssid,
                    requirement: f.requirement.clone(),
                    alternates: Vec::new(),
                    value: None,
                })
                .collect(),
        };
        let (tx, rx) = async_channel::bounded(1);
        let (tracked, stale) = self.track(kind, header, path, Slot::Input(tx.clone()));
        if stale {
            drop(tx);
        } else {
            self.forward(AgentRequest::Input {
                request,
                reply: Responder::new(tx),
            });
        }
        let reply = rx.recv().await.unwrap_or(InputReply::Canceled);
        drop(tracked);
        input_outcome(&skeleton, reply)
    }

    async fn report_error(
        &self,
        kind: AgentKind,
        header: &Header<'_>,
        path: &str,
        error: &str,
    ) -> Result<(), AgentError> {
        self.authorize(kind, header)?;
        let (tx, rx) = async_channel::bounded(1);
        let (tracked, _stale) = self.track(kind, header, path, Slot::Error(tx.clone()));
        // Shown even when already settled: it says what went wrong.
        self.forward(AgentRequest::ReportError {
            kind,
            path: path.to_owned(),
            error: ServiceError::parse(error),
            reply: Responder::new(tx),
        });
        let reply = rx.recv().await.unwrap_or(ErrorReply::Ok);
        drop(tracked);
        error_outcome(kind, reply)
    }

    async fn request_browser(
        &self,
        header: &Header<'_>,
        path: &str,
        url: &str,
    ) -> Result<(), AgentError> {
        let kind = AgentKind::Connman;
        self.authorize(kind, header)?;
        let (tx, rx) = async_channel::bounded(1);
        let (tracked, stale) = self.track(kind, header, path, Slot::Browser(tx.clone()));
        if stale {
            drop(tx);
        } else {
            self.forward(AgentRequest::RequestBrowser {
                path: path.to_owned(),
                url: url.to_owned(),
                reply: Responder::new(tx),
            });
        }
        let reply = rx.recv().await.unwrap_or(BrowserReply::Canceled);
        drop(tracked);
        browser_outcome(reply)
    }

    fn cancel(&self, kind: AgentKind, header: &Header<'_>) -> Result<(), AgentError> {
        self.authorize(kind, header)?;
        self.settle_all(kind, Some(header));
        self.forward(AgentRequest::Cancel { kind });
        Ok(())
    }

    fn release(&self, kind: AgentKind, header: &Header<'_>) -> Result<(), AgentError> {
        self.authorize(kind, header)?;
        self.settle_all(kind, Some(header));
        self.forward(AgentRequest::Release { kind });
        Ok(())
    }
}

struct ConnmanAgent(Arc<Shared>);
struct VpnAgent(Arc<Shared>);

#[zbus::interface(name = "net.connman.Agent")]
impl ConnmanAgent {
    async fn release(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.release(AgentKind::Connman, &header)
    }

    async fn report_error(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        error: String,
    ) -> Result<(), AgentError> {
        self.0
            .report_error(AgentKind::Connman, &header, service.as_str(), &error)
            .await
    }

    /// P2P peers are not offered by Connie: acknowledged, not shown.
    async fn report_peer_error(
        &self,
        #[zbus(header)] header: Header<'_>,
        _peer: OwnedObjectPath,
        _error: String,
    ) -> Result<(), AgentError> {
        self.0.authorize(AgentKind::Connman, &header)
    }

    async fn request_browser(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        url: String,
    ) -> Result<(), AgentError> {
        self.0
            .request_browser(&header, service.as_str(), &url)
            .await
    }

    async fn request_input(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        fields: HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.0
            .request_input(AgentKind::Connman, &header, service.as_str(), &fields)
            .await
    }

    /// P2P peers are not offered by Connie: every peer connection is rejected.
    async fn request_peer_authorization(
        &self,
        #[zbus(header)] header: Header<'_>,
        _peer: OwnedObjectPath,
        _fields: HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.0.authorize(AgentKind::Connman, &header)?;
        Err(AgentError::Rejected)
    }

    async fn cancel(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.cancel(AgentKind::Connman, &header)
    }
}

#[zbus::interface(name = "net.connman.vpn.Agent")]
impl VpnAgent {
    async fn release(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.release(AgentKind::Vpn, &header)
    }

    async fn report_error(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        error: String,
    ) -> Result<(), AgentError> {
        self.0
            .report_error(AgentKind::Vpn, &header, service.as_str(), &error)
            .await
    }

    async fn request_input(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        fields: HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.0
            .request_input(AgentKind::Vpn, &header, service.as_str(), &fields)
            .await
    }

    async fn cancel(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.cancel(AgentKind::Vpn, &header)
    }
}

/// The served agents. Cloning shares them.
#[derive(Clone)]
pub struct AgentHandle {
    conn: Connection,
    shared: Arc<Shared>,
}

impl fmt::Debug for AgentHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentHandle")
            .field("owners", &self.shared.owners)
            .finish_non_exhaustive()
    }
}

impl AgentHandle {
    /// The owners the agents check callers against.
    pub fn owners(&self) -> &AgentOwners {
        &self.shared.owners
    }

    /// Answers every call of `kind` still waiting for the UI as unanswered, and sends
    /// [`AgentRequest::Cancel`]: for when the daemon's name lost its owner (the daemon
    /// stopped or crashed, and will never read the answers).
    pub fn cancel_pending(&self, kind: AgentKind) {
        self.shared.settle_all(kind, None);
        self.shared.forward(AgentRequest::Cancel { kind });
    }

    /// Answers the calls about `path` (a service or VPN connection) still waiting for the UI
    /// as unanswered, and sends [`AgentRequest::Cancel`] for their kind. Returns how many
    /// there were. For when `Connect` on that service failed while its prompt was open:
    /// connmand 1.41 sends no `Cancel` after its `InputRequestTimeout` (see the module
    /// documentation).
    pub fn cancel_service(&self, path: &str) -> usize {
        let mut kinds = Vec::new();
        let mut settled = 0;
        let state = self.shared.state();
        let waiting = state
            .pending
            .iter()
            .filter(|p| p.path == path && !p.slot.is_settled());
        for p in waiting {
            p.slot.settle();
            settled += 1;
            if !kinds.contains(&p.kind) {
                kinds.push(p.kind);
            }
        }
        drop(state);
        for kind in kinds {
            self.shared.forward(AgentRequest::Cancel { kind });
        }
        settled
    }

    /// How many calls of `kind` are waiting for the UI's answer.
    pub fn pending(&self, kind: AgentKind) -> usize {
        self.shared
            .state()
            .pending
            .iter()
            .filter(|p| p.kind == kind && !p.slot.is_settled())
            .count()
    }

    /// Stops serving both agents (pending calls are answered as unanswered first).
    pub async fn stop(self) -> zbus::Result<()> {
        for kind in AgentKind::ALL {
            self.cancel_pending(kind);
        }
        let server = self.conn.object_server();
        server.remove::<ConnmanAgent, _>(AGENT_PATH).await?;
        server.remove::<VpnAgent, _>(VPN_AGENT_PATH).await?;
        Ok(())
    }
}

/// Serves `net.connman.Agent` at [`AGENT_PATH`] and `net.connman.vpn.Agent` at
/// [`VPN_AGENT_PATH`] on `conn`, answering only the owners in `owners`. Returns at once;
/// the requests come on the receiver. Register with [`register`] afterwards (on the same
/// connection: connmand calls back the sender that registered).
pub async fn serve(
    conn: &Connection,
    owners: AgentOwners,
) -> zbus::Result<(AgentHandle, async_channel::Receiver<AgentRequest>)> {
    let (tx, rx) = async_channel::unbounded();
    let shared = Arc::new(Shared {
        owners,
        requests: tx,
        state: Mutex::new(State::default()),
    });
    let server = conn.object_server();
    if !server.at(AGENT_PATH, ConnmanAgent(shared.clone())).await? {
        return Err(already_served(AgentKind::Connman));
    }
    if !server.at(VPN_AGENT_PATH, VpnAgent(shared.clone())).await? {
        server.remove::<ConnmanAgent, _>(AGENT_PATH).await?;
        return Err(already_served(AgentKind::Vpn));
    }
    Ok((
        AgentHandle {
            conn: conn.clone(),
            shared,
        },
        rx,
    ))
}

fn already_served(kind: AgentKind) -> zbus::Error {
    zbus::Error::InterfaceExists(
        InterfaceName::from_static_str_unchecked(kind.interface()),
        ObjectPath::from_static_str_unchecked(kind.path()),
    )
}

/// `RegisterAgent` with connmand (`net.connman.Manager`) or connman-vpnd
/// (`net.connman.vpn.Manager`). `AlreadyExists` (this connection has an agent there already)
/// counts as success.
pub async fn register(conn: &Connection, kind: AgentKind) -> Result<(), ConnmanError> {
    match manager_call(conn, kind, "RegisterAgent").await {
        Err(ConnmanError::AlreadyExists) => Ok(()),
        other => other,
    }
}

/// `UnregisterAgent`. `NotFound`/`NotRegistered` (nothing registered) count as success.
pub async fn unregister(conn: &Connection, kind: AgentKind) -> Result<(), ConnmanError> {
    match manager_call(conn, kind, "UnregisterAgent").await {
        Err(ConnmanError::NotFound | ConnmanError::NotRegistered) => Ok(()),
        other => other,
    }
}

async fn manager_call(
    conn: &Connection,
    kind: AgentKind,
    method: &'static str,
) -> Result<(), ConnmanError> {
    let path = ObjectPath::from_static_str_unchecked(kind.path());
    conn.call_method(
        Some(kind.bus_name()),
        "/",
        Some(kind.manager_interface()),
        method,
        &(path,),
    )
    .await
    .map(drop)
    .map_err(ConnmanError::from)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::zvariant::Dict;

    fn field_value(entries: &[(&str, Value<'static>)]) -> OwnedValue {
        let mut d = Dict::new(&Signature::Str, &Signature::Variant);
        for (k, v) in entries {
            d.append(
                Value::from(*k),
                Value::Value(Box::new(v.try_clone().unwrap())),
            )
            .unwrap();
        }
        OwnedValue::try_from(Value::Dict(d)).unwrap()
    }

    fn fields(list: Vec<(&str, OwnedValue)>) -> HashMap<String, OwnedValue> {
        list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    fn typed(type_: &str, requirement: &str) -> OwnedValue {
        field_value(&[
            ("Type", Value::from(type_.to_owned())),
            ("Requirement", Value::from(requirement.to_owned())),
        ])
    }

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

    fn hidden_request() -> InputRequest {
        InputRequest::parse(
            AgentKind::Connman,
            "/s",
            &fields(vec![
                ("Name", typed("string", "mandatory")),
                ("SSID", typed("ssid", "alternate")),
                ("Passphrase", typed("psk", "mandatory")),
                ("WPS", typed("wpspin", "alternate")),
            ]),
        )
    }

    fn wire(dict: &ReplyDict) -> HashMap<String, OwnedValue> {
        let call = Message::method_call("/io/github/connie/Agent", "RequestInput")
            .unwrap()
            .destination(":1.2")
            .unwrap()
            .build(&())
            .unwrap();
        let reply = Message::method_return(&call.header())
            .unwrap()
            .build(dict)
            .unwrap();
        assert_eq!(reply.body().signature().to_string(), "a{sv}");
        reply.body().deserialize().unwrap()
    }

    #[test]
    fn wps_push_button_is_an_empty_string_that_is_present() {
        let req = hidden_request();
        let dict = input_outcome(&req, InputReply::wps_push_button()).unwrap();
        let entries: Vec<(&str, Value<'_>)> = dict.entries().collect();
        assert_eq!(entries, vec![("WPS", Value::from(""))]);
        let sent = wire(&dict);
        assert_eq!(sent.len(), 1);
        assert_eq!(String::try_from(sent["WPS"].clone()).unwrap(), "");

        let dict = input_outcome(&req, InputReply::wps_pin(Secret::from("12345670"))).unwrap();
        let sent = wire(&dict);
        assert_eq!(String::try_from(sent["WPS"].clone()).unwrap(), "12345670");
    }

    #[test]
    fn ssid_goes_as_bytes_and_name_as_a_string() {
        let req = hidden_request();
        let reply = InputReply::values()
            .set("SSID", "Caf\u{e9}")
            .set("Passphrase", Secret::from("hiddenpass"));
        let sent = wire(&input_outcome(&req, reply).unwrap());
        assert_eq!(sent["SSID"].value_signature().to_string(), "ay");
        let ssid: Vec<u8> = Vec::try_from(sent["SSID"].clone()).unwrap();
        assert_eq!(ssid, "Café".as_bytes());
        assert_eq!(
            String::try_from(sent["Passphrase"].clone()).unwrap(),
            "hiddenpass"
        );

        // raw bytes, not UTF-8
        let reply = InputReply::values().set("SSID", Answer::Ssid(vec![0xff, 0x00, b'x']));
        let sent = wire(&input_outcome(&req, reply).unwrap());
        let ssid: Vec<u8> = Vec::try_from(sent["SSID"].clone()).unwrap();
        assert_eq!(ssid, [0xff, 0x00, b'x']);

        let reply = InputReply::values()
            .set("Name", "LabHidden")
            .set("Name", "LabHidden2");
        let sent = wire(&input_outcome(&req, reply).unwrap());
        assert_eq!(sent.len(), 1, "the later answer replaces the earlier");
        assert_eq!(sent["Name"].value_signature().to_string(), "s");
        assert_eq!(
            String::try_from(sent["Name"].clone()).unwrap(),
            "LabHidden2"
        );
    }

    #[test]
    fn vpn_answers_strings_and_booleans() {
        let req = InputRequest::parse(
            AgentKind::Vpn,
            "/v",
            &fields(vec![
                ("OpenVPN.Username", typed("string", "mandatory")),
                ("OpenVPN.Password", typed("password", "mandatory")),
                ("SaveCredentials", typed("boolean", "optional")),
            ]),
        );
        let reply = InputReply::values()
            .set("OpenVPN.Username", "labuser")
            .set("OpenVPN.Password", Secret::from("labpass"))
            .set("SaveCredentials", true);
        let sent = wire(&input_outcome(&req, reply).unwrap());
        assert_eq!(
            String::try_from(sent["OpenVPN.Username"].clone()).unwrap(),
            "labuser"
        );
        assert_eq!(
            String::try_from(sent["OpenVPN.Password"].clone()).unwrap(),
            "labpass"
        );
        assert!(bool::try_from(sent["SaveCredentials"].clone()).unwrap());
    }

    #[test]
    fn replies_map_to_dbus_error_names() {
        let req = hidden_request();
        let vpn = InputRequest {
            kind: AgentKind::Vpn,
            path: "/v".into(),
            fields: Vec::new(),
        };
        let name = |r: Result<ReplyDict, AgentError>| r.unwrap_err().name();
        assert_eq!(
            name(input_outcome(&req, InputReply::Canceled)),
            "net.connman.Agent.Error.Canceled"
        );
        assert_eq!(
            name(input_outcome(&vpn, InputReply::Canceled)),
            "net.connman.vpn.Agent.Error.Canceled"
        );
        assert_eq!(
            name(input_outcome(&req, InputReply::LaunchBrowser)),
            "net.connman.Agent.Error.LaunchBrowser"
        );
        assert_eq!(
            name(input_outcome(&vpn, InputReply::LaunchBrowser)),
            "net.connman.vpn.Agent.Error.Canceled"
        );
        assert!(input_outcome(&req, InputReply::values())
            .unwrap()
            .is_empty());

        assert_eq!(error_outcome(AgentKind::Connman, ErrorReply::Ok), Ok(()));
        assert_eq!(
            error_outcome(AgentKind::Connman, ErrorReply::Retry)
                .unwrap_err()
                .name(),
            "net.connman.Agent.Error.Retry"
        );
        assert_eq!(
            error_outcome(AgentKind::Vpn, ErrorReply::Retry)
                .unwrap_err()
                .name(),
            "net.connman.vpn.Agent.Error.Retry"
        );
        assert_eq!(browser_outcome(BrowserReply::Opened), Ok(()));
        assert_eq!(
            browser_outcome(BrowserReply::Canceled).unwrap_err().name(),
            "net.connman.Agent.Error.Canceled"
        );
        assert_eq!(
            AgentError::Rejected.name(),
            "net.connman.Agent.Error.Rejected"
        );
        assert_eq!(
            AgentError::AccessDenied(AgentKind::Vpn).name(),
            "org.freedesktop.DBus.Error.AccessDenied"
        );

        // the error reply message carries the name, and ConnmanError reads it back
        let call = Message::method_call("/io/github/connie/Agent", "RequestInput")
            .unwrap()
            .destination(":1.2")
            .unwrap()
            .build(&())
            .unwrap();
        let reply = AgentError::Canceled(AgentKind::Vpn)
            .create_reply(&call.header())
            .unwrap();
        assert_eq!(
            reply.header().error_name().unwrap().as_str(),
            "net.connman.vpn.Agent.Error.Canceled"
        );
        assert_eq!(
            ConnmanError::from(zbus::Error::from(reply)),
            ConnmanError::Canceled
        );
    }

    #[test]
    fn unanswered_defaults() {
        assert_eq!(InputReply::unanswered(), InputReply::Canceled);
        assert_eq!(ErrorReply::unanswered(), ErrorReply::Ok);
        assert_eq!(BrowserReply::unanswered(), BrowserReply::Canceled);
    }

    #[test]
    fn responder_answers_once_and_dropping_answers_for_it() {
        let (tx, rx) = async_channel::bounded::<InputReply>(1);
        let r = Responder::new(tx);
        assert!(!r.is_moot());
        drop(r);
        assert_eq!(rx.try_recv().unwrap(), InputReply::Canceled);

        let (tx, rx) = async_channel::bounded(1);
        let r = Responder::new(tx.clone());
        // a Cancel got there first, and the D-Bus task took its answer already
        Slot::Input(tx).settle();
        assert_eq!(rx.try_recv().unwrap(), InputReply::Canceled);
        assert!(r.is_moot(), "still moot once the slot is empty again");
        assert!(!r.send(InputReply::passphrase(Secret::from("late"))));
        assert!(rx.try_recv().is_err());

        let (tx, rx) = async_channel::bounded(1);
        let r = Responder::new(tx);
        assert!(r.send(ErrorReply::Retry));
        assert_eq!(rx.try_recv().unwrap(), ErrorReply::Retry);
        assert!(rx.try_recv().is_err(), "send does not also answer on drop");
        assert!(format!(
            "{:?}",
            Responder::<BrowserReply>::new(async_channel::bounded(1).0)
        )
        .contains("moot"));
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::from("labpassword");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "labpassword");
        let reply = InputReply::passphrase(Secret::from("labpassword"));
        assert!(!format!("{reply:?}").contains("labpassword"));
        let dict = ReplyDict::build(&hidden_request(), vec![("Passphrase".into(), "x1".into())]);
        assert!(!format!("{dict:?}").contains("x1"));
        let f = FieldValue::Text(Secret::from("old"));
        assert_eq!(format!("{f:?}"), "Text(***)");
    }

    #[test]
    fn wipe_zeroes_the_whole_allocation() {
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(b"labpassword");
        wipe(&mut bytes);
        assert_eq!(bytes.len(), 32);
        assert!(bytes.iter().all(|b| *b == 0));
        let mut s = Secret::from("abc");
        assert_eq!(s.take_bytes(), b"abc");
        assert!(s.is_empty());
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
    fn owners_decide_who_may_call() {
        let owners = AgentOwners::new();
        assert!(
            !owners.is_owner(AgentKind::Connman, Some(":1.5")),
            "unknown: refuse"
        );
        owners.set_connman(Some(":1.5".into()));
        owners.set_vpn(Some(":1.6".into()));
        assert!(owners.is_owner(AgentKind::Connman, Some(":1.5")));
        assert!(!owners.is_owner(AgentKind::Connman, Some(":1.6")));
        assert!(owners.is_owner(AgentKind::Vpn, Some(":1.6")));
        assert!(!owners.is_owner(AgentKind::Vpn, None));
        let shared = owners.clone();
        shared.set(AgentKind::Vpn, None);
        assert_eq!(owners.get(AgentKind::Vpn), None, "clones share the owners");
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
