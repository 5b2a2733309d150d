//! The application: a `gio::Application` (single instance, actions, command
//! line) that owns the [`Backend`] (client + models) from `startup` on, and
//! initialises GTK and libadwaita only when the first window is needed.
//!
//! All state changes happen on the GLib main context: zbus does its I/O on
//! its own threads, the client sends events, and one future here applies
//! them to the models. The client serves Connie's agents too: their requests
//! come through a second future to the agent handler (the application's
//! [`crate::ui::agent::Presenter`]), which opens dialogs, initialising GTK
//! itself if the window never was.

use std::cell::{Cell, OnceCell, RefCell};

use gio::prelude::*;
use gio::subclass::prelude::*;
use gtk::prelude::*;

use crate::backend::Backend;
use crate::config;
use crate::i18n::gettext;
use crate::notify::Notifier;
use crate::prefs::Prefs;
use crate::tray::controller::{Hooks, Tray, WindowRequest};

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct Application {
        pub(super) backend: OnceCell<Backend>,
        /// Held while started with `--hidden`, so that the process stays.
        pub(super) hidden_hold: RefCell<Option<gio::ApplicationHoldGuard>>,
        pub(super) window: glib::WeakRef<crate::ui::Window>,
        pub(super) presenter: OnceCell<crate::ui::agent::Presenter>,
        pub(super) prefs: OnceCell<Prefs>,
        pub(super) tray: OnceCell<Tray>,
        /// Held while a tray host has the icon: closing the window then
        /// leaves Connie running in the tray.
        pub(super) tray_hold: RefCell<Option<gio::ApplicationHoldGuard>>,
        /// "No tray" was said (it is said once).
        pub(super) no_tray_said: Cell<bool>,
        /// `--no-tray`: no icon; Connie is a window app.
        pub(super) no_tray: Cell<bool>,
        /// `--show NAME` before the services were known.
        pub(super) pending_show: RefCell<Option<String>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Application {
        const NAME: &'static str = "CnApplication";
        type Type = super::Application;
        type ParentType = gio::Application;
    }

    impl ObjectImpl for Application {
        fn constructed(&self) {
            self.parent_constructed();
            let app = self.obj();
            app.set_option_context_summary(Some(&gettext(
                "A desktop front-end for ConnMan: connect to wired, Wi-Fi and VPN networks.",
            )));
            app.set_option_context_description(Some(&gettext(
                "When Connie is already running, running connie again shows its window.",
            )));
            app.add_main_option(
                "hidden",
                glib::Char::from(0),
                glib::OptionFlags::NONE,
                glib::OptionArg::None,
                &gettext("Start without opening the window"),
                None,
            );
            app.add_main_option(
                "no-tray",
                glib::Char::from(0),
                glib::OptionFlags::NONE,
                glib::OptionArg::None,
                &gettext("Show no tray icon: closing the window quits"),
                None,
            );
            app.add_main_option(
                "show",
                glib::Char::from(0),
                glib::OptionFlags::NONE,
                glib::OptionArg::String,
                &gettext("Open the details of the network NAME"),
                // Translators: the value of --show, in the --help text
                Some(&gettext("NAME")),
            );
            app.add_main_option(
                "debug",
                glib::Char::from(0),
                glib::OptionFlags::NONE,
                glib::OptionArg::None,
                // read in main(), before this parser runs
                &gettext("Log what Connie does (RUST_LOG chooses in more detail)"),
                None,
            );
            app.add_main_option(
                "version",
                glib::Char::from(0),
                glib::OptionFlags::NONE,
                glib::OptionArg::None,
                &gettext("Print the version and exit"),
                None,
            );
        }
    }

    impl ApplicationImpl for Application {
        fn startup(&self) {
            self.parent_startup();
            let app = self.obj();
            let backend = Backend::new();
            // the presenter makes no widget until a daemon asks something
            let presenter = crate::ui::agent::Presenter::new();
            presenter.set_backend(&backend);
            presenter.set_application(&*app);
            let weak = app.downgrade();
            presenter.set_parent(move || {
                let app = weak.upgrade()?;
                let window = app.imp().window.upgrade()?;
                Some(window.upcast())
            });
            let handler = presenter.clone();
            backend.set_agent_handler(move |request, client| handler.handle(request, client));
            let _ = self.presenter.set(presenter);
            let prefs = Prefs::load();
            let weak = app.downgrade();
            let weak_host = app.downgrade();
            let hooks = Hooks {
                window: Box::new(move |request| {
                    let Some(app) = weak.upgrade() else { return };
                    match request {
                        WindowRequest::Open => app.present_window(),
                        WindowRequest::Toggle => app.toggle_window(),
                        WindowRequest::Quit => app.quit(),
                    }
                }),
                host: Box::new(move |present| {
                    if let Some(app) = weak_host.upgrade() {
                        app.tray_host(present);
                    }
                }),
            };
            let tray = if self.no_tray.get() {
                Tray::start_without_icon(&backend, &prefs, Notifier::new(), hooks)
            } else {
                Tray::start(&backend, &prefs, Notifier::new(), hooks)
            };
            let _ = self.tray.set(tray);
            let _ = self.prefs.set(prefs);
            let weak = app.downgrade();
            backend.connect_event(move |event| {
                use crate::connman::state::Event;
                if matches!(event, Event::ConnmanUp(_) | Event::ConnmanDown) {
                    if let Some(app) = weak.upgrade() {
                        app.show_pending();
                    }
                }
            });
            backend.start_system();
            let _ = self.backend.set(backend);
            let quit = gio::ActionEntry::builder("quit")
                .activate(|app: &super::Application, _, _| app.quit())
                .build();
            let show = gio::ActionEntry::builder("show-window")
                .activate(|app: &super::Application, _, _| app.present_window())
                .build();
            let hide = gio::ActionEntry::builder("hide-window")
                .activate(|app: &super::Application, _, _| app.close_window())
                .build();
            let preferences = gio::ActionEntry::builder("preferences")
                .activate(|app: &super::Application, _, _| app.present_preferences())
                .build();
            app.add_action_entries([quit, show, hide, preferences]);
        }

        fn activate(&self) {
            self.parent_activate();
            self.obj().present_window();
        }

        fn handle_local_options(
            &self,
            options: &glib::VariantDict,
        ) -> std::ops::ControlFlow<glib::ExitCode> {
            if options.contains("version") {
                println!("connie {}", config::VERSION);
                return std::ops::ControlFlow::Break(glib::ExitCode::SUCCESS);
            }
            // read here, in the process that becomes the running Connie,
            // before `startup` starts the tray; a second `connie --no-tray`
            // does not take the icon away from the running one
            if options.contains("no-tray") {
                self.no_tray.set(true);
            }
            self.parent_handle_local_options(options)
        }

        fn command_line(&self, command_line: &gio::ApplicationCommandLine) -> glib::ExitCode {
            let app = self.obj();
            let options = command_line.options_dict();
            if let Ok(Some(name)) = options.lookup::<String>("show") {
                app.show_service_named(&name);
            } else if options.contains("hidden") {
                // until the tray host is known: then the tray holds, or
                // (no host) the window opens
                match self.tray.get().and_then(|t| t.host()) {
                    Some(true) => {}
                    Some(false) => app.present_window(),
                    None if self.hidden_hold.borrow().is_none() => {
                        self.hidden_hold.replace(Some(app.hold()));
                    }
                    None => {}
                }
            } else {
                app.activate();
            }
            glib::ExitCode::SUCCESS
        }
    }
}

