//! Hostile names, and the passphrase queue, against the lab's real connmand.
//!
//! An SSID is up to 32 arbitrary bytes: markup, `&`, mnemonic underscores,
//! bidi overrides, control characters, invalid UTF-8 (connmand shows it as
//! U+FFFD), nothing at all (hidden), wide characters. Whatever the bytes,
//! Connie shows the name literally: in the window's rows and details page, in
//! the passphrase dialog, in the tray's tooltip and menu, and in
//! notifications; and a window at phone width (360 px) keeps its width.
//!
//! GTK tests run one at a time on one thread (`#[gtk::test]`); every wait is
//! bounded and polls for what it waits for.

mod tray_common;
mod ui_common;

use std::collections::HashMap;
use std::time::Duration;

use adw::prelude::*;
use connie::backend::Backend;
use connie::connman::agent::{self, AgentKind, AgentOwners, AGENT_PATH};
use connie::connman::client::Client;
use connie::ui::agent::{PassphraseDialog, Presenter};
use connie::ui::Window;
use connman_lab::testing::{power_on, scan};
use connman_lab::{AccessPoint, ApSet, Lab, LabOptions, Security, VpnKind};
use ui_common::*;
use zbus::zvariant::{ObjectPath, OwnedValue, Value};

const INVALID_UTF8: [u8; 32] = [
    0x80, 0xfe, 0x82, 0xfe, 0x84, 0xfe, 0x86, 0xfe, 0x88, 0xfe, 0x8a, 0xfe, 0x8c, 0xfe, 0x8e, 0xfe,
    0x90, 0xff, 0x92, 0xff, 0x94, 0xff, 0x96, 0xff, 0x98, 0xff, 0x9a, 0xff, 0x9c, 0xff, 0x9e, 0xff,
];

/// A hostile access point: its SSID, the Name connmand gives its service,
/// and the name Connie shows.
struct Hostile {
    ssid: Vec<u8>,
    name: String,
    shown: String,
}

fn hostile() -> Vec<Hostile> {
    let same = |s: &str| Hostile {
        ssid: s.as_bytes().to_vec(),
        name: s.to_owned(),
        shown: s.to_owned(),
    };
    vec![
        same("<b>bold</b>"),
        same("&amp; & "),
        same("_under_score"),
        // the override is shown, isolated, so that it cannot turn the text
        // around the name backwards
        Hostile {
            shown: "\u{2068}\u{202E}txet desrever\u{202C}\u{2069}".into(),
            ..same("\u{202E}txet desrever")
        },
        // connmand passes control characters on; Connie shows their
        // pictures: one line, visible
        Hostile {
            shown: "ctl\u{2401}\u{241b}\u{2409}\u{240a}end".into(),
            ..same("ctl\x01\x1b\t\nend")
        },
        // connmand 1.41 names each invalid byte U+FFFD
        Hostile {
            ssid: INVALID_UTF8.to_vec(),
            name: "\u{FFFD}".repeat(32),
            shown: "\u{FFFD}".repeat(32),
        },
        // 30 and 32 bytes of wide characters
        same("漢字漢字漢字漢字漢字"),
        same("😀😁😂🤣😃😄😅😆"),
        // 32 of the widest Latin letter: it has to be ellipsized at 360 px
        same(&"W".repeat(32)),
    ]
}

const UNDERSCORE_KEY: &str = "underscore";

fn hostile_aps() -> Vec<AccessPoint> {
    let mut aps: Vec<AccessPoint> = hostile()
        .into_iter()
        .map(|h| {
            let psk = h.ssid == b"_under_score";
            let security = if psk { Security::Psk } else { Security::Open };
            let mut ap = AccessPoint::new(h.ssid, security);
            if psk {
                ap.passphrase = Some(UNDERSCORE_KEY.into());
            }
            ap
        })
        .collect();
    // an empty SSID in the scans
    let mut hidden = AccessPoint::new(b"HostileHidden".to_vec(), Security::Psk);
    hidden.passphrase = Some("hiddenpass".into());
    hidden.hidden = true;
    aps.push(hidden);
    aps
}

