//! An OpenConnect server's certificate, as Connie shows it before it lets
//! connman-vpnd trust it, and the login groups the server offers.
//!
//! connman-vpnd 1.41 never asks the VPN agent about the server's
//! certificate: when it does not verify against the system's CAs (its
//! login step does not even use the VPN's `OpenConnect.CACert`), a VPN
//! without `OpenConnect.AllowSelfSignedCert` fails, and one with it trusts
//! whatever certificate comes first and keeps its hash (`ServerCert`), all
//! silently. So Connie looks at the certificate itself when connman-vpnd
//! asks for the login ([`probe`]), asks the person, and answers with
//! `OpenConnect.ServerCert` set to the certificate's [`pin_sha256`]: then
//! connman-vpnd (with `AllowSelfSignedCert`) accepts that certificate and
//! no other.
//!
//! The DER walking, the fingerprints and the login form's groups are plain
//! functions with unit tests; [`probe`] uses GIO's TLS (glib-networking).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use base64::Engine;
use gio::prelude::*;

/// What Connie learned of a server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCert {
    /// `pin-sha256:…`: the hash connman-vpnd and openconnect compare.
    pub pin: String,
    /// SHA-256 of the whole certificate, `AB:CD:…` (what browsers and
    /// `openssl x509 -fingerprint -sha256` show).
    pub fingerprint: String,
    /// The certificate's subject and issuer, as GIO spells them.
    pub subject: String,
    pub issuer: String,
    /// Whether the system's CAs vouch for it (then nothing is asked).
    pub trusted: bool,
    /// Whether the VPN's own CA file (if it has one) signed it.
    pub signed_by_vpn_ca: bool,
    /// The groups the server's login form offers (`group_list`), if any.
    pub groups: Vec<String>,
}

/// One DER element at the start of `data`: its tag, and the offsets of its
/// content and its end.
fn element(data: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *data.first()?;
    let first = *data.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *data.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    (end <= data.len()).then_some((tag, header, end))
}

/// The certificate's SubjectPublicKeyInfo, as its whole DER element.
pub fn spki(cert: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    let (tag, head, _) = element(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs_head, tbs_end) = element(&cert[head..])?;
    if tag != SEQUENCE {
        return None;
    }
    let mut rest = &cert[head + tbs_head..head + tbs_end];
    // [0] version (optional), serial, signature algorithm, issuer,
    // validity, subject: then the key
    let (tag, _, end) = element(rest)?;
    if tag == 0xa0 {
        rest = &rest[end..];
    }
    for _ in 0..5 {
        let (_, _, end) = element(rest)?;
        rest = &rest[end..];
    }
    let (tag, _, end) = element(rest)?;
    (tag == SEQUENCE).then_some(&rest[..end])
}

fn sha256(data: &[u8]) -> Vec<u8> {
    let mut sum = glib::Checksum::new(glib::ChecksumType::Sha256).expect("SHA-256");
    sum.update(data);
    sum.digest()
}

/// openconnect's certificate pin: `pin-sha256:` and the base64 of the
/// SHA-256 of the SubjectPublicKeyInfo.
pub fn pin_sha256(cert: &[u8]) -> Option<String> {
    let key = spki(cert)?;
    Some(format!(
        "pin-sha256:{}",
        base64::engine::general_purpose::STANDARD.encode(sha256(key))
    ))
}

