//! Repository starts on a real temporary git repository: each new commit on the branch starts
//! one instance with its sha, author, message and changed files, whether polled or pushed by a
//! webhook, and a commit delivered again (also after reopening the store) starts nothing.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use engine::history::History;
use engine::store::{SqliteStore, read_entries};
use engine::testing::model::ProcessBuilder;
use engine::{EngineCore, VirtualClock};
use serde_json::{Value, json};
use server::repo_starts::{Commit, CommitStarts, RepoWatcher, commits_from_push};

fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn commit(repo: &Path, file: &str, message: &str) -> String {
    std::fs::write(repo.join(file), message).expect("writes");
    git(repo, &["add", file]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

fn new_repo(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir(&repo).expect("folder");
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "README.md", "first");
    repo
}

fn open(path: &Path) -> EngineCore {
    let store = SqliteStore::open(path).expect("the store opens");
    let mut core = EngineCore::open(Box::new(store), Arc::new(VirtualClock::default())).expect("the engine opens");
    let model = ProcessBuilder::new("on-commit").start("s").service_task("test", "run-tests").end("e").build();
    core.deploy_model("on-commit.bpmn", &model).expect("deploys");
    core
}

fn history(path: &Path) -> History {
    let mut store = SqliteStore::open_read_only(path).expect("the store opens to read");
    History::fold(read_entries(&mut store).expect("the log reads"))
}

#[test]
fn two_commits_start_two_instances_and_a_redelivered_one_starts_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = new_repo(dir.path());
    let store = dir.path().join("engine.db");
    let mut core = open(&store);
    let mut starts = CommitStarts::new("on-commit");
    let mut watcher = RepoWatcher::new(&repo, "main", None).expect("watches main");
    assert_eq!(watcher.poll().expect("polls"), [], "the commits there before watching are not new");

    let first = commit(&repo, "src.rs", "add the source\n\nwith a body");
    std::fs::remove_file(repo.join("README.md")).expect("removes");
    git(&repo, &["rm", "-q", "README.md"]);
    let second = commit(&repo, "lib.rs", "add the library");
    let polled = watcher.poll().expect("polls");
    assert_eq!(polled.iter().map(|c| c.sha.as_str()).collect::<Vec<_>>(), [first.as_str(), second.as_str()]);
    assert_eq!(polled[0].author, "Ada <ada@example.org>");
    assert_eq!(polled[0].message, "add the source\n\nwith a body");
    assert_eq!(polled[0].changed_files, ["src.rs"]);
    assert_eq!(polled[1].changed_files, ["README.md", "lib.rs"], "a removed file counts as changed");

    let mut instances = Vec::new();
    for c in &polled {
        instances
            .push(starts.start(&mut core, c).expect("starts").expect("a new commit starts one").process_instance_key);
    }
    assert_eq!(core.variable(instances[0], "sha"), Some(json!(first)));
    assert_eq!(core.variable(instances[1], "changed_files"), Some(json!(["README.md", "lib.rs"])));
    assert_eq!(core.variable(instances[1], "author"), Some(json!("Ada <ada@example.org>")));
    let inputs = core.variable(instances[1], "inputs").expect("the inputs of a YAML workflow");
    assert_eq!((&inputs["SHA"], &inputs["CHANGED_FILES"]), (&json!(second), &json!(["README.md", "lib.rs"])));
    assert_eq!(watcher.poll().expect("polls"), [], "nothing new");
    assert_eq!(starts.start(&mut core, &polled[1]).expect("no error"), None, "delivered twice: started once");
    drop(core);

    // After a restart the store remembers which commits started an instance.
    let mut core = open(&store);
    let mut reopened = CommitStarts::from_history("on-commit", &history(&store));
    assert_eq!(reopened.last_started(), Some(second.as_str()));
    assert_eq!(reopened.start(&mut core, &polled[0]).expect("no error"), None);
    let mut watcher = RepoWatcher::new(&repo, "main", reopened.last_started()).expect("watches main");
    let third = commit(&repo, "more.rs", "more");
    let polled = watcher.poll().expect("polls");
    assert_eq!(polled.iter().map(|c| c.sha.as_str()).collect::<Vec<_>>(), [third.as_str()]);
    assert!(reopened.start(&mut core, &polled[0]).expect("starts").is_some());
    drop(core);
    let started = history(&store).instances().filter(|i| i.bpmn_process_id == "on-commit").count();
    assert_eq!(started, 3, "three commits, three instances, none twice");
}

