//! The real `git-operation` handler on temporary repositories: a bare remote and a clone of it
//! as the workspace, checked with a raw git.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use actions::{DryRunHandler, Settings};
use serde_json::{Value, json};
use tempfile::TempDir;
use workers::{Job, JobHandler, JobOutcome};

/// A bare remote with `README.md` on `main`, cloned as the workspace.
struct Fixture {
    _dir: TempDir,
    remote: PathBuf,
    workspace: PathBuf,
    handler: Arc<dyn JobHandler>,
}

fn raw(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git").current_dir(dir).args(args).env("GIT_CONFIG_NOSYSTEM", "1").output().unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with_section(json!({"author": {"name": "Dev Persona", "email": "dev@example.test"}}))
    }

    fn with_section(section: Value) -> Fixture {
        let dir = TempDir::with_prefix("git-operation-").unwrap();
        let remote = dir.path().join("remote.git");
        let workspace = dir.path().join("app");
        raw(dir.path(), &["init", "--quiet", "--bare", "--initial-branch=main", "remote.git"]);
        raw(dir.path(), &["clone", "--quiet", "remote.git", "app"]);
        for (key, value) in [("user.name", "Setup"), ("user.email", "setup@example.test")] {
            raw(&workspace, &["config", key, value]);
        }
        std::fs::write(workspace.join("README.md"), "hello\n").unwrap();
        raw(&workspace, &["add", "README.md"]);
        raw(&workspace, &["commit", "--quiet", "-m", "docs: add the readme"]);
        raw(&workspace, &["push", "--quiet", "origin", "main"]);
        let handler = handler(&workspace, section).expect("a real git handler");
        Fixture { _dir: dir, remote, workspace, handler }
    }

    async fn run(&self, operation: &str, parameters: Value) -> JobOutcome {
        self.handler.handle(&job(operation, parameters)).await
    }

    async fn outputs(&self, operation: &str, parameters: Value) -> serde_json::Map<String, Value> {
        match self.run(operation, parameters).await {
            JobOutcome::Complete { variables } => variables,
            other => panic!("{operation} did not complete: {other:?}"),
        }
    }

    fn here(&self, args: &[&str]) -> String {
        raw(&self.workspace, args)
    }

    fn on_remote(&self, args: &[&str]) -> String {
        raw(&self.remote, args)
    }

    fn write(&self, file: &str, content: &str) {
        std::fs::write(self.workspace.join(file), content).unwrap();
    }
}

/// The handler the catalogue binds to `git-operation` for this workspace and section.
fn handler(workspace: &Path, section: Value) -> Option<Arc<dyn JobHandler>> {
    let settings = Settings {
        workspace: Some(workspace.to_owned()),
        sections: BTreeMap::from([("git-operation".to_owned(), section)]),
        ..Settings::default()
    };
    let fallback: Arc<dyn JobHandler> = Arc::new(DryRunHandler);
    let binding = actions::bindings(&settings, &fallback, |_| true)
        .unwrap()
        .into_iter()
        .find(|binding| binding.spec.job_type == "git-operation")?;
    binding.real.then_some(binding.handler)
}

fn job(operation: &str, parameters: Value) -> Job {
    Job {
        job_type: "git-operation".into(),
        key: 7,
        element_id: "create-new".into(),
        element_instance_key: 1,
        bpmn_process_id: "wf3-branch-creation".into(),
        process_definition_key: 1,
        process_instance_key: 1,
        variables: workers::Variables::from_iter([("parameters".to_owned(), parameters)]),
        custom_headers: BTreeMap::from([("operation".to_owned(), operation.to_owned())]),
        retries: 3,
        deadline: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        worker: "test".into(),
    }
}

