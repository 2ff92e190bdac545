//! [`Repo`], the handle on one working copy, how one is opened or cloned, and the queries the
//! operations share.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::args;
use crate::error::{Operation, Result, VcsError};
use crate::git::{Git, GitOutput, failure};
use crate::redact::redact_credentials;
use crate::workspace::Workspace;

/// A commit's full hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CommitId(String);

impl CommitId {
    /// The hash as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A working copy inside a [`Workspace`], on which the operations run. Every method runs git
/// in the top directory of the working copy.
#[derive(Debug, Clone)]
pub struct Repo {
    git: Git,
    path: PathBuf,
}

/// What [`Git::clone_into`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cloned {
    /// Where the working copy is.
    pub path: PathBuf,
    /// The URL cloned from (credentials redacted).
    pub url: String,
    /// The branch checked out (`None` for an empty repository or a detached HEAD).
    pub branch: Option<String>,
    /// The commit checked out (`None` for an empty repository).
    pub head: Option<CommitId>,
}

impl Git {
    /// The working copy at `path` (relative to the workspace root, or absolute), which must be
    /// inside `workspace`, as must the top of the working copy it belongs to.
    pub async fn open(&self, workspace: &Workspace, path: impl AsRef<Path>) -> Result<Repo> {
        let operation = Operation::Open;
        let resolved = workspace.confine(path.as_ref(), operation)?;
        if !resolved.is_dir() {
            return Err(VcsError::DirectoryUnavailable {
                what: "working copy",
                path: resolved,
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let top = self.run(&resolved, operation, &["rev-parse", "--show-toplevel"]).await?;
        let top = workspace.confine(top.trim_end_matches(['\n', '\r']), operation)?;
        Ok(Repo::at(self.clone(), top))
    }

    /// Clones `url` into `dir` (inside `workspace`, absent or empty) and opens it.
    pub async fn clone_into(&self, workspace: &Workspace, url: &str, dir: impl AsRef<Path>) -> Result<(Repo, Cloned)> {
        let operation = Operation::Clone;
        let destination = workspace.confine(dir.as_ref(), operation)?;
        let url = args::url(&destination, operation, url)?;
        let parent = destination.parent().unwrap_or(workspace.root());
        std::fs::create_dir_all(parent).map_err(|source| VcsError::DirectoryUnavailable {
            what: "clone destination's parent",
            path: parent.to_owned(),
            source,
        })?;
        let args =
            [OsStr::new("clone"), OsStr::new("--quiet"), OsStr::new("--"), OsStr::new(url), destination.as_os_str()];
        self.run(parent, operation, &args).await?;
        let repo = self.open(workspace, &destination).await?;
        let branch = repo.branch_of_head(operation).await?;
        let head = repo.try_resolve(operation, "HEAD").await?;
        let cloned = Cloned { path: repo.path.clone(), url: redact_credentials(url), branch, head };
        Ok((repo, cloned))
    }
}

impl Repo {
    /// The handle on the working copy whose top directory is `path`, unchecked.
    pub(crate) fn at(git: Git, path: PathBuf) -> Repo {
        Repo { git, path }
    }

    /// The top directory of the working copy.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The [`Git`] this working copy runs with.
    pub fn git(&self) -> &Git {
        &self.git
    }

    /// The commit checked out.
    pub async fn head(&self) -> Result<CommitId> {
        self.resolve(Operation::Open, "HEAD", "HEAD").await
    }

    /// The branch checked out, `None` when HEAD is detached.
    pub async fn current_branch(&self) -> Result<Option<String>> {
        self.branch_of_head(Operation::Open).await
    }

    /// The branch checked out, `None` when HEAD is detached; errors name `operation`.
    pub(crate) async fn branch_of_head(&self, operation: Operation) -> Result<Option<String>> {
        let output = self.output(operation, &["symbolic-ref", "--quiet", "--short", "HEAD"]).await?;
        Ok(output.success().then(|| output.stdout.trim().to_owned()))
    }

    /// The branch checked out, or [`VcsError::DetachedHead`].
    pub(crate) async fn checked_out_branch(&self, operation: Operation) -> Result<String> {
        self.branch_of_head(operation)
            .await?
            .ok_or_else(|| VcsError::DetachedHead { repo: self.path.clone(), operation })
    }

    /// Runs git here; its stdout, or an error when it fails.
    pub(crate) async fn run<S: AsRef<OsStr>>(&self, operation: Operation, args: &[S]) -> Result<String> {
        self.git.run(&self.path, operation, args).await
    }

    /// Runs git here; its output whatever its exit code.
    pub(crate) async fn output<S: AsRef<OsStr>>(&self, operation: Operation, args: &[S]) -> Result<GitOutput> {
        self.git.output(&self.path, operation, args, None).await
    }

    /// Runs git here with `input` on its stdin; its stdout, or an error when it fails.
    pub(crate) async fn run_with_input<S: AsRef<OsStr>>(
        &self,
        operation: Operation,
        args: &[S],
        input: &str,
    ) -> Result<String> {
        let output = self.git.output(&self.path, operation, args, Some(input)).await?;
        if output.success() { Ok(output.stdout) } else { Err(self.failure(operation, args, &output)) }
    }

    /// The error for a git command run here that failed.
    pub(crate) fn failure<S: AsRef<OsStr>>(&self, operation: Operation, args: &[S], output: &GitOutput) -> VcsError {
        failure(&self.path, operation, args, output)
    }

    /// The error for an input that cannot be used here.
    pub(crate) fn invalid(&self, operation: Operation, what: &'static str, value: &str, why: &str) -> VcsError {
        args::invalid(&self.path, operation, what, value, why)
    }

    /// `value` checked as a name or revision git cannot misread.
    pub(crate) fn checked<'a>(&self, operation: Operation, what: &'static str, value: &'a str) -> Result<&'a str> {
        args::name(&self.path, operation, what, value)
    }

    /// The commit `revision` names, `None` if it names none.
    pub(crate) async fn try_resolve(&self, operation: Operation, revision: &str) -> Result<Option<CommitId>> {
        let spec = format!("{revision}^{{commit}}");
        let output = self.output(operation, &["rev-parse", "--verify", "--quiet", spec.as_str()]).await?;
        Ok(output.success().then(|| CommitId(output.stdout.trim().to_owned())))
    }

    /// The commit `revision` (the input called `what`) names, or an error saying it does not
    /// exist here.
    pub(crate) async fn resolve(&self, operation: Operation, what: &'static str, revision: &str) -> Result<CommitId> {
        let revision = self.checked(operation, what, revision)?;
        self.try_resolve(operation, revision).await?.ok_or_else(|| {
            self.invalid(
                operation,
                what,
                revision,
                "it names no commit in this working copy; fetch it first, or check the name",
            )
        })
    }

    /// Whether the local branch `name` exists.
    pub(crate) async fn has_branch(&self, operation: Operation, name: &str) -> Result<bool> {
        let reference = format!("refs/heads/{name}");
        Ok(self.output(operation, &["show-ref", "--verify", "--quiet", reference.as_str()]).await?.success())
    }

    /// Fails with [`VcsError::DirtyWorkingCopy`] when tracked files have uncommitted changes.
    pub(crate) async fn require_clean(&self, operation: Operation) -> Result<()> {
        let status = self.run(operation, &["status", "--porcelain=v1", "-z", "--untracked-files=no"]).await?;
        let files = changed_paths(&status);
        if files.is_empty() {
            Ok(())
        } else {
            Err(VcsError::DirtyWorkingCopy { repo: self.path.clone(), operation, files })
        }
    }

    /// The files with unresolved conflicts in the index.
    pub(crate) async fn conflicted_files(&self, operation: Operation) -> Result<Vec<String>> {
        let listed = self.run(operation, &["diff", "--name-only", "--diff-filter=U", "-z"]).await?;
        Ok(split_nul(&listed))
    }
}

/// The paths of `git status --porcelain=v1 -z` (`XY path`, a rename or copy followed by its
/// source path, which is skipped).
fn changed_paths(status: &str) -> Vec<String> {
    let mut entries = status.split('\0').filter(|entry| !entry.is_empty());
    let mut paths = Vec::new();
    while let Some(entry) = entries.next() {
        let (code, path) = (entry.get(..2).unwrap_or_default(), entry.get(3..).unwrap_or(entry));
        if code.starts_with(['R', 'C']) {
            entries.next();
        }
        paths.push(path.to_owned());
    }
    paths
}

/// The non-empty entries of a NUL-separated list.
pub(crate) fn split_nul(text: &str) -> Vec<String> {
    text.split('\0').filter(|entry| !entry.is_empty()).map(str::to_owned).collect()
}
