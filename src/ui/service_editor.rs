//! The editor of one service's settings: connect automatically, mDNS,
//! IPv4, IPv6, DNS servers, time servers, search domains and proxy, laid
//! out as GNOME Settings' network page is.
//!
//! What is typed is kept in a [`Form`], field by field, whatever is in
//! view; every change is checked at once and the reason shown under the
//! field (and given to assistive technology); Apply is on only when
//! something changed and nothing is wrong, and sends exactly what changed
//! ([`Form::changes`]). What connmand refuses is said at the top, and the
//! form keeps everything typed. Each group says what connmand reports,
//! configured and active, live. Closing with changes not applied asks
//! first.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use crate::backend::{Backend, Outcome};
use crate::connman::state::Event;
use crate::connman::types::{Ipv6Privacy, ServiceProps, ServiceSetting};
use crate::i18n::{gettext, gettext_f};
use crate::model::service_form::{
    configured_and_active, ipv4_words, ipv6_words, list_words, live_words, proxy_words,
    setting_title, Field, Form, ProxyChoice, Scope, PRIVACY, V4, V6,
};
use crate::text;

/// The groups of the editor, by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Group {
    General,
    Ipv4,
    Ipv6,
    Nameservers,
    Timeservers,
    Domains,
    Proxy,
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct ServiceEditor {
        pub(super) path: RefCell<String>,
        pub(super) backend: RefCell<Option<Backend>>,
        /// What connmand has, as a form: what the form is compared with.
        pub(super) start: RefCell<Option<Form>>,
        pub(super) form: RefCell<Option<Form>>,
        pub(super) scope: Cell<Scope>,
        pub(super) entries: RefCell<HashMap<Field, adw::EntryRow>>,
        pub(super) combos: RefCell<HashMap<Field, adw::ComboRow>>,
        pub(super) switches: RefCell<HashMap<Field, gtk::Switch>>,
        pub(super) errors: RefCell<HashMap<Field, (gtk::ListBoxRow, gtk::Label)>>,
        pub(super) groups: RefCell<HashMap<Group, adw::PreferencesGroup>>,
        pub(super) apply: OnceCell<gtk::Button>,
        pub(super) message: OnceCell<(gtk::ListBoxRow, gtk::Label)>,
        pub(super) toasts: OnceCell<adw::ToastOverlay>,
        pub(super) mdns_row: OnceCell<adw::ActionRow>,
        /// The group at the top (refusals, why it is read-only).
        pub(super) top: OnceCell<adw::PreferencesGroup>,
        /// Applying: Apply is off until connmand answered.
        pub(super) busy: Cell<bool>,
        /// Filling the widgets in: their change signals are not edits.
        pub(super) loading: Cell<bool>,
        /// The person chose to discard the changes: close without asking.
        pub(super) discard: Cell<bool>,
        pub(super) follow: RefCell<Option<glib::JoinHandle<()>>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ServiceEditor {
        const NAME: &'static str = "CnServiceEditor";
        type Type = super::ServiceEditor;
        type ParentType = adw::Window;
    }

    impl ObjectImpl for ServiceEditor {
        fn dispose(&self) {
            if let Some(task) = self.follow.take() {
                task.abort();
            }
        }
    }

    impl WidgetImpl for ServiceEditor {}

    impl WindowImpl for ServiceEditor {
        fn close_request(&self) -> glib::Propagation {
            let editor = self.obj();
            if self.discard.get() || !editor.has_changes() {
                if let Some(task) = self.follow.take() {
                    task.abort();
                }
                return self.parent_close_request();
            }
            editor.ask_discard();
            glib::Propagation::Stop
        }
    }

    impl AdwWindowImpl for ServiceEditor {}
}

