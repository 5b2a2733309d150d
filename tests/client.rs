//! The client against the real connmand and connman-vpnd in the lab: each
//! test asserts what connmand then reports.

use std::time::{Duration, Instant};

use connie::connman::client::Client;
use connie::connman::state::State;
use connie::connman::types::{Ipv4Config, ServiceSetting, ServiceState, ServiceType};
use connman_lab::testing::connmanctl_order;
use connman_lab::{ApSet, Daemon, Lab, LabOptions};

/// Waits (bounded) until `cond` holds on the client's state, woken by its events.
async fn wait_for<T>(
    client: &Client,
    secs: u64,
    what: &str,
    cond: impl Fn(&State) -> Option<T>,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let events = client.events();
    loop {
        if let Some(v) = cond(&client.state()) {
            return v;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            // say whether the client missed an update or connmand never made
            // it: its view next to what connmand says now
            let now = connman_lab::testing::services(client.connection()).await;
            {
                let state = client.state();
                for (path, props) in &now {
                    eprintln!("connmand now: {path}: {props:?}");
                    eprintln!("client state: {path}: {:?}", state.service(path.as_str()));
                }
            }
            panic!("timed out after {secs} s: {what}");
        }
        futures_lite::future::or(
            async {
                let _ = events.recv().await;
            },
            async_io::Timer::after(left.min(Duration::from_millis(500))).map_unit(),
        )
        .await;
    }
}

trait MapUnit {
    fn map_unit(self) -> impl std::future::Future<Output = ()>;
}
impl MapUnit for async_io::Timer {
    async fn map_unit(self) {
        self.await;
    }
}

fn connected_ethernet(s: &State) -> Vec<String> {
    s.services_in_order()
        .filter(|(_, p)| p.type_ == ServiceType::Ethernet && p.state.is_connected())
        .map(|(path, _)| path.to_owned())
        .collect()
}

async fn start(lab: &Lab) -> Client {
    let conn = lab.connect().await.expect("bus");
    Client::start(conn).await.expect("client")
}

#[test]
fn the_service_list_and_order_equal_connmanctl() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 3,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let client = start(&lab).await;
        wait_for(&client, 40, "three ethernet services connected", |s| {
            (connected_ethernet(s).len() == 3).then_some(())
        })
        .await;
        let ours: Vec<String> = client.state().order.to_vec();
        assert_eq!(ours, connmanctl_order(lab.bus_address()));
    });
}

#[test]
fn ethernet_disconnect_connect_moves_and_manual_ipv4() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let client = start(&lab).await;
        let up = wait_for(&client, 40, "two ethernet services ready", |s| {
            let up = connected_ethernet(s);
            (up.len() == 2).then_some(up)
        })
        .await;
        let (first, second) = (up[0].clone(), up[1].clone());

        // disconnect and connect again
        client
            .disconnect_service(&second)
            .await
            .expect("disconnect");
        wait_for(&client, 20, "second idle", |s| {
            (s.service(&second)?.state == ServiceState::Idle).then_some(())
        })
        .await;
        client.connect_service(&second).await.expect("connect");
        wait_for(&client, 20, "second ready again", |s| {
            s.service(&second)?.state.is_connected().then_some(())
        })
        .await;

        // MoveBefore / MoveAfter, read back from connmand's order
        client
            .move_before(&second, &first)
            .await
            .expect("MoveBefore");
        wait_for(&client, 10, "second first", |s| {
            (s.order.first()? == &second).then_some(())
        })
        .await;
        assert_eq!(*client.state().order, connmanctl_order(lab.bus_address()));
        client.move_after(&second, &first).await.expect("MoveAfter");
        wait_for(&client, 10, "first first again", |s| {
            (s.order.first()? == &first).then_some(())
        })
        .await;

        // manual IPv4 and nameservers, applied and read back
        let cfg = Ipv4Config::manual_from_input("10.77.2.77", "255.255.255.0", "10.77.2.1")
            .expect("valid input");
        let target = up
            .iter()
            .find(|p| {
                client
                    .state()
                    .service(p)
                    .and_then(|s| s.ipv4.address.clone())
                    .is_some_and(|a| a.starts_with("10.77.2."))
            })
            .cloned()
            .expect("the lab2 service");
        client
            .set_service(&target, &ServiceSetting::Ipv4(cfg))
            .await
            .expect("IPv4.Configuration");
        client
            .set_service(
                &target,
                &ServiceSetting::Nameservers(vec!["10.77.2.1".into(), "192.0.2.53".into()]),
            )
            .await
            .expect("Nameservers.Configuration");
        wait_for(&client, 20, "manual address applied", |s| {
            let svc = s.service(&target)?;
            (svc.ipv4.address.as_deref() == Some("10.77.2.77")
                && svc.nameservers_config == ["10.77.2.1", "192.0.2.53"])
            .then_some(())
        })
        .await;
        let addr = lab.lab_ip(&["-4", "addr", "show", "lab2"]).await.unwrap();
        assert!(addr.contains("10.77.2.77/24"), "{addr}");
    });
}

