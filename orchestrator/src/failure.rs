//! [`Failure`]: why a command did not do its work, and the exit code that says so.

use std::process::ExitCode;

use engine::EngineError;
use engine::store::StoreError;
use personas::RegistryError;

/// A command that failed: bad usage or input (exit 2) or a failure of the command itself
/// (exit 1). The message says what went wrong and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The command line or an input file is wrong (exit code 2).
    Usage(String),
    /// The command could not do its work (exit code 1).
    Failed(String),
}

impl Failure {
    /// The message for the user.
    pub fn message(&self) -> &str {
        match self {
            Failure::Usage(message) | Failure::Failed(message) => message,
        }
    }

    /// The stable code of `--json` errors: `INVALID_ARGUMENT` (exit 2) or `FAILED` (exit 1).
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Usage(_) => "INVALID_ARGUMENT",
            Failure::Failed(_) => "FAILED",
        }
    }

    /// The error as `--json` prints it: `{"error": {"code": ..., "message": ...}}`, the shape
    /// of the HTTP API's errors.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code(), "message": self.message() } })
    }

    /// 2 for bad usage or input, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Usage(_) => ExitCode::from(2),
            Failure::Failed(_) => ExitCode::from(1),
        }
    }

    /// An engine rejection, with `next` (what to do about it) appended for `NOT_FOUND`.
    pub fn engine(error: EngineError, next: &str) -> Self {
        match error {
            EngineError::NotFound(message) => Failure::Failed(format!("{message}: {next}")),
            EngineError::InvalidArgument(message) => Failure::Usage(message),
            other => Failure::Failed(other.to_string()),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Failed(error.to_string())
    }
}

impl From<RegistryError> for Failure {
    /// Bad input to the persona registry (an unknown type, a second project, a negative limit,
    /// ...) is exit 2; an unknown instance or a store failure exit 1.
    fn from(error: RegistryError) -> Self {
        if error.is_bad_input() { Failure::Usage(error.to_string()) } else { Failure::Failed(error.to_string()) }
    }
}

/// Shorthand for command results.
pub type Result<T, E = Failure> = std::result::Result<T, E>;
