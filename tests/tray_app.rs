//! The tray icon wired as the application wires it (backend, agents,
//! presenter, preferences, notifier), against the lab's real connmand and
//! connman-vpnd. The host's side is played here over a private session bus:
//! a StatusNotifierWatcher, a notification server, and the reads and clicks
//! a panel makes. GTK tests run one at a time (`#[gtk::test]`), so each sets
//! the session bus address for the item it starts; every wait is bounded.

mod tray_common;
mod ui_common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use adw::prelude::*;
use connie::backend::Backend;
use connie::notify::Notifier;
use connie::prefs::Prefs;
use connie::tray::controller::{Hooks, Tray, WindowRequest};
use connie::ui::agent::Presenter;
use connman_lab::testing::{
    power_on, scan, service_where, services, string, Notification, Notifications, PrivateBus,
    Props, StatusWatcher,
};
use connman_lab::{Lab, LabOptions, VpnKind};
use tray_common::ItemView;
use ui_common::{
    count_strength_signals, last_news, presenter_for, start_on, wait_paced, wait_until,
};

struct TrayUi {
    lab: Lab,
    backend: Backend,
    presenter: Presenter,
    tray: Tray,
    item: ItemView,
    notifications: Notifications,
    requests: Rc<RefCell<Vec<WindowRequest>>>,
    prefs: Prefs,
    _watcher: StatusWatcher,
    _bus: PrivateBus,
    prefs_dir: std::path::PathBuf,
}

impl Drop for TrayUi {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.prefs_dir);
    }
}

impl TrayUi {
    fn conn(&self) -> zbus::Connection {
        self.backend.client().expect("client").connection().clone()
    }

    /// Powers wifi on, scans, and waits for `name` in the tray's menu.
    async fn wifi_listed(&self, name: &str) {
        let conn = self.conn();
        power_on(&conn, "wifi").await;
        scan(&conn, "wifi").await;
        self.item.wait_entry(10, name, |_| true).await;
    }

    /// connmand's own view of the service named `name` (GetServices).
    async fn connmand_service(&self, name: &str) -> Option<Props> {
        services(&self.conn())
            .await
            .into_iter()
            .find(|(_, p)| string(p, "Name").as_deref() == Some(name))
            .map(|(_, p)| p)
    }

    async fn wait_service_state(&self, name: &str, ok: &[&str], secs: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let state = self
                .connmand_service(name)
                .await
                .and_then(|p| string(&p, "State"));
            if state.as_deref().is_some_and(|s| ok.contains(&s)) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{name} never got to {ok:?} (is {state:?})"
            );
            glib::timeout_future(Duration::from_millis(100)).await;
        }
    }

    async fn offline_mode(&self) -> bool {
        let reply: Props = connman_lab::testing::manager(&self.conn())
            .await
            .call("GetProperties", &())
            .await
            .unwrap();
        reply
            .get("OfflineMode")
            .and_then(|v| bool::try_from(v.clone()).ok())
            .unwrap()
    }

    /// The latest notification saying `summary` (as its title, or as a line
    /// of a merged one).
    async fn notification(&self, secs: u64, summary: &str) -> Notification {
        let mut found = None;
        let all = self.notifications.seen();
        let what = format!("notification {summary:?} (seen so far: {all:?})");
        wait_until(secs, &what, || {
            found = self
                .notifications
                .seen()
                .into_iter()
                .rev()
                .find(|n| n.summary == summary || n.body.lines().any(|l| l == summary));
            found.is_some()
        })
        .await;
        found.unwrap_or_else(|| unreachable!())
    }
}

