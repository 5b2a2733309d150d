//! One connman-vpnd connection in the VPN section: name (literally), type,
//! host and state, and a button that connects, disconnects or cancels
//! (through connmand's service for it).

use std::cell::RefCell;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{glib, CompositeTemplate};

use crate::connman::types::VpnState;
use crate::i18n::gettext;
use crate::model::VpnObject;
use crate::text;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(file = "vpn_row.ui")]
    pub struct VpnRow {
        #[template_child]
        pub(super) spinner: TemplateChild<gtk::Spinner>,
        #[template_child]
        pub(super) action_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) menu_button: TemplateChild<gtk::MenuButton>,
        pub(super) vpn: RefCell<Option<(VpnObject, glib::SignalHandlerId)>>,
        /// The button's accessible name, as last set.
        pub(super) button_name: RefCell<String>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for VpnRow {
        const NAME: &'static str = "CnVpnRow";
        type Type = super::VpnRow;
        type ParentType = adw::ActionRow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for VpnRow {
        fn dispose(&self) {
            if let Some((vpn, handler)) = self.vpn.take() {
                vpn.disconnect(handler);
            }
        }
    }

    impl WidgetImpl for VpnRow {}
    impl ListBoxRowImpl for VpnRow {}
    impl PreferencesRowImpl for VpnRow {}
    impl ActionRowImpl for VpnRow {}
}

glib::wrapper! {
    pub struct VpnRow(ObjectSubclass<imp::VpnRow>)
        @extends adw::ActionRow, adw::PreferencesRow, gtk::ListBoxRow, gtk::Widget,
        @implements gtk::Actionable, gtk::Buildable, gtk::ConstraintTarget;
}

impl VpnRow {
    /// A row showing `vpn`, following its changes for as long as it lives.
    pub fn new(vpn: &VpnObject) -> Self {
        let row: Self = glib::Object::new();
        let handler = vpn.connect_notify_local(
            None,
            glib::clone!(
                #[weak]
                row,
                move |_, _| row.update()
            ),
        );
        row.imp().vpn.replace(Some((vpn.clone(), handler)));
        // Edit and Delete, for this connection (provisioned ones refuse
        // both: connman-vpnd answers NotSupported, which the toast says)
        let menu = gtk::gio::Menu::new();
        let target = vpn.path().to_variant();
        for (label, action) in [
            (gettext("_Edit…"), super::WinAction::EditVpn),
            (gettext("_Delete…"), super::WinAction::DeleteVpn),
        ] {
            let item = gtk::gio::MenuItem::new(Some(&label), None);
            item.set_action_and_target_value(Some(action.detailed()), Some(&target));
            menu.append_item(&item);
        }
        row.imp().menu_button.set_menu_model(Some(&menu));
        row.update();
        row
    }

    pub fn vpn(&self) -> Option<VpnObject> {
        self.imp().vpn.borrow().as_ref().map(|(v, _)| v.clone())
    }

    /// The menu button (Edit, Delete).
    pub fn menu_button(&self) -> gtk::MenuButton {
        self.imp().menu_button.get()
    }

    /// The connect / disconnect / cancel button.
    pub fn button(&self) -> gtk::Button {
        self.imp().action_button.get()
    }

    fn update(&self) {
        let Some(v) = self.vpn() else {
            return;
        };
        let imp = self.imp();
        // hostile data, made safe to show as the services' names are (one
        // line, isolated from the text around it); the row's markup is off
        // (see the .ui)
        let name = text::display_name(&v.name(), false);
        self.set_title(&name);
        let state = VpnState::parse(&v.state());
        self.set_subtitle(&text::vpn_subtitle(
            &v.kind(),
            &v.host(),
            &state,
            v.split_routing(),
        ));
        let busy = v.is_busy();
        imp.spinner.set_visible(busy);
        imp.spinner.set_spinning(busy);
        let (action, label, described) = super::connect_button(busy, v.is_connected(), &name);
        crate::ui::access::set_label(
            &imp.menu_button.get(),
            &crate::i18n::gettext_f("More options for {}", &[&name]),
        );
        let button = &imp.action_button;
        if button.label().as_deref() != Some(label.as_str()) {
            button.set_label(&label);
            // which names the button by its label again
            imp.button_name.borrow_mut().clear();
        }
        // named as a service row's button is ("Connect to Lab VPN")
        if *imp.button_name.borrow() != described {
            super::access::set_label(&**button, &described);
            imp.button_name.replace(described.clone());
        }
        button.set_action_target_value(Some(&v.service_path().to_variant()));
        button.set_action_name(Some(action.detailed()));
        // a tooltip set queries the pointer from the X server: only a new one
        if button.tooltip_text().as_deref() != Some(described.as_str()) {
            button.set_tooltip_text(Some(&described));
        }
        // its routes and state decide which moves connmand allows
        let _ = self.activate_action(super::WinAction::RefreshMoves.detailed(), None);
    }
}
