//! [`Lab`]: a running lab, as a test (or the demo) holds it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::control::Lab1Proxy;
use crate::vpn::{self, VpnKind};
use crate::{AccessPoint, Daemon, LabError, LabOptions, OnlineMode};

/// Set to `1` to skip the tests that need a lab (they then say so loudly);
/// without it a lab that cannot start fails the test.
pub const SKIP_ENV: &str = "CONNMAN_LAB_SKIP";

const START_LIMIT: Duration = Duration::from_secs(90);
const STOP_LIMIT: Duration = Duration::from_secs(60);

/// A running lab. Dropping it tears the lab down (also on panic, when it
/// first prints the daemons' logs).
pub struct Lab {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    stderr_tail: Arc<Mutex<Vec<String>>>,
    bus_address: String,
    dir: PathBuf,
    startup: Duration,
    conn: zbus::Connection,
    control: Lab1Proxy<'static>,
    stopped: bool,
}

/// Where the `connman-lab` binary is: `$CONNMAN_LAB_BIN`, or next to the
/// running test's directory (`target/debug/connman-lab` for
/// `target/debug/deps/test-…`).
fn lab_binary() -> Result<PathBuf, LabError> {
    if let Some(p) = std::env::var_os("CONNMAN_LAB_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| LabError::new(e.to_string()))?;
    // target/debug/deps/test-… → target/debug/connman-lab
    for dir in exe.ancestors().skip(1).take(2) {
        let candidate = dir.join("connman-lab");
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    Err(LabError::new(
        "cannot find the connman-lab binary: build it with `cargo build -p connman-lab` or set CONNMAN_LAB_BIN",
    ))
}

impl Lab {
    /// Starts a lab. Not being root is fine when `sudo -n` works (run
    /// `sudo -v` first); the lab's bus then lets this user in.
    pub fn start(mut opts: LabOptions) -> Result<Lab, LabError> {
        let bin = lab_binary()?;
        let root = rustix::process::geteuid().is_root();
        let mut cmd = if root {
            Command::new(&bin)
        } else {
            opts.user = Some(rustix::process::getuid().as_raw());
            let mut c = Command::new("sudo");
            c.arg("-n").arg("--").arg(&bin);
            c
        };
        cmd.args(opts.to_args())
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let t0 = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| LabError::new(format!("cannot start {}: {e}", bin.display())))?;
        let stdin = child.stdin.take();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let tail = stderr_tail.clone();
        let mut err = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            let mut buf = String::new();
            let _ = err.read_to_string(&mut buf).map(|_| ());
            for line in buf.lines() {
                eprintln!("connman-lab: {line}");
                tail.lock().unwrap().push(line.to_owned());
            }
        });
        let mut vars = HashMap::new();
        let deadline = t0 + START_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line == "READY" => break,
                Ok(line) => {
                    if let Some((k, v)) = line.split_once('=') {
                        vars.insert(k.to_owned(), v.to_owned());
                    }
                }
                Err(e) => {
                    drop(stdin);
                    let status = wait_bounded(&mut child, Duration::from_secs(30));
                    let said = stderr_tail.lock().unwrap().join("\n");
                    let why = if said.is_empty() {
                        match e {
                            mpsc::RecvTimeoutError::Timeout => {
                                format!("no answer in {}s", START_LIMIT.as_secs())
                            }
                            mpsc::RecvTimeoutError::Disconnected => format!("it exited ({status})"),
                        }
                    } else {
                        said
                    };
                    let hint = if !root && why.contains("password") {
                        " (the lab needs root: run `sudo -v` first, as `make check` does)"
                    } else {
                        ""
                    };
                    return Err(LabError::new(format!("the lab did not start: {why}{hint}")));
                }
            }
        }
        let bus_address = vars
            .remove("DBUS_SYSTEM_BUS_ADDRESS")
            .ok_or_else(|| LabError::new("the lab did not say its bus address"))?;
        let dir = PathBuf::from(vars.remove("CONNMAN_LAB_DIR").unwrap_or_default());
        let conn = zbus::block_on(async {
            zbus::connection::Builder::address(bus_address.as_str())?
                .build()
                .await
        })?;
        let control = zbus::block_on(Lab1Proxy::new(&conn))?;
        Ok(Lab {
            child,
            stdin,
            lines,
            stderr_tail,
            bus_address,
            dir,
            startup: t0.elapsed(),
            conn,
            control,
            stopped: false,
        })
    }

    /// For tests: starts a lab, or returns `None` (after saying so) when
    /// `CONNMAN_LAB_SKIP=1` asks to skip lab tests. A lab that cannot start
    /// panics with the reason.
    pub fn for_test(opts: LabOptions) -> Option<Lab> {
        if std::env::var(SKIP_ENV).is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED: {SKIP_ENV}=1 skips the tests that need the ConnMan lab");
            return None;
        }
        match Lab::start(opts) {
            Ok(lab) => Some(lab),
            Err(e) => panic!("{e}"),
        }
    }

    /// `unix:path=…` of the lab's private system bus.
    pub fn bus_address(&self) -> &str {
        &self.bus_address
    }

    /// The lab's directory (logs, PKI).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How long the lab took to start, as this handle saw it.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The control connection (a client of the lab's bus, in this process).
    pub fn connection(&self) -> &zbus::Connection {
        &self.conn
    }

    /// A new connection to the lab's bus.
    pub async fn connect(&self) -> Result<zbus::Connection, LabError> {
        Ok(
            zbus::connection::Builder::address(self.bus_address.as_str())?
                .build()
                .await?,
        )
    }

    pub fn control(&self) -> &Lab1Proxy<'static> {
        &self.control
    }

    pub async fn add_ap(&self, ap: &AccessPoint) -> Result<(), LabError> {
        Ok(self
            .control
            .add_ap(
                &ap.ssid,
                ap.security.as_str(),
                ap.passphrase.as_deref().unwrap_or(""),
                ap.identity.as_deref().unwrap_or(""),
                ap.signal,
                ap.frequency,
                ap.hidden,
            )
            .await?)
    }

    pub async fn remove_ap(&self, ssid: &[u8]) -> Result<bool, LabError> {
        Ok(self.control.remove_ap(ssid).await?)
    }

    pub async fn set_signal(&self, ssid: &[u8], dbm: i16) -> Result<bool, LabError> {
        Ok(self.control.set_signal(ssid, dbm).await?)
    }

    pub async fn drop_link(&self) -> Result<(), LabError> {
        Ok(self.control.drop_link().await?)
    }

    pub async fn fail_association(&self, ssid: &[u8], fail: bool) -> Result<bool, LabError> {
        Ok(self.control.fail_association(ssid, fail).await?)
    }

    /// A device joins (`joined`) or leaves the hotspot; false when none runs.
    pub async fn station(&self, mac: &str, joined: bool) -> Result<bool, LabError> {
        Ok(self.control.station(mac, joined).await?)
    }

    pub async fn start_daemon(&self, d: Daemon) -> Result<(), LabError> {
        Ok(self.control.start_daemon(d.name()).await?)
    }

    pub async fn stop_daemon(&self, d: Daemon) -> Result<(), LabError> {
        Ok(self.control.stop_daemon(d.name()).await?)
    }

    pub async fn restart_daemon(&self, d: Daemon) -> Result<(), LabError> {
        Ok(self.control.restart_daemon(d.name()).await?)
    }

    /// Pauses the daemon with `SIGSTOP` (a hung daemon: it keeps its bus
    /// name and answers nothing) and returns its PID.
    pub async fn pause_daemon(&self, d: Daemon) -> Result<u32, LabError> {
        Ok(self.control.pause_daemon(d.name(), true).await?)
    }

    /// Resumes a paused daemon with `SIGCONT`; returns its PID.
    pub async fn resume_daemon(&self, d: Daemon) -> Result<u32, LabError> {
        Ok(self.control.pause_daemon(d.name(), false).await?)
    }

    /// Stops the daemons, empties their state and starts them again.
    pub async fn wipe_state(&self) -> Result<(), LabError> {
        Ok(self.control.wipe_state().await?)
    }

    pub async fn set_online_mode(&self, mode: OnlineMode) -> Result<(), LabError> {
        Ok(self.control.set_online_mode(mode.as_str()).await?)
    }

    /// A lab process's log (connmand, connman-vpnd, dnsmasq, …).
    pub async fn log(&self, name: &str) -> Result<String, LabError> {
        Ok(self.control.log(name).await?)
    }

    /// `ip ARGS` read in the lab's network namespace (e.g. `["route"]`).
    pub async fn lab_ip(&self, args: &[&str]) -> Result<String, LabError> {
        Ok(self.control.lab_ip(args).await?)
    }

    /// Whether `addr` answers a ping from the lab's network (3 s at most).
    pub async fn ping(&self, addr: &str) -> Result<bool, LabError> {
        Ok(self.control.ping(addr).await?)
    }

    /// Pings the peer end of uplink `n` (1-based) from the lab namespace,
    /// `count` times with `size` bytes: traffic through that link.
    pub async fn ping_peer(&self, n: u8, count: u32, size: u32) -> Result<String, LabError> {
        Ok(self.control.ping_peer(n, count, size).await?)
    }

    /// Writes `/var/lib/connman/NAME.config` in the lab.
    pub async fn provision_service(&self, name: &str, contents: &str) -> Result<(), LabError> {
        Ok(self.control.provision(false, name, contents).await?)
    }

    /// Writes `/var/lib/connman-vpn/NAME.config` in the lab.
    pub async fn provision_vpn(&self, name: &str, contents: &str) -> Result<(), LabError> {
        Ok(self.control.provision(true, name, contents).await?)
    }

    /// Provisions the lab's 802.1X network (LabEnterprise) so that connmand
    /// asks the agent for identity and passphrase.
    pub async fn provision_enterprise(&self) -> Result<(), LabError> {
        self.provision_service(
            "labenterprise",
            &vpn::eap_config_file("LabEnterprise", None, None),
        )
        .await
    }

    /// Removes `/var/lib/connman/NAME.config` in the lab.
    pub async fn unprovision_service(&self, name: &str) -> Result<(), LabError> {
        Ok(self.control.unprovision(false, name).await?)
    }

    /// What the fake wpa_supplicant did (AddNetwork's arguments, secrets
    /// hidden; state changes).
    pub async fn wifi_log(&self) -> Result<Vec<String>, LabError> {
        Ok(self.control.wifi_log().await?)
    }

    /// (Re)starts a real polkitd on the lab's bus with the action file
    /// `policy` and the JavaScript rules `rules` (nothing else: the host's
    /// actions and rules are hidden from it).
    pub async fn start_polkit(&self, policy: &str, rules: &str) -> Result<(), LabError> {
        Ok(self.control.start_polkit(policy, rules).await?)
    }

    /// (Re)starts Connie's provisioning helper as root inside the lab's
    /// namespaces, with its bus policy (`bus_policy`, a bus configuration
    /// file's text) added to the lab's bus, and waits until it owns its name.
    pub async fn start_helper(
        &self,
        program: &Path,
        args: &[&str],
        bus_policy: &str,
    ) -> Result<(), LabError> {
        let program = program.display().to_string();
        Ok(self
            .control
            .start_helper(&program, args, bus_policy)
            .await?)
    }

    /// The entries of a directory inside the lab (`name kind mode size
    /// uid`, sorted), to compare before and after.
    pub async fn list_dir(&self, path: &str) -> Result<Vec<String>, LabError> {
        Ok(self.control.list_dir(path).await?)
    }

    /// Makes `path` (in the lab's /var/lib/connman) a symlink to `target`.
    pub async fn plant_symlink(&self, path: &str, target: &str) -> Result<(), LabError> {
        Ok(self.control.plant_symlink(path, target).await?)
    }

    /// The dict for `net.connman.vpn.Manager.Create` that reaches one of
    /// the lab's OpenVPN servers.
    pub fn vpn_settings(&self, kind: VpnKind, name: &str) -> HashMap<String, String> {
        vpn::vpn_settings(kind, name, &self.dir.join("pki"))
    }

    /// The dict for `net.connman.vpn.Manager.Create` that reaches the lab's
    /// ocserv with username and password; with `lab_ca` the VPN trusts the
    /// lab's CA (which signed ocserv's certificate), without it the
    /// system's (which does not know it).
    pub fn oc_settings(&self, name: &str, lab_ca: bool) -> HashMap<String, String> {
        let ca = self.dir.join("pki").join("ca.crt");
        vpn::oc_settings(name, lab_ca.then_some(ca.as_path()))
    }

    /// A Unix socket that reaches ocserv as dialed from the lab's network
    /// (the test's own process is not in it).
    pub fn ocserv_socket(&self) -> PathBuf {
        self.dir.join(vpn::OC_FORWARD_SOCKET)
    }

    /// Provisions a VPN as a connman-vpnd `.config` file (picked up live).
    pub async fn provision_vpn_kind(
        &self,
        kind: VpnKind,
        id: &str,
        name: &str,
    ) -> Result<(), LabError> {
        let text = vpn::vpn_config_file(kind, id, name, &self.dir.join("pki"));
        self.provision_vpn(id, &text).await
    }

    /// Prints the daemons' logs to stderr (done on drop when panicking).
    pub fn print_logs(&self) {
        for name in [
            "connmand",
            "connman-vpnd",
            "dnsmasq",
            "ocserv",
            "polkitd",
            "connie-provision",
        ] {
            if let Ok(text) = zbus::block_on(self.control.log(name)) {
                let tail = tail(&text, 12_000);
                if !tail.is_empty() {
                    eprintln!("===== lab log: {name} (last lines) =====\n{tail}");
                }
            }
        }
        if let Ok(lines) = zbus::block_on(self.control.wifi_log()) {
            let start = lines.len().saturating_sub(80);
            eprintln!(
                "===== lab log: fake wpa_supplicant =====\n{}",
                lines[start..].join("\n")
            );
        }
    }

    /// Tears the lab down and returns how long that took; an error if the
    /// runner failed or found the host changed.
    pub fn stop(mut self) -> Result<Duration, LabError> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<Duration, LabError> {
        self.stopped = true;
        let t0 = Instant::now();
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"");
        }
        let status = wait_bounded(&mut self.child, STOP_LIMIT);
        let elapsed = t0.elapsed();
        let mut host_ok = false;
        while let Ok(line) = self.lines.try_recv() {
            host_ok |= line == "HOST OK";
        }
        if status.success() && host_ok {
            Ok(elapsed)
        } else {
            Err(LabError::new(format!(
                "the lab did not stop cleanly ({status}): {}",
                self.stderr_tail.lock().unwrap().join("\n")
            )))
        }
    }
}

fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

fn wait_bounded(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return child
                .wait()
                .unwrap_or_else(|_| std::os::unix::process::ExitStatusExt::from_raw(9));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.stopped {
            return;
        }
        if std::thread::panicking() {
            self.print_logs();
        }
        if let Err(e) = self.stop_inner() {
            eprintln!("connman-lab: {e}");
        }
    }
}
