//! [`Metrics`]: the server's Prometheus metrics, in the text format at `/metrics`.
//!
//! - `workflow_execution_duration_seconds{workflow}`: how long finished process instances ran;
//! - `agent_task_count_total{persona,outcome}`: persona jobs ended (`completed`, `failed`,
//!   `error`), by the persona instance the registry routed the job to, else the job's `persona`
//!   header;
//! - `api_request_count_total{route,method,status}`: API requests, by matched route;
//! - `database_connections`: the store connections the server holds open now (the engine's, the
//!   live-event reader's and those in the registry's pool, counted at scrape time);
//! - `engine_instances_started_total`, `engine_instances_completed_total`,
//!   `engine_instances_terminated_total` (by workflow), `engine_incidents_total{error_type}`,
//!   `engine_job_latency_seconds{job_type}` (created to completed),
//!   `engine_timer_lag_seconds` (due to fired);
//! - `persona_spend_today{instance}` and `persona_spend_month{instance}`: each instance's spend,
//!   read from the registry at scrape time.
//!
//! No label ever carries a token or a variable's value.

/// The store connections of the engine and of the live-event reader: one each, open while the
/// server runs.
pub const STORE_CONNECTIONS: u32 = 2;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// `workflow`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct WorkflowLabels {
    /// The BPMN process id.
    pub workflow: String,
}

/// `persona`, `outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct AgentLabels {
    /// The persona instance (or type, before routing).
    pub persona: String,
    /// `completed`, `failed` or `error`.
    pub outcome: String,
}

/// `route`, `method`, `status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RequestLabels {
    /// The matched route pattern (`/api/workflows/status/:id`), never the raw path.
    pub route: String,
    /// The HTTP method.
    pub method: String,
    /// The status code.
    pub status: u16,
}

/// `error_type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct IncidentLabels {
    /// Zeebe's error type, for example `JOB_NO_RETRIES`.
    pub error_type: String,
}

/// `job_type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct JobLabels {
    /// The job type.
    pub job_type: String,
}

/// `instance`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct InstanceLabels {
    /// The persona instance's name.
    pub instance: String,
}

/// Every metric the server exports, registered in one registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// `workflow_execution_duration_seconds`.
    pub workflow_duration: Family<WorkflowLabels, Histogram>,
    /// `agent_task_count_total`.
    pub agent_tasks: Family<AgentLabels, Counter>,
    /// `api_request_count_total`.
    pub api_requests: Family<RequestLabels, Counter>,
    /// `database_connections`.
    pub database_connections: Gauge,
    /// `engine_instances_started_total`.
    pub instances_started: Family<WorkflowLabels, Counter>,
    /// `engine_instances_completed_total`.
    pub instances_completed: Family<WorkflowLabels, Counter>,
    /// `engine_instances_terminated_total`.
    pub instances_terminated: Family<WorkflowLabels, Counter>,
    /// `engine_incidents_total`.
    pub incidents: Family<IncidentLabels, Counter>,
    /// `engine_job_latency_seconds`.
    pub job_latency: Family<JobLabels, Histogram>,
    /// `engine_timer_lag_seconds`.
    pub timer_lag: Histogram,
    /// `persona_spend_today` (in currency units).
    pub spend_today: Family<InstanceLabels, Gauge<f64, AtomicU64Float>>,
    /// `persona_spend_month`.
    pub spend_month: Family<InstanceLabels, Gauge<f64, AtomicU64Float>>,
}

/// The atomic that backs a floating-point gauge.
pub type AtomicU64Float = std::sync::atomic::AtomicU64;

fn seconds_histogram() -> Histogram {
    // 1 ms to about 9 hours.
    Histogram::new(exponential_buckets(0.001, 4.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let metrics = Self {
            registry: Registry::default(),
            workflow_duration: Family::new_with_constructor(seconds_histogram as fn() -> Histogram),
            agent_tasks: Family::default(),
            api_requests: Family::default(),
            database_connections: Gauge::default(),
            instances_started: Family::default(),
            instances_completed: Family::default(),
            instances_terminated: Family::default(),
            incidents: Family::default(),
            job_latency: Family::new_with_constructor(seconds_histogram as fn() -> Histogram),
            timer_lag: seconds_histogram(),
            spend_today: Family::default(),
            spend_month: Family::default(),
        };
        registry.register(
            "workflow_execution_duration_seconds",
            "How long finished process instances ran, by workflow",
            metrics.workflow_duration.clone(),
        );
        registry.register(
            "agent_task_count",
            "Persona jobs ended, by persona and outcome",
            metrics.agent_tasks.clone(),
        );
        registry.register(
            "api_request_count",
            "API requests, by route, method and status",
            metrics.api_requests.clone(),
        );
        registry.register(
            "database_connections",
            "Store connections the server holds (engine, live-event reader, registry)",
            metrics.database_connections.clone(),
        );
        registry.register("engine_instances_started", "Process instances started", metrics.instances_started.clone());
        registry.register(
            "engine_instances_completed",
            "Process instances completed",
            metrics.instances_completed.clone(),
        );
        registry.register(
            "engine_instances_terminated",
            "Process instances terminated (cancelled or ended by an error)",
            metrics.instances_terminated.clone(),
        );
        registry.register("engine_incidents", "Incidents raised, by error type", metrics.incidents.clone());
        registry.register(
            "engine_job_latency_seconds",
            "From a job's creation to its completion, by job type",
            metrics.job_latency.clone(),
        );
        registry.register(
            "engine_timer_lag_seconds",
            "From a timer's due time to its firing",
            metrics.timer_lag.clone(),
        );
        registry.register(
            "persona_spend_today",
            "Each persona instance's spend today (UTC)",
            metrics.spend_today.clone(),
        );
        registry.register(
            "persona_spend_month",
            "Each persona instance's spend this month",
            metrics.spend_month.clone(),
        );
        Self { registry, ..metrics }
    }

    /// Sets `database_connections` to the connections open now: the engine's and the live-event
    /// reader's ([`STORE_CONNECTIONS`]) and those of the registry's pool.
    pub fn count_connections(&self, registry: &personas::Registry) {
        self.database_connections.set(i64::from(STORE_CONNECTIONS + registry.connections()));
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
