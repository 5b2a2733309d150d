//! The presenter: every [`AgentRequest`] of connmand and connman-vpnd,
//! shown to the person one at a time, in the order they came, and answered.
//!
//! ```text
//! Backend (main context) --AgentRequest--> Presenter::handle
//!     Input         -> queue -> PassphraseDialog -> Responder<InputReply>
//!     ReportError   -> answered at once (Ok) -> queue -> "wrong password" / error message
//!                                                 "Try again" -> Backend::connect
//!     RequestBrowser-> queue -> "Sign in" message -> launcher(url) -> Responder<BrowserReply>
//!     Cancel        -> closes the open question of that kind, drops the moot queued ones
//!     Release       -> closes and drops everything of that kind
//! ```
//!
//! GTK is initialised (through [`crate::ui::init`], the same helper as the
//! window's) only when the first dialog is shown: until then the presenter
//! holds no widget. Dialogs are transient for, and modal on, the main window
//! when it exists; otherwise they stand alone and hold the application.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use adw::prelude::*;

use super::passphrase_dialog::{DialogText, PassphraseDialog};
use crate::backend::{Backend, Outcome, WeakBackend};
use crate::connman::agent::{
    AgentKind, AgentRequest, BrowserReply, ErrorReply, FieldType, InputReply, InputRequest,
    Responder,
};
use crate::connman::client::Client;
use crate::connman::state::Event;
use crate::connman::types::Security;
use crate::connman::ServiceError;
use crate::i18n::{gettext, gettext_f};
use crate::vpn::certificate::{self, ServerCert};

/// How long Connie waits for an OpenConnect server's certificate.
const PROBE_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens a web page (the captive portal's login page); `true` when it did.
/// Injectable, so that tests see the URL instead of a browser opening.
pub type Launcher = Rc<dyn Fn(&str) -> bool>;

/// Where to send the person when connmand asks for a browser without a URL
/// (connmand 1.41 always sends an empty one): any plain-HTTP page is
/// redirected to the portal's login page. This is connmand's own default
/// online-check page.
pub const FALLBACK_PORTAL_URL: &str = "http://ipv4.connman.net/online/status.html";

/// The desktop's URI launcher (`gio::AppInfo::launch_default_for_uri`).
pub fn default_launcher() -> Launcher {
    Rc::new(|url| {
        let context = gtk::gdk::Display::default().map(|d| d.app_launch_context());
        match gio::AppInfo::launch_default_for_uri(url, context.as_ref()) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("cannot open {url}: {e}");
                false
            }
        }
    })
}

/// Where an OpenConnect login goes, as Connie looks at the server first.
struct OpenConnectTarget {
    /// `OpenConnect.VPNHost` or `Host`.
    host: String,
    ca: Option<String>,
    group: Option<String>,
    /// `OpenConnect.AllowSelfSignedCert`: connman-vpnd would take any
    /// certificate when no pin is set.
    any_certificate: bool,
}

/// What Connie adds to an OpenConnect login: the certificate pin the person
/// trusted, and the server's login groups.
#[derive(Default)]
struct OpenConnectLogin {
    server_cert: Option<String>,
    groups: Vec<String>,
    /// The VPN's `OpenConnect.Group` now.
    group: Option<String>,
}

enum Item {
    Input {
        request: InputRequest,
        reply: Responder<InputReply>,
        login: OpenConnectLogin,
    },
    /// An OpenConnect server's certificate the system does not trust: asked
    /// before the login.
    Certificate {
        request: InputRequest,
        reply: Responder<InputReply>,
        cert: ServerCert,
        host: String,
        group: Option<String>,
    },
    Error {
        kind: AgentKind,
        path: String,
        error: ServiceError,
    },
    /// A `Connect` started here ("Try again") failed, and no dialog said
    /// why: `body` does.
    Failure { kind: AgentKind, body: String },
    Browser {
        path: String,
        url: String,
        reply: Responder<BrowserReply>,
    },
}

impl Item {
    fn kind(&self) -> AgentKind {
        match self {
            Item::Input { request, .. } | Item::Certificate { request, .. } => request.kind,
            Item::Error { kind, .. } | Item::Failure { kind, .. } => *kind,
            Item::Browser { .. } => AgentKind::Connman,
        }
    }