#[test]
fn offline_mode_and_technology_power() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Default,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let client = start(&lab).await;
        let wifi = "/net/connman/technology/wifi";
        wait_for(&client, 20, "wifi technology", |s| {
            s.technology(wifi).map(|_| ())
        })
        .await;
        client.set_powered(wifi, true).await.expect("power on");
        wait_for(&client, 20, "wifi powered", |s| {
            s.technology(wifi)?.powered.then_some(())
        })
        .await;
        client.scan(wifi).await.expect("scan");
        wait_for(&client, 20, "wifi services", |s| {
            s.services_in_order()
                .any(|(_, p)| p.name.as_deref() == Some("LabWPA2"))
                .then_some(())
        })
        .await;
        client.set_offline_mode(true).await.expect("offline");
        wait_for(&client, 20, "no services while offline", |s| {
            (s.manager.offline_mode && s.order.is_empty()).then_some(())
        })
        .await;
        client.set_offline_mode(false).await.expect("online");
        wait_for(&client, 30, "ethernet back", |s| {
            (!s.manager.offline_mode && !connected_ethernet(s).is_empty()).then_some(())
        })
        .await;
        client.set_powered(wifi, false).await.expect("power off");
        wait_for(&client, 20, "wifi off, no wifi services", |s| {
            let off = !s.technology(wifi)?.powered;
            let none = !s
                .services_in_order()
                .any(|(_, p)| p.type_ == ServiceType::Wifi);
            (off && none).then_some(())
        })
        .await;
    });
}

#[test]
fn restarted_daemons_are_followed_without_restarting_the_client() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let client = start(&lab).await;
        wait_for(&client, 30, "ethernet ready", |s| {
            (!connected_ethernet(s).is_empty()).then_some(())
        })
        .await;
        assert!(client.state().vpn_running);
        for round in 0..2 {
            lab.stop_daemon(Daemon::Connmand).await.unwrap();
            wait_for(&client, 10, "connmand gone", |s| {
                (!s.connman_running && s.order.is_empty()).then_some(())
            })
            .await;
            lab.start_daemon(Daemon::Connmand).await.unwrap();
            wait_for(
                &client,
                30,
                &format!("connmand back (round {round})"),
                |s| (s.connman_running && !connected_ethernet(s).is_empty()).then_some(()),
            )
            .await;
        }
        assert_eq!(*client.state().order, connmanctl_order(lab.bus_address()));
        lab.stop_daemon(Daemon::ConnmanVpnd).await.unwrap();
        wait_for(&client, 10, "no VPN", |s| (!s.vpn_running).then_some(())).await;
        lab.start_daemon(Daemon::ConnmanVpnd).await.unwrap();
        wait_for(&client, 10, "VPN back", |s| s.vpn_running.then_some(())).await;
    });
}

