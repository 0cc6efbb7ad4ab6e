//! The clock is a parameter: only the edge of the program reads the system time, so expiry,
//! lockout and inactivity rules are tested exactly by moving a manual clock.

use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// Source of the current time, shared by every part of one application instance.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

/// The real UTC time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to: for tests of time-dependent rules.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    /// Starts at the current system time, truncated to whole seconds so that stored and
    /// compared times agree on every database backend.
    pub fn starting_now() -> Self {
        let now = OffsetDateTime::now_utc();
        let whole = now.replace_nanosecond(0).unwrap_or(now);
        Self {
            now: Arc::new(Mutex::new(whole)),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Shared handle to whichever clock an application runs with.
pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::starting_now();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        clock.advance(Duration::minutes(90));
        assert_eq!(clock.now() - start, Duration::minutes(90));
    }
}
