//! Every one of the project's 46 workflows runs to its end on the embedded engine with simulated
//! persona actions (`actions::SimulateHandler`), under three seeds: whatever the
//! actions return, every branch, loop, approval and call ends, or waits for a person in the user
//! task of a `human: true` step (a simulation has no person to answer it).
//!
//! The engine runs on a virtual clock; when no job is left the driver jumps to the next timer
//! (waits, SLA timers, escalation timers), so day-long limits pass at once.

mod support;

use std::collections::BTreeMap;

use actions::{Scenario, SimulateHandler};
use engine::testing::ProcessTest;
use persona_orchestrator::drive::{Driver, Ending, Reply, job_types};
use serde_json::{Value, json};
use support::project_workflows::{compile_project_workflows, project_sources};
use workers::{Job, JobHandler, JobOutcome};
use yaml_to_bpmn::dialect::ast::{Input, InputType};

/// The seeds every workflow runs under.
const SEEDS: [u64; 3] = [1, 2, 3];

/// Far more steps than the longest run needs (wf0: under 200 jobs).
const STEP_LIMIT: usize = 5_000;

/// A value of the input's type for a required input without a default.
fn sample(input: &Input) -> Value {
    match input.ty {
        InputType::String => json!("wi-42"),
        InputType::Enum => json!(input.values.first().cloned().unwrap_or_default()),
        InputType::Boolean => json!(false),
        InputType::Number => json!(1),
        InputType::Array => json!([]),
        InputType::Object => json!({}),
    }
}

/// The `inputs` each workflow is started with: its required inputs, by type.
fn start_inputs() -> BTreeMap<String, Value> {
    project_sources()
        .iter()
        .filter_map(|s| {
            yaml_to_bpmn::compile::parse_source(s, &mut yaml_to_bpmn::diagnostic::Diagnostics::new(&s.name))
        })
        .map(|workflow| {
            let inputs: serde_json::Map<String, Value> =
                workflow.inputs.iter().filter(|i| i.must_be_passed()).map(|i| (i.name.clone(), sample(i))).collect();
            (workflow.metadata.id.text, Value::Object(inputs))
        })
        .collect()
}

/// Whether one of the open user tasks belongs to `instance`.
fn waits_for_a_person(tasks: &[engine::UserTask], instance: i64) -> bool {
    tasks.iter().any(|task| task.process_instance_key == instance)
}

/// What the driver does with the simulate handler's outcome.
fn reply(outcome: JobOutcome) -> Reply {
    match outcome {
        JobOutcome::Complete { variables } => Reply::Complete(variables),
        JobOutcome::Error { code, message, .. } => Reply::ThrowError { code, message },
        JobOutcome::Fail { message, .. } => panic!("an unscripted simulation never fails a job: {message}"),
        other @ JobOutcome::Decide { .. } => Reply::from(other),
    }
}

#[test]
fn every_workflow_ends_under_three_seeds_of_simulated_actions() {
    let outcome = compile_project_workflows();
    assert!(!outcome.has_errors(), "workflows/ compiles: {:?}", outcome.diagnostics);
    let mut test = ProcessTest::new();
    let models: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    test.core().deploy_models(&models).expect("deploy workflows/");
    let types = job_types(outcome.workflows.iter().map(|w| &w.definitions));
    for expected in ["approve", "consult", "escalate", "llm", "notify", "shell-command"] {
        assert!(types.iter().any(|t| t == expected), "the workflows raise {expected} jobs: {types:?}");
    }
    let inputs = start_inputs();
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime");
    let clock = test.clock().clone();
    let mut jobs_per_seed = Vec::new();
    for seed in SEEDS {
        let simulate = SimulateHandler::new(Scenario { seed, ..Scenario::default() });
        let mut jobs = 0;
        let mut escalations = 0;
        let mut waiting = 0;
        for workflow in &outcome.workflows {
            let start = json!({"inputs": inputs[&workflow.id]});
            let mut handler = |activated: &engine::ActivatedJob| {
                escalations += usize::from(activated.job_type() == "escalate");
                let job = Job::from(activated.clone());
                reply(runtime.block_on(simulate.handle(&job)))
            };
            let mut driver = Driver { core: test.core(), clock: &clock, job_types: &types, step_limit: STEP_LIMIT };
            let run = driver
                .run(&workflow.id, start.as_object().cloned().unwrap_or_default(), &mut handler)
                .unwrap_or_else(|e| panic!("{} (seed {seed}): {e}", workflow.id));
            match &run.ending {
                Ending::Completed(_) => {}
                Ending::Stuck if waits_for_a_person(&test.core().user_tasks(), run.instance) => waiting += 1,
                other => panic!("{} (seed {seed}) did not end after {} jobs: {other:?}", workflow.id, run.jobs),
            }
            jobs += run.jobs;
        }
        println!(
            "seed {seed}: 46 workflows ended ({waiting} waiting for a person), {jobs} simulated jobs, {escalations} escalations"
        );
        jobs_per_seed.push(jobs);
    }
    assert!(test.core().incidents().is_empty(), "no incident anywhere: {:?}", test.core().incidents());
    assert!(
        jobs_per_seed.windows(2).any(|pair| pair[0] != pair[1]),
        "different seeds take different paths: {jobs_per_seed:?}"
    );
}
