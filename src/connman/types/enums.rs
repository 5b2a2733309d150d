//! connmand's string enums: each known spelling as a variant, anything else kept verbatim.

use std::fmt;

// ---------------------------------------------------------------------------------------------
// String enums
// ---------------------------------------------------------------------------------------------

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident (default $default:expr) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of Connie does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every known value, in connmand's documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// Parses connmand's spelling. Unknown values are kept in `Unknown`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $( $text $(| $alias)* => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// connmand's spelling (what goes on the wire).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Unknown(s) => s.as_str(),
                }
            }

            /// Whether this is a value Connie does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $default
            }
        }

        impl fmt::Display for $name {
            /// The wire spelling, not a translated label.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }
    };
}

/// Also used for the agents' field types and requirements.
pub(crate) use string_enum;

string_enum! {
    /// `Service.State`.
    pub enum ServiceState (default Self::Idle) {
        Idle = "idle",
        Failure = "failure",
        Association = "association",
        Configuration = "configuration",
        Ready = "ready",
        Disconnect = "disconnect",
        /// Ready, and the online check (HTTP) succeeded.
        Online = "online",
    }
}

impl ServiceState {
    /// `ready` or `online`: treat `ready` as connected (the online check may be off).
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Ready | Self::Online)
    }

    /// `association` or `configuration`.
    pub fn is_connecting(&self) -> bool {
        matches!(self, Self::Association | Self::Configuration)
    }

    /// `failure`: only then does `Service.Error` mean something.
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failure)
    }
}

string_enum! {
    /// `Manager.State`, the global state.
    pub enum ManagerState (default Self::Idle) {
        Offline = "offline",
        Idle = "idle",
        Ready = "ready",
        Online = "online",
    }
}

impl ManagerState {
    /// `ready` or `online`.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Ready | Self::Online)
    }
}

string_enum! {
    /// `Service.Type` and `Technology.Type`.
    pub enum ServiceType (default Self::Unknown(String::new())) {
        Ethernet = "ethernet",
        Wifi = "wifi",
        Bluetooth = "bluetooth",
        Cellular = "cellular",
        Gadget = "gadget",
        P2p = "p2p",
        Vpn = "vpn",
        System = "system",
        Gps = "gps",
    }
}

/// Technologies use the same type names as services.
pub type TechnologyType = ServiceType;

string_enum! {
    /// One entry of `Service.Security` (a service carries a list).
    pub enum Security (default Self::None) {
        None = "none",
        Wep = "wep",
        /// WPA/WPA2/WPA3 personal (connmand folds wpa and rsn into psk).
        Psk = "psk",
        /// Enterprise: needs a provisioning file.
        Ieee8021x = "ieee8021x",
        /// The access point supports WPS (listed next to the real security).
        Wps = "wps",
        /// The access point is advertising WPS right now (push-button active).
        WpsAdvertising = "wps_advertising",
    }
}

impl Security {
    /// `wps` and `wps_advertising` describe a way in, not the protection of the network.
    pub fn is_wps(&self) -> bool {
        matches!(self, Self::Wps | Self::WpsAdvertising)
    }
}

string_enum! {
    /// `Service.Error`: meaningful only while the state is `failure`.
    /// Sentences and retry advice are in [`crate::connman::error`].
    pub enum ServiceError (default Self::Unknown(String::new())) {
        OutOfRange = "out-of-range",
        PinMissing = "pin-missing",
        DhcpFailed = "dhcp-failed",
        ConnectFailed = "connect-failed",
        LoginFailed = "login-failed",
        AuthFailed = "auth-failed",
        InvalidKey = "invalid-key",
        Blocked = "blocked",
        OnlineCheckFailed = "online-check-failed",
    }
}

string_enum! {
    /// `IPv4.Method` / `IPv4.Configuration.Method`.
    pub enum Ipv4Method (default Self::Unknown(String::new())) {
        Dhcp = "dhcp",
        Manual = "manual",
        /// IPv4 link-local after DHCP failed (read only; cannot be set).
        Auto = "auto",
        Off = "off",
        /// Given by the network (cellular); cannot be changed.
        Fixed = "fixed",
    }
}

string_enum! {
    /// `IPv6.Method` / `IPv6.Configuration.Method`.
    pub enum Ipv6Method (default Self::Unknown(String::new())) {
        Auto = "auto",
        Manual = "manual",
        /// A 6to4 tunnel made by connmand (read only; cannot be set).
        SixToFour = "6to4",
        Off = "off",
        /// Given by the network (cellular); cannot be changed.
        Fixed = "fixed",
    }
}

string_enum! {
    /// `IPv6.Privacy` (RFC 4941). connmand spells the third value `prefered`; newer
    /// versions also accept `preferred` on input, so both parse, and `prefered` is sent.
    pub enum Ipv6Privacy (default Self::Disabled) {
        Disabled = "disabled",
        /// Temporary addresses exist, public ones are preferred.
        Enabled = "enabled",
        /// Temporary addresses are preferred.
        Prefered = "prefered" | "preferred",
    }
}

string_enum! {
    /// `Proxy.Method`.
    pub enum ProxyMethod (default Self::Unknown(String::new())) {
        Direct = "direct",
        /// PAC file from `URL`, or WPAD/DHCP when there is none.
        Auto = "auto",
        Manual = "manual",
    }
}

string_enum! {
    /// `Ethernet.Method` (connmand always says `auto` today).
    pub enum EthernetMethod (default Self::Unknown(String::new())) {
        Auto = "auto",
        Manual = "manual",
    }
}

string_enum! {
    /// `net.connman.vpn.Connection.State` (connman-vpnd has no `association`, no `online`).
    pub enum VpnState (default Self::Idle) {
        Idle = "idle",
        Failure = "failure",
        Configuration = "configuration",
        Ready = "ready",
        Disconnect = "disconnect",
    }
}

impl VpnState {
    /// `ready`.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Ready)
    }

    /// `configuration`.
    pub fn is_connecting(&self) -> bool {
        matches!(self, Self::Configuration)
    }
}

string_enum! {
    /// `Clock.TimeUpdates` and `Clock.TimezoneUpdates`.
    pub enum UpdatePolicy (default Self::Unknown(String::new())) {
        Auto = "auto",
        Manual = "manual",
    }
}
