//! Adding, importing and editing a VPN: first the type (each with what it
//! needs on this computer) or a file to import, then the form of that type,
//! each field checked as it is typed with the reason under it. What an
//! import could not map is listed. Create (or Save) sends the settings to
//! connman-vpnd; what it refuses is said at the top and the form keeps
//! everything typed.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use crate::backend::Backend;
use crate::i18n::{gettext, gettext_f};
use crate::vpn::form::{specs, Kind, VpnForm, NAME};
use crate::vpn::ovpn::Blob;
use crate::vpn::{availability, files, ovpn, unavailable_reason, wireguard, VpnType};

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct VpnEditor {
        pub(super) backend: RefCell<Option<Backend>>,
        /// The connection edited (`None`: a new one).
        pub(super) path: RefCell<Option<String>>,
        pub(super) start: RefCell<Option<VpnForm>>,
        pub(super) form: RefCell<Option<VpnForm>>,
        /// An import's certificates and keys, written on Create.
        pub(super) blobs: RefCell<Vec<Blob>>,
        pub(super) entries: RefCell<HashMap<&'static str, adw::EntryRow>>,
        pub(super) switches: RefCell<HashMap<&'static str, gtk::Switch>>,
        pub(super) combos: RefCell<HashMap<&'static str, adw::ComboRow>>,
        pub(super) errors: RefCell<HashMap<&'static str, (gtk::ListBoxRow, gtk::Label)>>,
        pub(super) ignored: RefCell<Vec<String>>,
        pub(super) stack: OnceCell<gtk::Stack>,
        pub(super) save: OnceCell<gtk::Button>,
        pub(super) title: OnceCell<adw::WindowTitle>,
        pub(super) message: RefCell<Option<(gtk::ListBoxRow, gtk::Label)>>,
        pub(super) busy: Cell<bool>,
        pub(super) loading: Cell<bool>,
        pub(super) discard: Cell<bool>,
        /// The file chooser open (kept: GTK drops a native chooser with its
        /// last reference).
        pub(super) chooser: RefCell<Option<gtk::FileChooserNative>>,
        /// Where imported files go (Connie's data directory; tests set it).
        pub(super) files_base: RefCell<PathBuf>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for VpnEditor {
        const NAME: &'static str = "CnVpnEditor";
        type Type = super::VpnEditor;
        type ParentType = adw::Window;
    }

    impl ObjectImpl for VpnEditor {}
    impl WidgetImpl for VpnEditor {}

    impl WindowImpl for VpnEditor {
        fn close_request(&self) -> glib::Propagation {
            let editor = self.obj();
            if self.discard.get() || !editor.has_changes() {
                return self.parent_close_request();
            }
            editor.ask_discard();
            glib::Propagation::Stop
        }
    }

    impl AdwWindowImpl for VpnEditor {}
}