fn hostile_lab() -> LabOptions {
    LabOptions {
        ethernet: 0,
        wifi: true,
        aps: ApSet::Empty,
        online_check: false,
        ..Default::default()
    }
}

/// A lab with the hostile access points, a Backend on it whose agent
/// requests go to a presenter, and wifi on.
async fn hostile_backend(opts: LabOptions) -> Option<(Lab, Backend, Presenter)> {
    let lab = Lab::for_test(opts)?;
    for ap in hostile_aps() {
        lab.add_ap(&ap).await.expect("add a hostile access point");
    }
    connie::ui::init().expect("GTK");
    let backend = Backend::new();
    let presenter = presenter_for(&backend);
    start_on(&backend, &lab).await;
    let conn = client(&backend).connection().clone();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    Some((lab, backend, presenter))
}

fn client(backend: &Backend) -> Client {
    backend.client().expect("the client started")
}

/// The path of the service connmand names `name`, once the client lists it.
async fn path_named(backend: &Backend, name: &str, secs: u64) -> String {
    let find = || {
        client(backend)
            .state()
            .services_in_order()
            .find(|(_, s)| s.name.as_deref() == Some(name))
            .map(|(p, _)| p.to_owned())
    };
    wait_until(secs, &format!("the service {name:?} listed"), || {
        find().is_some()
    })
    .await;
    find().unwrap()
}

async fn hidden_path(backend: &Backend, secs: u64) -> String {
    let find = || {
        client(backend)
            .state()
            .services_in_order()
            .find(|(_, s)| s.is_hidden())
            .map(|(p, _)| p.to_owned())
    };
    wait_until(secs, "the hidden service listed", || find().is_some()).await;
    find().unwrap()
}

async fn connected(backend: &Backend, path: &str, secs: u64) {
    wait_until(secs, &format!("{path} connected"), || {
        client(backend)
            .state()
            .service(path)
            .is_some_and(|s| s.is_connected())
    })
    .await;
}

/// Every label under `widget`.
fn labels(widget: &gtk::Widget) -> Vec<gtk::Label> {
    let mut out = Vec::new();
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(l) = c.downcast_ref::<gtk::Label>() {
            out.push(l.clone());
        }
        out.extend(labels(&c));
        child = c.next_sibling();
    }
    out
}

/// The label under `widget` showing exactly `text`.
fn label_showing(widget: &impl IsA<gtk::Widget>, text: &str) -> gtk::Label {
    let all = labels(widget.upcast_ref());
    all.iter()
        .find(|l| l.text() == text)
        .cloned()
        .unwrap_or_else(|| {
            let shown: Vec<String> = all.iter().map(|l| l.text().into()).collect();
            panic!("no label shows {text:?}: {shown:?}")
        })
}

/// A label shows `text` literally: neither markup nor a mnemonic is read
/// into it, and what it holds is what it shows.
fn assert_literal(label: &gtk::Label, text: &str) {
    assert!(!label.uses_markup(), "{text:?}: markup off");
    assert!(!label.uses_underline(), "{text:?}: mnemonics off");
    assert_eq!(label.label(), text);
    assert_eq!(label.text(), text);
}

/// The widest a widget may be in a window `max` wide: it asks no more than
/// `max` as its minimum, and got no more than `max`.
fn assert_fits(widget: &impl IsA<gtk::Widget>, max: i32, what: &str) {
    let w = widget.upcast_ref::<gtk::Widget>();
    let (min, _nat, _, _) = w.measure(gtk::Orientation::Horizontal, -1);
    assert!(min <= max, "{what}: minimum width {min} > {max}");
    assert!(w.width() <= max, "{what}: allocated {} > {max}", w.width());
}

