//! Accessible names, descriptions and states on GTK 4.8. gtk4-rs (and
//! gtk4-sys) bind `GtkAccessible` only with their `v4_10` feature, which
//! needs GTK 4.10 to build; the four C functions used here are GTK 4.0's.
//! With `memory`, the only module with `unsafe` code: the declarations and
//! calls of those functions, each with one property or state and a value of the
//! type GTK documents for it.
#![allow(unsafe_code)]

use std::ffi::c_int;

use gtk::glib::translate::ToGlibPtr;
use gtk::glib::value::ToValue;
use gtk::prelude::*;

/// `GtkAccessible *` (every GtkWidget implements the interface).
type Accessible = *mut gtk::ffi::GtkWidget;
type GValue = gtk::glib::gobject_ffi::GValue;

extern "C" {
    fn gtk_accessible_update_property_value(
        accessible: Accessible,
        n_properties: c_int,
        properties: *mut gtk::ffi::GtkAccessibleProperty,
        values: *const GValue,
    );
    fn gtk_accessible_update_state_value(
        accessible: Accessible,
        n_states: c_int,
        states: *mut gtk::ffi::GtkAccessibleState,
        values: *const GValue,
    );
    fn gtk_accessible_reset_state(accessible: Accessible, state: gtk::ffi::GtkAccessibleState);
    fn gtk_accessible_reset_relation(
        accessible: Accessible,
        relation: gtk::ffi::GtkAccessibleRelation,
    );
}

fn accessible(widget: &impl IsA<gtk::Widget>) -> Accessible {
    widget.as_ref().to_glib_none().0
}

fn update_property(
    widget: &impl IsA<gtk::Widget>,
    property: gtk::ffi::GtkAccessibleProperty,
    value: gtk::glib::Value,
) {
    let mut properties = [property];
    let values = [value];
    // SAFETY: one property and one value of the type GTK documents for it
    // (a string for the label and description); the widget outlives the call.
    unsafe {
        gtk_accessible_update_property_value(
            accessible(widget),
            1,
            properties.as_mut_ptr(),
            values.as_ptr().cast(),
        );
    }
}

/// Makes `label` the whole of the name assistive technology reads for
/// `widget`.
///
/// GTK 4.8 names a widget by its label property followed by the labels of
/// whatever it is labelled by. A button's `set_label` sets both: the label
/// property to the raw text (mnemonic underscore included) and a
/// labelled-by relation to its child label, so a labelled button is read
/// twice ("_Cancel Cancel"), and a button labelled by another widget as
/// both ("Connect Connect to LabWPA2"); a switch in a row whose activatable
/// widget it is is labelled by the row's title. So the relation goes, and
/// the label property says `label` (from GTK 4.12, where a labelled-by
/// relation would win over the label property, the same holds). Call it
/// again after each `gtk::Button::set_label`, which sets the label property
/// back.
pub fn set_label(widget: &impl IsA<gtk::Widget>, label: &str) {
    // SAFETY: a relation GTK defines; resetting takes no value. The widget
    // outlives the call.
    unsafe {
        gtk_accessible_reset_relation(
            accessible(widget),
            gtk::ffi::GTK_ACCESSIBLE_RELATION_LABELLED_BY,
        );
    }
    update_property(
        widget,
        gtk::ffi::GTK_ACCESSIBLE_PROPERTY_LABEL,
        label.to_value(),
    );
}

/// Sets what assistive technology reads after `widget`'s name.
pub fn set_description(widget: &impl IsA<gtk::Widget>, description: &str) {
    update_property(
        widget,
        gtk::ffi::GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
        description.to_value(),
    );
}

/// Marks `widget`'s value as invalid (or not) for assistive technology.
pub fn set_invalid(widget: &impl IsA<gtk::Widget>, invalid: bool) {
    // SAFETY: the INVALID state takes a GtkAccessibleInvalidState value;
    // resetting takes none. The widget outlives the call.
    unsafe {
        if invalid {
            let mut states = [gtk::ffi::GTK_ACCESSIBLE_STATE_INVALID];
            let values = [gtk::AccessibleInvalidState::True.to_value()];
            gtk_accessible_update_state_value(
                accessible(widget),
                1,
                states.as_mut_ptr(),
                values.as_ptr().cast(),
            );
        } else {
            gtk_accessible_reset_state(accessible(widget), gtk::ffi::GTK_ACCESSIBLE_STATE_INVALID);
        }
    }
}
