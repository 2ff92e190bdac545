//! Pull requests: find the active one for a branch pair, create, get, update, add a reviewer,
//! open a comment thread, complete (and wait for the merge).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    AzureDevOps, CompletePullRequest, NewPullRequest, PullRequest, PullRequestStatus, PullRequestUpdate, Reviewer,
    Thread,
};
use crate::error::ForgeError;
use crate::input::require;

/// A `GitPullRequest` on the wire.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePull {
    pull_request_id: u64,
    status: PullRequestStatus,
    #[serde(default)]
    merge_status: Option<String>,
    source_ref_name: String,
    target_ref_name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    is_draft: bool,
    #[serde(default)]
    last_merge_source_commit: Option<CommitRef>,
    #[serde(default)]
    last_merge_commit: Option<CommitRef>,
    #[serde(default)]
    reviewers: Vec<Reviewer>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    repository: Option<Repository>,
    #[serde(default)]
    created_by: Option<Identity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(default)]
    display_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommitRef {
    commit_id: String,
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Repository {
    #[serde(default)]
    web_url: Option<String>,
    #[serde(default)]
    project: Option<Project>,
}

#[derive(Deserialize)]
struct Project {
    id: String,
}

#[derive(Deserialize)]
struct List<T> {
    value: Vec<T>,
}

#[derive(Deserialize)]
struct WireThread {
    id: u64,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    comments: Vec<WireComment>,
}

#[derive(Deserialize)]
struct WireComment {
    id: u64,
}

/// `refs/heads/{name}` unless `name` is already a full ref.
fn full_ref(name: &str) -> String {
    let name = name.trim();
    if name.starts_with("refs/") { name.to_owned() } else { format!("refs/heads/{name}") }
}

impl AzureDevOps {
    fn pull_request(&self, wire: WirePull) -> PullRequest {
        let web_repo = wire
            .repository
            .as_ref()
            .and_then(|repo| repo.web_url.clone())
            .unwrap_or_else(|| self.project_url(&["_git", self.repository.as_str()]).to_string());
        let merged = wire.status == PullRequestStatus::Completed;
        PullRequest {
            id: wire.pull_request_id,
            url: format!("{}/pullrequest/{}", web_repo.trim_end_matches('/'), wire.pull_request_id),
            status: wire.status,
            merge_status: wire.merge_status,
            merged,
            merge_commit: wire.last_merge_commit.map(|commit| commit.commit_id).filter(|_| merged),
            source_ref: wire.source_ref_name,
            target_ref: wire.target_ref_name,
            last_merge_source_commit: wire.last_merge_source_commit.map(|commit| commit.commit_id),
            title: wire.title,
            description: wire.description,
            is_draft: wire.is_draft,
            reviewers: wire.reviewers,
            labels: wire.labels.into_iter().map(|label| label.name).collect(),
            project_id: wire.repository.and_then(|repo| repo.project).map(|project| project.id),
            author: wire.created_by.map(|identity| identity.display_name).filter(|name| !name.is_empty()),
        }
    }

    async fn send_pull(&self, request: &crate::transport::Request) -> Result<PullRequest, ForgeError> {
        let wire: WirePull = self.transport.send(request).await?;
        Ok(self.pull_request(wire))
    }

    /// The active pull request from `source` into `target` (branch names or full refs), if any.
    pub async fn find_active_pull_request(
        &self,
        source: &str,
        target: &str,
    ) -> Result<Option<PullRequest>, ForgeError> {
        let mut request =
            self.repo_request(format!("find active pull request {source} -> {target}"), Method::GET, &["pullrequests"]);
        require(source, "source branch", &request.operation)?;
        require(target, "target branch", &request.operation)?;
        request
            .url
            .query_pairs_mut()
            .append_pair("searchCriteria.status", "active")
            .append_pair("searchCriteria.sourceRefName", &full_ref(source))
            .append_pair("searchCriteria.targetRefName", &full_ref(target));
        let found: List<WirePull> = self.transport.send(&request).await?;
        Ok(found.value.into_iter().next().map(|wire| self.pull_request(wire)))
    }

    /// Opens a pull request with its reviewers, linked work items and labels.
    pub async fn create_pull_request(&self, new: &NewPullRequest) -> Result<PullRequest, ForgeError> {
        let request = self.repo_request(
            format!("create pull request {} -> {} '{}'", new.source_ref, new.target_ref, new.title),
            Method::POST,
            &["pullrequests"],
        );
        for (value, field) in
            [(&new.title, "title"), (&new.source_ref, "source branch"), (&new.target_ref, "target branch")]
        {
            require(value, field, &request.operation)?;
        }
        let mut body = json!({
            "sourceRefName": full_ref(&new.source_ref),
            "targetRefName": full_ref(&new.target_ref),
            "title": new.title,
            "isDraft": new.is_draft,
        });
        if let Some(description) = &new.description {
            body["description"] = json!(description);
        }
        if !new.reviewer_ids.is_empty() {
            body["reviewers"] = new.reviewer_ids.iter().map(|id| json!({ "id": id })).collect();
        }
        if !new.work_item_ids.is_empty() {
            body["workItemRefs"] = new.work_item_ids.iter().map(|id| json!({ "id": id.to_string() })).collect();
        }
        if !new.labels.is_empty() {
            body["labels"] = new.labels.iter().map(|name| json!({ "name": name })).collect();
        }
        self.send_pull(&request.json(body)).await
    }

    /// One pull request with its status, reviewers, labels and merge commit.
    pub async fn get_pull_request(&self, id: u64) -> Result<PullRequest, ForgeError> {
        let request =
            self.repo_request(format!("get pull request {id}"), Method::GET, &["pullrequests", &id.to_string()]);
        self.send_pull(&request).await
    }

    /// Adds labels, then changes the title, description or auto-complete.
    pub async fn update_pull_request(&self, id: u64, update: &PullRequestUpdate) -> Result<PullRequest, ForgeError> {
        for label in &update.labels {
            let request = self
                .repo_request(
                    format!("add label '{label}' to pull request {id}"),
                    Method::POST,
                    &["pullRequests", &id.to_string(), "labels"],
                )
                .json(json!({ "name": label }));
            self.transport.send_value(&request).await?;
        }
        let mut body = json!({});
        if let Some(title) = &update.title {
            body["title"] = json!(title);
        }
        if let Some(description) = &update.description {
            body["description"] = json!(description);
        }
        if let Some(auto) = &update.auto_complete {
            body["autoCompleteSetBy"] = json!({ "id": auto.set_by_id });
            body["completionOptions"] = serde_json::to_value(&auto.options).unwrap_or(Value::Null);
        }
        if body.as_object().is_some_and(serde_json::Map::is_empty) {
            return self.get_pull_request(id).await;
        }
        let request = self
            .repo_request(format!("update pull request {id}"), Method::PATCH, &["pullrequests", &id.to_string()])
            .json(body);
        self.send_pull(&request).await
    }

    /// Adds a reviewer (by identity id), optionally as required.
    pub async fn add_reviewer(&self, id: u64, reviewer_id: &str, is_required: bool) -> Result<Reviewer, ForgeError> {
        let request = self.repo_request(
            format!("add reviewer {reviewer_id} to pull request {id}"),
            Method::PUT,
            &["pullRequests", &id.to_string(), "reviewers", reviewer_id],
        );
        require(reviewer_id, "reviewer id", &request.operation)?;
        self.transport.send(&request.json(json!({ "vote": 0, "isRequired": is_required }))).await
    }

    /// Opens a comment thread on the pull request's conversation.
    pub async fn create_thread(&self, id: u64, content: &str) -> Result<Thread, ForgeError> {
        let request = self.repo_request(
            format!("comment on pull request {id}"),
            Method::POST,
            &["pullRequests", &id.to_string(), "threads"],
        );
        require(content, "comment", &request.operation)?;
        let body = json!({
            "comments": [{ "parentCommentId": 0, "content": content, "commentType": "text" }],
            "status": "active",
        });
        let thread: WireThread = self.transport.send(&request.json(body)).await?;
        Ok(Thread {
            id: thread.id,
            status: thread.status,
            comment_ids: thread.comments.into_iter().map(|comment| comment.id).collect(),
        })
    }

    /// Completes (merges) a pull request and waits until the service reports it completed.
    /// Conflicts, a policy rejection or a merge still pending after the configured timeout are
    /// [`ForgeError::NotMerged`].
    pub async fn complete_pull_request(
        &self,
        id: u64,
        completion: &CompletePullRequest,
    ) -> Result<PullRequest, ForgeError> {
        let source_commit = match &completion.last_merge_source_commit {
            Some(commit) => commit.clone(),
            None => {
                self.get_pull_request(id).await?.last_merge_source_commit.ok_or_else(|| ForgeError::InvalidInput {
                    operation: format!("complete pull request {id}"),
                    message: "the pull request reports no lastMergeSourceCommit yet; give the source commit".into(),
                })?
            }
        };
        let operation = format!("complete pull request {id} ({})", completion.options.merge_strategy);
        let request =
            self.repo_request(operation.clone(), Method::PATCH, &["pullrequests", &id.to_string()]).json(json!({
                "status": "completed",
                "lastMergeSourceCommit": { "commitId": source_commit },
                "completionOptions": completion.options,
            }));
        let mut pull = self.send_pull(&request).await?;
        let deadline = tokio::time::Instant::now() + self.completion_timeout;
        loop {
            if pull.merged {
                return Ok(pull);
            }
            let status = pull.merge_status.as_deref().unwrap_or("notSet");
            let refused = match status {
                "conflicts" => Some("resolve the conflicts on the source branch, then complete again"),
                "rejectedByPolicy" => Some("satisfy the branch policies (see check-pr-policies), then complete again"),
                "failure" => Some("read the pull request's merge failure message on its page"),
                _ => None,
            };
            if let Some(hint) = refused {
                return Err(self.not_merged(&operation, &pull, hint));
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(self.not_merged(
                    &operation,
                    &pull,
                    "the merge is still pending; read the pull request later or raise completion_timeout",
                ));
            }
            tokio::time::sleep(self.poll_interval).await;
            pull = self.get_pull_request(id).await?;
        }
    }

    fn not_merged(&self, operation: &str, pull: &PullRequest, hint: &str) -> ForgeError {
        ForgeError::NotMerged {
            service: self.transport.service(),
            operation: operation.to_owned(),
            message: format!(
                "status {}, mergeStatus {}",
                pull.status,
                pull.merge_status.as_deref().unwrap_or("notSet")
            ),
            hint: hint.to_owned(),
        }
    }
}
