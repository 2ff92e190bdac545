//! The one error type of the crate: what went wrong and where.

/// What kind of failure a [`FeelError`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeelErrorKind {
    /// The text is not a FEEL expression this crate understands (bad token, unbalanced bracket, ...).
    Syntax,
    /// A function call names a function that is not built in, or passes a wrong number of arguments.
    UnknownFunction,
    /// Evaluation failed outright (for example a range too large to iterate).
    Evaluation,
    /// The expression had to produce one type but produced another, for example a condition that
    /// produced `null` (`expected: "BOOLEAN", actual: "NULL"`). Names are Zeebe's type names.
    UnexpectedType {
        /// Zeebe's name for the type the caller needs (`BOOLEAN`, `STRING`, ...).
        expected: &'static str,
        /// Zeebe's name for the type the expression produced (`NULL`, `NUMBER`, ...).
        actual: &'static str,
    },
}

/// A parse or evaluation failure with a 1-based column into the expression text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("FEEL expression, column {column}: {message}")]
pub struct FeelError {
    /// The kind of failure, for callers that react differently to each.
    pub kind: FeelErrorKind,
    /// 1-based column (in characters) of the offending text; 1 when the failure concerns the whole
    /// expression.
    pub column: usize,
    /// What went wrong and, where possible, how to fix it.
    pub message: String,
}

impl FeelError {
    /// A syntax error at the given 1-based column.
    pub(crate) fn syntax(column: usize, message: impl Into<String>) -> Self {
        Self { kind: FeelErrorKind::Syntax, column, message: message.into() }
    }

    /// An evaluation failure that concerns the whole expression.
    pub(crate) fn evaluation(message: impl Into<String>) -> Self {
        Self { kind: FeelErrorKind::Evaluation, column: 1, message: message.into() }
    }
}

/// Converts a byte offset into `text` to a 1-based character column.
pub(crate) fn column_of(text: &str, byte_offset: usize) -> usize {
    text.char_indices().take_while(|(at, _)| *at < byte_offset).count() + 1
}
