//! `azure-devops`: work items, pull requests, builds and releases through the Azure DevOps REST
//! API, with a PAT from the environment.

use std::time::Duration;

use crate::shape::Shape::{Boolean, List, Number, Object, String as Text};
use crate::spec::{ActionSpec, Effects, Operation};

/// The job type of Azure DevOps steps.
pub const JOB_TYPE: &str = "azure-devops";

/// The spec.
pub fn spec() -> ActionSpec {
    let read = |name, summary| Operation::new(name, Effects::None, summary);
    let write = |name, summary| Operation::new(name, Effects::External, summary);
    ActionSpec {
        name: "azure-devops",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "One Azure DevOps REST call (work items, pull requests, pipelines), retried on 429 and 5xx.",
        fields: Vec::new(),
        outputs: Vec::new(),
        operations: vec![
            // Work items.
            write("create-work-item", "Creates a work item of a type.").real()
                .input("title", Text, "Its title.")
                .optional("type", Text, "Task, Bug, User Story, ... (default Task).")
                .optional("description", Text, "Its description.")
                .optional("parent", Number, "The parent work item.")
                .output("WORK_ITEM_ID", Number, "The new work item.")
                .output("WORK_ITEM_URL", Text, "Its link."),
            write("create-work-items", "Creates several work items of a type under a parent.")
                .input("titles", List, "Their titles.")
                .optional("type", Text, "Their type.")
                .optional("parent", Number, "The parent work item.")
                .output("WORK_ITEM_IDS", List, "The new work items."),
            write("update-work-item", "Changes a work item's state or fields.").real()
                .input("id", Text, "The work item.")
                .optional("state", Text, "The new state.")
                .optional("fields", Object, "Fields to set, by reference name.")
                .optional("comment", Text, "A comment added with the change."),
            write("update-work-items", "Changes several work items.").input("ids", List, "The work items."),
            write("add-work-item-comment", "Comments on a work item.").real()
                .input("id", Text, "The work item.")
                .input("text", Text, "The comment."),
            read("get-work-item", "Reads a work item.").real()
                .input("id", Text, "The work item.")
                .output("TITLE", Text, "Its title.")
                .output("CURRENT_STATE", Text, "Its state.")
                .output("DESCRIPTION", Text, "Its description."),
            read("get-work-item-relations", "Reads a work item's links.").input("id", Text, "The work item."),
            read("check-children-status", "Tells whether a work item's children are all done.")
                .input("id", Text, "The work item."),
            read("query-work-items", "Runs a WIQL query.").optional("wiql", Text, "The query."),
            write("update-backlog-order", "Reorders the backlog."),
            read("get-iteration-analytics", "Reads an iteration's progress figures."),
            // Pull requests.
            read("check-existing-pr", "Finds an active pull request from a branch into a target.").real()
                .input("source_branch", Text, "The source branch.")
                .input("target_branch", Text, "The target branch.")
                .output("PR_EXISTS", Boolean, "Whether one is open.")
                .output("EXISTING_PR_NUMBER", Number, "Its id.")
                .output("EXISTING_PR_URL", Text, "Its link."),
            write("create-pr", "Opens a pull request linked to work items, with reviewers.").real()
                .input("source_branch", Text, "The source branch.")
                .input("target_branch", Text, "The target branch.")
                .input("title", Text, "Its title.")
                .optional("description", Text, "Its description (Markdown).")
                .optional("work_items", List, "Work items to link.")
                .optional("reviewers", List, "Reviewers to ask.")
                .optional("draft", Boolean, "Open it as a draft.")
                .output("PR_NUMBER", Number, "Its id.")
                .output("PR_URL", Text, "Its link."),
            read("get-pr-details", "Reads a pull request.").real()
                .input("pr_id", Number, "The pull request.")
                .output("TITLE", Text, "Its title.")
                .output("SOURCE_BRANCH", Text, "Its source branch.")
                .output("TARGET_BRANCH", Text, "Its target branch.")
                .output("HAS_CONFLICTS", Boolean, "Whether it cannot merge cleanly.")
                .output("AUTHOR", Text, "Who opened it."),
            write("update-pr", "Changes a pull request's title, description or labels.").real()
                .input("pr_id", Number, "The pull request.")
                .optional("title", Text, "The new title.")
                .optional("description", Text, "The new description.")
                .optional("labels", List, "Labels to add.")
                .output("PR_NUMBER", Number, "Its id.")
                .output("PR_URL", Text, "Its link."),
            write("add-reviewers", "Adds reviewers to a pull request.").real()
                .input("pr_id", Number, "The pull request.")
                .input("reviewers", List, "The reviewers' identity ids.")
                .optional("required", Boolean, "Make them required reviewers."),
            write("update-pr-reviewer", "Records a reviewer's vote.").input("pr_id", Number, "The pull request."),
            write("reset-reviewer-votes", "Clears the votes after new pushes.").input("pr_id", Number, "The pull request."),
            write("create-pr-thread", "Comments on a pull request.").real()
                .input("pr_id", Number, "The pull request.")
                .optional("content", Text, "The comment."),
            read("get-pr-threads", "Reads a pull request's comment threads.").input("pr_id", Number, "The pull request."),
            write("reply-to-thread", "Answers a comment thread.")
                .input("pr_id", Number, "The pull request.")
                .input("thread_id", Number, "The thread."),
            read("get-pr-work-items", "Lists the work items a pull request links.")
                .input("pr_id", Number, "The pull request."),
            read("check-pr-policies", "Evaluates a pull request's branch policies (approvals, build).").real()
                .input("pr_id", Number, "The pull request.")
                .output("APPROVED", Boolean, "Whether every required policy passed.")
                .output("BUILD_STATUS", Text, "The build policy's status."),
            write("complete-pr", "Merges a pull request with a strategy (merge, squash, rebase).").real()
                .input("pr_id", Number, "The pull request.")
                .optional("merge_strategy", Text, "merge, squash or rebase (default merge).")
                .optional("delete_source_branch", Boolean, "Delete the source branch after.")
                .output("MERGED", Boolean, "Whether it merged.")
                .output("MERGE_COMMIT", Text, "The merge commit."),
            read("get-reviewer-load", "Counts open reviews per reviewer."),
            read("get-branch-policies", "Reads a branch's policies.").input("branch", Text, "The branch."),
            // Pipelines and releases.
            write("queue-build", "Queues a build of a definition on a branch.").optional("branch", Text, "The branch."),
            read("get-build-details", "Reads a build's result and failing stage."),
            read("get-test-results", "Reads recent test outcomes."),
            write("trigger-pipeline", "Starts a pipeline run.").input("pipeline", Text, "The pipeline."),
            write("trigger-deployment", "Deploys a build to an environment.")
                .input("environment", Text, "The environment."),
            read("check-deployment-status", "Tells whether a commit is deployed to an environment.")
                .input("environment", Text, "The environment."),
            write("update-variable-group", "Sets a variable in a variable group.")
                .input("group", Text, "The variable group.")
                .input("variable", Text, "The variable."),
            // Incidents and alerts.
            write("create-incident", "Opens an incident work item.").input("title", Text, "Its title."),
            write("update-incident", "Updates an incident.").input("incident_id", Text, "The incident."),
            write("create-alert", "Raises an alert.").input("title", Text, "Its title."),
            write("page-oncall", "Pages the on-call engineer.").input("message", Text, "The page."),
        ],
        effects: Effects::External,
        timeout: Duration::from_secs(120),
        retries: 3,
    }
}