fn failure(outcome: JobOutcome) -> (String, i32) {
    match outcome {
        JobOutcome::Fail { message, retries, .. } => (message, retries),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn create_branch_commit_and_push_land_on_the_remote_with_the_configured_author() {
    let f = Fixture::new();
    let created = f.outputs("create-branch", json!({"branch": "feature/42-export", "from": "origin/main"})).await;
    assert_eq!(created["BRANCH_NAME"], "feature/42-export");
    assert_eq!(f.here(&["branch", "--show-current"]), "feature/42-export");

    f.write("export.txt", "csv\n");
    let committed = f.outputs("commit", json!({"message": "feat(export): export as CSV\n\nAB#42", "push": true})).await;
    assert_eq!(committed["COMMITTED"], true);
    let hash = committed["COMMIT_HASH"].as_str().unwrap();
    assert_eq!(f.on_remote(&["rev-parse", "refs/heads/feature/42-export"]), hash);
    assert_eq!(
        f.on_remote(&["log", "-1", "--format=%s|%an <%ae>", hash]),
        "feat(export): export as CSV|Dev Persona <dev@example.test>"
    );

    let nothing = f.outputs("commit", json!({"message": "chore: nothing"})).await;
    assert_eq!(nothing["COMMITTED"], false);
    assert_eq!(nothing["COMMIT_HASH"], Value::Null);
    assert_eq!(f.here(&["rev-parse", "HEAD"]), hash, "no empty commit");
}

#[tokio::test]
async fn checkout_push_and_fetch_and_checkout_move_between_branches() {
    let f = Fixture::new();
    f.outputs("create-branch", json!({"branch": "bugfix/9-typo", "push": "true"})).await;
    assert!(!f.on_remote(&["rev-parse", "refs/heads/bugfix/9-typo"]).is_empty());
    f.outputs("checkout", json!({"branch": "main"})).await;
    assert_eq!(f.here(&["branch", "--show-current"]), "main");

    f.write("notes.txt", "n\n");
    f.outputs("commit", json!({"message": "docs: notes", "paths": ["notes.txt"]})).await;
    f.outputs("push", json!({})).await;
    assert_eq!(f.on_remote(&["rev-parse", "main"]), f.here(&["rev-parse", "HEAD"]));

    // Someone else's branch, pushed straight to the remote.
    let other = f.on_remote(&["rev-parse", "main"]);
    f.on_remote(&["branch", "feature/10-theirs", &other]);
    f.outputs("fetch-and-checkout", json!({"branch": "feature/10-theirs", "remote": "origin"})).await;
    assert_eq!(f.here(&["branch", "--show-current"]), "feature/10-theirs");

    let (message, retries) = failure(f.run("checkout", json!({"branch": "feature/11-none"})).await);
    assert_eq!(retries, 0, "{message}");
    assert!(message.contains("create-new") && message.contains("no local branch"), "{message}");
}

#[tokio::test]
async fn merge_pushes_with_a_backup_and_a_conflict_is_an_outcome_not_a_failure() {
    let f = Fixture::new();
    let old_main = f.here(&["rev-parse", "main"]);
    f.outputs("create-branch", json!({"branch": "feature/1-a"})).await;
    f.write("README.md", "from a\n");
    f.outputs("commit", json!({"message": "feat: a"})).await;
    f.outputs("checkout", json!({"branch": "main"})).await;
    f.outputs("create-branch", json!({"branch": "feature/2-b"})).await;
    f.write("README.md", "from b\n");
    f.outputs("commit", json!({"message": "feat: b"})).await;

    let probe = f.outputs("detect-conflicts", json!({"source": "feature/2-b", "target": "feature/1-a"})).await;
    assert_eq!(probe["HAS_CONFLICTS"], true);
    assert_eq!(probe["CONFLICTS"], json!(["README.md"]));
    let clean = f.outputs("detect-conflicts", json!({"source": "feature/1-a", "target": "main"})).await;
    assert_eq!((clean["HAS_CONFLICTS"].clone(), clean["CONFLICTS"].clone()), (json!(false), json!([])));

    let merged = f.outputs("merge", json!({"source": "feature/1-a", "target": "main", "strategy": "squash"})).await;
    assert_eq!(merged["MERGED"], true);
    let head = merged["MERGE_COMMIT"].as_str().unwrap();
    assert_eq!(f.on_remote(&["rev-parse", "main"]), head);
    let backup = merged["BACKUP_BRANCH"].as_str().unwrap();
    assert!(backup.starts_with("backup/pre-orchestration-"), "{backup}");
    assert_eq!(f.on_remote(&["rev-parse", &format!("refs/heads/{backup}")]), old_main);

    let conflicted = f.outputs("merge", json!({"source": "feature/2-b", "target": "main"})).await;
    assert_eq!(conflicted["MERGED"], false);
    assert_eq!(conflicted["CONFLICTS"], json!(["README.md"]));
    assert_eq!(f.on_remote(&["rev-parse", "main"]), head, "a conflict changes nothing on the remote");
    assert!(f.here(&["status", "--porcelain"]).is_empty());
}

#[tokio::test]
async fn revert_cherry_pick_tag_and_delete_remote_branch() {
    let f = Fixture::new();
    f.outputs("create-branch", json!({"branch": "feature/3-c", "push": true})).await;
    f.write("c.txt", "c\n");
    let picked = f.outputs("commit", json!({"message": "feat: c", "push": true})).await["COMMIT_HASH"].clone();
    f.outputs("checkout", json!({"branch": "main"})).await;

    let picked_out = f.outputs("cherry-pick", json!({"commit": picked})).await;
    assert_eq!(picked_out["CONFLICTS"], json!([]));
    assert_eq!(f.here(&["show", "HEAD:c.txt"]), "c");

    let reverted = f.outputs("revert", json!({"commit": "HEAD"})).await;
    let revert_commit = reverted["REVERT_COMMIT"].as_str().unwrap();
    assert_eq!(f.on_remote(&["rev-parse", "main"]), revert_commit);
    assert!(reverted["BACKUP_BRANCH"].as_str().unwrap().starts_with("backup/pre-orchestration-"));
    assert!(!f.workspace.join("c.txt").exists());

    f.outputs("tag", json!({"tag_name": "v1.0.0", "message": "first release"})).await;
    assert_eq!(f.on_remote(&["rev-parse", "v1.0.0^{commit}"]), revert_commit);

    let branch_head = f.on_remote(&["rev-parse", "feature/3-c"]);
    let deleted = f.outputs("delete-remote-branch", json!({"branch": "feature/3-c"})).await;
    let backup = deleted["BACKUP_BRANCH"].as_str().unwrap();
    assert!(f.on_remote(&["branch", "--list", "feature/3-c"]).is_empty());
    assert_eq!(f.on_remote(&["rev-parse", &format!("refs/heads/{backup}")]), branch_head);
}

#[tokio::test]
async fn invalid_inputs_fail_without_retries_naming_the_step_and_the_fix() {
    let f = Fixture::new();
    let cases = [
        ("create-branch", json!({"branch": "Feature/x y"}), "input `branch`"),
        ("commit", json!({"message": "added stuff"}), "input `message`"),
        ("merge", json!({"source": "main", "target": "main", "strategy": "octopus"}), "use merge, squash or rebase"),
        ("merge", json!({"source": "main"}), "input `target` is missing"),
        ("commit", json!({"message": "feat: x", "push": "yes"}), "give true or false"),
        ("rebase-everything", json!({}), "is not a git operation; use one of checkout"),
        ("revert", json!({"commit": "--hard"}), "commit `--hard` cannot be used"),
    ];
    for (operation, parameters, expected) in cases {
        let (message, retries) = failure(f.run(operation, parameters).await);
        assert_eq!(retries, 0, "{operation}: {message}");
        assert!(message.starts_with(&format!("git-operation step `create-new` ({operation})")), "{message}");
        assert!(message.contains(expected), "{operation}: {message}");
    }
    let mut no_operation = job("x", json!({}));
    no_operation.custom_headers.clear();
    let (message, retries) = failure(f.handler.handle(&no_operation).await);
    assert_eq!(retries, 0);
    assert!(message.contains("give the step `operation:`"), "{message}");
}

#[tokio::test]
async fn a_git_failure_is_retried() {
    let f = Fixture::new();
    std::fs::remove_dir_all(&f.remote).unwrap();
    let (message, retries) = failure(f.run("fetch-and-checkout", json!({"branch": "main"})).await);
    assert_eq!(retries, 2, "one retry used: {message}");
    assert!(message.contains("git-operation step `create-new` (fetch-and-checkout)"), "{message}");
}

#[test]
fn settings_choose_whether_and_how_git_runs_for_real() {
    let dir = TempDir::new().unwrap();
    let fallback: Arc<dyn JobHandler> = Arc::new(DryRunHandler);
    let no_workspace = actions::bindings(&Settings::default(), &fallback, |_| true).unwrap();
    assert!(no_workspace.iter().any(|b| b.spec.job_type == "git-operation" && !b.real));
    assert!(handler(dir.path(), json!({})).is_some(), "the section is optional");
    for (section, expected) in [
        (json!({"author": {"name": "x"}}), "missing field `email`"),
        (json!({"author": {"name": "a<b", "email": "e@x"}}), "git identity"),
        (json!({"remote": "--upload-pack=x"}), "not a remote name"),
        (json!({"branch": "main"}), "unknown field `branch`"),
    ] {
        let settings = Settings {
            workspace: Some(dir.path().to_owned()),
            sections: BTreeMap::from([("git-operation".to_owned(), section)]),
            ..Settings::default()
        };
        let error = actions::bindings(&settings, &fallback, |_| true).err().expect("a settings error");
        assert_eq!(error.action, "git-operation");
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[tokio::test]
async fn apply_patch_changes_the_working_tree_or_says_why_not() {
    let f = Fixture::new();
    let patch = "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-hello\n+hello, world\n";
    let applied = f.outputs("apply-patch", json!({"patch": patch})).await;
    assert_eq!(applied["APPLIED"], true, "{applied:?}");
    assert_eq!(applied["FILES"], json!(["README.md"]));
    assert_eq!(std::fs::read_to_string(f.workspace.join("README.md")).unwrap(), "hello, world\n");

    let again = f.outputs("apply-patch", json!({"patch": patch})).await;
    assert_eq!(again["APPLIED"], false, "{again:?}");
    assert!(again["REJECTED_BECAUSE"].as_str().is_some_and(|why| why.contains("README.md")), "{again:?}");
    let empty = f.outputs("apply-patch", json!({"patch": ""})).await;
    assert_eq!(empty["REJECTED_BECAUSE"], "the patch is empty");
}

#[tokio::test]
async fn a_patch_that_adds_a_forbidden_command_is_refused_before_it_is_applied() {
    let f = Fixture::new();
    let patch =
        "--- /dev/null\n+++ b/deploy.sh\n@@ -0,0 +1,2 @@\n+echo deploying\n+kubectl delete namespace production\n";
    let JobOutcome::Error { code, message, variables } = f.run("apply-patch", json!({"patch": patch})).await else {
        panic!("not refused")
    };
    assert_eq!(code, actions::FORBIDDEN_COMMAND);
    assert!(message.starts_with("kubectl-delete-namespace"), "{message}");
    assert_eq!(variables["forbidden"]["at"], "deploy.sh:2: kubectl delete namespace production");
    assert!(!f.workspace.join("deploy.sh").exists(), "nothing was applied");
}
