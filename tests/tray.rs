//! The tray item on a private session bus, read and clicked by a
//! StatusNotifierWatcher written here (the part of a tray host the item
//! talks to): properties, tooltip, the menu's layout, and a click reaching
//! the main context as a command.

mod tray_common;

use std::collections::HashMap;
use std::time::Duration;

use connie::connman::state::{PathDicts, State};
use connie::tray::icons::IconNames;
use connie::tray::item::ConnieTray;
use connie::tray::look::Command;
use connman_lab::testing::{PrivateBus, StatusWatcher};
use ksni::TrayMethods;
use tray_common::ItemView;
use zbus::zvariant::{OwnedValue, Value};

fn dict(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect()
}

/// connmand's state with `services` and a wifi technology switched on.
fn with_wifi_on(services: &PathDicts) -> State {
    let mut s = State::default();
    let techs: PathDicts = vec![(
        "/net/connman/technology/wifi".into(),
        dict(vec![
            ("Type", Value::from("wifi")),
            ("Powered", Value::from(true)),
        ]),
    )];
    s.reset_connman(&HashMap::new(), &techs, services);
    s
}

fn wifi_state(state: &str, strength: u8) -> State {
    let services: PathDicts = vec![
        (
            "/net/connman/service/wifi_1".into(),
            dict(vec![
                ("Name", Value::from("Café <b>&_")),
                ("Type", Value::from("wifi")),
                ("State", Value::from(state.to_owned())),
                ("Strength", Value::U8(strength)),
                ("Security", Value::from(vec!["psk".to_owned()])),
            ]),
        ),
        (
            "/net/connman/service/wifi_2".into(),
            dict(vec![
                ("Name", Value::from("Other")),
                ("Type", Value::from("wifi")),
                ("State", Value::from("idle")),
                ("Strength", Value::U8(30)),
            ]),
        ),
    ];
    with_wifi_on(&services)
}

/// Connected by wire on `eth0`, with a wifi technology switched on.
fn wired_state() -> State {
    let ethernet: HashMap<String, OwnedValue> = dict(vec![("Interface", Value::from("eth0"))]);
    let services: PathDicts = vec![(
        "/net/connman/service/ethernet_1".into(),
        dict(vec![
            ("Name", Value::from("Wired")),
            ("Type", Value::from("ethernet")),
            ("State", Value::from("online")),
            ("Ethernet", Value::from(ethernet)),
        ]),
    )];
    with_wifi_on(&services)
}

#[test]
fn the_item_shows_the_state_and_sends_menu_clicks_as_commands() {
    let bus = PrivateBus::start("tray");
    let address = bus.address().to_owned();
    // ksni connects to the session bus named in the environment; this test
    // binary has no other test that could see the change
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    let watcher = StatusWatcher::start(&address);
    zbus::block_on(async {
        let (tx, commands) = async_channel::unbounded();
        let handle = ConnieTray::new(&wifi_state("online", 90), tx)
            .spawn()
            .await
            .expect("tray item");
        let service = watcher.wait_item(Duration::from_secs(10));
        let item = ItemView::new(watcher.connection(), &service).await;
        assert_eq!(
            item.icon().await,
            "network-wireless-signal-excellent-symbolic"
        );
        let text = item.tooltip().await;
        assert!(text.contains("Caf\u{e9} &lt;b&gt;&amp;_"), "{text}");

        let menu = item.menu().await;
        let names: Vec<&str> = menu.iter().map(|e| e.label.as_str()).collect();
        let first = names
            .iter()
            .position(|l| l.starts_with("Caf"))
            .expect("first network");
        let second = names
            .iter()
            .position(|l| l.starts_with("Other"))
            .expect("second network");
        assert!(first < second, "connmand's order: {names:?}");
        assert!(names[first].contains("&__"), "mnemonic escaped: {names:?}");
        assert_eq!(menu[first].toggled, Some(1), "the connected one is checked");
        assert_eq!(menu[second].toggled, Some(0));
        item.click("Other").await;
        let command = futures_lite::future::or(async { commands.recv().await.ok() }, async {
            async_io::Timer::after(Duration::from_secs(5)).await;
            None
        })
        .await
        .expect("a command from the click");
        assert_eq!(
            command,
            Command::Connect("/net/connman/service/wifi_2".into())
        );
        item.activate().await;
        let command = futures_lite::future::or(async { commands.recv().await.ok() }, async {
            async_io::Timer::after(Duration::from_secs(5)).await;
            None
        })
        .await;
        assert_eq!(command, Some(Command::ToggleWindow), "a left click");

        // the icon follows the state
        let weak = wifi_state("ready", 20);
        handle.update(|t| t.refresh(&weak)).await;
        item.until(
            5,
            "the weak-signal icon",
            || item.icon(),
            |i| i == "network-wireless-signal-weak-symbolic",
        )
        .await;
        handle.shutdown().await;

        // Under KDE Plasma the item sends the names Plasma's network applet
        // uses: Breeze draws `network-wired-symbolic` as a shield with a
        // keyhole, and a wired uplink would look like a VPN.
        let (tx, _commands) = async_channel::unbounded();
        let plasma = ConnieTray::new(&wired_state(), tx)
            .with_icons(IconNames::Plasma)
            .spawn()
            .await
            .expect("tray item");
        let registered = item
            .until(
                10,
                "a second item",
                || async { watcher.items() },
                |items| items.len() == 2,
            )
            .await;
        let item = ItemView::new(watcher.connection(), &registered[1]).await;
        assert_eq!(item.icon().await, "network-wired-activated");
        let menu = item.menu().await;
        let wired = menu
            .iter()
            .find(|e| e.label == "Wired (eth0)")
            .unwrap_or_else(|| panic!("the wired entry, named with its interface: {menu:#?}"));
        assert_eq!(wired.icon, "network-wired-activated");
        let wifi = menu
            .iter()
            .find(|e| e.label == "Wi-Fi")
            .unwrap_or_else(|| panic!("the Wi-Fi switch: {menu:#?}"));
        assert_eq!(wifi.icon, "network-wireless");
        plasma.shutdown().await;
    });
}
