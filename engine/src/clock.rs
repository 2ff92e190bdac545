//! Time as the engine sees it: a [`Clock`] trait with a system clock for services and a virtual
//! clock that tests move by hand, so timers, job deadlines and back-offs are deterministic.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time in milliseconds since the Unix epoch (UTC).
///
/// The engine reads the clock when it processes a command or a [`tick`](crate::EngineCore::tick);
/// it never sleeps on it. Timers fire on the first tick at or after their due time, never before.
pub trait Clock: Send + Sync {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    fn now_millis(&self) -> i64;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        // Seconds and sub-second millis separately: `as_millis` divides a u128, which is slow.
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 1000).saturating_mul(1000) + i64::from(d.subsec_millis())
        })
    }
}

/// A clock that only moves when told to. Clones share the same time, so a test keeps one clone
/// and hands another to the engine.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    now: Arc<AtomicI64>,
}

impl VirtualClock {
    /// A virtual clock standing at `start_millis` (milliseconds since the epoch).
    pub fn at(start_millis: i64) -> Self {
        Self { now: Arc::new(AtomicI64::new(start_millis)) }
    }

    /// Moves the clock forward by `duration` (saturating at the end of time).
    pub fn advance(&self, duration: Duration) {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        // The closure always returns `Some`, so the update cannot fail.
        let _ = self.now.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| Some(now.saturating_add(millis)));
    }

    /// Moves the clock forward to `millis` since the epoch; a clock already there or later stays
    /// (so callers racing to move it never take it backwards).
    pub fn advance_to(&self, millis: i64) {
        self.now.fetch_max(millis, Ordering::SeqCst);
    }

    /// Sets the clock to `millis` since the epoch (may move backwards; timers never fire early).
    pub fn set(&self, millis: i64) {
        self.now.store(millis, Ordering::SeqCst);
    }
}

impl Default for VirtualClock {
    /// A virtual clock at 2024-01-01T00:00:00Z.
    fn default() -> Self {
        Self::at(1_704_067_200_000)
    }
}

impl Clock for VirtualClock {
    fn now_millis(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_clones_share_time_and_advance() {
        let clock = VirtualClock::at(1000);
        let other = clock.clone();
        clock.advance(Duration::from_secs(2));
        assert_eq!(other.now_millis(), 3000);
        other.set(10);
        assert_eq!(clock.now_millis(), 10);
        clock.advance_to(50);
        other.advance_to(20);
        assert_eq!(clock.now_millis(), 50, "advance_to never goes back");
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now_millis() > 1_577_836_800_000);
    }
}
