//! Connie's provisioning helper (`connie-provision`) against the lab: the
//! real helper, run as root inside the lab's namespaces (so its
//! /var/lib/connman is the lab's), a real polkitd on the lab's bus that
//! knows only Connie's action and decides by a rule the test sets, and the
//! real connmand reading what the helper wrote.

mod common;

use std::collections::HashMap;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use common::*;
use connie_provision::profile::ssid_hex;
use connie_provision::{Profile, Provision1Proxy};
use connman_lab::{Lab, LabOptions};
use zbus::zvariant::Fd;

const POLICY: &str = include_str!("../data/provision/io.github.connie.Connie.policy");
const BUS_POLICY: &str = include_str!("../data/provision/io.github.connie.Provision.conf");
const ALLOW: &str = r#"polkit.addRule(function(action, subject) {
    if (action.id == "io.github.connie.Connie.provision") {
        return polkit.Result.YES;
    }
});"#;
/// No rule: the action's own defaults decide (no for a caller outside an
/// active session, as the lab's callers are).
const NO_RULE: &str = "// the shipped defaults decide\n";
const DENY: &str = r#"polkit.addRule(function(action, subject) {
    if (action.id == "io.github.connie.Connie.provision") {
        return polkit.Result.NO;
    }
});"#;
/// The helper's certificate directory in the lab (a private tmpfs there).
const CERT_DIR: &str = "/run/connman/connie-provision";

/// target/debug/connie-provision, next to the test's directory.
fn helper_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|d| d.join("connie-provision"))
        .find(|p| p.is_file())
        .expect("connie-provision is not built: cargo build --workspace --all-targets")
}

fn peap(identity: &str) -> Profile {
    Profile {
        ssid: b"LabEnterprise".to_vec(),
        eap: "peap".into(),
        phase2: "MSCHAPV2".into(),
        identity: identity.into(),
        anonymous_identity: "anonymous@lab.test".into(),
        ca: "file".into(),
        domain: "radius.lab.test".into(),
        store_password: true,
        password: "labpass".into(),
        key_passphrase: String::new(),
    }
}

/// The unprivileged caller: `nobody`.
const NOBODY: u32 = 65534;

/// A connection to the lab's bus as `nobody`. polkit authorizes uid 0
/// without consulting any rule, so the rules are tested with an
/// unprivileged caller, as Connie is. The socket is connected from a thread
/// that has taken nobody's credentials (Linux keeps credentials per thread
/// at the syscall level); the bus reads the caller's identity from the
/// socket (SO_PEERCRED), and zbus says the same uid in its handshake.
async fn connect_as_nobody(address: &str) -> zbus::Connection {
    let path = address
        .strip_prefix("unix:path=")
        .expect("a unix:path= bus address")
        .to_owned();
    let stream = std::thread::spawn(move || {
        use rustix::process::{Gid, Uid};
        use rustix::thread::{set_thread_groups, set_thread_res_gid, set_thread_res_uid};
        let (u, g) = (Uid::from_raw(NOBODY), Gid::from_raw(NOBODY));
        set_thread_groups(&[]).expect("drop groups");
        set_thread_res_gid(g, g, g).expect("setresgid");
        set_thread_res_uid(u, u, u).expect("setresuid");
        std::os::unix::net::UnixStream::connect(path)
    })
    .join()
    .expect("the connecting thread")
    .expect("connect to the lab's bus as nobody");
    zbus::connection::Builder::async_io_unix_stream(stream)
        .user_id(NOBODY)
        .build()
        .await
        .expect("the bus accepts nobody")
}

/// A real self-signed certificate for `subject` and its (unencrypted) key,
/// made with openssl in `dir` as `NAME.pem` and `NAME.key`.
fn make_cert(dir: &Path, name: &str, subject: &str) -> (PathBuf, PathBuf) {
    let (key, cert) = (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pem")),
    );
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", subject, "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "openssl: {out:?}");
    (cert, key)
}

/// The lab's /var/lib/connman without what connmand keeps there itself
/// (its `settings` and a directory per service it has seen, which change as
/// it works): what is left is what the helper could have touched.
async fn connman_dir(lab: &Lab) -> Vec<String> {
    lab.list_dir("/var/lib/connman")
        .await
        .expect("list /var/lib/connman")
        .into_iter()
        .filter(|e| {
            let connmands =
                e.starts_with("settings file:") || (e.starts_with("wifi_") && e.contains(" dir "));
            !connmands
        })
        .collect()
}

