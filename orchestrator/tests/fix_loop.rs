//! The self-healing fix loop (`workflows/system/fix-loop.yaml`) run for real on a git
//! repository whose quality gates are shell scripts, with the `llm` steps answered by a scripted
//! OpenAI-compatible server: the patches are real unified diffs, applied, committed and gated.
//!
//! The repository is a deployment whose tests gate wants `replicas=3` in `config/deploy.conf`,
//! which says `replicas=0`.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use llm::testing::{Call, ScriptedLlm};
use serde_json::{Value, json};
use support::{Workdir, git, repository};

/// The environment variable holding the scripted server's (unchecked) key.
const KEY_VAR: &str = "FIX_LOOP_TEST_KEY";

/// The deployment: its config, and four gates of which only the tests one can fail.
fn deployment(repo: &Path) {
    let write = |path: &str, text: &str| {
        let path = repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    write("config/deploy.conf", "replicas=0\n");
    for gate in ["install", "build", "lint"] {
        write(&format!("gates/{gate}.sh"), &format!("#!/bin/sh\necho {gate} ok\n"));
    }
    write(
        "gates/tests.sh",
        "#!/bin/sh\ngrep -qx 'replicas=3' config/deploy.conf || { echo \"want replicas=3, found $(cat config/deploy.conf)\" >&2; exit 1; }\n",
    );
    git(repo, &["add", "."]);
    git(repo, &["commit", "--quiet", "-m", "chore: the deployment"]);
}

/// A diff that changes `config/deploy.conf` from `replicas=from` to `replicas=to`.
fn replicas(from: u32, to: u32) -> String {
    format!("--- a/config/deploy.conf\n+++ b/config/deploy.conf\n@@ -1 +1 @@\n-replicas={from}\n+replicas={to}\n")
}

/// A scripted model: the analysis and the review always say the same, the `n`th patch
/// (1-based) is `patch(n)`.
fn model(patch: impl Fn(usize) -> String + Send + Sync + 'static) -> ScriptedLlm {
    let patches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    ScriptedLlm::start(move |call: &Call| {
        let answer = if call.prompt.contains("Write a unified diff") {
            let n = patches.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            json!({"PATCH": patch(n), "SUMMARY": format!("patch {n}")})
        } else if call.prompt.contains("Review this patch") {
            json!({"VERDICT": "approve", "REASON": "addresses the replica count"})
        } else {
            json!({"ROOT_CAUSE": "config/deploy.conf sets the wrong replica count"})
        };
        answer.to_string()
    })
}

/// How one run of the loop ended: its final variables, and the working copy.
struct Ran {
    _dir: Workdir,
    repo: std::path::PathBuf,
    variables: serde_json::Map<String, Value>,
}

impl Ran {
    fn text(&self, name: &str) -> &str {
        // (Every assertion on the run names the variables it read.)
        self.variables
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no text {name}: {:?}", self.variables))
    }

    fn number(&self, name: &str) -> i64 {
        self.variables
            .get(name)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| panic!("no number {name}: {:?}", self.variables))
    }
}

/// Runs the loop on a fresh deployment against `llm`, with `extra` variables, to its end.
fn run_loop(llm: &ScriptedLlm, extra: &[&str]) -> Ran {
    let dir = Workdir::new();
    let (_, repo) = repository(dir.path());
    deployment(&repo);
    let actions = format!(
        "workspace: repo\ngit-operation:\n  author: {{name: Fixer, email: fixer@example.test}}\nllm:\n  providers:\n    - name: scripted\n      kind: open-ai-compatible\n      base_url: {}/v1\n      model: scripted-model\n      api_key_env: {KEY_VAR}\n",
        llm.url()
    );
    std::fs::write(dir.path().join("actions.yaml"), actions).unwrap();
    let workflows = support::workspace().join("workflows").display().to_string();
    let mut args =
        vec!["run", "--deploy", &workflows, "--start", "fix-loop", "--until-done", "--actions", "actions.yaml"];
    args.extend(["--var", "inputs.FAILURE=deployment rejected: 0 replicas ready", "--json"]);
    for var in extra {
        args.extend(["--var", var]);
    }
    let mut command = dir.command(&args);
    command.env(KEY_VAR, "scripted-key");
    let outcome = support::finish(support::spawn(command), support::LIMIT).expect_code(0);
    let run = outcome.json();
    assert_eq!(run["stopped"], "completed", "{run}\n{}", outcome.stderr);
    let key = run["instance"].as_i64().unwrap_or_default().to_string();
    let history = dir.json(&["history", &key]);
    let mut variables = serde_json::Map::new();
    for change in history["variable_changes"].as_array().into_iter().flatten() {
        if let Some(name) = change["name"].as_str() {
            variables.insert(name.to_owned(), change["value"].clone());
        }
    }
    Ran { _dir: dir, repo, variables }
}

fn backups(repo: &Path) -> Vec<String> {
    let listed = git(repo, &["branch", "--list", "--format=%(refname:short)", "backup/pre-orchestration-*"]);
    listed.lines().map(str::to_owned).collect()
}

