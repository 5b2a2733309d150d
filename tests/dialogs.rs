//! The GUI agent against the lab's real connmand and connman-vpnd: every
//! prompt comes from the daemon, reaches the presenter through the Backend,
//! and is answered through the real dialog widgets, as a person would. GTK
//! tests run one at a time on one thread (`#[gtk::test]`); every wait is
//! bounded.

mod ui_common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use adw::prelude::*;
use connie::backend::{Backend, Outcome};
use connie::connman::agent::{AgentKind, Answer, InputReply, InputRequest, Secret, AGENT_PATH};
use connie::connman::client::Client;
use connie::connman::types::Security;
use connie::ui::agent::{DialogText, PassphraseDialog, Presenter, FALLBACK_PORTAL_URL};
use connman_lab::testing::{power_on, scan};
use connman_lab::{Lab, LabOptions, OnlineMode, VpnKind};
use ui_common::*;
use zbus::zvariant::{ObjectPath, OwnedValue, Value};

struct Ui {
    lab: Lab,
    backend: Backend,
    presenter: Presenter,
    launched: Rc<RefCell<Vec<String>>>,
}

impl Ui {
    fn client(&self) -> Client {
        self.backend.client().expect("client started")
    }

    fn conn(&self) -> zbus::Connection {
        self.client().connection().clone()
    }

    /// Connects through the backend (as the window and the tray do); the
    /// handle gives its outcome.
    fn connect(&self, path: &str) -> glib::JoinHandle<Outcome> {
        let backend = self.backend.clone();
        let path = path.to_owned();
        glib::spawn_future_local(async move { backend.connect(&path).await })
    }

    async fn dialog(&self, secs: u64, what: &str) -> PassphraseDialog {
        wait_until(secs, what, || self.presenter.input_dialog().is_some()).await;
        self.presenter.input_dialog().unwrap()
    }

    async fn message(&self, secs: u64, what: &str) -> adw::MessageDialog {
        wait_until(secs, what, || self.presenter.message_dialog().is_some()).await;
        self.presenter.message_dialog().unwrap()
    }

    fn state_of(&self, path: &str) -> Option<String> {
        let client = self.client();
        let state = client.state();
        state.service(path).map(|s| s.state.as_str().to_owned())
    }

    async fn wait_connected(&self, path: &str, secs: u64) {
        wait_until(secs, &format!("{path} connected"), || {
            self.client()
                .state()
                .service(path)
                .is_some_and(|s| s.is_connected())
        })
        .await;
    }

    /// The path of the service that `pick` accepts, once the client lists it
    /// (as a person sees it in the window before connecting it).
    async fn service(
        &self,
        secs: u64,
        what: &str,
        pick: impl Fn(&connie::connman::types::ServiceProps) -> bool,
    ) -> String {
        let mut found = None;
        wait_until(secs, what, || {
            let client = self.client();
            let state = client.state();
            found = state
                .services_in_order()
                .find(|(_, s)| pick(s))
                .map(|(p, _)| p.to_owned());
            found.is_some()
        })
        .await;
        found.unwrap()
    }

    async fn service_named(&self, name: &str, secs: u64) -> String {
        self.service(secs, name, |s| s.name.as_deref() == Some(name))
            .await
    }

    async fn wifi_up(&self) {
        let conn = self.conn();
        power_on(&conn, "wifi").await;
        scan(&conn, "wifi").await;
    }
}

/// A lab, the Backend's client on it with its agents, and the presenter
/// routing their requests, with a browser launcher that only records.
async fn ui(opts: LabOptions) -> Option<Ui> {
    let lab = Lab::for_test(opts)?;
    let backend = Backend::new();
    let presenter = presenter_for(&backend);
    let launched = Rc::new(RefCell::new(Vec::new()));
    let seen = launched.clone();
    presenter.set_launcher(move |url| {
        seen.borrow_mut().push(url.to_owned());
        true
    });
    start_on(&backend, &lab).await;
    Some(Ui {
        lab,
        backend,
        presenter,
        launched,
    })
}

fn wifi_lab() -> LabOptions {
    LabOptions {
        ethernet: 0,
        wifi: true,
        online_check: false,
        ..Default::default()
    }
}

