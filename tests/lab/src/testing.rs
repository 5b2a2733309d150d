//! Helpers for tests against a lab's real connmand: bounded waits and plain
//! zbus calls (no Connie code), shared by the lab's own tests and Connie's.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

pub type Props = HashMap<String, OwnedValue>;

/// Awaits `fut` for at most `secs` seconds; panics naming `what` otherwise.
pub async fn within<T>(secs: u64, what: &str, fut: impl Future<Output = T>) -> T {
    futures_lite::future::or(async { Some(fut.await) }, async {
        async_io::Timer::after(Duration::from_secs(secs)).await;
        None
    })
    .await
    .unwrap_or_else(|| panic!("timed out after {secs} s: {what}"))
}

/// Sleeps without blocking the executor.
pub async fn sleep(ms: u64) {
    async_io::Timer::after(Duration::from_millis(ms)).await;
}

/// Polls `f` every 50 ms until it gives `Some`, for at most `secs` seconds.
pub async fn until<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s: {what}"
        );
        sleep(50).await;
    }
}

pub async fn proxy<'a>(
    conn: &zbus::Connection,
    dest: &'static str,
    path: &str,
    iface: &'static str,
) -> zbus::Proxy<'a> {
    zbus::Proxy::new(conn, dest, path.to_owned(), iface)
        .await
        .expect("proxy")
}

pub async fn manager(conn: &zbus::Connection) -> zbus::Proxy<'static> {
    proxy(conn, "net.connman", "/", "net.connman.Manager").await
}

pub async fn services(conn: &zbus::Connection) -> Vec<(OwnedObjectPath, Props)> {
    manager(conn)
        .await
        .call("GetServices", &())
        .await
        .unwrap_or_default()
}

pub async fn technologies(conn: &zbus::Connection) -> Vec<(OwnedObjectPath, Props)> {
    manager(conn)
        .await
        .call("GetTechnologies", &())
        .await
        .unwrap_or_default()
}

pub fn string(props: &Props, key: &str) -> Option<String> {
    props
        .get(key)
        .and_then(|v| String::try_from(v.clone()).ok())
}

pub fn strings(props: &Props, key: &str) -> Vec<String> {
    props
        .get(key)
        .and_then(|v| Vec::<String>::try_from(v.clone()).ok())
        .unwrap_or_default()
}

pub fn dict_string(props: &Props, key: &str, inner: &str) -> Option<String> {
    let v = props.get(key)?;
    let d: HashMap<String, OwnedValue> = HashMap::try_from(v.clone()).ok()?;
    string(&d, inner)
}

/// The first service `pick` accepts, once connmand lists it.
pub async fn service_where(
    conn: &zbus::Connection,
    what: &str,
    secs: u64,
    pick: impl Fn(&str, &Props) -> bool,
) -> (String, Props) {
    until(secs, what, || async {
        services(conn)
            .await
            .into_iter()
            .find(|(path, p)| pick(path.as_str(), p))
            .map(|(path, p)| (path.to_string(), p))
    })
    .await
}

/// The service with this name, once connmand lists it.
pub async fn service_named(conn: &zbus::Connection, name: &str, secs: u64) -> (String, Props) {
    service_where(conn, &format!("service {name:?} listed"), secs, |_, p| {
        string(p, "Name").as_deref() == Some(name)
    })
    .await
}

pub async fn service_props(conn: &zbus::Connection, path: &str) -> Option<Props> {
    services(conn)
        .await
        .into_iter()
        .find(|(p, _)| p.as_str() == path)
        .map(|(_, props)| props)
}

/// Waits until the service is ready or online, and returns its properties.
pub async fn wait_connected(conn: &zbus::Connection, path: &str, secs: u64) -> Props {
    until(secs, &format!("{path} ready or online"), || async {
        service_props(conn, path)
            .await
            .filter(|p| matches!(string(p, "State").as_deref(), Some("ready" | "online")))
    })
    .await
}

/// Turns a technology on (through connmand) and waits until it is powered.
pub async fn power_on(conn: &zbus::Connection, tech: &str) {
    let path = format!("/net/connman/technology/{tech}");
    until(20, &format!("technology {tech} present"), || async {
        technologies(conn)
            .await
            .iter()
            .any(|(p, _)| p.as_str() == path)
            .then_some(())
    })
    .await;
    let t = proxy(conn, "net.connman", &path, "net.connman.Technology").await;
    let r: zbus::Result<()> = t.call("SetProperty", &("Powered", Value::from(true))).await;
    if let Err(e) = r {
        assert!(
            e.to_string().contains("AlreadyEnabled"),
            "power on {tech}: {e}"
        );
    }
}

pub async fn scan(conn: &zbus::Connection, tech: &str) {
    let path = format!("/net/connman/technology/{tech}");
    let t = proxy(conn, "net.connman", &path, "net.connman.Technology").await;
    within(30, "Scan", t.call::<_, _, ()>("Scan", &()))
        .await
        .expect("scan");
}

pub async fn service_state(conn: &zbus::Connection, path: &str) -> Option<String> {
    service_props(conn, path)
        .await
        .and_then(|p| string(&p, "State"))
}

/// The service paths in the order `connmanctl services` (libdbus, run with
/// the lab's bus address) lists them: connmand's order, read independently.
pub fn connmanctl_order(bus_address: &str) -> Vec<String> {
    let out = std::process::Command::new("connmanctl")
        .arg("services")
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus_address)
        .output()
        .expect("connmanctl");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|id| format!("/net/connman/service/{id}"))
        .collect()
}

/// A `dbus-daemon --session` of a test's own, on a socket in a fresh
/// directory; ended by its PID (and the directory removed) on drop.
pub struct PrivateBus {
    child: std::process::Child,
    dir: std::path::PathBuf,
    address: String,
}

impl PrivateBus {
    /// Starts the daemon and waits (at most 5 s) for its socket. dbus-daemon
    /// comes with `make deps`: its absence fails the test.
    pub fn start(tag: &str) -> PrivateBus {
        let dir = std::env::temp_dir().join(format!("connie-bus-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let sock = dir.join("bus");
        let address = format!("unix:path={}", sock.display());
        let child = std::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbus-daemon (install dbus-daemon): {e}"));
        let bus = PrivateBus {
            child,
            dir,
            address,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !sock.exists() {
            assert!(
                Instant::now() < deadline,
                "dbus-daemon did not make {}",
                sock.display()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        bus
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    /// A new connection to this bus (retried for at most 5 s).
    pub async fn connect(&self) -> zbus::Connection {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let conn = async {
                zbus::connection::Builder::address(self.address.as_str())?
                    .build()
                    .await
            };
            match conn.await {
                Ok(c) => return c,
                Err(e) if Instant::now() > deadline => {
                    panic!("cannot connect to the test bus: {e}")
                }
                Err(_) => async_io::Timer::after(Duration::from_millis(20)).await,
            };
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