    /// A question whose answer would go nowhere now (a `Cancel` overtook it).
    fn is_moot(&self) -> bool {
        match self {
            Item::Input { reply, .. } | Item::Certificate { reply, .. } => reply.is_moot(),
            Item::Browser { reply, .. } => reply.is_moot(),
            Item::Error { .. } | Item::Failure { .. } => false,
        }
    }

    fn is_question(&self) -> bool {
        matches!(
            self,
            Item::Input { .. } | Item::Certificate { .. } | Item::Browser { .. }
        )
    }
}

enum Dialog {
    Input(PassphraseDialog),
    Message(adw::MessageDialog),
}

/// The open captive-portal question's answer slot, shared with its dialog.
type BrowserSlot = Rc<RefCell<Option<Responder<BrowserReply>>>>;

struct Shown {
    id: u64,
    /// For a captive-portal question: its service and answer slot.
    browser: Option<(String, BrowserSlot)>,
    kind: AgentKind,
    /// A question the daemon waits for (closed by its `Cancel`), not a message.
    question: bool,
    dialog: Dialog,
    /// Follows the client for the name of the network a prompt is about,
    /// when it came before the client listed it; ends with the dialog.
    follow: Option<glib::JoinHandle<()>>,
    _hold: Option<gio::ApplicationHoldGuard>,
}

impl Drop for Shown {
    fn drop(&mut self) {
        if let Some(task) = self.follow.take() {
            task.abort();
        }
    }
}

impl Shown {
    fn window(&self) -> gtk::Window {
        match &self.dialog {
            Dialog::Input(d) => d.clone().upcast(),
            Dialog::Message(d) => d.clone().upcast(),
        }
    }

    /// Closes without answering (the responder, if any, answers as
    /// unanswered when dropped).
    fn dismiss(self) {
        match &self.dialog {
            Dialog::Input(d) => d.dismiss(),
            Dialog::Message(d) => d.close(),
        }
    }
}

type ParentFn = Box<dyn Fn() -> Option<gtk::Window>>;

struct Inner {
    client: RefCell<Option<Client>>,
    parent: RefCell<Option<ParentFn>>,
    app: RefCell<Option<glib::WeakRef<gio::Application>>>,
    launcher: RefCell<Option<Launcher>>,
    queue: RefCell<VecDeque<Item>>,
    current: RefCell<Option<Shown>>,
    next_id: Cell<u64>,
    /// Hears what the dialogs learn (a cancel, a reported error) and
    /// connects again for "Try again".
    backend: RefCell<Option<WeakBackend>>,
}

/// Shows the agents' requests. Cheap to clone; creates no widget before the
/// first request.
#[derive(Clone)]
pub struct Presenter {
    inner: Rc<Inner>,
}

impl Default for Presenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Presenter {
    pub fn new() -> Self {
        Presenter {
            inner: Rc::new(Inner {
                client: RefCell::new(None),
                parent: RefCell::new(None),
                app: RefCell::new(None),
                launcher: RefCell::new(None),
                queue: RefCell::new(VecDeque::new()),
                current: RefCell::new(None),
                next_id: Cell::new(0),
                backend: RefCell::new(None),
            }),
        }
    }

    /// Where dialogs find the main window (to be modal on it), if it exists.
    pub fn set_parent(&self, parent: impl Fn() -> Option<gtk::Window> + 'static) {
        self.inner.parent.replace(Some(Box::new(parent)));
    }

