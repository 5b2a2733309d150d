//! The root side of the lab: builds the namespaces, links and daemons, serves
//! the control interface, and tears everything down again.
//!
//! ```text
//! netns <id>-l (+ private mount and UTS ns, kept by the "holder" process)
//!     connmand -n, connman-vpnd -n, the private dbus-daemon
//!     lab1..labN (veth)  <------>  peer1..peerN 10.77.N.1/24     netns <id>-p
//!     wlan0 (veth, sysfs DEVTYPE=wlan) <-> wpeer0 10.77.50.1/24   dnsmasq (DHCP + DNS)
//!     vpn0 (tun, from openvpn)                                    10.77.0.1: online check :8080,
//!                                                                   openvpn :1194 (cert), :1195 (user/pass)
//!                                                                   ocserv :443 (TLS; user/pass, groups)
//!                                                                 10.99.1.1: a host behind the VPN
//! host netns: only this process (the fake wpa_supplicant and the control
//! interface, both clients of the private bus through its socket file).
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::host::HostSnapshot;
use crate::mountpoints::owner_pid;
use crate::process::{log_tail, run, run_args, signal_pid, wait_until, write_file, Proc};
use crate::wifi::FakeSupplicant;
use crate::{deps, vpn, Daemon, LabError, LabOptions, OnlineMode};

/// The prefix of every namespace and directory a lab creates.
pub const PREFIX: &str = "cnlab";
/// Where the online check, the DNS server and the VPN servers answer.
pub const SERVICES_ADDR: &str = "10.77.0.1";
/// A host reachable through the VPN only by the routes it pushes.
pub const BEHIND_VPN_ADDR: &str = "10.99.1.1";
const WLAN_IF: &str = "wlan0";
const POLKITD: &str = "polkitd";
const POLKITD_PROGRAM: &str = "/usr/lib/polkit-1/polkitd";
const HELPER: &str = "connie-provision";
/// Connie's provisioning helper's bus name.
pub const HELPER_BUS_NAME: &str = "io.github.connie.Provision";
const STOP_GRACE: Duration = Duration::from_secs(5);
/// How long a process the lab starts may take to say it is ready.
const READY_LIMIT: Duration = Duration::from_secs(10);

/// Directories that must be private (tmpfs) inside the lab's mount namespace.
pub const PRIVATE_DIRS: &[&str] = &[
    "/var/lib/connman",
    "/var/lib/connman-vpn",
    "/run/connman",
    "/run/dbus",
];

/// A running lab, as seen by the root process that owns it.
pub struct Runner {
    pub id: String,
    pub dir: PathBuf,
    pub lab_ns: String,
    pub peer_ns: String,
    pub bus_address: String,
    pub opts: LabOptions,
    pub conn: Mutex<Option<zbus::Connection>>,
    pub wifi: Mutex<Option<FakeSupplicant>>,
    procs: Mutex<Vec<Proc>>,
    holder_pid: AtomicU32,
    host_before: HostSnapshot,
    ns_created: Mutex<Vec<String>>,
}

impl Runner {
    pub fn ip(&self) -> Command {
        Command::new(deps::ip_binary())
    }

    fn in_peer(&self, prog: &str) -> Command {
        let mut c = self.ip();
        c.args(["netns", "exec", &self.peer_ns, prog]);
        c
    }

    /// A command run inside the lab's network, mount and UTS namespaces.
    pub fn in_lab(&self, prog: &str) -> Command {
        let mut c = Command::new("nsenter");
        c.arg("-t")
            .arg(self.holder_pid.load(Ordering::SeqCst).to_string())
            .args(["-n", "-m", "-u", "--", "env"])
            .arg(format!("DBUS_SYSTEM_BUS_ADDRESS={}", self.bus_address))
            .arg(format!("TMPDIR={}", self.dir.join("tmp").display()))
            .arg(prog);
        c
    }

    /// A path inside the lab's private mount namespace, seen from outside.
    pub fn lab_path(&self, path: &str) -> PathBuf {
        PathBuf::from(format!(
            "/proc/{}/root{}",
            self.holder_pid.load(Ordering::SeqCst),
            path
        ))
    }

    pub fn log_path(&self, name: &str) -> PathBuf {
        self.dir.join("log").join(format!("{name}.log"))
    }

    fn add_proc(&self, p: Proc) {
        self.procs.lock().unwrap().push(p);
    }

