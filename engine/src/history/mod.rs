//! History and audit: what happened to every process instance, folded from the engine's record
//! log.
//!
//! [`History::fold`] reads [`LogEntry`](crate::store::LogEntry)s (the records of one command,
//! with when it ran and what caused it; [`crate::store::read_entries`] reads them from a store,
//! [`EngineCore::history`](crate::EngineCore::history) from a running engine) in log order and
//! keeps, per entity, its life with the [`Change`] that started and ended each step:
//!
//! - [`InstanceHistory`]: process instances with status, process id, version, start and end;
//! - [`ElementHistory`]: element instances with their timings;
//! - [`VariableChange`]: every write of every variable;
//! - [`IncidentHistory`], [`JobHistory`], [`TimerHistory`] (the pending ones are the timers
//!   due), [`UserTaskHistory`].
//!
//! [`History::read_instance`] folds only one instance's span of a store's log when the store
//! keeps an instance index. Nothing here changes the engine: a store's log can be folded while no
//! engine is open on it.

mod change;
mod fold;
mod read;
mod types;

pub use change::Change;
pub use fold::History;
pub use types::*;
