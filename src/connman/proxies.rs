//! Typed proxies for connmand's and connman-vpnd's interfaces. connmand has
//! no `org.freedesktop.DBus.Properties`: every object has `GetProperties`,
//! `SetProperty` and a `PropertyChanged` signal of its own, so no proxy here
//! caches properties (build them with [`uncached`]).

use std::collections::HashMap;

use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

/// `(path, properties)` lists as `GetServices`/`GetTechnologies` return them.
pub type ObjectDicts = Vec<(OwnedObjectPath, HashMap<String, OwnedValue>)>;

#[zbus::proxy(
    interface = "net.connman.Manager",
    default_service = "net.connman",
    default_path = "/",
    gen_blocking = false
)]
pub trait Manager {
    fn get_properties(&self) -> zbus::Result<HashMap<String, OwnedValue>>;
    fn set_property(&self, name: &str, value: &Value<'_>) -> zbus::Result<()>;
    fn get_technologies(&self) -> zbus::Result<ObjectDicts>;
    fn get_services(&self) -> zbus::Result<ObjectDicts>;
    fn get_tethering_clients(&self) -> zbus::Result<Vec<String>>;
    fn register_agent(&self, path: &ObjectPath<'_>) -> zbus::Result<()>;
    fn unregister_agent(&self, path: &ObjectPath<'_>) -> zbus::Result<()>;
    fn register_counter(
        &self,
        path: &ObjectPath<'_>,
        accuracy: u32,
        period: u32,
    ) -> zbus::Result<()>;
    fn unregister_counter(&self, path: &ObjectPath<'_>) -> zbus::Result<()>;
    #[zbus(signal)]
    fn property_changed(&self, name: String, value: OwnedValue) -> zbus::Result<()>;
    #[zbus(signal)]
    fn services_changed(
        &self,
        changed: ObjectDicts,
        removed: Vec<OwnedObjectPath>,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    fn technology_added(
        &self,
        path: OwnedObjectPath,
        properties: HashMap<String, OwnedValue>,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    fn technology_removed(&self, path: OwnedObjectPath) -> zbus::Result<()>;
}

#[zbus::proxy(
    interface = "net.connman.Service",
    default_service = "net.connman",
    gen_blocking = false
)]
pub trait Service {
    fn get_properties(&self) -> zbus::Result<HashMap<String, OwnedValue>>;
    fn set_property(&self, name: &str, value: &Value<'_>) -> zbus::Result<()>;
    fn clear_property(&self, name: &str) -> zbus::Result<()>;
    fn connect(&self) -> zbus::Result<()>;
    fn disconnect(&self) -> zbus::Result<()>;
    fn remove(&self) -> zbus::Result<()>;
    fn move_before(&self, service: &ObjectPath<'_>) -> zbus::Result<()>;
    fn move_after(&self, service: &ObjectPath<'_>) -> zbus::Result<()>;
    fn reset_counters(&self) -> zbus::Result<()>;
    // PropertyChanged(s name, v value): the client reads it from its message stream
}

#[zbus::proxy(
    interface = "net.connman.Technology",
    default_service = "net.connman",
    gen_blocking = false
)]
pub trait Technology {
    fn get_properties(&self) -> zbus::Result<HashMap<String, OwnedValue>>;
    fn set_property(&self, name: &str, value: &Value<'_>) -> zbus::Result<()>;
    fn scan(&self) -> zbus::Result<()>;
    // PropertyChanged(s name, v value): the client reads it from its message stream
}

#[zbus::proxy(
    interface = "net.connman.Clock",
    default_service = "net.connman",
    default_path = "/",
    gen_blocking = false
)]
pub trait Clock {
    fn get_properties(&self) -> zbus::Result<HashMap<String, OwnedValue>>;
    fn set_property(&self, name: &str, value: &Value<'_>) -> zbus::Result<()>;
    // PropertyChanged(s name, v value): the client reads it from its message stream
}

#[zbus::proxy(
    interface = "net.connman.vpn.Manager",
    default_service = "net.connman.vpn",
    default_path = "/",
    gen_blocking = false
)]
pub trait VpnManager {
    fn create(&self, properties: HashMap<&str, Value<'_>>) -> zbus::Result<OwnedObjectPath>;
    fn remove(&self, identifier: &ObjectPath<'_>) -> zbus::Result<()>;
    fn get_connections(&self) -> zbus::Result<ObjectDicts>;
    fn register_agent(&self, path: &ObjectPath<'_>) -> zbus::Result<()>;
    fn unregister_agent(&self, path: &ObjectPath<'_>) -> zbus::Result<()>;
    #[zbus(signal)]
    fn connection_added(
        &self,
        identifier: OwnedObjectPath,
        properties: HashMap<String, OwnedValue>,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    fn connection_removed(&self, identifier: OwnedObjectPath) -> zbus::Result<()>;
}

#[zbus::proxy(
    interface = "net.connman.vpn.Connection",
    default_service = "net.connman.vpn",
    gen_blocking = false
)]
pub trait VpnConnection {
    fn get_properties(&self) -> zbus::Result<HashMap<String, OwnedValue>>;
    fn set_property(&self, name: &str, value: &Value<'_>) -> zbus::Result<()>;
    fn clear_property(&self, name: &str) -> zbus::Result<()>;
    fn connect(&self) -> zbus::Result<()>;
    fn disconnect(&self) -> zbus::Result<()>;
    // PropertyChanged(s name, v value): the client reads it from its message stream
}

/// A proxy of type `P` for `path`, without property caching (connmand has
/// no standard Properties interface; caching would only cost calls).
pub async fn uncached<'a, P>(conn: &zbus::Connection, path: &str) -> zbus::Result<P>
where
    P: From<zbus::Proxy<'a>> + zbus::proxy::Defaults,
{
    zbus::proxy::Builder::<P>::new(conn)
        .path(path.to_owned())?
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
}
