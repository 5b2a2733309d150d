//! Helpers for the lab's own tests: plain zbus calls to connmand, bounded
//! waits, and a scriptable agent that records what connmand asks.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::fdo;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

pub use connman_lab::testing::*;

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
