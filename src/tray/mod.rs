//! The tray icon (StatusNotifierItem). [`look`] decides what it shows, as
//! plain data; [`item`] serves that through ksni, whose callbacks only send
//! commands back to the main context.

pub mod controller;
pub mod icons;
pub mod item;
pub mod look;
