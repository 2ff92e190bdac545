//! Commit statuses and check runs.

use reqwest::Method;

use super::{CheckRun, CheckRunUpdate, CommitStatus, GitHub, NewCheckRun, NewCommitStatus};
use crate::error::ForgeError;
use crate::input::require;

impl GitHub {
    /// Sets a status on a commit.
    pub async fn create_commit_status(&self, sha: &str, status: &NewCommitStatus) -> Result<CommitStatus, ForgeError> {
        let request =
            self.request(format!("set status {} on commit {sha}", status.state), Method::POST, &["statuses", sha]);
        require(sha, "commit sha", &request.operation)?;
        self.transport.send(&request.json_of(status)).await
    }

    /// Creates a check run (GitHub accepts this from GitHub App tokens only).
    pub async fn create_check_run(&self, run: &NewCheckRun) -> Result<CheckRun, ForgeError> {
        let request = self.request(
            format!("create check run '{}' on commit {}", run.name, run.head_sha),
            Method::POST,
            &["check-runs"],
        );
        require(&run.name, "check name", &request.operation)?;
        require(&run.head_sha, "head sha", &request.operation)?;
        self.transport.send(&request.json_of(run)).await
    }

    /// Changes a check run's progress, outcome or report.
    pub async fn update_check_run(&self, id: u64, update: &CheckRunUpdate) -> Result<CheckRun, ForgeError> {
        let request = self
            .request(format!("update check run {id}"), Method::PATCH, &["check-runs", &id.to_string()])
            .json_of(update);
        self.transport.send(&request).await
    }
}
