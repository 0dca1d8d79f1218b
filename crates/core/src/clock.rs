//! The model's clock: wall time plus an offset that tests and the admin API move forward,
//! so schedules, deletion windows and rate limits can be exercised in seconds.

use crate::{CoreError, Timestamp};
use parking_lot::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: Mutex<i64>,
}

impl Clock {
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock that starts `offset_ms` ahead of wall time (e.g. restored from disk).
    pub fn with_offset_millis(offset_ms: i64) -> Self {
        Self {
            offset_ms: Mutex::new(offset_ms.max(0)),
        }
    }

    pub fn wall() -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp::from_millis(ms)
    }

    pub fn now(&self) -> Timestamp {
        Self::wall().plus_millis(*self.offset_ms.lock())
    }

    pub fn offset_millis(&self) -> i64 {
        *self.offset_ms.lock()
    }

    /// Moves the clock forward; a negative amount is refused because every schedule and
    /// deletion window assumes time never runs backwards.
    pub fn advance_secs(&self, secs: i64) -> Result<Timestamp, CoreError> {
        if secs < 0 {
            return Err(CoreError::InvalidParameter(
                "the clock only moves forward: advance_seconds must be >= 0".into(),
            ));
        }
        let mut off = self.offset_ms.lock();
        *off = off.saturating_add(secs.saturating_mul(1000));
        Ok(Self::wall().plus_millis(*off))
    }

    /// Moves the clock forward by `ms` milliseconds (the scheduler's steps between due times).
    pub fn advance_millis(&self, ms: i64) -> Result<Timestamp, CoreError> {
        if ms < 0 {
            return Err(CoreError::InvalidParameter(
                "the clock only moves forward".into(),
            ));
        }
        let mut off = self.offset_ms.lock();
        *off = off.saturating_add(ms);
        Ok(Self::wall().plus_millis(*off))
    }

    /// Sets the clock to `to`, which must not be earlier than now.
    pub fn set(&self, to: Timestamp) -> Result<Timestamp, CoreError> {
        let mut off = self.offset_ms.lock();
        let wall = Self::wall();
        let now = wall.plus_millis(*off);
        if to < now {
            return Err(CoreError::InvalidParameter(format!(
                "the clock only moves forward: {to} is before the current time {now}"
            )));
        }
        *off = to.millis() - wall.millis();
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_and_never_goes_back() {
        let c = Clock::new();
        let before = c.now();
        let after = c.advance_secs(3600).unwrap();
        assert!(after.millis() - before.millis() >= 3_600_000);
        assert!(c.advance_secs(-1).is_err());
        assert!(c.set(before).is_err());
        let target = after.plus_secs(86_400);
        assert_eq!(c.set(target).unwrap(), target);
        assert!(c.now() >= target);
        assert!(c.offset_millis() >= 86_400_000 + 3_600_000 - 1000);
        let before = c.offset_millis();
        c.advance_millis(1500).unwrap();
        assert_eq!(c.offset_millis(), before + 1500);
        assert!(c.advance_millis(-1).is_err());
    }
}
