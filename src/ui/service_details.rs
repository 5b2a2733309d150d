//! The details page of one service: state and error (as a sentence),
//! addresses, DNS, time servers, domains, proxy, interface, security,
//! strength, roaming, and the VPN's provider. Live while open: it follows
//! the client's events for its service. Names and values are shown
//! literally (rows without markup).

use std::cell::RefCell;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{glib, CompositeTemplate};

use crate::connman::client::{vpn_connection_path, Client};
use crate::connman::state::Event;
use crate::connman::types::{netmask_to_prefix, ServiceProps, VpnConnectionProps};
use crate::connman::ServiceType;
use crate::i18n::{gettext, gettext_f};
use crate::model::service_form::{ipv4_words, ipv6_words, proxy_words};
use crate::text;
use crate::ui::traffic::TrafficView;
use crate::ui::WinAction;

/// One group of the page: its title and `(label, value)` rows.
pub type Group = (String, Vec<(String, String)>);

fn yes_no(on: bool) -> String {
    if on {
        gettext("Yes")
    } else {
        gettext("No")
    }
}

fn on_off(on: bool) -> String {
    if on {
        gettext("On")
    } else {
        gettext("Off")
    }
}

fn list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}

/// What the page shows for `s` (and its VPN connection), groups without
/// any value left out.
pub fn details_groups(s: &ServiceProps, vpn: Option<&VpnConnectionProps>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut push = |title: String, rows: Vec<(String, Option<String>)>| {
        let rows: Vec<(String, String)> = rows
            .into_iter()
            .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
            .collect();
        if !rows.is_empty() {
            groups.push((title, rows));
        }
    };
    let error = s.current_error().map(|e| gettext(&e.sentence()));
    let wireless = matches!(s.type_, ServiceType::Wifi | ServiceType::Cellular);
    push(
        gettext("Status"),
        vec![
            (gettext("State"), Some(text::state_word(&s.state))),
            (gettext("Error"), error),
            (gettext("Type"), Some(text::type_name(&s.type_))),
            (
                gettext("Security"),
                (s.type_ == ServiceType::Wifi).then(|| s.primary_security().as_str().to_owned()),
            ),
            (
                gettext("Signal Strength"),
                s.strength.map(|v| format!("{v} %")),
            ),
            (gettext("Roaming"), wireless.then(|| yes_no(s.roaming))),
            (gettext("Saved"), Some(yes_no(s.favorite))),
            (
                gettext("Connect Automatically"),
                Some(yes_no(s.autoconnect)),
            ),
        ],
    );
    push(
        gettext("IPv4"),
        vec![
            (
                gettext("Method"),
                s.ipv4.method.as_ref().map(|m| m.as_str().to_owned()),
            ),
            (gettext("Address"), s.ipv4.address.clone()),
            (
                gettext("Netmask"),
                s.ipv4
                    .netmask
                    .as_ref()
                    .map(|m| match s.ipv4.prefix_length() {
                        Some(p) => format!("{m} (/{p})"),
                        None => m.clone(),
                    }),
            ),
            (gettext("Gateway"), s.ipv4.gateway.clone()),
            (gettext("Configured"), ipv4_words(&s.ipv4_config)),
            (
                gettext("Address Conflict"),
                s.last_address_conflict
                    .as_ref()
                    .filter(|c| c.is_active())
                    .map(|c| {
                        gettext_f(
                            "{} is also used by {}",
                            &[
                                c.ipv4_address.as_deref().unwrap_or_default(),
                                c.ethernet_address.as_deref().unwrap_or_default(),
                            ],
                        )
                    }),
            ),
        ],
    );
    push(
        gettext("IPv6"),
        vec![
            (
                gettext("Method"),
                s.ipv6.method.as_ref().map(|m| m.as_str().to_owned()),
            ),
            (gettext("Address"), s.ipv6.address.clone()),
            (
                gettext("Prefix Length"),
                s.ipv6.prefix_length.map(|p| p.to_string()),
            ),
            (gettext("Gateway"), s.ipv6.gateway.clone()),
            (
                gettext("Privacy"),
                s.ipv6
                    .privacy
                    .as_ref()
                    .filter(|_| s.ipv6.method.is_some())
                    .map(|p| p.as_str().to_owned()),
            ),
            (gettext("Configured"), ipv6_words(&s.ipv6_config)),
        ],
    );
    push(
        gettext("Names and Time"),
        vec![
            (gettext("Name Servers"), list(&s.nameservers)),
            (gettext("Time Servers"), list(&s.timeservers)),
            (gettext("Search Domains"), list(&s.domains)),
            (
                gettext("Configured Name Servers"),
                list(&s.nameservers_config),
            ),
            (
                gettext("Configured Time Servers"),
                list(&s.timeservers_config),
            ),
            (
                gettext("Configured Search Domains"),
                list(&s.domains_config),
            ),
            (
                gettext("Multicast DNS"),
                Some(gettext_f(
                    "{} (configured: {})",
                    &[&on_off(s.mdns), &on_off(s.mdns_config)],
                )),
            ),
        ],
    );
    push(
        gettext("Proxy"),
        vec![
            (
                gettext("Method"),
                s.proxy.method.as_ref().map(|m| m.as_str().to_owned()),
            ),
            (gettext("Configuration URL"), s.proxy.url.clone()),
            (gettext("Servers"), list(&s.proxy.servers)),
            (gettext("Exceptions"), list(&s.proxy.excludes)),
            (gettext("Configured"), proxy_words(&s.proxy_config)),
        ],
    );
    push(
        gettext("Device"),
        vec![
            (gettext("Interface"), s.ethernet.interface.clone()),
            (gettext("Hardware Address"), s.ethernet.address.clone()),
            (gettext("MTU"), s.ethernet.mtu.map(|m| m.to_string())),
        ],
    );
    if s.type_ == ServiceType::Vpn {
        let p = &s.provider;
        push(
            gettext("VPN"),
            vec![
                (
                    gettext("Type"),
                    p.type_
                        .clone()
                        .or_else(|| vpn.and_then(|v| v.type_.clone()))
                        .map(|t| text::vpn_type_name(&t)),
                ),
                (gettext("Provider"), p.name.clone()),
                (
                    gettext("Server"),
                    p.host.clone().or_else(|| vpn.and_then(|v| v.host.clone())),
                ),
                (
                    gettext("Domain"),
                    p.domain
                        .clone()
                        .or_else(|| vpn.and_then(|v| v.domain.clone())),
                ),
                (
                    gettext("Split Routing"),
                    vpn.map(|v| v.split_routing).or(p.split_routing).map(yes_no),
                ),
                (
                    gettext("Routes"),
                    vpn.map(|v| {
                        let routes: Vec<String> = v
                            .server_routes
                            .iter()
                            .chain(&v.user_routes)
                            .map(|r| {
                                let prefix = netmask_to_prefix(&r.netmask)
                                    .map_or_else(|| r.netmask.clone(), |p| p.to_string());
                                format!("{}/{prefix}", r.network)
                            })
                            .collect();
                        routes.join(", ")
                    }),
                ),
            ],
        );
    }
    groups
}

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(file = "service_details.ui")]
    pub struct ServiceDetails {
        #[template_child]
        pub(super) title_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) back_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) groups_box: TemplateChild<gtk::Box>,
        #[template_child]
        pub(super) traffic_box: TemplateChild<gtk::Box>,
        /// Received and sent, live while the page shows a connected service.
        pub(super) traffic: std::cell::OnceCell<std::rc::Rc<TrafficView>>,
        #[template_child]
        pub(super) edit_button: TemplateChild<gtk::Button>,
        /// The service shown, and the task following its changes.
        pub(super) shown: RefCell<Option<(String, Client, glib::JoinHandle<()>)>>,
        pub(super) groups: RefCell<Vec<Group>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ServiceDetails {
        const NAME: &'static str = "CnServiceDetails";
        type Type = super::ServiceDetails;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ServiceDetails {
        fn constructed(&self) {
            self.parent_constructed();
            let traffic = TrafficView::new();
            self.traffic_box.append(traffic.widget());
            let page = self.obj().downgrade();
            traffic.reset_button().connect_clicked(move |_| {
                let Some(page) = page.upgrade() else { return };
                if let Some(path) = page.path() {
                    let _ = page.activate_action(
                        WinAction::ResetCounters.detailed(),
                        Some(&path.to_variant()),
                    );
                }
            });
            let _ = self.traffic.set(traffic);
        }

        fn dispose(&self) {
            self.obj().stop();
        }
    }

    impl WidgetImpl for ServiceDetails {}
    impl BoxImpl for ServiceDetails {}
}

