//! The service editor against the lab's real connmand: what a person types
//! reaches connmand with connmand's names and shapes (watched on the bus),
//! is read back from connmand, and changes the lab's links; what is wrong
//! never reaches connmand; what connmand refuses is said and kept.
//! GTK tests run one at a time (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use adw::prelude::*;
use connie::backend::Backend;
use connie::model::service_form::Field;
use connie::ui::{ServiceEditor, Window};
use connman_lab::testing::{dict_string, service_props, strings};
use connman_lab::{Daemon, Lab, LabOptions};
use futures_lite::StreamExt;
use ui_common::*;
use zbus::zvariant::{OwnedValue, Value};

/// The `Service.SetProperty` calls and `Peer.Ping`s Connie sends, as the
/// lab's bus sees them (a monitor: the tests run as root, and the lab's bus
/// lets root monitor).
struct Calls {
    seen: Arc<Mutex<Vec<(String, OwnedValue)>>>,
    pings: Arc<Mutex<u32>>,
    _conn: zbus::Connection,
    _task: zbus::Task<()>,
}

impl Calls {
    async fn watch(lab: &Lab, connie: &str) -> Calls {
        let conn = lab.connect().await.expect("the lab's bus");
        let rules = vec![
            zbus::MatchRule::builder()
                .msg_type(zbus::message::Type::MethodCall)
                .sender(connie.to_owned())
                .unwrap()
                .interface("net.connman.Service")
                .unwrap()
                .member("SetProperty")
                .unwrap()
                .build(),
            zbus::MatchRule::builder()
                .msg_type(zbus::message::Type::MethodCall)
                .sender(connie.to_owned())
                .unwrap()
                .interface("org.freedesktop.DBus.Peer")
                .unwrap()
                .member("Ping")
                .unwrap()
                .build(),
        ];
        let mut stream = zbus::MessageStream::from(&conn);
        zbus::fdo::MonitoringProxy::new(&conn)
            .await
            .expect("the monitoring proxy")
            .become_monitor(&rules, 0)
            .await
            .expect("BecomeMonitor (the tests run as root)");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let pings = Arc::new(Mutex::new(0));
        let (log, count) = (seen.clone(), pings.clone());
        let task = conn.executor().spawn(
            async move {
                while let Some(Ok(msg)) = stream.next().await {
                    let h = msg.header();
                    match h.member().map(|m| m.as_str()) {
                        Some("SetProperty") => {
                            if let Ok((name, value)) =
                                msg.body().deserialize::<(String, OwnedValue)>()
                            {
                                log.lock().unwrap().push((name, value));
                            }
                        }
                        Some("Ping") => *count.lock().unwrap() += 1,
                        _ => {}
                    }
                }
            },
            "editor-monitor",
        );
        Calls {
            seen,
            pings,
            _conn: conn,
            _task: task,
        }
    }

    /// Waits until everything Connie sent before now has passed the
    /// monitor: Connie's own ordered round trip to connmand.
    async fn caught_up(&self, backend: &Backend) {
        let before = *self.pings.lock().unwrap();
        backend.client().expect("client").sync().await;
        wait_until(10, "the monitor saw Connie's ping", || {
            *self.pings.lock().unwrap() > before
        })
        .await;
    }

