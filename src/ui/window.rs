//! The window: the global state in the header (with the airplane-mode
//! toggle), the technologies with their switches, and connmand's services in
//! its order. When ConnMan is not there it says so, and fills itself in when
//! connmand appears.

mod commands;
mod header;
mod reorder;

use std::cell::{Cell, OnceCell, RefCell};

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib, CompositeTemplate};

use super::service_details::ServiceDetails;
use super::service_row::ServiceRow;
use super::technology_row::TechnologyRow;
use super::vpn_row::VpnRow;
use super::WinAction;
use crate::backend::Backend;
use crate::i18n::gettext;
use crate::model::moves::Refusal;
use crate::model::{ServiceObject, TechnologyObject, VpnObject};

/// How many services the list shows in its first frame: a screenful of
/// the default window and more (see `setup_services`).
const FIRST_SCREENFUL: u32 = 12;

/// How many service rows the list keeps for reuse. GTK 4.8's grid view
/// destroys the row of a service that leaves the thirty it builds and makes
/// a new one for the service that comes in; among hundreds of networks each
/// re-sort does that several times (a template, its widgets, their tooltips
/// asking the X server where the pointer is). A re-sort lets go of a few
/// rows at a time; a handful kept covers it.
const ROW_POOL: usize = 8;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(file = "window.ui")]
    pub struct Window {
        #[template_child]
        pub(super) toast_overlay: TemplateChild<adw::ToastOverlay>,
        #[template_child]
        pub(super) pages: TemplateChild<gtk::Stack>,
        #[template_child]
        pub(super) list_page: TemplateChild<gtk::Box>,
        #[template_child]
        pub(super) details_page: TemplateChild<ServiceDetails>,
        #[template_child]
        pub(super) title_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) subtitle_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) offline_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub(super) menu_button: TemplateChild<gtk::MenuButton>,
        /// connmand's bus name when its clock was last looked for, and
        /// whether it has one.
        pub(super) clock_probe: RefCell<Option<(Option<String>, bool)>>,
        #[template_child]
        pub(super) stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub(super) starting_spinner: TemplateChild<gtk::Spinner>,
        #[template_child]
        pub(super) no_bus_page: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub(super) refused_page: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub(super) technologies_box: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub(super) vpn_section: TemplateChild<gtk::Box>,
        #[template_child]
        pub(super) vpn_box: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub(super) no_vpns: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) hidden_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) services_stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub(super) services_view: TemplateChild<gtk::GridView>,
        pub(super) backend: OnceCell<Backend>,
        /// Handlers on the models, disconnected when the window goes.
        pub(super) handlers: RefCell<Vec<(glib::Object, glib::SignalHandlerId)>>,
        /// The service being dragged, while a drag is in progress.
        pub(super) dragging: RefCell<Option<String>>,
        /// A refresh of the rows' move actions is queued.
        pub(super) refresh_queued: Cell<bool>,
        /// Service rows the list let go of, for the next ones it builds
        /// (see [`ROW_POOL`]).
        pub(super) row_pool: RefCell<Vec<ServiceRow>>,
        pub(super) forget_dialog: glib::WeakRef<adw::MessageDialog>,
        pub(super) editor: glib::WeakRef<crate::ui::ServiceEditor>,
        pub(super) vpn_editor: glib::WeakRef<crate::ui::VpnEditor>,
        pub(super) hotspot: glib::WeakRef<crate::ui::HotspotWindow>,
        pub(super) clock: glib::WeakRef<crate::ui::clock::ClockWindow>,
        /// The enterprise network form last opened.
        pub(super) enterprise: RefCell<std::rc::Weak<crate::ui::enterprise::EnterpriseForm>>,
        /// Why the place last hovered in a drag would be refused.
        pub(super) last_refusal: Cell<Option<Refusal>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Window {
        const NAME: &'static str = "CnWindow";
        type Type = super::Window;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
            type Win = super::Window;
            type OnPath = fn(&Win, &str);
            type OnPathFlag = fn(&Win, &str, bool);
            type Plain = fn(&Win);
            // actions whose parameter is a service's or technology's path
            let on_path: [(WinAction, OnPath); 11] = [
                (WinAction::ResetCounters, Win::reset_counters),
                (WinAction::ConnectService, Win::connect_service),
                (WinAction::DisconnectService, Win::disconnect_service),
                (WinAction::ScanTechnology, Win::scan),
                (WinAction::ShowService, Win::show_service),
                (WinAction::ForgetService, Win::forget_service),
                (WinAction::EditService, Win::edit_service),
                (WinAction::ChangePassphrase, Win::change_passphrase),
                (WinAction::EditVpn, Win::edit_vpn),
                (WinAction::DeleteVpn, Win::delete_vpn),
                (WinAction::DragBegan, Win::drag_began),
            ];
            for (action, f) in on_path {
                klass.install_action(
                    action.detailed(),
                    Some(glib::VariantTy::STRING),
                    move |win, _, p| {
                        if let Some(path) = p.and_then(|v| v.get::<String>()) {
                            f(win, &path);
                        }
                    },
                );
            }
            // (path, flag): power on or off, move down or up
            let on_path_flag: [(WinAction, OnPathFlag); 2] = [
                (WinAction::SetPowered, Win::set_powered),
                (WinAction::MoveStep, Win::move_step),
            ];
            for (action, f) in on_path_flag {
                klass.install_action(
                    action.detailed(),
                    Some(&<(String, bool)>::static_variant_type()),
                    move |win, _, p| {
                        if let Some((path, flag)) = p.and_then(|v| v.get::<(String, bool)>()) {
                            f(win, &path, flag);
                        }
                    },
                );
            }
            let plain: [(WinAction, Plain); 9] = [
                (WinAction::DateTime, Win::date_time),
                (WinAction::ShareConnection, Win::share_connection),
                (WinAction::Rescan, Win::rescan_wifi),
                (WinAction::ConnectHidden, Win::connect_hidden),
                (WinAction::About, Win::show_about),
                (WinAction::AddVpn, Win::add_vpn),
                (WinAction::RefreshMoves, Win::schedule_refresh_moves),
                (WinAction::DragEnded, Win::drag_ended),
                (WinAction::DragCanceled, Win::drag_canceled),
            ];
            for (action, f) in plain {
                klass.install_action(action.detailed(), None, move |win, _, _| f(win));
            }
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for Window {
        /// `toast (title)`: a toast was put up (failures, refused moves,
        /// notices), for whoever wants to hear what the window says.
        fn signals() -> &'static [glib::subclass::Signal] {
            static SIGNALS: std::sync::OnceLock<Vec<glib::subclass::Signal>> =
                std::sync::OnceLock::new();
            SIGNALS.get_or_init(|| {
                vec![glib::subclass::Signal::builder("toast")
                    .param_types([String::static_type()])
                    .build()]
            })
        }

        fn dispose(&self) {
            for (obj, handler) in self.handlers.take() {
                obj.disconnect(handler);
            }
            self.row_pool.take();
        }
    }

    impl WidgetImpl for Window {}

    impl WindowImpl for Window {
        /// The window goes: the details page stops following its service
        /// (and so unregisters its traffic counter) now, not whenever the
        /// last reference to the page is dropped.
        fn close_request(&self) -> glib::Propagation {
            self.details_page.stop();
            self.parent_close_request()
        }
    }
    impl AdwWindowImpl for Window {}
}

