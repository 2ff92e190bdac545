//! The in-process job handlers `run` registers, each wrapped so that every job it handles is
//! shown as a line.

use std::sync::Arc;

use async_trait::async_trait;
use engine::VirtualClock;
use serde_json::Value;
use workers::handlers::{
    APPROVE, CONSULT, DryRunHandler, ESCALATE, LOG, LogHandler, SET_VARIABLE, SetVariableHandler, ShellHandler,
    SimulateHandler, describe_job,
};
use workers::{Job, JobHandler, JobOutcome, WorkerOptions, WorkerRuntime};

use super::clock::Timed;
use super::console::Console;
use super::routing::Routing;

/// Who does the persona jobs.
pub enum Mode {
    /// [`DryRunHandler`] says what each job would do and completes it with nothing; `log` jobs
    /// are logged.
    DryRun,
    /// [`SimulateHandler`] completes every persona job, `log` included, with simulated outputs;
    /// on a virtual clock each job takes its work time ([`Timed`]).
    Simulate(Arc<SimulateHandler>, Option<VirtualClock>),
}

/// Shows each job and how its handler ended it, then returns that outcome.
struct Shown<H> {
    handler: H,
    console: Console,
    /// How a completion with variables is introduced: `completed with` or `simulated`.
    returned: &'static str,
    /// True when the handler really runs the action (the guarded shell): the line says `ran:`
    /// where a dry run says `would run:`.
    executes: bool,
}

#[async_trait]
impl<H: JobHandler> JobHandler for Shown<H> {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let outcome = self.handler.handle(job).await;
        let ending = match &outcome {
            JobOutcome::Complete { variables } if variables.is_empty() => String::new(),
            JobOutcome::Complete { variables } => {
                format!("\n      {}: {}", self.returned, Value::Object(variables.clone()))
            }
            JobOutcome::Fail { message, retries, .. } => format!("\n      failed ({retries} retries left): {message}"),
            JobOutcome::Error { code, message, .. } => format!("\n      threw {code}: {message}"),
        };
        let mut description = describe_job(job).replace('\n', "\n      ");
        if self.executes {
            description = description.replacen("would run: ", "ran: ", 1);
        }
        self.console.line(&format!(
            "  {} {} [{} {}]: {description}{ending}",
            job.job_type, job.element_id, job.bpmn_process_id, job.process_instance_key
        ));
        outcome
    }
}

/// The job types of the persona actions, whose real work has side effects (shell, git, Azure
/// DevOps, a model, notifications) or needs a person (approvals, advice, escalations).
const PERSONA_JOB_TYPES: [&str; 8] =
    [SHELL_COMMAND, "git-operation", "azure-devops", "llm", "notify", APPROVE, CONSULT, ESCALATE];

/// The job type of shell steps.
const SHELL_COMMAND: &str = "shell-command";

/// The job types `run` handles: `log`, `set-variable`, and the persona actions.
pub fn job_types() -> Vec<&'static str> {
    let mut types = vec![LOG, SET_VARIABLE];
    types.extend(PERSONA_JOB_TYPES);
    types
}

/// Registers every handler on `runtime`; `shell`, when given, takes the `shell-command` jobs.
pub fn register(
    mut runtime: WorkerRuntime,
    console: &Console,
    options: &WorkerOptions,
    mode: &Mode,
    shell: Option<Arc<ShellHandler>>,
    routing: Option<&Routing>,
) -> WorkerRuntime {
    let (persona, log, returned): (Arc<dyn JobHandler>, Arc<dyn JobHandler>, _) = match mode {
        Mode::DryRun => (Arc::new(DryRunHandler), Arc::new(LogHandler), "completed with"),
        Mode::Simulate(simulate, None) => (simulate.clone(), simulate.clone(), "simulated"),
        Mode::Simulate(simulate, Some(clock)) => {
            let timed = Arc::new(Timed { simulate: simulate.clone(), clock: clock.clone(), lock: options.timeout });
            (timed.clone(), timed, "simulated")
        }
    };
    let set_variable: Arc<dyn JobHandler> = Arc::new(SetVariableHandler);
    let handlers = [(SET_VARIABLE, set_variable, "completed with", false), (LOG, log, returned, false)]
        .into_iter()
        .chain(PERSONA_JOB_TYPES.map(|job_type| match (&shell, job_type) {
            (Some(shell), SHELL_COMMAND) => (job_type, shell.clone() as Arc<dyn JobHandler>, "completed with", true),
            _ => (job_type, persona.clone(), returned, false),
        }));
    for (job_type, handler, returned, executes) in handlers {
        let shown = Shown { handler: Routing::wrap(routing, handler), console: console.clone(), returned, executes };
        runtime = runtime.register_with(job_type, shown, options.clone());
    }
    runtime
}
