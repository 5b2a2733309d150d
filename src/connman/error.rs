//! Errors from connmand, connman-vpnd and the bus, and the sentences to show for them.
//!
//! Every user-visible sentence of the `connman` module is in this file, each group in one
//! `match` (but for [`SettingError`](super::types::SettingError)'s, which live with the write
//! side in [`super::types::setting`]), so that wrapping them in gettext later is a local change. They are plain English
//! without markup; log [`ConnmanError`]'s `Display` (the D-Bus name and message) as details.
//!
//! # Which errors to show
//!
//! [`ConnmanError::is_routine`] covers the errors that never deserve a dialog (a cancel, an
//! operation already in progress or already done). Others depend on the call:
//!
//! - After the person canceled the agent's prompt, `Connect` fails with `InvalidArguments`
//!   (and with `Failed` for a hidden network): silent in that case only
//!   ([`ConnmanError::is_expected_after_cancel`]). Without a cancel, `InvalidArguments` from
//!   `Connect` on an 802.1X network means "no provisioning file": explain that.
//! - After a wrong password connmand 1.41 calls `ReportError(invalid-key)` and `Cancel`, and
//!   `Connect` fails with `Failed`: show the service's `Error` ([`ServiceError::sentence`]),
//!   not this error.
//! - `NotConnected` from `Disconnect` means the goal already holds.
//! - `ServiceUnknown`/`AccessDenied` from `net.connman.vpn` mean "no VPN": stay quiet.

use std::fmt;

use crate::i18n::gettext;

use super::types::ServiceError;

const CONNMAN: &str = "net.connman.Error.";
const VPN: &str = "net.connman.vpn.Error.";
const AGENT: &str = "net.connman.Agent.Error.";
const VPN_AGENT: &str = "net.connman.vpn.Agent.Error.";
const DBUS: &str = "org.freedesktop.DBus.Error.";

/// An error from a call to connmand or connman-vpnd.
///
/// The `net.connman.Error.*` and `net.connman.vpn.Error.*` names map to the same variants.
/// Variants carry connmand's message where it varies (`Failed` carries `strerror`, vpnd's
/// `InvalidProperty` lists the property names); elsewhere the message is fixed and dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnmanError {
    /// `Failed`, with connmand's message (e.g. "Input/output error").
    Failed(Option<String>),
    InvalidArguments,
    PermissionDenied(Option<String>),
    PassphraseRequired,
    NotRegistered,
    NotUnique,
    NotSupported,
    NotImplemented,
    NotFound,
    /// No link: radio off or rfkill-blocked, cable unplugged, or no usable IP configuration.
    NoCarrier,
    InProgress,
    AlreadyExists,
    AlreadyEnabled,
    AlreadyDisabled,
    AlreadyConnected,
    NotConnected,
    OperationAborted,
    OperationTimeout,
    /// `OperationCanceled` (newer connmand, for `ECANCELED`).
    OperationCanceled,
    InvalidService,
    InvalidProperty(Option<String>),
    /// `net.connman.Agent.Error.Canceled` or `net.connman.vpn.Agent.Error.Canceled`.
    Canceled,
    /// The bus refused the call (policy), or polkit said no.
    AccessDenied(Option<String>),
    /// Nobody owns the name: the daemon is not running.
    ServiceUnknown,
    /// The object is gone (e.g. a service removed between listing and calling it).
    UnknownObject,
    /// The method or interface does not exist (an experimental interface absent).
    UnknownMethod,
    /// No reply in time (`NoReply`, `Timeout`, `TimedOut`, or a local timeout).
    NoReply,
    /// The bus connection is broken or closed.
    Disconnected(Option<String>),
    /// A failure on our side: a reply that did not decode, a message that could not be built.
    Local(String),
    /// Any other error name.
    Other {
        name: String,
        message: Option<String>,
    },
}

