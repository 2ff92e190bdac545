//! [`GitHandler`]: `git-operation` jobs performed with the `vcs` crate on the workspace's
//! repository.

mod request;

use std::path::PathBuf;

use async_trait::async_trait;
use serde_json::{Value, json};
use vcs::{
    ApplyOutcome, Backup, CherryPickOutcome, CommitOutcome, Git, MergeOutcome, MergeRequest, Repo, RevertOutcome,
    Staging, VcsError, Workspace,
};
use workers::{Job, JobHandler, JobOutcome, Variables};

use request::Request;

/// Performs `git-operation` jobs in one repository (the workspace) with `vcs`, pushing to and
/// fetching from one remote unless a step names another.
#[derive(Debug)]
pub(crate) struct GitHandler {
    pub(crate) git: Git,
    pub(crate) workspace: PathBuf,
    pub(crate) remote: String,
    /// The command guard's policy, which every line a patch adds must pass.
    pub(crate) policy: guard::Policy,
}

#[async_trait]
impl JobHandler for GitHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let step = format!("git-operation step `{}` ({})", job.element_id, job.header("operation").unwrap_or("?"));
        let request = match Request::read(job) {
            Ok(request) => request,
            Err(problem) => return JobOutcome::fail_without_retries(format!("{step}: {problem}")),
        };
        if let Request::ApplyPatch { patch } = &request
            && let guard::Verdict::Blocked { rule, reason, at } = self.policy.check_patch(patch)
        {
            return crate::shell::forbidden(job, rule.id(), &format!("the patch adds a command that {reason}"), &at);
        }
        match self.perform(request).await {
            Ok(Performed::Done(outputs)) => JobOutcome::complete_with(outputs),
            Ok(Performed::Refused(why)) => JobOutcome::fail_without_retries(format!("{step}: {why}")),
            Err(error) if retrying_may_help(&error) => JobOutcome::fail(job, format!("{step}: {error}")),
            Err(error) => JobOutcome::fail_without_retries(format!("{step}: {error}")),
        }
    }
}

/// How an operation that git ran ended.
enum Performed {
    /// Done: the step's outputs.
    Done(Variables),
    /// It stopped in a way retrying cannot change (e.g. a revert that conflicts).
    Refused(String),
}

/// Whether the error may go away on a retry: git failing or hanging (a remote away, a lock),
/// not an input or a working copy that needs a person.
fn retrying_may_help(error: &VcsError) -> bool {
    matches!(error, VcsError::GitFailed { .. } | VcsError::TimedOut { .. } | VcsError::GitUnavailable { .. })
}

/// The step's declared outputs as job variables.
fn outputs<const N: usize>(pairs: [(&str, Value); N]) -> Performed {
    Performed::Done(pairs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect())
}

/// The name of the first backup, or `null`.
fn first_backup(backups: &[Backup]) -> Value {
    backups.first().map_or(Value::Null, |backup| Value::String(backup.name.clone()))
}

