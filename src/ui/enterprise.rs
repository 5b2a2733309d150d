//! The form that sets up an enterprise (802.1X) Wi-Fi network: the sign-in
//! method, identity, how the server is checked, and the certificates. Save
//! sends it to Connie's helper (`connie-provision`), which asks polkit for
//! an administrator's authorization and writes connmand's provisioning
//! file; then the network is connected. The same form edits and removes a
//! profile Connie wrote.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use adw::prelude::*;
use connie_provision::cert::{self, Kind};
use connie_provision::{Eap, Profile, Stored};
use gtk::glib;

use crate::backend::provision;
use crate::backend::Backend;
use crate::i18n::{gettext, gettext_f};

/// The certificate files the person can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Ca,
    ClientCert,
    PrivateKey,
}

impl Role {
    fn key(self) -> &'static str {
        match self {
            Role::Ca => connie_provision::FILE_CA,
            Role::ClientCert => connie_provision::FILE_CLIENT_CERT,
            Role::PrivateKey => connie_provision::FILE_PRIVATE_KEY,
        }
    }

    fn title(self) -> String {
        match self {
            Role::Ca => gettext("CA certificate file"),
            Role::ClientCert => gettext("Client certificate"),
            Role::PrivateKey => gettext("Private key"),
        }
    }
}

fn phase2_label(p: connie_provision::Phase2) -> &'static str {
    match p {
        connie_provision::Phase2::Mschapv2 => "MSCHAPv2",
        connie_provision::Phase2::Pap => "PAP",
        connie_provision::Phase2::Gtc => "GTC",
    }
}

struct Widgets {
    window: adw::Window,
    message: (gtk::ListBoxRow, gtk::Label),
    save: gtk::Button,
    eap: adw::ComboRow,
    phase2: adw::ComboRow,
    identity: adw::EntryRow,
    anonymous: adw::EntryRow,
    ca: adw::ComboRow,
    ca_file: adw::ActionRow,
    domain: adw::EntryRow,
    tls_group: adw::PreferencesGroup,
    client_cert: adw::ActionRow,
    private_key: adw::ActionRow,
    key_password: adw::PasswordEntryRow,
    password_group: adw::PreferencesGroup,
    store_password: gtk::Switch,
    password: adw::PasswordEntryRow,
    remove_group: adw::PreferencesGroup,
}

/// One open form.
pub struct EnterpriseForm {
    w: Widgets,
    backend: Backend,
    path: String,
    ssid: Vec<u8>,
    /// What Connie stored before (editing), without secrets.
    stored: RefCell<Option<Stored>>,
    files: RefCell<[Option<PathBuf>; 3]>,
    busy: Cell<bool>,
    /// Kept while a file chooser is open (GTK drops it with its last
    /// reference).
    chooser: RefCell<Option<gtk::FileChooserNative>>,
}

fn role_index(r: Role) -> usize {
    match r {
        Role::Ca => 0,
        Role::ClientCert => 1,
        Role::PrivateKey => 2,
    }
}

fn file_row(title: &str) -> (adw::ActionRow, gtk::Button) {
    let row = adw::ActionRow::builder()
        .title(glib::markup_escape_text(title))
        .subtitle(glib::markup_escape_text(&gettext("No file chosen")))
        .build();
    let choose = gtk::Button::with_mnemonic(&gettext("C_hoose…"));
    choose.set_valign(gtk::Align::Center);
    let name = gettext_f("Choose the file for “{}”", &[title]);
    choose.set_tooltip_text(Some(&name));
    crate::ui::access::set_label(&choose, &name);
    row.add_suffix(&choose);
    row.set_activatable_widget(Some(&choose));
    (row, choose)
}

