//! One service in the list: type/strength icon, the name (literally), state
//! and "Saved", a lock for secured networks, progress while connecting, and
//! one button that connects, disconnects or cancels.

use std::cell::RefCell;

use adw::subclass::prelude::*;
use gtk::prelude::*;
use gtk::{glib, CompositeTemplate};

use super::text;
use super::WinAction;
use crate::connman::ServiceError;
use crate::i18n::{gettext, gettext_f};
use crate::model::ServiceObject;

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
        pub(super) service: RefCell<Option<(ServiceObject, glib::SignalHandlerId)>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ServiceRow {
        const NAME: &'static str = "CnServiceRow";
        type Type = super::ServiceRow;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ServiceRow {
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
        let handler = service.connect_notify_local(
            None,
            glib::clone!(
                #[weak(rename_to = row)]
                self,
                move |_, _| row.update()
            ),
        );
        self.imp().service.replace(Some((service.clone(), handler)));
        self.update();
    }

    pub fn unbind(&self) {
        if let Some((service, handler)) = self.imp().service.take() {
            service.disconnect(handler);
        }
    }

    pub fn service(&self) -> Option<ServiceObject> {
        self.imp().service.borrow().as_ref().map(|(s, _)| s.clone())
    }

    /// The row's button (connect, disconnect or cancel).
    pub fn button(&self) -> gtk::Button {
        self.imp().action_button.get()
    }

    /// The name as shown.
    pub fn name_text(&self) -> String {
        self.imp().name_label.text().into()
    }

    pub fn subtitle_text(&self) -> String {
        self.imp().subtitle_label.text().into()
    }

    fn update(&self) {
        let Some(s) = self.service() else {
            return;
        };
        let imp = self.imp();
        let type_ = s.service_type();
        let state = s.service_state();
        let name = text::display_name(&s.name(), s.hidden());
        // hostile data: set as plain text, never markup
        imp.name_label.set_label(&name);
        imp.name_label.set_tooltip_text(Some(&name));
        let error = ServiceError::parse(&s.error());
        let error = (!s.error().is_empty()).then_some(&error);
        imp.subtitle_label
            .set_label(&text::service_subtitle(&text::ServiceFacts {
                name: &s.name(),
                type_: &type_,
                state: &state,
                error,
                favorite: s.favorite(),
                interface: &s.interface(),
            }));
        imp.type_icon
            .set_icon_name(Some(text::service_icon(&type_, s.strength_level())));
        imp.type_icon
            .set_tooltip_text(Some(&text::type_name(&type_)));
        imp.lock_icon.set_visible(s.secured());
        let busy = s.is_busy();
        imp.spinner.set_visible(busy);
        imp.spinner.set_spinning(busy);
        let (action, label, described) = if busy {
            (
                WinAction::DisconnectService,
                gettext("Cancel"),
                gettext_f("Cancel connecting to {}", &[&name]),
            )
        } else if state.is_connected() {
            (
                WinAction::DisconnectService,
                gettext("Disconnect"),
                gettext_f("Disconnect from {}", &[&name]),
            )
        } else {
            (
                WinAction::ConnectService,
                gettext("Connect"),
                gettext_f("Connect to {}", &[&name]),
            )
        };
        let button = &imp.action_button;
        button.set_label(&label);
        button.set_action_target_value(Some(&s.path().to_variant()));
        button.set_action_name(Some(action.detailed()));
        // the label stays short; the tooltip says which network
        button.set_tooltip_text(Some(&described));
        let css = ["cn-connected", "cn-failed"];
        for c in css {
            self.remove_css_class(c);
        }
        if state.is_connected() {
            self.add_css_class("cn-connected");
        } else if state.is_failure() {
            self.add_css_class("cn-failed");
        }
    }
}
