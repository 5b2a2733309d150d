//! OpenConnect against the lab's real connman-vpnd and ocserv: the VPN made
//! from the Add VPN form, the server's certificate shown before anything is
//! sent (ocserv's certificate is signed by the lab's CA, which the system
//! does not know), refused and then trusted, the login asked through the
//! real dialog with the server's groups to choose from, a host behind the
//! VPN answering, and the pin kept by connman-vpnd.
//!
//! connman-vpnd 1.41 itself never asks the agent about the certificate (it
//! fails a VPN without `OpenConnect.AllowSelfSignedCert`, and trusts the
//! first certificate silently with it), nor about the group (it reads
//! `OpenConnect.Group` from the VPN's settings): Connie looks at the
//! certificate and the login form itself when connman-vpnd asks for the
//! login, and answers with the trusted pin (see `connie::vpn::certificate`).
//! GTK tests run one at a time (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use adw::prelude::*;
use base64::Engine;
use connie::backend::{Backend, Outcome};
use connie::ui::agent::Presenter;
use connie::ui::Window;
use connie::vpn::form::{DOMAIN, HOST, NAME};
use connie::vpn::VpnType;
use connman_lab::runner::{BEHIND_VPN_ADDR, SERVICES_ADDR};
use connman_lab::vpn::{OC_GROUPS, VPN_PASSWORD, VPN_USER};
use connman_lab::{Lab, LabOptions};
use ui_common::*;

fn oc_lab() -> LabOptions {
    LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    }
}

/// The window and the agent's dialogs on the lab, its uplink connected.
async fn ui(lab: &Lab) -> (Backend, Window, Presenter) {
    let (backend, win) = window_on(lab).await;
    let presenter = presenter_for(&backend);
    presenter.set_parent({
        let win = win.downgrade();
        move || win.upgrade().map(|w| w.upcast())
    });
    wait_until(40, "the uplink connected and the VPN section shown", || {
        win.vpn_section_shown()
            && win
                .service_paths()
                .iter()
                .any(|p| service(&backend, p).is_some_and(|s| s.is_connected()))
    })
    .await;
    (backend, win, presenter)
}

/// The SHA-256 fingerprint and the pin of ocserv's certificate, from its
/// PEM file in the lab's PKI.
fn ocserv_cert(lab: &Lab) -> (String, String) {
    let pem = std::fs::read_to_string(lab.dir().join("pki/ocserv.crt")).expect("the PKI");
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("PEM");
    (
        connie::vpn::certificate::fingerprint(&der),
        connie::vpn::certificate::pin_sha256(&der).expect("a key"),
    )
}

/// Creates the OpenConnect VPN from the Add VPN form: ocserv's address,
/// username and password sign-in, no CA file (the system's CAs do not know
/// the lab's), and the fields `extra` sets. Its connection's path and its
/// service's, once connmand lists that.
async fn create_from_form(
    backend: &Backend,
    win: &Window,
    extra: &[(&str, &str)],
) -> (String, String) {
    win.activate_action("win.add-vpn", None)
        .expect("the add action");
    let editor = win.vpn_editor().expect("the VPN dialog");
    editor.choose(VpnType::OpenConnect);
    editor.set(NAME, "Lab OC");
    editor.set(HOST, SERVICES_ADDR);
    editor.set(DOMAIN, "oc.lab.test");
    editor.set("OpenConnect.AuthType", "userpass");
    for (key, value) in extra {
        editor.set(key, value);
    }
    assert!(editor.save_button().is_sensitive(), "Save is on");
    editor.save_button().emit_clicked();
    wait_until(30, "the dialog saved and closed", || {
        win.vpn_editor().is_none()
    })
    .await;
    let mut found = None;
    wait_until(20, "connman-vpnd lists Lab OC", || {
        let client = backend.client().unwrap();
        let state = client.state();
        found = state
            .vpn_connections
            .iter()
            .find(|(_, c)| c.name.as_deref() == Some("Lab OC"))
            .map(|(p, _)| p.to_owned());
        found.is_some()
    })
    .await;
    let conn = found.unwrap();
    let service = connie::model::vpn_service_path(&conn);
    wait_until(20, "connmand lists the VPN's service", || {
        ui_common::service(backend, &service).is_some()
    })
    .await;
    (conn, service)
}

fn setting(backend: &Backend, conn: &str, key: &str) -> Option<String> {
    backend
        .client()
        .unwrap()
        .state()
        .vpn_connection(conn)
        .and_then(|c| c.settings.get(key).cloned())
}

