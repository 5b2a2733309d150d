//! "Date & Time" against the lab's real connmand: its clock is read, and
//! what the person changes reaches connmand with connmand's names and
//! values (watched on the bus) and reads back.
//!
//! Only TimeUpdates, TimezoneUpdates and Timeservers are written here.
//! Setting `Time` makes connmand call settimeofday(), and the system clock
//! has no namespace: it would set the host's clock. Setting `Timezone`
//! makes connmand copy a zoneinfo file over /etc/localtime, and the lab's
//! mount namespace shares the host's /etc (only /etc/connman and
//! /etc/resolv.conf are the lab's own): it would change the host's time
//! zone. The time servers written are the lab's peer, which serves no
//! NTP, so connmand never gets a time to set.
//! GTK tests run one at a time (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use std::sync::{Arc, Mutex};

use adw::prelude::*;
use connie::connman::types::UpdatePolicy;
use connman_lab::{Lab, LabOptions};
use futures_lite::StreamExt;
use ui_common::*;
use zbus::zvariant::OwnedValue;

/// Connie's `Clock.SetProperty` calls, as the lab's bus sees them.
struct ClockCalls {
    seen: Arc<Mutex<Vec<(String, OwnedValue)>>>,
    _conn: zbus::Connection,
    _task: zbus::Task<()>,
}

impl ClockCalls {
    async fn watch(lab: &Lab, connie: &str) -> ClockCalls {
        let conn = lab.connect().await.expect("the lab's bus");
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::MethodCall)
            .sender(connie.to_owned())
            .unwrap()
            .interface("net.connman.Clock")
            .unwrap()
            .member("SetProperty")
            .unwrap()
            .build();
        let mut stream = zbus::MessageStream::from(&conn);
        zbus::fdo::MonitoringProxy::new(&conn)
            .await
            .expect("the monitoring proxy")
            .become_monitor(&[rule], 0)
            .await
            .expect("BecomeMonitor (the tests run as root)");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = conn.executor().spawn(
            async move {
                while let Some(Ok(msg)) = stream.next().await {
                    if msg.header().member().is_some_and(|m| m == "SetProperty") {
                        if let Ok(call) = msg.body().deserialize::<(String, OwnedValue)>() {
                            log.lock().unwrap().push(call);
                        }
                    }
                }
            },
            "clock-calls",
        );
        ClockCalls {
            seen,
            _conn: conn,
            _task: task,
        }
    }

    fn last(&self) -> Option<(String, OwnedValue)> {
        self.seen.lock().unwrap().last().cloned()
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

fn string(v: &OwnedValue) -> String {
    String::try_from(v.clone()).unwrap_or_default()
}

#[gtk::test]
async fn the_clock_is_read_and_its_settings_written_with_connmands_names() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let client = backend.client().unwrap();
    let connie = client.connection().unique_name().unwrap().to_string();
    let calls = ClockCalls::watch(&lab, &connie).await;

    win.date_time();
    wait_until(10, "the Date & Time page", || win.clock_page().is_some()).await;
    let page = win.clock_page().unwrap();
    let props = page.props().expect("connmand's clock read");
    assert!(props.time.is_some_and(|t| t > 1_600_000_000), "{props:?}");
    assert_eq!(props.time_updates, Some(UpdatePolicy::Auto));
    assert_eq!(props.timezone_updates, Some(UpdatePolicy::Auto));
    let (auto_time, auto_zone, zone, servers) = page.widgets();
    assert!(auto_time.is_active() && auto_zone.is_active());
    assert!(!zone.is_editable(), "the time zone is set automatically");

    // automatic time off: TimeUpdates = "manual", read back
    auto_time.set_active(false);
    wait_until(10, "TimeUpdates sent", || calls.count() == 1).await;
    let (name, value) = calls.last().unwrap();
    assert_eq!(
        (name.as_str(), string(&value).as_str()),
        ("TimeUpdates", "manual")
    );
    wait_until(10, "manual read back", || {
        page.props()
            .is_some_and(|p| p.time_updates == Some(UpdatePolicy::Manual))
    })
    .await;

    // automatic time zone off: TimezoneUpdates = "manual"; the zone can be typed
    auto_zone.set_active(false);
    wait_until(10, "TimezoneUpdates sent", || calls.count() == 2).await;
    let (name, value) = calls.last().unwrap();
    assert_eq!(
        (name.as_str(), string(&value).as_str()),
        ("TimezoneUpdates", "manual")
    );
    wait_until(10, "the zone editable", || zone.is_editable()).await;

    // a zone that is no zone is said, and never sent
    zone.set_text("../../etc/passwd");
    zone.emit_by_name::<()>("apply", &[]);
    wait_until(5, "the bad zone said", || page.message().is_some()).await;
    assert!(page.message().unwrap().contains("is not a time zone"));
    assert_eq!(calls.count(), 2);

    // time servers: Timeservers as a string array, read back
    servers.set_text("10.77.1.1, ntp.lab.test");
    servers.emit_by_name::<()>("apply", &[]);
    wait_until(10, "Timeservers sent", || calls.count() == 3).await;
    let (name, value) = calls.last().unwrap();
    assert_eq!(name, "Timeservers");
    assert_eq!(
        Vec::<String>::try_from(value).unwrap(),
        ["10.77.1.1", "ntp.lab.test"]
    );
    wait_until(10, "the servers read back", || {
        page.props()
            .is_some_and(|p| p.timeservers == ["10.77.1.1", "ntp.lab.test"])
    })
    .await;
    assert_eq!(page.message(), None);

    // and back: automatic again, no servers
    auto_time.set_active(true);
    auto_zone.set_active(true);
    servers.set_text("");
    servers.emit_by_name::<()>("apply", &[]);
    wait_until(10, "all read back", || {
        page.props().is_some_and(|p| {
            p.time_updates == Some(UpdatePolicy::Auto)
                && p.timezone_updates == Some(UpdatePolicy::Auto)
                && p.timeservers.is_empty()
        })
    })
    .await;
    let names: Vec<String> = calls
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    assert!(
        !names.iter().any(|n| n == "Time" || n == "Timezone"),
        "nothing that would touch the host: {names:?}"
    );
    page.close();
    win.close();
}
