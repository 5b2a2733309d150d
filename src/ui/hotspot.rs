//! "Share Connection": per technology that connmand can share over (Wi-Fi,
//! wired, Bluetooth, USB gadget), a switch; for Wi-Fi also the hotspot's
//! name, password (checked as typed, shown on request, or generated) and
//! channel, and the code a phone scans to join, with the name and password
//! beside it as text.
//!
//! connmand takes the name, password and channel at the next start, so
//! they are sent (only what changed) before sharing is switched on, or
//! with "Save". For Wi-Fi connmand answers before the access point is up;
//! when it then fails, `Tethering` goes back to false, and the page says
//! so under the switch.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use super::qr_code::QrCode;
use crate::backend::share::tethering_stopped_sentence;
use crate::backend::{Backend, Outcome};
use crate::connman::state::Event;
use crate::connman::types::{TechnologyProps, TechnologySetting, TechnologyType};
use crate::i18n::{gettext, gettext_f};
use crate::model::hotspot::{channel, generate_passphrase, join_payload, FREQUENCIES};
use crate::text;

/// How soon after starting a Wi-Fi hotspot that stops counts as having
/// failed to start (wpa_supplicant gives up on an access point in seconds).
const FAILS_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// The technologies connmand has a tethering driver for.
fn can_share(type_: &TechnologyType) -> bool {
    matches!(
        type_,
        TechnologyType::Wifi
            | TechnologyType::Ethernet
            | TechnologyType::Bluetooth
            | TechnologyType::Gadget
    )
}

fn frequency_name(mhz: i32) -> String {
    let band = if mhz >= 5000 { "5 GHz" } else { "2.4 GHz" };
    match channel(mhz) {
        Some(c) => gettext_f("Channel {} ({})", &[&c.to_string(), band]),
        None => gettext_f("{} MHz", &[&mhz.to_string()]),
    }
}

/// The widgets of one technology's group.
struct Group {
    group: adw::PreferencesGroup,
    switch: gtk::Switch,
    row: adw::ActionRow,
    /// What went wrong, under the switch.
    note: (gtk::ListBoxRow, gtk::Label),
    wifi: Option<WifiFields>,
}

