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

/// Returns once every call connmand made to the `net.connman.Agent` served by `agent` (a
/// bus name) at `path` before now has reached that agent's handlers: a round trip to
/// connmand from `other` (what connmand sent before its reply is on the bus ahead of it),
/// then an agent call from `other`, which is not connmand and must be refused at once
/// (`AccessDenied`). The agent's connection receives that call after connmand's and
/// handles its calls in order.
pub async fn agent_caught_up(other: &zbus::Connection, agent: &str, path: &str) {
    within(10, "a round trip to connmand", async {
        manager(other)
            .await
            .call::<_, _, Props>("GetProperties", &())
            .await
    })
    .await
    .expect("connmand answers GetProperties");
    let refused = within(
        10,
        "a round trip through the agent",
        other.call_method(Some(agent), path, Some("net.connman.Agent"), "Cancel", &()),
    )
    .await;
    match refused {
        Err(zbus::Error::MethodError(name, _, _))
            if name.as_str() == "org.freedesktop.DBus.Error.AccessDenied" => {}
        other => panic!("the agent's round trip: expected AccessDenied, got {other:?}"),
    }
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
    /// Starts the daemon and waits (at most 5 s) until it listens: it prints
    /// its address only then (its socket file appears before it listens, and
    /// a connection in between is refused). dbus-daemon comes with
    /// `make deps`: its absence fails the test.
    pub fn start(tag: &str) -> PrivateBus {
        let dir = std::env::temp_dir().join(format!("connie-bus-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let sock = dir.join("bus");
        let address = format!("unix:path={}", sock.display());
        let mut child = std::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address"])
            .arg(format!("--address={address}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbus-daemon (install dbus-daemon): {e}"));
        let out = child.stdout.take().expect("piped stdout");
        let bus = PrivateBus {
            child,
            dir,
            address,
        };
        let line = first_line(out, Duration::from_secs(5));
        assert!(
            line.as_deref()
                .is_some_and(|l| l.starts_with(bus.address.as_str())),
            "dbus-daemon did not say it listens on {}: {line:?}",
            sock.display()
        );
        bus
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    /// A new connection to this bus (it listens since [`start`]).
    ///
    /// [`start`]: PrivateBus::start
    pub async fn connect(&self) -> zbus::Connection {
        within(5, "a connection to the test bus", async {
            zbus::connection::Builder::address(self.address.as_str())?
                .build()
                .await
        })
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test bus: {e}"))
    }
}

/// The first line read from `out` (a child's piped stdout), waited for at
/// most `limit`; `None` if it closed or said nothing in time. The reader
/// thread ends when the child closes `out` (exits).
pub fn first_line(out: impl std::io::Read + Send + 'static, limit: Duration) -> Option<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
        let _ = tx.send(
            read.ok()
                .filter(|n| *n > 0)
                .map(|_| line.trim_end().to_owned()),
        );
    });
    rx.recv_timeout(limit).ok().flatten()
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The part of a tray host an item talks to: `org.kde.StatusNotifierWatcher`
/// on a bus, recording the items that register. Dropping it (or [`stop`])
/// releases the name, as a panel that quits does.
///
/// [`stop`]: StatusWatcher::stop
pub struct StatusWatcher {
    conn: Option<zbus::Connection>,
    items: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

struct WatcherIface {
    items: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl WatcherIface {
    async fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
        #[zbus(signal_emitter)] emitter: zbus::object_server::SignalEmitter<'_>,
    ) {
        // an item may register by path only: the sender is then its bus name
        let id = if service.starts_with('/') {
            let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
            format!("{sender}{service}")
        } else {
            service.to_owned()
        };
        self.items.lock().unwrap().push(id.clone());
        let _ = Self::status_notifier_item_registered(&emitter, &id).await;
    }
    fn register_status_notifier_host(&self, _service: &str) {}
    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }
    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }
    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
    #[zbus(signal)]
    async fn status_notifier_item_registered(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;
}

impl StatusWatcher {
    /// Owns the watcher's name on the bus at `address` (at most 5 s).
    pub fn start(address: &str) -> StatusWatcher {
        let items = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let iface = WatcherIface {
            items: items.clone(),
        };
        let conn = zbus::block_on(within(5, "the status notifier watcher", async {
            zbus::connection::Builder::address(address)?
                .serve_at("/StatusNotifierWatcher", iface)?
                .name("org.kde.StatusNotifierWatcher")?
                .build()
                .await
        }))
        .unwrap_or_else(|e| panic!("cannot start a status notifier watcher: {e}"));
        StatusWatcher {
            conn: Some(conn),
            items,
        }
    }

    /// The items registered so far (`bus-name/path` or a bus name).
    pub fn items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    /// The first item to register, waited for at most `timeout`.
    pub fn wait_item(&self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(item) = self.items().first().cloned() {
                return item;
            }
            assert!(
                Instant::now() < deadline,
                "no tray item registered within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The watcher's connection (to read the items it knows).
    pub fn connection(&self) -> &zbus::Connection {
        self.conn.as_ref().expect("watcher running")
    }

    /// Releases the name and closes the connection, as a panel that quits.
    pub fn stop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = zbus::block_on(conn.close());
        }
    }
}

impl Drop for StatusWatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One `Notify` call seen by [`Notifications`].
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: u32,
    pub replaces_id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    pub category: Option<String>,
    pub desktop_entry: Option<String>,
    pub app_icon: String,
    /// The `image-path` hint (an icon name or a file).
    pub image: Option<String>,
}

struct NotificationsIface {
    seen: std::sync::Arc<std::sync::Mutex<Vec<Notification>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl NotificationsIface {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut seen = self.seen.lock().unwrap();
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            seen.len() as u32 + 1
        };
        let hint = |k: &str| hints.get(k).and_then(|v| String::try_from(v.clone()).ok());
        seen.push(Notification {
            id,
            replaces_id,
            app_name,
            summary,
            body,
            category: hint("category"),
            desktop_entry: hint("desktop-entry"),
            app_icon,
            image: hint("image-path"),
        });
        id
    }
    fn close_notification(&self, _id: u32) {}
    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }
    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "connman-lab".into(),
            "connie".into(),
            "0".into(),
            "1.2".into(),
        )
    }
}

/// A notification server (`org.freedesktop.Notifications`) on a bus that
/// records what it is asked to show.
pub struct Notifications {
    _conn: zbus::Connection,
    seen: std::sync::Arc<std::sync::Mutex<Vec<Notification>>>,
}

impl Notifications {
    pub fn start(address: &str) -> Notifications {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let iface = NotificationsIface { seen: seen.clone() };
        let conn = zbus::block_on(within(5, "the notification server", async {
            zbus::connection::Builder::address(address)?
                .serve_at("/org/freedesktop/Notifications", iface)?
                .name("org.freedesktop.Notifications")?
                .build()
                .await
        }))
        .unwrap_or_else(|e| panic!("cannot start a notification server: {e}"));
        Notifications { _conn: conn, seen }
    }

    /// Every notification shown so far, oldest first.
    pub fn seen(&self) -> Vec<Notification> {
        self.seen.lock().unwrap().clone()
    }
}
