//! The write side: the exact `(name, value)` pairs connmand's `SetProperty` expects,
//! validated first, with [`SettingError`] for what Connie refuses to send.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use zbus::zvariant::{Dict, Signature, Value};

use super::enums::*;
use super::{netmask_to_prefix, prefix_to_netmask, psk_passphrase_valid};
use crate::i18n::{gettext, gettext_f};

// ---------------------------------------------------------------------------------------------
// Write side
// ---------------------------------------------------------------------------------------------

/// A value for `SetProperty` that Connie refuses to send. The field names are connmand's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingError {
    /// Not an address of the right family, or not usable for a host
    /// (unspecified, broadcast, multicast, network or broadcast address of the subnet).
    InvalidAddress {
        field: &'static str,
        input: String,
    },
    /// Neither a contiguous dotted netmask nor a prefix length 1–32.
    InvalidNetmask {
        input: String,
    },
    /// Not a number in 1..=`max`.
    InvalidPrefixLength {
        input: String,
        max: u8,
    },
    GatewayIsAddress,
    /// An IPv4 gateway outside the address's subnet (`network` as `a.b.c.d/p`).
    GatewayNotInSubnet {
        network: String,
    },
    /// A field that must be filled in (manual address, netmask, prefix length).
    Missing {
        field: &'static str,
    },
    /// Not an IP address (connmand would drop it without a word).
    InvalidNameserver {
        input: String,
    },
    /// Not a host or domain name.
    InvalidHostname {
        field: &'static str,
        input: String,
    },
    EmptyProxyUrl,
    /// Not `scheme://…`.
    InvalidProxyUrl {
        input: String,
    },
    /// Manual proxy without servers.
    NoProxyServers,
    /// Empty, or containing spaces (connmand splits at spaces).
    InvalidProxyEntry {
        field: &'static str,
        input: String,
    },
    /// A value connmand does not know (e.g. an `Unknown` enum variant).
    UnsupportedValue {
        field: &'static str,
        value: String,
    },
    /// Hotspot name not 1–32 bytes.
    InvalidTetheringIdentifier,
    /// Hotspot passphrase not 8–63 characters or 64 hex digits.
    InvalidTetheringPassphrase,
    InvalidFrequency {
        value: i32,
    },
    InvalidTimezone {
        input: String,
    },
}

impl SettingError {
    /// The connmand key the error is about, for pointing at the right entry.
    pub fn field(&self) -> &'static str {
        match self {
            Self::InvalidAddress { field, .. }
            | Self::InvalidHostname { field, .. }
            | Self::InvalidProxyEntry { field, .. }
            | Self::UnsupportedValue { field, .. }
            | Self::Missing { field } => field,
            Self::InvalidNetmask { .. } => "Netmask",
            Self::InvalidPrefixLength { .. } => "PrefixLength",
            Self::GatewayIsAddress | Self::GatewayNotInSubnet { .. } => "Gateway",
            Self::InvalidNameserver { .. } => "Nameservers",
            Self::EmptyProxyUrl | Self::InvalidProxyUrl { .. } => "URL",
            Self::NoProxyServers => "Servers",
            Self::InvalidTetheringIdentifier => "TetheringIdentifier",
            Self::InvalidTetheringPassphrase => "TetheringPassphrase",
            Self::InvalidFrequency { .. } => "TetheringFreq",
            Self::InvalidTimezone { .. } => "Timezone",
        }
    }

    /// A short sentence for the person, translated. Inputs are quoted as
    /// typed; escape them if the sentence goes into markup.
    pub fn sentence(&self) -> String {
        match self {
            Self::InvalidAddress { input, .. } => {
                gettext_f("“{}” is not a usable address.", &[input])
            }
            Self::InvalidNetmask { input } => gettext_f(
                "“{}” is not a netmask (for example 255.255.255.0 or 24).",
                &[input],
            ),
            Self::InvalidPrefixLength { input, max } => gettext_f(
                "“{}” is not a prefix length between 1 and {}.",
                &[input, &max.to_string()],
            ),
            Self::GatewayIsAddress => gettext("The gateway cannot be this computer’s own address."),
            Self::GatewayNotInSubnet { network } => {
                gettext_f("The gateway is not in {}.", &[network])
            }
            Self::Missing { field } => match *field {
                "Netmask" => gettext("Enter a netmask (for example 255.255.255.0 or 24)."),
                "PrefixLength" => gettext("Enter a prefix length (for example 64)."),
                _ => gettext("Enter an address."),
            },
            Self::InvalidNameserver { input } => gettext_f("“{}” is not an IP address.", &[input]),
            Self::InvalidHostname { input, .. } => gettext_f("“{}” is not a valid name.", &[input]),
            Self::EmptyProxyUrl => gettext("Enter the address of the proxy configuration file."),
            Self::InvalidProxyUrl { input } => gettext_f(
                "“{}” is not a web address (for example http://example.com/proxy.pac).",
                &[input],
            ),
            Self::NoProxyServers => gettext("Enter at least one proxy server."),
            Self::InvalidProxyEntry { input, .. } => {
                gettext_f("“{}” cannot contain spaces.", &[input])
            }
            Self::UnsupportedValue { value, .. } => {
                gettext_f("“{}” is not a supported value.", &[value])
            }
            Self::InvalidTetheringIdentifier => {
                gettext("The hotspot name must be 1 to 32 bytes long.")
            }
            Self::InvalidTetheringPassphrase => gettext(
                "The hotspot password must be 8 to 63 characters long, or 64 hexadecimal digits.",
            ),
            Self::InvalidFrequency { value } => {
                gettext_f("{} MHz is not a valid frequency.", &[&value.to_string()])
            }
            Self::InvalidTimezone { input } => gettext_f("“{}” is not a time zone.", &[input]),
        }
    }
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field(), self.sentence())
    }
}

