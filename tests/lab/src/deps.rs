//! The programs the lab runs, and the Debian package that brings each.

use std::path::Path;

use crate::LabError;

/// (program, Debian package) pairs. `openvpn`/`openssl` only matter with VPN.
const BASE: &[(&str, &str)] = &[
    ("/usr/sbin/connmand", "connman"),
    ("/usr/bin/connmanctl", "connman"),
    ("/usr/sbin/dnsmasq", "dnsmasq-base"),
    ("/usr/sbin/ethtool", "ethtool"),
    ("/usr/bin/dbus-daemon", "dbus-daemon"),
    ("/usr/bin/nsenter", "util-linux"),
    ("/usr/bin/unshare", "util-linux"),
    ("/usr/bin/mount", "mount"),
];
const VPN: &[(&str, &str)] = &[
    ("/usr/sbin/connman-vpnd", "connman-vpn"),
    ("/usr/sbin/openvpn", "openvpn"),
    ("/usr/bin/openssl", "openssl"),
    ("/usr/bin/ping", "iputils-ping"),
    ("/usr/sbin/ocserv", "ocserv"),
    // connman-vpnd's openconnect plugin runs it for the tunnel
    ("/usr/sbin/openconnect", "openconnect"),
];

/// `ip` lives in /usr/bin or /bin depending on the merge state of /usr.
pub fn ip_binary() -> &'static str {
    if Path::new("/usr/sbin/ip").exists() {
        "/usr/sbin/ip"
    } else if Path::new("/usr/bin/ip").exists() {
        "/usr/bin/ip"
    } else {
        "/bin/ip"
    }
}

/// Checks that every program is there; the error names the missing packages
/// and the command that installs them.
pub fn check(vpn: bool) -> Result<(), LabError> {
    let mut needed: Vec<(&str, &str)> = BASE.to_vec();
    if vpn {
        needed.extend_from_slice(VPN);
    }
    needed.push((ip_binary(), "iproute2"));
    check_programs(&needed)
}

/// [`check`] for a given list of (program, package).
pub fn check_programs(needed: &[(&str, &str)]) -> Result<(), LabError> {
    let mut missing: Vec<&str> = Vec::new();
    for (prog, pkg) in needed {
        // Debian 12 merges /usr: a program may be reached through either path
        let alt = prog.replacen("/usr", "", 1);
        if !Path::new(prog).exists() && !Path::new(&alt).exists() && !missing.contains(pkg) {
            missing.push(pkg);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(LabError::new(format!(
        "missing Debian package(s) {}: run `make deps` (or `sudo apt-get install {}`)",
        missing.join(", "),
        missing.join(" ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_names_its_package_and_the_install_command() {
        let e = check_programs(&[
            ("/usr/bin/dbus-daemon", "dbus-daemon"),
            ("/usr/sbin/no-such-connmand", "connman"),
            ("/usr/sbin/no-such-vpnd", "connman-vpn"),
            ("/usr/sbin/no-such-connmanctl", "connman"),
        ])
        .unwrap_err();
        assert_eq!(
            e.0,
            "missing Debian package(s) connman, connman-vpn: run `make deps` \
             (or `sudo apt-get install connman connman-vpn`)"
        );
        assert_eq!(e.0.lines().count(), 1);
        assert!(check_programs(&[("/usr/bin/dbus-daemon", "dbus-daemon")]).is_ok());
    }
}
