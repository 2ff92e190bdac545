//! `workflows/system/emergency-task.yaml` end to end: a deployment failure in a log becomes an
//! emergency task that opens an issue on the GitHub stand-in (with the error context and the
//! recovery suggestions), is routed by capability to a persona instance with the choice explained
//! in the audit log, and retries a failed attempt; an unrecovered task raises its priority and
//! escalates when its hour runs out on the virtual clock; a dry run creates nothing.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use forge::testing::{GitHubServer, GitHubServerConfig, RecordedRequest};
use serde_json::{Value, json};
use support::{Workdir, repository, root_variable, spawn_with_lines, wait_for, workspace};

const TOKEN: &str = "gh-token-for-the-stand-in-7d1e";
const TOKEN_ENV: &str = "EMERGENCY_TEST_GITHUB_TOKEN";
const FAILURE: &str = "ERROR deployment of checkout-api v42 failed: readiness probe timed out (exit 137)";
const SUGGESTIONS: &str = "1. Roll back to v41. 2. Raise the probe timeout. 3. Check the pod memory limit.";

/// The project's workflows folder.
fn workflows() -> String {
    workspace().join("workflows").display().to_string()
}

/// The GitHub stand-in for acme/shop, backed by the bare remote.
async fn github(remote: &Path) -> GitHubServer {
    let config = GitHubServerConfig {
        owner: "acme".into(),
        repo: "shop".into(),
        token: TOKEN.into(),
        git: Some(remote.to_path_buf()),
    };
    GitHubServer::start(config).await.expect("the GitHub stand-in starts")
}

/// The catalogue loaded, and the instances of acme/shop the emergency task needs: one each for
/// monitoring, issue tracking and the manager, and three release engineers for deployment
/// failures (one paused, one with a higher priority).
fn staff(dir: &Workdir) {
    let catalogue = workspace().join("workflows/personas/types.yaml").display().to_string();
    dir.run(&["personas", "types", "--catalogue", &catalogue]).expect_code(0);
    let create = |name: &str, persona: &str, extra: &[&str]| {
        let mut args = vec!["personas", "create", name, "--type", persona, "--project", "acme/shop"];
        args.extend(extra);
        dir.run(&args).expect_code(0);
    };
    create("sre-1", "site-reliability-engineer", &[]);
    create("tracker-1", "scrum-master", &[]);
    create("manager-1", "engineering-manager", &[]);
    create("release-ada", "configuration-release-engineer", &["--priority", "1"]);
    create("release-bob", "configuration-release-engineer", &["--priority", "5"]);
    create("release-cyd", "configuration-release-engineer", &["--priority", "9"]);
    dir.run(&["personas", "pause", "release-cyd"]).expect_code(0);
}

fn append(log: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(log).expect("the log opens");
    file.write_all(text.as_bytes()).expect("writes");
}

