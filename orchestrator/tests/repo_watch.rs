//! `run --watch-repo DIR --branch main --on-commit PROCESS` on a real temporary repository:
//! two commits start two instances, and a restarted run starts none for them again.

mod support;

use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use serde_json::json;
use support::{Workdir, model, spawn_with_lines, wait_for};

fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn commit(repo: &Path, file: &str) {
    std::fs::write(repo.join(file), file).expect("writes");
    git(repo, &["add", file]);
    git(repo, &["commit", "-q", "-m", &format!("add {file}")]);
}

/// The run, and its output lines as they come.
fn watch(dir: &Workdir, repo: &Path) -> (Child, Receiver<String>) {
    let on_commit = model("on-commit.yaml").display().to_string();
    let repo = repo.display().to_string();
    let args = ["run", "--deploy", &on_commit, "--watch-repo", &repo, "--branch", "main", "--on-commit", "on-commit"];
    spawn_with_lines(dir.command(&args))
}

fn on_commit_instances(dir: &Workdir) -> usize {
    let listed = dir.json(&["status"]);
    listed["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .filter(|i| i["bpmn_process_id"] == json!("on-commit"))
        .count()
}

#[test]
fn each_new_commit_starts_one_instance_and_a_restart_starts_none_again() {
    let dir = Workdir::new();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).expect("folder");
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "README.md");

    let (mut run, lines) = watch(&dir, &repo);
    wait_for(&lines, "watching", 1);
    commit(&repo, "a.rs");
    commit(&repo, "b.rs");
    let started = wait_for(&lines, "started on-commit", 2);
    run.kill().expect("stops the run");
    run.wait().expect("the run ends");
    assert!(started.iter().all(|l| l.starts_with("commit ")), "{started:?}");
    assert_eq!(on_commit_instances(&dir), 2, "two commits, two instances");

    // Restarted, it picks up after the last started commit: nothing again, the next one once.
    let (mut run, lines) = watch(&dir, &repo);
    wait_for(&lines, "watching", 1);
    commit(&repo, "c.rs");
    let started = wait_for(&lines, "started on-commit", 1);
    std::thread::sleep(Duration::from_millis(1500));
    run.kill().expect("stops the run");
    run.wait().expect("the run ends");
    let late: Vec<String> = lines.try_iter().filter(|l| l.contains("started on-commit")).collect();
    assert!(late.is_empty(), "only the new commit started: {started:?} then {late:?}");
    assert_eq!(on_commit_instances(&dir), 3);
}

#[test]
fn a_missing_branch_is_a_usage_error() {
    let dir = Workdir::new();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).expect("folder");
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "README.md");
    let repo = repo.display().to_string();
    let args = ["run", "--watch-repo", &repo, "--branch", "develop", "--on-commit", "on-commit"];
    let failed = dir.run(&args).expect_code(2);
    assert!(failed.stderr.contains("no branch 'develop'"), "{}", failed.stderr);
    let without = dir.run(&["run", "--watch-repo", &repo]).expect_code(2);
    assert!(without.stderr.contains("--on-commit"), "clap names what is missing: {}", without.stderr);
}
