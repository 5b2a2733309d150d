//! The application: a `gio::Application` (single instance, actions, command
//! line) that owns the [`Backend`] (client + models) from `startup` on, and
//! initialises GTK and libadwaita only when the first window is needed.
//!
//! All state changes happen on the GLib main context: zbus does its I/O on
//! its own threads, the client sends events, and one future here applies
//! them to the models.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use gio::prelude::*;
use gio::subclass::prelude::*;
use gtk::prelude::*;

use crate::config;
use crate::connman::client::Client;
use crate::connman::ConnmanError;
use crate::i18n::gettext;
use crate::model::Models;

struct BackendInner {
    models: Models,
    client: RefCell<Option<Client>>,
    forwarder: RefCell<Option<glib::JoinHandle<()>>>,
}

impl Drop for BackendInner {
    fn drop(&mut self) {
        if let Some(task) = self.forwarder.take() {
            task.abort();
        }
    }
}

/// The ConnMan client and the models it keeps current, on the main thread.
/// Cheap to clone; GTK-free.
#[derive(Clone)]
pub struct Backend {
    inner: Rc<BackendInner>,
}

impl Default for Backend {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend {
    pub fn new() -> Self {
        Backend {
            inner: Rc::new(BackendInner {
                models: Models::new(),
                client: RefCell::new(None),
                forwarder: RefCell::new(None),
            }),
        }
    }

    pub fn models(&self) -> &Models {
        &self.inner.models
    }

    /// The client, once started.
    pub fn client(&self) -> Option<Client> {
        self.inner.client.borrow().clone()
    }

    /// Connects to the system bus (`DBUS_SYSTEM_BUS_ADDRESS` picks another
    /// one, such as the lab's) in the background.
    pub fn start_system(&self) {
        let backend = self.clone();
        glib::spawn_future_local(async move {
            backend.start(zbus::Connection::system().await).await;
        });
    }

    /// Starts the client on `conn` and follows its events. A connection that
    /// failed is shown as "the system bus cannot be reached", not a panic.
    /// Must run on the main context (from `glib::spawn_future_local` or a
    /// `block_on` of the default context).
    pub async fn start(&self, conn: zbus::Result<zbus::Connection>) {
        let started = match conn {
            Ok(conn) => Client::start(conn).await,
            Err(e) => Err(ConnmanError::from(e)),
        };
        let client = match started {
            Ok(c) => c,
            Err(e) => {
                eprintln!("connie: cannot reach ConnMan over the system bus: {e}");
                self.inner.models.manager.set_bus_failed(&e.to_string());
                return;
            }
        };
        let events = client.events();
        self.inner.models.reset(&client.state());
        self.inner.client.replace(Some(client.clone()));
        // the forwarder holds the models, not the backend: dropping the
        // backend aborts it
        let models = self.inner.models.clone();
        let task = glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                // The state is read under the client's lock, without a copy
                // (a strength storm over many services stays cheap): what the
                // models notify must not call `Client::state` again.
                let state = client.state();
                models.apply(&event, &state);
            }
        });
        self.inner.forwarder.replace(Some(task));
    }
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct Application {
        pub(super) backend: OnceCell<Backend>,
        /// Held while started with `--hidden`, so that the process stays.
        pub(super) hidden_hold: RefCell<Option<gio::ApplicationHoldGuard>>,
        pub(super) window: glib::WeakRef<crate::ui::Window>,
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
            app.add_main_option(
                "hidden",
                glib::Char::from(0),
                glib::OptionFlags::NONE,
                glib::OptionArg::None,
                &gettext("Start without opening the window"),
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
            let backend = Backend::new();
            backend.start_system();
            let _ = self.backend.set(backend);
            let app = self.obj();
            let quit = gio::ActionEntry::builder("quit")
                .activate(|app: &super::Application, _, _| app.quit())
                .build();
            app.add_action_entries([quit]);
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
            self.parent_handle_local_options(options)
        }

        fn command_line(&self, command_line: &gio::ApplicationCommandLine) -> glib::ExitCode {
            let app = self.obj();
            if command_line.options_dict().contains("hidden") {
                if self.hidden_hold.borrow().is_none() {
                    self.hidden_hold.replace(Some(app.hold()));
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

    /// Presents the window, initialising GTK and libadwaita the first time.
    pub fn present_window(&self) {
        let imp = self.imp();
        if let Some(window) = imp.window.upgrade() {
            window.present();
            return;
        }
        if let Err(e) = crate::ui::init() {
            eprintln!("connie: cannot open a window: {e}");
            return;
        }
        let Some(backend) = self.backend() else {
            return;
        };
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