impl ConnmanError {
    /// Maps a D-Bus error name and message.
    pub fn from_dbus(name: &str, message: Option<&str>) -> Self {
        let msg = || message.map(str::to_owned);
        if let Some(short) = name
            .strip_prefix(CONNMAN)
            .or_else(|| name.strip_prefix(VPN))
        {
            return match short {
                "Failed" => Self::Failed(msg()),
                "InvalidArguments" => Self::InvalidArguments,
                "PermissionDenied" => Self::PermissionDenied(msg()),
                "PassphraseRequired" => Self::PassphraseRequired,
                "NotRegistered" => Self::NotRegistered,
                "NotUnique" => Self::NotUnique,
                "NotSupported" => Self::NotSupported,
                "NotImplemented" => Self::NotImplemented,
                "NotFound" => Self::NotFound,
                "NoCarrier" => Self::NoCarrier,
                "InProgress" => Self::InProgress,
                "AlreadyExists" => Self::AlreadyExists,
                "AlreadyEnabled" => Self::AlreadyEnabled,
                "AlreadyDisabled" => Self::AlreadyDisabled,
                "AlreadyConnected" => Self::AlreadyConnected,
                "NotConnected" => Self::NotConnected,
                "OperationAborted" => Self::OperationAborted,
                "OperationTimeout" => Self::OperationTimeout,
                "OperationCanceled" => Self::OperationCanceled,
                "InvalidService" => Self::InvalidService,
                "InvalidProperty" => Self::InvalidProperty(msg()),
                _ => Self::Other {
                    name: name.to_owned(),
                    message: msg(),
                },
            };
        }
        if let Some(short) = name
            .strip_prefix(AGENT)
            .or_else(|| name.strip_prefix(VPN_AGENT))
        {
            if short == "Canceled" {
                return Self::Canceled;
            }
        }
        if let Some(short) = name.strip_prefix(DBUS) {
            match short {
                "AccessDenied" | "AuthFailed" | "InteractiveAuthorizationRequired" => {
                    return Self::AccessDenied(msg())
                }
                "ServiceUnknown" | "NameHasNoOwner" => return Self::ServiceUnknown,
                "UnknownObject" => return Self::UnknownObject,
                "UnknownMethod" | "UnknownInterface" => return Self::UnknownMethod,
                "NoReply" | "Timeout" | "TimedOut" => return Self::NoReply,
                "Disconnected" => return Self::Disconnected(msg()),
                _ => {}
            }
        }
        Self::Other {
            name: name.to_owned(),
            message: msg(),
        }
    }

    /// The D-Bus error name (connmand's spelling for the shared variants), for logs.
    pub fn dbus_name(&self) -> &str {
        match self {
            Self::Failed(_) => "net.connman.Error.Failed",
            Self::InvalidArguments => "net.connman.Error.InvalidArguments",
            Self::PermissionDenied(_) => "net.connman.Error.PermissionDenied",
            Self::PassphraseRequired => "net.connman.Error.PassphraseRequired",
            Self::NotRegistered => "net.connman.Error.NotRegistered",
            Self::NotUnique => "net.connman.Error.NotUnique",
            Self::NotSupported => "net.connman.Error.NotSupported",
            Self::NotImplemented => "net.connman.Error.NotImplemented",
            Self::NotFound => "net.connman.Error.NotFound",
            Self::NoCarrier => "net.connman.Error.NoCarrier",
            Self::InProgress => "net.connman.Error.InProgress",
            Self::AlreadyExists => "net.connman.Error.AlreadyExists",
            Self::AlreadyEnabled => "net.connman.Error.AlreadyEnabled",
            Self::AlreadyDisabled => "net.connman.Error.AlreadyDisabled",
            Self::AlreadyConnected => "net.connman.Error.AlreadyConnected",
            Self::NotConnected => "net.connman.Error.NotConnected",
            Self::OperationAborted => "net.connman.Error.OperationAborted",
            Self::OperationTimeout => "net.connman.Error.OperationTimeout",
            Self::OperationCanceled => "net.connman.Error.OperationCanceled",
            Self::InvalidService => "net.connman.Error.InvalidService",
            Self::InvalidProperty(_) => "net.connman.Error.InvalidProperty",
            Self::Canceled => "net.connman.Agent.Error.Canceled",
            Self::AccessDenied(_) => "org.freedesktop.DBus.Error.AccessDenied",
            Self::ServiceUnknown => "org.freedesktop.DBus.Error.ServiceUnknown",
            Self::UnknownObject => "org.freedesktop.DBus.Error.UnknownObject",
            Self::UnknownMethod => "org.freedesktop.DBus.Error.UnknownMethod",
            Self::NoReply => "org.freedesktop.DBus.Error.NoReply",
            Self::Disconnected(_) => "org.freedesktop.DBus.Error.Disconnected",
            Self::Local(_) => "local",
            Self::Other { name, .. } => name,
        }
    }

