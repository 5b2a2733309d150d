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

use connman_lab::testing::{connmanctl_order, power_on, proxy, scan, service_named, PrivateBus};
use connman_lab::{AccessPoint, ApSet, Lab, LabOptions, OnlineMode, Security, VpnKind};

const HELPER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/a11y/atspi.py");

/// One accessible object, as `atspi.py dump` writes it.
#[derive(Debug, Clone)]
struct Node {
    /// Child indices from the application, joined by dots.
    path: String,
    role: String,
    name: String,
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
        Self::start_with(lab, bus, tag, Command::new(env!("CARGO_BIN_EXE_connie")))
    }

    /// Connie inside the lab's network namespace (`ip netns exec` runs it
    /// in its own process): where connman-vpnd meets the lab's servers.
    fn start_in_lab_network(lab: &Lab, bus: &PrivateBus, tag: &str) -> Connie {
        let ns = format!("{}-l", lab.dir().file_name().unwrap().to_string_lossy());
        let mut c = Command::new(connman_lab::deps::ip_binary());
        c.args(["netns", "exec", &ns, env!("CARGO_BIN_EXE_connie")]);
        Self::start_with(lab, bus, tag, c)
    }

    fn start_with(lab: &Lab, bus: &PrivateBus, tag: &str, mut command: Command) -> Connie {
        let config = std::env::temp_dir().join(format!("connie-a11y-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&config);
        std::fs::create_dir_all(&config).unwrap();
        let child = command
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

/// Runs xdotool (on the test run's X display); its output. Bounded.
fn xdotool(args: &[&str]) -> String {
    let mut child = Command::new("xdotool")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("xdotool (make deps installs it)");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            assert!(status.success(), "xdotool {args:?}: {status}");
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("xdotool {args:?} took over 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Connie's main window on the X display (it shows through AT-SPI already).
fn x_window(connie: &Connie) -> String {
    let out = xdotool(&[
        "search",
        "--onlyvisible",
        "--pid",
        &connie.pid(),
        "--name",
        "^Connie$",
    ]);
    out.lines()
        .next()
        .unwrap_or_else(|| panic!("no X window of Connie's"))
        .to_owned()
}

/// Waits until connmand lists its services in `order`.
fn wait_order(lab: &Lab, order: &[String], secs: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let now = connmanctl_order(lab.bus_address());
        if now == order {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s: {what}; connmand lists {now:?}, want {order:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
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

/// Whether `name` says some words twice in a row ("Connect Connect to
/// LabWPA2", "_Hidden Network… Hidden Network…"), as GTK 4.8 reads a
/// button's own label followed by what it is labelled by.
fn doubled(name: &str) -> bool {
    let words: Vec<String> = name
        .split_whitespace()
        .map(|w| w.replace('_', "").to_lowercase())
        .collect();
    (1..=words.len() / 2)
        .any(|n| (0..=words.len() - 2 * n).any(|i| words[i..i + n] == words[i + n..i + 2 * n]))
}

#[test]
fn doubled_names_are_seen() {
    assert!(doubled("Connect Connect to LabWPA2"));
    assert!(doubled("_Hidden Network… Hidden Network…"));
    assert!(doubled("More options for A More options for A"));
    assert!(!doubled("Connect to LabWPA2"));
    assert!(!doubled("More options for Wired"));
    assert!(!doubled(""));
}

/// The buttons, switches and toggles under `root`.
fn controls<'a>(nodes: &'a [Node], root: &Node) -> Vec<&'a Node> {
    // libadwaita's own toast (its close button is an unnamed image there)
    let toasts: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.name == "AdwToastWidget")
        .collect();
    nodes
        .iter()
        .filter(|n| n.under(root) && !toasts.iter().any(|t| n.under(t)))
        .filter(|n| {
            matches!(
                n.role.as_str(),
                "push button" | "toggle button" | "switch" | "check box" | "radio button"
            )
        })
        .collect()
}

/// Every control under `root` has a name in words, said once.
fn assert_named_once(nodes: &[Node], root: &Node, what: &str) {
    let controls = controls(nodes, root);
    assert!(!controls.is_empty(), "{what}: no controls");
    let bad: Vec<&&Node> = controls
        .iter()
        .filter(|n| !is_words(&n.name) || doubled(&n.name))
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: controls without a name, or with one said twice: {bad:#?}"
    );
}

/// The control named exactly `name`.
fn control<'a>(nodes: &'a [Node], name: &str) -> &'a Node {
    let all: Vec<&Node> = nodes.iter().collect();
    nodes
        .iter()
        .find(|n| {
            n.name == name
                && matches!(
                    n.role.as_str(),
                    "push button" | "toggle button" | "switch" | "check box"
                )
        })
        .unwrap_or_else(|| {
            let names: Vec<String> = all
                .iter()
                .filter(|n| n.role.contains("button") || n.role.contains("box"))
                .map(|n| format!("[{}] {:?}", n.role, n.name))
                .collect();
            panic!("no control named {name:?}; the controls: {names:#?}")
        })
}

/// The list item (a row of the list) named `name`.
fn list_item<'a>(nodes: &'a [Node], name: &str) -> Option<&'a Node> {
    nodes
        .iter()
        .find(|n| n.role == "list item" && n.name == name)
}

/// A showing dialog named `title`: its role, and its controls named once.
fn assert_dialog(nodes: &[Node], title: &str) -> Node {
    let dialog =
        showing_toplevel(nodes, title).unwrap_or_else(|| panic!("no dialog {title:?} showing"));
    assert!(
        dialog_roles().contains(&dialog.role.as_str()),
        "the role of {title:?}: {dialog:?}"
    );
    assert_named_once(nodes, &dialog, title);
    dialog
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
                .find(|n| n.role == "push button" && n.name == "Connect to LabWPA2")
                .cloned()
        },
    );
    act(&bus, &connie, &connect, "click");

    // the passphrase dialog: on screen, a dialog, its title, the network
    let (dialog, nodes) = wait_for(&bus, &connie, 20, "the passphrase dialog showing", |n| {
        showing_toplevel(n, "Wi-Fi Password")
    });
    assert_dialog(&nodes, "Wi-Fi Password");
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
            .find(|n| n.role == "push button" && n.name == words)
            .map(|n| (*n).clone())
            .unwrap_or_else(|| panic!("a button named {words:?} in the dialog: {inside:#?}"))
    };
    let ok = button("Connect");
    button("Cancel");
    // libadwaita's show/hide button, named by its tooltip
    button("Show Text");
    let field = inside
        .iter()
        .find(|n| n.name == "Password" && n.has("editable"))
        .map(|n| (*n).clone())
        .expect("an editable password field named Password");
    // not *focused*: GTK 4.8 reports the focus only on the widget that has
    // it, the text inside the row, which is not in the tree (see
    // PassphraseDialog::build_rows); the row is the field a screen reader
    // finds and types into
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
    assert_dialog(&nodes, "Wrong Password");
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
            .any(|n| n.role == "push button" && n.name == "Try Again"),
        "'Try Again' is named: {inside:#?}"
    );
}

