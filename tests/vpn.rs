//! VPNs made, imported, edited and deleted from the window, against the
//! lab's real connman-vpnd and OpenVPN servers: what the form sends is
//! what connman-vpnd then holds, the VPN connects and a host behind it
//! answers, and deleting takes its files too. Bad input creates nothing.
//! GTK tests run one at a time (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use adw::prelude::*;
use connie::backend::Backend;
use connie::ui::{VpnEditor, Window};
use connie::vpn::form::{DOMAIN, HOST, NAME, SPLIT};
use connie::vpn::VpnType;
use connman_lab::runner::BEHIND_VPN_ADDR;
use connman_lab::{Lab, LabOptions, VpnKind};
use ui_common::*;

fn vpn_lab() -> LabOptions {
    LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    }
}

/// The window on the lab, its uplink connected and connman-vpnd there.
async fn window(lab: &Lab) -> (Backend, Window) {
    let (backend, win) = window_on(lab).await;
    wait_until(40, "the uplink connected and the VPN section shown", || {
        win.vpn_section_shown()
            && win
                .service_paths()
                .iter()
                .any(|p| service(&backend, p).is_some_and(|s| s.is_connected()))
    })
    .await;
    (backend, win)
}

fn add_dialog(win: &Window) -> VpnEditor {
    win.activate_action("win.add-vpn", None)
        .expect("the add action");
    let editor = win.vpn_editor().expect("the VPN dialog");
    assert_eq!(editor.page(), "types");
    editor
}

/// The connection named `name`, once connman-vpnd lists it.
async fn connection(backend: &Backend, name: &str) -> String {
    let mut found = None;
    wait_until(20, &format!("connman-vpnd lists {name}"), || {
        let client = backend.client().unwrap();
        let state = client.state();
        found = state
            .vpn_connections
            .iter()
            .find(|(_, c)| c.name.as_deref() == Some(name))
            .map(|(p, _)| p.to_owned());
        found.is_some()
    })
    .await;
    found.unwrap()
}

/// Connects the VPN `conn` from its row, and waits until a host behind it
/// answers.
async fn connect_and_reach(lab: &Lab, backend: &Backend, win: &Window, conn: &str) {
    let row = win
        .vpn_rows()
        .into_iter()
        .find(|r| r.vpn().is_some_and(|v| v.path() == conn))
        .expect("the VPN's row");
    row.button().emit_clicked();
    let service = connie::model::vpn_service_path(conn);
    wait_until(40, "the VPN connected", || {
        service_is_connected(backend, &service)
    })
    .await;
    assert!(
        lab.ping(BEHIND_VPN_ADDR).await.expect("ping"),
        "{BEHIND_VPN_ADDR}, behind the VPN, answers"
    );
}

fn service_is_connected(backend: &Backend, path: &str) -> bool {
    backend
        .client()
        .unwrap()
        .state()
        .service(path)
        .is_some_and(|s| s.state.is_connected())
}

/// Saves the dialog and waits until it closed.
async fn save(win: &Window, editor: &VpnEditor) {
    assert!(editor.save_button().is_sensitive(), "Save is on");
    editor.save_button().emit_clicked();
    wait_until(30, "the dialog saved and closed", || {
        win.vpn_editor().is_none()
    })
    .await;
}

/// Says yes to the delete question.
async fn delete(backend: &Backend, win: &Window, conn: &str) {
    win.activate_action("win.delete-vpn", Some(&conn.to_variant()))
        .expect("the delete action");
    let ask = win.forget_dialog().expect("the delete question");
    ask.response("delete");
    wait_until(20, "connman-vpnd no longer has it", || {
        backend
            .client()
            .unwrap()
            .state()
            .vpn_connection(conn)
            .is_none()
    })
    .await;
}

