//! Operations that add one commit to the checked-out branch: commit, cherry-pick and revert.

use std::path::PathBuf;

use serde::Serialize;

use crate::backup::Backup;
use crate::commit_message::ConventionalCommit;
use crate::error::{Operation, Result};
use crate::ops::conflict::Conflict;
use crate::repo::{CommitId, Repo, split_nul};

/// Which changes [`Repo::commit`] stages before it commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staging {
    /// Every change, new and deleted files included (`git add --all`).
    All,
    /// Only these paths (relative to the top of the working copy); what was staged before is
    /// committed too.
    Paths(Vec<PathBuf>),
}

/// What [`Repo::commit`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum CommitOutcome {
    /// A commit was made.
    Committed {
        /// The new commit.
        hash: CommitId,
        /// The branch it is on (`None` on a detached HEAD).
        branch: Option<String>,
        /// The files it changes.
        files: Vec<String>,
    },
    /// Nothing was staged, so no commit was made.
    NothingToCommit,
}

/// What [`Repo::cherry_pick`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum CherryPickOutcome {
    /// The commit's change was applied as a new commit.
    Applied {
        /// The commit picked.
        source: CommitId,
        /// The new commit.
        head: CommitId,
        /// The branch it is on.
        branch: String,
    },
    /// It conflicted; the cherry-pick was aborted and the working copy is as it was.
    Conflict(Conflict),
}

/// What [`Repo::revert`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum RevertOutcome {
    /// A commit that undoes the given one was added.
    Reverted {
        /// The commit undone.
        reverted: CommitId,
        /// The new commit.
        head: CommitId,
        /// The branch it is on.
        branch: String,
        /// The backup of the branch's old head.
        backup: Backup,
        /// The remote the branch (and the backup) was pushed to, if any.
        pushed_to: Option<String>,
    },
    /// It conflicted; the revert was aborted and the working copy is as it was.
    Conflict(Conflict),
}

impl Repo {
    /// Stages `staging` and commits it with `message`. When nothing is staged the result is
    /// [`CommitOutcome::NothingToCommit`], not an error.
    pub async fn commit(&self, message: &ConventionalCommit, staging: &Staging) -> Result<CommitOutcome> {
        let operation = Operation::Commit;
        match staging {
            Staging::All => {
                self.run(operation, &["add", "--all"]).await?;
            }
            Staging::Paths(paths) if paths.is_empty() => {}
            Staging::Paths(paths) => {
                let mut args = vec![PathBuf::from("add"), PathBuf::from("--")];
                args.extend(paths.iter().cloned());
                self.run(operation, &args).await?;
            }
        }
        let files = split_nul(&self.run(operation, &["diff", "--cached", "--name-only", "-z"]).await?);
        if files.is_empty() {
            return Ok(CommitOutcome::NothingToCommit);
        }
        let text = format!("{message}\n");
        self.run_with_input(operation, &["commit", "--quiet", "--cleanup=verbatim", "--file=-"], &text).await?;
        let hash = self.resolve(operation, "HEAD", "HEAD").await?;
        let branch = self.branch_of_head(operation).await?;
        Ok(CommitOutcome::Committed { hash, branch, files })
    }

    /// Applies the change of `commit` (against its first parent, for a merge commit) to the
    /// checked-out branch as a new commit that names its source (`-x`). On a conflict the
    /// cherry-pick is aborted and the conflicting files are reported.
    pub async fn cherry_pick(&self, commit: &str) -> Result<CherryPickOutcome> {
        let operation = Operation::CherryPick;
        let branch = self.checked_out_branch(operation).await?;
        self.require_clean(operation).await?;
        let source = self.resolve(operation, "commit", commit).await?;
        let mut args = vec!["cherry-pick", "-x"];
        if self.is_merge_commit(operation, &source).await? {
            args.extend(["--mainline", "1"]);
        }
        args.push(source.as_str());
        if let Some(files) = self.attempt(operation, &args, &["cherry-pick", "--abort"]).await? {
            return Ok(CherryPickOutcome::Conflict(Conflict { files, backups: Vec::new() }));
        }
        let head = self.resolve(operation, "HEAD", "HEAD").await?;
        Ok(CherryPickOutcome::Applied { source, head, branch })
    }

    /// Adds a commit to the checked-out branch that undoes `commit` (a merge commit is undone
    /// against its first parent), after keeping the branch's head in a backup branch; with
    /// `push_to`, pushes the branch and the backup there. On a conflict the revert is aborted
    /// and the conflicting files are reported.
    pub async fn revert(&self, commit: &str, push_to: Option<&str>) -> Result<RevertOutcome> {
        let operation = Operation::Revert;
        let branch = self.checked_out_branch(operation).await?;
        self.require_clean(operation).await?;
        let reverted = self.resolve(operation, "commit", commit).await?;
        if let Some(remote) = push_to {
            self.checked(operation, "remote", remote)?;
        }
        let old_head = self.resolve(operation, "HEAD", "HEAD").await?;
        let backup = self.backup(operation, &branch, &old_head, push_to).await?;
        let mut args = vec!["revert", "--no-edit"];
        if self.is_merge_commit(operation, &reverted).await? {
            args.extend(["--mainline", "1"]);
        }
        args.push(reverted.as_str());
        if let Some(files) = self.attempt(operation, &args, &["revert", "--abort"]).await? {
            return Ok(RevertOutcome::Conflict(Conflict { files, backups: vec![backup] }));
        }
        if let Some(remote) = push_to {
            self.push_branch(operation, remote, &branch, false).await?;
        }
        let head = self.resolve(operation, "HEAD", "HEAD").await?;
        Ok(RevertOutcome::Reverted { reverted, head, branch, backup, pushed_to: push_to.map(str::to_owned) })
    }

    /// Whether `commit` has more than one parent.
    async fn is_merge_commit(&self, operation: Operation, commit: &CommitId) -> Result<bool> {
        let listed = self.run(operation, &["rev-list", "--parents", "-n", "1", commit.as_str()]).await?;
        Ok(listed.split_whitespace().count() > 2)
    }
}