impl std::error::Error for SettingError {}

/// An `a{sv}` dict as connmand's `SetProperty` reads it: each value inside a variant.
fn sv_dict(entries: HashMap<&'static str, Value<'static>>) -> Value<'static> {
    let mut dict = Dict::new(&Signature::Str, &Signature::Variant);
    let mut entries: Vec<_> = entries.into_iter().collect();
    entries.sort_by_key(|(k, _)| *k);
    for (key, value) in entries {
        // Key `s` and value `v` always match the dict's signature: this cannot fail.
        let appended = dict.append(Value::from(key), Value::Value(Box::new(value)));
        debug_assert!(appended.is_ok());
    }
    Value::Dict(dict)
}

fn strings_value(list: &[String]) -> Value<'static> {
    Value::from(list.to_vec())
}

fn usable_ipv4(field: &'static str, addr: Ipv4Addr) -> Result<Ipv4Addr, SettingError> {
    if addr.is_unspecified() || addr.is_broadcast() || addr.is_multicast() {
        Err(SettingError::InvalidAddress {
            field,
            input: addr.to_string(),
        })
    } else {
        Ok(addr)
    }
}

fn usable_ipv6(field: &'static str, addr: Ipv6Addr) -> Result<Ipv6Addr, SettingError> {
    if addr.is_unspecified() || addr.is_multicast() {
        Err(SettingError::InvalidAddress {
            field,
            input: addr.to_string(),
        })
    } else {
        Ok(addr)
    }
}

fn parse_ipv4(field: &'static str, input: &str) -> Result<Ipv4Addr, SettingError> {
    let addr = input
        .trim()
        .parse::<Ipv4Addr>()
        .map_err(|_| SettingError::InvalidAddress {
            field,
            input: input.to_owned(),
        })?;
    usable_ipv4(field, addr)
}

fn parse_ipv6(field: &'static str, input: &str) -> Result<Ipv6Addr, SettingError> {
    let addr = input
        .trim()
        .parse::<Ipv6Addr>()
        .map_err(|_| SettingError::InvalidAddress {
            field,
            input: input.to_owned(),
        })?;
    usable_ipv6(field, addr)
}

/// `IPv4.Configuration`. connmand accepts only `dhcp`, `manual` and `off` here (`auto` and
/// `fixed` are read-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv4Config {
    Dhcp,
    Off,
    Manual {
        address: Ipv4Addr,
        /// 1–32; sent as a dotted `Netmask`.
        prefix_length: u8,
        gateway: Option<Ipv4Addr>,
    },
}

impl Ipv4Config {
    /// Builds a manual configuration from what the user typed. `netmask` may be dotted
    /// (`255.255.255.0`) or a prefix length (`24`, `/24`); an empty `gateway` means none.
    pub fn manual_from_input(
        address: &str,
        netmask: &str,
        gateway: &str,
    ) -> Result<Self, SettingError> {
        Self::check_input(address, netmask, gateway).map_err(|mut errors| errors.remove(0))
    }

    /// Like [`Self::manual_from_input`], with every field's error (at most one each,
    /// [`SettingError::field`] says which): for an editor that marks all of them at once.
    /// Beyond what connmand checks, the gateway must be in the address's subnet
    /// (but for point-to-point /31 and /32).
    pub fn check_input(
        address: &str,
        netmask: &str,
        gateway: &str,
    ) -> Result<Self, Vec<SettingError>> {
        let mut errors = Vec::new();
        let address = match address.trim() {
            "" => Err(SettingError::Missing { field: "Address" }),
            a => parse_ipv4("Address", a),
        }
        .map_err(|e| errors.push(e))
        .ok();
        let mask = netmask.trim();
        let bare = mask.strip_prefix('/').unwrap_or(mask);
        let prefix_length = if mask.is_empty() {
            errors.push(SettingError::Missing { field: "Netmask" });
            None
        } else {
            let prefix = if !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_digit()) {
                bare.parse::<u8>().ok().filter(|p| (1..=32).contains(p))
            } else {
                netmask_to_prefix(mask).filter(|p| *p >= 1)
            };
            if prefix.is_none() {
                errors.push(SettingError::InvalidNetmask {
                    input: netmask.to_owned(),
                });
            }
            prefix
        };
        let gateway = match gateway.trim() {
            "" => Ok(None),
            g => parse_ipv4("Gateway", g).map(Some),
        }
        .map_err(|e| errors.push(e))
        .ok();
        let (Some(address), Some(prefix_length), Some(gateway)) = (address, prefix_length, gateway)
        else {
            return Err(errors);
        };
        let config = Self::Manual {
            address,
            prefix_length,
            gateway,
        };
        if let Err(e) = config.validate() {
            return Err(vec![e]);
        }
        // (on point-to-point links, /31 and /32, the peer is outside)
        let subnet = prefix_to_netmask(prefix_length).filter(|_| prefix_length <= 30);
        if let (Some(gateway), Some(mask)) = (gateway, subnet) {
            let mask = u32::from(mask);
            if u32::from(gateway) & mask != u32::from(address) & mask {
                let network = Ipv4Addr::from(u32::from(address) & mask);
                return Err(vec![SettingError::GatewayNotInSubnet {
                    network: format!("{network}/{prefix_length}"),
                }]);
            }
        }
        Ok(config)
    }

    /// Checks a configuration built by hand.
    pub fn validate(&self) -> Result<(), SettingError> {
        let Self::Manual {
            address,
            prefix_length,
            gateway,
        } = self
        else {
            return Ok(());
        };
        usable_ipv4("Address", *address)?;
        let Some(mask) = prefix_to_netmask(*prefix_length).filter(|_| *prefix_length >= 1) else {
            return Err(SettingError::InvalidPrefixLength {
                input: prefix_length.to_string(),
                max: 32,
            });
        };
        let (addr, mask) = (u32::from(*address), u32::from(mask));
        // In subnets with a network and a broadcast address, neither is a host address.
        if *prefix_length <= 30 && (addr & !mask == 0 || addr | mask == u32::MAX) {
            return Err(SettingError::InvalidAddress {
                field: "Address",
                input: address.to_string(),
            });
        }
        if let Some(gateway) = gateway {
            usable_ipv4("Gateway", *gateway)?;
            if gateway == address {
                return Err(SettingError::GatewayIsAddress);
            }
        }
        Ok(())
    }

    /// The dict connmand expects: `Method`, plus `Address`, `Netmask` and (if any) `Gateway`
    /// for `manual`, all strings.
    pub fn to_dict(&self) -> Result<HashMap<&'static str, Value<'static>>, SettingError> {
        self.validate()?;
        let mut dict = HashMap::new();
        match self {
            Self::Dhcp => {
                dict.insert("Method", Value::from("dhcp"));
            }
            Self::Off => {
                dict.insert("Method", Value::from("off"));
            }
            Self::Manual {
                address,
                prefix_length,
                gateway,
            } => {
                dict.insert("Method", Value::from("manual"));
                dict.insert("Address", Value::from(address.to_string()));
                if let Some(mask) = prefix_to_netmask(*prefix_length) {
                    dict.insert("Netmask", Value::from(mask.to_string()));
                }
                if let Some(gateway) = gateway {
                    dict.insert("Gateway", Value::from(gateway.to_string()));
                }
            }
        }
        Ok(dict)
    }
}