impl EnterpriseForm {
    /// Opens the form for the wifi service `path` (named `name`) over
    /// `parent`; `None` if the path carries no SSID.
    pub fn open(
        parent: &impl IsA<gtk::Window>,
        backend: &Backend,
        path: &str,
        name: &str,
    ) -> Option<Rc<EnterpriseForm>> {
        let ssid = provision::ssid_of_path(path)?;
        let w = Self::build(parent, name);
        let form = Rc::new(EnterpriseForm {
            w,
            backend: backend.clone(),
            path: path.to_owned(),
            ssid,
            stored: RefCell::new(None),
            files: RefCell::new([None, None, None]),
            busy: Cell::new(false),
            chooser: RefCell::new(None),
        });
        form.connect();
        form.refresh();
        crate::ui::name_mnemonic_buttons(&form.w.window);
        form.w.window.present();
        // what Connie stored before, if anything: the form edits it
        if let Some(client) = backend.client() {
            let conn = client.connection().clone();
            let weak = Rc::downgrade(&form);
            glib::spawn_future_local(async move {
                let Some(ssid) = weak.upgrade().map(|f| f.ssid.clone()) else {
                    return;
                };
                let stored = provision::stored(&conn, &ssid).await;
                if let (Some(form), Some(stored)) = (weak.upgrade(), stored) {
                    form.fill(stored);
                }
            });
        }
        Some(form)
    }

    /// The form's window.
    pub fn window(&self) -> &adw::Window {
        &self.w.window
    }

