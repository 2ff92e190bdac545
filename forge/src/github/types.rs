//! Inputs and results of the GitHub operations, with the REST v3 field names where they go on
//! the wire.

use serde::{Deserialize, Serialize};

use crate::choice::wire_text;

/// An issue's or pull request's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    /// `open`.
    Open,
    /// `closed`.
    Closed,
}
wire_text!(IssueState, "issue state (open|closed)");

/// Why an issue was closed or reopened (`state_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateReason {
    /// `completed`.
    Completed,
    /// `not_planned`.
    NotPlanned,
    /// `reopened`.
    Reopened,
}
wire_text!(StateReason, "state reason (completed|not_planned|reopened)");

/// A new issue (`POST /repos/{owner}/{repo}/issues`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewIssue {
    /// Required.
    pub title: String,
    /// Markdown body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Label names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Logins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assignees: Vec<String>,
}

/// Changes to an issue (`PATCH /repos/{owner}/{repo}/issues/{number}`); `None` leaves a field as is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IssueUpdate {
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Open or close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<IssueState>,
    /// Why it is closed or reopened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<StateReason>,
    /// Replaces all labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Replaces all assignees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignees: Option<Vec<String>>,
}

/// An issue as GitHub returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The issue number.
    pub number: u64,
    /// The web page (`html_url`).
    pub url: String,
    /// Open or closed.
    pub state: IssueState,
    /// The title.
    pub title: String,
    /// Label names.
    pub labels: Vec<String>,
}

/// A comment on an issue or on a pull request's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Comment {
    /// The comment id.
    pub id: u64,
    /// The web page (`html_url`).
    #[serde(rename = "html_url")]
    pub url: String,
    /// The text.
    pub body: String,
}

/// A new pull request (`POST /repos/{owner}/{repo}/pulls`), with reviewers requested right after.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPullRequest {
    /// Required.
    pub title: String,
    /// The branch with the changes (`user:branch` across forks).
    pub head: String,
    /// The branch to merge into.
    pub base: String,
    /// Markdown body.
    pub body: Option<String>,
    /// Open as a draft.
    pub draft: bool,
    /// Reviewer logins to request.
    pub reviewers: Vec<String>,
    /// Team slugs to request.
    pub team_reviewers: Vec<String>,
}

/// Changes to a pull request: title and body via `PATCH …/pulls/{number}`, labels (replacing all)
/// via `PUT …/issues/{number}/labels`. `None` leaves a field as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullRequestUpdate {
    /// New title.
    pub title: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// The full new set of labels.
    pub labels: Option<Vec<String>>,
}

/// A pull request as GitHub returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// The number (the `PR_NUMBER` of workflows).
    pub number: u64,
    /// The global id.
    pub id: u64,
    /// The web page (`html_url`).
    pub url: String,
    /// Open or closed (a merged pull request is closed).
    pub state: IssueState,
    /// Whether it was merged.
    pub merged: bool,
    /// The commit its merge made on the base branch; `None` until merged (GitHub's
    /// `merge_commit_sha` of an open pull request is only a test merge and is not reported).
    pub merge_commit: Option<String>,
    /// The source branch.
    pub head_ref: String,
    /// The source branch's tip.
    pub head_sha: String,
    /// The target branch.
    pub base_ref: String,
    /// The title.
    pub title: String,
    /// The body.
    pub body: Option<String>,
    /// Whether it is a draft.
    pub draft: bool,
    /// Label names.
    pub labels: Vec<String>,
    /// Logins whose review is requested.
    pub requested_reviewers: Vec<String>,
}

/// A review's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewEvent {
    /// `APPROVE`.
    Approve,
    /// `REQUEST_CHANGES` (needs a body).
    RequestChanges,
    /// `COMMENT` (needs a body).
    Comment,
}
wire_text!(ReviewEvent, "review event (APPROVE|REQUEST_CHANGES|COMMENT)");

