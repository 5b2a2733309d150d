//! How a command ended: decided once, here, for the window, the tray and
//! the dialogs, which only show it.
//!
//! What a failed `Connect` means depends on what happened around it:
//! - the person canceled the prompt (or the row's button): connmand then
//!   fails the call with `InvalidArguments` (`Failed` for hidden networks),
//!   which is no failure;
//! - connmand reported the failure to Connie's agent (`ReportError`: a wrong
//!   password, a refused sign-in, any failure of a connect we asked for): the
//!   agent's dialog says why, and offers to try again, which connects anew
//!   (the next prompt then carries the previous passphrase); nothing else
//!   repeats it;
//! - otherwise the error becomes a sentence, with the cases connmand leaves
//!   unexplained (an 802.1X network without provisioning) explained.
//!
//! connmand sets the service's `Error` before it fails the call and reports
//! it; the backend reads it after [`crate::connman::client::Client::sync`],
//! so the decision never depends on timing.

use crate::connman::types::{Security, ServiceProps};
use crate::connman::ConnmanError;
use crate::i18n::gettext;

/// What a command came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It was done (connmand's state shows the rest).
    Done,
    /// Nothing to tell: the person canceled, or it was so already, or is
    /// under way.
    Quiet,
    /// The agent's dialog says why it failed.
    Explained,
    /// It failed: tell the person.
    Failed(Failure),
}

impl Outcome {
    /// The failure to show, if there is one.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Failed(f) => Some(f),
            _ => None,
        }
    }
}

/// A failure, in words: the same for a toast, a notification and a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What failed ("Could not connect"), or that the system refused.
    pub title: String,
    /// What it was about (a network's name, shown literally), if anything.
    pub subject: Option<String>,
    /// Why, as a sentence for people.
    pub why: String,
    /// connmand's error, for the details.
    pub technical: String,
}

impl Failure {
    /// The failure of `what` on `subject`, from connmand's `error`.
    pub fn new(what: &str, subject: Option<&str>, error: &ConnmanError) -> Failure {
        Failure::said(what, subject, gettext(&error.sentence()), error)
    }

    /// Like [`Failure::new`] with the sentence `why` given.
    pub fn said(what: &str, subject: Option<&str>, why: String, error: &ConnmanError) -> Failure {
        let title = if error.is_permission_problem() {
            gettext("Not allowed to change the network")
        } else {
            what.to_owned()
        };
        Failure {
            title,
            subject: subject.map(str::to_owned),
            why,
            technical: error.to_string(),
        }
    }

    /// Why, about what: "NAME: sentence", or the sentence alone.
    pub fn body(&self) -> String {
        match &self.subject {
            Some(s) => format!("{s}: {}", self.why),
            None => self.why.clone(),
        }
    }
}

/// What an ordinary command (disconnect, power, scan, move…) came to:
/// routine errors are quiet, the rest are failures of `what`.
pub fn of_call(result: Result<(), ConnmanError>, what: &str, subject: Option<&str>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(e) if e.is_routine() => Outcome::Quiet,
        Err(e) => Outcome::Failed(Failure::new(what, subject, &e)),
    }
}

/// connmand stopped (or restarted) while `what` waited for it: that, not
/// the call's error (the bus's "no reply"), is what to say.
pub fn daemon_went_away(what: &str, subject: &str, error: &ConnmanError) -> Outcome {
    let why = gettext("ConnMan stopped before it finished. Try again once it runs.");
    Outcome::Failed(Failure::said(what, Some(subject), why, error))
}

/// The person did not trust the VPN server's certificate, so connman-vpnd
/// was told not to go on: that is why the VPN is not connected.
pub fn untrusted_certificate(
    untrusted: super::Untrusted,
    name: &str,
    error: &ConnmanError,
) -> Outcome {
    let why = match untrusted {
        super::Untrusted::Refused => gettext(
            "You did not trust the server’s certificate, so the VPN was not connected. Connect \
             again to see the certificate once more.",
        ),
        super::Untrusted::Unseen => gettext(
            "Connie could not reach the server to show you its certificate, and this VPN is set \
             to accept a certificate that is not signed by a known authority: so it was not \
             connected. Connect again once the server can be reached.",
        ),
    };
    Outcome::Failed(Failure::said(
        &gettext("Could not connect"),
        Some(name),
        why,
        error,
    ))
}

