//! The description of an enterprise network, as the app sends it, and what
//! it may contain. Every text field is checked here, never copied into the
//! file as it came: a field with a line break, a bracket, a control
//! character or more than its size is refused with the field's name.

use serde::{Deserialize, Serialize};
use zbus::zvariant::Type;

/// Longest identity, anonymous identity or password accepted (bytes).
pub const MAX_TEXT: usize = 256;
/// Longest domain name (RFC 1035).
pub const MAX_DOMAIN: usize = 253;
/// An SSID is 1 to 32 bytes.
pub const MAX_SSID: usize = 32;

/// What the app sends: one enterprise Wi-Fi network. Strings, so that the
/// D-Bus signature stays plain; [`Profile::check`] turns it into [`Checked`]
/// or says which field is wrong.
#[derive(Serialize, Deserialize, Type, Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The network's SSID, as bytes.
    pub ssid: Vec<u8>,
    /// `peap`, `ttls` or `tls`.
    pub eap: String,
    /// `MSCHAPV2`, `PAP` or `GTC` (PEAP and TTLS); empty for TLS.
    pub phase2: String,
    pub identity: String,
    /// Empty: none.
    pub anonymous_identity: String,
    /// `file` (a CA certificate passed with `Save`, or the one stored
    /// before) or `system` (the system's bundle; then `domain` is needed).
    pub ca: String,
    /// The server's domain (DomainSuffixMatch); empty: not checked by name.
    pub domain: String,
    /// Whether the password is stored in the file; otherwise connmand asks
    /// for it at every connection.
    pub store_password: bool,
    /// With `store_password`: the password; empty keeps the stored one.
    pub password: String,
    /// TLS: the private key's password; empty keeps the stored one.
    pub key_passphrase: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eap {
    Peap,
    Ttls,
    Tls,
}

impl Eap {
    pub const ALL: [Eap; 3] = [Eap::Peap, Eap::Ttls, Eap::Tls];

    pub fn parse(s: &str) -> Option<Eap> {
        match s {
            "peap" => Some(Eap::Peap),
            "ttls" => Some(Eap::Ttls),
            "tls" => Some(Eap::Tls),
            _ => None,
        }
    }

    /// The value of connmand's `EAP` key (and of [`Profile::eap`]).
    pub fn key(self) -> &'static str {
        match self {
            Eap::Peap => "peap",
            Eap::Ttls => "ttls",
            Eap::Tls => "tls",
        }
    }

    /// The inner methods valid inside this one (none for TLS).
    pub fn phase2(self) -> &'static [Phase2] {
        match self {
            Eap::Peap => &[Phase2::Mschapv2, Phase2::Gtc],
            Eap::Ttls => &[Phase2::Mschapv2, Phase2::Pap, Phase2::Gtc],
            Eap::Tls => &[],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase2 {
    Mschapv2,
    Pap,
    Gtc,
}

impl Phase2 {
    pub fn parse(s: &str) -> Option<Phase2> {
        match s {
            "MSCHAPV2" => Some(Phase2::Mschapv2),
            "PAP" => Some(Phase2::Pap),
            "GTC" => Some(Phase2::Gtc),
            _ => None,
        }
    }

    /// The name in [`Profile::phase2`].
    pub fn name(self) -> &'static str {
        match self {
            Phase2::Mschapv2 => "MSCHAPV2",
            Phase2::Pap => "PAP",
            Phase2::Gtc => "GTC",
        }
    }

    /// connmand's `Phase2` value inside `eap`: `EAP-X` becomes
    /// wpa_supplicant's `autheap=X`, anything else `auth=X`. GTC inside TTLS
    /// is an EAP method; inside PEAP every inner method is.
    pub fn key(self, eap: Eap) -> &'static str {
        match (self, eap) {
            (Phase2::Gtc, Eap::Ttls) => "EAP-GTC",
            (p, _) => p.name(),
        }
    }
}

/// Where the server's certificate is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaChoice {
    /// A CA certificate the person chose, copied by the helper.
    File,
    /// The system's bundle ([`crate::SYSTEM_CA_BUNDLE`]) and the domain.
    System,
}

/// A secret that is either given, kept from the stored file, or absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Secret {
    /// Not stored: connmand's agent asks at connect time.
    Ask,
    Keep,
    New(String),
}

/// A [`Profile`] whose every field has been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub ssid: Vec<u8>,
    pub eap: Eap,
    pub phase2: Option<Phase2>,
    pub identity: String,
    pub anonymous_identity: Option<String>,
    pub ca: CaChoice,
    pub domain: Option<String>,
    pub password: Secret,
    pub key_passphrase: Secret,
}

