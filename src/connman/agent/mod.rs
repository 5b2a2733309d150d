//! Connie's agents: `net.connman.Agent` and `net.connman.vpn.Agent`, served on the client's
//! own bus connection.
//!
//! # Data flow
//!
//! ```text
//! connmand ──RequestInput──> ConnmanAgent (zbus task) ──AgentRequest::Input{request, reply}──> UI
//!    ^                            │ awaits the reply slot (bounded(1), used as a oneshot)     │
//!    └──── a{sv} or an error ─────┘ <──────────── Responder::send(InputReply) ────────────────┘
//! ```
//!
//! Every incoming call becomes an [`AgentRequest`] on the channel that [`serve`] returns; the
//! D-Bus method then awaits the answer without blocking anything (zbus runs each method call in
//! a task of its own). The UI answers through the [`Responder`] inside the request, whenever it
//! likes; dropping a responder unanswered answers for it ([`Unanswered`]: `Canceled` for input
//! and the browser, a plain return for errors).
//!
//! # Cancel
//!
//! connmand calls `Cancel()` when it gives up on the request it is waiting for; in 1.41 that
//! is seen in the same millisecond as `ReportError(invalid-key)`. A `Cancel` answers every
//! call still pending on that agent with its unanswered value (the UI's later answer goes
//! nowhere, [`Responder::is_moot`] tells), and reaches the UI as [`AgentRequest::Cancel`] so
//! that it closes the open prompt. connmand sends at most one request at a time to an agent,
//! so there is at most one prompt per [`AgentKind`] to close.
//!
//! Not every end is announced. After `InputRequestTimeout` connmand 1.41 sends *no* `Cancel`
//! (it sends one only for a `Timeout`/`TimedOut` error, while libdbus reports an expired call
//! as `NoReply`, seen in the lab): its `Connect` fails and the prompt would stay open. The
//! caller of `Connect` therefore calls [`AgentHandle::cancel_service`] when `Connect` fails,
//! and [`AgentHandle::cancel_pending`] when the daemon's bus name loses its owner. zbus may start the task of a
//! call after the task of the `Cancel` that followed it; calls are therefore ordered by their
//! D-Bus serial: a call from the same sender with a lower serial than the last `Cancel` is
//! answered at once. Such an `Input` or `RequestBrowser` is not shown at all; a `ReportError`
//! still reaches the UI (it says what went wrong) with a moot responder.
//!
//! # Who may call
//!
//! Any process on the system bus can call our objects. Only the current owner of
//! `net.connman` (for the VPN agent, of `net.connman.vpn`) is answered; everyone else gets
//! `org.freedesktop.DBus.Error.AccessDenied` (and one line on stderr), so no other process can
//! pop up a fake passphrase prompt. The owners are kept in [`AgentOwners`], which the client
//! updates from `NameOwnerChanged`; while an owner is unknown, that agent refuses everyone.
//!
//! # Secrets
//!
//! Answers are [`Secret`]s: `Debug` and `Display` print `***`, and the bytes are overwritten
//! when the value is dropped. Nothing in this module logs a field value. The reply dict
//! ([`ReplyDict`]) borrows the secrets and is serialized straight into the reply message, then
//! dropped with them. Limits, honestly: zbus serializes the reply into a message buffer, and the
//! request (with `PreviousPassphrase`) arrives in one; neither buffer is wiped. The kernel's
//! socket buffers, dbus-daemon and connmand hold copies too, and so does whatever widget the
//! person typed into. Wiping shortens the life of our own copies; it is not a guarantee.
//!
//! The module's parts: [`request`] (what the daemons ask), [`secret`] (the answers' values),
//! [`reply`] (the UI's answers and what goes on the wire), [`owners`] (who may call),
//! [`server`] (the zbus objects and [`serve`]). Everything is re-exported here.

pub mod owners;
pub mod reply;
pub mod request;
pub mod secret;
pub mod server;
#[cfg(test)]
mod test_util;

pub use owners::*;
pub use reply::*;
pub use request::*;
pub use secret::*;
pub use server::*;

/// Where the `net.connman.Agent` object is served.
pub const AGENT_PATH: &str = "/io/github/connie/Agent";
/// Where the `net.connman.vpn.Agent` object is served.
pub const VPN_AGENT_PATH: &str = "/io/github/connie/VpnAgent";