    /// Starts the whole lab. On any error, what was already started is torn
    /// down before the error is returned.
    pub fn start(opts: LabOptions) -> Result<Arc<Runner>, LabError> {
        if !rustix::process::geteuid().is_root() {
            return Err(LabError::new(
                "the lab must run as root (it creates network namespaces): run it with sudo",
            ));
        }
        deps::check(opts.vpn)?;
        cleanup_leftovers();
        let host_before = HostSnapshot::take();
        let (id, dir) = make_lab_dir()?;
        let bus_sock = dir.join("bus.sock");
        let runner = Arc::new(Runner {
            lab_ns: format!("{id}-l"),
            peer_ns: format!("{id}-p"),
            bus_address: format!("unix:path={}", bus_sock.display()),
            id,
            dir,
            opts,
            conn: Mutex::new(None),
            wifi: Mutex::new(None),
            procs: Mutex::new(Vec::new()),
            holder_pid: AtomicU32::new(0),
            host_before,
            ns_created: Mutex::new(Vec::new()),
        });
        match runner.build() {
            Ok(()) => Ok(runner),
            Err(e) => {
                let _ = runner.teardown();
                Err(e)
            }
        }
    }

    fn build(self: &Arc<Self>) -> Result<(), LabError> {
        let t0 = Instant::now();
        self.write_config()?;
        self.make_namespaces()?;
        self.start_peer_services()?;
        self.start_holder()?;
        self.start_bus()?;
        // the daemon printed its address: it listens
        let conn = zbus::block_on(async {
            zbus::connection::Builder::address(self.bus_address.as_str())?
                .build()
                .await
        })
        .map_err(|e| LabError::new(format!("cannot connect to the lab bus: {e}")))?;
        *self.conn.lock().unwrap() = Some(conn.clone());
        zbus::block_on(crate::control::serve(&conn, self.clone()))
            .map_err(|e| LabError::new(format!("cannot serve the lab control interface: {e}")))?;
        if self.opts.wifi {
            let aps = self.opts.aps.access_points();
            let fake = zbus::block_on(FakeSupplicant::serve(&conn, &self.lab_ns, aps))
                .map_err(|e| LabError::new(format!("fake wpa_supplicant failed: {e}")))?;
            *self.wifi.lock().unwrap() = Some(fake);
        }
        if self.opts.vpn {
            vpn::make_pki(&self.dir.join("pki"))?;
            self.start_vpn_servers()?;
            self.start_ocserv()?;
            self.start_ocserv_forward()?;
            self.start_daemon(Daemon::ConnmanVpnd)?;
        }
        if self.opts.start_connmand {
            self.start_daemon(Daemon::Connmand)?;
        }
        write_file(
            &self.dir.join("startup-ms"),
            &t0.elapsed().as_millis().to_string(),
        )?;
        Ok(())
    }

    fn write_config(&self) -> Result<(), LabError> {
        for sub in ["log", "etc-connman", "tmp", "pki", "bus.d"] {
            std::fs::create_dir(self.dir.join(sub))
                .map_err(|e| LabError::new(format!("cannot create lab dir: {e}")))?;
        }
        let online_url = format!("http://{SERVICES_ADDR}:8080/online/status.html");
        let check = if self.opts.online_check {
            format!(
                "EnableOnlineCheck=true\nOnlineCheckIPv4URL={online_url}\nOnlineCheckIPv6URL={online_url}\n"
            )
        } else {
            "EnableOnlineCheck=false\n".to_owned()
        };
        let main_conf = format!(
            "[General]\n{check}AllowHostnameUpdates=false\nAllowDomainnameUpdates=false\n\
             PreferredTechnologies=ethernet,wifi\nFallbackTimeservers=\nInputRequestTimeout={}\n\
             TetheringTechnologies=wifi,ethernet\n",
            self.opts.input_request_timeout
        );
        write_file(&self.dir.join("etc-connman/main.conf"), &main_conf)?;
        write_file(
            &self.dir.join("etc-connman/connman-vpn.conf"),
            "[General]\n",
        )?;
        write_file(
            &self.dir.join("resolv.conf"),
            "# the ConnMan lab's private resolv.conf\n",
        )?;
        write_file(&self.dir.join("online-mode"), self.opts.online.as_str())?;
        write_file(
            &self.dir.join("bus.conf"),
            &bus_config(&self.dir, self.opts.user, self.opts.refuse_connman),
        )?;
        Ok(())
    }

    fn make_namespaces(&self) -> Result<(), LabError> {
        for ns in [&self.lab_ns, &self.peer_ns] {
            run(self.ip().args(["netns", "add", ns]))?;
            self.ns_created.lock().unwrap().push(ns.clone());
            run(self.ip().args(["-n", ns, "link", "set", "lo", "up"]))?;
        }
        let p = &self.peer_ns;
        run(self.ip().args([
            "-n",
            p,
            "addr",
            "add",
            &format!("{SERVICES_ADDR}/32"),
            "dev",
            "lo",
        ]))?;
        run(self.ip().args([
            "-n",
            p,
            "addr",
            "add",
            &format!("{BEHIND_VPN_ADDR}/32"),
            "dev",
            "lo",
        ]))?;
        let mut links: Vec<(String, String, String)> = (1..=self.opts.ethernet)
            .map(|i| {
                (
                    format!("lab{i}"),
                    format!("peer{i}"),
                    format!("10.77.{i}.1"),
                )
            })
            .collect();
        if self.opts.wifi {
            links.push((WLAN_IF.into(), "wpeer0".into(), "10.77.50.1".into()));
        }
        for (inner, outer, addr) in &links {
            run(self.ip().args([
                "link",
                "add",
                inner,
                "netns",
                &self.lab_ns,
                "type",
                "veth",
                "peer",
                "name",
                outer,
                "netns",
                p,
            ]))?;
            run(self
                .ip()
                .args(["-n", p, "addr", "add", &format!("{addr}/24"), "dev", outer]))?;
            run(self.ip().args(["-n", p, "link", "set", outer, "up"]))?;
            // connmand's DHCP client checks UDP checksums on a raw socket, and
            // veth's checksum offload leaves them empty: without this every
            // offer is dropped and the service falls back to 169.254.x.
            run(self.in_peer("ethtool").args(["-K", outer, "tx", "off"]))?;
        }
        Ok(())
    }

