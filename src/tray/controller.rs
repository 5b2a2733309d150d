//! The tray icon's life on the main context: follows the backend's changes
//! (coalesced), serves the item through ksni, runs what its menu asks, and
//! sends the notifications. GTK-free: what concerns the window goes to the
//! application through [`Hooks`].
//!
//! Coalescing: a change schedules one refresh; more changes before it runs
//! join it. A strength change waits longer ([`SLOW`]) than any other change
//! ([`FAST`]), so a storm of strength changes costs a handful of tray updates
//! a second at most, and an update is sent only when what the host shows
//! changed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_lite::FutureExt;
use ksni::TrayMethods;

use super::item::ConnieTray;
use super::look::{self, Command, Entry, Look};
use crate::backend::{Backend, Outcome};
use crate::connman::state::{Event, State};
use crate::i18n::gettext;
use crate::notify::{self, Category, Notice, Notifier, Snapshot};
use crate::prefs::{self, Prefs};

/// The delay before a refresh after most changes.
pub const FAST: Duration = Duration::from_millis(100);
/// The delay after a strength change (a storm of them joins one refresh).
pub const SLOW: Duration = Duration::from_millis(1000);

/// What the tray asks of the window side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRequest {
    /// Present the window.
    Open,
    /// Present it, or close it if it is shown.
    Toggle,
    /// Quit Connie.
    Quit,
}

/// The application's side: window requests, and whether a tray host is
/// there (`Some(true)`), not there (`Some(false)`).
pub struct Hooks {
    pub window: Box<dyn Fn(WindowRequest)>,
    pub host: Box<dyn Fn(bool)>,
}

struct Inner {
    backend: Backend,
    prefs: Prefs,
    notifier: Notifier,
    hooks: Hooks,
    handle: RefCell<Option<ksni::Handle<ConnieTray>>>,
    /// What the host was last sent.
    shown: RefCell<Option<(Look, Vec<Entry>, bool)>>,
    /// What the last notification decision was made on.
    snapshot: RefCell<Snapshot>,
    /// The pending refresh and when it runs.
    timer: RefCell<Option<(glib::SourceId, Instant)>>,
    host: Cell<Option<bool>>,
    tasks: RefCell<Vec<glib::JoinHandle<()>>>,
    /// Refreshes and tray updates sent, for the tests and the bench.
    updates: Cell<u64>,
    /// [`shape`] of the state last refreshed.
    shape: Cell<u64>,
    last_sent: Cell<Option<Instant>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some((id, _)) = self.timer.take() {
            id.remove();
        }
        for t in self.tasks.take() {
            t.abort();
        }
        if let Some(h) = self.handle.take() {
            // the request is sent now; nothing needs to wait for it
            drop(h.shutdown());
        }
    }
}

/// The tray icon and the notifications; cheap to clone (shared).
#[derive(Clone)]
pub struct Tray {
    inner: Rc<Inner>,
}

impl Tray {
    /// Starts following `backend` and serving the item on the session bus
    /// (`DBUS_SESSION_BUS_ADDRESS`). `hooks.host` hears whether a tray host
    /// took the item, once it is known and whenever that changes.
    pub fn start(backend: &Backend, prefs: &Prefs, notifier: Notifier, hooks: Hooks) -> Tray {
        Tray::start_with(backend, prefs, notifier, hooks, true)
    }

    /// As [`Tray::start`], without the icon (`connie --no-tray`): the
    /// notifications only. [`Tray::host`] is `Some(false)` at once, and
    /// `hooks.host` is never called (nobody needs telling).
    pub fn start_without_icon(
        backend: &Backend,
        prefs: &Prefs,
        notifier: Notifier,
        hooks: Hooks,
    ) -> Tray {
        Tray::start_with(backend, prefs, notifier, hooks, false)
    }

