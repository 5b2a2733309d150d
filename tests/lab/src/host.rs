//! A snapshot of the host's network identity, taken before the lab starts and
//! compared after it stops: the lab must leave it exactly as it was.

use std::process::Command;

/// What the host looks like from its own namespaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSnapshot {
    parts: Vec<(&'static str, String)>,
}

fn output(prog: &str, args: &[&str]) -> String {
    match Command::new(prog).args(args).output() {
        Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
        Err(e) => format!("<{prog} failed: {e}>"),
    }
}

impl HostSnapshot {
    /// Reads resolv.conf, the hostname, addresses, routes and rules.
    pub fn take() -> HostSnapshot {
        let ip = crate::deps::ip_binary();
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| format!("<{e}>"));
        HostSnapshot {
            parts: vec![
                ("/etc/resolv.conf", read("/etc/resolv.conf")),
                ("hostname", read("/proc/sys/kernel/hostname")),
                ("addresses", output(ip, &["-br", "addr"])),
                ("IPv4 routes", output(ip, &["route"])),
                ("IPv6 routes", output(ip, &["-6", "route"])),
                ("rules", output(ip, &["rule"])),
            ],
        }
    }

    /// Names what differs between two snapshots (empty when equal).
    pub fn diff(&self, later: &HostSnapshot) -> Vec<String> {
        self.parts
            .iter()
            .zip(&later.parts)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, b)| format!("{} changed:\n--- before\n{}--- after\n{}", a.0, a.1, b.1))
            .collect()
    }
}
