//! Runs one job: the handler in its own task (so a panic is contained), then the report of its
//! outcome, retried while the transport trouble is transient and the job is still ours.

use std::any::Any;
use std::sync::Arc;

use tokio::task::{AbortHandle, JoinError};
use tokio::time::Instant;
use tracing::Instrument;

use super::Shared;
use crate::client::ClientError;
use crate::handler::JobHandler;
use crate::job::Job;
use crate::outcome::JobOutcome;

/// Handles `job` and reports the outcome. `lock_expires` is when the engine may hand the job to
/// someone else (measured on the runtime's clock from the activation answer, not read from
/// `job.deadline`, so that engine and worker clocks need not agree); reporting is not retried
/// past it.
pub(super) async fn execute(shared: Arc<Shared>, handler: Arc<dyn JobHandler>, job: Job, lock_expires: Instant) {
    let job = Arc::new(job);
    let started = Instant::now();
    let outcome = run_handler(handler, job.clone()).await;
    shared.metrics.job_handled(&job.job_type, outcome.kind(), started.elapsed());
    if Instant::now() >= lock_expires {
        tracing::warn!(
            took = ?started.elapsed(),
            "the handler outlasted the job's timeout; the engine may have handed the job to another worker, so raise the timeout"
        );
    }
    report(&shared, &job, &outcome, lock_expires).await;
}

/// Aborts the handler task if the job task is dropped (the runtime was dropped, not shut down).
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Calls the handler in a task of its own (inside the job's span, so its logs name the job); a
/// panic becomes a failure with retries decremented.
async fn run_handler(handler: Arc<dyn JobHandler>, job: Arc<Job>) -> JobOutcome {
    let handled = job.clone();
    let task = tokio::spawn(async move { handler.handle(&handled).await }.in_current_span());
    let _abort = AbortOnDrop(task.abort_handle());
    match task.await {
        Ok(outcome) => outcome,
        Err(error) => {
            let message = handler_stopped(error);
            tracing::error!(%message, "the job handler did not return; failing the job");
            JobOutcome::fail(&job, message)
        }
    }
}

/// The failure message for a handler task that panicked or was cancelled.
fn handler_stopped(error: JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => format!("the job handler panicked: {}", panic_text(payload.as_ref())),
        Err(_) => "the job handler was cancelled before it returned".to_owned(),
    }
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "(a panic without a message)"
    }
}

/// Sends the outcome once.
async fn send(shared: &Shared, job: &Job, outcome: &JobOutcome) -> Result<(), ClientError> {
    match outcome {
        JobOutcome::Complete { variables } => shared.client.complete_job(job.key, variables.clone()).await,
        JobOutcome::Fail { message, retries, retry_backoff } => {
            shared.client.fail_job(job.key, *retries, message, *retry_backoff).await
        }
        JobOutcome::Error { code, message, variables } => {
            shared.client.throw_error(job.key, code, message, variables.clone()).await
        }
        JobOutcome::Decide { variables, decision } => {
            shared.client.complete_ad_hoc_job(job.key, variables.clone(), decision).await
        }
    }
}

/// Reports the outcome, retrying transient errors with back-off until the job's lock runs out.
/// Completing and failing are idempotent and are also retried after a timeout; throwing an error
/// is not (it may have been applied).
async fn report(shared: &Shared, job: &Job, outcome: &JobOutcome, lock_expires: Instant) {
    let idempotent = !matches!(outcome, JobOutcome::Error { .. });
    let mut delays = shared.retry.delays();
    loop {
        let error = match send(shared, job, outcome).await {
            Ok(()) => {
                tracing::debug!(outcome = ?outcome.kind(), "reported the job's outcome");
                return;
            }
            Err(error) => error,
        };
        let retryable = if idempotent { error.is_retryable_when_idempotent() } else { error.is_transient() };
        if !retryable {
            gave_up(&error, outcome);
            return;
        }
        let delay = delays.next_delay();
        if Instant::now() + delay >= lock_expires {
            tracing::warn!(%error, outcome = ?outcome.kind(), "could not report the job's outcome before its lock runs out; the engine will hand the job out again");
            return;
        }
        tracing::warn!(%error, ?delay, outcome = ?outcome.kind(), "could not report the job's outcome; retrying after a back-off");
        tokio::time::sleep(delay).await;
    }
}

/// Logs a final answer to a report.
fn gave_up(error: &ClientError, outcome: &JobOutcome) {
    match error {
        ClientError::NotFound(_) => tracing::info!(
            %error,
            outcome = ?outcome.kind(),
            "the job is gone (finished by another worker, or its instance ended); dropping the outcome"
        ),
        _ => tracing::error!(%error, outcome = ?outcome.kind(), "the engine rejected the job's outcome; dropping it"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use async_trait::async_trait;
    use serde_json::json;

    use super::*;
    use crate::client::{ActivateJobsRequest, JobClient};
    use crate::handler::handler_fn;
    use crate::job::Variables;
    use crate::metrics::NoMetrics;
    use crate::runtime::RetryPolicy;
    use crate::testing::Capture;
    use crate::testing::job;

    /// Accepts every report and has no jobs.
    struct AcceptAll;

    #[async_trait]
    impl JobClient for AcceptAll {
        async fn activate_jobs(&self, _request: &ActivateJobsRequest) -> Result<Vec<Job>, ClientError> {
            Ok(Vec::new())
        }
        async fn complete_job(&self, _key: i64, _variables: Variables) -> Result<(), ClientError> {
            Ok(())
        }
        async fn complete_ad_hoc_job(
            &self,
            _key: i64,
            _variables: Variables,
            _decision: &crate::AdHocDecision,
        ) -> Result<(), ClientError> {
            Ok(())
        }
        async fn fail_job(
            &self,
            _key: i64,
            _retries: i32,
            _message: &str,
            _backoff: Duration,
        ) -> Result<(), ClientError> {
            Ok(())
        }
        async fn throw_error(
            &self,
            _key: i64,
            _code: &str,
            _message: &str,
            _variables: Variables,
        ) -> Result<(), ClientError> {
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_handler_that_outlasts_the_job_timeout_is_reported_and_warned_about() {
        let shared = Arc::new(Shared {
            client: Arc::new(AcceptAll),
            metrics: Arc::new(NoMetrics),
            retry: RetryPolicy::default(),
            worker: "w".into(),
        });
        let slow = handler_fn(|_job: Job| async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            JobOutcome::complete()
        });
        let capture = Capture::default();
        let _default = tracing::subscriber::set_default(capture.clone());
        let lock_expires = Instant::now() + Duration::from_secs(1);
        execute(shared, Arc::new(slow), job("t", &[], json!({})), lock_expires).await;

        let warnings: Vec<String> = capture
            .events()
            .into_iter()
            .filter(|e| e.level == tracing::Level::WARN)
            .filter_map(|e| e.field("message").map(str::to_owned))
            .collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("outlasted the job's timeout"), "{warnings:?}");
    }
}