    /// The message that came with the error, where one is kept.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Failed(m)
            | Self::PermissionDenied(m)
            | Self::InvalidProperty(m)
            | Self::AccessDenied(m)
            | Self::Disconnected(m)
            | Self::Other { message: m, .. } => m.as_deref(),
            Self::Local(m) => Some(m),
            _ => None,
        }
    }

    /// Errors never worth showing, whatever the call: a cancel, something already in
    /// progress, or already in the wanted state. See the module documentation for the
    /// errors that are routine only in some calls.
    pub fn is_routine(&self) -> bool {
        matches!(
            self,
            Self::Canceled
                | Self::OperationAborted
                | Self::OperationCanceled
                | Self::InProgress
                | Self::AlreadyConnected
                | Self::AlreadyEnabled
                | Self::AlreadyDisabled
        )
    }

    /// Routine when the person has just canceled the agent's prompt for this call: connmand
    /// then fails `Connect` with `InvalidArguments` (`Failed` for hidden networks).
    pub fn is_expected_after_cancel(&self) -> bool {
        self.is_routine() || matches!(self, Self::InvalidArguments | Self::Failed(_))
    }

    /// The system refused: the person needs a group membership or a polkit rule.
    pub fn is_permission_problem(&self) -> bool {
        matches!(self, Self::PermissionDenied(_) | Self::AccessDenied(_))
    }

    /// The daemon is not there (not running, or gone while we called): show "ConnMan is not
    /// running" and wait for its name to come back, rather than an error.
    pub fn is_daemon_gone(&self) -> bool {
        matches!(self, Self::ServiceUnknown | Self::Disconnected(_))
    }

    /// A short sentence for the person, in English (to be translated).
    pub fn sentence(&self) -> String {
        match self {
            Self::Failed(_) => gettext("The operation failed."),
            Self::InvalidArguments => gettext("ConnMan did not accept the request."),
            Self::PermissionDenied(_) | Self::AccessDenied(_) => gettext(
                "You are not allowed to change network settings. An administrator can allow it \
                 by adding you to the group that may manage the network (often “netdev”) or with \
                 a polkit rule.",
            ),
            Self::PassphraseRequired => gettext("A valid passphrase is needed."),
            Self::NotRegistered => gettext("Connie is not registered with ConnMan."),
            Self::NotUnique => gettext("Another program has already registered for this."),
            Self::NotSupported => gettext("This is not possible for this connection."),
            Self::NotImplemented => gettext("This version of ConnMan cannot do this."),
            Self::NotFound => gettext("The connection or device was not found."),
            Self::NoCarrier => gettext(
                "There is no link. Check that the cable is plugged in, or that the radio is not \
                 switched off by a key or switch (see “rfkill list”).",
            ),
            Self::InProgress => gettext("This is already in progress."),
            Self::AlreadyExists => gettext("This already exists."),
            Self::AlreadyEnabled => gettext("This is already switched on."),
            Self::AlreadyDisabled => gettext("This is already switched off."),
            Self::AlreadyConnected => gettext("This connection is already up."),
            Self::NotConnected => gettext("This connection is not up."),
            Self::OperationAborted | Self::OperationCanceled | Self::Canceled => {
                gettext("The operation was canceled.")
            }
            Self::OperationTimeout | Self::NoReply => gettext("ConnMan did not answer in time."),
            Self::InvalidService => gettext("This is not possible with that connection."),
            Self::InvalidProperty(_) => gettext("ConnMan did not accept this setting."),
            Self::ServiceUnknown => gettext("ConnMan is not running."),
            Self::UnknownObject => gettext("This connection no longer exists."),
            Self::UnknownMethod => gettext("This version of ConnMan does not offer this."),
            Self::Disconnected(_) => gettext("The connection to the system bus was lost."),
            Self::Local(_) => gettext("Connie could not understand ConnMan’s answer."),
            Self::Other { .. } => gettext("ConnMan reported an unexpected error."),
        }
    }
}

impl fmt::Display for ConnmanError {
    /// The technical form, for logs and "Details": `name: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(message) => write!(f, "{}: {}", self.dbus_name(), message),
            None => f.write_str(self.dbus_name()),
        }
    }
}

impl std::error::Error for ConnmanError {}

impl From<zbus::Error> for ConnmanError {
    fn from(error: zbus::Error) -> Self {
        match error {
            zbus::Error::MethodError(name, message, _) => {
                Self::from_dbus(name.as_str(), message.as_deref())
            }
            zbus::Error::FDO(fdo) => Self::from(*fdo),
            zbus::Error::InputOutput(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                Self::NoReply
            }
            zbus::Error::InputOutput(io) => Self::Disconnected(Some(io.to_string())),
            e @ zbus::Error::Connection(..) => Self::Disconnected(Some(e.to_string())),
            other => Self::Local(other.to_string()),
        }
    }
}