fn connect(backend: &Backend, service: &str) -> glib::JoinHandle<Outcome> {
    let backend = backend.clone();
    let service = service.to_owned();
    glib::spawn_future_local(async move { backend.connect(&service).await })
}

async fn certificate_question(presenter: &Presenter) -> adw::MessageDialog {
    wait_until(30, "the certificate question", || {
        presenter
            .message_dialog()
            .is_some_and(|d| d.heading().as_deref() == Some("Trust This Certificate?"))
    })
    .await;
    presenter.message_dialog().unwrap()
}

/// The rows of the certificate question: (title, value).
fn certificate_rows(dialog: &adw::MessageDialog) -> Vec<(String, String)> {
    let list = dialog
        .extra_child()
        .and_downcast::<gtk::ListBox>()
        .expect("the certificate's rows");
    let mut rows = Vec::new();
    let mut child = list.first_child();
    while let Some(c) = child {
        if let Some(row) = c.downcast_ref::<adw::ActionRow>() {
            rows.push((
                row.title().to_string(),
                row.subtitle().unwrap_or_default().to_string(),
            ));
        }
        child = c.next_sibling();
    }
    rows
}

#[gtk::test]
async fn the_certificate_is_asked_refused_then_trusted_and_the_vpn_connects() {
    let Some(lab) = Lab::for_test(oc_lab()) else {
        return;
    };
    let (backend, win, presenter) = ui(&lab).await;
    // the test's process is outside the lab's network: Connie's look at the
    // certificate goes through the lab's forwarder, from the lab's network
    connie::vpn::certificate::route_through(Some(lab.ocserv_socket()));
    let (conn, service) = create_from_form(&backend, &win, &[]).await;
    assert_eq!(
        setting(&backend, &conn, "OpenConnect.AuthType").as_deref(),
        Some("userpass")
    );
    let (fingerprint, pin) = ocserv_cert(&lab);

    // refused: nothing is sent, and the connect's failure says why
    let attempt = connect(&backend, &service);
    let question = certificate_question(&presenter).await;
    let rows = certificate_rows(&question);
    assert!(
        rows.contains(&("SHA-256 fingerprint".into(), fingerprint.clone())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("Public key pin".into(), pin.clone())),
        "{rows:?}"
    );
    assert!(question.body().contains("Lab OC"), "{}", question.body());
    assert_eq!(question.default_response().as_deref(), Some("cancel"));
    question.response("cancel");
    let outcome = glib::future_with_timeout(std::time::Duration::from_secs(60), attempt)
        .await
        .expect("the refused connect ends")
        .expect("the connect task");
    let failure = outcome.failure().expect("a failure, said");
    assert!(failure.why.contains("certificate"), "{failure:?}");
    assert!(presenter.input_dialog().is_none(), "no login was asked");
    assert_eq!(setting(&backend, &conn, "OpenConnect.ServerCert"), None);

    // trusted: the login, with the server's groups, then connected
    wait_until(10, "the failure's message closed", || {
        !presenter.is_showing()
    })
    .await;
    let attempt = connect(&backend, &service);
    certificate_question(&presenter).await.response("trust");
    wait_until(30, "the login dialog", || {
        presenter.input_dialog().is_some()
    })
    .await;
    let login = presenter.input_dialog().unwrap();
    assert_eq!(login.heading_text(), "Lab OC");
    let groups = login.group_row().expect("the group chooser");
    let model = groups.model().expect("the groups");
    let offered: Vec<String> = (0..model.n_items())
        .filter_map(|i| model.item(i).and_downcast::<gtk::StringObject>())
        .map(|s| s.string().to_string())
        .collect();
    assert_eq!(offered, OC_GROUPS);
    groups.set_selected(1);
    login
        .entry("Username")
        .expect("user name")
        .set_text(VPN_USER);
    login
        .entry("Password")
        .expect("password")
        .set_text(VPN_PASSWORD);
    login.connect_button().emit_clicked();
    let outcome = glib::future_with_timeout(std::time::Duration::from_secs(60), attempt)
        .await
        .expect("the connect ends")
        .expect("the connect task");
    assert_eq!(
        outcome,
        Outcome::Done,
        "{:?}",
        lab.log("connman-vpnd").await
    );
    wait_until(40, "the VPN connected", || {
        ui_common::service(&backend, &service).is_some_and(|s| s.is_connected())
    })
    .await;
    assert!(
        lab.ping(BEHIND_VPN_ADDR).await.expect("ping"),
        "{BEHIND_VPN_ADDR}, behind the VPN, answers"
    );
    // connman-vpnd keeps the trusted pin, and signed in to the group chosen
    assert_eq!(
        setting(&backend, &conn, "OpenConnect.ServerCert"),
        Some(pin)
    );
    assert_eq!(
        setting(&backend, &conn, "OpenConnect.AllowSelfSignedCert").as_deref(),
        Some("true")
    );
    assert_eq!(
        setting(&backend, &conn, "OpenConnect.Group").as_deref(),
        Some(OC_GROUPS[1])
    );
    // Not asserted: that ocserv put the session in that group. It does
    // not: connman-vpnd 1.41 picks the group on the server's first login
    // form ("Switching to auth group: Guests" in its debug log), the server
    // sends the form again for that group, and connman-vpnd (whose
    // `group_set` is then true) leaves the new form's group at its default:
    // ocserv loads groups/Staff and hands out 10.88.3.x, where the
    // openconnect command line choosing Guests at the same prompt gets
    // 10.88.4.x (seen in the lab's ocserv.log).
    let outcome = backend.disconnect(&service).await;
    assert_eq!(outcome, Outcome::Done);
    wait_until(30, "the VPN disconnected", || {
        ui_common::service(&backend, &service).is_some_and(|s| !s.is_connected())
    })
    .await;
}

