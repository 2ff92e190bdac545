//! [`ApiError`]: every failure of the API as a status code and the JSON body
//! `{ "error": { "code": "...", "message": "..." } }`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use engine::EngineError;
use personas::RegistryError;
use serde::Serialize;
use utoipa::ToSchema;

/// An API failure: the HTTP status, a stable machine-readable code and a message saying what
/// to do. Messages never carry a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code, for example `NOT_FOUND`, `BAD_REQUEST`, `UNAUTHORIZED`.
    pub code: &'static str,
    /// What went wrong and what to do.
    pub message: String,
}

/// The JSON body of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The code and message of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code, for example `NOT_FOUND`.
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// 400: the request is malformed or its values are not acceptable.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// 404: what the request names does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// 500: the server failed (the store, ...).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_owned(), message: self.message } };
        (self.status, Json(body)).into_response()
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::NotFound(m) => Self::not_found(m),
            EngineError::InvalidArgument(m) => Self::bad_request(m),
            EngineError::FailedPrecondition(m) => Self::new(StatusCode::CONFLICT, "FAILED_PRECONDITION", m),
            EngineError::AlreadyExists(m) => Self::new(StatusCode::CONFLICT, "ALREADY_EXISTS", m),
            EngineError::DeadlineExceeded(m) => Self::new(StatusCode::GATEWAY_TIMEOUT, "DEADLINE_EXCEEDED", m),
            EngineError::Unavailable(m) => Self::new(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", m),
        }
    }
}

impl From<engine::store::StoreError> for ApiError {
    fn from(error: engine::store::StoreError) -> Self {
        Self::internal(error.to_string())
    }
}

impl From<RegistryError> for ApiError {
    fn from(error: RegistryError) -> Self {
        let message = error.to_string();
        match error {
            RegistryError::UnknownInstance { .. } | RegistryError::NotFound(_) => Self::not_found(message),
            RegistryError::Invalid(_) | RegistryError::UnknownType { .. } | RegistryError::AmbiguousName { .. } => {
                Self::bad_request(message)
            }
            RegistryError::DuplicateName { .. }
            | RegistryError::SecondProject { .. }
            | RegistryError::WrongStatus(_) => Self::conflict(message),
            _ => Self::internal(message),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::bad_request(format!("the body is not the JSON this route takes: {}", rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request(format!("bad path parameter: {}", rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(format!("bad query parameter: {}", rejection.body_text()))
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
