//! When a window has finished drawing, seen from outside: the X server's
//! DAMAGE events on the root window (every drawing on the screen, as a VNC
//! server sees it), timed as they arrive. The same measure serves Connie and
//! connman-gtk, which cannot say when its first frame is painted.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::damage::{ConnectionExt as _, ReportLevel};
use x11rb::protocol::Event;

/// A drawing: when it was seen, and where (root coordinates).
type Drawn = (Instant, Rect);

/// x, y, width, height.
pub type Rect = (i32, i32, i32, i32);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

pub struct DamageWatch {
    seen: Arc<Mutex<Vec<Drawn>>>,
    display: String,
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
                if let Event::DamageNotify(e) = event {
                    let a = e.area;
                    let rect = (a.x.into(), a.y.into(), a.width.into(), a.height.into());
                    sink.lock().unwrap().push((Instant::now(), rect));
                }
            }
        });
        DamageWatch {
            seen,
            display: display.to_owned(),
        }
    }

    /// The time of the last drawing after `since` in the visible window of
    /// process `pid` that was followed by `quiet` with none there: when a
    /// window that started at `since` finished drawing what it shows first.
    /// None if no window showed, or its drawing never paused, within
    /// `limit`.
    pub fn settled(
        &self,
        pid: u32,
        since: Instant,
        quiet: Duration,
        limit: Duration,
    ) -> Option<Instant> {
        let area = loop {
            if let Some(area) = window_area(&self.display, pid) {
                break area;
            }
            if since.elapsed() > limit {
                return None;
            }
            // coarse: the time comes from the X server's events, and
            // xdotool must not take the CPU from the start being timed
            std::thread::sleep(Duration::from_millis(100));
        };
        loop {
            let now = Instant::now();
            match self.last_drawn(area, Some(since)) {
                Some(t) if now.duration_since(t) >= quiet => return Some(t),
                _ if now.duration_since(since) > limit => return None,
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl DamageWatch {
    /// Waits (at most `limit`) until the visible window of `pid` has not been
    /// drawn on for `quiet` (at once if it has no window); false if it still
    /// draws.
    pub fn quiet(&self, pid: u32, quiet: Duration, limit: Duration) -> bool {
        let start = Instant::now();
        let Some(area) = window_area(&self.display, pid) else {
            return true;
        };
        loop {
            let last = self.last_drawn(area, None);
            let now = Instant::now();
            match last {
                Some(t) if now.duration_since(t) < quiet => {}
                _ => return true,
            }
            if now.duration_since(start) > limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// When the X server last reported drawing in `area` (at or after
    /// `since`, if given).
    fn last_drawn(&self, area: Rect, since: Option<Instant>) -> Option<Instant> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(t, r)| since.is_none_or(|s| *t >= s) && overlaps(*r, area))
            .map(|(t, _)| *t)
    }

    /// Waits (at most `limit`) until process `pid` shows no window any more
    /// (the X server has destroyed those of a client that went away); false
    /// if one is still there.
    pub fn gone(&self, pid: u32, limit: Duration) -> bool {
        let since = Instant::now();
        while window_area(&self.display, pid).is_some() {
            if since.elapsed() > limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

/// Where the visible window of process `pid` is (xdotool, a test package).
fn window_area(display: &str, pid: u32) -> Option<Rect> {
    let run = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("xdotool")
            .args(args)
            .env("DISPLAY", display)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let pid = pid.to_string();
    let ids = run(&["search", "--onlyvisible", "--pid", &pid])?;
    // the largest of its visible windows (GTK may map small helpers)
    ids.split_whitespace()
        .filter_map(|id| {
            let shell = run(&["getwindowgeometry", "--shell", id])?;
            let value = |key: &str| -> Option<i32> {
                shell
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.trim().parse().ok())
            };
            Some((
                value("X=")?,
                value("Y=")?,
                value("WIDTH=")?,
                value("HEIGHT=")?,
            ))
        })
        .max_by_key(|r| r.2 * r.3)
}