#[gtk::test]
async fn hostile_names_are_shown_literally_in_the_window_at_phone_width() {
    let Some((_lab, backend, presenter)) = hostile_backend(hostile_lab()).await else {
        return;
    };
    // the names connmand gives the hostile SSIDs, as the client lists them
    let mut paths = Vec::new();
    for h in hostile() {
        paths.push((path_named(&backend, &h.name, 30).await, h.shown));
    }
    let hidden = hidden_path(&backend, 30).await;
    paths.push((hidden.clone(), "Hidden network".into()));

    let win = Window::new(&backend, None);
    presenter.set_parent({
        let win = win.downgrade();
        move || win.upgrade().map(|w| w.upcast())
    });
    win.set_default_size(360, 1400);
    win.present();
    wait_until(20, "a row for each hostile network", || {
        paths.iter().all(|(p, _)| win.service_row(p).is_some())
    })
    .await;
    // tall enough for every row to be on screen (and allocated)
    wait_until(10, "the window laid out at 360 px", || {
        win.width() > 0
            && paths
                .iter()
                .all(|(p, _)| win.service_row(p).unwrap().is_mapped())
    })
    .await;
    assert!(win.width() <= 360, "the window is {} px wide", win.width());
    let (min, _, _, _) = win.measure(gtk::Orientation::Horizontal, -1);
    assert!(min <= 360, "the window asks {min} px at least");
    for (path, shown) in &paths {
        let row = win.service_row(path).unwrap();
        assert_eq!(row.name_text(), *shown, "{path}");
        let label = label_showing(&row, shown);
        assert_literal(&label, shown);
        assert_fits(&row, 360, shown);
        assert!(
            label.width() <= row.width(),
            "{shown:?}: the name within its row"
        );
        // one line, like every other row
        assert_eq!(label.layout().line_count(), 1, "{shown:?} on one line");
    }
    // the longest names are cut with an ellipsis, not the layout
    let w32 = "W".repeat(32);
    let (long, _) = paths.iter().find(|(_, s)| *s == w32).unwrap();
    let label = label_showing(&win.service_row(long).unwrap(), &w32);
    assert!(
        label.layout().is_ellipsized(),
        "32 W are ellipsized at 360 px"
    );

    // the details page's title
    for (path, shown) in &paths {
        win.show_service(path);
        wait_until(10, &format!("the details of {shown:?}"), || {
            win.details_page()
                .is_some_and(|d| d.title_text() == *shown && d.width() > 0)
        })
        .await;
        let page = win.details_page().unwrap();
        assert_literal(&label_showing(&page, shown), shown);
        assert_fits(&page, 360, &format!("the details of {shown:?}"));
        win.close_details();
    }
    assert!(win.width() <= 360, "still 360 px: {}", win.width());

    // the passphrase dialog's heading, from the window's Connect
    let (psk, _) = paths.iter().find(|(_, s)| s == "_under_score").unwrap();
    win.connect_service(psk);
    wait_until(30, "the passphrase dialog", || {
        presenter.input_dialog().is_some()
    })
    .await;
    let dialog = presenter.input_dialog().unwrap();
    assert_eq!(dialog.heading_text(), "_under_score");
    assert_literal(&label_showing(&dialog, "_under_score"), "_under_score");
    dialog.entry("Passphrase").unwrap().set_text(UNDERSCORE_KEY);
    dialog.connect_button().emit_clicked();
    connected(&backend, psk, 60).await;
    // and the header says what carries the traffic
    wait_until(10, "the header names the network", || {
        win.header_text().1 == "via _under_score"
    })
    .await;
    assert!(win.width() <= 360, "still 360 px: {}", win.width());
    win.close();
}

