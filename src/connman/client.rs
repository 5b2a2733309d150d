//! The client: one connection to the system bus (or the lab's), the state of
//! connmand and connman-vpnd kept current from their signals, and the
//! actions the UI needs.
//!
//! Start-up makes a fixed number of calls whatever the number of services:
//! four `AddMatch` (subscribing before fetching, so nothing is lost in
//! between), `GetNameOwner` for each daemon, then `GetProperties`,
//! `GetTechnologies`, `GetServices` and `GetConnections`. After that the
//! client only listens: every signal from the daemons' current owners is
//! applied, in the order received, by one task on zbus's executor, which
//! then sends an [`Event`]. When connmand (or connman-vpnd) goes away the
//! state says so and open prompts are canceled; when it comes back,
//! everything is fetched again and the agents are registered again, with
//! nothing for the user to do.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_lite::StreamExt;
use zbus::message::Type as MessageType;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

use super::agent::{self, AgentHandle, AgentKind, AgentOwners, AgentRequest};
use super::error::ConnmanError;
use super::proxies::{
    uncached, ClockProxy, ManagerProxy, ServiceProxy, TechnologyProxy, VpnConnectionProxy,
    VpnManagerProxy,
};
use super::state::{Event, PathDicts, State};
use super::types::{
    ClockProps, ClockSetting, ManagerSetting, ParseIssue, PropertyDict, ServiceSetting,
    TechnologySetting,
};

pub const CONNMAN: &str = "net.connman";
pub const CONNMAN_VPN: &str = "net.connman.vpn";

/// Ordinary calls: connmand answers at once or is stuck. libdbus's default
/// reply timeout (what connmanctl waits): a hung connmand's switch or
/// button says so after this long (the stress tests pause it for 30 s).
const CALL_TIMEOUT: Duration = Duration::from_secs(25);
/// How long [`Client::sync`] waits for connmand's answer (a stopped connmand
/// does not answer; the caller then goes on with what it knows).
const SYNC_TIMEOUT: Duration = Duration::from_secs(2);
/// `Connect` returns only after the agent's round trip and the connection
/// itself (connmand's InputRequestTimeout is 120 s by default).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(180);

struct Inner {
    conn: zbus::Connection,
    state: Mutex<State>,
    /// One sender per subscriber; closed ones are dropped on the next event.
    subscribers: Mutex<Vec<async_channel::Sender<Event>>>,
    calls: AtomicU64,
    connman_owner: Mutex<Option<String>>,
    vpn_owner: Mutex<Option<String>>,
    agents: Option<AgentHandle>,
    /// [`Client::sync`]'s waiters, by the serial of their `Ping`: released
    /// by the worker once it has applied everything received before the
    /// answer.
    barriers: Mutex<HashMap<u32, async_channel::Sender<()>>>,
}

/// A handle on the client; cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    _task: Arc<zbus::Task<()>>,
}

async fn bounded<T, E: Into<ConnmanError>>(
    limit: Duration,
    fut: impl Future<Output = Result<T, E>>,
) -> Result<T, ConnmanError> {
    futures_lite::future::or(async { fut.await.map_err(Into::into) }, async {
        async_io::Timer::after(limit).await;
        Err(ConnmanError::NoReply)
    })
    .await
}

fn log_issues(issues: &[ParseIssue]) {
    for i in issues {
        tracing::warn!("connmand sent a value that does not parse: {i}");
    }
}

fn paths(list: Vec<(OwnedObjectPath, HashMap<String, OwnedValue>)>) -> PathDicts {
    list.into_iter().map(|(p, d)| (p.to_string(), d)).collect()
}

impl Client {
    /// Connects to connmand (and connman-vpnd, if there) over `conn` and
    /// starts following them. connmand need not be running: the state then
    /// says so and fills itself in when it appears.
    pub async fn start(conn: zbus::Connection) -> Result<Client, ConnmanError> {
        Client::start_inner(conn, None).await
    }

