//! Checks on text that goes to git as a branch, remote, revision, tag or URL, so that no input
//! is read as an option or a range.

use std::path::Path;

use crate::error::{Operation, Result, VcsError};
use crate::redact::redact_credentials;

/// `value` if git can only read it as the name or revision it stands for: not empty, not
/// starting with `-`, without white space, control characters or `..`.
pub(crate) fn name<'a>(repo: &Path, operation: Operation, what: &'static str, value: &'a str) -> Result<&'a str> {
    let why = if value.is_empty() {
        Some("it is empty")
    } else if value.starts_with('-') {
        Some("it starts with `-`, which git would read as an option")
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("it holds white space or a control character")
    } else if value.contains("..") {
        Some("it holds `..`, which git would read as a range")
    } else {
        None
    };
    match why {
        Some(why) => Err(invalid(repo, operation, what, value, why)),
        None => Ok(value),
    }
}

/// `url` if git can only read it as a repository URL or path: not empty, not starting with
/// `-`, without control characters.
pub(crate) fn url<'a>(repo: &Path, operation: Operation, url: &'a str) -> Result<&'a str> {
    if url.is_empty() || url.starts_with('-') || url.chars().any(char::is_control) {
        return Err(invalid(repo, operation, "url", url, "give a repository URL or path (not empty, no leading `-`)"));
    }
    Ok(url)
}

/// The error for an input that cannot be passed to git.
pub(crate) fn invalid(repo: &Path, operation: Operation, what: &'static str, value: &str, why: &str) -> VcsError {
    VcsError::InvalidArgument {
        repo: repo.to_owned(),
        operation,
        what,
        value: redact_credentials(value),
        why: why.to_owned(),
    }
}