    fn take(&self) -> Vec<(String, OwnedValue)> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn names(calls: &[(String, OwnedValue)]) -> Vec<&str> {
    calls.iter().map(|(n, _)| n.as_str()).collect()
}

/// The `a{sv}` dict of a call, as `key → value`.
fn dict(value: &OwnedValue) -> HashMap<String, OwnedValue> {
    let Value::Dict(d) = &**value else {
        panic!("not a dict: {value:?}");
    };
    d.iter()
        .map(|(k, v)| {
            let key = match k {
                Value::Str(s) => s.to_string(),
                other => panic!("key {other:?}"),
            };
            let inner = match v {
                Value::Value(inner) => OwnedValue::try_from(&**inner).unwrap(),
                other => panic!("value not in a variant: {other:?}"),
            };
            (key, inner)
        })
        .collect()
}

fn string(v: &OwnedValue) -> String {
    match &**v {
        Value::Str(s) => s.to_string(),
        other => panic!("not a string: {other:?}"),
    }
}

/// The lab's wired service, connected, and the window.
async fn wired(lab: &Lab) -> (Backend, Window, String) {
    let (backend, win) = window_on(lab).await;
    wait_until(40, "a wired service connected", || {
        win.service_paths()
            .iter()
            .any(|p| service(&backend, p).is_some_and(|s| s.is_connected()))
    })
    .await;
    let path = win.service_paths()[0].clone();
    (backend, win, path)
}

fn open_editor(win: &Window, path: &str) -> ServiceEditor {
    win.activate_action("win.edit-service", Some(&path.to_variant()))
        .expect("the edit action");
    win.editor().expect("the editor is open")
}

fn type_in(editor: &ServiceEditor, field: Field, text: &str) {
    editor
        .entry(field)
        .unwrap_or_else(|| panic!("an entry for {field:?}"))
        .set_text(text);
}

fn choose(editor: &ServiceEditor, field: Field, index: u32) {
    editor
        .combo(field)
        .unwrap_or_else(|| panic!("a drop-down for {field:?}"))
        .set_selected(index);
}

/// Clicks Apply and waits for connmand's answers.
async fn apply(editor: &ServiceEditor) {
    assert!(editor.apply_button().is_sensitive(), "Apply is on");
    editor.apply_button().emit_clicked();
    wait_until(40, "connmand answered", || !editor.is_busy()).await;
}

async fn props_until(
    lab: &Lab,
    path: &str,
    what: &str,
    mut cond: impl FnMut(&HashMap<String, OwnedValue>) -> bool,
) -> HashMap<String, OwnedValue> {
    let conn = lab.connection();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(p) = service_props(conn, path).await {
            if cond(&p) {
                return p;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out: {what}; connmand says {p:?}"
            );
        }
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        glib::timeout_future(std::time::Duration::from_millis(100)).await;
    }
}

