//! The real `connie` binary with and without a tray host: what closing the
//! window means, `--hidden`, and a host that appears later. Each test runs
//! Connie against a lab's real connmand, on a private session bus where it
//! plays the host (a StatusNotifierWatcher) or leaves it out, on the test
//! run's X display (Xvfb). Windows are found by Connie's PID (`xdotool`);
//! the application's actions are called over D-Bus (`org.gtk.Actions`), as
//! `gapplication action` would. Every wait is bounded; Connie is ended by
//! its PID if a test fails.

mod tray_common;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connman_lab::testing::{within, PrivateBus, StatusWatcher};
use connman_lab::{Lab, LabOptions};
use tray_common::ItemView;
use zbus::zvariant::Value;

struct Connie {
    child: Child,
    config: std::path::PathBuf,
    /// What Connie printed on stderr so far, read as it comes.
    said: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Connie {
    fn start(lab: &Lab, bus: &PrivateBus, args: &[&str], tag: &str) -> Connie {
        let config =
            std::env::temp_dir().join(format!("connie-process-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&config);
        std::fs::create_dir_all(&config).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_connie"))
            .args(args)
            .env("DBUS_SYSTEM_BUS_ADDRESS", lab.bus_address())
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .env("XDG_CONFIG_HOME", &config)
            .env("GTK_A11Y", "none")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start connie");
        let said = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().expect("piped stderr");
        let sink = said.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                let mut said = sink.lock().unwrap();
                said.push_str(&line);
                said.push('\n');
            }
        });
        Connie {
            child,
            config,
            said,
            reader: Some(reader),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    /// Waits at most `secs` for Connie to exit; its exit status.
    fn wait_exit(&mut self, secs: u64) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "connie still runs after {secs} s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What Connie said on stderr (all of it, once it exited).
    fn stderr(&mut self) -> String {
        if !self.running() {
            if let Some(reader) = self.reader.take() {
                let _ = reader.join();
            }
        }
        self.said.lock().unwrap().clone()
    }

    /// Waits at most `secs` for Connie to print a line containing `text`.
    fn wait_said(&self, text: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !self.said.lock().unwrap().contains(text) {
            assert!(
                Instant::now() < deadline,
                "connie did not say {text:?} within {secs} s: {}",
                self.said.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether a window of Connie's is mapped.
    fn window_shown(&self) -> bool {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--pid", &self.pid().to_string()])
            .output()
            .expect("xdotool (make deps installs it)");
        !String::from_utf8_lossy(&out.stdout).trim().is_empty()
    }

    fn wait_window(&self, shown: bool, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.window_shown() != shown {
            assert!(
                Instant::now() < deadline,
                "the window is {} after {secs} s",
                if shown { "not shown" } else { "still shown" }
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Connie {
    fn drop(&mut self) {
        if self.running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.config);
    }
}

/// Calls the application's action `name` over D-Bus.
fn app_action(bus: &PrivateBus, name: &str) {
    zbus::block_on(async {
        let conn = bus.connect().await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let reply = conn
                .call_method(
                    Some("io.github.connie.Connie"),
                    "/io/github/connie/Connie",
                    Some("org.gtk.Actions"),
                    "Activate",
                    &(
                        name,
                        Vec::<Value<'_>>::new(),
                        std::collections::HashMap::<&str, Value<'_>>::new(),
                    ),
                )
                .await;
            match reply {
                Ok(_) => return,
                // not on the bus yet
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    async_io::Timer::after(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("app.{name}: {e}"),
            }
        }
    });
}

/// A round trip through Connie's main loop (`org.gtk.Actions.List`, answered
/// there): everything the loop did before has happened, its X requests
/// included (GDK flushes them on every iteration), and Connie still runs.
fn app_round_trip(bus: &PrivateBus) {
    zbus::block_on(async {
        let conn = bus.connect().await;
        within(
            10,
            "a round trip through Connie's main loop",
            conn.call_method(
                Some("io.github.connie.Connie"),
                "/io/github/connie/Connie",
                Some("org.gtk.Actions"),
                "List",
                &(),
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("connie did not answer: {e}"));
    });
}

/// What Connie says under `--debug` once it knows a tray host has its icon.
const HOST_KNOWN: &str = "a tray host shows the icon";

fn lab() -> Option<Lab> {
    Lab::for_test(LabOptions::default())
}

#[test]
fn without_a_tray_host_connie_is_a_window_app() {
    let Some(lab) = lab() else { return };
    let bus = PrivateBus::start("process-notray");
    // --hidden with nothing to hide in: the window opens
    let mut connie = Connie::start(&lab, &bus, &["--hidden"], "notray");
    connie.wait_window(true, 20);
    // closing the window quits
    app_action(&bus, "hide-window");
    let status = connie.wait_exit(10);
    assert!(status.success(), "{status}");
    let said = connie.stderr();
    assert_eq!(
        said.matches("no system tray").count(),
        1,
        "said once why: {said}"
    );
}

#[test]
fn with_a_tray_host_closing_the_window_keeps_connie_in_the_tray() {
    let Some(lab) = lab() else { return };
    let bus = PrivateBus::start("process-tray");
    let watcher = StatusWatcher::start(bus.address());
    let mut connie = Connie::start(&lab, &bus, &["--hidden", "--debug"], "tray");
    let id = watcher.wait_item(Duration::from_secs(20));
    zbus::block_on(async {
        ItemView::new(watcher.connection(), &id)
            .await
            .wait_icon(20, "network-wired-symbolic")
            .await;
    });
    // Connie knows the host has the icon (the decision not to show the
    // window is taken); a window it showed by then is mapped once its main
    // loop has answered
    connie.wait_said(HOST_KNOWN, 20);
    app_round_trip(&bus);
    assert!(!connie.window_shown(), "--hidden shows no window");
    zbus::block_on(async {
        // a left click shows the window, another hides it
        ItemView::new(watcher.connection(), &id)
            .await
            .activate()
            .await;
    });
    connie.wait_window(true, 20);
    zbus::block_on(async {
        ItemView::new(watcher.connection(), &id)
            .await
            .activate()
            .await;
    });
    connie.wait_window(false, 10);
    // closing the window would have quit Connie in the iteration that
    // unmapped it: a later one answering proves it stays
    app_round_trip(&bus);
    assert!(connie.running(), "still in the tray");
    // the menu's Quit ends it
    zbus::block_on(async {
        let clicked = ItemView::new(watcher.connection(), &id)
            .await
            .try_click("Quit")
            .await;
        match clicked {
            Ok(()) => {}
            // it quit before its answer got out: the exit status below tells
            Err(zbus::Error::MethodError(name, _, _))
                if name.as_str() == "org.freedesktop.DBus.Error.NoReply" => {}
            Err(e) => panic!("menu Event: {e}"),
        }
    });
    let status = connie.wait_exit(10);
    assert!(status.success(), "{status}");
    let said = connie.stderr();
    assert!(!said.contains("no system tray"), "{said}");
}

#[test]
fn a_tray_host_that_appears_later_gets_the_icon() {
    let Some(lab) = lab() else { return };
    let bus = PrivateBus::start("process-later");
    let mut connie = Connie::start(&lab, &bus, &["--debug"], "later");
    connie.wait_window(true, 20);
    // Connie learns there is no host (and says so), then one starts
    connie.wait_said("no system tray", 20);
    let watcher = StatusWatcher::start(bus.address());
    let id = watcher.wait_item(Duration::from_secs(10));
    zbus::block_on(async {
        let item = ItemView::new(watcher.connection(), &id).await;
        item.wait_icon(20, "network-wired-symbolic").await;
    });
    // once Connie knows the host has the icon, closing the window leaves it
    // in the tray
    connie.wait_said(HOST_KNOWN, 20);
    app_action(&bus, "hide-window");
    connie.wait_window(false, 10);
    app_round_trip(&bus);
    assert!(connie.running(), "in the tray once a host came");
    app_action(&bus, "quit");
    let status = connie.wait_exit(10);
    assert!(status.success(), "{status}");
    let said = connie.stderr();
    assert_eq!(said.matches("no system tray").count(), 1, "{said}");
}

#[test]
fn no_tray_shows_no_icon_even_with_a_host_and_closing_quits() {
    let Some(lab) = lab() else { return };
    let bus = PrivateBus::start("process-no-tray");
    let watcher = StatusWatcher::start(bus.address());
    // --hidden with no icon to stay in: the window opens
    let mut connie = Connie::start(&lab, &bus, &["--no-tray", "--hidden", "--debug"], "no-tray");
    connie.wait_window(true, 20);
    app_round_trip(&bus);
    assert!(watcher.items().is_empty(), "an icon: {:?}", watcher.items());
    app_action(&bus, "hide-window");
    let status = connie.wait_exit(10);
    assert!(status.success(), "{status}");
    let said = connie.stderr();
    assert!(
        !said.contains("no system tray"),
        "--no-tray was asked for, nothing to say: {said}"
    );
}

#[test]
fn a_second_connie_shows_the_window_of_the_first_and_ends() {
    let Some(lab) = lab() else { return };
    let bus = PrivateBus::start("process-second");
    let watcher = StatusWatcher::start(bus.address());
    let mut first = Connie::start(&lab, &bus, &["--hidden", "--debug"], "second-a");
    watcher.wait_item(Duration::from_secs(20));
    first.wait_said(HOST_KNOWN, 20);
    app_round_trip(&bus);
    assert!(!first.window_shown(), "--hidden shows no window");
    // the second one hands its command line to the first, which opens the
    // window on the details asked for (what the page shows: tests/window.rs)
    let mut second = Connie::start(&lab, &bus, &["--show", "Wired"], "second-b");
    let status = second.wait_exit(20);
    assert!(status.success(), "{status}: {}", second.stderr());
    first.wait_window(true, 20);
    // the desktop matches the window to io.github.connie.Connie.desktop
    // by its class (X11's WM_CLASS; on Wayland the same name is the app_id)
    let by_class = Command::new("xdotool")
        .args([
            "search",
            "--onlyvisible",
            "--classname",
            "^io\\.github\\.connie\\.Connie$",
        ])
        .output()
        .expect("xdotool");
    assert!(
        !String::from_utf8_lossy(&by_class.stdout).trim().is_empty(),
        "no window of class io.github.connie.Connie"
    );
    first.wait_said(
        "--show \"Wired\": the details of /net/connman/service/ethernet_",
        20,
    );
    assert!(!second.window_shown());
    assert!(first.running());
    app_action(&bus, "quit");
    let status = first.wait_exit(10);
    assert!(status.success(), "{status}");
}

#[test]
fn show_opens_the_details_from_a_cold_start() {
    let Some(lab) = lab() else { return };
    let bus = PrivateBus::start("process-show");
    // no tray host: the window is the only way to show anything
    let mut connie = Connie::start(&lab, &bus, &["--show", "Wired", "--debug"], "show");
    connie.wait_window(true, 20);
    connie.wait_said(
        "--show \"Wired\": the details of /net/connman/service/ethernet_",
        20,
    );
    app_action(&bus, "quit");
    let status = connie.wait_exit(10);
    assert!(status.success(), "{status}");
}