fn push_payload(commits: &[Commit]) -> Value {
    let commits: Vec<Value> = commits
        .iter()
        .map(|c| {
            json!({"id": c.sha, "message": c.message, "author": {"name": "Ada", "email": "ada@example.org", "username": "ada"},
                   "added": c.changed_files, "removed": [], "modified": []})
        })
        .collect();
    json!({"ref": "refs/heads/main", "before": "0000", "after": "ffff", "commits": commits})
}

#[test]
fn a_push_webhook_starts_the_same_way_and_a_polled_commit_pushed_again_starts_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = new_repo(dir.path());
    let mut core = open(&dir.path().join("engine.db"));
    let mut starts = CommitStarts::new("on-commit");
    let mut watcher = RepoWatcher::new(&repo, "main", None).expect("watches main");
    commit(&repo, "a.rs", "polled");
    let polled = watcher.poll().expect("polls");
    assert!(starts.start(&mut core, &polled[0]).expect("starts").is_some());

    let pushed = Commit {
        sha: "1111111111111111111111111111111111111111".into(),
        author: "Ada <ada@example.org>".into(),
        message: "pushed".into(),
        changed_files: vec!["b.rs".into()],
    };
    let payload = push_payload(&[polled[0].clone(), pushed.clone()]);
    let (branch, commits) = commits_from_push(&payload).expect("a push payload");
    assert_eq!(branch.as_deref(), Some("main"));
    assert_eq!(commits[1], pushed);
    let created: Vec<bool> = commits.iter().map(|c| starts.start(&mut core, c).expect("no error").is_some()).collect();
    assert_eq!(created, [false, true], "the polled commit is not started again");
    let again = commits_from_push(&payload).expect("a push payload").1;
    assert!(again.iter().all(|c| starts.start(&mut core, c).expect("no error").is_none()), "a redelivery starts none");
}

#[test]
fn bad_repositories_branches_payloads_and_processes_are_errors_that_say_what() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = RepoWatcher::new(dir.path().join("nowhere"), "main", None).expect_err("no repository");
    assert!(missing.contains("nowhere") && missing.contains("check the path"), "{missing}");
    let repo = new_repo(dir.path());
    let branch = RepoWatcher::new(&repo, "develop", None).expect_err("no branch");
    assert!(branch.contains("no branch 'develop'"), "{branch}");

    for (payload, says) in [
        (json!({"commits": []}), "no `ref`"),
        (json!({"ref": "refs/heads/main"}), "no `commits` list"),
        (json!({"ref": "refs/heads/main", "commits": [{"message": "m", "author": {}}]}), "`commits[0].id`"),
        (json!({"ref": "refs/heads/main", "commits": [{"id": "a", "message": "m"}]}), "`commits[0].author`"),
    ] {
        let error = commits_from_push(&payload).expect_err(says);
        assert!(error.contains(says), "{error}");
    }
    let (tag, _) = commits_from_push(&json!({"ref": "refs/tags/v1", "commits": []})).expect("a tag push");
    assert_eq!(tag, None);

    let mut core = EngineCore::new();
    let mut starts = CommitStarts::new("not-deployed");
    let commit = Commit { sha: "abc".into(), author: "Ada".into(), message: "m".into(), changed_files: vec![] };
    let error = starts.start(&mut core, &commit).expect_err("no such process");
    assert!(error.to_string().contains("not-deployed"), "{error}");
    assert!(!starts.has_started("abc"), "a failed start is not remembered as started");
}