#[test]
fn every_control_is_named_once_and_rows_say_their_state() {
    let _display = one_at_a_time();
    let Some(lab) = wifi_lab() else { return };
    wifi_on(&lab);
    let bus = a11y_bus("a11y-names");
    let connie = Connie::start(&lab, &bus, "names");
    let (window, nodes) = wait_for(&bus, &connie, 30, "the window with LabWPA2", |nodes| {
        let has_row = nodes.iter().any(|n| n.name == "Connect to LabWPA2");
        nodes
            .iter()
            .find(|n| n.toplevel() && n.name == "Connie" && n.has("showing"))
            .filter(|_| has_row)
            .cloned()
    });
    assert_eq!(window.role, "frame", "the main window is a frame");
    assert_named_once(&nodes, &window, "the window");

    // what each control does, to what
    control(&nodes, "Connect to LabOpen");
    control(&nodes, "More options for LabWPA2");
    control(&nodes, "Hidden Network…");
    for tech in ["Wi-Fi power", "Wired power"] {
        let switch = control(&nodes, tech);
        assert!(
            matches!(
                switch.role.as_str(),
                "switch" | "check box" | "toggle button"
            ),
            "{tech} is read as a switch: {switch:?}"
        );
        assert!(switch.has("checked"), "{tech} is on: {switch:?}");
    }
    // each row's menu button names its row (the menu button and the button
    // inside it that takes the focus)
    let rows: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.role == "list item" && n.under(&window))
        .filter(|n| {
            controls(&nodes, n)
                .iter()
                .any(|c| c.name.starts_with("Connect to"))
        })
        .collect();
    assert!(rows.len() >= 4, "the service rows: {rows:#?}");
    for row in &rows {
        let more: Vec<&Node> = controls(&nodes, row)
            .into_iter()
            .filter(|c| c.name.starts_with("More options for "))
            .collect();
        assert!(
            !more.is_empty()
                && more
                    .iter()
                    .all(|c| c.name == format!("More options for {}", row.name)),
            "the menu button of {:?}: {more:#?}",
            row.name
        );
    }

    // a row is read as its name, then its state, security and signal
    let wpa = list_item(&nodes, "LabWPA2").expect("LabWPA2's row");
    let open = list_item(&nodes, "LabOpen").expect("LabOpen's row");
    for (row, security) in [(wpa, "Secured"), (open, "Open")] {
        let d = &row.description;
        assert!(d.contains("Not connected"), "{row:?}");
        assert!(d.contains(security), "{row:?}");
        assert!(
            [
                "Weak signal",
                "Fair signal",
                "Good signal",
                "Excellent signal"
            ]
            .iter()
            .any(|w| d.contains(w)),
            "the signal in words: {row:?}"
        );
        // nothing to move it among: no saved wifi network
        assert!(!d.contains("Alt+Up"), "{row:?}");
    }

    // the details page, opened as assistive technology does (the row's
    // own action)
    let panel = nodes
        .iter()
        .find(|n| n.under(wpa) && n.actions.iter().any(|a| a == "row.details"))
        .expect("LabWPA2's row offers its details")
        .clone();
    act(&bus, &connie, &panel, "row.details");
    let (page, nodes) = wait_for(&bus, &connie, 10, "the details page of LabWPA2", |nodes| {
        // the stack page that holds the Back button, once it shows LabWPA2
        let back = nodes
            .iter()
            .find(|n| n.name == "Back" && n.role == "push button")?;
        let page = nodes
            .iter()
            .filter(|n| n.name == "GtkStackPage" && back.under(n))
            .max_by_key(|n| n.path.len())?;
        nodes
            .iter()
            .any(|n| n.under(page) && n.role == "label" && n.name == "LabWPA2")
            .then(|| page.clone())
    });
    assert_named_once(&nodes, &page, "the details page");
    let edit = controls(&nodes, &page)
        .into_iter()
        .find(|c| c.name == "Edit…")
        .expect("the details page's Edit… button")
        .clone();

    // the preferences window (the window's app.preferences, as its menu)
    act(&bus, &connie, &window, "app.preferences");
    let (_, nodes) = wait_for(&bus, &connie, 10, "the preferences window", |n| {
        showing_toplevel(n, "Preferences")
    });
    assert_dialog(&nodes, "Preferences");

    // the service's settings editor
    act(&bus, &connie, &edit, "click");
    let (_, nodes) = wait_for(&bus, &connie, 10, "the settings editor", |n| {
        showing_toplevel(n, "Settings of LabWPA2")
    });
    assert_dialog(&nodes, "Settings of LabWPA2");
}

