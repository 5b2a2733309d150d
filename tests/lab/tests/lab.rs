//! The lab's own tests, against the real connmand and connman-vpnd.
//! Each test starts a lab of its own (they run in parallel) and fails
//! loudly when it cannot; `CONNMAN_LAB_SKIP=1` skips them, saying so.

mod common;

use std::process::Command;

use common::*;
use connman_lab::host::HostSnapshot;
use connman_lab::{ApSet, Daemon, Lab, LabOptions, OnlineMode, VpnKind};
use zbus::zvariant::Value;

fn opts() -> LabOptions {
    LabOptions::default()
}

#[test]
fn ethernet_services_reach_online_by_dhcp() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        ..opts()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.unwrap();
        // connmand runs the online check for the default service: the first
        // is online, the other ready
        let online = until(
            40,
            "two ethernet services connected, one online",
            || async {
                let list = services(&conn).await;
                let up: Vec<_> = list
                    .iter()
                    .filter(|(_, p)| {
                        string(p, "Type").as_deref() == Some("ethernet")
                            && matches!(string(p, "State").as_deref(), Some("ready" | "online"))
                    })
                    .cloned()
                    .collect();
                let first_online = up
                    .first()
                    .is_some_and(|(_, p)| string(p, "State").as_deref() == Some("online"));
                (up.len() == 2 && first_online).then_some(up)
            },
        )
        .await;
        for (path, props) in &online {
            let addr = dict_string(props, "IPv4", "Address").unwrap_or_default();
            assert!(
                addr.starts_with("10.77.1.1") || addr.starts_with("10.77.2.1"),
                "{path}: address {addr:?} is not from the lab's DHCP"
            );
            assert_eq!(
                dict_string(props, "IPv4", "Method").as_deref(),
                Some("dhcp")
            );
        }
        let props: Props = manager(&conn)
            .await
            .call("GetProperties", &())
            .await
            .unwrap();
        assert_eq!(string(&props, "State").as_deref(), Some("online"));
        // connmanctl (libdbus) sees the same lab through the same address
        let out = Command::new("connmanctl")
            .arg("services")
            .env("DBUS_SYSTEM_BUS_ADDRESS", lab.bus_address())
            .output()
            .expect("connmanctl");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.lines().filter(|l| l.contains("ethernet_")).count(),
            2,
            "{text}"
        );
    });
    let stop = lab.stop().expect("clean teardown");
    eprintln!("teardown took {stop:?}");
}

#[test]
fn wifi_psk_asks_the_agent_and_a_wrong_key_is_invalid_key() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 0,
        wifi: true,
        online_check: false,
        ..opts()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.unwrap();
        power_on(&conn, "wifi").await;
        scan(&conn, "wifi").await;
        let (path, props) = service_named(&conn, "LabWPA2", 20).await;
        assert_eq!(string(&props, "Type").as_deref(), Some("wifi"));
        let (answers, calls) = register_agent(&conn, false).await;

        answers
            .lock()
            .unwrap()
            .insert("Passphrase".into(), "wrongpassword".into());
        let err = connect(&conn, &path)
            .await
            .expect_err("a wrong key must fail");
        eprintln!("Connect with a wrong key: {err}");
        let fields = next_call(&calls, 5, "RequestInput", |c| match c {
            AgentCall::RequestInput { path: p, fields } if *p == path => Some(fields.clone()),
            _ => None,
        })
        .await;
        let pass = &fields["Passphrase"];
        assert_eq!(string(pass, "Type").as_deref(), Some("psk"));
        assert_eq!(string(pass, "Requirement").as_deref(), Some("mandatory"));
        let error = next_call(&calls, 10, "ReportError", |c| match c {
            AgentCall::ReportError { path: p, error } if *p == path => Some(error.clone()),
            _ => None,
        })
        .await;
        assert_eq!(error, "invalid-key");

        answers
            .lock()
            .unwrap()
            .insert("Passphrase".into(), "labpassword".into());
        connect(&conn, &path).await.expect("the right key connects");
        let fields = next_call(&calls, 5, "second RequestInput", |c| match c {
            AgentCall::RequestInput { fields, .. } => Some(fields.clone()),
            _ => None,
        })
        .await;
        let previous = fields
            .get("PreviousPassphrase")
            .expect("PreviousPassphrase");
        assert_eq!(string(previous, "Value").as_deref(), Some("wrongpassword"));
        let props = wait_connected(&conn, &path, 30).await;
        let addr = dict_string(&props, "IPv4", "Address").unwrap_or_default();
        assert!(
            addr.starts_with("10.77.50."),
            "wifi address {addr:?} not from DHCP"
        );
    });
}

