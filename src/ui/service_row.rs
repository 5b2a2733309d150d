//! One service in the list: type/strength icon, the name (literally), state
//! and "Saved", a lock for secured networks, progress while connecting, and
//! one button that connects, disconnects or cancels.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use adw::subclass::prelude::*;
use gtk::prelude::*;
use gtk::{glib, CompositeTemplate};

use super::{RowAction, WinAction};
use crate::connman::{ServiceError, ServiceType};
use crate::i18n::{gettext, gettext_f};
use crate::model::ServiceObject;
use crate::text;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(file = "service_row.ui")]
    pub struct ServiceRow {
        #[template_child]
        pub(super) type_icon: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) name_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) subtitle_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) lock_icon: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) spinner: TemplateChild<gtk::Spinner>,
        #[template_child]
        pub(super) action_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) menu_button: TemplateChild<gtk::MenuButton>,
        #[template_child]
        pub(super) split_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) row_menu: TemplateChild<gio::MenuModel>,
        pub(super) service: RefCell<Option<(ServiceObject, glib::SignalHandlerId)>>,
        pub(super) enabled: RefCell<HashMap<RowAction, bool>>,
        /// Where the pointer grabbed the card for a drag.
        pub(super) grab: Cell<(f64, f64)>,
        pub(super) dnd_attached: Cell<bool>,
        /// The icon shown, so that an unchanged one is not set again.
        pub(super) icon: Cell<Option<&'static str>>,
        /// The service shown before the last unbind, at which revision.
        pub(super) shown: RefCell<(glib::WeakRef<ServiceObject>, u64)>,
        /// Whether "Move up" or "Move down" can be used now.
        pub(super) movable: Cell<bool>,
        /// What screen readers are told: the card's name and description,
        /// the action button's and the menu button's names (each set again
        /// only when it changes).
        pub(super) spoken: RefCell<Spoken>,
    }

    #[derive(Default, PartialEq)]
    pub(super) struct Spoken {
        pub(super) card: (String, String),
        pub(super) button: String,
        pub(super) menu: String,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ServiceRow {
        const NAME: &'static str = "CnServiceRow";
        type Type = super::ServiceRow;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
            klass.install_action(RowAction::MoveUp.detailed(), None, |row, _, _| {
                row.tell_window(WinAction::MoveStep, |p| (p, false).to_variant());
            });
            klass.install_action(RowAction::MoveDown.detailed(), None, |row, _, _| {
                row.tell_window(WinAction::MoveStep, |p| (p, true).to_variant());
            });
            klass.install_action(RowAction::Details.detailed(), None, |row, _, _| {
                row.tell_window(WinAction::ShowService, |p| p.to_variant());
            });
            klass.install_action(RowAction::Forget.detailed(), None, |row, _, _| {
                row.tell_window(WinAction::ForgetService, |p| p.to_variant());
            });
            klass.install_action(RowAction::Edit.detailed(), None, |row, _, _| {
                row.tell_window(WinAction::EditService, |p| p.to_variant());
            });
            klass.install_action(RowAction::ChangePassphrase.detailed(), None, |row, _, _| {
                row.tell_window(WinAction::ChangePassphrase, |p| p.to_variant());
            });
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ServiceRow {
        /// What a drag and drop over this row asks of whoever orders the
        /// services (the window): `drop-allowed (target, before) -> bool`,
        /// whether the service being dragged may go there; `drop-service
        /// (moving, target, before) -> bool`, the drop itself (false when
        /// refused).
        fn signals() -> &'static [glib::subclass::Signal] {
            static SIGNALS: std::sync::OnceLock<Vec<glib::subclass::Signal>> =
                std::sync::OnceLock::new();
            SIGNALS.get_or_init(|| {
                vec![
                    glib::subclass::Signal::builder("drop-allowed")
                        .param_types([String::static_type(), bool::static_type()])
                        .return_type::<bool>()
                        .build(),
                    glib::subclass::Signal::builder("drop-service")
                        .param_types([
                            String::static_type(),
                            String::static_type(),
                            bool::static_type(),
                        ])
                        .return_type::<bool>()
                        .build(),
                ]
            })
        }

        fn constructed(&self) {
            self.parent_constructed();
            let row = self.obj();
            // nothing to move or forget until the window says so
            for a in [
                RowAction::MoveUp,
                RowAction::MoveDown,
                RowAction::Forget,
                RowAction::ChangePassphrase,
            ] {
                row.enable(a, false);
            }
            // Tooltips are asked for when the pointer rests on a widget, not
            // set with every bind nor in the template: GTK 4.8's
            // set_tooltip_text queries the pointer from the X server each
            // time (round trips for every row the list builds).
            let tip = |widget: &gtk::Widget, text: fn(&super::ServiceRow) -> String| {
                widget.set_has_tooltip(true);
                widget.connect_query_tooltip(move |widget, _, _, _, tooltip| {
                    let Some(row) = widget
                        .ancestor(super::ServiceRow::static_type())
                        .and_downcast::<super::ServiceRow>()
                    else {
                        return false;
                    };
                    let text = text(&row);
                    tooltip.set_text(Some(&text));
                    !text.is_empty()
                });
            };
            tip(self.name_label.upcast_ref(), |row| row.name_text());
            tip(self.type_icon.upcast_ref(), |row| {
                row.service()
                    .map(|s| text::type_name(&s.service_type()))
                    .unwrap_or_default()
            });
            tip(self.action_button.upcast_ref(), |row| row.button_tooltip());
            tip(self.lock_icon.upcast_ref(), |_| gettext("Secured network"));
            tip(self.menu_button.upcast_ref(), |_| gettext("More"));
            tip(self.split_label.upcast_ref(), |_| {
                gettext("Only the VPN's own networks go through it; everything else takes the connection above it")
            });
            // the menu's popover is built when it is first opened: building
            // it with every row cost more than the rest of the row at start
            row.imp().menu_button.set_create_popup_func(|button| {
                if button.menu_model().is_none() {
                    if let Some(row) = button.ancestor(super::ServiceRow::static_type()) {
                        let row = row.downcast_ref::<super::ServiceRow>().expect("a row");
                        button.set_menu_model(Some(&row.menu_model()));
                    }
                }
            });
            // drags start and land on the whole card (the list's row around
            // this one, margins included), so it is attached once it has one
            row.connect_notify_local(Some("parent"), |row, _| {
                if let Some(card) = row.parent() {
                    if !row.imp().dnd_attached.replace(true) {
                        // the grid view's items are table cells to screen
                        // readers; these are the items of a list (its role
                        // can be set until screen readers have seen it, and
                        // the card is new here)
                        if card.property::<gtk::AccessibleRole>("accessible-role")
                            != gtk::AccessibleRole::ListItem
                        {
                            card.set_property("accessible-role", gtk::AccessibleRole::ListItem);
                        }
                        row.attach_drag_and_drop(&card);
                    }
                    let (name, description) = row.imp().spoken.borrow().card.clone();
                    name_card(&card, &name, &description);
                } else {
                    // out of its card (kept for another one): the card's
                    // controllers went with it
                    row.imp().dnd_attached.set(false);
                }
            });
        }

        fn dispose(&self) {
            self.obj().unbind();
        }
    }

    impl WidgetImpl for ServiceRow {}
    impl BoxImpl for ServiceRow {}
}

