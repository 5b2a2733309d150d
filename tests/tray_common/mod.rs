//! The host's side of a tray item, for the tray tests: read the item's
//! properties and its dbusmenu layout, and click, over plain zbus (what a
//! panel does).
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use zbus::names::InterfaceName;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Structure, Value};

/// One menu entry as a host sees it.
#[derive(Debug, Clone)]
pub struct MenuEntry {
    pub id: i32,
    pub label: String,
    /// `toggle-state` for check items: 1 checked, 0 not.
    pub toggled: Option<i32>,
    pub enabled: bool,
    /// `icon-name` (empty when the entry has none).
    pub icon: String,
}

/// A tray item on a bus, seen from the host.
pub struct ItemView {
    props: zbus::fdo::PropertiesProxy<'static>,
    item: zbus::Proxy<'static>,
    menu: zbus::Proxy<'static>,
}

const SNI: &str = "org.kde.StatusNotifierItem";

impl ItemView {
    /// The item a watcher recorded (`bus-name/path` or a bus name).
    pub async fn new(conn: &zbus::Connection, registered: &str) -> ItemView {
        let (dest, path) = match registered.split_once('/') {
            Some((d, p)) => (d.to_owned(), format!("/{p}")),
            None => (registered.to_owned(), "/StatusNotifierItem".to_owned()),
        };
        let props = zbus::fdo::PropertiesProxy::builder(conn)
            .destination(dest.clone())
            .unwrap()
            .path(path.clone())
            .unwrap()
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .unwrap();
        let item = zbus::proxy::Builder::new(conn)
            .destination(dest.clone())
            .unwrap()
            .path(path.clone())
            .unwrap()
            .interface(SNI)
            .unwrap()
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .unwrap();
        let view = ItemView {
            props,
            item,
            menu: zbus::Proxy::new(conn, dest.clone(), "/", "com.canonical.dbusmenu")
                .await
                .unwrap(),
        };
        let menu_path: OwnedObjectPath = view.prop("Menu").await.try_into().unwrap();
        let menu = zbus::proxy::Builder::new(conn)
            .destination(dest)
            .unwrap()
            .path(menu_path)
            .unwrap()
            .interface("com.canonical.dbusmenu")
            .unwrap()
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .unwrap();
        ItemView { menu, ..view }
    }

    pub async fn prop(&self, name: &str) -> OwnedValue {
        self.props
            .get(InterfaceName::from_static_str(SNI).unwrap(), name)
            .await
            .unwrap_or_else(|e| panic!("item property {name}: {e}"))
    }

    pub async fn string(&self, name: &str) -> String {
        self.prop(name).await.try_into().unwrap()
    }

    pub async fn icon(&self) -> String {
        self.string("IconName").await
    }

    /// The tooltip's description (its text).
    pub async fn tooltip(&self) -> String {
        let tip: Structure = self.prop("ToolTip").await.try_into().unwrap();
        tip.fields()[3].clone().try_into().unwrap()
    }

    /// The menu, depth first, as the host would show it.
    pub async fn menu(&self) -> Vec<MenuEntry> {
        type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_rev, (_id, _props, children)): (u32, Node) = self
            .menu
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .await
            .expect("GetLayout");
        let mut out = Vec::new();
        for c in &children {
            entries(c, &mut out);
        }
        out
    }

    /// Clicks the first entry whose label starts with `prefix`.
    pub async fn click(&self, prefix: &str) {
        self.try_click(prefix).await.expect("menu Event");
    }

    /// Clicks the first entry whose label starts with `prefix`; what the
    /// item answered (an item that quits may leave before it answers).
    pub async fn try_click(&self, prefix: &str) -> zbus::Result<()> {
        let menu = self.menu().await;
        let entry = menu
            .iter()
            .find(|e| e.label.starts_with(prefix))
            .unwrap_or_else(|| panic!("no menu entry {prefix:?} in {menu:#?}"));
        self.menu
            .call::<_, _, ()>("Event", &(entry.id, "clicked", Value::from(0i32), 0u32))
            .await
    }

    /// A left click on the icon.
    pub async fn activate(&self) {
        self.item
            .call::<_, _, ()>("Activate", &(0i32, 0i32))
            .await
            .expect("Activate");
    }

    /// Waits (at most `secs`) for the icon to be `icon`.
    pub async fn wait_icon(&self, secs: u64, icon: &str) {
        self.until(
            secs,
            &format!("the icon {icon}"),
            || self.icon(),
            |i| i == icon,
        )
        .await;
    }

    /// Waits (at most `secs`) for an entry starting with `prefix` that `ok`
    /// accepts; the whole menu then.
    pub async fn wait_entry(
        &self,
        secs: u64,
        prefix: &str,
        ok: impl Fn(&MenuEntry) -> bool,
    ) -> Vec<MenuEntry> {
        self.until(
            secs,
            &format!("menu entry {prefix:?}"),
            || self.menu(),
            |m| m.iter().any(|e| e.label.starts_with(prefix) && ok(e)),
        )
        .await
    }

    /// Polls `read` until it gives what `ok` accepts, for at most `secs`.
    pub async fn until<T: std::fmt::Debug, F, Fut>(
        &self,
        secs: u64,
        what: &str,
        mut read: F,
        ok: impl Fn(&T) -> bool,
    ) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = read().await;
            if ok(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {secs} s: {what} (last: {v:?})"
            );
            async_io::Timer::after(Duration::from_millis(50)).await;
        }
    }
}

fn entries(node: &Value<'_>, out: &mut Vec<MenuEntry>) {
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
            out.push(MenuEntry {
                id,
                label: String::try_from(l.clone()).unwrap(),
                toggled: props
                    .get("toggle-state")
                    .and_then(|v| i32::try_from(v.clone()).ok()),
                enabled: props
                    .get("enabled")
                    .and_then(|v| bool::try_from(v.clone()).ok())
                    .unwrap_or(true),
                icon: props
                    .get("icon-name")
                    .and_then(|v| String::try_from(v.clone()).ok())
                    .unwrap_or_default(),
            });
        }
    }
    if let Some(Value::Array(children)) = fields.get(2) {
        for c in children.iter() {
            entries(c, out);
        }
    }
}
