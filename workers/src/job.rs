//! [`Job`]: one activated job as a handler sees it, the same on the embedded engine and on Zeebe.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A JSON object of process variables, as jobs carry them and outcomes return them.
pub type Variables = serde_json::Map<String, Value>;

/// The job type of the one action that makes paid model calls (the catalogue's `llm`): routing
/// puts the persona instance's providers on these jobs ([`PERSONA_PROVIDERS_HEADER`]).
pub const LLM_JOB_TYPE: &str = "llm";

/// The task header that persona routing sets on a job it placed: the persona instance's name.
pub const PERSONA_INSTANCE_HEADER: &str = "personaInstance";

/// The task header that persona routing sets on a job it placed: the instance's LLM providers
/// in the order they are tried, as `provider:model` pairs joined by commas. The `llm` action
/// asks them in that order.
pub const PERSONA_PROVIDERS_HEADER: &str = "personaProviders";

/// A job that a worker has activated: the task it belongs to, the variables visible to it, and
/// the lock this worker holds on it.
///
/// The runtime builds nothing itself: a [`JobClient`](crate::JobClient) returns jobs from
/// activation and the runtime hands each to its handler unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The job type the task declares (`zeebe:taskDefinition type`); the runtime picks the
    /// handler by it.
    pub job_type: String,
    /// The job's key, unique in the engine; completing, failing and throwing errors name it.
    pub key: i64,
    /// The BPMN id of the task element that created the job.
    pub element_id: String,
    /// The key of the element instance (this run of the task).
    pub element_instance_key: i64,
    /// The id of the BPMN process the task belongs to.
    pub bpmn_process_id: String,
    /// The key of the deployed process definition.
    pub process_definition_key: i64,
    /// The key of the process instance.
    pub process_instance_key: i64,
    /// The variables visible from the task at activation (or only the fetched ones).
    pub variables: Variables,
    /// The task's static headers (`zeebe:taskHeaders`); header values are always strings.
    pub custom_headers: BTreeMap<String, String>,
    /// The retries left. A failed job with `retries - 1 > 0` is retried, otherwise it raises an
    /// incident.
    pub retries: i32,
    /// When the lock runs out; after it the engine may give the job to another worker.
    pub deadline: DateTime<Utc>,
    /// The worker name the job was activated for.
    pub worker: String,
}

/// The instant `millis` after the epoch, as engines report job deadlines; a value outside
/// chrono's range (never produced by a sane clock) reads as "no deadline".
#[cfg(any(feature = "embedded", feature = "zeebe"))]
pub(crate) fn deadline_from_epoch_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Job {
    /// The variable with that name, if the job carries it.
    pub fn variable(&self, name: &str) -> Option<&Value> {
        self.variables.get(name)
    }

    /// A task parameter: the custom header `name` as a JSON string if the task declares it
    /// (a static value), else the variable `name` (a value computed by an input mapping).
    pub fn parameter(&self, name: &str) -> Option<Value> {
        match self.header(name) {
            Some(header) => Some(Value::String(header.to_owned())),
            None => self.variable(name).cloned(),
        }
    }

    /// A [`parameter`](Self::parameter) as text: strings as they are, other JSON values in
    /// their JSON form.
    pub fn text_parameter(&self, name: &str) -> Option<String> {
        self.parameter(name).map(|value| match value {
            Value::String(text) => text,
            other => other.to_string(),
        })
    }

    /// The message for a task that lacks the parameter `name`, naming the element and the fix.
    pub fn missing_parameter(&self, name: &str) -> String {
        format!(
            "task '{}' of process '{}' has no '{name}' custom header or variable; add one to the task (zeebe:taskHeaders or an input mapping)",
            self.element_id, self.bpmn_process_id
        )
    }

    /// The custom header with that name, if the task declares it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.custom_headers.get(name).map(String::as_str)
    }

    /// The retries to report when this job fails once more: one less than now, never below 0.
    pub fn retries_after_failure(&self) -> i32 {
        self.retries.saturating_sub(1).max(0)
    }
}