glib::wrapper! {
    pub struct ServiceDetails(ObjectSubclass<imp::ServiceDetails>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for ServiceDetails {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ServiceDetails {
    /// The back button (the window connects it).
    pub fn back_button(&self) -> gtk::Button {
        self.imp().back_button.get()
    }

    /// Shows `path` and follows its changes until [`Self::stop`].
    pub fn show(&self, client: &Client, path: &str) {
        self.stop();
        let events = client.events();
        let weak = self.downgrade();
        let p = path.to_owned();
        let task = glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                let concerns = match &event {
                    Event::ServiceChanged { path, .. } => *path == p,
                    Event::ServicesChanged {
                        updated, removed, ..
                    } => updated.contains(&p) || removed.contains(&p),
                    Event::VpnConnectionChanged { path, .. } => *path == vpn_connection_path(&p),
                    Event::ConnmanUp(_) | Event::ConnmanDown => true,
                    _ => false,
                };
                if !concerns {
                    continue;
                }
                let Some(page) = weak.upgrade() else {
                    return;
                };
                if matches!(event, Event::ConnmanUp(_)) {
                    // connmand (re)started: the traffic counter again
                    if let (Some(t), Some((_, client, _))) =
                        (page.imp().traffic.get(), page.imp().shown.borrow().as_ref())
                    {
                        t.follow(Some(client), Some(&p));
                    }
                }
                page.refresh();
            }
        });
        self.imp()
            .shown
            .replace(Some((path.to_owned(), client.clone(), task)));
        if let Some(t) = self.imp().traffic.get() {
            t.follow(Some(client), Some(path));
        }
        // the target before the action: GTK checks the pair at each change
        let edit = &self.imp().edit_button;
        edit.set_action_target_value(Some(&path.to_variant()));
        edit.set_action_name(Some(WinAction::EditService.detailed()));
        self.refresh();
    }

    /// Stops following the service.
    pub fn stop(&self) {
        if let Some((_, _, task)) = self.imp().shown.take() {
            task.abort();
            if let Some(t) = self.imp().traffic.get() {
                t.follow(None, None);
            }
        }
    }

    /// connmand zeroed the counters of the service shown.
    pub fn counters_reset(&self) {
        if let Some(t) = self.imp().traffic.get() {
            t.clear();
        }
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The traffic group.
    pub fn traffic(&self) -> std::rc::Rc<TrafficView> {
        self.imp()
            .traffic
            .get()
            .expect("made in constructed()")
            .clone()
    }

    /// The service shown.
    pub fn path(&self) -> Option<String> {
        self.imp()
            .shown
            .borrow()
            .as_ref()
            .map(|(p, _, _)| p.clone())
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The page's title (the service's name, literally).
    pub fn title_text(&self) -> String {
        self.imp().title_label.text().into()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The value shown for `label` in the group titled `group`.
    pub fn value(&self, group: &str, label: &str) -> Option<String> {
        self.imp()
            .groups
            .borrow()
            .iter()
            .filter(|(g, _)| g == group)
            .flat_map(|(_, rows)| rows)
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.clone())
    }

    fn refresh(&self) {
        let imp = self.imp();
        let (groups, title) = {
            let shown = imp.shown.borrow();
            let Some((path, client, _)) = shown.as_ref() else {
                return;
            };
            let state = client.state();
            let connected = state.service(path).is_some_and(|s| s.is_connected());
            if let Some(t) = imp.traffic.get() {
                t.set_connected(connected);
            }
            match state.service(path) {
                Some(s) => (
                    details_groups(s, state.vpn_connection(&vpn_connection_path(path))),
                    text::display_name(s.name.as_deref().unwrap_or_default(), s.is_hidden()),
                ),
                None => (Vec::new(), gettext("Gone")),
            }
        };
        if *imp.groups.borrow() == groups && imp.title_label.text() == title {
            return;
        }
        imp.title_label.set_label(&title);
        while let Some(child) = imp.groups_box.first_child() {
            imp.groups_box.remove(&child);
        }
        for (group, rows) in &groups {
            let g = adw::PreferencesGroup::new();
            g.set_title(&glib::markup_escape_text(group));
            for (label, value) in rows {
                let row = adw::ActionRow::new();
                row.set_use_markup(false);
                row.set_title(label);
                // values are hostile data: plain text; selectable, so that
                // an address can be copied (and reached with the keyboard)
                let v = gtk::Label::builder()
                    .label(value)
                    .use_markup(false)
                    .use_underline(false)
                    .selectable(true)
                    .wrap(true)
                    .wrap_mode(gtk::pango::WrapMode::WordChar)
                    .xalign(1.0)
                    .justify(gtk::Justification::Right)
                    .width_chars(16)
                    .max_width_chars(28)
                    .valign(gtk::Align::Center)
                    .build();
                v.add_css_class("dim-label");
                row.add_suffix(&v);
                g.add(&row);
            }
            imp.groups_box.append(&g);
        }
        imp.groups.replace(groups);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::{Ipv4, Ipv4Method, ServiceError, ServiceState};

    #[test]
    fn the_groups_of_a_wired_service() {
        let s = ServiceProps {
            type_: ServiceType::Ethernet,
            state: ServiceState::Failure,
            error: Some(ServiceError::DhcpFailed),
            ipv4: Ipv4 {
                method: Some(Ipv4Method::Dhcp),
                address: Some("10.77.1.23".into()),
                netmask: Some("255.255.255.0".into()),
                gateway: Some("10.77.1.1".into()),
            },
            nameservers: vec!["10.77.1.1".into(), "<b>x</b>".into()],
            ..Default::default()
        };
        let groups = details_groups(&s, None);
        let titles: Vec<&str> = groups.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(titles, ["Status", "IPv4", "Names and Time"]);
        let ipv4 = &groups[1].1;
        assert_eq!(ipv4[1], ("Address".into(), "10.77.1.23".into()));
        assert_eq!(ipv4[2].1, "255.255.255.0 (/24)");
        assert_eq!(groups[2].1[0].1, "10.77.1.1, <b>x</b>");
        let status = &groups[0].1;
        assert_eq!(status[0].1, "Failed");
        assert_eq!(status[1].0, "Error");
        assert!(!status.iter().any(|(l, _)| l == "Roaming"));
    }
}