#[test]
fn access_points_are_controlled_at_run_time() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 0,
        wifi: true,
        aps: ApSet::Empty,
        online_check: false,
        ..opts()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.unwrap();
        power_on(&conn, "wifi").await;
        scan(&conn, "wifi").await;
        let mut ap =
            connman_lab::AccessPoint::new(b"Caf\xe9 <b>&".to_vec(), connman_lab::Security::Open);
        ap.signal = -80;
        lab.add_ap(&ap).await.unwrap();
        // connmand shows invalid UTF-8 as U+FFFD
        let (path, props) = service_named(&conn, "Caf\u{fffd} <b>&", 20).await;
        let weak: u8 = props["Strength"].downcast_ref().unwrap();
        assert!(lab.set_signal(&ap.ssid, -40).await.unwrap());
        until(20, "Strength to rise", || async {
            let s = services(&conn).await;
            let p = &s.iter().find(|(p, _)| p.as_str() == path)?.1;
            let strong: u8 = p["Strength"].downcast_ref().ok()?;
            (strong > weak).then_some(())
        })
        .await;
        assert!(lab.remove_ap(&ap.ssid).await.unwrap());
        until(20, "service gone", || async {
            (!services(&conn)
                .await
                .iter()
                .any(|(p, _)| p.as_str() == path))
            .then_some(())
        })
        .await;
        assert!(!lab.remove_ap(b"nothing").await.unwrap());
    });
}

#[test]
fn a_vpn_connects_through_the_vpn_agent() {
    let Some(lab) = Lab::for_test(LabOptions {
        vpn: true,
        ..opts()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.unwrap();
        until(40, "uplink connected", || async {
            services(&conn)
                .await
                .iter()
                .any(|(_, p)| matches!(string(p, "State").as_deref(), Some("ready" | "online")))
                .then_some(())
        })
        .await;
        let (answers, calls) = register_agent(&conn, true).await;
        answers.lock().unwrap().extend([
            (
                "OpenVPN.Username".to_owned(),
                connman_lab::vpn::VPN_USER.to_owned(),
            ),
            (
                "OpenVPN.Password".to_owned(),
                connman_lab::vpn::VPN_PASSWORD.to_owned(),
            ),
        ]);
        lab.provision_vpn_kind(VpnKind::UserPass, "labauth", "Lab auth VPN")
            .await
            .unwrap();
        let (path, props) = service_named(&conn, "Lab auth VPN", 20).await;
        assert_eq!(string(&props, "Type").as_deref(), Some("vpn"));
        connect(&conn, &path).await.expect("VPN connect");
        let fields = next_call(&calls, 5, "VPN RequestInput", |c| match c {
            AgentCall::RequestInput { fields, .. } => Some(fields.clone()),
            _ => None,
        })
        .await;
        assert!(fields.contains_key("OpenVPN.Username"), "{fields:?}");
        assert!(fields.contains_key("OpenVPN.Password"), "{fields:?}");
        wait_connected(&conn, &path, 30).await;
        let routes = until(20, "route to the network behind the VPN", || async {
            let r = lab.lab_ip(&["route"]).await.ok()?;
            r.contains("10.99.0.0/16").then_some(r)
        })
        .await;
        assert!(
            routes
                .lines()
                .any(|l| l.starts_with("10.99.0.0/16") && !l.contains("lab1")),
            "{routes}"
        );

        // the same lab also takes a VPN made through vpn.Manager.Create
        let vpn = proxy(&conn, "net.connman.vpn", "/", "net.connman.vpn.Manager").await;
        let settings = lab.vpn_settings(VpnKind::Certificate, "Lab cert VPN");
        let dict: std::collections::HashMap<&str, Value> = settings
            .iter()
            .map(|(k, v)| (k.as_str(), Value::from(v.as_str())))
            .collect();
        let created: zbus::zvariant::OwnedObjectPath =
            vpn.call("Create", &(dict,)).await.expect("Create");
        assert!(created.as_str().starts_with("/net/connman/vpn/connection/"));
        service_named(&conn, "Lab cert VPN", 20).await;
    });
}

#[test]
fn portal_mode_makes_connmand_call_request_browser() {
    let Some(lab) = Lab::for_test(LabOptions {
        online: OnlineMode::Portal,
        start_connmand: true,
        ..opts()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.unwrap();
        let (_answers, calls) = register_agent(&conn, false).await;
        let (path, _) = until(30, "ethernet service", || async {
            services(&conn)
                .await
                .into_iter()
                .find(|(_, p)| string(p, "Type").as_deref() == Some("ethernet"))
        })
        .await;
        // the check may have run before the agent was there: run it again
        let s = proxy(&conn, "net.connman", path.as_str(), "net.connman.Service").await;
        let _: zbus::Result<()> = s.call("Disconnect", &()).await;
        let _ = connect(&conn, path.as_str()).await;
        let (svc, url) = next_call(&calls, 40, "RequestBrowser", |c| match c {
            AgentCall::RequestBrowser { path, url } => Some((path.clone(), url.clone())),
            _ => None,
        })
        .await;
        assert_eq!(svc, path.as_str());
        eprintln!("RequestBrowser({svc}, {url:?})");
        // and back to online when the portal goes away
        lab.set_online_mode(OnlineMode::Online).await.unwrap();
    });
}