#[gtk::test]
async fn manual_ipv4_and_lists_applied_at_once_then_dhcp_again() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win, path) = wired(&lab).await;
    let connie = backend
        .client()
        .unwrap()
        .connection()
        .unique_name()
        .unwrap()
        .to_string();
    let calls = Calls::watch(&lab, &connie).await;
    let editor = open_editor(&win, &path);
    assert!(!editor.apply_button().is_sensitive(), "nothing changed yet");
    wait_until(10, "the IPv4 group says what connmand has", || {
        editor.reported("IPv4").is_some_and(|r| {
            r.starts_with("Configured: Automatic (DHCP)") && r.contains("10.77.1.")
        })
    })
    .await;

    // wrong input is said at the field and never sent
    choose(&editor, Field::Ipv4Method, 1);
    type_in(&editor, Field::Ipv4Address, "10.77.1.300");
    type_in(&editor, Field::Ipv4Netmask, "24");
    type_in(&editor, Field::Ipv4Gateway, "10.77.2.1");
    let why = editor
        .error_at(Field::Ipv4Address)
        .expect("the address is wrong");
    assert!(why.contains("10.77.1.300"), "{why}");
    assert!(!editor.apply_button().is_sensitive());
    type_in(&editor, Field::Ipv4Address, "10.77.1.200");
    assert_eq!(editor.error_at(Field::Ipv4Address), None);
    let why = editor
        .error_at(Field::Ipv4Gateway)
        .expect("the gateway is wrong");
    assert!(why.contains("10.77.1.0/24"), "{why}");
    type_in(&editor, Field::Nameservers, "10.77.1.1 dns.example");
    assert!(editor.error_at(Field::Nameservers).is_some());
    assert!(!editor.apply_button().is_sensitive());
    editor.apply();
    calls.caught_up(&backend).await;
    assert_eq!(calls.take(), vec![], "nothing invalid reached connmand");

    // several groups at once: all land
    type_in(&editor, Field::Ipv4Gateway, "10.77.1.1");
    type_in(&editor, Field::Nameservers, "10.77.1.1, 192.0.2.53");
    type_in(&editor, Field::Timeservers, "10.77.1.1");
    type_in(&editor, Field::Domains, "lab.example");
    editor.switch(Field::Mdns).expect("mDNS").set_active(true);
    apply(&editor).await;
    assert_eq!(editor.message(), None, "connmand took it all");
    calls.caught_up(&backend).await;
    let sent = calls.take();
    assert_eq!(
        names(&sent),
        [
            "mDNS.Configuration",
            "Nameservers.Configuration",
            "Timeservers.Configuration",
            "Domains.Configuration",
            "IPv4.Configuration"
        ]
    );
    let ipv4 = dict(&sent[4].1);
    let ipv4: HashMap<&str, String> = ipv4.iter().map(|(k, v)| (k.as_str(), string(v))).collect();
    assert_eq!(
        ipv4,
        HashMap::from([
            ("Method", "manual".to_owned()),
            ("Address", "10.77.1.200".to_owned()),
            ("Netmask", "255.255.255.0".to_owned()),
            ("Gateway", "10.77.1.1".to_owned()),
        ])
    );
    assert!(
        !editor.apply_button().is_sensitive(),
        "nothing left to apply"
    );

    // read back from connmand, and on the lab's link
    let props = props_until(&lab, &path, "the manual address active", |p| {
        dict_string(p, "IPv4", "Address").as_deref() == Some("10.77.1.200")
    })
    .await;
    assert_eq!(
        dict_string(&props, "IPv4.Configuration", "Method").as_deref(),
        Some("manual")
    );
    assert_eq!(
        strings(&props, "Nameservers.Configuration"),
        ["10.77.1.1", "192.0.2.53"]
    );
    assert_eq!(strings(&props, "Timeservers.Configuration"), ["10.77.1.1"]);
    assert_eq!(strings(&props, "Domains.Configuration"), ["lab.example"]);
    assert_eq!(
        props.get("mDNS.Configuration").map(|v| &**v),
        Some(&Value::Bool(true))
    );
    let addr = lab.lab_ip(&["-4", "addr", "show", "lab1"]).await.unwrap();
    assert!(addr.contains("10.77.1.200/24"), "{addr}");
    wait_until(20, "the editor says configured and active", || {
        editor.reported("IPv4").is_some_and(|r| {
            r.contains("Manual 10.77.1.200/24") && r.contains("active: 10.77.1.200/24")
        })
    })
    .await;

    // the details page shows the configured values too
    win.show_service(&path);
    let details = win.details_page().expect("the details page");
    wait_until(10, "details show the configuration", || {
        details
            .value("IPv4", "Configured")
            .is_some_and(|v| v.starts_with("Manual 10.77.1.200/24"))
    })
    .await;

    // back to DHCP: a lease from the lab's range again
    choose(&editor, Field::Ipv4Method, 0);
    apply(&editor).await;
    assert_eq!(editor.message(), None);
    props_until(&lab, &path, "a DHCP lease again", |p| {
        dict_string(p, "IPv4.Configuration", "Method").as_deref() == Some("dhcp")
            && dict_string(p, "IPv4", "Address").is_some_and(|a| {
                a.strip_prefix("10.77.1.")
                    .and_then(|n| n.parse::<u8>().ok())
                    .is_some_and(|n| (100..=150).contains(&n))
            })
    })
    .await;
    editor.close();
    wait_until(5, "closed without asking (nothing left)", || {
        win.editor().is_none()
    })
    .await;
}

