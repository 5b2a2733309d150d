//! The window against the lab's real connmand: what it lists, in which
//! order, how it follows connmand, and its buttons. GTK tests run one at a
//! time on one thread (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use connie::backend::Backend;
use connie::connman::state::{PathDicts, State};
use connie::connman::ServiceType;
use connie::model::ServiceObject;
use connie::ui::Window;
use connman_lab::{AccessPoint, ApSet, Daemon, Lab, LabOptions, Security};
use gtk::prelude::*;
use ui_common::*;
use zbus::zvariant::{OwnedValue, Value};

fn connected(backend: &Backend, win: &Window) -> usize {
    win.service_paths()
        .iter()
        .filter(|p| service(backend, p).is_some_and(|s| s.is_connected()))
        .count()
}

/// Waits until the window lists exactly what `connmanctl services` lists, in
/// the same order, and `cond` holds too.
async fn wait_same_as_connmanctl(
    lab: &Lab,
    win: &Window,
    secs: u64,
    what: &str,
    mut cond: impl FnMut() -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if cond() && win.service_paths() == connmanctl_order(lab.bus_address()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s: {what}; window {:?}, connmanctl {:?}",
            win.service_paths(),
            connmanctl_order(lab.bus_address())
        );
        glib::timeout_future(Duration::from_millis(200)).await;
    }
}

#[gtk::test]
async fn lists_connmands_services_in_its_order_and_follows_changes() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 3,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    wait_same_as_connmanctl(&lab, &win, 40, "three wired services connected", || {
        connected(&backend, &win) == 3
    })
    .await;
    assert_eq!(win.visible_page(), "main");
    let paths = win.service_paths();
    wait_until(10, "a row for each service", || {
        paths.iter().all(|p| win.service_row(p).is_some())
    })
    .await;
    for p in &paths {
        let row = win.service_row(p).unwrap();
        assert_eq!(row.name_text(), "Wired");
        assert!(
            row.subtitle_text().contains("Saved"),
            "{}",
            row.subtitle_text()
        );
        assert_eq!(row.button().label().as_deref(), Some("Disconnect"));
    }
    wait_until(30, "online via Wired in the header", || {
        win.header_text() == ("Online".into(), "via Wired".into())
    })
    .await;

    // a change: the top service disconnects (from its row), connmand moves
    // it below the connected ones, and the window follows
    let top = paths[0].clone();
    win.service_row(&top).unwrap().button().emit_clicked();
    wait_same_as_connmanctl(
        &lab,
        &win,
        20,
        "the top service idle, at the bottom",
        || {
            service(&backend, &top).is_some_and(|s| s.state() == "idle")
                && win.service_paths().last() == Some(&top)
        },
    )
    .await;
    win.close();
}

#[gtk::test]
async fn connects_and_disconnects_from_a_row() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    wait_until(40, "the wired service connected", || {
        connected(&backend, &win) == 1
    })
    .await;
    let path = win.service_paths()[0].clone();
    wait_until(10, "its row", || win.service_row(&path).is_some()).await;
    let row = win.service_row(&path).unwrap();
    assert_eq!(row.button().label().as_deref(), Some("Disconnect"));
    assert_eq!(row.button_tooltip(), "Disconnect from Wired");
    // the tooltips are asked for on hover (set_tooltip_text costs a round
    // trip to the X server per call)
    assert!(row.button().has_tooltip() && row.button().tooltip_text().is_none());

    row.button().emit_clicked();
    wait_until(20, "idle, and the button says Connect", || {
        service(&backend, &path).is_some_and(|s| s.state() == "idle")
            && win
                .service_row(&path)
                .is_some_and(|r| r.button().label().as_deref() == Some("Connect"))
    })
    .await;
    assert!(win
        .service_row(&path)
        .unwrap()
        .subtitle_text()
        .contains("Not connected"));
    assert_eq!(
        win.service_row(&path).unwrap().button_tooltip(),
        "Connect to Wired"
    );
    assert_eq!(win.header_text().0, "Not Connected");

    win.service_row(&path).unwrap().button().emit_clicked();
    wait_until(
        30,
        "connected again, and the button says Disconnect",
        || {
            service(&backend, &path).is_some_and(|s| s.is_connected() && !s.pending())
                && win
                    .service_row(&path)
                    .is_some_and(|r| r.button().label().as_deref() == Some("Disconnect"))
        },
    )
    .await;
    assert_eq!(connmanctl_order(lab.bus_address()), win.service_paths());

    // airplane mode from the header's toggle, and back
    win.offline_button().set_active(true);
    wait_until(20, "airplane mode in the header", || {
        backend.models().manager.offline_mode() && win.header_text().0 == "Airplane Mode"
    })
    .await;
    win.offline_button().set_active(false);
    wait_until(20, "airplane mode off", || {
        !backend.models().manager.offline_mode() && win.header_text().0 != "Airplane Mode"
    })
    .await;
    assert!(!win.offline_button().is_active());
    win.close();
}

