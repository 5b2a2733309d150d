//! What the person asks of the window: each is a backend command, and the
//! window shows its outcome (a toast with the details a click away).

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use super::Window;
use crate::backend::Outcome;
use crate::i18n::{gettext, gettext_f};
use crate::text;
use crate::ui::WinAction;

impl Window {
    /// Connects the hidden wifi service: connmand then asks the agent for
    /// the network's name (and passphrase).
    pub fn connect_hidden(&self) {
        if let Some(s) = self.hidden_service() {
            self.connect_service(&s.path());
        }
    }

    /// Shows how a command ended: a failure as a toast with "Details"
    /// (why, about what, and connmand's error); anything else says nothing.
    pub fn show_outcome(&self, outcome: &Outcome) {
        let Some(failure) = outcome.failure() else {
            return;
        };
        let title = failure.title.clone();
        let (why, technical) = (failure.body(), failure.technical.clone());
        let toast = self.toast(&title, 8);
        toast.set_button_label(Some(&gettext("Details")));
        toast.connect_button_clicked(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| win.show_details(&title, &why, &technical)
        ));
    }

    /// Puts up a toast saying `title` (plain text) for `timeout` seconds (0:
    /// until dismissed), and tells the `toast` signal.
    pub(super) fn toast(&self, title: &str, timeout: u32) -> adw::Toast {
        // toast titles are markup in libadwaita 1.2
        let toast = adw::Toast::new(&glib::markup_escape_text(title));
        toast.set_timeout(timeout);
        self.imp().toast_overlay.add_toast(toast.clone());
        self.emit_by_name::<()>("toast", &[&title]);
        toast
    }

    /// Runs a command of the backend and shows how it ended.
    pub(super) fn command<F: std::future::Future<Output = Outcome> + 'static>(&self, command: F) {
        let weak = self.downgrade();
        glib::spawn_future_local(async move {
            let outcome = command.await;
            if let Some(win) = weak.upgrade() {
                win.show_outcome(&outcome);
            }
        });
    }

    /// A short message as a toast (plain text).
    pub fn show_notice(&self, text: &str) {
        self.toast(text, 0);
    }

    pub(super) fn show_details(&self, title: &str, why: &str, technical: &str) {
        let dialog = adw::MessageDialog::builder()
            .accessible_role(crate::ui::dialog_role(true))
            .transient_for(self)
            .heading(title)
            .body(format!("{why}\n\n{technical}"))
            .build();
        dialog.add_response("close", &gettext("_Close"));
        crate::ui::name_mnemonic_buttons(&dialog);
        dialog.present();
    }

    /// Connects `path` (asynchronously; the row shows progress).
    /// An 802.1X network that nothing provisions opens the enterprise
    /// network form instead: connmand cannot join it without one.
    pub fn connect_service(&self, path: &str) {
        let needs_setup = self.backend().client().is_some_and(|c| {
            c.state()
                .service(path)
                .is_some_and(|s| crate::backend::provision::needs_setup(path, s))
        });
        if needs_setup {
            self.setup_enterprise(path);
            return;
        }
        self.command(self.backend().connect(path));
    }

    /// Opens the form that sets up (or edits) the enterprise network `path`.
    pub fn setup_enterprise(&self, path: &str) {
        // from connmand's state, which the window's models follow paced
        let Some(name) = self
            .backend()
            .client()
            .and_then(|c| c.state().service(path).map(text::name_of))
        else {
            return;
        };
        if let Some(form) =
            crate::ui::enterprise::EnterpriseForm::open(self, self.backend(), path, &name)
        {
            self.imp().enterprise.replace(std::rc::Rc::downgrade(&form));
        }
    }

    /// The enterprise network form, while it is open.
    pub fn enterprise_form(&self) -> Option<std::rc::Rc<crate::ui::enterprise::EnterpriseForm>> {
        self.imp()
            .enterprise
            .borrow()
            .upgrade()
            .filter(|f| f.window().is_visible())
    }

    /// Asks whether to forget the saved network `path`; forgets it
    /// (`Service.Remove`) when the person says so.
    pub fn forget_service(&self, path: &str) {
        let Some(service) = self.service(path) else {
            return;
        };
        let name = text::display_name(&service.name(), service.hidden());
        // Service.Remove on a VPN clears what connmand saved of it; the VPN
        // itself stays (deleting it belongs to connman-vpnd)
        let body = if service.service_type() == crate::connman::ServiceType::Vpn {
            gettext(
                "What ConnMan saved for this VPN, such as connecting automatically, is \
                 cleared. The VPN itself is kept and can be connected again.",
            )
        } else {
            gettext(
                "Its passphrase and settings are deleted. To use it again, you connect and \
                 enter the passphrase anew.",
            )
        };
        let path = path.to_owned();
        let dialog = crate::ui::ask(
            self,
            crate::ui::Question {
                heading: &gettext_f("Forget “{}”?", &[&name]),
                body: &body,
                cancel: ("cancel", &gettext("_Cancel")),
                act: ("forget", &gettext("_Forget")),
                appearance: adw::ResponseAppearance::Destructive,
            },
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                move || win.remove_service(&path)
            ),
        );
        self.imp().forget_dialog.set(Some(&dialog));
    }

    /// Opens the settings editor of `path`; for an 802.1X network that
    /// Connie set up (or nothing provisions), the enterprise network form.
    /// A network provisioned by another file gets the ordinary editor,
    /// which shows its settings locked.
    pub fn edit_service(&self, path: &str) {
        let enterprise = self.backend().client().and_then(|c| {
            let state = c.state();
            let s = state.service(path)?;
            let eap = s.type_ == crate::connman::ServiceType::Wifi
                && s.security
                    .contains(&crate::connman::types::Security::Ieee8021x);
            let ssid = crate::backend::provision::ssid_of_path(path)?;
            eap.then(|| (s.immutable, ssid, c.connection().clone()))
        });
        match enterprise {
            Some((false, _, _)) => self.setup_enterprise(path),
            Some((true, ssid, conn)) => {
                let weak = self.downgrade();
                let path = path.to_owned();
                glib::spawn_future_local(async move {
                    let ours = crate::backend::provision::stored(&conn, &ssid)
                        .await
                        .is_some();
                    let Some(win) = weak.upgrade() else { return };
                    if ours {
                        win.setup_enterprise(&path);
                    } else {
                        win.open_editor(&path);
                    }
                });
            }
            None => self.open_editor(path),
        }
    }

    fn open_editor(&self, path: &str) {
        let Some(editor) = crate::ui::ServiceEditor::new(self, self.backend(), path) else {
            return;
        };
        self.imp().editor.set(Some(&editor));
        editor.present();
    }

    /// Opens the "Share Connection" page (one at a time).
    pub fn share_connection(&self) {
        if let Some(open) = self.imp().hotspot.upgrade().filter(|w| w.is_visible()) {
            open.present();
            return;
        }
        let Some(page) = crate::ui::HotspotWindow::new(self, self.backend()) else {
            return;
        };
        self.imp().hotspot.set(Some(&page));
        crate::ui::name_mnemonic_buttons(&page);
        page.present();
    }

    /// Zeroes the traffic counters of `path`; the details page counts
    /// from zero once connmand has.
    pub fn reset_counters(&self, path: &str) {
        let backend = self.backend().clone();
        let path = path.to_owned();
        let weak = self.downgrade();
        glib::spawn_future_local(async move {
            let outcome = backend.reset_counters(&path).await;
            let Some(win) = weak.upgrade() else { return };
            if outcome == Outcome::Done && win.imp().details_page.path().as_deref() == Some(&path) {
                win.imp().details_page.counters_reset();
            }
            win.show_outcome(&outcome);
        });
    }

    /// The "Date & Time" item shows only when connmand has a clock
    /// (net.connman.Clock is experimental): looked for when the menu first
    /// opens, and again after connmand restarted; not at start-up, which
    /// keeps its fixed set of calls.
    pub(super) fn setup_clock(&self) {
        self.action_set_enabled(WinAction::DateTime.detailed(), false);
        let Some(popover) = self.imp().menu_button.popover() else {
            return;
        };
        popover.connect_show(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| win.probe_clock()
        ));
    }

    fn probe_clock(&self) {
        let Some(client) = self.backend().client() else {
            return;
        };
        let owner = client.connman_owner();
        if owner.is_none() {
            self.action_set_enabled(WinAction::DateTime.detailed(), false);
            return;
        }
        if let Some((seen, has)) = self.imp().clock_probe.borrow().as_ref() {
            if *seen == owner {
                self.action_set_enabled(WinAction::DateTime.detailed(), *has);
                return;
            }
        }
        let weak = self.downgrade();
        glib::spawn_future_local(async move {
            let has = client.clock().await.is_ok();
            let Some(win) = weak.upgrade() else { return };
            win.imp().clock_probe.replace(Some((owner, has)));
            win.action_set_enabled(WinAction::DateTime.detailed(), has);
        });
    }

    /// Opens the "Date & Time" page with connmand's clock as it is now.
    pub fn date_time(&self) {
        let Some(client) = self.backend().client() else {
            return;
        };
        if let Some(open) = self.imp().clock.upgrade().filter(|w| w.is_visible()) {
            open.present();
            return;
        }
        let weak = self.downgrade();
        glib::spawn_future_local(async move {
            let result = client.clock().await;
            let Some(win) = weak.upgrade() else { return };
            match result {
                Ok(props) => {
                    let page = crate::ui::clock::ClockWindow::new(&win, win.backend(), props);
                    win.imp().clock.set(Some(&page));
                    crate::ui::name_mnemonic_buttons(&page);
                    page.present();
                }
                Err(e) => {
                    tracing::info!("connmand has no clock: {e}");
                    win.show_notice(&gettext("ConnMan offers no date and time settings here."));
                }
            }
        });
    }

    /// The "Date & Time" page, while it is open.
    pub fn clock_page(&self) -> Option<crate::ui::clock::ClockWindow> {
        self.imp().clock.upgrade().filter(|w| w.is_visible())
    }

    /// The "Share Connection" page, while it is open.
    pub fn hotspot(&self) -> Option<crate::ui::HotspotWindow> {
        self.imp().hotspot.upgrade().filter(|w| w.is_visible())
    }

    /// The settings editor last opened, while it is open.
    pub fn editor(&self) -> Option<crate::ui::ServiceEditor> {
        self.imp().editor.upgrade().filter(|e| e.is_visible())
    }

    /// Asks whether to forget the saved wifi network `path` and connect
    /// again, so that connmand asks for its new passphrase; does it when
    /// the person says so.
    pub fn change_passphrase(&self, path: &str) {
        let Some(service) = self.service(path) else {
            return;
        };
        let name = text::display_name(&service.name(), service.hidden());
        let path = path.to_owned();
        let dialog = crate::ui::ask(
            self,
            crate::ui::Question {
                heading: &gettext_f("Change the password of “{}”?", &[&name]),
                body: &gettext(
                    "ConnMan keeps no way to change a saved password: Connie forgets the \
                     network and connects again, and you enter the new password. Its other \
                     settings are reset too.",
                ),
                cancel: ("cancel", &gettext("_Cancel")),
                act: ("forget", &gettext("_Forget and Connect Again")),
                appearance: adw::ResponseAppearance::Suggested,
            },
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                move || {
                    let backend = win.backend().clone();
                    let path = path.clone();
                    win.command(async move { backend.forget_and_connect(&path).await });
                }
            ),
        );
        self.imp().forget_dialog.set(Some(&dialog));
    }

    /// Opens the dialog that adds a VPN (or imports one).
    pub fn add_vpn(&self) {
        let editor = crate::ui::VpnEditor::add(self, self.backend());
        self.imp().vpn_editor.set(Some(&editor));
        editor.present();
    }

    /// Opens the editor of the VPN connection `path`.
    pub fn edit_vpn(&self, path: &str) {
        let Some(editor) = crate::ui::VpnEditor::edit(self, self.backend(), path) else {
            return;
        };
        self.imp().vpn_editor.set(Some(&editor));
        editor.present();
    }

    /// The VPN dialog last opened, while it is open.
    pub fn vpn_editor(&self) -> Option<crate::ui::VpnEditor> {
        self.imp().vpn_editor.upgrade().filter(|e| e.is_visible())
    }

    /// Asks whether to delete the VPN connection `path` (with the files
    /// Connie kept for it), and does when the person says so.
    pub fn delete_vpn(&self, path: &str) {
        let name = self.backend().vpn_name(path);
        let path = path.to_owned();
        let dialog = crate::ui::ask(
            self,
            crate::ui::Question {
                heading: &gettext_f("Delete “{}”?", &[&name]),
                body: &gettext(
                    "The VPN is deleted from ConnMan, with the certificates Connie kept for \
                     it. This cannot be undone.",
                ),
                cancel: ("cancel", &gettext("_Cancel")),
                act: ("delete", &gettext("_Delete")),
                appearance: adw::ResponseAppearance::Destructive,
            },
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                move || {
                    let backend = win.backend().clone();
                    let path = path.clone();
                    win.command(async move {
                        backend
                            .delete_vpn(&path, &crate::vpn::files::base_dir())
                            .await
                    });
                }
            ),
        );
        self.imp().forget_dialog.set(Some(&dialog));
    }

    pub(super) fn remove_service(&self, path: &str) {
        let backend = self.backend().clone();
        let path = path.to_owned();
        self.command(async move { backend.forget(&path).await });
    }

    /// Disconnects `path`, or cancels its connecting.
    pub fn disconnect_service(&self, path: &str) {
        let backend = self.backend().clone();
        let path = path.to_owned();
        self.command(async move { backend.disconnect(&path).await });
    }

    pub(super) fn scan(&self, path: &str) {
        self.command(self.backend().scan(path));
    }

    /// Scans for wifi networks (Ctrl+R).
    pub fn rescan_wifi(&self) {
        if let Some(wifi) = self.wifi().filter(|w| w.powered()) {
            self.scan(&wifi.path());
        }
    }

    pub(super) fn set_powered(&self, path: &str, on: bool) {
        let backend = self.backend().clone();
        let path = path.to_owned();
        self.command(async move { backend.set_powered(&path, on).await });
    }

    pub(super) fn offline_toggled(&self, on: bool) {
        if self.backend().models().manager.offline_mode() == on {
            return;
        }
        let backend = self.backend().clone();
        self.command(async move { backend.set_offline(on).await });
    }
}
