//! Build-time configuration, with defaults so that a bare `cargo build` works.

pub const APP_ID: &str = match option_env!("CONNIE_APP_ID") {
    Some(id) => id,
    None => "io.github.connie.Connie",
};
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where the compiled translations are installed (`LANG/LC_MESSAGES/connie.mo`).
pub const LOCALEDIR: &str = match option_env!("CONNIE_LOCALEDIR") {
    Some(dir) => dir,
    None => "/usr/local/share/locale",
};
