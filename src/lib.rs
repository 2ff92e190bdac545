//! The persona orchestrator: YAML workflows compiled to Camunda 8 / Zeebe BPMN and run by an
//! embedded engine or by Zeebe. This package ties the workspace crates together; it hosts the
//! cross-crate tests (`tests/`), the benchmarks (`benches/`) and the examples (`examples/`).
//!
//! - [`drive`] runs an instance to its end with scripted job workers on a virtual clock.
//! - [`dry_run`] renders what a compiled workflow's job would do.
//! - [`run_workflow`] is the `run_workflow` example: compile, deploy, start and run a workflow.

pub mod drive;
pub mod dry_run;
pub mod run_workflow;

pub use bpmn;
pub use engine;