/// connman-vpnd failed the VPN (a failure without an `Error`, which is how
/// connmand 1.41 shows connman-vpnd's failures).
pub fn vpn_failed(service: Option<&ServiceProps>) -> bool {
    service.is_some_and(|s| {
        s.type_ == crate::connman::ServiceType::Vpn
            && s.state == crate::connman::types::ServiceState::Failure
            && s.error.is_none()
    })
}

/// The VPN failed after Connie answered its login: connman-vpnd 1.41 says
/// no more (an OpenConnect server's refusal reaches connmand as "Unknown
/// error -22"), so the likely cause is said as likely.
pub fn vpn_login_failed(name: &str, error: &ConnmanError) -> Outcome {
    let why = gettext(
        "The VPN did not connect after you signed in: most likely the server refused the user \
         name or password. Check them and try again; connman-vpnd’s log (journalctl -u \
         connman-vpn) says more.",
    );
    Outcome::Failed(Failure::said(
        &gettext("Could not connect"),
        Some(name),
        why,
        error,
    ))
}

/// What a failed `Connect` came to. `service` is the service as connmand
/// reports it once the failure's signals have arrived; `canceled`, whether
/// the person canceled this attempt; `reported`, whether connmand reported
/// an error for it to the agent.
pub fn of_connect(
    error: &ConnmanError,
    service: Option<&ServiceProps>,
    name: &str,
    canceled: bool,
    reported: bool,
) -> Outcome {
    // connman-vpnd failing to start a VPN (its program failed, a kernel
    // without WireGuard, a server that does not answer) reaches connmand as
    // an aborted call and a service in failure without an Error: say it
    if vpn_failed(service) && !canceled {
        let why = gettext(
            "The VPN did not start: its program failed, or its server did not answer. Check \
             its settings (a WireGuard VPN needs the kernel’s WireGuard support); \
             connman-vpnd’s log (journalctl -u connman-vpn) says more.",
        );
        return Outcome::Failed(Failure::said(
            &gettext("Could not connect"),
            Some(name),
            why,
            error,
        ));
    }
    if error.is_routine() || (canceled && error.is_expected_after_cancel()) {
        return Outcome::Quiet;
    }
    // connmand sets Error, then reports it to the agent of whoever asked
    // for the Connect (us): the agent's dialog tells it
    if reported || service.is_some_and(|s| s.error.is_some()) {
        return Outcome::Explained;
    }
    let what = gettext("Could not connect");
    let enterprise = service.is_some_and(|s| s.security.contains(&Security::Ieee8021x));
    if enterprise && *error == ConnmanError::InvalidArguments {
        let why = gettext(
            "This network uses enterprise (802.1X) security, which ConnMan can only join with a \
             provisioning file for it in /var/lib/connman. Connect it from Connie’s window to \
             set it up; the network’s administrator has the settings.",
        );
        return Outcome::Failed(Failure::said(&what, Some(name), why, error));
    }
    Outcome::Failed(Failure::new(&what, Some(name), error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::ServiceError;

    fn service(error: Option<ServiceError>, security: Vec<Security>) -> ServiceProps {
        ServiceProps {
            error,
            security,
            ..ServiceProps::default()
        }
    }

    #[test]
    fn a_vpn_failing_after_its_login_is_said_as_a_likely_refusal() {
        let vpn = ServiceProps {
            type_: crate::connman::ServiceType::Vpn,
            state: crate::connman::types::ServiceState::Failure,
            ..ServiceProps::default()
        };
        assert!(vpn_failed(Some(&vpn)));
        assert!(!vpn_failed(None));
        let wifi = ServiceProps {
            state: crate::connman::types::ServiceState::Failure,
            ..ServiceProps::default()
        };
        assert!(!vpn_failed(Some(&wifi)));
        let o = vpn_login_failed("Lab OC", &ConnmanError::OperationAborted);
        assert!(o.failure().unwrap().why.contains("user name or password"));
    }

    #[test]
    fn a_refused_certificate_is_said() {
        for why in [
            super::super::Untrusted::Refused,
            super::super::Untrusted::Unseen,
        ] {
            let o = untrusted_certificate(why, "Lab OC", &ConnmanError::OperationAborted);
            let f = o.failure().expect("a failure");
            assert_eq!(f.subject.as_deref(), Some("Lab OC"));
            assert!(f.why.contains("certificate"), "{}", f.why);
        }
    }

    #[test]
    fn a_cancel_is_quiet() {
        for e in [
            ConnmanError::InvalidArguments,
            ConnmanError::Failed(None),
            ConnmanError::OperationAborted,
        ] {
            assert_eq!(of_connect(&e, None, "Lab", true, false), Outcome::Quiet);
        }
        // not canceled: InvalidArguments is a failure
        let failed = of_connect(&ConnmanError::InvalidArguments, None, "Lab", false, false);
        assert!(failed.failure().is_some());
    }

    #[test]
    fn a_reported_error_is_explained_by_the_dialog() {
        let wrong_key = service(Some(ServiceError::InvalidKey), vec![Security::Psk]);
        let e = ConnmanError::Failed(Some("Input/output error".into()));
        assert_eq!(
            of_connect(&e, Some(&wrong_key), "Lab", false, false),
            Outcome::Explained
        );
        let clean = service(None, vec![Security::Psk]);
        assert_eq!(
            of_connect(&e, Some(&clean), "Lab", false, true),
            Outcome::Explained
        );
    }

    #[test]
    fn an_unprovisioned_enterprise_network_says_why() {
        let eap = service(None, vec![Security::Ieee8021x]);
        let outcome = of_connect(
            &ConnmanError::InvalidArguments,
            Some(&eap),
            "Campus",
            false,
            false,
        );
        let failure = outcome.failure().expect("a failure");
        assert!(failure.why.contains("/var/lib/connman"), "{failure:?}");
        assert_eq!(failure.subject.as_deref(), Some("Campus"));
        assert!(failure.body().starts_with("Campus: "));
    }

    #[test]
    fn a_vpn_that_did_not_start_says_so() {
        let mut vpn = service(None, vec![]);
        vpn.type_ = crate::connman::ServiceType::Vpn;
        vpn.state = crate::connman::types::ServiceState::Failure;
        let e = ConnmanError::OperationAborted;
        let failure = of_connect(&e, Some(&vpn), "Lab VPN", false, false);
        assert!(failure.failure().unwrap().why.contains("did not start"));
        // the person's cancel stays quiet
        assert_eq!(
            of_connect(&e, Some(&vpn), "Lab VPN", true, false),
            Outcome::Quiet
        );
    }

    #[test]
    fn permission_problems_say_so_in_the_title() {
        let e = ConnmanError::PermissionDenied(None);
        let failure = Failure::new("Could not switch it on", Some("Wi-Fi"), &e);
        assert_eq!(failure.title, "Not allowed to change the network");
        assert_eq!(failure.subject.as_deref(), Some("Wi-Fi"));
    }

    #[test]
    fn a_connmand_that_went_away_is_named() {
        let outcome = daemon_went_away("Could not connect", "Wired", &ConnmanError::NoReply);
        let failure = outcome.failure().expect("a failure");
        assert!(failure.why.starts_with("ConnMan stopped"), "{failure:?}");
        assert_eq!(failure.body(), format!("Wired: {}", failure.why));
    }

    #[test]
    fn routine_calls_are_quiet() {
        assert_eq!(
            of_call(Err(ConnmanError::AlreadyEnabled), "x", None),
            Outcome::Quiet
        );
        assert_eq!(of_call(Ok(()), "x", None), Outcome::Done);
        assert!(of_call(Err(ConnmanError::NoCarrier), "x", None)
            .failure()
            .is_some());
    }
}
