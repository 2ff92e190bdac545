//! A handler that completes jobs with scripted variables, for tests and demos.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::handler::JobHandler;
use crate::job::{Job, Variables};
use crate::outcome::JobOutcome;

/// Completes every job with variables scripted per element id or per job type, so a workflow
/// runs end to end without real side effects. A script for the job's element id wins over one
/// for its job type; a job with neither completes without variables.
///
/// Register one instance for several job types (it is cheap to clone, or share it in an `Arc`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScriptedHandler {
    by_element: BTreeMap<String, Variables>,
    by_type: BTreeMap<String, Variables>,
}

impl ScriptedHandler {
    /// A handler with no scripts: every job completes without variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Jobs of the task with this element id complete with `variables`.
    pub fn on_element(mut self, element_id: impl Into<String>, variables: Variables) -> Self {
        self.by_element.insert(element_id.into(), variables);
        self
    }

    /// Jobs of this type complete with `variables`, unless their element has a script.
    pub fn on_type(mut self, job_type: impl Into<String>, variables: Variables) -> Self {
        self.by_type.insert(job_type.into(), variables);
        self
    }

    /// The variables `job` completes with.
    fn variables_for(&self, job: &Job) -> Variables {
        self.by_element.get(&job.element_id).or_else(|| self.by_type.get(&job.job_type)).cloned().unwrap_or_default()
    }
}

#[async_trait]
impl JobHandler for ScriptedHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        JobOutcome::complete_with(self.variables_for(job))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::testing::job;

    fn vars(value: Value) -> Variables {
        value.as_object().cloned().unwrap_or_default()
    }

    #[tokio::test]
    async fn an_element_script_wins_over_a_type_script_and_unscripted_jobs_complete_empty() {
        let handler = ScriptedHandler::new()
            .on_type("shell-command", vars(json!({"exitCode": 0})))
            .on_element("task-1", vars(json!({"exitCode": 2})));
        let scripted_element = job("shell-command", &[], json!({}));
        assert_eq!(handler.handle(&scripted_element).await, JobOutcome::complete_with(vars(json!({"exitCode": 2}))));
        let other_element = crate::Job { element_id: "task-9".into(), ..scripted_element };
        assert_eq!(handler.handle(&other_element).await, JobOutcome::complete_with(vars(json!({"exitCode": 0}))));
        let unscripted = crate::Job { element_id: "task-9".into(), ..job("azure-devops", &[], json!({})) };
        assert_eq!(handler.handle(&unscripted).await, JobOutcome::complete());
    }
}
