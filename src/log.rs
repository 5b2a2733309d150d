//! One logging setup for the whole app: `tracing`, written to stderr.
//!
//! Quiet by default: only warnings and errors (something a person may want
//! to know, such as "no system tray" or "cannot reach the system bus").
//! `--debug` shows Connie's debug messages too (every failed action with
//! connmand's error, refused agent calls, ignored signals); `RUST_LOG`, when
//! set, decides alone (e.g. `RUST_LOG=connie=trace,zbus=debug`).
//!
//! Secrets are never logged: passphrases, passwords and keys only ever
//! travel in the agent's reply types, which do not print them.

use tracing_subscriber::EnvFilter;

/// The filter when `RUST_LOG` is not set.
fn default_filter(debug: bool) -> &'static str {
    if debug {
        "warn,connie=debug"
    } else {
        "warn"
    }
}

/// Whether the command line asks for `--debug` (read before GApplication
/// parses it, so that the first messages are seen too).
pub fn debug_requested(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    args.into_iter()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--debug")
}

/// Installs the logger; a second call does nothing.
pub fn init(debug: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter(debug)));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<std::ffi::OsString> {
        a.iter().map(Into::into).collect()
    }

    #[test]
    fn debug_is_an_option_not_an_argument() {
        assert!(debug_requested(args(&["connie", "--debug"])));
        assert!(debug_requested(args(&["connie", "--hidden", "--debug"])));
        assert!(!debug_requested(args(&["connie"])));
        assert!(
            !debug_requested(args(&["--debug"])),
            "argv[0] is the program"
        );
        assert!(!debug_requested(args(&["connie", "--", "--debug"])));
    }

    #[test]
    fn quiet_unless_asked() {
        assert_eq!(default_filter(false), "warn");
        assert!(default_filter(true).contains("connie=debug"));
    }
}
