//! [`AzureDevOpsHandler`]: the `azure-devops` operations performed for real through
//! [`forge::AzureDevOps`], one REST call (or a few) per job.

use async_trait::async_trait;
use forge::azure::{
    CompletePullRequest, CompletionOptions, MergeStrategy, NewPullRequest, NewWorkItem, PullRequest, PullRequestUpdate,
    WorkItemUpdate,
};
use forge::{AzureDevOps, AzureDevOpsConfig, TokenSource};
use serde_json::{Value, json};
use workers::{Job, JobHandler, JobOutcome, Variables};

use crate::catalogue::azure_devops::{self, AzureDevOpsSettings};
use crate::forge_jobs::{Failure, Params, outcome, outputs, single_extra_output};
use crate::spec::ActionSpec;

/// Performs the `azure-devops` operations marked real in the catalogue on the organisation,
/// project and repository of the settings. The PAT is read from its environment variable at
/// each job (so a rotated token is picked up) and never appears in logs, errors or `Debug`.
#[derive(Debug)]
pub struct AzureDevOpsHandler {
    settings: AzureDevOpsSettings,
    spec: ActionSpec,
}

impl AzureDevOpsHandler {
    pub(crate) fn new(settings: AzureDevOpsSettings) -> Self {
        Self { settings, spec: azure_devops::spec() }
    }

    fn connect(&self) -> Result<AzureDevOps, Failure> {
        let settings = &self.settings;
        let mut config = AzureDevOpsConfig::new(&settings.organization, &settings.project, &settings.repository);
        config.token = TokenSource::Env(settings.token_env.clone());
        if let Some(base_url) = &settings.base_url {
            config.base_url = base_url.clone();
        }
        Ok(AzureDevOps::connect(config)?)
    }

