//! The widgets. Nothing here may run before [`init`]: GTK and libadwaita
//! are initialised only when the first window is needed.

pub mod access;
pub mod agent;
pub mod clock;
pub mod enterprise;
pub mod hotspot;
pub mod preferences;
pub mod qr_code;
pub mod renderer;
mod service_details;
mod service_editor;
mod service_row;
mod technology_row;
pub mod traffic;
mod vpn_editor;
mod vpn_row;
mod window;

use std::cell::Cell;

use gtk::prelude::*;

pub use hotspot::HotspotWindow;
pub use service_details::ServiceDetails;
pub use service_editor::ServiceEditor;
pub use service_row::ServiceRow;
pub use technology_row::TechnologyRow;
pub use vpn_editor::VpnEditor;
pub use vpn_row::VpnRow;
pub use window::Window;

/// Every widget of type `T` below `root` (depth first; a match's own
/// children are not searched).
pub fn descendants<T: IsA<gtk::Widget>>(root: &gtk::Widget) -> Vec<T> {
    fn collect<T: IsA<gtk::Widget>>(w: &gtk::Widget, out: &mut Vec<T>) {
        if let Some(found) = w.downcast_ref::<T>() {
            out.push(found.clone());
            return;
        }
        let mut child = w.first_child();
        while let Some(c) = child {
            collect(&c, out);
            child = c.next_sibling();
        }
    }
    let mut out = Vec::new();
    collect(root, &mut out);
    out
}

/// The window's actions; `detailed()` is the name widgets and shortcuts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinAction {
    /// `s`: a service path.
    ConnectService,
    /// `s`: a service path (disconnects, or cancels a connect in progress).
    DisconnectService,
    /// `s`: a technology path.
    ScanTechnology,
    /// `(sb)`: a technology path and whether to power it.
    SetPowered,
    /// Scans for wifi networks.
    Rescan,
    /// Connects the wifi technology's hidden service (the agent asks the name).
    ConnectHidden,
    About,
    /// `(sb)`: a service path, and whether down (else up) one place.
    MoveStep,
    /// `s`: a service path, whose details page opens.
    ShowService,
    /// `s`: a saved service to forget, after asking.
    ForgetService,
    /// `s`: a service whose settings editor opens.
    EditService,
    /// `s`: a saved wifi network to forget and connect again, after asking
    /// (so that connmand asks for its new passphrase).
    ChangePassphrase,
    /// Opens the dialog that adds or imports a VPN.
    AddVpn,
    /// `s`: a VPN connection whose editor opens.
    EditVpn,
    /// `s`: a VPN connection to delete, after asking.
    DeleteVpn,
    /// A row's service changed: the rows' moves are worked out again.
    RefreshMoves,
    /// The "Share Connection" page (hotspot and sharing).
    ShareConnection,
    /// `s`: a service whose traffic counters connmand zeroes.
    ResetCounters,
    /// The "Date & Time" page (connmand's clock; off when it has none).
    DateTime,
    /// `s`: a drag of this service began.
    DragBegan,
    /// The drag ended (dropped or not).
    DragEnded,
    /// The drag ended nowhere: say why the last place hovered was refused.
    DragCanceled,
}

impl WinAction {
    pub fn detailed(self) -> &'static str {
        match self {
            WinAction::ConnectService => "win.connect-service",
            WinAction::DisconnectService => "win.disconnect-service",
            WinAction::ScanTechnology => "win.scan-technology",
            WinAction::SetPowered => "win.set-powered",
            WinAction::Rescan => "win.rescan",
            WinAction::ConnectHidden => "win.connect-hidden",
            WinAction::About => "win.about",
            WinAction::MoveStep => "win.move-step",
            WinAction::ShowService => "win.show-service",
            WinAction::ForgetService => "win.forget-service",
            WinAction::EditService => "win.edit-service",
            WinAction::ChangePassphrase => "win.change-passphrase",
            WinAction::AddVpn => "win.add-vpn",
            WinAction::EditVpn => "win.edit-vpn",
            WinAction::DeleteVpn => "win.delete-vpn",
            WinAction::RefreshMoves => "win.refresh-moves",
            WinAction::ShareConnection => "win.share-connection",
            WinAction::ResetCounters => "win.reset-counters",
            WinAction::DateTime => "win.date-time",
            WinAction::DragBegan => "win.drag-began",
            WinAction::DragEnded => "win.drag-ended",
            WinAction::DragCanceled => "win.drag-canceled",
        }
    }
}

/// A service row's own actions (its menu and its shortcuts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowAction {
    /// Before the service above (Alt+Up).
    MoveUp,
    /// After the service below (Alt+Down).
    MoveDown,
    /// The service's details page.
    Details,
    /// Forget a saved network, after asking.
    Forget,
    /// The service's settings editor.
    Edit,
    /// Forget a saved wifi network and connect again, after asking.
    ChangePassphrase,
}

