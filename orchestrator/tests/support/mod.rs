//! Running the `orchestrator` binary in a temporary folder, with a time limit.

#![allow(dead_code)] // each test binary uses its own part

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// No command of these tests may take longer.
pub const LIMIT: Duration = Duration::from_secs(60);

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The seed workflows.
pub fn seeds() -> PathBuf {
    workspace().join("../shared/corpus/seed-workflows")
}

/// A test model under `orchestrator/tests/models/`.
pub fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models").join(name)
}

/// What a finished command printed, and its exit code.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Outcome {
    /// Standard output as JSON (panics with the output when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }

    /// Panics unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "exit code; stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// A temporary working folder for one test's orchestrator: its store is the default SQLite
/// file, or a PostgreSQL log of its own ([`Workdir::on_postgres`]).
pub struct Workdir {
    dir: tempfile::TempDir,
    store_url: Option<String>,
}

impl Workdir {
    /// A fresh folder.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        Self { dir, store_url: None }
    }

    /// A fresh folder whose commands use a fresh PostgreSQL log named after `name`
    /// (`ORCHESTRATOR_STORE`).
    pub fn on_postgres(name: &str) -> Self {
        Self { store_url: Some(fresh_log_url(name)), ..Self::new() }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// True when its commands use a PostgreSQL log.
    pub fn on_postgres_store(&self) -> bool {
        self.store_url.is_some()
    }

    /// The project this test's persona instances work for: `acme/shop`, or on PostgreSQL, where
    /// every log shares the one persona registry, a project named after the test's log.
    pub fn project(&self) -> String {
        match self.store_url.as_deref().and_then(|url| url.rsplit_once("log=")) {
            Some((_, log)) => format!("acme/{log}"),
            None => "acme/shop".to_owned(),
        }
    }

    /// The default store's file.
    pub fn store(&self) -> PathBuf {
        self.path().join(".orchestrator/state.db")
    }

    /// A command running the binary in this folder (its own store, never an ORCHESTRATOR_STORE
    /// from outside).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_orchestrator"));
        command.args(args).current_dir(self.path()).env_remove("ORCHESTRATOR_STORE");
        if let Some(url) = &self.store_url {
            command.env("ORCHESTRATOR_STORE", url);
        }
        command
    }

    /// Runs the binary with `args` and waits (at most [`LIMIT`]).
    pub fn run(&self, args: &[&str]) -> Outcome {
        finish(spawn(self.command(args)), LIMIT)
    }

    /// Runs and expects exit code 0 and JSON output (`--json` is added).
    pub fn json(&self, args: &[&str]) -> Value {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        self.run(&with_json).expect_code(0).json()
    }
}

/// Starts a command with piped output.
pub fn spawn(mut command: Command) -> Child {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command.spawn().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"))
}

/// Waits for the child at most `limit` (then kills it and fails) and collects its output.
pub fn finish(mut child: Child, limit: Duration) -> Outcome {
    let began = Instant::now();
    // Read the pipes on threads so a chatty child never blocks on a full pipe.
    let stdout = child.stdout.take().map(read_on_thread);
    let stderr = child.stderr.take().map(read_on_thread);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if began.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                let tail = |reader: Option<std::thread::JoinHandle<String>>| {
                    let text = reader.and_then(|r| r.join().ok()).unwrap_or_default();
                    let lines: Vec<&str> = text.lines().collect();
                    lines[lines.len().saturating_sub(15)..].join("\n")
                };
                let (out, err) = (tail(stdout), tail(stderr));
                panic!("the command did not finish within {limit:?}; its last output:\n{out}\n--- stderr:\n{err}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("cannot wait for the command: {e}"),
        }
    };
    let text = |reader: Option<std::thread::JoinHandle<String>>| reader.and_then(|r| r.join().ok()).unwrap_or_default();
    Outcome { code: status.code().unwrap_or(-1), stdout: text(stdout), stderr: text(stderr) }
}

