//! Polling a git repository's branch for new commits with the git command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Commit;

/// Watches one branch of a local repository: each [`poll`](Self::poll) returns the commits
/// added to it since the last poll, oldest first (first parents and merged commits alike).
#[derive(Debug, Clone)]
pub struct RepoWatcher {
    repo: PathBuf,
    branch: String,
    seen: String,
}

impl RepoWatcher {
    /// Watches `branch` of the repository at `repo`. Commits after `since` are new (it must be
    /// on the branch); without `since`, the branch's commits now are known and only later ones
    /// are new. Fails when the folder is no repository or has no such branch.
    pub fn new(repo: impl Into<PathBuf>, branch: &str, since: Option<&str>) -> Result<Self, String> {
        let mut watcher = Self { repo: repo.into(), branch: branch.to_owned(), seen: String::new() };
        let tip = watcher.tip()?;
        watcher.seen = match since {
            Some(sha) if watcher.git(&["merge-base", "--is-ancestor", sha, &tip]).is_ok() => sha.to_owned(),
            _ => tip,
        };
        Ok(watcher)
    }

    /// The repository.
    pub fn repo(&self) -> &Path {
        &self.repo
    }

    /// The commits added to the branch since the last poll, oldest first.
    pub fn poll(&mut self) -> Result<Vec<Commit>, String> {
        let tip = self.tip()?;
        if self.seen == tip {
            return Ok(Vec::new());
        }
        let shas = self.git(&["rev-list", "--reverse", &format!("{}..{tip}", self.seen)])?;
        let commits = shas.lines().map(|sha| self.commit(sha)).collect::<Result<Vec<_>, _>>()?;
        self.seen = tip;
        Ok(commits)
    }

    fn tip(&self) -> Result<String, String> {
        let reference = format!("refs/heads/{}^{{commit}}", self.branch);
        self.git(&["rev-parse", "--verify", "--quiet", &reference]).map(|sha| sha.trim().to_owned()).map_err(|_| {
            format!(
                "no branch '{}' in the git repository {}: check the path and the branch name",
                self.branch,
                self.repo.display()
            )
        })
    }

    fn commit(&self, sha: &str) -> Result<Commit, String> {
        let shown = self.git(&["show", "-s", "--format=%an <%ae>%x00%B", sha])?;
        let (author, message) = shown.split_once('\0').unwrap_or((shown.as_str(), ""));
        let files = self.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", "--root", sha])?;
        Ok(Commit {
            sha: sha.to_owned(),
            author: author.to_owned(),
            message: message.trim_end().to_owned(),
            changed_files: files.lines().map(str::to_owned).collect(),
        })
    }

    fn git(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.repo)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git for the repository {}: {e}", self.repo.display()))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "git {} failed in {}: {}",
                args.join(" "),
                self.repo.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }
}
