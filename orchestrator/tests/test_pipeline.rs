//! `workflows/system/test-pipeline.yaml` end to end: `run --watch-repo` on a bare remote starts
//! the pipeline once per pushed commit; the real shell picks the affected suites of the
//! repository's suite list and runs them by priority in a working copy; the pre-release gate sets
//! commit statuses on the GitHub stand-in, blocks a failing commit, auto-fixes it on
//! `fix/auto-generated-<short sha>` (a simulated model writes the patch, git applies it for real),
//! re-runs the suites there, pushes the branch and opens a pull request labelled `auto-fix` and
//! `needs-review`. A commit delivered twice starts one run; a failure that is not auto-fixable
//! leaves the merge blocked and waits for a person. The five scheduled test tiers (`schedules/`,
//! deployed with the catalogue of `workflows/`) fire at their
//! cron times, also across a restart on the virtual clock, each due time once.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Child;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use forge::testing::{GitHubServer, GitHubServerConfig, RecordedRequest};
use serde_json::{Value, json};
use support::{Workdir, git, repository, root_variable, spawn_with_lines, wait_for, workspace};

const TOKEN: &str = "gh-token-for-the-pipeline-3a9f";
const TOKEN_ENV: &str = "TEST_PIPELINE_GITHUB_TOKEN";

