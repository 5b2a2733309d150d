//! The details page's traffic against the lab's real connmand: the counter
//! is registered only while the page shows a service, the counts rise when
//! data moves through the lab's link (pings from the lab to its peer),
//! "Reset Counters" brings them back to zero, and nothing stays registered
//! after the page goes back to the list or the window closes (Connie's
//! RegisterCounter/UnregisterCounter calls watched on the lab's bus).
//! GTK tests run one at a time (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use std::sync::{Arc, Mutex};

use adw::prelude::*;
use connman_lab::{Lab, LabOptions};
use futures_lite::StreamExt;
use ui_common::*;

/// Connie's `RegisterCounter` and `UnregisterCounter` calls, in order, as
/// the lab's bus sees them (a monitor: the tests run as root).
struct CounterCalls {
    seen: Arc<Mutex<Vec<String>>>,
    _conn: zbus::Connection,
    _task: zbus::Task<()>,
}

impl CounterCalls {
    async fn watch(lab: &Lab, connie: &str) -> CounterCalls {
        let conn = lab.connect().await.expect("the lab's bus");
        let rules: Vec<zbus::MatchRule> = ["RegisterCounter", "UnregisterCounter"]
            .into_iter()
            .map(|member| {
                zbus::MatchRule::builder()
                    .msg_type(zbus::message::Type::MethodCall)
                    .sender(connie.to_owned())
                    .unwrap()
                    .interface("net.connman.Manager")
                    .unwrap()
                    .member(member)
                    .unwrap()
                    .build()
            })
            .collect();
        let mut stream = zbus::MessageStream::from(&conn);
        zbus::fdo::MonitoringProxy::new(&conn)
            .await
            .expect("the monitoring proxy")
            .become_monitor(&rules, 0)
            .await
            .expect("BecomeMonitor (the tests run as root)");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = conn.executor().spawn(
            async move {
                while let Some(Ok(msg)) = stream.next().await {
                    // (a monitor also hears of its own name)
                    if let Some(m) = msg.header().member() {
                        if m.as_str().ends_with("Counter") {
                            log.lock().unwrap().push(m.to_string());
                        }
                    }
                }
            },
            "counter-calls",
        );
        CounterCalls {
            seen,
            _conn: conn,
            _task: task,
        }
    }

    fn calls(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// Registered now: more RegisterCounter than UnregisterCounter calls.
    fn registered(&self) -> bool {
        let calls = self.calls();
        let n = |m: &str| calls.iter().filter(|c| *c == m).count();
        n("RegisterCounter") > n("UnregisterCounter")
    }
}

#[gtk::test]
async fn the_details_page_counts_traffic_only_while_it_shows() {
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
    let calls = CounterCalls::watch(&lab, &connie).await;
    wait_until(40, "the wired service connected", || {
        backend
            .models()
            .services
            .paths()
            .iter()
            .any(|p| service(&backend, p).is_some_and(|s| s.is_connected()))
    })
    .await;
    let path = backend
        .models()
        .services
        .paths()
        .into_iter()
        .find(|p| service(&backend, p).is_some_and(|s| s.is_connected()))
        .unwrap();
    // a Ping's round trip: every call Connie made so far has been seen
    client.sync().await;
    assert!(
        calls.calls().is_empty(),
        "no counter before the page shows: {:?}",
        calls.calls()
    );

    win.show_service(&path);
    let page = win.details_page().expect("the details page");
    let traffic = page.traffic();
    wait_until(10, "RegisterCounter", || calls.registered()).await;
    wait_until(15, "connmand's first report", || traffic.reported()).await;
    assert!(
        traffic.widget().is_visible(),
        "shown for a connected service"
    );

    // data through the link: 40 pings of 1400 bytes each way
    let before = traffic.totals();
    lab.ping_peer(1, 40, 1400).await.expect("ping the peer");
    wait_until(15, "the counts risen by the pings", || {
        let (rx, tx) = traffic.totals();
        rx >= before.0 + 40 * 1400 && tx >= before.1 + 40 * 1400
    })
    .await;
    let (rates, summary) = traffic.graph_summary();
    assert!(rates >= 1, "the graph has rates");
    assert!(summary.contains("Traffic over the last"), "{summary}");
    let (received, sent) = traffic.texts();
    assert!(received.contains("packets") && sent.contains("packets"));

    // Reset Counters: connmand counts from zero
    traffic.reset_button().emit_clicked();
    wait_until(15, "the counts back near zero", || {
        let (rx, tx) = traffic.totals();
        traffic.reported() && rx < 40 * 1400 && tx < 40 * 1400
    })
    .await;

    // back to the list: unregistered
    win.close_details();
    wait_until(10, "UnregisterCounter", || !calls.registered()).await;
    // shown again, then the window closes: unregistered too
    win.show_service(&path);
    wait_until(10, "RegisterCounter again", || calls.registered()).await;
    win.close();
    wait_until(10, "UnregisterCounter after the window closed", || {
        !calls.registered()
    })
    .await;
    let calls = calls.calls();
    assert_eq!(
        calls,
        [
            "RegisterCounter",
            "UnregisterCounter",
            "RegisterCounter",
            "UnregisterCounter"
        ]
    );
}

#[gtk::test]
async fn the_counter_is_registered_again_when_connmand_restarts_under_the_page() {
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
    let calls = CounterCalls::watch(&lab, &connie).await;
    let connected = |backend: &connie::backend::Backend| {
        backend
            .models()
            .services
            .paths()
            .into_iter()
            .find(|p| service(backend, p).is_some_and(|s| s.is_connected()))
    };
    wait_until(40, "the wired service connected", || {
        connected(&backend).is_some()
    })
    .await;
    let path = connected(&backend).unwrap();
    win.show_service(&path);
    let traffic = win.details_page().expect("the details page").traffic();
    wait_until(10, "RegisterCounter", || calls.registered()).await;

    let owner = client.connman_owner();
    lab.restart_daemon(connman_lab::Daemon::Connmand)
        .await
        .expect("restart connmand");
    wait_until(20, "connmand back", || {
        client.connman_owner().is_some() && client.connman_owner() != owner
    })
    .await;
    wait_until(10, "RegisterCounter with the new connmand", || {
        calls
            .calls()
            .iter()
            .filter(|c| *c == "RegisterCounter")
            .count()
            == 2
    })
    .await;
    // reports come again once the service is connected again
    wait_until(40, "the wired service connected again", || {
        service(&backend, &path).is_some_and(|s| s.is_connected())
    })
    .await;
    // the new connmand's totals start from what it last saved (maybe below
    // the last ones seen): no rate is worked out across the restart, so a
    // new rate above zero comes from two reports of the new connmand
    let (rates, _, _) = traffic.rates();
    lab.ping_peer(1, 20, 1400).await.expect("ping the peer");
    wait_until(15, "a rate counted by the new connmand", || {
        let (n, rx, tx) = traffic.rates();
        n > rates && rx > 0.0 && tx > 0.0
    })
    .await;
    assert!(traffic.reports() > 0);
    win.close();
    wait_until(10, "unregistered after the window closed", || {
        calls.calls().last().map(String::as_str) == Some("UnregisterCounter")
    })
    .await;
}
