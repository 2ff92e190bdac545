//! The orchestrator on a PostgreSQL store: the same commands, a log of its own per test.
//!
//! The server is `$ORCHESTRATOR_TEST_POSTGRES_URL` (CI starts one), or else the one
//! `db/postgres.sh start` starts (and leaves running; `db/postgres.sh stop` stops it).

mod support;

use serde_json::json;
use support::{Workdir, fresh_log_url, instance_key, seeds, workspace};

#[test]
fn a_seed_workflow_runs_on_postgres_and_its_history_reads_back() {
    let dir = Workdir::new();
    let url = fresh_log_url("orchestrator-cli");
    let store = ["--store", url.as_str()];
    fn with<'a>(args: &[&'a str], store: &[&'a str]) -> Vec<&'a str> {
        [args, store].concat()
    }
    let seeds = seeds().display().to_string();

    let run = dir
        .run(&with(
            &[
                "run",
                "--deploy",
                &seeds,
                "--start",
                "wf3-branch-creation",
                "--var",
                "inputs.WORK_TYPE=hotfix",
                "--var",
                "inputs.WORK_ITEM_ID=H-1",
                "--until-done",
                "--json",
            ],
            &store,
        ))
        .expect_code(0)
        .json();
    assert_eq!(run["stopped"], json!("completed"), "{run}");
    let key = run["instance"].as_i64().unwrap_or_default();

    let history = dir.json(&with(&["history", &key.to_string()], &store));
    assert_eq!(history["instance"]["status"], json!("completed"));
    let jobs = history["jobs"].as_array().map(Vec::len).unwrap_or_default();
    assert_eq!(jobs, 7, "{history}");
    assert!(!dir.store().exists(), "no SQLite file was made");

    // A second run of the same log continues it: the next instance gets a new key.
    let next = instance_key(&dir.json(&with(&["start", "wf3-branch-creation"], &store)));
    assert!(next > key);
    let listed = dir.json(&with(&["status"], &store));
    assert_eq!(listed["instances"].as_array().map(Vec::len), Some(2));
}

#[test]
fn persona_instances_live_in_the_database_beside_the_logs() {
    let dir = Workdir::new();
    let url = fresh_log_url("orchestrator-personas");
    // The registry is one per database, shared by its logs: a project of this run's own keeps
    // the test apart from earlier runs.
    let project = format!("acme/run-{}", url.rsplit('-').next().unwrap_or("0"));
    let catalogue = workspace().join("workflows/personas/types.yaml").display().to_string();
    let store = ["--store", url.as_str()];
    fn with<'a>(args: &[&'a str], store: &[&'a str]) -> Vec<&'a str> {
        [args, store].concat()
    }
    dir.run(&with(&["personas", "types", "--catalogue", &catalogue], &store)).expect_code(0);
    for name in ["ada", "bob"] {
        let create = ["personas", "create", name, "--type", "backend-developer", "--project", &project];
        dir.run(&with(&create, &store)).expect_code(0);
    }
    let duplicate = ["personas", "create", "ada", "--type", "backend-developer", "--project", &project];
    let refused = dir.run(&with(&duplicate, &store)).expect_code(2);
    assert!(refused.stderr.contains("already has an instance named `ada`"), "{}", refused.stderr);
    let listed = dir.json(&with(&["personas", "list", "--project", &project], &store));
    let names: Vec<&str> = listed["instances"]
        .as_array()
        .map_or_else(Vec::new, |all| all.iter().filter_map(|i| i["name"].as_str()).collect());
    assert_eq!(names, ["ada", "bob"]);
    let id = listed["instances"][0]["id"].as_i64().unwrap_or_default().to_string();
    dir.run(&with(&["personas", "pause", &id], &store)).expect_code(0);
    let audit = dir.json(&with(&["audit", "--instance", &id], &store));
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .map_or_else(Vec::new, |e| e.iter().filter_map(|e| e["details"]["action"].as_str()).collect());
    assert_eq!(actions, ["create", "pause"]);
    assert!(!dir.store().exists(), "no SQLite file was made");
}

#[test]
fn reading_commands_and_changes_work_beside_serve_on_postgres() {
    use std::io::{BufRead, BufReader};
    let dir = Workdir::new();
    let url = fresh_log_url("orchestrator-serve");
    let approval = support::model("approval.bpmn");
    let mut command = dir.command(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--store",
        &url,
        "--deploy",
        approval.to_str().unwrap_or_default(),
    ]);
    command.env("ORCHESTRATOR_TOKEN", "pg-serve-token");
    let mut serving = support::spawn(command);
    let stdout = serving.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let listening = BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.starts_with("serving on"));
    let run = |args: &[&str]| {
        let mut command = dir.command(&[args, &["--store", &url, "--json"]].concat());
        command.env("ORCHESTRATOR_TOKEN", "pg-serve-token");
        support::finish(support::spawn(command), support::LIMIT)
    };
    let started = run(&["start", "approval"]);
    let status = run(&["status"]);
    let processes = run(&["processes"]);
    let mistyped = dir.run(&["status", "--store", &url.replace("log=", "log=no-such-"), "--json"]);
    let _ = serving.kill();
    let _ = serving.wait();
    assert!(listening, "serve did not start on PostgreSQL");
    let key = instance_key(&started.expect_code(0).json());
    let status = status.expect_code(0).json();
    assert_eq!(status["instances"][0]["process_instance_key"], json!(key));
    assert_eq!(processes.expect_code(0).json()["processes"][0]["bpmn_process_id"], json!("approval"));
    let error = mistyped.expect_code(1).json();
    let message = error["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("no log 'no-such-orchestrator-serve"), "{message}");
    assert!(!message.contains("orchestrator:orchestrator@"), "no password in errors: {message}");
}
