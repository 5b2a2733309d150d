//! When a window has finished drawing, seen from outside: the X server's
//! DAMAGE events on the root window (every drawing on the screen, as a VNC
//! server sees it), timed as they arrive. The same measure serves Connie and
//! connman-gtk, which cannot say when its first frame is painted.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::damage::{ConnectionExt as _, ReportLevel};
use x11rb::protocol::Event;

pub struct DamageWatch {
    seen: Arc<Mutex<Vec<Instant>>>,
}

impl DamageWatch {
    /// Watches the root window of `display` from now on.
    pub fn start(display: &str) -> DamageWatch {
        let (conn, screen) = x11rb::connect(Some(display)).expect("the bench's X server");
        let root = conn.setup().roots[screen].root;
        conn.damage_query_version(1, 1)
            .expect("DAMAGE request")
            .reply()
            .expect("the X server's DAMAGE extension");
        let damage = conn.generate_id().expect("an X id");
        conn.damage_create(damage, root, ReportLevel::RAW_RECTANGLES)
            .expect("DamageCreate");
        conn.flush().expect("X flush");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        std::thread::spawn(move || {
            while let Ok(event) = conn.wait_for_event() {
                if let Event::DamageNotify(_) = event {
                    sink.lock().unwrap().push(Instant::now());
                }
            }
        });
        DamageWatch { seen }
    }

    /// The time of the last drawing after `since` that was followed by
    /// `quiet` with none: when a window that started at `since` finished
    /// drawing what it shows first. None if nothing was drawn, or drawing
    /// never paused within `limit`.
    pub fn settled(&self, since: Instant, quiet: Duration, limit: Duration) -> Option<Instant> {
        loop {
            let now = Instant::now();
            let last = self
                .seen
                .lock()
                .unwrap()
                .iter()
                .rev()
                .find(|t| **t >= since)
                .copied();
            match last {
                Some(t) if now.duration_since(t) >= quiet => return Some(t),
                _ if now.duration_since(since) > limit => return None,
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}
