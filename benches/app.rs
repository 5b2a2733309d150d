//! Connie (release build) against the lab's real connmand, under Xvfb with a
//! session bus of its own on which a tray host (a StatusNotifierWatcher)
//! runs: the time from exec to the first frame that shows the services,
//! memory in the tray only, with the window open and after it is closed
//! again, CPU per `Strength` change during a storm, CPU and D-Bus calls
//! while idle, and D-Bus calls at start-up with few and many services. Each
//! figure is the median of several runs (`CONNIE_BENCH_RUNS`, 3), printed
//! with the spread and connman-gtk's figure from the same run (its window
//! with `--no-icon`, its tray icon alone with `--tray`), or the issue's
//! without connman-gtk.
//!
//! `CONNIE_BENCH_APS` chooses the lab sizes (`4,300`, the default; `300`
//! alone), `CONNIE_BENCH_IDLE_SECS` the idle measure's length (60), and
//! `CONNIE_BENCH_SMAPS=1` prints where the tray-only PSS is, by mapping.
//! The first-frame line also says how many service rows were built.
//!
//! Run by `make bench` (root or sudo for the lab). The machine is shared and
//! noisy: compare figures from one run only.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connman_lab::testing::{
    first_line, power_on, scan, services, string, PrivateBus, StatusWatcher,
};
use connman_lab::{ApSet, Lab, LabOptions};
use futures_lite::StreamExt;

#[path = "app/damage.rs"]
mod damage;
use damage::DamageWatch;

/// No drawing in its window for this long after a start: the window has
/// drawn what it shows first (long enough that a slow start's pause between
/// an empty window and its rows is not taken for the end).
const SETTLE_QUIET: Duration = Duration::from_millis(1500);
/// Connie's application id, its name on the session bus.
const CONNIE_NAME: &str = "io.github.connie.Connie";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn report(what: &str, unit: &str, v: Vec<f64>) {
    report_against(what, unit, v, None);
}

/// Also prints the median against an incumbent's figure (`(name, value)`).
fn report_against(what: &str, unit: &str, v: Vec<f64>, incumbent: Option<(&str, f64)>) {
    let (lo, hi) = (
        v.iter().cloned().fold(f64::INFINITY, f64::min),
        v.iter().cloned().fold(0.0, f64::max),
    );
    let m = median(v.clone());
    let against = match incumbent {
        Some((name, x)) if x > 0.0 => format!("  {name}: {x:.2} {unit}, ratio {:.2}", m / x),
        Some((name, x)) => format!("  {name}: {x:.2} {unit}"),
        None => String::new(),
    };
    println!(
        "{what:<58} median {m:>9.2} {unit}  (min {lo:.2}, max {hi:.2}, n={}){against}",
        v.len()
    );
}

/// Connie's figures against connman-gtk's from the same run, then
/// connman-gtk's own; without connman-gtk, against the figure the issue
/// gives for it (`issue`), said to be that.
fn report_vs_connman_gtk(what: &str, unit: &str, ours: Vec<f64>, theirs: Vec<f64>, issue: f64) {
    if theirs.is_empty() {
        let issue = (issue > 0.0).then_some(("connman-gtk per the issue", issue));
        report_against(what, unit, ours, issue);
        return;
    }
    report_against(
        what,
        unit,
        ours,
        Some(("connman-gtk, same run", median(theirs.clone()))),
    );
    report(&format!("  connman-gtk: {what}"), unit, theirs);
}

/// Activates one of the running Connie's application actions
/// (`org.gtk.Actions`) on the session bus, as the tray or a launcher does.
async fn activate_app_action(session: &zbus::Connection, action: &str) {
    let empty: Vec<zbus::zvariant::Value> = Vec::new();
    let platform: std::collections::HashMap<&str, zbus::zvariant::Value> =
        std::collections::HashMap::new();
    session
        .call_method(
            Some("io.github.connie.Connie"),
            "/io/github/connie/Connie",
            Some("org.gtk.Actions"),
            "Activate",
            &(action, empty, platform),
        )
        .await
        .unwrap_or_else(|e| panic!("app.{action}: {e}"));
}

