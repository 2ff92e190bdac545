//! The `simulate` handler: plausible outputs for every persona job, seeded and scripted, so a
//! workflow takes its branches, loops, approvals and escalations without any side effect.

mod dice;
mod scenario;
mod shape;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use serde_json::Value;

pub use scenario::{Chances, Probability, Scenario, Script, Scripted, WorkTime};

use crate::shape::OutputShapes;
use crate::{APPROVE, CONSULT, ESCALATE};
use dice::Dice;
use workers::{Job, JobHandler, JobOutcome, Variables};

/// Completes each job with values a real persona could have returned, chosen by a seeded random
/// stream and by the [`Scenario`]'s scripts:
///
/// - a task job (`shell-command`, `git-operation`, `azure-devops`, `llm`, `notify`, `log`, …)
///   with the outputs its `outputs` header declares (none without the header);
/// - `approve` with `{approved, veto, reason}` (only an approver named in the `veto` header
///   vetoes, and a veto is never an approval);
/// - `consult` with `{advice}`;
/// - `escalate` with nothing.
///
/// A value depends only on the seed, the process id, the element id, the job's approver or
/// consultant (its `approver`/`consultant` variable) and the occurrence: how often this handler
/// served that element of that process for that voter before, in any instance. So the same seed
/// and the same workflow give the same run, and a retried or looped step moves on in its script
/// and its values, also when the loop calls a workflow anew each round. Occurrences are counted
/// in memory: a new handler starts again from the first. Jobs of one element of one workflow
/// served at the same time in two instances (the same workflow called twice in parallel) may
/// swap their values from run to run.
///
/// Each outcome is logged at `info` with `simulated = true`.
#[derive(Debug, Default)]
pub struct SimulateHandler {
    scenario: Scenario,
    /// Jobs served so far per element and voter of a process.
    occurrences: Mutex<HashMap<Served, u64>>,
}

/// What occurrences are counted by: BPMN process id, element id, voter.
type Served = (String, String, Option<String>);

impl SimulateHandler {
    /// A handler following `scenario`.
    pub fn new(scenario: Scenario) -> Self {
        Self { scenario, occurrences: Mutex::default() }
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.scenario.seed
    }

    /// How long a job of `job_type` takes where engine time is simulated
    /// ([`Scenario::work_time`]).
    pub fn work_time(&self, job_type: &str) -> std::time::Duration {
        self.scenario.work_time(job_type)
    }

    /// The outcome for `job`, counting it as served.
    fn decide(&self, job: &Job) -> JobOutcome {
        self.outcome(job, step_of(job), voter_of(job).as_deref())
    }

    /// The outcome for `job` of `step` (for `voter`), counting it as served.
    fn outcome(&self, job: &Job, step: &str, voter: Option<&str>) -> JobOutcome {
        let occurrence = self.count(job, voter);
        let scripted = script_keys(&job.job_type, step, voter)
            .iter()
            .find_map(|key| self.scenario.steps.get(key))
            .map(|script| script.outcome(occurrence));
        let occurrence = occurrence.to_string();
        let parts = [job.bpmn_process_id.as_str(), &job.element_id, voter.unwrap_or_default(), &occurrence];
        match scripted {
            Some(Scripted::Error { code, variables }) => JobOutcome::Error {
                code: code.clone(),
                message: format!("simulated error {code} at step {step}"),
                variables: variables.clone(),
            },
            Some(Scripted::Fail(message)) => JobOutcome::fail(job, message.clone()),
            Some(Scripted::Complete(_)) | None => {
                let mut variables = match self.random(job, step, voter, &parts) {
                    Ok(variables) => variables,
                    Err(message) => return JobOutcome::fail_without_retries(message),
                };
                if let Some(Scripted::Complete(over)) = scripted {
                    variables.extend(over.clone());
                }
                if job.job_type == crate::catalogue::agent::JOB_TYPE {
                    return JobOutcome::Decide { variables, decision: simulated_agent(job) };
                }
                if job.job_type == APPROVE && !variables.contains_key("reason") {
                    let vote = |name: &str| variables.get(name) == Some(&Value::Bool(true));
                    let reason = vote_reason(voter, step, vote("approved"), vote("veto"));
                    variables.insert("reason".into(), reason.into());
                }
                JobOutcome::complete_with(variables)
            }
        }
    }

    /// How often the handler served this job's element for this voter before.
    fn count(&self, job: &Job, voter: Option<&str>) -> u64 {
        let key = (job.bpmn_process_id.clone(), job.element_id.clone(), voter.map(str::to_owned));
        let mut occurrences = self.occurrences.lock().unwrap_or_else(PoisonError::into_inner);
        let served = occurrences.entry(key).or_default();
        *served += 1;
        *served - 1
    }

