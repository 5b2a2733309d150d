//! Sharing the connection against the lab's real connmand: the hotspot
//! switched on from Connie makes connmand tether (its `tether` bridge
//! appears in the lab), the join code reads back as what connmand has, and
//! what connmand refuses is said as a sentence. The join code's round trip
//! through a decoder (rqrr) covers every character the format reserves.
//! GTK tests run one at a time (`#[gtk::test]`); every wait is bounded.

mod ui_common;

use adw::prelude::*;
use connie::backend::Backend;
use connie::connman::ServiceType;
use connie::model::hotspot::{join_payload, Modules};
use connman_lab::testing::{power_on, string, technologies};
use connman_lab::{ApSet, Lab, LabOptions};
use ui_common::*;

/// Draws `modules` as the page does (its paint function, at its size) and
/// reads the picture back with a QR decoder.
fn decode(modules: &Modules) -> String {
    let side = connie::ui::qr_code::SIDE;
    let mut surface =
        gtk::cairo::ImageSurface::create(gtk::cairo::Format::Rgb24, side, side).expect("surface");
    {
        let cr = gtk::cairo::Context::new(&surface).expect("cairo");
        connie::ui::qr_code::paint(&cr, Some(modules), side, side);
    }
    surface.flush();
    let stride = surface.stride() as usize;
    let data = surface.data().expect("pixels").to_vec();
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(side as usize, side as usize, |x, y| {
            // RGB24: one 32-bit pixel, blue in the lowest byte (little endian)
            data[y * stride + x * 4]
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("the code decodes").1
}

/// Reads a `WIFI:` payload back, undoing the backslash escapes, into
/// (T, S, P).
fn parse_wifi(payload: &str) -> (String, String, String) {
    let body = payload.strip_prefix("WIFI:").expect("WIFI: prefix");
    let (mut fields, mut key, mut value) = (Vec::new(), String::new(), String::new());
    let mut in_value = false;
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_value => value.push(chars.next().expect("an escaped character")),
            ':' if !in_value => in_value = true,
            ';' if in_value => {
                fields.push((std::mem::take(&mut key), std::mem::take(&mut value)));
                in_value = false;
            }
            _ if in_value => value.push(c),
            _ => key.push(c),
        }
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (get("T"), get("S"), get("P"))
}

#[test]
fn join_codes_round_trip_through_a_decoder_with_every_reserved_character() {
    let cases = [
        ("Connie", "abcd-efgh-jkmn-pqrs"),
        (r#"a\b;c,d:e"f"#, r#"p\1;2,3:4"5 six"#),
        ("Café ☕ «Lab»", "ünïcödé passphrase"),
        (";;;", r"\\\\\\\\"),
        ("x", &"f".repeat(64)),
        ("Open Café", ""),
    ];
    for (ssid, passphrase) in cases {
        let payload = join_payload(ssid, passphrase);
        let modules = Modules::encode(&payload).expect("fits in a QR code");
        let read = decode(&modules);
        assert_eq!(read, payload);
        let (t, s, p) = parse_wifi(&read);
        assert_eq!(s, ssid);
        assert_eq!(p, passphrase);
        assert_eq!(
            t,
            if passphrase.is_empty() {
                "nopass"
            } else {
                "WPA"
            }
        );
    }
}

/// connmand's view of technology `path`.
async fn tech_props(
    lab: &Lab,
    path: &str,
) -> std::collections::HashMap<String, zbus::zvariant::OwnedValue> {
    let conn = lab.connection();
    technologies(conn)
        .await
        .into_iter()
        .find(|(p, _)| p.as_str() == path)
        .map(|(_, props)| props)
        .expect("the technology")
}

fn tethering(props: &std::collections::HashMap<String, zbus::zvariant::OwnedValue>) -> bool {
    props
        .get("Tethering")
        .and_then(|v| bool::try_from(v).ok())
        .unwrap_or(false)
}

/// Waits (at most `secs`) until `cond` holds of what `read` returns, reading
/// again every 100 ms while the main loop runs.
async fn until_read<T, F, Fut>(secs: u64, what: &str, mut read: F, cond: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let value = read().await;
        if cond(&value) {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {secs} s: {what}"
        );
        glib::timeout_future(std::time::Duration::from_millis(100)).await;
    }
}

async fn wifi_path(backend: &Backend) -> String {
    let techs = backend.models().technologies.clone();
    wait_until(40, "the wifi technology", || {
        techs.by_type(&ServiceType::Wifi).is_some()
    })
    .await;
    techs.by_type(&ServiceType::Wifi).unwrap().path()
}

#[gtk::test]
async fn the_wifi_hotspot_switched_on_from_connie_tethers_and_its_code_joins_it() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Empty,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let wifi = wifi_path(&backend).await;
    power_on(lab.connection(), "wifi").await;
    wait_until(20, "wifi on in the models", || {
        backend
            .models()
            .technologies
            .get(&wifi)
            .is_some_and(|t| t.powered())
    })
    .await;

    win.share_connection();
    let page = win.hotspot().expect("the Share Connection page");
    let switch = page.switch(&wifi).expect("a hotspot switch");
    assert!(!switch.is_active());
    let (name, password, save) = page.wifi_entries().expect("the Wi-Fi fields");

    // checked as typed: a short password is said under its field, never sent
    name.set_text("Lab;Hotspot, \"1\"");
    password.set_text("short");
    let (name_error, pass_error) = page.wifi_errors();
    assert_eq!(name_error, None);
    assert!(pass_error
        .as_deref()
        .unwrap_or_default()
        .contains("8 to 63"));
    assert!(!save.is_sensitive());
    let secret = "pass:word;with,\\every\"one";
    password.set_text(secret);
    assert_eq!(page.wifi_errors(), (None, None));
    assert!(save.is_sensitive());

    // switching on sends the name and password, then Tethering
    switch.set_active(true);
    let props = until_read(
        30,
        "connmand tethering over wifi",
        || tech_props(&lab, &wifi),
        tethering,
    )
    .await;
    assert_eq!(
        string(&props, "TetheringIdentifier").as_deref(),
        Some("Lab;Hotspot, \"1\"")
    );
    assert_eq!(
        string(&props, "TetheringPassphrase").as_deref(),
        Some(secret)
    );
    let bridge = until_read(
        20,
        "the tether bridge in the lab",
        || lab.lab_ip(&["link", "show", "tether"]),
        |r| r.is_ok(),
    )
    .await;
    assert!(bridge.unwrap().contains("tether"));
    // the fake radio got connmand's access-point request, and its netdev
    // joined the bridge, as wpa_supplicant does with BridgeIfname
    // up means the fake radio's interface went `completed` after the
    // access-point request (a station can only join then)
    let log = until_read(
        10,
        "the access point started",
        || async { lab.control().wifi_log().await.unwrap_or_default() },
        |log| {
            log.iter()
                .position(|l| l.contains("access point (mode 2)"))
                .is_some_and(|at| log[at..].iter().any(|l| l.contains("State -> completed")))
        },
    )
    .await;
    let ap = log
        .iter()
        .find(|l| l.contains("access point (mode 2)"))
        .unwrap();
    assert!(ap.contains("WPA-PSK"), "{ap}");
    assert!(
        log.iter()
            .any(|l| l.contains("CreateInterface") && l.contains("bridge \"tether\"")),
        "{log:#?}"
    );
    let members = lab.lab_ip(&["link", "show", "master", "tether"]).await;
    assert!(
        members.is_ok_and(|m| !m.trim().is_empty()),
        "a netdev in the bridge"
    );
    wait_until(10, "the switch on", || switch.state() && switch.is_active()).await;

    // the join code: what connmand has, read back through a decoder
    wait_until(10, "the join code", || page.join_code().is_some()).await;
    let (modules, shown_name, shown_password) = page.join_code().unwrap();
    assert_eq!(shown_name, "Lab;Hotspot, \"1\"");
    assert!(!shown_password.contains("pass"), "hidden until revealed");
    let (_, s, p) = parse_wifi(&decode(&modules));
    assert_eq!((s.as_str(), p.as_str()), ("Lab;Hotspot, \"1\"", secret));
    page.reveal_button().unwrap().set_active(true);
    assert_eq!(page.join_code().unwrap().2, secret);

    // devices joining and leaving: the fake radio says StaAuthorized /
    // StaDeauthorized, connmand lists them (TetheringClientsChanged), the
    // page shows them
    assert_eq!(
        page.devices().map(|(d, _)| d),
        Some(vec![]),
        "the list is shown, empty, while the hotspot is on"
    );
    for mac in ["02:00:00:00:00:b2", "02:00:00:00:00:a1"] {
        assert!(
            lab.station(mac, true).await.expect("station"),
            "a hotspot runs"
        );
    }
    wait_until(10, "two devices listed", || {
        page.devices().is_some_and(|(d, _)| d.len() == 2)
    })
    .await;
    let (devices, description) = page.devices().unwrap();
    assert_eq!(devices, ["02:00:00:00:00:a1", "02:00:00:00:00:b2"]);
    assert!(description.starts_with("2 devices"), "{description}");
    let listed = backend
        .client()
        .expect("client")
        .tethering_clients()
        .await
        .expect("GetTetheringClients");
    assert_eq!(listed.len(), 2, "connmand's own list: {listed:?}");
    assert!(lab
        .station("02:00:00:00:00:b2", false)
        .await
        .expect("station"));
    wait_until(10, "one device left", || {
        page.devices()
            .is_some_and(|(d, _)| d == ["02:00:00:00:00:a1"])
    })
    .await;
    assert!(page.devices().unwrap().1.starts_with("1 device uses"));

    // and off again: connmand stops tethering and removes the bridge
    switch.set_active(false);
    until_read(
        20,
        "tethering off",
        || tech_props(&lab, &wifi),
        |p| !tethering(p),
    )
    .await;
    let gone = until_read(
        20,
        "the tether bridge gone",
        || lab.lab_ip(&["link", "show", "tether"]),
        |r| r.is_err(),
    )
    .await;
    assert!(gone.is_err());
    assert_eq!(page.note_text(&wifi), None, "nothing went wrong");
    assert_eq!(page.devices(), None, "no device list while off");
    page.close();
    win.close();
}