#[gtk::test]
async fn an_openvpn_from_the_form_connects_is_edited_and_deleted() {
    let Some(lab) = Lab::for_test(vpn_lab()) else {
        return;
    };
    let (backend, win) = window(&lab).await;
    let lab_settings = lab.vpn_settings(VpnKind::Certificate, "unused");
    let editor = add_dialog(&win);
    editor.choose(VpnType::OpenVpn);
    assert_eq!(editor.page(), "form");
    assert!(
        !editor.save_button().is_sensitive(),
        "nothing typed: no Create"
    );
    editor.set(NAME, "Form VPN");
    editor.set(HOST, &lab_settings["Host"]);
    editor.set(DOMAIN, "form.lab.test");
    editor.set("OpenVPN.Port", "1194");
    editor.set("OpenVPN.CACert", &lab_settings["OpenVPN.CACert"]);
    editor.set("OpenVPN.Cert", &lab_settings["OpenVPN.Cert"]);
    editor.set("OpenVPN.Key", &lab_settings["OpenVPN.Key"]);
    editor.set(connie::vpn::form::ROUTES, "10.98.0.0/16");
    save(&win, &editor).await;
    let conn = connection(&backend, "Form VPN").await;
    {
        let client = backend.client().unwrap();
        let state = client.state();
        let c = state.vpn_connection(&conn).unwrap();
        assert_eq!(c.type_.as_deref(), Some("openvpn"));
        assert_eq!(c.domain.as_deref(), Some("form.lab.test"));
        assert_eq!(
            c.settings.get("OpenVPN.Port").map(String::as_str),
            Some("1194")
        );
        assert_eq!(
            c.user_routes
                .iter()
                .map(connie::vpn::form::route_text)
                .collect::<Vec<_>>(),
            ["10.98.0.0/16"]
        );
    }
    connect_and_reach(&lab, &backend, &win, &conn).await;

    // edited: split routing on, from the row's editor
    win.activate_action("win.edit-vpn", Some(&conn.to_variant()))
        .expect("the edit action");
    let editor = win.vpn_editor().expect("the editor");
    assert_eq!(editor.form().unwrap().get(NAME), "Form VPN");
    assert!(!editor.save_button().is_sensitive(), "nothing changed yet");
    editor.set(SPLIT, "true");
    save(&win, &editor).await;
    wait_until(20, "connman-vpnd says split routing", || {
        backend
            .client()
            .unwrap()
            .state()
            .vpn_connection(&conn)
            .is_some_and(|c| c.split_routing)
    })
    .await;

    delete(&backend, &win, &conn).await;
}

