//! The window in a crowded room: 300 access points in the lab's real
//! connmand. The list builds rows only for what shows (and a margin), shows
//! connmand's order from the first screenful to the last, a network far down
//! connects from its row, and reordering still works. GTK tests run one at a
//! time on one thread (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::{Duration, Instant};

use connie::ui::Window;
use connman_lab::testing::{power_on, scan, services, string};
use connman_lab::{ApSet, Lab, LabOptions};
use gtk::prelude::*;
use ui_common::*;

/// How many access points the room has.
const APS: usize = 300;
/// The most rows the list may have built at any time: GTK 4.8's grid view
/// keeps 30 rows per column around what shows, plus one above and below.
/// (Its list view kept up to 200.)
const MAX_ROWS: usize = 40;

/// Waits until the window lists what connmand lists (`connmanctl
/// services`), in its order.
async fn wait_as_connmand(lab: &Lab, win: &Window, secs: u64, what: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let ctl = connmanctl_order(lab.bus_address());
        if win.service_paths() == ctl {
            return ctl;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s: {what}; window has {}, connmanctl {}",
            win.service_paths().len(),
            ctl.len()
        );
        glib::timeout_future(Duration::from_millis(200)).await;
    }
}

/// Asserts that `shown` is a run of consecutive services of `order`, and
/// returns where it starts.
fn in_order(shown: &[String], order: &[String]) -> usize {
    let start = order
        .iter()
        .position(|p| Some(p) == shown.first())
        .unwrap_or_else(|| panic!("{:?} is not listed", shown.first()));
    assert_eq!(
        shown,
        &order[start..start + shown.len()],
        "the rows on screen follow connmand's order"
    );
    start
}

/// Waits until the window has painted a frame from now on.
async fn next_frame(win: &Window) {
    let clock = win.frame_clock().expect("a realized window");
    let painted = Rc::new(Cell::new(false));
    let seen = painted.clone();
    let handler = clock.connect_after_paint(move |_| seen.set(true));
    win.queue_draw();
    wait_until(5, "a frame", || painted.get()).await;
    clock.disconnect(handler);
}

/// Scrolls the list to `value` and returns the rows shown there once the
/// list has laid them out (on its next frames).
async fn scroll_to(win: &Window, value: f64) -> Vec<String> {
    let adj = win.services_adjustment().expect("the list scrolls");
    adj.set_value(value);
    next_frame(win).await;
    next_frame(win).await;
    win.shown_service_paths()
}

#[gtk::test]
async fn a_crowded_room_builds_what_shows_in_connmands_order_and_every_network_is_reachable() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Generated(APS),
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let conn = lab.connect().await.expect("the lab's bus");
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while services(&conn).await.len() < APS + 1 {
        assert!(Instant::now() < deadline, "the lab's {APS} networks");
        glib::timeout_future(Duration::from_millis(200)).await;
    }
    let order = wait_as_connmand(&lab, &win, 30, "all networks listed").await;
    assert_eq!(order.len(), APS + 1);

    // the first screenful: connmand's first services, in its order, and
    // only a bounded number of rows built
    next_frame(&win).await;
    wait_until(10, "the first rows", || {
        win.shown_service_paths().len() >= 5
    })
    .await;
    let first = win.shown_service_paths();
    assert_eq!(
        in_order(&first, &order),
        0,
        "the top of the list shows first"
    );
    let built = win.service_rows().len();
    assert!(
        (first.len()..=MAX_ROWS).contains(&built),
        "{built} rows built for {} on screen",
        first.len()
    );

    // scrolling to the end reaches every network, in order, and the rows
    // built stay bounded all the way
    let adj = win.services_adjustment().unwrap();
    let mut seen: HashSet<String> = HashSet::new();
    let mut most_built = built;
    let mut shown = first;
    loop {
        in_order(&shown, &order);
        seen.extend(shown.iter().cloned());
        most_built = most_built.max(win.service_rows().len());
        let end = adj.upper() - adj.page_size();
        if adj.value() >= end - 1.0 {
            break;
        }
        let next = (adj.value() + adj.page_size() * 0.8).min(end);
        shown = scroll_to(&win, next).await;
    }
    assert_eq!(
        shown.last(),
        order.last(),
        "the end of the list shows connmand's last service"
    );
    assert_eq!(seen.len(), order.len(), "every network was on screen once");
    assert!(
        most_built <= MAX_ROWS,
        "at most {MAX_ROWS} rows at a time: {most_built}"
    );

    // a network far down connects from its row: the last open one
    let open: Vec<String> = order
        .iter()
        .filter(|p| {
            service(&backend, p).is_some_and(|s| {
                s.service_type() == connie::connman::ServiceType::Wifi && !s.secured()
            })
        })
        .cloned()
        .collect();
    let far = open.last().expect("an open network").clone();
    let at = order.iter().position(|p| *p == far).unwrap();
    assert!(at > APS / 2, "{far} is far down ({at})");
    wait_until(10, "its row", || win.service_row(&far).is_some()).await;
    win.service_row(&far).unwrap().button().emit_clicked();
    wait_until(30, "the far network connected", || {
        service(&backend, &far).is_some_and(|s| s.is_connected())
    })
    .await;
    // connmand lists it near the top now, and so does the window
    let order = wait_as_connmand(&lab, &win, 20, "the connected network moved up").await;
    let at = order.iter().position(|p| *p == far).unwrap();
    assert!(at < 2, "{far} among the connected ones at the top: {at}");
    let shown = scroll_to(&win, 0.0).await;
    assert_eq!(in_order(&shown, &order), 0);
    assert!(shown.contains(&far), "on the first screenful");
    let wired: Vec<String> = services(&conn)
        .await
        .into_iter()
        .filter(|(_, p)| string(p, "Type").as_deref() == Some("ethernet"))
        .map(|(p, _)| p.to_string())
        .collect();
    let other = order[1 - at].clone();
    assert_eq!(
        wired,
        std::slice::from_ref(&other),
        "the wired service is the other one"
    );

    // reordering still works: Alt+Up / Alt+Down on its focused row swaps it
    // with the wired service, in connmand
    let row = win.service_row(&far).expect("its row");
    let item = row.parent().expect("the list item");
    assert!(item.grab_focus() || row.menu_button().grab_focus());
    assert!(win.move_focused(at == 0), "a row has the focus");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ctl = connmanctl_order(lab.bus_address());
        let swapped = ctl.iter().position(|p| *p == far) == Some(1 - at)
            && ctl.iter().position(|p| *p == other) == Some(at);
        if swapped && win.service_paths() == ctl {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{far} never moved past {other}: connmanctl {:?}, window {:?}",
            &ctl[..3],
            &win.service_paths()[..3]
        );
        glib::timeout_future(Duration::from_millis(200)).await;
    }
    win.close();
}