glib::wrapper! {
    pub struct VpnEditor(ObjectSubclass<imp::VpnEditor>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native, gtk::Root,
            gtk::ShortcutManager;
}

/// The label of a choice's spelling.
fn choice_label(key: &str, value: &str) -> String {
    match (key, value) {
        (_, "") => gettext("Not set"),
        (_, "udp") => "UDP".into(),
        (_, "tcp-client") => "TCP".into(),
        (_, "tun") => gettext("Routed (tun)"),
        (_, "tap") => gettext("Bridged (tap)"),
        ("OpenVPN.TLSAuthDir", d) => gettext_f("Direction {}", &[d]),
        (_, "cookie") => gettext("Cookie from the server’s sign-in page"),
        (_, "cookie_with_userpass") => gettext("Username and password, then a cookie"),
        (_, "userpass") => gettext("Username and password"),
        (_, "publickey") => gettext("Certificate and key"),
        (_, "pkcs") => gettext("PKCS#12 certificate"),
        (_, "anyconnect") => "Cisco AnyConnect".into(),
        (_, "nc") => "Juniper Network Connect".into(),
        (_, "gp") => "Palo Alto GlobalProtect".into(),
        (_, "pulse") => "Pulse Connect Secure".into(),
        (_, "f5") => "F5 BIG-IP".into(),
        (_, "fortinet") => "Fortinet FortiGate".into(),
        (_, "array") => "Array Networks".into(),
        (_, other) => other.to_owned(),
    }
}

impl VpnEditor {
    fn create(parent: &impl IsA<gtk::Window>, backend: &Backend, title: &str) -> Self {
        let editor: Self = glib::Object::builder()
            .property("accessible-role", crate::ui::dialog_role(false))
            .property("modal", true)
            .property("transient-for", parent)
            .property("default-width", 520)
            .property("default-height", 720)
            .property("title", title)
            .build();
        let imp = editor.imp();
        imp.backend.replace(Some(backend.clone()));
        imp.files_base.replace(files::base_dir());
        editor.build_frame(title);
        crate::ui::name_mnemonic_buttons(&editor);
        editor
    }

    /// A dialog that adds a VPN: first its type, or a file to import.
    pub fn add(parent: &impl IsA<gtk::Window>, backend: &Backend) -> Self {
        let editor = Self::create(parent, backend, &gettext("Add VPN"));
        editor.build_types();
        editor
    }

    /// A dialog that edits the VPN `path`; `None` when connman-vpnd does
    /// not list it or it is of a type Connie does not know.
    pub fn edit(parent: &impl IsA<gtk::Window>, backend: &Backend, path: &str) -> Option<Self> {
        let client = backend.client()?;
        let form = {
            let state = client.state();
            let props = state.vpn_connection(path)?;
            let t = VpnType::from_id(props.type_.as_deref()?)?;
            VpnForm::of(t, props)
        };
        let editor = Self::create(parent, backend, &gettext("Edit VPN"));
        editor.imp().path.replace(Some(path.to_owned()));
        editor.show_form(form, Vec::new(), Vec::new());
        Some(editor)
    }

    fn build_frame(&self, title: &str) {
        let imp = self.imp();
        let cancel = gtk::Button::with_mnemonic(&gettext("_Cancel"));
        cancel.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| {
                gtk::prelude::GtkWindowExt::close(&editor);
            }
        ));
        let save = gtk::Button::with_mnemonic(&gettext("_Save"));
        save.add_css_class("suggested-action");
        save.set_visible(false);
        save.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.save()
        ));
        let (header, window_title) = crate::ui::dialog_header(title, "", &cancel, &save);
        let stack = gtk::Stack::new();
        stack.set_vexpand(true);
        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&header);
        content.append(&stack);
        adw::prelude::AdwWindowExt::set_content(self, Some(&content));
        gtk::prelude::GtkWindowExt::set_default_widget(self, Some(&save));
        let escape = gtk::ShortcutController::new();
        escape.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape"),
            Some(gtk::NamedAction::new("window.close")),
        ));
        self.add_controller(escape);
        let _ = imp.stack.set(stack);
        let _ = imp.save.set(save);
        let _ = imp.title.set(window_title);
    }

    /// The first page: the types, and the import.
    fn build_types(&self) {
        let page = adw::PreferencesPage::new();
        let types = adw::PreferencesGroup::new();
        types.set_title(&glib::markup_escape_text(&gettext("Type")));
        for t in VpnType::ALL {
            let available = availability(t);
            let reason = unavailable_reason(&available);
            let row = adw::ActionRow::builder()
                .title(t.name())
                .subtitle(glib::markup_escape_text(
                    reason.as_deref().unwrap_or(&t.blurb()),
                ))
                .activatable(reason.is_none())
                .build();
            row.set_sensitive(reason.is_none());
            if reason.is_none() {
                row.add_suffix(&gtk::Image::from_icon_name("go-next-symbolic"));
            }
            row.connect_activated(glib::clone!(
                #[weak(rename_to = editor)]
                self,
                move |_| editor.choose(t)
            ));
            types.add(&row);
        }
        page.add(&types);
        let import = adw::PreferencesGroup::new();
        let row = adw::ActionRow::builder()
            .title(glib::markup_escape_text(&gettext("Import from File…")))
            .subtitle(glib::markup_escape_text(&gettext(
                "An OpenVPN .ovpn or a WireGuard .conf file",
            )))
            .activatable(true)
            .build();
        row.add_suffix(&gtk::Image::from_icon_name("document-open-symbolic"));
        row.connect_activated(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.pick_file()
        ));
        import.add(&row);
        page.add(&import);
        if let Some(stack) = self.imp().stack.get() {
            stack.add_named(&page, Some("types"));
            stack.set_visible_child_name("types");
        }
    }

    /// Goes on to the form of type `t`.
    pub fn choose(&self, t: VpnType) {
        self.show_form(VpnForm::new(t), Vec::new(), Vec::new());
    }

    fn pick_file(&self) {
        let filter = gtk::FileFilter::new();
        filter.set_name(Some(&gettext("VPN configurations")));
        filter.add_pattern("*.ovpn");
        filter.add_pattern("*.conf");
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Import a VPN")),
            Some(self),
            gtk::FileChooserAction::Open,
            Some(&gettext("_Import")),
            Some(&gettext("_Cancel")),
        );
        chooser.add_filter(&filter);
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |chooser, response| {
                if response == gtk::ResponseType::Accept {
                    if let Some(path) = chooser.file().and_then(|f| f.path()) {
                        editor.import_file(&path);
                    }
                }
                chooser.destroy();
                editor.imp().chooser.replace(None);
            }
        ));
        chooser.show();
        self.imp().chooser.replace(Some(chooser));
    }

    /// Imports the `.ovpn` or `.conf` file at `path` into the form; says
    /// why when it cannot (and nothing is created).
    pub fn import_file(&self, path: &Path) {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match std::fs::read(path) {
            Ok(bytes) if bytes.len() <= 1 << 20 => String::from_utf8_lossy(&bytes).into_owned(),
            Ok(_) => {
                return self
                    .import_failed(&gettext("The file is too large for a VPN configuration."))
            }
            Err(e) => return self.import_failed(&e.to_string()),
        };
        let wireguard =
            path.extension().is_some_and(|e| e == "conf") || text.contains("[Interface]");
        let result = if wireguard {
            wireguard::import(&name, &text).map(|i| (i.form, Vec::new(), i.ignored))
        } else {
            ovpn::import(&name, &text).map(|mut i| {
                // relative file names are beside the file
                let dir = path.parent().unwrap_or(Path::new("/"));
                for spec in specs(VpnType::OpenVpn) {
                    let v = i.form.get(spec.key).to_owned();
                    if spec.kind == Kind::File && !v.is_empty() && !v.starts_with('/') {
                        i.form.set(spec.key, &dir.join(v).display().to_string());
                    }
                }
                (i.form, i.blobs, i.ignored)
            })
        };
        match result {
            Ok((form, blobs, ignored)) => self.show_form(form, blobs, ignored),
            Err(e) => self.import_failed(&e.0),
        }
    }

    fn import_failed(&self, why: &str) {
        let dialog = adw::MessageDialog::builder()
            .accessible_role(crate::ui::dialog_role(true))
            .transient_for(self)
            .modal(true)
            .heading(gettext("Could not import the file"))
            .body(why)
            .build();
        dialog.add_response("close", &gettext("_Close"));
        self.imp().ignored.replace(vec![why.to_owned()]);
        crate::ui::name_mnemonic_buttons(&dialog);
        dialog.present();
    }

    /// The second page: the form of `form`'s type, filled in.
    fn show_form(&self, form: VpnForm, blobs: Vec<Blob>, ignored: Vec<String>) {
        let imp = self.imp();
        let t = form.type_;
        imp.entries.borrow_mut().clear();
        imp.switches.borrow_mut().clear();
        imp.combos.borrow_mut().clear();
        imp.errors.borrow_mut().clear();
        let page = adw::PreferencesPage::new();
        let top = adw::PreferencesGroup::new();
        let message = crate::ui::note_row("error");
        top.add(&message.0);
        imp.message.replace(Some(message));
        if t == VpnType::WireGuard && imp.path.borrow().is_none() {
            let (row, label) = crate::ui::note_row("dim-label");
            label.set_label(&gettext(
                "ConnMan 1.41 forgets a WireGuard VPN’s keys when its VPN service restarts; \
                 a provisioning file in /var/lib/connman-vpn keeps them.",
            ));
            row.set_visible(true);
            top.add(&row);
        }
        if !blobs.is_empty() {
            let (row, label) = crate::ui::note_row("dim-label");
            let kept: Vec<String> = specs(t)
                .iter()
                .filter(|spec| blobs.iter().any(|b| b.key == spec.key))
                .map(|spec| spec.label())
                .collect();
            label.set_label(&gettext_f(
                "From the file: {}. Connie keeps them in {}, readable by you only.",
                &[
                    &kept.join(", "),
                    &imp.files_base.borrow().display().to_string(),
                ],
            ));
            row.set_visible(true);
            top.add(&row);
        }
        page.add(&top);
        if !ignored.is_empty() {
            let g = adw::PreferencesGroup::new();
            g.set_title(&glib::markup_escape_text(&gettext("Not Imported")));
            g.set_description(Some(&glib::markup_escape_text(&gettext(
                "ConnMan has no setting for these lines of the file; they are left out.",
            ))));
            for line in &ignored {
                let (row, label) = crate::ui::note_row("dim-label");
                label.set_label(line);
                row.set_visible(true);
                g.add(&row);
            }
            page.add(&g);
        }
        let general = adw::PreferencesGroup::new();
        general.set_title(&glib::markup_escape_text(t.name()));
        let details = adw::PreferencesGroup::new();
        details.set_title(&glib::markup_escape_text(&gettext("Details")));
        for (i, spec) in specs(t).iter().enumerate() {
            let group = if i < 3 { &general } else { &details };
            let label = spec.label();
            match spec.kind {
                Kind::Flag { .. } => {
                    let (row, switch) = crate::ui::switch_row(&label, None);
                    switch.connect_active_notify(glib::clone!(
                        #[weak(rename_to = editor)]
                        self,
                        move |_| editor.edited()
                    ));
                    group.add(&row);
                    imp.switches.borrow_mut().insert(spec.key, switch);
                }
                Kind::Choice(options) => {
                    let labels: Vec<String> =
                        options.iter().map(|o| choice_label(spec.key, o)).collect();
                    let strs: Vec<&str> = labels.iter().map(String::as_str).collect();
                    let row = adw::ComboRow::builder()
                        .title(glib::markup_escape_text(&label))
                        .model(&gtk::StringList::new(&strs))
                        .build();
                    row.connect_selected_notify(glib::clone!(
                        #[weak(rename_to = editor)]
                        self,
                        move |_| editor.edited()
                    ));
                    group.add(&row);
                    imp.combos.borrow_mut().insert(spec.key, row);
                }
                _ => {
                    let secret = matches!(spec.kind, Kind::Secret | Kind::Key { secret: true });
                    let row: adw::EntryRow = if secret {
                        adw::PasswordEntryRow::new().upcast()
                    } else {
                        adw::EntryRow::new()
                    };
                    row.set_title(&glib::markup_escape_text(&label));
                    if spec.kind == Kind::File {
                        let choose = gtk::Button::from_icon_name("document-open-symbolic");
                        choose.set_valign(gtk::Align::Center);
                        choose.add_css_class("flat");
                        let name = gettext_f("Choose the file for “{}”", &[&label]);
                        choose.set_tooltip_text(Some(&name));
                        crate::ui::access::set_label(&choose, &name);
                        let key = spec.key;
                        choose.connect_clicked(glib::clone!(
                            #[weak(rename_to = editor)]
                            self,
                            move |_| editor.pick_field_file(key)
                        ));
                        row.add_suffix(&choose);
                    }
                    row.connect_changed(glib::clone!(
                        #[weak(rename_to = editor)]
                        self,
                        move |_| editor.edited()
                    ));
                    group.add(&row);
                    let error = crate::ui::note_row("error");
                    group.add(&error.0);
                    imp.entries.borrow_mut().insert(spec.key, row);
                    imp.errors.borrow_mut().insert(spec.key, error);
                }
            }
        }
        page.add(&general);
        page.add(&details);
        // blocks of the file that became files: their fields say so
        for blob in &blobs {
            if let Some(e) = imp.entries.borrow().get(blob.key) {
                e.set_sensitive(false);
            }
        }
        imp.ignored.replace(ignored);
        imp.blobs.replace(blobs);
        imp.start.replace(Some(form.clone()));
        imp.form.replace(Some(form));
        self.load();
        if let Some(stack) = imp.stack.get() {
            if let Some(old) = stack.child_by_name("form") {
                stack.remove(&old);
            }
            stack.add_named(&page, Some("form"));
            stack.set_visible_child_name("form");
        }
        if let Some(save) = imp.save.get() {
            save.set_visible(true);
            let label = if imp.path.borrow().is_some() {
                gettext("_Save")
            } else {
                gettext("C_reate")
            };
            save.set_label(&label);
            save.set_use_underline(true);
        }
        crate::ui::name_mnemonic_buttons(self);
        if let Some(title) = imp.title.get() {
            title.set_subtitle(t.name());
        }
        self.revalidate();
    }

    fn pick_field_file(&self, key: &'static str) {
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Choose a File")),
            Some(self),
            gtk::FileChooserAction::Open,
            Some(&gettext("_Choose")),
            Some(&gettext("_Cancel")),
        );
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |chooser, response| {
                if response == gtk::ResponseType::Accept {
                    if let Some(path) = chooser.file().and_then(|f| f.path()) {
                        editor.set(key, &path.display().to_string());
                    }
                }
                chooser.destroy();
                editor.imp().chooser.replace(None);
            }
        ));
        chooser.show();
        self.imp().chooser.replace(Some(chooser));
    }

    /// The form's values into the widgets.
    fn load(&self) {
        let imp = self.imp();
        let Some(form) = imp.form.borrow().clone() else {
            return;
        };
        imp.loading.set(true);
        for spec in specs(form.type_) {
            let value = form.get(spec.key);
            if let Some(e) = imp.entries.borrow().get(spec.key) {
                e.set_text(value);
            }
            if let Some(s) = imp.switches.borrow().get(spec.key) {
                s.set_active(!value.is_empty() && value != "false");
            }
            if let (Some(c), Kind::Choice(options)) = (imp.combos.borrow().get(spec.key), spec.kind)
            {
                let i = options.iter().position(|o| *o == value).unwrap_or(0);
                c.set_selected(i as u32);
            }
        }
        imp.loading.set(false);
    }

    fn edited(&self) {
        let imp = self.imp();
        if imp.loading.get() {
            return;
        }
        {
            let mut slot = imp.form.borrow_mut();
            let Some(form) = slot.as_mut() else {
                return;
            };
            for spec in specs(form.type_) {
                if let Some(e) = imp.entries.borrow().get(spec.key) {
                    form.set(spec.key, &e.text());
                }
                if let (Some(s), Kind::Flag { on }) =
                    (imp.switches.borrow().get(spec.key), spec.kind)
                {
                    form.set(spec.key, if s.is_active() { on } else { "" });
                }
                if let (Some(c), Kind::Choice(options)) =
                    (imp.combos.borrow().get(spec.key), spec.kind)
                {
                    let v = options.get(c.selected() as usize).copied().unwrap_or("");
                    form.set(spec.key, v);
                }
            }
        }
        self.revalidate();
    }

    fn revalidate(&self) {
        let imp = self.imp();
        let Some(form) = imp.form.borrow().clone() else {
            return;
        };
        let wrong: HashMap<&str, String> = match form.check() {
            Ok(_) => HashMap::new(),
            Err(errors) => errors.into_iter().collect(),
        };
        for (key, (row, label)) in imp.errors.borrow().iter() {
            let why = wrong.get(key);
            row.set_visible(why.is_some());
            label.set_label(why.map(String::as_str).unwrap_or_default());
            if let Some(entry) = imp.entries.borrow().get(key) {
                if why.is_some() {
                    entry.add_css_class("error");
                } else {
                    entry.remove_css_class("error");
                }
                crate::ui::access::set_invalid(entry, why.is_some());
                crate::ui::access::set_description(
                    entry,
                    why.map(String::as_str).unwrap_or_default(),
                );
            }
        }
        let changed = imp.path.borrow().is_none() || self.has_changes();
        if let Some(save) = imp.save.get() {
            save.set_sensitive(wrong.is_empty() && changed && !imp.busy.get());
        }
    }

    /// Whether closing loses something typed.
    pub fn has_changes(&self) -> bool {
        let imp = self.imp();
        let (form, start) = (imp.form.borrow(), imp.start.borrow());
        match (form.as_ref(), start.as_ref()) {
            (Some(f), Some(s)) => {
                f != s || (imp.path.borrow().is_none() && !f.get(NAME).is_empty())
            }
            _ => false,
        }
    }

    fn say(&self, message: Option<&str>) {
        if let Some((row, label)) = self.imp().message.borrow().as_ref() {
            row.set_visible(message.is_some());
            label.set_label(message.unwrap_or_default());
        }
    }

    /// Creates or changes the VPN.
    pub fn save(&self) {
        let imp = self.imp();
        let (Some(form), Some(start), Some(backend)) = (
            imp.form.borrow().clone(),
            imp.start.borrow().clone(),
            imp.backend.borrow().clone(),
        ) else {
            return;
        };
        if imp.busy.get() || form.check().is_err() {
            return;
        }
        imp.busy.set(true);
        self.say(None);
        self.revalidate();
        let path = imp.path.borrow().clone();
        let blobs = imp.blobs.borrow().clone();
        let base = imp.files_base.borrow().clone();
        let weak = self.downgrade();
        glib::spawn_future_local(async move {
            let result = match path {
                None => backend.create_vpn(&form, &blobs, &base).await.map(|_| ()),
                Some(path) => match form.changes(&start) {
                    Ok((strings, routes)) => {
                        match backend.edit_vpn(&path, &strings, routes.as_deref()).await {
                            crate::backend::Outcome::Failed(f) => {
                                Err(crate::backend::Outcome::Failed(f))
                            }
                            _ => Ok(()),
                        }
                    }
                    Err(_) => Ok(()),
                },
            };
            let Some(editor) = weak.upgrade() else {
                return;
            };
            let imp = editor.imp();
            imp.busy.set(false);
            match result {
                Ok(()) => {
                    imp.discard.set(true);
                    gtk::prelude::GtkWindowExt::close(&editor);
                }
                Err(outcome) => {
                    let why = outcome.failure().map(|f| f.why.clone()).unwrap_or_default();
                    editor.say(Some(&why));
                    editor.revalidate();
                }
            }
        });
    }

    fn ask_discard(&self) {
        let weak = self.downgrade();
        crate::ui::ask_discard(
            self,
            &gettext("The VPN has not been saved. If you close now, what you typed is lost."),
            move || {
                if let Some(editor) = weak.upgrade() {
                    editor.imp().discard.set(true);
                    gtk::prelude::GtkWindowExt::close(&editor);
                }
            },
        );
    }

    /// Sets field `key` as if typed (or switched, or chosen).
    pub fn set(&self, key: &str, value: &str) {
        let imp = self.imp();
        if let Some(e) = imp.entries.borrow().get(key) {
            e.set_text(value);
            return;
        }
        if let Some(s) = imp.switches.borrow().get(key) {
            s.set_active(!value.is_empty());
            return;
        }
        let Some(form) = imp.form.borrow().clone() else {
            return;
        };
        for spec in specs(form.type_) {
            if let (true, Kind::Choice(options)) = (spec.key == key, spec.kind) {
                if let (Some(c), Some(i)) = (
                    imp.combos.borrow().get(key),
                    options.iter().position(|o| *o == value),
                ) {
                    c.set_selected(i as u32);
                }
            }
        }
    }

    /// What is said to be wrong with field `key`.
    pub fn error_at(&self, key: &str) -> Option<String> {
        let errors = self.imp().errors.borrow();
        let (row, label) = errors.get(key)?;
        row.is_visible().then(|| label.label().to_string())
    }

    /// The form as it stands.
    pub fn form(&self) -> Option<VpnForm> {
        self.imp().form.borrow().clone()
    }

    /// What the top of the dialog says (connman-vpnd's refusals).
    pub fn message(&self) -> Option<String> {
        let message = self.imp().message.borrow();
        let (row, label) = message.as_ref()?;
        row.is_visible().then(|| label.label().to_string())
    }

    /// The lines of an import that were left out (or why it failed).
    pub fn ignored(&self) -> Vec<String> {
        self.imp().ignored.borrow().clone()
    }

    /// The Create / Save button.
    pub fn save_button(&self) -> gtk::Button {
        self.imp().save.get().cloned().expect("built")
    }

    pub fn is_busy(&self) -> bool {
        self.imp().busy.get()
    }

    /// Where imported certificates go (tests point it elsewhere).
    pub fn set_files_base(&self, base: &Path) {
        self.imp().files_base.replace(base.to_owned());
    }

    /// The page shown: `types` or `form`.
    pub fn page(&self) -> String {
        self.imp()
            .stack
            .get()
            .and_then(|s| s.visible_child_name())
            .map(|n| n.to_string())
            .unwrap_or_default()
    }
}
