//! Reordering, forgetting, the VPN section and the details page, against the
//! lab's real connmand and connman-vpnd. GTK tests run one at a time on one
//! thread (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use std::time::{Duration, Instant};

use adw::prelude::MessageDialogExt;
use connie::backend::Backend;
use connie::connman::client::vpn_connection_path;
use connie::connman::ServiceError;
use connie::model::ServiceObject;
use connie::ui::{RowAction, ServiceRow, Window};
use connman_lab::{Daemon, Lab, LabOptions};
use gtk::prelude::*;
use ui_common::*;

/// Waits until connmand (asked through connmanctl) and the window both list
/// the services in `order`.
async fn wait_order(lab: &Lab, win: &Window, secs: u64, what: &str, order: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let ctl = connmanctl_order(lab.bus_address());
        if ctl == order && win.service_paths() == order {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s: {what}; want {order:?}, window {:?}, connmanctl {ctl:?}",
            win.service_paths(),
        );
        glib::timeout_future(Duration::from_millis(200)).await;
    }
}

async fn row(win: &Window, path: &str) -> ServiceRow {
    wait_until(10, "the service's row", || win.service_row(path).is_some()).await;
    win.service_row(path).unwrap()
}

async fn two_connected_uplinks(lab: &Lab, backend: &Backend, win: &Window) -> Vec<String> {
    wait_until(
        40,
        "two wired services connected, as connmand lists them",
        || {
            let paths = win.service_paths();
            paths.len() >= 2
                && paths
                    .iter()
                    .take(2)
                    .all(|p| service(backend, p).is_some_and(|s| s.is_connected()))
        },
    )
    .await;
    let order = win.service_paths();
    wait_order(lab, win, 10, "the window as connmand", &order).await;
    order
}