/// `IPv6.Configuration`. connmand accepts only `auto`, `manual` and `off` here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv6Config {
    /// SLAAC/DHCPv6. `privacy: None` leaves the current privacy setting alone.
    Auto {
        privacy: Option<Ipv6Privacy>,
    },
    Off,
    Manual {
        address: Ipv6Addr,
        /// 1–128; sent as a byte.
        prefix_length: u8,
        gateway: Option<Ipv6Addr>,
    },
}

impl Ipv6Config {
    /// Builds a manual configuration from what the user typed. The address may carry the
    /// prefix (`2001:db8::5/64`) when `prefix` is empty; an empty `gateway` means none.
    pub fn manual_from_input(
        address: &str,
        prefix: &str,
        gateway: &str,
    ) -> Result<Self, SettingError> {
        Self::check_input(address, prefix, gateway).map_err(|mut errors| errors.remove(0))
    }

    /// Like [`Self::manual_from_input`], with every field's error (at most one each).
    pub fn check_input(
        address: &str,
        prefix: &str,
        gateway: &str,
    ) -> Result<Self, Vec<SettingError>> {
        let mut errors = Vec::new();
        let (address, inline_prefix) = match address.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (address.trim(), None),
        };
        let address = match address {
            "" => Err(SettingError::Missing { field: "Address" }),
            a => parse_ipv6("Address", a),
        }
        .map_err(|e| errors.push(e))
        .ok();
        let prefix_text = match (prefix.trim().trim_start_matches('/'), inline_prefix) {
            ("", Some(p)) => p.trim(),
            (p, _) => p,
        };
        let prefix_length = if prefix_text.is_empty() {
            Err(SettingError::Missing {
                field: "PrefixLength",
            })
        } else {
            prefix_text
                .parse::<u8>()
                .ok()
                .filter(|p| (1..=128).contains(p))
                .ok_or_else(|| SettingError::InvalidPrefixLength {
                    input: prefix_text.to_owned(),
                    max: 128,
                })
        }
        .map_err(|e| errors.push(e))
        .ok();
        let gateway = match gateway.trim() {
            "" => Ok(None),
            g => parse_ipv6("Gateway", g).map(Some),
        }
        .map_err(|e| errors.push(e))
        .ok();
        let (Some(address), Some(prefix_length), Some(gateway)) = (address, prefix_length, gateway)
        else {
            return Err(errors);
        };
        let config = Self::Manual {
            address,
            prefix_length,
            gateway,
        };
        config.validate().map_err(|e| vec![e])?;
        Ok(config)
    }

    /// Checks a configuration built by hand.
    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Off => Ok(()),
            Self::Auto { privacy } => match privacy {
                Some(Ipv6Privacy::Unknown(value)) => Err(SettingError::UnsupportedValue {
                    field: "Privacy",
                    value: value.clone(),
                }),
                _ => Ok(()),
            },
            Self::Manual {
                address,
                prefix_length,
                gateway,
            } => {
                usable_ipv6("Address", *address)?;
                if !(1..=128).contains(prefix_length) {
                    return Err(SettingError::InvalidPrefixLength {
                        input: prefix_length.to_string(),
                        max: 128,
                    });
                }
                if let Some(gateway) = gateway {
                    usable_ipv6("Gateway", *gateway)?;
                    if gateway == address {
                        return Err(SettingError::GatewayIsAddress);
                    }
                }
                Ok(())
            }
        }
    }

    /// The dict connmand expects: `Method`; for `auto` optionally `Privacy` (spelled
    /// `prefered`); for `manual` `Address`, `PrefixLength` (a byte, `y`) and `Gateway`.
    pub fn to_dict(&self) -> Result<HashMap<&'static str, Value<'static>>, SettingError> {
        self.validate()?;
        let mut dict = HashMap::new();
        match self {
            Self::Auto { privacy } => {
                dict.insert("Method", Value::from("auto"));
                if let Some(privacy) = privacy {
                    dict.insert("Privacy", Value::from(privacy.as_str().to_owned()));
                }
            }
            Self::Off => {
                dict.insert("Method", Value::from("off"));
            }
            Self::Manual {
                address,
                prefix_length,
                gateway,
            } => {
                dict.insert("Method", Value::from("manual"));
                dict.insert("Address", Value::from(address.to_string()));
                dict.insert("PrefixLength", Value::U8(*prefix_length));
                if let Some(gateway) = gateway {
                    dict.insert("Gateway", Value::from(gateway.to_string()));
                }
            }
        }
        Ok(dict)
    }
}

