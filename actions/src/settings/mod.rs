//! [`Settings`]: how the real handlers are set up, one section per action.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use workers::spend::SpendGate;

use crate::shell::ShellOptions;

mod file;

pub use file::SettingsFileError;

/// What the real handlers need: the project's workspace, the shell guard's policy, each
/// action's own section (by action name, e.g. `notify: {webhook: ...}`), typically read from
/// an actions file, and the spend gate that paid calls go through. Secrets are never in it:
/// sections name the environment variable or file that holds them.
#[derive(Clone, Default)]
pub struct Settings {
    /// The project's workspace: shell commands and git operations work in it. Without one,
    /// neither runs for real.
    pub workspace: Option<PathBuf>,
    /// The command guard's policy for `shell-command` (default: its deny rules, no allow-lists).
    pub shell_policy: Option<guard::Policy>,
    /// Each action's own settings, by action name.
    pub sections: BTreeMap<String, Value>,
    /// The price table of paid calls (model → dollars per 1,000 input and output tokens), as
    /// the actions file's `prices:` gives it; the spend gate reads it.
    pub prices: Option<Value>,
    /// Holds and charges the cost of paid calls (the `llm` action's) to the persona instance
    /// that makes them; without one nothing is limited or priced. `run --project` gives the
    /// persona registry's.
    pub spend_gate: Option<Arc<dyn SpendGate>>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("workspace", &self.workspace)
            .field("shell_policy", &self.shell_policy)
            .field("sections", &self.sections)
            .field("prices", &self.prices)
            .field("spend_gate", &self.spend_gate.as_ref().map(|_| "set"))
            .finish()
    }
}

/// A section of the settings that its action cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the settings of action `{action}` are not usable: {message}")]
pub struct SettingsError {
    /// The action whose section it is.
    pub action: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl SettingsError {
    /// An error in the section of `action`.
    pub fn new(action: &str, message: impl Into<String>) -> Self {
        Self { action: action.to_owned(), message: message.into() }
    }
}

impl Settings {
    /// The section of `action`, read as `T`; `None` when the settings have none.
    pub fn section<T: DeserializeOwned>(&self, action: &str) -> Result<Option<T>, SettingsError> {
        self.sections
            .get(action)
            .map(|value| serde_json::from_value(value.clone()).map_err(|e| SettingsError::new(action, e.to_string())))
            .transpose()
    }

    /// The guarded shell's options, when there is a workspace.
    pub(crate) fn shell_options(&self) -> Result<Option<ShellOptions>, SettingsError> {
        let Some(workspace) = &self.workspace else { return Ok(None) };
        let mut options = ShellOptions::new(workspace);
        if let Some(policy) = &self.shell_policy {
            options.policy = policy.clone();
        }
        Ok(Some(options))
    }
}

/// `dir` resolved, when it is an existing folder; else what is wrong, naming it as `what` and
/// saying `fix`.
pub fn existing_folder(dir: &Path, what: &str, fix: &str) -> Result<PathBuf, String> {
    let resolved = std::fs::canonicalize(dir).map_err(|e| format!("{what} {}: {e}; {fix}", dir.display()))?;
    if resolved.is_dir() { Ok(resolved) } else { Err(format!("{what} {}: not a folder; {fix}", dir.display())) }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Section {
        url: String,
    }

    #[test]
    fn a_section_is_read_as_its_type_and_a_bad_one_names_its_action() {
        let mut settings = Settings::default();
        assert_eq!(settings.section::<Section>("notify"), Ok(None));
        settings.sections.insert("notify".into(), json!({"url": "http://127.0.0.1:9/hook"}));
        assert_eq!(settings.section("notify"), Ok(Some(Section { url: "http://127.0.0.1:9/hook".into() })));
        settings.sections.insert("notify".into(), json!({"link": "x"}));
        let error = settings.section::<Section>("notify").unwrap_err();
        assert_eq!(error.action, "notify");
        assert!(error.to_string().contains("unknown field `link`"), "{error}");
    }
}
