//! Connie's agents against the REAL connmand and connman-vpnd of the lab: every prompt here
//! comes from the daemon, through `connie::connman::agent`, and is answered the way the UI
//! will answer it.

mod common;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use common::*;
use connie::connman::agent::{
    AgentKind, AgentRequest, Answer, ErrorReply, FieldType, InputReply, InputRequest, Requirement,
    Responder, Secret, AGENT_PATH, VPN_AGENT_PATH,
};
use connie::connman::{ConnmanError, ServiceError};
use connman_lab::{Lab, LabOptions, OnlineMode, VpnKind};
use zbus::zvariant::{ObjectPath, Value};

/// One lab at a time in this binary. Labs started in parallel break each other: a lab that
/// had to create a mount point on the host (e.g. `/var/lib/connman-vpn`) removes it at
/// teardown, which detaches the tmpfs another running lab has mounted there.
static ONE_LAB: Mutex<()> = Mutex::new(());

/// A lab, torn down before the next one may start.
struct SerialLab {
    lab: Lab,
    _turn: MutexGuard<'static, ()>,
}

impl std::ops::Deref for SerialLab {
    type Target = Lab;
    fn deref(&self) -> &Lab {
        &self.lab
    }
}

fn start_lab(opts: LabOptions) -> Option<SerialLab> {
    let turn = ONE_LAB.lock().unwrap_or_else(PoisonError::into_inner);
    Lab::for_test(opts).map(|lab| SerialLab { lab, _turn: turn })
}

fn wifi_lab() -> LabOptions {
    LabOptions {
        ethernet: 0,
        wifi: true,
        online_check: false,
        ..Default::default()
    }
}

async fn input(
    rx: &async_channel::Receiver<AgentRequest>,
    secs: u64,
    what: &str,
) -> (InputRequest, Responder<InputReply>) {
    next_request(rx, secs, what, |r| match r {
        AgentRequest::Input { request, reply } => Ok((request, reply)),
        other => Err(other),
    })
    .await
}

fn connman_error(e: zbus::Error) -> ConnmanError {
    ConnmanError::from(e)
}

async fn wifi_up(conn: &zbus::Connection) {
    power_on(conn, "wifi").await;
    scan(conn, "wifi").await;
}

fn address(props: &Props) -> String {
    dict_string(props, "IPv4", "Address").unwrap_or_default()
}

