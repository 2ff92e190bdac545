//! The `set-variable` action: complete with one variable.

use async_trait::async_trait;

use crate::handler::JobHandler;
use crate::job::{Job, Variables};
use crate::outcome::JobOutcome;

/// Completes with one variable: its name is the task's `variable` parameter (a `context.`
/// prefix, as the YAML dialect allows, is dropped), its value the `value` parameter — any JSON
/// value when it comes from a variable (an input mapping), a string when it comes from a header.
///
/// A missing or blank `variable`, or a missing `value`, fails the job without retries (an
/// incident) with a message that names the task.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetVariableHandler;

#[async_trait]
impl JobHandler for SetVariableHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let Some(name) = job.text_parameter("variable") else {
            return JobOutcome::fail_without_retries(job.missing_parameter("variable"));
        };
        let name = name.trim();
        let name = name.strip_prefix("context.").unwrap_or(name);
        if name.is_empty() {
            return JobOutcome::fail_without_retries(format!(
                "task '{}' of process '{}' names no variable to set ('variable' is blank); give the variable's name",
                job.element_id, job.bpmn_process_id
            ));
        }
        let Some(value) = job.parameter("value") else {
            return JobOutcome::fail_without_retries(job.missing_parameter("value"));
        };
        let mut variables = Variables::new();
        variables.insert(name.to_owned(), value);
        JobOutcome::complete_with(variables)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::testing::job;

    fn completed_with(outcome: JobOutcome) -> Value {
        match outcome {
            JobOutcome::Complete { variables } => Value::Object(variables),
            other => panic!("expected a completion, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn sets_a_computed_value_under_the_name_without_its_context_prefix() {
        let job = job("set-variable", &[("variable", "context.feature_complete")], json!({"value": {"done": false}}));
        assert_eq!(completed_with(SetVariableHandler.handle(&job).await), json!({"feature_complete": {"done": false}}));
    }

    #[tokio::test]
    async fn a_header_value_is_a_string_and_wins_over_a_variable() {
        let job = job("set-variable", &[("variable", "MODE"), ("value", "quick")], json!({"value": 7}));
        assert_eq!(completed_with(SetVariableHandler.handle(&job).await), json!({"MODE": "quick"}));
    }

    #[tokio::test]
    async fn a_null_value_is_set_as_null() {
        let job = job("set-variable", &[("variable", "X")], json!({"value": null}));
        assert_eq!(completed_with(SetVariableHandler.handle(&job).await), json!({"X": null}));
    }

    #[tokio::test]
    async fn missing_or_blank_parameters_raise_an_incident_naming_what_is_missing() {
        let cases = [
            (job("set-variable", &[], json!({"value": 1})), "'variable'"),
            (job("set-variable", &[("variable", "context.")], json!({"value": 1})), "blank"),
            (job("set-variable", &[("variable", "X")], json!({})), "'value'"),
        ];
        for (job, expected) in cases {
            let outcome = SetVariableHandler.handle(&job).await;
            let JobOutcome::Fail { message, retries: 0, .. } = outcome else {
                panic!("expected a final failure, got {outcome:?}")
            };
            assert!(message.contains(expected) && message.contains("task 'task-1'"), "{message}");
        }
    }
}
