//! The `noop` action: complete at once.

use async_trait::async_trait;

use crate::handler::JobHandler;
use crate::job::Job;
use crate::outcome::JobOutcome;

/// Completes every job at once without variables: for job types whose work happens elsewhere,
/// and for measuring the worker's own throughput.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopHandler;

#[async_trait]
impl JobHandler for NoopHandler {
    async fn handle(&self, _job: &Job) -> JobOutcome {
        JobOutcome::complete()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::job;

    #[tokio::test]
    async fn completes_without_variables_whatever_the_job_carries() {
        let job = job("notify", &[("type", "email")], json!({"x": 1}));
        assert_eq!(NoopHandler.handle(&job).await, JobOutcome::complete());
    }
}