#[gtk::test]
async fn drops_and_keys_reorder_in_connmand_and_illegal_drops_never_reach_it() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let toasts = record_toasts(&win);
    let order = two_connected_uplinks(&lab, &backend, &win).await;
    let (a, b) = (order[0].clone(), order[1].clone());
    let client = backend.client().unwrap();

    // the rows know which moves connmand allows
    wait_until(10, "the top row can move down, not up", || {
        let r = win.service_row(&a);
        r.is_some_and(|r| {
            !r.action_enabled(RowAction::MoveUp) && r.action_enabled(RowAction::MoveDown)
        })
    })
    .await;
    // a drag shows where the service may go
    win.drag_began(&b);
    assert!(win.drop_allowed(&a, true));
    assert!(!win.drop_allowed(&b, true), "not onto itself");
    assert!(row(&win, &a).await.has_css_class("cn-drop-ok"));
    win.drag_ended();
    assert!(!row(&win, &a).await.has_css_class("cn-drop-ok"));

    // a drop, through the same function the rows' DropTarget calls
    assert!(win.drop_service(&b, &a, true));
    wait_order(&lab, &win, 10, "b moved above a", &[b.clone(), a.clone()]).await;

    // "Move down" from the row's menu (its action)
    row(&win, &b)
        .await
        .activate_action(RowAction::MoveDown.detailed(), None)
        .expect("row.move-down");
    wait_order(&lab, &win, 10, "b back below a", &[a.clone(), b.clone()]).await;

    // Alt+Down on the focused row
    let a_row = row(&win, &a).await;
    let item = a_row.parent().expect("the list item");
    assert!(item.grab_focus() || a_row.menu_button().grab_focus());
    assert!(win.move_focused(true), "a row has the focus");
    wait_order(&lab, &win, 10, "a moved down", &[b.clone(), a.clone()]).await;

    // the row menu's model lists the moves, details, the editor, the
    // password change and forget
    let menu = a_row.menu_model();
    let mut actions = Vec::new();
    for section in 0..menu.n_items() {
        let items = menu
            .item_link(section, gio::MENU_LINK_SECTION)
            .expect("a section");
        for i in 0..items.n_items() {
            let action = items.item_attribute_value(i, "action", None).unwrap();
            actions.push(action.get::<String>().unwrap());
        }
    }
    assert_eq!(
        actions,
        [
            "row.move-up",
            "row.move-down",
            "row.details",
            "row.edit",
            "row.change-passphrase",
            "row.forget"
        ]
    );
    // ethernet cannot be forgotten, has no password, has settings
    assert!(!a_row.action_enabled(RowAction::Forget));
    assert!(!a_row.action_enabled(RowAction::ChangePassphrase));
    assert!(a_row.action_enabled(RowAction::Edit));

    // no wifi: "Connect to hidden network…" is there, unusable, and says why
    let hidden = win.hidden_button();
    assert!(!hidden.is_sensitive());
    assert!(hidden
        .tooltip_text()
        .is_some_and(|t| t.contains("No hidden Wi-Fi network")));

    // the details page of b, from its row's menu, live while open
    row(&win, &b)
        .await
        .activate_action(RowAction::Details.detailed(), None)
        .expect("row.details");
    let page = win.details_page().expect("the details page shown");
    assert_eq!(page.path().as_deref(), Some(b.as_str()));
    assert_eq!(page.title_text(), "Wired");
    wait_until(10, "the traffic counter registered", || {
        page.traffic().counter_registered()
    })
    .await;
    let address = client
        .state()
        .service(&b)
        .and_then(|s| s.ipv4.address.clone())
        .expect("b has an IPv4 address");
    assert!(address.starts_with("10.77."), "{address}");
    assert_eq!(
        page.value("IPv4", "Address").as_deref(),
        Some(address.as_str())
    );
    assert_eq!(page.value("IPv4", "Method").as_deref(), Some("dhcp"));
    assert!(page.value("Device", "Interface").is_some());
    assert!(page.value("Names and Time", "Name Servers").is_some());

    // an illegal drop: a connected service onto an idle one
    client.disconnect_service(&b).await.expect("disconnect b");
    wait_until(20, "b idle", || {
        service(&backend, &b).is_some_and(|s| s.state() == "idle")
    })
    .await;
    wait_until(10, "the open details page follows: no address", || {
        page.value("Status", "State").as_deref() == Some("Not connected")
            && page.value("IPv4", "Address").is_none()
    })
    .await;
    page.back_button().emit_clicked();
    assert!(win.details_page().is_none(), "back to the list");
    // leaving the page unregisters the traffic counter: a call of its own,
    // counted before the refused moves below
    wait_until(10, "the traffic counter unregistered", || {
        !page.traffic().counter_registered()
    })
    .await;
    wait_order(&lab, &win, 10, "b below a", &[a.clone(), b.clone()]).await;
    let calls = client.calls_made();
    assert!(!win.drop_service(&a, &b, false), "refused");
    assert!(
        toasts
            .borrow()
            .last()
            .is_some_and(|t| t.starts_with("ConnMan orders connected and unconnected")),
        "the reason, in a toast: {:?}",
        toasts.borrow()
    );
    win.drag_began(&a);
    assert!(!win.drop_allowed(&b, false), "no drop target for it");
    assert!(row(&win, &b).await.has_css_class("cn-drop-refused"));
    // a drag that ends nowhere after that says why (a toast)
    win.drag_canceled();
    win.drag_ended();
    // Move down is disabled, and Alt+Down is refused the same way
    wait_until(10, "a's Move down disabled", || {
        win.service_row(&a)
            .is_some_and(|r| !r.action_enabled(RowAction::MoveDown))
    })
    .await;
    let before = toasts.borrow().len();
    win.move_step(&a, true);
    // refused with a toast, which excludes a move; and whatever was spawned
    // before on the main loop has run
    assert_eq!(toasts.borrow().len(), before + 1, "refused, with a toast");
    main_loop_round_trip().await;
    assert_eq!(client.calls_made(), calls, "nothing was sent to connmand");
    assert_eq!(connmanctl_order(lab.bus_address()), [a.clone(), b.clone()]);
    win.close();
}

