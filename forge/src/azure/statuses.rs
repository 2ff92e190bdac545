//! Commit statuses and a pull request's policy evaluations.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::{AzureDevOps, GitStatus, GitStatusState, NewGitStatus, PolicyEvaluation};
use crate::error::ForgeError;
use crate::input::require;

/// Policy evaluations exist as a preview only.
const POLICY_API_VERSION: &str = "7.1-preview.1";

#[derive(Deserialize)]
struct WireStatus {
    id: u64,
    state: GitStatusState,
    context: WireContext,
}

#[derive(Deserialize)]
struct WireContext {
    name: String,
}

#[derive(Deserialize)]
struct Evaluations {
    value: Vec<WireEvaluation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEvaluation {
    evaluation_id: String,
    status: String,
    configuration: WireConfiguration,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireConfiguration {
    #[serde(default)]
    is_enabled: bool,
    #[serde(default)]
    is_blocking: bool,
    #[serde(rename = "type")]
    policy_type: WirePolicyType,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePolicyType {
    #[serde(default)]
    display_name: String,
}

impl AzureDevOps {
    /// Posts a status on a commit of the repository.
    pub async fn create_commit_status(&self, commit_id: &str, status: &NewGitStatus) -> Result<GitStatus, ForgeError> {
        let request = self.repo_request(
            format!("set status {} '{}' on commit {commit_id}", status.state, status.context_name),
            Method::POST,
            &["commits", commit_id, "statuses"],
        );
        require(commit_id, "commit id", &request.operation)?;
        require(&status.context_name, "context name", &request.operation)?;
        let mut context = json!({ "name": status.context_name });
        if let Some(genre) = &status.context_genre {
            context["genre"] = json!(genre);
        }
        let mut body = json!({ "state": status.state, "context": context });
        if let Some(description) = &status.description {
            body["description"] = json!(description);
        }
        if let Some(target_url) = &status.target_url {
            body["targetUrl"] = json!(target_url);
        }
        let wire: WireStatus = self.transport.send(&request.json(body)).await?;
        Ok(GitStatus { id: wire.id, state: wire.state, context_name: wire.context.name })
    }

    /// The policy evaluations of a pull request (reads the pull request first for its project id).
    pub async fn policy_evaluations(&self, pull_request_id: u64) -> Result<Vec<PolicyEvaluation>, ForgeError> {
        let pull = self.get_pull_request(pull_request_id).await?;
        let mut request = self.request(
            format!("read policy evaluations of pull request {pull_request_id}"),
            Method::GET,
            POLICY_API_VERSION,
            &["policy", "evaluations"],
        );
        let Some(project_id) = pull.project_id else {
            return Err(self
                .transport
                .bad_response(&request, "the pull request names no repository.project.id".into()));
        };
        let artifact = format!("vstfs:///CodeReview/CodeReviewId/{project_id}/{pull_request_id}");
        request.url.query_pairs_mut().append_pair("artifactId", &artifact);
        let evaluations: Evaluations = self.transport.send(&request).await?;
        Ok(evaluations
            .value
            .into_iter()
            .map(|wire| PolicyEvaluation {
                evaluation_id: wire.evaluation_id,
                status: wire.status,
                policy_type: wire.configuration.policy_type.display_name,
                is_blocking: wire.configuration.is_blocking,
                is_enabled: wire.configuration.is_enabled,
            })
            .collect())
    }
}
