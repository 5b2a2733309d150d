//! The UI's answers ([`InputReply`], [`Responder`], [`AgentRequest`]) and what goes back on
//! the wire ([`AgentError`], [`ReplyDict`]).

use std::collections::HashMap;
use std::fmt;

use zbus::export::serde::ser::{SerializeMap, Serializer};
use zbus::export::serde::Serialize;
use zbus::message::{Header, Message};
use zbus::names::ErrorName;
use zbus::zvariant::{Signature, Type, Value};
use zbus::DBusError;

use super::*;
use crate::connman::types::ServiceError;

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
    pub(super) fn new(tx: async_channel::Sender<T>) -> Self {
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
pub(super) fn answer_once<T>(tx: &async_channel::Sender<T>, value: T) -> bool {
    let sent = tx.try_send(value).is_ok();
    tx.close();
    sent
}

/// Whether the call has its answer (closed by [`answer_once`], or full in between).
pub(super) fn is_answered<T>(tx: &async_channel::Sender<T>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::agent::test_util::*;

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
}