#[gtk::test]
async fn a_vpn_dropped_below_its_uplink_goes_split_then_is_forgotten() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        vpn: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    two_connected_uplinks(&lab, &backend, &win).await;
    let client = backend.client().unwrap();
    wait_until(20, "connman-vpnd there", || {
        backend.models().manager.vpn_running()
    })
    .await;
    let conn_path = client
        .vpn_create(&lab.vpn_settings(connman_lab::VpnKind::Certificate, "Lab VPN"))
        .await
        .expect("vpn Create");
    wait_until(10, "the VPN service listed", || {
        win.service_paths()
            .iter()
            .any(|p| service(&backend, p).is_some_and(|s| s.kind() == "vpn"))
    })
    .await;
    let vpn = win
        .service_paths()
        .into_iter()
        .find(|p| service(&backend, p).is_some_and(|s| s.kind() == "vpn"))
        .unwrap();
    assert_eq!(vpn_connection_path(&vpn), conn_path);

    // the VPN section lists connman-vpnd's connection
    wait_until(10, "the VPN section with the new VPN", || {
        win.vpn_section_shown()
            && win
                .vpn_rows()
                .first()
                .is_some_and(|r| adw::prelude::PreferencesRowExt::title(r) == "Lab VPN")
    })
    .await;
    let vpn_row = win.vpn_rows()[0].clone();
    assert!(
        adw::prelude::ActionRowExt::subtitle(&vpn_row)
            .is_some_and(|s| s.starts_with("OpenVPN · ") && s.ends_with("Not connected")),
        "{:?}",
        adw::prelude::ActionRowExt::subtitle(&vpn_row)
    );
    assert_eq!(vpn_row.button().label().as_deref(), Some("Connect"));
    // connect from the VPN section
    vpn_row.button().emit_clicked();
    wait_until(30, "the VPN connected, with its routes", || {
        service(&backend, &vpn).is_some_and(|s| s.is_connected())
            && vpn_row.button().label().as_deref() == Some("Disconnect")
            && client
                .state()
                .vpn_connection(&conn_path)
                .is_some_and(|c| c.has_routes())
    })
    .await;
    let uplink = win
        .service_paths()
        .into_iter()
        .find(|p| service(&backend, p).is_some_and(|s| s.kind() == "ethernet"))
        .unwrap();
    assert!(!row(&win, &vpn).await.shows_split_mode());

    // the gesture: the VPN dropped below the first uplink
    assert!(win.drop_service(&vpn, &uplink, false));
    wait_until(15, "split routing on, and the row says so", || {
        client
            .state()
            .vpn_connection(&conn_path)
            .is_some_and(|c| c.split_routing)
            && win.service_row(&vpn).is_some_and(|r| r.shows_split_mode())
    })
    .await;
    let order = connmanctl_order(lab.bus_address());
    assert_eq!(order.first(), Some(&uplink), "the uplink on top: {order:?}");
    wait_until(5, "the VPN section says split mode too", || {
        adw::prelude::ActionRowExt::subtitle(&vpn_row)
            .is_some_and(|s| s.ends_with("Connected · Split mode"))
    })
    .await;
    assert!(service(&backend, &vpn).unwrap().is_connected());

    // forget the VPN, after saying yes
    let vpn_row = row(&win, &vpn).await;
    assert!(vpn_row.action_enabled(RowAction::Forget));
    vpn_row
        .activate_action(RowAction::Forget.detailed(), None)
        .expect("row.forget");
    let dialog = win.forget_dialog().expect("a confirmation");
    assert_eq!(
        dialog.heading().as_deref(),
        Some("Forget “Lab VPN”?"),
        "the name, literally"
    );
    dialog.response("forget");
    wait_until(10, "the VPN no longer saved", || {
        service(&backend, &vpn).is_some_and(|s| !s.favorite())
    })
    .await;
    // connman-vpnd goes: the section goes, quietly
    lab.stop_daemon(Daemon::ConnmanVpnd)
        .await
        .expect("stop vpnd");
    wait_until(20, "no VPN section", || !win.vpn_section_shown()).await;
    assert!(win.vpn_rows().is_empty());
    win.close();
}