/// Why a field was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    Empty,
    TooLong(usize),
    /// A line break, bracket, control character or NUL.
    BadChar(char),
    /// Not one of the values this field takes.
    Unknown(String),
    /// Not a domain name.
    NotADomain,
    /// Needed with the other choices made.
    Needed,
}

/// A refused field: which, and why. Its `Display` is the helper's D-Bus
/// error text; the app says it in the person's language from the parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub why: Why,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = self.field;
        match &self.why {
            Why::Empty => write!(f, "{field} is empty"),
            Why::TooLong(max) => write!(f, "{field} is longer than {max} bytes"),
            Why::BadChar(c) => write!(f, "{field} contains {c:?}, which cannot be stored"),
            Why::Unknown(v) => write!(f, "{field} cannot be {v:?}"),
            Why::NotADomain => write!(f, "{field} is not a domain name"),
            Why::Needed => write!(f, "{field} is needed"),
        }
    }
}

impl std::error::Error for Refusal {}

fn refuse<T>(field: &'static str, why: Why) -> Result<T, Refusal> {
    Err(Refusal { field, why })
}

/// A text field: at most `max` bytes, no control characters (line breaks,
/// NUL, DEL…) and no `[` or `]`, which could start a group in a key file.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), Refusal> {
    if value.len() > max {
        return refuse(field, Why::TooLong(max));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() || matches!(c, '[' | ']'))
    {
        return refuse(field, Why::BadChar(c));
    }
    Ok(())
}

/// A domain name: letters, digits, `-` and dots, labels of 1 to 63.
pub fn check_domain(field: &'static str, value: &str) -> Result<(), Refusal> {
    check_text(field, value, MAX_DOMAIN)?;
    let ok = !value.is_empty()
        && value.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        refuse(field, Why::NotADomain)
    }
}

impl Profile {
    /// Checks every field; the first one that is wrong is refused.
    pub fn check(&self) -> Result<Checked, Refusal> {
        if self.ssid.is_empty() {
            return refuse("ssid", Why::Empty);
        }
        if self.ssid.len() > MAX_SSID {
            return refuse("ssid", Why::TooLong(MAX_SSID));
        }
        let Some(eap) = Eap::parse(&self.eap) else {
            return refuse("eap", Why::Unknown(bounded(&self.eap)));
        };
        let phase2 = if eap == Eap::Tls {
            if !self.phase2.is_empty() {
                return refuse("phase2", Why::Unknown(bounded(&self.phase2)));
            }
            None
        } else {
            match Phase2::parse(&self.phase2) {
                Some(p) if eap.phase2().contains(&p) => Some(p),
                _ if self.phase2.is_empty() => return refuse("phase2", Why::Needed),
                _ => return refuse("phase2", Why::Unknown(bounded(&self.phase2))),
            }
        };
        check_text("identity", &self.identity, MAX_TEXT)?;
        if self.identity.is_empty() {
            return refuse("identity", Why::Empty);
        }
        check_text("anonymous_identity", &self.anonymous_identity, MAX_TEXT)?;
        let anonymous_identity = if self.anonymous_identity.is_empty() || eap == Eap::Tls {
            None
        } else {
            Some(self.anonymous_identity.clone())
        };
        let ca = match self.ca.as_str() {
            "file" => CaChoice::File,
            "system" => CaChoice::System,
            other => return refuse("ca", Why::Unknown(bounded(other))),
        };
        let domain = if self.domain.is_empty() {
            // any server with a certificate from a public CA would pass
            if ca == CaChoice::System {
                return refuse("domain", Why::Needed);
            }
            None
        } else {
            check_domain("domain", &self.domain)?;
            Some(self.domain.to_ascii_lowercase())
        };
        check_text("password", &self.password, MAX_TEXT)?;
        let password = match (eap, self.store_password, self.password.is_empty()) {
            (Eap::Tls, _, _) | (_, false, _) => Secret::Ask,
            (_, true, true) => Secret::Keep,
            (_, true, false) => Secret::New(self.password.clone()),
        };
        check_text("key_passphrase", &self.key_passphrase, MAX_TEXT)?;
        let key_passphrase = match (eap, self.key_passphrase.is_empty()) {
            (Eap::Tls, true) => Secret::Keep,
            (Eap::Tls, false) => Secret::New(self.key_passphrase.clone()),
            _ => Secret::Ask,
        };
        Ok(Checked {
            ssid: self.ssid.clone(),
            eap,
            phase2,
            identity: self.identity.clone(),
            anonymous_identity,
            ca,
            domain,
            password,
            key_passphrase,
        })
    }
}

