//! apply: a unified diff onto the working copy.

use serde::Serialize;

use crate::error::{Operation, Result};
use crate::repo::Repo;

/// How applying a patch ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ApplyOutcome {
    /// Every hunk applied to the working tree; the files it changed, created or deleted.
    Applied {
        /// The paths the patch touches.
        files: Vec<String>,
    },
    /// Some hunk does not apply (or the text is no patch): nothing changed.
    Rejected {
        /// git's explanation.
        reason: String,
    },
}

impl Repo {
    /// Applies `patch`, a unified diff with paths relative to the repository root, to the
    /// working tree (not the index). All or nothing: when any hunk does not apply, nothing
    /// changes and the outcome says why.
    pub async fn apply_patch(&self, patch: &str) -> Result<ApplyOutcome> {
        let operation = Operation::Apply;
        // A diff's last line needs its line break for git to read it.
        let patch = if patch.ends_with('\n') { patch.to_owned() } else { format!("{patch}\n") };
        let check =
            self.git().output(self.path(), operation, &["apply", "--check", "--numstat", "-"], Some(&patch)).await?;
        if !check.success() {
            let reason = check.stderr.trim();
            let reason = if reason.is_empty() { "git apply refused the patch" } else { reason };
            return Ok(ApplyOutcome::Rejected { reason: reason.to_owned() });
        }
        self.run_with_input(operation, &["apply", "-"], &patch).await?;
        // `--numstat` lines are `added<TAB>deleted<TAB>path`.
        let files = check.stdout.lines().filter_map(|line| line.splitn(3, '\t').nth(2)).map(str::to_owned).collect();
        Ok(ApplyOutcome::Applied { files })
    }
}