glib::wrapper! {
    pub struct Window(ObjectSubclass<imp::Window>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native, gtk::Root,
            gtk::ShortcutManager;
}

impl Window {
    /// A window on `backend`'s models. `app`'s actions (`app.quit`) are
    /// reachable from the window's menu and shortcuts when given. GTK and
    /// libadwaita must be initialised ([`super::init`]).
    pub fn new(backend: &Backend, app: Option<&gio::Application>) -> Self {
        let win: Self = glib::Object::new();
        if let Some(app) = app {
            win.insert_action_group("app", Some(app));
        }
        let _ = win.imp().backend.set(backend.clone());
        win.setup_shortcuts();
        win.setup_details();
        win.setup_technologies();
        win.setup_services();
        win.setup_vpns();
        win.setup_header();
        super::name_mnemonic_buttons(&win);
        win.setup_clock();
        if std::env::var_os("CONNIE_BENCH").is_some() {
            win.report_first_frame();
        }
        win
    }

    /// For `make bench`: says on stderr when the first frame that shows
    /// services has been painted (the bench times it from exec).
    fn report_first_frame(&self) {
        if std::env::var_os("CONNIE_BENCH").is_none() {
            return;
        }
        self.connect_realize(|win| {
            let Some(clock) = win.frame_clock() else {
                return;
            };
            let weak = win.downgrade();
            let done = std::rc::Rc::new(std::cell::Cell::new(false));
            clock.connect_after_paint(move |_| {
                let Some(win) = weak.upgrade() else { return };
                let shown = win.imp().stack.visible_child_name().as_deref() == Some("main")
                    && win.backend().models().services.n_items() > 0;
                if shown && !done.replace(true) {
                    let rows = win.service_rows().len();
                    // the bench's protocol, not a log message
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("connie-bench: first frame with services ({rows} rows)");
                    }
                }
            });
        });
    }

    /// A shortcut controller that calls `f(window, key)` for each
    /// `(accelerator, key)`; the key press stops there when `f` returns
    /// true.
    fn shortcuts<K: Copy + 'static>(
        &self,
        keys: &[(&str, K)],
        f: fn(&Window, K) -> bool,
    ) -> gtk::ShortcutController {
        let controller = gtk::ShortcutController::new();
        for &(accel, key) in keys {
            controller.add_shortcut(gtk::Shortcut::new(
                gtk::ShortcutTrigger::parse_string(accel),
                Some(gtk::CallbackAction::new(glib::clone!(
                    #[weak(rename_to = win)]
                    self,
                    #[upgrade_or]
                    glib::Propagation::Proceed,
                    move |_, _| {
                        if f(&win, key) {
                            glib::Propagation::Stop
                        } else {
                            glib::Propagation::Proceed
                        }
                    }
                ))),
            ));
        }
        controller
    }

    fn backend(&self) -> &Backend {
        self.imp().backend.get().expect("set in new()")
    }

    fn keep(&self, obj: &impl IsA<glib::Object>, handler: glib::SignalHandlerId) {
        self.imp()
            .handlers
            .borrow_mut()
            .push((obj.clone().upcast(), handler));
    }

    fn setup_shortcuts(&self) {
        let controller = gtk::ShortcutController::new();
        controller.set_scope(gtk::ShortcutScope::Managed);
        for (accel, action) in [
            ("<Control>r", WinAction::Rescan.detailed()),
            ("F5", WinAction::Rescan.detailed()),
            ("<Control>w", "window.close"),
            ("<Control>q", "app.quit"),
            ("<Control>comma", "app.preferences"),
        ] {
            controller.add_shortcut(gtk::Shortcut::new(
                gtk::ShortcutTrigger::parse_string(accel),
                Some(gtk::NamedAction::new(action)),
            ));
        }
        self.add_controller(controller);
    }

    fn setup_details(&self) {
        let imp = self.imp();
        imp.details_page.back_button().connect_clicked(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| win.close_details()
        ));
        // back to the list, however: stop following the service
        imp.pages.connect_visible_child_notify(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |pages| {
                let imp = win.imp();
                if pages.visible_child().as_ref() == Some(imp.list_page.upcast_ref()) {
                    imp.details_page.stop();
                }
            }
        ));
        // Escape, Alt+Left and the mouse's back button go back to the list
        imp.details_page.add_controller(self.shortcuts(
            &[("Escape", ()), ("<Alt>Left", ())],
            |win, ()| {
                win.close_details();
                true
            },
        ));
        let back = gtk::GestureClick::builder().button(8).build();
        back.connect_pressed(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, _, _, _| win.close_details()
        ));
        imp.details_page.add_controller(back);
    }

    fn setup_technologies(&self) {
        let imp = self.imp();
        let techs = self.backend().models().technologies.clone();
        imp.technologies_box.bind_model(Some(&techs), |item| {
            let t = item
                .downcast_ref::<TechnologyObject>()
                .expect("a TechnologyList holds TechnologyObjects");
            TechnologyRow::new(t).upcast()
        });
        let handler = techs.connect_items_changed(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |list, _, _, _| {
                win.imp().technologies_box.set_visible(list.n_items() > 0);
                // wifi may have come or gone: the rescan action follows
                win.update_header();
            }
        ));
        self.keep(&techs, handler);
        imp.technologies_box.set_visible(techs.n_items() > 0);
    }

    fn setup_services(&self) {
        let imp = self.imp();
        let services = self.backend().models().services.clone();
        let factory = gtk::SignalListItemFactory::new();
        factory.connect_setup(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, item| {
                let item = item
                    .downcast_ref::<gtk::ListItem>()
                    .expect("a GridView makes ListItems");
                let pooled = win.imp().row_pool.borrow_mut().pop();
                let row = pooled.unwrap_or_else(|| win.new_service_row());
                item.set_child(Some(&row));
            }
        ));
        factory.connect_bind(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, item| {
                let item = item.downcast_ref::<gtk::ListItem>().expect("ListItem");
                if let (Some(row), Some(service)) = (
                    item.child().and_downcast::<ServiceRow>(),
                    item.item().and_downcast::<ServiceObject>(),
                ) {
                    row.bind(&service);
                    win.schedule_refresh_moves();
                }
            }
        ));
        factory.connect_unbind(|_, item| {
            let item = item.downcast_ref::<gtk::ListItem>().expect("ListItem");
            if let Some(row) = item.child().and_downcast::<ServiceRow>() {
                row.unbind();
            }
        });
        imp.services_view.set_factory(Some(&factory));
        // Alt+Up / Alt+Down move the focused service
        imp.services_view.add_controller(self.shortcuts(
            &[("<Alt>Up", false), ("<Alt>Down", true)],
            Window::move_focused,
        ));
        // The first frame builds rows for the first screenful only: the
        // grid view would build thirty (its list view two hundred), most of
        // them below the window. Once that frame is painted, the slice
        // grows to the whole list (an append: the rows built stay).
        let slice = gtk::SliceListModel::new(Some(services.clone()), 0, FIRST_SCREENFUL);
        imp.services_view
            .set_model(Some(&gtk::NoSelection::new(Some(slice.clone()))));
        self.connect_realize(move |win| {
            let Some(clock) = win.frame_clock() else {
                slice.set_size(u32::MAX);
                return;
            };
            let handler: std::rc::Rc<Cell<Option<glib::SignalHandlerId>>> = Default::default();
            let weak = win.downgrade();
            let slice = slice.clone();
            let id = clock.connect_after_paint(glib::clone!(
                #[strong]
                handler,
                move |clock| {
                    let Some(win) = weak.upgrade() else { return };
                    let shown = win.imp().stack.visible_child_name().as_deref() == Some("main")
                        && win.backend().models().services.n_items() > 0;
                    if !shown {
                        return;
                    }
                    if let Some(id) = handler.take() {
                        clock.disconnect(id);
                    }
                    // after this frame, not inside its paint
                    let slice = slice.clone();
                    glib::idle_add_local_once(move || slice.set_size(u32::MAX));
                }
            ));
            handler.set(Some(id));
        });
        // Enter (or a double click) on a row toggles it
        imp.services_view.connect_activate(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |view, position| {
                let service = view
                    .model()
                    .and_then(|m| m.item(position))
                    .and_downcast::<ServiceObject>();
                if let Some(s) = service {
                    if s.is_connected() || s.is_busy() {
                        win.disconnect_service(&s.path());
                    } else {
                        win.connect_service(&s.path());
                    }
                }
            }
        ));
        let handler = services.connect_items_changed(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, _, _, _| {
                win.update_services_page();
                win.update_hidden();
                win.schedule_refresh_moves();
            }
        ));
        self.keep(&services, handler);
        self.update_services_page();
        self.update_hidden();
    }

    /// A service row for the list, which goes back to the pool when the
    /// list lets go of it (GTK 4.8 takes it out of its card before the
    /// factory's teardown, so that is where it is caught).
    fn new_service_row(&self) -> ServiceRow {
        let row = ServiceRow::new();
        self.follow_drops(&row);
        let weak = self.downgrade();
        row.connect_notify_local(Some("parent"), move |row, _| {
            if row.parent().is_some() {
                return;
            }
            let Some(win) = weak.upgrade() else { return };
            let mut pool = win.imp().row_pool.borrow_mut();
            if pool.len() < ROW_POOL && !pool.contains(row) {
                pool.push(row.clone());
            }
        });
        row
    }

    fn setup_vpns(&self) {
        let imp = self.imp();
        let vpns = self.backend().models().vpns.clone();
        imp.vpn_box.bind_model(Some(&vpns), |item| {
            let v = item
                .downcast_ref::<VpnObject>()
                .expect("a VpnList holds VpnObjects");
            VpnRow::new(v).upcast()
        });
        let handler = vpns.connect_items_changed(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, _, _, _| win.update_vpn_section()
        ));
        self.keep(&vpns, handler);
        self.update_vpn_section();
    }

    /// The VPN section shows while connman-vpnd runs (with its "Add"
    /// button, and a line saying there are none yet); otherwise it is
    /// absent, quietly.
    fn update_vpn_section(&self) {
        let m = self.backend().models();
        let imp = self.imp();
        imp.vpn_section.set_visible(m.manager.vpn_running());
        imp.vpn_box.set_visible(m.vpns.n_items() > 0);
        imp.no_vpns.set_visible(m.vpns.n_items() == 0);
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Whether the VPN section shows.
    pub fn vpn_section_shown(&self) -> bool {
        self.imp().vpn_section.is_visible()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The rows of the VPN section, in connman-vpnd's order.
    pub fn vpn_rows(&self) -> Vec<VpnRow> {
        let mut rows = Vec::new();
        let mut child = self.imp().vpn_box.first_child();
        while let Some(c) = child {
            if let Some(row) = c.downcast_ref::<VpnRow>() {
                rows.push(row.clone());
            }
            child = c.next_sibling();
        }
        rows
    }

    /// The wifi technology's hidden service: a wifi service without a name.
    fn hidden_service(&self) -> Option<ServiceObject> {
        let services = &self.backend().models().services;
        (0..services.n_items())
            .filter_map(|i| services.item(i).and_downcast::<ServiceObject>())
            .find(|s| s.hidden() && s.service_type() == crate::connman::ServiceType::Wifi)
    }

    fn update_hidden(&self) {
        let hidden = self.hidden_service();
        let button = &self.imp().hidden_button;
        self.action_set_enabled(WinAction::ConnectHidden.detailed(), hidden.is_some());
        let tip = if hidden.is_some() {
            gettext("Join a Wi-Fi network that does not broadcast its name")
        } else {
            gettext("No hidden Wi-Fi network is in range. Switch Wi-Fi on and scan to find one.")
        };
        // setting a tooltip queries the pointer from the X server: only a
        // new one is set (this runs on every change of the list)
        if button.tooltip_text().as_deref() != Some(tip.as_str()) {
            button.set_tooltip_text(Some(&tip));
        }
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Whether "Connect to hidden network…" can be used, and its tooltip.
    pub fn hidden_button(&self) -> gtk::Button {
        self.imp().hidden_button.get()
    }

    fn update_services_page(&self) {
        let imp = self.imp();
        let empty = self.backend().models().services.n_items() == 0;
        imp.services_stack
            .set_visible_child_name(if empty { "empty" } else { "list" });
    }

    fn service(&self, path: &str) -> Option<ServiceObject> {
        self.backend().models().services.get(path)
    }

    /// Every service row the list view made (those on screen, and around).
    pub fn service_rows(&self) -> Vec<ServiceRow> {
        super::descendants(self.imp().services_view.upcast_ref())
    }

    /// Opens the details page of `path` (live while open).
    pub fn show_service(&self, path: &str) {
        let Some(client) = self.backend().client() else {
            return;
        };
        let imp = self.imp();
        imp.details_page.show(&client, path);
        imp.pages.set_visible_child(&*imp.details_page);
        imp.details_page.back_button().grab_focus();
    }

    /// Back from the details page to the list.
    pub fn close_details(&self) {
        let imp = self.imp();
        // back where the person was: the row whose details were shown
        let from = imp.details_page.path().and_then(|p| self.service_row(&p));
        imp.pages.set_visible_child(&*imp.list_page);
        imp.details_page.stop();
        match from.and_then(|r| r.parent()) {
            Some(card) => card.grab_focus(),
            None => imp.services_view.grab_focus(),
        };
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The details page, when it is the page shown.
    pub fn details_page(&self) -> Option<ServiceDetails> {
        let imp = self.imp();
        (imp.pages.visible_child().as_ref() == Some(imp.details_page.upcast_ref()))
            .then(|| imp.details_page.get())
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The open "Forget?" dialog, if any.
    pub fn forget_dialog(&self) -> Option<adw::MessageDialog> {
        self.imp().forget_dialog.upgrade()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The service paths in the order the list view shows them.
    pub fn service_paths(&self) -> Vec<String> {
        let Some(model) = self.imp().services_view.model() else {
            return Vec::new();
        };
        (0..model.n_items())
            .filter_map(|i| model.item(i).and_downcast::<ServiceObject>())
            .map(|s| s.path())
            .collect()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The services list's vertical scrolling.
    pub fn services_adjustment(&self) -> Option<gtk::Adjustment> {
        self.imp().services_view.vadjustment()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The services whose rows show (at least in part) in the list's
    /// scrolled area now, top to bottom.
    pub fn shown_service_paths(&self) -> Vec<String> {
        let view = &self.imp().services_view;
        let Some(scrolled) = view.ancestor(gtk::ScrolledWindow::static_type()) else {
            return Vec::new();
        };
        let height = scrolled.height() as f32;
        let mut shown: Vec<(f32, String)> = self
            .service_rows()
            .into_iter()
            .filter(|row| row.is_mapped())
            .filter_map(|row| {
                let card = row.parent()?;
                let bounds = card.compute_bounds(&scrolled)?;
                let path = row.service()?.path();
                (bounds.y() + bounds.height() > 0.0 && bounds.y() < height)
                    .then_some((bounds.y(), path))
            })
            .collect();
        shown.sort_by(|a, b| a.0.total_cmp(&b.0));
        shown.into_iter().map(|(_, p)| p).collect()
    }

    /// The row widget showing `path`, if the list view made one (it makes
    /// rows only for what is on screen, and around it).
    pub fn service_row(&self, path: &str) -> Option<ServiceRow> {
        self.service_rows()
            .into_iter()
            .find(|row| row.service().is_some_and(|s| s.path() == path))
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The row of the technology at `path`.
    pub fn technology_row(&self, path: &str) -> Option<TechnologyRow> {
        let mut child = self.imp().technologies_box.first_child();
        while let Some(c) = child {
            if let Some(row) = c.downcast_ref::<TechnologyRow>() {
                if row.technology().is_some_and(|t| t.path() == path) {
                    return Some(row.clone());
                }
            }
            child = c.next_sibling();
        }
        None
    }
}