async fn save(
    helper: &Provision1Proxy<'_>,
    profile: &Profile,
    files: &[(&str, &std::fs::File)],
) -> zbus::Result<()> {
    let map: HashMap<&str, Fd<'_>> = files
        .iter()
        .map(|(k, f)| (*k, Fd::from(f.as_fd())))
        .collect();
    helper.save(profile, map).await
}

fn error_name(r: &zbus::Result<()>) -> String {
    match r {
        Err(zbus::Error::MethodError(name, _, _)) => name.to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn the_helper_provisions_the_lab_network_only_when_polkit_says_yes() {
    let Some(lab) = Lab::for_test(LabOptions {
        ethernet: 0,
        wifi: true,
        online_check: false,
        ..Default::default()
    }) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (ca_path, _) = make_cert(tmp.path(), "ca", "/CN=Lab RADIUS CA");
    let ca = std::fs::File::open(&ca_path).unwrap();
    let hex = ssid_hex(b"LabEnterprise");
    let ours = format!("/var/lib/connman/connie-{hex}.config");
    zbus::block_on(async {
        let t0 = std::time::Instant::now();
        lab.start_polkit(POLICY, DENY)
            .await
            .expect("polkitd starts in the lab");
        let polkit_ms = t0.elapsed().as_millis();
        let helper_bin = helper_binary();
        let args = ["--cert-dir", CERT_DIR, "--idle-exit", "0"];
        lab.start_helper(&helper_bin, &args, BUS_POLICY)
            .await
            .expect("the helper starts in the lab");
        eprintln!("polkitd owned its name after {polkit_ms} ms");
        let conn = lab.connect().await.expect("connect to the lab bus");
        let nobody = connect_as_nobody(lab.bus_address()).await;
        let helper = Provision1Proxy::new(&nobody).await.unwrap();
        let creds = zbus::fdo::DBusProxy::new(&conn)
            .await
            .unwrap()
            .get_connection_unix_user(nobody.unique_name().unwrap().clone().into())
            .await
            .unwrap();
        assert_eq!(creds, NOBODY, "the bus sees the caller as nobody");
        power_on(&conn, "wifi").await;
        scan(&conn, "wifi").await;
        let (eap, props) = service_named(&conn, "LabEnterprise", 20).await;
        assert_eq!(
            props
                .get("Immutable")
                .map(|v| bool::try_from(v.clone()).unwrap()),
            Some(false)
        );
        let before = connman_dir(&lab).await;
        let unchanged = |what: &str, now: Vec<String>| {
            assert_eq!(now, before, "{what} changed /var/lib/connman");
        };

        // polkit's rule says no: nothing is written
        let r = save(&helper, &peap("labuser"), &[("ca-cert", &ca)]).await;
        assert_eq!(
            error_name(&r),
            "org.freedesktop.DBus.Error.AccessDenied",
            "{r:?}"
        );
        unchanged("a denied Save", connman_dir(&lab).await);
        let r = helper.remove(b"LabEnterprise").await;
        assert_eq!(
            error_name(&r),
            "org.freedesktop.DBus.Error.AccessDenied",
            "{r:?}"
        );
        // no rule: the shipped defaults say no outside an active session
        lab.start_polkit(POLICY, NO_RULE)
            .await
            .expect("polkitd restarts");
        let r = save(&helper, &peap("labuser"), &[("ca-cert", &ca)]).await;
        assert_eq!(
            error_name(&r),
            "org.freedesktop.DBus.Error.AccessDenied",
            "{r:?}"
        );
        unchanged("a Save outside a session", connman_dir(&lab).await);
        let log = lab.log("connie-provision").await.unwrap();
        assert_eq!(log.matches("polkit refused").count(), 3, "{log}");

        // bad input is refused before polkit is even asked (a NUL cannot be
        // sent at all: D-Bus strings have none, and the bus disconnects a
        // peer that tries; the unit tests check the helper refuses it too)
        let mut bad_inputs: Vec<(&str, Profile)> = vec![
            ("a line break", peap("labuser\nEAP = tls")),
            ("a bracket", peap("[service_evil]")),
            ("an oversized identity", peap(&"x".repeat(100_000))),
        ];
        let mut p = peap("labuser");
        p.domain = "lab.test\nCACertFile = /etc/shadow".into();
        bad_inputs.push(("a domain with a line break", p));
        let mut p = peap("labuser");
        p.phase2 = "PAP".into();
        bad_inputs.push(("PAP inside PEAP", p));
        let mut p = peap("labuser");
        p.ssid = vec![b'x'; 33];
        bad_inputs.push(("a 33-byte SSID", p));
        for (what, p) in &bad_inputs {
            let r = save(&helper, p, &[("ca-cert", &ca)]).await;
            assert_eq!(
                error_name(&r),
                "org.freedesktop.DBus.Error.InvalidArgs",
                "{what}: {r:?}"
            );
        }
        // a file name instead of a role, a script instead of a certificate,
        // an oversized certificate, a directory
        let script = tmp.path().join("evil.sh");
        std::fs::write(&script, "#!/bin/sh\nrm -rf /\n").unwrap();
        let big = tmp.path().join("big.pem");
        std::fs::write(&big, vec![b'A'; 70 * 1024]).unwrap();
        let script_f = std::fs::File::open(&script).unwrap();
        let big_f = std::fs::File::open(&big).unwrap();
        let dir_f = std::fs::File::open(tmp.path()).unwrap();
        for (what, files) in [
            ("a path as the file's role", vec![("../../etc/shadow", &ca)]),
            ("a script", vec![("ca-cert", &script_f)]),
            ("a 70 KiB file", vec![("ca-cert", &big_f)]),
            ("a directory", vec![("ca-cert", &dir_f)]),
            ("no CA file", vec![]),
        ] {
            let r = save(&helper, &peap("labuser"), &files).await;
            assert!(
                matches!(
                    error_name(&r).as_str(),
                    "org.freedesktop.DBus.Error.InvalidArgs"
                        | "org.freedesktop.DBus.Error.AccessDenied"
                ),
                "{what}: {r:?}"
            );
        }
        unchanged("refused input", connman_dir(&lab).await);

        // polkit says yes from now on
        lab.start_polkit(POLICY, ALLOW)
            .await
            .expect("polkitd restarts");
        for (what, files) in [
            ("a script", vec![("ca-cert", &script_f)]),
            ("a 70 KiB file", vec![("ca-cert", &big_f)]),
            ("a directory", vec![("ca-cert", &dir_f)]),
            ("no CA file", vec![]),
        ] {
            let r = save(&helper, &peap("labuser"), &files).await;
            assert_eq!(
                error_name(&r),
                "org.freedesktop.DBus.Error.InvalidArgs",
                "{what} (authorized): {r:?}"
            );
        }
        unchanged("refused files", connman_dir(&lab).await);

        // a symlink in place of its file is left alone, and so is its target
        lab.provision_service("victim", "precious\n").await.unwrap();
        lab.plant_symlink(&ours, "/var/lib/connman/victim.config")
            .await
            .unwrap();
        let planted = connman_dir(&lab).await;
        let r = save(&helper, &peap("labuser"), &[("ca-cert", &ca)]).await;
        assert_eq!(
            error_name(&r),
            "org.freedesktop.DBus.Error.InvalidArgs",
            "{r:?}"
        );
        let r = helper.remove(b"LabEnterprise").await;
        assert_eq!(
            error_name(&r),
            "org.freedesktop.DBus.Error.InvalidArgs",
            "{r:?}"
        );
        assert_eq!(connman_dir(&lab).await, planted);
        lab.unprovision_service(&format!("connie-{hex}"))
            .await
            .unwrap();
        lab.unprovision_service("victim").await.unwrap();
        unchanged("the symlink trick", connman_dir(&lab).await);

        // authorized and valid: the file makes connmand connect
        let t0 = std::time::Instant::now();
        save(&helper, &peap("labuser"), &[("ca-cert", &ca)])
            .await
            .expect("an authorized Save");
        eprintln!("Save took {} ms", t0.elapsed().as_millis());
        let after = connman_dir(&lab).await;
        let added: Vec<&String> = after.iter().filter(|e| !before.contains(e)).collect();
        assert_eq!(added.len(), 1, "{after:?}");
        assert!(
            added[0].starts_with(&format!("connie-{hex}.config file:"))
                && added[0].contains(" 600 ")
                && added[0].ends_with(" uid=0"),
            "{added:?}"
        );
        assert!(before.iter().all(|e| after.contains(e)), "{after:?}");
        let certs = lab.list_dir(CERT_DIR).await.unwrap();
        assert_eq!(certs.len(), 1, "{certs:?}");
        assert!(
            certs[0].starts_with(&format!("connie-{hex}-ca.pem file:"))
                && certs[0].contains(" 600 ")
        );

        let (eap2, _) = service_where(&conn, "LabEnterprise provisioned", 20, |p, props| {
            p == eap
                && props
                    .get("Immutable")
                    .and_then(|v| bool::try_from(v.clone()).ok())
                    .unwrap_or(false)
        })
        .await;
        let t0 = std::time::Instant::now();
        let connect = start_connect(&conn, &eap2);
        let result = within(60, "Connect (provisioned by the helper)", connect).await;
        eprintln!("Connect: {result:?}");
        let props = wait_connected(&conn, &eap2, 30).await;
        eprintln!("connected in {} ms", t0.elapsed().as_millis());
        assert!(
            string(&props, "State").is_some(),
            "connected to LabEnterprise: {props:?}"
        );
        // what connmand gave wpa_supplicant, from the helper's file
        let log = lab.wifi_log().await.unwrap();
        let added = log
            .iter()
            .rfind(|l| l.contains("AddNetwork") && l.contains("LabEnterprise"))
            .unwrap_or_else(|| panic!("no AddNetwork for LabEnterprise: {log:#?}"));
        for arg in [
            "eap=PEAP",
            "identity=labuser",
            "anonymous_identity=anonymous@lab.test",
            "phase2=auth=MSCHAPV2",
            "domain_suffix_match=radius.lab.test",
            &format!("ca_cert={CERT_DIR}/connie-{hex}-ca.pem"),
            "password=***",
        ] {
            assert!(added.split(' ').any(|a| a == arg), "{arg} in {added}");
        }

        // the profile reads back without its secret
        let stored = helper.profiles().await.unwrap();
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0].ssid, b"LabEnterprise");
        assert_eq!(stored[0].identity, "labuser");
        assert!(stored[0].password_stored);
        assert!(!format!("{stored:?}").contains("labpass"));

        // removing it removes exactly its files
        helper.remove(b"LabEnterprise").await.expect("Remove");
        unchanged("Remove", connman_dir(&lab).await);
        assert!(lab.list_dir(CERT_DIR).await.unwrap().is_empty());
        // TLS: the client's certificate and key are copied next to the CA
        let (client_cert, client_key) = make_cert(tmp.path(), "client", "/CN=labuser");
        let (cert_f, key_f) = (
            std::fs::File::open(&client_cert).unwrap(),
            std::fs::File::open(&client_key).unwrap(),
        );
        let tls = Profile {
            eap: "tls".into(),
            phase2: String::new(),
            store_password: false,
            password: String::new(),
            key_passphrase: "keypass".into(),
            ..peap("labuser")
        };
        let r = save(&helper, &tls, &[("ca-cert", &ca), ("client-cert", &cert_f)]).await;
        assert_eq!(
            error_name(&r),
            "org.freedesktop.DBus.Error.InvalidArgs",
            "no key: {r:?}"
        );
        let r = save(
            &helper,
            &tls,
            &[
                ("ca-cert", &ca),
                ("client-cert", &key_f),
                ("private-key", &cert_f),
            ],
        )
        .await;
        assert_eq!(
            error_name(&r),
            "org.freedesktop.DBus.Error.InvalidArgs",
            "swapped: {r:?}"
        );
        assert!(lab.list_dir(CERT_DIR).await.unwrap().is_empty());
        save(
            &helper,
            &tls,
            &[
                ("ca-cert", &ca),
                ("client-cert", &cert_f),
                ("private-key", &key_f),
            ],
        )
        .await
        .expect("a TLS Save");
        let certs = lab.list_dir(CERT_DIR).await.unwrap();
        let names: Vec<&str> = certs.iter().map(|c| c.split(' ').next().unwrap()).collect();
        assert_eq!(
            names,
            [
                format!("connie-{hex}-ca.pem"),
                format!("connie-{hex}-client.pem"),
                format!("connie-{hex}-key.pem"),
            ],
            "{certs:?}"
        );
        assert!(certs
            .iter()
            .all(|c| c.contains(" 600 ") && c.ends_with("uid=0")));
        // edited to the system's certificates, the key's password kept: the
        // CA copy goes, the client's files stay
        let edited = Profile {
            ca: "system".into(),
            key_passphrase: String::new(),
            ..tls.clone()
        };
        save(&helper, &edited, &[])
            .await
            .expect("an edit keeping the files");
        let stored = helper.profiles().await.unwrap();
        assert_eq!(stored[0].eap, "tls");
        assert_eq!(stored[0].ca, "system");
        assert!(stored[0].key_passphrase_stored);
        assert_eq!(lab.list_dir(CERT_DIR).await.unwrap().len(), 2);
        helper.remove(b"LabEnterprise").await.expect("Remove (TLS)");
        unchanged("Remove (TLS)", connman_dir(&lab).await);
        assert!(lab.list_dir(CERT_DIR).await.unwrap().is_empty());

        let log = lab.log("connie-provision").await.unwrap();
        assert!(
            !log.contains("labpass") && !log.contains("keypass"),
            "{log}"
        );
    });
}
