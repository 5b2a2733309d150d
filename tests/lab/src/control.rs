//! `io.github.connie.Lab1`: the lab's control interface on its private bus.
//! The root process that runs the lab serves it; tests (as root or as the
//! person who started the lab) and `connman-lab` subcommands call it.

use std::sync::Arc;

use zbus::fdo;

use crate::runner::Runner;
use crate::wifi::{AccessPoint, FakeSupplicant, Security};
use crate::{Daemon, LabError, OnlineMode};

pub const BUS_NAME: &str = "io.github.connie.Lab";
pub const PATH: &str = "/io/github/connie/Lab";

struct Control {
    runner: Arc<Runner>,
}

fn failed(e: LabError) -> fdo::Error {
    fdo::Error::Failed(e.to_string())
}

impl Control {
    fn wifi(&self) -> fdo::Result<FakeSupplicant> {
        self.runner.wifi.lock().unwrap().clone().ok_or_else(|| {
            fdo::Error::NotSupported("this lab has no wifi (start it with --wifi)".into())
        })
    }

    /// Runs blocking lab work off the bus's executor.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Runner) -> Result<T, LabError> + Send + 'static,
    ) -> fdo::Result<T> {
        let runner = self.runner.clone();
        blocking::unblock(move || f(&runner)).await.map_err(failed)
    }
}

fn daemon(name: &str) -> fdo::Result<Daemon> {
    Daemon::parse(name).ok_or_else(|| {
        fdo::Error::InvalidArgs(format!(
            "unknown daemon {name:?} (connmand or connman-vpnd)"
        ))
    })
}

#[zbus::interface(name = "io.github.connie.Lab1")]
impl Control {
    #[allow(clippy::too_many_arguments)]
    async fn add_ap(
        &self,
        ssid: Vec<u8>,
        security: &str,
        passphrase: &str,
        identity: &str,
        signal: i16,
        frequency: u16,
        hidden: bool,
    ) -> fdo::Result<()> {
        let security = Security::parse(security).ok_or_else(|| {
            fdo::Error::InvalidArgs(format!(
                "unknown security {security:?} (open, wep, psk, eap)"
            ))
        })?;
        if ssid.is_empty() || ssid.len() > 32 {
            return Err(fdo::Error::InvalidArgs("an SSID has 1 to 32 bytes".into()));
        }
        let mut ap = AccessPoint::new(ssid, security);
        ap.passphrase = (!passphrase.is_empty()).then(|| passphrase.to_owned());
        ap.identity = (!identity.is_empty()).then(|| identity.to_owned());
        ap.signal = signal;
        ap.frequency = frequency;
        ap.hidden = hidden;
        self.wifi()?.add_ap(ap).await.map_err(fdo::Error::from)
    }

    async fn remove_ap(&self, ssid: Vec<u8>) -> fdo::Result<bool> {
        self.wifi()?
            .remove_ap(&ssid)
            .await
            .map_err(fdo::Error::from)
    }

    async fn set_signal(&self, ssid: Vec<u8>, dbm: i16) -> fdo::Result<bool> {
        self.wifi()?
            .set_signal(&ssid, dbm)
            .await
            .map_err(fdo::Error::from)
    }

    async fn drop_link(&self) -> fdo::Result<()> {
        self.wifi()?.drop_link().await.map_err(fdo::Error::from)
    }

    async fn fail_association(&self, ssid: Vec<u8>, fail: bool) -> fdo::Result<bool> {
        Ok(self.wifi()?.set_association_failure(&ssid, fail))
    }

