//! The action settings of `run`: `--actions FILE` (a workspace and one section per action, so
//! those actions run for real) and `--execute-shell DIR [--shell-policy FILE]` (the guarded
//! shell only). Both may be given when they name the same workspace.

use std::path::Path;

use actions::Settings;
use guard::Policy;

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
        Some(file) => Settings::read_file(file).map_err(|e| Failure::Usage(e.to_string()))?,
        None => Settings::default(),
    };
    if let Some(dir) = &args.execute_shell {
        let workspace = actions::existing_folder(dir, "--execute-shell", "name the folder the commands may work in")
            .map_err(Failure::Usage)?;
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
        settings.shell_policy = Some(read_policy(file, &workspace.to_string_lossy())?);
    }
    Ok(ActionSettings { settings, all_real: args.actions.is_some() })
}

/// Reads a YAML policy file; its errors name the file, line and column.
pub(crate) fn read_policy(path: &Path, workspace: &str) -> Result<Policy> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("{name}: cannot read the policy file: {e}")))?;
    Policy::from_yaml(workspace, &text).map_err(|e| Failure::Usage(format!("{name}:{e}; fix the file")))
}