#[gtk::test]
async fn sharing_over_a_technology_that_is_off_is_refused_with_what_to_do() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Empty,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let wifi = wifi_path(&backend).await;
    // a fresh lab starts with wifi off
    assert!(!tethering(&tech_props(&lab, &wifi).await));
    assert!(!backend.models().technologies.get(&wifi).unwrap().powered());
    win.share_connection();
    let page = win.hotspot().expect("the Share Connection page");
    let (name, password, _) = page.wifi_entries().unwrap();
    name.set_text("Connie");
    password.set_text("correct horse");
    page.switch(&wifi).unwrap().set_active(true);
    wait_until(20, "the refusal said", || page.note_text(&wifi).is_some()).await;
    let note = page.note_text(&wifi).unwrap();
    assert!(note.contains("is switched off"), "{note}");
    // the switch shows what connmand says: off
    wait_until(5, "the switch back off", || {
        !page.switch(&wifi).unwrap().is_active()
    })
    .await;
    assert!(!tethering(&tech_props(&lab, &wifi).await));
    page.close();
    win.close();
}

/// connmand answers a Wi-Fi Tethering request before the access point is
/// up: here the (fake) radio refuses to start it, which no real connmand
/// setting can make happen in the lab, so the lab's fake wpa_supplicant is
/// told to (its association-failure switch, on an access point in range
/// with the hotspot's name). connmand then reports Tethering going back to
/// false, and the page says why under the switch.
#[gtk::test]
async fn a_hotspot_the_radio_cannot_start_is_said_after_connmand_accepted_it() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 1,
        wifi: true,
        aps: ApSet::Empty,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let wifi = wifi_path(&backend).await;
    power_on(lab.connection(), "wifi").await;
    wait_until(20, "wifi on in the models", || {
        backend
            .models()
            .technologies
            .get(&wifi)
            .is_some_and(|t| t.powered())
    })
    .await;
    let ssid = "Refused AP";
    lab.add_ap(&connman_lab::AccessPoint::new(
        ssid,
        connman_lab::Security::Psk,
    ))
    .await
    .expect("add_ap");
    assert!(lab
        .fail_association(ssid.as_bytes(), true)
        .await
        .expect("fail_association"));

    win.share_connection();
    let page = win.hotspot().expect("the Share Connection page");
    let (name, password, _) = page.wifi_entries().unwrap();
    name.set_text(ssid);
    password.set_text("correct horse");
    page.switch(&wifi).unwrap().set_active(true);
    wait_until(20, "the failure said", || page.note_text(&wifi).is_some()).await;
    let note = page.note_text(&wifi).unwrap();
    assert!(note.contains("could not become an access point"), "{note}");
    let log = lab.control().wifi_log().await.unwrap_or_default();
    assert!(
        log.iter().any(|l| l.contains("access point refused")),
        "{log:#?}"
    );
    assert!(!tethering(&tech_props(&lab, &wifi).await));
    wait_until(5, "the switch off", || {
        !page.switch(&wifi).unwrap().is_active()
    })
    .await;
    page.close();
    win.close();
}

