//! `agent`: the decisions of an `ad-hoc` step with `agent:` (an ad-hoc sub-process in its
//! job-worker implementation): after each finished tool the persona's models choose the next
//! tools, or say the goal is reached; bounded by `max_calls` and the instance's spend limits.

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of an `ad-hoc` step's agent.
pub const JOB_TYPE: &str = "agent";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "agent",
        job_type: JOB_TYPE,
        in_steps: false,
        summary: "Decides an `ad-hoc` step: the persona's models choose which of its tools run next, or that the goal is reached; at most `max_calls` calls (BPMN error MAXIMUM_NUMBER_OF_MODEL_CALLS_REACHED), within the instance's spend limits.",
        fields: vec![Field::required("goal", Shape::String, "What the agent is to achieve; `${...}` values are filled in.")],
        outputs: vec![Field::optional(
            "agent",
            Shape::Object,
            "calls, summary, every choice (call, next, done) and llm_usage of the last call.",
        )],
        operations: Vec::new(),
        effects: Effects::External,
        timeout: Duration::from_secs(300),
        retries: 3,
    }
}

/// The agent handler, when the `llm` settings list providers (it asks the same chain and
/// charges the same spend gate as the `llm` action).
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    let Some(llm) = super::llm::llm_handler(settings)? else { return Ok(None) };
    Ok(Some(std::sync::Arc::new(crate::llm::AgentHandler::new(llm))))
}
