//! Which moves connmand accepts in its priority list, decided before
//! anything is sent, so that a drag shows only the places a drop can go and
//! an illegal move never reaches connmand. Pure code over [`State`].
//!
//! connmand's rules (`__connman_service_move` in 1.41): the moving service
//! must be Favorite (else NotSupported); the target must exist, be Favorite
//! and differ (else InvalidService); their IP states must match (ready ≈
//! online: we compare connected-ness); a VPN as *target* needs routes of its
//! own (split routing), else InvalidService.

use crate::connman::client::vpn_connection_path;
use crate::connman::state::State;
use crate::connman::types::{ServiceProps, ServiceType};
use crate::i18n::N_;

/// What to ask connmand for an allowed drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// `moving.MoveBefore(target)`.
    Before,
    /// `moving.MoveAfter(target)`.
    After,
    /// A connected VPN dropped below a connected uplink: the two-step
    /// recipe (`Client::vpn_below_uplink`) that ends in split routing.
    VpnBelowUplink,
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The moving service is not known (any more).
    Unknown,
    /// The moving service is not saved.
    NotSaved,
    /// The target is the moving service itself.
    Same,
    /// The target is not known (any more).
    TargetUnknown,
    /// The target is not saved.
    TargetNotSaved,
    /// One is connected and the other not.
    StateMismatch,
    /// The target (or the VPN to put below an uplink) has no routes of its own.
    VpnWithoutRoutes,
    /// The service is already there.
    AlreadyThere,
}

impl Refusal {
    /// Why, as a sentence for people (untranslated: pass it through gettext).
    /// In English, marked for translation: show it through `gettext`.
    pub fn sentence(self) -> &'static str {
        match self {
            Refusal::Unknown | Refusal::TargetUnknown => N_("This network is gone."),
            Refusal::NotSaved => N_("Only saved networks can be moved. Connect to it once first."),
            Refusal::Same => N_("A network cannot be moved onto itself."),
            Refusal::TargetNotSaved => N_("Networks can only be moved next to saved networks."),
            Refusal::StateMismatch => N_(
                "ConnMan orders connected and unconnected networks separately: a network can \
                 only be moved among networks that are connected as it is.",
            ),
            Refusal::VpnWithoutRoutes => N_(
                "This VPN has no routes of its own, so it cannot carry only some networks; \
                 it can only be placed above the other connections.",
            ),
            Refusal::AlreadyThere => N_("The network is already there."),
        }
    }
}

fn is_vpn(s: &ServiceProps) -> bool {
    s.type_ == ServiceType::Vpn
}

fn vpn_has_routes(state: &State, path: &str) -> bool {
    state
        .vpn_connection(&vpn_connection_path(path))
        .is_some_and(|c| c.has_routes())
}

/// Whether `moving` may be dropped before (`before`) or after `target`,
/// and how to ask connmand for it.
pub fn allowed_drop(
    state: &State,
    moving: &str,
    target: &str,
    before: bool,
) -> Result<MoveKind, Refusal> {
    let m = state.service(moving).ok_or(Refusal::Unknown)?;
    if !m.favorite {
        return Err(Refusal::NotSaved);
    }
    if moving == target {
        return Err(Refusal::Same);
    }
    let t = state.service(target).ok_or(Refusal::TargetUnknown)?;
    if !t.favorite {
        return Err(Refusal::TargetNotSaved);
    }
    if m.is_connected() != t.is_connected() {
        return Err(Refusal::StateMismatch);
    }
    if is_vpn(t) && !vpn_has_routes(state, target) {
        return Err(Refusal::VpnWithoutRoutes);
    }
    if is_vpn(m) && !is_vpn(t) && m.is_connected() && !before {
        // below an uplink: only a VPN with routes of its own can do without
        // the default route (the recipe moves the uplink before the VPN)
        if !vpn_has_routes(state, moving) {
            return Err(Refusal::VpnWithoutRoutes);
        }
        // (also when it is listed there already: split routing is what
        // the person asks for)
        return Ok(MoveKind::VpnBelowUplink);
    }
    // already in that place: nothing to ask
    let pos = |p: &str| state.order.iter().position(|x| x == p);
    if let (Some(mi), Some(ti)) = (pos(moving), pos(target)) {
        if (before && mi + 1 == ti) || (!before && ti + 1 == mi) {
            return Err(Refusal::AlreadyThere);
        }
    }
    Ok(if before {
        MoveKind::Before
    } else {
        MoveKind::After
    })
}

/// "Move up": before the service listed just above `path`.
pub fn move_up(state: &State, path: &str) -> Result<(String, MoveKind), Refusal> {
    let i = state
        .order
        .iter()
        .position(|p| p == path)
        .ok_or(Refusal::Unknown)?;
    let target = i
        .checked_sub(1)
        .and_then(|j| state.order.get(j))
        .ok_or(Refusal::AlreadyThere)?;
    allowed_drop(state, path, target, true).map(|k| (target.clone(), k))
}

