//! The VPN side of the lab: a small PKI made with openssl, and what a client
//! needs to create or provision a VPN that reaches the lab's OpenVPN servers
//! and its OpenConnect server (ocserv).

use std::collections::HashMap;
use std::path::Path;

use crate::process::run_args;
use crate::runner::SERVICES_ADDR;
use crate::LabError;

/// The certificate-only OpenVPN server's port.
pub const CERT_PORT: u16 = 1194;
/// The username/password OpenVPN server's port (no client certificate).
pub const USERPASS_PORT: u16 = 1195;
/// The credentials the username/password server accepts.
pub const VPN_USER: &str = "labuser";
pub const VPN_PASSWORD: &str = "labpass";
/// Domains that make the two VPNs distinct (connman-vpnd's identity is
/// Host + Domain).
pub const CERT_DOMAIN: &str = "cert.lab.test";
pub const USERPASS_DOMAIN: &str = "auth.lab.test";
/// The network the servers push a route for.
pub const BEHIND_NET: &str = "10.99.0.0/16";
/// The OpenConnect server (ocserv): its TLS port, and the groups it offers
/// in its login form (`select-group`). `VPN_USER`/`VPN_PASSWORD` log in.
pub const OC_PORT: u16 = 443;
pub const OC_GROUPS: [&str; 2] = ["Staff", "Guests"];
pub const OC_DOMAIN: &str = "oc.lab.test";
/// The Unix socket (in the lab directory) that reaches ocserv from the
/// lab's network, for clients outside it.
pub const OC_FORWARD_SOCKET: &str = "ocserv-forward.sock";
/// The tunnel network ocserv hands addresses from, and the one of the
/// second group (`config-per-group`): a client's address says which group
/// it signed in to.
pub const OC_NET: &str = "10.88.3.0";
pub const OC_GUESTS_NET: &str = "10.88.4.0";

/// Makes a CA, a server and a client certificate (EC P-256, 30 days).
pub fn make_pki(dir: &Path) -> Result<(), LabError> {
    let p = |f: &str| dir.join(f).display().to_string();
    let req = |name: &str, cn: &str, extra: &[&str]| -> Result<(), LabError> {
        let mut args: Vec<String> = [
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-batch",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(["-keyout".into(), p(&format!("{name}.key"))]);
        args.extend(["-subj".into(), format!("/CN={cn}")]);
        args.extend(extra.iter().map(|s| s.to_string()));
        run_args("openssl", &args).map(|_| ())
    };
    req(
        "ca",
        "connman-lab-ca",
        &["-x509", "-days", "30", "-out", &p("ca.crt")],
    )?;
    // ocserv's certificate names the address clients dial: openconnect
    // checks the name against the subjectAltName
    for (name, usage) in [
        ("server", "extendedKeyUsage=serverAuth\n".to_owned()),
        ("client", "extendedKeyUsage=clientAuth\n".to_owned()),
        (
            "ocserv",
            format!("extendedKeyUsage=serverAuth\nsubjectAltName=IP:{SERVICES_ADDR}\n"),
        ),
    ] {
        req(
            name,
            &format!("connman-lab-{name}"),
            &["-out", &p(&format!("{name}.csr"))],
        )?;
        std::fs::write(dir.join(format!("{name}.ext")), usage)
            .map_err(|e| LabError::new(format!("cannot write the PKI: {e}")))?;
        run_args(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &p(&format!("{name}.csr")),
                "-CA",
                &p("ca.crt"),
                "-CAkey",
                &p("ca.key"),
                "-CAcreateserial",
                "-days",
                "30",
                "-extfile",
                &p(&format!("{name}.ext")),
                "-out",
                &p(&format!("{name}.crt")),
            ],
        )?;
    }
    Ok(())
}

/// Which of the lab's OpenVPN servers a VPN connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VpnKind {
    /// Client certificate, no password.
    Certificate,
    /// Username and password asked through the VPN agent.
    UserPass,
}