#[gtk::test]
async fn a_wrong_password_is_said_and_the_trusted_pin_stays() {
    let Some(lab) = Lab::for_test(oc_lab()) else {
        return;
    };
    let (backend, win, presenter) = ui(&lab).await;
    connie::vpn::certificate::route_through(Some(lab.ocserv_socket()));
    let (conn, service) = create_from_form(&backend, &win, &[]).await;
    let attempt = connect(&backend, &service);
    certificate_question(&presenter).await.response("trust");
    wait_until(30, "the login dialog", || {
        presenter.input_dialog().is_some()
    })
    .await;
    let login = presenter.input_dialog().unwrap();
    login.entry("Username").unwrap().set_text(VPN_USER);
    login
        .entry("Password")
        .unwrap()
        .set_text("not-the-password");
    login.connect_button().emit_clicked();
    let outcome = glib::future_with_timeout(std::time::Duration::from_secs(60), attempt)
        .await
        .expect("the connect ends")
        .expect("the connect task");
    // connman-vpnd 1.41 fills the same wrong password into each form ocserv
    // sends again, then fails the VPN with "Unknown error -22" (its log),
    // nothing more: the sentence says the likely cause
    let failure = outcome.failure().expect("a failure, said");
    assert!(failure.why.contains("user name or password"), "{failure:?}");
    // the trusted pin stays with the VPN: the next connect asks no question
    // about the certificate. (Not tried here: connmand 1.41 answers the
    // next Connect of this VPN with InProgress, as if the failed one were
    // still under way.)
    assert!(setting(&backend, &conn, "OpenConnect.ServerCert")
        .is_some_and(|p| p.starts_with("pin-sha256:")));
}

#[gtk::test]
async fn a_vpn_that_takes_any_certificate_is_not_connected_unseen() {
    let Some(lab) = Lab::for_test(oc_lab()) else {
        return;
    };
    let (backend, win, presenter) = ui(&lab).await;
    // Connie cannot reach the server (a socket nobody listens on), and the
    // VPN is set to accept a certificate no CA signed: connman-vpnd would
    // trust whatever the server shows, unseen
    connie::vpn::certificate::route_through(Some(lab.dir().join("nobody-listens.sock")));
    let (conn, service) = create_from_form(
        &backend,
        &win,
        &[("OpenConnect.AllowSelfSignedCert", "true")],
    )
    .await;
    assert_eq!(
        setting(&backend, &conn, "OpenConnect.AllowSelfSignedCert").as_deref(),
        Some("true")
    );
    let outcome = glib::future_with_timeout(
        std::time::Duration::from_secs(60),
        connect(&backend, &service),
    )
    .await
    .expect("the connect ends")
    .expect("the connect task");
    let failure = outcome.failure().expect("a failure, said");
    assert!(
        failure.why.contains("could not reach the server"),
        "{failure:?}"
    );
    assert!(presenter.input_dialog().is_none(), "no login was asked");
    assert_eq!(
        setting(&backend, &conn, "OpenConnect.ServerCert"),
        None,
        "no certificate was trusted"
    );
    assert!(
        !ui_common::service(&backend, &service).is_some_and(|s| s.is_connected()),
        "not connected"
    );
}