/// Waits (at most 40 s) until the instance `key` is no longer active; its status.
fn wait_until_ended(dir: &Workdir, key: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let status = dir.json(&["status", &key.to_string()]);
        if status["instance"]["status"] != "active" || Instant::now() > deadline {
            return status;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn stop(mut run: Child) {
    run.kill().expect("stops the run");
    run.wait().expect("the run ends");
}

/// The requests the stand-in recorded with this method and path ending.
fn requests(server: &GitHubServer, method: &str, path_end: &str) -> Vec<RecordedRequest> {
    server.requests().into_iter().filter(|r| r.method == method && r.path.ends_with(path_end)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_in_the_log_opens_an_issue_and_is_routed_by_capability_with_reasons() {
    let dir = Workdir::new();
    let (remote, _repo) = repository(dir.path());
    let server = github(&remote).await;
    let actions = format!(
        "workspace: repo\ngithub: {{owner: acme, repo: shop, base_url: {}, token_env: {TOKEN_ENV}}}\n",
        server.base_url()
    );
    std::fs::write(dir.path().join("actions.yaml"), actions).unwrap();
    // The monitoring SRE classifies it as a deployment failure; the first recovery attempt fails
    // and is retried, the second recovers. Short model answers keep every job within its lock.
    let scenario = format!(
        "durations: {{llm: 2m}}\nsteps:\n  classify:\n    - {{CAPABILITY: deployment, ERROR_SUMMARY: readiness probe timeout, RECOVERY_SUGGESTIONS: \"{SUGGESTIONS}\"}}\n  recover-deployment:\n    - {{fail: \"kubectl rollout undo timed out\"}}\n    - {{RECOVERED: true, ACTIONS_TAKEN: rolled back to v41}}\n"
    );
    std::fs::write(dir.path().join("scenario.yaml"), scenario).unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "").unwrap();
    staff(&dir);

    let workflows = workflows();
    let args = [
        "run",
        "--deploy",
        &workflows,
        "--watch-log",
        "app.log",
        "--rule",
        "deployment .* failed",
        "--on-match",
        "emergency-task",
        "--simulate",
        "--scenario",
        "scenario.yaml",
        "--actions",
        "actions.yaml",
        "--project",
        "acme/shop",
        "--clock",
        "virtual",
    ];
    let mut command = dir.command(&args);
    command.env(TOKEN_ENV, TOKEN);
    let (run, lines) = tokio::task::block_in_place(|| {
        let (run, lines) = spawn_with_lines(command);
        wait_for(&lines, "watching log", 1);
        (run, lines)
    });
    append(&log, "INFO deployment of checkout-api v42 started\n");
    append(&log, &format!("{FAILURE}\n"));
    let (key, status) = tokio::task::block_in_place(|| {
        let started = wait_for(&lines, "started emergency-task", 1);
        let key: i64 = started[0].rsplit(' ').next().and_then(|k| k.parse().ok()).expect("an instance key");
        (key, wait_until_ended(&dir, key))
    });
    tokio::task::block_in_place(|| stop(run));
    assert_eq!(status["instance"]["status"], "completed", "instance {key}: {status}");
    assert_eq!(root_variable(&status, "log_line"), json!(FAILURE), "the line is a variable of the task");
    let outcome = (root_variable(&status, "PRIORITY"), root_variable(&status, "RECOVERED"));
    assert_eq!(outcome, (json!("critical"), json!(true)), "recovered in the first round");

    // The issue, with the error context and the recovery suggestions.
    let opened = requests(&server, "POST", "/repos/acme/shop/issues");
    assert_eq!(opened.len(), 1, "one issue: {opened:?}");
    let title = opened[0].body_at("/title").and_then(Value::as_str).unwrap_or_default();
    let body = opened[0].body_at("/body").and_then(Value::as_str).unwrap_or_default();
    assert!(title.starts_with("[critical] production deployment failure"), "{title}");
    assert!(body.contains(FAILURE) && body.contains("app.log"), "the error context: {body}");
    assert!(body.contains(SUGGESTIONS) && body.contains("SLA 1h"), "the suggestions: {body}");
    assert_eq!(opened[0].body_at("/labels"), Some(&json!(["emergency", "priority:critical", "deployment-failure"])));
    let comments = requests(&server, "POST", "/comments");
    assert!(
        comments.iter().any(|c| c.body_at("/body").and_then(Value::as_str) == Some("Recovered: rolled back to v41"))
    );
    assert_eq!(requests(&server, "PATCH", "/issues/1")[0].body_at("/state"), Some(&json!("closed")));

    // The capability chose the type; the routing chose the instance, and said why.
    let audit = dir.json(&["audit", "--kind", "routing"]);
    let recoveries: Vec<&Value> = audit["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["element_id"] == "recover-deployment" && e["details"]["decision"] == "assigned")
        .collect();
    // (A job whose lock ran out while the machine was busy is offered, and routed, once more.)
    assert!(recoveries.len() >= 2, "the attempt and its retry were each routed: {audit}");
    assert_eq!(recoveries[0]["job_key"], recoveries[1]["job_key"], "one job, retried");
    let first = &recoveries[0]["details"];
    assert_eq!(first["persona_type"], "configuration-release-engineer", "{first}");
    assert_eq!(first["instance"], "release-bob", "idle like ada, higher priority: {first}");
    assert!(first["reason"].as_str().is_some_and(|r| r.contains("higher priority")), "{first}");
    assert_eq!(first["skipped"], json!([{"instance": "release-cyd", "why": "paused"}]), "{first}");
    let retry = &recoveries[1]["details"];
    assert_eq!(retry["instance"], "release-ada", "bob's attempt failed, so ada's record is better: {retry}");
    assert!(retry["reason"].as_str().is_some_and(|r| r.contains("success rate")), "{retry}");
    let issue = audit["entries"].as_array().into_iter().flatten().find(|e| e["element_id"] == "open-issue");
    assert_eq!(issue.map(|e| &e["details"]["persona_type"]), Some(&json!("scrum-master")), "issue tracking");
    let stdout: Vec<String> = lines.try_iter().collect();
    assert!(!stdout.iter().any(|l| l.contains(TOKEN)), "the token never shows");
}

#[test]
fn an_unrecovered_task_raises_its_priority_and_escalates_when_its_hour_runs_out() {
    let dir = Workdir::new();
    let scenario = "steps:\n  classify:\n    - {CAPABILITY: emergency-code}\n  recover-code:\n    - {RECOVERED: false, ACTIONS_TAKEN: nothing helped}\n";
    std::fs::write(dir.path().join("scenario.yaml"), scenario).unwrap();
    let workflows = workflows();
    let line = format!("inputs.LOG_LINE={FAILURE}");
    let run = dir.json(&[
        "run",
        "--deploy",
        &workflows,
        "--start",
        "emergency-task",
        "--var",
        &line,
        "--simulate",
        "--scenario",
        "scenario.yaml",
        "--clock",
        "virtual",
        "--until-done",
    ]);
    assert_eq!(run["stopped"], "completed", "{run}");
    let summary = &run["summary"];
    let escalations = summary["escalations"].as_array().cloned().unwrap_or_default();
    let breach = escalations.iter().find(|e| e["kind"] == "sla-breach").unwrap_or_else(|| panic!("{summary}"));
    assert_eq!((&breach["sla"], &breach["to"]), (&json!("PT1H"), &json!("engineering-manager")), "{breach}");
    let began = summary["started_at_millis"].as_i64().unwrap_or_default();
    let after = breach["at_millis"].as_i64().unwrap_or_default() - began;
    assert!(after >= 3_600_000, "escalated only once the hour ran out, after {after} ms");
    assert!(summary["sla"]["breached"] == json!(true), "{summary}");
    assert!(escalations.iter().any(|e| e["kind"] == "loop-limit"), "three rounds, then the loop limit: {summary}");

    let key = run["instance"].as_i64().expect("the instance");
    let status = dir.json(&["status", &key.to_string()]);
    assert_eq!(root_variable(&status, "PRIORITY"), "blocker", "raised after the first failed round");
    assert_eq!(root_variable(&status, "RECOVERED"), false);
    let jobs: Vec<&Value> = summary["jobs"].as_array().into_iter().flatten().collect();
    let rounds = jobs.iter().filter(|j| j["step"] == "recover-code").count();
    assert_eq!(rounds, 3, "three rounds by the emergency-code agent");
    assert!(jobs.iter().any(|j| j["step"] == "hand-over"), "handed over to the manager");
    assert_eq!(jobs.iter().filter(|j| j["step"] == "announce-blocker").count(), 1, "raised once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_creates_nothing_and_says_what_it_would_do() {
    let dir = Workdir::new();
    let (remote, _repo) = repository(dir.path());
    let server = github(&remote).await;
    let before = support::git(&remote, &["rev-parse", "main"]);
    let workflows = workflows();
    let line = format!("inputs.LOG_LINE={FAILURE}");
    let outcome = tokio::task::block_in_place(|| {
        dir.run(&["run", "--deploy", &workflows, "--start", "emergency-task", "--var", &line, "--until-done"])
    });
    assert_eq!(outcome.code, 0, "{}\n{}", outcome.stdout, outcome.stderr);
    for would in [
        "llm classify",
        "github open-issue",
        "would call github create-issue",
        "notify page-on-call",
        "notify hand-over",
    ] {
        assert!(outcome.stdout.contains(would), "the dry run says `{would}`:\n{}", outcome.stdout);
    }
    assert!(outcome.stdout.contains(FAILURE), "the issue it would open carries the line:\n{}", outcome.stdout);
    assert!(server.requests().is_empty(), "nothing reached the server: {:?}", server.requests());
    assert_eq!(support::git(&remote, &["rev-parse", "main"]), before, "nothing pushed");
    let audit = dir.json(&["audit"]);
    assert_eq!(audit["entries"], json!([]), "nothing routed or recorded: {audit}");
}

#[test]
fn a_deployment_webhook_starts_the_emergency_task_through_serve() {
    const SECRET: &str = "hook-secret-for-the-test-51c2";
    let dir = Workdir::new();
    let event = "ms.vss-release.deployment-completed-event";
    std::fs::write(dir.path().join("hooks.yaml"), format!("azure-devops:\n  {event}: {{start: emergency-task}}\n"))
        .unwrap();
    let workflows = workflows();
    let args = ["serve", "--listen", "127.0.0.1:0", "--deploy", &workflows, "--simulate", "--webhooks", "hooks.yaml"];
    let mut command = dir.command(&args);
    command.env("AZURE_DEVOPS_WEBHOOK_SECRET", SECRET).env_remove("ORCHESTRATOR_TOKEN");
    let (serve, lines) = spawn_with_lines(command);
    let serving = wait_for(&lines, "serving on http://", 1).remove(0);
    let base = serving.split_whitespace().nth(2).expect("the address").to_owned();
    let payload = json!({"eventType": event, "message": {"text": "Deployment of checkout-api to production failed"}});
    let answer = reqwest::blocking::Client::new()
        .post(format!("{base}/api/webhooks/azure-devops/{event}"))
        .basic_auth("hook", Some(SECRET))
        .json(&payload)
        .send()
        .expect("serve answers");
    let status_code = answer.status();
    let answer: Value = answer.json().expect("JSON");
    let key = answer["process_instance_key"].as_i64();
    let status = key.map(|key| wait_until_ended(&dir, key));
    stop(serve);
    assert_eq!((status_code.as_u16(), &answer["action"]), (202, &json!("started")), "{answer}");
    let status = status.expect("an instance key");
    assert_eq!(status["instance"]["bpmn_process_id"], "emergency-task", "{status}");
    assert_eq!(status["instance"]["status"], "completed", "{status}");
    assert_eq!(root_variable(&status, "webhook")["payload"], payload, "the delivery goes along");
}
