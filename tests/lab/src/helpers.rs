//! Small programs the lab runs inside its namespaces, as hidden subcommands
//! of `connman-lab` itself: the namespace holder, the online-check server and
//! openvpn's password check.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::runner::PRIVATE_DIRS;
use crate::LabError;

fn mount(args: &[&str]) -> Result<(), LabError> {
    crate::process::run(Command::new("mount").args(args)).map(|_| ())
}

/// Runs inside the lab's network namespace, in a new mount and UTS namespace
/// (made by `unshare -m -u --propagation private`): hides every host path
/// connmand and connman-vpnd write, then waits to be ended. Every lab daemon
/// is entered into these namespaces with nsenter.
pub fn holder(dir: &Path, wlan: &[String]) -> Result<(), LabError> {
    // ends with the lab process, even when that one is killed
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
        .map_err(|e| LabError::new(format!("prctl: {e}")))?;
    rustix::system::sethostname(b"connman-lab")
        .map_err(|e| LabError::new(format!("sethostname: {e}")))?;
    // creating missing mount points and mounting over them happen under the
    // labs' lock, so that a lab ending meanwhile never removes them
    crate::mountpoints::locked(|| -> Result<(), LabError> {
        for d in PRIVATE_DIRS.iter().chain(&["/etc/connman"]) {
            let d = Path::new(d);
            if !d.exists() {
                std::fs::create_dir_all(d)
                    .map_err(|e| LabError::new(format!("mkdir {}: {e}", d.display())))?;
                crate::mountpoints::record(dir, d)
                    .map_err(|e| LabError::new(format!("cannot record {}: {e}", d.display())))?;
            }
        }
        for d in PRIVATE_DIRS {
            mount(&["-t", "tmpfs", "-o", "mode=0755", "tmpfs", d])?;
        }
        Ok(())
    })?;
    let etc = dir.join("etc-connman").display().to_string();
    mount(&["--bind", &etc, "/etc/connman"])?;
    let resolv = dir.join("resolv.conf").display().to_string();
    mount(&["--bind", &resolv, "/etc/resolv.conf"])?;
    // connman-vpnd starts openvpn with a scrubbed environment, and its --up
    // script uses the default system bus path
    std::os::unix::fs::symlink(dir.join("bus.sock"), "/run/dbus/system_bus_socket")
        .map_err(|e| LabError::new(format!("bus symlink: {e}")))?;
    // connmand takes a netdev for wifi when its uevent says DEVTYPE=wlan
    for ifname in wlan {
        let uevent = PathBuf::from(format!("/sys/class/net/{ifname}/uevent"));
        let mut text = std::fs::read_to_string(&uevent)
            .map_err(|e| LabError::new(format!("{}: {e}", uevent.display())))?;
        text.push_str("DEVTYPE=wlan\n");
        let copy = dir.join(format!("uevent.{ifname}"));
        crate::process::write_file(&copy, &text)?;
        mount(&[
            "--bind",
            &copy.display().to_string(),
            &uevent.display().to_string(),
        ])?;
    }
    crate::process::write_file(&dir.join("holder.ready"), "ready\n")?;
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Run inside the peer namespace: waits until a TCP connection to `addr` is
/// accepted, for at most `secs` seconds (a server that prints nothing when
/// it listens, like ocserv, is ready when it accepts).
pub fn wait_tcp(addr: &str, secs: &str) -> Result<(), LabError> {
    let addr: std::net::SocketAddr = addr
        .parse()
        .map_err(|_| LabError::new(format!("not an address: {addr}")))?;
    let secs: u64 = secs
        .parse()
        .map_err(|_| LabError::new(format!("not a number of seconds: {secs}")))?;
    let ok = crate::process::wait_until(Duration::from_secs(secs), || {
        TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(LabError::new(format!("nothing accepted on {addr}")))
    }
}

/// What the forwarder prints once it listens.
pub const FORWARDING: &str = "forwarding";

/// Run inside the lab's network namespace: forwards every connection to the
/// Unix socket `path` to the TCP address `to`, as dialed from the lab's
/// network (clients outside the lab, the tests' own process, reach the
/// lab's servers the way connman-vpnd does).
pub fn forward(path: &Path, to: &str) -> Result<(), LabError> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixListener;
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
        .map_err(|e| LabError::new(format!("prctl: {e}")))?;
    let to: std::net::SocketAddr = to
        .parse()
        .map_err(|_| LabError::new(format!("not an address: {to}")))?;
    let listener = UnixListener::bind(path)
        .map_err(|e| LabError::new(format!("cannot listen on {}: {e}", path.display())))?;
    // the person's tests (not root) dial it too
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))
        .map_err(|e| LabError::new(format!("chmod {}: {e}", path.display())))?;
    println!("{FORWARDING} {} to {to}", path.display());
    let _ = std::io::stdout().flush();
    for client in listener.incoming() {
        let Ok(client) = client else { continue };
        std::thread::spawn(move || {
            let Ok(server) = TcpStream::connect_timeout(&to, Duration::from_secs(5)) else {
                return;
            };
            let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            let up = std::thread::spawn(move || {
                let _ = std::io::copy(&mut c2, &mut s2);
                let _ = s2.shutdown(std::net::Shutdown::Write);
            });
            let (mut client, mut server) = (client, server);
            let _ = std::io::copy(&mut server, &mut client);
            let _ = client.shutdown(std::net::Shutdown::Write);
            let _ = up.join();
        });
    }
    Ok(())
}

/// What the online-check server prints once it listens.
pub const LISTENING: &str = "online-check server listening";

/// Answers connmand's online check. The mode is read from `mode_file` on
/// every request so that it can be switched while the lab runs:
/// `online`: 200, empty body, `X-ConnMan-Status: online` (Debian's 1.41
/// never finishes the check when the answer has a body); `portal`: 200
/// without the header, so connmand thinks it is behind a captive portal and
/// calls the agent's RequestBrowser; `offline`: 404.
pub fn online_server(addr: &str, mode_file: &Path) -> Result<(), LabError> {
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
        .map_err(|e| LabError::new(format!("prctl: {e}")))?;
    let listener =
        TcpListener::bind(addr).map_err(|e| LabError::new(format!("bind {addr}: {e}")))?;
    // the lab waits for this line
    eprintln!("{LISTENING} on {addr}");
    for stream in listener.incoming().flatten() {
        let mode_file = mode_file.to_owned();
        std::thread::spawn(move || answer(stream, &mode_file));
    }
    Ok(())
}

fn answer(mut stream: TcpStream, mode_file: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request = String::new();
    let _ = reader.read_line(&mut request);
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let mode = std::fs::read_to_string(mode_file).unwrap_or_default();
    let mode = mode.trim();
    let reply = match mode {
        "offline" => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "portal" => {
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
        _ => {
            "HTTP/1.1 200 OK\r\nX-ConnMan-Status: online\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
    };
    eprintln!("{} [{mode}] {}", peer(&stream), request.trim());
    let _ = stream.write_all(reply.as_bytes());
}

fn peer(s: &TcpStream) -> String {
    s.peer_addr().map(|a| a.to_string()).unwrap_or_default()
}