/// An `.ovpn` for the lab's certificate server with the certificates
/// inline, and a script line that must not be imported.
fn lab_ovpn(lab: &Lab) -> String {
    let s = lab.vpn_settings(VpnKind::Certificate, "unused");
    let read = |k: &str| std::fs::read_to_string(&s[k]).expect("the lab's PKI");
    format!(
        "client\ndev tun\nproto udp\nremote {} 1194\nnobind\nup /bin/touch-as-root.sh\n\
         <ca>\n{}</ca>\n<cert>\n{}</cert>\n<key>\n{}</key>\n",
        s["Host"],
        read("OpenVPN.CACert"),
        read("OpenVPN.Cert"),
        read("OpenVPN.Key")
    )
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[gtk::test]
async fn an_ovpn_with_inline_certificates_connects_and_its_files_go_with_it() {
    let Some(lab) = Lab::for_test(vpn_lab()) else {
        return;
    };
    let (backend, win) = window(&lab).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Imported Lab.ovpn");
    std::fs::write(&file, lab_ovpn(&lab)).unwrap();
    let base = dir.path().join("data");
    let editor = add_dialog(&win);
    editor.set_files_base(&base);
    editor.import_file(&file);
    assert_eq!(editor.page(), "form");
    let form = editor.form().unwrap();
    assert_eq!(form.get(NAME), "Imported Lab");
    assert_eq!(form.type_, VpnType::OpenVpn);
    assert_eq!(
        editor.ignored(),
        ["line 6: up /bin/touch-as-root.sh"],
        "the script is listed, not imported"
    );
    // two VPNs to one server differ by domain
    editor.set(DOMAIN, "import.lab.test");
    save(&win, &editor).await;
    let conn = connection(&backend, "Imported Lab").await;
    let ca = {
        let client = backend.client().unwrap();
        let state = client.state();
        let c = state.vpn_connection(&conn).unwrap();
        assert!(
            !c.settings.contains_key("OpenVPN.ConfigFile"),
            "the file itself never reaches connman-vpnd"
        );
        std::path::PathBuf::from(c.settings["OpenVPN.CACert"].clone())
    };
    assert!(ca.starts_with(&base), "{}", ca.display());
    assert_eq!(mode(&ca), 0o600);
    assert_eq!(mode(ca.parent().unwrap()), 0o700);
    connect_and_reach(&lab, &backend, &win, &conn).await;

    // deleting takes the files Connie kept (the dialog's base is the
    // data directory's; here the test's)
    let outcome = backend.delete_vpn(&conn, &base).await;
    assert_eq!(outcome, connie::backend::Outcome::Done);
    assert!(!ca.exists(), "the certificates went with the VPN");
    assert!(!ca.parent().unwrap().exists());
}

const WG: &str = "\
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.8.0.2/24
DNS = 10.8.0.1
MTU = 1420

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
Endpoint = 10.77.0.1:51820
AllowedIPs = 10.8.0.0/24, 10.97.0.0/16
PersistentKeepalive = 25
";

#[gtk::test]
async fn a_wireguard_conf_is_created_with_every_field_mapped() {
    let Some(lab) = Lab::for_test(vpn_lab()) else {
        return;
    };
    let (backend, win) = window(&lab).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wg-lab.conf");
    std::fs::write(&file, WG).unwrap();
    let editor = add_dialog(&win);
    editor.import_file(&file);
    assert_eq!(editor.form().unwrap().type_, VpnType::WireGuard);
    assert_eq!(editor.ignored().len(), 1, "{:?}", editor.ignored());
    assert!(editor.ignored()[0].ends_with("MTU"));
    save(&win, &editor).await;
    let conn = connection(&backend, "wg-lab").await;
    let client = backend.client().unwrap();
    {
        let state = client.state();
        let c = state.vpn_connection(&conn).unwrap();
        assert_eq!(c.type_.as_deref(), Some("wireguard"));
        assert_eq!(c.host.as_deref(), Some("10.77.0.1"));
        let get = |k: &str| c.settings.get(k).map(String::as_str);
        assert_eq!(get("WireGuard.Address"), Some("10.8.0.2/24"));
        assert_eq!(get("WireGuard.EndpointPort"), Some("51820"));
        assert_eq!(
            get("WireGuard.AllowedIPs"),
            Some("10.8.0.0/24, 10.97.0.0/16")
        );
        assert_eq!(get("WireGuard.PersistentKeepalive"), Some("25"));
        assert_eq!(get("WireGuard.DNS"), Some("10.8.0.1"));
        assert_eq!(
            get("WireGuard.PublicKey"),
            Some("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=")
        );
    }
    // The lab has no WireGuard server, so the tunnel cannot come up:
    // connecting ends in a failure said as a sentence (on a kernel without
    // WireGuard, connman-vpnd cannot even make the interface).
    let service = connie::model::vpn_service_path(&conn);
    wait_until(20, "connmand lists the VPN's service", || {
        ui_common::service(&backend, &service).is_some()
    })
    .await;
    let outcome = glib::future_with_timeout(
        std::time::Duration::from_secs(30),
        backend.connect(&service),
    )
    .await
    .expect("a failed VPN is said at once, not after connmand's 120 s timeout");
    let connected = service_is_connected(&backend, &service);
    assert!(
        connected
            || outcome
                .failure()
                .is_some_and(|f| f.why.contains("did not start")),
        "either it connected (a kernel with WireGuard) or it says why: {outcome:?}"
    );
    delete(&backend, &win, &conn).await;
}

#[gtk::test]
async fn bad_input_is_said_at_the_field_and_creates_nothing() {
    let Some(lab) = Lab::for_test(vpn_lab()) else {
        return;
    };
    let (backend, win) = window(&lab).await;
    let count = || backend.client().unwrap().state().vpn_connections.len();
    let before = count();

    // a malformed .ovpn: the reason, and no form
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.ovpn");
    std::fs::write(&bad, "client\nremote 10.77.0.1\n<ca>\nnot closed\n").unwrap();
    let editor = add_dialog(&win);
    editor.import_file(&bad);
    assert_eq!(editor.page(), "types", "nothing to fill in");
    assert!(
        editor.ignored()[0].contains("Line 3"),
        "{:?}",
        editor.ignored()
    );
    let said = gtk::Window::list_toplevels()
        .into_iter()
        .filter_map(|w| w.downcast::<adw::MessageDialog>().ok())
        .find(|d| d.heading().as_deref() == Some("Could not import the file"))
        .expect("the import error is said");
    said.response("close");

    // a form with a key that is not base64, a port out of range and a
    // host with spaces
    editor.choose(VpnType::WireGuard);
    editor.set(NAME, "Bad");
    editor.set(HOST, "vpn example.org");
    editor.set("WireGuard.Address", "10.8.0.2/24");
    editor.set("WireGuard.PrivateKey", "not-a-key");
    editor.set(
        "WireGuard.PublicKey",
        "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
    );
    editor.set("WireGuard.AllowedIPs", "0.0.0.0/0");
    editor.set("WireGuard.EndpointPort", "70000");
    assert!(editor.error_at(HOST).unwrap().contains("vpn example.org"));
    assert!(editor.error_at("WireGuard.PrivateKey").is_some());
    assert!(editor
        .error_at("WireGuard.EndpointPort")
        .unwrap()
        .contains("70000"));
    assert!(!editor.save_button().is_sensitive());
    editor.save();
    backend.client().unwrap().sync().await;
    assert!(!editor.is_busy(), "nothing was sent");
    assert_eq!(count(), before, "nothing created");

    // closing with what was typed asks first
    editor.close();
    assert!(win.vpn_editor().is_some(), "not closed without asking");
}
