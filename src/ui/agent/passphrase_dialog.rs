//! The prompt for one `RequestInput` of connmand or connman-vpnd: built from
//! the request's fields, checked by their `Type` before anything is sent,
//! answered exactly once (Connect, Cancel, Escape or closing the window).
//! Every text here is literal: names come from the network and are hostile
//! data, so no label, row or title is markup.

use std::cell::{Cell, RefCell};

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{glib, CompositeTemplate};

use crate::connman::agent::{
    AgentKind, Answer, Field, FieldType, InputProblem, InputReply, InputRequest, Requirement,
    Secret,
};
use crate::i18n::gettext;

/// What the dialog says about the request, worked out by the presenter from
/// the client's state (names are never taken from object paths).
#[derive(Debug, Clone, Default)]
pub struct DialogText {
    pub heading: String,
    pub body: String,
    /// Why it asks again (a wrong password, refused credentials), if it does.
    pub retry: Option<String>,
    pub icon: &'static str,
}

/// One input row and the field it answers.
struct InputRow {
    name: String,
    widget: RowWidget,
}

enum RowWidget {
    /// An entry (`adw::PasswordEntryRow` for secrets).
    Text(adw::EntryRow),
    /// A flag (`SaveCredentials`).
    Switch(gtk::Switch),
}

type AnswerFn = Box<dyn FnOnce(InputReply)>;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(file = "passphrase_dialog.ui")]
    pub struct PassphraseDialog {
        #[template_child]
        pub(super) window_title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub(super) cancel_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) connect_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) icon: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) heading_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) body_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) retry_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) fields_list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub(super) problem_label: TemplateChild<gtk::Label>,
        pub(super) request: RefCell<Option<InputRequest>>,
        pub(super) rows: RefCell<Vec<InputRow>>,
        /// The WPS choice, when WPS may be used instead of the passphrase.
        pub(super) wps_switch: RefCell<Option<gtk::Switch>>,
        pub(super) previous_row: RefCell<Option<adw::ActionRow>>,
        pub(super) previous_shown: Cell<bool>,
        /// The OpenConnect server's login groups, when it offers some.
        pub(super) group_row: RefCell<Option<adw::ComboRow>>,
        pub(super) on_answer: RefCell<Option<AnswerFn>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for PassphraseDialog {
        const NAME: &'static str = "CnPassphraseDialog";
        type Type = super::PassphraseDialog;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for PassphraseDialog {
        fn constructed(&self) {
            self.parent_constructed();
            let dialog = self.obj();
            self.cancel_button.connect_clicked(glib::clone!(
                #[weak]
                dialog,
                move |_| dialog.answer(InputReply::Canceled)
            ));
            self.connect_button.connect_clicked(glib::clone!(
                #[weak]
                dialog,
                move |_| dialog.submit()
            ));
            dialog.set_default_widget(Some(&*self.connect_button));
            let escape = gtk::Shortcut::new(
                gtk::ShortcutTrigger::parse_string("Escape"),
                Some(gtk::CallbackAction::new(glib::clone!(
                    #[weak]
                    dialog,
                    #[upgrade_or]
                    glib::Propagation::Proceed,
                    move |_, _| {
                        dialog.answer(InputReply::Canceled);
                        glib::Propagation::Stop
                    }
                ))),
            );
            let shortcuts = gtk::ShortcutController::new();
            shortcuts.add_shortcut(escape);
            dialog.add_controller(shortcuts);
        }
    }

    impl WidgetImpl for PassphraseDialog {}

    impl WindowImpl for PassphraseDialog {
        fn close_request(&self) -> glib::Propagation {
            // closed by the window manager: the person did not want to answer
            if let Some(f) = self.on_answer.take() {
                f(InputReply::Canceled);
            }
            self.parent_close_request()
        }
    }

    impl AdwWindowImpl for PassphraseDialog {}
}