/// Processes the bench starts, ended by PID.
struct Owned(Child);
impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Xvfb on a display of its own (it picks a free one and writes its number
/// once it accepts clients: `-displayfd`), and a session bus of the bench's
/// own.
fn start_x_and_session_bus() -> (Owned, PrivateBus, String) {
    let mut x = Owned(
        Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x900x24"])
            .args(["-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (make deps installs xvfb)"),
    );
    let out = x.0.stdout.take().expect("piped");
    let number = first_line(out, Duration::from_secs(10)).expect("Xvfb did not start");
    let bus = PrivateBus::start("bench");
    (x, bus, format!(":{number}"))
}

/// Waits (at most 10 s) until nobody owns `name` on `conn`'s bus: a Connie
/// that was ended has left, and the next one starts as the primary instance.
async fn released(conn: &zbus::Connection, name: &'static str) {
    let dbus = zbus::fdo::DBusProxy::new(conn).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while dbus
        .name_has_owner(name.try_into().unwrap())
        .await
        .unwrap_or(false)
    {
        assert!(Instant::now() < deadline, "{name} still owned after 10 s");
        sleep(Duration::from_millis(20)).await;
    }
}

/// What "after start-up" means for the figures taken then (memory, calls):
/// this long after the readiness events waited for first. A point of
/// measurement, not a wait for readiness.
const STEADY: Duration = Duration::from_secs(3);

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

/// (RSS, PSS, USS) in MB from smaps_rollup.
fn memory(pid: u32) -> (f64, f64, f64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let kb = |key: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (
        kb("Rss:") / 1024.0,
        kb("Pss:") / 1024.0,
        (kb("Private_Clean:") + kb("Private_Dirty:")) / 1024.0,
    )
}

/// With `CONNIE_BENCH_SMAPS=1`: where a process's PSS is, by mapping (the
/// heap, anonymous memory, each library), largest first.
fn print_pss_by_mapping(what: &str, pid: u32) {
    if std::env::var_os("CONNIE_BENCH_SMAPS").is_none() {
        return;
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut by: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or("");
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            current = fields
                .nth(4)
                .map(|p| p.rsplit('/').next().unwrap_or(p).to_owned())
                .unwrap_or_else(|| "[anon]".into());
        } else if first == "Pss:" {
            let kb: u64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            *by.entry(current.clone()).or_default() += kb;
        }
    }
    let mut by: Vec<(String, u64)> = by.into_iter().collect();
    by.sort_by_key(|e| std::cmp::Reverse(e.1));
    println!("PSS by mapping, {what}:");
    for (name, kb) in by.iter().take(12) {
        println!("  {kb:>8} kB  {name}");
    }
}

/// Counts the method calls a client makes on the lab bus: a monitor sees
/// every call; the senders the bench knows (connmand, the lab, itself) are
/// left out, so what remains is Connie's.
struct CallCounter {
    count: Arc<Mutex<u64>>,
    _task: zbus::Task<()>,
}

impl CallCounter {
    async fn start(lab: &Lab, exclude: HashSet<String>) -> CallCounter {
        let monitor = lab.connect().await.unwrap();
        let proxy = zbus::fdo::MonitoringProxy::new(&monitor).await.unwrap();
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::MethodCall)
            .build();
        proxy
            .become_monitor(&[rule], 0)
            .await
            .expect("BecomeMonitor (as root)");
        let count = Arc::new(Mutex::new(0u64));
        let c = count.clone();
        let mut stream = zbus::MessageStream::from(&monitor);
        let task = monitor.executor().spawn(
            async move {
                while let Some(Ok(msg)) = stream.next().await {
                    let h = msg.header();
                    let sender = h.sender().map(|s| s.to_string()).unwrap_or_default();
                    if h.message_type() == zbus::message::Type::MethodCall
                        && !exclude.contains(&sender)
                    {
                        *c.lock().unwrap() += 1;
                    }
                }
            },
            "bench-monitor",
        );
        CallCounter { count, _task: task }
    }
    fn peek(&self) -> u64 {
        *self.count.lock().unwrap()
    }
    fn take(&self) -> u64 {
        std::mem::take(&mut *self.count.lock().unwrap())
    }
}

async fn owner(conn: &zbus::Connection, name: &'static str) -> String {
    let dbus = zbus::fdo::DBusProxy::new(conn).await.unwrap();
    dbus.get_name_owner(name.try_into().unwrap())
        .await
        .map(|o| o.to_string())
        .unwrap_or_default()
}

async fn sleep(d: Duration) {
    async_io::Timer::after(d).await;
}

