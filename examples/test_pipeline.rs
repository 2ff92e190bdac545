//! The test pipeline (`workflows/system/test-pipeline.yaml`) on the embedded engine, with
//! simulated persona actions on a virtual clock: a commit's changed files pick the affected
//! suites, the suites run by priority, the high one fails, the pre-release gate blocks the merge,
//! and an auto-fix is tried on its own branch and proposed in a labelled pull request (or, when
//! the failure is not auto-fixable, a person is asked).
//!
//! ```text
//! cargo run --example test_pipeline                # blocked, auto-fixed, pull request opened
//! cargo run --example test_pipeline -- unfixable   # blocked, waits for a person
//! ```
//!
//! Nothing is run or created anywhere: every action is simulated (a shell step one minute, an
//! `llm` step 15 minutes); the `DONE` column is when each job ended, in minutes since the commit.
//! Exit codes: 0 the pipeline ended or waits for a person, 1 it stopped otherwise, 2 bad
//! arguments or a workflow that does not compile.

use actions::{Scenario, SimulateHandler};
use engine::Clock;
use engine::testing::ProcessTest;
use persona_orchestrator::drive::{Driver, Ending, Reply, job_types};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;
use workers::{Job, JobHandler, JobOutcome};
use yaml_to_bpmn::compile_set;

fn main() -> ExitCode {
    let fixable = match std::env::args().nth(1).as_deref() {
        None | Some("fixable") => true,
        Some("unfixable") => false,
        Some(other) => {
            eprintln!("error: `{other}`: say `fixable` or `unfixable`");
            return ExitCode::from(2);
        }
    };
    match run(fixable) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// The simulation's script: two suites of the commit are affected; the critical one passes, the
/// high one fails; after the fix both pass.
fn scenario(fixable: bool) -> Result<Scenario, String> {
    let script = json!({
        "seed": 7,
        "durations": {"llm": "15m", "shell-command": "1m"},
        "steps": {
            "select-suites": [{"SELECTED_SUITES": "critical:unit high:api", "SUITE_COUNT": 2}],
            // The first round: critical passes, high fails and ends it; after the fix all four pass.
            "run-level": [
                {"LEVEL_PASSED": true, "SUITE_FAILURE": ""},
                {"LEVEL_PASSED": false, "SUITE_FAILURE": "high suite api failed: want answer=42, found answer=41"},
                {"LEVEL_PASSED": true, "SUITE_FAILURE": ""},
                {"LEVEL_PASSED": true, "SUITE_FAILURE": ""},
                {"LEVEL_PASSED": true, "SUITE_FAILURE": ""},
                {"LEVEL_PASSED": true, "SUITE_FAILURE": ""},
            ],
            "judge-fixable": [{
                "AUTO_FIXABLE": fixable,
                "PATCH": "--- a/src/config.txt\n+++ b/src/config.txt\n@@ -1 +1 @@\n-answer=41\n+answer=42\n",
                "SUMMARY": "restore answer=42",
            }],
            "open-fix-branch": [{"FIX_BRANCH": "fix/auto-generated-0a1b2c3d"}],
            "apply-fix": [{"APPLIED": true, "REJECTED_BECAUSE": ""}],
        },
    });
    serde_json::from_value(script).map_err(|e| format!("the scenario: {e}"))
}

fn run(fixable: bool) -> Result<bool, String> {
    // The project's workflows: the persona catalogue requires every persona workflow beside it.
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows");
    let files = yaml_to_bpmn::cli::collect_files(&[folder], &["yaml", "yml"])?;
    let outcome = compile_set(&yaml_to_bpmn::cli::read_sources(&files)?);
    if outcome.has_errors() {
        let errors: Vec<String> = outcome.diagnostics.iter().map(ToString::to_string).collect();
        return Err(errors.join("\n"));
    }
    let simulate = SimulateHandler::new(scenario(fixable)?);
    let mut test = ProcessTest::new();
    let models: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    test.core().deploy_models(&models).map_err(|e| e.to_string())?;
    let clock = test.clock().clone();
    let began = clock.now_millis();
    let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let mut handler = |activated: &engine::ActivatedJob| {
        let job = Job::from(activated.clone());
        let who = job.header("persona").unwrap_or("-").to_owned();
        clock.advance(simulate.work_time(&job.job_type));
        let at = (clock.now_millis() - began) / 60_000;
        let outcome = runtime.block_on(simulate.handle(&job));
        println!("+{at:>3}m  {:<14} {:<22} {who:<26} {}", job.job_type, job.element_id, shown(&outcome));
        Reply::from(outcome)
    };
    let types = job_types(outcome.workflows.iter().map(|w| &w.definitions));
    let mut driver = Driver { core: test.core(), clock: &clock, job_types: &types, step_limit: 1_000 };
    let start = json!({"inputs": {"SHA": "0a1b2c3d4e5f", "CHANGED_FILES": ["src/config.txt"]}});
    println!("DONE   JOB            STEP                   WHO                        RESULT");
    let ran = driver
        .run("test-pipeline", start.as_object().cloned().unwrap_or_default(), &mut handler)
        .map_err(|e| e.to_string())?;
    match ran.ending {
        Ending::Completed(_) => {}
        Ending::Stuck => println!("\nwaits for a person: the user task ask-a-person is open"),
        other => {
            println!("the pipeline did not end: {other:?}");
            return Ok(false);
        }
    }
    let core = test.core();
    let value = |name: &str| {
        let found = match &ran.ending {
            Ending::Completed(variables) => variables.get(name).cloned(),
            _ => core.variable(ran.instance, name),
        };
        found.unwrap_or(Value::Null)
    };
    println!("\nstatus {}, merge blocked {}", value("STATUS"), value("MERGE_BLOCKED"));
    println!("gate failure {}", value("GATE_FAILURE"));
    Ok(true)
}

/// A job's outcome in one line.
fn shown(outcome: &JobOutcome) -> String {
    let text = outcome.to_string();
    if text.chars().count() > 60 { format!("{} …", text.chars().take(58).collect::<String>()) } else { text }
}
