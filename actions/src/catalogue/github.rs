//! `github`: issues, comments, pull requests and commit statuses on one GitHub repository through
//! the REST API, with a token from the environment. Every operation runs for real.

use std::time::Duration;

use crate::shape::Shape::{Boolean, List, Number, String as Text};
use crate::spec::{ActionSpec, Effects, Operation};

/// The job type of GitHub steps.
pub const JOB_TYPE: &str = "github";

/// The spec.
pub fn spec() -> ActionSpec {
    let read = |name, summary| Operation::new(name, Effects::None, summary).real();
    let write = |name, summary| Operation::new(name, Effects::External, summary).real();
    ActionSpec {
        name: "github",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "One GitHub REST call (issues, comments, pull requests, statuses), retried on rate limits and 5xx.",
        fields: Vec::new(),
        outputs: Vec::new(),
        operations: vec![
            write("create-issue", "Opens an issue.")
                .input("title", Text, "Its title.")
                .optional("body", Text, "Its text (Markdown).")
                .optional("labels", List, "Labels to set.")
                .optional("assignees", List, "Logins to assign.")
                .output("ISSUE_NUMBER", Number, "Its number.")
                .output("ISSUE_URL", Text, "Its page."),
            write("comment", "Comments on an issue or pull request.")
                .input("number", Number, "The issue or pull request.")
                .input("body", Text, "The comment (Markdown).")
                .output("COMMENT_URL", Text, "The comment's page."),
            write("set-issue-state", "Closes or reopens an issue.")
                .input("number", Number, "The issue.")
                .input("state", Text, "open or closed."),
            write("create-pr", "Opens a pull request, with reviewers.")
                .input("head", Text, "The branch with the changes.")
                .input("base", Text, "The branch to merge into.")
                .input("title", Text, "Its title.")
                .optional("body", Text, "Its description (Markdown).")
                .optional("draft", Boolean, "Open it as a draft.")
                .optional("reviewers", List, "Logins asked to review.")
                .optional("labels", List, "Labels to set on it.")
                .output("PR_NUMBER", Number, "Its number.")
                .output("PR_URL", Text, "Its page."),
            read("find-open-pr", "Finds the open pull request from a branch into a base.")
                .input("head", Text, "The branch with the changes.")
                .input("base", Text, "The branch to merge into.")
                .output("PR_EXISTS", Boolean, "Whether one is open.")
                .output("PR_NUMBER", Number, "Its number.")
                .output("PR_URL", Text, "Its page."),
            write("merge-pr", "Merges a pull request (merge, squash or rebase).")
                .input("number", Number, "The pull request.")
                .optional("merge_method", Text, "merge, squash or rebase (default merge).")
                .optional("sha", Text, "The head commit the merge is for.")
                .output("MERGED", Boolean, "Whether it merged.")
                .output("MERGE_COMMIT", Text, "The base branch's new tip."),
            write("create-commit-status", "Sets a status on a commit.")
                .input("sha", Text, "The commit.")
                .input("state", Text, "error, failure, pending or success.")
                .optional("context", Text, "The status's label.")
                .optional("description", Text, "A short description.")
                .optional("target_url", Text, "A link to details."),
        ],
        effects: Effects::External,
        timeout: Duration::from_secs(120),
        retries: 3,
    }
}

/// The settings section `github`: the repository, and the environment variable that holds the
/// token (never the token itself).
#[cfg(feature = "run")]
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GitHubSettings {
    owner: String,
    repo: String,
    /// The API root; default the public service.
    #[serde(default)]
    base_url: Option<String>,
    /// The variable holding the token.
    #[serde(default = "default_token_env")]
    token_env: String,
}

#[cfg(feature = "run")]
fn default_token_env() -> String {
    forge::github::GITHUB_TOKEN_ENV.to_owned()
}

/// The REST handler, when the settings have a `github` section.
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    let Some(section) = settings.section::<GitHubSettings>(JOB_TYPE)? else { return Ok(None) };
    for (value, key) in [(&section.owner, "owner"), (&section.repo, "repo")] {
        if value.trim().is_empty() {
            return Err(crate::SettingsError::new(JOB_TYPE, format!("`{key}` is empty; give the repository's {key}")));
        }
    }
    Ok(Some(std::sync::Arc::new(rest::GitHubHandler { settings: section, spec: spec() })))
}

#[cfg(feature = "run")]
mod rest {
    //! [`GitHubHandler`]: each operation as calls of [`forge::GitHub`].

    use async_trait::async_trait;
    use forge::github::{IssueState, MergeMethod, MergeOptions, NewCommitStatus, NewIssue, NewPullRequest};
    use forge::{GitHub, GitHubConfig, TokenSource};
    use serde_json::{Value, json};
    use workers::{Job, JobHandler, JobOutcome, Variables};