impl From<zbus::fdo::Error> for ConnmanError {
    fn from(error: zbus::fdo::Error) -> Self {
        use zbus::DBusError;
        match error {
            zbus::fdo::Error::ZBus(inner) => Self::from(inner),
            other => Self::from_dbus(other.name().as_str(), other.description()),
        }
    }
}

impl ServiceError {
    /// A short sentence for the person, in English (to be translated).
    pub fn sentence(&self) -> String {
        match self {
            Self::OutOfRange => gettext("The network is out of range."),
            Self::PinMissing => gettext("A PIN is needed for this connection."),
            Self::DhcpFailed => {
                gettext("The network did not give this computer an address (DHCP failed).")
            }
            Self::ConnectFailed => gettext("The connection could not be established."),
            Self::LoginFailed => gettext("Signing in to the network failed."),
            Self::AuthFailed => gettext("Authentication failed: check the user name and password."),
            Self::InvalidKey => gettext("The password was wrong."),
            Self::Blocked => gettext("The access point refused this computer."),
            Self::OnlineCheckFailed => gettext("Connected, but the Internet could not be reached."),
            Self::Unknown(_) => gettext("The connection failed."),
        }
    }

    /// Whether answering the agent's `ReportError` with `Retry` (or calling `Connect` again
    /// with new input) can fix it. Never loop on the others.
    pub fn retry_can_help(&self) -> bool {
        matches!(
            self,
            Self::InvalidKey | Self::AuthFailed | Self::LoginFailed | Self::ConnectFailed
        )
    }

