//! The typed, validated model of connmand's property dicts.
//!
//! # Read side
//!
//! connmand describes each object (Manager, Technology, Service, Clock, vpn Connection) as an
//! `a{sv}` dict. It sends the whole dict from `GetProperties`/`GetServices`/`TechnologyAdded`,
//! only the changed keys in `ServicesChanged` (an empty dict for a service already known), and one
//! key at a time in `PropertyChanged`. All of these go through [`PropertyDict::apply`], so one code
//! path handles them, with one contract:
//!
//! - a key that is not there leaves the old value (a full dict starts from `Default`);
//! - a value of the wrong D-Bus type leaves the old value and comes back as a [`ParseIssue`] for
//!   the caller to log (once); the other keys of the dict are applied all the same;
//! - inside a nested dict (`IPv4`, `Ethernet`, ...) a field of the wrong type is treated as
//!   absent, the rest of the dict is stored, and the field is reported;
//! - an unknown enum value is kept verbatim in the enum's `Unknown(String)` variant;
//! - an unknown property is kept in the struct's `extra` map, silently: newer connmand versions
//!   add properties, that is not a fault;
//! - variants wrapped in extra `v` layers are unwrapped; any integer type is accepted where a
//!   number is expected (range-checked);
//! - strings (names above all) are kept exactly as sent: connmand shows invalid UTF-8 in an SSID
//!   as U+FFFD, and names may contain markup, mnemonics or RTL overrides. Escaping is the job of
//!   whoever renders them.
//!
//! Nothing here panics, whatever the input.
//!
//! # Write side
//!
//! [`ServiceSetting`], [`TechnologySetting`], [`ClockSetting`] and [`ManagerSetting`] build the
//! exact `(name, value)` pair connmand's `SetProperty` expects. They validate first and return a
//! [`SettingError`] rather than a value connmand would reject (or, worse, silently mangle:
//! connmand drops invalid nameservers without an error and splits list entries at spaces).
//!
//! This module never imports GTK or GLib.
//!
//! The module is split along those seams: [`enums`] (the string enums), [`read`] (the parsed
//! dicts), [`vpn`] (net.connman.vpn.Connection), [`setting`] (the write side). Everything is
//! re-exported here, so `connman::types::X` names each type.

use std::net::Ipv4Addr;

pub mod enums;
pub mod read;
pub mod setting;
#[cfg(test)]
mod test_util;
pub mod vpn;

pub use enums::*;
pub use read::*;
pub use setting::*;
pub use vpn::*;