/// Two prompts at once from the real daemons: connmand asks one at a time
/// per agent, but connmand and connman-vpnd each ask theirs, so a wifi
/// passphrase and a VPN login wait together in the presenter's queue.
#[gtk::test]
async fn a_wifi_passphrase_and_a_vpn_login_at_once_are_answered_in_order() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        vpn: true,
        ..hostile_lab()
    }) else {
        return;
    };
    for ap in hostile_aps() {
        lab.add_ap(&ap).await.expect("add a hostile access point");
    }
    connie::ui::init().expect("GTK");
    let backend = Backend::new();
    let presenter = Presenter::new();
    presenter.set_backend(&backend);
    // the order the requests reach the presenter in
    let arrived = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let handler = presenter.clone();
    let seen = arrived.clone();
    backend.set_agent_handler(move |request, client| {
        if let connie::connman::agent::AgentRequest::Input { request, .. } = &request {
            seen.borrow_mut().push(request.path.clone());
        }
        handler.handle(request, client)
    });
    start_on(&backend, &lab).await;
    let conn = client(&backend).connection().clone();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    wait_until(40, "the wired uplink connected", || {
        client(&backend)
            .state()
            .services_in_order()
            .any(|(_, s)| s.is_connected())
    })
    .await;
    lab.provision_vpn_kind(VpnKind::UserPass, "labauth", "Lab <auth> VPN")
        .await
        .expect("provision the VPN");
    let wifi = path_named(&backend, "_under_score", 30).await;
    let vpn = path_named(&backend, "Lab <auth> VPN", 30).await;

    let start = |path: &str| {
        let client = client(&backend);
        let path = path.to_owned();
        glib::spawn_future_local(async move { client.connect_service(&path).await })
    };
    let wifi_connect = start(&wifi);
    let vpn_connect = start(&vpn);
    let first = next_dialog(&presenter, None, "the first prompt").await;
    wait_until(30, "the other prompt queued behind it", || {
        presenter.queued() == 1
    })
    .await;
    let order = arrived.borrow().clone();
    assert_eq!(order.len(), 2, "{order:?}");
    let is_vpn = |p: &str| p.contains("/vpn/");
    assert!(
        is_vpn(&order[0]) != is_vpn(&order[1]),
        "one of each: {order:?}"
    );
    let answer = |dialog: &PassphraseDialog, vpn_prompt: bool| {
        if vpn_prompt {
            assert_eq!(dialog.heading_text(), "Lab <auth> VPN");
            dialog
                .entry("OpenVPN.Username")
                .expect("a user name entry")
                .set_text(connman_lab::vpn::VPN_USER);
            dialog
                .entry("OpenVPN.Password")
                .expect("a password entry")
                .set_text(connman_lab::vpn::VPN_PASSWORD);
        } else {
            assert_eq!(dialog.heading_text(), "_under_score");
            dialog
                .entry("Passphrase")
                .expect("a passphrase entry")
                .set_text(UNDERSCORE_KEY);
        }
        dialog.connect_button().emit_clicked();
    };
    // the first come is shown first; answering it shows the other
    answer(&first, is_vpn(&order[0]));
    let second = next_dialog(&presenter, Some(&first), "the second prompt").await;
    assert_eq!(presenter.queued(), 0);
    answer(&second, is_vpn(&order[1]));
    // each answer went to its own request: both connect
    for (what, handle) in [("the wifi", wifi_connect), ("the VPN", vpn_connect)] {
        let result = glib::future_with_timeout(Duration::from_secs(60), handle)
            .await
            .unwrap_or_else(|_| panic!("{what}'s Connect returns within 60 s"))
            .expect("the Connect task");
        assert!(result.is_ok(), "{what}: {result:?}");
    }
    connected(&backend, &wifi, 30).await;
    connected(&backend, &vpn, 30).await;
    assert!(!presenter.is_showing(), "nothing else asked");
}

// ---------------------------------------------------------------------------
// The presenter driven by a connmand played here: a connection of the test
// is made the agent's "connmand" (its owner), so that requests can come at
// once, or for a path the client does not list yet. The paths and the
// client are the lab's real ones.
// ---------------------------------------------------------------------------

/// The agent served on a connection of its own, answering `daemon` as
/// connmand, its requests handed to `presenter` with the Backend's client.
struct PlayedConnmand {
    daemon: zbus::Connection,
    agent_bus_name: String,
    _agent_conn: zbus::Connection,
    _forward: glib::JoinHandle<()>,
}

