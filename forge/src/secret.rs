//! Tokens: [`TokenSource`] says where a token lives (an environment variable or a file) and
//! [`Secret`] holds its value without ever printing it.

use std::fmt;
use std::path::PathBuf;

use crate::error::ForgeError;

/// Where a personal access token (or any API token) is read from. The source, never the value,
/// is what errors name, so a refused token says which variable or file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// The named environment variable, e.g. `GITHUB_TOKEN`.
    Env(String),
    /// A file whose content (surrounding whitespace trimmed) is the token.
    File(PathBuf),
}

impl TokenSource {
    /// Reads the token. An unset or empty variable, or a missing, unreadable or empty file, is a
    /// [`ForgeError::MissingToken`] naming the source.
    pub fn read(&self) -> Result<Secret, ForgeError> {
        let value = match self {
            Self::Env(name) => std::env::var(name).map_err(|_| self.missing("is not set"))?,
            Self::File(path) => {
                std::fs::read_to_string(path).map_err(|error| self.missing(&format!("cannot be read: {error}")))?
            }
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(self.missing("is empty"));
        }
        Ok(Secret(value.to_owned()))
    }

    fn missing(&self, why: &str) -> ForgeError {
        ForgeError::MissingToken { source_name: self.to_string(), why: why.to_owned() }
    }
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::File(path) => write!(f, "token file {}", path.display()),
        }
    }
}

/// A token's value. `Debug` and `Display` print `***`; the value leaves only through
/// [`Secret::expose`], for the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value obtained elsewhere (e.g. from a vault).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the value replaced by `***`, for text a server sent back.
    pub(crate) fn redact(&self, text: &str) -> String {
        if self.0.is_empty() { text.to_owned() } else { text.replace(&self.0, "***") }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_display_and_redact_hide_the_value() {
        let secret = Secret::new("ghp_verysecret");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(secret.redact("token ghp_verysecret twice ghp_verysecret"), "token *** twice ***");
        assert_eq!(secret.expose(), "ghp_verysecret");
    }

    #[test]
    fn a_file_token_is_trimmed_and_an_empty_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pat");
        std::fs::write(&path, "  abc123\n").unwrap();
        assert_eq!(TokenSource::File(path.clone()).read().unwrap().expose(), "abc123");
        std::fs::write(&path, "\n").unwrap();
        let error = TokenSource::File(path.clone()).read().unwrap_err().to_string();
        assert!(error.contains(&path.display().to_string()) && error.contains("empty"), "{error}");
    }

    #[test]
    fn a_missing_file_or_variable_is_named() {
        let error = TokenSource::File("/nonexistent/forge-pat".into()).read().unwrap_err().to_string();
        assert!(error.contains("token file /nonexistent/forge-pat") && error.contains("cannot be read"), "{error}");
        let error = TokenSource::Env("FORGE_TEST_SURELY_UNSET".into()).read().unwrap_err().to_string();
        assert!(error.contains("environment variable FORGE_TEST_SURELY_UNSET is not set"), "{error}");
    }
}
