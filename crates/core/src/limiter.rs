//! A sliding-window counter kept inside the secret it limits, so it is read and written in the
//! same transaction as the operation it guards: exact under concurrency because the store
//! serialises writes.

use crate::dialect::RateLimit;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlidingWindow {
    /// Times of the admitted events still inside the longest window seen, oldest first.
    events: Vec<Timestamp>,
}

impl SlidingWindow {
    /// Admits one event at `now` if fewer than `limit.max` were admitted in the window
    /// ending at `now`; forgets events that fell out of it.
    pub fn try_admit(&mut self, now: Timestamp, limit: RateLimit) -> bool {
        let start = now.plus_secs(-limit.window_secs);
        self.events.retain(|t| *t > start);
        if self.events.len() >= limit.max {
            return false;
        }
        self.events.push(now);
        true
    }

    pub fn count_since(&self, since: Timestamp) -> usize {
        self.events.iter().filter(|t| **t > since).count()
    }

    /// Records an event without checking (fixtures that describe past rotations).
    pub fn record(&mut self, at: Timestamp) {
        let pos = self.events.partition_point(|t| *t <= at);
        self.events.insert(pos, at);
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Where `limit` would not have admitted this history: the first event that starts a
    /// window holding more than `limit.max` events, and how many it holds.
    pub fn excess(&self, limit: RateLimit) -> Option<(Timestamp, usize)> {
        let window_ms = limit.window_secs * 1000;
        self.events.iter().enumerate().find_map(|(i, t)| {
            let inside = self.events[i..]
                .iter()
                .take_while(|u| u.millis() - t.millis() < window_ms)
                .count();
            (inside > limit.max).then_some((*t, inside))
        })
    }

    /// The recorded events, oldest first (what an export writes out).
    pub fn events(&self) -> &[Timestamp] {
        &self.events
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_imported_history_is_checked_against_the_limit() {
        let limit = RateLimit {
            max: 2,
            window_secs: 10,
        };
        let mut w = SlidingWindow::default();
        for s in [0, 5, 10, 15] {
            w.record(Timestamp::from_secs(s));
        }
        assert_eq!(w.excess(limit), None);
        w.record(Timestamp::from_secs(14));
        assert_eq!(w.excess(limit), Some((Timestamp::from_secs(5), 3)));
    }

    use super::*;

    const L: RateLimit = RateLimit {
        max: 3,
        window_secs: 60,
    };

    #[test]
    fn admits_up_to_the_limit_then_slides() {
        let mut w = SlidingWindow::default();
        let t0 = Timestamp::from_secs(1000);
        let table = [
            (0, true),
            (10, true),
            (20, true),
            (30, false),
            (59, false),
            (60, true), // the event at 0 left the window
            (61, false),
            (70, true),
        ];
        for (dt, want) in table {
            assert_eq!(w.try_admit(t0.plus_secs(dt), L), want, "at +{dt}s");
        }
    }

    #[test]
    fn recorded_events_count() {
        let mut w = SlidingWindow::default();
        let now = Timestamp::from_secs(10_000);
        for i in 0..3 {
            w.record(now.plus_secs(-10 * (i + 1)));
        }
        assert_eq!(w.count_since(now.plus_secs(-60)), 3);
        assert!(!w.try_admit(now, L));
        assert!(w.try_admit(now.plus_secs(30), L));
        let e = w.events();
        assert!(e.windows(2).all(|p| p[0] <= p[1]));
        assert_eq!(e.last(), Some(&now.plus_secs(30)));
    }
}
