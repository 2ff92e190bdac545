//! Conflicts: what an operation reports when it had to stop, and detect-conflicts, which finds
//! them without changing anything.

use serde::Serialize;

use crate::backup::Backup;
use crate::error::{Operation, Result};
use crate::repo::{CommitId, Repo, split_nul};

/// An operation stopped on conflicts and was aborted: the working copy, the index and the
/// checked-out branch are as they were before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The files that conflicted.
    pub files: Vec<String>,
    /// The backup branches made before the operation (they are kept).
    pub backups: Vec<Backup>,
}

/// How [`Repo::detect_conflicts_using`] finds conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictProbe {
    /// `git merge-tree --write-tree` (git 2.38 or later): merges in memory.
    MergeTree,
    /// A throwaway worktree (in the system's temporary directory) where the merge is tried and
    /// then dropped.
    Worktree,
}

/// What [`Repo::detect_conflicts`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictReport {
    /// The branch that would be merged.
    pub source: String,
    /// The branch it would be merged into.
    pub target: String,
    /// The source's head.
    pub source_head: CommitId,
    /// The target's head.
    pub target_head: CommitId,
    /// The files that would conflict (empty: the merge is clean).
    pub files: Vec<String>,
    /// How they were found.
    pub probe: ConflictProbe,
}

impl ConflictReport {
    /// Whether the merge would be clean.
    pub fn is_clean(&self) -> bool {
        self.files.is_empty()
    }
}

/// The first git release whose `merge-tree` has `--write-tree`.
const MERGE_TREE_SINCE: (u32, u32) = (2, 38);

impl Repo {
    /// The files that would conflict if `source` were merged into `target` (any revisions),
    /// found without changing the working copy, the index or any branch:
    /// [`ConflictProbe::MergeTree`] when git is 2.38 or later, else [`ConflictProbe::Worktree`].
    pub async fn detect_conflicts(&self, source: &str, target: &str) -> Result<ConflictReport> {
        let probe = if self.git_version(Operation::DetectConflicts).await? >= MERGE_TREE_SINCE {
            ConflictProbe::MergeTree
        } else {
            ConflictProbe::Worktree
        };
        self.detect_conflicts_using(source, target, probe).await
    }

    /// [`detect_conflicts`](Self::detect_conflicts) with the given probe.
    pub async fn detect_conflicts_using(
        &self,
        source: &str,
        target: &str,
        probe: ConflictProbe,
    ) -> Result<ConflictReport> {
        let operation = Operation::DetectConflicts;
        let source_head = self.resolve(operation, "source", source).await?;
        let target_head = self.resolve(operation, "target", target).await?;
        let files = match probe {
            ConflictProbe::MergeTree => self.conflicts_by_merge_tree(&source_head, &target_head).await?,
            ConflictProbe::Worktree => self.conflicts_in_worktree(&source_head, &target_head).await?,
        };
        Ok(ConflictReport {
            source: source.to_owned(),
            target: target.to_owned(),
            source_head,
            target_head,
            files,
            probe,
        })
    }

    /// Runs `args`; `None` when it succeeds. When it stops on conflicts it is aborted with
    /// `abort` and the conflicting files are returned; any other failure is aborted too (if
    /// anything is in progress) and returned as the error.
    pub(crate) async fn attempt(
        &self,
        operation: Operation,
        args: &[&str],
        abort: &[&str],
    ) -> Result<Option<Vec<String>>> {
        let output = self.output(operation, args).await?;
        if output.success() {
            return Ok(None);
        }
        let files = self.conflicted_files(operation).await?;
        if files.is_empty() {
            // Whatever stopped it, leave nothing half done; there may be nothing to abort.
            self.output(operation, abort).await?;
            return Err(self.failure(operation, args, &output));
        }
        self.run(operation, abort).await?;
        tracing::info!(repo = %self.path().display(), %operation, ?files, "stopped on conflicts and aborted");
        Ok(Some(files))
    }

    /// `git merge-tree --write-tree`: exit 0 clean, 1 conflicts (after the tree's id, the files).
    async fn conflicts_by_merge_tree(&self, source: &CommitId, target: &CommitId) -> Result<Vec<String>> {
        let operation = Operation::DetectConflicts;
        let args =
            ["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", target.as_str(), source.as_str()];
        let output = self.output(operation, &args).await?;
        let mut listed = split_nul(&output.stdout).into_iter();
        let tree = listed.next().filter(|tree| tree.len() >= 40 && tree.chars().all(|c| c.is_ascii_hexdigit()));
        match (output.code, tree) {
            (Some(0), Some(_)) => Ok(Vec::new()),
            (Some(1), Some(_)) => Ok(listed.collect()),
            _ => Err(self.failure(operation, &args, &output)),
        }
    }

    /// Tries the merge in a throwaway worktree, lists the conflicts, and removes the worktree.
    async fn conflicts_in_worktree(&self, source: &CommitId, target: &CommitId) -> Result<Vec<String>> {
        let operation = Operation::DetectConflicts;
        let scratch = tempfile::TempDir::with_prefix("vcs-conflict-probe-").map_err(|source| {
            crate::error::VcsError::DirectoryUnavailable {
                what: "throwaway worktree",
                path: std::env::temp_dir(),
                source,
            }
        })?;
        let worktree = scratch.path().join("worktree");
        let worktree_arg = worktree.to_string_lossy().into_owned();
        self.run(operation, &["worktree", "add", "--quiet", "--detach", worktree_arg.as_str(), target.as_str()])
            .await?;
        let probe = Repo::at(self.git().clone(), worktree.clone());
        let merged = probe.output(operation, &["merge", "--no-commit", "--no-ff", "--quiet", source.as_str()]).await;
        let files = match merged {
            Ok(output) if output.success() => Ok(Vec::new()),
            Ok(output) => match probe.conflicted_files(operation).await {
                Ok(files) if files.is_empty() => Err(probe.failure(operation, &["merge", source.as_str()], &output)),
                other => other,
            },
            Err(e) => Err(e),
        };
        let removed = self.run(operation, &["worktree", "remove", "--force", worktree_arg.as_str()]).await;
        let files = files?;
        removed?;
        Ok(files)
    }

    /// The running git's version as (major, minor).
    async fn git_version(&self, operation: Operation) -> Result<(u32, u32)> {
        let text = self.run(operation, &["version"]).await?;
        Ok(parse_version(&text).unwrap_or((0, 0)))
    }
}

/// `git version 2.39.5` as (2, 39).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let number = text.split_whitespace().nth(2)?;
    let mut parts = number.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn versions_parse_and_unknown_text_does_not() {
        assert_eq!(parse_version("git version 2.39.5\n"), Some((2, 39)));
        assert_eq!(parse_version("git version 2.37.1 (Apple Git-137.1)"), Some((2, 37)));
        assert_eq!(parse_version("not git"), None);
    }
}
