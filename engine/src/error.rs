//! The errors the engine's public API returns, one variant per gRPC status code Zeebe's gateway
//! uses for the same rejection, so a caller can map them onto an API without guessing.

/// A rejected command. The message says what was wrong and, where it helps, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The key or name does not exist (or no longer exists): gRPC `NOT_FOUND`.
    #[error("NOT_FOUND: {0}")]
    NotFound(String),
    /// The target exists but is in a state that does not allow the command: gRPC `FAILED_PRECONDITION`.
    #[error("FAILED_PRECONDITION: {0}")]
    FailedPrecondition(String),
    /// The request itself is malformed (blank type, bad retries, invalid model): gRPC `INVALID_ARGUMENT`.
    #[error("INVALID_ARGUMENT: {0}")]
    InvalidArgument(String),
    /// The entity already exists (a buffered message with the same id): gRPC `ALREADY_EXISTS`.
    #[error("ALREADY_EXISTS: {0}")]
    AlreadyExists(String),
    /// The caller's deadline passed before the answer was ready: gRPC `DEADLINE_EXCEEDED`.
    #[error("DEADLINE_EXCEEDED: {0}")]
    DeadlineExceeded(String),
    /// The record store could not make the command durable: gRPC `UNAVAILABLE`.
    #[error("UNAVAILABLE: {0}")]
    Unavailable(String),
}

impl From<crate::store::StoreError> for EngineError {
    fn from(error: crate::store::StoreError) -> Self {
        EngineError::Unavailable(error.to_string())
    }
}

impl EngineError {
    /// The gRPC status code name of this error, for example `NOT_FOUND`.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::NotFound(_) => "NOT_FOUND",
            EngineError::FailedPrecondition(_) => "FAILED_PRECONDITION",
            EngineError::InvalidArgument(_) => "INVALID_ARGUMENT",
            EngineError::AlreadyExists(_) => "ALREADY_EXISTS",
            EngineError::DeadlineExceeded(_) => "DEADLINE_EXCEEDED",
            EngineError::Unavailable(_) => "UNAVAILABLE",
        }
    }
}

/// Shorthand for results of engine commands.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