#[gtk::test]
async fn ipv6_proxy_and_autoconnect_land_and_autoconnect_is_saved() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win, path) = wired(&lab).await;
    let connie = backend
        .client()
        .unwrap()
        .connection()
        .unique_name()
        .unwrap()
        .to_string();
    let calls = Calls::watch(&lab, &connie).await;
    let editor = open_editor(&win, &path);

    choose(&editor, Field::Ipv6Method, 1);
    type_in(&editor, Field::Ipv6Address, "2001:db8:77::5");
    type_in(&editor, Field::Ipv6Prefix, "129");
    assert!(editor.error_at(Field::Ipv6Prefix).is_some());
    type_in(&editor, Field::Ipv6Prefix, "64");
    type_in(&editor, Field::Ipv6Gateway, "2001:db8:77::1");
    choose(&editor, Field::ProxyMethod, 2);
    assert!(
        editor.error_at(Field::ProxyServers).is_some(),
        "manual needs a server"
    );
    type_in(&editor, Field::ProxyServers, "http://10.77.1.1:3128");
    type_in(&editor, Field::ProxyExcludes, "localhost, .lab.example");
    editor
        .switch(Field::AutoConnect)
        .expect("a saved service can autoconnect")
        .set_active(false);
    apply(&editor).await;
    assert_eq!(editor.message(), None);
    calls.caught_up(&backend).await;
    let sent = calls.take();
    assert_eq!(
        names(&sent),
        ["AutoConnect", "Proxy.Configuration", "IPv6.Configuration"]
    );
    let ipv6 = dict(&sent[2].1);
    assert_eq!(ipv6.get("PrefixLength").map(|v| &**v), Some(&Value::U8(64)));
    let proxy = dict(&sent[1].1);
    assert_eq!(string(&proxy["Method"]), "manual");
    let props = props_until(&lab, &path, "IPv6 and proxy configured", |p| {
        dict_string(p, "IPv6.Configuration", "Method").as_deref() == Some("manual")
            && dict_string(p, "Proxy.Configuration", "Method").as_deref() == Some("manual")
    })
    .await;
    assert_eq!(
        dict_string(&props, "IPv6.Configuration", "Address").as_deref(),
        Some("2001:db8:77::5")
    );
    assert_eq!(
        props.get("AutoConnect").map(|v| &**v),
        Some(&Value::Bool(false))
    );

    // the proxy from a PAC file instead
    choose(&editor, Field::ProxyMethod, 1);
    type_in(&editor, Field::ProxyUrl, "http://10.77.1.1/proxy.pac");
    apply(&editor).await;
    assert_eq!(editor.message(), None);
    calls.caught_up(&backend).await;
    assert_eq!(names(&calls.take()), ["Proxy.Configuration"]);
    props_until(&lab, &path, "the PAC URL configured", |p| {
        dict_string(p, "Proxy.Configuration", "Method").as_deref() == Some("auto")
            && dict_string(p, "Proxy.Configuration", "URL").as_deref()
                == Some("http://10.77.1.1/proxy.pac")
    })
    .await;
    editor.close();

    // AutoConnect=false is saved: connmand says so after a restart
    lab.restart_daemon(Daemon::Connmand).await.expect("restart");
    let props = props_until(&lab, &path, "the service back after the restart", |p| {
        p.contains_key("AutoConnect")
    })
    .await;
    assert_eq!(
        props.get("AutoConnect").map(|v| &**v),
        Some(&Value::Bool(false)),
        "AutoConnect survived the restart"
    );
}

#[gtk::test]
async fn refused_changes_are_kept_and_provisioned_services_are_read_only() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win, path) = wired(&lab).await;
    let editor = open_editor(&win, &path);
    type_in(&editor, Field::Nameservers, "192.0.2.53");
    assert!(editor.apply_button().is_sensitive());

    // an administrator's file provisions the service while it is edited:
    // connmand then refuses the change
    let mac = {
        let client = backend.client().unwrap();
        let state = client.state();
        state
            .service(&path)
            .and_then(|s| s.ethernet.address.clone())
            .expect("the wired service's MAC")
    };
    lab.provision_service(
        "connie-wired",
        &format!("[service_wired]\nType = ethernet\nMAC = {mac}\nIPv4 = dhcp\n"),
    )
    .await
    .expect("provision");
    wait_until(30, "connmand says the service is provisioned", || {
        let client = backend.client().unwrap();
        let state = client.state();
        state.service(&path).is_some_and(|s| s.immutable)
    })
    .await;
    apply(&editor).await;
    let said = editor.message().expect("the refusal is said");
    assert!(said.contains("DNS Servers"), "{said}");
    assert_eq!(
        editor.entry(Field::Nameservers).unwrap().text(),
        "192.0.2.53",
        "the form keeps what was typed"
    );
    assert!(editor.apply_button().is_sensitive(), "still to apply");

    // closing asks first; discarding closes
    editor.close();
    assert!(win.editor().is_some(), "not closed without asking");
    let ask = gtk::Window::list_toplevels()
        .into_iter()
        .filter_map(|w| w.downcast::<adw::MessageDialog>().ok())
        .find(|d| d.heading().as_deref() == Some("Discard the changes?"))
        .expect("the discard question");
    ask.response("discard");
    wait_until(5, "the editor closed", || win.editor().is_none()).await;

    // opened now, the provisioned service is read-only but for autoconnect
    let editor = open_editor(&win, &path);
    for field in [
        Field::Ipv4Method,
        Field::Nameservers,
        Field::Domains,
        Field::ProxyMethod,
    ] {
        let widget: gtk::Widget = match editor.entry(field) {
            Some(e) => e.upcast(),
            None => editor.combo(field).expect("a widget").upcast(),
        };
        assert!(!widget.is_sensitive(), "{field:?} is read-only");
    }
    assert!(!editor.switch(Field::Mdns).unwrap().is_sensitive());
    assert!(editor.switch(Field::AutoConnect).unwrap().is_sensitive());
    editor.close();
}
