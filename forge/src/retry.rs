//! [`RetryPolicy`]: how hard a client tries one request, and how long it may wait on rate limits.

use std::time::Duration;

use backon::ExponentialBuilder;

/// Attempts, back-off and waits for one request of a client.
///
/// Server errors (5xx), connection failures and timeouts are retried with exponential back-off;
/// rate limits (429, and GitHub's 403 with `x-ratelimit-remaining: 0` or `Retry-After`) wait as
/// long as the service asks, up to `max_rate_limit_wait`. Other 4xx answers are never retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `retries + 1` requests at most).
    pub retries: usize,
    /// The first back-off delay; it doubles per retry (with jitter) up to `max_delay`.
    pub min_delay: Duration,
    /// The longest back-off delay.
    pub max_delay: Duration,
    /// The longest wait a rate limit may ask for; a longer one is a
    /// [`ForgeError::RateLimited`](crate::ForgeError::RateLimited) at once.
    pub max_rate_limit_wait: Duration,
    /// The most one request may take, from sending to the last byte of the answer.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retries: 4,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_rate_limit_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.retries)
            .with_jitter()
    }
}
