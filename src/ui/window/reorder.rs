//! Reordering: the rows' moves (Move up/down, Alt+Up/Down) and drag and
//! drop, checked against connmand's move rules before anything is sent.

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use super::super::service_row::ServiceRow;
use super::Window;
use crate::i18n::gettext;
use crate::model::moves::{self, MoveKind, Refusal};

impl Window {
    /// Queues a refresh of the rows' "Move up"/"Move down", once on idle
    /// however many rows changed (a re-sort rebinds dozens at once).
    pub(super) fn schedule_refresh_moves(&self) {
        if self.imp().refresh_queued.replace(true) {
            return;
        }
        glib::idle_add_local_once(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move || {
                win.imp().refresh_queued.set(false);
                win.refresh_moves();
            }
        ));
    }

    /// Enables each row's moves as connmand's rules allow, and marks where
    /// the service being dragged may go.
    pub fn refresh_moves(&self) {
        let Some(client) = self.backend().client() else {
            return;
        };
        let rows = self.service_rows();
        let dragging = self.imp().dragging.borrow().clone();
        let verdicts: Vec<(bool, bool, Option<bool>)> = {
            let state = client.state();
            rows.iter()
                .map(|row| {
                    let Some(path) = row.service().map(|s| s.path()) else {
                        return (false, false, None);
                    };
                    let up = moves::move_up(&state, &path).is_ok();
                    let down = moves::move_down(&state, &path).is_ok();
                    let take = dragging.as_deref().filter(|d| *d != path).map(|d| {
                        moves::allowed_drop(&state, d, &path, true).is_ok()
                            || moves::allowed_drop(&state, d, &path, false).is_ok()
                    });
                    (up, down, take)
                })
                .collect()
        };
        for (row, (up, down, take)) in rows.iter().zip(verdicts) {
            row.set_moves(up, down);
            row.mark_drag(take);
        }
    }

    /// A drag of `path` started: the rows show where it may go.
    pub fn drag_began(&self, path: &str) {
        self.imp().last_refusal.set(None);
        self.imp().dragging.replace(Some(path.to_owned()));
        self.refresh_moves();
    }

    pub fn drag_ended(&self) {
        self.imp().dragging.replace(None);
        self.refresh_moves();
    }

    /// The service being dragged, if any.
    pub fn dragging(&self) -> Option<String> {
        self.imp().dragging.borrow().clone()
    }

    /// Answers a service row's drag-and-drop questions (its `drop-allowed`
    /// and `drop-service` signals).
    pub(super) fn follow_drops(&self, row: &ServiceRow) {
        row.connect_closure(
            "drop-allowed",
            false,
            glib::closure_local!(
                #[watch(rename_to = win)]
                self,
                move |_: ServiceRow, target: String, before: bool| -> bool {
                    win.drop_allowed(&target, before)
                }
            ),
        );
        row.connect_closure(
            "drop-service",
            false,
            glib::closure_local!(
                #[watch(rename_to = win)]
                self,
                move |_: ServiceRow, moving: String, target: String, before: bool| -> bool {
                    win.drop_service(&moving, &target, before)
                }
            ),
        );
    }

    /// Whether the service being dragged may be dropped before (`before`)
    /// or after `target`.
    pub fn drop_allowed(&self, target: &str, before: bool) -> bool {
        let (Some(client), Some(moving)) = (self.backend().client(), self.dragging()) else {
            return false;
        };
        let verdict = moves::allowed_drop(&client.state(), &moving, target, before);
        // kept for when the drag ends nowhere: the person then learns why
        self.imp().last_refusal.set(verdict.err());
        verdict.is_ok()
    }

    /// The drag ended without a drop: if it last hovered a place connmand
    /// would refuse, say why.
    pub fn drag_canceled(&self) {
        if let Some(why) = self.imp().last_refusal.take() {
            self.refuse_move(why);
        }
    }

    /// A drop of `moving` before (`before`) or after `target`: what the
    /// rows' DropTarget calls. An illegal move is refused here, with the
    /// reason in a toast, and never reaches connmand (false); an allowed
    /// one is asked of connmand (true), and the list then shows the order
    /// connmand reports.
    pub fn drop_service(&self, moving: &str, target: &str, before: bool) -> bool {
        let Some(client) = self.backend().client() else {
            return false;
        };
        let verdict = moves::allowed_drop(&client.state(), moving, target, before);
        match verdict {
            Ok(kind) => {
                self.perform_move(moving, target, kind);
                true
            }
            Err(why) => {
                self.refuse_move(why);
                false
            }
        }
    }

    pub(super) fn refuse_move(&self, why: Refusal) {
        self.toast(&gettext(why.sentence()), 6);
    }

    /// "Move up" (`down` false) or "Move down" of `path`, refused with the
    /// reason when connmand would not do it.
    pub fn move_step(&self, path: &str, down: bool) {
        let Some(client) = self.backend().client() else {
            return;
        };
        let verdict = if down {
            moves::move_down(&client.state(), path)
        } else {
            moves::move_up(&client.state(), path)
        };
        match verdict {
            Ok((target, kind)) => self.perform_move(path, &target, kind),
            Err(why) => self.refuse_move(why),
        }
    }

    /// Alt+Up / Alt+Down: moves the service whose row has the focus; false
    /// when no row has it.
    pub fn move_focused(&self, down: bool) -> bool {
        let Some(focus) = gtk::prelude::GtkWindowExt::focus(self) else {
            return false;
        };
        // the focus is on the list item (the row's parent) or inside the row
        let row = focus
            .first_child()
            .and_downcast::<ServiceRow>()
            .or_else(|| focus.ancestor(ServiceRow::static_type()).and_downcast());
        let Some(path) = row.and_then(|r| r.service()).map(|s| s.path()) else {
            return false;
        };
        self.move_step(&path, down);
        true
    }

    pub(super) fn perform_move(&self, moving: &str, target: &str, kind: MoveKind) {
        let backend = self.backend().clone();
        let (moving, target) = (moving.to_owned(), target.to_owned());
        self.command(async move { backend.move_service(&moving, &target, kind).await });
    }
}