#[test]
fn psk_wrong_key_then_right_key_with_previous_passphrase() {
    let Some(lab) = start_lab(wifi_lab()) else {
        return;
    };
    zbus::block_on(async {
        let a = serve_agents(lab.bus_address(), &[AgentKind::Connman]).await;
        wifi_up(&a.conn).await;
        let (path, props) = service_named(&a.conn, "LabWPA2", 20).await;
        assert_eq!(strings(&props, "Security"), ["psk"]);

        // wrong key
        let connect = start_connect(&a.conn, &path);
        let (request, reply) = input(&a.requests, 30, "RequestInput (wrong key)").await;
        assert_eq!(request.kind, AgentKind::Connman);
        assert_eq!(request.path, path);
        assert_eq!(request.fields.len(), 1, "{request:?}");
        let pass = request.field("Passphrase").expect("Passphrase asked");
        assert_eq!(pass.type_, FieldType::Psk);
        assert_eq!(pass.requirement, Requirement::Mandatory);
        assert!(pass.alternates.is_empty());
        assert_eq!(request.previous_passphrase(), None);
        assert!(!request.is_hidden_network() && !request.is_wps_possible());
        assert!(reply.send(InputReply::passphrase(Secret::from("wrongpassword"))));

        // ReportError(invalid-key) and Cancel come together, in either order at the UI
        let mut report = None;
        let mut canceled = false;
        while report.is_none() || !canceled {
            next_request(&a.requests, 30, "ReportError and Cancel", |r| match r {
                AgentRequest::ReportError {
                    kind,
                    path: p,
                    error,
                    reply,
                } => {
                    assert_eq!(kind, AgentKind::Connman);
                    assert_eq!(p, path);
                    assert_eq!(error, ServiceError::InvalidKey);
                    report = Some(reply);
                    Ok(())
                }
                AgentRequest::Cancel { kind } => {
                    assert_eq!(kind, AgentKind::Connman);
                    canceled = true;
                    Ok(())
                }
                other => Err(other),
            })
            .await;
        }
        let report = report.unwrap();
        assert!(
            report.is_moot(),
            "the Cancel answered the pending ReportError already"
        );
        assert!(
            !report.send(ErrorReply::Retry),
            "a Retry after the Cancel goes nowhere"
        );
        let err = within(60, "Connect (wrong key)", connect)
            .await
            .expect_err("a wrong key fails Connect");
        let err = connman_error(err);
        eprintln!("Connect with a wrong key: {err}");
        assert!(matches!(err, ConnmanError::Failed(_)), "{err}");
        let props = service_props(&a.conn, &path).await.unwrap();
        assert_eq!(string(&props, "Error").as_deref(), Some("invalid-key"));
        until(5, "no call pending", || async {
            (a.handle.pending(AgentKind::Connman) == 0).then_some(())
        })
        .await;

        // again: connmand says what was tried, the right key connects
        let connect = start_connect(&a.conn, &path);
        let (request, reply) = input(&a.requests, 30, "RequestInput (retry)").await;
        assert_eq!(request.previous_passphrase(), Some("wrongpassword"));
        let prev = request.field("PreviousPassphrase").unwrap();
        assert_eq!(prev.requirement, Requirement::Informational);
        assert_eq!(prev.type_, FieldType::Psk);
        assert_eq!(request.fields[0].name, "Passphrase", "mandatory first");
        assert!(
            !format!("{request:?}").contains("wrongpassword"),
            "secrets never print"
        );
        assert!(reply.send(InputReply::passphrase(Secret::from("labpassword"))));
        within(60, "Connect (right key)", connect)
            .await
            .expect("the right key connects");
        let props = wait_connected(&a.conn, &path, 30).await;
        assert!(
            address(&props).starts_with("10.77.50."),
            "address {:?} not from the lab's DHCP",
            address(&props)
        );
    });
}

