//! [`Metrics`]: what the runtime observes per job type, behind a trait so that an exporter
//! (Prometheus, OpenTelemetry) can be plugged in later; [`InMemoryMetrics`] keeps the numbers in
//! memory for tests, logs and a future exporter.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::outcome::OutcomeKind;

/// Receives the runtime's observations. Calls come from many tasks at once, so implementations
/// must be cheap and never block for long.
pub trait Metrics: Send + Sync {
    /// `count` jobs of `job_type` were activated by one poll.
    fn jobs_activated(&self, job_type: &str, count: usize);

    /// A handler for `job_type` returned (or panicked, which counts as
    /// [`OutcomeKind::Failed`]) after `latency`. Counted when the handler decides, whether or
    /// not the report to the engine then succeeds.
    fn job_handled(&self, job_type: &str, outcome: OutcomeKind, latency: Duration);
}

/// Discards every observation: the default when no metrics are configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMetrics;

impl Metrics for NoMetrics {
    fn jobs_activated(&self, _job_type: &str, _count: usize) {}

    fn job_handled(&self, _job_type: &str, _outcome: OutcomeKind, _latency: Duration) {}
}

/// Counters and handler latency for one job type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobTypeStats {
    /// Jobs activated.
    pub activated: u64,
    /// Handlers that completed their job.
    pub completed: u64,
    /// Handlers that failed their job (including panics).
    pub failed: u64,
    /// Handlers that threw a BPMN error.
    pub errored: u64,
    /// How long handlers took.
    pub handler_latency: LatencyStats,
}

/// A running summary of handler latencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatencyStats {
    /// How many latencies were observed.
    pub count: u64,
    /// Their sum.
    pub total: Duration,
    /// The longest.
    pub max: Duration,
}

impl LatencyStats {
    fn observe(&mut self, latency: Duration) {
        self.count += 1;
        self.total = self.total.saturating_add(latency);
        self.max = self.max.max(latency);
    }
}

/// Keeps [`JobTypeStats`] per job type in memory.
#[derive(Debug, Default)]
pub struct InMemoryMetrics {
    by_type: Mutex<BTreeMap<String, JobTypeStats>>,
}

impl InMemoryMetrics {
    /// Empty metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stats of one job type (all zero if nothing was observed).
    pub fn stats(&self, job_type: &str) -> JobTypeStats {
        self.lock().get(job_type).cloned().unwrap_or_default()
    }

    /// The stats of every observed job type, by type name.
    pub fn snapshot(&self) -> BTreeMap<String, JobTypeStats> {
        self.lock().clone()
    }

    /// The map; a panic in another observer cannot leave it inconsistent (each update is a few
    /// additions), so a poisoned lock is taken over.
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, JobTypeStats>> {
        self.by_type.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, job_type: &str, change: impl FnOnce(&mut JobTypeStats)) {
        let mut by_type = self.lock();
        match by_type.get_mut(job_type) {
            Some(stats) => change(stats),
            None => change(by_type.entry(job_type.to_owned()).or_default()),
        }
    }
}

impl Metrics for InMemoryMetrics {
    fn jobs_activated(&self, job_type: &str, count: usize) {
        self.update(job_type, |stats| stats.activated += count as u64);
    }

    fn job_handled(&self, job_type: &str, outcome: OutcomeKind, latency: Duration) {
        self.update(job_type, |stats| {
            match outcome {
                OutcomeKind::Completed => stats.completed += 1,
                OutcomeKind::Failed => stats.failed += 1,
                OutcomeKind::Errored => stats.errored += 1,
            }
            stats.handler_latency.observe(latency);
        });
    }
}
