//! The GUI agent: what connmand and connman-vpnd ask the person (passphrases,
//! hidden network names, 802.1X identities, hotspot and VPN logins, captive
//! portals), shown one at a time whether the main window is open or not, and
//! the errors they report, in words.
//!
//! [`Presenter`] takes the [`crate::connman::agent::AgentRequest`]s on the
//! main context and owns the queue and the open dialog;
//! [`PassphraseDialog`] is the prompt for one `RequestInput`. Only the
//! daemons' bus owners reach this far (`connman::agent` refuses everyone
//! else), and every name is shown literally, so nobody can dress a prompt up.

mod passphrase_dialog;
mod presenter;

pub use passphrase_dialog::{field_title, problem_sentence, DialogText, PassphraseDialog};
pub use presenter::{default_launcher, Launcher, Presenter, FALLBACK_PORTAL_URL};
