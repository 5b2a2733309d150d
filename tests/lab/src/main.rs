//! `connman-lab`: start the ConnMan lab in the foreground, or drive a running
//! one. Run `connman-lab help` for the commands.

use std::io::Read;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Instant;

use connman_lab::control::Lab1ProxyBlocking;
use connman_lab::runner::{self, Runner};
use connman_lab::{helpers, LabError, LabOptions};

const USAGE: &str = "\
usage: connman-lab COMMAND

  up [--ethernet N] [--wifi] [--aps N] [--vpn] [--portal|--offline]
     [--no-online-check] [--input-timeout S] [--debug PATTERN]
     [--vpnd-debug PATTERN] [--no-connmand] [--user UID]
                       start a lab (as root) and keep it in the foreground;
                       Ctrl-C or SIGTERM tears it down
  ap list              the fake radio's access points
  ap add SSID [--hex] [--security open|wep|psk|eap] [--passphrase P]
         [--identity I] [--signal DBM] [--freq MHZ] [--hidden]
  ap remove SSID [--hex]
  ap signal SSID DBM [--hex]
  ap fail SSID on|off [--hex]   make association with that AP fail
  link drop            the connected access point vanishes
  station join|leave MAC   a device joins or leaves the hotspot
  daemon start|stop|restart connmand|connman-vpnd
  daemon pause|resume connmand|connman-vpnd   SIGSTOP / SIGCONT by its PID
  wipe                 stop the daemons, empty their state, start them again
  online online|portal|offline   how the online check is answered
  log NAME             a lab process's log (connmand, connman-vpnd, dnsmasq, …)
  route                the lab's routing table
  ping N [COUNT [SIZE]]  ping uplink N's peer from the lab (traffic through it)
  clean                remove what crashed labs left behind

The commands that drive a lab find it through CONNMAN_LAB_BUS (or
DBUS_SYSTEM_BUS_ADDRESS, as printed by `up`), or the only lab running.";