    /// The random variables of the job's kind (a vote's `reason` is added once the scenario had
    /// its say); the error says what is wrong with the task.
    fn random(&self, job: &Job, step: &str, voter: Option<&str>, parts: &[&str]) -> Result<Variables, String> {
        let chances = self.scenario.chances;
        let mut dice = Dice::new(self.scenario.seed, parts);
        let who = voter.unwrap_or("the persona");
        let mut variables = Variables::new();
        match job.job_type.as_str() {
            APPROVE => {
                let may_veto =
                    voter.is_some_and(|v| job.header("veto").unwrap_or_default().split(',').any(|n| n.trim() == v));
                let (veto_roll, approve_roll) = (dice.chance(chances.veto.get()), dice.chance(chances.approve.get()));
                let veto = may_veto && veto_roll;
                variables.insert("approved".into(), (approve_roll && !veto).into());
                variables.insert("veto".into(), veto.into());
            }
            CONSULT => {
                const ADVICE: [&str; 5] = [
                    "go ahead",
                    "keep the change small",
                    "add tests first",
                    "check the security impact",
                    "mind the performance budget",
                ];
                let advice = format!("{who} on {step}: {}", ADVICE[dice.below(ADVICE.len())]);
                variables.insert("advice".into(), advice.into());
            }
            ESCALATE => {}
            _ => {
                let Some(header) = job.header("outputs") else { return Ok(variables) };
                let outputs = OutputShapes::from_header(header).map_err(|why| {
                    format!(
                        "task '{}' of process '{}': {why}; fix the workflow's `outputs` of step {step}",
                        job.element_id, job.bpmn_process_id
                    )
                })?;
                for (name, shape) in outputs.iter() {
                    let mut dice = Dice::new(self.scenario.seed, &[parts, &[name]].concat());
                    variables
                        .insert(name.to_owned(), shape::random_value(shape, name, &mut dice, chances.boolean.get()));
                }
            }
        }
        Ok(variables)
    }
}

#[async_trait]
impl JobHandler for SimulateHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let outcome = self.decide(job);
        let (step, voter) = (step_of(job), voter_of(job));
        let returned = match &outcome {
            JobOutcome::Complete { variables } => Value::Object(variables.clone()).to_string(),
            JobOutcome::Error { code, .. } => format!("error {code}"),
            JobOutcome::Fail { message, .. } => format!("failure: {message}"),
            JobOutcome::Decide { .. } => outcome.to_string(),
        };
        let persona = voter.as_deref().or_else(|| job.header("persona")).unwrap_or_default();
        let (job_type, instance) = (job.job_type.as_str(), job.process_instance_key);
        tracing::info!(simulated = true, job_type, step, persona, instance, returned, "simulated {job_type} {step}");
        outcome
    }
}

/// A simulated agent's decision: the first tool on offer that has not run yet, one at a time,
/// then done; so a simulation runs every tool of an `ad-hoc` step once.
fn simulated_agent(job: &Job) -> workers::AdHocDecision {
    let results = crate::offer::results(job);
    let ran: Vec<&str> = results.iter().filter_map(|r| r.get("name").and_then(Value::as_str)).collect();
    match crate::offer::offered(job).into_iter().find(|tool| !ran.contains(&tool.id.as_str())) {
        Some(tool) => workers::AdHocDecision::Activate(vec![tool.activation(&format!("sim-{}", ran.len() + 1))]),
        None => workers::AdHocDecision::Done { cancel_remaining: true },
    }
}

/// Why a voter voted so, in words: the `reason` of a vote the scenario gives none.
fn vote_reason(voter: Option<&str>, step: &str, approved: bool, veto: bool) -> String {
    let who = voter.unwrap_or("the approver");
    match (veto, approved) {
        (true, _) => format!("{who} vetoes {step}"),
        (false, true) => format!("{who} approves {step}"),
        (false, false) => format!("{who} asks for changes to {step}"),
    }
}

/// The step a job belongs to: its `stepId` header, an SLA escalation's `scope`, else its
/// element id.
fn step_of(job: &Job) -> &str {
    job.header("stepId").or_else(|| job.header("scope")).unwrap_or(&job.element_id)
}

/// The approver of an `approve` job or the consultant of a `consult` job, as text.
fn voter_of(job: &Job) -> Option<String> {
    let name = match job.job_type.as_str() {
        APPROVE => "approver",
        CONSULT => "consultant",
        _ => return None,
    };
    job.variable(name).filter(|v| !v.is_null()).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
}

/// The scenario keys that script a job, the most specific first (see [`Scenario`]).
fn script_keys(job_type: &str, step: &str, voter: Option<&str>) -> Vec<String> {
    match job_type {
        APPROVE | CONSULT | ESCALATE => {
            voter.map(|v| format!("{step}/{v}")).into_iter().chain([format!("{step}/{job_type}")]).collect()
        }
        _ => vec![step.to_owned()],
    }
}

#[cfg(test)]
mod tests;
