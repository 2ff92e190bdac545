//! `llm`: a persona thinks: a prompt in, the step's declared outputs out, from the instance's
//! providers in priority order.

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of LLM steps.
pub const JOB_TYPE: &str = "llm";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "llm",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "Asks the persona's models, in priority order, for the step's declared outputs as JSON; one corrective retry on an invalid answer, then BPMN error LLM_INVALID_OUTPUT.",
        fields: vec![Field::required("prompt", Shape::String, "What to ask; `${...}` values are filled in.")],
        outputs: vec![
            Field::optional("llm_usage", Shape::Object, "Provider, model, input and output tokens, and cost."),
            Field::optional("llm_answer", Shape::String, "The free-text answer, when the step declares no outputs."),
        ],
        operations: Vec::new(),
        effects: Effects::External,
        timeout: Duration::from_secs(300),
        retries: 3,
    }
}

/// The settings section `llm`: providers in priority order. Prices and budgets are the spend
/// gate's ([`Settings::spend_gate`](crate::Settings::spend_gate)).
#[cfg(feature = "run")]
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LlmSettings {
    providers: Vec<llm::ProviderConfig>,
}

/// The LLM handler, when the settings list providers.
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    Ok(llm_handler(settings)?.map(|handler| std::sync::Arc::new(handler) as std::sync::Arc<dyn workers::JobHandler>))
}

/// An [`LlmHandler`](crate::llm::LlmHandler) on the settings' providers and spend gate, when
/// the settings list providers (the `agent` action asks through one too).
#[cfg(feature = "run")]
pub(crate) fn llm_handler(settings: &crate::Settings) -> Result<Option<crate::llm::LlmHandler>, crate::SettingsError> {
    let Some(section) = settings.section::<LlmSettings>(JOB_TYPE)? else { return Ok(None) };
    let chain = llm::Chain::new(section.providers, llm::ChainOptions::default())
        .map_err(|e| crate::SettingsError::new(JOB_TYPE, e.to_string()))?;
    let gate = settings.spend_gate.clone().unwrap_or_else(|| std::sync::Arc::new(workers::spend::NoSpendLimit));
    Ok(Some(crate::llm::LlmHandler::new(chain, gate)))
}

#[cfg(all(test, feature = "run"))]
mod tests {
    #[test]
    fn routing_knows_this_action_as_the_one_that_makes_paid_calls() {
        assert_eq!(super::JOB_TYPE, workers::LLM_JOB_TYPE);
    }
}
