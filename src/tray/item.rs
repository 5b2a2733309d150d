//! The StatusNotifierItem (ksni) over a [`Look`] and its menu [`Entry`]s.
//! Its callbacks only send a [`Command`] on a channel: they run on ksni's
//! executor, and all work happens on the main context that reads it.

use ksni::menu::{CheckmarkItem, StandardItem};
use ksni::{Category, MenuItem, Status, ToolTip};

use super::look::{self, Command, Entry, Look};
use crate::connman::state::State;

/// The tray item's contents, rebuilt from the client's state.
pub struct ConnieTray {
    look: Look,
    entries: Vec<Entry>,
    commands: async_channel::Sender<Command>,
}

impl ConnieTray {
    pub fn new(state: &State, commands: async_channel::Sender<Command>) -> ConnieTray {
        ConnieTray {
            look: look::look(state),
            entries: look::menu(state),
            commands,
        }
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
        } else {
            Status::Active
        }
    }

    fn icon_name(&self) -> String {
        self.look.icon.to_owned()
    }

    fn overlay_icon_name(&self) -> String {
        self.look.overlay.unwrap_or("").to_owned()
    }

    fn attention_icon_name(&self) -> String {
        "network-error-symbolic".to_owned()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            icon_name: self.look.icon.to_owned(),
            icon_pixmap: Vec::new(),
            title: self.look.title.clone(),
            description: self.look.tooltip.clone(),
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(Command::OpenWindow);
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
                            icon_name: (*icon).to_owned(),
                            checked: *checked,
                            activate,
                            ..Default::default()
                        }
                        .into(),
                        None => StandardItem {
                            label: label.clone(),
                            icon_name: (*icon).to_owned(),
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