/// `Proxy.Configuration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyConfig {
    Direct,
    /// `url: None` lets connmand try DHCP/WPAD.
    Auto {
        url: Option<String>,
    },
    /// At least one server (connmand turns an empty list into `direct`).
    Manual {
        servers: Vec<String>,
        excludes: Vec<String>,
    },
}

fn no_space_entry(field: &'static str, entry: &str) -> Result<(), SettingError> {
    // connmand joins list entries with spaces and splits them again.
    if entry.is_empty() || entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(SettingError::InvalidProxyEntry {
            field,
            input: entry.to_owned(),
        })
    } else {
        Ok(())
    }
}

impl ProxyConfig {
    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Direct | Self::Auto { url: None } => Ok(()),
            Self::Auto { url: Some(input) } => {
                let url = input.trim();
                if url.is_empty() {
                    return Err(SettingError::EmptyProxyUrl);
                }
                let valid = match url.split_once("://") {
                    Some((scheme, rest)) => {
                        !scheme.is_empty()
                            && scheme
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                            && !rest.is_empty()
                            && !url.chars().any(|c| c.is_whitespace() || c.is_control())
                    }
                    None => false,
                };
                if valid {
                    Ok(())
                } else {
                    Err(SettingError::InvalidProxyUrl {
                        input: input.clone(),
                    })
                }
            }
            Self::Manual { servers, excludes } => {
                if servers.is_empty() {
                    return Err(SettingError::NoProxyServers);
                }
                servers
                    .iter()
                    .try_for_each(|s| no_space_entry("Servers", s))?;
                excludes
                    .iter()
                    .try_for_each(|s| no_space_entry("Excludes", s))
            }
        }
    }

    /// The dict connmand expects: `Method`; `URL` for `auto` with a URL; `Servers` and
    /// `Excludes` (both `as`, both always sent so that old excludes are cleared) for `manual`.
    pub fn to_dict(&self) -> Result<HashMap<&'static str, Value<'static>>, SettingError> {
        self.validate()?;
        let mut dict = HashMap::new();
        match self {
            Self::Direct => {
                dict.insert("Method", Value::from("direct"));
            }
            Self::Auto { url } => {
                dict.insert("Method", Value::from("auto"));
                if let Some(url) = url {
                    dict.insert("URL", Value::from(url.trim().to_owned()));
                }
            }
            Self::Manual { servers, excludes } => {
                dict.insert("Method", Value::from("manual"));
                dict.insert("Servers", strings_value(servers));
                dict.insert("Excludes", strings_value(excludes));
            }
        }
        Ok(dict)
    }
}

fn valid_hostname(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn valid_nameserver(entry: &str) -> bool {
    if entry.parse::<IpAddr>().is_ok() {
        return true;
    }
    // An IPv6 link-local address with a zone: fe80::1%eth0.
    match entry.split_once('%') {
        Some((addr, zone)) => {
            addr.parse::<Ipv6Addr>().is_ok()
                && !zone.is_empty()
                && zone
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        }
        None => false,
    }
}

/// A writable property of `net.connman.Service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceSetting {
    Ipv4(Ipv4Config),
    Ipv6(Ipv6Config),
    /// IP addresses; an empty list clears the configuration.
    Nameservers(Vec<String>),
    /// Host names or IP addresses; an empty list clears.
    Timeservers(Vec<String>),
    /// Search domains; an empty list clears.
    Domains(Vec<String>),
    Proxy(ProxyConfig),
    /// `mDNS.Configuration`.
    Mdns(bool),
    /// Needs a Favorite service (else `InvalidService`).
    AutoConnect(bool),
}

impl ServiceSetting {
    /// The property name for `SetProperty`.
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::Ipv4(_) => "IPv4.Configuration",
            Self::Ipv6(_) => "IPv6.Configuration",
            Self::Nameservers(_) => "Nameservers.Configuration",
            Self::Timeservers(_) => "Timeservers.Configuration",
            Self::Domains(_) => "Domains.Configuration",
            Self::Proxy(_) => "Proxy.Configuration",
            Self::Mdns(_) => "mDNS.Configuration",
            Self::AutoConnect(_) => "AutoConnect",
        }
    }

    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Ipv4(c) => c.validate(),
            Self::Ipv6(c) => c.validate(),
            Self::Proxy(c) => c.validate(),
            Self::Nameservers(list) => list.iter().try_for_each(|s| {
                if valid_nameserver(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidNameserver { input: s.clone() })
                }
            }),
            Self::Timeservers(list) => list.iter().try_for_each(|s| {
                if s.parse::<IpAddr>().is_ok() || valid_hostname(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidHostname {
                        field: "Timeservers",
                        input: s.clone(),
                    })
                }
            }),
            Self::Domains(list) => list.iter().try_for_each(|s| {
                if valid_hostname(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidHostname {
                        field: "Domains",
                        input: s.clone(),
                    })
                }
            }),
            Self::Mdns(_) | Self::AutoConnect(_) => Ok(()),
        }
    }

    /// The `(name, value)` pair for `Service.SetProperty`, after validation.
    pub fn to_property(&self) -> Result<(&'static str, Value<'static>), SettingError> {
        self.validate()?;
        let value = match self {
            Self::Ipv4(c) => sv_dict(c.to_dict()?),
            Self::Ipv6(c) => sv_dict(c.to_dict()?),
            Self::Proxy(c) => sv_dict(c.to_dict()?),
            Self::Nameservers(list) | Self::Timeservers(list) | Self::Domains(list) => {
                strings_value(list)
            }
            Self::Mdns(b) | Self::AutoConnect(b) => Value::Bool(*b),
        };
        Ok((self.property_name(), value))
    }
}