    /// A device joins or leaves the lab's hotspot (a MAC address,
    /// `aa:bb:cc:dd:ee:ff`); false when no hotspot runs.
    async fn station(&self, mac: &str, joined: bool) -> fdo::Result<bool> {
        let ok = mac.len() == 17
            && mac.split(':').count() == 6
            && mac
                .split(':')
                .all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit()));
        if !ok {
            return Err(fdo::Error::InvalidArgs(format!(
                "{mac:?} is not a MAC address (aa:bb:cc:dd:ee:ff)"
            )));
        }
        self.wifi()?
            .station(mac, joined)
            .await
            .map_err(fdo::Error::from)
    }

    /// The access points, one line each: security, signal, frequency,
    /// hidden flag and the SSID in hex.
    async fn access_points(&self) -> fdo::Result<Vec<String>> {
        Ok(self
            .wifi()?
            .access_points()
            .iter()
            .map(|ap| {
                let hex: String = ap.ssid.iter().map(|b| format!("{b:02x}")).collect();
                format!(
                    "{} {} {} {} {hex}",
                    ap.security.as_str(),
                    ap.signal,
                    ap.frequency,
                    if ap.hidden { "hidden" } else { "visible" }
                )
            })
            .collect())
    }

    async fn wifi_log(&self) -> fdo::Result<Vec<String>> {
        Ok(self.wifi()?.log())
    }

    async fn start_daemon(&self, name: &str) -> fdo::Result<()> {
        let d = daemon(name)?;
        self.blocking(move |r| r.start_daemon(d)).await
    }

    async fn stop_daemon(&self, name: &str) -> fdo::Result<()> {
        let d = daemon(name)?;
        self.blocking(move |r| {
            r.stop_daemon(d);
            Ok(())
        })
        .await
    }

    async fn restart_daemon(&self, name: &str) -> fdo::Result<()> {
        let d = daemon(name)?;
        self.blocking(move |r| r.restart_daemon(d)).await
    }

    /// `SIGSTOP` (pause true) or `SIGCONT` to the daemon the lab started,
    /// by its PID; returns that PID.
    async fn pause_daemon(&self, name: &str, pause: bool) -> fdo::Result<u32> {
        let d = daemon(name)?;
        self.blocking(move |r| r.pause_daemon(d, pause)).await
    }

    async fn wipe_state(&self) -> fdo::Result<()> {
        self.blocking(|r| r.wipe_state()).await
    }

    async fn set_online_mode(&self, mode: &str) -> fdo::Result<()> {
        let m = OnlineMode::parse(mode).ok_or_else(|| {
            fdo::Error::InvalidArgs(format!("unknown mode {mode:?} (online, portal, offline)"))
        })?;
        self.blocking(move |r| r.set_online_mode(m)).await
    }

    /// A lab process's log: connmand, connman-vpnd, dnsmasq, online-http,
    /// openvpn-cert, openvpn-userpass, dbus, holder.
    async fn log(&self, name: &str) -> fdo::Result<String> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(fdo::Error::InvalidArgs(format!("bad log name {name:?}")));
        }
        let name = name.to_owned();
        self.blocking(move |r| Ok(r.log(&name))).await
    }

    async fn provision(&self, vpn: bool, name: &str, contents: &str) -> fdo::Result<()> {
        let (name, contents) = (name.to_owned(), contents.to_owned());
        self.blocking(move |r| r.provision(vpn, &name, &contents))
            .await
    }

    async fn unprovision(&self, vpn: bool, name: &str) -> fdo::Result<()> {
        let name = name.to_owned();
        self.blocking(move |r| r.unprovision(vpn, &name)).await
    }

    /// (Re)starts polkitd in the lab with one action file and one rules
    /// file (see `Runner::start_polkit`).
    async fn start_polkit(&self, policy: &str, rules: &str) -> fdo::Result<()> {
        let (policy, rules) = (policy.to_owned(), rules.to_owned());
        self.blocking(move |r| r.start_polkit(&policy, &rules))
            .await
    }

    /// (Re)starts Connie's provisioning helper in the lab.
    async fn start_helper(
        &self,
        program: &str,
        args: Vec<String>,
        bus_policy: &str,
    ) -> fdo::Result<()> {
        let (program, policy) = (program.to_owned(), bus_policy.to_owned());
        self.blocking(move |r| r.start_helper(&program, &args, &policy))
            .await
    }

    /// A directory's entries inside the lab (name, kind, mode, size, owner).
    async fn list_dir(&self, path: &str) -> fdo::Result<Vec<String>> {
        let path = path.to_owned();
        self.blocking(move |r| r.list_dir(&path)).await
    }

    /// Makes a path in the lab's /var/lib/connman a symlink.
    async fn plant_symlink(&self, path: &str, target: &str) -> fdo::Result<()> {
        let (path, target) = (path.to_owned(), target.to_owned());
        self.blocking(move |r| r.plant_symlink(&path, &target))
            .await
    }

    /// Whether an address answers a ping from the lab's network.
    async fn ping(&self, addr: &str) -> fdo::Result<bool> {
        let addr = addr.to_owned();
        self.blocking(move |r| r.ping(&addr)).await
    }

    /// `ip ARGS` in the lab's network namespace, for reading only (routes,
    /// addresses, links, rules).
    async fn lab_ip(&self, args: Vec<String>) -> fdo::Result<String> {
        const READ: &[&str] = &[
            "route", "addr", "address", "link", "rule", "-4", "-6", "-br",
        ];
        const WRITE: &[&str] = &[
            "add", "del", "delete", "flush", "set", "change", "replace", "append", "save",
            "restore", "-b", "-batch", "exec", "netns",
        ];
        let ok = args.first().is_some_and(|a| READ.contains(&a.as_str()))
            && !args.iter().any(|a| WRITE.contains(&a.as_str()));
        if !ok {
            return Err(fdo::Error::AccessDenied(format!(
                "only reading `ip` commands are allowed, not {args:?}"
            )));
        }
        self.blocking(move |r| {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            r.lab_ip(&refs)
        })
        .await
    }

    /// Pings the peer end of uplink `n` from the lab namespace (traffic
    /// through that service's link); ping's summary.
    async fn ping_peer(&self, n: u8, count: u32, size: u32) -> fdo::Result<String> {
        if count > 200 || size > 65000 {
            return Err(fdo::Error::InvalidArgs(
                "at most 200 pings of 65000 bytes".into(),
            ));
        }
        self.blocking(move |r| r.ping_peer(n, count, size)).await
    }

    #[zbus(property)]
    fn lab_dir(&self) -> String {
        self.runner.dir.display().to_string()
    }
}