#[test]
fn enterprise_wep_and_hidden_networks() {
    let Some(lab) = start_lab(wifi_lab()) else {
        return;
    };
    zbus::block_on(async {
        let a = serve_agents(lab.bus_address(), &[AgentKind::Connman]).await;
        wifi_up(&a.conn).await;

        // 802.1X without a provisioning file: refused at once, nobody asked
        let (eap, props) = service_named(&a.conn, "LabEnterprise", 20).await;
        assert_eq!(strings(&props, "Security"), ["ieee8021x"]);
        let err = within(
            10,
            "Connect (unprovisioned 802.1X)",
            start_connect(&a.conn, &eap),
        )
        .await
        .expect_err("no provisioning file");
        let err = connman_error(err);
        assert_eq!(err, ConnmanError::InvalidArguments);
        // and the person is told why, in words
        let (eap_props, _) =
            <connie::connman::types::ServiceProps as connie::connman::PropertyDict>::from_dict(
                &props,
            );
        let outcome =
            connie::backend::outcome::of_connect(&err, Some(&eap_props), "LabEAP", false, false);
        let said = outcome.failure().expect("a failure").why.clone();
        assert!(said.contains("provisioning file"), "{said}");
        let other = lab.connect().await.expect("second connection");
        let me = a.conn.unique_name().unwrap().to_string();
        no_request(&a.requests, &other, &me, "unprovisioned 802.1X").await;

        // WEP
        let (wep, props) = service_named(&a.conn, "LabWEP", 20).await;
        assert_eq!(strings(&props, "Security"), ["wep"]);
        let connect = start_connect(&a.conn, &wep);
        let (request, reply) = input(&a.requests, 30, "RequestInput (WEP)").await;
        let pass = request.field("Passphrase").expect("Passphrase asked");
        assert_eq!(pass.type_, FieldType::Wep);
        assert_eq!(pass.check("12345"), Ok(()));
        assert!(reply.send(InputReply::passphrase(Secret::from("12345"))));
        within(60, "Connect (WEP)", connect)
            .await
            .expect("WEP connects");
        let props = wait_connected(&a.conn, &wep, 30).await;
        assert!(address(&props).starts_with("10.77.50."), "{props:?}");

        // hidden: no Name, asked through the agent; answered with the SSID as bytes
        let (hidden, props) = service_where(&a.conn, "the hidden service", 20, |_, p| {
            string(p, "Name").is_none()
                && string(p, "Type").as_deref() == Some("wifi")
                && strings(p, "Security").iter().any(|s| s == "psk")
        })
        .await;
        eprintln!("hidden service {hidden}: {props:?}");
        let connect = start_connect(&a.conn, &hidden);
        let (request, reply) = input(&a.requests, 30, "RequestInput (hidden)").await;
        assert!(request.is_hidden_network());
        let names: Vec<&str> = request.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Name", "Passphrase", "SSID"], "{request:?}");
        let name = request.field("Name").unwrap();
        assert_eq!(name.type_, FieldType::String);
        assert_eq!(name.requirement, Requirement::Mandatory);
        assert_eq!(name.alternates, ["SSID"]);
        let ssid = request.field("SSID").unwrap();
        assert_eq!(ssid.type_, FieldType::Ssid);
        assert_eq!(ssid.requirement, Requirement::Alternate);
        assert_eq!(request.field("Passphrase").unwrap().type_, FieldType::Psk);
        assert!(reply.send(
            InputReply::values()
                .set("SSID", Answer::Ssid(b"LabHidden".to_vec()))
                .set("Passphrase", Secret::from("hiddenpass"))
        ));
        let result = within(60, "Connect (hidden)", connect).await;
        eprintln!("Connect on the hidden service: {result:?}");
        let (named, _) = service_named(&a.conn, "LabHidden", 30).await;
        let props = wait_connected(&a.conn, &named, 30).await;
        assert!(address(&props).starts_with("10.77.50."), "{props:?}");

        // 802.1X with a provisioning file: Identity and Passphrase asked
        lab.provision_enterprise().await.expect("provision");
        let (eap, _) = service_where(&a.conn, "LabEnterprise provisioned", 20, |_, p| {
            string(p, "Name").as_deref() == Some("LabEnterprise")
                && p.get("Immutable")
                    .and_then(|v| bool::try_from(v.clone()).ok())
                    .unwrap_or(false)
        })
        .await;
        let connect = start_connect(&a.conn, &eap);
        let (request, reply) = input(&a.requests, 30, "RequestInput (802.1X)").await;
        assert!(request.is_enterprise());
        let identity = request.field("Identity").expect("Identity asked");
        assert_eq!(identity.type_, FieldType::String);
        assert_eq!(identity.requirement, Requirement::Mandatory);
        let pass = request.field("Passphrase").expect("Passphrase asked");
        assert_eq!(pass.type_, FieldType::Passphrase);
        assert!(reply.send(
            InputReply::values()
                .set("Identity", "labuser")
                .set("Passphrase", Secret::from("labpass"))
        ));
        within(60, "Connect (802.1X)", connect)
            .await
            .expect("802.1X connects");
        let props = wait_connected(&a.conn, &eap, 30).await;
        assert!(address(&props).starts_with("10.77.50."), "{props:?}");
    });
}