    use super::GitHubSettings;
    use crate::forge_jobs::{Failure, Params, operation, outcome, outputs, single_extra_output};
    use crate::spec::ActionSpec;

    /// Performs `github` operations on the repository of the settings; the token is read from
    /// its environment variable at each job and never shows in logs, errors or `Debug`.
    #[derive(Debug)]
    pub(super) struct GitHubHandler {
        pub(super) settings: GitHubSettings,
        pub(super) spec: ActionSpec,
    }

    impl GitHubHandler {
        fn connect(&self) -> Result<GitHub, Failure> {
            let mut config = GitHubConfig::new(&self.settings.owner, &self.settings.repo);
            config.token = TokenSource::Env(self.settings.token_env.clone());
            if let Some(base_url) = &self.settings.base_url {
                config.base_url = base_url.clone();
            }
            Ok(GitHub::connect(config)?)
        }

        async fn perform(&self, job: &Job, operation: &crate::Operation) -> Result<Variables, Failure> {
            let params = Params::of(job)?;
            let client = self.connect()?;
            match operation.name {
                "create-issue" => {
                    let issue = NewIssue {
                        title: params.text("title")?,
                        body: params.optional_text("body")?,
                        labels: params.texts("labels")?,
                        assignees: params.texts("assignees")?,
                    };
                    let created = client.create_issue(&issue).await?;
                    let mut variables =
                        outputs([("ISSUE_NUMBER", json!(created.number)), ("ISSUE_URL", json!(created.url))]);
                    if let Some(alias) = single_extra_output(job, operation) {
                        variables.insert(alias, json!(created.number));
                    }
                    Ok(variables)
                }
                "comment" => {
                    let comment = client.comment(params.id("number")?, &params.text("body")?).await?;
                    Ok(outputs([("COMMENT_URL", json!(comment.url))]))
                }
                "set-issue-state" => {
                    let state: IssueState = params.text("state")?.parse()?;
                    client.set_issue_state(params.id("number")?, state).await?;
                    Ok(Variables::new())
                }
                "create-pr" => {
                    let labels = params.texts("labels")?;
                    let new = NewPullRequest {
                        title: params.text("title")?,
                        head: params.text("head")?,
                        base: params.text("base")?,
                        body: params.optional_text("body")?,
                        draft: params.flag("draft")?.unwrap_or(false),
                        reviewers: params.texts("reviewers")?,
                        team_reviewers: Vec::new(),
                    };
                    let pull = client.create_pull_request(&new).await?;
                    if !labels.is_empty() {
                        client.set_labels(pull.number, &labels).await?;
                    }
                    Ok(outputs([("PR_NUMBER", json!(pull.number)), ("PR_URL", json!(pull.url))]))
                }
                "find-open-pr" => {
                    let found = client.find_open_pull_request(&params.text("head")?, &params.text("base")?).await?;
                    Ok(outputs([
                        ("PR_EXISTS", json!(found.is_some())),
                        ("PR_NUMBER", found.as_ref().map_or(Value::Null, |pull| json!(pull.number))),
                        ("PR_URL", found.map_or(Value::Null, |pull| json!(pull.url))),
                    ]))
                }
                "merge-pr" => {
                    let options = MergeOptions {
                        merge_method: params.optional_text("merge_method")?.as_deref().unwrap_or("merge").parse::<MergeMethod>()?,
                        sha: params.optional_text("sha")?,
                        ..MergeOptions::default()
                    };
                    let merged = client.merge_pull_request(params.id("number")?, &options).await?;
                    Ok(outputs([("MERGED", json!(merged.merged)), ("MERGE_COMMIT", json!(merged.sha))]))
                }
                "create-commit-status" => {
                    let status = NewCommitStatus {
                        state: params.text("state")?.parse()?,
                        context: params.optional_text("context")?,
                        description: params.optional_text("description")?,
                        target_url: params.optional_text("target_url")?,
                    };
                    client.create_commit_status(&params.text("sha")?, &status).await?;
                    Ok(Variables::new())
                }
                other => Err(Failure::Final(format!("operation `{other}` has no implementation; report this"))),
            }
        }
    }

    #[async_trait]
    impl JobHandler for GitHubHandler {
        async fn handle(&self, job: &Job) -> JobOutcome {
            let name = job.header("operation").unwrap_or("?").to_owned();
            let result = match operation(job, &self.spec) {
                Ok(operation) => self.perform(job, operation).await,
                Err(failure) => Err(failure),
            };
            outcome(job, self.spec.name, &name, result)
        }
    }
}