/// Serves the control interface and takes its bus name.
pub async fn serve(conn: &zbus::Connection, runner: Arc<Runner>) -> zbus::Result<()> {
    conn.object_server().at(PATH, Control { runner }).await?;
    conn.request_name(BUS_NAME).await?;
    Ok(())
}

/// The client side of `io.github.connie.Lab1`.
#[zbus::proxy(
    interface = "io.github.connie.Lab1",
    default_service = "io.github.connie.Lab",
    default_path = "/io/github/connie/Lab"
)]
pub trait Lab1 {
    #[allow(clippy::too_many_arguments)]
    fn add_ap(
        &self,
        ssid: &[u8],
        security: &str,
        passphrase: &str,
        identity: &str,
        signal: i16,
        frequency: u16,
        hidden: bool,
    ) -> zbus::Result<()>;
    fn remove_ap(&self, ssid: &[u8]) -> zbus::Result<bool>;
    fn set_signal(&self, ssid: &[u8], dbm: i16) -> zbus::Result<bool>;
    fn drop_link(&self) -> zbus::Result<()>;
    fn fail_association(&self, ssid: &[u8], fail: bool) -> zbus::Result<bool>;
    fn station(&self, mac: &str, joined: bool) -> zbus::Result<bool>;
    fn access_points(&self) -> zbus::Result<Vec<String>>;
    fn wifi_log(&self) -> zbus::Result<Vec<String>>;
    fn start_daemon(&self, name: &str) -> zbus::Result<()>;
    fn stop_daemon(&self, name: &str) -> zbus::Result<()>;
    fn restart_daemon(&self, name: &str) -> zbus::Result<()>;
    fn pause_daemon(&self, name: &str, pause: bool) -> zbus::Result<u32>;
    fn wipe_state(&self) -> zbus::Result<()>;
    fn set_online_mode(&self, mode: &str) -> zbus::Result<()>;
    fn log(&self, name: &str) -> zbus::Result<String>;
    fn provision(&self, vpn: bool, name: &str, contents: &str) -> zbus::Result<()>;
    fn unprovision(&self, vpn: bool, name: &str) -> zbus::Result<()>;
    fn start_polkit(&self, policy: &str, rules: &str) -> zbus::Result<()>;
    fn start_helper(&self, program: &str, args: &[&str], bus_policy: &str) -> zbus::Result<()>;
    fn list_dir(&self, path: &str) -> zbus::Result<Vec<String>>;
    fn plant_symlink(&self, path: &str, target: &str) -> zbus::Result<()>;
    fn lab_ip(&self, args: &[&str]) -> zbus::Result<String>;
    fn ping(&self, addr: &str) -> zbus::Result<bool>;
    fn ping_peer(&self, n: u8, count: u32, size: u32) -> zbus::Result<String>;
    #[zbus(property)]
    fn lab_dir(&self) -> zbus::Result<String>;
}
