//! The details page's traffic group: received and sent bytes and packets,
//! a live graph of the rates over the last minutes, and "Reset Counters".
//!
//! connmand reports traffic only to a registered counter. It is registered
//! (period 1 s) only while a details page shows, and unregistered when the
//! page goes back to the list or closes: one task does both, in the order
//! asked, so a quick back-and-forth never leaves a registration behind.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use adw::prelude::*;
use gtk::glib;

use crate::connman::client::Client;
use crate::connman::counter::Usage;
use crate::i18n::{gettext, gettext_f};
use crate::model::traffic::{Rate, TrafficHistory, MIN_SPAN};

/// connmand's poll period asked for, in seconds.
const PERIOD_S: u32 = 1;

/// The graph's colours: GNOME's blue 3 and orange 3, told apart by
/// people who confuse red and green; the sent line is also dashed.
const RECEIVED: (f64, f64, f64) = (0.208, 0.518, 0.894);
const SENT: (f64, f64, f64) = (0.902, 0.380, 0.0);

fn size(bytes: f64) -> String {
    glib::format_size(bytes.max(0.0) as u64).to_string()
}

fn per_second(bytes: f64) -> String {
    // Translators: a rate, e.g. "1.2 MB/s"
    gettext_f("{}/s", &[&size(bytes)])
}

fn totals(bytes: u64, packets: u64) -> String {
    gettext_f(
        "{} · {} packets",
        &[&size(bytes as f64), &packets.to_string()],
    )
}

/// What the graph says to assistive technology.
pub fn summary(history: &TrafficHistory) -> String {
    let (now, peak) = (history.current(), history.peak());
    gettext_f(
        "Traffic over the last {} seconds: receiving {} now, at most {}; sending {} now, at most {}.",
        &[
            &history.len().to_string(),
            &per_second(now.rx),
            &per_second(peak.rx),
            &per_second(now.tx),
            &per_second(peak.tx),
        ],
    )
}

/// Asks the keeper task to register (`Some`, for this client) or not.
type Want = async_channel::Sender<Option<Client>>;

pub struct TrafficView {
    group: adw::PreferencesGroup,
    received: gtk::Label,
    sent: gtk::Label,
    graph: gtk::DrawingArea,
    legend: gtk::Label,
    reset: gtk::Button,
    history: Rc<RefCell<TrafficHistory>>,
    /// The service followed.
    path: Rc<RefCell<Option<String>>>,
    want: RefCell<Option<Want>>,
    /// connmand has the counter registered (the keeper says so).
    registered: Rc<Cell<bool>>,
}

fn value_label() -> gtk::Label {
    let l = gtk::Label::builder()
        .use_markup(false)
        .selectable(true)
        .xalign(1.0)
        .valign(gtk::Align::Center)
        .build();
    l.add_css_class("dim-label");
    l.add_css_class("numeric");
    l
}

fn paint(cr: &gtk::cairo::Context, history: &TrafficHistory, w: i32, h: i32, fg: gtk::gdk::RGBA) {
    let (w, h) = (f64::from(w), f64::from(h));
    let scale = history.scale();
    // grid: four steps of the scale
    cr.set_source_rgba(fg.red().into(), fg.green().into(), fg.blue().into(), 0.15);
    cr.set_line_width(1.0);
    for i in 0..=4 {
        let y = (h - 1.0) * f64::from(i) / 4.0;
        cr.move_to(0.0, y.round() + 0.5);
        cr.line_to(w, y.round() + 0.5);
    }
    let _ = cr.stroke();
    let n = history.len();
    if n < 2 {
        return;
    }
    let step = w / (n.max(MIN_SPAN) - 1) as f64;
    let x0 = w - step * (n - 1) as f64;
    let rates: Vec<Rate> = history.rates().collect();
    for (pick, color, dash) in [
        ((|r: &Rate| r.rx) as fn(&Rate) -> f64, RECEIVED, &[][..]),
        ((|r: &Rate| r.tx) as fn(&Rate) -> f64, SENT, &[4.0, 3.0][..]),
    ] {
        cr.set_source_rgb(color.0, color.1, color.2);
        cr.set_line_width(2.0);
        cr.set_dash(dash, 0.0);
        for (i, r) in rates.iter().enumerate() {
            let x = x0 + step * i as f64;
            let y = h - 1.0 - (pick(r) / scale).min(1.0) * (h - 2.0);
            if i == 0 {
                cr.move_to(x, y);
            } else {
                cr.line_to(x, y);
            }
        }
        let _ = cr.stroke();
    }
    cr.set_dash(&[], 0.0);
}