/// The client and the models follow connmand on a plain GLib main context,
/// with no GTK call anywhere (gtk-rs would panic on one before `gtk::init`).
#[test]
fn the_backend_runs_without_gtk() {
    let Some(lab) = Lab::for_test(LabOptions::default()) else {
        return;
    };
    let ctx = glib::MainContext::new();
    ctx.with_thread_default(|| {
        ctx.block_on(async {
            let backend = Backend::new();
            let conn = lab
                .connect()
                .await
                .map_err(|e| zbus::Error::Failure(e.to_string()));
            backend.start(conn).await;
            let models = backend.models().clone();
            wait_until(40, "the wired service connected, in the models", || {
                models.manager.availability() == connie::model::Availability::Up
                    && models.services.n_items() == 1
                    && models
                        .services
                        .item(0)
                        .and_downcast::<ServiceObject>()
                        .is_some_and(|s| s.is_connected())
            })
            .await;
            assert_eq!(models.services.paths(), connmanctl_order(lab.bus_address()));
            assert_eq!(models.manager.via(), "Wired");
        })
    })
    .expect("a fresh main context");
}

#[gtk::test]
async fn says_when_connman_is_not_running_and_fills_in_when_it_starts() {
    let Some(lab) = Lab::for_test(LabOptions::default()) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    wait_until(40, "the main page with a service", || {
        win.visible_page() == "main" && !win.service_paths().is_empty()
    })
    .await;

    lab.stop_daemon(Daemon::Connmand)
        .await
        .expect("stop connmand");
    wait_until(20, "the not-running page", || win.visible_page() == "down").await;
    assert!(win.service_paths().is_empty());
    assert_eq!(win.header_text().0, "No ConnMan");
    assert!(!win.offline_button().is_sensitive());

    lab.start_daemon(Daemon::Connmand)
        .await
        .expect("start connmand");
    wait_until(30, "the main page again", || win.visible_page() == "main").await;
    wait_same_as_connmanctl(&lab, &win, 40, "the service back and connected", || {
        connected(&backend, &win) == 1
    })
    .await;
    win.close();
}

fn service_named(backend: &Backend, win: &Window, name: &str) -> Option<ServiceObject> {
    win.service_paths()
        .iter()
        .filter_map(|p| service(backend, p))
        .find(|s| s.name() == name)
}

/// Waits for connmand's wifi technology in the models.
async fn wifi_technology(backend: &Backend) -> connie::model::TechnologyObject {
    let techs = backend.models().technologies.clone();
    wait_until(40, "the wifi technology", || {
        techs.by_type(&ServiceType::Wifi).is_some()
    })
    .await;
    techs.by_type(&ServiceType::Wifi).unwrap()
}