    /// Like [`Client::start`], serving both agents on the same connection:
    /// they are registered each time connmand or connman-vpnd (re)appears,
    /// answer only its current owner, and their requests come on the
    /// returned receiver.
    pub async fn start_with_agents(
        conn: zbus::Connection,
    ) -> Result<(Client, async_channel::Receiver<AgentRequest>), ConnmanError> {
        let (handle, requests) = agent::serve(&conn, AgentOwners::new()).await?;
        Ok((Client::start_inner(conn, Some(handle)).await?, requests))
    }

    async fn start_inner(
        conn: zbus::Connection,
        agents: Option<AgentHandle>,
    ) -> Result<Client, ConnmanError> {
        let inner = Arc::new(Inner {
            conn: conn.clone(),
            state: Mutex::new(State::default()),
            subscribers: Mutex::new(Vec::new()),
            calls: AtomicU64::new(0),
            connman_owner: Mutex::new(None),
            vpn_owner: Mutex::new(None),
            agents,
            barriers: Mutex::new(HashMap::new()),
        });
        // subscribe before fetching: signals sent meanwhile wait in the stream
        let mut stream = zbus::MessageStream::from(&conn);
        let dbus = zbus::fdo::DBusProxy::builder(&conn)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await?;
        for rule in [
            format!("type='signal',sender='{CONNMAN}'"),
            format!("type='signal',sender='{CONNMAN_VPN}'"),
            format!(
                "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='{CONNMAN}'"
            ),
            format!(
                "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='{CONNMAN_VPN}'"
            ),
        ] {
            inner.calls.fetch_add(1, Ordering::Relaxed);
            let rule = zbus::MatchRule::try_from(rule.as_str())?;
            bounded(CALL_TIMEOUT, dbus.add_match_rule(rule)).await?;
        }
        let owner = inner.name_owner(&dbus, CONNMAN).await;
        if let Some(o) = owner {
            inner.connman_appeared(o).await;
        }
        let owner = inner.name_owner(&dbus, CONNMAN_VPN).await;
        if let Some(o) = owner {
            inner.vpn_appeared(o).await;
        }
        let worker = inner.clone();
        let task = conn.executor().spawn(
            async move {
                while let Some(msg) = stream.next().await {
                    if let Ok(msg) = msg {
                        worker.handle(&msg).await;
                        worker.release_barrier(&msg);
                    }
                }
            },
            "connie-connman-client",
        );
        Ok(Client {
            inner,
            _task: Arc::new(task),
        })
    }

    /// A new subscription to the events, in order, from now on (each
    /// subscriber gets every event: the window, the tray, a test). Read the
    /// current state with [`Client::state`] first; drop the receiver to
    /// unsubscribe.
    pub fn events(&self) -> async_channel::Receiver<Event> {
        let (tx, rx) = async_channel::unbounded();
        self.inner.subscribers.lock().unwrap().push(tx);
        rx
    }

