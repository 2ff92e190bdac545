//! `shell-command`: a command line, run by the guarded shell in the project's workspace.

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of shell steps.
pub const JOB_TYPE: &str = "shell-command";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "shell-command",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "Runs a command line in the project's workspace once the command guard allows it; `NAME=value` lines on stdout become the declared outputs.",
        fields: vec![
            Field::required("command", Shape::String, "The command line (POSIX sh); `${...}` values are quoted into it."),
            Field::optional("workingDirectory", Shape::String, "A folder below the workspace to run in."),
        ],
        outputs: vec![
            Field::optional("exitCode", Shape::Number, "The command's exit status."),
            Field::optional("stdout", Shape::String, "What it printed, capped."),
            Field::optional("stderr", Shape::String, "What it printed on stderr, capped."),
        ],
        operations: Vec::new(),
        effects: Effects::Workspace,
        timeout: Duration::from_secs(600),
        retries: 3,
    }
}

/// The guarded shell, when the settings name a workspace.
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    Ok(settings.shell_options()?.map(|options| {
        std::sync::Arc::new(crate::shell::ShellHandler::new(options)) as std::sync::Arc<dyn workers::JobHandler>
    }))
}
