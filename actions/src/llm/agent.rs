//! [`AgentHandler`]: the `agent` job of an `ad-hoc` step (an ad-hoc sub-process in its
//! job-worker implementation). Each job is one decision: the persona's models see the goal, the
//! tools on offer (`adHocSubProcessElements`) and the results so far (`toolCallResults`), and
//! answer which tools to run next or that the goal is reached. Bounded by `maxCalls` model
//! calls per step (then BPMN error `MAXIMUM_NUMBER_OF_MODEL_CALLS_REACHED`) and by the persona
//! instance's spend limits (the `llm` action's spend gate: `SPEND_LIMIT_EXCEEDED`). Every
//! decision is kept in the `agent` variable and, as the job's result, in the engine's history.

use async_trait::async_trait;
use serde_json::{Value, json};
use workers::spend::SpendError;
use workers::{AdHocDecision, Job, JobHandler, JobOutcome, Variables};

use super::handler::{AskError, LlmHandler};
use crate::offer::{self, Tool};
use crate::shape::{OutputShapes, Shape};

/// Model calls per step when the step sets no `max_calls` (Camunda's AI agent has the same).
pub const DEFAULT_MAX_CALLS: u64 = 10;

/// The BPMN error when the calls are used up.
pub const CALLS_EXHAUSTED: &str = "MAXIMUM_NUMBER_OF_MODEL_CALLS_REACHED";

/// The `agent` job handler.
#[derive(Debug)]
pub struct AgentHandler {
    llm: LlmHandler,
}

impl AgentHandler {
    /// An agent that asks through `llm` (its chain, and its spend gate).
    pub fn new(llm: LlmHandler) -> Self {
        Self { llm }
    }
}

/// How the models see a tool: its id, then its name and documentation when it has them.
fn line(tool: &Tool) -> String {
    let id = &tool.id;
    match (tool.name.is_empty(), tool.documentation.is_empty()) {
        (true, true) => format!("- `{id}`"),
        (false, true) => format!("- `{id}`: {}", tool.name),
        (_, false) => format!("- `{id}`: {}. {}", tool.name, tool.documentation),
    }
}

/// What the models are asked.
fn question(goal: &str, tools: &[Tool], results: &[Value]) -> String {
    let offered: Vec<String> = tools.iter().map(line).collect();
    let results = if results.is_empty() {
        "none yet".to_owned()
    } else {
        results.iter().map(|r| format!("- {r}")).collect::<Vec<_>>().join("\n")
    };
    format!(
        "{goal}\n\nYou reach this goal by running tools. The tools:\n{}\n\nResults of the tools run so far:\n{results}\n\n\
         Answer `next` with the ids of the tools to run now (several run at once; an empty list when none), \
         `done` true when the goal is reached or cannot be, and `summary` with what you found or why you chose so.",
        offered.join("\n")
    )
}

#[async_trait]
impl JobHandler for AgentHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let Some(goal) = job.variable("prompt").and_then(Value::as_str) else {
            return JobOutcome::fail_without_retries(format!(
                "agent `{}`: the job has no string variable `prompt`; give the step's agent a `goal:`",
                job.element_id
            ));
        };
        let max_calls = match job.header("maxCalls").map(str::parse::<u64>) {
            None => DEFAULT_MAX_CALLS,
            Some(Ok(n)) if n >= 1 => n,
            Some(_) => {
                return JobOutcome::fail_without_retries(format!(
                    "agent `{}`: header maxCalls is not a whole number of at least 1",
                    job.element_id
                ));
            }
        };
        let state = job.variable("agent").cloned().unwrap_or_else(|| json!({}));
        let calls = state.get("calls").and_then(Value::as_u64).unwrap_or(0);
        if calls >= max_calls {
            return JobOutcome::error(
                CALLS_EXHAUSTED,
                format!("agent `{}` made its {max_calls} model calls without reaching its goal", job.element_id),
            );
        }
        let tools = offer::offered(job);
        let results = offer::results(job);
        let shapes = OutputShapes::new([
            ("next".to_owned(), Shape::List),
            ("done".to_owned(), Shape::Boolean),
            ("summary".to_owned(), Shape::String),
        ]);
        let answer = match self.llm.ask(job, &question(goal, &tools, &results), &shapes).await {
            Ok(answer) => answer,
            Err(AskError::Spend(SpendError::Failed(message))) => return JobOutcome::fail(job, message),
            Err(AskError::Providers(message)) => {
                return JobOutcome::fail_without_retries(format!("agent `{}`: {message}", job.element_id));
            }
            Err(error) => {
                return JobOutcome::Error {
                    code: error.code().to_owned(),
                    message: error.to_string(),
                    variables: Variables::new(),
                };
            }
        };
        let next: Vec<String> = answer
            .outputs
            .get("next")
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let unknown: Vec<&str> =
            next.iter().filter(|id| !tools.iter().any(|t| &t.id == *id)).map(String::as_str).collect();
        if !unknown.is_empty() {
            let offered: Vec<&str> = tools.iter().map(|t| t.id.as_str()).collect();
            return JobOutcome::error(
                "LLM_INVALID_OUTPUT",
                format!(
                    "the agent chose tools that are not offered: {}; offered: {}",
                    unknown.join(", "),
                    offered.join(", ")
                ),
            );
        }
        let done = answer.outputs.get("done").and_then(Value::as_bool).unwrap_or(false) || next.is_empty();
        let call = calls + 1;
        let mut choices = state.get("choices").and_then(Value::as_array).cloned().unwrap_or_default();
        choices.push(json!({"call": call, "next": next, "done": done}));
        let summary = answer.outputs.get("summary").cloned().unwrap_or(Value::Null);
        let usage = serde_json::to_value(&answer.usage).unwrap_or(Value::Null);
        let variables = Variables::from_iter([(
            "agent".to_owned(),
            json!({"calls": call, "summary": summary, "choices": choices, "llm_usage": usage}),
        )]);
        let decision = if done {
            AdHocDecision::Done { cancel_remaining: true }
        } else {
            // Every id was checked against the offer above.
            let chosen = next.iter().filter_map(|id| tools.iter().find(|t| &t.id == id));
            AdHocDecision::Activate(
                chosen.enumerate().map(|(n, tool)| tool.activation(&format!("{call}-{}", n + 1))).collect(),
            )
        };
        JobOutcome::Decide { variables, decision }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// An agent whose provider nothing answers: these jobs must be refused before any call.
    fn agent() -> AgentHandler {
        AgentHandler::new(crate::llm::handler::tests::handler())
    }

    #[tokio::test]
    async fn a_job_without_a_goal_or_with_a_bad_call_limit_is_an_incident_that_says_why() {
        let cases = [
            (vec![], json!({}), "no string variable `prompt`"),
            (vec![("maxCalls", "0")], json!({"prompt": "go"}), "maxCalls is not a whole number of at least 1"),
            (vec![("maxCalls", "many")], json!({"prompt": "go"}), "maxCalls is not a whole number of at least 1"),
        ];
        for (headers, variables, said) in cases {
            let job = workers::testing::job("agent", &headers, variables);
            let JobOutcome::Fail { message, retries, .. } = agent().handle(&job).await else {
                panic!("{said}: the job must fail")
            };
            assert_eq!(retries, 0, "a setup problem is not retried");
            assert!(message.contains(said), "{message}");
        }
    }
}
