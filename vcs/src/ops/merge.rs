//! The merge operation, with its three strategies.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::backup::Backup;
use crate::error::{Operation, Result};
use crate::ops::conflict::Conflict;
use crate::repo::{CommitId, Repo};

/// How [`Repo::merge`] brings the source into the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeStrategy {
    /// A merge commit, even when a fast-forward would do (`--no-ff`).
    Merge,
    /// One new commit on the target holding all of the source's changes.
    Squash,
    /// The source rebased onto the target, then the target fast-forwarded to it: linear history.
    Rebase,
}

impl MergeStrategy {
    /// The strategy's name: `merge`, `squash` or `rebase`.
    pub fn as_str(self) -> &'static str {
        match self {
            MergeStrategy::Merge => "merge",
            MergeStrategy::Squash => "squash",
            MergeStrategy::Rebase => "rebase",
        }
    }
}

impl fmt::Display for MergeStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A merge strategy name that is not `merge`, `squash` or `rebase`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a merge strategy; use merge, squash or rebase")]
pub struct UnknownMergeStrategy(pub String);

impl FromStr for MergeStrategy {
    type Err = UnknownMergeStrategy;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        [MergeStrategy::Merge, MergeStrategy::Squash, MergeStrategy::Rebase]
            .into_iter()
            .find(|strategy| strategy.as_str() == name)
            .ok_or_else(|| UnknownMergeStrategy(name.to_owned()))
    }
}

/// What [`Repo::merge`] is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequest {
    /// The branch (or, for merge and squash, any revision) to bring in.
    pub source: String,
    /// The local branch that changes.
    pub target: String,
    /// How.
    pub strategy: MergeStrategy,
    /// The message of the merge or squash commit (default: git's).
    pub message: Option<String>,
    /// The remote to push the target (and the backups) to afterwards, if any.
    pub push_to: Option<String>,
}

impl MergeRequest {
    /// Merge `source` into `target` with `strategy`, git's message, no push.
    pub fn new(source: impl Into<String>, target: impl Into<String>, strategy: MergeStrategy) -> Self {
        MergeRequest { source: source.into(), target: target.into(), strategy, message: None, push_to: None }
    }

    /// The request with the merge or squash commit's message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The request pushing the target and the backups to `remote` afterwards.
    pub fn pushing_to(mut self, remote: impl Into<String>) -> Self {
        self.push_to = Some(remote.into());
        self
    }
}

/// A merge that went through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// The strategy used.
    pub strategy: MergeStrategy,
    /// The source as given.
    pub source: String,
    /// The target, now checked out.
    pub target: String,
    /// The target's head before.
    pub previous_head: CommitId,
    /// The target's new head.
    pub head: CommitId,
    /// True when the target already held the source's changes and nothing changed.
    pub up_to_date: bool,
    /// The backups made first: the target's old head, and for rebase the source's.
    pub backups: Vec<Backup>,
    /// The remote the target was pushed to, if any.
    pub pushed_to: Option<String>,
}

/// What [`Repo::merge`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum MergeOutcome {
    /// The target now holds the source's changes.
    Merged(Merged),
    /// The merge conflicted and was aborted; nothing but the backups changed.
    Conflict(Conflict),
}