/// The Wi-Fi hotspot's fields and its join code.
struct WifiFields {
    name: adw::EntryRow,
    name_error: (gtk::ListBoxRow, gtk::Label),
    password: adw::PasswordEntryRow,
    password_error: (gtk::ListBoxRow, gtk::Label),
    frequency: adw::ComboRow,
    save: gtk::Button,
    code_group: adw::PreferencesGroup,
    qr: QrCode,
    code_name: gtk::Label,
    code_password: gtk::Label,
    reveal: gtk::ToggleButton,
    /// The devices that joined the hotspot (shown while it is on).
    devices: adw::PreferencesGroup,
    no_device: adw::ActionRow,
    device_rows: RefCell<Vec<adw::ActionRow>>,
    /// What connmand has: the fields are compared with it.
    saved: RefCell<(String, String, Option<i32>)>,
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct HotspotWindow {
        pub(super) backend: RefCell<Option<Backend>>,
        pub(super) page: RefCell<Option<adw::PreferencesPage>>,
        pub(super) empty: RefCell<Option<adw::PreferencesGroup>>,
        pub(super) toasts: RefCell<Option<adw::ToastOverlay>>,
        pub(super) groups: RefCell<Vec<(String, Group)>>,
        /// Sharing asked for (`None`) and since when connmand has it on,
        /// per technology: a `Tethering = false` the person did not ask for
        /// soon after is the access point failing to start.
        /// later `Tethering = false` the person did not ask for is a failure.
        pub(super) started: RefCell<HashMap<String, Option<std::time::Instant>>>,
        pub(super) loading: Cell<bool>,
        pub(super) follow: RefCell<Option<glib::JoinHandle<()>>>,
        /// The devices on the Wi-Fi hotspot (MAC addresses, as connmand
        /// lists them) and the task that follows connmand's changes.
        pub(super) clients: RefCell<BTreeSet<String>>,
        pub(super) follow_clients: RefCell<Option<glib::JoinHandle<()>>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for HotspotWindow {
        const NAME: &'static str = "CnHotspotWindow";
        type Type = super::HotspotWindow;
        type ParentType = adw::Window;
    }

    impl ObjectImpl for HotspotWindow {
        fn dispose(&self) {
            for task in [self.follow.take(), self.follow_clients.take()]
                .into_iter()
                .flatten()
            {
                task.abort();
            }
        }
    }

    impl WidgetImpl for HotspotWindow {}

    impl WindowImpl for HotspotWindow {
        fn close_request(&self) -> glib::Propagation {
            for task in [self.follow.take(), self.follow_clients.take()]
                .into_iter()
                .flatten()
            {
                task.abort();
            }
            self.parent_close_request()
        }
    }

    impl AdwWindowImpl for HotspotWindow {}
}

glib::wrapper! {
    pub struct HotspotWindow(ObjectSubclass<imp::HotspotWindow>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

use crate::ui::note_row;

fn say(note: &(gtk::ListBoxRow, gtk::Label), text: Option<&str>) {
    note.0.set_visible(text.is_some());
    note.1.set_label(text.unwrap_or_default());
}

/// Names the show/hide button of a password row for assistive technology
/// (libadwaita 1.2 leaves it named after its icon's type, "GtkImage"): the
/// button around the view-reveal/view-conceal icon.
fn name_peek_icon(row: &gtk::Widget) {
    for image in crate::ui::descendants::<gtk::Image>(row) {
        let peek = image
            .icon_name()
            .is_some_and(|i| i.starts_with("view-reveal") || i.starts_with("view-conceal"));
        if let Some(button) = image.parent().filter(|_| peek) {
            crate::ui::access::set_label(&button, &gettext("Show or hide the password"));
        }
    }
}

/// Shows `why` under `entry` (and tells assistive technology), or clears it.
fn field_error(
    entry: &impl IsA<gtk::Widget>,
    note: &(gtk::ListBoxRow, gtk::Label),
    why: Option<&str>,
) {
    say(note, why);
    if why.is_some() {
        entry.add_css_class("error");
    } else {
        entry.remove_css_class("error");
    }
    crate::ui::access::set_invalid(entry, why.is_some());
    crate::ui::access::set_description(entry, why.unwrap_or_default());
}

impl HotspotWindow {
    /// The page over `parent`; `None` without a client.
    pub fn new(parent: &impl IsA<gtk::Window>, backend: &Backend) -> Option<Self> {
        let client = backend.client()?;
        let win: Self = glib::Object::builder()
            .property("accessible-role", crate::ui::dialog_role(false))
            .property("modal", true)
            .property("transient-for", parent)
            .property("default-width", 560)
            .property("default-height", 760)
            .property("title", gettext("Share Connection"))
            .build();
        win.imp().backend.replace(Some(backend.clone()));
        win.build();
        win.refresh();
        let events = client.events();
        let weak = win.downgrade();
        let task = glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                if !matches!(
                    event,
                    Event::TechnologyAdded { .. }
                        | Event::TechnologyRemoved(_)
                        | Event::TechnologyChanged { .. }
                        | Event::ConnmanUp(_)
                        | Event::ConnmanDown
                ) {
                    continue;
                }
                let Some(win) = weak.upgrade() else {
                    return;
                };
                // each change of Tethering as connmand sent it (the state
                // may have moved on already: an access point that fails at
                // once turns it on and off before this runs)
                if let Event::TechnologyChanged {
                    path,
                    property,
                    props,
                } = &event
                {
                    if property == "Tethering" {
                        win.follow_tethering(path, props);
                    }
                }
                match event {
                    // a new connmand: its own list of devices
                    Event::ConnmanUp(_) => win.follow_clients(),
                    Event::ConnmanDown => win.set_clients(BTreeSet::new()),
                    _ => {}
                }
                win.refresh();
            }
        });
        win.imp().follow.replace(Some(task));
        win.follow_clients();
        Some(win)
    }