#[gtk::test]
async fn wifi_switch_scan_and_networks_coming_and_going() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Empty,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let wifi = wifi_technology(&backend).await;
    let row = win.technology_row(&wifi.path()).expect("a row for wifi");

    // the switch asks connmand; the model (and so the switch) follows
    if !wifi.powered() {
        row.power_switch().set_active(true);
        wait_until(20, "wifi powered", || wifi.powered()).await;
    }
    assert!(row.power_switch().state());

    // a hostile name, literally
    let name = "Café <b>&amp; _x";
    let mut ap = AccessPoint::new(name, Security::Open);
    ap.signal = -40;
    lab.add_ap(&ap).await.expect("add_ap");
    wait_until(10, "the rescan button usable", || {
        row.rescan_button().is_sensitive()
    })
    .await;
    row.rescan_button().emit_clicked();
    assert!(wifi.scanning(), "scanning shows at once");
    assert!(!row.rescan_button().is_sensitive());
    wait_until(40, "the scan done", || !wifi.scanning()).await;
    wait_same_as_connmanctl(&lab, &win, 40, "the new network listed", || {
        service_named(&backend, &win, name).is_some()
    })
    .await;
    let cafe = service_named(&backend, &win, name).unwrap();
    assert_eq!(cafe.kind(), "wifi");
    assert!(!cafe.secured());
    wait_until(10, "its row", || win.service_row(&cafe.path()).is_some()).await;
    assert_eq!(win.service_row(&cafe.path()).unwrap().name_text(), name);

    // a Strength change within one of the icon's five levels touches no
    // widget; a new level sets the icon, once
    let icon = win.service_row(&cafe.path()).unwrap().icon();
    let sets = std::rc::Rc::new(std::cell::Cell::new(0));
    let s = sets.clone();
    icon.connect_notify_local(Some("icon-name"), move |_, _| s.set(s.get() + 1));
    let strength = |backend: &Backend| {
        backend
            .client()
            .and_then(|c| c.state().service(&cafe.path()).and_then(|p| p.strength))
    };
    let before = strength(&backend);
    let level = cafe.strength_level();
    lab.set_signal(name.as_bytes(), -41)
        .await
        .expect("set_signal");
    wait_until(20, "a new Strength", || strength(&backend) != before).await;
    if cafe.strength_level() == level {
        assert_eq!(sets.get(), 0, "same level, no icon set");
    }
    let n = sets.get();
    lab.set_signal(name.as_bytes(), -90)
        .await
        .expect("set_signal");
    wait_until(20, "a lower level", || cafe.strength_level() < level).await;
    assert_eq!(sets.get(), n + 1, "one icon set for one new level");
    assert_eq!(
        icon.icon_name().as_deref(),
        Some(connie::text::service_icon(
            &ServiceType::Wifi,
            cafe.strength_level()
        ))
    );

    // connect to it from its row
    win.service_row(&cafe.path())
        .unwrap()
        .button()
        .emit_clicked();
    wait_until(40, "connected to the open network", || {
        cafe.is_connected() && !cafe.pending()
    })
    .await;
    win.service_row(&cafe.path())
        .unwrap()
        .button()
        .emit_clicked();
    wait_until(20, "disconnected", || cafe.state() == "idle").await;

    // the network goes away
    lab.remove_ap(name.as_bytes()).await.expect("remove_ap");
    win.rescan_wifi();
    wait_same_as_connmanctl(&lab, &win, 40, "the network gone", || {
        service_named(&backend, &win, name).is_none()
    })
    .await;
    win.close();
}

/// A storm of Strength changes, each crossing a level and re-sorting the
/// list, reaches the window at the pace of `connie::model::pace`: a few
/// merged updates, not one per change; the list still ends in connmand's
/// order with each icon at its network's last level.
#[gtk::test]
async fn a_strength_storm_reaches_the_window_paced() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Generated(4),
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let news = last_news(&backend);
    let wifi = wifi_technology(&backend).await;
    if !wifi.powered() {
        win.technology_row(&wifi.path())
            .expect("a row for wifi")
            .power_switch()
            .set_active(true);
        wait_until(20, "wifi powered", || wifi.powered()).await;
    }
    win.rescan_wifi();
    let aps = || -> Vec<ServiceObject> {
        win.service_paths()
            .iter()
            .filter_map(|p| service(&backend, p))
            .filter(|s| s.name().starts_with("Lab-AP"))
            .collect()
    };
    wait_same_as_connmanctl(&lab, &win, 40, "the four access points listed", || {
        aps().len() == 4 && aps().iter().all(|s| win.service_row(&s.path()).is_some())
    })
    .await;
    let names: Vec<String> = aps().iter().map(|s| s.name()).collect();
    // the wired uplink is up (its first DHCP may take seconds: news in the
    // storm would make its re-sorts urgent), and the scan's and the
    // uplink's changes have passed: the storm is paced from its start
    wait_until(30, "the wired uplink connected", || {
        connected(&backend, &win) == 1
    })
    .await;
    wait_paced(20, &news).await;

    // what connmand sends, seen on the lab's bus
    let (sent, counter) = count_strength_signals(&lab).await;
    // what the window does with it: each AP's icon set, when
    let icon_sets: std::rc::Rc<std::cell::RefCell<HashMap<String, Vec<Instant>>>> =
        Default::default();
    for ap in aps() {
        let icon = win.service_row(&ap.path()).unwrap().icon();
        let sets = icon_sets.clone();
        let path = ap.path();
        icon.connect_notify_local(Some("icon-name"), move |_, _| {
            sets.borrow_mut()
                .entry(path.clone())
                .or_default()
                .push(Instant::now());
        });
    }
    let set_count = || icon_sets.borrow().values().map(Vec::len).sum::<usize>();

    // 40 changes in 2 s, each AP swinging between strong and weak
    let storm_start = Instant::now();
    for i in 0..40usize {
        let dbm = if (i / 4) % 2 == 0 {
            -40 - i as i16 % 4
        } else {
            -85
        };
        lab.set_signal(names[i % 4].as_bytes(), dbm)
            .await
            .expect("set_signal");
        glib::timeout_future(Duration::from_millis(50)).await;
    }
    let storm_sets = set_count();
    let storm = storm_start.elapsed();
    // the end of the storm shows within the pace
    let level =
        |s: &ServiceObject| connie::text::service_icon(&ServiceType::Wifi, s.strength_level());
    wait_same_as_connmanctl(&lab, &win, 10, "connmand's order after the storm", || {
        // the models at the client's (connmand's) last levels, the icons at
        // the models'
        let Some(client) = backend.client() else {
            return false;
        };
        let state = client.state();
        aps().iter().all(|s| {
            let last = state
                .service(&s.path())
                .and_then(|p| p.signal_level())
                .map_or(-1, i32::from);
            s.strength_level() == last
                && win
                    .service_row(&s.path())
                    .and_then(|r| r.icon().icon_name())
                    .as_deref()
                    == Some(level(s))
        })
    })
    .await;
    counter.abort();
    let sent = sent.get();
    eprintln!("{sent} Strength changes sent, {storm_sets} icon sets during the storm ({storm:?})");
    assert!(sent >= 30, "connmand passed the storm on: {sent}");
    // unpaced, nearly every change crosses a level: about one set per change.
    // Paced, an icon is set once per batch, and the batches are a pace apart:
    // at most one set per AP per started pace of the storm (12 in 2 s)
    let paces = (storm.as_secs_f64() / connie::model::pace::PACE.as_secs_f64()) as usize + 1;
    assert!(
        storm_sets <= names.len() * paces,
        "{sent} Strength changes set icons {storm_sets} times in {storm:?}"
    );
    for (path, times) in icon_sets.borrow().iter() {
        assert_paced(
            &format!("the icon of {path}"),
            times,
            connie::model::pace::PACE,
        );
    }
    win.close();
}