impl TrafficView {
    pub fn new() -> Rc<TrafficView> {
        let group = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Traffic")))
            .visible(false)
            .build();
        let reset = gtk::Button::builder()
            .label(gettext("_Reset Counters"))
            .use_underline(true)
            .valign(gtk::Align::Center)
            .tooltip_text(gettext("Count from zero again"))
            .build();
        reset.add_css_class("flat");
        group.set_header_suffix(Some(&reset));
        let (received, sent) = (value_label(), value_label());
        for (title, label) in [(gettext("Received"), &received), (gettext("Sent"), &sent)] {
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&title))
                .build();
            row.add_suffix(label);
            group.add(&row);
        }
        let history: Rc<RefCell<TrafficHistory>> = Rc::default();
        let graph = gtk::DrawingArea::builder()
            .accessible_role(gtk::AccessibleRole::Img)
            .content_height(96)
            .hexpand(true)
            .margin_top(12)
            .margin_bottom(6)
            .margin_start(12)
            .margin_end(12)
            .build();
        let h = history.clone();
        graph.set_draw_func(move |area, cr, w, hgt| {
            #[allow(deprecated)]
            let fg = area.style_context().color();
            paint(cr, &h.borrow(), w, hgt, fg);
        });
        let legend = gtk::Label::builder()
            .use_markup(true)
            .xalign(0.0)
            .wrap(true)
            .margin_start(12)
            .margin_end(12)
            .margin_bottom(12)
            .build();
        legend.add_css_class("caption");
        let card = gtk::Box::new(gtk::Orientation::Vertical, 0);
        card.add_css_class("card");
        card.append(&graph);
        card.append(&legend);
        let graph_row = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .margin_top(12)
            .build();
        graph_row.append(&card);
        group.add(&graph_row);
        Rc::new(TrafficView {
            group,
            received,
            sent,
            graph,
            legend,
            reset,
            history,
            path: Rc::default(),
            want: RefCell::default(),
            registered: Rc::default(),
        })
    }

    pub fn widget(&self) -> &adw::PreferencesGroup {
        &self.group
    }

    pub fn reset_button(&self) -> &gtk::Button {
        &self.reset
    }

    /// Follows service `path` (registering the counter) or nothing (`None`:
    /// unregistering it).
    pub fn follow(self: &Rc<Self>, client: Option<&Client>, path: Option<&str>) {
        let changed = self.path.borrow().as_deref() != path;
        if changed {
            self.history.borrow_mut().clear();
            self.path.replace(path.map(str::to_owned));
        } else {
            // the same service again: connmand restarted
            self.history.borrow_mut().break_continuity();
        }
        if path.is_some() && client.is_some() {
            self.ensure_keeper();
        }
        if let Some(want) = self.want.borrow().as_ref() {
            let _ = want.try_send(path.and(client.cloned()));
        }
        self.show();
    }

    /// Shows whether the service is connected, and its traffic.
    pub fn set_connected(&self, connected: bool) {
        self.group.set_visible(connected);
    }

    /// The task that registers and unregisters, in the order asked, and
    /// hands the reports for the service followed to the view.
    fn ensure_keeper(self: &Rc<Self>) {
        if self.want.borrow().is_some() {
            return;
        }
        let (tx, rx) = async_channel::unbounded::<Option<Client>>();
        self.want.replace(Some(tx));
        let weak = Rc::downgrade(self);
        let said = self.registered.clone();
        glib::spawn_future_local(async move {
            enum Next {
                Want(Option<Option<Client>>),
                Usage(Option<Usage>),
            }
            // the client, its reports, and the connmand (bus name) that
            // took the registration
            let mut registered: Option<(Client, async_channel::Receiver<Usage>, Option<String>)> =
                None;
            loop {
                let usage = registered.as_ref().map(|(_, r, _)| r.clone());
                let next =
                    futures_lite::future::or(async { Next::Want(rx.recv().await.ok()) }, async {
                        match usage {
                            Some(r) => Next::Usage(r.recv().await.ok()),
                            None => std::future::pending().await,
                        }
                    })
                    .await;
                match next {
                    Next::Want(Some(Some(client))) => {
                        // a connmand that restarted has forgotten the
                        // counter: serve and register it anew
                        let owner = client.connman_owner();
                        if let Some((old, _, at)) = &registered {
                            if *at != owner {
                                let _ = old.unregister_counter().await;
                                registered = None;
                            }
                        }
                        if registered.is_none() && owner.is_some() {
                            match client.register_counter(0, PERIOD_S).await {
                                Ok(r) => {
                                    registered = Some((client, r, owner));
                                    said.set(true);
                                }
                                Err(e) => tracing::warn!("cannot register the counter: {e}"),
                            }
                        }
                    }
                    Next::Want(wanted) => {
                        // nothing wanted, or the view is gone
                        if let Some((client, _, _)) = registered.take() {
                            if let Err(e) = client.unregister_counter().await {
                                tracing::debug!("unregistering the counter: {e}");
                            }
                            said.set(false);
                        }
                        if wanted.is_none() {
                            return;
                        }
                    }
                    Next::Usage(Some(usage)) => {
                        if let Some(view) = weak.upgrade() {
                            view.usage(&usage);
                        }
                    }
                    // connmand released it (or went away)
                    Next::Usage(None) => {
                        registered = None;
                        said.set(false);
                    }
                }
            }
        });
    }

    fn usage(&self, usage: &Usage) {
        if self.path.borrow().as_deref() != Some(usage.service.as_str()) {
            return;
        }
        self.history
            .borrow_mut()
            .report(&usage.home, Instant::now());
        self.show();
    }

    /// Forgets what was counted (after connmand reset it).
    pub fn clear(&self) {
        self.history.borrow_mut().clear();
        self.show();
    }

    fn show(&self) {
        let h = self.history.borrow();
        let t = &h.totals;
        let known = h.reported;
        let text = |bytes, packets| {
            if known {
                totals(bytes, packets)
            } else {
                gettext("Counting…")
            }
        };
        self.received.set_label(&text(t.rx_bytes, t.rx_packets));
        self.sent.set_label(&text(t.tx_bytes, t.tx_packets));
        let now = h.current();
        self.legend.set_markup(&format!(
            "<span foreground=\"#3584e4\">━</span> {}   <span foreground=\"#e66100\">╍</span> {}   {}",
            glib::markup_escape_text(&gettext_f("Received {}", &[&per_second(now.rx)])),
            glib::markup_escape_text(&gettext_f("Sent {}", &[&per_second(now.tx)])),
            glib::markup_escape_text(&gettext_f("(scale: {})", &[&per_second(h.scale())])),
        ));
        crate::ui::access::set_label(&self.graph, &gettext("Traffic graph"));
        crate::ui::access::set_description(&self.graph, &summary(&h));
        self.graph.queue_draw();
    }

    /// The totals shown: (received, sent) as counted by connmand.
    pub fn totals(&self) -> (u64, u64) {
        let h = self.history.borrow();
        (h.totals.rx_bytes, h.totals.tx_bytes)
    }

    /// Whether connmand has reported the service followed.
    pub fn reported(&self) -> bool {
        self.history.borrow().reported
    }

    /// How many reports connmand sent for the service followed.
    pub fn reports(&self) -> u64 {
        self.history.borrow().reports
    }

    /// The rates the graph holds, and the latest: (count, received, sent).
    pub fn rates(&self) -> (usize, f64, f64) {
        let h = self.history.borrow();
        let now = h.current();
        (h.len(), now.rx, now.tx)
    }

    /// The received and sent lines as shown.
    pub fn texts(&self) -> (String, String) {
        (self.received.text().into(), self.sent.text().into())
    }

    #[cfg(any(test, feature = "test-support"))]
    /// Whether connmand has the counter registered (as of the last call).
    pub fn counter_registered(&self) -> bool {
        self.registered.get()
    }

    /// How many rates the graph holds, and its accessible summary.
    pub fn graph_summary(&self) -> (usize, String) {
        let h = self.history.borrow();
        (h.len(), summary(&h))
    }
}

impl Drop for TrafficView {
    fn drop(&mut self) {
        // the keeper unregisters, then ends
        if let Some(want) = self.want.take() {
            let _ = want.try_send(None);
        }
    }
}