/// "Move down": after the service listed just below `path`.
pub fn move_down(state: &State, path: &str) -> Result<(String, MoveKind), Refusal> {
    let i = state
        .order
        .iter()
        .position(|p| p == path)
        .ok_or(Refusal::Unknown)?;
    let target = state.order.get(i + 1).ok_or(Refusal::AlreadyThere)?;
    allowed_drop(state, path, target, false).map(|k| (target.clone(), k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::types::{Route, ServiceState, VpnConnectionProps};
    use std::sync::Arc;

    const E1: &str = "/net/connman/service/ethernet_1_cable";
    const E2: &str = "/net/connman/service/ethernet_2_cable";
    const E3: &str = "/net/connman/service/ethernet_3_cable";
    const W: &str = "/net/connman/service/wifi_1_managed_none";
    const VPN: &str = "/net/connman/service/vpn_10_77_0_1_lab";

    fn svc(type_: ServiceType, state: ServiceState, favorite: bool) -> ServiceProps {
        ServiceProps {
            type_,
            state,
            favorite,
            ..Default::default()
        }
    }

    /// E1, E2 online and saved; VPN ready (routes as given); E3 idle saved;
    /// W idle, not saved.
    fn state(vpn_routes: bool) -> State {
        let mut s = State::default();
        let list = [
            (E1, svc(ServiceType::Ethernet, ServiceState::Online, true)),
            (VPN, svc(ServiceType::Vpn, ServiceState::Ready, true)),
            (E2, svc(ServiceType::Ethernet, ServiceState::Online, true)),
            (E3, svc(ServiceType::Ethernet, ServiceState::Idle, true)),
            (W, svc(ServiceType::Wifi, ServiceState::Idle, false)),
        ];
        for (p, props) in list {
            Arc::make_mut(&mut s.order).push(p.to_owned());
            s.services.insert(p.to_owned(), props);
        }
        let mut c = VpnConnectionProps::default();
        if vpn_routes {
            c.server_routes.push(Route {
                protocol_family: Some(4),
                network: "10.99.1.0".into(),
                netmask: "255.255.255.0".into(),
                gateway: None,
            });
        }
        s.vpn_connections
            .push(("/net/connman/vpn/connection/10_77_0_1_lab".into(), c));
        s
    }

    #[test]
    fn connected_saved_services_move_among_themselves() {
        let s = state(true);
        assert_eq!(allowed_drop(&s, E2, E1, true), Ok(MoveKind::Before));
        assert_eq!(allowed_drop(&s, E1, E2, false), Ok(MoveKind::After));
        // already just above / below
        assert_eq!(allowed_drop(&s, E1, VPN, true), Err(Refusal::AlreadyThere));
        assert_eq!(allowed_drop(&s, E3, E2, false), Err(Refusal::StateMismatch));
    }

    #[test]
    fn the_moving_service_and_target_must_be_saved_and_differ() {
        let s = state(true);
        assert_eq!(allowed_drop(&s, W, E3, true), Err(Refusal::NotSaved));
        assert_eq!(allowed_drop(&s, E3, W, false), Err(Refusal::TargetNotSaved));
        assert_eq!(allowed_drop(&s, E1, E1, true), Err(Refusal::Same));
        assert_eq!(
            allowed_drop(&s, E1, "/net/connman/service/gone", true),
            Err(Refusal::TargetUnknown)
        );
        assert_eq!(
            allowed_drop(&s, "/net/connman/service/gone", E1, true),
            Err(Refusal::Unknown)
        );
    }

    #[test]
    fn connected_and_idle_do_not_mix() {
        let s = state(true);
        assert_eq!(allowed_drop(&s, E3, E1, true), Err(Refusal::StateMismatch));
        assert_eq!(allowed_drop(&s, E1, E3, false), Err(Refusal::StateMismatch));
    }

    #[test]
    fn a_vpn_target_needs_routes() {
        assert_eq!(
            allowed_drop(&state(false), E2, VPN, true),
            Err(Refusal::VpnWithoutRoutes)
        );
        assert_eq!(
            allowed_drop(&state(true), E2, VPN, true),
            Ok(MoveKind::Before)
        );
    }

    #[test]
    fn a_connected_vpn_below_an_uplink_is_the_split_routing_recipe() {
        assert_eq!(
            allowed_drop(&state(true), VPN, E2, false),
            Ok(MoveKind::VpnBelowUplink)
        );
        assert_eq!(
            allowed_drop(&state(false), VPN, E2, false),
            Err(Refusal::VpnWithoutRoutes)
        );
        // listed just below an uplink already, but not split: still the recipe
        assert_eq!(
            allowed_drop(&state(true), VPN, E1, false),
            Ok(MoveKind::VpnBelowUplink)
        );
        // above an uplink is a plain move, routes or not
        assert_eq!(
            allowed_drop(&state(false), VPN, E1, true),
            Ok(MoveKind::Before)
        );
    }

    #[test]
    fn move_up_and_down_take_the_neighbours() {
        let s = state(true);
        assert_eq!(move_up(&s, E1), Err(Refusal::AlreadyThere));
        assert_eq!(move_up(&s, VPN), Ok((E1.to_owned(), MoveKind::Before)));
        assert_eq!(
            move_down(&s, VPN),
            Ok((E2.to_owned(), MoveKind::VpnBelowUplink))
        );
        assert_eq!(move_down(&s, E2), Err(Refusal::StateMismatch));
        assert_eq!(move_down(&s, W), Err(Refusal::AlreadyThere));
        assert_eq!(move_up(&s, W), Err(Refusal::NotSaved));
    }
}
