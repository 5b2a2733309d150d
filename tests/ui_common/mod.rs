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