glib::wrapper! {
    /// `io.github.connie.Connie`: one instance per session; launching it
    /// again presents the window of the running one.
    pub struct Application(ObjectSubclass<imp::Application>)
        @extends gio::Application,
        @implements gio::ActionGroup, gio::ActionMap;
}

impl Default for Application {
    fn default() -> Self {
        Self::new()
    }
}

impl Application {
    pub fn new() -> Self {
        glib::Object::builder()
            .property("application-id", config::APP_ID)
            .property("flags", gio::ApplicationFlags::HANDLES_COMMAND_LINE)
            .build()
    }

    pub fn backend(&self) -> Option<&Backend> {
        self.imp().backend.get()
    }

    /// Shows what connmand and connman-vpnd ask.
    pub fn presenter(&self) -> Option<&crate::ui::agent::Presenter> {
        self.imp().presenter.get()
    }

    /// The preferences.
    pub fn prefs(&self) -> Option<&Prefs> {
        self.imp().prefs.get()
    }

    /// The tray icon.
    pub fn tray(&self) -> Option<&Tray> {
        self.imp().tray.get()
    }

    /// A tray host took the icon (`true`), or there is none (`false`).
    ///
    /// With a host, Connie stays in the tray when the window closes. With
    /// none from the start, Connie is a window app: the window opens (even
    /// with `--hidden`, or nothing would show) and closing it quits; that is
    /// said once. A host that goes away after having been there is expected
    /// back (a panel restarting): Connie keeps running and the icon returns
    /// with it.
    fn tray_host(&self, present: bool) {
        let imp = self.imp();
        if present {
            if imp.tray_hold.borrow().is_none() {
                imp.tray_hold.replace(Some(self.hold()));
            }
            imp.hidden_hold.take();
            tracing::debug!("a tray host shows the icon: closing the window keeps Connie");
            return;
        }
        if imp.tray_hold.borrow().is_some() {
            tracing::info!("the tray host went away; the icon comes back with it");
            return;
        }
        if !imp.no_tray_said.replace(true) {
            tracing::warn!(
                "no system tray (StatusNotifierWatcher) on this desktop: closing the \
                 window quits Connie"
            );
        }
        let started_hidden = imp.hidden_hold.borrow().is_some();
        if started_hidden || imp.window.upgrade().is_some() {
            self.present_window();
            if let Some(window) = imp.window.upgrade() {
                window.show_notice(&gettext("No tray: closing quits Connie"));
            }
        }
        imp.hidden_hold.take();
    }