glib::wrapper! {
    /// `CnPassphraseDialog`: asks for what one `RequestInput` wants.
    pub struct PassphraseDialog(ObjectSubclass<imp::PassphraseDialog>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native, gtk::Root,
            gtk::ShortcutManager;
}

impl PassphraseDialog {
    /// A dialog for `request`; `on_answer` is called exactly once with the
    /// person's answer, unless the daemon takes the question back first
    /// ([`PassphraseDialog::dismiss`]).
    pub fn new(
        request: InputRequest,
        text: &DialogText,
        on_answer: impl FnOnce(InputReply) + 'static,
    ) -> Self {
        let dialog: Self = glib::Object::builder()
            .property("accessible-role", crate::ui::dialog_role(false))
            .build();
        let imp = dialog.imp();
        imp.on_answer.replace(Some(Box::new(on_answer)));
        imp.heading_label.set_text(&text.heading);
        imp.body_label.set_text(&text.body);
        imp.body_label.set_visible(!text.body.is_empty());
        if let Some(retry) = &text.retry {
            imp.retry_label.set_text(retry);
            imp.retry_label.set_visible(true);
        }
        if !text.icon.is_empty() {
            imp.icon.set_icon_name(Some(text.icon));
        }
        let (title, button) = match request.kind {
            AgentKind::Vpn => (gettext("VPN Login"), gettext("C_onnect")),
            AgentKind::Connman if request.is_wispr() => {
                (gettext("Hotspot Login"), gettext("_Log In"))
            }
            AgentKind::Connman => (gettext("Wi-Fi Password"), gettext("C_onnect")),
        };
        imp.window_title.set_title(&title);
        dialog.set_title(Some(&title));
        imp.connect_button.set_label(&button);
        dialog.build_rows(&request);
        imp.request.replace(Some(request));
        dialog.update();
        dialog
    }

    fn build_rows(&self, request: &InputRequest) {
        let imp = self.imp();
        let list = &*imp.fields_list;
        let mut rows = Vec::new();
        let mut first_entry: Option<adw::EntryRow> = None;
        // the information first: where this goes, what was tried before
        if let (AgentKind::Vpn, Some(host)) = (request.kind, request.host()) {
            list.append(&info_row(&gettext("Server"), host));
        }
        // who, then the secret, then the rest (connmand sends a dict: no order)
        let mut inputs: Vec<&Field> = request.inputs().collect();
        inputs.sort_by_key(|f| {
            let suffix = f.name.rsplit('.').next().unwrap_or(&f.name);
            match suffix {
                "Name" => 0,
                "Identity" | "Username" => 1,
                "Passphrase" | "Password" => 2,
                _ => 3,
            }
        });
        for field in inputs {
            match (&field.type_, field.name.as_str()) {
                // answered through the hex rule of the Name row, or not at all
                (FieldType::Ssid, _) => continue,
                (FieldType::WpsPin, _) => continue,
                (FieldType::Boolean, _) | (_, "SaveCredentials") => {
                    if request.allow_store_credentials() == Some(false) {
                        continue;
                    }
                    let switch = gtk::Switch::builder().valign(gtk::Align::Center).build();
                    switch.set_active(field.flag().unwrap_or(false));
                    let row = adw::ActionRow::builder()
                        .title(field_title(field))
                        .use_markup(false)
                        .activatable_widget(&switch)
                        .build();
                    row.add_suffix(&switch);
                    list.append(&row);
                    rows.push(InputRow {
                        name: field.name.clone(),
                        widget: RowWidget::Switch(switch),
                    });
                }
                _ => {
                    let entry: adw::EntryRow = if field.type_.is_secret() {
                        let entry = adw::PasswordEntryRow::new();
                        name_peek_button(&entry);
                        entry.upcast()
                    } else {
                        adw::EntryRow::new()
                    };
                    entry.set_title(&field_title(field));
                    entry.set_use_markup(false);
                    entry.set_activates_default(true);
                    entry.set_widget_name(&field.name);
                    if let Some(value) = field.text() {
                        // a VPN user name already known
                        entry.set_text(value);
                    }
                    if field.name == "Name" && request.field("SSID").is_some() {
                        entry.set_tooltip_text(Some(&gettext(
                            "A name that is not text can be given in hexadecimal, starting \
                             with 0x",
                        )));
                    }
                    entry.connect_changed(glib::clone!(
                        #[weak(rename_to = dialog)]
                        self,
                        move |_| dialog.update()
                    ));
                    list.append(&entry);
                    if first_entry.is_none() && field.text().is_none() {
                        first_entry = Some(entry.clone());
                    }
                    rows.push(InputRow {
                        name: field.name.clone(),
                        widget: RowWidget::Text(entry),
                    });
                }
            }
        }
        // connman-vpnd lets the person choose whether it keeps what they type
        if request.allow_store_credentials() == Some(true)
            && !rows.iter().any(|r| r.name == "SaveCredentials")
        {
            let switch = gtk::Switch::builder().valign(gtk::Align::Center).build();
            let row = adw::ActionRow::builder()
                .title(gettext("Remember the credentials"))
                .use_markup(false)
                .activatable_widget(&switch)
                .build();
            row.add_suffix(&switch);
            list.append(&row);
            rows.push(InputRow {
                name: "SaveCredentials".into(),
                widget: RowWidget::Switch(switch),
            });
        }
        if request.is_wps_possible() {
            let switch = gtk::Switch::builder().valign(gtk::Align::Center).build();
            let row = adw::ActionRow::builder()
                .title(gettext("Use WPS instead"))
                .subtitle(gettext(
                    "Press the WPS button on the access point, or enter its PIN below",
                ))
                .use_markup(false)
                .activatable_widget(&switch)
                .build();
            row.add_suffix(&switch);
            list.append(&row);
            let pin = adw::EntryRow::builder()
                .title(gettext("WPS PIN (empty for the push-button)"))
                .use_markup(false)
                .activates_default(true)
                .visible(false)
                .build();
            pin.set_widget_name("WPS");
            pin.set_input_purpose(gtk::InputPurpose::Digits);
            pin.connect_changed(glib::clone!(
                #[weak(rename_to = dialog)]
                self,
                move |_| dialog.update()
            ));
            list.append(&pin);
            switch.connect_active_notify(glib::clone!(
                #[weak(rename_to = dialog)]
                self,
                #[weak]
                pin,
                move |s| {
                    // WPS replaces the passphrase: only one of them is asked
                    pin.set_visible(s.is_active());
                    if let Some(passphrase) = dialog.entry("Passphrase") {
                        passphrase.set_visible(!s.is_active());
                    }
                    dialog.update();
                }
            ));
            rows.push(InputRow {
                name: "WPS".into(),
                widget: RowWidget::Text(pin),
            });
            imp.wps_switch.replace(Some(switch));
        }
        if request.previous_passphrase().is_some_and(|p| !p.is_empty()) {
            let row = info_row(&gettext("Previous attempt"), "");
            let show = gtk::ToggleButton::builder()
                .icon_name("view-reveal-symbolic")
                .tooltip_text(gettext("Show the previous attempt"))
                .valign(gtk::Align::Center)
                .build();
            show.add_css_class("flat");
            show.connect_toggled(glib::clone!(
                #[weak(rename_to = dialog)]
                self,
                move |b| dialog.show_previous_attempt(b.is_active())
            ));
            row.add_suffix(&show);
            list.append(&row);
            imp.previous_row.replace(Some(row));
        }
        list.set_visible(list.first_child().is_some());
        imp.rows.replace(rows);
        self.show_previous_attempt(false);
        // The keyboard focus goes to the text inside the first field. A
        // screen reader is not told so on GTK 4.8 with libadwaita 1.2: GTK
        // 4.8 reports *focused* only for the widget that has the focus, and
        // that GtkText is not in the accessibility tree at all; the entry row
        // (role text, named by its title, where assistive technology reads
        // and types) does not have the focus itself. Reporting a delegate's
        // focus as the editable's own came with GTK 4.10
        // (gtk_editable_delegate_get_accessible_platform_state, for
        // GtkAccessible's get_platform_state, which only 4.10 lets a widget
        // implement); the rows are libadwaita's final types besides, so
        // Connie cannot add it. A plain GtkPasswordEntry also hands the
        // focus to a GtkText inside, and would end `entry()`'s adw::EntryRow.
        if let Some(entry) = first_entry {
            GtkWindowExt::set_focus(self, Some(&entry));
        }
    }

    /// Reveals (or hides again) the previous attempt. It is never shown
    /// unasked.
    pub fn show_previous_attempt(&self, shown: bool) {
        let imp = self.imp();
        imp.previous_shown.set(shown);
        let Some(row) = imp.previous_row.borrow().clone() else {
            return;
        };
        let request = imp.request.borrow();
        let previous = request
            .as_ref()
            .and_then(InputRequest::previous_passphrase)
            .unwrap_or("");
        if shown {
            row.set_subtitle(previous);
        } else {
            // a fixed length: the dots do not tell how long it was
            row.set_subtitle("●●●●●●●●");
        }
    }

    fn wps_chosen(&self) -> bool {
        self.imp()
            .wps_switch
            .borrow()
            .as_ref()
            .is_some_and(|s| s.is_active())
    }

    /// Which rows count now: with WPS chosen, the PIN replaces the passphrase.
    fn row_counts(&self, name: &str) -> bool {
        let wps = self.wps_chosen();
        match name {
            "WPS" => wps,
            "Passphrase" if self.imp().wps_switch.borrow().is_some() => !wps,
            _ => true,
        }
    }

    /// The first problem with what is typed: `Err(None)` when something is
    /// missing (nothing to say), `Err(Some(sentence))` when it is wrong.
    fn validate(&self) -> Result<(), Option<String>> {
        let imp = self.imp();
        let request = imp.request.borrow();
        let Some(request) = request.as_ref() else {
            return Err(None);
        };
        let mut missing = false;
        for row in imp.rows.borrow().iter() {
            let RowWidget::Text(entry) = &row.widget else {
                continue;
            };
            if !self.row_counts(&row.name) {
                continue;
            }
            let Some(field) = request.field(&row.name) else {
                continue;
            };
            let text = entry.text();
            // nothing typed yet is no mistake (empty WPS = push-button)
            let result = if text.is_empty() && row.name != "WPS" {
                if field.requirement == Requirement::Mandatory {
                    Err(InputProblem::Empty)
                } else {
                    Ok(())
                }
            } else if row.name == "Name" {
                check_name(request, field, &text)
            } else {
                field.check(&text)
            };
            match result {
                Ok(()) => {}
                Err(InputProblem::Empty) => missing = true,
                Err(problem) => return Err(Some(problem_sentence(problem))),
            }
        }
        if missing {
            Err(None)
        } else {
            Ok(())
        }
    }

    fn update(&self) {
        let imp = self.imp();
        let result = self.validate();
        imp.connect_button.set_sensitive(result.is_ok());
        let problem = result.err().flatten();
        imp.problem_label.set_visible(problem.is_some());
        imp.problem_label.set_text(problem.as_deref().unwrap_or(""));
    }

    /// The answer from what is typed, if it is acceptable.
    fn reply(&self) -> Option<InputReply> {
        self.validate().ok()?;
        let imp = self.imp();
        let request = imp.request.borrow();
        let request = request.as_ref()?;
        let mut reply = InputReply::values();
        for row in imp.rows.borrow().iter() {
            if !self.row_counts(&row.name) {
                continue;
            }
            match &row.widget {
                RowWidget::Switch(s) => reply = reply.set(row.name.clone(), s.is_active()),
                RowWidget::Text(entry) => {
                    let text = entry.text();
                    let mandatory = request
                        .field(&row.name)
                        .is_some_and(|f| f.requirement == Requirement::Mandatory);
                    if row.name == "Name" {
                        reply = match hex_ssid(request, &text) {
                            Some(bytes) => reply.set("SSID", Answer::Ssid(bytes)),
                            None => reply.set("Name", text.as_str()),
                        };
                    } else if row.name == "WPS" {
                        reply = reply.set("WPS", Secret::from(text.as_str()));
                    } else if mandatory || !text.is_empty() {
                        reply = reply.set(row.name.clone(), Secret::from(text.as_str()));
                    }
                    // the entry keeps a copy we cannot wipe; at least clear it
                    entry.set_text("");
                }
            }
        }
        Some(reply)
    }

    fn submit(&self) {
        if let Some(reply) = self.reply() {
            self.answer(reply);
        }
    }

    fn answer(&self, reply: InputReply) {
        if let Some(f) = self.imp().on_answer.take() {
            f(reply);
        }
        self.close();
    }

    /// Closes the dialog without answering: the daemon took the question
    /// back (`Cancel`, `Release`, a timeout).
    pub fn dismiss(&self) {
        self.imp().on_answer.take();
        self.close();
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Whether the person has answered, or the daemon took it back.
    pub fn is_finished(&self) -> bool {
        self.imp().on_answer.borrow().is_none()
    }

    // For tests (most behind the test-support feature): the widgets a person uses.

    /// The entry for the field `name` (`Passphrase`, `Name`, `Identity`,
    /// `OpenVPN.Username`, `WPS`, …).
    pub fn entry(&self, name: &str) -> Option<adw::EntryRow> {
        self.imp()
            .rows
            .borrow()
            .iter()
            .find_map(|r| match &r.widget {
                RowWidget::Text(e) if r.name == name => Some(e.clone()),
                _ => None,
            })
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The switch for a flag field (`SaveCredentials`).
    pub fn switch(&self, name: &str) -> Option<gtk::Switch> {
        self.imp()
            .rows
            .borrow()
            .iter()
            .find_map(|r| match &r.widget {
                RowWidget::Switch(s) if r.name == name => Some(s.clone()),
                _ => None,
            })
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The "Use WPS instead" switch, when WPS is possible.
    pub fn wps_switch(&self) -> Option<gtk::Switch> {
        self.imp().wps_switch.borrow().clone()
    }

    #[cfg(any(test, feature = "test-support"))]
    pub fn connect_button(&self) -> gtk::Button {
        self.imp().connect_button.clone()
    }

    #[cfg(any(test, feature = "test-support"))]
    pub fn cancel_button(&self) -> gtk::Button {
        self.imp().cancel_button.clone()
    }

    /// Offers the login groups an OpenConnect server lists (its
    /// `group_list`): a chooser, `current` selected when it is one of them,
    /// else the first. `chosen` always holds the group chosen.
    pub fn add_group_choice(
        &self,
        groups: &[String],
        current: Option<&str>,
        chosen: std::rc::Rc<RefCell<Option<String>>>,
    ) {
        if groups.is_empty() {
            return;
        }
        let names: Vec<&str> = groups.iter().map(String::as_str).collect();
        let model = gtk::StringList::new(&names);
        let row = adw::ComboRow::builder()
            .title(gettext("Group"))
            .subtitle(gettext("The server offers these groups to sign in to"))
            .use_markup(false)
            .model(&model)
            .build();
        let selected = current
            .and_then(|c| groups.iter().position(|g| g == c))
            .unwrap_or(0);
        row.set_selected(selected as u32);
        chosen.replace(groups.get(selected).cloned());
        let list = groups.to_vec();
        row.connect_selected_notify(move |row| {
            chosen.replace(list.get(row.selected() as usize).cloned());
        });
        // after the server's row, before the entries
        let at = self
            .imp()
            .request
            .borrow()
            .as_ref()
            .and_then(|r| r.host())
            .map_or(0, |_| 1);
        self.imp().fields_list.insert(&row, at);
        self.imp().group_row.replace(Some(row));
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The group chooser, when the server offers groups.
    pub fn group_row(&self) -> Option<adw::ComboRow> {
        self.imp().group_row.borrow().clone()
    }

    /// Names the network, once known (the request may come first).
    pub fn set_heading(&self, heading: &str) {
        self.imp().heading_label.set_text(heading);
    }

    #[cfg(any(test, feature = "test-support"))]
    pub fn heading_text(&self) -> String {
        self.imp().heading_label.text().into()
    }

    #[cfg(any(test, feature = "test-support"))]
    pub fn body_text(&self) -> String {
        self.imp().body_label.text().into()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Why it asks again, if it says so.
    pub fn retry_text(&self) -> Option<String> {
        let label = &self.imp().retry_label;
        label.is_visible().then(|| label.text().into())
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The reason the answer is refused, as shown under the entries.
    pub fn problem_text(&self) -> Option<String> {
        let label = &self.imp().problem_label;
        label.is_visible().then(|| label.text().into())
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The "Previous attempt" row's text as shown now (dots until revealed).
    pub fn previous_attempt_text(&self) -> Option<String> {
        self.imp()
            .previous_row
            .borrow()
            .as_ref()
            .and_then(|r| r.subtitle())
            .map(Into::into)
    }
}

/// A read-only row: `title` over `value`, both plain text.
pub(super) fn info_row(title: &str, value: &str) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(value)
        .use_markup(false)
        .build();
    row.add_css_class("property");
    row
}

/// The hidden network's name: text, or `0x` and hex digits for an SSID that
/// is not text (only when connmand offers `SSID`).
fn hex_ssid(request: &InputRequest, text: &str) -> Option<Vec<u8>> {
    request.field("SSID")?;
    let hex = text.strip_prefix("0x")?;
    if hex.is_empty() || hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

fn check_name(request: &InputRequest, field: &Field, text: &str) -> Result<(), InputProblem> {
    field.check(text)?;
    let len = hex_ssid(request, text).map_or(text.len(), |b| b.len());
    if len > 32 {
        return Err(InputProblem::SsidTooLong);
    }
    Ok(())
}

/// The sentence shown under the entries for a refused answer.
pub fn problem_sentence(problem: InputProblem) -> String {
    match problem {
        InputProblem::Empty => gettext("This cannot be empty."),
        InputProblem::InvalidPsk => {
            gettext("A WPA password has 8 to 63 characters, or exactly 64 hexadecimal digits.")
        }
        InputProblem::InvalidWepKey => {
            gettext("A WEP key has 5 or 13 characters, or 10 or 26 hexadecimal digits.")
        }
        InputProblem::InvalidWpsPin => gettext("A WPS PIN has 4 or 8 digits."),
        InputProblem::SsidTooLong => gettext("A network name has at most 32 bytes."),
    }
}

/// The row title for a field, by its name (and type where the name is
/// shared).
pub fn field_title(field: &Field) -> String {
    let name = field.name.as_str();
    let suffix = name.rsplit('.').next().unwrap_or(name);
    match (name, suffix) {
        ("Passphrase", _) => match field.type_ {
            FieldType::Wep => gettext("Key"),
            _ => gettext("Password"),
        },
        ("Identity", _) => gettext("Identity"),
        ("Name", _) => gettext("Network name"),
        ("SaveCredentials", _) => gettext("Remember the credentials"),
        (_, "Username") => gettext("User name"),
        (_, "Password") => gettext("Password"),
        (_, "SecondPassword" | "OTP" | "Response") => gettext("One-time password"),
        (_, "PrivateKeyPassword") => gettext("Private key password"),
        (_, "PKCSPassword") => gettext("Certificate password"),
        (_, "Cookie") => gettext("Cookie"),
        (_, "Group" | "Usergroup") => gettext("Group"),
        (_, "ClientCert" | "PKCSClientCert") => gettext("Client certificate"),
        (_, "ServerCert") => gettext("Server certificate"),
        (_, "CACert") => gettext("CA certificate"),
        (_, "VPNHost") => gettext("Server"),
        _ => name.to_owned(),
    }
}

/// libadwaita 1.2 leaves the password row's show/hide button unnamed (a
/// screen reader reads "GtkImage"); its tooltip says what it does ("Show
/// Text", "Hide Text", translated by libadwaita) and names it.
fn name_peek_button(entry: &adw::PasswordEntryRow) {
    for button in crate::ui::descendants::<gtk::Button>(entry.upcast_ref()) {
        let name = |button: &gtk::Button| {
            if let Some(tip) = button.tooltip_text() {
                crate::ui::access::set_label(button, &tip);
            }
        };
        name(&button);
        button.connect_tooltip_text_notify(name);
    }
}