fn dict(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect()
}

/// Without a lab: a state made by hand, with hostile names.
#[gtk::test]
async fn shows_names_literally_and_fits_a_phone() {
    connie::ui::init().expect("GTK");
    let mut state = State::default();
    let techs: PathDicts = vec![(
        "/net/connman/technology/wifi".into(),
        dict(vec![
            ("Name", Value::from("WiFi")),
            ("Type", Value::from("wifi")),
            ("Powered", Value::Bool(true)),
            ("Connected", Value::Bool(true)),
        ]),
    )];
    let hostile = "<b>Café</b> & _x \u{202E}";
    let services: PathDicts = vec![
        (
            "/net/connman/service/wifi_a".into(),
            dict(vec![
                ("Name", Value::from(hostile)),
                ("Type", Value::from("wifi")),
                ("State", Value::from("online")),
                ("Strength", Value::U8(90)),
                ("Favorite", Value::Bool(true)),
                ("Security", Value::from(vec!["psk"])),
            ]),
        ),
        (
            "/net/connman/service/wifi_hidden".into(),
            dict(vec![
                ("Type", Value::from("wifi")),
                ("State", Value::from("association")),
                ("Strength", Value::U8(20)),
                ("Security", Value::from(vec!["none"])),
            ]),
        ),
        (
            "/net/connman/service/vpn_b".into(),
            dict(vec![
                ("Name", Value::from("Work & <i>VPN</i>")),
                ("Type", Value::from("vpn")),
                ("State", Value::from("idle")),
            ]),
        ),
    ];
    let manager = dict(vec![
        ("State", Value::from("online")),
        ("OfflineMode", Value::Bool(false)),
    ]);
    state.reset_connman(&manager, &techs, &services);
    let backend = Backend::new();
    backend.models().reset(&state);
    let win = Window::new(&backend, None);
    win.set_default_size(360, 640);
    win.present();
    let (min_width, _, _, _) = win.measure(gtk::Orientation::Horizontal, -1);
    assert!(min_width <= 360, "minimum width {min_width}");

    assert_eq!(win.visible_page(), "main");
    assert_eq!(
        win.header_text(),
        // shown as it is, isolated from the text around it (its RTL
        // override cannot turn "via" around)
        (
            "Online".to_owned(),
            format!("via \u{2068}{hostile}\u{202C}\u{2069}")
        )
    );
    let a = "/net/connman/service/wifi_a";
    wait_until(10, "the rows", || win.service_row(a).is_some()).await;
    let row = win.service_row(a).unwrap();
    assert_eq!(
        row.name_text(),
        format!("\u{2068}{hostile}\u{202C}\u{2069}")
    );
    assert_eq!(row.subtitle_text(), "Wi-Fi · Online · Saved");
    assert_eq!(row.button().label().as_deref(), Some("Disconnect"));

    let hidden = win.service_row("/net/connman/service/wifi_hidden").unwrap();
    assert_eq!(hidden.name_text(), "Hidden network");
    assert_eq!(hidden.button().label().as_deref(), Some("Cancel"));
    let vpn = win.service_row("/net/connman/service/vpn_b").unwrap();
    assert_eq!(vpn.name_text(), "Work & <i>VPN</i>");
    assert_eq!(vpn.subtitle_text(), "VPN · Not connected");

    let wifi = win
        .technology_row("/net/connman/technology/wifi")
        .expect("the wifi row");
    assert_eq!(adw::prelude::PreferencesRowExt::title(&wifi), "Wi-Fi");
    assert!(wifi.power_switch().is_active());
    assert!(wifi.rescan_button().is_visible());

    // a property change updates its row in place
    let (event, _) =
        state.service_property("/net/connman/service/vpn_b", "State", &Value::from("ready"));
    backend.models().apply(&event.unwrap());
    assert_eq!(vpn.subtitle_text(), "VPN · Connected");
    assert_eq!(vpn.button().label().as_deref(), Some("Disconnect"));
    win.close();
}

