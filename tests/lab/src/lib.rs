//! The ConnMan lab: the real connmand and connman-vpnd from Debian's packages,
//! run in network, mount and UTS namespaces of their own with a private
//! system bus, veth uplinks with real DHCP, a fake wifi radio (a fake
//! `wpa_supplicant` under the real connmand) and real OpenVPN servers.
//!
//! Everything that needs root happens in one process, the *runner*
//! (`connman-lab up`, see [`runner`]); it serves a control interface on the
//! lab's bus ([`control`]). [`Lab`] is the handle tests use: it starts a
//! runner as a child process (through `sudo -n` when the test does not run
//! as root), reads the bus address from it, drives it through the control
//! interface, and ends it on drop, also when a test panics. A runner whose
//! parent goes away (stdin closed) tears its lab down by itself.

pub mod control;
pub mod deps;
pub mod helpers;
pub mod host;
pub mod mountpoints;
pub mod process;
pub mod runner;
pub mod testing;
pub mod vpn;
pub mod wifi;

mod client;

pub use client::{Lab, SKIP_ENV};
pub use vpn::VpnKind;
pub use wifi::{AccessPoint, Security};

/// An error with a one-line explanation of what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabError(pub String);

impl LabError {
    pub fn new(msg: impl Into<String>) -> LabError {
        LabError(msg.into())
    }
}

impl std::fmt::Display for LabError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LabError {}

impl From<zbus::Error> for LabError {
    fn from(e: zbus::Error) -> LabError {
        LabError(format!("lab control: {e}"))
    }
}

/// The two daemons the lab runs and can stop, start and restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Daemon {
    Connmand,
    ConnmanVpnd,
}

impl Daemon {
    pub fn parse(s: &str) -> Option<Daemon> {
        match s {
            "connmand" | "connman" => Some(Daemon::Connmand),
            "connman-vpnd" | "vpnd" | "vpn" => Some(Daemon::ConnmanVpnd),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Daemon::Connmand => "connmand",
            Daemon::ConnmanVpnd => "connman-vpnd",
        }
    }
    pub fn program(self) -> &'static str {
        self.name()
    }
    pub fn bus_name(self) -> &'static str {
        match self {
            Daemon::Connmand => "net.connman",
            Daemon::ConnmanVpnd => "net.connman.vpn",
        }
    }
}

/// How the lab's web server answers connmand's online check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnlineMode {
    /// The check passes: services reach `online`.
    Online,
    /// A captive portal: connmand calls the agent's `RequestBrowser`.
    Portal,
    /// 404: services stay `ready`.
    Offline,
}

impl OnlineMode {
    pub fn parse(s: &str) -> Option<OnlineMode> {
        match s {
            "online" => Some(OnlineMode::Online),
            "portal" => Some(OnlineMode::Portal),
            "offline" | "404" => Some(OnlineMode::Offline),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineMode::Online => "online",
            OnlineMode::Portal => "portal",
            OnlineMode::Offline => "offline",
        }
    }
}

/// The access points the fake radio starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApSet {
    /// One network of each kind: open, WPA2, WEP, 802.1X, hidden.
    Default,
    /// `n` generated networks (for scale tests).
    Generated(usize),
    /// None; add them at run time.
    Empty,
}

impl ApSet {
    pub fn access_points(&self) -> Vec<AccessPoint> {
        match self {
            ApSet::Default => wifi::default_aps(),
            ApSet::Generated(n) => wifi::many_aps(*n),
            ApSet::Empty => Vec::new(),
        }
    }
}

/// What a lab is made of.
#[derive(Clone, Debug)]
pub struct LabOptions {
    /// Number of ethernet uplinks (`lab1`..`labN`).
    pub ethernet: u8,
    /// A fake wifi radio (`wlan0`) with the access points in `aps`.
    pub wifi: bool,
    pub aps: ApSet,
    /// connman-vpnd and the OpenVPN servers.
    pub vpn: bool,
    /// The online check (off: services stay `ready`).
    pub online_check: bool,
    pub online: OnlineMode,
    /// connmand's InputRequestTimeout in seconds.
    pub input_request_timeout: u32,
    pub connmand_debug: Option<String>,
    pub vpnd_debug: Option<String>,
    /// Start connmand with the lab (a test may start it later).
    pub start_connmand: bool,
    /// The non-root user allowed to drive the control interface.
    pub user: Option<u32>,
    /// The bus's policy refuses root's method calls to connmand, as a
    /// distribution's policy refuses users outside its group (for tests of
    /// what a refused client shows; the lab itself never calls connmand).
    pub refuse_connman: bool,
}

