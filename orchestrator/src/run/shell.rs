//! `--execute-shell DIR [--shell-policy FILE]`: the guarded shell handler `run` gives the
//! `shell-command` jobs instead of a dry run.

use std::sync::Arc;

use workers::handlers::{ShellHandler, ShellOptions};

use crate::cli::RunArgs;
use crate::failure::{Failure, Result};

/// The shell handler the arguments ask for, if any; a missing workspace or an unreadable or
/// malformed policy is a usage error that names the file.
pub fn handler(args: &RunArgs) -> Result<Option<Arc<ShellHandler>>> {
    let Some(dir) = &args.execute_shell else { return Ok(None) };
    let workspace = std::fs::canonicalize(dir).map_err(|e| {
        Failure::Usage(format!("--execute-shell {}: {e}; name the folder the commands may work in", dir.display()))
    })?;
    if !workspace.is_dir() {
        return Err(Failure::Usage(format!("--execute-shell {}: not a folder", dir.display())));
    }
    let mut options = ShellOptions::new(&workspace);
    if let Some(file) = &args.shell_policy {
        options.policy = crate::commands::guard::read_policy(file, &workspace.to_string_lossy())?;
    }
    Ok(Some(Arc::new(ShellHandler::new(options))))
}