async fn played_connmand(lab: &Lab, backend: &Backend, presenter: &Presenter) -> PlayedConnmand {
    let daemon = lab.connect().await.expect("the lab's bus");
    let agent_conn = lab.connect().await.expect("the lab's bus");
    let owners = AgentOwners::new();
    owners.set(
        AgentKind::Connman,
        Some(daemon.unique_name().expect("a unique name").to_string()),
    );
    let (_handle, requests) = agent::serve(&agent_conn, owners)
        .await
        .expect("serve the agent");
    // a round trip on the agent's connection before the first request:
    // zbus 5 starts the object server's dispatch in a task of its own,
    // whose method-call stream is an AddMatch away, and calls that come
    // before it are never dispatched (seen here, one run in two)
    agent::resolve_owner(&agent_conn, "net.connman")
        .await
        .expect("connmand's owner");
    let client = client(backend);
    let presenter = presenter.clone();
    let forward = glib::spawn_future_local(async move {
        let _handle = _handle;
        while let Ok(request) = requests.recv().await {
            presenter.handle(request, &client);
        }
    });
    PlayedConnmand {
        daemon,
        agent_bus_name: agent_conn.unique_name().unwrap().to_string(),
        _agent_conn: agent_conn,
        _forward: forward,
    }
}

type Reply = zbus::Result<HashMap<String, OwnedValue>>;

impl PlayedConnmand {
    /// `RequestInput(path, {Passphrase: psk, mandatory})`, as connmand asks;
    /// the handle gives the agent's answer.
    fn request_passphrase(&self, path: &str) -> glib::JoinHandle<Reply> {
        let conn = self.daemon.clone();
        let dest = self.agent_bus_name.clone();
        let path = path.to_owned();
        glib::spawn_future_local(async move {
            let svc = ObjectPath::try_from(path.as_str()).unwrap();
            let mut pass: HashMap<&str, Value> = HashMap::new();
            pass.insert("Type", Value::from("psk"));
            pass.insert("Requirement", Value::from("mandatory"));
            let mut fields: HashMap<&str, Value> = HashMap::new();
            fields.insert("Passphrase", Value::from(pass));
            let reply = conn
                .call_method(
                    Some(dest.as_str()),
                    AGENT_PATH,
                    Some("net.connman.Agent"),
                    "RequestInput",
                    &(&svc, &fields),
                )
                .await?;
            reply.body().deserialize()
        })
    }
}

async fn answered(handle: glib::JoinHandle<Reply>, what: &str) -> String {
    let reply = glib::future_with_timeout(Duration::from_secs(10), handle)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within 10 s"))
        .expect("the call's task")
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    String::try_from(reply["Passphrase"].clone()).expect("a passphrase string")
}

async fn next_dialog(
    presenter: &Presenter,
    after: Option<&PassphraseDialog>,
    what: &str,
) -> PassphraseDialog {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(d) = presenter.input_dialog() {
            if Some(&d) != after && d.is_visible() {
                return d;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after 10 s: {what} (showing {}, message {:?}, queued {})",
            presenter.is_showing(),
            presenter.message_dialog().map(|m| m.body()),
            presenter.queued()
        );
        glib::timeout_future(Duration::from_millis(50)).await;
    }
}

#[gtk::test]
async fn two_requests_at_once_are_shown_and_answered_in_order() {
    let Some((lab, backend, presenter)) = hostile_backend(hostile_lab()).await else {
        return;
    };
    let first = path_named(&backend, "_under_score", 30).await;
    let second = path_named(&backend, "<b>bold</b>", 30).await;
    let connmand = played_connmand(&lab, &backend, &presenter).await;
    let one = connmand.request_passphrase(&first);
    let two = connmand.request_passphrase(&second);
    let dialog = next_dialog(&presenter, None, "the first dialog").await;
    wait_until(10, "the second request queued", || presenter.queued() == 1).await;
    assert_eq!(
        dialog.heading_text(),
        "_under_score",
        "the first request first"
    );
    dialog
        .entry("Passphrase")
        .unwrap()
        .set_text("first-passphrase");
    dialog.connect_button().emit_clicked();
    assert_eq!(answered(one, "the first request").await, "first-passphrase");

    let dialog2 = next_dialog(&presenter, Some(&dialog), "the second dialog").await;
    assert_eq!(dialog2.heading_text(), "<b>bold</b>");
    assert_eq!(presenter.queued(), 0);
    dialog2
        .entry("Passphrase")
        .unwrap()
        .set_text("second-passphrase");
    dialog2.connect_button().emit_clicked();
    assert_eq!(
        answered(two, "the second request").await,
        "second-passphrase"
    );
    wait_until(5, "no dialog left", || !presenter.is_showing()).await;
}