#[test]
fn startup_calls_do_not_grow_with_the_number_of_services() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 3,
        wifi: true,
        aps: ApSet::Generated(300),
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let few = start(&lab).await;
        wait_for(&few, 40, "three ethernet services", |s| {
            (connected_ethernet(s).len() == 3).then_some(())
        })
        .await;
        let n_few = few.state().order.len();
        let calls_few = few.calls_made();
        let wifi = "/net/connman/technology/wifi";
        few.set_powered(wifi, true).await.unwrap();
        wait_for(&few, 20, "wifi powered", |s| {
            s.technology(wifi)?.powered.then_some(())
        })
        .await;
        few.scan(wifi).await.unwrap();
        wait_for(&few, 30, "300 wifi networks", |s| {
            (s.order.len() >= 303).then_some(())
        })
        .await;
        let many = start(&lab).await;
        let n_many = many.state().order.len();
        assert!(n_many >= 303, "{n_many} services");
        assert_eq!(many.calls_made(), calls_few, "{n_few} services vs {n_many}");
        eprintln!(
            "start-up D-Bus calls: {calls_few} with {n_few} services, {} with {n_many}",
            many.calls_made()
        );
    });
}

#[test]
fn a_vpn_is_created_connected_and_put_below_the_uplink_safely() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        vpn: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let client = start(&lab).await;
        let up = wait_for(&client, 40, "two uplinks", |s| {
            let up = connected_ethernet(s);
            (up.len() == 2).then_some(up)
        })
        .await;
        let settings = lab.vpn_settings(connman_lab::VpnKind::Certificate, "Lab cert VPN");
        let conn_path = client.vpn_create(&settings).await.expect("vpn Create");
        wait_for(&client, 10, "VPN connection listed", |s| {
            s.vpn_connection(&conn_path).map(|_| ())
        })
        .await;
        let vpn = wait_for(&client, 10, "VPN service listed", |s| {
            s.services_in_order()
                .find(|(_, p)| p.type_ == ServiceType::Vpn)
                .map(|(p, _)| p.to_owned())
        })
        .await;
        client.connect_service(&vpn).await.expect("VPN connect");
        wait_for(&client, 30, "VPN ready", |s| {
            s.service(&vpn)?.state.is_connected().then_some(())
        })
        .await;
        let uplink = up[0].clone();
        assert_eq!(
            connie::connman::client::vpn_connection_path(&vpn),
            conn_path
        );
        client
            .vpn_below_uplink(&vpn, &uplink)
            .await
            .expect("split routing");
        wait_for(&client, 10, "SplitRouting on", |s| {
            s.vpn_connection(&conn_path)?.split_routing.then_some(())
        })
        .await;
        let state = client.state().clone();
        assert!(
            state.service(&vpn).unwrap().state.is_connected(),
            "the VPN stays up"
        );
        assert_eq!(
            state.order.first(),
            Some(&uplink),
            "the uplink carries the default route"
        );
        let routes = lab.lab_ip(&["route"]).await.unwrap();
        let uplink_if = state
            .service(&uplink)
            .unwrap()
            .ethernet
            .interface
            .clone()
            .unwrap();
        assert!(
            routes
                .lines()
                .any(|l| l.starts_with("default via") && l.contains(&format!("dev {uplink_if} "))),
            "the default route goes through {uplink_if}: {routes}"
        );
        let behind = lab.lab_ip(&["route", "get", "10.99.1.1"]).await.unwrap();
        assert!(
            !behind.contains("dev lab"),
            "10.99.1.1 goes through the tunnel: {behind}"
        );
        client.vpn_remove(&conn_path).await.expect("vpn Remove");
        wait_for(&client, 10, "VPN gone", |s| {
            s.vpn_connection(&conn_path).is_none().then_some(())
        })
        .await;
    });
}