#[test]
fn foreign_callers_are_refused_and_a_timeout_cancels_the_prompt() {
    let Some(lab) = start_lab(LabOptions {
        input_request_timeout: 4,
        ..wifi_lab()
    }) else {
        return;
    };
    zbus::block_on(async {
        let a = serve_agents(lab.bus_address(), &[AgentKind::Connman]).await;
        assert!(a.handle.owners().get(AgentKind::Connman).is_some());
        assert_eq!(a.handle.owners().get(AgentKind::Vpn), None);

        // another process on the bus
        let other = lab.connect().await.expect("second connection");
        let me = a.conn.unique_name().unwrap().to_string();
        let svc = ObjectPath::try_from("/net/connman/service/wifi_fake_managed_psk").unwrap();
        let mut fields: HashMap<&str, Value> = HashMap::new();
        let mut pass: HashMap<&str, Value> = HashMap::new();
        pass.insert("Type", Value::from("psk"));
        pass.insert("Requirement", Value::from("mandatory"));
        fields.insert("Passphrase", Value::from(pass));
        let refused = |r: zbus::Result<zbus::Message>, what: &str| match r {
            Err(zbus::Error::MethodError(name, _, _)) => {
                assert_eq!(
                    name.as_str(),
                    "org.freedesktop.DBus.Error.AccessDenied",
                    "{what}"
                )
            }
            other => panic!("{what}: expected AccessDenied, got {other:?}"),
        };
        refused(
            other
                .call_method(
                    Some(me.as_str()),
                    AGENT_PATH,
                    Some("net.connman.Agent"),
                    "RequestInput",
                    &(&svc, &fields),
                )
                .await,
            "RequestInput",
        );
        refused(
            other
                .call_method(
                    Some(me.as_str()),
                    AGENT_PATH,
                    Some("net.connman.Agent"),
                    "ReportError",
                    &(&svc, "invalid-key"),
                )
                .await,
            "ReportError",
        );
        refused(
            other
                .call_method(
                    Some(me.as_str()),
                    AGENT_PATH,
                    Some("net.connman.Agent"),
                    "RequestBrowser",
                    &(&svc, "http://example.test/"),
                )
                .await,
            "RequestBrowser",
        );
        for method in ["Cancel", "Release"] {
            refused(
                other
                    .call_method(
                        Some(me.as_str()),
                        AGENT_PATH,
                        Some("net.connman.Agent"),
                        method,
                        &(),
                    )
                    .await,
                method,
            );
        }
        refused(
            other
                .call_method(
                    Some(me.as_str()),
                    VPN_AGENT_PATH,
                    Some("net.connman.vpn.Agent"),
                    "RequestInput",
                    &(&svc, &fields),
                )
                .await,
            "vpn RequestInput (nobody owns net.connman.vpn here)",
        );
        no_request(&a.requests, &other, &me, "refused callers").await;

        // connmand gives up after InputRequestTimeout (4 s): Connect fails, but 1.41 sends no
        // Cancel (only for Error.Timeout; libdbus reports NoReply). The caller of Connect
        // closes the prompt with cancel_service.
        wifi_up(&a.conn).await;
        let (path, _) = service_named(&a.conn, "LabWPA2", 20).await;
        let connect = start_connect(&a.conn, &path);
        let (request, reply) = input(&a.requests, 30, "RequestInput (left open)").await;
        assert_eq!(request.path, path);
        assert!(!reply.is_moot());
        let t0 = std::time::Instant::now();
        let result = within(30, "Connect (prompt left open)", connect).await;
        eprintln!(
            "Connect {:?} after the prompt was left open: {result:?}",
            t0.elapsed()
        );
        let err = connman_error(result.expect_err("Connect fails after the input timeout"));
        // a Cancel connmand sent before answering a later call has come by now
        agent_caught_up(&other, &me, AGENT_PATH).await;
        match a.requests.try_recv() {
            Ok(AgentRequest::Cancel { .. }) => {
                eprintln!("this connmand sends Cancel after InputRequestTimeout");
                assert!(reply.is_moot());
            }
            Ok(other) => panic!("unexpected {other:?}"),
            Err(_) => {
                eprintln!("no Cancel after InputRequestTimeout ({err})");
                assert!(!reply.is_moot());
                assert_eq!(a.handle.cancel_service(&path), 1);
                assert!(reply.is_moot(), "cancel_service answered the call");
                next_request(&a.requests, 5, "Cancel from cancel_service", |r| match r {
                    AgentRequest::Cancel { kind } => Ok(kind),
                    other => Err(other),
                })
                .await;
            }
        }
        assert!(!reply.send(InputReply::passphrase(Secret::from("labpassword"))));
        assert_eq!(a.handle.cancel_service(&path), 0);
        until(5, "nothing pending", || async {
            (a.handle.pending(AgentKind::Connman) == 0).then_some(())
        })
        .await;

        // the client can settle what is pending when the daemon goes away
        let connect = start_connect(&a.conn, &path);
        let (_request, reply) = input(&a.requests, 30, "RequestInput (daemon gone)").await;
        assert_eq!(a.handle.pending(AgentKind::Connman), 1);
        a.handle.cancel_pending(AgentKind::Connman);
        assert!(reply.is_moot());
        next_request(&a.requests, 5, "Cancel from cancel_pending", |r| match r {
            AgentRequest::Cancel { kind } => Ok(kind),
            other => Err(other),
        })
        .await;
        let result = within(60, "Connect (canceled)", connect).await;
        eprintln!("Connect after cancel_pending: {result:?}");
        let err = connman_error(result.expect_err("canceled"));
        assert!(err.is_expected_after_cancel(), "{err}");

        // the person cancels the prompt
        let connect = start_connect(&a.conn, &path);
        let (_request, reply) = input(&a.requests, 30, "RequestInput (person cancels)").await;
        assert!(reply.send(InputReply::Canceled));
        let result = within(60, "Connect (person canceled)", connect).await;
        eprintln!("Connect after the person canceled: {result:?}");
        let err = connman_error(result.expect_err("canceled"));
        assert!(err.is_expected_after_cancel(), "{err}");
    });
}