#[gtk::test]
async fn a_prompt_for_a_network_not_listed_yet_is_named_when_it_is() {
    let Some((lab, backend, presenter)) = hostile_backend(hostile_lab()).await else {
        return;
    };
    // connmand's path for an SSID: wifi_<interface address>_<hex SSID>_managed_psk
    let known = path_named(&backend, "_under_score", 30).await;
    let prefix = known.trim_end_matches("_5f756e6465725f73636f7265_managed_psk");
    assert_ne!(prefix, known, "{known}");
    let ssid = "Late <i>net</i>";
    let hex: String = ssid.bytes().map(|b| format!("{b:02x}")).collect();
    let late = format!("{prefix}_{hex}_managed_psk");
    assert!(client(&backend).state().service(&late).is_none());

    let connmand = played_connmand(&lab, &backend, &presenter).await;
    let call = connmand.request_passphrase(&late);
    let dialog = next_dialog(&presenter, None, "the dialog").await;
    assert_eq!(dialog.heading_text(), "Wi-Fi network", "not listed yet");

    // the network appears: connmand lists it, the client learns its name
    let mut ap = AccessPoint::new(ssid.as_bytes().to_vec(), Security::Psk);
    ap.passphrase = Some("latepassword".into());
    lab.add_ap(&ap).await.expect("add the access point");
    scan(&client(&backend).connection().clone(), "wifi").await;
    wait_until(30, "the heading names the network", || {
        dialog.heading_text() == ssid
    })
    .await;
    assert!(client(&backend).state().service(&late).is_some());
    assert_eq!(
        presenter.input_dialog().as_ref(),
        Some(&dialog),
        "the same dialog"
    );
    assert_literal(&label_showing(&dialog, ssid), ssid);
    dialog.entry("Passphrase").unwrap().set_text("latepassword");
    dialog.connect_button().emit_clicked();
    assert_eq!(answered(call, "the request").await, "latepassword");
}

// ---------------------------------------------------------------------------
// The tray: its menu (dbusmenu, where `_` marks a mnemonic), its tooltip
// (which hosts may render as markup) and the notifications it sends (whose
// bodies servers may render as markup). The host and the notification
// server are played on a private session bus.
// ---------------------------------------------------------------------------

