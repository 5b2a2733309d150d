//! A QR code drawn with cairo rectangles at a whole number of pixels per
//! module (crisp at any size on GTK 4.8, where a scaled texture blurs),
//! black on white with its quiet zone whatever the style, so a phone reads
//! it in dark mode too.

use std::cell::RefCell;
use std::rc::Rc;

use gtk::prelude::*;

use crate::model::hotspot::{layout, Modules};

/// The smallest side drawn, in pixels (phones read ~190 px well from a
/// laptop screen).
pub const SIDE: i32 = 200;

/// Paints `modules` (or only the white square) centred in `w` × `h`.
pub fn paint(cr: &gtk::cairo::Context, modules: Option<&Modules>, w: i32, h: i32) {
    let side = w.min(h);
    let (x0, y0) = ((w - side) / 2, (h - side) / 2);
    cr.set_source_rgb(1.0, 1.0, 1.0);
    cr.rectangle(x0.into(), y0.into(), side.into(), side.into());
    let _ = cr.fill();
    let Some(modules) = modules else {
        return;
    };
    let (module, offset) = layout(modules.width, side);
    cr.set_source_rgb(0.0, 0.0, 0.0);
    for y in 0..modules.width {
        for x in 0..modules.width {
            if modules.is_dark(x, y) {
                cr.rectangle(
                    f64::from(x0 + offset + x as i32 * module),
                    f64::from(y0 + offset + y as i32 * module),
                    f64::from(module),
                    f64::from(module),
                );
            }
        }
    }
    let _ = cr.fill();
}

/// A drawing area showing one QR code.
#[derive(Clone)]
pub struct QrCode {
    area: gtk::DrawingArea,
    modules: Rc<RefCell<Option<Modules>>>,
}

impl Default for QrCode {
    fn default() -> Self {
        Self::new()
    }
}

impl QrCode {
    pub fn new() -> QrCode {
        // an image to assistive technology (GTK 4.8 leaves a drawing area
        // a filler, which screen readers skip)
        let area = gtk::DrawingArea::builder()
            .accessible_role(gtk::AccessibleRole::Img)
            .content_width(SIDE)
            .content_height(SIDE)
            .halign(gtk::Align::Center)
            .valign(gtk::Align::Center)
            .build();
        area.add_css_class("qr-code");
        let modules: Rc<RefCell<Option<Modules>>> = Rc::default();
        let m = modules.clone();
        area.set_draw_func(move |_, cr, w, h| paint(cr, m.borrow().as_ref(), w, h));
        QrCode { area, modules }
    }

    pub fn widget(&self) -> &gtk::DrawingArea {
        &self.area
    }

    /// Shows the code of `text`, described to assistive technology as
    /// `description`; `false` (and nothing shown) when it does not fit.
    pub fn set(&self, text: &str, description: &str) -> bool {
        let modules = Modules::encode(text);
        let fits = modules.is_some();
        self.modules.replace(modules);
        crate::ui::access::set_label(&self.area, description);
        self.area.queue_draw();
        fits
    }

    /// The modules shown (for the tests' round trip).
    pub fn modules(&self) -> Option<Modules> {
        self.modules.borrow().clone()
    }
}
