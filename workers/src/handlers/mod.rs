//! Built-in handlers the orchestrator needs for the seed workflows, small enough to read at a
//! glance:
//!
//! - [`LogHandler`] for job type [`LOG`]: logs a message and completes.
//! - [`SetVariableHandler`] for job type [`SET_VARIABLE`]: completes with one variable.
//! - [`ScriptedHandler`]: completes with variables scripted per element id or job type, so tests
//!   and demos can run workflows without real side effects (shell, Azure DevOps).
//! - [`DryRunHandler`]: logs what a persona action would do ([`describe_job`]) and completes.
//! - [`SimulateHandler`]: completes persona jobs with plausible, seeded outputs of the shapes
//!   they declare, following a [`Scenario`] of scripted outcomes.
//! - [`ShellHandler`]: runs `shell-command` jobs for real, in the workspace, once the guard allows
//!   the command.
//! - [`NoopHandler`]: completes at once.
//!
//! The first two read their parameters from the task's custom headers first (static values),
//! then from the job's variables (values computed by input mappings).

mod dry_run;
mod log;
mod noop;
mod scripted;
mod set_variable;
mod shell;
mod simulate;

use serde_json::Value;

pub use dry_run::{DryRunHandler, describe_job, fill_placeholders};
pub use log::LogHandler;
pub use noop::NoopHandler;
pub use scripted::ScriptedHandler;
pub use set_variable::SetVariableHandler;
pub use shell::{FORBIDDEN_COMMAND, STEP_FAILED, ShellHandler, ShellOptions};
pub use simulate::{Chances, Probability, Scenario, Script, Scripted, SimulateHandler, WorkTime};

use crate::job::Job;

/// The job type of the `log` action.
pub const LOG: &str = "log";
/// The job type of the `set-variable` action.
pub const SET_VARIABLE: &str = "set-variable";
/// The job type of an approval by one accountable persona (RACI).
pub const APPROVE: &str = "approve";
/// The job type of asking one consulted persona for advice (RACI).
pub const CONSULT: &str = "consult";
/// The job type of an escalation: RACI time-out, SLA breach or loop limit.
pub const ESCALATE: &str = "escalate";

/// A task parameter: the custom header `name` as a JSON string if the task declares it, else
/// the variable `name`.
fn parameter(job: &Job, name: &str) -> Option<Value> {
    match job.header(name) {
        Some(header) => Some(Value::String(header.to_owned())),
        None => job.variable(name).cloned(),
    }
}

/// A parameter as text: strings as they are, other JSON values in their JSON form.
fn text_parameter(job: &Job, name: &str) -> Option<String> {
    parameter(job, name).map(|value| match value {
        Value::String(text) => text,
        other => other.to_string(),
    })
}

/// The message for a task that lacks a parameter, naming the element and the fix.
fn missing(job: &Job, name: &str) -> String {
    format!(
        "task '{}' of process '{}' has no '{name}' custom header or variable; add one to the task (zeebe:taskHeaders or an input mapping)",
        job.element_id, job.bpmn_process_id
    )
}

#[cfg(test)]
pub(crate) mod test_job {
    //! A job to feed handlers in unit tests.

    use std::collections::BTreeMap;

    use chrono::DateTime;
    use serde_json::Value;

    use crate::job::{Job, Variables};

    /// A job of `job_type` for element `task-1` with the given headers and variables.
    pub(crate) fn job(job_type: &str, headers: &[(&str, &str)], variables: Value) -> Job {
        Job {
            job_type: job_type.into(),
            key: 1,
            element_id: "task-1".into(),
            element_instance_key: 2,
            bpmn_process_id: "proc".into(),
            process_definition_key: 3,
            process_instance_key: 4,
            variables: match variables {
                Value::Object(map) => map,
                _ => Variables::new(),
            },
            custom_headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<BTreeMap<_, _>>(),
            retries: 3,
            deadline: DateTime::UNIX_EPOCH,
            worker: "test".into(),
        }
    }
}
