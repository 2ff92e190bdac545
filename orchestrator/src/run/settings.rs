//! The action settings of `run`: `--actions FILE` (a workspace and one section per action, so
//! those actions run for real) and `--execute-shell DIR [--shell-policy FILE]` (the guarded
//! shell only). Both may be given when they name the same workspace.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use actions::Settings;

use crate::cli::RunArgs;
use crate::failure::{Failure, Result};

/// The settings of the real handlers, and which actions may use them.
pub struct ActionSettings {
    /// How the real handlers are set up.
    pub settings: Settings,
    /// True with `--actions`: every action with a real handler runs for real. Otherwise only
    /// the guarded shell and the actions without effects (`log`, `set-variable`) do.
    pub all_real: bool,
}

impl ActionSettings {
    /// Whether `spec`'s real handler, if it has one, may take its jobs.
    pub fn may_run_for_real(&self, spec: &actions::ActionSpec) -> bool {
        self.all_real
            || spec.job_type == actions::catalogue::shell_command::JOB_TYPE
            || spec.effects == actions::Effects::None
    }
}

/// The action settings the arguments ask for. A missing workspace, an unreadable or malformed
/// file, or an `--execute-shell` folder other than the file's workspace is a usage error that
/// names the file (with line and column where it has them).
pub fn settings(args: &RunArgs) -> Result<ActionSettings> {
    let mut settings = match &args.actions {
        Some(file) => read_actions_file(file)?,
        None => Settings::default(),
    };
    if let Some(dir) = &args.execute_shell {
        let workspace =
            folder(dir, "--execute-shell", "name the folder the commands may work in").map_err(Failure::Usage)?;
        match &settings.workspace {
            Some(from_file) if *from_file != workspace => {
                return Err(Failure::Usage(format!(
                    "--execute-shell {} is not the workspace of --actions ({}); give one of them, or the same folder",
                    dir.display(),
                    from_file.display()
                )));
            }
            _ => settings.workspace = Some(workspace),
        }
    }
    if let Some(file) = &args.shell_policy {
        let Some(workspace) = &settings.workspace else {
            return Err(Failure::Usage(
                "--shell-policy needs a workspace; add --execute-shell DIR or --actions FILE".into(),
            ));
        };
        settings.shell_policy = Some(crate::commands::guard::read_policy(file, &workspace.to_string_lossy())?);
    }
    Ok(ActionSettings { settings, all_real: args.actions.is_some() })
}

/// `dir` resolved, when it is an existing folder; else what is wrong, saying `flag` and `fix`.
fn folder(dir: &Path, flag: &str, fix: &str) -> std::result::Result<PathBuf, String> {
    let resolved = std::fs::canonicalize(dir).map_err(|e| format!("{flag} {}: {e}; {fix}", dir.display()))?;
    if resolved.is_dir() { Ok(resolved) } else { Err(format!("{flag} {}: not a folder; {fix}", dir.display())) }
}

/// Reads an actions file: `workspace:` (relative to the file) and one section per action of
/// the catalogue. Each section is checked by building the handlers, so a bad one stops `run`
/// before anything starts.
fn read_actions_file(file: &Path) -> Result<Settings> {
    let name = file.display();
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("{name}: cannot read the actions file: {e}")))?;
    let at = |line: usize, column: usize, message: String| Failure::Usage(format!("{name}:{line}:{column}: {message}"));
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
            let workspace = folder(&base.join(dir), "workspace", "create it or fix the path")
                .map_err(|e| at(key_line(&key), 1, e))?;
            settings.workspace = Some(workspace);
            continue;
        }
        if actions::find(&key).is_none() {
            let known: Vec<&str> = actions::specs().iter().map(|spec| spec.name).collect();
            return Err(at(
                key_line(&key),
                1,
                format!("`{key}` is not an action; use `workspace` or one of {}", known.join(", ")),
            ));
        }
        let section = serde_json::to_value(value).map_err(|e| at(key_line(&key), 1, format!("`{key}`: {e}")))?;
        settings.sections.insert(key, section);
    }
    if settings.workspace.is_none() {
        return Err(at(1, 1, "no `workspace:`; give the folder (relative to this file) the actions work in".into()));
    }
    let fallback: std::sync::Arc<dyn workers::JobHandler> = std::sync::Arc::new(actions::DryRunHandler);
    actions::bindings(&settings, &fallback, |_| true)
        .map_err(|e| at(key_line(&e.action), 1, format!("{e}; fix the section")))?;
    Ok(settings)
}