fn read_on_thread(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// The instance key a `start --json` printed.
pub fn instance_key(started: &Value) -> i64 {
    started["process_instance_key"].as_i64().unwrap_or_else(|| panic!("no instance key in {started}"))
}

/// Runs `git args` in `dir` (no system config); its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git").current_dir(dir).args(args).env("GIT_CONFIG_NOSYSTEM", "1").output().unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A bare remote `remote.git` with one commit on `main`, and its clone `repo` in `dir` (with an
/// identity of its own, since the guarded shell gives commands a scrubbed environment); returns
/// (remote, clone).
pub fn repository(dir: &Path) -> (PathBuf, PathBuf) {
    git(dir, &["init", "--quiet", "--bare", "--initial-branch=main", "remote.git"]);
    git(dir, &["clone", "--quiet", "remote.git", "repo"]);
    let repo = dir.join("repo");
    git(&repo, &["config", "user.name", "Persona"]);
    git(&repo, &["config", "user.email", "persona@example.test"]);
    std::fs::write(repo.join("README.md"), "hello\n").unwrap();
    git(&repo, &["add", "README.md"]);
    git(&repo, &["commit", "--quiet", "-m", "docs: readme"]);
    git(&repo, &["push", "--quiet", "origin", "main"]);
    (dir.join("remote.git"), repo)
}

/// A workflow that opens branch `feature/5-demo` from `origin/main`, pushes it, and says so.
pub const BRANCH_DEMO: &str = "metadata:\n  id: branch-demo\nsteps:\n  - id: open-branch\n    action: git-operation\n    persona: senior-developer\n    operation: create-branch\n    inputs:\n      branch: feature/5-demo\n      from: origin/main\n      push: true\n  - id: tell\n    action: notify\n    persona: senior-developer\n    channel: '#dev'\n    message: made ${steps.open-branch.BRANCH_NAME}\n";

/// A long-running command started with its stdout read line by line (progress redraws split at
/// `\r`) onto a channel, so a test can wait for what it prints while it runs.
pub fn spawn_with_lines(mut command: Command) -> (Child, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader};
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("the command starts");
    let (lines, receiver) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            for part in line.split('\r') {
                let _ = lines.send(part.to_owned());
            }
        }
    });
    (child, receiver)
}

/// Waits (at most 30 s) until `count` lines containing `text` came; returns them.
pub fn wait_for(lines: &std::sync::mpsc::Receiver<String>, text: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut found = Vec::new();
    while found.len() < count {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(text) => found.push(line),
            Ok(_) => {}
            Err(_) => panic!("no {count} lines with '{text}' within 30 s; got {found:?}"),
        }
    }
    found
}

/// The value of the variable `name` in the root scope of the instance a `status <key> --json`
/// printed (null when it has none).
pub fn root_variable(status: &Value, name: &str) -> Value {
    let key = &status["instance"]["process_instance_key"];
    status["variables"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["name"] == name && &v["scope_key"] == key)
        .map_or(Value::Null, |v| v["value"].clone())
}

/// The PostgreSQL server's URL: `$ORCHESTRATOR_TEST_POSTGRES_URL` (CI starts one), or else the
/// one `db/postgres.sh start` starts (and leaves running).
pub fn server_url() -> String {
    if let Ok(url) = std::env::var("ORCHESTRATOR_TEST_POSTGRES_URL")
        && !url.trim().is_empty()
    {
        return url.trim().to_owned();
    }
    let output = Command::new("bash")
        .arg(workspace().join("db/postgres.sh"))
        .arg("start")
        .output()
        .unwrap_or_else(|e| panic!("cannot run db/postgres.sh: {e}"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "db/postgres.sh start failed:\n{text}{}", String::from_utf8_lossy(&output.stderr));
    text.lines()
        .rev()
        .find(|l| l.starts_with("postgres://"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no URL in:\n{text}"))
}

/// The server's URL with a log no other test run uses.
pub fn fresh_log_url(name: &str) -> String {
    let url = server_url();
    let unique =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or_default();
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}log={name}-{}-{unique}", std::process::id())
}
