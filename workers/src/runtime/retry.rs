//! [`RetryPolicy`]: exponential back-off for calls that failed with transient transport errors.

use std::time::Duration;

use backoff::ExponentialBackoff;
use backoff::backoff::Backoff;

/// How long to wait between attempts while the engine is unavailable or shedding load: the
/// delay starts at `initial_delay`, grows by `multiplier` per attempt up to `max_delay`, and each
/// delay is spread randomly by ± `jitter` (a fraction) so that many workers do not retry in step.
///
/// The defaults are the official Java client's: 50 ms, ×1.6, at most 5 s, jitter 0.1.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// The first delay.
    pub initial_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// The growth factor per attempt (at least 1).
    pub multiplier: f64,
    /// The random spread as a fraction of the delay, from 0 (none) up to, not including, 1.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(5),
            multiplier: 1.6,
            jitter: 0.1,
        }
    }
}

impl RetryPolicy {
    /// Explains what is wrong with the policy, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        if self.initial_delay.is_zero() {
            return Some("the retry policy's initial_delay must be greater than zero".into());
        }
        if self.max_delay < self.initial_delay {
            return Some(format!(
                "the retry policy's max_delay ({:?}) must not be shorter than its initial_delay ({:?})",
                self.max_delay, self.initial_delay
            ));
        }
        if !(self.multiplier >= 1.0 && self.multiplier.is_finite()) {
            return Some(format!(
                "the retry policy's multiplier must be a finite number of at least 1, not {}",
                self.multiplier
            ));
        }
        if !(0.0..1.0).contains(&self.jitter) {
            return Some(format!("the retry policy's jitter must be at least 0 and less than 1, not {}", self.jitter));
        }
        None
    }

    /// A fresh sequence of delays that never ends (the caller decides when to give up).
    pub(crate) fn delays(&self) -> Delays {
        let inner = backoff::ExponentialBackoffBuilder::new()
            .with_initial_interval(self.initial_delay)
            .with_max_interval(self.max_delay)
            .with_multiplier(self.multiplier)
            .with_randomization_factor(self.jitter)
            .with_max_elapsed_time(None)
            .build();
        Delays { inner, max_delay: self.max_delay }
    }
}

/// The delays of one run of retries.
#[derive(Debug)]
pub(crate) struct Delays {
    inner: ExponentialBackoff,
    max_delay: Duration,
}

impl Delays {
    /// The delay before the next attempt.
    pub(crate) fn next_delay(&mut self) -> Duration {
        // Without a maximum elapsed time the sequence never ends; fall back to the cap anyway.
        self.inner.next_backoff().unwrap_or(self.max_delay)
    }

    /// Starts again from the initial delay (after a call succeeded).
    pub(crate) fn reset(&mut self) {
        self.inner.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_by_the_multiplier_up_to_the_cap() {
        let policy = RetryPolicy { jitter: 0.0, ..RetryPolicy::default() };
        let mut delays = policy.delays();
        let observed: Vec<u128> = (0..12).map(|_| delays.next_delay().as_millis()).collect();
        assert_eq!(&observed[..4], &[50, 80, 128, 204]);
        assert_eq!(observed.last(), Some(&5000));
        delays.reset();
        assert_eq!(delays.next_delay(), Duration::from_millis(50));
    }

    #[test]
    fn jitter_keeps_each_delay_within_its_fraction() {
        let mut delays = RetryPolicy::default().delays();
        let first = delays.next_delay().as_secs_f64();
        assert!((0.045..=0.055).contains(&first), "first delay {first}s is outside 50 ms ± 10%");
    }

    #[test]
    fn every_broken_setting_is_named() {
        let broken = [
            (RetryPolicy { initial_delay: Duration::ZERO, ..RetryPolicy::default() }, "initial_delay"),
            (RetryPolicy { max_delay: Duration::from_millis(10), ..RetryPolicy::default() }, "max_delay"),
            (RetryPolicy { multiplier: 0.5, ..RetryPolicy::default() }, "multiplier"),
            (RetryPolicy { multiplier: f64::NAN, ..RetryPolicy::default() }, "multiplier"),
            (RetryPolicy { jitter: 1.0, ..RetryPolicy::default() }, "jitter"),
        ];
        for (policy, setting) in broken {
            let problem = policy.problem().unwrap_or_default();
            assert!(problem.contains(setting), "{policy:?} gave {problem:?}, which does not name {setting}");
        }
        assert_eq!(RetryPolicy::default().problem(), None);
    }
}
