//! `vcs`: the git operations persona workflows need, on real working copies.
//!
//! # Why the git CLI
//!
//! Every operation runs the `git` program (through `tokio::process`, never a shell). The
//! workflows' own shell steps use the git CLI, so both see the same binary, the same
//! configuration and the same behaviour; merge, squash, rebase, revert and conflict reporting
//! are complete there, where gix has no merge or rebase and git2 brings a C libgit2 build.
//!
//! # How git runs
//!
//! [`Git`] holds the settings: the commit [`Identity`], a home directory (a private empty one
//! unless one is given) with `GIT_CONFIG_NOSYSTEM=1` so no user or system configuration leaks
//! in, no prompts, a timeout per command (default 5 minutes) after which git and what it
//! started are killed, and the [`Clock`] backup names are taken from. Inputs are checked
//! before they reach git (no name may start with `-` or hold `..` or white space; commit
//! messages and tag messages go through stdin), and credentials in remote URLs are redacted
//! from every error and result.
//!
//! # The API
//!
//! The API is async (tokio). A [`Workspace`] confines working copies: [`Git::open`] and
//! [`Git::clone_into`] give a [`Repo`] only for a directory inside it (after resolving `..`
//! and symbolic links). Each operation is one method with typed inputs and a serializable
//! result, whose fields are meant to become workflow output variables:
//!
//! | operation | method | result |
//! |---|---|---|
//! | clone | [`Git::clone_into`] | [`Cloned`] |
//! | checkout | [`Repo::checkout`] | [`CommitId`] |
//! | fetch | [`Repo::fetch`] | [`Fetched`] |
//! | fetch-and-checkout | [`Repo::fetch_and_checkout`] | [`CheckedOut`] |
//! | create-branch | [`Repo::create_branch`] | [`BranchCreated`] |
//! | commit | [`Repo::commit`] | [`CommitOutcome`] |
//! | push | [`Repo::push`] | [`Pushed`] |
//! | delete-remote-branch | [`Repo::delete_remote_branch`] | [`RemoteBranchDeleted`] |
//! | tag | [`Repo::tag`] | [`Tagged`] |
//! | cherry-pick | [`Repo::cherry_pick`] | [`CherryPickOutcome`] |
//! | merge | [`Repo::merge`] | [`MergeOutcome`] |
//! | detect-conflicts | [`Repo::detect_conflicts`] | [`ConflictReport`] |
//! | revert | [`Repo::revert`] | [`RevertOutcome`] |
//!
//! Conflicts are results, not errors: merge, cherry-pick and revert abort and report the
//! files ([`Conflict`]), leaving the working copy as it was. Before a destructive operation
//! (merge into a branch, rebase, revert, delete-remote-branch) a [`Backup`] branch
//! `backup/pre-orchestration-YYYYMMDD_HHMMSS` (UTC) keeps the old head of each branch that
//! changes; it is pushed too when the operation pushes. Errors ([`VcsError`]) name the
//! repository, the operation and what to do.
//!
//! ```no_run
//! # async fn example() -> vcs::Result<()> {
//! use vcs::{BranchName, CommitType, ConventionalCommit, Git, Identity, Staging, Workspace};
//!
//! let git = Git::new(Identity::new("Release Bot", "release-bot@example.com")?)?;
//! let repo = git.open(&Workspace::new("/srv/workspace")?, "service").await?;
//! let branch: BranchName = "feature/1234-export-invoices".parse()?;
//! repo.create_branch(&branch, "origin/main", Some("origin")).await?;
//! let message = ConventionalCommit::new(CommitType::Feat, "export invoices as CSV")?.with_work_item("1234")?;
//! repo.commit(&message, &Staging::All).await?;
//! repo.push("origin", branch.as_str()).await?;
//! # Ok(()) }
//! ```

mod args;
mod backup;
mod branch_name;
mod clock;
mod commit_message;
mod error;
mod git;
mod hint;
mod ops;
mod redact;
mod repo;
mod workspace;

pub use backup::{BACKUP_PREFIX, Backup};
pub use branch_name::{BranchName, BranchNameError, BranchNameProblem, BranchType, Part};
pub use clock::{Clock, FixedClock, SystemClock};
pub use commit_message::{CommitMessageError, CommitProblem, CommitType, ConventionalCommit, MAX_SUBJECT_CHARS};
pub use error::{Operation, Result, VcsError};
pub use git::{Git, Identity};
pub use ops::apply::ApplyOutcome;
pub use ops::commit::{CherryPickOutcome, CommitOutcome, RevertOutcome, Staging};
pub use ops::conflict::{Conflict, ConflictProbe, ConflictReport};
pub use ops::merge::{MergeOutcome, MergeRequest, MergeStrategy, Merged, UnknownMergeStrategy};
pub use ops::naming::{BranchCreated, Tagged};
pub use ops::remote::{CheckedOut, Fetched, Pushed, RemoteBranchDeleted};
pub use repo::{Cloned, CommitId, Repo};
pub use workspace::Workspace;
