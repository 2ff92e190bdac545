//! `orchestrator serve` beside the other commands, as two processes on one SQLite store: the
//! reading commands work while it runs, `start` goes through it, a second engine is refused naming its pid, and the
//! generated API token is printed once and kept owner-only.

mod support;

use std::io::{BufRead, BufReader};

use support::{Workdir, git, model, repository};

/// Starts `serve` on a free port, deploying the approval model; returns the child and the
/// lines it printed up to "serving on".
fn start_serving(dir: &Workdir) -> (std::process::Child, Vec<String>) {
    let approval = model("approval.bpmn");
    let mut command =
        dir.command(&["serve", "--listen", "127.0.0.1:0", "--deploy", approval.to_str().unwrap_or_default()]);
    command.env_remove("ORCHESTRATOR_TOKEN");
    serving(command)
}

/// Spawns `command` (a `serve`); returns the child and the lines it printed up to "serving on".
fn serving(command: std::process::Command) -> (std::process::Child, Vec<String>) {
    let mut child = support::spawn(command);
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let serving = line.starts_with("serving on http://127.0.0.1:");
        lines.push(line);
        if serving {
            break;
        }
    }
    (child, lines)
}

#[test]
fn reading_commands_work_while_serve_runs_and_a_second_engine_is_refused() {
    let dir = Workdir::new();
    let (mut serving, printed) = start_serving(&dir);
    let pid = serving.id();
    let started = dir.run(&["start", "approval"]);
    let status = dir.run(&["status", "--json"]);
    let personas = dir.run(&["personas", "list", "--json"]);
    let audit = dir.run(&["audit", "--json"]);
    let second = dir.run(&["serve", "--listen", "127.0.0.1:0"]);
    let _ = serving.kill();
    let _ = serving.wait();
    assert!(printed.iter().any(|l| l.starts_with("serving on")), "{printed:?}");
    let token_line =
        printed.iter().find(|l| l.starts_with("API token (shown this once")).unwrap_or_else(|| panic!("{printed:?}"));
    let token = std::fs::read_to_string(dir.path().join(".orchestrator/api-token")).unwrap_or_else(|e| panic!("{e}"));
    assert!(token_line.ends_with(token.trim()), "the printed token is the stored one");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            std::fs::metadata(dir.path().join(".orchestrator/api-token")).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
    }
    // `start` changes the store through the running serve (with the token it wrote).
    started.expect_code(0);
    let second = second.expect_code(1);
    assert!(second.stderr.contains(&format!("another engine (process {pid})")), "{}", second.stderr);
    assert_eq!(status.expect_code(0).json()["instances"].as_array().map(Vec::len), Some(1));
    personas.expect_code(0);
    audit.expect_code(0);

    // Started again, it reuses the stored token and does not print it.
    let (mut again, printed) = start_serving(&dir);
    let _ = again.kill();
    let _ = again.wait();
    assert!(printed.iter().any(|l| l.starts_with("API token: the one in")), "{printed:?}");
    assert!(printed.iter().all(|l| !l.contains(token.trim())), "the token was printed again: {printed:?}");
}

#[test]
fn serve_runs_the_actions_its_file_sets_up_for_real() {
    let dir = Workdir::new();
    repository(dir.path());
    std::fs::write(dir.path().join("actions.yaml"), "workspace: repo\ngit-operation: {}\n").unwrap();
    let workflow = dir.path().join("branch-demo.yaml");
    std::fs::write(&workflow, support::BRANCH_DEMO).unwrap();
    let actions = dir.path().join("actions.yaml");
    let mut command = dir.command(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--deploy",
        workflow.to_str().unwrap_or_default(),
        "--actions",
        actions.to_str().unwrap_or_default(),
    ]);
    command.env("ORCHESTRATOR_TOKEN", "serve-actions-test-token");
    let (mut child, printed) = serving(command);
    let address = printed
        .iter()
        .find_map(|l| l.strip_prefix("serving on "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {printed:?}"))
        .to_owned();
    let started = reqwest::blocking::Client::new()
        .post(format!("{address}/api/workflows/execute"))
        .bearer_auth("serve-actions-test-token")
        .json(&serde_json::json!({"workflow": "branch-demo"}))
        .send()
        .map(|r| r.status());
    let remote = dir.path().join("remote.git");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut branches = String::new();
    while branches.is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
        branches = git(&remote, &["branch", "--list", "feature/5-demo"]);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(started.ok(), Some(reqwest::StatusCode::CREATED));
    assert!(branches.contains("feature/5-demo"), "serve did not push the branch for real");
}

#[test]
fn serve_refuses_a_bad_actions_file_naming_file_and_line() {
    let dir = Workdir::new();
    let actions = dir.path().join("actions.yaml");
    std::fs::write(&actions, "workspace: .\n\ngit-op: {}\n").unwrap();
    let refused = dir
        .run(&["serve", "--listen", "127.0.0.1:0", "--actions", actions.to_str().unwrap_or_default()])
        .expect_code(2);
    assert!(refused.stderr.contains("actions.yaml:3:1: `git-op` is not an action"), "{}", refused.stderr);
}
