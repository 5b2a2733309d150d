//! Helpers for the GTK tests (window, dialogs) against the lab: waits that
//! let the GLib main loop run, and a window on a lab's bus.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use connie::backend::Backend;
use connie::model::ServiceObject;
use connie::ui::Window;
#[allow(unused_imports)]
pub use connman_lab::testing::connmanctl_order;
use connman_lab::Lab;
use gtk::prelude::*;

/// Lets the main loop run until `cond` holds, for at most `secs` seconds.
pub async fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s: {what}"
        );
        glib::timeout_future(Duration::from_millis(50)).await;
    }
}

/// A backend following the lab's connmand, and its window, presented.
pub async fn window_on(lab: &Lab) -> (Backend, Window) {
    connie::ui::init().expect("GTK");
    let backend = Backend::new();
    start_on(&backend, lab).await;
    let window = Window::new(&backend, None);
    window.present();
    (backend, window)
}

/// Starts `backend` on the lab's bus (the client and its agents).
pub async fn start_on(backend: &Backend, lab: &Lab) {
    let conn = lab
        .connect()
        .await
        .map_err(|e| zbus::Error::Failure(e.to_string()));
    backend.start(conn).await;
    assert!(backend.client().is_some(), "the client started");
}

pub fn service(backend: &Backend, path: &str) -> Option<ServiceObject> {
    backend.models().services.get(path)
}

/// Counts the Strength changes connmand signals on the lab's bus, from now
/// until the returned task is aborted.
pub async fn count_strength_signals(
    lab: &Lab,
) -> (std::rc::Rc<std::cell::Cell<u32>>, glib::JoinHandle<()>) {
    let watch = lab.connect().await.expect("the lab's bus");
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface("net.connman.Service")
        .unwrap()
        .member("PropertyChanged")
        .unwrap()
        .build();
    let mut signals = zbus::MessageStream::for_match_rule(rule, &watch, None)
        .await
        .expect("a match rule on the lab's bus");
    let seen = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let count = seen.clone();
    let task = glib::spawn_future_local(async move {
        use futures_lite::StreamExt;
        while let Some(Ok(msg)) = signals.next().await {
            if msg
                .body()
                .deserialize::<(String, zbus::zvariant::Value)>()
                .is_ok_and(|(name, _)| name == "Strength")
            {
                count.set(count.get() + 1);
            }
        }
    });
    (seen, task)
}

/// A presenter that shows `backend`'s agent requests and tells it what its
/// dialogs learn (as the application wires it).
pub fn presenter_for(backend: &Backend) -> connie::ui::agent::Presenter {
    let presenter = connie::ui::agent::Presenter::new();
    presenter.set_backend(backend);
    let handler = presenter.clone();
    backend.set_agent_handler(move |request, client| handler.handle(request, client));
    presenter
}

/// Every toast `win` puts up from now on (its `toast` signal), oldest first.
pub fn record_toasts(win: &Window) -> std::rc::Rc<std::cell::RefCell<Vec<String>>> {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = seen.clone();
    win.connect_closure(
        "toast",
        false,
        glib::closure_local!(move |_: Window, title: String| {
            record.borrow_mut().push(title);
        }),
    );
    seen
}

/// Whether the pacer (`connie::model::pace`) takes `event` as news: anything but a strength
/// change or an order-only re-sort. News makes re-sorts urgent for `pace::URGENT`. (A
/// merged catch-up counts as news here: when waiting for a quiet moment, that errs on the
/// long side.)
pub fn is_news(event: &connie::connman::state::Event) -> bool {
    use connie::connman::state::Event;
    match event {
        Event::ServiceChanged { property, .. } => property != "Strength",
        Event::ServicesChanged {
            added,
            removed,
            updated,
            ..
        } => !(added.is_empty() && removed.is_empty() && updated.is_empty()),
        _ => true,
    }
}

/// When `backend` last handed on news (see [`is_news`]), from now on.
pub fn last_news(backend: &Backend) -> std::rc::Rc<std::cell::Cell<Instant>> {
    let last = std::rc::Rc::new(std::cell::Cell::new(Instant::now()));
    let seen = last.clone();
    backend.connect_event(move |e| {
        if is_news(e) {
            seen.set(Instant::now());
        }
    });
    last
}

/// Waits (at most `secs`) until `pace::URGENT` has passed since the last news: re-sorts and
/// strength changes are then held back at the pace again, not shown at once.
pub async fn wait_paced(secs: u64, last_news: &std::cell::Cell<Instant>) {
    wait_until(secs, "re-sorts paced again (no news for URGENT)", || {
        last_news.get().elapsed() >= connie::model::pace::URGENT
    })
    .await;
}

/// Asserts that no two of `times` are closer than `pace` (what a pacer promises for the
/// updates it holds back and hands on merged).
pub fn assert_paced(what: &str, times: &[Instant], pace: Duration) {
    for pair in times.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(
            gap >= pace,
            "{what}: two updates {gap:?} apart (the pace is {pace:?}); all: {:?}",
            times
                .iter()
                .map(|t| t.duration_since(times[0]))
                .collect::<Vec<_>>()
        );
    }
}

/// Returns once every future spawned on the main loop before now has run up to its first
/// wait: a future spawned now is dispatched after them (same priority, attached later).
pub async fn main_loop_round_trip() {
    glib::spawn_future_local(async {})
        .await
        .expect("a future on the main loop");
}

/// Returns once every agent call connmand made before now has been handled by the backend's
/// agent handler (the presenter): `agent_caught_up` from another connection (each call is
/// forwarded as it is handled), then a round trip through the main loop, where the
/// forwarded requests are taken.
pub async fn agent_settled(lab: &Lab, backend: &Backend) {
    let client = backend.client().expect("client started");
    let agent = client
        .connection()
        .unique_name()
        .expect("a unique name")
        .to_string();
    let other = lab.connect().await.expect("a second connection");
    connman_lab::testing::agent_caught_up(&other, &agent, connie::connman::agent::AGENT_PATH).await;
    main_loop_round_trip().await;
}