/// A value quoted back in a refusal, cut short.
fn bounded(s: &str) -> String {
    s.chars().take(32).collect()
}

/// Lower-case hex of an SSID: the id in file names, and connmand's `SSID`.
pub fn ssid_hex(ssid: &[u8]) -> String {
    ssid.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SSID back from its hex (`None` if it is not 1 to 32 bytes of hex).
pub fn ssid_from_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || !hex.len().is_multiple_of(2) || hex.len() > 2 * MAX_SSID {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            let pair = hex.get(i..i + 2)?;
            if !pair
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return None;
            }
            u8::from_str_radix(pair, 16).ok()
        })
        .collect()
}

/// A value as a GLib key file writes it: a backslash doubled, a space at
/// either end escaped (`\s`), so that connmand reads back exactly `value`.
/// Only called on checked values (no control characters).
pub fn escape(value: &str) -> String {
    let mut out = value.replace('\\', "\\\\");
    if out.starts_with(' ') {
        out.replace_range(0..1, "\\s");
    }
    if out.len() > 1 && out.ends_with(' ') {
        out.truncate(out.len() - 1);
        out.push_str("\\s");
    }
    out
}

/// The reverse of [`escape`] (for the files the helper wrote itself).
pub fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The paths a provisioning file names for its certificates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertPaths {
    pub ca: Option<String>,
    pub client_cert: Option<String>,
    pub private_key: Option<String>,
}

/// The first line of every file the helper writes.
pub const HEADER: &str = "# Written by connie-provision for Connie. Edit it in Connie.";

/// The provisioning file for `p`. Secrets that are [`Secret::Keep`] must
/// have been resolved by the caller (`kept_password`,
/// `kept_key_passphrase`: the stored ones).
pub fn render(
    p: &Checked,
    certs: &CertPaths,
    kept_password: Option<&str>,
    kept_key_passphrase: Option<&str>,
) -> String {
    let hex = ssid_hex(&p.ssid);
    let mut s = format!("{HEADER}\n[service_connie_{hex}]\nType = wifi\nSSID = {hex}\n");
    let mut line = |k: &str, v: &str| {
        s.push_str(k);
        s.push_str(" = ");
        s.push_str(&escape(v));
        s.push('\n');
    };
    line("EAP", p.eap.key());
    if let Some(phase2) = p.phase2 {
        line("Phase2", phase2.key(p.eap));
    }
    line("Identity", &p.identity);
    if let Some(a) = &p.anonymous_identity {
        line("AnonymousIdentity", a);
    }
    match p.ca {
        CaChoice::System => line("CACertFile", crate::SYSTEM_CA_BUNDLE),
        CaChoice::File => {
            if let Some(ca) = &certs.ca {
                line("CACertFile", ca);
            }
        }
    }
    if let Some(d) = &p.domain {
        line("DomainSuffixMatch", d);
    }
    if p.eap == Eap::Tls {
        if let Some(c) = &certs.client_cert {
            line("ClientCertFile", c);
        }
        if let Some(k) = &certs.private_key {
            line("PrivateKeyFile", k);
        }
        let pass = match &p.key_passphrase {
            Secret::New(v) => Some(v.as_str()),
            _ => kept_key_passphrase,
        };
        if let Some(v) = pass {
            line("PrivateKeyPassphrase", v);
        }
    }
    let pass = match &p.password {
        Secret::New(v) => Some(v.as_str()),
        Secret::Keep => kept_password,
        Secret::Ask => None,
    };
    if let Some(v) = pass {
        line("Passphrase", v);
    }
    s
}

/// A profile the helper wrote, as `Profiles` tells it: no secrets, only
/// whether they are stored.
#[derive(Serialize, Deserialize, Type, Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub ssid: Vec<u8>,
    pub eap: String,
    pub phase2: String,
    pub identity: String,
    pub anonymous_identity: String,
    /// `file` or `system`.
    pub ca: String,
    pub domain: String,
    pub password_stored: bool,
    pub key_passphrase_stored: bool,
}

/// Everything a stored file says, secrets included (the helper's own use:
/// keeping a password on edit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub stored: Stored,
    pub password: Option<String>,
    pub key_passphrase: Option<String>,
    pub certs: CertPaths,
}