fn connie(args: &[&str], lab: &Lab, display: &str, session: &str) -> Owned {
    let bin = std::env::var("CONNIE_BIN").unwrap_or_else(|_| "target/release/connie".into());
    Owned(
        Command::new(&bin)
            .args(args)
            .env("DBUS_SYSTEM_BUS_ADDRESS", lab.bus_address())
            .env("DBUS_SESSION_BUS_ADDRESS", session)
            .env("DISPLAY", display)
            .env("GTK_A11Y", "none")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin}: {e} (build it with cargo build --release)")),
    )
}

/// Milliseconds from exec to the first painted frame that shows services
/// (the window says so on stderr under CONNIE_BENCH=1), and to the end of
/// the start-up's drawing as the X server saw it (the measure connman-gtk
/// gets too), and how many service rows the window had built by then (it
/// says, when it does).
fn first_frame(
    lab: &Lab,
    display: &str,
    session: &str,
    x: &DamageWatch,
) -> (f64, f64, Option<f64>) {
    use std::io::{BufRead, BufReader};
    let bin = std::env::var("CONNIE_BIN").unwrap_or_else(|_| "target/release/connie".into());
    let t0 = Instant::now();
    let mut child = Owned(
        Command::new(&bin)
            .env("DBUS_SYSTEM_BUS_ADDRESS", lab.bus_address())
            .env("DBUS_SESSION_BUS_ADDRESS", session)
            .env("DISPLAY", display)
            .env("GTK_A11Y", "none")
            .env("CONNIE_BENCH", "1")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin}: {e}")),
    );
    let err = child.0.stderr.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(err).lines().map_while(Result::ok);
        for line in lines.by_ref() {
            if line.contains("connie-bench: first frame with services") {
                // "... (N rows)"
                let rows = line
                    .rsplit_once('(')
                    .and_then(|(_, r)| r.split_whitespace().next()?.parse().ok());
                let _ = tx.send((t0.elapsed(), rows));
                break;
            }
        }
        // keep the pipe drained
        for _ in lines {}
    });
    let (elapsed, rows) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("no frame with services within 30 s");
    let settled = x
        .settled(child.0.id(), t0, SETTLE_QUIET, Duration::from_secs(30))
        .expect("Connie's window never showed or never stopped drawing");
    let pid = child.0.id();
    drop(child);
    assert!(
        x.gone(pid, Duration::from_secs(10)),
        "Connie's window stays"
    );
    (
        elapsed.as_secs_f64() * 1000.0,
        settled.duration_since(t0).as_secs_f64() * 1000.0,
        rows,
    )
}

/// connman-gtk (`--no-icon`: its window at once), if installed.
fn connman_gtk(lab: &Lab, display: &str, session: &str) -> Option<Owned> {
    connman_gtk_with(&["--no-icon"], lab, display, session)
}

/// connman-gtk with `args` (`--tray`: its icon only), if installed.
fn connman_gtk_with(args: &[&str], lab: &Lab, display: &str, session: &str) -> Option<Owned> {
    Command::new("connman-gtk")
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", lab.bus_address())
        .env("DBUS_SESSION_BUS_ADDRESS", session)
        .env("DISPLAY", display)
        .env("GTK_A11Y", "none")
        .env("NO_AT_BRIDGE", "1")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
        .map(Owned)
}

/// Milliseconds from exec to the end of connman-gtk's start-up drawing.
fn connman_gtk_first_frame(lab: &Lab, display: &str, session: &str, x: &DamageWatch) -> f64 {
    let t0 = Instant::now();
    let child = connman_gtk(lab, display, session).expect("connman-gtk");
    let settled = x
        .settled(child.0.id(), t0, SETTLE_QUIET, Duration::from_secs(30))
        .expect("connman-gtk's window never showed or never stopped drawing");
    let pid = child.0.id();
    drop(child);
    assert!(
        x.gone(pid, Duration::from_secs(10)),
        "connman-gtk's window stays"
    );
    settled.duration_since(t0).as_secs_f64() * 1000.0
}

/// 600 Strength changes over 30 s across the access points `names`; the
/// CPU time Connie (`pid`) spent, per change, in ms.
async fn storm(lab: &Lab, names: &[Vec<u8>], pid: u32) -> f64 {
    let tick = 100.0; // USER_HZ on Linux
    let t0 = cpu_ticks(pid);
    for i in 0..600u32 {
        let ssid = &names[i as usize % names.len()];
        let dbm = -40 - (i % 40) as i16;
        let _ = lab.set_signal(ssid, dbm).await;
        sleep(Duration::from_millis(50)).await;
    }
    (cpu_ticks(pid) - t0) as f64 / tick * 1000.0 / 600.0
}

