//! `git-operation`: branches, commits, pushes, merges and reverts in the project's repository.

use std::time::Duration;

use crate::shape::Shape::{Boolean, List, String as Text};
use crate::spec::{ActionSpec, Effects, Operation};

/// The job type of git steps.
pub const JOB_TYPE: &str = "git-operation";

/// The spec.
pub fn spec() -> ActionSpec {
    let op = |name, effects, summary| Operation::new(name, effects, summary);
    let local = Effects::Workspace;
    let remote = Effects::External;
    ActionSpec {
        name: "git-operation",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "A git operation on the project's working copy; destructive ones first save the old head on a `backup/pre-orchestration-<time>` branch.",
        fields: Vec::new(),
        outputs: Vec::new(),
        operations: vec![
            op("checkout", local, "Switches to a local branch.").real().input("branch", Text, "The branch."),
            op("fetch-and-checkout", remote, "Fetches a branch from the remote and switches to it.").real()
                .input("branch", Text, "The branch.")
                .optional("remote", Text, "The remote (default origin)."),
            op("create-branch", local, "Creates `<type>/<work item>-<slug>` from a start point and switches to it.").real()
                .input("branch", Text, "The new branch's name.")
                .optional("from", Text, "The start point (default HEAD).")
                .optional("push", Boolean, "Push it with upstream tracking.")
                .output("BRANCH_NAME", Text, "The branch."),
            op("commit", local, "Commits staged or given paths with a conventional-commit message.").real()
                .input("message", Text, "`type(scope): subject`, optionally a body and `AB#<id>`.")
                .optional("paths", List, "Paths to stage (default all changes).")
                .optional("push", Boolean, "Push the branch afterwards.")
                .output("COMMITTED", Boolean, "False when there was nothing to commit.")
                .output("COMMIT_HASH", Text, "The new commit."),
            op("push", remote, "Pushes the current branch with upstream tracking.").real()
                .optional("branch", Text, "The branch (default the current one)."),
            op("merge", remote, "Merges a branch into a target with the merge, squash or rebase strategy.").real()
                .input("source", Text, "The branch to merge.")
                .input("target", Text, "The branch to merge into.")
                .optional("strategy", Text, "merge, squash or rebase (default merge).")
                .optional("push", Boolean, "Push the target and the backups (default true).")
                .output("MERGED", Boolean, "False when it conflicted.")
                .output("MERGE_COMMIT", Text, "The target's new head.")
                .output("CONFLICTS", List, "Conflicting files, when it conflicted.")
                .output("BACKUP_BRANCH", Text, "The branch holding the target's old head."),
            op("detect-conflicts", Effects::None, "Lists the files a merge would conflict in, changing nothing.").real()
                .input("source", Text, "The branch to merge.")
                .input("target", Text, "The branch to merge into.")
                .output("HAS_CONFLICTS", Boolean, "Whether any file conflicts.")
                .output("CONFLICTS", List, "The conflicting files."),
            op("revert", remote, "Reverts a commit (a merge against its first parent) on the current branch.").real()
                .input("commit", Text, "The commit.")
                .output("REVERT_COMMIT", Text, "The new commit.")
                .output("BACKUP_BRANCH", Text, "The branch holding the old head."),
            op("cherry-pick", local, "Applies a commit onto the current branch.").real()
                .input("commit", Text, "The commit.")
                .output("CONFLICTS", List, "Conflicting files, when it conflicted."),
            op("tag", remote, "Tags a commit and pushes the tag.").real()
                .input("tag_name", Text, "The tag.")
                .optional("commit", Text, "The commit (default HEAD).")
                .optional("message", Text, "An annotation."),
            op("delete-remote-branch", remote, "Deletes a branch on the remote, after backing it up.").real()
                .input("branch", Text, "The branch.")
                .optional("remote", Text, "The remote (default origin).")
                .output("BACKUP_BRANCH", Text, "The branch holding its old head."),
            op("apply-patch", local, "Applies a unified diff to the working tree, all or nothing, once the command guard passes every line it adds (a blocked line throws FORBIDDEN_COMMAND).").real()
                .input("patch", Text, "The unified diff, paths relative to the repository root.")
                .output("APPLIED", Boolean, "False when it is empty or does not apply; nothing changed then.")
                .output("FILES", List, "The files it changed.")
                .output("REJECTED_BECAUSE", Text, "Why it did not apply."),
        ],
        effects: Effects::External,
        timeout: Duration::from_secs(300),
        retries: 3,
    }
}

/// The settings section `git-operation`: who commits, and the remote pushed to and fetched
/// from (default `origin`). Without it, commits are made as `persona-orchestrator`.
#[cfg(feature = "run")]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GitSettings {
    author: Option<Author>,
    remote: Option<String>,
}

/// The commit author (and committer).
#[cfg(feature = "run")]
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Author {
    name: String,
    email: String,
}

/// The git handler, working in the settings' workspace (the repository), when there is one.
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    let Some(workspace) = &settings.workspace else { return Ok(None) };
    let section = settings.section::<GitSettings>(JOB_TYPE)?.unwrap_or_default();
    let invalid = |e: vcs::VcsError| crate::SettingsError::new(JOB_TYPE, e.to_string());
    let author = section.author.unwrap_or(Author {
        name: "persona-orchestrator".to_owned(),
        email: "persona-orchestrator@localhost".to_owned(),
    });
    let git = vcs::Git::new(vcs::Identity::new(&author.name, &author.email).map_err(invalid)?).map_err(invalid)?;
    let remote = section.remote.unwrap_or_else(|| "origin".to_owned());
    if remote.is_empty() || remote.starts_with('-') || remote.contains(char::is_whitespace) {
        return Err(crate::SettingsError::new(JOB_TYPE, format!("remote `{remote}` is not a remote name; give one such as origin")));
    }
    let policy = settings.shell_options()?.map_or_else(|| guard::Policy::new(&workspace.to_string_lossy()), |o| o.policy);
    Ok(Some(std::sync::Arc::new(crate::git::GitHandler { git, workspace: workspace.clone(), remote, policy })))
}
