//! The one catalogue of persona actions.
//!
//! An *action* is what a workflow step does when it is not control flow: `shell-command`,
//! `llm`, `git-operation`, `azure-devops`, `github`, `notify`, `log`, `set-variable`, and the RACI jobs
//! `approve`, `consult` and `escalate`. For each, [`catalogue`] holds one file with its
//! [`ActionSpec`]: name, job type, step fields, operations with their inputs and outputs, side
//! effects, default timeout and retries. Its users:
//!
//! - the YAML compiler (`yaml-to-bpmn`) checks `action:`, `operation:` and operation inputs
//!   against it, and types declared outputs by it ([`find`], [`specs`]);
//! - the runtimes (`orchestrator run` on the embedded engine, `persona-worker` on Zeebe) build
//!   their handlers from it ([`bindings`], feature `run`);
//! - `orchestrator actions` lists it;
//! - simulate and dry-run modes answer with the shapes it and the steps declare
//!   ([`SimulateHandler`], [`DryRunHandler`]).
//!
//! Values are described by [`Shape`]; a step's declared outputs travel in the `outputs` task
//! header as [`OutputShapes`].
//!
//! ```
//! let shell = actions::find("shell-command").expect("a built-in action");
//! assert_eq!(shell.job_type, "shell-command");
//! assert!(shell.field("command").is_some_and(|field| field.required));
//! assert!(actions::find("azure-devops").is_some_and(|a| a.operation("create-pr").is_some()));
//! ```

pub mod catalogue;
mod shape;
mod spec;

#[cfg(feature = "run")]
mod azure_devops;
#[cfg(feature = "run")]
mod bindings;
#[cfg(feature = "run")]
mod dry_run;
#[cfg(feature = "run")]
mod forge_jobs;
#[cfg(feature = "run")]
mod git;
#[cfg(feature = "run")]
pub mod llm;
#[cfg(feature = "run")]
mod offer;
#[cfg(feature = "run")]
mod settings;
#[cfg(feature = "run")]
mod shell;
#[cfg(feature = "run")]
mod simulate;

pub use catalogue::specs;
pub use catalogue::{approve::JOB_TYPE as APPROVE, consult::JOB_TYPE as CONSULT, escalate::JOB_TYPE as ESCALATE};
pub use shape::{OutputShapes, OutputsHeaderError, Shape};
pub use spec::{ActionSpec, Effects, Field, Operation};

#[cfg(feature = "run")]
pub use bindings::{Binding, bindings};
#[cfg(feature = "run")]
pub use dry_run::{DryRunHandler, describe_job, fill_placeholders};
#[cfg(feature = "run")]
pub use settings::{Settings, SettingsError, SettingsFileError, existing_folder};
#[cfg(feature = "run")]
pub use shell::{FORBIDDEN_COMMAND, STEP_FAILED, ShellHandler, ShellOptions};
#[cfg(feature = "run")]
pub use simulate::{Chances, Probability, Scenario, Script, Scripted, SimulateHandler, WorkTime};

/// The built-in action called `name` (as a step writes it in `action:`).
pub fn find(name: &str) -> Option<ActionSpec> {
    specs().into_iter().find(|spec| spec.name == name)
}

/// The built-in action whose jobs have type `job_type`.
pub fn by_job_type(job_type: &str) -> Option<ActionSpec> {
    specs().into_iter().find(|spec| spec.job_type == job_type)
}