    /// Opens the window on the details page of the service called `name`
    /// (its name as listed, its identifier or its object path), now if the
    /// services are known, else when they are.
    pub fn show_service_named(&self, name: &str) {
        self.imp().pending_show.replace(Some(name.to_owned()));
        self.present_window();
        if self.backend().is_some_and(|b| b.client().is_some()) {
            self.show_pending();
        }
    }

    /// Shows the details asked for by `--show`, if any is pending: the
    /// service's page, or a notice that there is none by that name.
    fn show_pending(&self) {
        // the window being built takes the client as it starts (and that
        // is told before the window is known here): wait for it
        let Some(window) = self.imp().window.upgrade() else {
            return;
        };
        let Some(name) = self.imp().pending_show.take() else {
            return;
        };
        // without ConnMan there is nothing to show, and the window says why
        let Some(client) = self.backend().and_then(Backend::client) else {
            return;
        };
        // the state's lock is let go before the page reads the service
        let found = find_service(&client.state(), &name);
        match found {
            Some(path) => {
                tracing::debug!("--show {name:?}: the details of {path}");
                window.show_service(&path);
            }
            None => {
                tracing::debug!("--show {name:?}: no such service");
                let shown = crate::text::display_name(&name, false);
                window.show_notice(&crate::i18n::gettext_f(
                    "No network called “{}”",
                    &[shown.as_str()],
                ));
            }
        }
    }

    /// Closes the window (it is destroyed: GTK stays initialised, the
    /// widgets go).
    pub fn close_window(&self) {
        if let Some(window) = self.imp().window.upgrade() {
            window.close();
        }
    }

    /// Shows the window, or closes it if it is shown.
    pub fn toggle_window(&self) {
        match self.imp().window.upgrade() {
            Some(window) if window.is_visible() => window.close(),
            _ => self.present_window(),
        }
    }

    /// Whether the window is open.
    pub fn window(&self) -> Option<crate::ui::Window> {
        self.imp().window.upgrade()
    }

    /// Opens the preferences, over the window.
    pub fn present_preferences(&self) {
        self.present_window();
        let (Some(window), Some(prefs)) = (self.imp().window.upgrade(), self.prefs()) else {
            return;
        };
        crate::ui::preferences::present(&window, prefs);
    }

    /// Presents the window, initialising GTK and libadwaita the first time
    /// (through [`crate::ui::init`], which the agent's dialogs share).
    pub fn present_window(&self) {
        let imp = self.imp();
        if let Some(window) = imp.window.upgrade() {
            window.present();
            return;
        }
        if let Err(e) = crate::ui::init() {
            tracing::warn!("cannot open a window: {e}");
            return;
        }
        let Some(backend) = self.backend() else {
            return;
        };
        // built with the services when the client is ready by now
        backend.poll_start();
        let window = crate::ui::Window::new(backend, Some(self.upcast_ref()));
        // a plain gio::Application does not know about GTK windows: hold it
        // while the window is open
        let hold = RefCell::new(Some(self.hold()));
        window.connect_destroy(move |_| {
            hold.take();
        });
        imp.window.set(Some(&window));
        window.present();
    }
}

/// The path of the service called `name` in `state`: by its name as
/// connmand reports it, its identifier (`wifi_…_managed_psk`) or its path;
/// the first in ConnMan's order when several share the name.
pub fn find_service(state: &crate::connman::state::State, name: &str) -> Option<String> {
    state
        .services_in_order()
        .find(|(path, props)| {
            props.name.as_deref() == Some(name)
                || *path == name
                || path.rsplit('/').next() == Some(name)
        })
        .map(|(path, _)| path.to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use zbus::zvariant::{OwnedValue, Value};

    use super::find_service;
    use crate::connman::state::{PathDicts, State};

    fn service(name: &str) -> HashMap<String, OwnedValue> {
        [
            ("Name", Value::from(name.to_owned())),
            ("Type", Value::from("wifi")),
            ("State", Value::from("idle")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect()
    }

    #[test]
    fn show_finds_a_service_by_name_identifier_or_path() {
        let mut state = State::default();
        let services: PathDicts = vec![
            (
                "/net/connman/service/wifi_a_managed_psk".into(),
                service("Café"),
            ),
            (
                "/net/connman/service/wifi_b_managed_none".into(),
                service("Home"),
            ),
            (
                "/net/connman/service/wifi_c_managed_none".into(),
                service("Home"),
            ),
        ];
        let _ = state.reset_connman(&HashMap::new(), &Vec::new(), &services);
        let path = |p: &str| Some(format!("/net/connman/service/{p}"));
        assert_eq!(find_service(&state, "Café"), path("wifi_a_managed_psk"));
        assert_eq!(
            find_service(&state, "Home"),
            path("wifi_b_managed_none"),
            "the first of two in ConnMan's order"
        );
        assert_eq!(
            find_service(&state, "wifi_c_managed_none"),
            path("wifi_c_managed_none")
        );
        assert_eq!(
            find_service(&state, "/net/connman/service/wifi_c_managed_none"),
            path("wifi_c_managed_none")
        );
        assert_eq!(find_service(&state, "café"), None, "names are exact");
        assert_eq!(find_service(&state, ""), None);
    }
}