    /// The state now (as of the last event sent). Do not call it again while
    /// holding the guard, e.g. from code notified while applying the state.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn connection(&self) -> &zbus::Connection {
        &self.inner.conn
    }

    #[cfg(any(test, feature = "test-support"))]
    /// How many D-Bus calls this client has made (for measurements).
    pub fn calls_made(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    async fn call<T>(
        &self,
        limit: Duration,
        fut: impl Future<Output = zbus::Result<T>>,
    ) -> Result<T, ConnmanError> {
        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        bounded(limit, fut).await
    }

    async fn service(&self, path: &str) -> Result<ServiceProxy<'static>, ConnmanError> {
        Ok(uncached::<ServiceProxy>(&self.inner.conn, path).await?)
    }

    async fn technology(&self, path: &str) -> Result<TechnologyProxy<'static>, ConnmanError> {
        Ok(uncached::<TechnologyProxy>(&self.inner.conn, path).await?)
    }

    async fn manager(&self) -> Result<ManagerProxy<'static>, ConnmanError> {
        Ok(uncached::<ManagerProxy>(&self.inner.conn, "/").await?)
    }

    async fn vpn_manager(&self) -> Result<VpnManagerProxy<'static>, ConnmanError> {
        Ok(uncached::<VpnManagerProxy>(&self.inner.conn, "/").await?)
    }

    /// The bus name that connmand answers from now (`None` while it is not
    /// running): a different one after a call means connmand restarted
    /// meanwhile.
    pub fn connman_owner(&self) -> Option<String> {
        self.inner.connman_owner.lock().unwrap().clone()
    }

    /// Returns once every signal connmand sent before now has been applied
    /// to the state (and its events sent): a `Peer.Ping` round trip, whose
    /// answer the worker sees after all that came before it on the
    /// connection. So a failed call's consequences (a service's `Error`, set
    /// before the call failed) are read from the state without guessing how
    /// long they take. Bounded: a connmand that does not answer (stopped,
    /// gone) lets the caller go on after [`SYNC_TIMEOUT`].
    pub async fn sync(&self) {
        let msg = zbus::Message::method_call("/", "Ping")
            .and_then(|b| b.destination(CONNMAN))
            .and_then(|b| b.interface("org.freedesktop.DBus.Peer"))
            .and_then(|b| b.build(&()));
        let Ok(msg) = msg else {
            return;
        };
        let serial = msg.primary_header().serial_num().get();
        let (tx, rx) = async_channel::bounded(1);
        self.inner.barriers.lock().unwrap().insert(serial, tx);
        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        let sent = self.inner.conn.send(&msg).await;
        if sent.is_ok() {
            let _ = bounded(SYNC_TIMEOUT, async {
                rx.recv().await.map_err(|_| ConnmanError::NoReply)
            })
            .await;
        }
        self.inner.barriers.lock().unwrap().remove(&serial);
    }

    /// `Service.Connect`: returns when connected or failed (after any agent
    /// round trip), bounded by a long timeout.
    pub async fn connect_service(&self, path: &str) -> Result<(), ConnmanError> {
        let s = self.service(path).await?;
        let result = self.call(CONNECT_TIMEOUT, s.connect()).await;
        if result.is_err() {
            // connmand 1.41 sends no Cancel after its input timeout: a prompt
            // still open for this service is answered and closed here
            if let Some(agents) = &self.inner.agents {
                agents.cancel_service(path);
            }
        }
        result
    }

    /// Registers a traffic counter with connmand: `Usage` reports arrive
    /// every `period_s` seconds (or `accuracy_kb` kilobytes) per connected
    /// service. Needs the agents (their owner check guards it too).
    pub async fn register_counter(
        &self,
        accuracy_kb: u32,
        period_s: u32,
    ) -> Result<async_channel::Receiver<super::counter::Usage>, ConnmanError> {
        let owners = self
            .inner
            .agents
            .as_ref()
            .map(|a| a.owners().clone())
            .ok_or_else(|| ConnmanError::Local("counters need the client's agents".into()))?;
        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        bounded(
            CALL_TIMEOUT,
            super::counter::register(&self.inner.conn, owners, accuracy_kb, period_s),
        )
        .await
    }

    /// Unregisters the traffic counter (and stops serving it).
    pub async fn unregister_counter(&self) -> Result<(), ConnmanError> {
        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        bounded(CALL_TIMEOUT, super::counter::unregister(&self.inner.conn)).await
    }

    /// The agents, when the client serves them.
    pub fn agents(&self) -> Option<&AgentHandle> {
        self.inner.agents.as_ref()
    }

    pub async fn disconnect_service(&self, path: &str) -> Result<(), ConnmanError> {
        let s = self.service(path).await?;
        self.call(CALL_TIMEOUT, s.disconnect()).await
    }

    /// Forgets a saved service (connmand clears Favorite and the settings).
    pub async fn remove_service(&self, path: &str) -> Result<(), ConnmanError> {
        let s = self.service(path).await?;
        self.call(CALL_TIMEOUT, s.remove()).await
    }

    pub async fn move_before(&self, path: &str, target: &str) -> Result<(), ConnmanError> {
        let s = self.service(path).await?;
        let t = ObjectPath::try_from(target).map_err(|e| ConnmanError::Local(e.to_string()))?;
        self.call(CALL_TIMEOUT, s.move_before(&t)).await
    }

    pub async fn move_after(&self, path: &str, target: &str) -> Result<(), ConnmanError> {
        let s = self.service(path).await?;
        let t = ObjectPath::try_from(target).map_err(|e| ConnmanError::Local(e.to_string()))?;
        self.call(CALL_TIMEOUT, s.move_after(&t)).await
    }

    /// Sets one service setting (validated before anything is sent).
    pub async fn set_service(
        &self,
        path: &str,
        setting: &ServiceSetting,
    ) -> Result<(), ConnmanError> {
        let (name, value) = setting
            .to_property()
            .map_err(|e| ConnmanError::Local(e.sentence()))?;
        let s = self.service(path).await?;
        self.call(CALL_TIMEOUT, s.set_property(name, &value))
            .await?;
        if matches!(setting, ServiceSetting::Ipv4(_) | ServiceSetting::Ipv6(_)) {
            self.reread_addresses(path);
        }
        Ok(())
    }

    /// connmand 1.41 does not always signal a service's new addresses after
    /// an IP configuration change: when the address config stays "ready"
    /// through it, no `IPv4` PropertyChanged follows, and `GetProperties`
    /// alone says the new address. So read them back (after 1 s and 4 s),
    /// and apply what differs, as if signalled.
    fn reread_addresses(&self, path: &str) {
        let inner = self.inner.clone();
        let path = path.to_owned();
        let conn = self.inner.conn.clone();
        conn.executor()
            .spawn(
                async move {
                    for wait in [1, 3] {
                        async_io::Timer::after(Duration::from_secs(wait)).await;
                        let Ok(proxy) = uncached::<ServiceProxy>(&inner.conn, &path).await else {
                            return;
                        };
                        let Ok(props) = bounded(CALL_TIMEOUT, proxy.get_properties()).await else {
                            return;
                        };
                        inner.calls.fetch_add(1, Ordering::Relaxed);
                        for name in ["IPv4", "IPv6", "Nameservers"] {
                            let Some(value) = props.get(name) else {
                                continue;
                            };
                            let issues = {
                                let mut state = inner.state();
                                let Some(current) = state.services.get(&path) else {
                                    return;
                                };
                                let mut next = current.clone();
                                let _ = next.apply(name, value);
                                if next == *current {
                                    continue;
                                }
                                let (event, issues) = state.service_property(&path, name, value);
                                // sent under the lock, in order with the worker's events
                                if let Some(e) = event {
                                    inner.emit(e);
                                }
                                issues
                            };
                            log_issues(&issues);
                        }
                    }
                },
                "connie-reread-addresses",
            )
            .detach();
    }

    /// Clears the service's `Error` (the one clearable property).
    pub async fn clear_error(&self, path: &str) -> Result<(), ConnmanError> {
        let s = self.service(path).await?;
        self.call(CALL_TIMEOUT, s.clear_property("Error")).await
    }

    pub async fn reset_counters(&self, path: &str) -> Result<(), ConnmanError> {
        let s = self.service(path).await?;
        self.call(CALL_TIMEOUT, s.reset_counters()).await
    }

    pub async fn set_technology(
        &self,
        path: &str,
        setting: &TechnologySetting,
    ) -> Result<(), ConnmanError> {
        let (name, value) = setting
            .to_property()
            .map_err(|e| ConnmanError::Local(e.sentence()))?;
        let t = self.technology(path).await?;
        self.call(CALL_TIMEOUT, t.set_property(name, &value)).await
    }

    /// Powers a technology on or off; asking for what already holds is fine.
    pub async fn set_powered(&self, path: &str, on: bool) -> Result<(), ConnmanError> {
        match self
            .set_technology(path, &TechnologySetting::Powered(on))
            .await
        {
            Err(ConnmanError::AlreadyEnabled | ConnmanError::AlreadyDisabled) => Ok(()),
            other => other,
        }
    }

    /// `Technology.Scan`: returns when the scan is done.
    pub async fn scan(&self, path: &str) -> Result<(), ConnmanError> {
        let t = self.technology(path).await?;
        self.call(CALL_TIMEOUT, t.scan()).await
    }

    pub async fn set_offline_mode(&self, on: bool) -> Result<(), ConnmanError> {
        let (name, value) = ManagerSetting::OfflineMode(on).to_property();
        let m = self.manager().await?;
        self.call(CALL_TIMEOUT, m.set_property(name, &value)).await
    }

    /// The devices using this computer's hotspot (their MAC addresses), as
    /// connmand lists them.
    pub async fn tethering_clients(&self) -> Result<Vec<String>, ConnmanError> {
        let m = self.manager().await?;
        self.call(CALL_TIMEOUT, m.get_tethering_clients()).await
    }

    /// connmand's `TetheringClientsChanged` signals, as (joined, left) MAC
    /// addresses, from now on (subscribe before reading
    /// [`tethering_clients`](Self::tethering_clients), so that no change
    /// falls between). Malformed signals are left out.
    pub async fn tethering_client_changes(
        &self,
    ) -> Result<impl futures_lite::Stream<Item = (Vec<String>, Vec<String>)>, ConnmanError> {
        let rule = zbus::MatchRule::builder()
            .msg_type(MessageType::Signal)
            .sender(CONNMAN)?
            .interface("net.connman.Manager")?
            .member("TetheringClientsChanged")?
            .build();
        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        let stream = bounded(
            CALL_TIMEOUT,
            zbus::MessageStream::for_match_rule(rule, &self.inner.conn, Some(16)),
        )
        .await?;
        Ok(stream.filter_map(|msg| {
            let msg = msg.ok()?;
            match msg.body().deserialize::<(Vec<String>, Vec<String>)>() {
                Ok(change) => Some(change),
                Err(e) => {
                    bad_signal("TetheringClientsChanged", e);
                    None
                }
            }
        }))
    }

    /// The clock's properties (fetched when asked: net.connman.Clock is
    /// experimental and the UI seldom needs it).
    pub async fn clock(&self) -> Result<ClockProps, ConnmanError> {
        let c = uncached::<ClockProxy>(&self.inner.conn, "/").await?;
        let dict = self.call(CALL_TIMEOUT, c.get_properties()).await?;
        let (props, issues) = ClockProps::from_dict(&dict);
        log_issues(&issues);
        Ok(props)
    }

    pub async fn set_clock(&self, setting: &ClockSetting) -> Result<(), ConnmanError> {
        let (name, value) = setting
            .to_property()
            .map_err(|e| ConnmanError::Local(e.sentence()))?;
        let c = uncached::<ClockProxy>(&self.inner.conn, "/").await?;
        self.call(CALL_TIMEOUT, c.set_property(name, &value)).await
    }

    /// Waits (at most `limit`) until the state satisfies `cond`. Used only
    /// while an action that depends on connmand's answer runs.
    async fn wait_state(&self, limit: Duration, cond: impl Fn(&State) -> bool) -> bool {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if cond(&self.state()) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            async_io::Timer::after(Duration::from_millis(20)).await;
        }
    }

    /// Puts a connected VPN below an uplink, so that only the VPN's own
    /// networks go through it (connmand then sets the VPN's SplitRouting and
    /// the default route goes back to the uplink).
    ///
    /// The safe two-step recipe: right after connecting, connmand may list the
    /// VPN last, and moving the uplink "before" it would then move the uplink
    /// below the other uplinks (another one becomes default and connmand drops
    /// the VPN). So first the VPN goes above the uplink, then the uplink above
    /// the VPN, each step read back from connmand's order.
    pub async fn vpn_below_uplink(&self, vpn: &str, uplink: &str) -> Result<(), ConnmanError> {
        let pos = |s: &State, p: &str| s.order.iter().position(|x| x == p);
        let above =
            |s: &State| matches!((pos(s, vpn), pos(s, uplink)), (Some(v), Some(u)) if v < u);
        let below =
            |s: &State| matches!((pos(s, vpn), pos(s, uplink)), (Some(v), Some(u)) if u < v);
        // connmand refuses a VPN without routes of its own as a move target;
        // the routes the server pushes arrive shortly after the VPN is ready
        let connection = vpn_connection_path(vpn);
        let routed = |s: &State| {
            s.vpn_connection(&connection)
                .is_some_and(|c| c.has_routes())
        };
        if !self.wait_state(Duration::from_secs(5), routed).await {
            return Err(ConnmanError::Local(
                "This VPN has no routes of its own, so it cannot carry only some networks.".into(),
            ));
        }
        if !above(&self.state()) {
            self.move_before(vpn, uplink).await?;
            if !self.wait_state(Duration::from_secs(5), above).await {
                return Err(ConnmanError::Local(
                    "connmand did not move the VPN above the uplink".into(),
                ));
            }
        }
        self.move_before(uplink, vpn).await?;
        if !self.wait_state(Duration::from_secs(5), below).await {
            return Err(ConnmanError::Local(
                "connmand did not move the uplink above the VPN".into(),
            ));
        }
        Ok(())
    }

    /// `vpn.Manager.Create` with string settings: the new connection's path.
    pub async fn vpn_create(
        &self,
        settings: &HashMap<String, String>,
    ) -> Result<String, ConnmanError> {
        let dict: HashMap<String, Value<'static>> = settings
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect();
        self.vpn_create_values(&dict).await
    }

    /// `vpn.Manager.Create` with any values (`SplitRouting` is a boolean,
    /// `UserRoutes` an array): the new connection's path.
    pub async fn vpn_create_values(
        &self,
        settings: &HashMap<String, Value<'static>>,
    ) -> Result<String, ConnmanError> {
        let dict: HashMap<&str, Value<'_>> = settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let m = self.vpn_manager().await?;
        Ok(self.call(CALL_TIMEOUT, m.create(dict)).await?.to_string())
    }

    /// `vpn.Manager.Remove`: deletes the VPN (connmand's `Service.Remove`
    /// on a VPN only clears Favorite).
    pub async fn vpn_remove(&self, path: &str) -> Result<(), ConnmanError> {
        let p = ObjectPath::try_from(path).map_err(|e| ConnmanError::Local(e.to_string()))?;
        let m = self.vpn_manager().await?;
        self.call(CALL_TIMEOUT, m.remove(&p)).await
    }

    pub async fn vpn_set_property(
        &self,
        path: &str,
        name: &str,
        value: &Value<'_>,
    ) -> Result<(), ConnmanError> {
        let c = uncached::<VpnConnectionProxy>(&self.inner.conn, path).await?;
        self.call(CALL_TIMEOUT, c.set_property(name, value)).await
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `event` to every subscriber. Call it with the state's lock still
    /// held from the change the event carries: then events leave in the
    /// order of the changes, and a subscriber that applies each event's
    /// values in turn ends with the state's values.
    fn emit(&self, event: Event) {
        let mut subscribers = self.subscribers.lock().unwrap();
        subscribers.retain(|s| !s.is_closed());
        if let Some((last, rest)) = subscribers.split_last() {
            for s in rest {
                let _ = s.try_send(event.clone());
            }
            let _ = last.try_send(event);
        }
    }

    async fn name_owner(
        &self,
        dbus: &zbus::fdo::DBusProxy<'_>,
        name: &'static str,
    ) -> Option<String> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let name = zbus::names::BusName::from_static_str(name).ok()?;
        bounded(CALL_TIMEOUT, dbus.get_name_owner(name))
            .await
            .ok()
            .map(|o| o.to_string())
    }

    /// connmand has a (new) owner: fetch everything, run the hooks, tell.
    async fn connman_appeared(&self, owner: String) {
        *self.connman_owner.lock().unwrap() = Some(owner.clone());
        if let Some(a) = &self.agents {
            a.owners().set(AgentKind::Connman, Some(owner));
        }
        let fetched = async {
            let m = uncached::<ManagerProxy>(&self.conn, "/").await?;
            self.calls.fetch_add(3, Ordering::Relaxed);
            let props = bounded(CALL_TIMEOUT, m.get_properties()).await?;
            let techs = bounded(CALL_TIMEOUT, m.get_technologies()).await?;
            let services = bounded(CALL_TIMEOUT, m.get_services()).await?;
            Ok::<_, ConnmanError>((props, paths(techs), paths(services)))
        }
        .await;
        match fetched {
            Ok((props, techs, services)) => {
                let issues = self.state().reset_connman(&props, &techs, &services);
                log_issues(&issues);
            }
            Err(e) if e.is_permission_problem() => {
                tracing::warn!("connmand refuses access: {e}");
                let mut state = self.state();
                state.connman_refused = Some(e.to_string());
                // sent under the lock, in order with the state (see `emit`)
                self.emit(Event::ConnmanRefused(e.to_string()));
                drop(state);
                return;
            }
            Err(e) => {
                // connmand vanished again, or is stuck: the next owner change retries
                tracing::warn!("cannot read connmand's state: {e}");
                return;
            }
        }
        self.register_agent(AgentKind::Connman).await;
        // the snapshot is taken and sent under the lock: no other event can
        // come between (see `emit`)
        let state = self.state();
        self.emit(Event::ConnmanUp(Arc::new(state.clone())));
    }

    async fn vpn_appeared(&self, owner: String) {
        *self.vpn_owner.lock().unwrap() = Some(owner.clone());
        if let Some(a) = &self.agents {
            a.owners().set(AgentKind::Vpn, Some(owner));
        }
        let fetched = async {
            let m = uncached::<VpnManagerProxy>(&self.conn, "/").await?;
            self.calls.fetch_add(1, Ordering::Relaxed);
            bounded(CALL_TIMEOUT, m.get_connections()).await
        }
        .await;
        match fetched {
            Ok(list) => {
                let issues = self.state().reset_vpn(&paths(list));
                log_issues(&issues);
            }
            Err(e) => {
                // connman-vpnd missing or denied means "no VPN", quietly
                if !e.is_daemon_gone() && !e.is_permission_problem() {
                    tracing::warn!("cannot read connman-vpnd's connections: {e}");
                }
                *self.vpn_owner.lock().unwrap() = None;
                return;
            }
        }
        self.register_agent(AgentKind::Vpn).await;
        let state = self.state();
        self.emit(Event::VpnUp(Arc::new(state.vpn_connections.clone())));
    }

    /// Registers our agent with a daemon that just (re)appeared: a restart
    /// of connmand drops every agent it had.
    async fn register_agent(&self, kind: AgentKind) {
        if self.agents.is_none() {
            return;
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = agent::register(&self.conn, kind).await {
            if !(kind == AgentKind::Vpn && (e.is_daemon_gone() || e.is_permission_problem())) {
                tracing::warn!("cannot register the {kind:?} agent: {e}");
            }
        }
    }

    /// A daemon went away: its prompts will never be read.
    fn owner_lost(&self, kind: AgentKind) {
        if let Some(a) = &self.agents {
            a.owners().set(kind, None);
            a.cancel_pending(kind);
        }
    }

    /// Releases the [`Client::sync`] waiting for this answer, if any.
    fn release_barrier(&self, msg: &zbus::Message) {
        let header = msg.header();
        if !matches!(
            header.message_type(),
            MessageType::MethodReturn | MessageType::Error
        ) {
            return;
        }
        let Some(serial) = header.reply_serial() else {
            return;
        };
        if let Some(waiter) = self.barriers.lock().unwrap().remove(&serial.get()) {
            let _ = waiter.try_send(());
        }
    }

    async fn handle(&self, msg: &zbus::Message) {
        let header = msg.header();
        if header.message_type() != MessageType::Signal {
            return;
        }
        let (Some(iface), Some(member), Some(sender)) =
            (header.interface(), header.member(), header.sender())
        else {
            return;
        };
        let path = header.path().map(|p| p.to_string()).unwrap_or_default();
        let iface = iface.as_str();
        let member = member.as_str();
        let sender = sender.as_str();
        if iface == "org.freedesktop.DBus" && member == "NameOwnerChanged" {
            if sender != "org.freedesktop.DBus" {
                return;
            }
            if let Ok((name, _old, new)) = msg.body().deserialize::<(String, String, String)>() {
                self.owner_changed(&name, new).await;
            }
            return;
        }
        let from_connman = self.connman_owner.lock().unwrap().as_deref() == Some(sender);
        let from_vpn = self.vpn_owner.lock().unwrap().as_deref() == Some(sender);
        let body = msg.body();
        // held until the event is sent: events leave in the order of the
        // changes they carry
        let mut state = self.state();
        let (event, issues) = match (iface, member) {
            ("net.connman.Manager", "ServicesChanged") if from_connman => {
                // the paths borrowed from the message: a storm of these
                // carries every service each time
                match body.deserialize::<(PathDictsBorrowed<'_>, Vec<ObjectPath<'_>>)>() {
                    Ok((changed, removed)) => {
                        let (e, i) = state.services_changed(&changed, &removed);
                        (Some(e), i)
                    }
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.Manager", "PropertyChanged") if from_connman => {
                match body.deserialize::<(String, OwnedValue)>() {
                    Ok((name, value)) => {
                        let (e, i) = state.manager_property(&name, &value);
                        (Some(e), i)
                    }
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.Manager", "TechnologyAdded") if from_connman => {
                match body.deserialize::<(OwnedObjectPath, HashMap<String, OwnedValue>)>() {
                    Ok((p, dict)) => {
                        let (e, i) = state.technology_added(p.as_str(), &dict);
                        (Some(e), i)
                    }
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.Manager", "TechnologyRemoved") if from_connman => {
                match body.deserialize::<OwnedObjectPath>() {
                    Ok(p) => (state.technology_removed(p.as_str()), Vec::new()),
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.Service", "PropertyChanged") if from_connman => {
                match body.deserialize::<(String, OwnedValue)>() {
                    Ok((name, value)) => state.service_property(&path, &name, &value),
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.Technology", "PropertyChanged") if from_connman => {
                match body.deserialize::<(String, OwnedValue)>() {
                    Ok((name, value)) => state.technology_property(&path, &name, &value),
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.vpn.Manager", "ConnectionAdded") if from_vpn => {
                match body.deserialize::<(OwnedObjectPath, HashMap<String, OwnedValue>)>() {
                    Ok((p, dict)) => {
                        let (e, i) = state.vpn_connection_added(p.as_str(), &dict);
                        (Some(e), i)
                    }
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.vpn.Manager", "ConnectionRemoved") if from_vpn => {
                match body.deserialize::<OwnedObjectPath>() {
                    Ok(p) => (state.vpn_connection_removed(p.as_str()), Vec::new()),
                    Err(e) => return bad_signal(member, e),
                }
            }
            ("net.connman.vpn.Connection", "PropertyChanged") if from_vpn => {
                match body.deserialize::<(String, OwnedValue)>() {
                    Ok((name, value)) => state.vpn_connection_property(&path, &name, &value),
                    Err(e) => return bad_signal(member, e),
                }
            }
            _ => return,
        };
        if let Some(e) = event {
            self.emit(e);
        }
        drop(state);
        log_issues(&issues);
    }

    async fn owner_changed(&self, name: &str, new: String) {
        match name {
            CONNMAN => {
                if new.is_empty() {
                    *self.connman_owner.lock().unwrap() = None;
                    self.owner_lost(AgentKind::Connman);
                    let mut state = self.state();
                    state.connman_gone();
                    self.emit(Event::ConnmanDown);
                } else {
                    self.connman_appeared(new).await;
                }
            }
            CONNMAN_VPN => {
                if new.is_empty() {
                    *self.vpn_owner.lock().unwrap() = None;
                    self.owner_lost(AgentKind::Vpn);
                    let mut state = self.state();
                    state.vpn_gone();
                    self.emit(Event::VpnDown);
                } else {
                    self.vpn_appeared(new).await;
                }
            }
            _ => {}
        }
    }
}

/// connman-vpnd's connection behind connmand's VPN service: the service
/// `…/service/vpn_<id>` is the connection `…/vpn/connection/<id>`.
pub fn vpn_connection_path(service: &str) -> String {
    let id = super::types::service_id(service);
    format!(
        "/net/connman/vpn/connection/{}",
        id.strip_prefix("vpn_").unwrap_or(id)
    )
}

type PathDictsBorrowed<'m> = Vec<(ObjectPath<'m>, HashMap<String, OwnedValue>)>;

/// A signal whose arguments do not have connmand's types: logged, dropped.
fn bad_signal(member: &str, e: zbus::Error) {
    tracing::debug!("ignoring a {member} signal with unexpected arguments: {e}");
}