/// The settings section `azure-devops`: where the organisation, project and repository are,
/// and the environment variable that holds the PAT (never the PAT itself).
#[cfg(feature = "run")]
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AzureDevOpsSettings {
    pub(crate) organization: String,
    pub(crate) project: String,
    pub(crate) repository: String,
    /// The service root; default the public service.
    #[serde(default)]
    pub(crate) base_url: Option<String>,
    /// The variable holding the PAT.
    #[serde(default = "default_token_env")]
    pub(crate) token_env: String,
}

#[cfg(feature = "run")]
fn default_token_env() -> String {
    forge::azure::AZURE_DEVOPS_TOKEN_ENV.to_owned()
}

/// The REST handler, when the settings have an `azure-devops` section; the operations not
/// marked real fail, saying they run only dry or simulated.
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    let Some(section) = settings.section::<AzureDevOpsSettings>(JOB_TYPE)? else { return Ok(None) };
    for (value, key) in
        [(&section.organization, "organization"), (&section.project, "project"), (&section.repository, "repository")]
    {
        if value.trim().is_empty() {
            return Err(crate::SettingsError::new(JOB_TYPE, format!("`{key}` is empty; give the {key} name")));
        }
    }
    Ok(Some(std::sync::Arc::new(crate::azure_devops::AzureDevOpsHandler::new(section))))
}
