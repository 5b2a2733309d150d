//! The backend: the ConnMan client, its agents' plumbing and the models it
//! keeps current, on the GLib main context, without GTK. The window, the
//! tray and the dialogs use it; it uses none of them.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

pub mod commands;
pub mod outcome;
pub mod provision;
pub mod share;
mod vpn;

pub use outcome::{Failure, Outcome};

use crate::connman::agent::AgentRequest;
use crate::connman::client::Client;
use crate::connman::state::Event;
use crate::connman::ConnmanError;
use crate::model::pace::{self, Decision, Pacer};
use crate::model::Models;

/// Why a VPN server's certificate was not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untrusted {
    /// The person said no.
    Refused,
    /// Connie could not look at it, and the VPN would take any.
    Unseen,
}

/// Connects of ours, for deciding what their failures mean (see
/// [`outcome`]): what the agent's dialogs saw of them, and which failures a
/// dialog explains.
#[derive(Default)]
struct Attempts {
    /// Services whose `Connect` of ours is under way.
    in_flight: HashSet<String>,
    /// The person canceled the prompt (or the connecting) of these.
    canceled: HashSet<String>,
    /// connmand reported an error for these to the agent.
    reported: HashSet<String>,
    /// Connie answered a VPN's login for these (user name, password…).
    answered: HashSet<String>,
    /// The VPN server's certificate was not trusted (see
    /// [`crate::vpn::certificate`]): their failing `Connect` says why.
    untrusted: HashMap<String, Untrusted>,
    /// The last `Connect` of ours of these failed in a way a dialog
    /// explains, or was canceled: their failure is told already. Until the
    /// next attempt (ours, or connmand's own: the service connects again).
    told: HashSet<String>,
}

/// Takes the agents' requests on the main context.
type AgentHandler = Rc<dyn Fn(AgentRequest, &Client)>;

/// Hands the client's events to the models, then to the listeners, at the
/// pace the [`Pacer`] sets: strength changes and the re-sorts they cause wait
/// for at most [`pace::PACE`] and go on together.
#[derive(Clone)]
struct Forward {
    models: Models,
    listeners: EventListeners,
    pacer: Rc<RefCell<Pacer>>,
    /// Hands on what is held back when the pace allows.
    timer: Rc<RefCell<Option<glib::SourceId>>>,
}

impl Forward {
    fn event(&self, event: Event) {
        let decision = self.pacer.borrow_mut().on_event(&event, Instant::now());
        match decision {
            Decision::Defer => {
                if self.timer.borrow().is_none() {
                    let forward = self.clone();
                    let id = glib::timeout_add_local_once(pace::PACE, move || {
                        forward.timer.take();
                        let held = forward.pacer.borrow_mut().take();
                        if let Some(held) = held {
                            forward.apply(&held);
                        }
                    });
                    self.timer.replace(Some(id));
                }
            }
            Decision::Apply { catch_up } => {
                if let Some(held) = catch_up {
                    if let Some(id) = self.timer.take() {
                        id.remove();
                    }
                    self.apply(&held);
                }
                self.apply(&event);
            }
        }
    }

    /// The models take the values the event carries: no lock is held while
    /// they, their notifications' handlers and the listeners run.
    fn apply(&self, event: &Event) {
        self.models.apply(event);
        tell(&self.listeners, event);
        if matches!(event, Event::ConnmanUp(_)) {
            give_back_memory_soon();
        }
    }
}

/// Calls every listener with `event` (a copy of the list: a listener may add
/// another).
fn tell(listeners: &EventListeners, event: &Event) {
    let current = listeners.borrow().clone();
    for listener in current {
        listener(event);
    }
}

/// Starts the client and its agents on `conn`, or says why not.
async fn start_client(conn: zbus::Result<zbus::Connection>) -> Started {
    match conn {
        Ok(conn) => Client::start_with_agents(conn).await,
        Err(e) => Err(ConnmanError::from(e)),
    }
}

/// A started client and its agents' requests, or why it did not start.
type Started = Result<(Client, async_channel::Receiver<AgentRequest>), ConnmanError>;

/// Hears of every change, after the models have taken it.
type EventListener = Rc<dyn Fn(&Event)>;
type EventListeners = Rc<RefCell<Vec<EventListener>>>;