/// A lab, and Connie's backend, presenter and tray on it, with a tray host
/// and a notification server on a private session bus.
async fn tray_ui(opts: LabOptions) -> Option<TrayUi> {
    let wired = opts.ethernet > 0;
    let lab = Lab::for_test(opts)?;
    if wired {
        // the uplink comes up before Connie starts, so that "nothing is
        // said at start-up" is about the state Connie finds, not about a
        // connection made after it
        let conn = lab.connect().await.expect("the lab's bus");
        service_where(&conn, "the lab's wired service connected", 20, |_, p| {
            string(p, "Type").as_deref() == Some("ethernet")
                && matches!(string(p, "State").as_deref(), Some("ready" | "online"))
        })
        .await;
    }
    // GTK and GLib's shared session connection stay on the test run's own
    // session bus: GLib ends the process when that connection closes, and
    // the private bus below ends with the test
    connie::ui::init().expect("GTK");
    let _ = gio::bus_get_future(gio::BusType::Session).await;
    let bus = PrivateBus::start("tray-app");
    // the item and the notifier reach the session bus named here
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus.address());
    let watcher = StatusWatcher::start(bus.address());
    let notifications = Notifications::start(bus.address());

    let backend = Backend::new();
    let presenter = presenter_for(&backend);
    let prefs_dir = std::env::temp_dir().join(format!(
        "connie-tray-prefs-{}-{}",
        std::process::id(),
        glib::monotonic_time()
    ));
    let prefs = Prefs::load_from(&prefs_dir.join("c"), &prefs_dir.join("a"));
    let requests = Rc::new(RefCell::new(Vec::new()));
    let seen = requests.clone();
    let hooks = Hooks {
        window: Box::new(move |r| seen.borrow_mut().push(r)),
        host: Box::new(|_| {}),
    };
    let tray = Tray::start(&backend, &prefs, Notifier::new(), hooks);
    start_on(&backend, &lab).await;
    wait_until(10, "the item registered", || !watcher.items().is_empty()).await;
    wait_until(10, "the tray knows its host", || tray.host() == Some(true)).await;
    let item = ItemView::new(watcher.connection(), &watcher.items()[0]).await;
    Some(TrayUi {
        lab,
        backend,
        presenter,
        tray,
        item,
        notifications,
        requests,
        prefs,
        _watcher: watcher,
        _bus: bus,
        prefs_dir,
    })
}

fn wifi_lab(ethernet: u8) -> LabOptions {
    LabOptions {
        ethernet,
        wifi: true,
        ..LabOptions::default()
    }
}

