//! A [`JobClient`] that passes every call to another one (a real [`workers::ZeebeClient`] in the
//! fault tests) and records what the engine answered, so a test can see what the runtime sent
//! and what came back without changing the runtime.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use workers::{ActivateJobsRequest, ClientError, Job, JobClient, Variables};

/// What the engine answered, call by call.
#[derive(Debug, Default, Clone)]
pub struct Answers {
    /// Every job activated, by key (a re-activation overwrites the entry).
    pub activated: HashMap<i64, Job>,
    /// The answer to every complete-job call, in order: job key and result.
    pub completions: Vec<(i64, Result<(), ClientError>)>,
    /// Process instances whose job of one of the `final_job_types` was completed with the
    /// engine's acknowledgement: such an instance has ended.
    pub finished_instances: BTreeSet<i64>,
    /// Calls of any kind that failed with a transient error (unavailable, resource exhausted).
    pub transient_errors: usize,
}

/// The recording wrapper.
pub struct RecordingClient {
    inner: Arc<dyn JobClient>,
    final_job_types: BTreeSet<String>,
    answers: Mutex<Answers>,
}

impl RecordingClient {
    /// Wraps `inner`; completing a job of one of `final_job_types` ends its instance.
    pub fn new(inner: Arc<dyn JobClient>, final_job_types: &[&str]) -> Self {
        Self {
            inner,
            final_job_types: final_job_types.iter().map(|t| t.to_string()).collect(),
            answers: Mutex::default(),
        }
    }

    /// A copy of the answers so far.
    pub fn answers(&self) -> Answers {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, Answers> {
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a transient error, passing the result through.
    fn note<T>(&self, result: Result<T, ClientError>) -> Result<T, ClientError> {
        if result.as_ref().is_err_and(ClientError::is_transient) {
            self.lock().transient_errors += 1;
        }
        result
    }
}

#[async_trait]
impl JobClient for RecordingClient {
    async fn activate_jobs(&self, request: &ActivateJobsRequest) -> Result<Vec<Job>, ClientError> {
        let jobs = self.note(self.inner.activate_jobs(request).await)?;
        let mut answers = self.lock();
        for job in &jobs {
            answers.activated.insert(job.key, job.clone());
        }
        Ok(jobs)
    }

    async fn complete_job(&self, job_key: i64, variables: Variables) -> Result<(), ClientError> {
        let result = self.note(self.inner.complete_job(job_key, variables).await);
        let mut answers = self.lock();
        if result.is_ok() {
            let finished = answers.activated.get(&job_key).filter(|job| self.final_job_types.contains(&job.job_type));
            if let Some(instance) = finished.map(|job| job.process_instance_key) {
                answers.finished_instances.insert(instance);
            }
        }
        answers.completions.push((job_key, result.clone()));
        result
    }

    async fn complete_ad_hoc_job(
        &self,
        job_key: i64,
        variables: Variables,
        decision: &workers::AdHocDecision,
    ) -> Result<(), ClientError> {
        self.note(self.inner.complete_ad_hoc_job(job_key, variables, decision).await)
    }

    async fn fail_job(
        &self,
        job_key: i64,
        retries: i32,
        message: &str,
        retry_backoff: Duration,
    ) -> Result<(), ClientError> {
        self.note(self.inner.fail_job(job_key, retries, message, retry_backoff).await)
    }

    async fn throw_error(
        &self,
        job_key: i64,
        code: &str,
        message: &str,
        variables: Variables,
    ) -> Result<(), ClientError> {
        self.note(self.inner.throw_error(job_key, code, message, variables).await)
    }
}