    /// Reads connmand's list of devices on the hotspot and follows its
    /// changes while the page is open (subscribed before the read, so that
    /// no change falls between).
    fn follow_clients(&self) {
        let Some(client) = self.backend().client() else {
            return;
        };
        let weak = self.downgrade();
        let task = glib::spawn_future_local(async move {
            use futures_lite::StreamExt;
            let changes = match client.tethering_client_changes().await {
                Ok(changes) => changes,
                Err(e) => {
                    tracing::info!("tethering clients: {e}");
                    return;
                }
            };
            let mut changes = std::pin::pin!(changes);
            match client.tethering_clients().await {
                Ok(list) => {
                    let Some(win) = weak.upgrade() else {
                        return;
                    };
                    win.set_clients(list.into_iter().collect());
                }
                Err(e) => tracing::info!("tethering clients: {e}"),
            }
            while let Some((joined, left)) = changes.next().await {
                let Some(win) = weak.upgrade() else {
                    return;
                };
                let mut clients = win.imp().clients.borrow().clone();
                for mac in left {
                    clients.remove(&mac);
                }
                clients.extend(joined);
                win.set_clients(clients);
            }
        });
        if let Some(old) = self.imp().follow_clients.replace(Some(task)) {
            old.abort();
        }
    }

    /// Shows `clients` as the devices on the hotspot.
    fn set_clients(&self, clients: BTreeSet<String>) {
        self.imp().clients.replace(clients);
        self.refresh();
    }

