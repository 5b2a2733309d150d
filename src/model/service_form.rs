//! What the service editor holds: the settings of one service as typed,
//! checked field by field, and turned into exactly the `SetProperty` calls
//! that change something. GTK-free, so that every rule is tested here.
//!
//! The form starts from connmand's `X.Configuration` values (what was
//! configured, not what DHCP gave), and is compared with that start, so
//! that Apply sends only what the person changed, and every group they
//! changed (edits are kept per field, whichever part of the editor is in
//! view).

use crate::connman::types::{
    split_list, Ipv4, Ipv4Config, Ipv4Method, Ipv6, Ipv6Config, Ipv6Method, Ipv6Privacy, Proxy,
    ProxyConfig, ProxyMethod, ServiceProps, ServiceSetting, SettingError,
};
use crate::connman::ServiceType;
use crate::i18n::{gettext, gettext_f};

/// A field of the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    AutoConnect,
    Mdns,
    Ipv4Method,
    Ipv4Address,
    Ipv4Netmask,
    Ipv4Gateway,
    Ipv6Method,
    Ipv6Privacy,
    Ipv6Address,
    Ipv6Prefix,
    Ipv6Gateway,
    Nameservers,
    Timeservers,
    Domains,
    ProxyMethod,
    ProxyUrl,
    ProxyServers,
    ProxyExcludes,
}

/// IPv4 methods a person can choose (connmand refuses the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V4 {
    Dhcp,
    Manual,
    Off,
}

impl V4 {
    pub const ALL: [V4; 3] = [V4::Dhcp, V4::Manual, V4::Off];
}

/// IPv6 methods a person can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V6 {
    Auto,
    Manual,
    Off,
}

impl V6 {
    pub const ALL: [V6; 3] = [V6::Auto, V6::Manual, V6::Off];
}

/// Proxy methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyChoice {
    Direct,
    Auto,
    Manual,
}

impl ProxyChoice {
    pub const ALL: [ProxyChoice; 3] = [ProxyChoice::Direct, ProxyChoice::Auto, ProxyChoice::Manual];
}

/// The IPv6 privacy choices, in the order the editor lists them.
pub const PRIVACY: [Ipv6Privacy; 3] = [
    Ipv6Privacy::Disabled,
    Ipv6Privacy::Enabled,
    Ipv6Privacy::Prefered,
];

/// What connmand lets change on a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scope {
    /// Provisioned by a file: only AutoConnect can change.
    pub locked: bool,
    /// Saved (Favorite): AutoConnect can be set.
    pub autoconnect: bool,
    /// An IPv4 configuration that can be set (not a VPN, not `fixed`).
    pub ipv4: bool,
    pub ipv6: bool,
}

impl Scope {
    pub fn of(s: &ServiceProps) -> Scope {
        let vpn = s.type_ == ServiceType::Vpn;
        let method4 = s.ipv4_config.method.as_ref().or(s.ipv4.method.as_ref());
        let method6 = s.ipv6_config.method.as_ref().or(s.ipv6.method.as_ref());
        Scope {
            locked: s.immutable,
            autoconnect: s.favorite,
            ipv4: !vpn && !matches!(method4, Some(Ipv4Method::Fixed)),
            ipv6: !vpn && !matches!(method6, Some(Ipv6Method::Fixed | Ipv6Method::SixToFour)),
        }
    }

    /// Whether `field` can be edited.
    pub fn allows(&self, field: Field) -> bool {
        use Field::*;
        match field {
            AutoConnect => self.autoconnect,
            _ if self.locked => false,
            Ipv4Method | Ipv4Address | Ipv4Netmask | Ipv4Gateway => self.ipv4,
            Ipv6Method | Ipv6Privacy | Ipv6Address | Ipv6Prefix | Ipv6Gateway => self.ipv6,
            _ => true,
        }
    }
}

