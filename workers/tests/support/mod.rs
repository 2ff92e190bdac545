//! An in-memory [`JobClient`] for runtime tests: a queue of activatable jobs per client, long
//! polling on a `Notify`, scripted transport errors, and a record of every call.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::DateTime;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::time::Instant;
use workers::{ActivateJobsRequest, ClientError, Job, JobClient, Variables};

/// A fail-job call as the client saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failed {
    pub key: i64,
    pub retries: i32,
    pub message: String,
    pub retry_backoff: Duration,
}

/// A throw-error call as the client saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Thrown {
    pub key: i64,
    pub code: String,
    pub message: String,
    pub variables: Variables,
}

/// Everything the client recorded.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Activation requests with the (tokio) time they arrived.
    pub requests: Vec<(Instant, ActivateJobsRequest)>,
    pub completed: Vec<(i64, Variables)>,
    /// Ad-hoc decisions reported.
    pub decided: Vec<(i64, workers::AdHocDecision)>,
    pub failed: Vec<Failed>,
    pub thrown: Vec<Thrown>,
    /// Report calls (complete, fail, throw error), successful or not.
    pub report_attempts: usize,
    /// The most jobs that were activated and not yet reported at one time.
    pub peak_outstanding: usize,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    outstanding: BTreeSet<i64>,
    activation_errors: VecDeque<ClientError>,
    report_errors: VecDeque<ClientError>,
    ignore_max_jobs: bool,
    recorded: Recorded,
}

/// The in-memory client.
#[derive(Default)]
pub struct InMemoryClient {
    state: Mutex<State>,
    job_added: Notify,
    changed: Notify,
}

/// A job of `job_type` with `key`, `retries` and variables.
pub fn job(job_type: &str, key: i64, retries: i32, variables: Value) -> Job {
    Job {
        job_type: job_type.into(),
        key,
        element_id: format!("task-{key}"),
        element_instance_key: key + 1000,
        bpmn_process_id: "test-process".into(),
        process_definition_key: 1,
        process_instance_key: 2,
        variables: variables.as_object().cloned().unwrap_or_default(),
        custom_headers: BTreeMap::new(),
        retries,
        deadline: DateTime::UNIX_EPOCH,
        worker: String::new(),
    }
}

/// A JSON object literal as variables.
pub fn vars(value: Value) -> Variables {
    value.as_object().cloned().unwrap_or_default()
}

impl InMemoryClient {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes a job activatable and wakes long polls.
    pub fn push(&self, job: Job) {
        self.lock().queue.push_back(job);
        self.job_added.notify_waiters();
    }

    /// The next activation calls fail with these errors, one per call.
    pub fn fail_activations(&self, errors: impl IntoIterator<Item = ClientError>) {
        self.lock().activation_errors.extend(errors);
    }

    /// The next report calls fail with these errors, one per call.
    pub fn fail_reports(&self, errors: impl IntoIterator<Item = ClientError>) {
        self.lock().report_errors.extend(errors);
    }

    /// Makes activation return every queued job, whatever the request's maximum (a broken client).
    pub fn ignore_max_jobs(&self) {
        self.lock().ignore_max_jobs = true;
    }

    /// Reads what was recorded.
    pub fn recorded<T>(&self, read: impl FnOnce(&Recorded) -> T) -> T {
        read(&self.lock().recorded)
    }

    /// Jobs still waiting to be activated.
    pub fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    /// Waits until `done` holds for the recorded calls.
    pub async fn wait_until(&self, done: impl Fn(&Recorded) -> bool) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if done(&self.lock().recorded) {
                return;
            }
            changed.await;
        }
    }

    /// Takes the next scripted report error, or checks that the job is ours and releases it.
    fn report(&self, key: i64, record: impl FnOnce(&mut Recorded)) -> Result<(), ClientError> {
        let result = {
            let mut state = self.lock();
            state.recorded.report_attempts += 1;
            if let Some(error) = state.report_errors.pop_front() {
                Err(error)
            } else if !state.outstanding.remove(&key) {
                Err(ClientError::NotFound(format!("job {key} is not activated")))
            } else {
                record(&mut state.recorded);
                Ok(())
            }
        };
        self.changed.notify_waiters();
        result
    }

    fn try_activate(&self, request: &ActivateJobsRequest) -> Vec<Job> {
        let mut state = self.lock();
        let take = if state.ignore_max_jobs { state.queue.len() } else { request.max_jobs.min(state.queue.len()) };
        let deadline = DateTime::UNIX_EPOCH + request.timeout;
        let jobs: Vec<Job> =
            state.queue.drain(..take).map(|job| Job { worker: request.worker.clone(), deadline, ..job }).collect();
        state.outstanding.extend(jobs.iter().map(|j| j.key));
        state.recorded.peak_outstanding = state.recorded.peak_outstanding.max(state.outstanding.len());
        jobs
    }
}

#[async_trait]
impl JobClient for InMemoryClient {
    async fn activate_jobs(&self, request: &ActivateJobsRequest) -> Result<Vec<Job>, ClientError> {
        let failure = {
            let mut state = self.lock();
            state.recorded.requests.push((Instant::now(), request.clone()));
            state.activation_errors.pop_front()
        };
        self.changed.notify_waiters();
        if let Some(error) = failure {
            return Err(error);
        }
        let deadline = Instant::now() + request.request_timeout;
        loop {
            let added = self.job_added.notified();
            tokio::pin!(added);
            added.as_mut().enable();
            let jobs = self.try_activate(request);
            if !jobs.is_empty() {
                self.changed.notify_waiters();
                return Ok(jobs);
            }
            if tokio::time::timeout_at(deadline, added).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn complete_job(&self, job_key: i64, variables: Variables) -> Result<(), ClientError> {
        self.report(job_key, |r| r.completed.push((job_key, variables)))
    }

    async fn complete_ad_hoc_job(
        &self,
        job_key: i64,
        _variables: Variables,
        decision: &workers::AdHocDecision,
    ) -> Result<(), ClientError> {
        self.report(job_key, |r| r.decided.push((job_key, decision.clone())))
    }

    async fn fail_job(
        &self,
        job_key: i64,
        retries: i32,
        message: &str,
        retry_backoff: Duration,
    ) -> Result<(), ClientError> {
        self.report(job_key, |r| {
            r.failed.push(Failed { key: job_key, retries, message: message.to_owned(), retry_backoff })
        })
    }

    async fn throw_error(
        &self,
        job_key: i64,
        code: &str,
        message: &str,
        variables: Variables,
    ) -> Result<(), ClientError> {
        self.report(job_key, |r| {
            r.thrown.push(Thrown { key: job_key, code: code.to_owned(), message: message.to_owned(), variables })
        })
    }
}