fn type_into(dialog: &PassphraseDialog, field: &str, text: &str) {
    dialog
        .entry(field)
        .unwrap_or_else(|| panic!("an entry for {field}"))
        .set_text(text);
}

/// Enter in the entry of `field`, as typed: its text widget activates.
fn enter(dialog: &PassphraseDialog, field: &str) {
    let entry = dialog.entry(field).unwrap();
    let text = entry.delegate().expect("the entry's text");
    text.emit_by_name::<()>("activate", &[]);
}

#[gtk::test]
async fn psk_right_key_connects() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    ui.wifi_up().await;
    let path = ui.service_named("LabWPA2", 20).await;
    let connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the passphrase dialog").await;
    assert_eq!(dialog.heading_text(), "LabWPA2");
    assert!(dialog.body_text().contains("WPA"), "{}", dialog.body_text());
    assert_eq!(dialog.retry_text(), None);
    assert_eq!(dialog.previous_attempt_text(), None);
    assert!(dialog
        .entry("Passphrase")
        .unwrap()
        .is::<adw::PasswordEntryRow>());
    assert!(!dialog.connect_button().is_sensitive(), "empty: not yet");
    type_into(&dialog, "Passphrase", "labpassword");
    assert!(dialog.connect_button().is_sensitive());
    assert_eq!(dialog.problem_text(), None);
    // Enter in the entry activates the default (Connect)
    enter(&dialog, "Passphrase");
    wait_until(5, "the dialog closed", || !ui.presenter.is_showing()).await;
    let outcome = glib::future_with_timeout(Duration::from_secs(60), connect)
        .await
        .expect("Connect returns")
        .expect("the Connect future");
    assert_eq!(outcome, Outcome::Done);
    ui.wait_connected(&path, 30).await;
    assert!(!ui.presenter.is_showing());
}

/// connmand keeps no way to change a saved passphrase: "Change Password"
/// forgets the network and connects again, and connmand asks anew.
#[gtk::test]
async fn a_saved_password_is_changed_by_forgetting_and_connecting_again() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    ui.wifi_up().await;
    let path = ui.service_named("LabWPA2", 20).await;
    let connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the passphrase dialog").await;
    type_into(&dialog, "Passphrase", "labpassword");
    enter(&dialog, "Passphrase");
    let outcome = glib::future_with_timeout(Duration::from_secs(60), connect)
        .await
        .expect("Connect returns")
        .expect("the Connect future");
    assert_eq!(outcome, Outcome::Done);
    ui.wait_connected(&path, 30).await;
    wait_until(10, "saved", || {
        ui.client()
            .state()
            .service(&path)
            .is_some_and(|s| s.favorite)
    })
    .await;

    let backend = ui.backend.clone();
    let p = path.clone();
    let change = glib::spawn_future_local(async move { backend.forget_and_connect(&p).await });
    let dialog = ui.dialog(30, "connmand asks for the new password").await;
    assert_eq!(dialog.heading_text(), "LabWPA2");
    assert_eq!(dialog.retry_text(), None, "not a wrong password");
    assert!(
        !ui.client()
            .state()
            .service(&path)
            .is_some_and(|s| s.favorite),
        "forgotten before connecting again"
    );
    type_into(&dialog, "Passphrase", "labpassword");
    enter(&dialog, "Passphrase");
    let outcome = glib::future_with_timeout(Duration::from_secs(60), change)
        .await
        .expect("the change returns")
        .expect("the change future");
    assert_eq!(outcome, Outcome::Done);
    ui.wait_connected(&path, 30).await;
}