#[gtk::test]
async fn the_icon_menu_and_switches_follow_connmand() {
    let Some(ui) = tray_ui(wifi_lab(1)).await else {
        return;
    };
    let item = &ui.item;
    item.wait_icon(20, "network-wired-symbolic").await;
    let tip = item.tooltip().await;
    assert!(tip.starts_with("Connected to Wired"), "{tip}");
    assert!(tip.contains("Address 10.77."), "{tip}");

    let conn = ui.conn();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    // the menu lists the lab's wifi networks in connmand's order
    let expected: Vec<String> = services(&conn)
        .await
        .into_iter()
        .filter(|(_, p)| string(p, "Type").as_deref() == Some("wifi"))
        .filter_map(|(_, p)| string(&p, "Name"))
        .collect();
    assert!(expected.len() >= 4, "the lab's networks: {expected:?}");
    let menu = item
        .until(
            10,
            "the wifi networks in the menu",
            || item.menu(),
            |m| m.iter().any(|e| e.label.starts_with(&expected[0])),
        )
        .await;
    let listed: Vec<String> = menu
        .iter()
        .filter(|e| expected.iter().any(|n| e.label.starts_with(n.as_str())))
        .map(|e| e.label.split(" · ").next().unwrap().to_owned())
        .collect();
    assert_eq!(listed, expected, "connmand's order");
    let wpa = menu
        .iter()
        .find(|e| e.label.starts_with("LabWPA2"))
        .unwrap();
    assert_eq!(wpa.label, "LabWPA2 · WPA");
    assert_eq!(wpa.toggled, Some(0));
    assert!(
        ui.notifications.seen().is_empty(),
        "nothing at start-up: {:?}",
        ui.notifications.seen()
    );

    // airplane mode from the menu, told once each way, each replacing the last
    item.click("Airplane Mode").await;
    item.wait_icon(10, "airplane-mode-symbolic").await;
    assert!(ui.offline_mode().await, "connmand is offline");
    let on = ui.notification(5, "Airplane mode on").await;
    assert_eq!(on.desktop_entry.as_deref(), Some("io.github.connie.Connie"));
    assert_eq!(on.app_icon, "io.github.connie.Connie", "Connie's own icon");
    assert_eq!(on.image.as_deref(), Some("airplane-mode-symbolic"));
    item.click("Airplane Mode").await;
    let off = ui.notification(10, "Airplane mode off").await;
    assert_eq!(off.replaces_id, on.id, "one notification replaces the last");
    assert!(!ui.offline_mode().await);

    // a technology switch
    item.click("Wi-Fi").await;
    item.until(
        10,
        "wifi off in the menu",
        || item.menu(),
        |m| m.iter().any(|e| e.label == "Wi-Fi" && e.toggled == Some(0)),
    )
    .await;
    let techs = connman_lab::testing::technologies(&conn).await;
    let wifi = techs
        .iter()
        .find(|(p, _)| p.as_str() == "/net/connman/technology/wifi")
        .expect("wifi technology");
    assert_eq!(
        wifi.1
            .get("Powered")
            .and_then(|v| bool::try_from(v.clone()).ok()),
        Some(false),
        "connmand powered wifi off"
    );

    // the icon's click and the menu's window entries reach the application
    item.activate().await;
    item.click("Open Connie").await;
    wait_until(5, "two window requests", || ui.requests.borrow().len() == 2).await;
    assert_eq!(
        *ui.requests.borrow(),
        [WindowRequest::Toggle, WindowRequest::Open]
    );
    ui.tray.shutdown().await;
}

#[gtk::test]
async fn a_psk_network_from_the_menu_asks_for_its_password_and_connects() {
    let Some(ui) = tray_ui(wifi_lab(0)).await else {
        return;
    };
    ui.wifi_listed("LabWPA2").await;
    let item = &ui.item;
    item.click("LabWPA2").await;
    wait_until(20, "the passphrase dialog", || {
        ui.presenter.input_dialog().is_some()
    })
    .await;
    let dialog = ui.presenter.input_dialog().unwrap();
    dialog
        .entry("Passphrase")
        .expect("a passphrase entry")
        .set_text("labpassword");
    dialog.connect_button().emit_clicked();
    ui.wait_service_state("LabWPA2", &["ready", "online"], 30)
        .await;
    let menu = item
        .wait_entry(10, "LabWPA2", |e| e.toggled == Some(1))
        .await;
    assert!(menu.iter().any(|e| e.label.starts_with("LabOpen")));
    let icon = item.icon().await;
    assert!(
        icon.starts_with("network-wireless-signal-"),
        "a strength icon: {icon}"
    );
    let tip = item.tooltip().await;
    assert!(tip.starts_with("Connected to LabWPA2 ("), "{tip}");
    let n = ui.notification(10, "Connected to LabWPA2").await;
    assert_eq!(n.category.as_deref(), Some("network.connected"));

    // disconnected from the menu: the icon and a notification say so
    item.click("LabWPA2").await;
    item.wait_icon(20, "network-offline-symbolic").await;
    ui.notification(10, "Disconnected from LabWPA2").await;
    ui.tray.shutdown().await;
}

