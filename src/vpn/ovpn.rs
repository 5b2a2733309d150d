//! OpenVPN `.ovpn` files, read as NetworkManager-openvpn reads them: the
//! directives connman-vpnd's OpenVPN plugin has settings for are mapped,
//! inline `<ca>`, `<cert>`, `<key>` and `<tls-auth>` blocks become files,
//! and everything else is listed as not imported. Nothing of the file is
//! passed on as it is (as an `OpenVPN.ConfigFile`, its `up`, `route-up` …
//! scripts would run as root).

use super::form::{VpnForm, DOMAIN, HOST, NAME};
use super::VpnType;
use crate::i18n::gettext_f;

/// A block of the file that becomes a file of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// `ca`, `cert`, `key`, `tls-auth`.
    pub tag: String,
    /// The form field that names the file (`OpenVPN.CACert`).
    pub key: &'static str,
    pub contents: String,
}

/// What an `.ovpn` file came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub form: VpnForm,
    /// Inline blocks, to be written to files (their fields then name them).
    pub blobs: Vec<Blob>,
    /// Lines not imported, as "line N: text".
    pub ignored: Vec<String>,
}

/// A file that cannot be imported, with the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn blob_key(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "ca" => "OpenVPN.CACert",
        "cert" => "OpenVPN.Cert",
        "key" => "OpenVPN.Key",
        "tls-auth" => "OpenVPN.TLSAuth",
        _ => return None,
    })
}

/// Splits a line into its words (OpenVPN's quoting: "…" and '…').
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            (None, c) => current.push(c),
        }
    }
    if any || !current.is_empty() {
        out.push(current);
    }
    out
}