#[gtk::test]
async fn wrong_key_then_try_again_shows_the_previous_attempt() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    ui.wifi_up().await;
    let path = ui.service_named("LabWPA2", 20).await;
    let connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the passphrase dialog").await;
    type_into(&dialog, "Passphrase", "wrongpassword");
    dialog.connect_button().emit_clicked();

    let message = ui.message(30, "the wrong-password message").await;
    assert_eq!(message.heading().as_deref(), Some("Wrong Password"));
    assert_eq!(
        message.body().as_str(),
        "The password for “LabWPA2” was wrong."
    );
    assert!(!message.is_heading_use_markup() && !message.is_body_use_markup());
    assert!(message.has_response("retry") && message.has_response("cancel"));
    let outcome = glib::future_with_timeout(Duration::from_secs(60), connect)
        .await
        .expect("Connect returns")
        .expect("the Connect future");
    // a wrong key fails Connect, and the dialog explains it: the window
    // and the tray say nothing more
    assert_eq!(outcome, Outcome::Explained);
    assert!(ui.backend.failure_told(&path));
    // the message stays (connmand's Cancel, sent before it answered
    // Connect, closes prompts, not messages)
    agent_settled(&ui.lab, &ui.backend).await;
    assert!(ui.presenter.message_dialog().is_some());

    message.response("retry");
    let dialog = ui.dialog(30, "the dialog again").await;
    assert!(
        dialog
            .retry_text()
            .is_some_and(|t| t.contains("did not work")),
        "{:?}",
        dialog.retry_text()
    );
    let shown = dialog
        .previous_attempt_text()
        .expect("a previous attempt row");
    assert!(!shown.contains("wrongpassword"), "not shown unasked");
    dialog.show_previous_attempt(true);
    assert_eq!(
        dialog.previous_attempt_text().as_deref(),
        Some("wrongpassword")
    );
    type_into(&dialog, "Passphrase", "labpassword");
    dialog.connect_button().emit_clicked();
    ui.wait_connected(&path, 60).await;
    agent_settled(&ui.lab, &ui.backend).await;
    assert!(!ui.presenter.is_showing(), "no failure shown after success");
}

#[gtk::test]
async fn hidden_network_by_name() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    ui.wifi_up().await;
    let hidden = ui
        .service(20, "the hidden service", |s| {
            s.is_hidden() && s.primary_security() == Security::Psk
        })
        .await;
    let _connect = ui.connect(&hidden);
    let dialog = ui.dialog(30, "the hidden network's dialog").await;
    assert_eq!(dialog.heading_text(), "Hidden network");
    assert!(dialog.entry("SSID").is_none(), "one name entry");
    type_into(&dialog, "Name", "LabHidden");
    type_into(&dialog, "Passphrase", "hiddenpass");
    assert!(dialog.connect_button().is_sensitive());
    dialog.connect_button().emit_clicked();
    let named = ui.service_named("LabHidden", 30).await;
    ui.wait_connected(&named, 60).await;
}

#[gtk::test]
async fn wep_key() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    ui.wifi_up().await;
    let path = ui.service_named("LabWEP", 20).await;
    let _connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the WEP dialog").await;
    assert!(dialog.body_text().contains("WEP"), "{}", dialog.body_text());
    type_into(&dialog, "Passphrase", "1234");
    assert!(!dialog.connect_button().is_sensitive());
    assert!(dialog.problem_text().is_some_and(|t| t.contains("WEP key")));
    type_into(&dialog, "Passphrase", "12345");
    assert!(dialog.connect_button().is_sensitive());
    dialog.connect_button().emit_clicked();
    ui.wait_connected(&path, 60).await;
}

#[gtk::test]
async fn enterprise_identity_and_passphrase() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    ui.wifi_up().await;
    ui.lab.provision_enterprise().await.expect("provision");
    let path = ui
        .service(20, "LabEnterprise provisioned", |s| {
            s.name.as_deref() == Some("LabEnterprise") && s.immutable
        })
        .await;
    let _connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the 802.1X dialog").await;
    assert_eq!(dialog.heading_text(), "LabEnterprise");
    assert!(
        dialog.body_text().contains("802.1X"),
        "{}",
        dialog.body_text()
    );
    type_into(&dialog, "Passphrase", "labpass");
    assert!(!dialog.connect_button().is_sensitive(), "identity missing");
    type_into(&dialog, "Identity", "labuser");
    assert!(dialog.connect_button().is_sensitive());
    dialog.connect_button().emit_clicked();
    ui.wait_connected(&path, 60).await;
}

