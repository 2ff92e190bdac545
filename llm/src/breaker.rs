//! A circuit breaker per provider: after `threshold` consecutive failures the provider is not
//! asked for `cool_down`; then one probe call is let through (half-open), whose success closes
//! the circuit and whose failure opens it again.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// What a provider's circuit lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    /// Calls go through.
    Closed,
    /// Calls are refused until the cool-down ends.
    Open,
    /// The cool-down has ended: the next call is a probe.
    HalfOpen,
}

#[derive(Debug)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

/// The breaker; shared by concurrent calls.
#[derive(Debug)]
pub(crate) struct CircuitBreaker {
    threshold: u32,
    cool_down: Duration,
    inner: Mutex<Inner>,
}

impl CircuitBreaker {
    /// A closed breaker that opens after `threshold` (at least 1) consecutive failures.
    pub(crate) fn new(threshold: u32, cool_down: Duration) -> Self {
        Self { threshold: threshold.max(1), cool_down, inner: Mutex::new(Inner::Closed { failures: 0 }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state as a caller would find it now.
    pub(crate) fn state(&self) -> CircuitState {
        match *self.lock() {
            Inner::Closed { .. } => CircuitState::Closed,
            Inner::Open { until } if Instant::now() < until => CircuitState::Open,
            Inner::Open { .. } | Inner::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }

    /// Whether a call may go to the provider now; in half-open state only one probe at a time.
    /// A caller that got `true` must report the call with `succeeded` or `failed`.
    pub(crate) fn try_acquire(&self) -> bool {
        let mut inner = self.lock();
        match *inner {
            Inner::Closed { .. } => true,
            Inner::Open { until } if Instant::now() < until => false,
            Inner::Open { .. } | Inner::HalfOpen { probing: false } => {
                *inner = Inner::HalfOpen { probing: true };
                true
            }
            Inner::HalfOpen { probing: true } => false,
        }
    }

    /// The provider answered: the circuit closes.
    pub(crate) fn succeeded(&self) {
        *self.lock() = Inner::Closed { failures: 0 };
    }

    /// The provider failed: one more consecutive failure, or back to open after a probe.
    pub(crate) fn failed(&self) {
        let mut inner = self.lock();
        *inner = match *inner {
            Inner::Closed { failures } if failures + 1 < self.threshold => Inner::Closed { failures: failures + 1 },
            _ => Inner::Open { until: Instant::now() + self.cool_down },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_after_threshold_half_opens_after_cool_down_and_closes_on_success() {
        let breaker = CircuitBreaker::new(3, Duration::from_secs(10));
        for _ in 0..2 {
            assert!(breaker.try_acquire());
            breaker.failed();
        }
        assert_eq!(breaker.state(), CircuitState::Closed);
        assert!(breaker.try_acquire());
        breaker.failed();
        assert_eq!(breaker.state(), CircuitState::Open);
        assert!(!breaker.try_acquire());

        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(!breaker.try_acquire());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(breaker.state(), CircuitState::HalfOpen);
        assert!(breaker.try_acquire(), "the first call after the cool-down is the probe");
        assert!(!breaker.try_acquire(), "only one probe at a time");
        breaker.succeeded();
        assert_eq!(breaker.state(), CircuitState::Closed);
        assert!(breaker.try_acquire());
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_probe_opens_again_and_a_success_resets_the_count() {
        let breaker = CircuitBreaker::new(2, Duration::from_secs(5));
        breaker.failed();
        breaker.succeeded();
        breaker.failed();
        assert_eq!(breaker.state(), CircuitState::Closed, "failures must be consecutive");
        breaker.failed();
        assert_eq!(breaker.state(), CircuitState::Open);
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(breaker.try_acquire());
        breaker.failed();
        assert_eq!(breaker.state(), CircuitState::Open);
        assert!(!breaker.try_acquire());
    }
}
