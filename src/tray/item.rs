//! The StatusNotifierItem (ksni) over a [`Look`] and its menu [`Entry`]s.
//! Its callbacks only send a [`Command`] on a channel: they run on ksni's
//! executor, and all work happens on the main context that reads it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ksni::menu::{CheckmarkItem, StandardItem};
use ksni::{Category, MenuItem, OfflineReason, Status, ToolTip};

use super::icons::IconNames;
use super::look::{self, Command, Entry, Look};
use crate::connman::state::State;

/// The tray item's contents, rebuilt from the client's state.
pub struct ConnieTray {
    look: Look,
    entries: Vec<Entry>,
    commands: async_channel::Sender<Command>,
    /// Show as passive (hosts may hide the icon) unless something needs
    /// attention.
    attention_only: bool,
    /// Whether a StatusNotifierWatcher took the item (ksni tells).
    host: Arc<AtomicBool>,
    icon_theme_path: String,
    /// The names this desktop's tray expects.
    icons: IconNames,
}

impl ConnieTray {
    pub fn new(state: &State, commands: async_channel::Sender<Command>) -> ConnieTray {
        ConnieTray {
            look: look::look(state),
            entries: look::menu(state),
            commands,
            attention_only: false,
            host: Arc::new(AtomicBool::new(true)),
            icon_theme_path: icon_theme_path(),
            icons: IconNames::from_env(),
        }
    }

    /// Sends `icons`' names instead of those of this session's desktop.
    pub fn with_icons(mut self, icons: IconNames) -> ConnieTray {
        self.icons = icons;
        self
    }

    /// Shows `look` and `entries`; true if anything changed.
    pub fn set(&mut self, look: Look, entries: Vec<Entry>, attention_only: bool) -> bool {
        let changed =
            look != self.look || entries != self.entries || attention_only != self.attention_only;
        self.look = look;
        self.entries = entries;
        self.attention_only = attention_only;
        changed
    }

    /// Set to false while no tray host has the item.
    pub fn host_flag(&self) -> Arc<AtomicBool> {
        self.host.clone()
    }

    /// Follows a new state; true if anything the host shows changed (so a
    /// storm of identical updates sends nothing).
    pub fn refresh(&mut self, state: &State) -> bool {
        let look = look::look(state);
        let entries = look::menu(state);
        let changed = look != self.look || entries != self.entries;
        self.look = look;
        self.entries = entries;
        changed
    }

    pub fn look(&self) -> &Look {
        &self.look
    }

    fn send(&self, command: Command) {
        let _ = self.commands.try_send(command);
    }
}

impl ksni::Tray for ConnieTray {
    fn id(&self) -> String {
        crate::config::APP_ID.to_owned()
    }

    fn category(&self) -> Category {
        Category::Hardware
    }

    fn title(&self) -> String {
        self.look.title.clone()
    }

    fn status(&self) -> Status {
        if self.look.needs_attention {
            Status::NeedsAttention
        } else if self.attention_only {
            Status::Passive
        } else {
            Status::Active
        }
    }

    fn icon_theme_path(&self) -> String {
        self.icon_theme_path.clone()
    }

    fn watcher_online(&self) {
        self.host.store(true, Ordering::SeqCst);
        self.send(Command::HostAppeared);
    }

    fn watcher_offline(&self, reason: OfflineReason) -> bool {
        if let OfflineReason::Error(e) = reason {
            tracing::info!("no tray host: {e}");
        }
        self.host.store(false, Ordering::SeqCst);
        self.send(Command::HostGone);
        // keep serving: a host may appear later (a panel restarting)
        true
    }

    fn icon_name(&self) -> String {
        self.icons.name(self.look.icon).to_owned()
    }

    fn overlay_icon_name(&self) -> String {
        self.icons.name(self.look.overlay.unwrap_or("")).to_owned()
    }

    fn attention_icon_name(&self) -> String {
        self.icons.name("network-error-symbolic").to_owned()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            icon_name: self.icons.name(self.look.icon).to_owned(),
            icon_pixmap: Vec::new(),
            title: self.look.title.clone(),
            description: self.look.tooltip.clone(),
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(Command::ToggleWindow);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        self.entries
            .iter()
            .map(|e| match e {
                Entry::Separator => MenuItem::Separator,
                Entry::Header(label) => StandardItem {
                    label: label.clone(),
                    enabled: false,
                    ..Default::default()
                }
                .into(),
                Entry::Item {
                    label,
                    icon,
                    checked,
                    command,
                } => {
                    let command = command.clone();
                    let activate = Box::new(move |this: &mut ConnieTray| {
                        if let Some(c) = &command {
                            this.send(c.clone());
                        }
                    });
                    match checked {
                        Some(checked) => CheckmarkItem {
                            label: label.clone(),
                            icon_name: self.icons.name(icon).to_owned(),
                            checked: *checked,
                            activate,
                            ..Default::default()
                        }
                        .into(),
                        None => StandardItem {
                            label: label.clone(),
                            icon_name: self.icons.name(icon).to_owned(),
                            activate,
                            ..Default::default()
                        }
                        .into(),
                    }
                }
            })
            .collect()
    }
}

/// Where Connie's own copies of the status icons are, for hosts whose icon
/// theme lacks them: the source tree's `data/icons` when run from the build
/// tree, else `<prefix>/share/connie/icons` next to the executable's prefix.
pub fn icon_theme_path() -> String {
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/data/icons");
    let exe = std::env::current_exe().ok();
    let in_build_tree = exe
        .as_deref()
        .is_some_and(|e| e.starts_with(env!("CARGO_MANIFEST_DIR")));
    if in_build_tree && std::path::Path::new(source).is_dir() {
        return source.to_owned();
    }
    exe.as_deref()
        .and_then(|e| e.parent()?.parent())
        .map(|prefix| prefix.join("share/connie/icons"))
        .filter(|p| p.is_dir())
        .and_then(|p| p.to_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::ServiceType;
    use crate::text::service_icon;

    /// Every icon the item can name is shipped, for hosts whose theme lacks it.
    #[test]
    fn every_tray_icon_has_a_fallback() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/icons/hicolor/scalable/status");
        let mut names = vec![
            "network-error-symbolic",
            "airplane-mode-symbolic",
            "network-offline-symbolic",
            "network-wireless-acquiring-symbolic",
            "network-wired-acquiring-symbolic",
            "network-vpn-symbolic",
            "network-wireless-symbolic",
        ];
        for kind in [
            ServiceType::Wifi,
            ServiceType::Cellular,
            ServiceType::Ethernet,
            ServiceType::Vpn,
            ServiceType::Bluetooth,
            ServiceType::P2p,
            ServiceType::Gadget,
            ServiceType::Gps,
        ] {
            for level in -1..=4 {
                names.push(service_icon(&kind, level));
            }
        }
        // and under the names Plasma's trays get (a Plasma session with a
        // theme that lacks them still shows an icon)
        let plasma: Vec<&str> = names.iter().map(|n| IconNames::Plasma.name(n)).collect();
        names.extend(plasma);
        for name in names {
            let file = dir.join(format!("{name}.svg"));
            let svg = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert!(svg.contains("<svg"), "{name} is not an SVG");
        }
        assert_eq!(
            icon_theme_path(),
            concat!(env!("CARGO_MANIFEST_DIR"), "/data/icons"),
            "tests run from the build tree"
        );
    }
}