#[gtk::test]
async fn says_when_the_system_bus_cannot_be_reached() {
    connie::ui::init().expect("GTK");
    let backend = Backend::new();
    backend
        .start(Err(zbus::Error::Failure("no <bus> & no luck".into())))
        .await;
    assert!(backend.client().is_none());
    let win = Window::new(&backend, None);
    win.present();
    assert_eq!(win.visible_page(), "no-bus");
    assert_eq!(
        backend.models().manager.availability(),
        connie::model::Availability::NoBus
    );
    assert!(backend
        .models()
        .manager
        .bus_error()
        .contains("no <bus> & no luck"));
    assert!(!win.offline_button().is_sensitive());
    win.close();
}

/// Windows carry Connie's own icon, found from the build tree too (installed,
/// it is in the hicolor theme).
#[gtk::test]
async fn windows_carry_connies_icon() {
    connie::ui::init().expect("GTK starts");
    assert_eq!(
        gtk::Window::default_icon_name().as_deref(),
        Some("io.github.connie.Connie")
    );
    let theme = gtk::IconTheme::for_display(&gtk::gdk::Display::default().expect("a display"));
    for icon in [
        "io.github.connie.Connie",
        "io.github.connie.Connie-symbolic",
    ] {
        assert!(theme.has_icon(icon), "{icon} in {:?}", theme.search_path());
    }
}

/// A system whose D-Bus policy refuses Connie (here: the lab's bus refuses
/// root's calls to connmand, as Debian's policy refuses users outside its
/// group): the window names the cause instead of saying "not running", and
/// the tray says it too.
#[gtk::test]
async fn says_when_connmands_policy_refuses_access() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        refuse_connman: true,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    wait_until(20, "the not-allowed page", || {
        win.visible_page() == "refused"
    })
    .await;
    assert_eq!(win.header_text().0, "Not Allowed");
    let text = win.refused_text();
    assert!(text.contains("D-Bus policy"), "{text}");
    assert!(text.contains("log in again"), "{text}");
    let client = backend.client().unwrap();
    let look = connie::tray::look::look(&client.state());
    assert_eq!(look.tooltip, "Not allowed to use ConnMan");
    assert!(win.service_paths().is_empty());
}

#[test]
fn the_policy_names_its_group() {
    let conf = r#"<busconfig>
  <policy user="root"><allow own="net.connman"/><allow send_destination="net.connman"/></policy>
  <policy group="netdev"><allow send_destination="net.connman"/></policy>
  <policy context="default"><deny send_destination="net.connman"/></policy>
</busconfig>"#;
    let groups = connie::text::policy_groups(conf);
    assert_eq!(groups, ["netdev"]);
    let help = connie::text::refused_help(&groups);
    assert!(help.contains("adduser $USER netdev"), "{help}");
}
