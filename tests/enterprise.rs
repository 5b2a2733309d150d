//! The enterprise network form in the window against the lab: connecting
//! an 802.1X network that nothing provisions opens the form; what is typed
//! goes through Connie's real helper (run as root in the lab, asking the
//! lab's real polkitd) into a file the real connmand reads and connects
//! with; the same form then edits and removes it. (polkit always allows
//! root, which these tests run as: its refusals are tested with an
//! unprivileged caller in tests/provision.rs.)

mod ui_common;

use std::path::PathBuf;

use connie::ui::enterprise::EnterpriseForm;
use connman_lab::testing::{power_on, scan};
use connman_lab::{Lab, LabOptions};
use gtk::prelude::*;
use ui_common::*;

const POLICY: &str = include_str!("../data/provision/io.github.connie.Connie.policy");
const BUS_POLICY: &str = include_str!("../data/provision/io.github.connie.Provision.conf");
const RULES: &str = "// the action's defaults decide (root is always allowed)\n";
const CERT_DIR: &str = "/run/connman/connie-provision";

fn helper_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|d| d.join("connie-provision"))
        .find(|p| p.is_file())
        .expect("connie-provision is not built: cargo build --workspace --all-targets")
}

async fn form_of(win: &connie::ui::Window, what: &str) -> std::rc::Rc<EnterpriseForm> {
    wait_until(10, what, || win.enterprise_form().is_some()).await;
    win.enterprise_form().unwrap()
}

#[gtk::test]
async fn an_unprovisioned_8021x_network_is_set_up_from_the_form() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 0,
        wifi: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    lab.start_polkit(POLICY, RULES).await.expect("polkitd");
    lab.start_helper(
        &helper_binary(),
        &["--cert-dir", CERT_DIR, "--idle-exit", "0"],
        BUS_POLICY,
    )
    .await
    .expect("the helper");
    let (backend, win) = window_on(&lab).await;
    let conn = lab.connect().await.unwrap();
    power_on(&conn, "wifi").await;
    scan(&conn, "wifi").await;
    let client = backend.client().unwrap();
    let mut path = String::new();
    wait_until(20, "LabEnterprise listed", || {
        let state = client.state();
        if let Some((p, _)) = state
            .services_in_order()
            .find(|(_, s)| s.name.as_deref() == Some("LabEnterprise"))
        {
            path = p.to_string();
        }
        !path.is_empty()
    })
    .await;

    // connecting it opens the form instead of failing
    win.connect_service(&path);
    let form = form_of(&win, "the enterprise form").await;
    assert!(!form.is_editing());
    // bad input is said in words, and nothing is sent
    form.type_into("Identity", "lab[user]");
    form.save_button().emit_clicked();
    let said = form.message().expect("a refusal");
    assert!(said.contains("square brackets"), "{said}");
    form.type_into("Identity", "labuser");
    form.type_into("Anonymous identity", "anonymous@lab.test");
    form.type_into("Server domain", "lab.test");
    form.set_store_password(true);
    form.save_button().emit_clicked();
    assert!(
        form.message().is_some_and(|m| m.contains("password")),
        "{:?}",
        form.message()
    );
    form.type_into("Password", "labpass");
    form.save_button().emit_clicked();
    wait_until(20, "the form closes after saving", || {
        win.enterprise_form().is_none()
    })
    .await;
    wait_until(60, "LabEnterprise connected", || {
        client
            .state()
            .service(&path)
            .is_some_and(|s| s.immutable && s.is_connected())
    })
    .await;
    let files = lab.list_dir("/var/lib/connman").await.unwrap();
    assert!(
        files.iter().any(
            |f| f.starts_with("connie-4c6162456e7465727072697365.config") && f.contains(" 600 ")
        ),
        "{files:?}"
    );

    // editing shows what was stored; removing unprovisions it
    win.edit_service(&path);
    let form = form_of(&win, "the form, editing").await;
    wait_until(10, "the stored profile read", || form.is_editing()).await;
    assert_eq!(form.text_of("Identity"), "labuser");
    assert_eq!(form.text_of("Server domain"), "lab.test");
    let remove = form
        .remove_button()
        .expect("Remove on Connie's own profile");
    drop(form);
    remove.emit_clicked();
    let dialog = {
        let mut found = None;
        wait_until(10, "the remove question", || {
            found = gtk::Window::list_toplevels()
                .into_iter()
                .filter_map(|w| w.downcast::<adw::MessageDialog>().ok())
                .find(|d| d.is_visible());
            found.is_some()
        })
        .await;
        found.unwrap()
    };
    adw::prelude::MessageDialogExt::response(&dialog, "remove");
    wait_until(20, "LabEnterprise unprovisioned", || {
        client.state().service(&path).is_none_or(|s| !s.immutable)
    })
    .await;
    let files = lab.list_dir("/var/lib/connman").await.unwrap();
    assert!(!files.iter().any(|f| f.starts_with("connie-")), "{files:?}");
    win.close();
}
