//! Personas, RACI and SLAs from Rust: compile the project's `workflows/` (with the persona
//! catalogue), deploy them into a durable engine on a SQLite file, and run one workflow to its end
//! with the simulate handler answering every persona job, on a virtual clock that jumps to the
//! next timer whenever no job is waiting (so hour- and day-long SLAs pass at once).
//!
//! ```text
//! cargo run --example governed_workflow -- wf2-hotfix 7          # workflow id, seed
//! ```
//!
//! It prints who is responsible for each task (the RACI matrix rows of the workflow), how the
//! run ended, its approvals and its SLA status. The store is `target/governed-example.db`; run it
//! again and the engine reopens the same log, keeping 30 days of history (a retention policy).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use actions::{Scenario, SimulateHandler};
use engine::{EngineCore, VirtualClock};
use persona_orchestrator::drive::{Driver, Ending, Reply, compile_folder, job_types};
use serde_json::json;
use workers::{Job, JobHandler};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let workflow = args.next().unwrap_or_else(|| "wf2-hotfix".to_owned());
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    match run(&workflow, seed) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(workflow: &str, seed: u64) -> Result<bool, String> {
    let outcome = compile_folder(Path::new("workflows"))?;
    let compiled = outcome.workflows.iter().find(|w| w.id == workflow).ok_or(format!("no workflow `{workflow}`"))?;
    println!("who does what in {workflow}:");
    for row in &compiled.raci {
        let approvers = if row.accountable.is_empty() {
            String::new()
        } else {
            format!(", approved by {} of {}", row.min_approvals, row.accountable.join("/"))
        };
        println!("  {:<28} {}{approvers}", row.step, row.responsible.join(", "));
    }

    // A durable engine: every state change goes to the SQLite log before it is acknowledged.
    let store = engine::store::open("target/governed-example.db").map_err(|e| e.to_string())?;
    let clock = VirtualClock::default();
    let mut core = EngineCore::open(store, Arc::new(clock.clone())).map_err(|e| e.to_string())?;
    let models: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    core.deploy_models(&models).map_err(|e| e.to_string())?;

    // The handler a real deployment would swap for real actions: one `JobHandler`, on either engine.
    let simulate = SimulateHandler::new(Scenario { seed, ..Scenario::default() });
    let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let mut handler = |activated: &engine::ActivatedJob| {
        Reply::from(runtime.block_on(simulate.handle(&Job::from(activated.clone()))))
    };
    let types = job_types(outcome.workflows.iter().map(|w| &w.definitions));
    let mut driver = Driver { core: &mut core, clock: &clock, job_types: &types, step_limit: 10_000 };
    let inputs = json!({"inputs": {"WORK_ITEM_ID": "WI-42", "INCIDENT_ID": "INC-7", "FEATURE_SLUG": "dark-mode"}});
    let ran = driver
        .run(workflow, inputs.as_object().cloned().unwrap_or_default(), &mut handler)
        .map_err(|e| e.to_string())?;
    println!("\n{workflow} (seed {seed}): {} simulated jobs, {} timer jumps", ran.jobs, ran.timer_jumps);
    let Ending::Completed(variables) = ran.ending else {
        println!("did not complete: {:?}", ran.ending);
        return Ok(false);
    };
    for (step, result) in variables.get("steps").and_then(|s| s.as_object()).into_iter().flatten() {
        if let Some(approved) = result.get("APPROVED") {
            println!("  approval of {step}: {approved} ({} approvals)", result["APPROVALS"]);
        }
    }
    let breached = variables.get("sla_breached").cloned().unwrap_or(json!(false));
    println!("  SLA breached: {breached} {}", variables.get("sla_breaches").cloned().unwrap_or_default());
    // Retention: keep 30 days of history. Pruning first takes the snapshot the next open starts
    // from, then removes the instances (of earlier runs) that ended before the month.
    let month = std::time::Duration::from_secs(30 * 86_400);
    if let Some(pruned) = core.apply_retention(month).map_err(|e| e.to_string())? {
        println!("  retention (30 days): {} older instances removed from the log", pruned.instances);
    }
    Ok(true)
}
