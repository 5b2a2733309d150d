//! One technology: its power switch, and for wifi a rescan button and a
//! spinner while a scan runs.

use std::cell::RefCell;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{glib, CompositeTemplate};

use super::WinAction;
use crate::connman::TechnologyType;
use crate::i18n::{gettext, gettext_f};
use crate::model::TechnologyObject;
use crate::text;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(file = "technology_row.ui")]
    pub struct TechnologyRow {
        #[template_child]
        pub(super) icon: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) spinner: TemplateChild<gtk::Spinner>,
        #[template_child]
        pub(super) rescan_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) power_switch: TemplateChild<gtk::Switch>,
        pub(super) technology: RefCell<Option<(TechnologyObject, glib::SignalHandlerId)>>,
        /// The power switch's accessible name, as last set.
        pub(super) switch_name: RefCell<String>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for TechnologyRow {
        const NAME: &'static str = "CnTechnologyRow";
        type Type = super::TechnologyRow;
        type ParentType = adw::ActionRow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for TechnologyRow {
        fn constructed(&self) {
            self.parent_constructed();
            let row = self.obj();
            self.power_switch.connect_state_set(glib::clone!(
                #[weak]
                row,
                #[upgrade_or]
                glib::Propagation::Proceed,
                move |_, on| row.power_requested(on)
            ));
        }

        fn dispose(&self) {
            if let Some((t, handler)) = self.technology.take() {
                t.disconnect(handler);
            }
        }
    }

    impl WidgetImpl for TechnologyRow {}
    impl ListBoxRowImpl for TechnologyRow {}
    impl PreferencesRowImpl for TechnologyRow {}
    impl ActionRowImpl for TechnologyRow {}
}

glib::wrapper! {
    pub struct TechnologyRow(ObjectSubclass<imp::TechnologyRow>)
        @extends adw::ActionRow, adw::PreferencesRow, gtk::ListBoxRow, gtk::Widget,
        @implements gtk::Actionable, gtk::Buildable, gtk::ConstraintTarget;
}

impl TechnologyRow {
    pub fn new(technology: &TechnologyObject) -> Self {
        let row: Self = glib::Object::new();
        let handler = technology.connect_notify_local(
            None,
            glib::clone!(
                #[weak]
                row,
                move |_, _| row.update()
            ),
        );
        row.imp()
            .technology
            .replace(Some((technology.clone(), handler)));
        row.update();
        row
    }

    pub fn technology(&self) -> Option<TechnologyObject> {
        self.imp()
            .technology
            .borrow()
            .as_ref()
            .map(|(t, _)| t.clone())
    }

    pub fn power_switch(&self) -> gtk::Switch {
        self.imp().power_switch.get()
    }

    pub fn rescan_button(&self) -> gtk::Button {
        self.imp().rescan_button.get()
    }

    /// The switch was flipped: ask connmand, and let the model move the
    /// switch's state when connmand says so.
    fn power_requested(&self, on: bool) -> glib::Propagation {
        let Some(t) = self.technology() else {
            return glib::Propagation::Proceed;
        };
        if t.powered() == on {
            return glib::Propagation::Proceed;
        }
        let _ = self.activate_action(
            WinAction::SetPowered.detailed(),
            Some(&(t.path(), on).to_variant()),
        );
        glib::Propagation::Stop
    }

    fn update(&self) {
        let Some(t) = self.technology() else {
            return;
        };
        let imp = self.imp();
        let type_ = t.technology_type();
        let name = text::technology_name(&type_, &t.name());
        self.set_title(&name);
        // the switch was read as the row's title alone ("Wi-Fi"): it says
        // what it switches
        // Translators: the name of the switch that turns Wi-Fi (or Wired, ...) on and off
        let switch_name = gettext_f("{} power", &[&name]);
        if *imp.switch_name.borrow() != switch_name {
            super::access::set_label(&*imp.power_switch, &switch_name);
            imp.switch_name.replace(switch_name);
        }
        imp.icon.set_icon_name(Some(text::technology_icon(&type_)));
        let subtitle = if t.scanning() {
            gettext("Looking for networks…")
        } else if t.connected() {
            gettext("Connected")
        } else if t.powered() {
            gettext("On")
        } else {
            gettext("Off")
        };
        self.set_subtitle(&subtitle);
        let switch = &imp.power_switch;
        switch.set_state(t.powered());
        switch.set_active(t.powered());
        let wifi = type_ == TechnologyType::Wifi;
        imp.rescan_button.set_visible(wifi);
        imp.rescan_button
            .set_action_target_value(Some(&t.path().to_variant()));
        imp.rescan_button
            .set_action_name(Some(WinAction::ScanTechnology.detailed()));
        imp.rescan_button
            .set_sensitive(t.powered() && !t.scanning());
        imp.spinner.set_visible(t.scanning());
        imp.spinner.set_spinning(t.scanning());
    }
}