/// Prints a listing; a reader that stopped early (`connman-lab log … |
/// head`) ends it quietly, as with other command-line tools.
fn show(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn main() -> ExitCode {
    // The lab reads what its daemons print (dnsmasq's "started, version",
    // …): they speak English whatever language the caller runs in (the
    // German tests set LANGUAGE=de). Set while this is the only thread.
    std::env::remove_var("LANGUAGE");
    std::env::set_var("LC_ALL", "C.UTF-8");
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connman-lab: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), LabError> {
    let rest = args.get(1..).unwrap_or(&[]);
    match args.first().map(String::as_str) {
        Some("up") => up(rest),
        Some("__holder") => {
            let dir = rest.first().ok_or_else(|| LabError::new("no lab dir"))?;
            helpers::holder(dir.as_ref(), &rest[1..])
        }
        Some("__online-server") => match rest {
            [addr, mode] => helpers::online_server(addr, mode.as_ref()),
            _ => Err(LabError::new("usage: __online-server ADDR MODEFILE")),
        },
        Some("__forward") => match rest {
            [path, to] => helpers::forward(path.as_ref(), to),
            _ => Err(LabError::new("usage: __forward UNIX-PATH ADDR")),
        },
        Some("__wait-tcp") => match rest {
            [addr, secs] => helpers::wait_tcp(addr, secs),
            _ => Err(LabError::new("usage: __wait-tcp ADDR SECONDS")),
        },
        Some("__ovpn-auth") => {
            let ok = rest
                .first()
                .is_some_and(|f| connman_lab::vpn::check_user_pass_file(f.as_ref()));
            if ok {
                Ok(())
            } else {
                Err(LabError::new("VPN login refused"))
            }
        }
        Some("clean") => {
            if !rustix::process::geteuid().is_root() {
                return Err(LabError::new(
                    "clean must run as root (sudo connman-lab clean)",
                ));
            }
            if runner::cleanup_leftovers().is_empty() {
                println!("nothing to clean");
            }
            Ok(())
        }
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(cmd) => drive(cmd, rest),
    }
}

/// `connman-lab up`: start, print how to reach the lab, wait for Ctrl-C,
/// SIGTERM or (with --exit-on-stdin-eof) the parent going away, tear down.
fn up(args: &[String]) -> Result<(), LabError> {
    let stdin_eof = args.iter().any(|a| a == "--exit-on-stdin-eof");
    let args: Vec<String> = args
        .iter()
        .filter(|a| *a != "--exit-on-stdin-eof")
        .cloned()
        .collect();
    let mut opts = LabOptions::from_args(&args)?;
    if opts.user.is_none() {
        opts.user = std::env::var("SUDO_UID").ok().and_then(|u| u.parse().ok());
    }
    let (tx, rx) = mpsc::channel::<&'static str>();
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ])
    .map_err(|e| LabError::new(format!("signals: {e}")))?;
    let t = tx.clone();
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = t.send("signal");
        }
    });
    if stdin_eof {
        std::thread::spawn(move || {
            let mut sink = [0u8; 64];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            let _ = tx.send("stdin closed");
        });
    }
    let t0 = Instant::now();
    let lab = Runner::start(opts)?;
    let start_ms = t0.elapsed().as_millis();
    println!("DBUS_SYSTEM_BUS_ADDRESS={}", lab.bus_address);
    println!("CONNMAN_LAB_DIR={}", lab.dir.display());
    println!("CONNMAN_LAB_STARTUP_MS={start_ms}");
    println!("READY");
    if !stdin_eof {
        eprintln!(
            "connman-lab: lab {} up in {start_ms} ms. In another terminal:\n  \
             export DBUS_SYSTEM_BUS_ADDRESS={}\n  connmanctl services\n\
             Ctrl-C tears it down.",
            lab.id, lab.bus_address
        );
    }
    let why = rx.recv().unwrap_or("channel closed");
    let t1 = Instant::now();
    let result = lab.teardown();
    let stop_ms = t1.elapsed().as_millis();
    println!("CONNMAN_LAB_TEARDOWN_MS={stop_ms}");
    match result {
        Ok(()) => {
            println!("HOST OK");
            if !stdin_eof {
                eprintln!("connman-lab: torn down ({why}) in {stop_ms} ms; host unchanged");
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The bus of the lab to drive.
fn lab_bus() -> Result<String, LabError> {
    for var in ["CONNMAN_LAB_BUS", "DBUS_SYSTEM_BUS_ADDRESS"] {
        if let Ok(v) = std::env::var(var) {
            if v.contains(runner::PREFIX) {
                return Ok(v);
            }
        }
    }
    let mut found = Vec::new();
    for e in std::fs::read_dir("/tmp").into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let sock = e.path().join("bus.sock");
        if name.starts_with(runner::PREFIX) && sock.exists() {
            found.push(format!("unix:path={}", sock.display()));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(LabError::new(
            "no lab is running (start one with `make lab`)",
        )),
        _ => Err(LabError::new(
            "several labs are running: set CONNMAN_LAB_BUS to the one to drive",
        )),
    }
}

fn ssid_arg(args: &[String]) -> Result<Vec<u8>, LabError> {
    let s = args.first().ok_or_else(|| LabError::new("which SSID?"))?;
    if args.iter().any(|a| a == "--hex") {
        decode_hex(s).ok_or_else(|| LabError::new(format!("{s:?} is not hex")))
    } else {
        Ok(s.as_bytes().to_vec())
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn drive(cmd: &str, args: &[String]) -> Result<(), LabError> {
    let bus = lab_bus()?;
    let conn = zbus::blocking::connection::Builder::address(bus.as_str())?.build()?;
    let lab = Lab1ProxyBlocking::new(&conn)?;
    let sub = args.first().map(String::as_str).unwrap_or("");
    let rest = args.get(1..).unwrap_or(&[]);
    let say = |found: bool| {
        if found {
            Ok(())
        } else {
            Err(LabError::new("no such access point"))
        }
    };
    match (cmd, sub) {
        ("ap", "list") => {
            let lines: Vec<String> = lab
                .access_points()?
                .iter()
                .map(|l| format!("{l}\n"))
                .collect();
            show(&lines.concat());
            Ok(())
        }
        ("ap", "add") => {
            let ssid = ssid_arg(rest)?;
            let num = |name: &str, default: i64| -> Result<i64, LabError> {
                flag(rest, name).map_or(Ok(default), |v| {
                    v.parse()
                        .map_err(|_| LabError::new(format!("{name} needs a number")))
                })
            };
            lab.add_ap(
                &ssid,
                flag(rest, "--security").unwrap_or("psk"),
                flag(rest, "--passphrase").unwrap_or(""),
                flag(rest, "--identity").unwrap_or(""),
                num("--signal", -55)? as i16,
                num("--freq", 2412)? as u16,
                rest.iter().any(|a| a == "--hidden"),
            )?;
            Ok(())
        }
        ("ap", "remove") => say(lab.remove_ap(&ssid_arg(rest)?)?),
        ("ap", "signal") => {
            let dbm = rest
                .get(1)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| LabError::new("usage: ap signal SSID DBM"))?;
            say(lab.set_signal(&ssid_arg(rest)?, dbm)?)
        }
        ("ap", "fail") => {
            let on = match rest.get(1).map(String::as_str) {
                Some("on") => true,
                Some("off") => false,
                _ => return Err(LabError::new("usage: ap fail SSID on|off")),
            };
            say(lab.fail_association(&ssid_arg(rest)?, on)?)
        }
        ("station", action @ ("join" | "leave")) => {
            let mac = rest
                .first()
                .ok_or_else(|| LabError::new("usage: station join|leave MAC"))?;
            if lab.station(mac, action == "join")? {
                Ok(())
            } else {
                Err(LabError::new("no hotspot runs"))
            }
        }
        ("link", "drop") => Ok(lab.drop_link()?),
        ("daemon", action) => {
            let name = rest
                .first()
                .ok_or_else(|| LabError::new("which daemon? connmand or connman-vpnd"))?;
            match action {
                "start" => lab.start_daemon(name)?,
                "stop" => lab.stop_daemon(name)?,
                "restart" => lab.restart_daemon(name)?,
                "pause" => println!("paused PID {}", lab.pause_daemon(name, true)?),
                "resume" => println!("resumed PID {}", lab.pause_daemon(name, false)?),
                _ => {
                    return Err(LabError::new(
                        "usage: daemon start|stop|restart|pause|resume NAME",
                    ))
                }
            }
            Ok(())
        }
        ("wipe", _) => Ok(lab.wipe_state()?),
        ("online", mode) => Ok(lab.set_online_mode(mode)?),
        ("log", name) => {
            show(&lab.log(name)?);
            Ok(())
        }
        ("route", _) => {
            show(&lab.lab_ip(&["route"])?);
            Ok(())
        }
        ("ping", n) => {
            let n: u8 = n.parse().unwrap_or(1);
            let count = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(10);
            let size = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1400);
            show(&lab.ping_peer(n, count, size)?);
            Ok(())
        }
        _ => Err(LabError::new(format!(
            "unknown command {cmd} {sub} (see connman-lab help)"
        ))),
    }
}