/// A writable property of `net.connman.Technology`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TechnologySetting {
    Powered(bool),
    Tethering(bool),
    /// Hotspot SSID: 1–32 bytes.
    TetheringIdentifier(String),
    /// Hotspot passphrase: see [`psk_passphrase_valid`].
    TetheringPassphrase(String),
    /// MHz, not negative (connmand ignores negative values without an error).
    TetheringFreq(i32),
}

impl TechnologySetting {
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::Powered(_) => "Powered",
            Self::Tethering(_) => "Tethering",
            Self::TetheringIdentifier(_) => "TetheringIdentifier",
            Self::TetheringPassphrase(_) => "TetheringPassphrase",
            Self::TetheringFreq(_) => "TetheringFreq",
        }
    }

    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::TetheringIdentifier(id) if id.is_empty() || id.len() > 32 => {
                Err(SettingError::InvalidTetheringIdentifier)
            }
            Self::TetheringPassphrase(p) if !psk_passphrase_valid(p) => {
                Err(SettingError::InvalidTetheringPassphrase)
            }
            Self::TetheringFreq(f) if *f < 0 => Err(SettingError::InvalidFrequency { value: *f }),
            _ => Ok(()),
        }
    }

    /// The `(name, value)` pair for `Technology.SetProperty`: `b`, `b`, `s`, `s`, `i`.
    pub fn to_property(&self) -> Result<(&'static str, Value<'static>), SettingError> {
        self.validate()?;
        let value = match self {
            Self::Powered(b) | Self::Tethering(b) => Value::Bool(*b),
            Self::TetheringIdentifier(s) | Self::TetheringPassphrase(s) => Value::from(s.clone()),
            Self::TetheringFreq(f) => Value::I32(*f),
        };
        Ok((self.property_name(), value))
    }
}

/// A writable property of `net.connman.Manager`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerSetting {
    OfflineMode(bool),
}

impl ManagerSetting {
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::OfflineMode(_) => "OfflineMode",
        }
    }

    /// The `(name, value)` pair for `Manager.SetProperty`.
    pub fn to_property(&self) -> (&'static str, Value<'static>) {
        match self {
            Self::OfflineMode(b) => (self.property_name(), Value::Bool(*b)),
        }
    }
}

/// A writable property of `net.connman.Clock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockSetting {
    /// Seconds since the epoch; only takes effect with `TimeUpdates = manual`.
    Time(u64),
    TimeUpdates(UpdatePolicy),
    /// A tzdata name such as `Europe/Berlin`; only with `TimezoneUpdates = manual`.
    Timezone(String),
    TimezoneUpdates(UpdatePolicy),
    Timeservers(Vec<String>),
}

