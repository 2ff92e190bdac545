//! Inputs and results of the Azure DevOps operations, with the REST 7.1 field names where they
//! go on the wire.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::choice::wire_text;

/// A new work item (`POST …/_apis/wit/workitems/${type}`, sent as a JSON Patch document).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewWorkItem {
    /// The type, e.g. `Task`, `Bug`, `User Story`.
    pub work_item_type: String,
    /// `System.Title`; required.
    pub title: String,
    /// `System.Description` (HTML).
    pub description: Option<String>,
    /// `System.AssignedTo` (display name or e-mail).
    pub assigned_to: Option<String>,
    /// `System.Tags`, joined with `; `.
    pub tags: Vec<String>,
    /// `System.AreaPath`.
    pub area_path: Option<String>,
    /// `System.IterationPath`.
    pub iteration_path: Option<String>,
    /// A parent work item id (a `System.LinkTypes.Hierarchy-Reverse` relation).
    pub parent: Option<u64>,
    /// Any other fields by reference name, e.g. `Microsoft.VSTS.Common.Priority`.
    pub fields: BTreeMap<String, Value>,
}

/// Changes to a work item (`PATCH …/_apis/wit/workitems/{id}`); `None` leaves a field as is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkItemUpdate {
    /// `System.Title`.
    pub title: Option<String>,
    /// `System.State`, e.g. `Active`, `Resolved`, `Closed` (valid values depend on the process).
    pub state: Option<String>,
    /// `System.Reason`.
    pub reason: Option<String>,
    /// `System.Description`.
    pub description: Option<String>,
    /// `System.AssignedTo`.
    pub assigned_to: Option<String>,
    /// `System.Tags` (replacing all), joined with `; `.
    pub tags: Option<Vec<String>>,
    /// Any other fields by reference name.
    pub fields: BTreeMap<String, Value>,
}

/// A work item as Azure DevOps returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    /// The id (the `WORK_ITEM_ID` of workflows).
    pub id: u64,
    /// The revision.
    pub rev: u64,
    /// The web page (`_links.html.href`, else `{base}/{org}/{project}/_workitems/edit/{id}`).
    pub url: String,
    /// `System.State`.
    pub state: Option<String>,
    /// `System.Title`.
    pub title: Option<String>,
    /// `System.WorkItemType`.
    pub work_item_type: Option<String>,
    /// All fields by reference name.
    pub fields: serde_json::Map<String, Value>,
}

/// A comment on a work item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkItemComment {
    /// The comment id (`commentId`).
    #[serde(rename = "commentId")]
    pub id: u64,
    /// The work item.
    pub work_item_id: u64,
    /// The text.
    pub text: String,
}

/// A pull request's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PullRequestStatus {
    /// `notSet`.
    NotSet,
    /// `active`.
    Active,
    /// `abandoned`.
    Abandoned,
    /// `completed`.
    Completed,
}
wire_text!(PullRequestStatus, "pull request status (notSet|active|abandoned|completed)");

/// A new pull request (`POST …/git/repositories/{repository}/pullrequests`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPullRequest {
    /// The source branch: `feature/x` or `refs/heads/feature/x`.
    pub source_ref: String,
    /// The target branch: `main` or `refs/heads/main`.
    pub target_ref: String,
    /// Required.
    pub title: String,
    /// The description (Markdown, at most 4,000 characters).
    pub description: Option<String>,
    /// Open as a draft.
    pub is_draft: bool,
    /// Work items to link (`workItemRefs`).
    pub work_item_ids: Vec<u64>,
    /// Reviewer identity ids (`reviewers[].id`).
    pub reviewer_ids: Vec<String>,
    /// Label names (`labels[].name`).
    pub labels: Vec<String>,
}

/// Changes to a pull request: title, description and auto-complete via `PATCH`, labels added
/// via `POST …/labels`. `None` / empty leaves a field as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullRequestUpdate {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// Turn auto-complete on.
    pub auto_complete: Option<AutoComplete>,
    /// Labels to add.
    pub labels: Vec<String>,
}

/// Auto-complete: the service completes the pull request once its policies pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoComplete {
    /// The identity id auto-complete is set by (`autoCompleteSetBy.id`).
    pub set_by_id: String,
    /// How it will be completed.
    pub options: CompletionOptions,
}

/// How a pull request is merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MergeStrategy {
    /// A two-parent merge commit.
    #[default]
    NoFastForward,
    /// One new commit with all changes.
    Squash,
    /// The source rebased onto the target, then fast-forwarded.
    Rebase,
    /// The source rebased onto the target, then a two-parent merge.
    RebaseMerge,
}
wire_text!(MergeStrategy, "merge strategy (noFastForward|squash|rebase|rebaseMerge)");