#[test]
fn daemons_restart_and_their_logs_are_readable() {
    let Some(lab) = Lab::for_test(LabOptions {
        vpn: true,
        ..opts()
    }) else {
        return;
    };
    zbus::block_on(async {
        let conn = lab.connect().await.unwrap();
        let dbus = zbus::fdo::DBusProxy::new(&conn).await.unwrap();
        let owner = |n: &'static str| {
            let dbus = dbus.clone();
            async move {
                dbus.get_name_owner(n.try_into().unwrap())
                    .await
                    .ok()
                    .map(|o| o.to_string())
            }
        };
        let first = owner("net.connman")
            .await
            .expect("connmand owns net.connman");
        lab.restart_daemon(Daemon::Connmand).await.unwrap();
        let second = owner("net.connman").await.expect("connmand is back");
        assert_ne!(first, second, "a new connmand owns the name");
        lab.stop_daemon(Daemon::ConnmanVpnd).await.unwrap();
        assert!(owner("net.connman.vpn").await.is_none());
        lab.start_daemon(Daemon::ConnmanVpnd).await.unwrap();
        assert!(owner("net.connman.vpn").await.is_some());
        lab.wipe_state().await.unwrap();
        assert!(owner("net.connman").await.is_some());
        let log = lab.log("connmand").await.unwrap();
        assert!(log.contains("Connection Manager version"), "{log}");
        assert_eq!(log.matches("==== connman-lab: start connmand").count(), 3);
    });
}

#[test]
fn teardown_leaves_the_host_as_it_was() {
    let before = HostSnapshot::take();
    let netns_before = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap()
        .stdout;
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        wifi: true,
        vpn: true,
        ..opts()
    }) else {
        return;
    };
    let dir = lab.dir().to_owned();
    assert!(dir.join("bus.sock").exists());
    let startup = lab.startup_time();
    let stop = lab.stop().expect("clean teardown");
    eprintln!("full lab: start {startup:?}, stop {stop:?}");
    assert!(!dir.exists(), "the lab's directory is removed");
    let names = String::from_utf8_lossy(&netns_before).into_owned();
    let after = String::from_utf8_lossy(
        &Command::new("ip")
            .args(["netns", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    let id = dir.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        !after.contains(&id),
        "namespaces of {id} left: {after} (before: {names})"
    );
    assert_eq!(before.diff(&HostSnapshot::take()), Vec::<String>::new());
    assert!(!std::path::Path::new("/run/dbus/system_bus_socket").is_symlink());
}

/// Runs `connman-lab` as root (directly, or through `sudo -n`).
fn lab_command(args: &[&str]) -> Command {
    let bin = env!("CARGO_BIN_EXE_connman-lab");
    if rustix::process::geteuid().is_root() {
        let mut c = Command::new(bin);
        c.args(args);
        c
    } else {
        let mut c = Command::new("sudo");
        c.arg("-n").arg(bin).args(args);
        c
    }
}

#[test]
fn without_root_the_lab_says_so_in_one_line() {
    let bin = env!("CARGO_BIN_EXE_connman-lab");
    let mut cmd = if rustix::process::geteuid().is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            bin,
        ]);
        c
    } else {
        Command::new(bin)
    };
    let out = cmd.args(["up"]).output().expect("run connman-lab");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("must run as root"), "{err}");
}

#[test]
fn leftovers_of_a_crashed_lab_are_cleaned() {
    if std::env::var(connman_lab::SKIP_ENV).is_ok_and(|v| v == "1") {
        eprintln!("SKIPPED: {} asks to skip lab tests", connman_lab::SKIP_ENV);
        return;
    }
    // a PID that cannot be alive: above the kernel's pid_max
    let id = "cnlab99999999x0";
    let ns = format!("{id}-l");
    let status = lab_command(&["help"]).output().unwrap().status;
    assert!(status.success(), "connman-lab must run as root (sudo -n)");
    let ok = if rustix::process::geteuid().is_root() {
        Command::new("ip")
            .args(["netns", "add", &ns])
            .status()
            .unwrap()
    } else {
        Command::new("sudo")
            .args(["-n", "ip", "netns", "add", &ns])
            .status()
            .unwrap()
    };
    assert!(ok.success());
    let out = lab_command(&["clean"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&format!("cleaned up {id}")), "{err}");
    let list = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap()
        .stdout;
    assert!(!String::from_utf8_lossy(&list).contains(&ns));
}
