//! The zbus interfaces, the pending calls they share, [`AgentHandle`], [`serve`] and
//! (un)registering with the daemons.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use zbus::message::Header;
use zbus::names::InterfaceName;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue};
use zbus::Connection;

use super::*;
use crate::connman::error::ConnmanError;
use crate::connman::types::ServiceError;

pub(super) enum Slot {
    Input(async_channel::Sender<InputReply>),
    Error(async_channel::Sender<ErrorReply>),
    Browser(async_channel::Sender<BrowserReply>),
}

impl Slot {
    /// Whether the call has its answer already (its task may not have sent it yet).
    fn is_settled(&self) -> bool {
        match self {
            Slot::Input(tx) => is_answered(tx),
            Slot::Error(tx) => is_answered(tx),
            Slot::Browser(tx) => is_answered(tx),
        }
    }

    /// Answers the pending call for the UI (a no-op when it was answered already).
    pub(super) fn settle(&self) {
        match self {
            Slot::Input(tx) => answer_once(tx, InputReply::unanswered()),
            Slot::Error(tx) => answer_once(tx, ErrorReply::unanswered()),
            Slot::Browser(tx) => answer_once(tx, BrowserReply::unanswered()),
        };
    }
}

struct Pending {
    id: u64,
    kind: AgentKind,
    path: String,
    slot: Slot,
}

#[derive(Default)]
struct State {
    next_id: u64,
    pending: Vec<Pending>,
    /// Per kind: the sender and serial of the last `Cancel`/`Release`.
    settled_before: [Option<(String, u32)>; 2],
}

struct Shared {
    owners: AgentOwners,
    requests: async_channel::Sender<AgentRequest>,
    state: Mutex<State>,
}

/// Removes a pending call when its D-Bus method ends (or its task is dropped).
struct Tracked<'a> {
    shared: &'a Shared,
    id: u64,
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        self.shared.state().pending.retain(|p| p.id != self.id);
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn authorize(&self, kind: AgentKind, header: &Header<'_>) -> Result<(), AgentError> {
        let sender = header.sender().map(|s| s.as_str());
        if self.owners.is_owner(kind, sender) {
            return Ok(());
        }
        tracing::warn!(
            "refused {}.{} from {}: only the owner of {} ({}) may call the agent",
            kind.interface(),
            header.member().map_or("?", |m| m.as_str()),
            sender.unwrap_or("an unknown sender"),
            kind.bus_name(),
            self.owners
                .get(kind)
                .unwrap_or_else(|| "nobody known".to_owned()),
        );
        Err(AgentError::AccessDenied(kind))
    }

    fn forward(&self, request: AgentRequest) {
        // Unbounded: never blocks. When the UI is gone, the request (and its responder) is
        // dropped, which answers the call.
        let _ = self.requests.try_send(request);
    }

    /// Registers a pending call. Returns the guard and whether a `Cancel` that came after it
    /// on the bus has been handled already.
    fn track(
        &self,
        kind: AgentKind,
        header: &Header<'_>,
        path: &str,
        slot: Slot,
    ) -> (Tracked<'_>, bool) {
        let mut state = self.state();
        let stale = match (&state.settled_before[kind.index()], header.sender()) {
            (Some((sender, serial)), Some(from)) => {
                sender == from.as_str() && header.primary().serial_num().get() < *serial
            }
            _ => false,
        };
        if stale {
            slot.settle();
        }
        let id = state.next_id;
        state.next_id += 1;
        state.pending.push(Pending {
            id,
            kind,
            path: path.to_owned(),
            slot,
        });
        (Tracked { shared: self, id }, stale)
    }

    /// Answers every pending call of `kind` for the UI. With the header of the daemon's
    /// `Cancel`/`Release`, calls that it sent earlier and whose tasks have not run yet are
    /// answered as soon as they do.
    fn settle_all(&self, kind: AgentKind, header: Option<&Header<'_>>) {
        let mut state = self.state();
        if let Some((h, sender)) = header.and_then(|h| Some((h, h.sender()?))) {
            state.settled_before[kind.index()] =
                Some((sender.to_string(), h.primary().serial_num().get()));
        }
        for p in state.pending.iter().filter(|p| p.kind == kind) {
            p.slot.settle();
        }
    }

    async fn request_input(
        &self,
        kind: AgentKind,
        header: &Header<'_>,
        path: &str,
        fields: &HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.authorize(kind, header)?;
        let request = InputRequest::parse(kind, path, fields);
        // The reply is built against the field types, kept apart from the request that
        // goes to the UI.
        let skeleton = InputRequest {
            kind,
            path: String::new(),
            fields: request
                .fields
                .iter()
                .filter(|f| f.type_ == FieldType::Ssid)
                .map(|f| Field {
                    name: f.name.clone(),
                    type_: FieldType::Ssid,
                    requirement: f.requirement.clone(),
                    alternates: Vec::new(),
                    value: None,
                })
                .collect(),
        };
        let (tx, rx) = async_channel::bounded(1);
        let (tracked, stale) = self.track(kind, header, path, Slot::Input(tx.clone()));
        if stale {
            drop(tx);
        } else {
            self.forward(AgentRequest::Input {
                request,
                reply: Responder::new(tx),
            });
        }
        let reply = rx.recv().await.unwrap_or(InputReply::Canceled);
        drop(tracked);
        input_outcome(&skeleton, reply)
    }

    async fn report_error(
        &self,
        kind: AgentKind,
        header: &Header<'_>,
        path: &str,
        error: &str,
    ) -> Result<(), AgentError> {
        self.authorize(kind, header)?;
        let (tx, rx) = async_channel::bounded(1);
        let (tracked, _stale) = self.track(kind, header, path, Slot::Error(tx.clone()));
        // Shown even when already settled: it says what went wrong.
        self.forward(AgentRequest::ReportError {
            kind,
            path: path.to_owned(),
            error: ServiceError::parse(error),
            reply: Responder::new(tx),
        });
        let reply = rx.recv().await.unwrap_or(ErrorReply::Ok);
        drop(tracked);
        error_outcome(kind, reply)
    }

    async fn request_browser(
        &self,
        header: &Header<'_>,
        path: &str,
        url: &str,
    ) -> Result<(), AgentError> {
        let kind = AgentKind::Connman;
        self.authorize(kind, header)?;
        let (tx, rx) = async_channel::bounded(1);
        let (tracked, stale) = self.track(kind, header, path, Slot::Browser(tx.clone()));
        if stale {
            drop(tx);
        } else {
            self.forward(AgentRequest::RequestBrowser {
                path: path.to_owned(),
                url: url.to_owned(),
                reply: Responder::new(tx),
            });
        }
        let reply = rx.recv().await.unwrap_or(BrowserReply::Canceled);
        drop(tracked);
        browser_outcome(reply)
    }

    fn cancel(&self, kind: AgentKind, header: &Header<'_>) -> Result<(), AgentError> {
        self.authorize(kind, header)?;
        self.settle_all(kind, Some(header));
        self.forward(AgentRequest::Cancel { kind });
        Ok(())
    }

    fn release(&self, kind: AgentKind, header: &Header<'_>) -> Result<(), AgentError> {
        self.authorize(kind, header)?;
        self.settle_all(kind, Some(header));
        self.forward(AgentRequest::Release { kind });
        Ok(())
    }
}