    fn start_peer_services(&self) -> Result<(), LabError> {
        let mut dnsmasq = self.in_peer("dnsmasq");
        dnsmasq.args([
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--user=root",
            "--bind-interfaces",
            "--except-interface=lo",
            "--dhcp-authoritative",
            "--domain=lab.test",
            "--log-dhcp",
            // no ICMP check before an offer: it delays offers and a SIGTERM
            "--no-ping",
            "--log-facility=-",
        ]);
        dnsmasq
            .arg(format!("--address=/gw.lab.test/{SERVICES_ADDR}"))
            .arg(format!(
                "--dhcp-leasefile={}",
                self.dir.join("dnsmasq.leases").display()
            ))
            .arg(format!(
                "--pid-file={}",
                self.dir.join("dnsmasq.pid").display()
            ));
        let mut subnets: Vec<(String, u32)> = (1..=u32::from(self.opts.ethernet))
            .map(|i| (format!("peer{i}"), i))
            .collect();
        if self.opts.wifi {
            subnets.push(("wpeer0".into(), 50));
        }
        if subnets.is_empty() {
            return Ok(());
        }
        for (ifname, n) in &subnets {
            dnsmasq.arg(format!("--interface={ifname}")).arg(format!(
                "--dhcp-range=10.77.{n}.100,10.77.{n}.150,255.255.255.0,1h"
            ));
        }
        let mut p = Proc::spawn("dnsmasq", dnsmasq, &self.log_path("dnsmasq"))?;
        // logged once its sockets are open
        let ready = p.wait_line("started, version", READY_LIMIT);
        self.add_proc(p);
        ready?;
        let mut http = self.in_peer(&self_exe()?);
        http.arg("__online-server")
            .arg(format!("{SERVICES_ADDR}:8080"))
            .arg(self.dir.join("online-mode"));
        let mut p = Proc::spawn("online-http", http, &self.log_path("online-http"))?;
        let ready = p.wait_line(crate::helpers::LISTENING, READY_LIMIT);
        self.add_proc(p);
        ready
    }

    fn start_holder(&self) -> Result<(), LabError> {
        let mut holder = self.ip();
        holder
            .args(["netns", "exec", &self.lab_ns, "unshare", "-m", "-u"])
            .args(["--propagation", "private", "--"])
            .arg(self_exe()?)
            .arg("__holder")
            .arg(&self.dir);
        if self.opts.wifi {
            holder.arg(WLAN_IF);
        }
        let p = Proc::spawn("holder", holder, &self.log_path("holder"))?;
        self.holder_pid.store(p.pid(), Ordering::SeqCst);
        self.add_proc(p);
        let ready = self.dir.join("holder.ready");
        if !wait_until(Duration::from_secs(10), || ready.exists()) {
            return Err(LabError::new(format!(
                "the namespace holder did not get ready: {}",
                log_tail(&self.log_path("holder"), 2000)
            )));
        }
        Ok(())
    }

    fn start_bus(&self) -> Result<(), LabError> {
        let mut dbus = self.in_lab("dbus-daemon");
        dbus.arg(format!(
            "--config-file={}",
            self.dir.join("bus.conf").display()
        ))
        // the address is printed once the daemon listens on its socket (a
        // connect between its bind and its listen would be refused)
        .args(["--nofork", "--nopidfile", "--print-address"]);
        let mut p = Proc::spawn("dbus", dbus, &self.log_path("dbus"))?;
        let ready = p.wait_line("unix:path=", READY_LIMIT);
        self.add_proc(p);
        ready
    }

