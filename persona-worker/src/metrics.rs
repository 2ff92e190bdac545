//! [`PrometheusMetrics`]: the worker runtime's observations as Prometheus counters and
//! histograms per job type, rendered in the Prometheus text format.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use workers::{Metrics, OutcomeKind};

/// The label every metric carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct JobTypeLabel {
    job_type: String,
}

/// A new latency histogram: buckets from 1 ms doubling up to about 33 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Per job type: `persona_worker_jobs_activated_total`, `..._completed_total`,
/// `..._failed_total`, `..._errored_total` (handler outcomes: complete, fail or panic, BPMN
/// error) and `persona_worker_handler_duration_seconds` (a histogram).
pub struct PrometheusMetrics {
    registry: Registry,
    activated: Family<JobTypeLabel, Counter>,
    completed: Family<JobTypeLabel, Counter>,
    failed: Family<JobTypeLabel, Counter>,
    errored: Family<JobTypeLabel, Counter>,
    latency: Family<JobTypeLabel, Histogram, fn() -> Histogram>,
}

impl PrometheusMetrics {
    /// Empty metrics, registered under the `persona_worker` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("persona_worker");
        let activated = Family::default();
        let completed = Family::default();
        let failed = Family::default();
        let errored = Family::default();
        let latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register("jobs_activated", "Jobs activated", activated.clone());
        registry.register("jobs_completed", "Jobs whose handler completed them", completed.clone());
        registry.register("jobs_failed", "Jobs whose handler failed them (or panicked)", failed.clone());
        registry.register("jobs_errored", "Jobs whose handler threw a BPMN error", errored.clone());
        registry.register("handler_duration_seconds", "How long handlers took", latency.clone());
        Self { registry, activated, completed, failed, errored, latency }
    }

    /// Shows every series of `job_type` at zero until something happens, so a scrape lists each
    /// subscribed job type from the start.
    pub fn track(&self, job_type: &str) {
        let label = label(job_type);
        // Creating the series is the point; the read guards are dropped at once.
        for counter in [&self.activated, &self.completed, &self.failed, &self.errored] {
            drop(counter.get_or_create(&label));
        }
        drop(self.latency.get_or_create(&label));
    }

    /// `job_type`'s jobs so far: activated, completed, failed, errored.
    pub fn totals(&self, job_type: &str) -> [u64; 4] {
        let label = label(job_type);
        [&self.activated, &self.completed, &self.failed, &self.errored].map(|family| family.get_or_create(&label).get())
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

fn label(job_type: &str) -> JobTypeLabel {
    JobTypeLabel { job_type: job_type.to_owned() }
}

impl Metrics for PrometheusMetrics {
    fn jobs_activated(&self, job_type: &str, count: usize) {
        self.activated.get_or_create(&label(job_type)).inc_by(count as u64);
    }

    fn job_handled(&self, job_type: &str, outcome: OutcomeKind, latency: Duration) {
        let label = label(job_type);
        let counter = match outcome {
            OutcomeKind::Completed => &self.completed,
            OutcomeKind::Failed => &self.failed,
            OutcomeKind::Errored => &self.errored,
        };
        counter.get_or_create(&label).inc();
        self.latency.get_or_create(&label).observe(latency.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_latencies_are_rendered_per_job_type() {
        let metrics = PrometheusMetrics::new();
        metrics.jobs_activated("log", 3);
        metrics.job_handled("log", OutcomeKind::Completed, Duration::from_millis(3));
        metrics.job_handled("log", OutcomeKind::Failed, Duration::from_millis(5));
        metrics.job_handled("notify", OutcomeKind::Errored, Duration::from_secs(1));
        let text = metrics.render();
        for line in [
            r#"persona_worker_jobs_activated_total{job_type="log"} 3"#,
            r#"persona_worker_jobs_completed_total{job_type="log"} 1"#,
            r#"persona_worker_jobs_failed_total{job_type="log"} 1"#,
            r#"persona_worker_jobs_errored_total{job_type="notify"} 1"#,
            r#"persona_worker_handler_duration_seconds_count{job_type="log"} 2"#,
            r#"persona_worker_handler_duration_seconds_bucket{le="0.004",job_type="log"} 1"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no line {line} in\n{text}");
        }
        assert_eq!(metrics.totals("log"), [3, 1, 1, 0]);
    }

    #[test]
    fn a_tracked_job_type_is_listed_at_zero_before_any_job() {
        let metrics = PrometheusMetrics::new();
        metrics.track("git-operation");
        let text = metrics.render();
        for line in [
            r#"persona_worker_jobs_activated_total{job_type="git-operation"} 0"#,
            r#"persona_worker_jobs_errored_total{job_type="git-operation"} 0"#,
            r#"persona_worker_handler_duration_seconds_count{job_type="git-operation"} 0"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no line {line} in\n{text}");
        }
    }
}