glib::wrapper! {
    pub struct ServiceEditor(ObjectSubclass<imp::ServiceEditor>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

fn v4_name(m: V4) -> String {
    match m {
        V4::Dhcp => gettext("Automatic (DHCP)"),
        V4::Manual => gettext("Manual"),
        V4::Off => gettext("Off"),
    }
}

fn v6_name(m: V6) -> String {
    match m {
        V6::Auto => gettext("Automatic"),
        V6::Manual => gettext("Manual"),
        V6::Off => gettext("Off"),
    }
}

fn privacy_name(p: &Ipv6Privacy) -> String {
    match p {
        Ipv6Privacy::Enabled => gettext("Enabled"),
        Ipv6Privacy::Prefered => gettext("Preferred"),
        _ => gettext("Disabled"),
    }
}

fn proxy_name(p: ProxyChoice) -> String {
    match p {
        ProxyChoice::Direct => gettext("Direct"),
        ProxyChoice::Auto => gettext("Automatic"),
        ProxyChoice::Manual => gettext("Manual"),
    }
}

impl ServiceEditor {
    /// An editor of service `path`, over `parent`; `None` when connmand
    /// does not list the service.
    pub fn new(parent: &impl IsA<gtk::Window>, backend: &Backend, path: &str) -> Option<Self> {
        let client = backend.client()?;
        let (props, name) = {
            let state = client.state();
            let s = state.service(path)?;
            (s.clone(), text::name_of(s))
        };
        let editor: Self = glib::Object::builder()
            .property("accessible-role", crate::ui::dialog_role(false))
            .property("modal", true)
            .property("transient-for", parent)
            .property("default-width", 520)
            .property("default-height", 720)
            .property("title", gettext_f("Settings of {}", &[&name]))
            .build();
        let imp = editor.imp();
        imp.path.replace(path.to_owned());
        imp.backend.replace(Some(backend.clone()));
        let scope = Scope::of(&props);
        imp.scope.set(scope);
        let form = Form::of(&props);
        imp.start.replace(Some(form.clone()));
        imp.form.replace(Some(form));
        editor.build(&name);
        editor.load();
        editor.show_reported(&props);
        editor.revalidate();
        editor.follow(&client);
        crate::ui::name_mnemonic_buttons(&editor);
        Some(editor)
    }

    fn build(&self, name: &str) {
        let imp = self.imp();
        let scope = imp.scope.get();
        let cancel = gtk::Button::with_mnemonic(&gettext("_Cancel"));
        cancel.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| {
                gtk::prelude::GtkWindowExt::close(&editor);
            }
        ));
        let apply = gtk::Button::with_mnemonic(&gettext("_Apply"));
        apply.add_css_class("suggested-action");
        apply.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.apply()
        ));
        let _ = imp.apply.set(apply.clone());
        let (header, _) = crate::ui::dialog_header(&gettext("Settings"), name, &cancel, &apply);

        let page = adw::PreferencesPage::new();
        // what connmand refused, and why a provisioned service is read-only
        let top = adw::PreferencesGroup::new();
        let message = crate::ui::note_row("error");
        top.add(&message.0);
        let _ = imp.message.set(message);
        if scope.locked {
            let (row, label) = crate::ui::note_row("dim-label");
            label.set_label(&gettext(
                "These settings come from a provisioning file in /var/lib/connman and can \
                 only be changed there. Only “Connect Automatically” can be changed here.",
            ));
            row.set_visible(true);
            top.add(&row);
        }
        top.set_visible(scope.locked);
        page.add(&top);
        let _ = imp.top.set(top);

        let general = self.group(Group::General, &gettext("General"));
        if scope.autoconnect {
            general.add(&self.switch_row(
                Field::AutoConnect,
                &gettext("Connect Automatically"),
                &gettext("Connect when the network is in reach"),
            ));
        }
        let mdns = self.switch_row(
            Field::Mdns,
            &gettext("Multicast DNS"),
            &gettext("Resolve and announce .local names"),
        );
        general.add(&mdns);
        let _ = imp.mdns_row.set(mdns);
        page.add(&general);

        if scope.ipv4 {
            let g = self.group(Group::Ipv4, &gettext("IPv4"));
            let methods: Vec<String> = V4::ALL.iter().map(|m| v4_name(*m)).collect();
            self.combo_row(&g, Field::Ipv4Method, &gettext("IPv4 Method"), &methods);
            self.entry_row(
                &g,
                Field::Ipv4Address,
                &gettext("Address"),
                &gettext("IPv4 Address"),
            );
            self.entry_row(
                &g,
                Field::Ipv4Netmask,
                &gettext("Netmask"),
                &gettext("IPv4 Netmask"),
            );
            self.entry_row(
                &g,
                Field::Ipv4Gateway,
                &gettext("Gateway"),
                &gettext("IPv4 Gateway"),
            );
            page.add(&g);
        }
        if scope.ipv6 {
            let g = self.group(Group::Ipv6, &gettext("IPv6"));
            let methods: Vec<String> = V6::ALL.iter().map(|m| v6_name(*m)).collect();
            self.combo_row(&g, Field::Ipv6Method, &gettext("IPv6 Method"), &methods);
            let privacy: Vec<String> = PRIVACY.iter().map(privacy_name).collect();
            self.combo_row(&g, Field::Ipv6Privacy, &gettext("Privacy"), &privacy);
            self.entry_row(
                &g,
                Field::Ipv6Address,
                &gettext("Address"),
                &gettext("IPv6 Address"),
            );
            self.entry_row(
                &g,
                Field::Ipv6Prefix,
                &gettext("Prefix Length"),
                &gettext("IPv6 Prefix Length"),
            );
            self.entry_row(
                &g,
                Field::Ipv6Gateway,
                &gettext("Gateway"),
                &gettext("IPv6 Gateway"),
            );
            page.add(&g);
        }
        let lists = [
            (
                Group::Nameservers,
                Field::Nameservers,
                gettext("DNS Servers"),
            ),
            (
                Group::Timeservers,
                Field::Timeservers,
                gettext("Time Servers"),
            ),
            (Group::Domains, Field::Domains, gettext("Search Domains")),
        ];
        let entries = [gettext("Servers"), gettext("Servers"), gettext("Domains")];
        for ((group, field, title), entry) in lists.into_iter().zip(entries) {
            let g = self.group(group, &title);
            self.entry_row(&g, field, &entry, &title);
            page.add(&g);
        }
        let g = self.group(Group::Proxy, &gettext("Proxy"));
        let methods: Vec<String> = ProxyChoice::ALL.iter().map(|m| proxy_name(*m)).collect();
        self.combo_row(&g, Field::ProxyMethod, &gettext("Proxy Method"), &methods);
        self.entry_row(
            &g,
            Field::ProxyUrl,
            &gettext("Configuration URL (optional)"),
            "",
        );
        self.entry_row(&g, Field::ProxyServers, &gettext("Proxy Servers"), "");
        self.entry_row(&g, Field::ProxyExcludes, &gettext("Ignore Hosts"), "");
        page.add(&g);

        let toasts = adw::ToastOverlay::new();
        toasts.set_child(Some(&page));
        let _ = imp.toasts.set(toasts.clone());
        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&header);
        content.append(&toasts);
        page.set_vexpand(true);
        adw::prelude::AdwWindowExt::set_content(self, Some(&content));
        gtk::prelude::GtkWindowExt::set_default_widget(self, Some(&apply));
        // Escape closes (asking first when there are changes)
        let escape = gtk::ShortcutController::new();
        escape.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape"),
            Some(gtk::NamedAction::new("window.close")),
        ));
        self.add_controller(escape);
        for (field, widget) in self.field_widgets() {
            widget.set_sensitive(scope.allows(field));
        }
    }

    fn group(&self, key: Group, title: &str) -> adw::PreferencesGroup {
        let g = adw::PreferencesGroup::new();
        g.set_title(&glib::markup_escape_text(title));
        self.imp().groups.borrow_mut().insert(key, g.clone());
        g
    }

    fn switch_row(&self, field: Field, title: &str, subtitle: &str) -> adw::ActionRow {
        let (row, switch) = crate::ui::switch_row(title, Some(subtitle));
        switch.connect_active_notify(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.edited()
        ));
        self.imp().switches.borrow_mut().insert(field, switch);
        row
    }

    fn combo_row(&self, g: &adw::PreferencesGroup, field: Field, title: &str, items: &[String]) {
        let strs: Vec<&str> = items.iter().map(String::as_str).collect();
        let row = adw::ComboRow::builder()
            .title(glib::markup_escape_text(title))
            .model(&gtk::StringList::new(&strs))
            .build();
        row.connect_selected_notify(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.edited()
        ));
        g.add(&row);
        self.imp().combos.borrow_mut().insert(field, row);
    }

    /// An entry and, under it, the row that says what is wrong with it.
    /// `name` is the accessible name when the title alone is ambiguous
    /// (&gettext("IPv4 Address")); empty for the title.
    fn entry_row(&self, g: &adw::PreferencesGroup, field: Field, title: &str, name: &str) {
        let row = adw::EntryRow::builder()
            .title(glib::markup_escape_text(title))
            .build();
        let name = if name.is_empty() { title } else { name };
        crate::ui::access::set_label(&row, name);
        row.connect_changed(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.edited()
        ));
        g.add(&row);
        let error = crate::ui::note_row("error");
        g.add(&error.0);
        self.imp().entries.borrow_mut().insert(field, row);
        self.imp().errors.borrow_mut().insert(field, error);
    }

    fn field_widgets(&self) -> Vec<(Field, gtk::Widget)> {
        let imp = self.imp();
        let mut all: Vec<(Field, gtk::Widget)> = Vec::new();
        all.extend(
            imp.entries
                .borrow()
                .iter()
                .map(|(f, w)| (*f, w.clone().upcast())),
        );
        all.extend(
            imp.combos
                .borrow()
                .iter()
                .map(|(f, w)| (*f, w.clone().upcast())),
        );
        all.extend(
            imp.switches
                .borrow()
                .iter()
                .map(|(f, w)| (*f, w.clone().upcast())),
        );
        all
    }

    /// Puts the form's values into the widgets.
    fn load(&self) {
        let imp = self.imp();
        let Some(form) = imp.form.borrow().clone() else {
            return;
        };
        imp.loading.set(true);
        let texts = [
            (Field::Ipv4Address, &form.ipv4_address),
            (Field::Ipv4Netmask, &form.ipv4_netmask),
            (Field::Ipv4Gateway, &form.ipv4_gateway),
            (Field::Ipv6Address, &form.ipv6_address),
            (Field::Ipv6Prefix, &form.ipv6_prefix),
            (Field::Ipv6Gateway, &form.ipv6_gateway),
            (Field::Nameservers, &form.nameservers),
            (Field::Timeservers, &form.timeservers),
            (Field::Domains, &form.domains),
            (Field::ProxyUrl, &form.proxy_url),
            (Field::ProxyServers, &form.proxy_servers),
            (Field::ProxyExcludes, &form.proxy_excludes),
        ];
        for (field, value) in texts {
            if let Some(e) = imp.entries.borrow().get(&field) {
                e.set_text(value);
            }
        }
        let selected = [
            (
                Field::Ipv4Method,
                V4::ALL.iter().position(|m| *m == form.ipv4),
            ),
            (
                Field::Ipv6Method,
                V6::ALL.iter().position(|m| *m == form.ipv6),
            ),
            (
                Field::Ipv6Privacy,
                PRIVACY.iter().position(|p| *p == form.ipv6_privacy),
            ),
            (
                Field::ProxyMethod,
                ProxyChoice::ALL.iter().position(|m| *m == form.proxy),
            ),
        ];
        for (field, index) in selected {
            if let Some(c) = imp.combos.borrow().get(&field) {
                c.set_selected(index.unwrap_or(0) as u32);
            }
        }
        for (field, on) in [
            (Field::AutoConnect, form.autoconnect),
            (Field::Mdns, form.mdns),
        ] {
            if let Some(s) = imp.switches.borrow().get(&field) {
                s.set_active(on);
            }
        }
        imp.loading.set(false);
    }

    /// Reads the widgets into the form (after any change).
    fn read(&self) {
        let imp = self.imp();
        let mut slot = imp.form.borrow_mut();
        let Some(form) = slot.as_mut() else {
            return;
        };
        let entries = imp.entries.borrow();
        let text = |field| {
            entries
                .get(&field)
                .map(|e: &adw::EntryRow| e.text().to_string())
        };
        let fields: [(Field, &mut String); 12] = [
            (Field::Ipv4Address, &mut form.ipv4_address),
            (Field::Ipv4Netmask, &mut form.ipv4_netmask),
            (Field::Ipv4Gateway, &mut form.ipv4_gateway),
            (Field::Ipv6Address, &mut form.ipv6_address),
            (Field::Ipv6Prefix, &mut form.ipv6_prefix),
            (Field::Ipv6Gateway, &mut form.ipv6_gateway),
            (Field::Nameservers, &mut form.nameservers),
            (Field::Timeservers, &mut form.timeservers),
            (Field::Domains, &mut form.domains),
            (Field::ProxyUrl, &mut form.proxy_url),
            (Field::ProxyServers, &mut form.proxy_servers),
            (Field::ProxyExcludes, &mut form.proxy_excludes),
        ];
        for (field, value) in fields {
            if let Some(t) = text(field) {
                *value = t;
            }
        }
        let combos = imp.combos.borrow();
        let selected = |field| {
            combos
                .get(&field)
                .map(|c: &adw::ComboRow| c.selected() as usize)
        };
        if let Some(i) = selected(Field::Ipv4Method) {
            form.ipv4 = V4::ALL.get(i).copied().unwrap_or(V4::Dhcp);
        }
        if let Some(i) = selected(Field::Ipv6Method) {
            form.ipv6 = V6::ALL.get(i).copied().unwrap_or(V6::Auto);
        }
        if let Some(i) = selected(Field::Ipv6Privacy) {
            form.ipv6_privacy = PRIVACY.get(i).cloned().unwrap_or(Ipv6Privacy::Disabled);
        }
        if let Some(i) = selected(Field::ProxyMethod) {
            form.proxy = ProxyChoice::ALL
                .get(i)
                .copied()
                .unwrap_or(ProxyChoice::Direct);
        }
        let switches = imp.switches.borrow();
        if let Some(s) = switches.get(&Field::AutoConnect) {
            form.autoconnect = s.is_active();
        }
        if let Some(s) = switches.get(&Field::Mdns) {
            form.mdns = s.is_active();
        }
    }

    fn edited(&self) {
        if self.imp().loading.get() {
            return;
        }
        self.read();
        self.revalidate();
    }

    /// What would be sent, or what keeps it from being sent.
    fn changes(&self) -> Result<Vec<ServiceSetting>, Vec<(Field, String)>> {
        let imp = self.imp();
        let (form, start) = (imp.form.borrow(), imp.start.borrow());
        match (form.as_ref(), start.as_ref()) {
            (Some(f), Some(s)) => f.changes(s, &imp.scope.get()),
            _ => Ok(Vec::new()),
        }
    }

    /// Whether closing would lose something typed.
    pub fn has_changes(&self) -> bool {
        !matches!(self.changes(), Ok(c) if c.is_empty())
    }

    /// Shows which fields are in use, what is wrong where, and whether
    /// Apply can be used.
    fn revalidate(&self) {
        let imp = self.imp();
        let Some(form) = imp.form.borrow().clone() else {
            return;
        };
        let manual4 = form.ipv4 == V4::Manual;
        let manual6 = form.ipv6 == V6::Manual;
        let visible = [
            (Field::Ipv4Address, manual4),
            (Field::Ipv4Netmask, manual4),
            (Field::Ipv4Gateway, manual4),
            (Field::Ipv6Address, manual6),
            (Field::Ipv6Prefix, manual6),
            (Field::Ipv6Gateway, manual6),
            (Field::ProxyUrl, form.proxy == ProxyChoice::Auto),
            (Field::ProxyServers, form.proxy == ProxyChoice::Manual),
            (Field::ProxyExcludes, form.proxy == ProxyChoice::Manual),
        ];
        for (field, on) in visible {
            if let Some(e) = imp.entries.borrow().get(&field) {
                e.set_visible(on);
            }
        }
        if let Some(c) = imp.combos.borrow().get(&Field::Ipv6Privacy) {
            c.set_visible(form.ipv6 == V6::Auto);
        }
        let changes = self.changes();
        let wrong: HashMap<Field, String> = match &changes {
            Err(errors) => errors.iter().cloned().collect(),
            Ok(_) => HashMap::new(),
        };
        for (field, (row, label)) in imp.errors.borrow().iter() {
            let entry = imp.entries.borrow().get(field).cloned();
            let shown = entry.as_ref().is_some_and(|e| e.is_visible());
            let why = wrong.get(field).filter(|_| shown);
            row.set_visible(why.is_some());
            label.set_label(why.map(String::as_str).unwrap_or_default());
            if let Some(entry) = entry {
                if why.is_some() {
                    entry.add_css_class("error");
                } else {
                    entry.remove_css_class("error");
                }
                crate::ui::access::set_invalid(&entry, why.is_some());
                crate::ui::access::set_description(
                    &entry,
                    why.map(String::as_str).unwrap_or_default(),
                );
            }
        }
        let ready = matches!(&changes, Ok(c) if !c.is_empty());
        if let Some(apply) = imp.apply.get() {
            apply.set_sensitive(ready && !imp.busy.get());
        }
    }

    /// Says, per group, what connmand reports: configured and active.
    fn show_reported(&self, s: &ServiceProps) {
        let imp = self.imp();
        let groups = imp.groups.borrow();
        let say = |group: Group, text: String| {
            if let Some(g) = groups.get(&group) {
                g.set_description(Some(&glib::markup_escape_text(&text)));
            }
        };
        say(
            Group::Ipv4,
            configured_and_active(ipv4_words(&s.ipv4_config), live_words(s.ipv4.cidr())),
        );
        say(
            Group::Ipv6,
            configured_and_active(ipv6_words(&s.ipv6_config), live_words(s.ipv6.cidr())),
        );
        let lists = [
            (Group::Nameservers, &s.nameservers_config, &s.nameservers),
            (Group::Timeservers, &s.timeservers_config, &s.timeservers),
            (Group::Domains, &s.domains_config, &s.domains),
        ];
        for (group, configured, active) in lists {
            let configured = (!configured.is_empty()).then(|| configured.join(", "));
            let words = configured_and_active(configured, list_words(active));
            say(
                group,
                format!(
                    "{words}\n{}",
                    gettext("Separate entries with commas; leave empty for automatic.")
                ),
            );
        }
        let proxy = proxy_words(&s.proxy).unwrap_or_else(|| gettext("none"));
        say(
            Group::Proxy,
            configured_and_active(proxy_words(&s.proxy_config), proxy),
        );
        // connmand keeps mDNS off unless built to resolve with systemd-resolved
        if let Some(row) = imp.mdns_row.get() {
            let active = if s.mdns {
                gettext("Resolve and announce .local names — active: on")
            } else {
                gettext("Resolve and announce .local names — active: off")
            };
            row.set_subtitle(&glib::markup_escape_text(&active));
        }
    }

    /// Follows connmand's values of the service while open (the form
    /// keeps what is typed).
    fn follow(&self, client: &crate::connman::client::Client) {
        let events = client.events();
        let weak = self.downgrade();
        let path = self.imp().path.borrow().clone();
        let task = glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                let Event::ServiceChanged { path: p, props, .. } = &event else {
                    continue;
                };
                if *p != path {
                    continue;
                }
                let Some(editor) = weak.upgrade() else {
                    return;
                };
                editor.show_reported(props);
            }
        });
        self.imp().follow.replace(Some(task));
    }

    /// Sends what changed; says what connmand refused, keeping it typed.
    pub fn apply(&self) {
        let imp = self.imp();
        let Ok(changes) = self.changes() else {
            return;
        };
        if changes.is_empty() || imp.busy.get() {
            return;
        }
        let Some(backend) = imp.backend.borrow().clone() else {
            return;
        };
        imp.busy.set(true);
        self.say(None);
        self.revalidate();
        let path = imp.path.borrow().clone();
        let weak = self.downgrade();
        glib::spawn_future_local(async move {
            let outcomes = backend.apply_settings(&path, &changes).await;
            let Some(editor) = weak.upgrade() else {
                return;
            };
            editor.applied(&changes, &outcomes);
        });
    }

    fn applied(&self, changes: &[ServiceSetting], outcomes: &[Outcome]) {
        let imp = self.imp();
        imp.busy.set(false);
        let mut refused = Vec::new();
        {
            let form = imp.form.borrow().clone();
            let mut start = imp.start.borrow_mut();
            for (setting, outcome) in changes.iter().zip(outcomes) {
                match (outcome.failure(), start.as_mut(), form.as_ref()) {
                    (None, Some(start), Some(form)) => start.adopt(form, setting),
                    (Some(f), _, _) => {
                        refused.push(gettext_f(
                            "{}: ConnMan refused it. {}",
                            &[&setting_title(setting), &f.why],
                        ));
                    }
                    _ => {}
                }
            }
        }
        if refused.is_empty() {
            if let Some(toasts) = imp.toasts.get() {
                toasts.add_toast(adw::Toast::new(&glib::markup_escape_text(&gettext(
                    "Settings applied",
                ))));
            }
        } else {
            self.say(Some(&refused.join("\n")));
        }
        self.revalidate();
    }

    /// Shows `message` at the top (`None`: nothing).
    fn say(&self, message: Option<&str>) {
        let imp = self.imp();
        if let Some(top) = imp.top.get() {
            top.set_visible(message.is_some() || imp.scope.get().locked);
        }
        if let Some((row, label)) = imp.message.get() {
            row.set_visible(message.is_some());
            label.set_label(message.unwrap_or_default());
        }
    }

    fn ask_discard(&self) {
        let weak = self.downgrade();
        crate::ui::ask_discard(
            self,
            &gettext("Some changes have not been applied. If you close now, they are lost."),
            move || {
                if let Some(editor) = weak.upgrade() {
                    editor.imp().discard.set(true);
                    gtk::prelude::GtkWindowExt::close(&editor);
                }
            },
        );
    }

    /// The service edited.
    pub fn path(&self) -> String {
        self.imp().path.borrow().clone()
    }

    /// The entry of `field`, if the editor has one.
    pub fn entry(&self, field: Field) -> Option<adw::EntryRow> {
        self.imp().entries.borrow().get(&field).cloned()
    }

    /// The drop-down of `field` (methods, privacy).
    pub fn combo(&self, field: Field) -> Option<adw::ComboRow> {
        self.imp().combos.borrow().get(&field).cloned()
    }

    /// The switch of `field` (AutoConnect, mDNS).
    pub fn switch(&self, field: Field) -> Option<gtk::Switch> {
        self.imp().switches.borrow().get(&field).cloned()
    }

    /// What is said to be wrong with `field` (`None`: nothing).
    pub fn error_at(&self, field: Field) -> Option<String> {
        let errors = self.imp().errors.borrow();
        let (row, label) = errors.get(&field)?;
        row.is_visible().then(|| label.label().to_string())
    }

    /// What the top of the editor says (connmand's refusals).
    pub fn message(&self) -> Option<String> {
        let (row, label) = self.imp().message.get()?;
        row.is_visible().then(|| label.label().to_string())
    }

    /// The Apply button.
    pub fn apply_button(&self) -> gtk::Button {
        self.imp().apply.get().cloned().expect("built in new")
    }

    /// Whether Apply is waiting for connmand.
    pub fn is_busy(&self) -> bool {
        self.imp().busy.get()
    }

    /// What a group says of connmand's values ("Configured: … — active: …").
    pub fn reported(&self, group: &str) -> Option<String> {
        let key = match group {
            "IPv4" => Group::Ipv4,
            "IPv6" => Group::Ipv6,
            "DNS" => Group::Nameservers,
            "Time" => Group::Timeservers,
            "Domains" => Group::Domains,
            "Proxy" => Group::Proxy,
            _ => Group::General,
        };
        self.imp()
            .groups
            .borrow()
            .get(&key)
            .and_then(|g| g.description())
            .map(|d| d.to_string())
    }
}