#[gtk::test]
async fn sharing_over_wired_from_connie_makes_connmand_build_its_bridge() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 2,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let (backend, win) = window_on(&lab).await;
    let techs = backend.models().technologies.clone();
    wait_until(40, "the ethernet technology", || {
        techs.by_type(&ServiceType::Ethernet).is_some()
    })
    .await;
    let ethernet = techs.by_type(&ServiceType::Ethernet).unwrap().path();
    win.share_connection();
    let page = win.hotspot().expect("the Share Connection page");
    let switch = page.switch(&ethernet).expect("a switch for wired sharing");
    switch.set_active(true);
    // TetheringTechnologies in the lab's main.conf lists ethernet
    until_read(
        20,
        "connmand tethering over ethernet",
        || tech_props(&lab, &ethernet),
        tethering,
    )
    .await;
    let bridge = until_read(
        20,
        "the tether bridge in the lab",
        || lab.lab_ip(&["link", "show", "tether"]),
        |r| r.is_ok(),
    )
    .await;
    assert!(bridge.unwrap().contains("tether"));
    wait_until(10, "the switch on", || switch.state()).await;
    assert_eq!(page.note_text(&ethernet), None);
    switch.set_active(false);
    until_read(
        20,
        "tethering off",
        || tech_props(&lab, &ethernet),
        |p| !tethering(p),
    )
    .await;
    page.close();
    win.close();
}
