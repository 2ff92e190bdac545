//! Operations that talk to a remote: fetch, fetch-and-checkout, push, delete-remote-branch.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::backup::Backup;
use crate::error::{Operation, Result};
use crate::repo::{CommitId, Repo};

/// What [`Repo::fetch`] brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fetched {
    /// The remote fetched from.
    pub remote: String,
    /// The refs asked for (empty: the remote's configured refs).
    pub refs: Vec<String>,
    /// For each ref asked for that is a branch of the remote, its head as fetched.
    pub heads: BTreeMap<String, CommitId>,
}

/// What [`Repo::fetch_and_checkout`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedOut {
    /// The branch now checked out.
    pub branch: String,
    /// Its upstream, e.g. `origin/feature/1234-export`.
    pub upstream: String,
    /// Its head.
    pub head: CommitId,
    /// Whether the local branch was made by this call (otherwise it existed and was
    /// fast-forwarded to the remote's).
    pub created: bool,
}

/// What [`Repo::push`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pushed {
    /// The remote pushed to.
    pub remote: String,
    /// The branch pushed (now tracking the remote's).
    pub branch: String,
    /// The commit pushed.
    pub head: CommitId,
}

/// What [`Repo::delete_remote_branch`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteBranchDeleted {
    /// The remote.
    pub remote: String,
    /// The branch deleted there.
    pub branch: String,
    /// Its head before the deletion.
    pub was_at: CommitId,
    /// The backup of that head, here and on the remote.
    pub backup: Backup,
}

impl Repo {
    /// Fetches `refs` (branch names or refspecs; none: the remote's configured ones) from
    /// `remote`. Branches asked for by name update their remote-tracking branch.
    pub async fn fetch(&self, remote: &str, refs: &[&str]) -> Result<Fetched> {
        let operation = Operation::Fetch;
        let remote = self.checked(operation, "remote", remote)?;
        let mut args = vec!["fetch".to_owned(), "--quiet".to_owned(), remote.to_owned()];
        for reference in refs {
            let reference = self.checked(operation, "ref", reference)?;
            args.push(if is_branch_name(reference) {
                tracking_refspec(remote, reference)
            } else {
                reference.to_owned()
            });
        }
        self.run(operation, &args).await?;
        let mut heads = BTreeMap::new();
        for branch in refs.iter().filter(|reference| is_branch_name(reference)) {
            let tracking = format!("refs/remotes/{remote}/{branch}");
            if let Some(head) = self.try_resolve(operation, &tracking).await? {
                heads.insert((*branch).to_owned(), head);
            }
        }
        Ok(Fetched { remote: remote.to_owned(), refs: refs.iter().map(|r| (*r).to_owned()).collect(), heads })
    }

    /// Fetches `branch` from `remote` and checks it out: a new local branch tracking the
    /// remote's, or the existing local branch fast-forwarded to it (an error if they have
    /// diverged; nothing is overwritten).
    pub async fn fetch_and_checkout(&self, branch: &str, remote: &str) -> Result<CheckedOut> {
        let operation = Operation::FetchAndCheckout;
        let branch = self.checked(operation, "branch", branch)?;
        let remote = self.checked(operation, "remote", remote)?;
        self.run(operation, &["fetch", "--quiet", remote, tracking_refspec(remote, branch).as_str()]).await?;
        let tracking = format!("refs/remotes/{remote}/{branch}");
        let created = !self.has_branch(operation, branch).await?;
        if created {
            self.run(operation, &["checkout", "--quiet", "--track", "-b", branch, tracking.as_str()]).await?;
        } else {
            self.run(operation, &["checkout", "--quiet", branch]).await?;
            self.run(operation, &["merge", "--quiet", "--ff-only", tracking.as_str()]).await?;
        }
        let head = self.resolve(operation, "branch", branch).await?;
        Ok(CheckedOut { branch: branch.to_owned(), upstream: format!("{remote}/{branch}"), head, created })
    }

    /// Pushes the local `branch` to the branch of the same name on `remote`, and makes that its
    /// upstream.
    pub async fn push(&self, remote: &str, branch: &str) -> Result<Pushed> {
        let operation = Operation::Push;
        let remote = self.checked(operation, "remote", remote)?;
        let head = self.local_branch_head(operation, branch).await?;
        self.push_branch(operation, remote, branch, true).await?;
        Ok(Pushed { remote: remote.to_owned(), branch: branch.to_owned(), head })
    }

    /// Deletes `branch` on `remote`, after keeping its head in a backup branch pushed to the
    /// same remote.
    pub async fn delete_remote_branch(&self, remote: &str, branch: &str) -> Result<RemoteBranchDeleted> {
        let operation = Operation::DeleteRemoteBranch;
        let remote = self.checked(operation, "remote", remote)?;
        let branch = self.checked(operation, "branch", branch)?;
        self.run(operation, &["fetch", "--quiet", remote, tracking_refspec(remote, branch).as_str()]).await?;
        let was_at = self.resolve(operation, "branch", &format!("refs/remotes/{remote}/{branch}")).await?;
        let backup = self.backup(operation, branch, &was_at, Some(remote)).await?;
        let reference = format!("refs/heads/{branch}");
        self.run(operation, &["push", "--quiet", "--delete", remote, reference.as_str()]).await?;
        Ok(RemoteBranchDeleted { remote: remote.to_owned(), branch: branch.to_owned(), was_at, backup })
    }

    /// The head of the local branch `branch`, or an error naming it as missing.
    pub(crate) async fn local_branch_head(&self, operation: Operation, branch: &str) -> Result<CommitId> {
        let branch = self.checked(operation, "branch", branch)?;
        if !self.has_branch(operation, branch).await? {
            return Err(self.invalid(
                operation,
                "branch",
                branch,
                "there is no local branch of that name; create it, or fetch-and-checkout it first",
            ));
        }
        self.resolve(operation, "branch", &format!("refs/heads/{branch}")).await
    }

    /// `git push` of the local `branch` to the same name on `remote`.
    pub(crate) async fn push_branch(
        &self,
        operation: Operation,
        remote: &str,
        branch: &str,
        set_upstream: bool,
    ) -> Result<()> {
        let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
        let mut args = vec!["push", "--quiet"];
        if set_upstream {
            args.push("--set-upstream");
        }
        args.extend([remote, refspec.as_str()]);
        self.run(operation, &args).await?;
        Ok(())
    }
}

/// Whether `reference` is a plain branch name rather than a refspec or full ref.
fn is_branch_name(reference: &str) -> bool {
    !reference.contains(':') && !reference.starts_with("refs/") && !reference.starts_with('+')
}

/// The refspec that fetches `branch` of `remote` into its remote-tracking branch.
fn tracking_refspec(remote: &str, branch: &str) -> String {
    format!("refs/heads/{branch}:refs/remotes/{remote}/{branch}")
}
