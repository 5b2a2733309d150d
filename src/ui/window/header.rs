//! The header: airplane mode, the global state at a glance (title and
//! subtitle), the menu, and the about window.

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use super::super::WinAction;
use super::Window;
use crate::connman::TechnologyType;
use crate::i18n::gettext;
use crate::model::{Availability, TechnologyObject};
use crate::text;

impl Window {
    pub(super) fn setup_header(&self) {
        let imp = self.imp();
        let manager = self.backend().models().manager.clone();
        let handler = manager.connect_notify_local(
            None,
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                move |_, _| {
                    win.update_header();
                    win.update_vpn_section();
                }
            ),
        );
        self.keep(&manager, handler);
        imp.offline_button.connect_toggled(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |button| win.offline_toggled(button.is_active())
        ));
        self.update_header();
    }

    pub(super) fn update_header(&self) {
        let imp = self.imp();
        let m = &self.backend().models().manager;
        let availability = m.availability();
        let (title, subtitle) =
            text::header(availability, &m.manager_state(), m.offline_mode(), &m.via());
        imp.title_label.set_label(&title);
        imp.subtitle_label
            .set_label(subtitle.as_deref().unwrap_or_default());
        imp.subtitle_label.set_visible(subtitle.is_some());
        let page = match availability {
            Availability::Starting => "starting",
            Availability::NoBus => "no-bus",
            Availability::Down => "down",
            Availability::Up => "main",
            Availability::Refused => "refused",
        };
        if availability == Availability::Refused {
            let text = format!(
                "{}\n\n{}",
                crate::text::refused_help(&crate::text::connman_policy_groups()),
                m.bus_error()
            );
            imp.refused_page
                .set_description(Some(&glib::markup_escape_text(&text)));
        }
        if availability == Availability::NoBus {
            let text = format!(
                "{}\n\n{}",
                gettext(
                    "Connie talks to ConnMan over the D-Bus system bus, and could not \
                     connect to it. Check that the D-Bus system daemon is running."
                ),
                m.bus_error()
            );
            // a status page's description is markup
            imp.no_bus_page
                .set_description(Some(&glib::markup_escape_text(&text)));
        }
        // the first page appears at once; later changes (connmand going and
        // coming) cross-fade
        let transition = if imp.stack.visible_child_name().as_deref() == Some("starting") {
            gtk::StackTransitionType::None
        } else {
            gtk::StackTransitionType::Crossfade
        };
        imp.stack.set_visible_child_full(page, transition);
        // a spinning spinner keeps the frame clock ticking even on a hidden
        // page (measured: 4 CPU ticks a second while idle)
        imp.starting_spinner.set_spinning(page == "starting");
        let up = availability == Availability::Up;
        imp.offline_button.set_sensitive(up);
        imp.offline_button.set_active(m.offline_mode());
        self.action_set_enabled(WinAction::Rescan.detailed(), up && self.wifi().is_some());
    }

    pub(super) fn wifi(&self) -> Option<TechnologyObject> {
        self.backend()
            .models()
            .technologies
            .by_type(&TechnologyType::Wifi)
    }

    pub(super) fn show_about(&self) {
        let about = adw::AboutWindow::builder()
            .transient_for(self)
            .modal(true)
            .application_name(gettext("Connie"))
            .application_icon(crate::config::APP_ID)
            .version(crate::config::VERSION)
            .comments(gettext("A desktop front-end for ConnMan"))
            .license_type(gtk::License::Gpl30)
            .build();
        about.present();
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The name of the page shown: `starting`, `no-bus`, `refused`, `down`
    /// or `main`.
    pub fn visible_page(&self) -> String {
        self.imp()
            .stack
            .visible_child_name()
            .map(Into::into)
            .unwrap_or_default()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// What the "not allowed" page says.
    pub fn refused_text(&self) -> String {
        self.imp()
            .refused_page
            .description()
            .map(Into::into)
            .unwrap_or_default()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The header's title and subtitle as shown (the subtitle empty when hidden).
    pub fn header_text(&self) -> (String, String) {
        let imp = self.imp();
        let subtitle = if imp.subtitle_label.is_visible() {
            imp.subtitle_label.text().into()
        } else {
            String::new()
        };
        (imp.title_label.text().into(), subtitle)
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The airplane-mode toggle.
    pub fn offline_button(&self) -> gtk::ToggleButton {
        self.imp().offline_button.get()
    }
}