#[gtk::test]
async fn invalid_input_is_refused_and_a_cancel_is_no_failure() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    ui.wifi_up().await;
    let path = ui.service_named("LabWPA2", 20).await;
    let connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the passphrase dialog").await;
    type_into(&dialog, "Passphrase", "short");
    assert!(!dialog.connect_button().is_sensitive());
    assert!(
        dialog.problem_text().is_some_and(|t| t.contains("8 to 63")),
        "{:?}",
        dialog.problem_text()
    );
    // clicking anyway (and Enter) sends nothing
    dialog.connect_button().emit_clicked();
    enter(&dialog, "Passphrase");
    // a reply would have reached the agent before its next call is handled
    agent_settled(&ui.lab, &ui.backend).await;
    assert_eq!(
        ui.client().agents().unwrap().pending(AgentKind::Connman),
        1,
        "connmand still waits: no reply was sent"
    );
    assert!(ui.presenter.input_dialog().is_some(), "still open");

    // the person gives up
    dialog.cancel_button().emit_clicked();
    let outcome = glib::future_with_timeout(Duration::from_secs(60), connect)
        .await
        .expect("Connect returns")
        .expect("the Connect future");
    // the person canceled: nothing to say
    assert_eq!(outcome, Outcome::Quiet);
    agent_settled(&ui.lab, &ui.backend).await;
    assert!(!ui.presenter.is_showing(), "no error shown");
    wait_until(20, "the service idle", || {
        ui.state_of(&path).as_deref() == Some("idle")
    })
    .await;
}

#[gtk::test]
async fn connmands_timeout_closes_the_dialog() {
    let Some(ui) = ui(LabOptions {
        input_request_timeout: 3,
        ..wifi_lab()
    })
    .await
    else {
        return;
    };
    ui.wifi_up().await;
    let path = ui.service_named("LabWPA2", 20).await;
    let connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the passphrase dialog").await;
    let started = Instant::now();
    wait_until(20, "the dialog closed by connmand's timeout", || {
        ui.presenter.input_dialog().is_none()
    })
    .await;
    eprintln!("closed after {:?}", started.elapsed());
    assert!(!dialog.is_visible());
    let outcome = glib::future_with_timeout(Duration::from_secs(30), connect)
        .await
        .expect("Connect returns")
        .expect("the Connect future");
    assert!(
        !matches!(outcome, Outcome::Done | Outcome::Quiet),
        "not the person's cancel: {outcome:?}"
    );
}

#[gtk::test]
async fn captive_portal_opens_the_login_page() {
    let Some(ui) = ui(LabOptions {
        ethernet: 1,
        online: OnlineMode::Portal,
        ..Default::default()
    })
    .await
    else {
        return;
    };
    // connmand checks once, when the wired service comes up: maybe before
    // the client's agent was registered. Reconnecting (as a person would)
    // makes it check again.
    let wired = ui
        .service(40, "the wired service", |s| s.is_connected())
        .await;
    // what connmand asked so far has been handled
    agent_settled(&ui.lab, &ui.backend).await;
    if !ui.presenter.is_showing() {
        let client = ui.client();
        client.disconnect_service(&wired).await.expect("disconnect");
        let _connect = ui.connect(&wired);
    }
    let message = ui.message(60, "the captive portal question").await;
    assert!(
        message.body().contains("sign in"),
        "{}",
        message.body().as_str()
    );
    assert!(
        message.body().contains("Wired"),
        "{}",
        message.body().as_str()
    );
    message.response("open");
    wait_until(5, "the launcher called", || {
        !ui.launched.borrow().is_empty()
    })
    .await;
    // connmand 1.41 sends an empty URL
    assert_eq!(ui.launched.borrow()[0], FALLBACK_PORTAL_URL);
}

#[gtk::test]
async fn vpn_username_and_password() {
    let Some(ui) = ui(LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    })
    .await
    else {
        return;
    };
    wait_until(40, "the uplink connected", || {
        ui.client()
            .state()
            .services_in_order()
            .any(|(_, s)| s.is_connected())
    })
    .await;
    ui.lab
        .provision_vpn_kind(VpnKind::UserPass, "labauth", "Lab auth VPN")
        .await
        .expect("provision the VPN");
    let path = ui.service_named("Lab auth VPN", 20).await;
    let _connect = ui.connect(&path);
    let dialog = ui.dialog(30, "the VPN dialog").await;
    assert_eq!(dialog.heading_text(), "Lab auth VPN");
    assert!(dialog
        .entry("OpenVPN.Password")
        .unwrap()
        .is::<adw::PasswordEntryRow>());
    type_into(&dialog, "OpenVPN.Username", connman_lab::vpn::VPN_USER);
    type_into(&dialog, "OpenVPN.Password", connman_lab::vpn::VPN_PASSWORD);
    dialog.connect_button().emit_clicked();
    ui.wait_connected(&path, 60).await;
}