    async fn perform(&self, job: &Job, operation: &crate::Operation) -> Result<Variables, Failure> {
        let params = Params::of(job)?;
        let client = self.connect()?;
        match operation.name {
            "check-existing-pr" => {
                let found = client
                    .find_active_pull_request(&params.text("source_branch")?, &params.text("target_branch")?)
                    .await?;
                Ok(outputs([
                    ("PR_EXISTS", json!(found.is_some())),
                    ("EXISTING_PR_NUMBER", found.as_ref().map_or(Value::Null, |pull| json!(pull.id))),
                    ("EXISTING_PR_URL", found.map_or(Value::Null, |pull| json!(pull.url))),
                ]))
            }
            "create-pr" => {
                let new = NewPullRequest {
                    source_ref: params.text("source_branch")?,
                    target_ref: params.text("target_branch")?,
                    title: params.text("title")?,
                    description: params.optional_text("description")?,
                    is_draft: params.flag("draft")?.unwrap_or(false),
                    work_item_ids: params.ids("work_items")?,
                    reviewer_ids: params.texts("reviewers")?,
                    labels: Vec::new(),
                };
                Ok(pull_outputs(&client.create_pull_request(&new).await?))
            }
            "get-pr-details" => {
                let pull = client.get_pull_request(params.id("pr_id")?).await?;
                Ok(outputs([
                    ("TITLE", json!(pull.title)),
                    ("SOURCE_BRANCH", json!(branch_name(&pull.source_ref))),
                    ("TARGET_BRANCH", json!(branch_name(&pull.target_ref))),
                    ("HAS_CONFLICTS", json!(pull.merge_status.as_deref() == Some("conflicts"))),
                    ("AUTHOR", json!(pull.author)),
                ]))
            }
            "update-pr" => {
                let update = PullRequestUpdate {
                    title: params.optional_text("title")?,
                    description: params.optional_text("description")?,
                    auto_complete: None,
                    labels: params.texts("labels")?,
                };
                if update == PullRequestUpdate::default() {
                    return Err(Failure::Final(
                        "nothing to change; give `title`, `description` or `labels` in the step's `inputs`".into(),
                    ));
                }
                Ok(pull_outputs(&client.update_pull_request(params.id("pr_id")?, &update).await?))
            }
            "add-reviewers" => {
                let id = params.id("pr_id")?;
                let required = params.flag("required")?.unwrap_or(false);
                let reviewers = params.texts("reviewers")?;
                if reviewers.is_empty() {
                    return Err(Failure::Final("input `reviewers` is empty; list the reviewers' identity ids".into()));
                }
                for reviewer in reviewers {
                    client.add_reviewer(id, &reviewer, required).await?;
                }
                Ok(Variables::new())
            }
            "create-pr-thread" => {
                client.create_thread(params.id("pr_id")?, &params.text("content")?).await?;
                Ok(Variables::new())
            }
            "check-pr-policies" => {
                let evaluations = client.policy_evaluations(params.id("pr_id")?).await?;
                let build =
                    evaluations.iter().find(|evaluation| evaluation.policy_type.to_lowercase().contains("build"));
                Ok(outputs([
                    ("APPROVED", json!(!evaluations.iter().any(forge::azure::PolicyEvaluation::blocks_completion))),
                    ("BUILD_STATUS", json!(build.map_or("none", |evaluation| evaluation.status.as_str()))),
                ]))
            }
            "complete-pr" => {
                let completion = CompletePullRequest {
                    last_merge_source_commit: None,
                    options: CompletionOptions {
                        merge_strategy: merge_strategy(params.optional_text("merge_strategy")?.as_deref())?,
                        delete_source_branch: params.flag("delete_source_branch")?.unwrap_or(false),
                        ..CompletionOptions::default()
                    },
                };
                let pull = client.complete_pull_request(params.id("pr_id")?, &completion).await?;
                Ok(outputs([("MERGED", json!(pull.merged)), ("MERGE_COMMIT", json!(pull.merge_commit))]))
            }
            "create-work-item" => {
                let item = NewWorkItem {
                    work_item_type: params.optional_text("type")?.unwrap_or_else(|| "Task".into()),
                    title: params.text("title")?,
                    description: params.optional_text("description")?,
                    parent: params.optional_id("parent")?,
                    ..NewWorkItem::default()
                };
                let created = client.create_work_item(&item).await?;
                let mut variables =
                    outputs([("WORK_ITEM_ID", json!(created.id)), ("WORK_ITEM_URL", json!(created.url))]);
                if let Some(alias) = single_extra_output(job, operation) {
                    variables.insert(alias, json!(created.id));
                }
                Ok(variables)
            }
            "update-work-item" => {
                let id = params.id("id")?;
                let update = WorkItemUpdate {
                    state: params.optional_text("state")?,
                    fields: params.object("fields")?.into_iter().collect(),
                    ..WorkItemUpdate::default()
                };
                let comment = params.optional_text("comment")?;
                if update == WorkItemUpdate::default() && comment.is_none() {
                    return Err(Failure::Final(
                        "nothing to change; give `state`, `fields` or `comment` in the step's `inputs`".into(),
                    ));
                }
                if update != WorkItemUpdate::default() {
                    client.update_work_item(id, &update).await?;
                }
                if let Some(comment) = comment {
                    client.add_work_item_comment(id, &comment).await?;
                }
                Ok(Variables::new())
            }
            "add-work-item-comment" => {
                client.add_work_item_comment(params.id("id")?, &params.text("text")?).await?;
                Ok(Variables::new())
            }
            "get-work-item" => {
                let item = client.get_work_item(params.id("id")?).await?;
                Ok(outputs([
                    ("TITLE", json!(item.title)),
                    ("CURRENT_STATE", json!(item.state)),
                    ("DESCRIPTION", item.fields.get("System.Description").cloned().unwrap_or(Value::Null)),
                ]))
            }
            other => Err(Failure::Final(format!(
                "operation `{other}` is marked real in the catalogue but has no implementation; report this"
            ))),
        }
    }
}

#[async_trait]
impl JobHandler for AzureDevOpsHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let name = job.header("operation").unwrap_or("?").to_owned();
        let result = match crate::forge_jobs::operation(job, &self.spec) {
            Ok(operation) => {
                tracing::info!(element_id = %job.element_id, operation = operation.name, "azure-devops");
                self.perform(job, operation).await
            }
            Err(failure) => Err(failure),
        };
        outcome(job, self.spec.name, &name, result)
    }
}

/// `PR_NUMBER` and `PR_URL` of a pull request.
fn pull_outputs(pull: &PullRequest) -> Variables {
    outputs([("PR_NUMBER", json!(pull.id)), ("PR_URL", json!(pull.url))])
}

/// `refs/heads/x` → `x`; other refs as they are.
fn branch_name(reference: &str) -> &str {
    reference.strip_prefix("refs/heads/").unwrap_or(reference)
}

/// A step's `merge_strategy` (merge, squash or rebase; default merge) as Azure DevOps names it.
fn merge_strategy(word: Option<&str>) -> Result<MergeStrategy, Failure> {
    match word.map(str::trim) {
        None | Some("merge") => Ok(MergeStrategy::NoFastForward),
        Some("squash") => Ok(MergeStrategy::Squash),
        Some("rebase") => Ok(MergeStrategy::Rebase),
        Some(other) => Err(Failure::Final(format!(
            "merge_strategy `{other}` is not one of merge, squash, rebase; use one of those"
        ))),
    }
}