fn dict(
    entries: Vec<(&str, zbus::zvariant::Value<'static>)>,
) -> std::collections::HashMap<String, zbus::zvariant::OwnedValue> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.try_into().unwrap()))
        .collect()
}

/// Without a lab: a state made by hand with a hidden wifi network and a VPN
/// with a hostile name.
#[gtk::test]
async fn hidden_network_button_and_vpn_section_without_a_lab() {
    use connie::connman::state::{PathDicts, State};
    use zbus::zvariant::Value;
    connie::ui::init().expect("GTK");
    let hostile = "<b>Work</b> & _VPN \u{202E}";
    let services: PathDicts = vec![
        (
            "/net/connman/service/wifi_hidden".into(),
            dict(vec![
                ("Type", Value::from("wifi")),
                ("State", Value::from("idle")),
                ("Strength", Value::U8(40)),
                ("Security", Value::from(vec!["psk"])),
            ]),
        ),
        (
            "/net/connman/service/vpn_a".into(),
            dict(vec![
                ("Name", Value::from(hostile)),
                ("Type", Value::from("vpn")),
                ("State", Value::from("idle")),
                ("Favorite", Value::Bool(true)),
            ]),
        ),
    ];
    let mut state = State::default();
    state.reset_connman(
        &dict(vec![("State", Value::from("idle"))]),
        &Vec::new(),
        &services,
    );
    state.reset_vpn(&vec![(
        "/net/connman/vpn/connection/a".into(),
        dict(vec![
            ("Name", Value::from(hostile)),
            ("Type", Value::from("openvpn")),
            ("Host", Value::from("vpn.example")),
            ("State", Value::from("idle")),
        ]),
    )]);
    let backend = Backend::new();
    backend.models().reset(&state);
    let win = Window::new(&backend, None);
    win.present();

    let hidden = win.hidden_button();
    assert!(hidden.is_sensitive(), "a hidden network is there");
    assert!(hidden
        .tooltip_text()
        .is_some_and(|t| t.contains("does not broadcast")));

    assert!(win.vpn_section_shown());
    let rows = win.vpn_rows();
    assert_eq!(rows.len(), 1);
    // literally, isolated from the text around it (its RTL override)
    assert_eq!(
        adw::prelude::PreferencesRowExt::title(&rows[0]),
        format!("\u{2068}{hostile}\u{202C}\u{2069}")
    );
    assert!(!adw::prelude::PreferencesRowExt::uses_markup(&rows[0]));
    assert_eq!(
        adw::prelude::ActionRowExt::subtitle(&rows[0]).as_deref(),
        Some("OpenVPN · vpn.example · Not connected")
    );
    assert_eq!(
        rows[0].button().action_target_value(),
        Some("/net/connman/service/vpn_a".to_variant())
    );
    // a saved VPN may be forgotten; the hidden network not
    let vpn = row(&win, "/net/connman/service/vpn_a").await;
    assert!(vpn.action_enabled(RowAction::Forget));
    let h = row(&win, "/net/connman/service/wifi_hidden").await;
    assert!(!h.action_enabled(RowAction::Forget));
    // the rows' menus, built when first opened
    assert!(vpn.menu_button().popover().is_none());
    vpn.menu_button().popup();
    wait_until(10, "the row's menu shown", || {
        vpn.menu_button().popover().is_some_and(|p| p.is_visible())
    })
    .await;
    assert_eq!(vpn.menu_button().menu_model(), Some(vpn.menu_model()));
    vpn.menu_button().popdown();
    win.close();
}

fn named(backend: &Backend, win: &Window, name: &str) -> Option<ServiceObject> {
    win.service_paths()
        .iter()
        .filter_map(|p| service(backend, p))
        .find(|s| s.name() == name)
}

