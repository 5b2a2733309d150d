//! A service's traffic as the details page shows it: the totals connmand
//! counts, and the rates of the last minutes worked out from them.
//!
//! connmand reports totals (`Usage`, once per period while a counter is
//! registered), not rates: the rate is the change in bytes over the time
//! between two reports, by the monotonic clock (a report can come late; a
//! rate per report would then spike). Its counts are 32-bit: a total that
//! drops is a wrap when it was near 4 GiB, otherwise a reset.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::connman::counter::{Traffic, TrafficReport};

/// How many samples the graph keeps (at connmand's 1 s period: 3 minutes).
pub const SAMPLES: usize = 180;

/// The lowest top of the graph's scale: 100 kB/s, so an idle link does
/// not draw noise as peaks. Decimal units, as GLib's `format_size` shows
/// the figures beside it.
pub const FLOOR: f64 = 100_000.0;

/// The fewest samples the graph's width stands for: the first minute fills
/// it from the right instead of stretching a few seconds across.
pub const MIN_SPAN: usize = 60;

/// Bytes per second, received and sent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rate {
    pub rx: f64,
    pub tx: f64,
}

#[derive(Debug, Clone, Default)]
pub struct TrafficHistory {
    pub totals: Traffic,
    /// Whether connmand has reported this service since it was followed.
    pub reported: bool,
    /// How many reports were taken.
    pub reports: u64,
    last: Option<(Instant, u64, u64)>,
    rates: VecDeque<Rate>,
}

/// How much a 32-bit counter moved from `old` to `new`.
fn delta(old: u64, new: u64) -> u64 {
    const WRAP: u64 = 1 << 32;
    if new >= old {
        new - old
    } else if old >= WRAP - (WRAP >> 2) && new < WRAP >> 2 {
        // wrapped past 4 GiB
        WRAP - old + new
    } else {
        // reset: counted from zero again
        new
    }
}

impl TrafficHistory {
    /// Takes one report, received at `now`.
    pub fn report(&mut self, report: &TrafficReport, now: Instant) {
        self.totals.apply(report);
        self.reported = true;
        self.reports += 1;
        let (rx, tx) = (self.totals.rx_bytes, self.totals.tx_bytes);
        if let Some((then, old_rx, old_tx)) = self.last {
            let secs = now.saturating_duration_since(then).as_secs_f64();
            // two reports at once (a link event right after a poll): the
            // next one covers the time
            if secs < 0.2 {
                return;
            }
            self.push(Rate {
                rx: delta(old_rx, rx) as f64 / secs,
                tx: delta(old_tx, tx) as f64 / secs,
            });
        }
        self.last = Some((now, rx, tx));
    }

    fn push(&mut self, rate: Rate) {
        if self.rates.len() == SAMPLES {
            self.rates.pop_front();
        }
        self.rates.push_back(rate);
    }

    /// The next report starts a new run of totals (connmand restarted: its
    /// totals come from what it last saved, maybe below the last seen), so
    /// no rate is worked out across the gap.
    pub fn break_continuity(&mut self) {
        self.last = None;
    }

    /// Forgets the rates and totals (after a reset, or for another service).
    pub fn clear(&mut self) {
        *self = TrafficHistory::default();
    }

    /// The rates, oldest first.
    pub fn rates(&self) -> impl Iterator<Item = Rate> + '_ {
        self.rates.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.rates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }

    /// The latest rate (0 before two reports).
    pub fn current(&self) -> Rate {
        self.rates.back().copied().unwrap_or_default()
    }

    /// The highest rates in view.
    pub fn peak(&self) -> Rate {
        self.rates.iter().fold(Rate::default(), |m, r| Rate {
            rx: m.rx.max(r.rx),
            tx: m.tx.max(r.tx),
        })
    }

    /// The top of the graph's scale: the peak, rounded up to 1, 2 or 5 ×
    /// 10ⁿ kB/s, at least [`FLOOR`].
    pub fn scale(&self) -> f64 {
        let p = self.peak();
        nice_ceiling(p.rx.max(p.tx).max(FLOOR))
    }

    /// How long the rates in view span.
    pub fn span(&self) -> Duration {
        Duration::from_secs(self.rates.len() as u64)
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ kB (per second) at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    let kb = v / 1000.0;
    let mut step = 1.0;
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * step >= kb {
                return m * step * 1000.0;
            }
        }
        step *= 10.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(rx: u64, tx: u64) -> TrafficReport {
        TrafficReport {
            rx_bytes: Some(rx),
            tx_bytes: Some(tx),
            ..Default::default()
        }
    }

    #[test]
    fn rates_come_from_totals_over_monotonic_time() {
        let t0 = Instant::now();
        let mut h = TrafficHistory::default();
        h.report(&bytes(1000, 500), t0);
        assert!(h.is_empty(), "one report is no rate yet");
        h.report(&bytes(3000, 500), t0 + Duration::from_secs(2));
        assert_eq!(
            h.current(),
            Rate {
                rx: 1000.0,
                tx: 0.0
            }
        );
        // only the changed count: the other stays
        h.report(
            &TrafficReport {
                tx_bytes: Some(1500),
                ..Default::default()
            },
            t0 + Duration::from_secs(3),
        );
        assert_eq!(
            h.current(),
            Rate {
                rx: 0.0,
                tx: 1000.0
            }
        );
        assert_eq!(h.totals.rx_bytes, 3000);
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn no_rate_across_a_restart() {
        let t0 = Instant::now();
        let mut h = TrafficHistory::default();
        h.report(&bytes(50_000, 0), t0);
        h.report(&bytes(60_000, 0), t0 + Duration::from_secs(1));
        h.break_continuity();
        h.report(&bytes(40_000, 0), t0 + Duration::from_secs(5));
        assert_eq!(h.len(), 1, "no rate from 60000 to 40000");
        h.report(&bytes(41_000, 0), t0 + Duration::from_secs(6));
        assert_eq!(h.current().rx, 1000.0);
    }

    #[test]
    fn wraps_and_resets() {
        assert_eq!(delta(u32::MAX as u64 - 99, 100), 200);
        assert_eq!(delta(5000, 100), 100, "a reset counts from zero");
        let t0 = Instant::now();
        let mut h = TrafficHistory::default();
        for i in 0..(SAMPLES as u64 + 10) {
            h.report(&bytes(i * 1000, 0), t0 + Duration::from_secs(i));
        }
        assert_eq!(h.len(), SAMPLES);
        assert_eq!(h.scale(), FLOOR);
    }

    #[test]
    fn scales_are_round() {
        assert_eq!(nice_ceiling(150_000.0), 200_000.0);
        assert_eq!(nice_ceiling(3_000_000.0), 5_000_000.0);
        assert_eq!(nice_ceiling(100_000.0), 100_000.0);
    }
}
