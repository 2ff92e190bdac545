//! [`JobClient`]: the engine side a worker runtime needs, and its typed errors.

use std::time::Duration;

use async_trait::async_trait;

use crate::job::{Job, Variables};
use crate::outcome::AdHocDecision;

/// One activation request: Zeebe's `ActivateJobs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivateJobsRequest {
    /// The job type to activate.
    pub job_type: String,
    /// The worker name recorded on the activated jobs.
    pub worker: String,
    /// At most this many jobs (at least 1). A client must not return more.
    pub max_jobs: usize,
    /// How long the activated jobs stay locked to this worker.
    pub timeout: Duration,
    /// When given, only these variables are fetched; otherwise all visible ones.
    pub fetch_variables: Option<Vec<String>>,
    /// Long polling: when no job is available, how long the call may wait for one before it
    /// returns an empty list. Zero asks for an immediate answer.
    pub request_timeout: Duration,
}

/// A failed call to the engine. The variants follow the gRPC status codes Zeebe's gateway uses,
/// so an adapter maps codes one to one. [`is_transient`](Self::is_transient) separates transport
/// trouble worth retrying from final answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The engine cannot be reached or has no leader for the partition (`UNAVAILABLE`).
    /// Transient: retry with back-off.
    #[error("the engine is unavailable: {0}")]
    Unavailable(String),
    /// The engine sheds load (`RESOURCE_EXHAUSTED`, back-pressure). Transient: retry with
    /// back-off.
    #[error("the engine is overloaded (resource exhausted): {0}")]
    ResourceExhausted(String),
    /// The call timed out (`DEADLINE_EXCEEDED`); it may or may not have taken effect. Only
    /// idempotent calls (activate, complete, fail) may be retried.
    #[error("the call to the engine timed out: {0}")]
    DeadlineExceeded(String),
    /// The job no longer exists (`NOT_FOUND`): completed by someone else, or its element or
    /// instance was terminated. Final.
    #[error("not found: {0}")]
    NotFound(String),
    /// The job exists but cannot take the command (`FAILED_PRECONDITION`), for example because
    /// it has an open incident. Final.
    #[error("failed precondition: {0}")]
    FailedPrecondition(String),
    /// The request itself is wrong (`INVALID_ARGUMENT`), for example a blank job type. Final.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Any other answer (`INTERNAL`, `PERMISSION_DENIED`, ...), with the engine's message. Final.
    #[error("the engine rejected the call: {0}")]
    Rejected(String),
}

impl ClientError {
    /// True for transport trouble that passes by itself (unavailable, resource exhausted): the
    /// runtime retries these with exponential back-off.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::ResourceExhausted(_))
    }

    /// True when repeating an idempotent call (activate, complete, fail) is safe and useful:
    /// the transient errors plus `DEADLINE_EXCEEDED`.
    pub fn is_retryable_when_idempotent(&self) -> bool {
        self.is_transient() || matches!(self, Self::DeadlineExceeded(_))
    }
}

/// The engine operations a worker runtime needs: activate jobs, then complete, fail or throw an
/// error for each. One implementation exists per engine (embedded, Zeebe), and tests use an
/// in-memory one.
///
/// Implementations map their engine's rejections onto [`ClientError`] so that the runtime can
/// tell retryable transport trouble from final answers.
#[async_trait]
pub trait JobClient: Send + Sync {
    /// Activates up to `request.max_jobs` jobs of the type. When none is available it waits up
    /// to `request.request_timeout` for one (long polling) and then returns an empty list.
    async fn activate_jobs(&self, request: &ActivateJobsRequest) -> Result<Vec<Job>, ClientError>;

    /// Completes a job with variables.
    async fn complete_job(&self, job_key: i64, variables: Variables) -> Result<(), ClientError>;

    /// Completes the job of an ad-hoc sub-process with the worker's decision (the job result
    /// of type `adHocSubProcess`).
    async fn complete_ad_hoc_job(
        &self,
        job_key: i64,
        variables: Variables,
        decision: &AdHocDecision,
    ) -> Result<(), ClientError>;

    /// Fails a job, leaving it `retries` retries; with retries left it can be activated again
    /// after `retry_backoff`, otherwise the engine raises an incident with `message`.
    async fn fail_job(
        &self,
        job_key: i64,
        retries: i32,
        message: &str,
        retry_backoff: Duration,
    ) -> Result<(), ClientError>;

    /// Throws a BPMN error for a job.
    async fn throw_error(
        &self,
        job_key: i64,
        code: &str,
        message: &str,
        variables: Variables,
    ) -> Result<(), ClientError>;
}

#[cfg(test)]
mod tests {
    use super::ClientError;

    #[test]
    fn only_transport_trouble_is_transient_and_timeouts_are_retried_only_when_idempotent() {
        let text = String::new;
        let cases = [
            (ClientError::Unavailable(text()), true, true),
            (ClientError::ResourceExhausted(text()), true, true),
            (ClientError::DeadlineExceeded(text()), false, true),
            (ClientError::NotFound(text()), false, false),
            (ClientError::FailedPrecondition(text()), false, false),
            (ClientError::InvalidArgument(text()), false, false),
            (ClientError::Rejected(text()), false, false),
        ];
        for (error, transient, idempotent_retry) in cases {
            assert_eq!(error.is_transient(), transient, "{error}");
            assert_eq!(error.is_retryable_when_idempotent(), idempotent_retry, "{error}");
        }
    }
}
