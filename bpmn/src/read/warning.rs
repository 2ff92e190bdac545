//! What the reader repaired: a located note beside a model that did read.

use crate::model::Location;

/// Something the reader repaired to read a document, as Camunda Modeler would open it.
///
/// Located like a [`super::ReadError`] (1-based line and column in characters) with a message
/// that says what was found, what the reader made of it, and how to fix the file. Displays as
/// `line:col: warning: message`; callers prepend the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadWarning {
    /// 1-based line of the repaired content.
    pub line: u32,
    /// 1-based column of the repaired content, in characters.
    pub column: u32,
    /// What was repaired, how, and what to do about it.
    pub message: String,
}

impl ReadWarning {
    /// A warning at a source location.
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Self { line: location.line, column: location.column, message: message.into() }
    }

    /// Where the repaired content is.
    pub fn location(&self) -> Location {
        Location::new(self.line, self.column)
    }
}

impl std::fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: warning: {}", self.line, self.column, self.message)
    }
}
