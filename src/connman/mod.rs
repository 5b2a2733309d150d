//! The typed D-Bus layer over connmand and connman-vpnd. Never imports GTK, adw or GLib: only
//! std and zbus, so that it can be tested without a display and reused by a tray-only process.
//!
//! - [`types`]: enums and property dicts, parsed leniently and validated; the exact values
//!   `SetProperty` expects.
//! - [`error`]: connmand's error names mapped to [`ConnmanError`], with sentences for people.

pub mod agent;
pub mod client;
pub mod counter;
pub mod error;
pub mod proxies;
pub mod state;
pub mod types;

pub use error::ConnmanError;
pub use types::{
    service_id, strength_level, ClockProps, ClockSetting, ManagerProps, ManagerSetting,
    ManagerState, ParseIssue, PropertyDict, ServiceError, ServiceProps, ServiceSetting,
    ServiceState, ServiceType, SettingError, TechnologyProps, TechnologySetting, TechnologyType,
    VpnConnectionProps, VpnState,
};