/// A review to submit (`POST …/pulls/{number}/reviews`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReview {
    /// The verdict.
    pub event: ReviewEvent,
    /// The review text; required for `REQUEST_CHANGES` and `COMMENT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A submitted review.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Review {
    /// The review id.
    pub id: u64,
    /// `APPROVED`, `CHANGES_REQUESTED` or `COMMENTED`.
    pub state: String,
    /// The web page (`html_url`).
    #[serde(rename = "html_url")]
    pub url: String,
}

/// How a pull request is merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeMethod {
    /// A merge commit with two parents.
    #[default]
    Merge,
    /// One new commit with all changes.
    Squash,
    /// The commits replayed onto the base, no merge commit.
    Rebase,
}
wire_text!(MergeMethod, "merge method (merge|squash|rebase)");

/// A merge request (`PUT …/pulls/{number}/merge`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeOptions {
    /// How to merge.
    pub merge_method: MergeMethod,
    /// The head commit the merge is for; GitHub refuses (409) if the head has moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    /// The merge commit's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_title: Option<String>,
    /// The merge commit's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_message: Option<String>,
}

/// A merge's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MergeResult {
    /// True: GitHub answers a refused merge with an error status (405, 409), which is an error here.
    pub merged: bool,
    /// The new tip of the base branch (the `MERGE_COMMIT` of workflows).
    pub sha: String,
    /// GitHub's message.
    pub message: String,
}

/// A commit status's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    /// `error`.
    Error,
    /// `failure`.
    Failure,
    /// `pending`.
    Pending,
    /// `success`.
    Success,
}
wire_text!(StatusState, "status state (error|failure|pending|success)");

/// A commit status to set (`POST /repos/{owner}/{repo}/statuses/{sha}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCommitStatus {
    /// The state.
    pub state: StatusState,
    /// The label telling this status from others (GitHub's default is `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// A short description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A link to details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_url: Option<String>,
}

/// A commit status as GitHub returned it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommitStatus {
    /// The status id.
    pub id: u64,
    /// The state.
    pub state: StatusState,
    /// The context.
    pub context: String,
    /// The API address of the status.
    pub url: String,
}

/// A check run's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// `queued`.
    Queued,
    /// `in_progress`.
    InProgress,
    /// `completed`.
    Completed,
}
wire_text!(CheckStatus, "check status (queued|in_progress|completed)");

/// A completed check run's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckConclusion {
    /// `action_required`.
    ActionRequired,
    /// `cancelled`.
    Cancelled,
    /// `failure`.
    Failure,
    /// `neutral`.
    Neutral,
    /// `success`.
    Success,
    /// `skipped`.
    Skipped,
    /// `timed_out`.
    TimedOut,
}
wire_text!(CheckConclusion, "check conclusion (action_required|cancelled|failure|neutral|success|skipped|timed_out)");

/// A check run's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutput {
    /// The report's title.
    pub title: String,
    /// The summary (Markdown).
    pub summary: String,
    /// Details (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A check run to create (`POST /repos/{owner}/{repo}/check-runs`; needs a GitHub App token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCheckRun {
    /// The check's name.
    pub name: String,
    /// The commit it checks.
    pub head_sha: String,
    /// Progress (GitHub's default is `queued`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CheckStatus>,
    /// The outcome; setting it completes the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<CheckConclusion>,
    /// A link to details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details_url: Option<String>,
    /// The caller's own reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<CheckOutput>,
}

/// Changes to a check run (`PATCH …/check-runs/{id}`); `None` leaves a field as is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckRunUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CheckStatus>,
    /// The outcome; setting it completes the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<CheckConclusion>,
    /// A link to details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details_url: Option<String>,
    /// The report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<CheckOutput>,
}

/// A check run as GitHub returned it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckRun {
    /// The check run id.
    pub id: u64,
    /// The name.
    pub name: String,
    /// The commit it checks.
    pub head_sha: String,
    /// Progress.
    pub status: CheckStatus,
    /// The outcome, once completed.
    pub conclusion: Option<CheckConclusion>,
    /// The web page (`html_url`).
    #[serde(rename = "html_url")]
    pub url: String,
}
