//! Built-in handlers the orchestrator needs for the seed workflows, small enough to read at a
//! glance:
//!
//! - [`LogHandler`] for job type [`LOG`]: logs a message and completes.
//! - [`SetVariableHandler`] for job type [`SET_VARIABLE`]: completes with one variable.
//! - [`ScriptedHandler`]: completes with variables scripted per element id or job type, so tests
//!   and demos can run workflows without real side effects (shell, Azure DevOps).
//! - [`NoopHandler`]: completes at once.
//!
//! The first two read their parameters from the task's custom headers first (static values),
//! then from the job's variables (values computed by input mappings).

mod log;
mod noop;
mod scripted;
mod set_variable;

pub use log::LogHandler;
pub use noop::NoopHandler;
pub use scripted::ScriptedHandler;
pub use set_variable::SetVariableHandler;

/// The job type of the `log` action.
pub const LOG: &str = "log";
/// The job type of the `set-variable` action.
pub const SET_VARIABLE: &str = "set-variable";