/// Wifi: drops onto (and drags of) networks that are not saved are refused
/// before connmand; the hidden network is one click away; a wrong
/// passphrase shows no toast (the passphrase dialog says it).
#[gtk::test]
async fn wifi_unsaved_networks_hidden_button_and_a_wrong_key() {
    use connie::connman::agent::{AgentRequest, InputReply, Secret};
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    connie::ui::init().expect("GTK");
    let backend = Backend::new();
    // the agent answers every passphrase request wrongly
    backend.set_agent_handler(|request, _| {
        if let AgentRequest::Input { reply, .. } = request {
            reply.send(InputReply::passphrase(Secret::from("wrongpassword")));
        }
    });
    let conn = lab
        .connect()
        .await
        .map_err(|e| zbus::Error::Failure(e.to_string()));
    backend.start(conn).await;
    let win = Window::new(&backend, None);
    win.present();
    let client = backend.client().unwrap();
    wait_until(40, "the wifi technology", || {
        backend
            .models()
            .technologies
            .by_type(&connie::connman::ServiceType::Wifi)
            .is_some()
    })
    .await;
    let wifi = backend
        .models()
        .technologies
        .by_type(&connie::connman::ServiceType::Wifi)
        .unwrap();
    client
        .set_powered(&wifi.path(), true)
        .await
        .expect("wifi on");
    wait_until(20, "wifi powered", || wifi.powered()).await;
    client.scan(&wifi.path()).await.expect("scan");
    wait_until(40, "the lab's networks, the hidden one too", || {
        named(&backend, &win, "LabOpen").is_some()
            && named(&backend, &win, "LabWPA2").is_some()
            && win.hidden_button().is_sensitive()
    })
    .await;
    assert!(win
        .hidden_button()
        .tooltip_text()
        .is_some_and(|t| t.contains("does not broadcast")));
    let wired = win
        .service_paths()
        .into_iter()
        .find(|p| service(&backend, p).is_some_and(|s| s.kind() == "ethernet"))
        .expect("the wired service");
    wait_until(40, "the wired service connected", || {
        service(&backend, &wired).is_some_and(|s| s.is_connected())
    })
    .await;
    let open = named(&backend, &win, "LabOpen").unwrap().path();
    assert!(!service(&backend, &open).unwrap().favorite());

    // refused before connmand: onto an unsaved network, and an unsaved one moving
    let calls = client.calls_made();
    let order = connmanctl_order(lab.bus_address());
    assert!(!win.drop_service(&wired, &open, false));
    assert!(!win.drop_service(&open, &wired, true));
    win.drag_began(&wired);
    assert!(!win.drop_allowed(&open, true) && !win.drop_allowed(&open, false));
    win.drag_ended();
    wait_until(10, "the unsaved network's moves disabled", || {
        win.service_row(&open).is_some_and(|r| {
            !r.action_enabled(RowAction::MoveUp) && !r.action_enabled(RowAction::MoveDown)
        })
    })
    .await;
    // the drops were refused (false): no move was spawned; whatever was
    // spawned before on the main loop has run
    main_loop_round_trip().await;
    assert_eq!(client.calls_made(), calls, "nothing sent to connmand");
    assert_eq!(connmanctl_order(lab.bus_address()), order);

    // a wrong passphrase: connmand says invalid-key, and no toast
    let wpa = named(&backend, &win, "LabWPA2").unwrap();
    let toasts = record_toasts(&win);
    win.connect_service(&wpa.path());
    wait_until(40, "the connect failed on the key", || {
        !wpa.pending()
            && client
                .state()
                .service(&wpa.path())
                .is_some_and(|s| s.error == Some(ServiceError::InvalidKey))
    })
    .await;
    // the outcome is shown as soon as the row is no longer busy: the
    // failure is the agent's to tell (seen: connmand 1.41 leaves the service
    // `idle` with Error = invalid-key)
    assert!(backend.failure_told(&wpa.path()));
    assert!(
        toasts.borrow().is_empty(),
        "no toast: {:?}",
        toasts.borrow()
    );
    win.close();
}