impl Default for LabOptions {
    fn default() -> LabOptions {
        LabOptions {
            ethernet: 1,
            wifi: false,
            aps: ApSet::Default,
            vpn: false,
            online_check: true,
            online: OnlineMode::Online,
            input_request_timeout: 120,
            connmand_debug: None,
            vpnd_debug: None,
            start_connmand: true,
            user: None,
            refuse_connman: false,
        }
    }
}

impl LabOptions {
    /// The `connman-lab up` arguments that make this lab.
    pub fn to_args(&self) -> Vec<String> {
        let mut a = vec![
            "up".to_owned(),
            "--ethernet".into(),
            self.ethernet.to_string(),
        ];
        if self.wifi {
            a.push("--wifi".into());
            match self.aps {
                ApSet::Default => {}
                ApSet::Generated(n) => a.extend(["--aps".into(), n.to_string()]),
                ApSet::Empty => a.extend(["--aps".into(), "0".into()]),
            }
        }
        if self.vpn {
            a.push("--vpn".into());
        }
        if !self.online_check {
            a.push("--no-online-check".into());
        }
        match self.online {
            OnlineMode::Online => {}
            OnlineMode::Portal => a.push("--portal".into()),
            OnlineMode::Offline => a.push("--offline".into()),
        }
        a.extend([
            "--input-timeout".into(),
            self.input_request_timeout.to_string(),
        ]);
        if let Some(d) = &self.connmand_debug {
            a.extend(["--debug".into(), d.clone()]);
        }
        if let Some(d) = &self.vpnd_debug {
            a.extend(["--vpnd-debug".into(), d.clone()]);
        }
        if !self.start_connmand {
            a.push("--no-connmand".into());
        }
        if let Some(u) = self.user {
            a.extend(["--user".into(), u.to_string()]);
        }
        if self.refuse_connman {
            a.push("--refuse-connman".into());
        }
        a
    }

    /// Parses `connman-lab up` arguments (after `up`).
    pub fn from_args(args: &[String]) -> Result<LabOptions, LabError> {
        let mut o = LabOptions::default();
        let mut it = args.iter();
        let num = |v: Option<&String>, what: &str| -> Result<u64, LabError> {
            v.and_then(|s| s.parse().ok())
                .ok_or_else(|| LabError::new(format!("{what} needs a number")))
        };
        let text = |v: Option<&String>, what: &str| -> Result<String, LabError> {
            v.cloned()
                .ok_or_else(|| LabError::new(format!("{what} needs a value")))
        };
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--ethernet" => {
                    o.ethernet = u8::try_from(num(it.next(), "--ethernet")?)
                        .ok()
                        .filter(|n| *n <= 40)
                        .ok_or_else(|| LabError::new("--ethernet takes 0 to 40"))?
                }
                "--wifi" => o.wifi = true,
                "--aps" => {
                    o.wifi = true;
                    let n = num(it.next(), "--aps")? as usize;
                    o.aps = if n == 0 {
                        ApSet::Empty
                    } else {
                        ApSet::Generated(n)
                    };
                }
                "--vpn" => o.vpn = true,
                "--portal" => o.online = OnlineMode::Portal,
                "--offline" => o.online = OnlineMode::Offline,
                "--no-online-check" => o.online_check = false,
                "--input-timeout" => {
                    o.input_request_timeout = num(it.next(), "--input-timeout")? as u32
                }
                "--debug" => o.connmand_debug = Some(text(it.next(), "--debug")?),
                "--vpnd-debug" => o.vpnd_debug = Some(text(it.next(), "--vpnd-debug")?),
                "--no-connmand" => o.start_connmand = false,
                "--user" => o.user = Some(num(it.next(), "--user")? as u32),
                "--refuse-connman" => o.refuse_connman = true,
                other => return Err(LabError::new(format!("unknown option {other}"))),
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_survive_the_command_line() {
        let o = LabOptions {
            ethernet: 3,
            wifi: true,
            aps: ApSet::Generated(300),
            vpn: true,
            online_check: true,
            online: OnlineMode::Portal,
            input_request_timeout: 5,
            connmand_debug: Some("*wifi.c".into()),
            vpnd_debug: None,
            start_connmand: false,
            user: Some(1000),
            refuse_connman: true,
        };
        let args = o.to_args();
        assert_eq!(args[0], "up");
        let back = LabOptions::from_args(&args[1..]).unwrap();
        assert_eq!(back.to_args(), args);
        assert_eq!(back.aps, ApSet::Generated(300));
        assert_eq!(back.user, Some(1000));
    }

    #[test]
    fn bad_options_are_refused_with_a_reason() {
        let e = LabOptions::from_args(&["--ethernet".into(), "lots".into()]).unwrap_err();
        assert_eq!(e.0, "--ethernet needs a number");
        let e = LabOptions::from_args(&["--frobnicate".into()]).unwrap_err();
        assert_eq!(e.0, "unknown option --frobnicate");
    }
}