    /// Whether the person must type something new (password, credentials) before a retry.
    pub fn needs_new_input(&self) -> bool {
        matches!(
            self,
            Self::InvalidKey | Self::AuthFailed | Self::LoginFailed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::message::Message;

    fn all_connman() -> Vec<(&'static str, ConnmanError)> {
        vec![
            ("Failed", ConnmanError::Failed(Some("msg".into()))),
            ("InvalidArguments", ConnmanError::InvalidArguments),
            (
                "PermissionDenied",
                ConnmanError::PermissionDenied(Some("msg".into())),
            ),
            ("PassphraseRequired", ConnmanError::PassphraseRequired),
            ("NotRegistered", ConnmanError::NotRegistered),
            ("NotUnique", ConnmanError::NotUnique),
            ("NotSupported", ConnmanError::NotSupported),
            ("NotImplemented", ConnmanError::NotImplemented),
            ("NotFound", ConnmanError::NotFound),
            ("NoCarrier", ConnmanError::NoCarrier),
            ("InProgress", ConnmanError::InProgress),
            ("AlreadyExists", ConnmanError::AlreadyExists),
            ("AlreadyEnabled", ConnmanError::AlreadyEnabled),
            ("AlreadyDisabled", ConnmanError::AlreadyDisabled),
            ("AlreadyConnected", ConnmanError::AlreadyConnected),
            ("NotConnected", ConnmanError::NotConnected),
            ("OperationAborted", ConnmanError::OperationAborted),
            ("OperationTimeout", ConnmanError::OperationTimeout),
            ("OperationCanceled", ConnmanError::OperationCanceled),
            ("InvalidService", ConnmanError::InvalidService),
            (
                "InvalidProperty",
                ConnmanError::InvalidProperty(Some("msg".into())),
            ),
        ]
    }

    fn every_variant() -> Vec<ConnmanError> {
        let mut all: Vec<ConnmanError> = all_connman().into_iter().map(|(_, e)| e).collect();
        all.extend([
            ConnmanError::Canceled,
            ConnmanError::AccessDenied(Some("Rejected send message".into())),
            ConnmanError::ServiceUnknown,
            ConnmanError::UnknownObject,
            ConnmanError::UnknownMethod,
            ConnmanError::NoReply,
            ConnmanError::Disconnected(None),
            ConnmanError::Local("bad reply".into()),
            ConnmanError::Other {
                name: "com.example.Error.Odd".into(),
                message: None,
            },
        ]);
        all
    }

    #[test]
    fn maps_every_connman_and_vpn_name() {
        for (short, expected) in all_connman() {
            for prefix in [CONNMAN, VPN] {
                let name = format!("{prefix}{short}");
                assert_eq!(
                    ConnmanError::from_dbus(&name, Some("msg")),
                    expected,
                    "{name}"
                );
            }
        }
        assert_eq!(
            ConnmanError::from_dbus("net.connman.Error.Failed", Some("Input/output error"))
                .message(),
            Some("Input/output error")
        );
        assert_eq!(
            ConnmanError::from_dbus(
                "net.connman.Error.InvalidArguments",
                Some("Invalid arguments")
            )
            .message(),
            None
        );
    }

    #[test]
    fn maps_agent_and_bus_names() {
        let m = |name: &str| ConnmanError::from_dbus(name, Some("why"));
        assert_eq!(
            m("net.connman.Agent.Error.Canceled"),
            ConnmanError::Canceled
        );
        assert_eq!(
            m("net.connman.vpn.Agent.Error.Canceled"),
            ConnmanError::Canceled
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.AccessDenied"),
            ConnmanError::AccessDenied(Some("why".into()))
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"),
            ConnmanError::AccessDenied(Some("why".into()))
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.ServiceUnknown"),
            ConnmanError::ServiceUnknown
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.NameHasNoOwner"),
            ConnmanError::ServiceUnknown
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.UnknownObject"),
            ConnmanError::UnknownObject
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.UnknownMethod"),
            ConnmanError::UnknownMethod
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.UnknownInterface"),
            ConnmanError::UnknownMethod
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.NoReply"),
            ConnmanError::NoReply
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.Timeout"),
            ConnmanError::NoReply
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.TimedOut"),
            ConnmanError::NoReply
        );
        assert_eq!(
            m("org.freedesktop.DBus.Error.Disconnected"),
            ConnmanError::Disconnected(Some("why".into()))
        );
        for odd in [
            "net.connman.Error.Brand.New",
            "net.connman.Error.",
            "net.connman.Agent.Error.Retry",
            "org.freedesktop.DBus.Error.LimitsExceeded",
            "",
            "Failed",
        ] {
            assert_eq!(
                m(odd),
                ConnmanError::Other {
                    name: odd.into(),
                    message: Some("why".into())
                },
                "{odd}"
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for e in every_variant() {
            if matches!(e, ConnmanError::Local(_)) {
                continue;
            }
            assert_eq!(ConnmanError::from_dbus(e.dbus_name(), e.message()), e);
        }
    }

    #[test]
    fn display_is_technical() {
        assert_eq!(
            ConnmanError::Failed(Some("Input/output error".into())).to_string(),
            "net.connman.Error.Failed: Input/output error"
        );
        assert_eq!(
            ConnmanError::InvalidService.to_string(),
            "net.connman.Error.InvalidService"
        );
        let boxed: Box<dyn std::error::Error> = Box::new(ConnmanError::NoReply);
        assert!(boxed.to_string().contains("NoReply"));
    }

    fn method_error(name: &str, text: Option<&str>) -> zbus::Error {
        let call = Message::method_call("/net/connman/service/x", "Connect")
            .unwrap()
            .destination(":1.2")
            .unwrap()
            .build(&())
            .unwrap();
        let reply = Message::error(&call.header(), name).unwrap();
        let reply = match text {
            Some(text) => reply.build(&(text,)).unwrap(),
            None => reply.build(&()).unwrap(),
        };
        zbus::Error::from(reply)
    }

    #[test]
    fn converts_zbus_errors() {
        let e = ConnmanError::from(method_error(
            "net.connman.Error.Failed",
            Some("Input/output error"),
        ));
        assert_eq!(e, ConnmanError::Failed(Some("Input/output error".into())));
        let e = ConnmanError::from(method_error(
            "net.connman.Error.InvalidService",
            Some("Invalid service"),
        ));
        assert_eq!(e, ConnmanError::InvalidService);
        let e = ConnmanError::from(method_error("net.connman.Error.NotSupported", None));
        assert_eq!(e, ConnmanError::NotSupported);
        let e = ConnmanError::from(method_error(
            "org.freedesktop.DBus.Error.ServiceUnknown",
            Some("x"),
        ));
        assert_eq!(e, ConnmanError::ServiceUnknown);

        let fdo = zbus::Error::FDO(Box::new(zbus::fdo::Error::AccessDenied("policy".into())));
        assert_eq!(
            ConnmanError::from(fdo),
            ConnmanError::AccessDenied(Some("policy".into()))
        );
        let fdo = zbus::fdo::Error::ServiceUnknown("gone".into());
        assert_eq!(ConnmanError::from(fdo), ConnmanError::ServiceUnknown);
        let fdo = zbus::fdo::Error::NoReply("late".into());
        assert_eq!(ConnmanError::from(fdo), ConnmanError::NoReply);
        // zbus turns a method error into fdo::Error::ZBus when the proxy uses fdo::Result.
        let wrapped: zbus::fdo::Error =
            method_error("net.connman.Error.InProgress", Some("In progress")).into();
        assert_eq!(ConnmanError::from(wrapped), ConnmanError::InProgress);

        let timeout =
            zbus::Error::InputOutput(std::io::Error::from(std::io::ErrorKind::TimedOut).into());
        assert_eq!(ConnmanError::from(timeout), ConnmanError::NoReply);
        let broken =
            zbus::Error::InputOutput(std::io::Error::from(std::io::ErrorKind::BrokenPipe).into());
        assert!(matches!(
            ConnmanError::from(broken),
            ConnmanError::Disconnected(Some(_))
        ));
        assert!(matches!(
            ConnmanError::from(zbus::Error::InvalidReply),
            ConnmanError::Local(_)
        ));
    }

    #[test]
    fn classification() {
        let routine: Vec<ConnmanError> = every_variant()
            .into_iter()
            .filter(ConnmanError::is_routine)
            .collect();
        assert_eq!(
            routine,
            vec![
                ConnmanError::InProgress,
                ConnmanError::AlreadyEnabled,
                ConnmanError::AlreadyDisabled,
                ConnmanError::AlreadyConnected,
                ConnmanError::OperationAborted,
                ConnmanError::OperationCanceled,
                ConnmanError::Canceled,
            ]
        );
        assert!(ConnmanError::InvalidArguments.is_expected_after_cancel());
        assert!(ConnmanError::Failed(None).is_expected_after_cancel());
        assert!(ConnmanError::Canceled.is_expected_after_cancel());
        assert!(!ConnmanError::InvalidArguments.is_routine());
        assert!(!ConnmanError::NotSupported.is_expected_after_cancel());

        let permission: Vec<ConnmanError> = every_variant()
            .into_iter()
            .filter(ConnmanError::is_permission_problem)
            .collect();
        assert_eq!(
            permission,
            vec![
                ConnmanError::PermissionDenied(Some("msg".into())),
                ConnmanError::AccessDenied(Some("Rejected send message".into())),
            ]
        );
        assert!(ConnmanError::ServiceUnknown.is_daemon_gone());
        assert!(ConnmanError::Disconnected(None).is_daemon_gone());
        assert!(!ConnmanError::NoReply.is_daemon_gone());
    }

    #[test]
    fn sentences() {
        for e in every_variant() {
            let s = e.sentence();
            assert!(s.ends_with('.'), "{e:?}: {s}");
            assert!(!s.contains("net.connman"), "no D-Bus names for people: {s}");
        }
        let hint = ConnmanError::PermissionDenied(None).sentence();
        assert!(hint.contains("netdev") && hint.contains("polkit"));
        assert_eq!(ConnmanError::AccessDenied(None).sentence(), hint);
        assert!(ConnmanError::NoCarrier.sentence().contains("rfkill"));
        assert!(ConnmanError::NoCarrier.sentence().contains("cable"));
    }

    #[test]
    fn service_error_sentences_and_retry() {
        assert_eq!(
            ServiceError::InvalidKey.sentence(),
            "The password was wrong."
        );
        let mut seen = std::collections::HashSet::new();
        for e in ServiceError::KNOWN {
            assert!(seen.insert(e.sentence()), "distinct sentence for {e}");
        }
        assert!(!ServiceError::Unknown("x".into()).sentence().is_empty());
        let retry: Vec<&ServiceError> = ServiceError::KNOWN
            .iter()
            .filter(|e| e.retry_can_help())
            .collect();
        assert_eq!(
            retry,
            vec![
                &ServiceError::ConnectFailed,
                &ServiceError::LoginFailed,
                &ServiceError::AuthFailed,
                &ServiceError::InvalidKey
            ]
        );
        assert!(
            !ServiceError::DhcpFailed.retry_can_help(),
            "never loop on dhcp-failed"
        );
        assert!(!ServiceError::Unknown("new".into()).retry_can_help());
        assert!(ServiceError::InvalidKey.needs_new_input());
        assert!(!ServiceError::ConnectFailed.needs_new_input());
    }
}
