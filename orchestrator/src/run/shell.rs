//! `--execute-shell DIR [--shell-policy FILE]`: the action settings that give the
//! `shell-command` jobs the guarded shell instead of a dry run.

use actions::Settings;

use crate::cli::RunArgs;
use crate::failure::{Failure, Result};

/// The action settings the arguments ask for: a workspace and a policy for the guarded shell,
/// or none (every action but `log` and `set-variable` runs dry or simulated). A missing
/// workspace or an unreadable or malformed policy is a usage error that names the file.
pub fn settings(args: &RunArgs) -> Result<Settings> {
    let mut settings = Settings::default();
    let Some(dir) = &args.execute_shell else { return Ok(settings) };
    let workspace = std::fs::canonicalize(dir).map_err(|e| {
        Failure::Usage(format!("--execute-shell {}: {e}; name the folder the commands may work in", dir.display()))
    })?;
    if !workspace.is_dir() {
        return Err(Failure::Usage(format!("--execute-shell {}: not a folder", dir.display())));
    }
    if let Some(file) = &args.shell_policy {
        settings.shell_policy = Some(crate::commands::guard::read_policy(file, &workspace.to_string_lossy())?);
    }
    settings.workspace = Some(workspace);
    Ok(settings)
}