impl GitHandler {
    async fn perform(&self, request: Request) -> Result<Performed, VcsError> {
        let repo = self.git.open(&Workspace::new(&self.workspace)?, &self.workspace).await?;
        let remote = self.remote.as_str();
        Ok(match request {
            Request::Checkout { branch } => {
                repo.checkout(&branch).await?;
                outputs([])
            }
            Request::FetchAndCheckout { branch, remote: from } => {
                repo.fetch_and_checkout(&branch, from.as_deref().unwrap_or(remote)).await?;
                outputs([])
            }
            Request::CreateBranch { branch, from, push } => {
                let created = repo.create_branch(&branch, &from, push.then_some(remote)).await?;
                outputs([("BRANCH_NAME", json!(created.branch.as_str()))])
            }
            Request::Commit { message, paths, push } => {
                let staging = if paths.is_empty() { Staging::All } else { Staging::Paths(paths) };
                match repo.commit(&message, &staging).await? {
                    CommitOutcome::NothingToCommit => {
                        outputs([("COMMITTED", json!(false)), ("COMMIT_HASH", Value::Null)])
                    }
                    CommitOutcome::Committed { hash, branch, .. } => {
                        if push {
                            let Some(branch) = branch else {
                                return Ok(Performed::Refused(format!(
                                    "committed {hash} on a detached HEAD, which cannot be pushed; check out a branch first"
                                )));
                            };
                            repo.push(remote, &branch).await?;
                        }
                        outputs([("COMMITTED", json!(true)), ("COMMIT_HASH", json!(hash))])
                    }
                }
            }
            Request::Push { branch } => {
                let Some(branch) = self.branch_or_current(&repo, branch).await? else {
                    return Ok(Performed::Refused(
                        "HEAD is detached and no `branch` was given; give the branch to push".to_owned(),
                    ));
                };
                repo.push(remote, &branch).await?;
                outputs([])
            }
            Request::Merge { source, target, strategy, push } => {
                let mut merge = MergeRequest::new(source, target, strategy);
                if push {
                    merge = merge.pushing_to(remote);
                }
                match repo.merge(&merge).await? {
                    MergeOutcome::Merged(merged) => outputs([
                        ("MERGED", json!(true)),
                        ("MERGE_COMMIT", json!(merged.head)),
                        ("CONFLICTS", json!([])),
                        ("BACKUP_BRANCH", first_backup(&merged.backups)),
                    ]),
                    MergeOutcome::Conflict(conflict) => outputs([
                        ("MERGED", json!(false)),
                        ("MERGE_COMMIT", Value::Null),
                        ("CONFLICTS", json!(conflict.files)),
                        ("BACKUP_BRANCH", first_backup(&conflict.backups)),
                    ]),
                }
            }
            Request::DetectConflicts { source, target } => {
                let report = repo.detect_conflicts(&source, &target).await?;
                outputs([("HAS_CONFLICTS", json!(!report.is_clean())), ("CONFLICTS", json!(report.files))])
            }
            Request::Revert { commit } => match repo.revert(&commit, Some(remote)).await? {
                RevertOutcome::Reverted { head, backup, .. } => {
                    outputs([("REVERT_COMMIT", json!(head)), ("BACKUP_BRANCH", json!(backup.name))])
                }
                RevertOutcome::Conflict(conflict) => Performed::Refused(format!(
                    "reverting {commit} conflicts in {}; the revert was aborted (old head kept on {}); revert it by hand or revert the later commits first",
                    conflict.files.join(", "),
                    conflict.backups.first().map_or("no backup", |backup| backup.name.as_str()),
                )),
            },
            Request::CherryPick { commit } => match repo.cherry_pick(&commit).await? {
                CherryPickOutcome::Applied { .. } => outputs([("CONFLICTS", json!([]))]),
                CherryPickOutcome::Conflict(conflict) => outputs([("CONFLICTS", json!(conflict.files))]),
            },
            Request::Tag { tag, commit, message } => {
                repo.tag(&tag, commit.as_deref().unwrap_or("HEAD"), message.as_deref(), Some(remote)).await?;
                outputs([])
            }
            Request::ApplyPatch { patch } if patch.is_empty() => outputs([
                ("APPLIED", json!(false)),
                ("FILES", json!([])),
                ("REJECTED_BECAUSE", json!("the patch is empty")),
            ]),
            Request::ApplyPatch { patch } => match repo.apply_patch(&patch).await? {
                ApplyOutcome::Applied { files } => {
                    outputs([("APPLIED", json!(true)), ("FILES", json!(files)), ("REJECTED_BECAUSE", Value::Null)])
                }
                ApplyOutcome::Rejected { reason } => {
                    outputs([("APPLIED", json!(false)), ("FILES", json!([])), ("REJECTED_BECAUSE", json!(reason))])
                }
            },
            Request::DeleteRemoteBranch { branch, remote: on } => {
                let deleted = repo.delete_remote_branch(on.as_deref().unwrap_or(remote), &branch).await?;
                outputs([("BACKUP_BRANCH", json!(deleted.backup.name))])
            }
        })
    }

    /// `branch`, or the one checked out (`None` on a detached HEAD).
    async fn branch_or_current(&self, repo: &Repo, branch: Option<String>) -> Result<Option<String>, VcsError> {
        match branch {
            Some(branch) => Ok(Some(branch)),
            None => repo.current_branch().await,
        }
    }
}