glib::wrapper! {
    pub struct ServiceRow(ObjectSubclass<imp::ServiceRow>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for ServiceRow {
    fn default() -> Self {
        Self::new()
    }
}

impl ServiceRow {
    pub fn new() -> Self {
        glib::Object::new()
    }

    /// Shows `service` and follows its changes until [`Self::unbind`].
    pub fn bind(&self, service: &ServiceObject) {
        self.unbind();
        // GTK 4.8's list view unbinds and binds again rows whose item did not
        // change (dozens on each re-sort among hundreds of networks): a row
        // that still shows this service as it is needs no update
        let current = {
            let (weak, revision) = &*self.imp().shown.borrow();
            weak.upgrade().as_ref() == Some(service) && *revision == service.revision()
        };
        let handler = service.connect_notify_local(
            None,
            glib::clone!(
                #[weak(rename_to = row)]
                self,
                move |_, pspec| row.property_changed(pspec.name())
            ),
        );
        self.imp().service.replace(Some((service.clone(), handler)));
        if !current {
            self.update();
        }
    }

    /// One property of the service changed. A strength storm is the common
    /// case (every access point in range, several times a minute): a new
    /// strength level changes the icon and nothing else, and the move rules
    /// do not depend on it.
    fn property_changed(&self, name: &str) {
        if name == "strength-level" {
            if let Some(s) = self.service() {
                self.show_icon(&s);
                self.speak(&s);
            }
            return;
        }
        self.update();
        let _ = self.activate_action(WinAction::RefreshMoves.detailed(), None);
    }

    fn show_icon(&self, s: &ServiceObject) {
        let imp = self.imp();
        let icon = text::service_icon(&s.service_type(), s.strength_level());
        // setting an image's icon, even the same one, makes GTK look it up,
        // resize and redraw the row: only a different icon is set
        if imp.icon.replace(Some(icon)) != Some(icon) {
            imp.type_icon.set_icon_name(Some(icon));
        }
    }

    pub fn unbind(&self) {
        if let Some((service, handler)) = self.imp().service.take() {
            service.disconnect(handler);
            let weak = service.downgrade();
            self.imp().shown.replace((weak, service.revision()));
        }
    }

    pub fn service(&self) -> Option<ServiceObject> {
        self.imp().service.borrow().as_ref().map(|(s, _)| s.clone())
    }

    /// The row's button (connect, disconnect or cancel).
    pub fn button(&self) -> gtk::Button {
        self.imp().action_button.get()
    }

    /// What the button's tooltip says when the pointer rests on it
    /// ("Connect to LabWPA2").
    pub fn button_tooltip(&self) -> String {
        self.service()
            .map(|s| connect_button(&s).2)
            .unwrap_or_default()
    }

    /// The name as shown.
    pub fn name_text(&self) -> String {
        self.imp().name_label.text().into()
    }

    #[cfg(any(test, feature = "test-support"))]
    pub fn subtitle_text(&self) -> String {
        self.imp().subtitle_label.text().into()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The type and strength icon.
    pub fn icon(&self) -> gtk::Image {
        self.imp().type_icon.get()
    }

    /// The row's menu button (Move up, Move down, Details, Forget…).
    pub fn menu_button(&self) -> gtk::MenuButton {
        self.imp().menu_button.get()
    }

    /// The row menu's model (its popover is built on first use).
    pub fn menu_model(&self) -> gio::MenuModel {
        self.imp().row_menu.get()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Whether the "VPN in split mode" label shows.
    pub fn shows_split_mode(&self) -> bool {
        self.imp().split_label.is_visible()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Whether `action` (of this row's menu and shortcuts) can be used now.
    pub fn action_enabled(&self, action: RowAction) -> bool {
        self.imp()
            .enabled
            .borrow()
            .get(&action)
            .copied()
            .unwrap_or(true)
    }

    fn enable(&self, action: RowAction, on: bool) {
        // GTK tells the action's observers (menus, shortcuts) even when
        // nothing changed: only a change is passed on
        if self.imp().enabled.borrow_mut().insert(action, on) != Some(on) {
            self.action_set_enabled(action.detailed(), on);
        }
    }

    /// Enables "Move up" and "Move down" as connmand's rules allow (the
    /// window decides: it knows the neighbours).
    pub fn set_moves(&self, up: bool, down: bool) {
        self.enable(RowAction::MoveUp, up);
        self.enable(RowAction::MoveDown, down);
        if self.imp().movable.replace(up || down) != (up || down) {
            if let Some(s) = self.service() {
                self.speak(&s);
            }
        }
    }

    /// What the list item around this row, its button and its menu button
    /// are called for screen readers: the card is named by the service and
    /// described by its state, security, signal and the keys that move it;
    /// the buttons say what they do to which network.
    fn speak(&self, s: &ServiceObject) {
        let imp = self.imp();
        let name = text::display_name(&s.name(), s.hidden());
        let error = ServiceError::parse(&s.error());
        let facts = text::ServiceFacts {
            name: &s.name(),
            type_: &s.service_type(),
            state: &s.service_state(),
            error: (!s.error().is_empty()).then_some(&error),
            favorite: s.favorite(),
            interface: &s.interface(),
        };
        let description =
            text::service_description(&facts, s.secured(), s.strength_level(), imp.movable.get());
        let now = imp::Spoken {
            card: (name.clone(), description),
            button: connect_button(s).2,
            // Translators: the name of a network's menu button, for screen readers
            menu: gettext_f("More options for {}", &[&name]),
        };
        let mut spoken = imp.spoken.borrow_mut();
        if spoken.card != now.card {
            if let Some(card) = self.parent() {
                name_card(&card, &now.card.0, &now.card.1);
            }
        }
        if spoken.button != now.button {
            super::access::set_label(&*imp.action_button, &now.button);
        }
        if spoken.menu != now.menu {
            let menu = &*imp.menu_button;
            super::access::set_label(menu, &now.menu);
            // the button inside takes the focus: it is what is read
            if let Some(inner) = menu.first_child() {
                super::access::set_label(&inner, &now.menu);
            }
        }
        *spoken = now;
    }

    /// Activates the window's `action` about this row's service, with the
    /// parameter `param` makes of its path.
    fn tell_window(&self, action: WinAction, param: impl FnOnce(String) -> glib::Variant) {
        if let Some(s) = self.service() {
            let _ = self.activate_action(action.detailed(), Some(&param(s.path())));
        }
    }

    /// Asks the window (the `drop-allowed` signal's handler) whether the
    /// service being dragged may go before (`before`) or after this row's.
    fn drop_allowed(&self, before: bool) -> bool {
        let Some(s) = self.service() else {
            return false;
        };
        self.emit_by_name::<bool>("drop-allowed", &[&s.path(), &before])
    }

    fn attach_drag_and_drop(&self, card: &gtk::Widget) {
        let source = gtk::DragSource::new();
        source.set_actions(gtk::gdk::DragAction::MOVE);
        source.connect_prepare(glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[upgrade_or]
            None,
            move |_, x, y| {
                // connmand moves only saved services
                let s = row.service().filter(|s| s.favorite())?;
                row.imp().grab.set((x, y));
                Some(gtk::gdk::ContentProvider::for_value(&s.path().to_value()))
            }
        ));
        source.connect_drag_begin(glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |source, _| {
                // the card follows the pointer where it was grabbed
                let card = row.parent().unwrap_or_else(|| row.clone().upcast());
                let icon = gtk::WidgetPaintable::new(Some(&card));
                let (x, y) = row.imp().grab.get();
                source.set_icon(Some(&icon), x as i32, y as i32);
                row.tell_window(WinAction::DragBegan, |p| p.to_variant());
            }
        ));
        source.connect_drag_end(glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |_, _, _| {
                let _ = row.activate_action(WinAction::DragEnded.detailed(), None);
            }
        ));
        source.connect_drag_cancel(glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[upgrade_or]
            false,
            move |_, _, reason| {
                if reason == gtk::gdk::DragCancelReason::NoTarget {
                    let _ = row.activate_action(WinAction::DragCanceled.detailed(), None);
                }
                false
            }
        ));
        card.add_controller(source);

        let target = gtk::DropTarget::new(String::static_type(), gtk::gdk::DragAction::MOVE);
        let motion = glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[upgrade_or]
            gtk::gdk::DragAction::empty(),
            move |_: &gtk::DropTarget, _: f64, y: f64| {
                let card = row.parent().unwrap_or_else(|| row.clone().upcast());
                let before = y < f64::from(card.height()) / 2.0;
                let allowed = row.drop_allowed(before);
                row.mark_drop(allowed.then_some(before));
                if allowed {
                    gtk::gdk::DragAction::MOVE
                } else {
                    gtk::gdk::DragAction::empty()
                }
            }
        );
        target.connect_enter(motion.clone());
        target.connect_motion(motion);
        target.connect_leave(glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |_| row.mark_drop(None)
        ));
        target.connect_drop(glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[upgrade_or]
            false,
            move |_, value, _, y| {
                row.mark_drop(None);
                let card = row.parent().unwrap_or_else(|| row.clone().upcast());
                let before = y < f64::from(card.height()) / 2.0;
                let (Ok(moving), Some(s)) = (value.get::<String>(), row.service()) else {
                    return false;
                };
                row.emit_by_name::<bool>("drop-service", &[&moving, &s.path(), &before])
            }
        ));
        card.add_controller(target);
    }

    /// Shows where a drop would go: above (`Some(true)`), below, or nowhere.
    /// (On the card around the row: the line goes in the gap between cards.)
    fn mark_drop(&self, place: Option<bool>) {
        let card = self.parent().unwrap_or_else(|| self.clone().upcast());
        card.remove_css_class("cn-drop-before");
        card.remove_css_class("cn-drop-after");
        match place {
            Some(true) => card.add_css_class("cn-drop-before"),
            Some(false) => card.add_css_class("cn-drop-after"),
            None => {}
        }
    }

    /// Where a drop would go now: above (`Some(true)`), below, or nowhere.
    pub fn drop_mark(&self) -> Option<bool> {
        let card = self.parent()?;
        if card.has_css_class("cn-drop-before") {
            Some(true)
        } else if card.has_css_class("cn-drop-after") {
            Some(false)
        } else {
            None
        }
    }

    /// While a drag is in progress: whether this row can take it
    /// (`Some(true)`), cannot (`Some(false)`), or no drag (`None`).
    pub fn mark_drag(&self, can_take: Option<bool>) {
        let class = match can_take {
            Some(true) => Some("cn-drop-ok"),
            Some(false) => Some("cn-drop-refused"),
            None => None,
        };
        set_class(self.upcast_ref(), &["cn-drop-ok", "cn-drop-refused"], class);
    }

    fn update(&self) {
        let Some(s) = self.service() else {
            return;
        };
        let imp = self.imp();
        // forgetting makes sense for saved wifi networks and VPNs (connmand
        // refuses it for ethernet; hidden networks cannot be removed)
        let forgettable = s.favorite()
            && !s.hidden()
            && matches!(s.service_type(), ServiceType::Wifi | ServiceType::Vpn);
        self.enable(RowAction::Forget, forgettable);
        // connmand has no property for a saved passphrase: it is asked anew
        // after forgetting (wifi networks with one)
        let passphrase = s.favorite()
            && !s.hidden()
            && s.service_type() == ServiceType::Wifi
            && matches!(s.security().as_str(), "psk" | "wep");
        self.enable(RowAction::ChangePassphrase, passphrase);
        // a hidden network's placeholder has no settings of its own
        self.enable(RowAction::Edit, !s.hidden());
        imp.split_label.set_visible(s.split_routing());
        let type_ = s.service_type();
        let state = s.service_state();
        let name = text::display_name(&s.name(), s.hidden());
        // hostile data: set as plain text, never markup
        set_text(&imp.name_label, &name);
        let error = ServiceError::parse(&s.error());
        let error = (!s.error().is_empty()).then_some(&error);
        set_text(
            &imp.subtitle_label,
            &text::service_subtitle(&text::ServiceFacts {
                name: &s.name(),
                type_: &type_,
                state: &state,
                error,
                favorite: s.favorite(),
                interface: &s.interface(),
            }),
        );
        self.show_icon(&s);
        imp.lock_icon.set_visible(s.secured());
        let busy = s.is_busy();
        imp.spinner.set_visible(busy);
        imp.spinner.set_spinning(busy);
        let (action, label, _) = connect_button(&s);
        let button = &imp.action_button;
        if button.label().as_deref() != Some(label.as_str()) {
            button.set_label(&label);
            // which names the button by its label again
            imp.spoken.borrow_mut().button.clear();
        }
        let target = s.path().to_variant();
        if button.action_target_value().as_ref() != Some(&target) {
            button.set_action_target_value(Some(&target));
        }
        if button.action_name().as_deref() != Some(action.detailed()) {
            button.set_action_name(Some(action.detailed()));
        }
        // the label stays short; the tooltip (asked for on hover) and the
        // accessible name say which network
        self.speak(&s);
        let class = if state.is_connected() {
            Some("cn-connected")
        } else if state.is_failure() {
            Some("cn-failed")
        } else {
            None
        };
        set_class(self.upcast_ref(), &["cn-connected", "cn-failed"], class);
    }
}

/// The button's action, label and tooltip for `s` as it is now.
fn connect_button(s: &ServiceObject) -> (super::WinAction, String, String) {
    let name = text::display_name(&s.name(), s.hidden());
    super::connect_button(s.is_busy(), s.service_state().is_connected(), &name)
}

/// Names and describes the list's item around a row (what the keyboard
/// focus lands on when moving through the list).
fn name_card(card: &gtk::Widget, name: &str, description: &str) {
    super::access::set_label(card, name);
    super::access::set_description(card, description);
}

// Setters that leave an unchanged widget alone: GTK restyles, resizes or
// redraws on some setters even when the value is the same.

fn set_text(label: &gtk::Label, text: &str) {
    if label.label() != text {
        label.set_label(text);
    }
}

/// Leaves `widget` with `class` (or none) of `classes`.
fn set_class(widget: &gtk::Widget, classes: &[&str], class: Option<&str>) {
    for c in classes {
        if Some(*c) != class && widget.has_css_class(c) {
            widget.remove_css_class(c);
        }
    }
    if let Some(c) = class {
        if !widget.has_css_class(c) {
            widget.add_css_class(c);
        }
    }
}
