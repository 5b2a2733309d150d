//! "Date & Time": connmand's clock (`net.connman.Clock`): the time and time
//! zone, whether connmand sets them itself (from NTP, from the network) or
//! leaves them to be set by hand, its time servers and whether it has
//! synchronised with one. The time and time zone can be set here only while
//! their automatic setting is off, as connmand requires.
//!
//! net.connman.Clock is experimental upstream: the menu offers this page
//! only when connmand answers for it. Its properties are read when the page
//! opens and again after each change.

use std::cell::{Cell, RefCell};

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use crate::backend::{Backend, Outcome};
use crate::connman::types::{ClockProps, ClockSetting, UpdatePolicy};
use crate::i18n::{gettext, gettext_f};

/// Local time `t` (seconds since the epoch) as people read it.
fn local_time(t: u64) -> String {
    glib::DateTime::from_unix_local(t as i64)
        .and_then(|d| d.format("%x %X"))
        .map(|s| s.to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// Parses `YYYY-MM-DD HH:MM[:SS]` as local time.
pub fn parse_local_time(text: &str) -> Option<u64> {
    let text = text.trim();
    let (date, time) = text.split_once(' ')?;
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.trim().split(':').collect();
    if d.len() != 3 || !(2..=3).contains(&t.len()) {
        return None;
    }
    let year = d[0].parse().ok()?;
    let month = d[1].parse().ok()?;
    let day = d[2].parse().ok()?;
    let hour = t[0].parse().ok()?;
    let minute = t[1].parse().ok()?;
    let second: f64 = t.get(2).map_or(Some(0.0), |s| s.parse().ok())?;
    let dt = glib::DateTime::from_local(year, month, day, hour, minute, second).ok()?;
    u64::try_from(dt.to_unix()).ok()
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct ClockWindow {
        pub(super) backend: RefCell<Option<Backend>>,
        pub(super) props: RefCell<Option<ClockProps>>,
        /// When the props were read (the time shown runs on from there).
        pub(super) read_at: Cell<Option<std::time::Instant>>,
        pub(super) loading: Cell<bool>,
        pub(super) time_row: RefCell<Option<adw::ActionRow>>,
        pub(super) synced_row: RefCell<Option<adw::ActionRow>>,
        pub(super) auto_time: RefCell<Option<gtk::Switch>>,
        pub(super) set_time: RefCell<Option<adw::EntryRow>>,
        pub(super) auto_zone: RefCell<Option<gtk::Switch>>,
        pub(super) zone: RefCell<Option<adw::EntryRow>>,
        pub(super) servers: RefCell<Option<adw::EntryRow>>,
        /// What went wrong (a field's error or connmand's refusal).
        pub(super) message: RefCell<Option<(gtk::ListBoxRow, gtk::Label)>>,
        pub(super) ticker: RefCell<Option<glib::SourceId>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ClockWindow {
        const NAME: &'static str = "CnClockWindow";
        type Type = super::ClockWindow;
        type ParentType = adw::Window;
    }

    impl ObjectImpl for ClockWindow {
        fn dispose(&self) {
            if let Some(id) = self.ticker.take() {
                id.remove();
            }
        }
    }

    impl WidgetImpl for ClockWindow {}

    impl WindowImpl for ClockWindow {
        fn close_request(&self) -> glib::Propagation {
            if let Some(id) = self.ticker.take() {
                id.remove();
            }
            self.parent_close_request()
        }
    }

    impl AdwWindowImpl for ClockWindow {}
}

glib::wrapper! {
    pub struct ClockWindow(ObjectSubclass<imp::ClockWindow>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

fn switch_row(title: &str, subtitle: &str) -> (adw::ActionRow, gtk::Switch) {
    crate::ui::switch_row(title, Some(subtitle))
}

fn value_row(title: &str) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .title(glib::markup_escape_text(title))
        .build();
    row.add_css_class("property");
    row
}

impl ClockWindow {
    /// The page over `parent`, showing `props` (read just before).
    pub fn new(parent: &impl IsA<gtk::Window>, backend: &Backend, props: ClockProps) -> Self {
        let win: Self = glib::Object::builder()
            .property("accessible-role", crate::ui::dialog_role(false))
            .property("modal", true)
            .property("transient-for", parent)
            .property("default-width", 520)
            .property("default-height", 640)
            .property("title", gettext("Date & Time"))
            .build();
        win.imp().backend.replace(Some(backend.clone()));
        win.build();
        win.show_props(props);
        // the time shown runs on, once a second, while the page is open
        let weak = win.downgrade();
        let id = glib::timeout_add_seconds_local(1, move || {
            let Some(win) = weak.upgrade() else {
                return glib::ControlFlow::Break;
            };
            win.show_time();
            glib::ControlFlow::Continue
        });
        win.imp().ticker.replace(Some(id));
        win
    }

    fn backend(&self) -> Backend {
        self.imp().backend.borrow().clone().expect("set in new()")
    }

    fn build(&self) {
        let imp = self.imp();
        let page = adw::PreferencesPage::new();

        // what went wrong, at the top; the group shows only with it
        let top = adw::PreferencesGroup::builder().visible(false).build();
        let message = crate::ui::note_row("error");
        top.add(&message.0);
        page.add(&top);

        let time = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Time")))
            .build();
        let now = value_row(&gettext("Current Time"));
        time.add(&now);
        let (row, auto_time) = switch_row(
            &gettext("Set Time Automatically"),
            &gettext("From the network’s time servers (NTP)"),
        );
        time.add(&row);
        let set_time = adw::EntryRow::builder()
            .title(glib::markup_escape_text(&gettext(
                "New Time (YYYY-MM-DD HH:MM:SS)",
            )))
            .show_apply_button(true)
            .build();
        crate::ui::access::set_label(&set_time, &gettext("New Time"));
        time.add(&set_time);
        let synced = value_row(&gettext("Synchronised with a Time Server"));
        time.add(&synced);
        page.add(&time);

        let zone_group = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Time Zone")))
            .build();
        let (row, auto_zone) = switch_row(
            &gettext("Set Time Zone Automatically"),
            &gettext("ConnMan sets it when a network tells it"),
        );
        zone_group.add(&row);
        let zone = adw::EntryRow::builder()
            .title(glib::markup_escape_text(&gettext(
                "Time Zone (for example Europe/Berlin)",
            )))
            .show_apply_button(true)
            .build();
        crate::ui::access::set_label(&zone, &gettext("Time Zone"));
        zone_group.add(&zone);
        page.add(&zone_group);

        let servers_group = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Time Servers")))
            .description(glib::markup_escape_text(&gettext(
                "Used for every network, after those the network gives. Separate them \
                 with commas; leave empty for none.",
            )))
            .build();
        let servers = adw::EntryRow::builder()
            .title(glib::markup_escape_text(&gettext("Servers")))
            .show_apply_button(true)
            .build();
        crate::ui::access::set_label(&servers, &gettext("Time Servers"));
        servers_group.add(&servers);
        page.add(&servers_group);

        auto_time.connect_active_notify(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |s| {
                let policy = if s.is_active() {
                    UpdatePolicy::Auto
                } else {
                    UpdatePolicy::Manual
                };
                win.send(ClockSetting::TimeUpdates(policy));
            }
        ));
        auto_zone.connect_active_notify(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |s| {
                let policy = if s.is_active() {
                    UpdatePolicy::Auto
                } else {
                    UpdatePolicy::Manual
                };
                win.send(ClockSetting::TimezoneUpdates(policy));
            }
        ));
        set_time.connect_apply(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |e| match parse_local_time(&e.text()) {
                Some(t) => win.send(ClockSetting::Time(t)),
                None => win.say(Some(&gettext_f(
                    "“{}” is not a date and time such as 2026-12-07 17:30.",
                    &[&e.text()],
                ))),
            }
        ));
        zone.connect_apply(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |e| win.send(ClockSetting::Timezone(e.text().trim().to_owned()))
        ));
        servers.connect_apply(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |e| {
                let list: Vec<String> = e
                    .text()
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                win.send(ClockSetting::Timeservers(list));
            }
        ));

        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&adw::HeaderBar::new());
        page.set_vexpand(true);
        content.append(&page);
        adw::prelude::AdwWindowExt::set_content(self, Some(&content));
        let escape = gtk::ShortcutController::new();
        escape.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape"),
            Some(gtk::NamedAction::new("window.close")),
        ));
        self.add_controller(escape);
        imp.time_row.replace(Some(now));
        imp.synced_row.replace(Some(synced));
        imp.auto_time.replace(Some(auto_time));
        imp.set_time.replace(Some(set_time));
        imp.auto_zone.replace(Some(auto_zone));
        imp.zone.replace(Some(zone));
        imp.servers.replace(Some(servers));
        imp.message.replace(Some(message));
    }

    fn say(&self, text: Option<&str>) {
        if let Some((row, label)) = self.imp().message.borrow().as_ref() {
            row.set_visible(text.is_some());
            label.set_label(text.unwrap_or_default());
            if let Some(group) = row.ancestor(adw::PreferencesGroup::static_type()) {
                group.set_visible(text.is_some());
            }
        }
    }

    /// Sends one setting (checked first), then reads connmand's clock again.
    fn send(&self, setting: ClockSetting) {
        if self.imp().loading.get() {
            return;
        }
        if let Err(e) = setting.validate() {
            self.say(Some(&e.sentence()));
            return;
        }
        self.say(None);
        let win = self.clone();
        glib::spawn_future_local(async move {
            let backend = win.backend();
            let outcome = backend.set_clock(&setting).await;
            if let Outcome::Failed(f) = &outcome {
                win.say(Some(&f.why));
            }
            win.reread().await;
        });
    }

    /// Reads connmand's clock again and shows it.
    pub async fn reread(&self) {
        let Some(client) = self.backend().client() else {
            return;
        };
        match client.clock().await {
            Ok(props) => self.show_props(props),
            Err(e) => tracing::warn!("cannot read connmand's clock: {e}"),
        }
    }

    fn show_props(&self, props: ClockProps) {
        let imp = self.imp();
        imp.loading.set(true);
        let auto_time = props.time_updates != Some(UpdatePolicy::Manual);
        let auto_zone = props.timezone_updates != Some(UpdatePolicy::Manual);
        if let Some(s) = imp.auto_time.borrow().as_ref() {
            s.set_active(auto_time);
        }
        if let Some(s) = imp.auto_zone.borrow().as_ref() {
            s.set_active(auto_zone);
        }
        if let Some(e) = imp.set_time.borrow().as_ref() {
            e.set_visible(!auto_time);
        }
        if let Some(e) = imp.zone.borrow().as_ref() {
            e.set_text(props.timezone.as_deref().unwrap_or_default());
            e.set_editable(!auto_zone);
            e.set_show_apply_button(!auto_zone);
        }
        if let Some(e) = imp.servers.borrow().as_ref() {
            e.set_text(&props.timeservers.join(", "));
        }
        if let Some(r) = imp.synced_row.borrow().as_ref() {
            r.set_subtitle(&if props.timeserver_synced {
                gettext("Yes")
            } else {
                gettext("No")
            });
        }
        imp.props.replace(Some(props));
        imp.read_at.set(Some(std::time::Instant::now()));
        imp.loading.set(false);
        self.show_time();
    }

    fn show_time(&self) {
        let imp = self.imp();
        let props = imp.props.borrow();
        let Some(t) = props.as_ref().and_then(|p| p.time) else {
            return;
        };
        let elapsed = imp.read_at.get().map_or(0, |r| r.elapsed().as_secs());
        if let Some(r) = imp.time_row.borrow().as_ref() {
            r.set_subtitle(&glib::markup_escape_text(&local_time(t + elapsed)));
        }
    }

    #[cfg(any(test, feature = "test-support"))]
    /// The switches (automatic time, automatic time zone) and entries
    /// (time zone, time servers).
    pub fn widgets(&self) -> (gtk::Switch, gtk::Switch, adw::EntryRow, adw::EntryRow) {
        let imp = self.imp();
        (
            imp.auto_time.borrow().clone().unwrap(),
            imp.auto_zone.borrow().clone().unwrap(),
            imp.zone.borrow().clone().unwrap(),
            imp.servers.borrow().clone().unwrap(),
        )
    }

    #[cfg(any(test, feature = "test-support"))]
    /// What connmand's clock said when last read.
    pub fn props(&self) -> Option<ClockProps> {
        self.imp().props.borrow().clone()
    }

    #[cfg(any(test, feature = "test-support"))]
    /// What the page says went wrong, if anything.
    pub fn message(&self) -> Option<String> {
        self.imp()
            .message
            .borrow()
            .as_ref()
            .filter(|(row, _)| row.is_visible())
            .map(|(_, label)| label.text().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_parse_with_or_without_seconds() {
        let want = glib::DateTime::from_local(2026, 12, 7, 17, 30, 0.0)
            .unwrap()
            .to_unix() as u64;
        assert_eq!(parse_local_time("2026-12-07 17:30"), Some(want));
        assert_eq!(parse_local_time(" 2026-12-07 17:30:00 "), Some(want));
        assert_eq!(parse_local_time("2026-12-07 17:30:05"), Some(want + 5));
        for bad in [
            "",
            "17:30",
            "2026-13-07 17:30",
            "2026-12-07",
            "yesterday 5pm",
        ] {
            assert_eq!(parse_local_time(bad), None, "{bad}");
        }
    }
}
