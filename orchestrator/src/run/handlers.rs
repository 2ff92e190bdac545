//! The in-process job handlers `run` registers, each wrapped so that every job it handles is
//! shown as a line.

use async_trait::async_trait;
use workers::handlers::{DryRunHandler, LOG, LogHandler, SET_VARIABLE, SetVariableHandler, describe_job};
use workers::{Job, JobHandler, JobOutcome, WorkerOptions, WorkerRuntime};

use super::console::Console;

/// Shows each job and how its handler ended it, then returns that outcome.
struct Shown<H> {
    handler: H,
    console: Console,
}

#[async_trait]
impl<H: JobHandler> JobHandler for Shown<H> {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let outcome = self.handler.handle(job).await;
        let ending = match &outcome {
            JobOutcome::Complete { .. } => String::new(),
            JobOutcome::Fail { message, retries, .. } => format!("\n      failed ({retries} retries left): {message}"),
            JobOutcome::Error { code, message, .. } => format!("\n      threw {code}: {message}"),
        };
        let description = describe_job(job).replace('\n', "\n      ");
        self.console.line(&format!(
            "  {} {} [{} {}]: {description}{ending}",
            job.job_type, job.element_id, job.bpmn_process_id, job.process_instance_key
        ));
        outcome
    }
}

/// The seed workflows' job types whose real work has side effects (shell, git, Azure DevOps,
/// notifications); `run` completes them with [`DryRunHandler`] and shows what they would do.
const DRY_RUN_JOB_TYPES: [&str; 4] = ["shell-command", "git-operation", "azure-devops", "notify"];

/// The job types `run` handles: `log`, `set-variable`, and the dry-run stand-ins.
pub fn job_types() -> Vec<&'static str> {
    let mut types = vec![LOG, SET_VARIABLE];
    types.extend(DRY_RUN_JOB_TYPES);
    types
}

/// Registers every handler on `runtime`.
pub fn register(mut runtime: WorkerRuntime, console: &Console, options: &WorkerOptions) -> WorkerRuntime {
    let shown = |handler| Shown { handler, console: console.clone() };
    runtime = runtime.register_with(LOG, Shown { handler: LogHandler, console: console.clone() }, options.clone());
    runtime = runtime.register_with(
        SET_VARIABLE,
        Shown { handler: SetVariableHandler, console: console.clone() },
        options.clone(),
    );
    for job_type in DRY_RUN_JOB_TYPES {
        runtime = runtime.register_with(job_type, shown(DryRunHandler), options.clone());
    }
    runtime
}
