//! `net.connman.Counter`: traffic statistics connmand pushes to a registered
//! counter object (`Manager.RegisterCounter(path, accuracy, period)`).
//! Like the agents, it answers only the current owner of `net.connman`.

use std::collections::HashMap;

use zbus::message::Header;
use zbus::zvariant::{OwnedObjectPath, OwnedValue};

use super::agent::{AgentKind, AgentOwners};

pub const COUNTER_PATH: &str = "/io/github/connie/Counter";

/// Traffic of one service since connmand last reset its counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traffic {
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
    /// Seconds connected.
    pub time: u64,
}

impl Traffic {
    /// Takes what a `Usage` report carries (connmand sends every count
    /// the first time, then only the counts that changed).
    pub fn apply(&mut self, report: &TrafficReport) {
        let fields = [
            (&mut self.rx_bytes, report.rx_bytes),
            (&mut self.tx_bytes, report.tx_bytes),
            (&mut self.rx_packets, report.rx_packets),
            (&mut self.tx_packets, report.tx_packets),
            (&mut self.time, report.time),
        ];
        for (slot, value) in fields {
            if let Some(v) = value {
                *slot = v;
            }
        }
    }
}

/// The counts one `Usage` dict carries; `None` for those it left out
/// (unchanged). connmand sends them as `u32`: bytes wrap at 4 GiB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrafficReport {
    pub rx_bytes: Option<u64>,
    pub tx_bytes: Option<u64>,
    pub rx_packets: Option<u64>,
    pub tx_packets: Option<u64>,
    pub time: Option<u64>,
}

impl TrafficReport {
    /// Parses a `Usage` dict; odd entries count as left out.
    pub fn from_dict(d: &HashMap<String, OwnedValue>) -> TrafficReport {
        let n = |k: &str| -> Option<u64> {
            d.get(k).and_then(|v| {
                u64::try_from(v)
                    .ok()
                    .or_else(|| u32::try_from(v).ok().map(u64::from))
            })
        };
        TrafficReport {
            rx_bytes: n("RX.Bytes"),
            tx_bytes: n("TX.Bytes"),
            rx_packets: n("RX.Packets"),
            tx_packets: n("TX.Packets"),
            time: n("Time"),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == TrafficReport::default()
    }
}

/// One `Usage` call: the service, its traffic at home and while roaming
/// (connmand sends only what changed: apply them to a [`Traffic`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub service: String,
    pub home: TrafficReport,
    pub roaming: TrafficReport,
}

struct Counter {
    owners: AgentOwners,
    usage: async_channel::Sender<Usage>,
}

#[zbus::interface(name = "net.connman.Counter")]
impl Counter {
    fn usage(
        &self,
        #[zbus(header)] header: Header<'_>,
        service: OwnedObjectPath,
        home: HashMap<String, OwnedValue>,
        roaming: HashMap<String, OwnedValue>,
    ) -> zbus::fdo::Result<()> {
        self.check(&header)?;
        let _ = self.usage.try_send(Usage {
            service: service.to_string(),
            home: TrafficReport::from_dict(&home),
            roaming: TrafficReport::from_dict(&roaming),
        });
        Ok(())
    }

    fn release(&self, #[zbus(header)] header: Header<'_>) -> zbus::fdo::Result<()> {
        self.check(&header)?;
        self.usage.close();
        Ok(())
    }
}

impl Counter {
    fn check(&self, header: &Header<'_>) -> zbus::fdo::Result<()> {
        let sender = header.sender().map(|s| s.to_string());
        if sender.is_some() && sender == self.owners.get(AgentKind::Connman) {
            Ok(())
        } else {
            tracing::warn!(
                "refused a counter call from {}, which is not connmand",
                sender.as_deref().unwrap_or("an unknown sender")
            );
            Err(zbus::fdo::Error::AccessDenied("not connmand".into()))
        }
    }
}

/// Serves the counter and registers it with connmand: `Usage` arrives every
/// `period` seconds or `accuracy` kilobytes per connected service.
pub async fn register(
    conn: &zbus::Connection,
    owners: AgentOwners,
    accuracy_kb: u32,
    period_s: u32,
) -> Result<async_channel::Receiver<Usage>, super::ConnmanError> {
    let (tx, rx) = async_channel::unbounded();
    // a counter connmand released (it does on exit) is still served, with
    // its channel closed: `at` would keep it and drop the new one
    let _ = conn
        .object_server()
        .remove::<Counter, _>(COUNTER_PATH)
        .await;
    conn.object_server()
        .at(COUNTER_PATH, Counter { owners, usage: tx })
        .await?;
    let m = super::proxies::uncached::<super::proxies::ManagerProxy>(conn, "/").await?;
    let path = zbus::zvariant::ObjectPath::from_static_str_unchecked(COUNTER_PATH);
    m.register_counter(&path, accuracy_kb, period_s).await?;
    Ok(rx)
}

/// Unregisters and stops serving the counter.
pub async fn unregister(conn: &zbus::Connection) -> Result<(), super::ConnmanError> {
    let m = super::proxies::uncached::<super::proxies::ManagerProxy>(conn, "/").await?;
    let path = zbus::zvariant::ObjectPath::from_static_str_unchecked(COUNTER_PATH);
    let result = m.unregister_counter(&path).await;
    conn.object_server()
        .remove::<Counter, _>(COUNTER_PATH)
        .await?;
    Ok(result?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::zvariant::Value;

    #[test]
    fn usage_dicts_update_only_what_they_carry() {
        let d: HashMap<String, OwnedValue> = [
            ("RX.Bytes", Value::U32(1500)),
            ("TX.Bytes", Value::U32(700)),
            ("RX.Packets", Value::from("many")),
            ("Time", Value::U32(12)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(v).unwrap()))
        .collect();
        let report = TrafficReport::from_dict(&d);
        assert_eq!(report.rx_packets, None, "an odd entry is left out");
        let mut t = Traffic {
            rx_packets: 9,
            ..Default::default()
        };
        t.apply(&report);
        assert_eq!(
            t,
            Traffic {
                rx_bytes: 1500,
                tx_bytes: 700,
                rx_packets: 9,
                tx_packets: 0,
                time: 12
            }
        );
        assert!(TrafficReport::from_dict(&HashMap::new()).is_empty());
    }
}