/// The editor's values, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub autoconnect: bool,
    pub mdns: bool,
    pub ipv4: V4,
    pub ipv4_address: String,
    pub ipv4_netmask: String,
    pub ipv4_gateway: String,
    pub ipv6: V6,
    pub ipv6_privacy: Ipv6Privacy,
    pub ipv6_address: String,
    pub ipv6_prefix: String,
    pub ipv6_gateway: String,
    pub nameservers: String,
    pub timeservers: String,
    pub domains: String,
    pub proxy: ProxyChoice,
    pub proxy_url: String,
    pub proxy_servers: String,
    pub proxy_excludes: String,
}

/// A list as the editor shows it.
fn joined(list: &[String]) -> String {
    list.join(", ")
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

impl Form {
    /// The form for `s`: its configured values (the live ones where nothing
    /// is configured yet, as for a service never connected).
    pub fn of(s: &ServiceProps) -> Form {
        let v4 = if s.ipv4_config.method.is_some() {
            &s.ipv4_config
        } else {
            &s.ipv4
        };
        let v6 = if s.ipv6_config.method.is_some() {
            &s.ipv6_config
        } else {
            &s.ipv6
        };
        let proxy = &s.proxy_config;
        Form {
            autoconnect: s.autoconnect,
            mdns: s.mdns_config,
            ipv4: match v4.method {
                Some(Ipv4Method::Manual) => V4::Manual,
                Some(Ipv4Method::Off) => V4::Off,
                _ => V4::Dhcp,
            },
            ipv4_address: text(&v4.address),
            ipv4_netmask: text(&v4.netmask),
            ipv4_gateway: text(&v4.gateway),
            ipv6: match v6.method {
                Some(Ipv6Method::Manual) => V6::Manual,
                Some(Ipv6Method::Off) => V6::Off,
                _ => V6::Auto,
            },
            ipv6_privacy: v6
                .privacy
                .clone()
                .or_else(|| s.ipv6.privacy.clone())
                .filter(|p| PRIVACY.contains(p))
                .unwrap_or(Ipv6Privacy::Disabled),
            ipv6_address: text(&v6.address),
            ipv6_prefix: v6.prefix_length.map(|p| p.to_string()).unwrap_or_default(),
            ipv6_gateway: text(&v6.gateway),
            nameservers: joined(&s.nameservers_config),
            timeservers: joined(&s.timeservers_config),
            domains: joined(&s.domains_config),
            proxy: match proxy.method {
                Some(ProxyMethod::Auto) => ProxyChoice::Auto,
                Some(ProxyMethod::Manual) => ProxyChoice::Manual,
                _ => ProxyChoice::Direct,
            },
            proxy_url: text(&proxy.url),
            proxy_servers: joined(&proxy.servers),
            proxy_excludes: joined(&proxy.excludes),
        }
    }

    /// Every setting the form stands for, in the order they are sent
    /// (addresses last: changing them restarts the link), each checked;
    /// and the errors, at most one per field.
    pub fn check(&self, scope: &Scope) -> (Vec<ServiceSetting>, Vec<(Field, String)>) {
        let mut settings = Vec::new();
        let mut errors = Vec::new();
        if scope.allows(Field::AutoConnect) {
            settings.push(ServiceSetting::AutoConnect(self.autoconnect));
        }
        if scope.locked {
            return (settings, errors);
        }
        settings.push(ServiceSetting::Mdns(self.mdns));
        let lists = [
            (Field::Nameservers, &self.nameservers, 0),
            (Field::Timeservers, &self.timeservers, 1),
            (Field::Domains, &self.domains, 2),
        ];
        for (field, input, kind) in lists {
            let list = split_list(input);
            let setting = match kind {
                0 => ServiceSetting::Nameservers(list),
                1 => ServiceSetting::Timeservers(list),
                _ => ServiceSetting::Domains(list),
            };
            match setting.validate() {
                Ok(()) => settings.push(setting),
                Err(e) => errors.push((field, e.sentence())),
            }
        }
        let proxy = match self.proxy {
            ProxyChoice::Direct => ProxyConfig::Direct,
            ProxyChoice::Auto => ProxyConfig::Auto {
                url: Some(self.proxy_url.trim().to_owned()).filter(|u| !u.is_empty()),
            },
            ProxyChoice::Manual => ProxyConfig::Manual {
                servers: split_list(&self.proxy_servers),
                excludes: split_list(&self.proxy_excludes),
            },
        };
        match proxy.validate() {
            Ok(()) => settings.push(ServiceSetting::Proxy(proxy)),
            Err(e) => {
                let field = match e.field() {
                    "URL" => Field::ProxyUrl,
                    "Excludes" => Field::ProxyExcludes,
                    _ => Field::ProxyServers,
                };
                errors.push((field, e.sentence()));
            }
        }
        if scope.ipv4 {
            let config = match self.ipv4 {
                V4::Dhcp => Ok(Ipv4Config::Dhcp),
                V4::Off => Ok(Ipv4Config::Off),
                V4::Manual => Ipv4Config::check_input(
                    &self.ipv4_address,
                    &self.ipv4_netmask,
                    &self.ipv4_gateway,
                ),
            };
            match config {
                Ok(c) => settings.push(ServiceSetting::Ipv4(c)),
                Err(list) => errors.extend(list.iter().map(|e| {
                    let field = match e.field() {
                        "Netmask" | "PrefixLength" => Field::Ipv4Netmask,
                        "Gateway" => Field::Ipv4Gateway,
                        _ => Field::Ipv4Address,
                    };
                    (field, e.sentence())
                })),
            }
        }
        if scope.ipv6 {
            let config = match self.ipv6 {
                V6::Auto => Ok(Ipv6Config::Auto {
                    privacy: Some(self.ipv6_privacy.clone()),
                }),
                V6::Off => Ok(Ipv6Config::Off),
                V6::Manual => Ipv6Config::check_input(
                    &self.ipv6_address,
                    &self.ipv6_prefix,
                    &self.ipv6_gateway,
                ),
            };
            match config {
                Ok(c) => settings.push(ServiceSetting::Ipv6(c)),
                Err(list) => errors.extend(list.iter().map(|e: &SettingError| {
                    let field = match e.field() {
                        "PrefixLength" => Field::Ipv6Prefix,
                        "Gateway" => Field::Ipv6Gateway,
                        _ => Field::Ipv6Address,
                    };
                    (field, e.sentence())
                })),
            }
        }
        (settings, errors)
    }

    /// What to send to make `start` (what connmand has) into this form:
    /// the settings that differ, or the errors that keep it from being sent.
    pub fn changes(
        &self,
        start: &Form,
        scope: &Scope,
    ) -> Result<Vec<ServiceSetting>, Vec<(Field, String)>> {
        let (settings, errors) = self.check(scope);
        if !errors.is_empty() {
            return Err(errors);
        }
        // what connmand has may not pass the checks (a file written by
        // hand): then any setting of that property is a change
        let (before, _) = start.check(scope);
        Ok(settings
            .into_iter()
            .filter(|s| !before.contains(s))
            .collect())
    }

    /// Takes this form's values of the property `setting` sets from `from`
    /// (after connmand accepted it).
    pub fn adopt(&mut self, from: &Form, setting: &ServiceSetting) {
        match setting {
            ServiceSetting::AutoConnect(_) => self.autoconnect = from.autoconnect,
            ServiceSetting::Mdns(_) => self.mdns = from.mdns,
            ServiceSetting::Nameservers(_) => self.nameservers = from.nameservers.clone(),
            ServiceSetting::Timeservers(_) => self.timeservers = from.timeservers.clone(),
            ServiceSetting::Domains(_) => self.domains = from.domains.clone(),
            ServiceSetting::Proxy(_) => {
                self.proxy = from.proxy;
                self.proxy_url = from.proxy_url.clone();
                self.proxy_servers = from.proxy_servers.clone();
                self.proxy_excludes = from.proxy_excludes.clone();
            }
            ServiceSetting::Ipv4(_) => {
                self.ipv4 = from.ipv4;
                self.ipv4_address = from.ipv4_address.clone();
                self.ipv4_netmask = from.ipv4_netmask.clone();
                self.ipv4_gateway = from.ipv4_gateway.clone();
            }
            ServiceSetting::Ipv6(_) => {
                self.ipv6 = from.ipv6;
                self.ipv6_privacy = from.ipv6_privacy.clone();
                self.ipv6_address = from.ipv6_address.clone();
                self.ipv6_prefix = from.ipv6_prefix.clone();
                self.ipv6_gateway = from.ipv6_gateway.clone();
            }
        }
    }
}

/// The editor's group a setting belongs to, for messages ("the IPv4
/// settings").
pub fn setting_title(setting: &ServiceSetting) -> String {
    match setting {
        ServiceSetting::AutoConnect(_) => gettext("Connect Automatically"),
        ServiceSetting::Mdns(_) => gettext("Multicast DNS"),
        ServiceSetting::Nameservers(_) => gettext("DNS Servers"),
        ServiceSetting::Timeservers(_) => gettext("Time Servers"),
        ServiceSetting::Domains(_) => gettext("Search Domains"),
        ServiceSetting::Proxy(_) => gettext("Proxy"),
        ServiceSetting::Ipv4(_) => gettext("IPv4"),
        ServiceSetting::Ipv6(_) => gettext("IPv6"),
    }
}

/// An IPv4 configuration in words: "Manual 10.77.1.50/24, gateway 10.77.1.1".
pub fn ipv4_words(v4: &Ipv4) -> Option<String> {
    let method = v4.method.as_ref()?;
    let name = match method {
        Ipv4Method::Dhcp => gettext("Automatic (DHCP)"),
        Ipv4Method::Manual => gettext("Manual"),
        Ipv4Method::Auto => gettext("Link-local"),
        Ipv4Method::Off => gettext("Off"),
        Ipv4Method::Fixed => gettext("Fixed"),
        Ipv4Method::Unknown(m) => m.clone(),
    };
    Some(address_words(name, v4.cidr(), v4.gateway.as_deref()))
}

/// An IPv6 configuration in words.
pub fn ipv6_words(v6: &Ipv6) -> Option<String> {
    let method = v6.method.as_ref()?;
    let name = match method {
        Ipv6Method::Auto => gettext("Automatic"),
        Ipv6Method::Manual => gettext("Manual"),
        Ipv6Method::SixToFour => gettext("6to4"),
        Ipv6Method::Off => gettext("Off"),
        Ipv6Method::Fixed => gettext("Fixed"),
        Ipv6Method::Unknown(m) => m.clone(),
    };
    Some(address_words(name, v6.cidr(), v6.gateway.as_deref()))
}

fn address_words(method: String, cidr: Option<String>, gateway: Option<&str>) -> String {
    match (cidr, gateway) {
        (Some(a), Some(g)) => gettext_f("{} {}, gateway {}", &[&method, &a, g]),
        (Some(a), None) => format!("{method} {a}"),
        _ => method,
    }
}

/// The live address of a family in words: "10.77.1.50/24", or "none".
pub fn live_words(cidr: Option<String>) -> String {
    cidr.unwrap_or_else(|| gettext("none"))
}

/// A proxy configuration in words.
pub fn proxy_words(p: &Proxy) -> Option<String> {
    Some(match p.method.as_ref()? {
        ProxyMethod::Direct => gettext("Direct"),
        ProxyMethod::Auto => match &p.url {
            Some(url) => gettext_f("Automatic from {}", &[url]),
            None => gettext("Automatic"),
        },
        ProxyMethod::Manual => gettext_f("Manual: {}", &[&p.servers.join(", ")]),
        ProxyMethod::Unknown(m) => m.clone(),
    })
}

/// "Configured: X — active: Y", what a group of the editor says of connmand's
/// values. `configured: None` means automatic.
pub fn configured_and_active(configured: Option<String>, active: String) -> String {
    match configured {
        Some(c) => gettext_f("Configured: {} — active: {}", &[&c, &active]),
        None => gettext_f("Automatic — active: {}", &[&active]),
    }
}

/// A list of connmand's in words ("none" when empty).
pub fn list_words(list: &[String]) -> String {
    if list.is_empty() {
        gettext("none")
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::Ipv4;

    fn wired() -> ServiceProps {
        ServiceProps {
            type_: ServiceType::Ethernet,
            favorite: true,
            autoconnect: true,
            ipv4: Ipv4 {
                method: Some(Ipv4Method::Dhcp),
                address: Some("10.77.1.23".into()),
                netmask: Some("255.255.255.0".into()),
                gateway: Some("10.77.1.1".into()),
            },
            ipv4_config: Ipv4 {
                method: Some(Ipv4Method::Dhcp),
                ..Default::default()
            },
            ipv6_config: Ipv6 {
                method: Some(Ipv6Method::Auto),
                privacy: Some(Ipv6Privacy::Disabled),
                ..Default::default()
            },
            proxy_config: Proxy {
                method: Some(ProxyMethod::Direct),
                ..Default::default()
            },
            nameservers: vec!["10.77.1.1".into()],
            ..Default::default()
        }
    }

    #[test]
    fn an_untouched_form_changes_nothing() {
        let s = wired();
        let (form, scope) = (Form::of(&s), Scope::of(&s));
        assert_eq!(form.changes(&form.clone(), &scope), Ok(vec![]));
        assert_eq!(form.ipv4, V4::Dhcp);
        // the live DHCP address is not the configuration
        assert_eq!(form.ipv4_address, "");
        assert_eq!(form.nameservers, "");
    }

    #[test]
    fn edits_in_several_groups_are_all_sent_with_connmands_names() {
        let s = wired();
        let (start, scope) = (Form::of(&s), Scope::of(&s));
        let mut form = start.clone();
        form.ipv4 = V4::Manual;
        form.ipv4_address = "10.77.1.50".into();
        form.ipv4_netmask = "24".into();
        form.ipv4_gateway = "10.77.1.1".into();
        form.nameservers = "10.77.1.1, 9.9.9.9".into();
        form.mdns = true;
        form.autoconnect = false;
        form.proxy = ProxyChoice::Auto;
        form.proxy_url = "http://10.77.1.1/proxy.pac".into();
        let names: Vec<&str> = form
            .changes(&start, &scope)
            .unwrap()
            .iter()
            .map(ServiceSetting::property_name)
            .collect();
        assert_eq!(
            names,
            [
                "AutoConnect",
                "mDNS.Configuration",
                "Nameservers.Configuration",
                "Proxy.Configuration",
                "IPv4.Configuration"
            ]
        );
    }

    #[test]
    fn a_netmask_typed_as_a_prefix_is_no_change() {
        let mut s = wired();
        s.ipv4_config = Ipv4 {
            method: Some(Ipv4Method::Manual),
            address: Some("10.77.1.50".into()),
            netmask: Some("255.255.255.0".into()),
            gateway: None,
        };
        let (start, scope) = (Form::of(&s), Scope::of(&s));
        assert_eq!(start.ipv4, V4::Manual);
        let mut form = start.clone();
        form.ipv4_netmask = "/24".into();
        assert_eq!(form.changes(&start, &scope), Ok(vec![]));
    }

    #[test]
    fn every_wrong_field_says_why_and_nothing_is_sent() {
        let s = wired();
        let (start, scope) = (Form::of(&s), Scope::of(&s));
        let mut form = start.clone();
        form.ipv4 = V4::Manual;
        form.ipv4_address = "10.0.0.300".into();
        form.ipv4_netmask = "255.0.255.0".into();
        form.ipv4_gateway = "gw".into();
        form.nameservers = "10.0.0.1 dns.example".into();
        let errors = form.changes(&start, &scope).unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                Field::Nameservers,
                Field::Ipv4Address,
                Field::Ipv4Netmask,
                Field::Ipv4Gateway
            ]
        );
        assert!(errors[1].1.contains("10.0.0.300"), "{errors:?}");
        assert!(errors[0].1.contains("dns.example"), "{errors:?}");
    }

    #[test]
    fn a_gateway_outside_the_subnet_is_named() {
        let s = wired();
        let (start, scope) = (Form::of(&s), Scope::of(&s));
        let mut form = start.clone();
        form.ipv4 = V4::Manual;
        form.ipv4_address = "10.0.0.5".into();
        form.ipv4_netmask = "255.255.255.0".into();
        form.ipv4_gateway = "10.0.1.1".into();
        let errors = form.changes(&start, &scope).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, Field::Ipv4Gateway);
        assert!(errors[0].1.contains("10.0.0.0/24"), "{errors:?}");
        form.ipv4_address = String::new();
        let errors = form.changes(&start, &scope).unwrap_err();
        assert_eq!(errors[0], (Field::Ipv4Address, "Enter an address.".into()));
    }

    #[test]
    fn a_provisioned_service_only_changes_autoconnect() {
        let mut s = wired();
        s.immutable = true;
        let scope = Scope::of(&s);
        assert!(scope.allows(Field::AutoConnect));
        assert!(!scope.allows(Field::Ipv4Address));
        assert!(!scope.allows(Field::Nameservers));
        let start = Form::of(&s);
        let mut form = start.clone();
        form.nameservers = "not checked, not sent".into();
        form.autoconnect = false;
        assert_eq!(
            form.changes(&start, &scope),
            Ok(vec![ServiceSetting::AutoConnect(false)])
        );
    }

    #[test]
    fn vpns_have_no_address_settings_and_unsaved_services_no_autoconnect() {
        let mut s = wired();
        s.type_ = ServiceType::Vpn;
        s.favorite = false;
        let scope = Scope::of(&s);
        assert!(!scope.ipv4 && !scope.ipv6 && !scope.autoconnect);
        let (settings, _) = Form::of(&s).check(&scope);
        assert!(settings
            .iter()
            .all(|s| !matches!(s, ServiceSetting::Ipv4(_) | ServiceSetting::AutoConnect(_))));
    }

    #[test]
    fn adopting_an_accepted_setting_ends_its_change() {
        let s = wired();
        let (mut start, scope) = (Form::of(&s), Scope::of(&s));
        let mut form = start.clone();
        form.domains = "lab.example".into();
        form.timeservers = "ntp.example".into();
        let changes = form.changes(&start, &scope).unwrap();
        assert_eq!(changes.len(), 2);
        start.adopt(&form, &changes[0]);
        assert_eq!(
            form.changes(&start, &scope).unwrap(),
            vec![changes[1].clone()]
        );
    }

    #[test]
    fn configured_and_active_in_words() {
        let v4 = Ipv4 {
            method: Some(Ipv4Method::Manual),
            address: Some("10.77.1.50".into()),
            netmask: Some("255.255.255.0".into()),
            gateway: Some("10.77.1.1".into()),
        };
        assert_eq!(
            configured_and_active(ipv4_words(&v4), live_words(v4.cidr())),
            "Configured: Manual 10.77.1.50/24, gateway 10.77.1.1 — active: 10.77.1.50/24"
        );
        assert_eq!(
            configured_and_active(None, list_words(&[])),
            "Automatic — active: none"
        );
    }
}