/// The settings of a VPN for one of the lab's servers, as the string dict
/// `net.connman.vpn.Manager.Create` takes (`pki` is the lab's PKI directory).
pub fn vpn_settings(kind: VpnKind, name: &str, pki: &Path) -> HashMap<String, String> {
    let f = |n: &str| pki.join(n).display().to_string();
    let mut m: HashMap<String, String> = [
        ("Type", "openvpn".to_owned()),
        ("Name", name.to_owned()),
        ("Host", SERVICES_ADDR.to_owned()),
        ("OpenVPN.Proto", "udp".to_owned()),
        ("OpenVPN.CACert", f("ca.crt")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    match kind {
        VpnKind::Certificate => {
            m.insert("VPN.Domain".into(), CERT_DOMAIN.into());
            m.insert("OpenVPN.Port".into(), CERT_PORT.to_string());
            m.insert("OpenVPN.Cert".into(), f("client.crt"));
            m.insert("OpenVPN.Key".into(), f("client.key"));
        }
        VpnKind::UserPass => {
            m.insert("VPN.Domain".into(), USERPASS_DOMAIN.into());
            m.insert("OpenVPN.Port".into(), USERPASS_PORT.to_string());
            m.insert("OpenVPN.AuthUserPass".into(), "-".into());
        }
    }
    m
}

/// The settings of an OpenConnect VPN for the lab's ocserv, logging in with
/// username and password (connman-vpnd's `userpass` authentication: it asks
/// the VPN agent for `Username` and `Password`). `ca` is the CA the VPN
/// trusts for the server (`None`: the system's, which does not know the
/// lab's).
pub fn oc_settings(name: &str, ca: Option<&Path>) -> HashMap<String, String> {
    let mut m: HashMap<String, String> = [
        ("Type", "openconnect".to_owned()),
        ("Name", name.to_owned()),
        ("Host", SERVICES_ADDR.to_owned()),
        ("VPN.Domain", OC_DOMAIN.to_owned()),
        ("OpenConnect.AuthType", "userpass".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(ca) = ca {
        m.insert("OpenConnect.CACert".into(), ca.display().to_string());
    }
    m
}

/// ocserv's configuration: TLS only on `SERVICES_ADDR:OC_PORT` (no DTLS
/// port), a password file, two groups to choose from, a route to the host
/// behind the VPN. `dir` holds the password file, socket and PID file.
pub fn ocserv_config(dir: &Path, pki: &Path) -> String {
    let d = |f: &str| dir.join(f).display().to_string();
    let k = |f: &str| pki.join(f).display().to_string();
    let groups: String = OC_GROUPS
        .iter()
        .map(|g| format!("select-group = {g}\n"))
        .collect();
    format!(
        "auth = \"plain[passwd={passwd}]\"\n\
         listen-host = {SERVICES_ADDR}\n\
         tcp-port = {OC_PORT}\n\
         socket-file = {sock}\n\
         pid-file = {pid}\n\
         server-cert = {cert}\n\
         server-key = {key}\n\
         # works with true too; false: no seccomp filter a container could refuse\n\
         isolate-workers = false\n\
         run-as-user = nobody\n\
         run-as-group = nogroup\n\
         use-occtl = false\n\
         max-clients = 16\n\
         max-same-clients = 0\n\
         keepalive = 300\n\
         dpd = 60\n\
         mobile-dpd = 1800\n\
         try-mtu-discovery = false\n\
         auth-timeout = 240\n\
         min-reauth-time = 1\n\
         cookie-timeout = 300\n\
         deny-roaming = false\n\
         rekey-time = 172800\n\
         rekey-method = ssl\n\
         device = vpns\n\
         predictable-ips = true\n\
         ipv4-network = {OC_NET}\n\
         ipv4-netmask = 255.255.255.0\n\
         route = 10.99.0.0/255.255.0.0\n\
         ping-leases = false\n\
         cisco-client-compat = true\n\
         {groups}auto-select-group = false\n\
         config-per-group = {per_group}/\n",
        per_group = d("groups"),
        passwd = d("ocpasswd"),
        sock = d("ocserv.sock"),
        pid = d("ocserv.pid"),
        cert = k("ocserv.crt"),
        key = k("ocserv.key"),
    )
}

/// ocserv's per-group settings: the second group's clients get addresses
/// from `OC_GUESTS_NET`.
pub fn write_ocserv_groups(dir: &Path) -> Result<(), LabError> {
    let groups = dir.join("groups");
    std::fs::create_dir_all(&groups)
        .map_err(|e| LabError::new(format!("cannot create {}: {e}", groups.display())))?;
    for (group, net) in [(OC_GROUPS[0], OC_NET), (OC_GROUPS[1], OC_GUESTS_NET)] {
        std::fs::write(
            groups.join(group),
            format!("ipv4-network = {net}\nipv4-netmask = 255.255.255.0\n"),
        )
        .map_err(|e| LabError::new(format!("cannot write the group {group}: {e}")))?;
    }
    Ok(())
}

/// ocserv's password file (`ocpasswd` format, `user:groups:crypt-hash`):
/// `VPN_USER` with `VPN_PASSWORD`, member of every group.
pub fn write_ocpasswd(path: &Path) -> Result<(), LabError> {
    let hash = run_args("openssl", &["passwd", "-6", VPN_PASSWORD])?;
    std::fs::write(
        path,
        format!("{VPN_USER}:{}:{}\n", OC_GROUPS.join(","), hash.trim()),
    )
    .map_err(|e| LabError::new(format!("cannot write {}: {e}", path.display())))
}

/// The same VPN as a connman-vpnd provisioning file (`[provider_<id>]`).
pub fn vpn_config_file(kind: VpnKind, id: &str, name: &str, pki: &Path) -> String {
    let mut s = format!("[provider_{id}]\n");
    let mut settings: Vec<(String, String)> = vpn_settings(kind, name, pki).into_iter().collect();
    settings.sort();
    for (k, v) in settings {
        // the file spells the Create dict's "VPN.Domain" as "Domain"
        let k = if k == "VPN.Domain" {
            "Domain".to_owned()
        } else {
            k
        };
        let v = if k == "Type" { "OpenVPN".to_owned() } else { v };
        s.push_str(&format!("{k} = {v}\n"));
    }
    s
}

/// A provisioning file for the lab's 802.1X network (PEAP/MSCHAPv2). With
/// `identity`/`passphrase` left out connmand asks the agent for them.
pub fn eap_config_file(ssid: &str, identity: Option<&str>, passphrase: Option<&str>) -> String {
    let mut s = format!(
        "[service_{}]\nType = wifi\nName = {ssid}\nEAP = peap\nPhase2 = MSCHAPV2\n",
        ssid.to_lowercase()
    );
    if let Some(i) = identity {
        s.push_str(&format!("Identity = {i}\n"));
    }
    if let Some(p) = passphrase {
        s.push_str(&format!("Passphrase = {p}\n"));
    }
    s
}

/// openvpn's `--auth-user-pass-verify … via-file`: the file holds the
/// username and the password on two lines.
pub fn check_user_pass_file(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let mut lines = text.lines();
    lines.next() == Some(VPN_USER) && lines.next() == Some(VPN_PASSWORD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_names_domain_and_type_as_the_file_format_wants() {
        let f = vpn_config_file(VpnKind::UserPass, "labauth", "Lab auth", Path::new("/p"));
        assert!(f.starts_with("[provider_labauth]\n"));
        assert!(f.contains("Type = OpenVPN\n"));
        assert!(f.contains("Domain = auth.lab.test\n"));
        assert!(f.contains("OpenVPN.AuthUserPass = -\n"));
        assert!(f.contains("OpenVPN.CACert = /p/ca.crt\n"));
        assert!(!f.contains("VPN.Domain"));
    }

    #[test]
    fn create_dict_for_the_certificate_server() {
        let m = vpn_settings(VpnKind::Certificate, "LabVPN", Path::new("/p"));
        assert_eq!(m["Type"], "openvpn");
        assert_eq!(m["Host"], SERVICES_ADDR);
        assert_eq!(m["OpenVPN.Port"], "1194");
        assert_eq!(m["OpenVPN.Key"], "/p/client.key");
        assert!(!m.contains_key("OpenVPN.AuthUserPass"));
    }

    #[test]
    fn ocserv_config_has_groups_and_no_dtls() {
        let c = ocserv_config(Path::new("/l/oc"), Path::new("/l/pki"));
        assert!(c.contains("auth = \"plain[passwd=/l/oc/ocpasswd]\"\n"));
        assert!(c.contains("select-group = Staff\nselect-group = Guests\n"));
        assert!(c.contains("server-cert = /l/pki/ocserv.crt\n"));
        assert!(c.contains("isolate-workers = false\n"));
        assert!(!c.contains("udp-port"));
        let m = oc_settings("OC", None);
        assert_eq!(m["Type"], "openconnect");
        assert_eq!(m["OpenConnect.AuthType"], "userpass");
        assert!(!m.contains_key("OpenConnect.CACert"));
    }

    #[test]
    fn eap_file_leaves_secrets_to_the_agent() {
        let f = eap_config_file("LabEnterprise", None, None);
        assert!(f.contains("Name = LabEnterprise\nEAP = peap\n"));
        assert!(!f.contains("Identity"));
    }
}
