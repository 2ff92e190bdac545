//! [`WebhookConfig`]: the webhook secrets and what each event does.
//!
//! Secrets come from the environment: `GITHUB_WEBHOOK_SECRET` (GitHub signs each delivery with
//! HMAC-SHA256 in `X-Hub-Signature-256`) and `AZURE_DEVOPS_WEBHOOK_SECRET` (Azure DevOps service
//! hooks send it as the basic-auth password). A source without a secret refuses every delivery.
//!
//! What an event does comes from a YAML file (`orchestrator serve --webhooks FILE`), by source
//! and event name; an event without an entry is acknowledged and ignored:
//!
//! ```yaml
//! github:
//!   pull_request:            # POST /api/webhooks/github/pull_request
//!     publish: pr-updated    # publish this message ...
//!     correlation: /pull_request/number   # ... correlated by this JSON pointer into the payload
//!   issues:
//!     start: wf1-bug-fix     # start this workflow
//! azure-devops:
//!   workitem.created:
//!     start: wf0-feature-development
//!   build.complete:
//!     start: emergency-task
//!     inputs:                # the workflow's inputs, from the payload
//!       SERVICE: /resource/definition/name   # a JSON pointer into the payload ...
//!       ERROR_LINE: /message/text
//!       SOURCE: webhook      # ... or, without a leading `/`, the text itself
//! ```
//!
//! Either way the payload goes along as the variable `webhook`
//! (`{ "source", "event", "payload" }`); a start's `inputs` become the instance's `inputs`
//! variable (a pointer that finds nothing leaves its input out, so the workflow's default holds,
//! and the answer names it under `missing_inputs`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::auth::Secret;

/// The environment variable with GitHub's webhook secret.
pub const GITHUB_SECRET_VARIABLE: &str = "GITHUB_WEBHOOK_SECRET";
/// The environment variable with the Azure DevOps service hook's password.
pub const AZURE_SECRET_VARIABLE: &str = "AZURE_DEVOPS_WEBHOOK_SECRET";

/// What one event does.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum WebhookAction {
    /// Publish a message.
    Publish {
        /// The message name.
        publish: String,
        /// A JSON pointer into the payload whose value is the correlation key (empty: none).
        #[serde(default)]
        correlation: String,
    },
    /// Start an instance of a workflow.
    Start {
        /// The BPMN process id.
        start: String,
        /// Workflow input name -> a JSON pointer into the payload (`/a/b`), or a text that does
        /// not start with `/`, taken as it is.
        #[serde(default)]
        inputs: BTreeMap<String, String>,
    },
    /// For a GitHub `push`: start a workflow once per pushed commit (see
    /// [`repo_starts`](crate::repo_starts)); a commit delivered again starts nothing.
    StartPerCommit {
        /// The BPMN process id.
        start_per_commit: String,
    },
}

/// The secrets and the actions per source and event.
#[derive(Debug, Clone, Default)]
pub struct WebhookConfig {
    /// GitHub's HMAC secret.
    pub github_secret: Option<Secret>,
    /// Azure DevOps' basic-auth password.
    pub azure_secret: Option<Secret>,
    /// Source (`github`, `azure-devops`) -> event -> action.
    pub actions: BTreeMap<String, BTreeMap<String, WebhookAction>>,
}

impl WebhookConfig {
    /// The secrets from the environment and the actions from `yaml` (the file's text, named
    /// `name` in errors).
    pub fn from_env_and_yaml(name: &str, yaml: Option<&str>) -> Result<Self, String> {
        let actions = match yaml {
            Some(text) => serde_yaml_ng::from_str::<BTreeMap<String, BTreeMap<String, WebhookAction>>>(text).map_err(
                |e| match e.location() {
                    Some(at) => format!("{name}:{}:{}: error: {e}", at.line(), at.column()),
                    None => format!("{name}: error: {e}"),
                },
            )?,
            None => BTreeMap::new(),
        };
        if let Some(unknown) = actions.keys().find(|source| !matches!(source.as_str(), "github" | "azure-devops")) {
            return Err(format!("{name}: error: unknown webhook source `{unknown}`; use github or azure-devops"));
        }
        let secret = |variable: &str| std::env::var(variable).ok().and_then(Secret::new);
        Ok(Self { github_secret: secret(GITHUB_SECRET_VARIABLE), azure_secret: secret(AZURE_SECRET_VARIABLE), actions })
    }

    /// The action for an event, if one is configured.
    pub fn action(&self, source: &str, event: &str) -> Option<&WebhookAction> {
        self.actions.get(source).and_then(|events| events.get(event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_read_and_a_bad_file_is_located() {
        let config = WebhookConfig::from_env_and_yaml(
            "hooks.yaml",
            Some("github:\n  pull_request: { publish: pr, correlation: /number }\n  issues: { start: wf1 }\n"),
        )
        .expect("reads");
        assert_eq!(
            config.action("github", "pull_request"),
            Some(&WebhookAction::Publish { publish: "pr".into(), correlation: "/number".into() })
        );
        assert_eq!(
            config.action("github", "issues"),
            Some(&WebhookAction::Start { start: "wf1".into(), inputs: BTreeMap::new() })
        );
        assert_eq!(config.action("github", "push"), None);
        let per_commit =
            WebhookConfig::from_env_and_yaml("hooks.yaml", Some("github:\n  push: { start_per_commit: ci }\n"));
        assert_eq!(
            per_commit.expect("reads").action("github", "push"),
            Some(&WebhookAction::StartPerCommit { start_per_commit: "ci".into() })
        );
        let bad = WebhookConfig::from_env_and_yaml("hooks.yaml", Some("github:\n  push: [1, 2]\n")).expect_err("bad");
        assert!(bad.starts_with("hooks.yaml:2:"), "{bad}");
        let source = WebhookConfig::from_env_and_yaml("hooks.yaml", Some("gitlab: {}\n")).expect_err("unknown source");
        assert!(source.contains("unknown webhook source `gitlab`"), "{source}");
    }
}
