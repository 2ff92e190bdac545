//! [`WorkerRuntime`]: runs job handlers against one [`JobClient`] on tokio.
//!
//! One poller task per registered job type activates jobs (with long polling) while it has
//! capacity, runs each job's handler in its own task, and reports the outcome. Shutdown stops
//! the polling, lets the jobs in flight finish and report, and then [`WorkerRuntime::run`]
//! returns.

mod execute;
mod poller;
mod retry;

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub use retry::RetryPolicy;

use crate::client::JobClient;
use crate::handler::JobHandler;
use crate::metrics::{Metrics, NoMetrics};

/// How one job type is polled and run. The defaults are the official Java client's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerOptions {
    /// At most this many jobs of the type are activated and not yet reported at any time
    /// (default 32). The runtime polls again once fewer than 30 % (rounded up) are left, and
    /// then asks only for the free capacity.
    pub max_jobs_active: usize,
    /// How long an activated job stays locked to this worker (default 5 minutes). Keep it longer
    /// than the handler's worst case, or the engine hands the job out again.
    pub timeout: Duration,
    /// How long one poll may wait for jobs to appear (long polling; default 10 s). Zero asks the
    /// engine for an immediate answer.
    pub request_timeout: Duration,
    /// The pause after a poll that found nothing, before the next (default 100 ms).
    pub poll_interval: Duration,
    /// When given, only these variables are fetched with each job.
    pub fetch_variables: Option<Vec<String>>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            max_jobs_active: 32,
            timeout: Duration::from_secs(300),
            request_timeout: Duration::from_secs(10),
            poll_interval: Duration::from_millis(100),
            fetch_variables: None,
        }
    }
}

impl WorkerOptions {
    /// Explains what is wrong with the options, if anything.
    fn problem(&self) -> Option<&'static str> {
        if self.max_jobs_active == 0 {
            Some("max_jobs_active must be at least 1")
        } else if self.timeout < Duration::from_millis(1) {
            Some("the job timeout must be at least 1 ms")
        } else if self.poll_interval.is_zero() {
            Some("poll_interval must be greater than zero, or an empty engine is polled in a busy loop")
        } else {
            None
        }
    }
}

/// A configuration that cannot run; [`WorkerRuntime::run`] returns it before polling anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Nothing to run.
    #[error("no job handler is registered; register at least one job type before running the worker")]
    NoRegistrations,
    /// The worker name is blank, which the engine rejects.
    #[error("the worker name is blank; give the worker a name (it is recorded on every job it activates)")]
    BlankWorkerName,
    /// A handler was registered for a blank job type.
    #[error(
        "a handler is registered for a blank job type; use the type the BPMN task declares in zeebe:taskDefinition"
    )]
    BlankJobType,
    /// Two handlers were registered for the same job type.
    #[error("job type '{0}' is registered more than once; register one handler per job type")]
    DuplicateJobType(String),
    /// A job type's options are out of range.
    #[error("job type '{job_type}': {problem}")]
    InvalidOptions {
        /// The job type.
        job_type: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// The retry policy is out of range.
    #[error("{0}")]
    InvalidRetryPolicy(String),
}

/// One job type with its handler and options.
struct Registration {
    job_type: String,
    handler: Arc<dyn JobHandler>,
    options: WorkerOptions,
}

/// What every poller and job task shares.
struct Shared {
    client: Arc<dyn JobClient>,
    metrics: Arc<dyn Metrics>,
    retry: RetryPolicy,
    worker: String,
}

/// Runs a set of job-type handlers against one [`JobClient`].
///
/// ```no_run
/// # async fn example(client: std::sync::Arc<dyn workers::JobClient>) -> Result<(), workers::ConfigError> {
/// use workers::{handlers::LogHandler, WorkerRuntime};
/// use workers::CancellationToken;
///
/// let shutdown = CancellationToken::new();
/// WorkerRuntime::new(client).worker_name("persona-worker").register("log", LogHandler).run(shutdown).await
/// # }
/// ```
///
/// For each registered type the runtime:
/// - polls with [`ActivateJobsRequest`](crate::ActivateJobsRequest)s for the free capacity,
///   waiting up to `request_timeout` for jobs (long polling) and `poll_interval` after an empty
///   answer;
/// - never holds more than `max_jobs_active` unreported jobs;
/// - runs each job's handler in its own task, so handlers run concurrently, and turns a panic
///   into a failure with the retries decremented;
/// - reports each outcome (complete, fail, throw error);
/// - retries transient transport errors ([`ClientError::is_transient`](crate::ClientError::is_transient))
///   with exponential back-off ([`RetryPolicy`]): polls until the engine answers again, reports
///   until the job's lock runs out (after that the engine hands the job out again anyway).
///   A final answer to a report (`NOT_FOUND`: someone else finished the job or its instance is
///   gone) is logged and the job dropped;
/// - records per-type counters and handler latency in its [`Metrics`];
/// - logs through `tracing`, with a span per job type and per job.
pub struct WorkerRuntime {
    client: Arc<dyn JobClient>,
    worker: String,
    registrations: Vec<Registration>,
    metrics: Arc<dyn Metrics>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for WorkerRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let job_types: Vec<&str> = self.registrations.iter().map(|r| r.job_type.as_str()).collect();
        f.debug_struct("WorkerRuntime")
            .field("worker", &self.worker)
            .field("job_types", &job_types)
            .finish_non_exhaustive()
    }
}

