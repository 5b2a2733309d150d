//! The tray item on a private session bus, read and clicked by a
//! StatusNotifierWatcher written here (the part of a tray host the item
//! talks to): properties, tooltip, the menu's layout, and a click reaching
//! the main context as a command.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connie::connman::state::{PathDicts, State};
use connie::tray::item::ConnieTray;
use connie::tray::look::Command;
use connman_lab::testing::PrivateBus;
use ksni::TrayMethods;
use zbus::zvariant::{OwnedValue, Structure, Value};

struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: &str) {
        self.items.lock().unwrap().push(service.to_owned());
    }
    fn register_status_notifier_host(&self, _service: &str) {}
    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }
    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }
    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

fn dict(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect()
}

fn wifi_state(state: &str, strength: u8) -> State {
    let mut s = State::default();
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
    let techs: PathDicts = vec![(
        "/net/connman/technology/wifi".into(),
        dict(vec![
            ("Type", Value::from("wifi")),
            ("Powered", Value::from(true)),
        ]),
    )];
    s.reset_connman(&HashMap::new(), &techs, &services);
    s
}

/// (id, label) of every menu item, depth first.
fn labels(node: &Value<'_>, out: &mut Vec<(i32, String)>) {
    let node = match node {
        Value::Value(v) => v.as_ref(),
        other => other,
    };
    let Value::Structure(s) = node else { return };
    let fields = s.fields();
    let id = match fields.first() {
        Some(Value::I32(i)) => *i,
        _ => return,
    };
    if let Some(Value::Dict(props)) = fields.get(1) {
        let props: HashMap<String, OwnedValue> = props.try_clone().unwrap().try_into().unwrap();
        if let Some(l) = props.get("label") {
            out.push((id, String::try_from(l.clone()).unwrap()));
        }
    }
    if let Some(Value::Array(children)) = fields.get(2) {
        for c in children.iter() {
            labels(c, out);
        }
    }
}

#[test]
fn the_item_shows_the_state_and_sends_menu_clicks_as_commands() {
    let bus = PrivateBus::start("tray");
    let address = bus.address().to_owned();
    // ksni connects to the session bus named in the environment; this test
    // binary has no other test that could see the change
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    zbus::block_on(async {
        let items = Arc::new(Mutex::new(Vec::new()));
        let host = zbus::connection::Builder::address(address.as_str())
            .unwrap()
            .serve_at(
                "/StatusNotifierWatcher",
                Watcher {
                    items: items.clone(),
                },
            )
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .build()
            .await
            .expect("watcher");

        let (tx, commands) = async_channel::unbounded();
        let handle = ConnieTray::new(&wifi_state("online", 90), tx)
            .spawn()
            .await
            .expect("tray item");
        let deadline = Instant::now() + Duration::from_secs(10);
        let service = loop {
            if let Some(s) = items.lock().unwrap().first().cloned() {
                break s;
            }
            assert!(Instant::now() < deadline, "the item never registered");
            async_io::Timer::after(Duration::from_millis(20)).await;
        };
        let (dest, path) = match service.split_once('/') {
            Some((d, p)) => (d.to_owned(), format!("/{p}")),
            None => (service.clone(), "/StatusNotifierItem".to_owned()),
        };
        let props = zbus::fdo::PropertiesProxy::builder(&host)
            .destination(dest.clone())
            .unwrap()
            .path(path.clone())
            .unwrap()
            .build()
            .await
            .unwrap();
        let iface =
            zbus::names::InterfaceName::from_static_str("org.kde.StatusNotifierItem").unwrap();
        let icon: String = props
            .get(iface.clone(), "IconName")
            .await
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(icon, "network-wireless-signal-excellent-symbolic");
        let tip = props.get(iface.clone(), "ToolTip").await.unwrap();
        let tip: Structure = tip.try_into().unwrap();
        let text: String = tip.fields()[3].clone().try_into().unwrap();
        assert!(text.contains("Caf\u{e9} &lt;b&gt;&amp;_"), "{text}");

        let menu_path: zbus::zvariant::OwnedObjectPath = props
            .get(iface.clone(), "Menu")
            .await
            .unwrap()
            .try_into()
            .unwrap();
        let menu = zbus::Proxy::new(
            &host,
            dest.clone(),
            menu_path.clone(),
            "com.canonical.dbusmenu",
        )
        .await
        .unwrap();
        type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_rev, (_id, _props, children)): (u32, Node) = menu
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .await
            .unwrap();
        let mut found = Vec::new();
        for c in &children {
            labels(c, &mut found);
        }
        let names: Vec<&str> = found.iter().map(|(_, l)| l.as_str()).collect();
        let first = names
            .iter()
            .position(|l| l.starts_with("Caf"))
            .expect("first network");
        let second = names
            .iter()
            .position(|l| l.starts_with("Other"))
            .expect("second network");
        assert!(first < second, "connmand's order: {names:?}");
        assert!(
            names[first].contains("&_ ") || names[first].contains("&__"),
            "mnemonic escaped: {names:?}"
        );
        let other_id = found[second].0;
        menu.call::<_, _, ()>("Event", &(other_id, "clicked", Value::from(0i32), 0u32))
            .await
            .unwrap();
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

        // the icon follows the state
        let weak = wifi_state("ready", 20);
        handle.update(|t| t.refresh(&weak)).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let icon: String = props
                .get(iface.clone(), "IconName")
                .await
                .unwrap()
                .try_into()
                .unwrap();
            if icon == "network-wireless-signal-weak-symbolic" {
                break;
            }
            assert!(Instant::now() < deadline, "icon stayed {icon}");
            async_io::Timer::after(Duration::from_millis(20)).await;
        }
        handle.shutdown().await;
    });
}
