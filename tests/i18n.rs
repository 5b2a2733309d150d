//! Real gettext with the real German catalogue: `po/de.po` is compiled here
//! (msgfmt, from the build packages, as `make mo` does) into the target's
//! temporary directory and bound as the application binds its own
//! (`connie::i18n::bind`). Then, under `LANGUAGE=de`, the window, the
//! passphrase dialog and its messages, the tray's menu and tooltip and the
//! notifications are read through the real widgets and D-Bus interfaces, as
//! a person (or a panel) sees them, against the lab's real connmand. The
//! tests share one process (its locale and LANGUAGE), so each starts with
//! [`german`], and all are GTK tests, which run one at a time on one thread
//! (`#[gtk::test]`), whatever `--test-threads` says; every wait is bounded.

mod tray_common;
mod ui_common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use adw::prelude::*;
use connie::backend::Backend;
use connie::notify::Notifier;
use connie::prefs::Prefs;
use connie::tray::controller::{Hooks, Tray};
use connie::ui::Window;
use connman_lab::testing::{
    power_on, scan, service_where, string, Notifications, PrivateBus, StatusWatcher,
};
use connman_lab::{Lab, LabOptions};
use tray_common::ItemView;
use ui_common::{presenter_for, start_on, wait_until};

/// Compiles `po/de.po` into `target/tmp/locale` (once per process), switches
/// the process to German (`LANGUAGE=de` over C.UTF-8, the one locale every
/// glibc has; it honours LANGUAGE) and binds Connie's domain there.
fn german() {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        // once, on the GTK tests' thread (every test here is a gtk::test)
        std::env::set_var("LANGUAGE", "de");
        std::env::set_var("LC_ALL", "C.UTF-8");
        let po = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("po/de.po");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("locale");
        let messages = dir.join("de/LC_MESSAGES");
        std::fs::create_dir_all(&messages).unwrap();
        let status = Command::new("msgfmt")
            .arg("--check")
            .arg("-o")
            .arg(messages.join("connie.mo"))
            .arg(&po)
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "msgfmt, which compiles {}, could not run ({e}): \
                     install gettext (`make deps`)",
                    po.display()
                )
            });
        assert!(
            status.success(),
            "{} does not compile: `msgfmt --check {}` says why",
            po.display(),
            po.display()
        );
        dir
    });
    gettextrs::setlocale(gettextrs::LocaleCategory::LcAll, "");
    connie::i18n::bind(dir);
}

#[gtk::test]
fn strings_come_back_translated_from_the_german_catalogue() {
    german();
    use connie::i18n::{gettext, gettext_f, ngettext};
    assert_eq!(gettext("Connected"), "Verbunden");
    assert_eq!(gettext("Wi-Fi"), "WLAN");
    assert_eq!(
        gettext_f("Connect to {}", &["<b>Café</b>"]),
        "Mit <b>Café</b> verbinden"
    );
    assert_eq!(
        gettext_f(
            "“{}” is not a prefix length between 1 and {}.",
            &["99", "32"]
        ),
        "„99“ ist keine Präfixlänge zwischen 1 und 32."
    );
    assert_eq!(ngettext("{} network", "{} networks", 1), "1 Netzwerk");
    assert_eq!(ngettext("{} network", "{} networks", 3), "3 Netzwerke");
    // no translation: the English msgid
    assert_eq!(
        gettext("No such sentence in Connie"),
        "No such sentence in Connie"
    );
}

/// The text of every label of `root` that is on screen, depth first.
fn shown_labels(root: &impl IsA<gtk::Widget>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.clone().upcast::<gtk::Widget>()];
    while let Some(w) = stack.pop() {
        if !w.is_mapped() {
            continue;
        }
        if let Some(label) = w.downcast_ref::<gtk::Label>() {
            if !label.text().is_empty() {
                out.push(label.text().into());
            }
        }
        let mut child = w.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push(c);
        }
    }
    out
}