#[test]
fn rows_move_by_keyboard_and_by_their_actions_in_connmands_order() {
    let _display = one_at_a_time();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let bus = a11y_bus("a11y-moves");
    let connie = Connie::start(&lab, &bus, "moves");
    // both wired services connected and saved: each can move
    let (rows, _) = wait_for(&bus, &connie, 60, "two connected, movable rows", |nodes| {
        let rows: Vec<Node> = nodes
            .iter()
            .filter(|n| n.role == "list item" && n.name == "Wired")
            .filter(|n| {
                n.description.contains("Connected")
                    && n.description.contains("Alt+Up and Alt+Down move it")
            })
            .cloned()
            .collect();
        (rows.len() == 2).then_some(rows)
    });
    let before = connmanctl_order(lab.bus_address());
    assert_eq!(before.len(), 2, "connmand's services: {before:?}");

    // the keyboard reaches the top row (Tab, as a person would), and
    // Alt+Down moves it
    let top = rows.iter().min_by_key(|n| n.path.clone()).unwrap();
    let window = x_window(&connie);
    xdotool(&["windowfocus", "--sync", &window]);
    let focused = |nodes: &[Node]| {
        nodes
            .iter()
            .filter(|n| n.has("focused") && !n.toplevel())
            .map(|n| n.path.clone())
            .max_by_key(|p| p.len())
    };
    let (mut now, _) = wait_for(&bus, &connie, 10, "a focused control", focused);
    for tabs in 0.. {
        if top.path == now || now.starts_with(&format!("{}.", top.path)) {
            break;
        }
        assert!(tabs < 30, "30 Tabs did not reach the top row: {top:?}");
        xdotool(&["key", "Tab"]);
        let before = now.clone();
        now = wait_for(&bus, &connie, 5, "the focus moved on", |nodes| {
            focused(nodes).filter(|p| *p != before)
        })
        .0;
    }
    xdotool(&["key", "alt+Down"]);
    let swapped = vec![before[1].clone(), before[0].clone()];
    wait_order(&lab, &swapped, 20, "Alt+Down moved the top service down");

    // and back up, through the row's own action
    let (panel, _) = wait_for(&bus, &connie, 10, "a row that can move up", |nodes| {
        nodes
            .iter()
            .find(|n| n.actions.iter().any(|a| a == "row.move-up"))
            .cloned()
    });
    act(&bus, &connie, &panel, "row.move-up");
    wait_order(&lab, &before, 20, "row.move-up moved it back");
}

