//! [`LlmHandler`]: the `llm` job. It asks the chain for the step's declared outputs, with one
//! corrective retry on an invalid answer, sets the most each call can cost aside before it (a
//! call that would pass a spend limit is not made) and charges what it cost after, and completes
//! the job or throws a BPMN error.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use llm::{Chain, Message, Unavailable, Usage};
use serde::Serialize;
use serde_json::Value;
use workers::spend::{PlannedCall, SpendError, SpendGate, UsedCall};
use workers::{Job, JobHandler, JobOutcome, PERSONA_INSTANCE_HEADER, PERSONA_PROVIDERS_HEADER, Variables};

use super::structured::StructuredOutput;
use crate::shape::OutputShapes;

/// What the calls of one job used in total; recorded on the job as `llm_usage`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LlmUsage {
    /// The provider of the last answer.
    pub provider: String,
    /// The model of the last answer.
    pub model: String,
    /// Input tokens of all calls.
    pub input_tokens: u64,
    /// Output tokens of all calls.
    pub output_tokens: u64,
    /// The cost of all calls, as the spend gate priced them.
    pub cost: f64,
}

impl LlmUsage {
    fn add(total: Option<Self>, usage: &Usage, cost: f64) -> Self {
        let (input, output, spent) = total.map_or((0, 0, 0.0), |t| (t.input_tokens, t.output_tokens, t.cost));
        Self {
            provider: usage.provider.clone(),
            model: usage.model.clone(),
            input_tokens: input + usage.input_tokens,
            output_tokens: output + usage.output_tokens,
            cost: spent + cost,
        }
    }
}

/// A structured answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The declared outputs; with none declared, `llm_answer` holds the text.
    pub outputs: Variables,
    /// What it used.
    pub usage: LlmUsage,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AskError {
    /// Every provider failed.
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    /// The answer did not fit the declared outputs, even after the corrective retry.
    #[error("the LLM's answer does not fit the declared outputs after one corrective retry: {}", .problems.join("; "))]
    InvalidOutput {
        /// What was wrong with the last answer.
        problems: Vec<String>,
        /// What the calls used.
        usage: LlmUsage,
    },
    /// The spend gate refused a call before it was made, or could not record its cost.
    #[error(transparent)]
    Spend(#[from] SpendError),
    /// The persona instance's providers do not fit the configured ones (a setup problem: the
    /// job becomes an incident, not a BPMN error).
    #[error("{0}")]
    Providers(String),
}

impl AskError {
    /// The BPMN error code this becomes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "LLM_UNAVAILABLE",
            Self::InvalidOutput { .. } => "LLM_INVALID_OUTPUT",
            Self::Spend(SpendError::Refused(_)) => "SPEND_LIMIT_EXCEEDED",
            Self::Spend(SpendError::Failed(_)) => "SPEND_NOT_RECORDED",
            Self::Providers(_) => "LLM_PROVIDERS_UNUSABLE",
        }
    }
}

/// The `llm` job handler: job variable `prompt`, task header `outputs`.
pub struct LlmHandler {
    chain: Chain,
    gate: Arc<dyn SpendGate>,
}

impl fmt::Debug for LlmHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmHandler").field("chain", &self.chain).finish_non_exhaustive()
    }
}

impl LlmHandler {
    /// A handler that asks `chain` and holds and charges each call's cost through `gate`.
    pub fn new(chain: Chain, gate: Arc<dyn SpendGate>) -> Self {
        Self { chain, gate }
    }

    /// The chain `job`'s calls go to: its persona instance's providers in the instance's order
    /// (header [`PERSONA_PROVIDERS_HEADER`], set by routing), else the configured order. An
    /// instance provider the chain does not configure is an error that says so.
    pub fn chain_for(&self, job: &Job) -> Result<Option<Chain>, String> {
        let Some(header) = job.header(PERSONA_PROVIDERS_HEADER).filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let instance = job.header(PERSONA_INSTANCE_HEADER).unwrap_or("the persona instance");
        let mut picks = Vec::new();
        for pair in header.split(',') {
            let Some((provider, model)) = pair.split_once(':') else {
                return Err(format!("{instance}'s provider `{pair}` is not PROVIDER:MODEL; update the instance"));
            };
            picks.push((provider.trim().to_owned(), model.trim().to_owned()));
        }
        self.chain.in_order(&picks).map(Some).map_err(|e| {
            format!("{instance}'s providers ({header}) do not fit the `llm` settings: {e}; update the instance or the actions file")
        })
    }

    /// Asks for `shapes` (free text in `llm_answer` when none are declared), from the job's
    /// chain ([`chain_for`](Self::chain_for)). An invalid answer gets one corrective retry that
    /// tells the model what was wrong.
    pub async fn ask(&self, job: &Job, prompt: &str, shapes: &OutputShapes) -> Result<Answer, AskError> {
        let instance_chain = self.chain_for(job).map_err(AskError::Providers)?;
        let chain = instance_chain.as_ref().unwrap_or(&self.chain);
        if shapes.is_empty() {
            let (completion, usage) = self.call(chain, job, &[Message::user(prompt)], None).await?;
            let outputs = Variables::from_iter([("llm_answer".to_owned(), Value::String(completion))]);
            return Ok(Answer { outputs, usage });
        }
        let mut messages = vec![Message::user(format!("{prompt}\n\n{}", shapes.instruction()))];
        let (text, usage) = self.call(chain, job, &messages, None).await?;
        let problems = match shapes.check(&text) {
            Ok(outputs) => return Ok(Answer { outputs, usage }),
            Err(problems) => problems,
        };
        tracing::info!(job_key = job.key, problems = %problems.join("; "), "LLM answer does not fit the outputs; asking once more");
        messages.push(Message::assistant(text));
        messages.push(Message::user(format!(
            "That answer cannot be used: {}.\n\n{}",
            problems.join("; "),
            shapes.instruction()
        )));
        let (text, usage) = self.call(chain, job, &messages, Some(usage)).await?;
        match shapes.check(&text) {
            Ok(outputs) => Ok(Answer { outputs, usage }),
            Err(problems) => Err(AskError::InvalidOutput { problems, usage }),
        }
    }