async fn wifi_lab(aps: usize) -> Lab {
    let lab = Lab::start(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Generated(aps),
        online_check: false,
        ..Default::default()
    })
    .expect("the lab");
    let conn = lab.connect().await.unwrap();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while services(&conn).await.len() < aps + 1 {
        assert!(
            Instant::now() < deadline,
            "the lab's {aps} networks did not appear"
        );
        sleep(Duration::from_millis(100)).await;
    }
    lab
}

/// The lab sizes to measure: `CONNIE_BENCH_APS` (comma-separated, e.g.
/// `300`), else 4 and 300 access points.
fn access_point_counts() -> Vec<usize> {
    std::env::var("CONNIE_BENCH_APS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![4, 300])
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches --list` probes bench binaries
    }
    let runs: usize = std::env::var("CONNIE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let idle_secs: u64 = std::env::var("CONNIE_BENCH_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let (_x, session_bus, display) = start_x_and_session_bus();
    let damage = DamageWatch::start(&display);
    let have_connman_gtk = Command::new("connman-gtk")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have_connman_gtk {
        println!("connman-gtk is not installed: no side-by-side figures (make bench installs it)");
    }
    let session = session_bus.address().to_owned();
    // a tray host, as on most desktops: Connie then lives on in the tray
    // when its window is closed
    let watcher = StatusWatcher::start(&session);
    zbus::block_on(async {
        let session_conn = zbus::connection::Builder::address(session.as_str())
            .unwrap()
            .build()
            .await
            .expect("the bench's session bus");
        for aps in access_point_counts() {
            let lab = wifi_lab(aps).await;
            let conn = lab.connect().await.unwrap();
            let mut exclude: HashSet<String> = HashSet::new();
            exclude.insert(owner(&conn, "net.connman").await);
            exclude.insert(owner(&conn, "io.github.connie.Lab").await);
            exclude.insert(conn.unique_name().unwrap().to_string());
            exclude.insert(lab.connection().unique_name().unwrap().to_string());
            let counter = CallCounter::start(&lab, exclude).await;
            let names: Vec<Vec<u8>> = services(&conn)
                .await
                .iter()
                .filter_map(|(_, p)| string(p, "Name"))
                .filter(|n| n.starts_with("Lab-AP"))
                .map(|n| n.into_bytes())
                .collect();
            let n_services = services(&conn).await.len();
            // Connie and connman-gtk in turn, so that both see the same machine
            let (mut frames, mut settled, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
            let mut rows = Vec::new();
            for _ in 0..runs {
                let (frame, drawn, built) = first_frame(&lab, &display, &session, &damage);
                released(&session_conn, CONNIE_NAME).await;
                frames.push(frame);
                settled.push(drawn);
                rows.extend(built);
                if have_connman_gtk {
                    theirs.push(connman_gtk_first_frame(&lab, &display, &session, &damage));
                }
            }
            // connman-gtk's CPU per change, in the same storm
            // and its memory, window open and tray only (`--tray`: its
            // icon, an XEmbed status icon, with no window)
            let mut their_per_change = Vec::new();
            let (mut their_window_mem, mut their_tray_mem) = (Vec::new(), Vec::new());
            if have_connman_gtk {
                for _ in 0..runs {
                    let t = Instant::now();
                    let cg = connman_gtk(&lab, &display, &session).expect("connman-gtk");
                    let pid = cg.0.id();
                    damage
                        .settled(pid, t, SETTLE_QUIET, Duration::from_secs(30))
                        .expect("connman-gtk's window never showed or never stopped drawing");
                    sleep(STEADY).await;
                    their_window_mem.push(memory(pid).1);
                    their_per_change.push(storm(&lab, &names, pid).await);
                    drop(cg);
                    assert!(damage.gone(pid, Duration::from_secs(10)));

                    // tray only: started once it has asked connmand for its
                    // services (the calls it makes on the lab's bus)
                    counter.take();
                    let cg = connman_gtk_with(&["--tray"], &lab, &display, &session)
                        .expect("connman-gtk");
                    let deadline = Instant::now() + Duration::from_secs(10);
                    while counter.peek() < 3 {
                        assert!(
                            Instant::now() < deadline,
                            "connman-gtk --tray never called connmand"
                        );
                        sleep(Duration::from_millis(20)).await;
                    }
                    sleep(STEADY).await;
                    their_tray_mem.push(memory(cg.0.id()).1);
                    drop(cg);
                    counter.take();
                }
            }
            let (mut calls, mut hidden_mem, mut window_mem) = (Vec::new(), Vec::new(), Vec::new());
            let (mut closed_mem, mut closed_per_change) = (Vec::new(), Vec::new());
            let (mut per_change, mut idle_ticks, mut idle_calls) =
                (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..runs {
                counter.take();
                let hidden = connie(&["--hidden"], &lab, &display, &session);
                let pid = hidden.0.id();
                watcher.wait_item(Duration::from_secs(10));
                sleep(STEADY).await;
                calls.push(counter.take() as f64);
                hidden_mem.push(memory(pid));
                print_pss_by_mapping(&format!("tray only, {aps} access points"), pid);
                // a second launch opens the window in the same process
                let t = Instant::now();
                let _ = connie(&[], &lab, &display, &session).0.wait();
                damage
                    .settled(pid, t, SETTLE_QUIET, Duration::from_secs(30))
                    .expect("Connie's window never showed or never stopped drawing");
                sleep(STEADY).await;
                window_mem.push(memory(pid));
                // the storm: 600 Strength changes over 30 s across the APs
                per_change.push(storm(&lab, &names, pid).await);
                // its last paced updates drawn: the window is quiet again
                assert!(
                    damage.quiet(pid, SETTLE_QUIET, Duration::from_secs(30)),
                    "Connie's window never stopped drawing after the storm"
                );
                counter.take();
                let t0 = cpu_ticks(pid);
                sleep(Duration::from_secs(idle_secs)).await;
                idle_ticks.push((cpu_ticks(pid) - t0) as f64 * 60.0 / idle_secs as f64);
                idle_calls.push(counter.take() as f64 * 60.0 / idle_secs as f64);
                // closed again: Connie stays in the tray
                activate_app_action(&session_conn, "hide-window").await;
                assert!(
                    damage.gone(pid, Duration::from_secs(10)),
                    "the window closes"
                );
                sleep(STEADY).await;
                closed_mem.push(memory(pid));
                closed_per_change.push(storm(&lab, &names, pid).await);
                drop(hidden);
                released(&session_conn, CONNIE_NAME).await;
            }
            println!("--- {n_services} services ({aps} access points) ---");
            report("Exec to the first frame showing the services", "ms", frames);
            if !rows.is_empty() {
                report("Service rows built by the first frame", "rows", rows);
            }
            report_vs_connman_gtk(
                "Exec to the end of start-up drawing (X DAMAGE)",
                "ms",
                settled,
                theirs,
                110.0,
            );
            report("D-Bus calls at start-up", "calls", calls);
            // (RSS, PSS, USS) of each run
            let mem = |what: &str, runs: &[(f64, f64, f64)], pick: fn(&(f64, f64, f64)) -> f64| {
                report(what, "MB", runs.iter().map(pick).collect())
            };
            report_vs_connman_gtk(
                "PSS, tray only (Connie --hidden, connman-gtk --tray)",
                "MB",
                hidden_mem.iter().map(|m| m.1).collect(),
                their_tray_mem,
                0.0,
            );
            mem("RSS, tray only", &hidden_mem, |m| m.0);
            mem("USS, tray only", &hidden_mem, |m| m.2);
            report_vs_connman_gtk(
                "PSS, window open",
                "MB",
                window_mem.iter().map(|m| m.1).collect(),
                their_window_mem,
                0.0,
            );
            mem("RSS, window open", &window_mem, |m| m.0);
            mem("USS, window open", &window_mem, |m| m.2);
            mem("PSS, window closed again (in the tray)", &closed_mem, |m| {
                m.1
            });
            mem("RSS, window closed again", &closed_mem, |m| m.0);
            report_vs_connman_gtk(
                "CPU per Strength change (600 in 30 s, window open)",
                "ms",
                per_change,
                their_per_change,
                1.0,
            );
            report(
                "CPU per Strength change, window closed again",
                "ms",
                closed_per_change,
            );
            report_against(
                "CPU ticks in 60 s idle",
                "ticks",
                idle_ticks,
                Some(("goal", 0.0)),
            );
            report_against(
                "D-Bus calls in 60 s idle",
                "calls",
                idle_calls,
                Some(("goal", 0.0)),
            );
            drop(lab);
        }
    });
}
