//! Backup branches: before a branch is changed destructively, a branch
//! `backup/pre-orchestration-YYYYMMDD_HHMMSS` (UTC) keeps its head.

use serde::Serialize;

use crate::error::{Operation, Result};
use crate::repo::{CommitId, Repo};

/// The start of every backup branch's name.
pub const BACKUP_PREFIX: &str = "backup/pre-orchestration-";

/// A backup branch made before an operation changed a branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backup {
    /// The backup branch, e.g. `backup/pre-orchestration-20250314_093000` (with `-2`, `-3`, …
    /// when that name was taken).
    pub name: String,
    /// The branch it keeps the old head of.
    pub of_branch: String,
    /// The old head.
    pub at: CommitId,
    /// The remote it was pushed to, when the operation pushes.
    pub pushed_to: Option<String>,
}

impl Repo {
    /// Makes a backup branch at `at`, the head of `of_branch`, and pushes it to `push_to`.
    pub(crate) async fn backup(
        &self,
        operation: Operation,
        of_branch: &str,
        at: &CommitId,
        push_to: Option<&str>,
    ) -> Result<Backup> {
        let base = format!("{BACKUP_PREFIX}{}", self.git().clock.now().format("%Y%m%d_%H%M%S"));
        let mut taken = self.branches_starting_with(operation, &base, None).await?;
        if let Some(remote) = push_to {
            taken.extend(self.branches_starting_with(operation, &base, Some(remote)).await?);
        }
        let name = (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or(base);
        self.run(operation, &["branch", "--no-track", name.as_str(), at.as_str()]).await?;
        if let Some(remote) = push_to {
            let refspec = format!("refs/heads/{name}:refs/heads/{name}");
            self.run(operation, &["push", "--quiet", remote, refspec.as_str()]).await?;
        }
        tracing::info!(repo = %self.path().display(), %operation, backup = %name, of_branch, at = %at, "backup branch made");
        Ok(Backup { name, of_branch: of_branch.to_owned(), at: at.clone(), pushed_to: push_to.map(str::to_owned) })
    }

    /// The branches here (or on `remote`) whose names start with `prefix`.
    async fn branches_starting_with(
        &self,
        operation: Operation,
        prefix: &str,
        remote: Option<&str>,
    ) -> Result<Vec<String>> {
        // Ref names hold no white space, so one per line is unambiguous.
        let listed = match remote {
            None => self.run(operation, &["for-each-ref", "--format=%(refname)", "refs/heads/"]).await?,
            Some(remote) => self.run(operation, &["ls-remote", "--heads", remote]).await?,
        };
        Ok(listed
            .lines()
            .filter_map(|line| line.rsplit('\t').next()?.strip_prefix("refs/heads/"))
            .filter(|name| name.starts_with(prefix))
            .map(str::to_owned)
            .collect())
    }
}