    fn start_vpn_servers(&self) -> Result<(), LabError> {
        let pki = self.dir.join("pki");
        let auth = format!("{} __ovpn-auth", self_exe()?);
        for (name, dev, port, net, user_pass) in [
            ("openvpn-cert", "tuns1", vpn::CERT_PORT, "10.88.1.0", false),
            (
                "openvpn-userpass",
                "tuns2",
                vpn::USERPASS_PORT,
                "10.88.2.0",
                true,
            ),
        ] {
            let mut c = self.in_peer("openvpn");
            c.args(["--dev", dev, "--dev-type", "tun", "--proto", "udp"])
                .args(["--local", SERVICES_ADDR, "--port", &port.to_string()])
                .args(["--server", net, "255.255.255.0", "--topology", "subnet"])
                .arg("--ca")
                .arg(pki.join("ca.crt"))
                .arg("--cert")
                .arg(pki.join("server.crt"))
                .arg("--key")
                .arg(pki.join("server.key"))
                .args(["--dh", "none", "--keepalive", "10", "60", "--verb", "3"])
                .args(["--data-ciphers", "AES-256-GCM:AES-128-GCM"])
                .args(["--push", "route 10.99.0.0 255.255.0.0"]);
            if user_pass {
                c.args(["--verify-client-cert", "none", "--username-as-common-name"])
                    .args(["--script-security", "2", "--auth-user-pass-verify"])
                    .arg(&auth)
                    .arg("via-file");
            }
            let mut p = Proc::spawn(name, c, &self.log_path(name))?;
            let ready = p.wait_line("Initialization Sequence Completed", READY_LIMIT);
            self.add_proc(p);
            ready?;
        }
        Ok(())
    }

    /// Starts ocserv in the peer namespace, in the foreground, with its files
    /// in `<lab>/ocserv`, and waits until its TLS port accepts.
    fn start_ocserv(&self) -> Result<(), LabError> {
        let dir = self.dir.join("ocserv");
        std::fs::create_dir(&dir)
            .map_err(|e| LabError::new(format!("cannot create {}: {e}", dir.display())))?;
        vpn::write_ocpasswd(&dir.join("ocpasswd"))?;
        vpn::write_ocserv_groups(&dir)?;
        let conf = dir.join("ocserv.conf");
        write_file(&conf, &vpn::ocserv_config(&dir, &self.dir.join("pki")))?;
        let mut c = self.in_peer("ocserv");
        c.args(["--foreground", "--debug", "2", "--config"])
            .arg(&conf);
        let p = Proc::spawn("ocserv", c, &self.log_path("ocserv"))?;
        self.add_proc(p);
        // ocserv says nothing once it listens: a connection it accepts does
        let addr = format!("{SERVICES_ADDR}:{}", vpn::OC_PORT);
        let mut probe = self.in_peer(&self_exe()?);
        probe
            .args(["__wait-tcp", &addr])
            .arg(READY_LIMIT.as_secs().to_string());
        let accepting = probe
            .status()
            .map_err(|e| LabError::new(format!("cannot run the port probe: {e}")))?
            .success();
        if !accepting {
            return Err(LabError::new(format!(
                "ocserv did not accept on {addr} within {READY_LIMIT:?}; its log:\n{}",
                log_tail(&self.log_path("ocserv"), 3000)
            )));
        }
        Ok(())
    }

    /// A Unix socket in the lab directory that reaches ocserv from the
    /// lab's network: for clients outside it (a test's own process).
    fn start_ocserv_forward(&self) -> Result<(), LabError> {
        let mut c = self.in_lab(&self_exe()?);
        c.arg("__forward")
            .arg(self.dir.join(vpn::OC_FORWARD_SOCKET))
            .arg(format!("{SERVICES_ADDR}:{}", vpn::OC_PORT));
        let mut p = Proc::spawn("oc-forward", c, &self.log_path("oc-forward"))?;
        let ready = p.wait_line(crate::helpers::FORWARDING, READY_LIMIT);
        self.add_proc(p);
        ready
    }

    /// Starts connmand or connman-vpnd in the lab and waits until it owns its
    /// bus name; if it dies first, the error carries its log.
    pub fn start_daemon(&self, daemon: Daemon) -> Result<(), LabError> {
        let mut procs = self.procs.lock().unwrap();
        if let Some(p) = procs.iter_mut().find(|p| p.name == daemon.name()) {
            if p.running() {
                return Ok(());
            }
        }
        procs.retain(|p| p.name != daemon.name());
        let mut cmd = self.in_lab(daemon.program());
        cmd.arg("-n");
        if daemon == Daemon::Connmand {
            cmd.arg("--nobacktrace");
        }
        if let Some(d) = daemon_debug(&self.opts, daemon) {
            cmd.arg(format!("--debug={d}"));
        }
        procs.push(Proc::spawn(
            daemon.name(),
            cmd,
            &self.log_path(daemon.name()),
        )?);
        drop(procs);
        self.wait_name(daemon.bus_name(), daemon.name())
    }

    /// Whether `name` has an owner on the lab's bus.
    fn name_owned(&self, name: &str) -> bool {
        let Some(conn) = self.conn.lock().unwrap().clone() else {
            return false;
        };
        zbus::block_on(async {
            let dbus = zbus::fdo::DBusProxy::new(&conn).await.ok()?;
            let name = zbus::names::BusName::try_from(name).ok()?;
            dbus.name_has_owner(name).await.ok()
        })
        .unwrap_or(false)
    }