/// The labels of a menu model's items, sections included, in order.
fn menu_labels(model: &gio::MenuModel) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..model.n_items() {
        if let Some(label) = model.item_attribute_value(i, "label", None) {
            out.push(label.get::<String>().unwrap());
        }
        let links = model.iterate_item_links(i);
        while let Some((_, sub)) = links.next() {
            out.extend(menu_labels(&sub));
        }
    }
    out
}

/// The window's main menu button (its tooltip names it).
fn main_menu(win: &Window) -> gtk::MenuButton {
    let mut stack = vec![win.clone().upcast::<gtk::Widget>()];
    while let Some(w) = stack.pop() {
        if let Some(b) = w.downcast_ref::<gtk::MenuButton>() {
            if b.menu_model().is_some() && b.tooltip_text().as_deref() == Some("Hauptmenü") {
                return b.clone();
            }
        }
        let mut child = w.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            stack.push(c);
        }
    }
    panic!("no menu button named „Hauptmenü“: is the window in German?");
}

#[gtk::test]
async fn the_window_and_the_passphrase_dialog_speak_german() {
    german();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        ..Default::default()
    }) else {
        return;
    };
    connie::ui::init().expect("GTK");
    let backend = Backend::new();
    let presenter = presenter_for(&backend);
    start_on(&backend, &lab).await;
    let win = Window::new(&backend, None);
    win.present();
    let parent = win.clone();
    presenter.set_parent(move || Some(parent.clone().upcast()));

    // the header and the sections
    // (connmand names wired services "Wired": a name, not Connie's text)
    wait_until(40, "online via the wired network in the header", || {
        win.header_text() == ("Online".into(), "über Wired".into())
    })
    .await;
    let conn = backend.client().expect("client").connection().clone();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    let wired = "/net/connman/technology/ethernet";
    let wifi = "/net/connman/technology/wifi";
    wait_until(20, "rows for both technologies", || {
        win.technology_row(wired).is_some() && win.technology_row(wifi).is_some()
    })
    .await;
    let labels = shown_labels(&win);
    // (the devices' list is named „Geräte“ for screen readers only)
    for german in [
        "Netzwerke",
        "Kabelgebunden",
        "WLAN",
        "Verbunden",
        "Verborgenes Netzwerk …",
        "Trennen",
    ] {
        assert!(
            labels.iter().any(|l| l == german),
            "„{german}“ is not shown: {labels:?}"
        );
    }
    for english in [
        "Devices",
        "Networks",
        "Wi-Fi",
        "Disconnect",
        "Connect",
        "Saved",
    ] {
        assert!(
            !labels.iter().any(|l| l == english),
            "“{english}” is shown in English: {labels:?}"
        );
    }
    assert!(
        labels
            .iter()
            .any(|l| l.ends_with(" · Online · Gespeichert")),
        "the wired row's subtitle: {labels:?}"
    );
    assert_eq!(
        win.offline_button().tooltip_text().as_deref(),
        Some("Flugmodus")
    );
    let menu = menu_labels(&main_menu(&win).menu_model().unwrap());
    assert_eq!(
        menu,
        [
            "Nach WLAN-Netzwerken _suchen",
            "Mit _verborgenem Netzwerk verbinden …",
            "Verbindung _teilen …",
            "_Datum und Zeit …",
            "_Einstellungen",
            "_Info zu Connie",
            "_Beenden",
        ]
    );

    // the passphrase dialog, as connmand asks for a WPA password, and the
    // message when the password was wrong
    // connected as a person would: once the window's model lists it
    let mut found = None;
    wait_until(20, "LabWPA2 listed", || {
        let client = backend.client().expect("client");
        let state = client.state();
        found = state
            .services_in_order()
            .find(|(_, s)| s.name.as_deref() == Some("LabWPA2"))
            .map(|(p, _)| p.to_owned());
        found.is_some()
    })
    .await;
    let path = found.unwrap();
    let b = backend.clone();
    let connect = glib::spawn_future_local(async move { b.connect(&path).await });
    wait_until(30, "the passphrase dialog", || {
        presenter.input_dialog().is_some()
    })
    .await;
    let dialog = presenter.input_dialog().unwrap();
    assert_eq!(dialog.heading_text(), "LabWPA2");
    assert_eq!(
        dialog.body_text(),
        "Dieses Netzwerk ist mit WPA geschützt. Bitte das Passwort eingeben."
    );
    assert_eq!(dialog.title().as_deref(), Some("WLAN-Passwort"));
    assert_eq!(
        dialog.connect_button().label().as_deref(),
        Some("_Verbinden")
    );
    assert_eq!(
        dialog.cancel_button().label().as_deref(),
        Some("_Abbrechen")
    );
    let entry = dialog.entry("Passphrase").expect("the passphrase entry");
    assert_eq!(entry.title(), "Passwort");
    entry.set_text("wrongpassword");
    dialog.connect_button().emit_clicked();
    wait_until(30, "the wrong-password message", || {
        presenter.message_dialog().is_some()
    })
    .await;
    let message = presenter.message_dialog().unwrap();
    assert_eq!(message.heading().as_deref(), Some("Falsches Passwort"));
    assert_eq!(
        message.body().as_str(),
        "Das Passwort für „LabWPA2“ war falsch."
    );
    assert_eq!(
        message.response_label("retry").as_str(),
        "_Erneut versuchen"
    );
    assert_eq!(message.response_label("cancel").as_str(), "_Abbrechen");
    message.response("cancel");
    let _ = glib::future_with_timeout(Duration::from_secs(60), connect).await;
    win.close();
}

