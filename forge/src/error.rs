//! [`ForgeError`]: why a call to GitHub or Azure DevOps gave no result. Every message names the
//! operation and what to do; none carries the token (text a server sent back is redacted).

use std::time::Duration;

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForgeError {
    /// The token could not be read.
    #[error("no API token: {source_name} {why}; store the token there")]
    MissingToken {
        /// Where the token was looked for, e.g. `environment variable GITHUB_TOKEN`.
        source_name: String,
        /// Why nothing usable was found there.
        why: String,
    },
    /// HTTP 401, or a 403 that is not a rate limit: the token is wrong, expired or lacks rights.
    #[error(
        "{service} refused the token (HTTP {status}) to {operation}: {message}; check the token in \
         {token_source}: it must be valid, unexpired and allowed to {operation}"
    )]
    Unauthorized {
        /// `GitHub` or `Azure DevOps`.
        service: &'static str,
        /// 401 or 403.
        status: u16,
        /// What was being done, e.g. `create pull request feature/x -> main in acme/widgets`.
        operation: String,
        /// The service's own message.
        message: String,
        /// Where the token came from, e.g. `environment variable GITHUB_TOKEN`.
        token_source: String,
    },
    /// Any other refusal (4xx other than 401, 403 and 429): retrying the same request will not help.
    #[error("{service} answered HTTP {status} to {operation}: {message}; {hint}")]
    Api {
        /// `GitHub` or `Azure DevOps`.
        service: &'static str,
        /// The status code.
        status: u16,
        /// What was being done.
        operation: String,
        /// The service's own message (with its validation details, if any).
        message: String,
        /// What to do about it.
        hint: String,
    },
    /// The service asked to wait longer than the configured maximum.
    #[error(
        "{service} rate limit reached while trying to {operation}: it asks to wait {wait:?}, more than the \
         allowed {max_wait:?} ({message}); try again later or raise RetryPolicy::max_rate_limit_wait"
    )]
    RateLimited {
        /// `GitHub` or `Azure DevOps`.
        service: &'static str,
        /// What was being done.
        operation: String,
        /// How long the service asked to wait.
        wait: Duration,
        /// The longest wait allowed.
        max_wait: Duration,
        /// The service's own message.
        message: String,
    },
    /// Server errors, rate limits or connection failures on every attempt.
    #[error(
        "{service} gave no answer to {operation} after {attempts} attempts; last: {last}; the service may be \
         down or overloaded: try again later"
    )]
    Unavailable {
        /// `GitHub` or `Azure DevOps`.
        service: &'static str,
        /// What was being done.
        operation: String,
        /// How many requests were sent.
        attempts: usize,
        /// The last failure.
        last: String,
    },
    /// A success answer that is not the documented shape.
    #[error("{service}'s answer to {operation} was not understood: {message}; is the base URL right?")]
    BadResponse {
        /// `GitHub` or `Azure DevOps`.
        service: &'static str,
        /// What was being done.
        operation: String,
        /// What was wrong with it.
        message: String,
    },
    /// The inputs cannot make a valid request.
    #[error("cannot {operation}: {message}")]
    InvalidInput {
        /// What was asked.
        operation: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A merge the service accepted did not happen (conflicts, policies, or no result in time).
    #[error("{service} did not merge: {operation}: {message}; {hint}")]
    NotMerged {
        /// `GitHub` or `Azure DevOps`.
        service: &'static str,
        /// What was being done.
        operation: String,
        /// The state the service reported.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

impl ForgeError {
    /// The HTTP status behind the error, if the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status, .. } | Self::Api { status, .. } => Some(*status),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// What to do about a refused request, by status.
pub(crate) fn hint_for(status: u16) -> &'static str {
    match status {
        404 => {
            "check that the organisation/owner, project, repository and number exist and that the token may see \
             them (services answer 404 to tokens without access)"
        }
        405 => "the pull request is not mergeable (conflicts, failing required checks or reviews, or a draft)",
        409 => "the resource changed meanwhile (e.g. the source branch moved); read it again and retry",
        400 | 422 => "the request was refused as invalid; fix the inputs named in the message",
        _ => "check the inputs and the service's message",
    }
}