#[test]
fn vpn_rows_and_the_vpn_login_are_named() {
    let _display = one_at_a_time();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        lab.provision_vpn_kind(VpnKind::UserPass, "labauth", "Lab auth VPN")
            .await
            .expect("provision the VPN")
    });
    let bus = a11y_bus("a11y-vpn");
    let connie = Connie::start(&lab, &bus, "vpn");
    // the VPN section's row and the service list's row, once the uplink
    // it goes through is connected
    let (buttons, nodes) = wait_for(&bus, &connie, 60, "the VPN's buttons", |nodes| {
        let buttons: Vec<Node> = nodes
            .iter()
            .filter(|n| n.role == "push button" && n.name == "Connect to Lab auth VPN")
            .cloned()
            .collect();
        let uplink = nodes.iter().any(|n| n.name == "Disconnect from Wired");
        (buttons.len() == 2 && uplink).then_some(buttons)
    });
    let window = nodes
        .iter()
        .find(|n| n.toplevel() && n.name == "Connie")
        .unwrap();
    assert_named_once(&nodes, window, "the window with a VPN");
    control(&nodes, "More options for Lab auth VPN");

    // the dialog that adds a VPN: a dialog, every control named once
    let add = control(&nodes, "Add VPN").clone();
    act(&bus, &connie, &add, "click");
    let (_, nodes) = wait_for(&bus, &connie, 10, "the Add VPN dialog", |n| {
        showing_toplevel(n, "Add VPN")
    });
    let dialog = assert_dialog(&nodes, "Add VPN");
    assert_named_once(&nodes, &dialog, "the Add VPN dialog");
    let cancel = controls(&nodes, &dialog)
        .into_iter()
        .find(|c| c.name == "Cancel")
        .expect("its Cancel button")
        .clone();
    act(&bus, &connie, &cancel, "click");
    wait_for(&bus, &connie, 10, "the Add VPN dialog closed", |n| {
        showing_toplevel(n, "Add VPN").is_none().then_some(())
    });
    act(&bus, &connie, &buttons[0], "click");
    let (_, nodes) = wait_for(&bus, &connie, 60, "the VPN login", |n| {
        showing_toplevel(n, "VPN Login")
    });
    let dialog = assert_dialog(&nodes, "VPN Login");
    assert!(
        nodes
            .iter()
            .any(|n| n.under(&dialog) && n.role == "label" && n.name == "Lab auth VPN"),
        "the VPN's name is readable in the dialog"
    );
}