impl WorkerRuntime {
    /// A runtime on `client` with worker name `default`, no metrics and the default retry policy.
    pub fn new(client: Arc<dyn JobClient>) -> Self {
        Self {
            client,
            worker: "default".into(),
            registrations: Vec::new(),
            metrics: Arc::new(NoMetrics),
            retry: RetryPolicy::default(),
        }
    }

    /// Sets the worker name recorded on every activated job.
    pub fn worker_name(mut self, name: impl Into<String>) -> Self {
        self.worker = name.into();
        self
    }

    /// Sends observations to `metrics`.
    pub fn metrics(mut self, metrics: Arc<dyn Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Sets the back-off for transient transport errors.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Handles jobs of `job_type` with `handler` and the default [`WorkerOptions`].
    pub fn register(self, job_type: impl Into<String>, handler: impl JobHandler + 'static) -> Self {
        self.register_with(job_type, handler, WorkerOptions::default())
    }

    /// Handles jobs of `job_type` with `handler` and the given options.
    pub fn register_with(
        mut self,
        job_type: impl Into<String>,
        handler: impl JobHandler + 'static,
        options: WorkerOptions,
    ) -> Self {
        self.registrations.push(Registration { job_type: job_type.into(), handler: Arc::new(handler), options });
        self
    }

    /// Checks the configuration; the first problem found is returned.
    fn validate(&self) -> Result<(), ConfigError> {
        if self.registrations.is_empty() {
            return Err(ConfigError::NoRegistrations);
        }
        if self.worker.trim().is_empty() {
            return Err(ConfigError::BlankWorkerName);
        }
        if let Some(problem) = self.retry.problem() {
            return Err(ConfigError::InvalidRetryPolicy(problem));
        }
        let mut seen = BTreeSet::new();
        for registration in &self.registrations {
            let job_type = registration.job_type.as_str();
            if job_type.trim().is_empty() {
                return Err(ConfigError::BlankJobType);
            }
            if !seen.insert(job_type) {
                return Err(ConfigError::DuplicateJobType(job_type.to_owned()));
            }
            if let Some(problem) = registration.options.problem() {
                return Err(ConfigError::InvalidOptions { job_type: job_type.to_owned(), problem: problem.to_owned() });
            }
        }
        Ok(())
    }

    /// Runs until `shutdown` is cancelled, then stops polling, waits for the jobs in flight to
    /// finish and report, and returns. A poll that is waiting for jobs when shutdown comes is
    /// abandoned; jobs the engine activated for it in that instant stay locked until their
    /// timeout and are then handed out again.
    ///
    /// Returns a [`ConfigError`] at once, before polling anything, if the configuration cannot
    /// run.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), ConfigError> {
        self.validate()?;
        let shared =
            Arc::new(Shared { client: self.client, metrics: self.metrics, retry: self.retry, worker: self.worker });
        let mut pollers = JoinSet::new();
        for registration in self.registrations {
            let span = tracing::info_span!("job_worker", job_type = %registration.job_type, worker = %shared.worker);
            pollers.spawn(poller::poll(shared.clone(), registration, shutdown.clone()).instrument(span));
        }
        tracing::info!(worker = %shared.worker, job_types = pollers.len(), "job worker started");
        while let Some(finished) = pollers.join_next().await {
            if let Err(error) = finished {
                tracing::error!(%error, "a job poller stopped abnormally");
            }
        }
        tracing::info!(worker = %shared.worker, "job worker stopped; every job in flight was reported");
        Ok(())
    }

    /// Like [`run`](Self::run), stopping when `signal` completes: pass a `tokio::sync::oneshot`
    /// receiver, `tokio::signal::ctrl_c()`, or any other future.
    pub async fn run_until(self, signal: impl Future + Send) -> Result<(), ConfigError> {
        let shutdown = CancellationToken::new();
        let run = self.run(shutdown.clone());
        tokio::pin!(run);
        tokio::select! {
            finished = &mut run => return finished,
            _ = signal => shutdown.cancel(),
        }
        run.await
    }
}