    fn start_with(
        backend: &Backend,
        prefs: &Prefs,
        notifier: Notifier,
        hooks: Hooks,
        icon: bool,
    ) -> Tray {
        let tray = Tray {
            inner: Rc::new(Inner {
                backend: backend.clone(),
                prefs: prefs.clone(),
                notifier,
                hooks,
                handle: RefCell::new(None),
                shown: RefCell::new(None),
                snapshot: RefCell::new(Snapshot::default()),
                timer: RefCell::new(None),
                host: Cell::new(None),
                tasks: RefCell::new(Vec::new()),
                updates: Cell::new(0),
                shape: Cell::new(0),
                last_sent: Cell::new(None),
            }),
        };
        let weak = Rc::downgrade(&tray.inner);
        backend.connect_event(move |event| {
            if let Some(inner) = weak.upgrade() {
                let delay = match event {
                    Event::ServiceChanged { property, .. } if property == "Strength" => SLOW,
                    _ => FAST,
                };
                Tray { inner }.schedule(delay);
            }
        });
        let weak = Rc::downgrade(&tray.inner);
        prefs.connect_changed(move |key, _| {
            if key == prefs::TRAY_ATTENTION_ONLY {
                if let Some(inner) = weak.upgrade() {
                    Tray { inner }.schedule(Duration::ZERO);
                }
            }
        });

        if !icon {
            tray.inner.host.set(Some(false));
            return tray;
        }
        let (tx, commands) = async_channel::unbounded();
        let (look, entries, _, _) = tray.read();
        let mut item = ConnieTray::new(&State::default(), tx);
        let attention_only = prefs.tray_attention_only();
        item.set(look.clone(), entries.clone(), attention_only);
        tray.inner
            .shown
            .replace(Some((look, entries, attention_only)));
        let host = item.host_flag();
        let weak = Rc::downgrade(&tray.inner);
        let spawn = glib::spawn_future_local(async move {
            let result = item.assume_sni_available(true).spawn().await;
            let Some(inner) = weak.upgrade() else { return };
            let this = Tray { inner };
            match result {
                Ok(handle) => {
                    this.inner.handle.replace(Some(handle));
                    // a refresh that ran while the item was starting
                    this.inner.shown.replace(None);
                    this.schedule(Duration::ZERO);
                    this.set_host(host.load(Ordering::SeqCst));
                }
                Err(e) => {
                    tracing::warn!("cannot show a tray icon: {e}");
                    this.set_host(false);
                }
            }
        });
        let weak = Rc::downgrade(&tray.inner);
        let listen = glib::spawn_future_local(async move {
            while let Ok(command) = commands.recv().await {
                let Some(inner) = weak.upgrade() else { return };
                Tray { inner }.run(command);
            }
        });
        tray.inner.tasks.borrow_mut().extend([spawn, listen]);
        tray
    }

