//! Helpers for Connie's integration tests against the lab's real connmand: bounded waits,
//! plain zbus calls to connmand, and the agents of `connie::connman::agent` served and
//! registered on a connection to the lab's bus.
#![allow(dead_code)]

use std::future::Future;

use connie::connman::agent::{self, AgentHandle, AgentKind, AgentOwners, AgentRequest};

pub use connman_lab::testing::*;

/// Starts `Service.Connect` on a thread of its own (it returns only after the agent's round
/// trip and the connection); await the returned future, bounded, for its result.
pub fn start_connect(
    conn: &zbus::Connection,
    path: &str,
) -> impl Future<Output = zbus::Result<()>> + 'static {
    let conn = conn.clone();
    let path = path.to_owned();
    let (tx, rx) = async_channel::bounded(1);
    std::thread::spawn(move || {
        let result = zbus::block_on(async {
            let s = zbus::Proxy::new(&conn, "net.connman", path, "net.connman.Service").await?;
            s.call::<_, _, ()>("Connect", &()).await
        });
        let _ = tx.send_blocking(result);
    });
    async move {
        rx.recv()
            .await
            .unwrap_or_else(|_| Err(zbus::Error::Failure("the Connect thread died".into())))
    }
}

/// A connection to the lab's bus with Connie's agents served on it, the owners known, and
/// the agents registered with the daemons in `kinds`.
pub struct Agents {
    pub conn: zbus::Connection,
    pub handle: AgentHandle,
    pub requests: async_channel::Receiver<AgentRequest>,
}

pub async fn serve_agents(bus_address: &str, kinds: &[AgentKind]) -> Agents {
    let conn = zbus::connection::Builder::address(bus_address)
        .expect("bus address")
        .build()
        .await
        .expect("connect to the lab's bus");
    let owners = AgentOwners::new();
    let (handle, requests) = agent::serve(&conn, owners.clone())
        .await
        .expect("serve the agents");
    for kind in kinds {
        let owner = until(20, &format!("{} has an owner", kind.bus_name()), || {
            agent::resolve_owner(&conn, kind.bus_name())
        })
        .await;
        owners.set(*kind, Some(owner));
        agent::register(&conn, *kind)
            .await
            .unwrap_or_else(|e| panic!("RegisterAgent with {}: {e}", kind.bus_name()));
    }
    Agents {
        conn,
        handle,
        requests,
    }
}

/// The next request `pick` accepts within `secs`; others are dropped (answered as
/// unanswered) after being printed.
pub async fn next_request<T>(
    rx: &async_channel::Receiver<AgentRequest>,
    secs: u64,
    what: &str,
    mut pick: impl FnMut(AgentRequest) -> Result<T, AgentRequest>,
) -> T {
    within(secs, what, async {
        loop {
            let request = rx.recv().await.expect("agent request channel");
            match pick(request) {
                Ok(v) => return v,
                Err(other) => eprintln!("(waiting for {what}) skipped: {other:?}"),
            }
        }
    })
    .await
}

/// Asserts that connmand has made no agent call so far that reached `rx`, once everything it
/// sent has (see [`agent_caught_up`]; `other` is a connection that does not own the agent).
pub async fn no_request(
    rx: &async_channel::Receiver<AgentRequest>,
    other: &zbus::Connection,
    agent: &str,
    why: &str,
) {
    agent_caught_up(other, agent, agent::AGENT_PATH).await;
    if let Ok(r) = rx.try_recv() {
        panic!("{why}: unexpected agent request {r:?}");
    }
}
