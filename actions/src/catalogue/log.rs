//! `log`: a line in the worker's log.

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of log steps.
pub const JOB_TYPE: &str = "log";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "log",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "Writes a message to the worker's log at a level.",
        fields: vec![
            Field::required("message", Shape::String, "The text; `${...}` values are filled in."),
            Field::optional(
                "level",
                Shape::OneOf(["trace", "debug", "info", "warn", "error"].map(String::from).to_vec()),
                "The level (default info).",
            ),
        ],
        outputs: Vec::new(),
        operations: Vec::new(),
        effects: Effects::None,
        timeout: Duration::from_secs(30),
        retries: 3,
    }
}

/// The log handler, always.
#[cfg(feature = "run")]
pub(crate) fn handler(
    _settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    Ok(Some(std::sync::Arc::new(workers::handlers::LogHandler)))
}
