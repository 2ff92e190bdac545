//! [`Change`]: when a step of an entity's life happened and what caused it.

use serde::Serialize;

use crate::record::Cause;

/// When a change happened and who or what caused it: the log entry of the command that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The log position of the entry that made the change.
    pub position: i64,
    /// The engine time of the command, in epoch milliseconds.
    pub at_millis: i64,
    /// Who or what caused it: an API call (and its client), a worker, or a timer.
    pub cause: Cause,
}