#[gtk::test]
async fn the_tray_menu_and_the_notifications_speak_german() {
    german();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        ..Default::default()
    }) else {
        return;
    };
    {
        // the wired uplink comes up first: nothing to tell at start-up
        let conn = lab.connect().await.expect("the lab's bus");
        service_where(&conn, "the lab's wired service connected", 20, |_, p| {
            string(p, "Type").as_deref() == Some("ethernet")
                && matches!(string(p, "State").as_deref(), Some("ready" | "online"))
        })
        .await;
    }
    // as tests/tray_app.rs: GLib's own session connection stays on the test
    // run's bus; the item and the notifier reach the private one named here
    connie::ui::init().expect("GTK");
    let _ = gio::bus_get_future(gio::BusType::Session).await;
    let bus = PrivateBus::start("i18n");
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus.address());
    let watcher = StatusWatcher::start(bus.address());
    let notifications = Notifications::start(bus.address());
    let backend = Backend::new();
    let _presenter = presenter_for(&backend);
    let prefs_dir = std::env::temp_dir().join(format!(
        "connie-i18n-prefs-{}-{}",
        std::process::id(),
        glib::monotonic_time()
    ));
    let prefs = Prefs::load_from(&prefs_dir.join("c"), &prefs_dir.join("a"));
    let hooks = Hooks {
        window: Box::new(|_| {}),
        host: Box::new(|_| {}),
    };
    let tray = Tray::start(&backend, &prefs, Notifier::new(), hooks);
    start_on(&backend, &lab).await;
    wait_until(10, "the item registered", || !watcher.items().is_empty()).await;
    wait_until(10, "the tray knows its host", || tray.host() == Some(true)).await;
    let item = ItemView::new(watcher.connection(), &watcher.items()[0]).await;

    item.wait_icon(20, "network-wired-symbolic").await;
    let tip = item.tooltip().await;
    // connmand names wired services "Wired"; the kind in brackets is Connie's
    assert!(
        tip.starts_with("Verbunden mit Wired (Kabelgebunden)"),
        "{tip}"
    );
    assert!(tip.contains("Adresse 10.77."), "{tip}");
    let conn = backend.client().expect("client").connection().clone();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    let menu = item.wait_entry(10, "LabWPA2", |_| true).await;
    let labels: Vec<&str> = menu.iter().map(|e| e.label.as_str()).collect();
    for german in [
        "WLAN-Netzwerke",
        "Kabelgebunden",
        "Mit verborgenem Netzwerk verbinden …",
        "Geräte",
        "WLAN",
        "Nach WLAN-Netzwerken suchen",
        "Flugmodus",
        "Connie öffnen",
        "Beenden",
        "LabWPA2 · WPA",
    ] {
        assert!(labels.contains(&german), "„{german}“ not in {labels:?}");
    }
    for english in ["Wi-Fi Networks", "Wi-Fi", "Devices", "Quit", "Open Connie"] {
        assert!(!labels.contains(&english), "“{english}” in {labels:?}");
    }

    // notifications: airplane mode from the menu, on and off
    item.click("Flugmodus").await;
    item.wait_icon(10, "airplane-mode-symbolic").await;
    let said = |summary: &'static str| {
        let notifications = &notifications;
        move || {
            notifications
                .seen()
                .iter()
                .any(|n| n.summary == summary || n.body.lines().any(|l| l == summary))
        }
    };
    wait_until(
        10,
        "„Flugmodus eingeschaltet“",
        said("Flugmodus eingeschaltet"),
    )
    .await;
    item.click("Flugmodus").await;
    wait_until(
        10,
        "„Flugmodus ausgeschaltet“",
        said("Flugmodus ausgeschaltet"),
    )
    .await;
    assert!(
        notifications
            .seen()
            .iter()
            .all(|n| !n.summary.starts_with("Airplane")),
        "{:?}",
        notifications.seen()
    );
    tray.shutdown().await;
    let _ = std::fs::remove_dir_all(&prefs_dir);
}

