//! VPNs as people make them: the types connman-vpnd offers and what each
//! needs on this machine, the form of each type with its fields checked one
//! by one, and the imports of OpenVPN `.ovpn` and WireGuard `.conf` files.
//! GTK-free; the window shows it (`ui::vpn_editor`).
//!
//! Every value goes to connman-vpnd as the string its plugin reads
//! (`doc/vpn-config-format.txt`, `vpn/plugins/*.c`); nothing typed or
//! imported reaches it unchecked, and an imported file never reaches it
//! as a whole (an `OpenVPN.ConfigFile` would run its scripts as root).

pub mod certificate;
pub mod files;
pub mod form;
pub mod ovpn;
pub mod wireguard;

use std::path::{Path, PathBuf};

use crate::i18n::gettext;

/// The VPN types connman-vpnd has plugins for (Debian 12 ships all five).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VpnType {
    OpenVpn,
    OpenConnect,
    WireGuard,
    L2tp,
    Pptp,
}

impl VpnType {
    pub const ALL: [VpnType; 5] = [
        VpnType::OpenVpn,
        VpnType::WireGuard,
        VpnType::OpenConnect,
        VpnType::L2tp,
        VpnType::Pptp,
    ];

    /// connman-vpnd's `Type` (lowercase: it matches case-sensitively).
    pub fn id(self) -> &'static str {
        match self {
            VpnType::OpenVpn => "openvpn",
            VpnType::OpenConnect => "openconnect",
            VpnType::WireGuard => "wireguard",
            VpnType::L2tp => "l2tp",
            VpnType::Pptp => "pptp",
        }
    }

    pub fn from_id(id: &str) -> Option<VpnType> {
        VpnType::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The type's name for people.
    pub fn name(self) -> &'static str {
        match self {
            VpnType::OpenVpn => "OpenVPN",
            VpnType::OpenConnect => "OpenConnect",
            VpnType::WireGuard => "WireGuard",
            VpnType::L2tp => "L2TP",
            VpnType::Pptp => "PPTP",
        }
    }

    /// One line on what it is for.
    pub fn blurb(self) -> String {
        match self {
            VpnType::OpenVpn => gettext("Certificates or username and password"),
            VpnType::OpenConnect => {
                gettext("Cisco AnyConnect, Juniper, GlobalProtect, Fortinet and others")
            }
            VpnType::WireGuard => gettext("Keys; fast and simple"),
            VpnType::L2tp => gettext("Layer 2 tunnel with a username and password"),
            VpnType::Pptp => gettext("Old and insecure; only for old servers"),
        }
    }

    /// The programs connman-vpnd's plugin runs (the paths it was built
    /// with on Debian), and the Debian package that has each.
    fn programs(self) -> &'static [(&'static str, &'static str)] {
        match self {
            VpnType::OpenVpn => &[("/usr/sbin/openvpn", "openvpn")],
            VpnType::OpenConnect => &[("/usr/sbin/openconnect", "openconnect")],
            VpnType::WireGuard => &[],
            VpnType::L2tp => &[("/usr/sbin/xl2tpd", "xl2tpd"), ("/usr/sbin/pppd", "ppp")],
            VpnType::Pptp => &[("/usr/sbin/pptp", "pptp-linux"), ("/usr/sbin/pppd", "ppp")],
        }
    }
}

/// Whether a type can be used here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Ready,
    /// connman-vpnd has no plugin for it.
    NoPlugin,
    /// The plugin's programs are missing: these packages have them.
    Missing(Vec<&'static str>),
}

/// Where connman-vpnd's plugins are, by distribution.
const PLUGIN_DIRS: [&str; 4] = [
    "/usr/lib/x86_64-linux-gnu/connman/plugins-vpn",
    "/usr/lib/aarch64-linux-gnu/connman/plugins-vpn",
    "/usr/lib/connman/plugins-vpn",
    "/usr/lib64/connman/plugins-vpn",
];

/// What `t` needs, looking in `root` (`/` but in tests).
pub fn availability_in(root: &Path, t: VpnType) -> Availability {
    let at = |p: &str| -> PathBuf { root.join(p.trim_start_matches('/')) };
    let dirs: Vec<PathBuf> = PLUGIN_DIRS
        .iter()
        .map(|d| at(d))
        .filter(|d| d.is_dir())
        .collect();
    // a plugin directory we do not know of: do not guess
    if !dirs.is_empty()
        && !dirs
            .iter()
            .any(|d| d.join(format!("{}.so", t.id())).exists())
    {
        return Availability::NoPlugin;
    }
    let missing: Vec<&'static str> = t
        .programs()
        .iter()
        .filter(|(program, _)| !at(program).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        Availability::Ready
    } else {
        Availability::Missing(missing)
    }
}

/// What `t` needs on this machine.
pub fn availability(t: VpnType) -> Availability {
    availability_in(Path::new("/"), t)
}

/// The sentence for a type that cannot be used, if it cannot.
pub fn unavailable_reason(a: &Availability) -> Option<String> {
    match a {
        Availability::Ready => None,
        Availability::NoPlugin => Some(gettext("ConnMan has no plugin for it on this computer.")),
        Availability::Missing(packages) if packages.len() == 1 => Some(crate::i18n::gettext_f(
            "Needs the package {} installed.",
            &[packages[0]],
        )),
        Availability::Missing(packages) => Some(crate::i18n::gettext_f(
            "Needs the packages {} installed.",
            &[&packages.join(", ")],
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_names_its_package_and_a_missing_plugin_says_so() {
        let root = tempfile::tempdir().unwrap();
        let plugins = root.path().join("usr/lib/connman/plugins-vpn");
        std::fs::create_dir_all(&plugins).unwrap();
        std::fs::create_dir_all(root.path().join("usr/sbin")).unwrap();
        for p in ["openvpn.so", "wireguard.so", "l2tp.so"] {
            std::fs::write(plugins.join(p), "").unwrap();
        }
        std::fs::write(root.path().join("usr/sbin/openvpn"), "").unwrap();
        std::fs::write(root.path().join("usr/sbin/pppd"), "").unwrap();
        let at = |t| availability_in(root.path(), t);
        assert_eq!(at(VpnType::OpenVpn), Availability::Ready);
        assert_eq!(at(VpnType::WireGuard), Availability::Ready);
        assert_eq!(at(VpnType::L2tp), Availability::Missing(vec!["xl2tpd"]));
        assert_eq!(at(VpnType::OpenConnect), Availability::NoPlugin);
        assert!(unavailable_reason(&at(VpnType::L2tp))
            .unwrap()
            .contains("xl2tpd"));
    }

    #[test]
    fn types_are_connman_vpnds_lowercase_ids() {
        for t in VpnType::ALL {
            assert_eq!(VpnType::from_id(t.id()), Some(t));
            assert_eq!(t.id(), t.id().to_lowercase());
        }
    }
}
