//! The crate's error type: every error names the repository, the operation and what to do.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::branch_name::BranchNameError;
use crate::commit_message::CommitMessageError;

/// The operations of this crate, named as the `git-operation` action names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// Opening a working copy ([`Git::open`](crate::Git::open)).
    Open,
    /// [`Git::clone_into`](crate::Git::clone_into).
    Clone,
    /// [`Repo::checkout`](crate::Repo::checkout).
    Checkout,
    /// [`Repo::fetch`](crate::Repo::fetch).
    Fetch,
    /// [`Repo::fetch_and_checkout`](crate::Repo::fetch_and_checkout).
    FetchAndCheckout,
    /// [`Repo::create_branch`](crate::Repo::create_branch).
    CreateBranch,
    /// [`Repo::commit`](crate::Repo::commit).
    Commit,
    /// [`Repo::push`](crate::Repo::push).
    Push,
    /// [`Repo::delete_remote_branch`](crate::Repo::delete_remote_branch).
    DeleteRemoteBranch,
    /// [`Repo::tag`](crate::Repo::tag).
    Tag,
    /// [`Repo::cherry_pick`](crate::Repo::cherry_pick).
    CherryPick,
    /// [`Repo::merge`](crate::Repo::merge).
    Merge,
    /// [`Repo::detect_conflicts`](crate::Repo::detect_conflicts).
    DetectConflicts,
    /// [`Repo::revert`](crate::Repo::revert).
    Revert,
    /// [`Repo::apply_patch`](crate::Repo::apply_patch).
    Apply,
}

impl Operation {
    /// The operation's name, e.g. `create-branch`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Open => "open",
            Operation::Clone => "clone",
            Operation::Checkout => "checkout",
            Operation::Fetch => "fetch",
            Operation::FetchAndCheckout => "fetch-and-checkout",
            Operation::CreateBranch => "create-branch",
            Operation::Commit => "commit",
            Operation::Push => "push",
            Operation::DeleteRemoteBranch => "delete-remote-branch",
            Operation::Tag => "tag",
            Operation::CherryPick => "cherry-pick",
            Operation::Merge => "merge",
            Operation::DetectConflicts => "detect-conflicts",
            Operation::Revert => "revert",
            Operation::Apply => "apply-patch",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an operation failed. Credentials in remote URLs are replaced by `***` in every field.
#[derive(Debug, thiserror::Error)]
pub enum VcsError {
    /// A branch name does not follow `<type>/<work item>-<slug>`.
    #[error(transparent)]
    BranchName(#[from] BranchNameError),
    /// A commit message is not a valid conventional commit.
    #[error(transparent)]
    CommitMessage(#[from] CommitMessageError),
    /// git ran and failed.
    #[error("repository {}: {operation}: `{command}` {}: {message}; {hint}", repo.display(), exit_text(*exit_code))]
    GitFailed {
        /// The working copy (or clone destination).
        repo: PathBuf,
        /// What was being done.
        operation: Operation,
        /// The git command line.
        command: String,
        /// git's exit code (`None` when a signal ended it).
        exit_code: Option<i32>,
        /// The last lines git wrote to stderr.
        message: String,
        /// What to do about it.
        hint: String,
    },
    /// git could not be started.
    #[error(
        "repository {}: {operation}: git could not be started as `{}`: {source}; install git or point Git::with_program at it",
        repo.display(), program.display()
    )]
    GitUnavailable {
        /// The working copy.
        repo: PathBuf,
        /// What was being done.
        operation: Operation,
        /// The program that was run.
        program: PathBuf,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// git ran longer than the timeout and was killed.
    #[error(
        "repository {}: {operation}: `{command}` did not finish within {after:?} and was killed; check that the remote is reachable, or allow more time with Git::with_timeout",
        repo.display()
    )]
    TimedOut {
        /// The working copy.
        repo: PathBuf,
        /// What was being done.
        operation: Operation,
        /// The git command line.
        command: String,
        /// The timeout.
        after: Duration,
    },
    /// The operation needs a working copy without uncommitted changes to tracked files.
    #[error(
        "repository {}: {operation}: the working copy has uncommitted changes ({}); commit or stash them first",
        repo.display(), files.join(", ")
    )]
    DirtyWorkingCopy {
        /// The working copy.
        repo: PathBuf,
        /// What was being done.
        operation: Operation,
        /// The changed files.
        files: Vec<String>,
    },
    /// The operation needs a checked-out branch and HEAD is detached.
    #[error("repository {}: {operation}: HEAD is detached; check out the branch to change first", repo.display())]
    DetachedHead {
        /// The working copy.
        repo: PathBuf,
        /// What was being done.
        operation: Operation,
    },
    /// An input (branch, remote, revision, path, URL, identity) cannot be passed to git.
    #[error("repository {}: {operation}: {what} `{value}` cannot be used: {why}", repo.display())]
    InvalidArgument {
        /// The working copy.
        repo: PathBuf,
        /// What was being done.
        operation: Operation,
        /// Which input, e.g. `branch`.
        what: &'static str,
        /// The input (credentials redacted).
        value: String,
        /// Why, and what to give instead.
        why: String,
    },
    /// A path is not inside the workspace.
    #[error(
        "repository {}: {operation}: the path is outside the workspace {} (it resolves to {}); use a path inside the workspace",
        path.display(), workspace.display(), resolved.display()
    )]
    OutsideWorkspace {
        /// The path as given.
        path: PathBuf,
        /// What was being done.
        operation: Operation,
        /// The workspace root.
        workspace: PathBuf,
        /// Where the path really leads.
        resolved: PathBuf,
    },
    /// The commit identity cannot be given to git.
    #[error(
        "git identity `{name} <{email}>`: {why}; give a non-empty name and e-mail address without `<`, `>` or line breaks"
    )]
    InvalidIdentity {
        /// The name as given.
        name: String,
        /// The e-mail address as given.
        email: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A directory the crate needs (workspace root, git home, working copy) cannot be opened.
    #[error("{what} {} cannot be opened: {source}; create it or fix the path", path.display())]
    DirectoryUnavailable {
        /// Which directory, e.g. `workspace root`.
        what: &'static str,
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// `exited with N` or `was killed by a signal`.
fn exit_text(code: Option<i32>) -> String {
    code.map_or_else(|| "was killed by a signal".to_owned(), |code| format!("exited with {code}"))
}

/// The crate's result type.
pub type Result<T, E = VcsError> = std::result::Result<T, E>;
