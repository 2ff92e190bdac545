//! `set-variable`: one workflow variable set from a value (a script task in the model; the job
//! form serves hand-written BPMN).

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of set-variable jobs.
pub const JOB_TYPE: &str = "set-variable";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "set-variable",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "Sets one workflow variable (`context.NAME`) to a value or expression.",
        fields: vec![
            Field::required("variable", Shape::String, "The variable, `context.NAME` or `NAME`."),
            Field::required("value", Shape::Object, "Its value; any YAML value, `${...}` filled in."),
        ],
        outputs: Vec::new(),
        operations: Vec::new(),
        effects: Effects::None,
        timeout: Duration::from_secs(30),
        retries: 3,
    }
}

/// The set-variable handler, always.
#[cfg(feature = "run")]
pub(crate) fn handler(
    _settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    Ok(Some(std::sync::Arc::new(workers::handlers::SetVariableHandler)))
}
