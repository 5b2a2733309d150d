//! Helpers for the lab's own tests: plain zbus calls to connmand, bounded
//! waits, and a scriptable agent that records what connmand asks.
#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::fdo;
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
        async_io::Timer::after(Duration::from_millis(50)).await;
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

pub fn dict_string(props: &Props, key: &str, inner: &str) -> Option<String> {
    let v = props.get(key)?;
    let d: HashMap<String, OwnedValue> = HashMap::try_from(v.clone()).ok()?;
    string(&d, inner)
}

/// The service with this name, once connmand lists it.
pub async fn service_named(conn: &zbus::Connection, name: &str, secs: u64) -> (String, Props) {
    until(secs, &format!("service {name:?} listed"), || async {
        services(conn)
            .await
            .into_iter()
            .find(|(_, p)| string(p, "Name").as_deref() == Some(name))
            .map(|(path, p)| (path.to_string(), p))
    })
    .await
}

pub async fn service_state(conn: &zbus::Connection, path: &str) -> Option<String> {
    services(conn)
        .await
        .into_iter()
        .find(|(p, _)| p.as_str() == path)
        .and_then(|(_, props)| string(&props, "State"))
}

/// Waits until the service is ready or online, and returns its properties.
pub async fn wait_connected(conn: &zbus::Connection, path: &str, secs: u64) -> Props {
    until(secs, &format!("{path} ready or online"), || async {
        services(conn)
            .await
            .into_iter()
            .find(|(p, props)| {
                p.as_str() == path
                    && matches!(string(props, "State").as_deref(), Some("ready" | "online"))
            })
            .map(|(_, props)| props)
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

/// Calls `Service.Connect` (which returns only after the agent round trip
/// and the connection), bounded.
pub async fn connect(conn: &zbus::Connection, path: &str) -> zbus::Result<()> {
    let s = proxy(conn, "net.connman", path, "net.connman.Service").await;
    within(60, "Connect", s.call::<_, _, ()>("Connect", &())).await
}

/// What an agent was asked.
#[derive(Debug, Clone)]
pub enum AgentCall {
    RequestInput {
        path: String,
        fields: HashMap<String, HashMap<String, OwnedValue>>,
    },
    ReportError {
        path: String,
        error: String,
    },
    RequestBrowser {
        path: String,
        url: String,
    },
    Cancel,
    Release,
}

/// An agent that answers `RequestInput` from `answers` (field name → value)
/// and records every call.
#[derive(Clone)]
pub struct TestAgent {
    pub calls: async_channel::Sender<AgentCall>,
    pub answers: Arc<Mutex<HashMap<String, String>>>,
}

impl TestAgent {
    fn input(&self, path: OwnedObjectPath, fields: Props) -> fdo::Result<Props> {
        let fields: HashMap<String, HashMap<String, OwnedValue>> = fields
            .into_iter()
            .map(|(k, v)| (k, HashMap::try_from(v).unwrap_or_default()))
            .collect();
        let answers = self.answers.lock().unwrap().clone();
        let mut reply = Props::new();
        for name in fields.keys() {
            if let Some(v) = answers.get(name) {
                reply.insert(
                    name.clone(),
                    OwnedValue::try_from(Value::from(v.as_str())).unwrap(),
                );
            }
        }
        let _ = self.calls.try_send(AgentCall::RequestInput {
            path: path.to_string(),
            fields,
        });
        Ok(reply)
    }
}

pub struct ConnmanAgent(pub TestAgent);
pub struct VpnAgent(pub TestAgent);

#[zbus::interface(name = "net.connman.Agent")]
impl ConnmanAgent {
    fn request_input(&self, path: OwnedObjectPath, fields: Props) -> fdo::Result<Props> {
        self.0.input(path, fields)
    }
    fn report_error(&self, path: OwnedObjectPath, error: String) {
        let _ = self.0.calls.try_send(AgentCall::ReportError {
            path: path.to_string(),
            error,
        });
    }
    fn request_browser(&self, path: OwnedObjectPath, url: String) {
        let _ = self.0.calls.try_send(AgentCall::RequestBrowser {
            path: path.to_string(),
            url,
        });
    }
    fn cancel(&self) {
        let _ = self.0.calls.try_send(AgentCall::Cancel);
    }
    fn release(&self) {
        let _ = self.0.calls.try_send(AgentCall::Release);
    }
}

#[zbus::interface(name = "net.connman.vpn.Agent")]
impl VpnAgent {
    fn request_input(&self, path: OwnedObjectPath, fields: Props) -> fdo::Result<Props> {
        self.0.input(path, fields)
    }
    fn report_error(&self, path: OwnedObjectPath, error: String) {
        let _ = self.0.calls.try_send(AgentCall::ReportError {
            path: path.to_string(),
            error,
        });
    }
    fn cancel(&self) {
        let _ = self.0.calls.try_send(AgentCall::Cancel);
    }
    fn release(&self) {
        let _ = self.0.calls.try_send(AgentCall::Release);
    }
}

pub const AGENT_PATH: &str = "/io/github/connie/TestAgent";

/// Serves an agent on `conn` and registers it with connmand (or with
/// connman-vpnd when `vpn`). Returns the answers to fill and the calls seen.
pub async fn register_agent(
    conn: &zbus::Connection,
    vpn: bool,
) -> (
    Arc<Mutex<HashMap<String, String>>>,
    async_channel::Receiver<AgentCall>,
) {
    let (tx, rx) = async_channel::unbounded();
    let agent = TestAgent {
        calls: tx,
        answers: Arc::new(Mutex::new(HashMap::new())),
    };
    let answers = agent.answers.clone();
    let path = zbus::zvariant::ObjectPath::try_from(AGENT_PATH).unwrap();
    if vpn {
        conn.object_server()
            .at(AGENT_PATH, VpnAgent(agent))
            .await
            .unwrap();
        let m = proxy(conn, "net.connman.vpn", "/", "net.connman.vpn.Manager").await;
        m.call::<_, _, ()>("RegisterAgent", &(path,))
            .await
            .expect("vpn RegisterAgent");
    } else {
        conn.object_server()
            .at(AGENT_PATH, ConnmanAgent(agent))
            .await
            .unwrap();
        manager(conn)
            .await
            .call::<_, _, ()>("RegisterAgent", &(path,))
            .await
            .expect("RegisterAgent");
    }
    (answers, rx)
}

/// The next agent call that `pick` accepts, within `secs`.
pub async fn next_call<T>(
    rx: &async_channel::Receiver<AgentCall>,
    secs: u64,
    what: &str,
    mut pick: impl FnMut(&AgentCall) -> Option<T>,
) -> T {
    within(secs, what, async {
        loop {
            let call = rx.recv().await.expect("agent channel");
            if let Some(v) = pick(&call) {
                return v;
            }
        }
    })
    .await
}