/// `completionOptions` of a pull request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionOptions {
    /// How to merge.
    pub merge_strategy: MergeStrategy,
    /// Delete the source branch after the merge.
    pub delete_source_branch: bool,
    /// The merge commit's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merge_commit_message: Option<String>,
    /// Move linked work items to their next state.
    pub transition_work_items: bool,
    /// Complete despite failing policies (needs the permission).
    pub bypass_policy: bool,
}

/// Completing a pull request (`PATCH` with `status: completed`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletePullRequest {
    /// The source commit the completion is for (`lastMergeSourceCommit.commitId`); `None` reads
    /// the pull request's current one first.
    pub last_merge_source_commit: Option<String>,
    /// How to merge.
    pub options: CompletionOptions,
}

/// A reviewer of a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reviewer {
    /// The identity id.
    pub id: String,
    /// The display name.
    #[serde(default)]
    pub display_name: String,
    /// `10` approved, `5` approved with suggestions, `0` none, `-5` waiting for author, `-10` rejected.
    #[serde(default)]
    pub vote: i32,
    /// Whether the reviewer is required.
    #[serde(default)]
    pub is_required: bool,
}

/// A pull request as Azure DevOps returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// The id (the `PR_NUMBER` of workflows).
    pub id: u64,
    /// The web page (`{repository.webUrl}/pullrequest/{id}`).
    pub url: String,
    /// The status.
    pub status: PullRequestStatus,
    /// `mergeStatus`: `notSet`, `queued`, `conflicts`, `succeeded`, `rejectedByPolicy`, `failure`.
    pub merge_status: Option<String>,
    /// Whether it was completed (merged).
    pub merged: bool,
    /// The merge commit on the target branch (`lastMergeCommit`) once completed.
    pub merge_commit: Option<String>,
    /// `sourceRefName`, e.g. `refs/heads/feature/x`.
    pub source_ref: String,
    /// `targetRefName`.
    pub target_ref: String,
    /// The source commit last merged (the guard for completion).
    pub last_merge_source_commit: Option<String>,
    /// The title.
    pub title: String,
    /// The description.
    pub description: Option<String>,
    /// Whether it is a draft.
    pub is_draft: bool,
    /// The reviewers and their votes.
    pub reviewers: Vec<Reviewer>,
    /// Label names.
    pub labels: Vec<String>,
    /// The project id (`repository.project.id`), which policy evaluations need.
    pub project_id: Option<String>,
    /// Who opened it (`createdBy.displayName`).
    pub author: Option<String>,
}

/// A comment thread created on a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The thread id.
    pub id: u64,
    /// The thread status, e.g. `active`.
    pub status: Option<String>,
    /// The ids of its comments.
    pub comment_ids: Vec<u64>,
}

/// One policy's evaluation on a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEvaluation {
    /// `evaluationId`.
    pub evaluation_id: String,
    /// `queued`, `running`, `approved`, `rejected`, `notApplicable` or `broken`.
    pub status: String,
    /// The policy type's display name, e.g. `Minimum number of reviewers`.
    pub policy_type: String,
    /// Whether the policy blocks completion.
    pub is_blocking: bool,
    /// Whether the policy is enabled.
    pub is_enabled: bool,
}

impl PolicyEvaluation {
    /// Whether this evaluation keeps the pull request from completing now: an enabled, blocking
    /// policy that is neither approved nor not applicable.
    pub fn blocks_completion(&self) -> bool {
        self.is_enabled && self.is_blocking && !matches!(self.status.as_str(), "approved" | "notApplicable")
    }
}

/// A Git status's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GitStatusState {
    /// `notSet`.
    NotSet,
    /// `pending`.
    Pending,
    /// `succeeded`.
    Succeeded,
    /// `failed`.
    Failed,
    /// `error`.
    Error,
    /// `notApplicable`.
    NotApplicable,
}
wire_text!(GitStatusState, "status state (notSet|pending|succeeded|failed|error|notApplicable)");

/// A status to post on a commit (`POST …/commits/{commitId}/statuses`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGitStatus {
    /// The state.
    pub state: GitStatusState,
    /// `context.name`; required.
    pub context_name: String,
    /// `context.genre`, e.g. `persona-orchestrator`.
    pub context_genre: Option<String>,
    /// A short description.
    pub description: Option<String>,
    /// A link to details.
    pub target_url: Option<String>,
}

/// A status as Azure DevOps returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitStatus {
    /// The status id.
    pub id: u64,
    /// The state.
    pub state: GitStatusState,
    /// `context.name`.
    pub context_name: String,
}
