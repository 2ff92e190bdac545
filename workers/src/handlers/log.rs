//! The `log` action: write a message to the worker's log and complete.

use async_trait::async_trait;
use tracing::Level;

use crate::handler::JobHandler;
use crate::job::Job;
use crate::outcome::JobOutcome;

/// Logs the task's `message` at its `level` (`trace`, `debug`, `info`, `warn`/`warning`,
/// `error`, any case; `info` when absent) through `tracing`, with the element id and process
/// instance key, and completes without variables.
///
/// A missing `message` or an unknown `level` is a modelling mistake that retrying cannot fix, so
/// the job fails without retries (an incident) and the message names the task.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogHandler;

/// Reads a level name.
fn parse_level(name: &str) -> Option<Level> {
    match name.trim().to_ascii_lowercase().as_str() {
        "trace" => Some(Level::TRACE),
        "debug" => Some(Level::DEBUG),
        "info" => Some(Level::INFO),
        "warn" | "warning" => Some(Level::WARN),
        "error" => Some(Level::ERROR),
        _ => None,
    }
}

#[async_trait]
impl JobHandler for LogHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let Some(message) = job.text_parameter("message") else {
            return JobOutcome::fail_without_retries(job.missing_parameter("message"));
        };
        let level = match job.text_parameter("level") {
            None => Level::INFO,
            Some(name) => match parse_level(&name) {
                Some(level) => level,
                None => {
                    return JobOutcome::fail_without_retries(format!(
                        "task '{}' of process '{}' asks for log level '{name}'; use one of trace, debug, info, warn, error",
                        job.element_id, job.bpmn_process_id
                    ));
                }
            },
        };
        let (element_id, instance) = (job.element_id.as_str(), job.process_instance_key);
        // `tracing` needs the level at compile time, hence one call per level.
        match level {
            Level::TRACE => tracing::trace!(element_id, instance, "{message}"),
            Level::DEBUG => tracing::debug!(element_id, instance, "{message}"),
            Level::INFO => tracing::info!(element_id, instance, "{message}"),
            Level::WARN => tracing::warn!(element_id, instance, "{message}"),
            Level::ERROR => tracing::error!(element_id, instance, "{message}"),
        }
        JobOutcome::complete()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::job;
    use crate::testing::{Capture, Logged};

    #[test]
    fn every_documented_level_name_is_read() {
        for (name, level) in [
            ("trace", Level::TRACE),
            ("DEBUG", Level::DEBUG),
            (" info ", Level::INFO),
            ("warn", Level::WARN),
            ("Warning", Level::WARN),
            ("error", Level::ERROR),
        ] {
            assert_eq!(parse_level(name), Some(level), "{name}");
        }
        assert_eq!(parse_level("loud"), None);
    }

    /// Runs the handler on `job` and returns its outcome with what it logged.
    async fn handle_logged(job: &Job) -> (JobOutcome, Vec<Logged>) {
        let capture = Capture::default();
        let _default = tracing::subscriber::set_default(capture.clone());
        let outcome = LogHandler.handle(job).await;
        (outcome, capture.events())
    }

    #[tokio::test]
    async fn logs_a_header_message_at_the_header_level_and_completes() {
        let (outcome, logged) =
            handle_logged(&job("log", &[("message", "deploy failed"), ("level", "error")], json!({}))).await;
        assert_eq!(outcome, JobOutcome::complete());
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].level, Level::ERROR);
        assert_eq!(logged[0].field("message"), Some("deploy failed"));
        assert_eq!(logged[0].field("element_id"), Some("task-1"));
    }

    #[tokio::test]
    async fn reads_variables_when_headers_are_absent_and_defaults_to_info() {
        let (_, logged) = handle_logged(&job("log", &[], json!({"message": {"count": 2}, "level": "warn"}))).await;
        assert_eq!((logged[0].level, logged[0].field("message")), (Level::WARN, Some(r#"{"count":2}"#)));
        let (_, logged) = handle_logged(&job("log", &[("message", "hello")], json!({}))).await;
        assert_eq!((logged[0].level, logged[0].field("message")), (Level::INFO, Some("hello")));
    }

    #[tokio::test]
    async fn a_missing_message_raises_an_incident_naming_the_task() {
        let outcome = LogHandler.handle(&job("log", &[("level", "info")], json!({}))).await;
        let JobOutcome::Fail { message, retries: 0, .. } = outcome else {
            panic!("expected a final failure, got {outcome:?}")
        };
        assert!(message.contains("task 'task-1'") && message.contains("'message'"), "{message}");
    }

    #[tokio::test]
    async fn an_unknown_level_raises_an_incident_naming_the_level() {
        let outcome = LogHandler.handle(&job("log", &[("message", "hi"), ("level", "loud")], json!({}))).await;
        let JobOutcome::Fail { message, retries: 0, .. } = outcome else {
            panic!("expected a final failure, got {outcome:?}")
        };
        assert!(message.contains("'loud'") && message.contains("task 'task-1'"), "{message}");
    }
}