/// The SHA-256 of the whole certificate as `AB:CD:…`.
pub fn fingerprint(cert: &[u8]) -> String {
    sha256(cert)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The group names of an AnyConnect login form (`<select name="group_list">`
/// and its `<option>`s), in order, unescaped; none when it has no such list.
pub fn login_groups(form: &str) -> Vec<String> {
    let Some(start) = form.find("name=\"group_list\"") else {
        return Vec::new();
    };
    let select = &form[start..];
    let select = &select[..select.find("</select>").unwrap_or(select.len())];
    let mut groups = Vec::new();
    let mut rest = select;
    while let Some(open) = rest.find("<option") {
        rest = &rest[open..];
        let Some(gt) = rest.find('>') else { break };
        let after = &rest[gt + 1..];
        let Some(close) = after.find("</option>") else {
            break;
        };
        let label = unescape(after[..close].trim());
        if !label.is_empty() && label.chars().all(|c| !c.is_control()) {
            groups.push(label);
        }
        rest = &after[close..];
    }
    groups
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Where openconnect dials: the VPN's `OpenConnect.VPNHost` or `Host`,
/// without a scheme or path (a port stays: `host:port`).
pub fn dial_target(host: &str) -> &str {
    let host = host.trim();
    let host = host.strip_prefix("https://").unwrap_or(host);
    host.split('/').next().unwrap_or(host)
}

/// Why [`probe`] learned nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeError(pub String);

/// Tests only: the lab's servers are in the lab's network namespace, not
/// in the test process's; the lab forwards a Unix socket to them, and the
/// probe dials that instead (TLS still checks the real server's name).
#[cfg(any(test, feature = "test-support"))]
static ROUTE: std::sync::Mutex<Option<std::path::PathBuf>> = std::sync::Mutex::new(None);

/// Tests only: dial `socket` instead of the server (see `ROUTE`).
#[cfg(any(test, feature = "test-support"))]
pub fn route_through(socket: Option<std::path::PathBuf>) {
    *ROUTE.lock().unwrap_or_else(|e| e.into_inner()) = socket;
}

fn dial_address(address: &gio::NetworkAddress) -> gio::SocketConnectable {
    #[cfg(any(test, feature = "test-support"))]
    if let Some(path) = ROUTE.lock().unwrap_or_else(|e| e.into_inner()).clone() {
        return gio::UnixSocketAddress::new(&path).upcast();
    }
    address.clone().upcast()
}

/// Connects to `host` (default port 443), takes the certificate the server
/// presents, checks it against the system's CAs (as connman-vpnd's login
/// step does) and against `ca_file`, and reads the groups of its login
/// form. Sends no credentials. At most `limit`.
pub async fn probe(
    host: &str,
    ca_file: Option<&str>,
    limit: Duration,
) -> Result<ServerCert, ProbeError> {
    let target = dial_target(host).to_owned();
    let address = gio::NetworkAddress::parse(&target, 443)
        .map_err(|e| ProbeError(format!("{target}: {e}")))?;
    let client = gio::SocketClient::new();
    client.set_timeout(limit.as_secs().max(1) as u32);
    // the certificate GIO did not trust (for the system's CAs and the
    // server's name), seen during the handshake
    let seen: Rc<RefCell<Option<gio::TlsCertificate>>> = Rc::default();
    let work = async {
        let conn = client
            .connect_future(&dial_address(&address))
            .await
            .map_err(|e| ProbeError(e.to_string()))?;
        let tls = gio::TlsClientConnection::new(&conn, Some(&address))
            .map_err(|e| ProbeError(e.to_string()))?;
        let slot = seen.clone();
        tls.connect_accept_certificate(move |_, cert, _| {
            slot.replace(Some(cert.clone()));
            // only looked at: this connection sends no secret
            true
        });
        tls.handshake_future(glib::Priority::DEFAULT)
            .await
            .map_err(|e| ProbeError(e.to_string()))?;
        let tls: gio::TlsConnection = tls.upcast();
        let untrusted = seen.borrow_mut().take();
        let trusted = untrusted.is_none();
        let cert = untrusted
            .or_else(|| tls.peer_certificate())
            .ok_or_else(|| ProbeError("no certificate".into()))?;
        let groups = read_groups(&tls, &target).await.unwrap_or_default();
        let _ = tls.close_future(glib::Priority::DEFAULT).await;
        Ok::<_, ProbeError>((cert, trusted, groups))
    };
    let (cert, trusted, groups) = glib::future_with_timeout(limit, work)
        .await
        .map_err(|_| ProbeError(format!("{target} did not answer")))??;
    let der: Vec<u8> = cert
        .certificate()
        .map(|b| b.to_vec())
        .ok_or_else(|| ProbeError("no certificate".into()))?;
    let pin = pin_sha256(&der).ok_or_else(|| ProbeError("unreadable certificate".into()))?;
    let signed_by_vpn_ca = ca_file
        .and_then(|f| gio::TlsCertificate::from_file(f).ok())
        .is_some_and(|ca| cert.verify(Some(&address), Some(&ca)).is_empty());
    Ok(ServerCert {
        pin,
        fingerprint: fingerprint(&der),
        subject: cert
            .subject_name()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        issuer: cert
            .issuer_name()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        trusted,
        signed_by_vpn_ca,
        groups,
    })
}

/// Asks the server for its login form (the AnyConnect "init" request) and
/// reads its groups.
async fn read_groups(tls: &gio::TlsConnection, host: &str) -> Option<Vec<String>> {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config-auth client=\"vpn\" \
                type=\"init\"><version who=\"vpn\">v9.01</version></config-auth>";
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Open AnyConnect VPN Agent v9.01\r\n\
         X-Transcend-Version: 1\r\nX-Aggregate-Auth: 1\r\nContent-Type: application/xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let out = tls.output_stream();
    out.write_all_future(request.into_bytes(), glib::Priority::DEFAULT)
        .await
        .ok()?;
    let input = tls.input_stream();
    let mut answer = Vec::new();
    // a login form is small; more is not read
    while answer.len() < 256 * 1024 {
        let chunk = input
            .read_bytes_future(16 * 1024, glib::Priority::DEFAULT)
            .await
            .ok()?;
        if chunk.is_empty() {
            break;
        }
        answer.extend_from_slice(&chunk);
        if String::from_utf8_lossy(&answer).contains("</config-auth>") {
            break;
        }
    }
    Some(login_groups(&String::from_utf8_lossy(&answer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed EC P-256 certificate (`openssl req -x509`), and what
    /// openssl says of it: `x509 -pubkey | pkey -pubin -outform der |
    /// dgst -sha256 -binary | base64` (openconnect's pin) and
    /// `x509 -fingerprint -sha256`.
    const CERT_B64: &str = "MIIBgDCCASegAwIBAgIUIhR1uj+mMf+4wUBGa9luEnO9rZwwCgYIKoZIzj0EAwIwFjEUMBIGA1UEAwwLdGVzdC1vY3NlcnYwHhcNMjYxMjA3MTkxODAyWhcNMzYxMjA0MTkxODAyWjAWMRQwEgYDVQQDDAt0ZXN0LW9jc2VydjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABH8diqHRgB5gzkWK0ckWrHbAnMWRuwL6ZM3ck5E7EA2ijhEzpAPr2hIxeKKCtDWJgZwXI9MKTilwdMIv1/9WWmujUzBRMB0GA1UdDgQWBBRy6M/Tfvy2n1jcptXdPgHT3JE/JTAfBgNVHSMEGDAWgBRy6M/Tfvy2n1jcptXdPgHT3JE/JTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCICyY8MJ6Mxdkut9Sryf1WUqRKfrpEQP37iUHm7QJGU1gAiB7twV2PMjl05YqjX721xonBfIzfye6yNw+9RKf4m4TSA==";
    const PIN: &str = "pin-sha256:sWmjc+zSJj+aHUHxvtt7IgJDX5kYD2VrYp+BgxDBDSo=";
    const FINGERPRINT: &str = "04:7B:82:EC:0D:21:75:2E:E4:D2:5C:F8:69:29:AE:F7:1E:E6:D9:0D:7F:36:0E:09:B2:CF:26:AB:55:37:85:62";

    #[test]
    fn der_lengths_are_read_and_bounded() {
        assert_eq!(element(&[0x30, 0x03, 1, 2, 3]), Some((0x30, 2, 5)));
        assert_eq!(element(&[0x30, 0x81, 0x01, 9]), Some((0x30, 3, 4)));
        assert_eq!(element(&[0x30, 0x05, 1]), None, "longer than the data");
        assert_eq!(
            element(&[0x30, 0x85, 0, 0, 0, 0, 1]),
            None,
            "5 length bytes"
        );
        assert_eq!(element(&[0x30]), None);
        assert_eq!(spki(b"not a certificate"), None);
        assert_eq!(pin_sha256(&[]), None);
    }

    #[test]
    fn pin_and_fingerprint_are_those_openssl_computes() {
        let der = base64::engine::general_purpose::STANDARD
            .decode(CERT_B64)
            .unwrap();
        assert_eq!(spki(&der).unwrap().len(), 0x59 + 2, "an EC P-256 key");
        assert_eq!(pin_sha256(&der).as_deref(), Some(PIN));
        assert_eq!(fingerprint(&der), FINGERPRINT);
        // cut anywhere inside, it is refused, not misread
        for cut in [1, 10, 100, 200] {
            assert_eq!(pin_sha256(&der[..cut]), None, "cut at {cut}");
        }
    }

    #[test]
    fn groups_come_from_the_group_list_only() {
        let form = r#"<config-auth><auth id="main"><form method="post" action="/auth">
<input type="text" name="username" label="Username:" />
<select name="group_list" label="GROUP:">
<option>Staff</option>
<option value="g">R&amp;D</option>
<option></option>
</select></form></auth></config-auth>"#;
        assert_eq!(login_groups(form), ["Staff", "R&D"]);
        assert!(login_groups("<select name=\"other\"><option>x</option></select>").is_empty());
        assert!(login_groups("<select name=\"group_list\"><option>unclosed").is_empty());
    }

    #[test]
    fn the_dial_target_keeps_host_and_port() {
        assert_eq!(dial_target("10.77.0.1"), "10.77.0.1");
        assert_eq!(
            dial_target("https://vpn.example.org:8443/staff"),
            "vpn.example.org:8443"
        );
        assert_eq!(dial_target(" vpn.example.org/x "), "vpn.example.org");
    }
}