#[gtk::test]
async fn the_certificate_question_speaks_german() {
    german();
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    connie::ui::init().expect("GTK");
    let backend = Backend::new();
    let presenter = presenter_for(&backend);
    start_on(&backend, &lab).await;
    // the test's process is outside the lab's network: Connie's look at the
    // certificate goes through the lab's forwarder
    connie::vpn::certificate::route_through(Some(lab.ocserv_socket()));
    let client = backend.client().unwrap();
    let conn = client
        .vpn_create(&lab.oc_settings("Lab OC", false))
        .await
        .expect("connman-vpnd creates the VPN");
    let service = connie::model::vpn_service_path(&conn);
    wait_until(40, "the VPN's service listed, its uplink connected", || {
        let state = client.state();
        state.service(&service).is_some()
            && state.services_in_order().any(|(_, s)| s.is_connected())
    })
    .await;
    let attempt = {
        let backend = backend.clone();
        let service = service.clone();
        glib::spawn_future_local(async move { backend.connect(&service).await })
    };
    wait_until(30, "the certificate question", || {
        presenter.message_dialog().is_some()
    })
    .await;
    let question = presenter.message_dialog().unwrap();
    assert_eq!(
        question.heading().as_deref(),
        Some("Diesem Zertifikat vertrauen?")
    );
    assert!(
        question.body().starts_with("Der Server von „Lab OC“"),
        "{}",
        question.body()
    );
    assert_eq!(
        question.response_label("trust").as_str(),
        "_Vertrauen und verbinden"
    );
    assert_eq!(
        question.response_label("cancel").as_str(),
        "_Nicht vertrauen"
    );
    let labels = shown_labels(&question);
    for german in ["SHA-256-Fingerabdruck", "Pin des öffentlichen Schlüssels"] {
        assert!(labels.iter().any(|l| l == german), "„{german}“: {labels:?}");
    }
    question.response("cancel");
    let outcome = glib::future_with_timeout(Duration::from_secs(60), attempt)
        .await
        .expect("the refused connect ends")
        .expect("the connect task");
    let failure = outcome.failure().expect("a failure");
    assert!(
        failure
            .why
            .starts_with("Sie haben dem Zertifikat des Servers nicht vertraut"),
        "{failure:?}"
    );
}