impl ClockSetting {
    pub fn property_name(&self) -> &'static str {
        match self {
            Self::Time(_) => "Time",
            Self::TimeUpdates(_) => "TimeUpdates",
            Self::Timezone(_) => "Timezone",
            Self::TimezoneUpdates(_) => "TimezoneUpdates",
            Self::Timeservers(_) => "Timeservers",
        }
    }

    pub fn validate(&self) -> Result<(), SettingError> {
        match self {
            Self::Time(_) => Ok(()),
            Self::TimeUpdates(p) | Self::TimezoneUpdates(p) => match p {
                UpdatePolicy::Unknown(value) => Err(SettingError::UnsupportedValue {
                    field: self.property_name(),
                    value: value.clone(),
                }),
                _ => Ok(()),
            },
            Self::Timezone(tz) => {
                let valid = !tz.is_empty()
                    && !tz.starts_with('/')
                    && tz
                        .split('/')
                        .all(|part| !part.is_empty() && part != "." && part != "..")
                    && tz
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
                if valid {
                    Ok(())
                } else {
                    Err(SettingError::InvalidTimezone { input: tz.clone() })
                }
            }
            Self::Timeservers(list) => list.iter().try_for_each(|s| {
                if s.parse::<IpAddr>().is_ok() || valid_hostname(s) {
                    Ok(())
                } else {
                    Err(SettingError::InvalidHostname {
                        field: "Timeservers",
                        input: s.clone(),
                    })
                }
            }),
        }
    }

    /// The `(name, value)` pair for `Clock.SetProperty`: `t`, `s`, `s`, `s`, `as`.
    pub fn to_property(&self) -> Result<(&'static str, Value<'static>), SettingError> {
        self.validate()?;
        let value = match self {
            Self::Time(t) => Value::U64(*t),
            Self::TimeUpdates(p) | Self::TimezoneUpdates(p) => Value::from(p.as_str().to_owned()),
            Self::Timezone(tz) => Value::from(tz.clone()),
            Self::Timeservers(list) => strings_value(list),
        };
        Ok((self.property_name(), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::test_util::*;

    #[test]
    fn setting_error_sentences_quote_the_input() {
        let e = SettingError::InvalidAddress {
            field: "Address",
            input: "<b>1.2.3</b>".into(),
        };
        assert_eq!(e.field(), "Address");
        assert!(e.sentence().contains("“<b>1.2.3</b>”"));
        assert_eq!(e.to_string(), format!("Address: {}", e.sentence()));
        for e in [
            SettingError::InvalidNetmask { input: "x".into() },
            SettingError::InvalidPrefixLength {
                input: "200".into(),
                max: 128,
            },
            SettingError::GatewayIsAddress,
            SettingError::InvalidNameserver { input: "x".into() },
            SettingError::InvalidHostname {
                field: "Domains",
                input: "x".into(),
            },
            SettingError::EmptyProxyUrl,
            SettingError::InvalidProxyUrl { input: "x".into() },
            SettingError::NoProxyServers,
            SettingError::InvalidProxyEntry {
                field: "Excludes",
                input: "x".into(),
            },
            SettingError::UnsupportedValue {
                field: "Privacy",
                value: "x".into(),
            },
            SettingError::InvalidTetheringIdentifier,
            SettingError::InvalidTetheringPassphrase,
            SettingError::InvalidFrequency { value: -3 },
            SettingError::InvalidTimezone { input: "x".into() },
        ] {
            assert!(e.sentence().ends_with('.'), "{e:?}");
            assert!(!e.field().is_empty());
        }
    }

    // ----- writing ----------------------------------------------------------------------------

    #[test]
    fn ipv4_manual_dict_is_exact() {
        let config = Ipv4Config::manual_from_input(" 192.168.1.20 ", "24", "192.168.1.1").unwrap();
        let dict = config.to_dict().unwrap();
        let mut keys: Vec<_> = dict.keys().copied().collect();
        keys.sort_unstable();
        assert_eq!(keys, vec!["Address", "Gateway", "Method", "Netmask"]);
        assert_eq!(dict["Method"], Value::from("manual"));
        assert_eq!(dict["Address"], Value::from("192.168.1.20"));
        assert_eq!(dict["Netmask"], Value::from("255.255.255.0"));
        assert_eq!(dict["Gateway"], Value::from("192.168.1.1"));

        let (name, value) = ServiceSetting::Ipv4(config).to_property().unwrap();
        assert_eq!(name, "IPv4.Configuration");
        assert_eq!(value.value_signature().to_string(), "a{sv}");
        let received = over_wire(&value);
        let sigs = entry_signatures(&received);
        assert_eq!(
            sigs,
            [
                ("Address", "s"),
                ("Gateway", "s"),
                ("Method", "s"),
                ("Netmask", "s")
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
        );
        // What connmand sends back reads as what we sent.
        let mut s = ServiceProps::default();
        s.apply("IPv4.Configuration", &received).unwrap();
        assert_eq!(s.ipv4_config.method, Some(Ipv4Method::Manual));
        assert_eq!(s.ipv4_config.cidr().as_deref(), Some("192.168.1.20/24"));
        assert_eq!(s.ipv4_config.gateway.as_deref(), Some("192.168.1.1"));
    }

    #[test]
    fn ipv4_other_methods_send_only_the_method() {
        for (config, method) in [(Ipv4Config::Dhcp, "dhcp"), (Ipv4Config::Off, "off")] {
            let (_, value) = ServiceSetting::Ipv4(config).to_property().unwrap();
            let received = over_wire(&value);
            assert_eq!(entry_signatures(&received).len(), 1);
            assert_eq!(entry_str(&received, "Method"), method);
        }
        let no_gateway = Ipv4Config::manual_from_input("10.0.0.2", "255.0.0.0", "  ").unwrap();
        let dict = no_gateway.to_dict().unwrap();
        assert!(!dict.contains_key("Gateway"));
        assert_eq!(dict["Netmask"], Value::from("255.0.0.0"));
    }

    #[test]
    fn ipv4_input_is_validated() {
        let ok = |a: &str, m: &str, g: &str| Ipv4Config::manual_from_input(a, m, g);
        assert!(ok("192.168.1.20", "/24", "").is_ok());
        assert!(ok("192.168.1.20", "255.255.255.0", "").is_ok());
        assert!(ok("10.0.0.1", "32", "10.0.0.2").is_ok(), "point-to-point");
        assert!(ok("10.0.0.1", "31", "").is_ok());
        let field = |r: Result<Ipv4Config, SettingError>| r.unwrap_err().field();
        assert_eq!(field(ok("192.168.1", "24", "")), "Address");
        assert_eq!(field(ok("192.168.1.300", "24", "")), "Address");
        assert_eq!(field(ok("fe80::1", "24", "")), "Address");
        assert_eq!(field(ok("", "24", "")), "Address");
        assert_eq!(field(ok("0.0.0.0", "24", "")), "Address");
        assert_eq!(field(ok("224.0.0.1", "24", "")), "Address");
        assert_eq!(field(ok("255.255.255.255", "24", "")), "Address");
        assert_eq!(
            field(ok("192.168.1.0", "24", "")),
            "Address",
            "network address"
        );
        assert_eq!(
            field(ok("192.168.1.255", "24", "")),
            "Address",
            "broadcast address"
        );
        assert_eq!(field(ok("192.168.1.20", "255.0.255.0", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "33", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "0", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "0.0.0.0", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "abc", "")), "Netmask");
        assert_eq!(field(ok("192.168.1.20", "24", "gateway")), "Gateway");
        assert_eq!(field(ok("192.168.1.20", "24", "192.168.1.20")), "Gateway");
        // Built by hand, still checked before anything is sent.
        let bad = Ipv4Config::Manual {
            address: Ipv4Addr::new(10, 0, 0, 1),
            prefix_length: 40,
            gateway: None,
        };
        assert!(matches!(
            bad.to_dict(),
            Err(SettingError::InvalidPrefixLength { max: 32, .. })
        ));
        assert!(ServiceSetting::Ipv4(bad).to_property().is_err());
    }

    #[test]
    fn ipv6_dicts_are_exact() {
        let manual = Ipv6Config::manual_from_input("2001:db8::5", "64", "2001:db8::1").unwrap();
        let (name, value) = ServiceSetting::Ipv6(manual.clone()).to_property().unwrap();
        assert_eq!(name, "IPv6.Configuration");
        let received = over_wire(&value);
        let sigs = entry_signatures(&received);
        assert_eq!(
            sigs.get("PrefixLength").map(String::as_str),
            Some("y"),
            "a byte, not an int"
        );
        assert_eq!(sigs.get("Method").map(String::as_str), Some("s"));
        assert_eq!(sigs.get("Address").map(String::as_str), Some("s"));
        assert_eq!(sigs.get("Gateway").map(String::as_str), Some("s"));
        assert_eq!(sigs.len(), 4);
        assert_eq!(manual.to_dict().unwrap()["PrefixLength"], Value::U8(64));
        let mut s = ServiceProps::default();
        s.apply("IPv6.Configuration", &received).unwrap();
        assert_eq!(s.ipv6_config.cidr().as_deref(), Some("2001:db8::5/64"));

        let auto = Ipv6Config::Auto {
            privacy: Some(Ipv6Privacy::Prefered),
        };
        let (_, value) = ServiceSetting::Ipv6(auto).to_property().unwrap();
        let received = over_wire(&value);
        assert_eq!(entry_signatures(&received).len(), 2);
        assert_eq!(
            entry_str(&received, "Privacy"),
            "prefered",
            "connmand's spelling"
        );
        assert_eq!(entry_str(&received, "Method"), "auto");

        let plain = Ipv6Config::Auto { privacy: None }.to_dict().unwrap();
        assert_eq!(plain.len(), 1);
        assert_eq!(
            Ipv6Config::Off.to_dict().unwrap()["Method"],
            Value::from("off")
        );

        let inline = Ipv6Config::manual_from_input("2001:db8::5/48", "", "").unwrap();
        assert_eq!(inline.to_dict().unwrap()["PrefixLength"], Value::U8(48));
        assert!(!inline.to_dict().unwrap().contains_key("Gateway"));
    }

    #[test]
    fn ipv6_input_is_validated() {
        let f =
            |a: &str, p: &str, g: &str| Ipv6Config::manual_from_input(a, p, g).unwrap_err().field();
        assert_eq!(f("2001:db8::5", "129", ""), "PrefixLength");
        assert_eq!(f("2001:db8::5", "0", ""), "PrefixLength");
        assert_eq!(f("2001:db8::5", "", ""), "PrefixLength");
        assert_eq!(f("2001:db8::5", "-1", ""), "PrefixLength");
        assert_eq!(f("10.0.0.1", "64", ""), "Address");
        assert_eq!(f("::", "64", ""), "Address");
        assert_eq!(f("ff02::1", "64", ""), "Address");
        assert_eq!(f("2001:db8::5", "64", "nope"), "Gateway");
        assert_eq!(f("2001:db8::5", "64", "2001:db8::5"), "Gateway");
        assert!(Ipv6Config::manual_from_input("2001:db8::5", "128", "").is_ok());
        assert!(Ipv6Config::manual_from_input("2001:db8::5", "/64", "").is_ok());
        let unknown = Ipv6Config::Auto {
            privacy: Some(Ipv6Privacy::Unknown("always".into())),
        };
        assert_eq!(unknown.validate().unwrap_err().field(), "Privacy");
        let bad = Ipv6Config::Manual {
            address: "2001:db8::5".parse().unwrap(),
            prefix_length: 200,
            gateway: None,
        };
        assert!(ServiceSetting::Ipv6(bad).to_property().is_err());
    }

    #[test]
    fn list_settings_are_string_arrays() {
        let cases = [
            (
                ServiceSetting::Nameservers(vec![
                    "10.0.0.1".into(),
                    "fe80::1%wlan0".into(),
                    "2001:db8::53".into(),
                ]),
                "Nameservers.Configuration",
            ),
            (
                ServiceSetting::Timeservers(vec!["pool.ntp.org".into(), "10.0.0.1".into()]),
                "Timeservers.Configuration",
            ),
            (
                ServiceSetting::Domains(vec![
                    "example.com".into(),
                    "lab.".into(),
                    "_srv.corp".into(),
                ]),
                "Domains.Configuration",
            ),
            (
                ServiceSetting::Nameservers(vec![]),
                "Nameservers.Configuration",
            ),
        ];
        for (setting, expected_name) in cases {
            let (name, value) = setting.to_property().unwrap();
            assert_eq!(name, expected_name);
            let received = over_wire(&value);
            assert_eq!(received.value_signature().to_string(), "as");
            let (ServiceSetting::Nameservers(list)
            | ServiceSetting::Timeservers(list)
            | ServiceSetting::Domains(list)) = &setting
            else {
                unreachable!()
            };
            assert_eq!(&want_strings(&received).unwrap(), list);
        }
        let bad = |s: ServiceSetting| s.to_property().unwrap_err();
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["dns.google".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["1.1.1.1 8.8.8.8".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert!(matches!(
            bad(ServiceSetting::Nameservers(vec!["fe80::1%".into()])),
            SettingError::InvalidNameserver { .. }
        ));
        assert_eq!(
            bad(ServiceSetting::Timeservers(vec!["ntp server".into()])).field(),
            "Timeservers"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["-bad.com".into()])).field(),
            "Domains"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["a..b".into()])).field(),
            "Domains"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["x".repeat(64)])).field(),
            "Domains"
        );
        assert_eq!(
            bad(ServiceSetting::Domains(vec!["<b>".into()])).field(),
            "Domains"
        );
    }

    #[test]
    fn proxy_dicts_are_exact() {
        let check = |config: ProxyConfig, expected: &[(&str, &str)]| {
            let (name, value) = ServiceSetting::Proxy(config).to_property().unwrap();
            assert_eq!(name, "Proxy.Configuration");
            let sigs = entry_signatures(&over_wire(&value));
            let expected: BTreeMap<String, String> = expected
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(sigs, expected);
            over_wire(&value)
        };
        let v = check(ProxyConfig::Direct, &[("Method", "s")]);
        assert_eq!(entry_str(&v, "Method"), "direct");
        check(ProxyConfig::Auto { url: None }, &[("Method", "s")]);
        let v = check(
            ProxyConfig::Auto {
                url: Some(" http://wpad.lab/proxy.pac ".into()),
            },
            &[("Method", "s"), ("URL", "s")],
        );
        assert_eq!(entry_str(&v, "URL"), "http://wpad.lab/proxy.pac");
        let v = check(
            ProxyConfig::Manual {
                servers: vec!["proxy.lab:3128".into(), "https://secure.lab:443".into()],
                excludes: vec![],
            },
            &[("Method", "s"), ("Servers", "as"), ("Excludes", "as")],
        );
        let mut s = ServiceProps::default();
        s.apply("Proxy.Configuration", &v).unwrap();
        assert_eq!(
            s.proxy_config.servers,
            vec!["proxy.lab:3128", "https://secure.lab:443"]
        );
        assert!(s.proxy_config.excludes.is_empty());

        let err = |c: ProxyConfig| c.validate().unwrap_err();
        assert_eq!(
            err(ProxyConfig::Auto {
                url: Some("".into())
            }),
            SettingError::EmptyProxyUrl
        );
        assert_eq!(
            err(ProxyConfig::Auto {
                url: Some("  ".into())
            }),
            SettingError::EmptyProxyUrl
        );
        assert!(matches!(
            err(ProxyConfig::Auto {
                url: Some("wpad.lab".into())
            }),
            SettingError::InvalidProxyUrl { .. }
        ));
        assert!(matches!(
            err(ProxyConfig::Auto {
                url: Some("http://a b".into())
            }),
            SettingError::InvalidProxyUrl { .. }
        ));
        assert!(matches!(
            err(ProxyConfig::Auto {
                url: Some("http://".into())
            }),
            SettingError::InvalidProxyUrl { .. }
        ));
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec![],
                excludes: vec!["x".into()]
            }),
            SettingError::NoProxyServers
        );
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec!["a b:1".into()],
                excludes: vec![]
            })
            .field(),
            "Servers"
        );
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec!["".into()],
                excludes: vec![]
            })
            .field(),
            "Servers"
        );
        assert_eq!(
            err(ProxyConfig::Manual {
                servers: vec!["p:1".into()],
                excludes: vec!["a\tb".into()]
            })
            .field(),
            "Excludes"
        );
    }

    #[test]
    fn boolean_settings() {
        let (name, value) = ServiceSetting::Mdns(true).to_property().unwrap();
        assert_eq!((name, value), ("mDNS.Configuration", Value::Bool(true)));
        let (name, value) = ServiceSetting::AutoConnect(false).to_property().unwrap();
        assert_eq!((name, value), ("AutoConnect", Value::Bool(false)));
        assert_eq!(
            ManagerSetting::OfflineMode(true).to_property(),
            ("OfflineMode", Value::Bool(true))
        );
    }

    #[test]
    fn technology_settings() {
        let p = |s: TechnologySetting| s.to_property();
        assert_eq!(
            p(TechnologySetting::Powered(true)).unwrap(),
            ("Powered", Value::Bool(true))
        );
        assert_eq!(
            p(TechnologySetting::Tethering(false)).unwrap(),
            ("Tethering", Value::Bool(false))
        );
        assert_eq!(
            p(TechnologySetting::TetheringIdentifier("Connie".into())).unwrap(),
            ("TetheringIdentifier", Value::from("Connie"))
        );
        assert_eq!(
            p(TechnologySetting::TetheringPassphrase(
                "correct horse".into()
            ))
            .unwrap(),
            ("TetheringPassphrase", Value::from("correct horse"))
        );
        let (_, freq) = p(TechnologySetting::TetheringFreq(5180)).unwrap();
        assert_eq!(over_wire(&freq).value_signature().to_string(), "i");
        assert_eq!(
            p(TechnologySetting::TetheringIdentifier("".into())).unwrap_err(),
            SettingError::InvalidTetheringIdentifier
        );
        assert_eq!(
            p(TechnologySetting::TetheringIdentifier("é".repeat(17))).unwrap_err(),
            SettingError::InvalidTetheringIdentifier
        );
        assert!(p(TechnologySetting::TetheringIdentifier("x".repeat(32))).is_ok());
        assert_eq!(
            p(TechnologySetting::TetheringPassphrase("short".into())).unwrap_err(),
            SettingError::InvalidTetheringPassphrase
        );
        assert!(matches!(
            p(TechnologySetting::TetheringFreq(-1)).unwrap_err(),
            SettingError::InvalidFrequency { value: -1 }
        ));
    }

    #[test]
    fn clock_settings() {
        let (name, value) = ClockSetting::Time(1_700_000_000).to_property().unwrap();
        assert_eq!(name, "Time");
        assert_eq!(over_wire(&value).value_signature().to_string(), "t");
        assert_eq!(
            ClockSetting::TimeUpdates(UpdatePolicy::Manual)
                .to_property()
                .unwrap(),
            ("TimeUpdates", Value::from("manual"))
        );
        assert_eq!(
            ClockSetting::Timezone("America/Argentina/Buenos_Aires".into())
                .to_property()
                .unwrap()
                .1,
            Value::from("America/Argentina/Buenos_Aires")
        );
        assert!(ClockSetting::Timezone("Etc/GMT+5".into())
            .validate()
            .is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../../etc/passwd",
            "Europe//Berlin",
            "Europe/Berlin ",
        ] {
            assert!(
                ClockSetting::Timezone(bad.into()).validate().is_err(),
                "{bad:?}"
            );
        }
        assert!(
            ClockSetting::TimezoneUpdates(UpdatePolicy::Unknown("x".into()))
                .validate()
                .is_err()
        );
        let (_, list) = ClockSetting::Timeservers(vec!["0.pool.ntp.org".into()])
            .to_property()
            .unwrap();
        assert_eq!(over_wire(&list).value_signature().to_string(), "as");
        assert!(ClockSetting::Timeservers(vec!["bad name".into()])
            .validate()
            .is_err());
    }
}