#[gtk::test]
async fn a_vpn_from_the_menu_shows_over_the_uplink() {
    let Some(ui) = tray_ui(LabOptions {
        vpn: true,
        ..LabOptions::default()
    })
    .await
    else {
        return;
    };
    ui.lab
        .provision_vpn_kind(VpnKind::Certificate, "traycert", "Tray VPN")
        .await
        .expect("provision a VPN");
    let item = &ui.item;
    item.until(
        20,
        "the VPN and the wired uplink in the menu",
        || item.menu(),
        |m| {
            m.iter().any(|e| e.label.starts_with("Tray VPN"))
                && m.iter().any(|e| e.label == "Wired" && e.toggled == Some(1))
        },
    )
    .await;
    item.click("Tray VPN").await;
    ui.wait_service_state("Tray VPN", &["ready", "online"], 60)
        .await;
    item.until(
        10,
        "the VPN overlay",
        || item.string("OverlayIconName"),
        |i| i == "network-vpn-symbolic",
    )
    .await;
    assert_eq!(
        item.icon().await,
        "network-wired-symbolic",
        "the uplink stays"
    );
    let tip = item.tooltip().await;
    assert!(tip.contains("VPN: Tray VPN"), "{tip}");
    let up = ui.notification(10, "VPN Tray VPN connected").await;
    assert_eq!(up.category.as_deref(), Some("network"));

    item.click("Tray VPN").await;
    item.until(
        20,
        "no VPN overlay",
        || item.string("OverlayIconName"),
        |i| i.is_empty(),
    )
    .await;
    ui.notification(10, "VPN Tray VPN disconnected").await;
    ui.tray.shutdown().await;
}

#[gtk::test]
async fn a_strength_storm_makes_few_tray_updates() {
    let Some(ui) = tray_ui(wifi_lab(0)).await else {
        return;
    };
    let news = last_news(&ui.backend);
    ui.wifi_listed("LabOpen").await;
    let item = &ui.item;
    item.click("LabOpen").await;
    // online (the lab answers the online check): the connection's last step
    ui.wait_service_state("LabOpen", &["online"], 30).await;
    item.until(
        10,
        "a strength icon",
        || item.icon(),
        |i| i.starts_with("network-wireless-signal-"),
    )
    .await;
    // the connect's own updates are out: news is shown after FAST, and none
    // came for URGENT (longer)
    wait_paced(20, &news).await;
    let before = ui.tray.updates_sent();
    let start = std::time::Instant::now();
    // what connmand sends, seen on the lab's bus (Connie holds strength
    // changes back and passes them on merged)
    let (strength_changes, counter) = count_strength_signals(&ui.lab).await;
    // 40 signal changes in 2 s, ending strong
    for i in 0..40i16 {
        let dbm = if i % 2 == 0 { -80 } else { -50 };
        ui.lab.set_signal(b"LabOpen", dbm - i % 7).await.unwrap();
        glib::timeout_future(Duration::from_millis(50)).await;
    }
    ui.lab.set_signal(b"LabOpen", -35).await.unwrap();
    item.wait_icon(15, "network-wireless-signal-excellent-symbolic")
        .await;
    counter.abort();
    let changes = strength_changes.get();
    let updates = ui.tray.updates_sent() - before;
    let took = start.elapsed();
    eprintln!("{changes} strength changes, {updates} tray updates in {took:?}");
    assert!(changes >= 10, "connmand passed the storm on: {changes}");
    // only strengths changed: one refresh per SLOW interval at most (and two
    // more, as before: 6 for the ~3.5 s the storm, its end and a wait took)
    let slow = connie::tray::controller::SLOW;
    let paced = (took.as_secs_f64() / slow.as_secs_f64()) as u64 + 1;
    assert!(
        updates <= paced + 2,
        "{changes} strength changes became {updates} tray updates in {took:?}"
    );
    ui.tray.shutdown().await;
}