/// OpenConnect's "Trust This Certificate?" and the login with the server's
/// groups: dialogs, every control named. Connie runs in the lab's network,
/// where it can look at the lab's ocserv as connman-vpnd does.
#[test]
fn the_certificate_question_and_the_group_chooser_are_named() {
    let _display = one_at_a_time();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let conn = zbus::block_on(async {
        let conn = lab.connect().await.expect("the lab's bus");
        let settings: std::collections::HashMap<String, zbus::zvariant::Value> = lab
            .oc_settings("Lab OC", false)
            .into_iter()
            .map(|(k, v)| (k, zbus::zvariant::Value::from(v)))
            .collect();
        let reply = conn
            .call_method(
                Some("net.connman.vpn"),
                "/",
                Some("net.connman.vpn.Manager"),
                "Create",
                &(settings,),
            )
            .await
            .expect("connman-vpnd creates the VPN");
        let path: zbus::zvariant::OwnedObjectPath = reply.body().deserialize().unwrap();
        (conn, path.as_str().to_owned())
    });
    let (bus_conn, vpn_path) = conn;
    let bus = a11y_bus("a11y-oc");
    let connie = Connie::start_in_lab_network(&lab, &bus, "oc");
    wait_for(&bus, &connie, 60, "the window with the uplink", |nodes| {
        nodes
            .iter()
            .any(|n| n.name == "Disconnect from Wired")
            .then_some(())
    });
    // connmand's service of the VPN, connected as connmanctl would: its
    // answer comes after the dialogs, so from a thread of its own
    let service = format!(
        "/net/connman/service/vpn_{}",
        vpn_path.rsplit('/').next().unwrap()
    );
    let disconnect = service.clone();
    std::thread::spawn(move || {
        let _ = zbus::block_on(bus_conn.call_method(
            Some("net.connman"),
            service.as_str(),
            Some("net.connman.Service"),
            "Connect",
            &(),
        ));
    });
    let (_, nodes) = wait_for(&bus, &connie, 60, "the certificate question", |n| {
        showing_toplevel(n, "Trust This Certificate?")
    });
    let dialog = assert_dialog(&nodes, "Trust This Certificate?");
    assert!(
        nodes
            .iter()
            .any(|n| n.under(&dialog) && n.name == "The server’s certificate"),
        "the certificate's rows are named as one list"
    );
    let trust = controls(&nodes, &dialog)
        .into_iter()
        .find(|c| c.name == "Trust and Connect")
        .expect("its Trust and Connect button")
        .clone();
    act(&bus, &connie, &trust, "click");
    let (_, nodes) = wait_for(&bus, &connie, 30, "the VPN login", |n| {
        showing_toplevel(n, "VPN Login")
    });
    let dialog = assert_dialog(&nodes, "VPN Login");
    assert!(
        nodes
            .iter()
            .any(|n| n.under(&dialog) && n.name.starts_with("Group")),
        "the group chooser is named: {:#?}",
        nodes
            .iter()
            .filter(|n| n.under(&dialog))
            .collect::<Vec<_>>()
    );
    // the connect given up, as the login's Cancel would (the thread's call
    // then returns; it is not waited for)
    zbus::block_on(async {
        let conn = lab.connect().await.expect("the lab's bus");
        let _ = conn
            .call_method(
                Some("net.connman"),
                disconnect.as_str(),
                Some("net.connman.Service"),
                "Disconnect",
                &(),
            )
            .await;
    });
}

#[test]
fn the_captive_portal_question_is_a_dialog() {
    let _display = one_at_a_time();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        online: OnlineMode::Portal,
        ..Default::default()
    }) else {
        return;
    };
    let bus = a11y_bus("a11y-portal");
    let connie = Connie::start(&lab, &bus, "portal");
    let asked = |nodes: &[Node]| showing_toplevel(nodes, "Sign In to the Network");
    // connmand asks once, when the service comes up: maybe before Connie's
    // agent was registered (before its window shows the connected service).
    // Reconnected, as a person would, it asks again.
    let (asked_already, _) = wait_for(&bus, &connie, 60, "the wired service connected", |nodes| {
        nodes
            .iter()
            .any(|n| n.name == "Disconnect from Wired")
            .then(|| asked(nodes).is_some())
    });
    if !asked_already {
        zbus::block_on(async {
            let conn = lab.connect().await.expect("the lab's bus");
            let (wired, _) = service_named(&conn, "Wired", 40).await;
            let svc = proxy(&conn, "net.connman", &wired, "net.connman.Service").await;
            let _: Result<(), _> = svc.call("Disconnect", &()).await;
            let _: Result<(), _> = svc.call("Connect", &()).await;
        });
    }
    let (_, nodes) = wait_for(&bus, &connie, 60, "the captive portal question", asked);
    assert_dialog(&nodes, "Sign In to the Network");
}

