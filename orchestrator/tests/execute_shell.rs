//! `run --execute-shell DIR`: shell steps run for real in the workspace, behind the command guard.

mod support;

use serde_json::json;
use support::Workdir;

/// A workflow whose one shell step runs `command` and declares the output `GREETING`.
fn workflow(command: &str) -> String {
    format!(
        "metadata:\n  id: shell-demo\ninputs:\n  - name: NAME\n    type: string\n    required: true\nsteps:\n  - id: greet\n    action: shell-command\n    persona: backend-developer\n    command: '{command}'\n    outputs:\n      - GREETING\n"
    )
}

fn run_in(dir: &Workdir, workspace: &std::path::Path, command: &str, extra: &[&str]) -> support::Outcome {
    let file = dir.path().join("shell-demo.yaml");
    std::fs::write(&file, workflow(command)).expect("write the workflow");
    let file = file.display().to_string();
    let workspace = workspace.display().to_string();
    let mut args = vec!["run", "--deploy", &file, "--start", "shell-demo", "--var", "inputs.NAME=ada; touch pwned"];
    args.extend(["--until-done", "--execute-shell", &workspace]);
    args.extend(extra);
    dir.run(&args)
}

#[test]
fn a_shell_step_runs_in_the_workspace_and_its_declared_output_comes_back() {
    let dir = Workdir::new();
    let workspace = tempfile::tempdir().expect("workspace");
    let outcome = run_in(&dir, workspace.path(), "echo made > made.txt && echo GREETING=hello ${inputs.NAME}", &[])
        .expect_code(0);
    assert!(workspace.path().join("made.txt").exists(), "the command ran in the workspace: {}", outcome.stdout);
    assert!(!workspace.path().join("pwned").exists(), "the input was one quoted argument, not a command");
    assert!(outcome.stdout.contains("]: ran: echo made > made.txt"), "the line says it ran: {}", outcome.stdout);
    let key = outcome.stdout.lines().find_map(|l| l.strip_prefix("stopped: process instance ")).unwrap_or_default();
    let key = key.split_whitespace().next().unwrap_or_default();
    let status = dir.json(&["status", key]);
    let steps = status["variables"].as_array().into_iter().flatten().find(|v| v["name"] == json!("steps"));
    let greeting = steps.map(|v| v["value"]["greet"]["GREETING"].clone());
    assert_eq!(greeting, Some(json!("hello ada; touch pwned")), "{status}");
}

#[test]
fn a_forbidden_command_never_runs_and_the_step_throws_forbidden_command() {
    let dir = Workdir::new();
    let workspace = tempfile::tempdir().expect("workspace");
    let outcome = run_in(&dir, workspace.path(), "touch marker && rm -rf /", &[]);
    assert!(!workspace.path().join("marker").exists(), "nothing of the command ran");
    assert!(outcome.stdout.contains("threw FORBIDDEN_COMMAND: rm-rf-root"), "{}", outcome.stdout);
}

#[test]
fn a_policy_limits_what_a_persona_may_run() {
    let dir = Workdir::new();
    let workspace = tempfile::tempdir().expect("workspace");
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "backend-developer: [cargo, git]\n").expect("write the policy");
    let outcome = run_in(
        &dir,
        workspace.path(),
        "whoami && echo GREETING=hi",
        &["--shell-policy", &policy.display().to_string()],
    );
    assert!(outcome.stdout.contains("threw FORBIDDEN_COMMAND: not-allowed-for-persona"), "{}", outcome.stdout);
}

#[test]
fn a_missing_workspace_and_a_broken_policy_are_usage_errors() {
    let dir = Workdir::new();
    let missing = dir.path().join("no-such-folder");
    let outcome = run_in(&dir, &missing, "echo hi", &[]).expect_code(2);
    assert!(
        outcome.stderr.contains("--execute-shell") && outcome.stderr.contains("no-such-folder"),
        "{}",
        outcome.stderr
    );
    let workspace = tempfile::tempdir().expect("workspace");
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "backend-developer: [cargo\n").expect("write the policy");
    let outcome =
        run_in(&dir, workspace.path(), "echo hi", &["--shell-policy", &policy.display().to_string()]).expect_code(2);
    assert!(outcome.stderr.contains("policy.yaml:"), "{}", outcome.stderr);
}
