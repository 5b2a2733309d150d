//! The command line of the real `connie` binary where there is nothing to
//! connect to: `--help` and `--version` answer without a display, a session
//! bus or connmand, and an unknown option is refused.

use std::process::{Command, Output};

/// Runs connie with `args` and no display, no session bus and a system bus
/// that does not exist.
fn connie(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connie"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            "unix:path=/nonexistent/connie-test",
        )
        .env("LANGUAGE", "C")
        .env("LC_ALL", "C")
        .output()
        .expect("run connie")
}

#[test]
fn version_needs_nothing() {
    let out = connie(&["--version"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("connie {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn help_lists_the_options_and_needs_nothing() {
    let out = connie(&["--help"]);
    assert!(out.status.success(), "{out:?}");
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--hidden",
        "--no-tray",
        "--show=NAME",
        "--debug",
        "--version",
    ] {
        assert!(help.contains(option), "{option} in {help}");
    }
    assert!(help.contains("ConnMan"), "the summary: {help}");
    let short = connie(&["-h"]);
    assert!(short.status.success(), "{short:?}");
    assert_eq!(short.stdout, out.stdout);
}

#[test]
fn an_unknown_option_is_refused() {
    let out = connie(&["--no-such-option"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no-such-option"),
        "{out:?}"
    );
}