/// Reads an `.ovpn` file's text; `name` is the VPN's name (the file's).
pub fn import(name: &str, text: &str) -> Result<Imported, ImportError> {
    let mut form = VpnForm::new(VpnType::OpenVpn);
    form.set(NAME, name);
    let mut blobs: Vec<Blob> = Vec::new();
    let mut ignored = Vec::new();
    let mut client = false;
    let mut remote = false;
    let mut block: Option<(String, usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if let Some((tag, start, mut contents)) = block.take() {
            if line == format!("</{tag}>") {
                match blob_key(&tag) {
                    Some(key) => blobs.push(Blob { tag, key, contents }),
                    None => ignored.push(gettext_f(
                        "line {}: <{}> block",
                        &[&start.to_string(), &tag],
                    )),
                }
            } else {
                contents.push_str(raw);
                contents.push('\n');
                block = Some((tag, start, contents));
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(tag) = line.strip_prefix('<').and_then(|l| l.strip_suffix('>')) {
            if tag.starts_with('/') || tag.is_empty() {
                return Err(ImportError(gettext_f(
                    "Line {}: “{}” closes a block that was not opened.",
                    &[&n.to_string(), line],
                )));
            }
            block = Some((tag.to_owned(), n, String::new()));
            continue;
        }
        let w = words(line);
        let directive = w[0].trim_start_matches("--");
        let arg = |k: usize| w.get(k).map(String::as_str).unwrap_or_default();
        let mut take = |key: &str, value: &str| form.set(key, value);
        match (directive, w.len()) {
            ("client", 1) | ("tls-client", 1) => client = true,
            ("remote", 2..=4) if !remote => {
                remote = true;
                take(HOST, arg(1));
                if w.len() >= 3 {
                    take("OpenVPN.Port", arg(2));
                }
                if w.len() == 4 {
                    take("OpenVPN.Proto", &proto(arg(3)));
                }
            }
            ("remote", _) if remote => {
                ignored.push(gettext_f(
                    "line {}: another server (ConnMan uses the first)",
                    &[&n.to_string()],
                ));
            }
            ("port", 2) => take("OpenVPN.Port", arg(1)),
            ("proto", 2) => take("OpenVPN.Proto", &proto(arg(1))),
            ("dev", 2) => take(
                "OpenVPN.DeviceType",
                if arg(1).starts_with("tap") {
                    "tap"
                } else {
                    "tun"
                },
            ),
            ("dev-type", 2) => take("OpenVPN.DeviceType", arg(1)),
            ("ca", 2) => take("OpenVPN.CACert", arg(1)),
            ("cert", 2) => take("OpenVPN.Cert", arg(1)),
            ("key", 2) => take("OpenVPN.Key", arg(1)),
            ("tls-auth", 2) => take("OpenVPN.TLSAuth", arg(1)),
            ("tls-auth", 3) => {
                take("OpenVPN.TLSAuth", arg(1));
                take("OpenVPN.TLSAuthDir", arg(2));
            }
            ("key-direction", 2) => take("OpenVPN.TLSAuthDir", arg(1)),
            ("auth-user-pass", 1) => take("OpenVPN.AuthUserPass", "-"),
            ("remote-cert-tls", 2) if arg(1) == "server" => take("OpenVPN.RemoteCertTls", "server"),
            ("cipher", 2) | ("data-ciphers", 2) => take("OpenVPN.Cipher", arg(1)),
            ("route", 2..=3) => {
                let mask = if w.len() == 3 {
                    arg(2)
                } else {
                    "255.255.255.255"
                };
                match crate::connman::types::netmask_to_prefix(mask) {
                    Some(p) => {
                        let routes = form.get(super::form::ROUTES).to_owned();
                        let entry = format!("{}/{p}", arg(1));
                        let joined = if routes.is_empty() {
                            entry
                        } else {
                            format!("{routes}, {entry}")
                        };
                        form.set(super::form::ROUTES, &joined);
                    }
                    None => ignored.push(gettext_f("line {}: {}", &[&n.to_string(), line])),
                }
            }
            // what connman-vpnd always sets itself, or that is harmless
            (
                "nobind"
                | "persist-key"
                | "persist-tun"
                | "resolv-retry"
                | "verb"
                | "mute"
                | "mute-replay-warnings"
                | "auth-nocache"
                | "float",
                _,
            ) => {}
            _ => ignored.push(gettext_f("line {}: {}", &[&n.to_string(), line])),
        }
    }
    if let Some((tag, start, _)) = block {
        return Err(ImportError(gettext_f(
            "Line {}: the <{}> block is not closed.",
            &[&start.to_string(), &tag],
        )));
    }
    if !client {
        return Err(ImportError(gettext_f(
            "This is not an OpenVPN client configuration (no “client” line).",
            &[],
        )));
    }
    if !remote {
        return Err(ImportError(gettext_f(
            "The file names no server (no “remote” line).",
            &[],
        )));
    }
    // two VPNs to one server need different domains (connman-vpnd's
    // identity is Host + Domain): none is set; the person may add one
    let _ = DOMAIN;
    Ok(Imported {
        form,
        blobs,
        ignored,
    })
}

fn proto(p: &str) -> String {
    match p {
        "tcp" | "tcp-client" | "tcp4" | "tcp6" | "tcp4-client" | "tcp6-client" => "tcp-client",
        _ => "udp",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAB: &str = "\
# a lab profile
client
dev tun
proto udp
remote 10.77.0.1 1194
resolv-retry infinite
nobind
remote-cert-tls server
route 10.99.0.0 255.255.0.0
up /etc/openvpn/evil.sh
script-security 2
<ca>
-----BEGIN CERTIFICATE-----
MIIB
-----END CERTIFICATE-----
</ca>
<key>
-----BEGIN PRIVATE KEY-----
abc
-----END PRIVATE KEY-----
</key>
<cert>
C
</cert>
";

    #[test]
    fn maps_what_it_can_extracts_blocks_and_lists_the_rest() {
        let i = import("Lab", LAB).expect("imports");
        assert_eq!(i.form.get(HOST), "10.77.0.1");
        assert_eq!(i.form.get("OpenVPN.Port"), "1194");
        assert_eq!(i.form.get("OpenVPN.Proto"), "udp");
        assert_eq!(i.form.get("OpenVPN.RemoteCertTls"), "server");
        assert_eq!(i.form.get(super::super::form::ROUTES), "10.99.0.0/16");
        let tags: Vec<&str> = i.blobs.iter().map(|b| b.tag.as_str()).collect();
        assert_eq!(tags, ["ca", "key", "cert"]);
        assert!(i.blobs[0]
            .contents
            .starts_with("-----BEGIN CERTIFICATE-----\n"));
        // the scripts are not imported, and said so
        assert_eq!(
            i.ignored,
            [
                "line 10: up /etc/openvpn/evil.sh",
                "line 11: script-security 2"
            ]
        );
    }

    #[test]
    fn malformed_files_say_where() {
        let unclosed = "client\nremote a.example\n<ca>\nX\n";
        assert!(import("x", unclosed).unwrap_err().0.contains("Line 3"));
        let server = "dev tun\nremote a.example\n";
        assert!(import("x", server).unwrap_err().0.contains("client"));
        let no_remote = "client\ndev tun\n";
        assert!(import("x", no_remote).unwrap_err().0.contains("remote"));
        let stray = "client\n</ca>\n";
        assert!(import("x", stray).unwrap_err().0.contains("Line 2"));
    }

    #[test]
    fn quoted_words_and_tcp() {
        assert_eq!(words("ca \"my ca.crt\""), ["ca", "my ca.crt"]);
        let i = import("x", "client\nremote h.example 443 tcp\n").unwrap();
        assert_eq!(i.form.get("OpenVPN.Proto"), "tcp-client");
        assert_eq!(i.form.get("OpenVPN.Port"), "443");
    }
}
