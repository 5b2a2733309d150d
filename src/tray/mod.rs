//! The tray icon (StatusNotifierItem). [`look`] decides what it shows, as
//! plain data; the ksni item that serves it is built on that.

pub mod look;
