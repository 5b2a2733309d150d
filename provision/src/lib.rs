//! Connie's 802.1X provisioning: the typed description of an enterprise
//! Wi-Fi network that the app sends, its validation, the ConnMan
//! provisioning file it becomes, and the writer that puts that file (and the
//! certificates it names) in place.
//!
//! The app uses [`profile`] and [`cert`] to check a form before sending it;
//! the privileged helper (`connie-provision`, the binary of this crate)
//! checks everything again, because it cannot trust its caller, and writes
//! with [`store`]. Nothing here links GTK.

pub mod cert;
pub mod profile;
pub mod store;

pub use profile::{CaChoice, Eap, Phase2, Profile, Refusal, Stored};

/// The helper's well-known name on the system bus.
pub const BUS_NAME: &str = "io.github.connie.Provision";
/// Its object and interface.
pub const PATH: &str = "/io/github/connie/Provision";
pub const INTERFACE: &str = "io.github.connie.Provision1";
/// The polkit action every change is checked against.
pub const ACTION: &str = "io.github.connie.Connie.provision";
/// Where connmand reads provisioning files.
pub const CONFIG_DIR: &str = "/var/lib/connman";
/// Where the helper keeps the certificates it copied (its own, root-only).
pub const CERT_DIR: &str = "/var/lib/connie-provision";
/// The system's certificate bundle, for "system certificates".
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The names of the files a caller may pass with `Save`.
pub const FILE_CA: &str = "ca-cert";
pub const FILE_CLIENT_CERT: &str = "client-cert";
pub const FILE_PRIVATE_KEY: &str = "private-key";

/// The client side of the helper's interface (the app's).
#[zbus::proxy(
    interface = "io.github.connie.Provision1",
    default_service = "io.github.connie.Provision",
    default_path = "/io/github/connie/Provision"
)]
pub trait Provision1 {
    /// Writes (or replaces) the provisioning file for `profile.ssid`. `files`
    /// maps [`FILE_CA`], [`FILE_CLIENT_CERT`], [`FILE_PRIVATE_KEY`] to open
    /// files, read by the caller with the caller's rights.
    fn save(
        &self,
        profile: &Profile,
        files: std::collections::HashMap<&str, zbus::zvariant::Fd<'_>>,
    ) -> zbus::Result<()>;
    /// Removes the file Connie wrote for `ssid` and its certificates.
    fn remove(&self, ssid: &[u8]) -> zbus::Result<()>;
    /// The profiles Connie wrote, without their secrets.
    fn profiles(&self) -> zbus::Result<Vec<Stored>>;
}