impl Repo {
    /// Brings `request.source` into the local branch `request.target` with the request's
    /// strategy, after keeping the heads of the branches that change in backup branches.
    ///
    /// The working copy must have no uncommitted changes to tracked files. On success the target
    /// is checked out. On a conflict the merge (or rebase) is aborted, the branch that was
    /// checked out before is checked out again, and the conflicting files are reported (for
    /// rebase: those of the first commit that conflicted). With `push_to`, the target and the
    /// backups are pushed; a rebased source is not (its remote branch would need a forced push).
    pub async fn merge(&self, request: &MergeRequest) -> Result<MergeOutcome> {
        let operation = Operation::Merge;
        let source = self.checked(operation, "source", &request.source)?;
        let target = request.target.as_str();
        let push_to = request.push_to.as_deref();
        if let Some(remote) = push_to {
            self.checked(operation, "remote", remote)?;
        }
        self.require_clean(operation).await?;
        let previous_head = self.local_branch_head(operation, target).await?;
        let source_head = match request.strategy {
            MergeStrategy::Rebase => self.local_branch_head(operation, source).await?,
            MergeStrategy::Merge | MergeStrategy::Squash => self.resolve(operation, "source", source).await?,
        };
        let checked_out_before = match self.branch_of_head(operation).await? {
            Some(branch) => branch,
            None => self.resolve(operation, "HEAD", "HEAD").await?.to_string(),
        };
        let mut backups = vec![self.backup(operation, target, &previous_head, push_to).await?];
        if request.strategy == MergeStrategy::Rebase {
            backups.push(self.backup(operation, source, &source_head, push_to).await?);
        }

        let attempted = match request.strategy {
            MergeStrategy::Merge => self.merge_commit(target, source, request.message.as_deref()).await,
            MergeStrategy::Squash => self.squash(target, source, request.message.as_deref()).await,
            MergeStrategy::Rebase => self.rebase_then_fast_forward(target, source).await,
        };
        let restore = ["checkout", "--quiet", checked_out_before.as_str()];
        match attempted {
            Ok(None) => {}
            Ok(Some(files)) => {
                self.run(operation, &restore).await?;
                return Ok(MergeOutcome::Conflict(Conflict { files, backups }));
            }
            Err(e) => {
                // The failure is what the caller needs to see; going back is a courtesy.
                if let Err(restore_error) = self.run(operation, &restore).await {
                    tracing::warn!(repo = %self.path().display(), "could not check out {checked_out_before} again: {restore_error}");
                }
                return Err(e);
            }
        }
        if let Some(remote) = push_to {
            self.push_branch(operation, remote, target, false).await?;
        }
        let head = self.resolve(operation, "target", &format!("refs/heads/{target}")).await?;
        Ok(MergeOutcome::Merged(Merged {
            strategy: request.strategy,
            source: source.to_owned(),
            target: target.to_owned(),
            up_to_date: head == previous_head,
            previous_head,
            head,
            backups,
            pushed_to: push_to.map(str::to_owned),
        }))
    }

    /// `git merge --no-ff` on the target; the conflicting files if it stopped.
    async fn merge_commit(&self, target: &str, source: &str, message: Option<&str>) -> Result<Option<Vec<String>>> {
        let operation = Operation::Merge;
        self.run(operation, &["checkout", "--quiet", target]).await?;
        let mut args = vec!["merge", "--quiet", "--no-ff", "--no-edit"];
        if let Some(message) = message {
            args.extend(["-m", message]);
        }
        args.push(source);
        self.attempt(operation, &args, &["merge", "--abort"]).await
    }

    /// `git merge --squash` on the target, then one commit; the conflicting files if it
    /// stopped.
    async fn squash(&self, target: &str, source: &str, message: Option<&str>) -> Result<Option<Vec<String>>> {
        let operation = Operation::Merge;
        self.run(operation, &["checkout", "--quiet", target]).await?;
        // A squash leaves no MERGE_HEAD, so `reset --merge` is what undoes it.
        if let Some(files) =
            self.attempt(operation, &["merge", "--quiet", "--squash", source], &["reset", "--merge"]).await?
        {
            return Ok(Some(files));
        }
        let staged = self.output(operation, &["diff", "--cached", "--quiet"]).await?;
        if staged.success() {
            return Ok(None);
        }
        match message {
            Some(message) => {
                let text = format!("{message}\n");
                self.run_with_input(operation, &["commit", "--quiet", "--cleanup=strip", "--file=-"], &text).await?;
            }
            None => {
                self.run(operation, &["commit", "--quiet", "--no-edit"]).await?;
            }
        }
        Ok(None)
    }

    /// `git rebase target source`, then the target fast-forwarded to the source; the
    /// conflicting files if the rebase stopped.
    async fn rebase_then_fast_forward(&self, target: &str, source: &str) -> Result<Option<Vec<String>>> {
        let operation = Operation::Merge;
        if let Some(files) =
            self.attempt(operation, &["rebase", "--quiet", target, source], &["rebase", "--abort"]).await?
        {
            return Ok(Some(files));
        }
        self.run(operation, &["checkout", "--quiet", target]).await?;
        self.run(operation, &["merge", "--quiet", "--ff-only", source]).await?;
        Ok(None)
    }
}