struct BackendInner {
    models: Models,
    client: RefCell<Option<Client>>,
    forwarder: RefCell<Option<glib::JoinHandle<()>>>,
    agent_forwarder: RefCell<Option<glib::JoinHandle<()>>>,
    agent_handler: Rc<RefCell<Option<AgentHandler>>>,
    attempts: RefCell<Attempts>,
    listeners: EventListeners,
    /// The client starting in the background (see `start_system`).
    pending: RefCell<Option<async_channel::Receiver<Started>>>,
    /// The client could not start (no system bus).
    start_failed: Cell<bool>,
    /// Holds back the strength storm (see [`crate::model::pace`]).
    pacer: Rc<RefCell<Pacer>>,
}

impl Drop for BackendInner {
    fn drop(&mut self) {
        for task in [self.forwarder.take(), self.agent_forwarder.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }
}

/// A [`Backend`] that may be gone.
#[derive(Clone)]
pub struct WeakBackend(std::rc::Weak<BackendInner>);

impl WeakBackend {
    pub fn upgrade(&self) -> Option<Backend> {
        self.0.upgrade().map(|inner| Backend { inner })
    }
}

/// The ConnMan client and the models it keeps current, on the main thread,
/// and the commands the window, the tray and the dialogs give it (see
/// [`commands`]), each ending in an [`Outcome`]. Cheap to clone; GTK-free.
#[derive(Clone)]
pub struct Backend {
    inner: Rc<BackendInner>,
}

impl Default for Backend {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend {
    pub fn new() -> Self {
        let backend = Backend {
            inner: Rc::new(BackendInner {
                models: Models::new(),
                client: RefCell::new(None),
                forwarder: RefCell::new(None),
                agent_forwarder: RefCell::new(None),
                agent_handler: Rc::new(RefCell::new(None)),
                attempts: RefCell::default(),
                listeners: EventListeners::default(),
                pending: RefCell::new(None),
                start_failed: Cell::new(false),
                pacer: Rc::new(RefCell::new(Pacer::new())),
            }),
        };
        let weak = backend.downgrade();
        backend.connect_event(move |event| {
            if let Some(backend) = weak.upgrade() {
                backend.follow_attempts(event);
            }
        });
        backend
    }

    pub fn models(&self) -> &Models {
        &self.inner.models
    }

    /// Whether the client could not start (the system bus is unreachable).
    pub fn start_failed(&self) -> bool {
        self.inner.start_failed.get()
    }

    /// The client, once started.
    pub fn client(&self) -> Option<Client> {
        self.inner.client.borrow().clone()
    }

    /// A handle that does not keep the backend alive (for whom the backend
    /// holds, such as the agents' handler).
    pub fn downgrade(&self) -> WeakBackend {
        WeakBackend(Rc::downgrade(&self.inner))
    }

    /// The person canceled the agent's prompt for `path` (a `Connect` of
    /// ours failing now is no failure).
    pub fn note_canceled(&self, path: &str) {
        self.inner
            .attempts
            .borrow_mut()
            .canceled
            .insert(path.to_owned());
    }

    /// Connie answered the login of the VPN behind `path` (a VPN's
    /// service): a failure after it may be the server refusing it.
    pub fn note_answered(&self, path: &str) {
        self.inner
            .attempts
            .borrow_mut()
            .answered
            .insert(path.to_owned());
    }

    /// The certificate of the VPN server behind `path` (a VPN's service)
    /// was not trusted, for `why`: the `Connect` it fails is said as that.
    pub fn note_untrusted(&self, path: &str, why: Untrusted) {
        self.inner
            .attempts
            .borrow_mut()
            .untrusted
            .insert(path.to_owned(), why);
    }

    /// connmand reported an error for `path` to the agent (its dialog says
    /// why a `Connect` of ours failed).
    pub fn note_reported(&self, path: &str) {
        self.inner
            .attempts
            .borrow_mut()
            .reported
            .insert(path.to_owned());
    }

    /// Whether the failure of `path` is told already: a `Connect` of ours is
    /// under way (connmand reports its failure to the agent, whose dialog
    /// says why), or ended in a failure a dialog explains or a cancel. A
    /// notification of the same failure would say it twice.
    pub fn failure_told(&self, path: &str) -> bool {
        let attempts = self.inner.attempts.borrow();
        attempts.in_flight.contains(path) || attempts.told.contains(path)
    }

    /// Who answers the agents' requests (the presenter). Without a handler
    /// a request is dropped, which answers it as canceled.
    pub fn set_agent_handler(&self, handler: impl Fn(AgentRequest, &Client) + 'static) {
        self.inner.agent_handler.replace(Some(Rc::new(handler)));
    }

