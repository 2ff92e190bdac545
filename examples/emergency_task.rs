//! The emergency task (`workflows/system/emergency-task.yaml`) on the embedded engine, with
//! simulated persona actions on a virtual clock: a deployment failure is classified, the class
//! picks the persona type that recovers it, an issue is opened, a failed round raises the
//! priority, and the one-hour SLA escalates when it runs out.
//!
//! ```text
//! cargo run --example emergency_task                                   # deployment, recovered
//! cargo run --example emergency_task -- emergency-code unrecovered     # blocker, SLA breach
//! ```
//!
//! The first argument is the capability the classification answers (`deployment`,
//! `emergency-code`, `monitoring`, `issue-tracking`, `general`), the second `recovered` or
//! `unrecovered`. Nothing is created anywhere: every action is simulated, and each job takes
//! its simulated work time on the virtual clock (an `llm` step 15 minutes, a page one); the
//! `DONE` column is when each job ended, in minutes since the failure. Exit codes: 0 the task
//! ended, 1 it did not, 2 bad arguments or a workflow that does not compile.

use actions::{Scenario, SimulateHandler};
use engine::Clock;
use engine::testing::ProcessTest;
use persona_orchestrator::drive::{Driver, Ending, Reply, job_types};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;
use workers::{Job, JobHandler, JobOutcome};
use yaml_to_bpmn::compile_set;

/// The capabilities the classification may answer, and the recovery step each leads to.
const RECOVERY_STEPS: [(&str, &str); 5] = [
    ("deployment", "recover-deployment"),
    ("emergency-code", "recover-code"),
    ("monitoring", "recover-infrastructure"),
    ("issue-tracking", "recover-known-issue"),
    ("general", "recover-general"),
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let capability = args.next().unwrap_or_else(|| "deployment".to_owned());
    let recovered = match args.next().as_deref() {
        None | Some("recovered") => true,
        Some("unrecovered") => false,
        Some(other) => {
            eprintln!("error: `{other}`: say `recovered` or `unrecovered`");
            return ExitCode::from(2);
        }
    };
    match run(&capability, recovered) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// The simulation's script: the classification answers `capability`; its recovery step fails
/// once (the job is retried) and then recovers or not.
fn scenario(capability: &str, recovered: bool) -> Result<Scenario, String> {
    let Some((_, step)) = RECOVERY_STEPS.iter().find(|(c, _)| *c == capability) else {
        let known: Vec<&str> = RECOVERY_STEPS.iter().map(|(c, _)| *c).collect();
        return Err(format!("no capability `{capability}`; say one of {}", known.join(", ")));
    };
    let script = json!({
        "seed": 7,
        // A quarter of an hour per model answer: a task recovered at the first retry stays
        // within its hour, one that is not breaches it.
        "durations": {"llm": "15m"},
        "steps": {
            "classify": [{
                "CAPABILITY": capability,
                "ERROR_SUMMARY": "readiness probe timed out",
                "RECOVERY_SUGGESTIONS": "1. Roll back to v41. 2. Raise the probe timeout.",
            }],
            *step: [
                {"fail": "the first attempt timed out"},
                {"RECOVERED": recovered, "ACTIONS_TAKEN": if recovered { "rolled back to v41" } else { "nothing helped" }},
            ],
        },
    });
    serde_json::from_value(script).map_err(|e| format!("the scenario: {e}"))
}

fn run(capability: &str, recovered: bool) -> Result<bool, String> {
    // The project's workflows: the persona catalogue requires every persona workflow beside it.
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows");
    let files = yaml_to_bpmn::cli::collect_files(&[folder], &["yaml", "yml"])?;
    let outcome = compile_set(&yaml_to_bpmn::cli::read_sources(&files)?);
    if outcome.has_errors() {
        let errors: Vec<String> = outcome.diagnostics.iter().map(ToString::to_string).collect();
        return Err(errors.join("\n"));
    }
    let simulate = SimulateHandler::new(scenario(capability, recovered)?);
    let mut test = ProcessTest::new();
    let models: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    test.core().deploy_models(&models).map_err(|e| e.to_string())?;
    let clock = test.clock().clone();
    let began = clock.now_millis();
    let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let mut handler = |activated: &engine::ActivatedJob| {
        let job = Job::from(activated.clone());
        let who = job.header("persona").or_else(|| job.header("escalateTo")).unwrap_or("-").to_owned();
        // The driver has no back-off: a failed attempt is retried at once, while retries last.
        for _ in 0..=job.retries {
            clock.advance(simulate.work_time(&job.job_type));
            let at = (clock.now_millis() - began) / 60_000;
            let outcome = runtime.block_on(simulate.handle(&job));
            println!("+{at:>3}m  {:<9} {:<26} {who:<32} {}", job.job_type, job.element_id, shown(&outcome));
            if !matches!(outcome, JobOutcome::Fail { .. }) {
                return Reply::from(outcome);
            }
        }
        Reply::ThrowError { code: "STEP_FAILED".into(), message: format!("{} failed on every retry", job.element_id) }
    };
    let types = job_types(outcome.workflows.iter().map(|w| &w.definitions));
    let mut driver = Driver { core: test.core(), clock: &clock, job_types: &types, step_limit: 1_000 };
    let start = json!({"inputs": {"LOG_LINE": "ERROR deployment of checkout-api v42 failed: exit 137", "SERVICE": "checkout-api"}});
    println!("DONE   JOB       STEP                       WHO                              RESULT");
    let ran = driver
        .run("emergency-task", start.as_object().cloned().unwrap_or_default(), &mut handler)
        .map_err(|e| e.to_string())?;
    let Ending::Completed(variables) = ran.ending else {
        println!("the task did not end: {:?}", ran.ending);
        return Ok(false);
    };
    let value = |name: &str| variables.get(name).cloned().unwrap_or(Value::Null);
    println!("\npriority {}, recovered {}", value("PRIORITY"), value("RECOVERED"));
    println!("SLA breached: {} {}", value("sla_breached"), value("sla_breaches"));
    Ok(true)
}

/// A job's outcome in one line.
fn shown(outcome: &JobOutcome) -> String {
    outcome.to_string()
}