    /// The application to hold while a dialog is open without the window.
    pub fn set_application(&self, app: &impl IsA<gio::Application>) {
        self.inner
            .app
            .replace(Some(app.upcast_ref::<gio::Application>().downgrade()));
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Replaces the browser launcher (tests observe the URL with it).
    pub fn set_launcher(&self, launcher: impl Fn(&str) -> bool + 'static) {
        self.inner.launcher.replace(Some(Rc::new(launcher)));
    }

    /// The backend that hears what the dialogs learn (the person canceled,
    /// connmand reported an error: it decides what a failing `Connect`
    /// means) and connects again for "Try again".
    pub fn set_backend(&self, backend: &Backend) {
        self.inner.backend.replace(Some(backend.downgrade()));
    }

    fn backend(&self) -> Option<Backend> {
        self.inner.backend.borrow().as_ref()?.upgrade()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The open passphrase dialog, if one is shown.
    pub fn input_dialog(&self) -> Option<PassphraseDialog> {
        match &self.inner.current.borrow().as_ref()?.dialog {
            Dialog::Input(d) => Some(d.clone()),
            Dialog::Message(_) => None,
        }
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The open message (an error, or the captive portal's question).
    pub fn message_dialog(&self) -> Option<adw::MessageDialog> {
        match &self.inner.current.borrow().as_ref()?.dialog {
            Dialog::Message(d) => Some(d.clone()),
            Dialog::Input(_) => None,
        }
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Whether a dialog is open.
    pub fn is_showing(&self) -> bool {
        self.inner.current.borrow().is_some()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// How many requests wait behind the open dialog.
    pub fn queued(&self) -> usize {
        self.inner.queue.borrow().len()
    }

    /// Takes one request of the agents. Call on the main context.
    pub fn handle(&self, request: AgentRequest, client: &Client) {
        if self.inner.client.borrow().is_none() {
            self.inner.client.replace(Some(client.clone()));
        }
        match request {
            AgentRequest::Input { request, reply } => {
                if reply.is_moot() {
                    return;
                }
                match self.openconnect_target(&request) {
                    Some(target) => self.check_certificate(request, reply, target),
                    None => self.enqueue(Item::Input {
                        request,
                        reply,
                        login: OpenConnectLogin::default(),
                    }),
                }
            }
            AgentRequest::ReportError {
                kind,
                path,
                error,
                reply,
            } => {
                // Answered at once: connmand 1.41 has canceled already after
                // invalid-key, and a Retry without new input cannot fix a
                // wrong password. "Try again" calls Connect anew instead.
                reply.send(ErrorReply::Ok);
                tracing::debug!("{} reports {error} for {path}", kind.bus_name());
                if let Some(backend) = self.backend() {
                    backend.note_reported(&service_path(kind, &path));
                }
                self.enqueue(Item::Error { kind, path, error });
            }
            AgentRequest::RequestBrowser { path, url, reply } => {
                if reply.is_moot() {
                    return;
                }
                // connmand sometimes asks twice: a question already open for
                // this service answers the newer call (the older one is
                // answered Canceled when its responder drops)
                if let Some(shown) = self.inner.current.borrow().as_ref() {
                    if let Some((p, slot)) = &shown.browser {
                        if *p == path {
                            slot.replace(Some(reply));
                            return;
                        }
                    }
                }
                // connmand sometimes asks twice: the newer question replaces
                // the queued one (whose responder then answers Canceled)
                self.inner
                    .queue
                    .borrow_mut()
                    .retain(|i| !matches!(i, Item::Browser { path: p, .. } if *p == path));
                self.enqueue(Item::Browser { path, url, reply });
            }
            AgentRequest::Cancel { kind } => {
                self.inner
                    .queue
                    .borrow_mut()
                    .retain(|i| !(i.kind() == kind && i.is_question() && i.is_moot()));
                let open = self
                    .inner
                    .current
                    .borrow()
                    .as_ref()
                    .map(|s| (s.kind, s.question));
                if open == Some((kind, true)) {
                    self.dismiss_current();
                }
            }
            AgentRequest::Release { kind } => {
                self.inner.queue.borrow_mut().retain(|i| i.kind() != kind);
                let open = self.inner.current.borrow().as_ref().map(|s| s.kind);
                if open == Some(kind) {
                    self.dismiss_current();
                }
            }
        }
    }

    /// An OpenConnect login whose server certificate connman-vpnd has not
    /// pinned yet: where the server is (`OpenConnect.VPNHost` or `Host`),
    /// the VPN's CA file and its group, from the request and the client's
    /// state.
    fn openconnect_target(&self, request: &InputRequest) -> Option<OpenConnectTarget> {
        if request.kind != AgentKind::Vpn {
            return None;
        }
        let client = self.inner.client.borrow();
        let state = client.as_ref()?.state();
        let conn = state.vpn_connection(&request.path)?;
        if conn.type_.as_deref() != Some("openconnect") {
            return None;
        }
        let setting = |k: &str| {
            request
                .field(k)
                .and_then(|f| f.text())
                .map(str::to_owned)
                .or_else(|| conn.settings.get(k).cloned())
                .filter(|v| !v.is_empty() && v != "-")
        };
        if setting("OpenConnect.ServerCert").is_some() {
            return None;
        }
        let host = setting("OpenConnect.VPNHost")
            .or_else(|| conn.host.clone())
            .or_else(|| request.host().map(str::to_owned))?;
        Some(OpenConnectTarget {
            host,
            ca: setting("OpenConnect.CACert"),
            group: setting("OpenConnect.Group"),
            any_certificate: setting("OpenConnect.AllowSelfSignedCert").as_deref() == Some("true"),
        })
    }

    /// Looks at the OpenConnect server's certificate before the login is
    /// asked: one the system trusts goes on to the login, another is shown
    /// first ([`Item::Certificate`]).
    fn check_certificate(
        &self,
        request: InputRequest,
        reply: Responder<InputReply>,
        target: OpenConnectTarget,
    ) {
        let this = self.clone();
        let OpenConnectTarget {
            host,
            ca,
            group,
            any_certificate,
        } = target;
        glib::spawn_future_local(async move {
            let probed = certificate::probe(&host, ca.as_deref(), PROBE_LIMIT).await;
            if reply.is_moot() {
                return;
            }
            match probed {
                Ok(cert) if !cert.trusted => this.enqueue(Item::Certificate {
                    request,
                    reply,
                    cert,
                    host,
                    group,
                }),
                Ok(cert) => this.enqueue(Item::Input {
                    request,
                    reply,
                    login: OpenConnectLogin {
                        server_cert: None,
                        groups: cert.groups,
                        group,
                    },
                }),
                Err(e) if any_certificate => {
                    // connman-vpnd would take whatever the server shows,
                    // unseen: not without the person's word
                    tracing::warn!("cannot look at the certificate of {host}: {}", e.0);
                    if let Some(backend) = this.backend() {
                        backend.note_untrusted(
                            &service_path(request.kind, &request.path),
                            crate::backend::Untrusted::Unseen,
                        );
                    }
                    reply.send(InputReply::Canceled);
                }
                Err(e) => {
                    // connman-vpnd meets the same server, checks its
                    // certificate against the system's CAs and says why
                    tracing::info!("cannot look at the certificate of {host}: {}", e.0);
                    this.enqueue(Item::Input {
                        request,
                        reply,
                        login: OpenConnectLogin::default(),
                    })
                }
            }
        });
    }

    fn enqueue(&self, item: Item) {
        self.inner.queue.borrow_mut().push_back(item);
        self.pump();
    }

    fn dismiss_current(&self) {
        let shown = self.inner.current.take();
        if let Some(shown) = shown {
            shown.dismiss();
        }
        self.pump_later();
    }

    /// Shows the next request, once the dialog before it has gone.
    fn pump_later(&self) {
        let this = self.clone();
        glib::idle_add_local_once(move || this.pump());
    }

    fn pump(&self) {
        if self.inner.current.borrow().is_some() {
            return;
        }
        let item = loop {
            let Some(item) = self.inner.queue.borrow_mut().pop_front() else {
                return;
            };
            if !item.is_moot() {
                break item;
            }
        };
        if let Err(e) = crate::ui::init() {
            // no display: the item (and its responder) is dropped, which
            // answers the daemon
            tracing::warn!("cannot show a dialog: {e}");
            return;
        }
        let id = self.inner.next_id.get();
        self.inner.next_id.set(id + 1);
        let kind = item.kind();
        let question = item.is_question();
        let mut browser = None;
        let mut follow = None;
        let dialog = match item {
            Item::Certificate {
                request,
                reply,
                cert,
                host,
                group,
            } => Dialog::Message(self.certificate_dialog(id, request, reply, cert, host, group)),
            Item::Input {
                request,
                reply,
                login,
            } => {
                let unnamed = !request.is_hidden_network()
                    && self.name_of(request.kind, &request.path).is_none();
                let target = (request.kind, request.path.clone());
                let dialog = self.input_dialog_for(id, request, reply, login);
                if unnamed {
                    follow = self.follow_name(&dialog, target.0, target.1);
                }
                Dialog::Input(dialog)
            }
            Item::Error { kind, path, error } => {
                Dialog::Message(self.error_dialog(id, kind, &path, &error))
            }
            Item::Failure { body, .. } => Dialog::Message(self.failure_dialog(id, &body)),
            Item::Browser { path, url, reply } => {
                let slot: BrowserSlot = Rc::new(RefCell::new(Some(reply)));
                let dialog = self.browser_dialog(id, &path, url, slot.clone());
                browser = Some((path, slot));
                Dialog::Message(dialog)
            }
        };
        let hold = self
            .inner
            .app
            .borrow()
            .as_ref()
            .and_then(|w| w.upgrade())
            .map(|app| app.hold());
        let shown = Shown {
            id,
            browser,
            kind,
            question,
            dialog,
            follow,
            _hold: hold,
        };
        let window = shown.window();
        let parent = self.inner.parent.borrow().as_ref().and_then(|f| f());
        window.set_transient_for(parent.as_ref());
        window.set_modal(parent.is_some());
        self.inner.current.replace(Some(shown));
        crate::ui::name_mnemonic_buttons(&window);
        window.present();
    }

    /// The dialog `id` has been answered (or closed): show the next one.
    fn finished(&self, id: u64) {
        let mine = self
            .inner
            .current
            .borrow()
            .as_ref()
            .is_some_and(|s| s.id == id);
        if mine {
            self.inner.current.take();
            self.pump_later();
        }
    }

    fn input_dialog_for(
        &self,
        id: u64,
        request: InputRequest,
        reply: Responder<InputReply>,
        login: OpenConnectLogin,
    ) -> PassphraseDialog {
        let text = self.input_text(&request);
        let path = request.path.clone();
        let kind = request.kind;
        let this = self.clone();
        let chosen: Rc<RefCell<Option<String>>> = Rc::default();
        let group = chosen.clone();
        let client = self.inner.client.borrow().clone();
        let server_cert = login.server_cert;
        let dialog = PassphraseDialog::new(request, &text, move |answer| {
            if let Some(backend) = this.backend() {
                match (&answer, kind) {
                    (InputReply::Canceled, _) => backend.note_canceled(&service_path(kind, &path)),
                    (InputReply::Values(_), AgentKind::Vpn) => {
                        backend.note_answered(&service_path(kind, &path))
                    }
                    _ => {}
                }
            }
            // connman-vpnd takes the trusted pin from the answer
            let answer = match (answer, server_cert) {
                (a @ InputReply::Values(_), Some(pin)) => a.set("OpenConnect.ServerCert", pin),
                (a, _) => a,
            };
            let group = group
                .take()
                .filter(|_| matches!(answer, InputReply::Values(_)));
            match (group, client) {
                // connman-vpnd 1.41 reads the group from the VPN's settings,
                // not from the answer: set first, then answer
                (Some(group), Some(client)) => {
                    glib::spawn_future_local(async move {
                        let value = zbus::zvariant::Value::from(group.as_str());
                        if let Err(e) = client
                            .vpn_set_property(&path, "OpenConnect.Group", &value)
                            .await
                        {
                            tracing::warn!("cannot set the VPN's group: {e}");
                        }
                        reply.send(answer);
                    });
                }
                _ => {
                    reply.send(answer);
                }
            }
            this.finished(id);
        });
        dialog.add_group_choice(&login.groups, login.group.as_deref(), chosen);
        dialog
    }

    /// "Trust this certificate?" for an OpenConnect server the system does
    /// not vouch for. Trusting lets connman-vpnd accept this certificate
    /// (and no other) and goes on to the login; refusing answers
    /// connman-vpnd's request as canceled, and the connect's failure says
    /// why.
    fn certificate_dialog(
        &self,
        id: u64,
        request: InputRequest,
        reply: Responder<InputReply>,
        cert: ServerCert,
        host: String,
        group: Option<String>,
    ) -> adw::MessageDialog {
        let name = self
            .name_of(request.kind, &request.path)
            .or_else(|| request.vpn_name().map(str::to_owned))
            .unwrap_or_else(|| gettext("VPN"));
        let dialog = self.message(
            &gettext("Trust This Certificate?"),
            &gettext_f(
                "The server of “{}” ({}) showed a certificate that this computer cannot check. \
                 Trust it only if its fingerprint is the one the VPN’s administrator gave you: \
                 then ConnMan accepts this certificate, and no other, for this VPN.",
                &[&name, certificate::dial_target(&host)],
            ),
        );
        dialog.set_title(Some(&gettext("Trust This Certificate?")));
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["boxed-list"])
            .build();
        crate::ui::access::set_label(&list, &gettext("The server’s certificate"));
        let mut rows = vec![
            (gettext("SHA-256 fingerprint"), cert.fingerprint.clone()),
            (gettext("Public key pin"), cert.pin.clone()),
            (gettext("Issued to"), cert.subject.clone()),
            (gettext("Issued by"), cert.issuer.clone()),
        ];
        if cert.signed_by_vpn_ca {
            rows.push((
                gettext("Signed by"),
                gettext("the CA certificate this VPN is set up with"),
            ));
        }
        for (title, value) in rows.into_iter().filter(|(_, v)| !v.is_empty()) {
            list.append(&super::passphrase_dialog::info_row(&title, &value));
        }
        dialog.set_extra_child(Some(&list));
        dialog.add_response("cancel", &gettext("_Do Not Trust"));
        dialog.add_response("trust", &gettext("_Trust and Connect"));
        dialog.set_response_appearance("trust", adw::ResponseAppearance::Suggested);
        // nothing is trusted by a stray Enter
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let this = self.clone();
        let slot = RefCell::new(Some((request, reply, cert, group)));
        dialog.connect_response(None, move |_, response| {
            let Some((request, reply, cert, group)) = slot.take() else {
                return;
            };
            if reply.is_moot() {
                // connman-vpnd took the question back (its Cancel closed
                // the dialog): nobody refused anything
            } else if response == "trust" {
                this.trusted(request, reply, cert, group);
            } else {
                if let Some(backend) = this.backend() {
                    backend.note_untrusted(
                        &service_path(request.kind, &request.path),
                        crate::backend::Untrusted::Refused,
                    );
                }
                reply.send(InputReply::Canceled);
            }
            this.finished(id);
        });
        dialog
    }

    /// The person trusts `cert`: connman-vpnd 1.41 compares a pin only for
    /// a VPN that allows a certificate its CAs do not vouch for, so the
    /// VPN is set so (if it is not yet), then the login is asked with the
    /// pin in its answer.
    fn trusted(
        &self,
        request: InputRequest,
        reply: Responder<InputReply>,
        cert: ServerCert,
        group: Option<String>,
    ) {
        let this = self.clone();
        let client = self.inner.client.borrow().clone();
        glib::spawn_future_local(async move {
            if let Some(client) = client {
                let allowed = client
                    .state()
                    .vpn_connection(&request.path)
                    .and_then(|c| c.settings.get("OpenConnect.AllowSelfSignedCert").cloned());
                if allowed.as_deref() != Some("true") {
                    let value = zbus::zvariant::Value::from("true");
                    if let Err(e) = client
                        .vpn_set_property(&request.path, "OpenConnect.AllowSelfSignedCert", &value)
                        .await
                    {
                        tracing::warn!("cannot let the VPN accept the certificate: {e}");
                    }
                }
            }
            let item = Item::Input {
                request,
                reply,
                login: OpenConnectLogin {
                    server_cert: Some(cert.pin),
                    groups: cert.groups,
                    group,
                },
            };
            // next, before anything queued meanwhile
            this.inner.queue.borrow_mut().push_front(item);
            this.pump();
        });
    }

    /// A prompt opened before the client listed its network (connmand's
    /// `ServicesChanged` comes in batches, its `RequestInput` at once) says
    /// "Wi-Fi network": its heading becomes the name when the client learns
    /// it. The task ends with the dialog (see [`Shown`]).
    fn follow_name(
        &self,
        dialog: &PassphraseDialog,
        kind: AgentKind,
        path: String,
    ) -> Option<glib::JoinHandle<()>> {
        let events = self.inner.client.borrow().as_ref()?.events();
        let this = self.clone();
        let dialog = dialog.downgrade();
        Some(glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                let concerns = match (&event, kind) {
                    (Event::ConnmanUp(_), _) => true,
                    (Event::ServicesChanged { added, updated, .. }, AgentKind::Connman) => {
                        added.contains(&path) || updated.contains(&path)
                    }
                    (Event::ServiceChanged { path: p, .. }, AgentKind::Connman) => *p == path,
                    (Event::VpnUp(_), AgentKind::Vpn) => true,
                    (Event::VpnConnectionAdded { path: p, .. }, AgentKind::Vpn)
                    | (Event::VpnConnectionChanged { path: p, .. }, AgentKind::Vpn) => *p == path,
                    _ => false,
                };
                if !concerns {
                    continue;
                }
                let Some(name) = this.name_of(kind, &path) else {
                    continue;
                };
                if let Some(dialog) = dialog.upgrade() {
                    dialog.set_heading(&name);
                }
                return;
            }
        }))
    }

    /// The network's (or VPN's) name, from the client's state by path (never
    /// the object path itself), made safe to show.
    fn name_of(&self, kind: AgentKind, path: &str) -> Option<String> {
        let client = self.inner.client.borrow();
        let state = client.as_ref()?.state();
        match kind {
            AgentKind::Connman => state.service(path)?.name.clone(),
            AgentKind::Vpn => state.vpn_connection(path)?.name.clone(),
        }
        .filter(|n| !n.is_empty())
        .map(|n| crate::text::display_name(&n, false))
    }

    fn security_of(&self, path: &str) -> Option<Security> {
        let client = self.inner.client.borrow();
        let state = client.as_ref()?.state();
        Some(state.service(path)?.primary_security())
    }

    fn display_name(&self, kind: AgentKind, path: &str) -> String {
        if let Some(name) = self.name_of(kind, path) {
            return name;
        }
        let hidden = {
            let client = self.inner.client.borrow();
            client
                .as_ref()
                .and_then(|c| c.state().service(path).map(|s| s.is_hidden()))
        };
        match (kind, hidden) {
            (AgentKind::Connman, Some(true)) => gettext("Hidden network"),
            // not listed (yet): connmand's ServicesChanged comes in batches
            (AgentKind::Connman, _) => gettext("Wi-Fi network"),
            (AgentKind::Vpn, _) => gettext("VPN"),
        }
    }

    fn input_text(&self, request: &InputRequest) -> DialogText {
        let kind = request.kind;
        let path = &request.path;
        let asks_secret = request.inputs().any(|f| f.type_.is_secret());
        match kind {
            AgentKind::Vpn => {
                let name = self
                    .name_of(kind, path)
                    .or_else(|| request.vpn_name().map(str::to_owned))
                    .unwrap_or_else(|| gettext("VPN"));
                DialogText {
                    heading: name,
                    body: gettext("This VPN needs you to sign in."),
                    retry: request.auth_failure().map(|_| {
                        gettext("The server refused the last user name or password. Try again.")
                    }),
                    icon: "network-vpn-symbolic",
                }
            }
            AgentKind::Connman if request.is_hidden_network() => DialogText {
                heading: gettext("Hidden network"),
                body: if asks_secret {
                    gettext("Enter the name of the network and its password.")
                } else {
                    gettext("Enter the name of the network.")
                },
                retry: None,
                icon: "network-wireless-encrypted-symbolic",
            },
            AgentKind::Connman => {
                let name = self.display_name(kind, path);
                let security = self.security_of(path);
                let passphrase_type = request.field("Passphrase").map(|f| f.type_.clone());
                let body = if request.is_wispr() {
                    gettext("This hotspot needs you to log in with a user name and password.")
                } else if request.is_enterprise() || security == Some(Security::Ieee8021x) {
                    gettext("This network uses enterprise security (802.1X). Enter your identity and password.")
                } else if passphrase_type == Some(FieldType::Wep) || security == Some(Security::Wep)
                {
                    gettext("This network is protected by WEP, an old and weak kind of protection. Enter its key.")
                } else {
                    gettext("This network is protected by WPA. Enter its password.")
                };
                let retry = request
                    .previous_passphrase()
                    .filter(|p| !p.is_empty())
                    .map(|_| {
                        gettext(
                            "The password tried last time did not work. Check it and try again.",
                        )
                    });
                DialogText {
                    heading: name,
                    body,
                    retry,
                    icon: if request.is_wispr() {
                        "web-browser-symbolic"
                    } else {
                        "network-wireless-encrypted-symbolic"
                    },
                }
            }
        }
    }

    fn message(&self, heading: &str, body: &str) -> adw::MessageDialog {
        let dialog = adw::MessageDialog::builder()
            .accessible_role(crate::ui::dialog_role(true))
            .heading(heading)
            .heading_use_markup(false)
            .body(body)
            .body_use_markup(false)
            .build();
        dialog.set_default_width(400);
        dialog
    }

    fn error_dialog(
        &self,
        id: u64,
        kind: AgentKind,
        path: &str,
        error: &ServiceError,
    ) -> adw::MessageDialog {
        let name = self.display_name(kind, path);
        let (heading, body) = match (kind, error) {
            (AgentKind::Connman, ServiceError::InvalidKey) => (
                gettext("Wrong Password"),
                gettext_f("The password for “{}” was wrong.", &[&name]),
            ),
            (_, ServiceError::AuthFailed | ServiceError::LoginFailed) => (
                gettext("Sign-In Failed"),
                gettext_f("The user name or password for “{}” was refused.", &[&name]),
            ),
            _ => (
                gettext("Could Not Connect"),
                format!("{name}: {}", gettext(&error.sentence())),
            ),
        };
        self.message_with_retry(id, kind, path, &heading, &body, error.retry_can_help())
    }

    fn failure_dialog(&self, id: u64, body: &str) -> adw::MessageDialog {
        let dialog = self.message(&gettext("Could Not Connect"), body);
        self.close_only(id, &dialog);
        dialog
    }

    fn message_with_retry(
        &self,
        id: u64,
        kind: AgentKind,
        path: &str,
        heading: &str,
        body: &str,
        retry: bool,
    ) -> adw::MessageDialog {
        let dialog = self.message(heading, body);
        if !retry {
            self.close_only(id, &dialog);
            return dialog;
        }
        dialog.add_response("cancel", &gettext("_Cancel"));
        dialog.add_response("retry", &gettext("_Try Again"));
        dialog.set_response_appearance("retry", adw::ResponseAppearance::Suggested);
        dialog.set_default_response(Some("retry"));
        dialog.set_close_response("cancel");
        let this = self.clone();
        let service = service_path(kind, path);
        dialog.connect_response(None, move |_, response| {
            if response == "retry" {
                this.connect(kind, &service);
            }
            this.finished(id);
        });
        dialog
    }

    /// A message with "Close" alone.
    fn close_only(&self, id: u64, dialog: &adw::MessageDialog) {
        dialog.add_response("close", &gettext("_Close"));
        dialog.set_default_response(Some("close"));
        dialog.set_close_response("close");
        let this = self.clone();
        dialog.connect_response(None, move |_, _| this.finished(id));
    }

    fn browser_dialog(
        &self,
        id: u64,
        path: &str,
        url: String,
        reply: BrowserSlot,
    ) -> adw::MessageDialog {
        let name = self.display_name(AgentKind::Connman, path);
        let dialog = self.message(
            &gettext("Sign In to the Network"),
            &gettext_f(
                "“{}” needs you to sign in on its web page before you can use the Internet.",
                &[&name],
            ),
        );
        dialog.add_response("cancel", &gettext("_Not Now"));
        dialog.add_response("open", &gettext("_Open Sign-In Page"));
        dialog.set_response_appearance("open", adw::ResponseAppearance::Suggested);
        dialog.set_default_response(Some("open"));
        dialog.set_close_response("cancel");
        let url = if url.is_empty() {
            FALLBACK_PORTAL_URL.to_owned()
        } else {
            url
        };
        let this = self.clone();
        dialog.connect_response(None, move |_, response| {
            let Some(reply) = reply.take() else {
                return;
            };
            if response == "open" {
                let launcher = this
                    .inner
                    .launcher
                    .borrow()
                    .clone()
                    .unwrap_or_else(default_launcher);
                let opened = launcher(&url);
                reply.send(if opened {
                    BrowserReply::Opened
                } else {
                    BrowserReply::Canceled
                });
            } else {
                reply.send(BrowserReply::Canceled);
            }
            this.finished(id);
        });
        dialog
    }

    /// Connects `path` again ("Try again"): connmand asks anew, with the
    /// previous passphrase. A failure no dialog explains is shown here.
    fn connect(&self, kind: AgentKind, path: &str) {
        let Some(backend) = self.backend() else {
            return;
        };
        let this = self.clone();
        let connect = backend.connect(path);
        glib::spawn_future_local(async move {
            if let Outcome::Failed(failure) = connect.await {
                this.enqueue(Item::Failure {
                    kind,
                    body: failure.body(),
                });
            }
        });
    }
}

/// The connmand service a request is about (a VPN's connection is
/// `…/service/vpn_<id>` to connmand).
fn service_path(kind: AgentKind, path: &str) -> String {
    match kind {
        AgentKind::Connman => path.to_owned(),
        AgentKind::Vpn => vpn_service_path(path),
    }
}

/// connmand's service for connman-vpnd's connection `…/vpn/connection/<id>`.
fn vpn_service_path(connection: &str) -> String {
    let id = connection.rsplit('/').next().unwrap_or(connection);
    format!("/net/connman/service/vpn_{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::client::vpn_connection_path;

    #[test]
    fn vpn_paths_map_both_ways() {
        let service = vpn_service_path("/net/connman/vpn/connection/labauth");
        assert_eq!(service, "/net/connman/service/vpn_labauth");
        assert_eq!(
            vpn_connection_path(&service),
            "/net/connman/vpn/connection/labauth"
        );
    }
}
