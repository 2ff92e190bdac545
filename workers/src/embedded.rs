//! [`EmbeddedClient`]: the [`JobClient`] for the in-process engine (crate `engine`), so the
//! same handlers and [`WorkerRuntime`](crate::WorkerRuntime) run without a Zeebe cluster.

use std::time::Duration;

use async_trait::async_trait;
use engine::{ActivateJobs, ActivatedJob, AdHocActivation, AdHocResult, Engine, EngineError};

use crate::client::{ActivateJobsRequest, ClientError, JobClient};
use crate::job::{Job, Variables, deadline_from_epoch_millis};
use crate::outcome::AdHocDecision;

/// Drives jobs of an embedded [`Engine`]. Activation long-polls on the engine's own
/// notification of new jobs; the other calls are single engine commands.
///
/// The engine runs in-process, so there is no transport to fail: its answers map to the final
/// [`ClientError`]s (`NOT_FOUND`, `FAILED_PRECONDITION`, `INVALID_ARGUMENT`, ...) and
/// `DEADLINE_EXCEEDED`; the only transient one is `UNAVAILABLE` from a durable engine whose record
/// store failed a write (it passes once the engine is reopened from its store).
#[derive(Debug, Clone)]
pub struct EmbeddedClient {
    engine: Engine,
}

impl EmbeddedClient {
    /// A client for `engine` (a cheap, shared handle).
    pub fn new(engine: Engine) -> Self {
        Self { engine }
    }
}

/// Maps an engine rejection onto the client error of the same gRPC status code.
fn client_error(error: EngineError) -> ClientError {
    match error {
        EngineError::NotFound(message) => ClientError::NotFound(message),
        EngineError::FailedPrecondition(message) => ClientError::FailedPrecondition(message),
        EngineError::InvalidArgument(message) => ClientError::InvalidArgument(message),
        EngineError::DeadlineExceeded(message) => ClientError::DeadlineExceeded(message),
        EngineError::AlreadyExists(message) => ClientError::Rejected(format!("ALREADY_EXISTS: {message}")),
        EngineError::Unavailable(message) => ClientError::Unavailable(message),
    }
}

/// A worker's decision as the embedded engine records it.
impl From<&AdHocDecision> for AdHocResult {
    fn from(decision: &AdHocDecision) -> Self {
        match decision {
            AdHocDecision::Activate(activations) => AdHocResult {
                activate_elements: activations
                    .iter()
                    .map(|a| AdHocActivation { element_id: a.element_id.clone(), variables: a.variables.clone() })
                    .collect(),
                ..AdHocResult::default()
            },
            AdHocDecision::Done { cancel_remaining } => AdHocResult {
                completion_condition_fulfilled: true,
                cancel_remaining_instances: *cancel_remaining,
                ..AdHocResult::default()
            },
        }
    }
}

/// The handler's view of a job the embedded engine activated.
impl From<ActivatedJob> for Job {
    fn from(activated: ActivatedJob) -> Self {
        Job {
            job_type: activated.job_type().to_owned(),
            key: activated.key,
            element_id: activated.element_id().to_owned(),
            element_instance_key: activated.element_instance_key,
            bpmn_process_id: activated.bpmn_process_id().to_owned(),
            process_definition_key: activated.process_definition_key(),
            process_instance_key: activated.process_instance_key,
            custom_headers: activated.custom_headers().iter().cloned().collect(),
            retries: activated.retries,
            deadline: deadline_from_epoch_millis(activated.deadline),
            worker: activated.worker.to_string(),
            variables: activated.variables,
        }
    }
}

#[async_trait]
impl JobClient for EmbeddedClient {
    async fn activate_jobs(&self, request: &ActivateJobsRequest) -> Result<Vec<Job>, ClientError> {
        let activate = ActivateJobs {
            job_type: request.job_type.clone(),
            worker: request.worker.clone(),
            max_jobs: request.max_jobs,
            timeout: request.timeout,
            fetch_variables: request.fetch_variables.clone(),
        };
        let activated = self.engine.activate_jobs(&activate, request.request_timeout).await.map_err(client_error)?;
        Ok(activated.into_iter().map(Job::from).collect())
    }

    async fn complete_job(&self, job_key: i64, variables: Variables) -> Result<(), ClientError> {
        self.engine.with(|core| core.complete_job(job_key, variables)).map_err(client_error)
    }

    async fn complete_ad_hoc_job(
        &self,
        job_key: i64,
        variables: Variables,
        decision: &AdHocDecision,
    ) -> Result<(), ClientError> {
        let result = AdHocResult::from(decision);
        self.engine.with(|core| core.complete_ad_hoc_job(job_key, variables, result)).map_err(client_error)
    }

    async fn fail_job(
        &self,
        job_key: i64,
        retries: i32,
        message: &str,
        retry_backoff: Duration,
    ) -> Result<(), ClientError> {
        self.engine
            .with(|core| core.fail_job(job_key, retries, message, retry_backoff, Variables::new()))
            .map_err(client_error)
    }

    async fn throw_error(
        &self,
        job_key: i64,
        code: &str,
        message: &str,
        variables: Variables,
    ) -> Result<(), ClientError> {
        self.engine.with(|core| core.throw_error(job_key, code, message, variables)).map_err(client_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_engine_rejection_keeps_its_status_code() {
        let text = || "m".to_owned();
        let cases = [
            (EngineError::NotFound(text()), ClientError::NotFound(text())),
            (EngineError::FailedPrecondition(text()), ClientError::FailedPrecondition(text())),
            (EngineError::InvalidArgument(text()), ClientError::InvalidArgument(text())),
            (EngineError::DeadlineExceeded(text()), ClientError::DeadlineExceeded(text())),
            (EngineError::AlreadyExists(text()), ClientError::Rejected("ALREADY_EXISTS: m".into())),
            (EngineError::Unavailable(text()), ClientError::Unavailable(text())),
        ];
        for (engine_error, expected) in cases {
            assert_eq!(client_error(engine_error), expected);
        }
    }
}