/// The suite list, in no particular order (the pipeline orders by priority), and its suites:
/// each appends its name to `ran.log` beside the repositories; `api` wants `answer=42`.
fn suites(dev: &Path, ran: &Path) {
    let write = |path: &str, text: &str| {
        let path = dev.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let list = "# priority name prefix script\nlow smoke * ./tests/smoke.sh\nhigh api src/ ./tests/api.sh\ncritical unit src/ ./tests/unit.sh\nmedium docs docs/ ./tests/docs.sh\n";
    write(".ci/test-suites", list);
    let ran = ran.display();
    for name in ["smoke", "unit", "docs"] {
        write(&format!("tests/{name}.sh"), &format!("#!/bin/sh\necho {name} >> {ran}\n"));
    }
    write(
        "tests/api.sh",
        &format!(
            "#!/bin/sh\necho api >> {ran}\ngrep -qx 'answer=42' src/config.txt || {{ echo \"want answer=42, found $(cat src/config.txt)\"; exit 1; }}\n"
        ),
    );
    write("src/config.txt", "answer=42\n");
    write("docs/guide.md", "# Guide\n");
    git(dev, &["add", "."]);
    git(dev, &["commit", "--quiet", "-m", "test: the suites"]);
    git(dev, &["push", "--quiet", "origin", "main"]);
}

/// Commits `text` to `path` in the developer's clone and pushes it; the commit's sha.
fn push(dev: &Path, path: &str, text: &str, message: &str) -> String {
    std::fs::write(dev.join(path), text).unwrap();
    git(dev, &["commit", "--quiet", "-am", message]);
    git(dev, &["push", "--quiet", "origin", "main"]);
    git(dev, &["rev-parse", "HEAD"])
}

/// Waits (at most 60 s) until the instance `key` is no longer active; its status.
fn wait_until_ended(dir: &Workdir, key: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = dir.json(&["status", key]);
        if status["instance"]["status"] != "active" || Instant::now() > deadline {
            return status;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The key of the instance the next `started test-pipeline` line names, once it ended.
fn next_run(dir: &Workdir, lines: &Receiver<String>) -> (String, Value) {
    let started = wait_for(lines, "started test-pipeline", 1);
    let key = started[0].rsplit(' ').next().expect("an instance key").to_owned();
    let status = wait_until_ended(dir, &key);
    (key, status)
}

fn requests(server: &GitHubServer, method: &str, path_end: &str) -> Vec<RecordedRequest> {
    server.requests().into_iter().filter(|r| r.method == method && r.path.ends_with(path_end)).collect()
}

fn pipeline_runs(dir: &Workdir) -> usize {
    let listed = dir.json(&["status"]);
    listed["instances"].as_array().into_iter().flatten().filter(|i| i["bpmn_process_id"] == "test-pipeline").count()
}

fn stop(mut run: Child) {
    run.kill().expect("stops the run");
    run.wait().expect("the run ends");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_commit_is_blocked_and_auto_fixed_in_a_labelled_pull_request_and_runs_once() {
    let dir = Workdir::new();
    let (remote, _workspace) = repository(dir.path());
    git(dir.path(), &["clone", "--quiet", "remote.git", "dev"]);
    let dev = dir.path().join("dev");
    git(&dev, &["config", "user.name", "Dev"]);
    git(&dev, &["config", "user.email", "dev@example.test"]);
    let ran = dir.path().join("ran.log");
    suites(&dev, &ran);
    let server = GitHubServer::start(GitHubServerConfig {
        owner: "acme".into(),
        repo: "shop".into(),
        token: TOKEN.into(),
        git: Some(remote.clone()),
    })
    .await
    .expect("the GitHub stand-in starts");
    let actions = format!(
        "workspace: repo\ngit-operation:\n  author: {{name: Fixer, email: fixer@example.test}}\ngithub: {{owner: acme, repo: shop, base_url: {}, token_env: {TOKEN_ENV}}}\n",
        server.base_url()
    );
    std::fs::write(dir.path().join("actions.yaml"), actions).unwrap();
    let patch = "--- a/src/config.txt\n+++ b/src/config.txt\n@@ -1 +1 @@\n-answer=41\n+answer=42\n";
    let scenario =
        json!({"steps": {"judge-fixable": [{"AUTO_FIXABLE": true, "PATCH": patch, "SUMMARY": "restore answer=42"}]}});
    std::fs::write(dir.path().join("scenario.yaml"), scenario.to_string()).unwrap();

    let workflows = workspace().join("workflows").display().to_string();
    let watched = remote.display().to_string();
    let args = [
        "run",
        "--deploy",
        &workflows,
        "--watch-repo",
        &watched,
        "--branch",
        "main",
        "--on-commit",
        "test-pipeline",
        "--simulate",
        "--scenario",
        "scenario.yaml",
        "--actions",
        "actions.yaml",
    ];
    let mut command = dir.command(&args);
    command.env(TOKEN_ENV, TOKEN);
    let (run, lines, docs, docs_status, failing, failing_status) = tokio::task::block_in_place(|| {
        let (run, lines) = spawn_with_lines(command);
        wait_for(&lines, "watching", 1);
        // A documentation change: docs and smoke are affected, and pass.
        let docs = push(&dev, "docs/guide.md", "# Guide\n\nMore.\n", "docs: more");
        let (_, docs_status) = next_run(&dir, &lines);
        // A source change that breaks the api suite.
        let failing = push(&dev, "src/config.txt", "answer=41\n", "feat: a new answer");
        let (_, failing_status) = next_run(&dir, &lines);
        (run, lines, docs, docs_status, failing, failing_status)
    });

    assert_eq!(docs_status["instance"]["status"], "completed", "{docs_status}");
    assert_eq!(root_variable(&docs_status, "STATUS"), "passed", "{docs_status}");
    let selected = &root_variable(&docs_status, "steps")["select-suites"];
    assert_eq!((&selected["SELECTED_SUITES"], &selected["SUITE_COUNT"]), (&json!("low:smoke medium:docs"), &json!(2)));
    let docs_passed = requests(&server, "POST", &format!("/statuses/{docs}"));
    assert_eq!(docs_passed.len(), 1, "{docs_passed:?}");
    assert_eq!(docs_passed[0].body_at("/state"), Some(&json!("success")));

    assert_eq!(failing_status["instance"]["status"], "completed", "{failing_status}");
    assert_eq!(root_variable(&failing_status, "STATUS"), "auto-fixed", "{failing_status}");
    assert_eq!(root_variable(&failing_status, "MERGE_BLOCKED"), true, "the commit itself stays blocked");
    let gate_failure = root_variable(&failing_status, "GATE_FAILURE");
    assert_eq!(gate_failure, "high suite api failed: want answer=42, found answer=41", "{failing_status}");
    // Priority order, higher first, and the failure stops the round: unit, api; after the fix
    // the whole selection again, smoke last.
    let order = std::fs::read_to_string(&ran).unwrap_or_default();
    assert_eq!(order, "docs\nsmoke\nunit\napi\nunit\napi\nsmoke\n", "the suites in the order they ran");

    let blocked = requests(&server, "POST", &format!("/statuses/{failing}"));
    assert_eq!(blocked.len(), 1, "{blocked:?}");
    assert_eq!(blocked[0].body_at("/state"), Some(&json!("failure")));
    assert_eq!(blocked[0].body_at("/context"), Some(&json!("pre-release-gate")));
    let description = blocked[0].body_at("/description").and_then(Value::as_str).unwrap_or_default();
    assert!(description.starts_with("MERGE_BLOCKED: high suite api failed"), "{description}");

    let branch = format!("fix/auto-generated-{}", &failing[..8]);
    let pulls = requests(&server, "POST", "/repos/acme/shop/pulls");
    assert_eq!(pulls.len(), 1, "one pull request: {pulls:?}");
    assert_eq!(pulls[0].body_at("/head"), Some(&json!(branch)));
    assert_eq!(pulls[0].body_at("/base"), Some(&json!("main")));
    let labels = requests(&server, "PUT", "/labels");
    assert_eq!(labels.len(), 1, "{labels:?}");
    assert_eq!(labels[0].body_at("/labels"), Some(&json!(["auto-fix", "needs-review"])));
    let fixed = git(&remote, &["show", &format!("{branch}:src/config.txt")]);
    assert_eq!(fixed, "answer=42", "the fix is on the pushed branch");
    assert_eq!(git(&remote, &["rev-parse", "main"]), failing, "main itself is untouched");

    // The same commit delivered again: main moves back, then forward to it.
    let again = tokio::task::block_in_place(|| {
        git(&dev, &["push", "--quiet", "--force", "origin", &format!("{failing}~1:main")]);
        std::thread::sleep(Duration::from_millis(2500));
        git(&dev, &["push", "--quiet", "--force", "origin", &format!("{failing}:main")]);
        let again = wait_for(&lines, "already started test-pipeline", 1);
        std::thread::sleep(Duration::from_millis(1500));
        stop(run);
        again
    });
    assert!(again[0].starts_with(&format!("commit {}", &failing[..8])), "{again:?}");
    assert_eq!(pipeline_runs(&dir), 2, "two commits, two runs, the redelivered one not again");
    let stdout: Vec<String> = lines.try_iter().collect();
    assert!(!stdout.iter().any(|l| l.contains(TOKEN)), "the token never shows");
}

#[test]
fn a_failure_that_is_not_auto_fixable_stays_blocked_and_waits_for_a_person() {
    let dir = Workdir::new();
    let scenario = json!({"steps": {
        "select-suites": [{"SELECTED_SUITES": "critical:unit low:smoke", "SUITE_COUNT": 2}],
        "run-level": [{"LEVEL_PASSED": false, "SUITE_FAILURE": "critical suite unit failed: segfault"}],
        "judge-fixable": [{"AUTO_FIXABLE": false, "PATCH": "", "SUMMARY": "a crash in the runtime"}],
    }});
    std::fs::write(dir.path().join("scenario.yaml"), scenario.to_string()).unwrap();
    let workflows = workspace().join("workflows").display().to_string();
    let args = [
        "run",
        "--deploy",
        &workflows,
        "--start",
        "test-pipeline",
        "--var",
        "inputs.SHA=0123456789abcdef",
        "--simulate",
        "--scenario",
        "scenario.yaml",
        "--until-done",
        "--json",
    ];
    let outcome = dir.run(&args).expect_code(1);
    let run = outcome.json();
    let key = run["instance"].as_i64().unwrap_or_else(|| panic!("{run}")).to_string();
    let status = dir.json(&["status", &key]);
    assert_eq!(status["instance"]["status"], "active", "waiting: {status}");
    assert_eq!(root_variable(&status, "STATUS"), "blocked");
    assert_eq!(root_variable(&status, "MERGE_BLOCKED"), true);
    assert_eq!(root_variable(&status, "FIX_ATTEMPTED"), false, "no fix branch for it");
    let tasks = dir.json(&["tasks"]);
    let task = tasks["user_tasks"].as_array().into_iter().flatten().find(|t| t["element_id"] == "ask-a-person");
    let task = task.unwrap_or_else(|| panic!("a user task for a person: {tasks}"));
    assert_eq!(task["process_instance_key"].to_string(), key, "{task}");
    let jobs: Vec<Value> = run["summary"]["jobs"].as_array().cloned().unwrap_or_default();
    let ran: Vec<&str> = jobs.iter().filter_map(|j| j["step"].as_str()).collect();
    assert_eq!(ran.iter().filter(|s| **s == "run-level").count(), 1, "the critical failure stops the round: {ran:?}");
    assert!(!ran.contains(&"open-fix-branch") && !ran.contains(&"open-fix-pr"), "{ran:?}");
}

/// The next three fire times of each scheduled test tier, by name.
fn fire_times(dir: &Workdir) -> std::collections::BTreeMap<String, Vec<i64>> {
    let listed = dir.json(&["schedules", "--next", "3"]);
    let schedules = listed["schedules"].as_array().cloned().unwrap_or_default();
    let times = |s: &Value| s["next_due_millis"].as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
    schedules.iter().map(|s| (s["name"].as_str().unwrap_or_default().to_owned(), times(s))).collect()
}

#[test]
fn the_scheduled_tiers_fire_hourly_every_four_hours_daily_weekly_and_nightly() {
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;
    let dir = Workdir::new();
    let workflows = workspace().join("workflows").display().to_string();
    let schedules = workspace().join("schedules").display().to_string();
    dir.json(&["deploy", &workflows, &schedules]);
    let fires = fire_times(&dir);
    let tier = |name: &str| fires.get(name).cloned().unwrap_or_else(|| panic!("no schedule {name}: {fires:?}"));
    let apart = |times: &[i64]| times.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>();
    let of_day = |t: i64| t.rem_euclid(DAY);

    let smoke = tier("scheduled-smoke-tests");
    assert_eq!(apart(&smoke), [HOUR, HOUR], "hourly: {smoke:?}");
    assert!(smoke.iter().all(|t| t % HOUR == 0), "on the hour: {smoke:?}");
    let integration = tier("scheduled-integration-tests");
    assert_eq!(apart(&integration), [4 * HOUR, 4 * HOUR], "every four hours: {integration:?}");
    assert!(integration.iter().all(|t| of_day(*t) % (4 * HOUR) == 0), "at 00, 04, ... 20 h: {integration:?}");
    let full = tier("scheduled-full-tests");
    assert_eq!(apart(&full), [DAY, DAY], "daily: {full:?}");
    assert!(full.iter().all(|t| of_day(*t) == 2 * HOUR), "at 02:00: {full:?}");
    let performance = tier("scheduled-performance-tests");
    assert_eq!(apart(&performance), [7 * DAY, 7 * DAY], "weekly: {performance:?}");
    // 1970-01-01 was a Thursday: a Sunday is 3 days after a Thursday.
    assert!(performance.iter().all(|t| t.div_euclid(DAY).rem_euclid(7) == 3), "on Sundays: {performance:?}");
    assert!(performance.iter().all(|t| of_day(*t) == 3 * HOUR), "at 03:00: {performance:?}");
    let nightly = tier("scheduled-ai-quality-tests");
    assert_eq!(apart(&nightly), [DAY, DAY], "nightly: {nightly:?}");
    assert!(nightly.iter().all(|t| of_day(*t) == HOUR + HOUR / 2), "at 01:30: {nightly:?}");
    let tiers: Vec<&String> = fires.keys().filter(|name| name.starts_with("scheduled-")).collect();
    assert_eq!(tiers.len(), 5, "five tiers: {fires:?}");
}

/// When each instance of `process` began, oldest first (only the schedule starts them here).
fn timer_starts(dir: &Workdir, process: &str) -> Vec<i64> {
    let listed = dir.json(&["status", "--ended", "1000000"]);
    let mut starts: Vec<i64> = listed["instances"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["bpmn_process_id"] == process)
        .filter_map(|i| i["started_at_millis"].as_i64())
        .collect();
    starts.sort_unstable();
    starts
}

#[test]
fn on_the_virtual_clock_the_tiers_fire_on_time_across_a_restart_and_none_twice() {
    const HOUR: i64 = 3_600_000;
    let dir = Workdir::new();
    let workflows = workspace().join("workflows").display().to_string();
    let schedules = workspace().join("schedules").display().to_string();
    let args = ["run", "--deploy", &workflows, "--deploy", &schedules, "--simulate", "--clock", "virtual"];
    let mut counts = Vec::new();
    for _ in 0..2 {
        // Killed (SIGKILL) while the schedules fire, and started again on the same store.
        let (run, lines) = spawn_with_lines(dir.command(&args));
        wait_for(&lines, "scheduled-smoke-tests", 3);
        std::thread::sleep(Duration::from_millis(1500));
        stop(run);
        counts.push(timer_starts(&dir, "scheduled-smoke-tests").len());
    }
    assert!(counts[1] > counts[0], "the restarted run went on firing: {counts:?}");
    for (process, every) in [("scheduled-smoke-tests", HOUR), ("scheduled-integration-tests", 4 * HOUR)] {
        let starts = timer_starts(&dir, process);
        assert!(starts.len() >= 2, "{process} fired: {starts:?}");
        assert!(starts.iter().all(|t| t % every == 0), "{process} on its hours: {starts:?}");
        let gaps: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().all(|g| *g == every), "{process}: each due time once, none missed, none twice: {gaps:?}");
    }
}