#[test]
fn hostile_names_are_read_literally() {
    let _display = one_at_a_time();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 0,
        wifi: true,
        aps: ApSet::Empty,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    // (SSID, what Connie shows and says)
    let hostile: [(&[u8], &str); 5] = [
        (b"<b>bold</b>", "<b>bold</b>"),
        (b"&amp; & \"'", "&amp; & \"'"),
        (b"_under_score", "_under_score"),
        (
            "\u{202E}txet".as_bytes(),
            "\u{2068}\u{202E}txet\u{202C}\u{2069}",
        ),
        (
            b"ctl\x01\x1b\t\nend",
            "ctl\u{2401}\u{241b}\u{2409}\u{240a}end",
        ),
    ];
    zbus::block_on(async {
        for (ssid, _) in hostile {
            let ap = AccessPoint::new(ssid.to_vec(), Security::Open);
            lab.add_ap(&ap).await.expect("add a hostile access point");
        }
    });
    wifi_on(&lab);
    let bus = a11y_bus("a11y-hostile");
    let connie = Connie::start(&lab, &bus, "hostile");
    let (_, nodes) = wait_for(&bus, &connie, 60, "every hostile network listed", |nodes| {
        hostile
            .iter()
            .all(|(_, shown)| list_item(nodes, shown).is_some())
            .then_some(())
    });
    for (_, shown) in hostile {
        let row = list_item(&nodes, shown).unwrap();
        assert!(row.description.contains("Open"), "{row:?}");
        let named: Vec<&str> = controls(&nodes, row)
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert!(
            named.contains(&format!("Connect to {shown}").as_str())
                && named.contains(&format!("More options for {shown}").as_str()),
            "the controls of {shown:?}: {named:?}"
        );
    }

    // connected, the row says so, and its button says what it does now
    let shown = "<b>bold</b>";
    let connect = controls(&nodes, list_item(&nodes, shown).unwrap())
        .into_iter()
        .find(|c| c.name == format!("Connect to {shown}"))
        .unwrap()
        .clone();
    act(&bus, &connie, &connect, "click");
    wait_for(
        &bus,
        &connie,
        60,
        "the row connected, its button renamed",
        |nodes| {
            let row = list_item(nodes, shown)?;
            let disconnect = format!("Disconnect from {shown}");
            (row.description.contains("Connected")
                && controls(nodes, row).iter().any(|c| c.name == disconnect))
            .then_some(())
        },
    );
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
    let page_controls = controls(&nodes, &page);
    assert!(
        page_controls.len() >= 4,
        "the page's controls: {page_controls:#?}"
    );
    assert_named_once(&nodes, &page, "the Share Connection page");
}

#[test]
fn the_enterprise_network_form_is_a_dialog_with_named_controls() {
    let _display = one_at_a_time();
    let Some(lab) = wifi_lab() else { return };
    wifi_on(&lab);
    let bus = a11y_bus("a11y-enterprise");
    let connie = Connie::start(&lab, &bus, "enterprise");
    // Connect on an 802.1X network that nothing provisions opens the form
    let (connect, _) = wait_for(&bus, &connie, 60, "LabEnterprise listed", |nodes| {
        let row = list_item(nodes, "LabEnterprise")?;
        controls(nodes, row)
            .into_iter()
            .find(|c| c.name == "Connect to LabEnterprise")
            .cloned()
    });
    act(&bus, &connie, &connect, "click");
    let (_, nodes) = wait_for(&bus, &connie, 30, "the enterprise form", |nodes| {
        showing_toplevel(nodes, "Enterprise Network").map(|_| ())
    });
    let form = assert_dialog(&nodes, "Enterprise Network");
    let names: Vec<&str> = nodes
        .iter()
        .filter(|n| n.under(&form))
        .map(|n| n.name.as_str())
        .collect();
    for label in ["Save", "Cancel", "Save the password for all users"] {
        assert!(names.contains(&label), "{label:?} in {names:#?}");
    }
    for field in [
        "Identity",
        "Server domain",
        "Authentication",
        "CA certificate",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(field)),
            "{field:?} in {names:#?}"
        );
    }
}
