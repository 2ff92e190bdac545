//! checkout: switching to a local branch.

use crate::error::{Operation, Result};
use crate::repo::{CommitId, Repo};

impl Repo {
    /// Checks out the local branch `branch` and returns its head. Uncommitted changes that git
    /// can carry over stay; ones the switch would overwrite make it fail, and nothing is lost.
    pub async fn checkout(&self, branch: &str) -> Result<CommitId> {
        let operation = Operation::Checkout;
        let head = self.local_branch_head(operation, branch).await?;
        self.run(operation, &["checkout", "--quiet", branch, "--"]).await?;
        Ok(head)
    }
}