struct ConnmanAgent(Arc<Shared>);
struct VpnAgent(Arc<Shared>);

#[zbus::interface(name = "net.connman.Agent")]
impl ConnmanAgent {
    async fn release(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.release(AgentKind::Connman, &header)
    }

    async fn report_error(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        error: String,
    ) -> Result<(), AgentError> {
        self.0
            .report_error(AgentKind::Connman, &header, service.as_str(), &error)
            .await
    }

    /// P2P peers are not offered by Connie: acknowledged, not shown.
    async fn report_peer_error(
        &self,
        #[zbus(header)] header: Header<'_>,
        _peer: OwnedObjectPath,
        _error: String,
    ) -> Result<(), AgentError> {
        self.0.authorize(AgentKind::Connman, &header)
    }

    async fn request_browser(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        url: String,
    ) -> Result<(), AgentError> {
        self.0
            .request_browser(&header, service.as_str(), &url)
            .await
    }

    async fn request_input(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        fields: HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.0
            .request_input(AgentKind::Connman, &header, service.as_str(), &fields)
            .await
    }

    /// P2P peers are not offered by Connie: every peer connection is rejected.
    async fn request_peer_authorization(
        &self,
        #[zbus(header)] header: Header<'_>,
        _peer: OwnedObjectPath,
        _fields: HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.0.authorize(AgentKind::Connman, &header)?;
        Err(AgentError::Rejected)
    }

    async fn cancel(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.cancel(AgentKind::Connman, &header)
    }
}

#[zbus::interface(name = "net.connman.vpn.Agent")]
impl VpnAgent {
    async fn release(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.release(AgentKind::Vpn, &header)
    }

    async fn report_error(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        error: String,
    ) -> Result<(), AgentError> {
        self.0
            .report_error(AgentKind::Vpn, &header, service.as_str(), &error)
            .await
    }

    async fn request_input(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        fields: HashMap<String, OwnedValue>,
    ) -> Result<ReplyDict, AgentError> {
        self.0
            .request_input(AgentKind::Vpn, &header, service.as_str(), &fields)
            .await
    }

    async fn cancel(&self, #[zbus(header)] header: Header<'_>) -> Result<(), AgentError> {
        self.0.cancel(AgentKind::Vpn, &header)
    }
}

/// The served agents. Cloning shares them.
#[derive(Clone)]
pub struct AgentHandle {
    conn: Connection,
    shared: Arc<Shared>,
}

impl fmt::Debug for AgentHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentHandle")
            .field("owners", &self.shared.owners)
            .finish_non_exhaustive()
    }
}

