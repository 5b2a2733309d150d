//! Connie, a desktop front-end for ConnMan.
//!
//! ```text
//! connie::run()
//!   Application (gio::Application, CnApplication): single instance, actions, --hidden
//!     Backend: zbus connection -> connman::Client (+ agents) -> events -> model::Models
//!     ui::agent::Presenter: agent requests, one dialog at a time (ui::agent::PassphraseDialog)
//!     first window or dialog: gtk::init() + adw::init(), then
//!     ui::Window (adw::Window, CnWindow)
//!       adw::ToastOverlay                              errors as sentences
//!         gtk::Stack (pages)
//!           "list"
//!             adw::HeaderBar: offline toggle | title (global state) | menu
//!             gtk::Stack
//!               "starting"  a spinner while the client connects
//!               "no-bus"    adw::StatusPage: the system bus cannot be reached
//!               "down"      adw::StatusPage: ConnMan is not running, how to start it
//!               "main"      gtk::ListBox of ui::TechnologyRow (power, rescan)
//!                           VPN section: gtk::ListBox of ui::VpnRow over model::VpnList
//!                           gtk::GridView (one column) of ui::ServiceRow over model::ServiceList
//!                             (row menu, drag and drop by model::moves' rules)
//!           "details"   ui::ServiceDetails, live; its traffic group (ui::traffic) registers
//!                       connmand's counter only while it shows
//!     ui::HotspotWindow (menu: Share Connection): tethering switches, Wi-Fi hotspot name,
//!       password, channel, and ui::qr_code (the join code, model::hotspot)
//!     ui::clock::ClockWindow (menu: Date & Time, when connmand has net.connman.Clock)
//!   tray: tray::look (what the icon shows, pure) -> tray::item (ksni StatusNotifierItem)
//! ```
//!
//! Data flow: zbus runs on its own threads; the client applies connmand's
//! signals to its `State` and sends `Event`s that carry the changed values;
//! one future on the GLib main context applies them to the models, without
//! the client's lock; widgets follow the models through notifications and
//! `items-changed`. Actions call the client from futures on
//! the main context, never blocking it. GTK is not initialised until a
//! window is needed: the client and the models run without it.

// one logging setup (`log`): nothing in the app prints to stderr by hand
#![warn(clippy::print_stderr)]

pub mod application;
pub mod backend;
pub mod config;
pub mod connman;
pub mod i18n;
pub mod log;
pub mod memory;
pub mod model;
pub mod notify;
pub mod prefs;
pub mod text;
pub mod tray;
pub mod ui;
pub mod vpn;

/// Runs the application.
pub fn run() -> glib::ExitCode {
    use gio::prelude::*;
    application::Application::new().run()
}
