//! The actions file: `workspace:` (relative to the file), one section per action of the
//! catalogue, and optionally `prices:` (model → `input_per_1k`, `output_per_1k` dollars, for the
//! spend gate), read into [`Settings`]. `orchestrator run --actions`, `orchestrator serve --actions`
//! and `persona-worker`'s `actions:` all read it here.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::Settings;

/// An actions file that cannot be used; the message names the file, with line and column where
/// it has them, and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsFileError(String);

impl Settings {
    /// Reads the actions file `file`. Each section is checked by building its handler, so a bad
    /// one is reported here, before anything runs.
    pub fn read_file(file: &Path) -> Result<Self, SettingsFileError> {
        let name = file.display();
        let text = std::fs::read_to_string(file)
            .map_err(|e| SettingsFileError(format!("{name}: cannot read the actions file: {e}")))?;
        let at = |line: usize, column: usize, message: String| {
            SettingsFileError(format!("{name}:{line}:{column}: {message}"))
        };
        let top: BTreeMap<String, serde_yaml_ng::Value> = serde_yaml_ng::from_str(&text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let what = e.to_string().split(" at line ").next().unwrap_or_default().to_owned();
            at(line, column, format!("{what}; an actions file maps `workspace:` and action names to their settings"))
        })?;
        let key_line = |key: &str| {
            text.lines()
                .position(|line| line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')))
                .map_or(1, |i| i + 1)
        };
        let mut settings = Settings::default();
        for (key, value) in top {
            if key == "workspace" {
                let Some(dir) = value.as_str() else {
                    return Err(at(key_line(&key), 1, "`workspace:` must be a path (relative to this file)".into()));
                };
                let base = file.parent().unwrap_or(Path::new("."));
                let workspace = super::existing_folder(&base.join(dir), "workspace", "create it or fix the path")
                    .map_err(|e| at(key_line(&key), 1, e))?;
                settings.workspace = Some(workspace);
                continue;
            }
            if key == "prices" {
                let prices =
                    serde_json::to_value(value).map_err(|e| at(key_line(&key), 1, format!("`prices`: {e}")))?;
                settings.prices = Some(prices);
                continue;
            }
            if crate::find(&key).is_none() {
                let known: Vec<&str> = crate::specs().iter().map(|spec| spec.name).collect();
                return Err(at(
                    key_line(&key),
                    1,
                    format!("`{key}` is not an action; use `workspace`, `prices` or one of {}", known.join(", ")),
                ));
            }
            let section = serde_json::to_value(value).map_err(|e| at(key_line(&key), 1, format!("`{key}`: {e}")))?;
            settings.sections.insert(key, section);
        }
        if settings.workspace.is_none() {
            return Err(at(
                1,
                1,
                "no `workspace:`; give the folder (relative to this file) the actions work in".into(),
            ));
        }
        let fallback: Arc<dyn workers::JobHandler> = Arc::new(crate::DryRunHandler);
        crate::bindings(&settings, &fallback, |_| true)
            .map_err(|e| at(key_line(&e.action), 1, format!("{e}; fix the section")))?;
        Ok(settings)
    }
}