impl AgentHandle {
    /// The owners the agents check callers against.
    pub fn owners(&self) -> &AgentOwners {
        &self.shared.owners
    }

    /// Answers every call of `kind` still waiting for the UI as unanswered, and sends
    /// [`AgentRequest::Cancel`]: for when the daemon's name lost its owner (the daemon
    /// stopped or crashed, and will never read the answers).
    pub fn cancel_pending(&self, kind: AgentKind) {
        self.shared.settle_all(kind, None);
        self.shared.forward(AgentRequest::Cancel { kind });
    }

    /// Answers the calls about `path` (a service or VPN connection) still waiting for the UI
    /// as unanswered, and sends [`AgentRequest::Cancel`] for their kind. Returns how many
    /// there were. For when `Connect` on that service failed while its prompt was open:
    /// connmand 1.41 sends no `Cancel` after its `InputRequestTimeout` (see the module
    /// documentation).
    pub fn cancel_service(&self, path: &str) -> usize {
        let mut kinds = Vec::new();
        let mut settled = 0;
        let state = self.shared.state();
        let waiting = state
            .pending
            .iter()
            .filter(|p| p.path == path && !p.slot.is_settled());
        for p in waiting {
            p.slot.settle();
            settled += 1;
            if !kinds.contains(&p.kind) {
                kinds.push(p.kind);
            }
        }
        drop(state);
        for kind in kinds {
            self.shared.forward(AgentRequest::Cancel { kind });
        }
        settled
    }

    /// How many calls of `kind` are waiting for the UI's answer.
    pub fn pending(&self, kind: AgentKind) -> usize {
        self.shared
            .state()
            .pending
            .iter()
            .filter(|p| p.kind == kind && !p.slot.is_settled())
            .count()
    }

    /// Stops serving both agents (pending calls are answered as unanswered first).
    pub async fn stop(self) -> zbus::Result<()> {
        for kind in AgentKind::ALL {
            self.cancel_pending(kind);
        }
        let server = self.conn.object_server();
        server.remove::<ConnmanAgent, _>(AGENT_PATH).await?;
        server.remove::<VpnAgent, _>(VPN_AGENT_PATH).await?;
        Ok(())
    }
}

/// Serves `net.connman.Agent` at [`AGENT_PATH`] and `net.connman.vpn.Agent` at
/// [`VPN_AGENT_PATH`] on `conn`, answering only the owners in `owners`. Returns at once;
/// the requests come on the receiver. Register with [`register`] afterwards (on the same
/// connection: connmand calls back the sender that registered).
pub async fn serve(
    conn: &Connection,
    owners: AgentOwners,
) -> zbus::Result<(AgentHandle, async_channel::Receiver<AgentRequest>)> {
    let (tx, rx) = async_channel::unbounded();
    let shared = Arc::new(Shared {
        owners,
        requests: tx,
        state: Mutex::new(State::default()),
    });
    let server = conn.object_server();
    if !server.at(AGENT_PATH, ConnmanAgent(shared.clone())).await? {
        return Err(already_served(AgentKind::Connman));
    }
    if !server.at(VPN_AGENT_PATH, VpnAgent(shared.clone())).await? {
        server.remove::<ConnmanAgent, _>(AGENT_PATH).await?;
        return Err(already_served(AgentKind::Vpn));
    }
    Ok((
        AgentHandle {
            conn: conn.clone(),
            shared,
        },
        rx,
    ))
}

fn already_served(kind: AgentKind) -> zbus::Error {
    zbus::Error::InterfaceExists(
        InterfaceName::from_static_str_unchecked(kind.interface()),
        ObjectPath::from_static_str_unchecked(kind.path()),
    )
}

/// `RegisterAgent` with connmand (`net.connman.Manager`) or connman-vpnd
/// (`net.connman.vpn.Manager`). `AlreadyExists` (this connection has an agent there already)
/// counts as success.
pub async fn register(conn: &Connection, kind: AgentKind) -> Result<(), ConnmanError> {
    match manager_call(conn, kind, "RegisterAgent").await {
        Err(ConnmanError::AlreadyExists) => Ok(()),
        other => other,
    }
}

/// `UnregisterAgent`. `NotFound`/`NotRegistered` (nothing registered) count as success.
pub async fn unregister(conn: &Connection, kind: AgentKind) -> Result<(), ConnmanError> {
    match manager_call(conn, kind, "UnregisterAgent").await {
        Err(ConnmanError::NotFound | ConnmanError::NotRegistered) => Ok(()),
        other => other,
    }
}

async fn manager_call(
    conn: &Connection,
    kind: AgentKind,
    method: &'static str,
) -> Result<(), ConnmanError> {
    let path = ObjectPath::from_static_str_unchecked(kind.path());
    conn.call_method(
        Some(kind.bus_name()),
        "/",
        Some(kind.manager_interface()),
        method,
        &(path,),
    )
    .await
    .map(drop)
    .map_err(ConnmanError::from)
}