#[gtk::test]
async fn a_foreign_caller_is_refused_and_no_dialog_appears() {
    let Some(ui) = ui(wifi_lab()).await else {
        return;
    };
    let me = ui.conn().unique_name().unwrap().to_string();
    let other = ui.lab.connect().await.expect("second connection");
    let svc = ObjectPath::try_from("/net/connman/service/wifi_fake_managed_psk").unwrap();
    let mut pass: HashMap<&str, Value> = HashMap::new();
    pass.insert("Type", Value::from("psk"));
    pass.insert("Requirement", Value::from("mandatory"));
    let mut fields: HashMap<&str, Value> = HashMap::new();
    fields.insert("Passphrase", Value::from(pass));
    let result = other
        .call_method(
            Some(me.as_str()),
            AGENT_PATH,
            Some("net.connman.Agent"),
            "RequestInput",
            &(&svc, &fields),
        )
        .await;
    match result {
        Err(zbus::Error::MethodError(name, _, _)) => {
            assert_eq!(name.as_str(), "org.freedesktop.DBus.Error.AccessDenied")
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    agent_settled(&ui.lab, &ui.backend).await;
    assert!(!ui.presenter.is_showing(), "no dialog for a foreign caller");
}

// ---------------------------------------------------------------------------
// The dialog alone, for what the lab cannot ask (WPS, WISPr, hostile names,
// VPN credential storage): requests as connmand and connman-vpnd send them.
// ---------------------------------------------------------------------------

fn field(type_: &str, requirement: &str, value: Option<Value<'static>>) -> OwnedValue {
    let mut dict: HashMap<&str, Value> = HashMap::new();
    dict.insert("Type", Value::from(type_.to_owned()));
    dict.insert("Requirement", Value::from(requirement.to_owned()));
    if let Some(v) = value {
        dict.insert("Value", v);
    }
    Value::from(dict).try_into().unwrap()
}

fn request(kind: AgentKind, fields: Vec<(&str, OwnedValue)>) -> InputRequest {
    let fields: HashMap<String, OwnedValue> =
        fields.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
    InputRequest::parse(kind, "/net/connman/service/x", &fields)
}

/// A dialog for `request`, and where its answer lands.
fn dialog_for(
    request: InputRequest,
    heading: &str,
) -> (PassphraseDialog, Rc<RefCell<Option<InputReply>>>) {
    connie::ui::init().expect("GTK");
    let answer = Rc::new(RefCell::new(None));
    let slot = answer.clone();
    let text = DialogText {
        heading: heading.to_owned(),
        body: String::new(),
        retry: None,
        icon: "",
    };
    let dialog = PassphraseDialog::new(request, &text, move |r| {
        slot.replace(Some(r));
    });
    dialog.present();
    (dialog, answer)
}

fn hidden_with_wps() -> InputRequest {
    request(
        AgentKind::Connman,
        vec![
            ("Name", field("string", "mandatory", None)),
            ("SSID", field("ssid", "alternate", None)),
            ("Passphrase", field("psk", "mandatory", None)),
            ("WPS", field("wpspin", "alternate", None)),
        ],
    )
}

#[gtk::test]
fn wps_push_button_is_answered_as_an_empty_wps() {
    let (dialog, answer) = dialog_for(hidden_with_wps(), "Hidden network");
    type_into(&dialog, "Name", "Café");
    assert!(!dialog.connect_button().is_sensitive(), "no passphrase yet");
    dialog.wps_switch().expect("WPS offered").set_active(true);
    assert!(!dialog.entry("Passphrase").unwrap().is_visible());
    assert!(dialog.entry("WPS").unwrap().is_visible());
    assert!(
        dialog.connect_button().is_sensitive(),
        "push-button: no PIN"
    );
    dialog.connect_button().emit_clicked();
    assert_eq!(
        answer.borrow_mut().take(),
        Some(InputReply::values().set("Name", "Café").set("WPS", ""))
    );
}

#[gtk::test]
fn a_wps_pin_is_checked_and_a_hex_name_goes_as_ssid_bytes() {
    let (dialog, answer) = dialog_for(hidden_with_wps(), "Hidden network");
    type_into(&dialog, "Name", "0xff00");
    dialog.wps_switch().unwrap().set_active(true);
    type_into(&dialog, "WPS", "12a4");
    assert!(!dialog.connect_button().is_sensitive());
    assert!(dialog.problem_text().is_some_and(|t| t.contains("PIN")));
    type_into(&dialog, "WPS", "12345670");
    dialog.connect_button().emit_clicked();
    assert_eq!(
        answer.borrow_mut().take(),
        Some(
            InputReply::values()
                .set("SSID", Answer::Ssid(vec![0xff, 0x00]))
                .set("WPS", Secret::from("12345670"))
        )
    );
}

#[gtk::test]
async fn wispr_asks_username_and_password() {
    let (dialog, answer) = dialog_for(
        request(
            AgentKind::Connman,
            vec![
                ("Username", field("string", "mandatory", None)),
                ("Password", field("passphrase", "mandatory", None)),
            ],
        ),
        "Hotspot",
    );
    assert!(dialog
        .entry("Password")
        .unwrap()
        .is::<adw::PasswordEntryRow>());
    type_into(&dialog, "Username", "me");
    type_into(&dialog, "Password", "secret");
    enter(&dialog, "Password");
    // a button activated by Enter clicks after its press animation
    wait_until(10, "the answer sent", || answer.borrow().is_some()).await;
    assert_eq!(
        answer.borrow_mut().take(),
        Some(
            InputReply::values()
                .set("Username", "me")
                .set("Password", Secret::from("secret"))
        )
    );
}

#[gtk::test]
fn names_are_shown_literally_and_escape_cancels() {
    let hostile = "<b>Free</b> & _Wi-Fi\u{202e}";
    let (dialog, answer) = dialog_for(
        request(
            AgentKind::Connman,
            vec![("Passphrase", field("psk", "mandatory", None))],
        ),
        hostile,
    );
    assert_eq!(dialog.heading_text(), hostile, "no markup, no mnemonic");
    // closing the window (the window manager's close, like Escape) cancels
    dialog.activate_action("window.close", None).ok();
    assert_eq!(answer.borrow_mut().take(), Some(InputReply::Canceled));
    assert!(dialog.is_finished());
}

#[gtk::test]
fn vpn_offers_to_remember_credentials_when_allowed() {
    let vpn = |allow: bool| {
        request(
            AgentKind::Vpn,
            vec![
                (
                    "Host",
                    field("string", "informational", Some(Value::from("10.77.0.1"))),
                ),
                (
                    "Name",
                    field("string", "informational", Some(Value::from("Lab auth VPN"))),
                ),
                (
                    "AllowStoreCredentials",
                    field("boolean", "control", Some(Value::from(allow))),
                ),
                (
                    "OpenVPN.Username",
                    field("string", "mandatory", Some(Value::from("labuser"))),
                ),
                ("OpenVPN.Password", field("password", "mandatory", None)),
                (
                    "OpenVPN.PrivateKeyPassword",
                    field("password", "optional", None),
                ),
            ],
        )
    };
    let (dialog, _) = dialog_for(vpn(false), "Lab auth VPN");
    assert!(dialog.switch("SaveCredentials").is_none());
    dialog.close();

    let (dialog, answer) = dialog_for(vpn(true), "Lab auth VPN");
    assert_eq!(
        dialog.entry("OpenVPN.Username").unwrap().text(),
        "labuser",
        "the known user name is filled in"
    );
    assert!(dialog
        .entry("OpenVPN.PrivateKeyPassword")
        .unwrap()
        .is::<adw::PasswordEntryRow>());
    type_into(&dialog, "OpenVPN.Password", "labpass");
    dialog.switch("SaveCredentials").unwrap().set_active(true);
    dialog.connect_button().emit_clicked();
    assert_eq!(
        answer.borrow_mut().take(),
        Some(
            InputReply::values()
                .set("OpenVPN.Username", "labuser")
                .set("OpenVPN.Password", Secret::from("labpass"))
                .set("SaveCredentials", true)
        )
    );
}