#[test]
fn a_model_that_never_makes_progress_is_stopped_at_iteration_four() {
    let llm = model(|_| replicas(0, 1));
    let ran = run_loop(&llm, &[]);
    assert_eq!(ran.text("STATUS"), "stopped-no-progress");
    assert_eq!(ran.number("ITERATION"), 4, "1 iteration, then 3 without progress");
    assert_eq!(ran.number("STALLED"), 3);
    assert!(ran.text("LAST_FAILURE").starts_with("the patch did not apply"), "{}", ran.text("LAST_FAILURE"));
    let patches = llm.calls().iter().filter(|call| call.prompt.contains("Write a unified diff")).count();
    assert_eq!(patches, 4);
    assert_eq!(std::fs::read_to_string(ran.repo.join("config/deploy.conf")).unwrap(), "replicas=1\n");
}

#[test]
fn a_model_that_always_changes_something_but_never_fixes_it_is_stopped_at_iteration_ten() {
    let llm = model(|n| replicas(if n == 1 { 0 } else { 10 + n as u32 - 1 }, 10 + n as u32));
    let ran = run_loop(&llm, &[]);
    assert_eq!(ran.text("STATUS"), "stopped-iteration-limit");
    assert_eq!(ran.number("ITERATION"), 10);
    assert_eq!(ran.variables.get("steps").and_then(|s| s["repair"]["LIMIT_REACHED"].as_bool()), Some(true));
    assert!(ran.text("LAST_FAILURE").contains("gate tests failed, exit 1: want replicas=3, found replicas=20"));
    let log = git(&ran.repo, &["log", "--format=%s", "fix/self-healing"]);
    assert_eq!(log.lines().filter(|subject| subject.starts_with("fix(deploy): self-healing iteration")).count(), 10);
}

#[test]
fn a_model_that_fixes_it_at_iteration_two_passes_the_gates_and_leaves_the_backup() {
    let llm = model(|n| if n == 1 { replicas(0, 1) } else { replicas(1, 3) });
    let ran = run_loop(&llm, &[]);
    assert_eq!(ran.text("STATUS"), "fixed");
    assert_eq!(ran.number("ITERATION"), 2);
    assert_eq!(ran.text("LAST_FAILURE"), "");
    let backups = backups(&ran.repo);
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(ran.text("BACKUP_BRANCH"), backups[0]);
    let name = backups[0].trim_start_matches("backup/pre-orchestration-");
    assert!(name.len() == 15 && name.as_bytes()[8] == b'_', "YYYYMMDD_HHMMSS: {name}");
    let deployment_commit = git(&ran.repo, &["rev-parse", "main"]);
    assert_eq!(git(&ran.repo, &["rev-parse", &backups[0]]), deployment_commit, "the backup keeps the head before");
    assert_eq!(git(&ran.repo, &["rev-parse", "--abbrev-ref", "HEAD"]), "fix/self-healing");
    assert_eq!(git(&ran.repo, &["rev-list", "--count", "main..fix/self-healing"]), "2");
    assert_eq!(git(&ran.repo, &["show", "fix/self-healing:config/deploy.conf"]), "replicas=3");
}

#[test]
fn a_patch_that_adds_a_forbidden_command_ends_the_loop_blocked_by_the_guard() {
    let llm = model(|_| {
        "--- /dev/null\n+++ b/gates/reset.sh\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+kubectl delete namespace production\n"
            .to_owned()
    });
    let ran = run_loop(&llm, &[]);
    assert_eq!(ran.text("STATUS"), "blocked-by-guard");
    assert_eq!(ran.number("ITERATION"), 1);
    let failure = ran.text("LAST_FAILURE");
    assert!(
        failure.contains("kubectl-delete-namespace") && failure.contains("gates/reset.sh:2"),
        "the failure names the guard's rule and the line: {failure}"
    );
    assert!(!ran.repo.join("gates/reset.sh").exists(), "the patch was never applied");
    assert_eq!(git(&ran.repo, &["rev-list", "--count", "main..fix/self-healing"]), "0");
}

#[test]
fn a_gate_that_outlives_its_timeout_is_killed_and_the_same_failure_three_times_stops_the_loop() {
    // Every patch differs (a new note each time); the failure stays the same.
    let llm = model(|n| format!("--- /dev/null\n+++ b/notes/{n}.txt\n@@ -0,0 +1 @@\n+note {n}\n"));
    let gates = r#"inputs.GATES=[{"name": "install", "command": "./gates/install.sh", "timeout": 5}, {"name": "lint", "command": "sleep 30", "timeout": 1}]"#;
    let ran = run_loop(&llm, &[gates]);
    assert_eq!(ran.text("STATUS"), "stopped-no-progress");
    assert_eq!(ran.number("ITERATION"), 4);
    assert!(ran.text("LAST_FAILURE").starts_with("gate lint failed, exit 124"), "{}", ran.text("LAST_FAILURE"));
    assert!(ran.repo.join("notes/4.txt").exists(), "each different patch was applied");
}

#[test]
fn a_dry_run_changes_nothing_and_still_ends() {
    let dir = Workdir::new();
    let (_, repo) = repository(dir.path());
    deployment(&repo);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let workflows = support::workspace().join("workflows").display().to_string();
    let outcome = dir
        .run(&["run", "--deploy", &workflows, "--start", "fix-loop", "--until-done", "--var", "inputs.FAILURE=x"])
        .expect_code(0);
    assert!(
        outcome
            .stdout
            .contains("would notify site-reliability-engineer: Fix loop stopped-no-progress after 4 iterations"),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains("git branch \"$backup\""), "the backup is described, not made: {}", outcome.stdout);
    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head);
    assert!(backups(&repo).is_empty());
}