    /// One row per device on the hotspot, or "No device has joined".
    fn refresh_devices(&self, w: &WifiFields, on: bool) {
        w.devices.set_visible(on);
        let clients = self.imp().clients.borrow();
        let mut rows = w.device_rows.borrow_mut();
        let shown: Vec<String> = rows.iter().map(|r| r.title().to_string()).collect();
        if shown.iter().eq(clients.iter()) {
            w.no_device.set_visible(clients.is_empty());
            return;
        }
        for row in rows.drain(..) {
            w.devices.remove(&row);
        }
        for mac in clients.iter() {
            // a MAC address from connmand: text, never markup
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(mac))
                .title_selectable(true)
                .build();
            row.add_css_class("monospace");
            crate::ui::access::set_label(&row, &gettext_f("Device {}", &[mac]));
            w.devices.add(&row);
            rows.push(row);
        }
        w.no_device.set_visible(clients.is_empty());
        let count = clients.len();
        let description = if count == 0 {
            gettext("Devices that joined the hotspot, by their hardware address.")
        } else {
            crate::i18n::ngettext(
                "{} device uses this computer’s connection.",
                "{} devices use this computer’s connection.",
                count as u32,
            )
        };
        w.devices
            .set_description(Some(&glib::markup_escape_text(&description)));
    }

    fn backend(&self) -> Backend {
        self.imp().backend.borrow().clone().expect("set in new()")
    }

    fn build(&self) {
        let imp = self.imp();
        let header = adw::HeaderBar::new();
        let page = adw::PreferencesPage::new();
        let empty = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Nothing to Share Over")))
            .description(glib::markup_escape_text(&gettext(
                "ConnMan lists no technology that can share this computer’s connection \
                 (Wi-Fi, wired, Bluetooth or USB).",
            )))
            .visible(false)
            .build();
        page.add(&empty);
        let toasts = adw::ToastOverlay::new();
        toasts.set_child(Some(&page));
        page.set_vexpand(true);
        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&header);
        content.append(&toasts);
        adw::prelude::AdwWindowExt::set_content(self, Some(&content));
        let escape = gtk::ShortcutController::new();
        escape.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape"),
            Some(gtk::NamedAction::new("window.close")),
        ));
        self.add_controller(escape);
        imp.page.replace(Some(page));
        imp.empty.replace(Some(empty));
        imp.toasts.replace(Some(toasts));
    }

    /// The group of technology `path`, made the first time.
    fn ensure_group(&self, path: &str, props: &TechnologyProps) {
        let imp = self.imp();
        if imp.groups.borrow().iter().any(|(p, _)| p == path) {
            return;
        }
        let type_ = &props.type_;
        let tech = text::technology_name(type_, props.name.as_deref().unwrap_or_default());
        let wifi = *type_ == TechnologyType::Wifi;
        let title = if wifi {
            gettext("Wi-Fi Hotspot")
        } else {
            gettext_f("Share over {}", &[&tech])
        };
        let group = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&title))
            .build();
        if wifi {
            group.set_description(Some(&glib::markup_escape_text(&gettext(
                "Other devices join this computer’s own Wi-Fi network and use its \
                 connection. While it is on, this computer’s Wi-Fi serves them and is not \
                 connected to another network.",
            ))));
        } else {
            group.set_description(Some(&glib::markup_escape_text(&gettext_f(
                "Devices connected over {} get an address from this computer and use its \
                 connection.",
                &[&tech],
            ))));
        }
        let label = if wifi {
            gettext("Hotspot")
        } else {
            gettext_f("Share over {}", &[&tech])
        };
        let (row, switch) = crate::ui::switch_row(&label, None);
        group.add(&row);
        let note = note_row("error");
        group.add(&note.0);
        let p = path.to_owned();
        switch.connect_state_set(glib::clone!(
            #[weak(rename_to = win)]
            self,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, on| win.switch_requested(&p, on)
        ));
        let wifi_fields = wifi.then(|| self.wifi_fields(path, &group));
        if let Some(page) = imp.page.borrow().as_ref() {
            page.add(&group);
            if let Some(w) = &wifi_fields {
                page.add(&w.code_group);
                page.add(&w.devices);
            }
        }
        imp.groups.borrow_mut().push((
            path.to_owned(),
            Group {
                group,
                switch,
                row,
                note,
                wifi: wifi_fields,
            },
        ));
    }

    fn wifi_fields(&self, path: &str, group: &adw::PreferencesGroup) -> WifiFields {
        let name = adw::EntryRow::builder()
            .title(glib::markup_escape_text(&gettext("Network Name")))
            .build();
        crate::ui::access::set_label(&name, &gettext("Hotspot Network Name"));
        group.add(&name);
        let name_error = note_row("error");
        group.add(&name_error.0);
        let password = adw::PasswordEntryRow::builder()
            .title(glib::markup_escape_text(&gettext("Password")))
            .build();
        crate::ui::access::set_label(&password, &gettext("Hotspot Password"));
        // libadwaita 1.2's show/hide icon in the row acts as a button but
        // is read as "GtkImage": named whenever the row may have made it
        password.connect_map(|row| name_peek_icon(row.upcast_ref()));
        password.connect_changed(|row| name_peek_icon(row.upcast_ref()));
        let generate = gtk::Button::builder()
            .label(gettext("_Generate"))
            .use_underline(true)
            .valign(gtk::Align::Center)
            .tooltip_text(gettext("Make up a new password that is easy to type"))
            .build();
        generate.add_css_class("flat");
        password.add_suffix(&generate);
        group.add(&password);
        let password_error = note_row("error");
        group.add(&password_error.0);
        let names: Vec<String> = FREQUENCIES.iter().map(|f| frequency_name(*f)).collect();
        let strs: Vec<&str> = names.iter().map(String::as_str).collect();
        let frequency = adw::ComboRow::builder()
            .title(glib::markup_escape_text(&gettext("Channel")))
            .tooltip_text(gettext(
                "5 GHz works only where the Wi-Fi device and the country allow an access point \
                 there",
            ))
            .model(&gtk::StringList::new(&strs))
            .visible(false)
            .build();
        group.add(&frequency);
        let save = gtk::Button::builder()
            .label(gettext("_Save"))
            .use_underline(true)
            .valign(gtk::Align::Center)
            .sensitive(false)
            .tooltip_text(gettext(
                "Keep the name, password and channel; they take effect the next time the \
                 hotspot starts",
            ))
            .build();
        save.add_css_class("suggested-action");
        group.set_header_suffix(Some(&save));

        let code_group = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Join with a Phone")))
            .description(glib::markup_escape_text(&gettext(
                "Scan the code with the phone’s camera, or type the name and password.",
            )))
            .visible(false)
            .build();
        let qr = QrCode::new();
        let code_name = gtk::Label::builder()
            .use_markup(false)
            .use_underline(false)
            .selectable(true)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::WordChar)
            .xalign(0.0)
            .build();
        code_name.add_css_class("title-3");
        let code_password = gtk::Label::builder()
            .use_markup(false)
            .use_underline(false)
            .selectable(true)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::Char)
            .xalign(0.0)
            .build();
        code_password.add_css_class("monospace");
        let reveal = gtk::ToggleButton::builder()
            .icon_name("view-reveal-symbolic")
            .tooltip_text(gettext("Show the password"))
            .valign(gtk::Align::Center)
            .halign(gtk::Align::Start)
            .build();
        reveal.add_css_class("flat");
        crate::ui::access::set_label(&reveal, &gettext("Show the password"));
        let name_caption = gtk::Label::builder()
            .label(gettext("Network"))
            .xalign(0.0)
            .build();
        name_caption.add_css_class("caption-heading");
        name_caption.add_css_class("dim-label");
        let password_caption = gtk::Label::builder()
            .label(gettext("Password"))
            .xalign(0.0)
            .build();
        password_caption.add_css_class("caption-heading");
        password_caption.add_css_class("dim-label");
        let password_line = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        password_line.append(&code_password);
        password_line.append(&reveal);
        let text = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(4)
            .valign(gtk::Align::Center)
            .hexpand(true)
            .build();
        text.append(&name_caption);
        text.append(&code_name);
        text.append(&password_caption);
        text.append(&password_line);
        // side by side when there is room, the text under the code when not
        let flow = gtk::FlowBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .max_children_per_line(2)
            .min_children_per_line(1)
            .column_spacing(18)
            .row_spacing(12)
            .homogeneous(false)
            .build();
        flow.append(qr.widget());
        flow.append(&text);
        for child in [qr.widget().upcast_ref::<gtk::Widget>(), text.upcast_ref()] {
            if let Some(c) = child.parent() {
                c.set_focusable(false);
            }
        }
        let card = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .margin_top(12)
            .margin_bottom(12)
            .margin_start(12)
            .margin_end(12)
            .build();
        card.append(&flow);
        let frame = gtk::Box::new(gtk::Orientation::Vertical, 0);
        frame.add_css_class("card");
        frame.append(&card);
        code_group.add(&frame);

        for entry in [name.upcast_ref::<adw::EntryRow>(), password.upcast_ref()] {
            entry.connect_changed(glib::clone!(
                #[weak(rename_to = win)]
                self,
                move |_| win.edited()
            ));
        }
        frequency.connect_selected_notify(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| win.edited()
        ));
        generate.connect_clicked(glib::clone!(
            #[weak]
            password,
            move |_| {
                password.set_text(&generate_passphrase());
                password.grab_focus();
            }
        ));
        let p = path.to_owned();
        save.connect_clicked(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| {
                let p = p.clone();
                glib::spawn_future_local(async move {
                    win.save(&p).await;
                });
            }
        ));
        reveal.connect_toggled(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| win.refresh()
        ));
        let devices = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Connected Devices")))
            .description(glib::markup_escape_text(&gettext(
                "Devices that joined the hotspot, by their hardware address.",
            )))
            .visible(false)
            .build();
        let no_device = adw::ActionRow::builder()
            .title(glib::markup_escape_text(&gettext(
                "No device has joined yet",
            )))
            .build();
        no_device.add_css_class("dim-label");
        devices.add(&no_device);
        WifiFields {
            devices,
            no_device,
            device_rows: RefCell::new(Vec::new()),
            name,
            name_error,
            password,
            password_error,
            frequency,
            save,
            code_group,
            qr,
            code_name,
            code_password,
            reveal,
            saved: RefCell::new((String::new(), String::new(), None)),
        }
    }

    /// Follows one change of a technology's Tethering: connmand took a
    /// hotspot on, or it stopped (said when a Wi-Fi one stops soon after
    /// starting: its access point failed, not someone switching it off).
    fn follow_tethering(&self, path: &str, t: &TechnologyProps) {
        let imp = self.imp();
        let was = imp.started.borrow().get(path).copied();
        match (was, t.tethering) {
            (Some(None), true) => {
                imp.started
                    .borrow_mut()
                    .insert(path.to_owned(), Some(std::time::Instant::now()));
            }
            (Some(Some(since)), false) => {
                imp.started.borrow_mut().remove(path);
                if t.type_ == TechnologyType::Wifi && since.elapsed() < FAILS_WITHIN {
                    if let Some((_, g)) = imp.groups.borrow().iter().find(|(p, _)| p == path) {
                        say(&g.note, Some(&tethering_stopped_sentence()));
                    }
                }
            }
            _ => {}
        }
    }

    /// Follows what connmand reports.
    fn refresh(&self) {
        let imp = self.imp();
        let Some(client) = self.backend().client() else {
            return;
        };
        let techs: Vec<(String, TechnologyProps)> = {
            let state = client.state();
            state
                .technologies
                .iter()
                .filter(|(_, t)| can_share(&t.type_))
                .map(|(p, t)| (p.clone(), t.clone()))
                .collect()
        };
        // the Wi-Fi hotspot (the one people look for) first, then connmand's order
        let mut techs = techs;
        techs.sort_by_key(|(_, t)| t.type_ != TechnologyType::Wifi);
        for (path, props) in &techs {
            self.ensure_group(path, props);
        }
        if let Some(empty) = imp.empty.borrow().as_ref() {
            empty.set_visible(techs.is_empty());
        }
        imp.loading.set(true);
        for (path, g) in imp.groups.borrow().iter() {
            let props = techs.iter().find(|(p, _)| p == path).map(|(_, t)| t);
            g.group.set_visible(props.is_some());
            let Some(t) = props else {
                if let Some(w) = &g.wifi {
                    w.code_group.set_visible(false);
                }
                continue;
            };
            g.switch.set_state(t.tethering);
            g.switch.set_active(t.tethering);
            let subtitle = if t.tethering {
                gettext("On: sharing this computer’s connection")
            } else if !t.powered {
                let tech = text::technology_name(&t.type_, t.name.as_deref().unwrap_or_default());
                gettext_f("{} is off; switch it on to share over it", &[&tech])
            } else {
                gettext("Off")
            };
            g.row.set_subtitle(&glib::markup_escape_text(&subtitle));
            if let Some(w) = &g.wifi {
                self.refresh_wifi(w, t);
            }
        }
        imp.loading.set(false);
        self.revalidate();
    }

    fn refresh_wifi(&self, w: &WifiFields, t: &TechnologyProps) {
        let id = t.tethering_identifier.clone().unwrap_or_default();
        let pass = t.tethering_passphrase.clone().unwrap_or_default();
        let freq = t.tethering_freq;
        let old = w.saved.replace((id.clone(), pass.clone(), freq));
        // what connmand changed replaces the field, unless the person has
        // typed something else there
        if w.name.text() == old.0 || w.name.text().is_empty() {
            w.name.set_text(&id);
        }
        if w.password.text() == old.1 || w.password.text().is_empty() {
            w.password.set_text(&pass);
        }
        w.frequency.set_visible(freq.is_some());
        if freq != old.2 || old.2.is_none() {
            let index = FREQUENCIES
                .iter()
                .position(|f| Some(*f) == freq.filter(|f| *f > 0))
                .unwrap_or(0);
            w.frequency.set_selected(index as u32);
        }
        self.refresh_devices(w, t.tethering);
        // the join code: what connmand has, not what is being typed
        let shown = !id.is_empty() && crate::connman::types::psk_passphrase_valid(&pass);
        w.code_group.set_visible(shown);
        if shown {
            let description = gettext_f("QR code to join {}", &[&id]);
            w.qr.set(&join_payload(&id, &pass), &description);
            w.code_name.set_label(&id);
            let revealed = w.reveal.is_active();
            // the dots on one line; a long revealed password wraps
            w.code_password.set_wrap(revealed);
            if revealed {
                w.code_password.set_label(&pass);
            } else {
                // as many dots whatever its length: nothing to read off
                w.code_password.set_label(&"●".repeat(10));
            }
            let tip = if revealed {
                gettext("Hide the password")
            } else {
                gettext("Show the password")
            };
            w.reveal.set_tooltip_text(Some(&tip));
            crate::ui::access::set_label(&w.reveal, &tip);
            w.reveal.set_icon_name(if revealed {
                "view-conceal-symbolic"
            } else {
                "view-reveal-symbolic"
            });
        }
    }

    /// The settings the Wi-Fi fields would send (what differs from
    /// connmand's), or what is wrong with them, per field.
    fn wifi_changes(w: &WifiFields) -> (Vec<TechnologySetting>, Option<String>, Option<String>) {
        let saved = w.saved.borrow().clone();
        let mut changes = Vec::new();
        let name = w.name.text().to_string();
        let password = w.password.text().to_string();
        let name_setting = TechnologySetting::TetheringIdentifier(name.clone());
        let name_error = name_setting.validate().err().map(|e| e.sentence());
        if name != saved.0 {
            changes.push(name_setting);
        }
        let pass_setting = TechnologySetting::TetheringPassphrase(password.clone());
        let pass_error = pass_setting.validate().err().map(|e| e.sentence());
        if password != saved.1 {
            changes.push(pass_setting);
        }
        if saved.2.is_some() {
            let chosen = FREQUENCIES
                .get(w.frequency.selected() as usize)
                .copied()
                .unwrap_or(FREQUENCIES[0]);
            let current = saved.2.filter(|f| *f > 0).unwrap_or(FREQUENCIES[0]);
            if chosen != current {
                changes.push(TechnologySetting::TetheringFreq(chosen));
            }
        }
        (changes, name_error, pass_error)
    }

    fn edited(&self) {
        if self.imp().loading.get() {
            return;
        }
        self.revalidate();
    }

    fn revalidate(&self) {
        for (_, g) in self.imp().groups.borrow().iter() {
            let Some(w) = &g.wifi else {
                continue;
            };
            let (changes, name_error, pass_error) = Self::wifi_changes(w);
            // an empty field that connmand never had is not yet an error
            let untouched = |text: &str, saved: &str| text.is_empty() && saved.is_empty();
            let saved = w.saved.borrow().clone();
            let name_error = name_error.filter(|_| !untouched(&w.name.text(), &saved.0));
            let pass_error = pass_error.filter(|_| !untouched(&w.password.text(), &saved.1));
            field_error(&w.name, &w.name_error, name_error.as_deref());
            field_error(&w.password, &w.password_error, pass_error.as_deref());
            w.save
                .set_sensitive(!changes.is_empty() && name_error.is_none() && pass_error.is_none());
        }
    }

    /// Sends what changed in the Wi-Fi fields of `path`; `false` when
    /// something is wrong (said under its field) or connmand refused.
    async fn save(&self, path: &str) -> bool {
        let changes = {
            let groups = self.imp().groups.borrow();
            let Some(w) = groups
                .iter()
                .find(|(p, _)| p == path)
                .and_then(|(_, g)| g.wifi.as_ref())
            else {
                return true;
            };
            let (changes, name_error, pass_error) = Self::wifi_changes(w);
            field_error(&w.name, &w.name_error, name_error.as_deref());
            field_error(&w.password, &w.password_error, pass_error.as_deref());
            if name_error.is_some() || pass_error.is_some() {
                return false;
            }
            w.save.set_sensitive(false);
            changes
        };
        if changes.is_empty() {
            return true;
        }
        let outcomes = self.backend().set_hotspot(path, &changes).await;
        let mut ok = true;
        for outcome in outcomes {
            if let Some(f) = outcome.failure() {
                self.note(path, Some(&f.why));
                ok = false;
            }
        }
        self.refresh();
        ok
    }

    fn note(&self, path: &str, text: Option<&str>) {
        if let Some((_, g)) = self.imp().groups.borrow().iter().find(|(p, _)| p == path) {
            say(&g.note, text);
        }
    }

    /// The switch was flipped: send the hotspot's settings first (Wi-Fi),
    /// then ask connmand; the switch follows what connmand then reports.
    fn switch_requested(&self, path: &str, on: bool) -> glib::Propagation {
        let imp = self.imp();
        if imp.loading.get() {
            return glib::Propagation::Proceed;
        }
        let current = self
            .backend()
            .client()
            .and_then(|c| c.state().technology(path).map(|t| t.tethering));
        if current == Some(on) {
            return glib::Propagation::Proceed;
        }
        self.note(path, None);
        let (win, path) = (self.clone(), path.to_owned());
        glib::spawn_future_local(async move {
            if on && !win.save(&path).await {
                win.refresh();
                return;
            }
            if on {
                win.imp().started.borrow_mut().insert(path.clone(), None);
            } else {
                win.imp().started.borrow_mut().remove(&path);
            }
            let outcome = win.backend().set_tethering(&path, on).await;
            if let Outcome::Failed(f) = &outcome {
                win.imp().started.borrow_mut().remove(&path);
                win.note(&path, Some(&f.why));
            }
            win.refresh();
        });
        glib::Propagation::Stop
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The switch of technology `path`.
    pub fn switch(&self, path: &str) -> Option<gtk::Switch> {
        self.imp()
            .groups
            .borrow()
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, g)| g.switch.clone())
    }

    #[cfg(any(test, feature = "test-support"))]
    /// What the page says under technology `path`'s switch, if anything.
    pub fn note_text(&self, path: &str) -> Option<String> {
        self.imp()
            .groups
            .borrow()
            .iter()
            .find(|(p, _)| p == path)
            .filter(|(_, g)| g.note.0.is_visible())
            .map(|(_, g)| g.note.1.text().to_string())
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The Wi-Fi fields: name, password, and the Save button.
    pub fn wifi_entries(&self) -> Option<(adw::EntryRow, adw::PasswordEntryRow, gtk::Button)> {
        self.imp()
            .groups
            .borrow()
            .iter()
            .find_map(|(_, g)| g.wifi.as_ref())
            .map(|w| (w.name.clone(), w.password.clone(), w.save.clone()))
    }

    #[cfg(any(test, feature = "test-support"))]
    /// What is said under the name and the password fields.
    pub fn wifi_errors(&self) -> (Option<String>, Option<String>) {
        let groups = self.imp().groups.borrow();
        let Some(w) = groups.iter().find_map(|(_, g)| g.wifi.as_ref()) else {
            return (None, None);
        };
        let text =
            |n: &(gtk::ListBoxRow, gtk::Label)| n.0.is_visible().then(|| n.1.text().to_string());
        (text(&w.name_error), text(&w.password_error))
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The join code shown, if any: its modules and the name and password
    /// beside it (as shown: dots until revealed).
    pub fn join_code(&self) -> Option<(crate::model::hotspot::Modules, String, String)> {
        let groups = self.imp().groups.borrow();
        let w = groups.iter().find_map(|(_, g)| g.wifi.as_ref())?;
        if !w.code_group.is_visible() {
            return None;
        }
        Some((
            w.qr.modules()?,
            w.code_name.text().to_string(),
            w.code_password.text().to_string(),
        ))
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The devices listed as on the hotspot (`None` while the list is
    /// hidden), and the list's description.
    pub fn devices(&self) -> Option<(Vec<String>, String)> {
        let groups = self.imp().groups.borrow();
        let w = groups.iter().find_map(|(_, g)| g.wifi.as_ref())?;
        if !w.devices.is_visible() {
            return None;
        }
        let rows = w.device_rows.borrow();
        Some((
            rows.iter().map(|r| r.title().to_string()).collect(),
            w.devices
                .description()
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ))
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The button that shows the password beside the code.
    pub fn reveal_button(&self) -> Option<gtk::ToggleButton> {
        let groups = self.imp().groups.borrow();
        groups
            .iter()
            .find_map(|(_, g)| g.wifi.as_ref())
            .map(|w| w.reveal.clone())
    }
}