#[test]
fn captive_portal_asks_for_a_browser() {
    let Some(lab) = start_lab(LabOptions {
        ethernet: 1,
        online: OnlineMode::Portal,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let a = serve_agents(lab.bus_address(), &[AgentKind::Connman]).await;
        let (path, reply) = next_request(&a.requests, 60, "RequestBrowser", |r| match r {
            AgentRequest::RequestBrowser { path, url, reply } => {
                eprintln!("RequestBrowser({path}, {url:?})");
                Ok((path, reply))
            }
            other => Err(other),
        })
        .await;
        assert!(path.starts_with("/net/connman/service/ethernet"), "{path}");
        reply.send(connie::connman::agent::BrowserReply::Opened);
    });
}

#[test]
fn vpn_agent_answers_openvpn_credentials() {
    let Some(lab) = start_lab(LabOptions {
        ethernet: 1,
        vpn: true,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let a = serve_agents(lab.bus_address(), &[AgentKind::Connman, AgentKind::Vpn]).await;
        until(40, "uplink connected", || async {
            services(&a.conn)
                .await
                .iter()
                .any(|(_, p)| matches!(string(p, "State").as_deref(), Some("ready" | "online")))
                .then_some(())
        })
        .await;
        lab.provision_vpn_kind(VpnKind::UserPass, "labauth", "Lab auth VPN")
            .await
            .expect("provision the VPN");
        let (path, props) = service_named(&a.conn, "Lab auth VPN", 20).await;
        assert_eq!(string(&props, "Type").as_deref(), Some("vpn"));
        let connect = start_connect(&a.conn, &path);
        let (request, reply) = input(&a.requests, 30, "VPN RequestInput").await;
        eprintln!("VPN request: {request:?}");
        assert_eq!(request.kind, AgentKind::Vpn);
        assert!(
            request.path.starts_with("/net/connman/vpn/connection/"),
            "{}",
            request.path
        );
        let user = request.field("OpenVPN.Username").expect("username asked");
        assert_eq!(user.type_, FieldType::String);
        assert_eq!(user.requirement, Requirement::Mandatory);
        let pass = request.field("OpenVPN.Password").expect("password asked");
        assert_eq!(pass.type_, FieldType::Password);
        assert!(pass.type_.is_secret());
        assert_eq!(request.vpn_name(), Some("Lab auth VPN"));
        assert!(request.host().is_some_and(|h| !h.is_empty()));
        assert!(!request.is_hidden_network());
        assert!(reply.send(
            InputReply::values()
                .set("OpenVPN.Username", connman_lab::vpn::VPN_USER)
                .set(
                    "OpenVPN.Password",
                    Secret::from(connman_lab::vpn::VPN_PASSWORD)
                )
        ));
        within(60, "VPN Connect", connect)
            .await
            .expect("VPN connects");
        wait_connected(&a.conn, &path, 30).await;
    });
}
