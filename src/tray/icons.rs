//! Which icon names the tray item sends, by desktop.
//!
//! Connie names the freedesktop symbolic icons GNOME's theme has
//! (`network-wired-symbolic`, `network-wireless-signal-good-symbolic`, …) and
//! ships copies for hosts whose theme lacks them (`IconThemePath`). KDE
//! Plasma looks each name up in its own theme first, and Breeze (5.x, as in
//! Debian 12) draws `network-wired-symbolic` as a shield with a keyhole: a
//! wired connection would look like a VPN. Under Plasma the item therefore
//! sends the names Plasma's own network applet uses, which every Plasma
//! theme has and draws in the panel's colours; names without a Plasma
//! counterpart stay as they are (Breeze lacks them, so Plasma takes
//! Connie's copies).

/// The icon names a desktop's tray expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IconNames {
    /// freedesktop symbolic names (GNOME, XFCE, LXQt, waybar, …).
    #[default]
    Symbolic,
    /// KDE Plasma's network applet's names.
    Plasma,
}

impl IconNames {
    /// The names for the desktop `XDG_CURRENT_DESKTOP` names (a
    /// colon-separated list, e.g. `KDE` or `ubuntu:GNOME`).
    pub fn for_desktop(current_desktop: Option<&str>) -> IconNames {
        let plasma = current_desktop
            .unwrap_or("")
            .split(':')
            .any(|d| d.eq_ignore_ascii_case("KDE"));
        if plasma {
            IconNames::Plasma
        } else {
            IconNames::Symbolic
        }
    }

    /// The names for this session's desktop.
    pub fn from_env() -> IconNames {
        IconNames::for_desktop(std::env::var("XDG_CURRENT_DESKTOP").ok().as_deref())
    }

    /// The name to send for Connie's `name`.
    pub fn name(self, name: &'static str) -> &'static str {
        if self == IconNames::Symbolic {
            return name;
        }
        match name {
            "network-wired-symbolic" => "network-wired-activated",
            "network-wireless-signal-excellent-symbolic" => "network-wireless-connected-100",
            "network-wireless-signal-good-symbolic" => "network-wireless-connected-75",
            "network-wireless-signal-ok-symbolic" => "network-wireless-connected-50",
            "network-wireless-signal-weak-symbolic" => "network-wireless-connected-25",
            "network-wireless-signal-none-symbolic" => "network-wireless-connected-00",
            "network-wireless-acquiring-symbolic" => "network-wireless-acquiring",
            "network-wireless-symbolic" => "network-wireless",
            "airplane-mode-symbolic" => "network-flightmode-on",
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plasma_is_told_by_its_desktop_name() {
        assert_eq!(IconNames::for_desktop(Some("KDE")), IconNames::Plasma);
        assert_eq!(IconNames::for_desktop(Some("foo:kde")), IconNames::Plasma);
        assert_eq!(IconNames::for_desktop(Some("GNOME")), IconNames::Symbolic);
        assert_eq!(IconNames::for_desktop(Some("KDEish")), IconNames::Symbolic);
        assert_eq!(IconNames::for_desktop(None), IconNames::Symbolic);
    }

    #[test]
    fn plasma_gets_its_network_applets_names_and_others_stay() {
        let p = IconNames::Plasma;
        assert_eq!(p.name("network-wired-symbolic"), "network-wired-activated");
        assert_eq!(
            p.name("network-wireless-signal-good-symbolic"),
            "network-wireless-connected-75"
        );
        assert_eq!(p.name("network-vpn-symbolic"), "network-vpn-symbolic");
        assert_eq!(p.name(""), "");
        let s = IconNames::Symbolic;
        assert_eq!(s.name("network-wired-symbolic"), "network-wired-symbolic");
    }
}
