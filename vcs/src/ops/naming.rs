//! Operations that add names: create-branch and tag.

use serde::Serialize;

use crate::branch_name::BranchName;
use crate::error::{Operation, Result};
use crate::repo::{CommitId, Repo};

/// What [`Repo::create_branch`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchCreated {
    /// The new branch, now checked out.
    pub branch: BranchName,
    /// The start point as given, e.g. `origin/main`.
    pub start_point: String,
    /// Its head (the start point's commit).
    pub head: CommitId,
    /// The remote it was pushed to (and now tracks), if it was pushed.
    pub pushed_to: Option<String>,
}

/// What [`Repo::tag`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tagged {
    /// The tag.
    pub tag: String,
    /// The commit it names.
    pub target: CommitId,
    /// Whether it is an annotated tag (made with a message).
    pub annotated: bool,
    /// The remote it was pushed to, if it was pushed.
    pub pushed_to: Option<String>,
}

impl Repo {
    /// Creates `branch` at `start_point` (a branch, remote-tracking branch or commit), without
    /// an upstream, and checks it out; with `push_to`, pushes it there and makes that branch its
    /// upstream. A branch of that name must not exist yet.
    pub async fn create_branch(
        &self,
        branch: &BranchName,
        start_point: &str,
        push_to: Option<&str>,
    ) -> Result<BranchCreated> {
        let operation = Operation::CreateBranch;
        let head = self.resolve(operation, "start point", start_point).await?;
        if let Some(remote) = push_to {
            self.checked(operation, "remote", remote)?;
        }
        self.run(operation, &["checkout", "--quiet", "--no-track", "-b", branch.as_str(), head.as_str()]).await?;
        if let Some(remote) = push_to {
            self.push_branch(operation, remote, branch.as_str(), true).await?;
        }
        Ok(BranchCreated {
            branch: branch.clone(),
            start_point: start_point.to_owned(),
            head,
            pushed_to: push_to.map(str::to_owned),
        })
    }

    /// Tags `target` (a revision) as `tag`: annotated with `message` when there is one,
    /// lightweight otherwise; with `push_to`, pushes the tag there. The tag must not exist yet.
    pub async fn tag(&self, tag: &str, target: &str, message: Option<&str>, push_to: Option<&str>) -> Result<Tagged> {
        let operation = Operation::Tag;
        let tag = self.checked(operation, "tag", tag)?;
        let commit = self.resolve(operation, "target", target).await?;
        if let Some(remote) = push_to {
            self.checked(operation, "remote", remote)?;
        }
        match message {
            Some(message) => {
                let args = ["tag", "--annotate", "--cleanup=verbatim", "--file=-", tag, commit.as_str()];
                self.run_with_input(operation, &args, message).await?;
            }
            None => {
                self.run(operation, &["tag", tag, commit.as_str()]).await?;
            }
        }
        if let Some(remote) = push_to {
            let refspec = format!("refs/tags/{tag}:refs/tags/{tag}");
            self.run(operation, &["push", "--quiet", remote, refspec.as_str()]).await?;
        }
        Ok(Tagged {
            tag: tag.to_owned(),
            target: commit,
            annotated: message.is_some(),
            pushed_to: push_to.map(str::to_owned),
        })
    }
}
