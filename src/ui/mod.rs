//! The widgets. Nothing here may run before [`init`]: GTK and libadwaita
//! are initialised only when the first window is needed.

mod service_row;
mod technology_row;
pub mod text;
mod window;

use std::cell::Cell;

use gtk::prelude::*;

pub use service_row::ServiceRow;
pub use technology_row::TechnologyRow;
pub use window::Window;

/// The window's actions; `detailed()` is the name widgets and shortcuts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinAction {
    /// `s`: a service path.
    ConnectService,
    /// `s`: a service path (disconnects, or cancels a connect in progress).
    DisconnectService,
    /// `s`: a technology path.
    ScanTechnology,
    /// `(sb)`: a technology path and whether to power it.
    SetPowered,
    /// Scans for wifi networks.
    Rescan,
    About,
}

impl WinAction {
    pub fn detailed(self) -> &'static str {
        match self {
            WinAction::ConnectService => "win.connect-service",
            WinAction::DisconnectService => "win.disconnect-service",
            WinAction::ScanTechnology => "win.scan-technology",
            WinAction::SetPowered => "win.set-powered",
            WinAction::Rescan => "win.rescan",
            WinAction::About => "win.about",
        }
    }
}

thread_local! {
    static STYLED: Cell<bool> = const { Cell::new(false) };
}

/// Initialises GTK and libadwaita (once; later calls return at once) and
/// loads Connie's style. Call on the main thread, from the running main loop.
pub fn init() -> Result<(), glib::BoolError> {
    adw::init()?;
    if !STYLED.replace(true) {
        let css = gtk::CssProvider::new();
        css.load_from_data(include_str!("../../resources/style.css"));
        if let Some(display) = gtk::gdk::Display::default() {
            gtk::style_context_add_provider_for_display(
                &display,
                &css,
                gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
            );
        }
        ServiceRow::ensure_type();
        TechnologyRow::ensure_type();
        Window::ensure_type();
    }
    Ok(())
}
