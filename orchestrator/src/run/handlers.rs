//! The in-process job handlers `run` registers, one per action of the catalogue, each wrapped
//! so that every job it handles is shown as a line.

use std::sync::Arc;

use actions::{Binding, DryRunHandler, SimulateHandler, describe_job};
use async_trait::async_trait;
use engine::VirtualClock;
use serde_json::Value;
use workers::{Job, JobHandler, JobOutcome, WorkerOptions, WorkerRuntime};

use super::clock::Timed;
use super::console::Console;
use super::routing::Routing;
use super::settings::ActionSettings;
use crate::failure::{Failure, Result};

/// Who does the persona jobs that do not run for real.
pub enum Mode {
    /// [`DryRunHandler`] says what each job would do and completes it with nothing; `log` jobs
    /// are logged.
    DryRun,
    /// [`SimulateHandler`] completes every persona job, `log` included, with simulated outputs;
    /// on a virtual clock each job takes its work time ([`Timed`]).
    Simulate(Arc<SimulateHandler>, Option<VirtualClock>),
}

/// Shows each job and how its handler ended it, then returns that outcome.
struct Shown {
    handler: Arc<dyn JobHandler>,
    console: Console,
    /// How a completion with variables is introduced: `completed with` or `simulated`.
    returned: &'static str,
    /// True when the handler really performs the action (the guarded shell, git, ...): the
    /// line says `ran:` or `called` where a dry run says `would run:` or `would call`.
    executes: bool,
}

#[async_trait]
impl JobHandler for Shown {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let outcome = self.handler.handle(job).await;
        let ending = match &outcome {
            JobOutcome::Complete { variables } if variables.is_empty() => String::new(),
            JobOutcome::Complete { variables } => {
                format!("\n      {}: {}", self.returned, Value::Object(variables.clone()))
            }
            JobOutcome::Fail { message, retries, .. } => format!("\n      failed ({retries} retries left): {message}"),
            JobOutcome::Error { .. } | JobOutcome::Decide { .. } => format!("\n      {outcome}"),
        };
        let mut description = describe_job(job).replace('\n', "\n      ");
        if self.executes {
            description = description.replacen("would run: ", "ran: ", 1).replacen("would call ", "called ", 1);
        }
        self.console.line(&format!(
            "  {} {} [{} {}]: {description}{ending}",
            job.job_type, job.element_id, job.bpmn_process_id, job.process_instance_key
        ));
        outcome
    }
}

/// The job types `run` handles: every action's.
pub fn job_types() -> Vec<&'static str> {
    actions::specs().iter().map(|spec| spec.job_type).collect()
}

/// Registers a handler for every action of the catalogue on `runtime`: the real one where
/// `settings` give it one and allow it (every real handler with `--actions`, the guarded shell
/// with `--execute-shell`, always `log` and `set-variable` in a dry run and `set-variable` when
/// simulating), else the mode's.
pub fn register(
    mut runtime: WorkerRuntime,
    console: &Console,
    options: &WorkerOptions,
    mode: &Mode,
    settings: &ActionSettings,
    routing: Option<&Routing>,
) -> Result<WorkerRuntime> {
    let (fallback, returned): (Arc<dyn JobHandler>, _) = match mode {
        Mode::DryRun => (Arc::new(DryRunHandler), "completed with"),
        Mode::Simulate(simulate, None) => (simulate.clone(), "simulated"),
        Mode::Simulate(simulate, Some(clock)) => {
            (Arc::new(Timed { simulate: simulate.clone(), clock: clock.clone(), lock: options.timeout }), "simulated")
        }
    };
    // A simulation answers `log` steps too, so their declared outputs and work time count.
    let simulating = matches!(mode, Mode::Simulate(..));
    let bindings = actions::bindings(&settings.settings, &fallback, |spec| {
        settings.may_run_for_real(spec) && !(simulating && spec.job_type == actions::catalogue::log::JOB_TYPE)
    })
    .map_err(|e| Failure::Usage(e.to_string()))?;
    for Binding { spec, handler, real } in bindings {
        let effects = real && spec.effects != actions::Effects::None;
        let returned = if real { "completed with" } else { returned };
        let shown =
            Shown { handler: Routing::wrap(routing, handler), console: console.clone(), returned, executes: effects };
        runtime = runtime.register_with(spec.job_type, shown, options.clone());
    }
    Ok(runtime)
}