#[gtk::test]
async fn preferences_switches_persist() {
    connie::ui::init().expect("GTK");
    let dir = std::env::temp_dir().join(format!("connie-prefs-ui-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let prefs = Prefs::load_from(&dir.join("c"), &dir.join("a"));
    let parent = adw::Window::new();
    let window = connie::ui::preferences::build(&parent, &prefs);
    window.present();
    let found: Vec<gtk::Switch> = connie::ui::descendants(window.upcast_ref());
    // start at login, icon only when needed, then one per notification kind
    assert_eq!(found.len(), 6, "{found:?}");
    assert!(!found[0].is_active() && !found[1].is_active());
    assert!(found[2..].iter().all(|s| s.is_active()));
    found[0].set_active(true);
    found[1].set_active(true);
    found[3].set_active(false);
    let again = Prefs::load_from(&dir.join("c"), &dir.join("a"));
    assert!(again.start_at_login(), "the autostart entry is written");
    assert!(again.tray_attention_only());
    assert!(!again.notify(connie::notify::Category::Vpn));
    assert!(again.notify(connie::notify::Category::Connection));
    found[0].set_active(false);
    assert!(!again.start_at_login(), "and removed");
    window.close();
    parent.close();
    let _ = std::fs::remove_dir_all(&dir);
}

#[gtk::test]
async fn a_failed_connect_is_told_once_and_turned_off_kinds_are_not() {
    let Some(ui) = tray_ui(wifi_lab(1)).await else {
        return;
    };
    ui.wifi_listed("LabOpen").await;
    let item = &ui.item;
    ui.lab.fail_association(b"LabOpen", true).await.unwrap();
    item.click("LabOpen").await;
    // connmand reports the error to the agent: its dialog says why, and a
    // notification would say it twice
    wait_until(40, "the error dialog", || {
        ui.presenter.message_dialog().is_some()
    })
    .await;
    let dialog = ui.presenter.message_dialog().unwrap();
    let said = format!("{} {}", dialog.heading().unwrap_or_default(), dialog.body());
    assert!(said.contains("LabOpen"), "{said}");
    // the connect's outcome is decided (its row is no longer busy)
    let path = {
        let client = ui.backend.client().expect("the client");
        let state = client.state();
        let found = state
            .services_in_order()
            .find(|(_, s)| s.name.as_deref() == Some("LabOpen"))
            .map(|(p, _)| p.to_owned());
        found.expect("LabOpen listed")
    };
    wait_until(30, "the connect's outcome", || {
        ui.backend
            .models()
            .services
            .get(&path)
            .is_some_and(|s| !s.pending())
    })
    .await;
    assert!(ui.backend.failure_told(&path), "the dialog tells it");
    dialog.close();

    // a failure no dialog explains is a notification, with its reason (the
    // menu's commands go through `run`; wired cannot scan)
    let scan_fails = || {
        ui.tray.run(connie::tray::look::Command::Rescan(
            "/net/connman/technology/ethernet".into(),
        ))
    };
    scan_fails();
    let n = ui.notification(10, "Could not scan for networks").await;
    assert_eq!(n.category.as_deref(), Some("network.error"));
    assert!(n.body.ends_with('.') && n.body.len() > 10, "{:?}", n.body);
    // airplane notifications turned off: nothing more is shown
    ui.prefs
        .set_notify(connie::notify::Category::Offline, false);
    let shown = ui.notifications.seen().len();
    item.click("Airplane Mode").await;
    // the tray has taken airplane mode (and, in an earlier refresh, the
    // failure): what it would have notified is sent before what follows
    item.wait_icon(10, "airplane-mode-symbolic").await;
    scan_fails();
    wait_until(10, "the second scan failure", || {
        ui.notifications.seen().len() > shown
    })
    .await;
    let after: Vec<String> = ui.notifications.seen()[shown..]
        .iter()
        .map(|n| n.summary.clone())
        .collect();
    assert_eq!(
        after,
        ["Could not scan for networks"],
        "turned off, yet shown"
    );
    // the failed connect was told once: by the dialog
    let errors: Vec<_> = ui
        .notifications
        .seen()
        .into_iter()
        .filter(|n| n.category.as_deref() == Some("network.error"))
        .map(|n| n.summary)
        .collect();
    assert_eq!(
        errors,
        ["Could not scan for networks", "Could not scan for networks"],
        "told twice"
    );
    ui.tray.shutdown().await;
}

#[gtk::test]
async fn before_the_client_starts_the_icon_says_connecting_then_why_not() {
    connie::ui::init().expect("GTK");
    let _ = gio::bus_get_future(gio::BusType::Session).await;
    let bus = PrivateBus::start("tray-start");
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus.address());
    let watcher = StatusWatcher::start(bus.address());
    let dir = std::env::temp_dir().join(format!("connie-tray-start-{}", std::process::id()));
    let prefs = Prefs::load_from(&dir.join("c"), &dir.join("a"));
    let backend = Backend::new();
    let hooks = Hooks {
        window: Box::new(|_| {}),
        host: Box::new(|_| {}),
    };
    let tray = Tray::start(&backend, &prefs, Notifier::new(), hooks);
    wait_until(10, "the item registered", || !watcher.items().is_empty()).await;
    let item = ItemView::new(watcher.connection(), &watcher.items()[0]).await;
    item.wait_icon(5, "network-offline-symbolic").await;
    assert_eq!(item.tooltip().await, "Connecting to ConnMan…");
    // no system bus: the icon says ConnMan cannot be reached
    backend
        .start(Err(zbus::Error::Failure("no system bus".into())))
        .await;
    item.wait_icon(5, "network-error-symbolic").await;
    assert_eq!(item.tooltip().await, "ConnMan is not running");
    tray.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[gtk::test]
async fn a_crowded_room_gives_a_bounded_menu_and_more_networks_opens_the_window() {
    const APS: usize = 300;
    let Some(ui) = tray_ui(LabOptions {
        wifi: true,
        aps: connman_lab::ApSet::Generated(APS),
        online_check: false,
        ..LabOptions::default()
    })
    .await
    else {
        return;
    };
    // and a hidden network, which stays reachable however many there are
    let mut hidden = connman_lab::AccessPoint::new("LabHidden", connman_lab::Security::Psk);
    hidden.passphrase = Some("hiddenpass".into());
    hidden.signal = -90;
    hidden.hidden = true;
    ui.lab.add_ap(&hidden).await.expect("a hidden access point");
    let conn = ui.conn();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while services(&conn).await.len() < APS + 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the lab's {APS} networks"
        );
        glib::timeout_future(Duration::from_millis(200)).await;
    }
    let item = &ui.item;
    // connmand's first networks, as many as the menu lists, then "More
    // Networks…"; read through the menu's D-Bus layout, as a panel reads it
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let (menu, listed) = loop {
        let expected: Vec<String> = services(&conn)
            .await
            .into_iter()
            .filter(|(_, p)| string(p, "Type").as_deref() == Some("wifi"))
            .filter_map(|(_, p)| string(&p, "Name"))
            .take(connie::tray::look::MENU_NETWORKS)
            .collect();
        let menu = item.menu().await;
        let listed: Vec<String> = menu
            .iter()
            .filter(|e| e.label.starts_with("Lab-AP-"))
            .map(|e| e.label.split(" · ").next().unwrap().to_owned())
            .collect();
        if listed == expected && menu.iter().any(|e| e.label == "More Networks…") {
            break (menu, listed);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the menu {listed:?}, connmand's first {expected:?}"
        );
        glib::timeout_future(Duration::from_millis(200)).await;
    };
    assert_eq!(listed.len(), connie::tray::look::MENU_NETWORKS);
    assert!(
        menu.len() < 40,
        "a bounded menu: {} entries for {APS} networks",
        menu.len()
    );
    assert!(
        menu.iter()
            .any(|e| e.label.starts_with("Connect to Hidden Network")),
        "hidden networks stay reachable: {:?}",
        menu.iter().map(|e| &e.label).collect::<Vec<_>>()
    );
    ui.requests.borrow_mut().clear();
    item.click("More Networks").await;
    wait_until(5, "the window asked for", || {
        ui.requests.borrow().as_slice() == [WindowRequest::Open]
    })
    .await;
    ui.tray.shutdown().await;
}
