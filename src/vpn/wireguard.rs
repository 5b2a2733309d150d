//! WireGuard `.conf` files in wg-quick's format, mapped onto connman-vpnd's
//! WireGuard settings: `[Interface]` Address, PrivateKey, DNS, ListenPort;
//! one `[Peer]`'s PublicKey, PresharedKey, Endpoint (host and port),
//! AllowedIPs and PersistentKeepalive. What connman-vpnd has no setting for
//! (MTU, Table, FwMark, PreUp/PostUp/… scripts) is listed, not kept.

use super::form::{VpnForm, HOST, NAME};
use super::ovpn::ImportError;
use super::VpnType;
use crate::i18n::{gettext, gettext_f};

/// What a `.conf` file came to: the form, and the lines not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub form: VpnForm,
    pub ignored: Vec<String>,
}

/// Splits `Endpoint` into host and port (`[v6]:port`, `host:port`).
fn endpoint(value: &str) -> Option<(String, String)> {
    let (host, port) = value.rsplit_once(':')?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    (!host.is_empty() && !port.is_empty()).then(|| (host.to_owned(), port.to_owned()))
}

/// Reads a wg-quick `.conf` file's text; `name` is the VPN's name.
pub fn import(name: &str, text: &str) -> Result<Imported, ImportError> {
    let mut form = VpnForm::new(VpnType::WireGuard);
    form.set(NAME, name);
    let mut ignored = Vec::new();
    let mut section = String::new();
    let mut peers = 0;
    let mut interface = false;
    for (i, raw) in text.lines().enumerate() {
        let n = (i + 1).to_string();
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.trim().to_owned();
            match section.as_str() {
                "Interface" => interface = true,
                "Peer" => {
                    peers += 1;
                    if peers > 1 {
                        return Err(ImportError(gettext_f(
                            "Line {}: a second [Peer]. ConnMan’s WireGuard has one peer only.",
                            &[&n],
                        )));
                    }
                }
                other => {
                    return Err(ImportError(gettext_f(
                        "Line {}: “[{}]” is not a WireGuard section.",
                        &[&n, other],
                    )))
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(ImportError(gettext_f(
                "Line {}: “{}” is not “Key = value”.",
                &[&n, line],
            )));
        };
        let (key, value) = (key.trim(), value.trim());
        let field = match (section.as_str(), key) {
            ("Interface", "Address") => {
                // connman-vpnd takes one address: the first (IPv4 first)
                let all: Vec<&str> = value.split(',').map(str::trim).collect();
                let first = all
                    .iter()
                    .find(|a| a.contains('.'))
                    .or(all.first())
                    .copied()
                    .unwrap_or_default();
                if all.len() > 1 {
                    ignored.push(gettext_f(
                        "line {}: addresses after {} (ConnMan takes one)",
                        &[&n, first],
                    ));
                }
                form.set("WireGuard.Address", first);
                continue;
            }
            ("Interface", "PrivateKey") => "WireGuard.PrivateKey",
            ("Interface", "DNS") => "WireGuard.DNS",
            ("Interface", "ListenPort") => "WireGuard.ListenPort",
            ("Peer", "PublicKey") => "WireGuard.PublicKey",
            ("Peer", "PresharedKey") => "WireGuard.PresharedKey",
            ("Peer", "AllowedIPs") => "WireGuard.AllowedIPs",
            ("Peer", "PersistentKeepalive") => "WireGuard.PersistentKeepalive",
            ("Peer", "Endpoint") => match endpoint(value) {
                Some((host, port)) => {
                    form.set(HOST, &host);
                    form.set("WireGuard.EndpointPort", &port);
                    continue;
                }
                None => {
                    return Err(ImportError(gettext_f(
                        "Line {}: “{}” is not a host and port.",
                        &[&n, value],
                    )))
                }
            },
            ("", _) => {
                return Err(ImportError(gettext_f(
                    "Line {}: a setting outside [Interface] and [Peer].",
                    &[&n],
                )))
            }
            _ => {
                // keep secrets out of the list (and of logs)
                ignored.push(gettext_f("line {}: {}", &[&n, key]));
                continue;
            }
        };
        form.set(field, value);
    }
    if !interface || peers == 0 {
        return Err(ImportError(gettext(
            "This is not a WireGuard configuration (it needs [Interface] and [Peer]).",
        )));
    }
    Ok(Imported { form, ignored })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "\
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.8.0.2/24, fd00::2/64
DNS = 10.8.0.1
MTU = 1420
PostUp = iptables -A FORWARD -j ACCEPT

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
Endpoint = [2001:db8::1]:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
";

    #[test]
    fn every_field_is_mapped_and_the_rest_listed() {
        let i = import("wg0", CONF).unwrap();
        let f = &i.form;
        assert_eq!(f.get("WireGuard.Address"), "10.8.0.2/24");
        assert_eq!(f.get(HOST), "2001:db8::1");
        assert_eq!(f.get("WireGuard.EndpointPort"), "51820");
        assert_eq!(f.get("WireGuard.DNS"), "10.8.0.1");
        assert_eq!(f.get("WireGuard.PersistentKeepalive"), "25");
        assert_eq!(i.ignored.len(), 3, "{:?}", i.ignored);
        assert!(i.ignored[1].ends_with("MTU"));
        assert!(i.ignored[2].ends_with("PostUp"), "scripts are not kept");
        let s = f.check().expect("a valid form");
        assert_eq!(s.strings["WireGuard.AllowedIPs"], "0.0.0.0/0, ::/0");
    }

    #[test]
    fn what_cannot_be_imported_says_where() {
        let two = format!("{CONF}\n[Peer]\nPublicKey = x\n");
        assert!(import("x", &two).unwrap_err().0.contains("one peer"));
        assert!(import("x", "Address = 1\n")
            .unwrap_err()
            .0
            .contains("Line 1"));
        assert!(import("x", "[Interface]\nnonsense\n")
            .unwrap_err()
            .0
            .contains("Line 2"));
        let bad_key = CONF.replace("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=", "short");
        let i = import("x", &bad_key).unwrap();
        let errors = i.form.check().unwrap_err();
        assert_eq!(errors[0].0, "WireGuard.PrivateKey");
    }
}