impl RowAction {
    pub fn detailed(self) -> &'static str {
        match self {
            RowAction::MoveUp => "row.move-up",
            RowAction::MoveDown => "row.move-down",
            RowAction::Details => "row.details",
            RowAction::Forget => "row.forget",
            RowAction::Edit => "row.edit",
            RowAction::ChangePassphrase => "row.change-passphrase",
        }
    }
}

thread_local! {
    static STYLED: Cell<bool> = const { Cell::new(false) };
}

/// A row's connect button for a service (or VPN) that is connecting
/// (`busy`), connected, or neither: its action, its short label, and the
/// tooltip that says which network ("Connect to LabWPA2").
pub(crate) fn connect_button(
    busy: bool,
    connected: bool,
    name: &str,
) -> (WinAction, String, String) {
    use crate::i18n::{gettext, gettext_f};
    if busy {
        (
            WinAction::DisconnectService,
            gettext("Cancel"),
            gettext_f("Cancel connecting to {}", &[name]),
        )
    } else if connected {
        (
            WinAction::DisconnectService,
            gettext("Disconnect"),
            gettext_f("Disconnect from {}", &[name]),
        )
    } else {
        (
            WinAction::ConnectService,
            gettext("Connect"),
            gettext_f("Connect to {}", &[name]),
        )
    }
}

/// The header of an editing dialog: `title` over `subtitle`, `cancel` at
/// the start and the dialog's own action at the end, and no window
/// buttons (Cancel and the action close it). The title widget comes back
/// too, for dialogs that retitle themselves.
pub(crate) fn dialog_header(
    title: &str,
    subtitle: &str,
    cancel: &impl IsA<gtk::Widget>,
    action: &impl IsA<gtk::Widget>,
) -> (adw::HeaderBar, adw::WindowTitle) {
    let title = adw::WindowTitle::new(title, subtitle);
    let header = adw::HeaderBar::builder()
        .title_widget(&title)
        .show_end_title_buttons(false)
        .show_start_title_buttons(false)
        .build();
    header.pack_start(cancel);
    header.pack_end(action);
    (header, title)
}

/// A row that says something under a field, or at the top (hidden when
/// there is nothing to say). A preferences row, so that the group puts it
/// in its list, under the field.
pub(crate) fn note_row(css: &str) -> (gtk::ListBoxRow, gtk::Label) {
    let label = gtk::Label::builder()
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .xalign(0.0)
        .use_markup(false)
        .use_underline(false)
        .selectable(true)
        .margin_start(12)
        .margin_end(12)
        .margin_top(6)
        .margin_bottom(6)
        .build();
    label.add_css_class(css);
    let row = adw::PreferencesRow::builder()
        .child(&label)
        .activatable(false)
        .selectable(false)
        .visible(false)
        .build();
    (row.upcast(), label)
}

/// A row with a switch, named `title` for assistive technology; the whole
/// row toggles it. The name is set after the row links the switch to its
/// title, which GTK 4.8 would read after it ("Multicast DNS Multicast DNS").
pub(crate) fn switch_row(title: &str, subtitle: Option<&str>) -> (adw::ActionRow, gtk::Switch) {
    use adw::prelude::ActionRowExt;
    let switch = gtk::Switch::builder().valign(gtk::Align::Center).build();
    let row = adw::ActionRow::builder()
        .title(glib::markup_escape_text(title))
        .activatable_widget(&switch)
        .build();
    if let Some(s) = subtitle {
        row.set_subtitle(&glib::markup_escape_text(s));
    }
    access::set_label(&switch, title);
    row.add_suffix(&switch);
    (row, switch)
}

/// A question with two answers: one that does nothing and one that acts.
pub(crate) struct Question<'a> {
    pub heading: &'a str,
    /// Plain text (the dialog's markup is off).
    pub body: &'a str,
    /// The response id and mnemonic label of the answer that does nothing
    /// (also what closing the dialog means).
    pub cancel: (&'a str, &'a str),
    /// The response id and mnemonic label of the answer that acts.
    pub act: (&'a str, &'a str),
    /// A destructive act leaves the default on the harmless answer; a
    /// suggested one is the default itself.
    pub appearance: adw::ResponseAppearance,
}

