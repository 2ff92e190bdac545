//! Pull requests: create (then request reviewers), get, find the open one for a branch pair,
//! update, review, merge.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::issues::Label;
use super::{
    GitHub, IssueState, MergeOptions, MergeResult, NewPullRequest, NewReview, PullRequest, PullRequestUpdate, Review,
    ReviewEvent,
};
use crate::error::ForgeError;
use crate::input::require;

/// A pull request on the wire. List answers lack `merged`; `merged_at` tells it there.
#[derive(Deserialize)]
struct WirePull {
    number: u64,
    id: u64,
    html_url: String,
    state: IssueState,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merged_at: Option<String>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
    head: WireRef,
    base: WireRef,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    requested_reviewers: Vec<User>,
}

#[derive(Deserialize)]
struct WireRef {
    #[serde(rename = "ref")]
    name: String,
    sha: String,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

impl From<WirePull> for PullRequest {
    fn from(wire: WirePull) -> Self {
        let merged = wire.merged.unwrap_or(wire.merged_at.is_some());
        Self {
            number: wire.number,
            id: wire.id,
            url: wire.html_url,
            state: wire.state,
            merged,
            merge_commit: wire.merge_commit_sha.filter(|_| merged),
            head_ref: wire.head.name,
            head_sha: wire.head.sha,
            base_ref: wire.base.name,
            title: wire.title,
            body: wire.body,
            draft: wire.draft,
            labels: wire.labels.into_iter().map(|label| label.name).collect(),
            requested_reviewers: wire.requested_reviewers.into_iter().map(|user| user.login).collect(),
        }
    }
}

impl GitHub {
    /// Opens a pull request, then requests its reviewers (if any). Should the second step fail,
    /// the error names the pull request that was created.
    pub async fn create_pull_request(&self, new: &NewPullRequest) -> Result<PullRequest, ForgeError> {
        let request = self.request(
            format!("create pull request {} -> {} '{}'", new.head, new.base, new.title),
            Method::POST,
            &["pulls"],
        );
        for (value, field) in [(&new.title, "title"), (&new.head, "head branch"), (&new.base, "base branch")] {
            require(value, field, &request.operation)?;
        }
        let mut body = json!({ "title": new.title, "head": new.head, "base": new.base, "draft": new.draft });
        if let Some(text) = &new.body {
            body["body"] = json!(text);
        }
        let created: PullRequest = self.transport.send::<WirePull>(&request.json(body)).await?.into();
        if new.reviewers.is_empty() && new.team_reviewers.is_empty() {
            return Ok(created);
        }
        let number = created.number.to_string();
        let request = self
            .request(
                format!("request reviewers for pull request #{number} (created: {})", created.url),
                Method::POST,
                &["pulls", &number, "requested_reviewers"],
            )
            .json(json!({ "reviewers": new.reviewers, "team_reviewers": new.team_reviewers }));
        Ok(self.transport.send::<WirePull>(&request).await?.into())
    }

    /// One pull request by number.
    pub async fn get_pull_request(&self, number: u64) -> Result<PullRequest, ForgeError> {
        let request = self.request(format!("get pull request #{number}"), Method::GET, &["pulls", &number.to_string()]);
        Ok(self.transport.send::<WirePull>(&request).await?.into())
    }

    /// The open pull request from `head` into `base`, if there is one. A `head` without an
    /// `owner:` prefix is taken as a branch of this repository's owner.
    pub async fn find_open_pull_request(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError> {
        let qualified = if head.contains(':') { head.to_owned() } else { format!("{}:{head}", self.owner) };
        let mut request = self.request(format!("find open pull request {head} -> {base}"), Method::GET, &["pulls"]);
        require(head, "head branch", &request.operation)?;
        require(base, "base branch", &request.operation)?;
        request
            .url
            .query_pairs_mut()
            .append_pair("state", "open")
            .append_pair("head", &qualified)
            .append_pair("base", base);
        let found: Vec<WirePull> = self.transport.send(&request).await?;
        Ok(found.into_iter().next().map(PullRequest::from))
    }

    /// Changes a pull request's labels (replacing all), then its title and body.
    pub async fn update_pull_request(
        &self,
        number: u64,
        update: &PullRequestUpdate,
    ) -> Result<PullRequest, ForgeError> {
        if let Some(labels) = &update.labels {
            self.set_labels(number, labels).await?;
        }
        let mut body = json!({});
        if let Some(title) = &update.title {
            body["title"] = json!(title);
        }
        if let Some(text) = &update.body {
            body["body"] = json!(text);
        }
        let request = self
            .request(format!("update pull request #{number}"), Method::PATCH, &["pulls", &number.to_string()])
            .json(body);
        Ok(self.transport.send::<WirePull>(&request).await?.into())
    }

    /// Submits a review. `REQUEST_CHANGES` and `COMMENT` need a body.
    pub async fn review(&self, number: u64, review: &NewReview) -> Result<Review, ForgeError> {
        let request = self.request(
            format!("review pull request #{number} ({})", review.event),
            Method::POST,
            &["pulls", &number.to_string(), "reviews"],
        );
        if review.event != ReviewEvent::Approve {
            require(review.body.as_deref().unwrap_or(""), "review body", &request.operation)?;
        }
        self.transport.send(&request.json_of(review)).await
    }

    /// Merges a pull request. A refusal (405 not mergeable, 409 head moved) is an error.
    pub async fn merge_pull_request(&self, number: u64, options: &MergeOptions) -> Result<MergeResult, ForgeError> {
        let request = self
            .request(
                format!("merge pull request #{number} ({})", options.merge_method),
                Method::PUT,
                &["pulls", &number.to_string(), "merge"],
            )
            .json_of(options);
        self.transport.send(&request).await
    }
}