    /// Whether a tray host has the item (`None` until known).
    pub fn host(&self) -> Option<bool> {
        self.inner.host.get()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// How many refreshes sent something to the host.
    pub fn updates_sent(&self) -> u64 {
        self.inner.updates.get()
    }

    /// Ends the item (the host removes the icon).
    pub async fn shutdown(&self) {
        let handle = self.inner.handle.take();
        if let Some(h) = handle {
            h.shutdown().await;
        }
    }

    fn set_host(&self, present: bool) {
        if self.inner.host.get() == Some(present) {
            return;
        }
        self.inner.host.set(Some(present));
        (self.inner.hooks.host)(present);
    }

    /// What the host is to show, the notification snapshot and the shape
    /// hash, from the client's state. Before the client has started (or
    /// failed to), the icon says Connie is connecting to ConnMan, not that
    /// ConnMan is missing.
    fn read(&self) -> (Look, Vec<Entry>, Snapshot, u64) {
        let of = |state: &State| {
            (
                look::look(state),
                look::menu(state),
                Snapshot::of(state),
                shape(state),
            )
        };
        match self.inner.backend.client() {
            Some(client) => of(&client.state()),
            None => {
                let mut read = of(&State::default());
                if !self.inner.backend.start_failed() {
                    read.0.icon = "network-offline-symbolic";
                    read.0.tooltip = gettext("Connecting to ConnMan…");
                }
                read
            }
        }
    }

    /// Runs a refresh after `delay`, unless one is due sooner.
    fn schedule(&self, delay: Duration) {
        let due = Instant::now() + delay;
        if let Some((_, at)) = &*self.inner.timer.borrow() {
            if *at <= due {
                return;
            }
        }
        if let Some((id, _)) = self.inner.timer.take() {
            id.remove();
        }
        let weak = Rc::downgrade(&self.inner);
        let id = glib::timeout_add_local_once(delay, move || {
            if let Some(inner) = weak.upgrade() {
                inner.timer.take();
                Tray { inner }.refresh();
            }
        });
        self.inner.timer.replace(Some((id, due)));
    }

    fn refresh(&self) {
        let (look, entries, snapshot, key) = self.read();
        let before = self.inner.snapshot.replace(snapshot.clone());
        let (failures, said): (Vec<Notice>, Vec<Notice>) = notify::notices(&before, &snapshot)
            .into_iter()
            .filter(|n| self.inner.prefs.notify(n.category))
            .partition(|n| n.category == Category::Failure && n.about.is_some());
        if let Some(notice) = notify::merge(&said) {
            self.notify(notice);
        }
        // a failure of a connect of ours is told by the agent's dialog
        for notice in failures {
            let path = notice.about.as_deref().unwrap_or_default();
            if !self.inner.backend.failure_told(path) {
                self.notify(notice);
            }
        }

        let attention_only = self.inner.prefs.tray_attention_only();
        let next = (look, entries, attention_only);
        if self.inner.shown.borrow().as_ref() == Some(&next) {
            return;
        }
        let Some(handle) = self.inner.handle.borrow().clone() else {
            return;
        };
        // Only strengths (and the order they sort services in) changed: at
        // most one update per SLOW interval. connmand follows each Strength
        // change with a ServicesChanged, so the events alone cannot tell.
        let urgent = self.inner.shape.replace(key) != key;
        if !urgent {
            if let Some(last) = self.inner.last_sent.get() {
                let due = last + SLOW;
                let now = Instant::now();
                if due > now {
                    self.schedule(due - now);
                    return;
                }
            }
        }
        self.inner.last_sent.set(Some(Instant::now()));
        self.inner.shown.replace(Some(next.clone()));
        self.inner.updates.set(self.inner.updates.get() + 1);
        let (look, entries, attention_only) = next;
        glib::spawn_future_local(async move {
            handle
                .update(move |t| t.set(look, entries, attention_only))
                .await;
        });
    }

    fn notify(&self, notice: Notice) {
        let notifier = self.inner.notifier.clone();
        glib::spawn_future_local(async move { notifier.show(&notice).await });
    }

    /// Tells how a command ended, if it failed (and failures are to be
    /// told).
    fn tell(&self, outcome: &Outcome) {
        let Some(failure) = outcome.failure() else {
            return;
        };
        if !self.inner.prefs.notify(Category::Failure) {
            return;
        }
        self.notify(Notice {
            about: None,
            category: Category::Failure,
            summary: failure.title.clone(),
            body: failure.body(),
        });
    }

    /// Runs a command from the menu (or the host).
    pub fn run(&self, command: Command) {
        let hooks = &self.inner.hooks;
        let backend = self.inner.backend.clone();
        let outcome = match command {
            Command::OpenWindow => return (hooks.window)(WindowRequest::Open),
            Command::ToggleWindow => return (hooks.window)(WindowRequest::Toggle),
            Command::Quit => return (hooks.window)(WindowRequest::Quit),
            Command::HostAppeared => return self.set_host(true),
            Command::HostGone => return self.set_host(false),
            Command::Connect(path) | Command::ConnectHidden(path) => backend.connect(&path),
            Command::Disconnect(path) => {
                async move { backend.disconnect(&path).await }.boxed_local()
            }
            Command::SetPowered(path, on) => {
                async move { backend.set_powered(&path, on).await }.boxed_local()
            }
            Command::SetOffline(on) => async move { backend.set_offline(on).await }.boxed_local(),
            Command::Rescan(path) => backend.scan(&path),
        };
        let this = self.clone();
        glib::spawn_future_local(async move { this.tell(&outcome.await) });
    }
}

/// A hash of what makes a tray update urgent: which services exist, their
/// names, states and saved flags, the technologies' power, airplane mode,
/// whether connmand runs. Not strengths, not the order.
fn shape(state: &State) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut services: Vec<_> = state
        .services_in_order()
        .map(|(p, s)| (p, s.state.as_str(), s.name.as_deref(), s.favorite))
        .collect();
    services.sort_unstable();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    services.hash(&mut h);
    for (p, t) in &state.technologies {
        (p, t.powered, t.connected).hash(&mut h);
    }
    (state.connman_running, state.manager.offline_mode).hash(&mut h);
    h.finish()
}
