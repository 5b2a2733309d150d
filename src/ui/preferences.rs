//! The preferences window: which notifications to show, the tray icon, and
//! starting at login. Every switch writes through [`Prefs`] at once (no
//! Apply button), as GNOME's preferences do.

use adw::prelude::*;

use crate::i18n::gettext;
use crate::notify::Category;
use crate::prefs::{self, Prefs};

/// A row with a switch, on when `active`; the whole row toggles it.
fn switch_row(title: &str, subtitle: Option<&str>, active: bool) -> (adw::ActionRow, gtk::Switch) {
    let (row, switch) = crate::ui::switch_row(title, subtitle);
    switch.set_active(active);
    (row, switch)
}

/// Builds the preferences window over `parent` (not yet shown).
pub fn build(parent: &impl IsA<gtk::Window>, prefs: &Prefs) -> adw::PreferencesWindow {
    let window = adw::PreferencesWindow::builder()
        .accessible_role(crate::ui::dialog_role(false))
        .transient_for(parent)
        .modal(true)
        .search_enabled(false)
        .default_width(480)
        .default_height(560)
        .build();
    window.set_title(Some(&gettext("Preferences")));
    let page = adw::PreferencesPage::new();

    let tray = adw::PreferencesGroup::builder()
        .title(gettext("Tray"))
        .build();
    let (row, switch) = switch_row(
        &gettext("Start at login in the tray"),
        Some(&gettext(
            "Connie answers password requests and shows the connection from the tray",
        )),
        prefs.start_at_login(),
    );
    let p = prefs.clone();
    let win = window.downgrade();
    switch.connect_active_notify(move |s| {
        if let Err(e) = p.set_start_at_login(s.is_active()) {
            tracing::warn!("cannot change the autostart entry: {e}");
            if let Some(w) = win.upgrade() {
                w.add_toast(adw::Toast::new(&glib::markup_escape_text(&gettext(
                    "Could not change the login startup entry",
                ))));
            }
        }
    });
    tray.add(&row);
    let (row, switch) = switch_row(
        &gettext("Show the icon only when needed"),
        Some(&gettext(
            "Hosts that hide passive icons show it only when something needs attention",
        )),
        prefs.tray_attention_only(),
    );
    let p = prefs.clone();
    switch.connect_active_notify(move |s| p.set(prefs::TRAY_ATTENTION_ONLY, s.is_active()));
    tray.add(&row);
    page.add(&tray);

    let notifications = adw::PreferencesGroup::builder()
        .title(gettext("Notifications"))
        .build();
    for category in Category::ALL {
        let (row, switch) = switch_row(&category.title(), None, prefs.notify(category));
        let p = prefs.clone();
        switch.connect_active_notify(move |s| p.set_notify(category, s.is_active()));
        notifications.add(&row);
    }
    page.add(&notifications);
    window.add(&page);
    window
}

/// Opens the preferences over `parent`.
pub fn present(parent: &impl IsA<gtk::Window>, prefs: &Prefs) {
    build(parent, prefs).present();
}
