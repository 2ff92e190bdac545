//! A bare git repository behind a stand-in server: branch tips, and real merges made with the
//! git CLI in a temporary clone and pushed back.

use std::path::{Path, PathBuf};

use tokio::process::Command;

/// How to bring the source branch into the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// A two-parent merge commit.
    NoFastForward,
    /// One new commit with the source's changes.
    Squash,
    /// The source's commits replayed onto the target, then fast-forwarded.
    Rebase,
    /// The source's commits replayed onto the target, then a two-parent merge.
    RebaseMerge,
}

/// Why a merge did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MergeFailure {
    /// The branches conflict.
    Conflict(String),
    /// Git failed for another reason (missing branch, I/O, …).
    Git(String),
}

/// A bare repository; merges into it are serialised.
#[derive(Debug)]
pub(crate) struct BareRepo {
    path: PathBuf,
    merging: tokio::sync::Mutex<()>,
}

impl BareRepo {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path, merging: tokio::sync::Mutex::new(()) }
    }

    /// The commit `refs/heads/{branch}` points at.
    pub(crate) async fn tip(&self, branch: &str) -> Option<String> {
        let name = format!("refs/heads/{branch}^{{commit}}");
        git(&self.path, &["rev-parse", "--verify", "--quiet", &name]).await.ok()
    }

    /// Whether `sha` is a commit of the repository.
    pub(crate) async fn has_commit(&self, sha: &str) -> bool {
        git(&self.path, &["cat-file", "-e", &format!("{sha}^{{commit}}")]).await.is_ok()
    }

    /// Deletes `refs/heads/{branch}`.
    pub(crate) async fn delete_branch(&self, branch: &str) -> Result<(), MergeFailure> {
        git(&self.path, &["update-ref", "-d", &format!("refs/heads/{branch}")])
            .await
            .map(drop)
            .map_err(MergeFailure::Git)
    }

    /// Merges `source` into `target` and pushes; returns the target's new tip.
    pub(crate) async fn merge(
        &self,
        source: &str,
        target: &str,
        strategy: Strategy,
        message: &str,
    ) -> Result<String, MergeFailure> {
        let _one_at_a_time = self.merging.lock().await;
        let scratch = tempfile::tempdir().map_err(|error| MergeFailure::Git(format!("temporary folder: {error}")))?;
        let work = scratch.path().join("work");
        let bare = self.path.to_string_lossy().into_owned();
        let work_name = work.to_string_lossy().into_owned();
        git(scratch.path(), &["clone", "--quiet", &bare, &work_name]).await.map_err(MergeFailure::Git)?;
        let source_ref = format!("origin/{source}");
        let target_ref = format!("origin/{target}");
        let run = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
            let work = work.clone();
            async move { git(&work, &args.iter().map(String::as_str).collect::<Vec<_>>()).await }
        };
        let conflict = |error: String| MergeFailure::Conflict(error);
        match strategy {
            Strategy::NoFastForward => {
                run(&["checkout", "--quiet", "-B", target, &target_ref]).await.map_err(MergeFailure::Git)?;
                run(&["merge", "--no-ff", "--quiet", "-m", message, &source_ref]).await.map_err(conflict)?;
            }
            Strategy::Squash => {
                run(&["checkout", "--quiet", "-B", target, &target_ref]).await.map_err(MergeFailure::Git)?;
                run(&["merge", "--squash", "--quiet", &source_ref]).await.map_err(conflict)?;
                run(&["commit", "--quiet", "-m", message]).await.map_err(MergeFailure::Git)?;
            }
            Strategy::Rebase | Strategy::RebaseMerge => {
                run(&["checkout", "--quiet", "-B", "forge-rebased", &source_ref]).await.map_err(MergeFailure::Git)?;
                run(&["rebase", "--quiet", &target_ref]).await.map_err(conflict)?;
                run(&["checkout", "--quiet", "-B", target, &target_ref]).await.map_err(MergeFailure::Git)?;
                if strategy == Strategy::Rebase {
                    run(&["merge", "--ff-only", "--quiet", "forge-rebased"]).await.map_err(MergeFailure::Git)?;
                } else {
                    run(&["merge", "--no-ff", "--quiet", "-m", message, "forge-rebased"]).await.map_err(conflict)?;
                }
            }
        }
        run(&["push", "--quiet", "origin", &format!("{target}:refs/heads/{target}")])
            .await
            .map_err(MergeFailure::Git)?;
        run(&["rev-parse", "HEAD"]).await.map_err(MergeFailure::Git)
    }
}

/// Runs git in `dir` with a fixed identity and no user configuration; stdout on success, the
/// command and its output on failure.
async fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Forge Stand-in")
        .env("GIT_AUTHOR_EMAIL", "forge@example.invalid")
        .env("GIT_COMMITTER_NAME", "Forge Stand-in")
        .env("GIT_COMMITTER_EMAIL", "forge@example.invalid")
        .output()
        .await
        .map_err(|error| format!("git {}: {error}", args.join(" ")))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(format!(
            "git {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        ))
    }
}
