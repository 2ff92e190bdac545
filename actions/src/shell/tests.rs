use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

use super::quote::fill_quoted;
use super::*;
use workers::testing::job;

/// Values that would run something, or split, if they reached the shell unquoted.
const NASTY: [&str; 6] = [
    "; touch MARK",
    "a'b\"c $(touch MARK) `touch MARK` \\d $HOME",
    "'; touch MARK; echo '",
    "\"; touch MARK; echo \"",
    "x\\",
    "two  spaces * ?",
];

/// Runs `script` with `sh -c` in `dir` and returns its stdout.
fn sh(script: &str, dir: &Path) -> String {
    let output = std::process::Command::new("sh").arg("-c").arg(script).current_dir(dir).output();
    let output = output.unwrap_or_else(|e| panic!("sh runs: {e}"));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_value_reaches_the_command_as_its_text_in_every_quoting_context() {
    let contexts = [
        ("printf %s {{t0}}", "", ""),
        ("printf %s \"<{{t0}}>\"", "<", ">"),
        ("printf %s 'x{{t0}}y'", "x", "y"),
        ("printf %s \"$(printf %s {{t0}})\"", "", ""),
        ("printf %s \"$(printf %s \"({{t0}})\")\"", "(", ")"),
        ("printf %s \"`printf %s {{t0}}`\"", "", ""),
        ("printf %s \"`printf %s \"[{{t0}}]\"`\"", "[", "]"),
        ("# it's a comment\nprintf %s {{t0}}", "", ""),
        ("cat <<EOF\n={{t0}}=\nEOF", "=", "=\n"),
        ("cat <<-'EOF'\n\t={{t0}}=\n\tEOF", "=", "=\n"),
    ];
    let dir = TempDir::new().unwrap_or_else(|e| panic!("temp dir: {e}"));
    for (template, before, after) in contexts {
        for value in NASTY {
            let values = json!({"t0": value});
            let command = fill_quoted(template, |n| values.get(n)).unwrap_or_else(|e| panic!("{template}: {e}"));
            let expected = format!("{before}{value}{after}");
            assert_eq!(sh(&command, dir.path()), expected, "{template} with {value:?} filled as {command}");
        }
    }
    assert!(!dir.path().join("MARK").exists(), "a value ran a command");
}

#[test]
fn a_value_that_could_end_a_here_document_is_refused() {
    for value in ["a\nEOF\ntouch MARK", "EOF"] {
        let values = json!({"t0": value});
        let refused = fill_quoted("cat <<EOF\n{{t0}}\nEOF\n", |n| values.get(n)).err().unwrap_or_default();
        assert!(refused.contains("{{t0}}") && refused.contains("here-document"), "{value:?}: {refused}");
    }
    let values = json!({"t0": "a\nb"});
    assert!(fill_quoted("cat <<EOF\nx\nEOF\necho {{t0}}", |n| values.get(n)).is_ok(), "after the document");
}

fn workspace() -> TempDir {
    TempDir::new().unwrap_or_else(|e| panic!("temp dir: {e}"))
}

async fn run(options: ShellOptions, headers: &[(&str, &str)], variables: Value) -> JobOutcome {
    ShellHandler::new(options).handle(&job("shell-command", headers, variables)).await
}

fn completed(outcome: JobOutcome) -> Variables {
    match outcome {
        JobOutcome::Complete { variables } => variables,
        other => panic!("expected a completion, got {other:?}"),
    }
}

fn errored(outcome: JobOutcome) -> (String, String, Variables) {
    match outcome {
        JobOutcome::Error { code, message, variables } => (code, message, variables),
        other => panic!("expected a BPMN error, got {other:?}"),
    }
}

#[tokio::test]
async fn declared_outputs_are_read_from_stdout_and_typed_by_their_shape() {
    let ws = workspace();
    let template =
        "echo \"BRANCH={{t0}}\"; echo OK=true; echo COUNT=3; echo RATIO=0.5; echo UNDECLARED=x; echo COUNT=4";
    let shapes = r#"{"BRANCH": "string", "OK": "boolean", "COUNT": "number", "RATIO": "number", "MISSING": "string"}"#;
    let headers = [("commandTemplate", template), ("outputs", shapes), ("persona", "developer")];
    let values = completed(run(ShellOptions::new(ws.path()), &headers, json!({"t0": "feature/a b"})).await);
    assert_eq!(values["BRANCH"], json!("feature/a b"));
    assert_eq!((&values["OK"], &values["COUNT"], &values["RATIO"]), (&json!(true), &json!(4), &json!(0.5)));
    assert!(!values.contains_key("UNDECLARED") && !values.contains_key("MISSING"), "{values:?}");
    assert_eq!((&values["exitCode"], &values["stderr"]), (&json!(0), &json!("")));
    assert!(values["stdout"].as_str().is_some_and(|out| out.contains("UNDECLARED=x\n")), "{values:?}");
}

#[tokio::test]
async fn a_blocked_command_is_a_forbidden_command_error_and_never_runs() {
    let ws = workspace();
    let headers = [("commandTemplate", "touch MARK && rm -rf /"), ("persona", "developer")];
    let (code, message, variables) = errored(run(ShellOptions::new(ws.path()), &headers, json!({})).await);
    assert_eq!(code, FORBIDDEN_COMMAND);
    assert_eq!(variables["forbidden"]["rule"], json!(guard::RuleId::RmRoot.id()), "{message}");
    assert!(
        message.starts_with(&format!("{}: ", guard::RuleId::RmRoot.id())) && message.ends_with("(at: rm -rf /)"),
        "{message}"
    );
    assert!(!ws.path().join("MARK").exists(), "the blocked command ran");
}

#[tokio::test]
async fn an_injected_value_is_one_harmless_argument_that_the_guard_allows() {
    let ws = workspace();
    let value = "x; rm -rf /; touch MARK";
    let headers = [("commandTemplate", "printf %s {{t0}} > out.txt"), ("persona", "developer")];
    let values = completed(run(ShellOptions::new(ws.path()), &headers, json!({"t0": value})).await);
    assert_eq!(values["exitCode"], json!(0));
    let written = std::fs::read_to_string(ws.path().join("out.txt")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written, value, "the value is one argument");
    assert!(!ws.path().join("MARK").exists(), "the value ran a command");
}

#[tokio::test]
async fn a_persona_runs_only_what_its_allow_list_names() {
    let ws = workspace();
    let mut options = ShellOptions::new(ws.path());
    options.policy =
        Policy::from_yaml(&ws.path().to_string_lossy(), "tester: [echo]\n").unwrap_or_else(|e| panic!("{e}"));
    let headers = [("commandTemplate", "touch MARK"), ("persona", "tester")];
    let (code, message, _) = errored(run(options.clone(), &headers, json!({})).await);
    assert_eq!(code, FORBIDDEN_COMMAND, "{message}");
    assert!(!ws.path().join("MARK").exists());
    let headers = [("commandTemplate", "echo fine"), ("persona", "tester")];
    assert_eq!(completed(run(options, &headers, json!({})).await)["stdout"], json!("fine\n"));
}

#[tokio::test]
async fn a_command_past_its_timeout_is_killed_with_what_it_started() {
    let ws = workspace();
    let mut options = ShellOptions::new(ws.path());
    options.timeout = Duration::from_millis(300);
    let headers = [("commandTemplate", "(sleep 1; touch LATE) & sleep 5")];
    let started = Instant::now();
    let outcome = run(options, &headers, json!({})).await;
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(matches!(&outcome, JobOutcome::Fail { message, .. } if message.contains("timed out")), "{outcome:?}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!ws.path().join("LATE").exists(), "the background process outlived the timeout");
}

#[tokio::test]
async fn what_a_finished_command_left_in_the_background_is_killed() {
    let ws = workspace();
    let mut options = ShellOptions::new(ws.path());
    options.timeout = Duration::from_secs(20);
    let headers = [("commandTemplate", "sleep 30 & echo $! > bg.pid; echo started")];
    // Were the background `sleep` not killed, its hold on stdout would run the job into the timeout.
    let values = completed(run(options, &headers, json!({})).await);
    assert_eq!(values["stdout"], json!("started\n"));
    let pid = std::fs::read_to_string(ws.path().join("bg.pid")).unwrap_or_else(|e| panic!("{e}"));
    // Alive: listed and not a zombie (an orphan's parent may be slow to reap it).
    let alive = || {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z'))
    };
    for _ in 0..20 {
        if !alive() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the background sleep {} outlived its step", pid.trim());
}

#[tokio::test]
async fn output_beyond_the_cap_is_dropped_and_the_truncation_noted() {
    let ws = workspace();
    let mut options = ShellOptions::new(ws.path());
    options.max_output_bytes = 1000;
    let headers = [("commandTemplate", "yes a | head -c 300000; yes e | head -c 2000 >&2; echo DONE=1")];
    let values = completed(run(options, &headers, json!({})).await);
    let stdout = values["stdout"].as_str().unwrap_or_default();
    assert!(stdout.starts_with(&"a\n".repeat(500)), "{}", &stdout[..40]);
    assert!(stdout.ends_with("[output truncated: kept the first 1000 of 300007 bytes]"), "{stdout}");
    let stderr = values["stderr"].as_str().unwrap_or_default();
    assert!(stderr.ends_with("kept the first 1000 of 2000 bytes]") && stderr.len() < 1100, "{stderr}");
}

#[tokio::test]
async fn a_non_zero_exit_is_step_failed_unless_the_task_continues_on_error() {
    let ws = workspace();
    let template = "echo working; echo first >&2; echo 'no such branch' >&2; exit 3";
    let (code, message, variables) =
        errored(run(ShellOptions::new(ws.path()), &[("commandTemplate", template)], json!({})).await);
    assert_eq!(code, STEP_FAILED);
    assert_eq!(message, format!("{template} exited with 3: no such branch"));
    assert_eq!(variables["exitCode"], json!(3));

    let headers = [("commandTemplate", template), ("onError", "continue")];
    let values = completed(run(ShellOptions::new(ws.path()), &headers, json!({})).await);
    assert_eq!(Value::Object(values), json!({"failed": true, "exitCode": 3, "stderr": "first\nno such branch\n"}));
}

#[tokio::test]
async fn the_command_sees_only_the_allowed_environment_variables() {
    let secret = "CARGO_MANIFEST_DIR";
    assert!(std::env::var_os(secret).is_some(), "cargo test sets {secret} in the worker's environment");
    let ws = workspace();
    let mut options = ShellOptions::new(ws.path());
    let values = completed(run(options.clone(), &[("commandTemplate", "env")], json!({})).await);
    let env = values["stdout"].as_str().unwrap_or_default();
    assert!(!env.contains(secret), "{env}");
    assert!(env.lines().any(|line| line.starts_with("PATH=")), "{env}");

    options.env_allow.push(secret.into());
    let values = completed(run(options, &[("commandTemplate", "env")], json!({})).await);
    assert!(values["stdout"].as_str().unwrap_or_default().contains(secret), "an allowed name passes");
}

#[tokio::test]
async fn the_working_directory_must_stay_inside_the_workspace() {
    let ws = workspace();
    let inner = ws.path().join("inner");
    std::fs::create_dir_all(inner.join("sub")).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(ws.path(), inner.join("up")).unwrap_or_else(|e| panic!("{e}"));
    let options = ShellOptions::new(&inner);
    let headers = [("commandTemplate", "pwd; touch MARK")];

    let values = completed(run(options.clone(), &headers, json!({"workingDirectory": "sub"})).await);
    assert!(values["stdout"].as_str().is_some_and(|pwd| pwd.trim_end().ends_with("/inner/sub")), "{values:?}");

    for outside in ["..", "sub/../..", "up", "/tmp", "missing"] {
        let (code, message, variables) =
            errored(run(options.clone(), &headers, json!({"workingDirectory": outside})).await);
        assert_eq!((code.as_str(), &variables["forbidden"]["rule"]), (FORBIDDEN_COMMAND, &json!("working-directory")));
        assert!(message.contains(outside), "{message}");
    }
    assert!(!ws.path().join("MARK").exists() && !inner.join("MARK").exists(), "a refused command ran");
}
