//! Connie as assistive technology sees it: the real `connie` binary against
//! a lab's connmand, with accessibility on, read and driven through AT-SPI
//! by `tests/a11y/atspi.py` (python3-pyatspi's Atspi), as a screen reader
//! does. Each test has a private session bus of its own, where the
//! accessibility bus (at-spi2-core's org.a11y.Bus) is started on demand;
//! Connie runs on the test run's X display (Xvfb). The rest of the suite
//! runs with GTK_A11Y=none: Connie is started here without it. Every wait
//! is bounded; Connie is ended by its PID.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use connman_lab::testing::{power_on, scan, PrivateBus};
use connman_lab::{Lab, LabOptions};

const HELPER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/a11y/atspi.py");

/// One accessible object, as `atspi.py dump` writes it.
#[derive(Debug, Clone)]
struct Node {
    /// Child indices from the application, joined by dots.
    path: String,
    role: String,
    name: String,
    #[allow(dead_code)]
    description: String,
    states: Vec<String>,
    actions: Vec<String>,
}

impl Node {
    fn has(&self, state: &str) -> bool {
        self.states.iter().any(|s| s == state)
    }

    /// Whether `self` is `other` or below it.
    fn under(&self, other: &Node) -> bool {
        self.path == other.path || self.path.starts_with(&format!("{}.", other.path))
    }

    fn toplevel(&self) -> bool {
        !self.path.contains('.')
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse(dump: &str) -> Vec<Node> {
    dump.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "a dump line has six fields: {l:?}");
            let list = |s: &str| {
                s.split(',')
                    .filter(|x| !x.is_empty())
                    .map(unescape)
                    .collect()
            };
            Node {
                path: f[0].to_owned(),
                role: unescape(f[1]),
                name: unescape(f[2]),
                description: unescape(f[3]),
                states: list(f[4]),
                actions: list(f[5]),
            }
        })
        .collect()
}