/// What a dbusmenu host shows for `label`: `__` is an underscore, a lone
/// `_` marks the mnemonic and is not shown.
fn as_host_shows(label: &str) -> String {
    let mut out = String::new();
    let mut chars = label.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '_' {
            if chars.peek() == Some(&'_') {
                chars.next();
                out.push('_');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Markup as a host renders it to text: `&lt;` `&gt;` `&amp;` become the
/// characters; a tag left in would be eaten.
fn as_markup_shows(text: &str) -> String {
    assert!(
        !text.contains('<') && !text.contains('>'),
        "unescaped markup: {text:?}"
    );
    let unescaped = text.replace("&lt;", "<").replace("&gt;", ">");
    let bare = unescaped.replace("&amp;", "");
    assert!(!bare.contains('&'), "an unescaped &: {text:?}");
    unescaped.replace("&amp;", "&")
}

#[gtk::test]
async fn hostile_names_in_the_tray_menu_tooltip_and_notifications() {
    use connie::notify::{Category, Notice, Notifier};
    use connie::prefs::Prefs;
    use connie::tray::controller::{Hooks, Tray};
    use connman_lab::testing::{Notifications, PrivateBus, StatusWatcher};

    let Some((_lab, backend, presenter)) = hostile_backend(hostile_lab()).await else {
        return;
    };
    let _ = gio::bus_get_future(gio::BusType::Session).await;
    let bus = PrivateBus::start("hostile-tray");
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus.address());
    let watcher = StatusWatcher::start(bus.address());
    let notifications = Notifications::start(bus.address());
    let prefs_dir = std::env::temp_dir().join(format!(
        "connie-hostile-prefs-{}-{}",
        std::process::id(),
        glib::monotonic_time()
    ));
    let prefs = Prefs::load_from(&prefs_dir.join("c"), &prefs_dir.join("a"));
    let hooks = Hooks {
        window: Box::new(|_| {}),
        host: Box::new(|_| {}),
    };
    let tray = Tray::start(&backend, &prefs, Notifier::new(), hooks);
    wait_until(10, "the item registered", || !watcher.items().is_empty()).await;
    let item = tray_common::ItemView::new(watcher.connection(), &watcher.items()[0]).await;

    // the menu: every hostile name as the host shows it
    let mut shown: Vec<String> = hostile().into_iter().map(|h| h.shown).collect();
    for s in &mut shown {
        if s == "_under_score" {
            s.push_str(" · WPA");
        }
    }
    let menu = item
        .until(
            20,
            "every hostile name in the menu",
            || item.menu(),
            |m| {
                let labels: Vec<String> = m.iter().map(|e| as_host_shows(&e.label)).collect();
                shown.iter().all(|s| labels.contains(s))
            },
        )
        .await;
    assert!(
        menu.iter().any(|e| e.label == "Connect to Hidden Network…"),
        "{menu:#?}"
    );
    assert!(
        menu.iter().any(|e| e.label == "__under__score · WPA"),
        "underscores doubled: {menu:#?}"
    );

    // connected, from the menu: the tooltip and the notification
    let connects = [
        ("__under__score · WPA", "_under_score"),
        ("<b>bold</b>", "<b>bold</b>"),
        (
            "ctl\u{2401}\u{241b}\u{2409}\u{240a}end",
            "ctl\u{2401}\u{241b}\u{2409}\u{240a}end",
        ),
        ("&amp; & ", "&amp; & "),
        (
            "\u{2068}\u{202E}txet desrever\u{202C}\u{2069}",
            "\u{2068}\u{202E}txet desrever\u{202C}\u{2069}",
        ),
    ];
    for (menu_label, name) in connects {
        let entry = item
            .menu()
            .await
            .into_iter()
            .find(|e| e.label == menu_label)
            .unwrap_or_else(|| panic!("no entry {menu_label:?}"));
        item.click(&entry.label).await;
        if name == "_under_score" {
            let dialog = next_dialog(&presenter, None, "the passphrase dialog").await;
            assert_eq!(dialog.heading_text(), name);
            dialog.entry("Passphrase").unwrap().set_text(UNDERSCORE_KEY);
            dialog.connect_button().emit_clicked();
        }
        let want = format!("Connected to {name} (");
        let tip = item
            .until(
                30,
                &format!("the tooltip for {name:?}"),
                || item.tooltip(),
                |t| {
                    t.lines()
                        .next()
                        .is_some_and(|l| as_markup_shows(l).starts_with(&want))
                },
            )
            .await;
        // the name's newline does not split the tooltip: the name's line,
        // then at most the address
        assert!(tip.lines().count() <= 2, "{tip:?}");
        let summary = format!("Connected to {name}");
        wait_until(10, &format!("the notification {summary:?}"), || {
            notifications.seen().iter().any(|n| n.summary == summary)
        })
        .await;
    }

    // several notices at once: the others' summaries (with names) go into
    // the body, which servers read as markup
    let notice = |summary: &str| Notice {
        category: Category::Connection,
        summary: summary.to_owned(),
        body: String::new(),
        about: None,
    };
    let merged = connie::notify::merge(&[
        notice("Connected to <b>bold</b>"),
        notice("Disconnected from &amp; & _x"),
    ])
    .unwrap();
    let notifier = Notifier::new();
    notifier.show(&merged).await;
    wait_until(10, "the merged notification", || {
        notifications
            .seen()
            .iter()
            .any(|n| n.summary == "Connected to <b>bold</b>" && !n.body.is_empty())
    })
    .await;
    let seen = notifications.seen();
    let n = seen.iter().rev().find(|n| !n.body.is_empty()).unwrap();
    assert_eq!(
        as_markup_shows(&n.body),
        "Disconnected from &amp; & _x",
        "{:?}",
        n.body
    );
    tray.shutdown().await;
    let _ = std::fs::remove_dir_all(&prefs_dir);
}