/// Reads back a file that [`render`] wrote (`None` for anything else).
pub fn parse(text: &str) -> Option<Parsed> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return None;
    }
    let group = lines.next()?;
    let hex = group.strip_prefix("[service_connie_")?.strip_suffix(']')?;
    let mut p = Parsed::default();
    p.stored.ssid = ssid_from_hex(hex)?;
    p.stored.ca = "file".into();
    for l in lines {
        let (k, v) = l.split_once(" = ")?;
        let v = unescape(v);
        match k {
            "Type" | "SSID" => {}
            "EAP" => p.stored.eap = v,
            "Phase2" => p.stored.phase2 = v.strip_prefix("EAP-").unwrap_or(&v).to_owned(),
            "Identity" => p.stored.identity = v,
            "AnonymousIdentity" => p.stored.anonymous_identity = v,
            "CACertFile" if v == crate::SYSTEM_CA_BUNDLE => p.stored.ca = "system".into(),
            "CACertFile" => p.certs.ca = Some(v),
            "DomainSuffixMatch" => p.stored.domain = v,
            "ClientCertFile" => p.certs.client_cert = Some(v),
            "PrivateKeyFile" => p.certs.private_key = Some(v),
            "PrivateKeyPassphrase" => {
                p.stored.key_passphrase_stored = true;
                p.key_passphrase = Some(v);
            }
            "Passphrase" => {
                p.stored.password_stored = true;
                p.password = Some(v);
            }
            _ => return None,
        }
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peap() -> Profile {
        Profile {
            ssid: b"eduroam".to_vec(),
            eap: "peap".into(),
            phase2: "MSCHAPV2".into(),
            identity: "alice@uni.example".into(),
            anonymous_identity: "anonymous@uni.example".into(),
            ca: "system".into(),
            domain: "radius.uni.example".into(),
            store_password: false,
            password: String::new(),
            key_passphrase: String::new(),
        }
    }

    #[test]
    fn a_peap_profile_becomes_connmands_keys() {
        let c = peap().check().unwrap();
        let text = render(&c, &CertPaths::default(), None, None);
        assert_eq!(
            text,
            format!(
                "{HEADER}\n[service_connie_656475726f616d]\nType = wifi\nSSID = 656475726f616d\n\
                 EAP = peap\nPhase2 = MSCHAPV2\nIdentity = alice@uni.example\n\
                 AnonymousIdentity = anonymous@uni.example\n\
                 CACertFile = /etc/ssl/certs/ca-certificates.crt\n\
                 DomainSuffixMatch = radius.uni.example\n"
            )
        );
        let back = parse(&text).unwrap();
        assert_eq!(back.stored.ssid, b"eduroam");
        assert_eq!(back.stored.ca, "system");
        assert_eq!(back.stored.domain, "radius.uni.example");
        assert!(!back.stored.password_stored);
    }

    #[test]
    fn phase2_must_fit_the_method() {
        let mut p = peap();
        p.phase2 = "PAP".into();
        assert_eq!(
            p.check().unwrap_err(),
            Refusal {
                field: "phase2",
                why: Why::Unknown("PAP".into())
            }
        );
        p.eap = "ttls".into();
        assert_eq!(p.check().unwrap().phase2, Some(Phase2::Pap));
        p.phase2 = "GTC".into();
        let c = p.check().unwrap();
        assert!(render(&c, &CertPaths::default(), None, None).contains("Phase2 = EAP-GTC\n"));
        p.phase2 = String::new();
        assert_eq!(p.check().unwrap_err().why, Why::Needed);
        p.eap = "tls".into();
        p.phase2 = "MSCHAPV2".into();
        assert_eq!(p.check().unwrap_err().field, "phase2");
        p.eap = "md5".into();
        assert_eq!(p.check().unwrap_err().field, "eap");
    }

    #[test]
    fn line_breaks_brackets_and_nul_are_refused_in_every_field() {
        for bad in [
            "a\nEAP = tls",
            "a\rb",
            "[service_x]",
            "a]",
            "a\0b",
            "a\tb",
            "\u{7f}",
        ] {
            for field in [
                "identity",
                "anonymous_identity",
                "password",
                "key_passphrase",
            ] {
                let mut p = peap();
                p.store_password = true;
                match field {
                    "identity" => p.identity = bad.into(),
                    "anonymous_identity" => p.anonymous_identity = bad.into(),
                    "password" => p.password = bad.into(),
                    _ => p.key_passphrase = bad.into(),
                }
                let e = p.check().unwrap_err();
                assert_eq!(e.field, field, "{bad:?}");
                assert!(matches!(e.why, Why::BadChar(_)), "{bad:?}: {e}");
            }
        }
        let mut p = peap();
        p.domain = "radius.example\nEAP = tls".into();
        assert_eq!(p.check().unwrap_err().field, "domain");
    }

    #[test]
    fn sizes_are_bounded() {
        let mut p = peap();
        p.identity = "a".repeat(MAX_TEXT + 1);
        assert_eq!(p.check().unwrap_err().why, Why::TooLong(MAX_TEXT));
        let mut p = peap();
        p.ssid = vec![b'x'; 33];
        assert_eq!(p.check().unwrap_err().field, "ssid");
        p.ssid = Vec::new();
        assert_eq!(p.check().unwrap_err().why, Why::Empty);
        let mut p = peap();
        p.domain = format!("{}.example", "a".repeat(64));
        assert_eq!(p.check().unwrap_err().why, Why::NotADomain);
    }

    #[test]
    fn system_certificates_need_a_domain() {
        let mut p = peap();
        p.domain = String::new();
        assert_eq!(
            p.check().unwrap_err(),
            Refusal {
                field: "domain",
                why: Why::Needed
            }
        );
        p.ca = "file".into();
        assert_eq!(p.check().unwrap().domain, None);
        for bad in ["-a.example", "a..b", "a_b.example", "a b", "example."] {
            p.domain = bad.into();
            assert_eq!(p.check().unwrap_err().why, Why::NotADomain, "{bad}");
        }
        p.ca = "/home/alice/ca.pem".into();
        assert_eq!(p.check().unwrap_err().field, "ca");
    }

    #[test]
    fn backslashes_and_outer_spaces_survive_the_key_file() {
        for v in ["p\\ss", " lead", "trail ", "in side", "\\s", " "] {
            assert_eq!(unescape(&escape(v)), v, "{v:?}");
        }
        let mut p = peap();
        p.store_password = true;
        p.password = " a\\b ".into();
        let text = render(&p.check().unwrap(), &CertPaths::default(), None, None);
        assert!(text.contains("Passphrase = \\sa\\\\b\\s\n"), "{text}");
        assert_eq!(parse(&text).unwrap().password.as_deref(), Some(" a\\b "));
    }

    #[test]
    fn a_stored_password_is_kept_or_replaced() {
        let mut p = peap();
        p.store_password = true;
        assert_eq!(p.check().unwrap().password, Secret::Keep);
        let text = render(
            &p.check().unwrap(),
            &CertPaths::default(),
            Some("old"),
            None,
        );
        assert!(text.ends_with("Passphrase = old\n"));
        p.password = "new".into();
        assert_eq!(p.check().unwrap().password, Secret::New("new".into()));
        p.store_password = false;
        assert_eq!(p.check().unwrap().password, Secret::Ask);
        let text = render(
            &p.check().unwrap(),
            &CertPaths::default(),
            Some("old"),
            None,
        );
        assert!(!text.contains("Passphrase"));
    }

    #[test]
    fn tls_names_its_certificates_and_key_password() {
        let p = Profile {
            eap: "tls".into(),
            phase2: String::new(),
            ca: "file".into(),
            domain: String::new(),
            key_passphrase: "kp".into(),
            ..peap()
        };
        let certs = CertPaths {
            ca: Some("/c/ca.pem".into()),
            client_cert: Some("/c/client.pem".into()),
            private_key: Some("/c/key.pem".into()),
        };
        let text = render(&p.check().unwrap(), &certs, None, None);
        assert!(text.contains(
            "CACertFile = /c/ca.pem\nClientCertFile = /c/client.pem\nPrivateKeyFile = /c/key.pem\n\
             PrivateKeyPassphrase = kp\n"
        ));
        assert!(!text.contains("AnonymousIdentity"));
        let back = parse(&text).unwrap();
        assert_eq!(back.certs, certs);
        assert!(back.stored.key_passphrase_stored);
    }

    #[test]
    fn foreign_files_are_not_taken_for_ours() {
        assert!(parse("[service_x]\nType = wifi\n").is_none());
        assert!(parse(&format!("{HEADER}\n[service_connie_zz]\n")).is_none());
        assert!(parse(&format!("{HEADER}\n[service_connie_61]\nIPv4 = off\n")).is_none());
        assert_eq!(ssid_from_hex("6162"), Some(b"ab".to_vec()));
        assert_eq!(ssid_from_hex("6G"), None);
        assert_eq!(ssid_from_hex("AB"), None);
    }
}
