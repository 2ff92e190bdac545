//! Bearer-token auth: an operator token that may do everything and an optional read-only token
//! that may only read (`GET`); both compared in constant time, never logged or echoed.
//!
//! [`Tokens::load`] takes them from `ORCHESTRATOR_TOKEN` and `ORCHESTRATOR_READ_TOKEN`; without
//! an operator token in the environment it reads the token file (or, on first start, generates
//! a token and writes the file with mode 0600) and says so, so the caller can print it once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// The environment variable holding the operator token.
pub const TOKEN_VARIABLE: &str = "ORCHESTRATOR_TOKEN";
/// The environment variable holding the optional read-only token.
pub const READ_TOKEN_VARIABLE: &str = "ORCHESTRATOR_READ_TOKEN";

/// A token; its `Debug` shows no part of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token. Empty text is refused.
    pub fn new(token: impl Into<String>) -> Option<Self> {
        let token = token.into().trim().to_owned();
        (!token.is_empty()).then_some(Self(token))
    }

    /// The token itself, to print once or to send.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn matches(&self, presented: &str) -> bool {
        bool::from(self.0.as_bytes().ct_eq(presented.as_bytes()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Operator,
    /// Only reads (`GET`, `HEAD`).
    ReadOnly,
}

/// The tokens the server accepts.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The operator's token.
    pub operator: Secret,
    /// The read-only token, if any.
    pub read_only: Option<Secret>,
}

/// Where the operator token came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `ORCHESTRATOR_TOKEN`.
    Environment,
    /// The token file, written by an earlier start.
    File(PathBuf),
    /// Generated now and written to this file: print it once.
    Generated(PathBuf),
}

impl Tokens {
    /// The tokens from the environment, else from (or into) `token_file`.
    pub fn load(token_file: &Path) -> Result<(Self, TokenSource), String> {
        let from_env = |name: &str| std::env::var(name).ok().and_then(Secret::new);
        let read_only = from_env(READ_TOKEN_VARIABLE);
        if let Some(operator) = from_env(TOKEN_VARIABLE) {
            return Ok((Self { operator, read_only }, TokenSource::Environment));
        }
        if token_file.exists() {
            let text = std::fs::read_to_string(token_file)
                .map_err(|e| format!("cannot read the token file {}: {e}", token_file.display()))?;
            let operator = Secret::new(text).ok_or_else(|| {
                format!("the token file {} is empty; delete it to get a new token", token_file.display())
            })?;
            return Ok((Self { operator, read_only }, TokenSource::File(token_file.to_path_buf())));
        }
        let operator = generate()?;
        write_private(token_file, operator.expose())?;
        Ok((Self { operator, read_only }, TokenSource::Generated(token_file.to_path_buf())))
    }

    /// The role of a presented token, `None` when it is no token of ours.
    pub fn role(&self, presented: &str) -> Option<Role> {
        if self.operator.matches(presented) {
            Some(Role::Operator)
        } else if self.read_only.as_ref().is_some_and(|t| t.matches(presented)) {
            Some(Role::ReadOnly)
        } else {
            None
        }
    }
}

/// 32 random bytes from the operating system, as hex.
fn generate() -> Result<Secret, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot get random bytes for a token: {e}"))?;
    Secret::new(hex::encode(bytes)).ok_or_else(|| "generated an empty token".to_owned())
}

/// Writes `text` to a new file readable by its owner only.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| format!("cannot create the token file {}: {e}", path.display()))?;
    writeln!(file, "{text}").map_err(|e| format!("cannot write the token file {}: {e}", path.display()))
}

/// The middleware: a request without a valid bearer token gets 401, a read-only token asking to
/// change something 403.
pub async fn require_token(State(tokens): State<Arc<Tokens>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(presented) = presented else {
        return unauthorized("this route needs `Authorization: Bearer <token>`");
    };
    match tokens.role(presented.trim()) {
        None => unauthorized("the bearer token is not valid"),
        Some(Role::ReadOnly) if !matches!(*request.method(), Method::GET | Method::HEAD) => ApiError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "the read-only token may only read (GET); use the operator token to change anything",
        )
        .into_response(),
        Some(_) => next.run(request).await,
    }
}

fn unauthorized(message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug() {
        let tokens = Tokens { operator: Secret("op-123".into()), read_only: Secret::new("ro-456") };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("op-123") && !shown.contains("ro-456"), "{shown}");
        assert_eq!(tokens.role("op-123"), Some(Role::Operator));
        assert_eq!(tokens.role("ro-456"), Some(Role::ReadOnly));
        assert_eq!(tokens.role("op-12"), None);
    }

    #[test]
    fn a_generated_token_is_stored_owner_only_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("api-token");
        let generated = generate().expect("random");
        write_private(&file, generated.expose()).expect("writes");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("metadata").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(generated.expose().len(), 64);
        assert!(write_private(&file, "other").is_err(), "an existing token file is never overwritten");
    }
}