    fn build(parent: &impl IsA<gtk::Window>, name: &str) -> Widgets {
        let window = adw::Window::builder()
            .accessible_role(crate::ui::dialog_role(false))
            .modal(true)
            .transient_for(parent)
            .default_width(480)
            .default_height(720)
            .title(gettext("Enterprise Network"))
            .build();
        let cancel = gtk::Button::with_mnemonic(&gettext("_Cancel"));
        cancel.connect_clicked(glib::clone!(
            #[weak]
            window,
            move |_| window.close()
        ));
        let save = gtk::Button::with_mnemonic(&gettext("_Save"));
        save.add_css_class("suggested-action");
        let (header, _) =
            crate::ui::dialog_header(&gettext("Enterprise Network"), name, &cancel, &save);

        let page = adw::PreferencesPage::new();
        let top = adw::PreferencesGroup::new();
        let message = crate::ui::note_row("error");
        top.add(&message.0);
        let (intro_row, intro) = crate::ui::note_row("dim-label");
        intro.set_label(&gettext(
            "ConnMan joins this network only with its settings saved for the whole computer. \
             Save asks for an administrator’s authorization, saves them and connects.",
        ));
        intro_row.set_visible(true);
        top.add(&intro_row);
        page.add(&top);

        let sign_in = adw::PreferencesGroup::new();
        sign_in.set_title(&glib::markup_escape_text(&gettext("Sign-in")));
        let eap = adw::ComboRow::builder()
            .title(glib::markup_escape_text(&gettext("Authentication")))
            .model(&gtk::StringList::new(&["PEAP", "TTLS", "TLS"]))
            .build();
        let phase2 = adw::ComboRow::builder()
            .title(glib::markup_escape_text(&gettext("Inner authentication")))
            .build();
        let identity = adw::EntryRow::new();
        identity.set_title(&glib::markup_escape_text(&gettext("Identity")));
        let anonymous = adw::EntryRow::new();
        anonymous.set_title(&glib::markup_escape_text(&gettext(
            "Anonymous identity (optional)",
        )));
        sign_in.add(&eap);
        sign_in.add(&phase2);
        sign_in.add(&identity);
        sign_in.add(&anonymous);
        page.add(&sign_in);

        let server = adw::PreferencesGroup::new();
        server.set_title(&glib::markup_escape_text(&gettext("Server Check")));
        server.set_description(Some(&glib::markup_escape_text(&gettext(
            "Your password goes only to a server whose certificate passes this check.",
        ))));
        let ca = adw::ComboRow::builder()
            .title(glib::markup_escape_text(&gettext("CA certificate")))
            .model(&gtk::StringList::new(&[
                &gettext("System certificates"),
                &gettext("Certificate file"),
            ]))
            .build();
        let (ca_file, _) = file_row(&Role::Ca.title());
        let domain = adw::EntryRow::new();
        domain.set_title(&glib::markup_escape_text(&gettext("Server domain")));
        server.add(&ca);
        server.add(&ca_file);
        server.add(&domain);
        page.add(&server);

        let tls_group = adw::PreferencesGroup::new();
        tls_group.set_title(&glib::markup_escape_text(&gettext("Client Certificate")));
        let (client_cert, _) = file_row(&Role::ClientCert.title());
        let (private_key, _) = file_row(&Role::PrivateKey.title());
        let key_password = adw::PasswordEntryRow::new();
        key_password.set_title(&glib::markup_escape_text(&gettext("Private key password")));
        tls_group.add(&client_cert);
        tls_group.add(&private_key);
        tls_group.add(&key_password);
        page.add(&tls_group);

        let password_group = adw::PreferencesGroup::new();
        password_group.set_title(&glib::markup_escape_text(&gettext("Password")));
        let (store_row, store_password) = crate::ui::switch_row(
            &gettext("Save the password for all users"),
            Some(&gettext("Otherwise it is asked for at every connection")),
        );
        let password = adw::PasswordEntryRow::new();
        password.set_title(&glib::markup_escape_text(&gettext("Password")));
        password_group.add(&store_row);
        password_group.add(&password);
        page.add(&password_group);

        let remove_group = adw::PreferencesGroup::new();
        let remove = gtk::Button::with_mnemonic(&gettext("_Remove These Settings"));
        remove.add_css_class("destructive-action");
        remove.set_halign(gtk::Align::Center);
        remove_group.add(&remove);
        remove_group.set_visible(false);
        page.add(&remove_group);

        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&header);
        content.append(&page);
        window.set_content(Some(&content));
        window.set_default_widget(Some(&save));
        let escape = gtk::ShortcutController::new();
        escape.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape"),
            Some(gtk::NamedAction::new("window.close")),
        ));
        window.add_controller(escape);
        Widgets {
            window,
            message,
            save,
            eap,
            phase2,
            identity,
            anonymous,
            ca,
            ca_file,
            domain,
            tls_group,
            client_cert,
            private_key,
            key_password,
            password_group,
            store_password,
            password,
            remove_group,
        }
    }

    fn connect(self: &Rc<Self>) {
        let w = &self.w;
        let weak = Rc::downgrade(self);
        w.eap.connect_selected_notify(glib::clone!(
            #[strong]
            weak,
            move |_| {
                if let Some(f) = weak.upgrade() {
                    f.refresh();
                }
            }
        ));
        w.ca.connect_selected_notify(glib::clone!(
            #[strong]
            weak,
            move |_| {
                if let Some(f) = weak.upgrade() {
                    f.refresh();
                }
            }
        ));
        w.store_password.connect_active_notify(glib::clone!(
            #[strong]
            weak,
            move |_| {
                if let Some(f) = weak.upgrade() {
                    f.refresh();
                }
            }
        ));
        for (row, role) in [
            (&w.ca_file, Role::Ca),
            (&w.client_cert, Role::ClientCert),
            (&w.private_key, Role::PrivateKey),
        ] {
            if let Some(button) = crate::ui::descendants::<gtk::Button>(row.upcast_ref()).pop() {
                button.connect_clicked(glib::clone!(
                    #[strong]
                    weak,
                    move |_| {
                        if let Some(f) = weak.upgrade() {
                            f.choose(role);
                        }
                    }
                ));
            }
        }
        w.save.connect_clicked(glib::clone!(
            #[strong]
            weak,
            move |_| {
                if let Some(f) = weak.upgrade() {
                    f.save();
                }
            }
        ));
        if let Some(remove) = crate::ui::descendants::<gtk::Button>(w.remove_group.upcast_ref())
            .into_iter()
            .next()
        {
            remove.connect_clicked(glib::clone!(
                #[strong]
                weak,
                move |_| {
                    if let Some(f) = weak.upgrade() {
                        f.ask_remove();
                    }
                }
            ));
        }
        // the form lives until its window closes (the window's handler
        // holds it; closing drops it, so that the two do not keep each
        // other alive)
        let keep = RefCell::new(Some(self.clone()));
        w.window.connect_close_request(move |_| {
            if let Some(form) = keep.take() {
                form.chooser.replace(None);
            }
            glib::Propagation::Proceed
        });
    }

    fn eap(&self) -> Eap {
        Eap::ALL[(self.w.eap.selected() as usize).min(2)]
    }

    fn system_ca(&self) -> bool {
        self.w.ca.selected() == 0
    }

    /// Shows the rows the choices need, and the inner methods of the
    /// chosen method.
    fn refresh(&self) {
        let w = &self.w;
        let eap = self.eap();
        let names: Vec<&str> = eap.phase2().iter().map(|p| phase2_label(*p)).collect();
        let current = w
            .phase2
            .selected_item()
            .and_downcast::<gtk::StringObject>()
            .map(|s| s.string().to_string());
        let model_matches = w.phase2.model().is_some_and(|m| {
            m.n_items() as usize == names.len()
                && (0..m.n_items()).all(|i| {
                    m.item(i)
                        .and_downcast::<gtk::StringObject>()
                        .is_some_and(|s| s.string() == names[i as usize])
                })
        });
        if !model_matches {
            w.phase2.set_model(Some(&gtk::StringList::new(&names)));
            if let Some(i) = current.and_then(|c| names.iter().position(|n| *n == c)) {
                w.phase2.set_selected(i as u32);
            }
        }
        let tls = eap == Eap::Tls;
        w.phase2.set_visible(!tls);
        w.anonymous.set_visible(!tls);
        w.tls_group.set_visible(tls);
        w.password_group.set_visible(!tls);
        w.ca_file.set_visible(!self.system_ca());
        w.password.set_visible(w.store_password.is_active());
        let kept = self
            .stored
            .borrow()
            .as_ref()
            .is_some_and(|s| s.password_stored);
        let hint = if kept {
            gettext("Password (empty: keep the saved one)")
        } else {
            gettext("Password")
        };
        w.password.set_title(&glib::markup_escape_text(&hint));
        for (row, role) in [
            (&w.ca_file, Role::Ca),
            (&w.client_cert, Role::ClientCert),
            (&w.private_key, Role::PrivateKey),
        ] {
            let chosen = self.files.borrow()[role_index(role)].clone();
            let subtitle = match chosen {
                Some(p) => p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                None if self.stored.borrow().is_some() => gettext("Keep the saved file"),
                None => gettext("No file chosen"),
            };
            row.set_subtitle(&glib::markup_escape_text(&subtitle));
        }
    }

    /// Fills the form from what Connie stored (its secrets stay with the
    /// helper: empty fields keep them).
    fn fill(&self, s: Stored) {
        let w = &self.w;
        if let Some(i) = Eap::parse(&s.eap).and_then(|e| Eap::ALL.iter().position(|x| *x == e)) {
            w.eap.set_selected(i as u32);
        }
        self.stored.replace(Some(s.clone()));
        self.refresh();
        if let Some(p) = connie_provision::Phase2::parse(&s.phase2) {
            if let Some(i) = self.eap().phase2().iter().position(|x| *x == p) {
                w.phase2.set_selected(i as u32);
            }
        }
        w.identity.set_text(&s.identity);
        w.anonymous.set_text(&s.anonymous_identity);
        w.ca.set_selected(if s.ca == "system" { 0 } else { 1 });
        w.domain.set_text(&s.domain);
        w.store_password.set_active(s.password_stored);
        w.remove_group.set_visible(true);
        self.refresh();
    }

    fn choose(self: &Rc<Self>, role: Role) {
        let chooser = gtk::FileChooserNative::new(
            Some(&role.title()),
            Some(&self.w.window),
            gtk::FileChooserAction::Open,
            Some(&gettext("_Open")),
            Some(&gettext("_Cancel")),
        );
        let weak = Rc::downgrade(self);
        chooser.connect_response(move |chooser, response| {
            let Some(form) = weak.upgrade() else { return };
            if response == gtk::ResponseType::Accept {
                if let Some(path) = chooser.file().and_then(|f| f.path()) {
                    form.files.borrow_mut()[role_index(role)] = Some(path);
                    form.refresh();
                }
            }
            chooser.destroy();
            form.chooser.replace(None);
        });
        chooser.show();
        self.chooser.replace(Some(chooser));
    }

    /// Sets the file for `role` (what choosing it does; for tests).
    #[cfg(feature = "test-support")]
    pub fn set_file(&self, role: &str, path: PathBuf) {
        let i = match role {
            "ca-cert" => 0,
            "client-cert" => 1,
            _ => 2,
        };
        self.files.borrow_mut()[i] = Some(path);
        self.refresh();
    }

    /// Types `text` into the field titled `field` (Identity, Anonymous
    /// identity, Server domain, Password, Private key password).
    #[cfg(feature = "test-support")]
    pub fn type_into(&self, field: &str, text: &str) {
        let w = &self.w;
        let row: &adw::EntryRow = match field {
            "Identity" => &w.identity,
            "Anonymous identity" => &w.anonymous,
            "Server domain" => &w.domain,
            "Password" => w.password.upcast_ref(),
            _ => w.key_password.upcast_ref(),
        };
        row.set_text(text);
    }

    /// Picks choice `index` of the combo titled `combo` (Authentication,
    /// Inner authentication, CA certificate).
    #[cfg(feature = "test-support")]
    pub fn select(&self, combo: &str, index: u32) {
        let w = &self.w;
        match combo {
            "Authentication" => w.eap.set_selected(index),
            "Inner authentication" => w.phase2.set_selected(index),
            _ => w.ca.set_selected(index),
        }
    }

    /// Switches "Save the password for all users".
    #[cfg(feature = "test-support")]
    pub fn set_store_password(&self, on: bool) {
        self.w.store_password.set_active(on);
    }

    #[cfg(feature = "test-support")]
    pub fn save_button(&self) -> gtk::Button {
        self.w.save.clone()
    }

    /// The Remove button, when the form edits a profile Connie wrote.
    #[cfg(feature = "test-support")]
    pub fn remove_button(&self) -> Option<gtk::Button> {
        self.w
            .remove_group
            .is_visible()
            .then(|| crate::ui::descendants::<gtk::Button>(self.w.remove_group.upcast_ref()))
            .and_then(|b| b.into_iter().next())
    }

    /// What the form says at its top (a refusal), if anything.
    #[cfg(feature = "test-support")]
    pub fn message(&self) -> Option<String> {
        let (row, label) = &self.w.message;
        row.is_visible().then(|| label.label().to_string())
    }

    /// The field's text (for checking what an edit shows).
    #[cfg(feature = "test-support")]
    pub fn text_of(&self, field: &str) -> String {
        let w = &self.w;
        match field {
            "Identity" => w.identity.text(),
            "Anonymous identity" => w.anonymous.text(),
            _ => w.domain.text(),
        }
        .to_string()
    }

    /// Whether the form has read what Connie stored (an edit).
    #[cfg(feature = "test-support")]
    pub fn is_editing(&self) -> bool {
        self.stored.borrow().is_some()
    }

    fn say(&self, text: Option<&str>) {
        let (row, label) = &self.w.message;
        label.set_label(text.unwrap_or_default());
        row.set_visible(text.is_some());
    }

    /// The profile the form describes.
    pub fn profile(&self) -> Profile {
        let w = &self.w;
        let eap = self.eap();
        let phase2 = eap
            .phase2()
            .get(w.phase2.selected() as usize)
            .map(|p| p.name().to_owned())
            .unwrap_or_default();
        Profile {
            ssid: self.ssid.clone(),
            eap: eap.key().to_owned(),
            phase2,
            identity: w.identity.text().trim().to_owned(),
            anonymous_identity: w.anonymous.text().trim().to_owned(),
            ca: if self.system_ca() { "system" } else { "file" }.to_owned(),
            domain: w.domain.text().trim().to_owned(),
            store_password: w.store_password.is_active(),
            password: w.password.text().to_string(),
            key_passphrase: w.key_password.text().to_string(),
        }
    }

    /// The chosen files the profile needs, opened and checked here first
    /// (the helper checks them again); an error is a sentence.
    fn open_files(&self, eap: Eap) -> Result<Vec<(&'static str, std::fs::File)>, String> {
        let mut roles = Vec::new();
        if !self.system_ca() {
            roles.push(Role::Ca);
        }
        if eap == Eap::Tls {
            roles.extend([Role::ClientCert, Role::PrivateKey]);
        }
        let mut out = Vec::new();
        for role in roles {
            let chosen = self.files.borrow()[role_index(role)].clone();
            let Some(path) = chosen else {
                if self.stored.borrow().is_some() {
                    continue;
                }
                return Err(gettext_f("Choose the file for “{}”.", &[&role.title()]));
            };
            let shown = path.display().to_string();
            let bytes = std::fs::metadata(&path)
                .and_then(|m| {
                    if m.len() > cert::MAX_FILE as u64 {
                        Ok(None)
                    } else {
                        std::fs::read(&path).map(Some)
                    }
                })
                .map_err(|e| gettext_f("{} cannot be read: {}", &[&shown, &e.to_string()]))?;
            let kind = if role == Role::PrivateKey {
                Kind::PrivateKey
            } else {
                Kind::Certificate
            };
            let fits = bytes.as_deref().map(|b| cert::check(b, kind));
            match fits {
                Some(Ok(_)) => {}
                _ if kind == Kind::PrivateKey => {
                    return Err(gettext_f(
                        "{} is not a private key in PEM format (at most 64 KiB).",
                        &[&shown],
                    ))
                }
                _ => {
                    return Err(gettext_f(
                        "{} is not a certificate in PEM or DER format (at most 64 KiB).",
                        &[&shown],
                    ))
                }
            }
            let file = std::fs::File::open(&path)
                .map_err(|e| gettext_f("{} cannot be read: {}", &[&shown, &e.to_string()]))?;
            out.push((role.key(), file));
        }
        Ok(out)
    }

    fn save(self: &Rc<Self>) {
        if self.busy.get() {
            return;
        }
        let profile = self.profile();
        let checked = match profile.check() {
            Ok(c) => c,
            Err(r) => {
                self.say(Some(&provision::refusal_sentence(&r)));
                return;
            }
        };
        let kept = self.stored.borrow().clone();
        if profile.store_password
            && profile.password.is_empty()
            && checked.eap != Eap::Tls
            && !kept.as_ref().is_some_and(|s| s.password_stored)
        {
            self.say(Some(&gettext(
                "Type the password to save, or switch saving it off.",
            )));
            return;
        }
        if checked.eap == Eap::Tls
            && profile.key_passphrase.is_empty()
            && !kept.as_ref().is_some_and(|s| s.key_passphrase_stored)
        {
            self.say(Some(&gettext(
                "ConnMan uses a client certificate only with its private key’s password.",
            )));
            return;
        }
        let files = match self.open_files(checked.eap) {
            Ok(f) => f,
            Err(why) => {
                self.say(Some(&why));
                return;
            }
        };
        let Some(client) = self.backend.client() else {
            self.say(Some(&gettext("ConnMan is not running.")));
            return;
        };
        let conn = client.connection().clone();
        self.say(None);
        self.set_busy(true);
        let weak = Rc::downgrade(self);
        glib::spawn_future_local(async move {
            let result = provision::save(&conn, &profile, &files).await;
            drop(files);
            let Some(form) = weak.upgrade() else { return };
            form.set_busy(false);
            match result {
                Ok(()) => form.saved(),
                Err(e) => form.say(Some(&provision::helper_error_sentence(&e))),
            }
        });
    }

    fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
        self.w.save.set_sensitive(!busy);
    }

    /// The file is written: once connmand has read it (the service turns
    /// provisioned), connect; the form closes.
    fn saved(&self) {
        self.w.window.close();
        let backend = self.backend.clone();
        let path = self.path.clone();
        glib::spawn_future_local(async move {
            // connmand reads the file on inotify's word: bounded wait for
            // the service to say it is provisioned
            for _ in 0..100 {
                let provisioned = backend
                    .client()
                    .and_then(|c| c.state().service(&path).map(|s| s.immutable))
                    .unwrap_or(false);
                if provisioned {
                    break;
                }
                glib::timeout_future(Duration::from_millis(50)).await;
            }
            let outcome = backend.connect(&path).await;
            if let Some(f) = outcome.failure() {
                tracing::info!("connecting after provisioning: {}", f.body());
            }
        });
    }

    fn ask_remove(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let question = crate::ui::Question {
            heading: &gettext("Remove the settings of this network?"),
            body: &gettext(
                "ConnMan then no longer joins it. Removing asks for an administrator’s \
                 authorization.",
            ),
            cancel: ("cancel", &gettext("_Cancel")),
            act: ("remove", &gettext("_Remove")),
            appearance: adw::ResponseAppearance::Destructive,
        };
        crate::ui::ask(&self.w.window, question, move || {
            let Some(form) = weak.upgrade() else { return };
            let Some(client) = form.backend.client() else {
                return;
            };
            let conn = client.connection().clone();
            let ssid = form.ssid.clone();
            let weak = Rc::downgrade(&form);
            form.set_busy(true);
            glib::spawn_future_local(async move {
                let result = provision::remove(&conn, &ssid).await;
                let Some(form) = weak.upgrade() else { return };
                form.set_busy(false);
                match result {
                    Ok(()) => form.w.window.close(),
                    Err(e) => form.say(Some(&provision::helper_error_sentence(&e))),
                }
            });
        });
    }
}
