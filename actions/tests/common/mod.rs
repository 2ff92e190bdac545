//! Shared by the REST action tests: the token in the environment (by re-running a test in a
//! child process that has it: setting variables in-process needs `unsafe`, forbidden here),
//! handlers built from a settings section, jobs, and bare git repositories.

#![allow(dead_code, reason = "each test file uses its own part of these helpers")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use actions::Settings;
use serde_json::Value;
use tempfile::TempDir;
use workers::{Job, JobHandler, JobOutcome, Variables};

/// The variable the handlers read the token from in these tests.
pub const TOKEN_ENV: &str = "ACTIONS_TEST_FORGE_TOKEN";
/// Its value, which must never show in a failure message or `Debug` output.
pub const TOKEN: &str = "actions-test-pat-5ecret-value";

/// True when this process has [`TOKEN_ENV`]; otherwise runs the test `name` alone in a child
/// process that has it, asserts that it passed, and returns false (the caller returns).
pub fn with_token(name: &str) -> bool {
    if std::env::var(TOKEN_ENV).is_ok() {
        return true;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(TOKEN_ENV, TOKEN)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "test {name} with {TOKEN_ENV} set:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    false
}

/// Runs the rest of the test only in a process that has the token (see [`with_token`]).
#[macro_export]
macro_rules! with_token {
    ($name:ident) => {
        if !common::with_token(stringify!($name)) {
            return;
        }
    };
}

/// The real handler of `action` under the settings section `section`.
pub fn handler(action: &str, section: Value) -> Arc<dyn JobHandler> {
    let settings = Settings { sections: BTreeMap::from([(action.to_owned(), section)]), ..Settings::default() };
    let fallback: Arc<dyn JobHandler> = Arc::new(workers::handler_fn(|_job: Job| async { JobOutcome::complete() }));
    let binding = actions::bindings(&settings, &fallback, |_| true)
        .unwrap()
        .into_iter()
        .find(|binding| binding.spec.name == action)
        .unwrap();
    assert!(binding.real, "{action} has a real handler under {settings:?}");
    binding.handler
}

/// A job of `action`'s operation `operation` with `parameters`, and the `outputs` header when given.
pub fn job(action: &str, operation: &str, parameters: Value, outputs: Option<&str>) -> Job {
    let mut headers = BTreeMap::from([("operation".to_owned(), operation.to_owned())]);
    if let Some(outputs) = outputs {
        headers.insert("outputs".into(), outputs.into());
    }
    Job {
        job_type: action.into(),
        key: 7,
        element_id: format!("step-{operation}"),
        element_instance_key: 1,
        bpmn_process_id: "flow".into(),
        process_definition_key: 1,
        process_instance_key: 1,
        variables: Variables::from_iter([("parameters".to_owned(), parameters)]),
        custom_headers: headers,
        retries: 3,
        deadline: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        worker: "test".into(),
    }
}

/// The variables of a completed job; panics with the outcome otherwise.
pub fn completed(outcome: JobOutcome) -> Variables {
    match outcome {
        JobOutcome::Complete { variables } => variables,
        other => panic!("expected the job to complete, got {other:?}"),
    }
}

/// The message and retries left of a failed job; panics with the outcome otherwise.
pub fn failed(outcome: &JobOutcome) -> (String, i32) {
    match outcome {
        JobOutcome::Fail { message, retries, .. } => (message.clone(), *retries),
        other => panic!("expected the job to fail, got {other:?}"),
    }
}

/// A bare repository with `main` (one commit) and a working clone to add branches from.
pub struct Repo {
    _dir: TempDir,
    pub bare: PathBuf,
    work: PathBuf,
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.invalid")
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

impl Repo {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("origin.git");
        let work = dir.path().join("work");
        git(dir.path(), &["init", "--quiet", "--bare", "--initial-branch=main", bare.to_str().unwrap()]);
        git(dir.path(), &["clone", "--quiet", bare.to_str().unwrap(), work.to_str().unwrap()]);
        git(&work, &["checkout", "--quiet", "-b", "main"]);
        std::fs::write(work.join("README.md"), "shop\n").unwrap();
        git(&work, &["add", "."]);
        git(&work, &["commit", "--quiet", "-m", "Initial commit"]);
        git(&work, &["push", "--quiet", "origin", "main"]);
        Self { _dir: dir, bare, work }
    }

    /// Commits `file` on a new `branch` from `main` and pushes it; returns the commit.
    pub fn branch(&self, branch: &str, file: &str, message: &str) -> String {
        git(&self.work, &["checkout", "--quiet", "-B", branch, "origin/main"]);
        std::fs::write(self.work.join(file), format!("{message}\n")).unwrap();
        git(&self.work, &["add", "."]);
        git(&self.work, &["commit", "--quiet", "-m", message]);
        git(&self.work, &["push", "--quiet", "origin", &format!("{branch}:refs/heads/{branch}")]);
        git(&self.work, &["rev-parse", "HEAD"])
    }

    /// `git log` of `main` in the bare repository: subjects, newest first.
    pub fn main_log(&self) -> Vec<String> {
        git(&self.bare, &["log", "--format=%s", "main"]).lines().map(str::to_owned).collect()
    }

    /// The parents of `main`'s tip.
    pub fn main_parents(&self) -> Vec<String> {
        git(&self.bare, &["rev-list", "--parents", "-n", "1", "main"])
            .split_whitespace()
            .skip(1)
            .map(str::to_owned)
            .collect()
    }
}