/// Runs the helper; its stdout, or its exit code and stderr. Bounded: a
/// helper that hangs (a bus that never answers) is ended after `secs`.
fn helper(bus: &PrivateBus, args: &[&str], secs: u64) -> Result<String, (i32, String)> {
    let mut child = Command::new("/usr/bin/python3")
        .arg(HELPER)
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
        .env_remove("AT_SPI_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {HELPER} (install python3-pyatspi): {e}"));
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            return if status.success() {
                Ok(stdout)
            } else {
                Err((status.code().unwrap_or(-1), stderr))
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err((-1, format!("atspi.py {args:?} took over {secs} s")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The accessibility bus's socket and the X root window's AT_SPI_BUS are
/// per display: two accessibility buses on one display take each other's
/// socket, so this binary's tests hold this while theirs runs.
static ONE_BUS_PER_DISPLAY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_BUS_PER_DISPLAY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A private session bus whose accessibility bus answers.
fn a11y_bus(tag: &str) -> PrivateBus {
    let bus = PrivateBus::start(tag);
    // the first call starts at-spi-bus-launcher and the registry through the
    // bus's service activation; the helper returns once the registry answers
    if let Err((code, err)) = helper(&bus, &["ready"], 20) {
        panic!("the accessibility bus did not start (install at-spi2-core python3-pyatspi): {code} {err}");
    }
    bus
}

struct Connie {
    child: Child,
    config: std::path::PathBuf,
}

impl Connie {
    fn start(lab: &Lab, bus: &PrivateBus, tag: &str) -> Connie {
        let config = std::env::temp_dir().join(format!("connie-a11y-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&config);
        std::fs::create_dir_all(&config).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_connie"))
            .env("DBUS_SYSTEM_BUS_ADDRESS", lab.bus_address())
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .env("XDG_CONFIG_HOME", &config)
            .env_remove("GTK_A11Y")
            .env_remove("AT_SPI_BUS_ADDRESS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start connie");
        Connie { child, config }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Connie {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.config);
    }
}

/// What Connie shows through AT-SPI now (None while it is not on the
/// accessibility bus yet).
fn dump(bus: &PrivateBus, connie: &Connie) -> Option<Vec<Node>> {
    match helper(bus, &["dump", &connie.pid()], 30) {
        Ok(out) => Some(parse(&out)),
        // not on the bus yet, or changing while read: read again
        Err((2 | 3, _)) => None,
        Err((code, err)) => panic!("atspi.py dump failed ({code}): {err}"),
    }
}

/// Reads Connie's objects until `pick` finds what it looks for, for at most
/// `secs`; what it found, with the whole dump.
fn wait_for<T>(
    bus: &PrivateBus,
    connie: &Connie,
    secs: u64,
    what: &str,
    mut pick: impl FnMut(&[Node]) -> Option<T>,
) -> (T, Vec<Node>) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = Vec::new();
    loop {
        if let Some(nodes) = dump(bus, connie) {
            if let Some(found) = pick(&nodes) {
                return (found, nodes);
            }
            last = nodes;
        }
        if Instant::now() > deadline {
            let shown: Vec<String> = last
                .iter()
                .filter(|n| n.path.split('.').count() <= 3)
                .map(|n| format!("{} [{}] {:?} {:?}", n.path, n.role, n.name, n.states))
                .collect();
            panic!(
                "timed out after {secs} s: {what}; Connie shows:\n{}",
                shown.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn act(bus: &PrivateBus, connie: &Connie, node: &Node, action: &str) {
    if let Err((code, err)) = helper(bus, &["do", &connie.pid(), &node.path, action], 10) {
        panic!("{action} on {node:?} failed ({code}): {err}");
    }
}

fn set_text(bus: &PrivateBus, connie: &Connie, node: &Node, text: &str) {
    if let Err((code, err)) = helper(bus, &["set-text", &connie.pid(), &node.path, text], 10) {
        panic!("typing into {node:?} failed ({code}): {err}");
    }
}

/// The role a dialog is exposed with: GTK 4.8 and 4.9 report *showing*
/// only for windows (frames), so there Connie's dialogs are frames.
fn dialog_roles() -> &'static [&'static str] {
    if gtk::minor_version() < 10 {
        &["frame"]
    } else {
        &["dialog", "alert"]
    }
}

/// A toplevel named `name` that is on screen.
fn showing_toplevel(nodes: &[Node], name: &str) -> Option<Node> {
    nodes
        .iter()
        .find(|n| n.toplevel() && n.name == name && n.has("showing"))
        .cloned()
}

/// Whether `name` reads as words for a person, not as GTK's fallback (a
/// widget's type name) or a mnemonic's markup.
fn is_words(name: &str) -> bool {
    let type_name = (name.starts_with("Gtk") || name.starts_with("Adw"))
        && !name.contains(' ')
        && name.chars().nth(3).is_some_and(|c| c.is_ascii_uppercase());
    !name.trim().is_empty() && !type_name
}

fn wifi_lab() -> Option<Lab> {
    Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        ..Default::default()
    })
}

fn wifi_on(lab: &Lab) {
    zbus::block_on(async {
        let conn = lab.connect().await.expect("the lab's bus");
        power_on(&conn, "wifi").await;
        scan(&conn, "wifi").await;
    });
}

#[test]
fn passphrase_dialog_and_wrong_password_message_are_read_as_dialogs() {
    let _display = one_at_a_time();
    let Some(lab) = wifi_lab() else { return };
    wifi_on(&lab);
    let bus = a11y_bus("a11y-dialogs");
    let connie = Connie::start(&lab, &bus, "dialogs");

    // the row's button says which network it connects
    let (connect, _) = wait_for(
        &bus,
        &connie,
        30,
        "a button 'Connect to LabWPA2'",
        |nodes| {
            nodes
                .iter()
                // GTK 4.8 puts the button's label before its labelled-by name
                .find(|n| n.role == "push button" && n.name.ends_with("Connect to LabWPA2"))
                .cloned()
        },
    );
    act(&bus, &connie, &connect, "click");

    // the passphrase dialog: on screen, a dialog, its title, the network
    let (dialog, nodes) = wait_for(&bus, &connie, 20, "the passphrase dialog showing", |n| {
        showing_toplevel(n, "Wi-Fi Password")
    });
    assert!(
        dialog_roles().contains(&dialog.role.as_str()),
        "the passphrase dialog's role: {dialog:?}"
    );
    let inside: Vec<&Node> = nodes.iter().filter(|n| n.under(&dialog)).collect();
    assert!(
        inside
            .iter()
            .any(|n| n.role == "label" && n.name == "LabWPA2"),
        "the network's name is readable in the dialog"
    );
    let button = |words: &str| {
        inside
            .iter()
            .find(|n| n.role == "push button" && n.name.replace('_', "").contains(words))
            .map(|n| (*n).clone())
            .unwrap_or_else(|| panic!("a button named {words:?} in the dialog: {inside:#?}"))
    };
    let ok = button("Connect");
    button("Cancel");
    let field = inside
        .iter()
        .find(|n| n.name == "Password" && n.has("editable"))
        .map(|n| (*n).clone())
        .expect("an editable password field named Password");
    assert!(
        field.has("focusable"),
        "the password field takes the focus: {field:?}"
    );

    // a wrong password, typed and sent as a person would
    set_text(&bus, &connie, &field, "not-the-password");
    let (ok_now, _) = wait_for(&bus, &connie, 10, "Connect enabled", |nodes| {
        nodes
            .iter()
            .find(|n| n.path == ok.path && n.has("sensitive"))
            .cloned()
    });
    act(&bus, &connie, &ok_now, "click");

    let (message, nodes) = wait_for(&bus, &connie, 60, "the wrong-password message", |n| {
        showing_toplevel(n, "Wrong Password")
    });
    assert!(
        dialog_roles().contains(&message.role.as_str()),
        "the message's role: {message:?}"
    );
    let inside: Vec<&Node> = nodes.iter().filter(|n| n.under(&message)).collect();
    assert!(
        inside
            .iter()
            .any(|n| n.role == "label" && n.name == "The password for “LabWPA2” was wrong."),
        "the sentence is readable: {inside:#?}"
    );
    assert!(
        inside
            .iter()
            .any(|n| n.role == "push button" && n.name.replace('_', "").contains("Try Again")),
        "'Try Again' is named: {inside:#?}"
    );
}

#[test]
fn every_control_in_the_window_has_a_name() {
    let _display = one_at_a_time();
    let Some(lab) = wifi_lab() else { return };
    wifi_on(&lab);
    let bus = a11y_bus("a11y-names");
    let connie = Connie::start(&lab, &bus, "names");
    let (window, nodes) = wait_for(&bus, &connie, 30, "the window with LabWPA2", |nodes| {
        let has_row = nodes.iter().any(|n| n.name.ends_with("Connect to LabWPA2"));
        nodes
            .iter()
            .find(|n| n.toplevel() && n.name == "Connie" && n.has("showing"))
            .filter(|_| has_row)
            .cloned()
    });
    assert_eq!(window.role, "frame", "the main window is a frame");
    // libadwaita's own toast (its close button is an unnamed image there)
    let toasts: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.name == "AdwToastWidget")
        .collect();
    let controls: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.under(&window) && !toasts.iter().any(|t| n.under(t)))
        .filter(|n| {
            matches!(
                n.role.as_str(),
                "push button" | "toggle button" | "switch" | "check box" | "radio button"
            )
        })
        .collect();
    assert!(controls.len() > 5, "the window's controls: {controls:#?}");
    let unnamed: Vec<&&Node> = controls.iter().filter(|n| !is_words(&n.name)).collect();
    assert!(unnamed.is_empty(), "controls without a name: {unnamed:#?}");
}

#[test]
fn the_hotspot_page_and_its_join_code_are_read_by_name() {
    let _display = one_at_a_time();
    let Some(lab) = wifi_lab() else { return };
    wifi_on(&lab);
    // the hotspot's name and password saved in connmand (not switched on):
    // the page shows its join code
    zbus::block_on(async {
        let conn = lab.connect().await.expect("the lab's bus");
        let wifi = connman_lab::testing::proxy(
            &conn,
            "net.connman",
            "/net/connman/technology/wifi",
            "net.connman.Technology",
        )
        .await;
        for (name, value) in [
            ("TetheringIdentifier", "Lab Hotspot"),
            ("TetheringPassphrase", "correct horse"),
        ] {
            let r: zbus::Result<()> = wifi
                .call("SetProperty", &(name, zbus::zvariant::Value::from(value)))
                .await;
            r.expect("SetProperty");
        }
    });
    let bus = a11y_bus("a11y-hotspot");
    let connie = Connie::start(&lab, &bus, "hotspot");

    // the main menu, then its item, as a screen reader user reaches them
    let (menu, _) = wait_for(&bus, &connie, 30, "the main menu button", |nodes| {
        nodes
            .iter()
            .find(|n| n.name == "Main Menu" && !n.actions.is_empty())
            .cloned()
    });
    act(&bus, &connie, &menu, &menu.actions[0]);
    // (GTK 4.8 reports no *showing* for a popover menu's items)
    let (item, _) = wait_for(
        &bus,
        &connie,
        10,
        "Share Connection… in the menu",
        |nodes| {
            nodes
                .iter()
                .find(|n| n.role == "menu item" && n.name.starts_with("Share Connection"))
                .cloned()
        },
    );
    act(&bus, &connie, &item, "click");

    let (page, nodes) = wait_for(&bus, &connie, 20, "the Share Connection page", |n| {
        showing_toplevel(n, "Share Connection")
            .filter(|_| n.iter().any(|x| x.name == "QR code to join Lab Hotspot"))
    });
    let inside: Vec<&Node> = nodes.iter().filter(|n| n.under(&page)).collect();
    assert!(
        inside
            .iter()
            .any(|n| n.name == "QR code to join Lab Hotspot" && n.role == "image"),
        "the join code is an image named for the network: {inside:#?}"
    );
    assert!(
        inside
            .iter()
            .any(|n| n.role == "label" && n.name == "Lab Hotspot"),
        "the network's name is readable beside the code"
    );
    let controls: Vec<&&Node> = inside
        .iter()
        .filter(|n| {
            matches!(
                n.role.as_str(),
                "push button" | "toggle button" | "switch" | "check box" | "radio button"
            )
        })
        .collect();
    assert!(controls.len() >= 4, "the page's controls: {controls:#?}");
    let unnamed: Vec<&&&Node> = controls.iter().filter(|n| !is_words(&n.name)).collect();
    assert!(unnamed.is_empty(), "controls without a name: {unnamed:#?}");
}