    /// Stops the process the lab started as `proc_name` and waits (at most
    /// 5 s) until the bus has released its `name`, so that a restart is not
    /// mistaken for the old process.
    fn stop_owner(&self, proc_name: &str, name: &str) -> Result<(), LabError> {
        self.stop_proc(proc_name);
        if wait_until(Duration::from_secs(5), || !self.name_owned(name)) {
            Ok(())
        } else {
            Err(LabError::new(format!(
                "{name} is still owned after {proc_name} stopped"
            )))
        }
    }

    /// Waits until the process the lab started as `proc_name` owns `name`
    /// on the lab's bus; if it dies first, the error carries its log.
    fn wait_name(&self, name: &str, proc_name: &str) -> Result<(), LabError> {
        let conn = self.conn.lock().unwrap().clone();
        let conn = conn.ok_or_else(|| LabError::new("the lab bus is not connected"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let owned = zbus::block_on(async {
                let dbus = zbus::fdo::DBusProxy::new(&conn).await.ok()?;
                let name = zbus::names::BusName::try_from(name).ok()?;
                dbus.name_has_owner(name).await.ok()
            })
            .unwrap_or(false);
            if owned {
                return Ok(());
            }
            let alive = self.with_proc(proc_name, |p| p.running()).unwrap_or(false);
            if !alive || Instant::now() > deadline {
                let what = if alive {
                    "did not claim"
                } else {
                    "exited before claiming"
                };
                return Err(LabError::new(format!(
                    "{proc_name} {what} {name}; its log:\n{}",
                    log_tail(&self.log_path(proc_name), 3000)
                )));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn with_proc<T>(&self, name: &str, f: impl FnOnce(&mut Proc) -> T) -> Option<T> {
        self.procs
            .lock()
            .unwrap()
            .iter_mut()
            .find(|p| p.name == name)
            .map(f)
    }

    /// Stops a daemon (by its PID) and the helpers it started in the lab
    /// (openvpn clients of connman-vpnd).
    pub fn stop_daemon(&self, daemon: Daemon) {
        let taken = {
            let mut procs = self.procs.lock().unwrap();
            procs
                .iter()
                .position(|p| p.name == daemon.name())
                .map(|i| procs.remove(i))
        };
        if let Some(mut p) = taken {
            p.stop(STOP_GRACE);
        }
        if daemon == Daemon::ConnmanVpnd {
            // openvpn and openconnect clients that connman-vpnd started
            // live on in the lab
            for pid in self.ns_pids(&self.lab_ns) {
                if matches!(comm(pid).as_deref(), Some("openvpn" | "openconnect")) {
                    stop_pid(pid);
                }
            }
        }
    }

    pub fn restart_daemon(&self, daemon: Daemon) -> Result<(), LabError> {
        self.stop_daemon(daemon);
        self.start_daemon(daemon)
    }

    /// Pauses (`SIGSTOP`) or resumes (`SIGCONT`) a daemon the lab started,
    /// by its PID, as a daemon that hangs would look to its clients: it keeps
    /// its bus name and its socket, and answers nothing. Returns the PID.
    pub fn pause_daemon(&self, daemon: Daemon, pause: bool) -> Result<u32, LabError> {
        let sig = if pause {
            rustix::process::Signal::STOP
        } else {
            rustix::process::Signal::CONT
        };
        self.with_proc(daemon.name(), |p| {
            p.running().then(|| {
                signal_pid(p.pid(), sig);
                p.pid()
            })
        })
        .flatten()
        .ok_or_else(|| LabError::new(format!("{} is not running", daemon.name())))
    }

    pub fn daemon_running(&self, daemon: Daemon) -> bool {
        self.with_proc(daemon.name(), |p| p.running())
            .unwrap_or(false)
    }

    /// Stops connmand and connman-vpnd, empties their state directories and
    /// starts again those that ran.
    pub fn wipe_state(&self) -> Result<(), LabError> {
        let running: Vec<Daemon> = [Daemon::Connmand, Daemon::ConnmanVpnd]
            .into_iter()
            .filter(|d| self.daemon_running(*d))
            .collect();
        for d in [Daemon::Connmand, Daemon::ConnmanVpnd] {
            self.stop_daemon(d);
        }
        for dir in ["/var/lib/connman", "/var/lib/connman-vpn", "/run/connman"] {
            let path = self.lab_path(dir);
            if let Ok(entries) = std::fs::read_dir(&path) {
                for e in entries.flatten() {
                    let p = e.path();
                    let _ = if p.is_dir() {
                        std::fs::remove_dir_all(&p)
                    } else {
                        std::fs::remove_file(&p)
                    };
                }
            }
        }
        for d in running.into_iter().rev() {
            self.start_daemon(d)?;
        }
        Ok(())
    }

    /// Writes a provisioning file into the lab's private /var/lib/connman
    /// (`vpn == false`) or /var/lib/connman-vpn (`vpn == true`).
    pub fn provision(&self, vpn: bool, name: &str, contents: &str) -> Result<(), LabError> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            return Err(LabError::new(format!(
                "bad provisioning file name {name:?}: use letters, digits, - and _"
            )));
        }
        let dir = if vpn {
            "/var/lib/connman-vpn"
        } else {
            "/var/lib/connman"
        };
        let path = self.lab_path(&format!("{dir}/{name}.config"));
        write_file(&path, contents)
    }

    pub fn unprovision(&self, vpn: bool, name: &str) -> Result<(), LabError> {
        let dir = if vpn {
            "/var/lib/connman-vpn"
        } else {
            "/var/lib/connman"
        };
        let path = self.lab_path(&format!("{dir}/{name}.config"));
        std::fs::remove_file(&path)
            .map_err(|e| LabError::new(format!("cannot remove {name}.config: {e}")))
    }

    /// (Re)starts a real polkitd on the lab's bus that knows only the
    /// actions in `policy` (one `.policy` file) and decides by the rules in
    /// `rules` (JavaScript). Inside the lab's mount namespace, private
    /// directories are bind-mounted over polkit's action and rule
    /// directories; the host's stay untouched.
    pub fn start_polkit(&self, policy: &str, rules: &str) -> Result<(), LabError> {
        self.stop_owner(POLKITD, "org.freedesktop.PolicyKit1")?;
        let base = self.dir.join("polkit");
        let (actions, rules_dir, empty) =
            (base.join("actions"), base.join("rules"), base.join("empty"));
        let first = !base.exists();
        for d in [&base, &actions, &rules_dir, &empty] {
            match std::fs::create_dir(d) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(LabError::new(format!("mkdir {}: {e}", d.display()))),
            }
        }
        write_file(&actions.join("lab.policy"), policy)?;
        write_file(&rules_dir.join("50-lab.rules"), rules)?;
        if first {
            for (src, dst) in [
                (&actions, "/usr/share/polkit-1/actions"),
                (&rules_dir, "/etc/polkit-1/rules.d"),
                (&empty, "/usr/share/polkit-1/rules.d"),
            ] {
                run(self.in_lab("mount").arg("--bind").arg(src).arg(dst))?;
            }
        }
        let mut cmd = self.in_lab(POLKITD_PROGRAM);
        cmd.arg("--no-debug");
        self.add_proc(Proc::spawn(POLKITD, cmd, &self.log_path(POLKITD))?);
        self.wait_name("org.freedesktop.PolicyKit1", POLKITD)
    }

    /// Starts Connie's provisioning helper (`program`, with `args`) as root
    /// inside the lab's namespaces, so that its `/var/lib/connman` is the
    /// lab's, and waits until it owns its bus name. Only root and the lab's
    /// user (who started the lab with sudo) can call this.
    /// `bus_policy` is the helper's own bus configuration (who may own and
    /// call it), added to the lab's bus as a system would install it.
    pub fn start_helper(
        &self,
        program: &str,
        args: &[String],
        bus_policy: &str,
    ) -> Result<(), LabError> {
        self.stop_owner(HELPER, HELPER_BUS_NAME)?;
        write_file(&self.dir.join("bus.d").join("helper.conf"), bus_policy)?;
        let conn = self.conn.lock().unwrap().clone();
        let conn = conn.ok_or_else(|| LabError::new("the lab bus is not connected"))?;
        zbus::block_on(async {
            zbus::fdo::DBusProxy::new(&conn)
                .await?
                .reload_config()
                .await
        })
        .map_err(|e| LabError::new(format!("the lab bus did not reload its policy: {e}")))?;
        let mut cmd = self.in_lab(program);
        cmd.args(args);
        self.add_proc(Proc::spawn(HELPER, cmd, &self.log_path(HELPER))?);
        self.wait_name(HELPER_BUS_NAME, HELPER)
    }

    fn stop_proc(&self, name: &str) {
        let taken = {
            let mut procs = self.procs.lock().unwrap();
            procs
                .iter()
                .position(|p| p.name == name)
                .map(|i| procs.remove(i))
        };
        if let Some(mut p) = taken {
            p.stop(STOP_GRACE);
        }
    }

    /// A listing of a directory inside the lab's mount namespace: name,
    /// kind, mode, size and the contents' hash of each entry (to compare
    /// before and after).
    pub fn list_dir(&self, path: &str) -> Result<Vec<String>, LabError> {
        use std::hash::{Hash, Hasher};
        use std::os::unix::fs::MetadataExt;
        let dir = self.lab_path(path);
        let mut out = Vec::new();
        for e in std::fs::read_dir(&dir)
            .map_err(|e| LabError::new(format!("cannot list {path}: {e}")))?
            .flatten()
        {
            let m = std::fs::symlink_metadata(e.path())
                .map_err(|err| LabError::new(format!("{}: {err}", e.path().display())))?;
            let kind = if m.file_type().is_symlink() {
                format!(
                    "symlink->{}",
                    std::fs::read_link(e.path()).unwrap_or_default().display()
                )
            } else if m.is_dir() {
                "dir".to_owned()
            } else {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(e.path()).unwrap_or_default().hash(&mut h);
                format!("file:{:016x}", h.finish())
            };
            out.push(format!(
                "{} {kind} {:o} {} uid={}",
                e.file_name().to_string_lossy(),
                m.mode() & 0o7777,
                m.len(),
                m.uid()
            ));
        }
        out.sort();
        Ok(out)
    }

    /// Makes `path` (inside the lab's mount namespace, under the lab's
    /// /var/lib/connman) a symlink to `target`, as an attacker would.
    pub fn plant_symlink(&self, path: &str, target: &str) -> Result<(), LabError> {
        if !path.starts_with("/var/lib/connman/") || path.contains("..") {
            return Err(LabError::new(format!(
                "{path:?} is not in /var/lib/connman"
            )));
        }
        std::os::unix::fs::symlink(target, self.lab_path(path))
            .map_err(|e| LabError::new(format!("symlink {path}: {e}")))
    }

    pub fn set_online_mode(&self, mode: OnlineMode) -> Result<(), LabError> {
        write_file(&self.dir.join("online-mode"), mode.as_str())
    }

    /// Output of `ip <args>` run in the lab's network namespace (routes…).
    pub fn lab_ip(&self, args: &[&str]) -> Result<String, LabError> {
        run(self.ip().args(["-n", &self.lab_ns]).args(args))
    }

    /// Whether `addr` (an IP address) answers one ping from the lab's
    /// network, within 3 s.
    pub fn ping(&self, addr: &str) -> Result<bool, LabError> {
        let addr: std::net::IpAddr = addr
            .parse()
            .map_err(|_| LabError::new(format!("not an address: {addr}")))?;
        let status = self
            .in_lab("ping")
            .args(["-c", "1", "-W", "3", "-n", &addr.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| LabError::new(format!("cannot run ping: {e}")))?;
        Ok(status.success())
    }

    /// Pings the peer end of uplink `n` (1-based) from the lab namespace:
    /// `count` echo requests of `size` bytes, 0.2 s apart; ping's own
    /// deadline bounds it. Moves traffic through the service's link.
    pub fn ping_peer(&self, n: u8, count: u32, size: u32) -> Result<String, LabError> {
        let deadline = (count / 5 + 5).to_string();
        run(self
            .ip()
            .args(["netns", "exec", &self.lab_ns, "ping", "-q", "-n"])
            .args([
                "-c",
                &count.to_string(),
                "-s",
                &size.to_string(),
                "-i",
                "0.2",
                "-w",
                &deadline,
                &format!("10.77.{n}.1"),
            ]))
    }

    /// PIDs of the processes inside one of our network namespaces.
    fn ns_pids(&self, ns: &str) -> Vec<u32> {
        run_args(deps::ip_binary(), &["netns", "pids", ns])
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    pub fn log(&self, name: &str) -> String {
        log_tail(&self.log_path(name), 1 << 20)
    }

    /// Ends everything the lab started, removes its namespaces and files, and
    /// checks that the host is as it was before.
    pub fn teardown(&self) -> Result<(), LabError> {
        if let Some(conn) = self.conn.lock().unwrap().take() {
            *self.wifi.lock().unwrap() = None;
            drop(conn);
        }
        let order = [
            HELPER,
            POLKITD,
            "connmand",
            "connman-vpnd",
            "openvpn-cert",
            "openvpn-userpass",
            "oc-forward",
            "ocserv",
            "online-http",
            "dnsmasq",
            "dbus",
            "holder",
        ];
        let mut procs = std::mem::take(&mut *self.procs.lock().unwrap());
        procs.sort_by_key(|p| order.iter().position(|n| *n == p.name).unwrap_or(0));
        for p in &mut procs {
            if p.name == "holder" {
                // what our daemons started (openvpn) lives in our namespaces
                for ns in self.ns_created.lock().unwrap().iter() {
                    for pid in self.ns_pids(ns) {
                        if pid != p.pid() {
                            stop_pid(pid);
                        }
                    }
                }
            }
            let t = Instant::now();
            p.stop(STOP_GRACE);
            trace(&format!("stopped {} in {:?}", p.name, t.elapsed()));
        }
        let t = Instant::now();
        for ns in std::mem::take(&mut *self.ns_created.lock().unwrap()) {
            let _ = run(self.ip().args(["netns", "del", &ns]));
        }
        trace(&format!("deleted the namespaces in {:?}", t.elapsed()));
        crate::mountpoints::release(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
        let after = HostSnapshot::take();
        let diff = self.host_before.diff(&after);
        if diff.is_empty() {
            Ok(())
        } else {
            Err(LabError::new(format!(
                "the host changed while the lab ran:\n{}",
                diff.join("\n")
            )))
        }
    }
}

/// With `CONNMAN_LAB_TRACE=1`, says how long each step of the teardown took.
fn trace(what: &str) {
    if std::env::var_os("CONNMAN_LAB_TRACE").is_some() {
        eprintln!("connman-lab: {what}");
    }
}

fn daemon_debug(opts: &LabOptions, daemon: Daemon) -> Option<&str> {
    match daemon {
        Daemon::Connmand => opts.connmand_debug.as_deref(),
        Daemon::ConnmanVpnd => opts.vpnd_debug.as_deref(),
    }
}

fn comm(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim().to_owned())
}

/// Ends a PID found inside our namespaces (not our child: it is reaped by
/// its own parent or by init).
fn stop_pid(pid: u32) {
    signal_pid(pid, rustix::process::Signal::TERM);
    if !wait_until(STOP_GRACE, || {
        !crate::process::pid_alive(pid) || is_zombie(pid)
    }) {
        signal_pid(pid, rustix::process::Signal::KILL);
    }
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(true)
}

pub fn self_exe() -> Result<String, LabError> {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .map_err(|e| LabError::new(format!("cannot find connman-lab's own path: {e}")))
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique id and a fresh directory under /tmp (created, never reused: a
/// directory that already exists is not trusted).
fn make_lab_dir() -> Result<(String, PathBuf), LabError> {
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let id = format!("{PREFIX}{}x{n}", std::process::id());
        let dir = PathBuf::from(format!("/tmp/{id}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                use std::os::unix::fs::PermissionsExt;
                // the person's test (not root) reaches the bus socket and logs
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
                    .map_err(|e| LabError::new(format!("chmod {}: {e}", dir.display())))?;
                return Ok((id, dir));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(LabError::new(format!(
                    "cannot create {}: {e}",
                    dir.display()
                )))
            }
        }
    }
    Err(LabError::new("cannot find a free lab directory in /tmp"))
}

/// Removes what a crashed lab left behind: namespaces and directories whose
/// creating process is gone. Prints one line per lab cleaned.
pub fn cleanup_leftovers() -> Vec<String> {
    let mut cleaned = Vec::new();
    let ip = deps::ip_binary();
    let list = run_args(ip, &["netns", "list"]).unwrap_or_default();
    let mut ids: Vec<String> = Vec::new();
    for line in list.lines() {
        let ns = line.split_whitespace().next().unwrap_or("");
        if let Some(id) = ns.strip_suffix("-l").or_else(|| ns.strip_suffix("-p")) {
            if owner_pid(id).is_some_and(|p| !crate::process::pid_alive(p)) {
                for pid in run_args(ip, &["netns", "pids", ns])
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|p| p.parse().ok())
                {
                    stop_pid(pid);
                }
                let _ = run_args(ip, &["netns", "del", ns]);
                if !ids.iter().any(|i| i == id) {
                    ids.push(id.to_owned());
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir("/tmp") {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if owner_pid(&name).is_some_and(|p| !crate::process::pid_alive(p)) {
                crate::mountpoints::release(&e.path());
                let _ = std::fs::remove_dir_all(e.path());
                if !ids.contains(&name) {
                    ids.push(name);
                }
            }
        }
    }
    for id in ids {
        let line = format!("connman-lab: cleaned up {id}, left behind by a lab that crashed");
        eprintln!("{line}");
        cleaned.push(line);
    }
    cleaned
}

/// The private bus's configuration: the system bus's policy, connmand's own
/// rules from system.d, no service activation (so nothing on the host is ever
/// started), root may own and call anything, and `user` (the person running
/// the tests, when not root) may drive the lab's control interface and
/// monitor the bus (the benchmarks count Connie's calls).
fn bus_config(dir: &Path, user: Option<u32>, refuse_connman: bool) -> String {
    // after connman's own rules, so that it wins over their allow for root
    let refusal = if refuse_connman {
        "  <policy user=\"root\">\n    <deny send_destination=\"net.connman\" \
         send_type=\"method_call\"/>\n  </policy>\n"
    } else {
        ""
    };
    let user_policy = match user {
        Some(uid) if uid != 0 => format!(
            "  <policy user=\"{uid}\">\n    <allow send_destination=\"{}\"/>\n    \
             <allow send_destination=\"org.freedesktop.DBus\" \
             send_interface=\"org.freedesktop.DBus.Monitoring\"/>\n    \
             <allow send_destination=\"{HELPER_BUS_NAME}\"/>\n  </policy>\n",
            crate::control::BUS_NAME
        ),
        _ => String::new(),
    };
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path={sock}</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
{user_policy}  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>{bus_d}</includedir>
{refusal}</busconfig>
"#,
        sock = dir.join("bus.sock").display(),
        bus_d = dir.join("bus.d").display()
    )
}