#[test]
fn the_agent_works_again_after_connmand_restarts_twice() {
    use connie::connman::agent::{AgentRequest, InputReply, Secret};
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 0,
        wifi: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.expect("bus");
        let (client, requests) = Client::start_with_agents(conn).await.expect("client");
        for round in 0..2 {
            lab.restart_daemon(Daemon::Connmand).await.unwrap();
            wait_for(&client, 20, &format!("connmand back ({round})"), |s| {
                s.technology("/net/connman/technology/wifi").map(|_| ())
            })
            .await;
        }
        let wifi = "/net/connman/technology/wifi";
        client.set_powered(wifi, true).await.expect("power on");
        wait_for(&client, 20, "wifi powered", |s| {
            s.technology(wifi)?.powered.then_some(())
        })
        .await;
        client.scan(wifi).await.expect("scan");
        let path = wait_for(&client, 20, "LabWPA2", |s| {
            s.services_in_order()
                .find(|(_, p)| p.name.as_deref() == Some("LabWPA2"))
                .map(|(p, _)| p.to_owned())
        })
        .await;
        // the UI side: answer the passphrase request when it comes
        let answering = async {
            loop {
                match requests.recv().await.expect("agent requests") {
                    AgentRequest::Input { request, reply } => {
                        assert_eq!(request.path, path);
                        reply.send(InputReply::passphrase(Secret::from("labpassword")));
                        return;
                    }
                    other => eprintln!("agent: {other:?}"),
                }
            }
        };
        let (connected, ()) =
            futures_lite::future::zip(client.connect_service(&path), answering).await;
        connected.expect("connected through the re-registered agent");
        wait_for(&client, 20, "LabWPA2 ready", |s| {
            s.service(&path)?.state.is_connected().then_some(())
        })
        .await;
    });
}

#[test]
fn traffic_counters_report_usage() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        online_check: true,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.expect("bus");
        let (client, _requests) = Client::start_with_agents(conn).await.expect("client");
        let up = wait_for(&client, 40, "ethernet connected", |s| {
            connected_ethernet(s).first().cloned()
        })
        .await;
        let usage = client
            .register_counter(0, 1)
            .await
            .expect("RegisterCounter");
        let first = futures_lite::future::or(async { usage.recv().await.ok() }, async {
            async_io::Timer::after(Duration::from_secs(15)).await;
            None
        })
        .await
        .expect("a Usage report within 15 s");
        assert_eq!(first.service, up);
        eprintln!("Usage: {first:?}");
    });
}

#[test]
fn a_vpn_made_with_create_asks_the_vpn_agent_for_its_password() {
    use connie::connman::agent::{AgentKind, AgentRequest, InputReply, Secret};
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        vpn: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.expect("bus");
        let (client, requests) = Client::start_with_agents(conn).await.expect("client");
        wait_for(&client, 40, "uplink", |s| {
            connected_ethernet(s).first().cloned()
        })
        .await;
        let settings = lab.vpn_settings(connman_lab::VpnKind::UserPass, "Lab user VPN");
        client.vpn_create(&settings).await.expect("vpn Create");
        let vpn = wait_for(&client, 10, "VPN service listed", |s| {
            s.services_in_order()
                .find(|(_, p)| p.type_ == ServiceType::Vpn)
                .map(|(p, _)| p.to_owned())
        })
        .await;
        let answering = async {
            loop {
                match requests.recv().await.expect("agent requests") {
                    AgentRequest::Input { request, reply } => {
                        assert_eq!(request.kind, AgentKind::Vpn);
                        assert!(request.field("OpenVPN.Username").is_some(), "{request:?}");
                        reply.send(
                            InputReply::values()
                                .set("OpenVPN.Username", Secret::from(connman_lab::vpn::VPN_USER))
                                .set(
                                    "OpenVPN.Password",
                                    Secret::from(connman_lab::vpn::VPN_PASSWORD),
                                ),
                        );
                        return;
                    }
                    other => eprintln!("agent: {other:?}"),
                }
            }
        };
        let (connected, ()) =
            futures_lite::future::zip(client.connect_service(&vpn), answering).await;
        connected.expect("VPN connected with the agent's credentials");
        wait_for(&client, 30, "VPN ready", |s| {
            s.service(&vpn)?.state.is_connected().then_some(())
        })
        .await;
    });
}
