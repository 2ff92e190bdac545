//! The self-healing fix loop (`workflows/system/fix-loop.yaml`) in simulate mode: compile the
//! project's `workflows/`, deploy them into the embedded engine, and run `fix-loop` to its end
//! with the simulate handler answering every persona job as a scenario scripts it (by default
//! `scenarios/fix-loop-fixed-at-iteration-2.yaml`: the second patch passes the gates).
//!
//! ```text
//! cargo run --example fix_loop                       # or: -- path/to/scenario.yaml
//! ```
//!
//! It prints each iteration's patch, review verdict and failure, then the end state the workflow
//! settled on (`fixed`, `stopped-no-progress`, `stopped-iteration-limit`, `blocked-by-guard`).
//! Nothing is changed: no repository, no model. `orchestrator run --actions FILE` runs the same
//! workflow for real (see the README).
//!
//! Exit codes: 0 it ended `fixed`, 1 it ended otherwise, 2 the files or the engine stopped it.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use actions::{Scenario, SimulateHandler};
use engine::{EngineCore, VirtualClock};
use persona_orchestrator::drive::{Driver, Ending, Reply, compile_folder, job_types};
use serde_json::{Value, json};
use workers::{Job, JobHandler, JobOutcome};

fn main() -> ExitCode {
    let scenario = std::env::args().nth(1).unwrap_or_else(|| "scenarios/fix-loop-fixed-at-iteration-2.yaml".to_owned());
    match run(Path::new(&scenario)) {
        Ok(status) if status == "fixed" => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// Runs the loop under `scenario`; the end state it settled on.
fn run(scenario: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(scenario).map_err(|e| format!("{}: {e}", scenario.display()))?;
    let scenario: Scenario = serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", scenario.display()))?;
    let outcome = compile_folder(Path::new("workflows"))?;

    let store_path = std::env::temp_dir().join(format!("fix-loop-example-{}.db", std::process::id()));
    let store = engine::store::open(&store_path.display().to_string()).map_err(|e| e.to_string())?;
    let clock = VirtualClock::default();
    let mut core = EngineCore::open(store, Arc::new(clock.clone())).map_err(|e| e.to_string())?;
    let models: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    core.deploy_models(&models).map_err(|e| e.to_string())?;

    let simulate = SimulateHandler::new(scenario);
    let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let mut handler = |activated: &engine::ActivatedJob| {
        let job = Job::from(activated.clone());
        let outcome = runtime.block_on(simulate.handle(&job));
        if let JobOutcome::Complete { variables } = &outcome {
            trace(&job, variables);
        }
        Reply::from(outcome)
    };
    let types = job_types(outcome.workflows.iter().map(|w| &w.definitions));
    let mut driver = Driver { core: &mut core, clock: &clock, job_types: &types, step_limit: 10_000 };
    let inputs = json!({"inputs": {"FAILURE": "deployment rejected: 0 of 3 replicas ready"}});
    let ran = driver
        .run("fix-loop", inputs.as_object().cloned().unwrap_or_default(), &mut handler)
        .map_err(|e| e.to_string());
    drop(core);
    let _ = std::fs::remove_file(&store_path);
    let ran = ran?;
    let Ending::Completed(variables) = ran.ending else {
        return Err(format!("fix-loop did not complete: {:?}", ran.ending));
    };
    let field = |name: &str| variables.get(name).cloned().unwrap_or(Value::Null);
    let status = field("STATUS").as_str().unwrap_or("unknown").to_owned();
    println!(
        "\nfix-loop ended {status} after {} iteration(s), {} simulated jobs; backup branch {}",
        field("ITERATION"),
        ran.jobs,
        field("steps")["backup"]["BACKUP_BRANCH"].as_str().unwrap_or("none")
    );
    println!("last failure: {}", field("LAST_FAILURE"));
    Ok(status)
}

/// One line for the jobs that tell the loop's story.
fn trace(job: &Job, variables: &workers::Variables) {
    let value = |name: &str| variables.get(name).map(Value::to_string).unwrap_or_default();
    match job.element_id.as_str() {
        "generate-patch" => println!("patch:   {}", value("SUMMARY")),
        "review-patch" => println!("review:  {} ({})", value("VERDICT"), value("REASON")),
        "run-gate" if variables.get("GATE_PASSED") == Some(&Value::Bool(true)) => println!("  gate:  passed"),
        "run-gate" => println!("  gate:  failed, {}", value("GATE_ERROR")),
        _ => {}
    }
}