    /// Calls `f` for every change, after the models took it (and once when
    /// the client has started, as `ConnmanUp`). `f` may read
    /// [`Client::state`]: the forwarder holds no lock when it calls.
    pub fn connect_event(&self, f: impl Fn(&Event) + 'static) {
        self.inner.listeners.borrow_mut().push(Rc::new(f));
    }

    /// connmand is about to re-sort the services because the person asked
    /// for it (a move): show its new order at once, not at the storm's pace.
    pub fn hurry(&self) {
        self.inner.pacer.borrow_mut().hurry(Instant::now());
    }

    /// Connects to the system bus (`DBUS_SYSTEM_BUS_ADDRESS` picks another
    /// one, such as the lab's) in the background.
    ///
    /// The connection and the client's start-up calls run on a thread of
    /// their own, so they overlap GTK's start when a window opens at once;
    /// the window then takes the result as it is built ([`Self::poll_start`])
    /// and its first frame shows the services, not a "starting" page.
    pub fn start_system(&self) {
        let (tx, rx) = async_channel::bounded(1);
        let thread = std::thread::Builder::new()
            .name("connie-start".into())
            .spawn(move || {
                let started =
                    zbus::block_on(async { start_client(zbus::Connection::system().await).await });
                let _ = tx.send_blocking(started);
            });
        if let Err(e) = thread {
            self.started(Err(ConnmanError::Local(e.to_string())));
            return;
        }
        self.inner.pending.replace(Some(rx.clone()));
        let backend = self.clone();
        glib::spawn_future_local(async move {
            let result = rx.recv().await;
            // taken already by poll_start
            if backend.inner.pending.take().is_none() {
                return;
            }
            backend.started(result.unwrap_or_else(|_| {
                Err(ConnmanError::Local(
                    "the start-up thread ended without a result".to_owned(),
                ))
            }));
        });
    }

    /// Follows the client now if it has started in the background and is
    /// not followed yet (a window about to be built wants it).
    pub fn poll_start(&self) {
        let ready = self
            .inner
            .pending
            .borrow()
            .as_ref()
            .and_then(|rx| rx.try_recv().ok());
        if let Some(started) = ready {
            self.inner.pending.take();
            self.started(started);
        }
    }

    /// Starts the client on `conn` and follows its events. A connection that
    /// failed is shown as "the system bus cannot be reached", not a panic.
    /// Must run on the main context (from `glib::spawn_future_local` or a
    /// `block_on` of the default context).
    pub async fn start(&self, conn: zbus::Result<zbus::Connection>) {
        self.started(start_client(conn).await);
    }

    /// Follows a client that started, or says why it did not.
    fn started(&self, started: Started) {
        let (client, requests) = match started {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("cannot reach ConnMan over the system bus: {e}");
                self.inner.models.manager.set_bus_failed(&e.to_string());
                self.inner.start_failed.set(true);
                tell(&self.inner.listeners, &Event::ConnmanDown);
                return;
            }
        };
        // subscribed and copied under the state's lock, which the client
        // holds while it sends: the events are exactly those after the copy
        let (events, snapshot) = {
            let state = client.state();
            (client.events(), Arc::new(state.clone()))
        };
        self.inner.models.reset(&snapshot);
        self.inner.client.replace(Some(client.clone()));
        // the forwarder holds the models, not the backend: dropping the
        // backend aborts it
        let forward = Forward {
            models: self.inner.models.clone(),
            listeners: self.inner.listeners.clone(),
            pacer: self.inner.pacer.clone(),
            timer: Rc::new(RefCell::new(None)),
        };
        let task = glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                forward.event(event);
            }
        });
        self.inner.forwarder.replace(Some(task));
        let handler = self.inner.agent_handler.clone();
        let agents_client = self.inner.client.borrow().clone();
        let Some(agents_client) = agents_client else {
            return;
        };
        let task = glib::spawn_future_local(async move {
            while let Ok(request) = requests.recv().await {
                let current = handler.borrow().clone();
                match current {
                    Some(handle) => handle(request, &agents_client),
                    // dropped: the responder answers for it
                    None => drop(request),
                }
            }
        });
        self.inner.agent_forwarder.replace(Some(task));
        tell(&self.inner.listeners, &Event::ConnmanUp(snapshot));
        give_back_memory_soon();
    }
}

/// Once what a (re)start fetched is in the models and drawn: returns the
/// pages its replies and copies freed (see [`crate::memory`]).
fn give_back_memory_soon() {
    // on the context the backend runs on (the thread's, as its futures)
    glib::MainContext::ref_thread_default().spawn_local_with_priority(
        glib::Priority::DEFAULT_IDLE,
        async {
            crate::memory::give_back_free_pages();
        },
    );
}
