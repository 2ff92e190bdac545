//! The one error type of the reader: what is wrong, where, and what to do.

use crate::model::Location;

/// A document the reader cannot turn into a model.
///
/// Carries the 1-based line and column (in characters) where the problem was found and a message
/// that says what is wrong and how to fix it. Displays as `line:col: message`; callers prepend the
/// file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ReadError {
    /// 1-based line of the problem.
    pub line: u32,
    /// 1-based column of the problem, in characters.
    pub column: u32,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl ReadError {
    /// An error at a source location.
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Self { line: location.line, column: location.column, message: message.into() }
    }

    /// Where the problem is.
    pub fn location(&self) -> Location {
        Location::new(self.line, self.column)
    }
}