/// Also used for the agents' field types and requirements.
pub(crate) use enums::string_enum;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The service (or technology, connection) identifier: the last element of its object path,
/// e.g. `wifi_0123456789ab_4c6162_managed_psk` for `/net/connman/service/wifi_…`.
pub fn service_id(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Signal strength (0–100) in five levels, 0..=4, for icons:
///
/// | strength | level | usual icon |
/// |---|---|---|
/// | 0–5 | 0 | none |
/// | 6–30 | 1 | weak |
/// | 31–55 | 2 | ok |
/// | 56–80 | 3 | good |
/// | 81–100 (and above) | 4 | excellent |
///
/// (The thresholds are NetworkManager's, which users know from other desktops.)
pub fn strength_level(strength: u8) -> u8 {
    match strength {
        0..=5 => 0,
        6..=30 => 1,
        31..=55 => 2,
        56..=80 => 3,
        _ => 4,
    }
}

/// `255.255.255.0` → 24. `None` for a non-contiguous or malformed mask.
pub fn netmask_to_prefix(netmask: &str) -> Option<u8> {
    let mask = u32::from(netmask.trim().parse::<Ipv4Addr>().ok()?);
    let ones = mask.leading_ones();
    (mask.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
}

/// 24 → `255.255.255.0`. `None` above 32.
pub fn prefix_to_netmask(prefix: u8) -> Option<Ipv4Addr> {
    match prefix {
        0 => Some(Ipv4Addr::UNSPECIFIED),
        1..=32 => Some(Ipv4Addr::from(u32::MAX << (32 - u32::from(prefix)))),
        _ => None,
    }
}

/// Splits user input for a list (nameservers, domains, ...) at whitespace, `,` and `;`.
pub fn split_list(input: &str) -> Vec<String> {
    input
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What connmand accepts as a WPA passphrase (`TetheringPassphrase`, agent `Passphrase` of
/// type `psk`): 8–63 bytes, or exactly 64 hex digits (a raw key).
pub fn psk_passphrase_valid(passphrase: &str) -> bool {
    match passphrase.len() {
        64 => passphrase.bytes().all(|b| b.is_ascii_hexdigit()),
        n => (8..=63).contains(&n),
    }
}

/// What connmand accepts as a WEP key: 5 or 13 bytes, or 10 or 26 hex digits.
pub fn wep_key_valid(key: &str) -> bool {
    match key.len() {
        5 | 13 => true,
        10 | 26 => key.bytes().all(|b| b.is_ascii_hexdigit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::test_util::*;

    #[test]
    fn helpers() {
        assert_eq!(
            service_id("/net/connman/service/wifi_02000000_4c6162_managed_psk"),
            "wifi_02000000_4c6162_managed_psk"
        );
        assert_eq!(service_id("/net/connman/technology/wifi"), "wifi");
        assert_eq!(service_id("ethernet_x_cable"), "ethernet_x_cable");
        assert_eq!(service_id("/"), "");
        assert_eq!(service_id(""), "");

        let levels: Vec<u8> = [0u8, 5, 6, 30, 31, 55, 56, 80, 81, 100, 255]
            .iter()
            .map(|s| strength_level(*s))
            .collect();
        assert_eq!(levels, vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);

        assert_eq!(netmask_to_prefix("255.255.255.0"), Some(24));
        assert_eq!(netmask_to_prefix("255.255.255.255"), Some(32));
        assert_eq!(netmask_to_prefix("0.0.0.0"), Some(0));
        assert_eq!(netmask_to_prefix("255.255.128.0"), Some(17));
        assert_eq!(netmask_to_prefix("255.0.255.0"), None);
        assert_eq!(netmask_to_prefix("24"), None);
        assert_eq!(prefix_to_netmask(24), Some(Ipv4Addr::new(255, 255, 255, 0)));
        assert_eq!(prefix_to_netmask(32), Some(Ipv4Addr::BROADCAST));
        assert_eq!(prefix_to_netmask(0), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(prefix_to_netmask(33), None);
        for p in 0..=32 {
            assert_eq!(
                netmask_to_prefix(&prefix_to_netmask(p).unwrap().to_string()),
                Some(p)
            );
        }

        assert_eq!(
            split_list(" 8.8.8.8, 1.1.1.1;;9.9.9.9\n"),
            vec!["8.8.8.8", "1.1.1.1", "9.9.9.9"]
        );
        assert!(split_list(" ,; ").is_empty());

        assert!(psk_passphrase_valid("12345678"));
        assert!(psk_passphrase_valid(&"x".repeat(63)));
        assert!(!psk_passphrase_valid("1234567"));
        assert!(psk_passphrase_valid(
            &"aB3"
                .repeat(21)
                .chars()
                .chain("0".chars())
                .collect::<String>()
        ));
        assert!(!psk_passphrase_valid(&"g".repeat(64)));
        assert!(psk_passphrase_valid(&"0123456789abcdef".repeat(4)));
        assert!(!psk_passphrase_valid(&"x".repeat(65)));
        assert!(wep_key_valid("abcde") && wep_key_valid("abcdefghijklm"));
        assert!(wep_key_valid("0123456789") && wep_key_valid(&"a".repeat(26)));
        assert!(!wep_key_valid("012345678g") && !wep_key_valid("abcdef"));

        let mut s = wifi();
        s.ipv4.netmask = Some("255.0.255.0".into());
        assert_eq!(s.ipv4.cidr().as_deref(), Some("10.77.2.57"));
        s.ipv4.address = None;
        assert_eq!(s.ipv4.cidr(), None);
    }
}