/// Asks `question` over `parent` (modal, as every message dialog) and runs
/// `on_act` when the person picks the acting answer; the dialog, shown.
pub(crate) fn ask(
    parent: &impl IsA<gtk::Window>,
    question: Question<'_>,
    on_act: impl Fn() + 'static,
) -> adw::MessageDialog {
    use adw::prelude::MessageDialogExt;
    let dialog = adw::MessageDialog::builder()
        .accessible_role(dialog_role(true))
        .transient_for(parent)
        .heading(question.heading)
        .body(question.body)
        .build();
    let (cancel, act) = (question.cancel.0, question.act.0);
    dialog.add_response(cancel, question.cancel.1);
    dialog.add_response(act, question.act.1);
    dialog.set_response_appearance(act, question.appearance);
    let default = if question.appearance == adw::ResponseAppearance::Destructive {
        cancel
    } else {
        act
    };
    dialog.set_default_response(Some(default));
    dialog.set_close_response(cancel);
    let act = act.to_owned();
    dialog.connect_response(None, move |_, response| {
        if response == act {
            on_act();
        }
    });
    name_mnemonic_buttons(&dialog);
    dialog.present();
    dialog
}

/// Asks over `parent` whether to discard what was typed (`body` says
/// what is lost); runs `discard` when the person says so.
pub(crate) fn ask_discard(
    parent: &impl IsA<gtk::Window>,
    body: &str,
    discard: impl Fn() + 'static,
) {
    use crate::i18n::gettext;
    ask(
        parent,
        Question {
            heading: &gettext("Discard the changes?"),
            body,
            cancel: ("keep", &gettext("_Keep Editing")),
            act: ("discard", &gettext("_Discard")),
            appearance: adw::ResponseAppearance::Destructive,
        },
        discard,
    );
}

/// The accessible role a dialog window is built with. A dialog is a
/// dialog (`alert`: one that only tells or asks, such as the wrong-password
/// message), except on GTK 4.8 and 4.9: their AT-SPI bridge reports the
/// state *showing* only for the role `Window` (`collect_states` in
/// gtkatspicontext.c), so a dialog role there makes screen readers skip the
/// dialog as not on screen. There it is a `Window` (a frame), showing.
pub fn dialog_role(alert: bool) -> gtk::AccessibleRole {
    if gtk::minor_version() < 10 {
        gtk::AccessibleRole::Window
    } else if alert {
        gtk::AccessibleRole::AlertDialog
    } else {
        gtk::AccessibleRole::Dialog
    }
}

/// Names each button below `root` whose label has a mnemonic by its words
/// alone ("_Cancel" is read "Cancel", once): GTK 4.8 reads such a button
/// as "_Cancel Cancel" (see [`access::set_label`]). For windows and
/// dialogs, once their buttons are there, before they are shown.
pub fn name_mnemonic_buttons(root: &impl IsA<gtk::Widget>) {
    for button in descendants::<gtk::Button>(root.upcast_ref()) {
        if let Some(label) = button.label().filter(|_| button.uses_underline()) {
            access::set_label(&button, &without_mnemonic(&label));
        }
    }
}

/// A label's words without its mnemonic's underscore ("_Hidden Network…"
/// → "Hidden Network…"; "__" stands for an underscore).
pub fn without_mnemonic(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut chars = label.chars();
    while let Some(c) = chars.next() {
        if c == '_' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Initialises GTK and libadwaita (once; later calls return at once) and
/// loads Connie's style. Call on the main thread, from the running main loop.
pub fn init() -> Result<(), glib::BoolError> {
    // Connie's windows belong to its desktop entry: GDK names them by the
    // program name (the Wayland app_id, X11's WM_CLASS), which until now is
    // the executable's (`connie`, for --help's usage line); a plain
    // gio::Application's id does not reach GTK's windows. Set before GDK
    // opens the display.
    if glib::prgname().as_deref() != Some(crate::config::APP_ID) {
        glib::set_prgname(Some(crate::config::APP_ID));
        glib::set_application_name(&crate::i18n::gettext("Connie"));
    }
    adw::init()?;
    if !STYLED.replace(true) {
        let css = gtk::CssProvider::new();
        css.load_from_data(include_str!("../../resources/style.css"));
        if let Some(display) = gtk::gdk::Display::default() {
            gtk::style_context_add_provider_for_display(
                &display,
                &css,
                gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
            );
            // run from the build tree, the app icon is only in data/icons
            // (installed, it is in the hicolor theme); after the theme's own
            // directories, so that the theme's icons come first
            let icons = crate::tray::item::icon_theme_path();
            if !icons.is_empty() {
                gtk::IconTheme::for_display(&display).add_search_path(icons);
            }
        }
        // every window's icon (taskbars, window switchers on X11)
        gtk::Window::set_default_icon_name(crate::config::APP_ID);
        ServiceDetails::ensure_type();
        ServiceRow::ensure_type();
        TechnologyRow::ensure_type();
        VpnRow::ensure_type();
        Window::ensure_type();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn mnemonics_are_not_read() {
        assert_eq!(
            super::without_mnemonic("_Hidden Network…"),
            "Hidden Network…"
        );
        assert_eq!(super::without_mnemonic("a__b_c"), "a_bc");
        assert_eq!(super::without_mnemonic("plain"), "plain");
    }
}
