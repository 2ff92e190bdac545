//! Issues: create, update, open/close, comment, set labels.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::{Comment, GitHub, Issue, IssueState, IssueUpdate, NewIssue};
use crate::error::ForgeError;
use crate::input::require;

/// An issue on the wire.
#[derive(Deserialize)]
struct WireIssue {
    number: u64,
    html_url: String,
    state: IssueState,
    title: String,
    #[serde(default)]
    labels: Vec<Label>,
}

/// A label object; only its name matters here.
#[derive(Deserialize)]
pub(super) struct Label {
    pub(super) name: String,
}

impl From<WireIssue> for Issue {
    fn from(wire: WireIssue) -> Self {
        Self {
            number: wire.number,
            url: wire.html_url,
            state: wire.state,
            title: wire.title,
            labels: wire.labels.into_iter().map(|label| label.name).collect(),
        }
    }
}

impl GitHub {
    /// Opens an issue.
    pub async fn create_issue(&self, issue: &NewIssue) -> Result<Issue, ForgeError> {
        let request = self.request(format!("create issue '{}'", issue.title), Method::POST, &["issues"]);
        require(&issue.title, "title", &request.operation)?;
        let request = request.json_of(issue);
        Ok(self.transport.send::<WireIssue>(&request).await?.into())
    }

    /// Changes an issue's title, body, state, labels or assignees.
    pub async fn update_issue(&self, number: u64, update: &IssueUpdate) -> Result<Issue, ForgeError> {
        let request = self
            .request(format!("update issue #{number}"), Method::PATCH, &["issues", &number.to_string()])
            .json_of(update);
        Ok(self.transport.send::<WireIssue>(&request).await?.into())
    }

    /// Opens or closes an issue (or a pull request, which is an issue too).
    pub async fn set_issue_state(&self, number: u64, state: IssueState) -> Result<Issue, ForgeError> {
        self.update_issue(number, &IssueUpdate { state: Some(state), ..IssueUpdate::default() }).await
    }

    /// Comments on an issue or on a pull request's conversation.
    pub async fn comment(&self, number: u64, body: &str) -> Result<Comment, ForgeError> {
        let request =
            self.request(format!("comment on #{number}"), Method::POST, &["issues", &number.to_string(), "comments"]);
        require(body, "comment body", &request.operation)?;
        self.transport.send(&request.json(json!({ "body": body }))).await
    }

    /// Replaces all labels of an issue or pull request; returns the labels it now has.
    pub async fn set_labels(&self, number: u64, labels: &[String]) -> Result<Vec<String>, ForgeError> {
        let request = self
            .request(format!("set labels of #{number}"), Method::PUT, &["issues", &number.to_string(), "labels"])
            .json(json!({ "labels": labels }));
        let labels: Vec<Label> = self.transport.send(&request).await?;
        Ok(labels.into_iter().map(|label| label.name).collect())
    }
}
