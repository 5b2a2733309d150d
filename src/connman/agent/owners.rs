//! [`AgentOwners`]: the only callers the agents answer.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use zbus::names::BusName;
use zbus::Connection;

use super::*;

/// The current unique-name owners of `net.connman` and `net.connman.vpn`: the only callers
/// our agents answer. Shared: the client updates it from `NameOwnerChanged`, the agents read
/// it on every call. `None` (unknown, or no daemon) refuses everyone.
#[derive(Debug, Clone, Default)]
pub struct AgentOwners {
    connman: Arc<Mutex<Option<String>>>,
    vpn: Arc<Mutex<Option<String>>>,
}

impl AgentOwners {
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, kind: AgentKind) -> MutexGuard<'_, Option<String>> {
        match kind {
            AgentKind::Connman => &self.connman,
            AgentKind::Vpn => &self.vpn,
        }
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the owner of `kind`'s bus name (a unique name like `:1.7`), or `None`.
    pub fn set(&self, kind: AgentKind, owner: Option<String>) {
        *self.slot(kind) = owner;
    }

    pub fn set_connman(&self, owner: Option<String>) {
        self.set(AgentKind::Connman, owner);
    }

    pub fn set_vpn(&self, owner: Option<String>) {
        self.set(AgentKind::Vpn, owner);
    }

    pub fn get(&self, kind: AgentKind) -> Option<String> {
        self.slot(kind).clone()
    }

    /// Asks the bus for both owners now ([`resolve_owner`]).
    pub async fn refresh(&self, conn: &Connection) {
        for kind in AgentKind::ALL {
            self.set(kind, resolve_owner(conn, kind.bus_name()).await);
        }
    }

    pub(super) fn is_owner(&self, kind: AgentKind, sender: Option<&str>) -> bool {
        match (sender, self.slot(kind).as_deref()) {
            (Some(sender), Some(owner)) => sender == owner,
            _ => false,
        }
    }
}

/// The unique name owning `name` now (`org.freedesktop.DBus.GetNameOwner`), or `None`.
pub async fn resolve_owner(conn: &Connection, name: &str) -> Option<String> {
    let name = BusName::try_from(name).ok()?;
    let proxy = zbus::fdo::DBusProxy::new(conn).await.ok()?;
    let owner = proxy.get_name_owner(name).await.ok()?;
    Some(owner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_decide_who_may_call() {
        let owners = AgentOwners::new();
        assert!(
            !owners.is_owner(AgentKind::Connman, Some(":1.5")),
            "unknown: refuse"
        );
        owners.set_connman(Some(":1.5".into()));
        owners.set_vpn(Some(":1.6".into()));
        assert!(owners.is_owner(AgentKind::Connman, Some(":1.5")));
        assert!(!owners.is_owner(AgentKind::Connman, Some(":1.6")));
        assert!(owners.is_owner(AgentKind::Vpn, Some(":1.6")));
        assert!(!owners.is_owner(AgentKind::Vpn, None));
        let shared = owners.clone();
        shared.set(AgentKind::Vpn, None);
        assert_eq!(owners.get(AgentKind::Vpn), None, "clones share the owners");
    }
}
