//! Enterprise (802.1X) Wi-Fi set up from the window: connmand joins such a
//! network only with a provisioning file in root-owned /var/lib/connman,
//! which Connie's helper `connie-provision` writes (a D-Bus system service
//! that asks polkit about every change). Here: which services need one, the
//! calls to the helper, and what its refusals mean in words.

use std::collections::HashMap;
use std::os::fd::AsFd;

use connie_provision::profile::{Refusal, Why};
use connie_provision::{Profile, Provision1Proxy, Stored};
use zbus::zvariant::Fd;

use crate::connman::types::{Security, ServiceProps};
use crate::i18n::{gettext, gettext_f};

/// The SSID of a wifi service, from its object path
/// (`…/wifi_<mac>_<ssid hex>_<mode>_<security>`); `None` for other
/// services and hidden networks (whose path has no SSID).
pub fn ssid_of_path(path: &str) -> Option<Vec<u8>> {
    let rest = path.rsplit('/').next()?.strip_prefix("wifi_")?;
    let mut parts = rest.split('_');
    let _mac = parts.next()?;
    let hex = parts.next()?;
    if !hex.len().is_multiple_of(2) || hex.is_empty() || hex.len() > 64 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Whether connecting `props` (at `path`) needs a provisioning file first:
/// an 802.1X wifi network that no file provisions (connmand marks
/// provisioned services Immutable), whose SSID is known.
pub fn needs_setup(path: &str, props: &ServiceProps) -> bool {
    props.type_ == crate::connman::ServiceType::Wifi
        && props.security.contains(&Security::Ieee8021x)
        && !props.immutable
        && ssid_of_path(path).is_some()
}

/// A refused field, said to the person (the helper's own refusals are the
/// same checks, run again on its side).
pub fn refusal_sentence(r: &Refusal) -> String {
    let field = match r.field {
        "identity" => gettext("Identity"),
        "anonymous_identity" => gettext("Anonymous identity"),
        "domain" => gettext("Server domain"),
        "password" => gettext("Password"),
        "key_passphrase" => gettext("Private key password"),
        "phase2" => gettext("Inner authentication"),
        "eap" => gettext("Authentication"),
        "ca" => gettext("CA certificate"),
        _ => gettext("Network name"),
    };
    match &r.why {
        Why::Empty | Why::Needed => gettext_f("{} is needed.", &[&field]),
        Why::TooLong(max) => gettext_f("{} is longer than {} bytes.", &[&field, &max.to_string()]),
        Why::BadChar(_) => gettext_f(
            "{} cannot contain line breaks, control characters or square brackets.",
            &[&field],
        ),
        Why::NotADomain => gettext_f(
            "{} must be a domain name, such as radius.example.org.",
            &[&field],
        ),
        Why::Unknown(_) => gettext_f("{} has a value that cannot be used.", &[&field]),
    }
}

/// What a failed call to the helper means, in words.
pub fn helper_error_sentence(e: &zbus::Error) -> String {
    let (name, message): (String, String) = match e {
        zbus::Error::MethodError(name, msg, _) => {
            (name.to_string(), msg.clone().unwrap_or_default())
        }
        zbus::Error::FDO(fdo) => {
            use zbus::DBusError;
            (
                fdo.name().to_string(),
                fdo.description().unwrap_or_default().to_owned(),
            )
        }
        other => {
            return gettext_f(
                "Connie’s helper could not be reached: {}",
                &[&other.to_string()],
            )
        }
    };
    match name.as_str() {
        "org.freedesktop.DBus.Error.AccessDenied" => gettext(
            "You are not authorized to set up networks for this computer, or the \
             authorization was canceled.",
        ),
        "org.freedesktop.DBus.Error.ServiceUnknown"
        | "org.freedesktop.DBus.Error.NameHasNoOwner"
        | "org.freedesktop.DBus.Error.Spawn.ExecFailed"
        | "org.freedesktop.DBus.Error.Spawn.ChildExited" => gettext(
            "Connie’s helper for enterprise networks (connie-provision) is not installed or \
             did not start. Install Connie with “make install” or its package.",
        ),
        "org.freedesktop.DBus.Error.InvalidArgs" => {
            gettext_f("The helper refused the settings: {}", &[&message])
        }
        _ => gettext_f("The settings could not be saved: {}", &[&message]),
    }
}

/// The helper's client on `conn` (the system bus Connie uses for connmand).
pub async fn helper(conn: &zbus::Connection) -> zbus::Result<Provision1Proxy<'static>> {
    Provision1Proxy::new(conn).await
}

/// Sends `profile` with the files the person chose (opened here, with the
/// person's rights; the helper reads them from the descriptors).
pub async fn save(
    conn: &zbus::Connection,
    profile: &Profile,
    files: &[(&'static str, std::fs::File)],
) -> zbus::Result<()> {
    let map: HashMap<&str, Fd<'_>> = files
        .iter()
        .map(|(k, f)| (*k, Fd::from(f.as_fd())))
        .collect();
    helper(conn).await?.save(profile, map).await
}

pub async fn remove(conn: &zbus::Connection, ssid: &[u8]) -> zbus::Result<()> {
    helper(conn).await?.remove(ssid).await
}

/// The profile Connie wrote for `ssid`, if any (`Ok(None)` also when the
/// helper is not installed: then there is none).
pub async fn stored(conn: &zbus::Connection, ssid: &[u8]) -> Option<Stored> {
    let all = helper(conn).await.ok()?.profiles().await.ok()?;
    all.into_iter().find(|p| p.ssid == ssid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssid_comes_from_the_path() {
        assert_eq!(
            ssid_of_path(
                "/net/connman/service/wifi_ba8afcdd6a5d_4c6162456e7465727072697365_managed_ieee8021x"
            ),
            Some(b"LabEnterprise".to_vec())
        );
        assert_eq!(
            ssid_of_path("/net/connman/service/wifi_ba8afcdd6a5d_hidden_managed_psk"),
            None
        );
        assert_eq!(
            ssid_of_path("/net/connman/service/ethernet_0011_cable"),
            None
        );
        assert_eq!(
            ssid_of_path("/net/connman/service/wifi_x_abc_managed_psk"),
            None
        );
    }

    #[test]
    fn only_unprovisioned_8021x_wifi_needs_setup() {
        let path = "/net/connman/service/wifi_ba8afcdd6a5d_6564_managed_ieee8021x";
        let mut p = ServiceProps {
            type_: crate::connman::ServiceType::Wifi,
            security: vec![Security::Ieee8021x],
            ..ServiceProps::default()
        };
        assert!(needs_setup(path, &p));
        p.immutable = true;
        assert!(!needs_setup(path, &p));
        p.immutable = false;
        p.security = vec![Security::Psk];
        assert!(!needs_setup(path, &p));
    }

    #[test]
    fn refusals_name_the_field() {
        let r = Refusal {
            field: "identity",
            why: Why::BadChar('\n'),
        };
        let s = refusal_sentence(&r);
        assert!(s.starts_with("Identity cannot contain line breaks"), "{s}");
        let r = Refusal {
            field: "domain",
            why: Why::Needed,
        };
        assert_eq!(refusal_sentence(&r), "Server domain is needed.");
    }

    #[test]
    fn helper_errors_become_sentences() {
        let denied = zbus::Error::from(zbus::fdo::Error::AccessDenied("no".into()));
        assert!(helper_error_sentence(&denied).starts_with("You are not authorized"));
        let missing = zbus::Error::from(zbus::fdo::Error::ServiceUnknown("x".into()));
        assert!(helper_error_sentence(&missing).contains("connie-provision"));
    }
}
