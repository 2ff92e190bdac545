//! What the history keeps per entity.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::change::Change;

/// Where a process instance, element instance, job, timer or user task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Started and not yet ended (for a timer: pending; for a job or user task: open).
    Active,
    /// Ended normally (a timer: fired).
    Completed,
    /// Ended early: terminated, cancelled.
    Terminated,
}

impl Status {
    /// The name used in output, for example `active`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Completed => "completed",
            Status::Terminated => "terminated",
        }
    }
}

/// A start and, once it happened, an end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// What started it.
    pub started: Change,
    /// What ended it.
    pub ended: Option<Change>,
}

impl Span {
    /// How long it took, in milliseconds, once it ended.
    pub fn duration_millis(&self) -> Option<i64> {
        Some(self.ended.as_ref()?.at_millis - self.started.at_millis)
    }
}

/// A process instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceHistory {
    /// The process instance key.
    pub key: i64,
    /// The BPMN process id.
    pub bpmn_process_id: String,
    /// The process version it runs (the one it started on).
    pub version: i32,
    /// The process definition key.
    pub process_definition_key: i64,
    /// The instance that called it through a call activity, if any.
    pub parent_instance_key: Option<i64>,
    /// The call activity's element instance that called it, if any.
    pub parent_element_instance_key: Option<i64>,
    /// Active, completed or terminated.
    pub status: Status,
    /// Start and end.
    pub span: Span,
}

/// An element instance (the process instance itself is one too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementHistory {
    /// The element instance key.
    pub key: i64,
    /// The element id in the model.
    pub element_id: String,
    /// Zeebe's element type, for example `SERVICE_TASK`.
    pub element_type: &'static str,
    /// The process instance.
    pub process_instance_key: i64,
    /// The enclosing element instance (`-1` for a process instance).
    pub flow_scope_key: i64,
    /// Active, completed or terminated.
    pub status: Status,
    /// Activation and end.
    pub span: Span,
}

/// One write of a variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableChange {
    /// The variable name.
    pub name: String,
    /// The value written.
    pub value: Value,
    /// The scope (element instance key) holding the variable.
    pub scope_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// True for the first write in its scope, false for an update.
    pub created: bool,
    /// When and why.
    pub change: Change,
}

/// An incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentHistory {
    /// The incident key.
    pub key: i64,
    /// Zeebe's error type, for example `JOB_NO_RETRIES`.
    pub error_type: &'static str,
    /// What went wrong.
    pub error_message: String,
    /// The element id.
    pub element_id: String,
    /// The element instance.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// The job it is about, if any.
    pub job_key: Option<i64>,
    /// Raised and resolved.
    pub span: Span,
}

impl IncidentHistory {
    /// True until it is resolved.
    pub fn is_open(&self) -> bool {
        self.span.ended.is_none()
    }
}

/// One step in a job's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobEvent {
    /// Zeebe's intent, for example `ACTIVATED` or `COMPLETED`.
    pub intent: &'static str,
    /// The worker holding the job at that step (empty when none).
    pub worker: String,
    /// The retries left after the step.
    pub retries: i32,
    /// The failure message or thrown error, if the step has one.
    pub message: Option<String>,
    /// When and why.
    pub change: Change,
}

/// A job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobHistory {
    /// The job key.
    pub key: i64,
    /// The job type.
    pub job_type: String,
    /// The task's element id.
    pub element_id: String,
    /// The task's custom headers (`zeebe:taskHeaders`), such as the step and the persona that
    /// does the job.
    pub custom_headers: BTreeMap<String, String>,
    /// The task's element instance.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// Zeebe's intent of its last step, for example `COMPLETED`.
    pub state: &'static str,
    /// Open (created, activated, failed with retries), completed, or ended otherwise.
    pub status: Status,
    /// The retries left.
    pub retries: i32,
    /// Every step, in order.
    pub events: Vec<JobEvent>,
}

/// A timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimerHistory {
    /// The timer key.
    pub key: i64,
    /// The catch event it triggers.
    pub element_id: String,
    /// The element instance that owns it (`None` for a timer start event).
    pub element_instance_key: Option<i64>,
    /// The process instance (`None` for a timer start event).
    pub process_instance_key: Option<i64>,
    /// When it is (or was) due, in epoch milliseconds.
    pub due_millis: i64,
    /// Pending (active), fired (completed) or cancelled (terminated).
    pub status: Status,
    /// Scheduled and fired or cancelled.
    pub span: Span,
}

/// A Camunda user task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserTaskHistory {
    /// The user task key.
    pub key: i64,
    /// The element id.
    pub element_id: String,
    /// The element instance.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// The assignee (empty when unassigned).
    pub assignee: String,
    /// Open, completed or cancelled.
    pub status: Status,
    /// Created and completed or cancelled.
    pub span: Span,
}