    /// One chain call: its most possible cost set aside first (refused: no call), then charged
    /// as used; returns the text and the usage so far.
    async fn call(
        &self,
        chain: &Chain,
        job: &Job,
        messages: &[Message],
        so_far: Option<LlmUsage>,
    ) -> Result<(String, LlmUsage), AskError> {
        let models = chain.models();
        let planned = PlannedCall {
            job,
            models: &models,
            input_tokens: estimated_tokens(messages),
            max_output_tokens: u64::from(chain.max_tokens()),
        };
        let hold = self.gate.reserve(&planned).await?;
        let completion = match chain.complete(messages).await {
            Ok(completion) => completion,
            Err(error) => {
                self.gate.release(hold).await;
                return Err(error.into());
            }
        };
        let usage = &completion.usage;
        let used =
            UsedCall { model: &usage.model, input_tokens: usage.input_tokens, output_tokens: usage.output_tokens };
        let cost = self.gate.settle(hold, &used).await?;
        tracing::info!(
            job_key = job.key, provider = %usage.provider, model = %usage.model,
            input_tokens = usage.input_tokens, output_tokens = usage.output_tokens, cost, "LLM call charged"
        );
        let total = LlmUsage::add(so_far, usage, cost);
        Ok((completion.text, total))
    }
}

/// The prompt tokens of `messages`, estimated on the high side (a token per 3 bytes, and a few
/// per message), so the money set aside covers the call.
fn estimated_tokens(messages: &[Message]) -> u64 {
    messages.iter().map(|m| m.content.len().div_ceil(3) as u64 + 4).sum()
}

/// `llm_usage` as a job variable.
fn usage_variable(usage: &LlmUsage) -> (String, Value) {
    ("llm_usage".to_owned(), serde_json::to_value(usage).unwrap_or(Value::Null))
}

#[async_trait]
impl JobHandler for LlmHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let Some(prompt) = job.variable("prompt").and_then(Value::as_str) else {
            return JobOutcome::fail_without_retries(format!(
                "llm task `{}`: the job has no string variable `prompt`; give the step a `prompt:`",
                job.element_id
            ));
        };
        let shapes = match job.header("outputs").map(OutputShapes::from_header).transpose() {
            Ok(shapes) => shapes.unwrap_or_default(),
            Err(error) => {
                return JobOutcome::fail_without_retries(format!("llm task `{}`: {error}", job.element_id));
            }
        };
        match self.ask(job, prompt, &shapes).await {
            Ok(Answer { mut outputs, usage }) => {
                outputs.extend([usage_variable(&usage)]);
                JobOutcome::complete_with(outputs)
            }
            Err(AskError::Spend(SpendError::Failed(message))) => JobOutcome::fail(job, message),
            Err(AskError::Providers(message)) => {
                JobOutcome::fail_without_retries(format!("llm task `{}`: {message}", job.element_id))
            }
            Err(error) => {
                let variables = match &error {
                    AskError::InvalidOutput { usage, .. } => Variables::from_iter([usage_variable(usage)]),
                    _ => Variables::new(),
                };
                JobOutcome::Error { code: error.code().to_owned(), message: error.to_string(), variables }
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use llm::{ChainOptions, ProviderConfig, ProviderKind};
    use serde_json::json;
    use workers::spend::NoSpendLimit;

    use super::*;

    /// A handler whose one provider nothing answers: for jobs that must be refused before any
    /// call (the agent's tests use it too).
    pub(in crate::llm) fn handler() -> LlmHandler {
        let provider = ProviderConfig {
            name: "local".into(),
            kind: ProviderKind::Ollama,
            base_url: "http://127.0.0.1:9".into(),
            model: "m".into(),
            api_key_env: None,
        };
        LlmHandler::new(Chain::new(vec![provider], ChainOptions::default()).unwrap(), Arc::new(NoSpendLimit))
    }

    #[tokio::test]
    async fn an_instance_provider_the_settings_lack_is_an_incident_that_names_it() {
        for (providers, said) in [("cloud:big", "no LLM provider is named `cloud`"), ("local", "is not PROVIDER:MODEL")]
        {
            let job = workers::testing::job(
                "llm",
                &[(PERSONA_PROVIDERS_HEADER, providers), (PERSONA_INSTANCE_HEADER, "dev-1")],
                json!({"prompt": "hi"}),
            );
            let JobOutcome::Fail { message, retries, .. } = handler().handle(&job).await else {
                panic!("{providers}: the job must fail")
            };
            assert_eq!(retries, 0, "a setup problem is not retried");
            assert!(message.contains("dev-1") && message.contains(said), "{message}");
        }
    }
}
