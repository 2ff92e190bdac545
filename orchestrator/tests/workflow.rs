//! The orchestrator's commands end to end, each test in its own folder with the default store.

mod support;

use serde_json::{Value, json};
use support::{Workdir, instance_key, model, seeds};

/// Deploys the seed workflows and starts wf3 with its inputs.
fn start_branch_creation(dir: &Workdir) -> i64 {
    let seeds = seeds().display().to_string();
    let deployed = dir.json(&["deploy", &seeds]);
    let processes = deployed["processes"].as_array().map(Vec::len).unwrap_or_default();
    assert_eq!(processes, 32, "{deployed}");
    let started = dir.json(&[
        "start",
        "wf3-branch-creation",
        "--var",
        "inputs.WORK_TYPE=feature",
        "--var",
        "inputs.WORK_ITEM_ID=WI-42",
        "--var",
        "inputs.DESCRIPTION=dark-mode",
    ]);
    assert_eq!(started["bpmn_process_id"], json!("wf3-branch-creation"));
    assert_eq!(started["version"], json!(1));
    instance_key(&started)
}

fn element<'a>(elements: &'a Value, id: &str) -> &'a Value {
    elements
        .as_array()
        .and_then(|all| all.iter().find(|e| e["element_id"] == json!(id)))
        .unwrap_or_else(|| panic!("no element {id} in {elements}"))
}

#[test]
fn a_seed_workflow_runs_to_its_end_and_status_and_history_show_who_did_what() {
    let dir = Workdir::new();
    let key = start_branch_creation(&dir);
    let status = dir.json(&["status", &key.to_string()]);
    assert_eq!(status["instance"]["status"], json!("active"));
    assert_eq!(element(&status["active_elements"], "validate-base-branch")["element_type"], json!("SERVICE_TASK"));
    assert_eq!(status["jobs"][0]["job_type"], json!("shell-command"));

    let run = dir.run(&["run", "--until-done", &key.to_string()]).expect_code(0);
    assert!(run.stdout.contains("would run: BRANCH_NAME=\"feature/WI-42-dark-mode\""), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("process instance {key} completed")), "{}", run.stdout);

    let listed = dir.json(&["status"]);
    assert_eq!(listed["instances"][0]["status"], json!("completed"));
    let status = dir.json(&["status", &key.to_string()]);
    assert_eq!(status["active_elements"], json!([]));
    let outputs = status["variables"].as_array().and_then(|v| v.iter().find(|v| v["name"] == json!("outputs")));
    assert_eq!(outputs.map(|o| o["value"]["STATUS"].clone()), Some(json!("completed")));

    let history = dir.json(&["history", &key.to_string()]);
    let started = &history["instance"]["span"]["started"]["cause"];
    assert_eq!(started, &json!({"kind": "api", "call": "CreateProcessInstance", "client": "orchestrator"}));
    for id in ["validate-base-branch", "create-branch", "log-success"] {
        let step = element(&history["elements"], id);
        assert_eq!(step["status"], json!("completed"), "{step}");
        assert_eq!(
            step["span"]["ended"]["cause"],
            json!({"kind": "worker", "name": "orchestrator", "call": "CompleteJob"})
        );
        let (began, ended) =
            (step["span"]["started"]["at_millis"].as_i64(), step["span"]["ended"]["at_millis"].as_i64());
        assert!(began.is_some() && ended >= began, "{step}");
    }
    let jobs = history["jobs"].as_array().map(Vec::len).unwrap_or_default();
    assert_eq!(jobs, 7, "one job per service task of wf3");

    let text = dir.run(&["history", &key.to_string()]).expect_code(0).stdout;
    assert!(text.contains("CompleteJob by worker 'orchestrator'"), "{text}");
    assert!(text.contains("started by CreateProcessInstance by orchestrator"), "{text}");
}

#[test]
fn run_until_idle_finishes_every_started_instance() {
    let dir = Workdir::new();
    start_branch_creation(&dir);
    start_branch_creation(&dir);
    let run = dir.json(&["run", "--until-idle"]);
    assert_eq!(run["stopped"], json!("idle"));
    assert_eq!(run["counts"]["instances_completed"], json!(2), "{run}");
    assert_eq!(run["counts"]["jobs_done"], json!(14), "{run}");
    let listed = dir.json(&["status"]);
    let statuses: Vec<&Value> =
        listed["instances"].as_array().map(|a| a.iter().map(|i| &i["status"]).collect()).unwrap_or_default();
    assert_eq!(statuses, [&json!("completed"), &json!("completed")]);
}

#[test]
fn a_user_task_waits_until_tasks_complete_gives_its_variables() {
    let dir = Workdir::new();
    let approval = model("approval.bpmn").display().to_string();
    dir.json(&["deploy", &approval]);
    let key = instance_key(&dir.json(&["start", "approval"]));

    let stuck = dir.run(&["run", "--until-done", &key.to_string()]).expect_code(1);
    assert!(
        stuck.stderr.contains("waits for outside help at approve") && stuck.stderr.contains("orchestrator tasks"),
        "{}",
        stuck.stderr
    );

    let tasks = dir.json(&["tasks"]);
    assert_eq!(tasks["user_tasks"][0]["element_id"], json!("approve"), "{tasks}");
    let task = tasks["user_tasks"][0]["key"].as_i64().unwrap_or_default();
    dir.json(&["tasks", "complete", &task.to_string(), "--var", "approved=true"]);

    let status = dir.json(&["status", &key.to_string()]);
    assert_eq!(status["instance"]["status"], json!("completed"));
    assert_eq!(
        status["variables"][0],
        json!({"name": "approved", "value": true, "scope_key": key, "process_instance_key": key, "created": true, "change": status["variables"][0]["change"]})
    );
    assert_eq!(status["variables"][0]["change"]["cause"]["call"], json!("CompleteUserTask"));
    assert_eq!(dir.json(&["tasks"])["user_tasks"], json!([]));
}

#[test]
fn an_incident_is_listed_and_resolving_it_with_retries_runs_the_job_again() {
    let dir = Workdir::new();
    let broken = model("broken-step.bpmn").display().to_string();
    dir.json(&["deploy", &broken]);
    let key = instance_key(&dir.json(&["start", "broken-step"]));

    let stuck = dir.run(&["run", "--until-done", &key.to_string()]).expect_code(1);
    assert!(
        stuck.stderr.contains("has an incident at set") && stuck.stderr.contains("orchestrator incidents"),
        "{}",
        stuck.stderr
    );
    let incidents = dir.json(&["incidents"]);
    let incident = &incidents["incidents"][0];
    assert_eq!(incident["error_type"], json!("JOB_NO_RETRIES"), "{incidents}");
    assert!(incident["error_message"].as_str().unwrap_or_default().contains("'variable'"), "{incident}");
    let incident_key = incident["key"].as_i64().unwrap_or_default();

    let resolved = dir.json(&["incidents", "resolve", &incident_key.to_string(), "--retries", "2"]);
    assert_eq!(resolved["retries"], json!(2));
    assert_eq!(dir.json(&["incidents"])["incidents"], json!([]));
    let status = dir.json(&["status", &key.to_string()]);
    assert_eq!(
        (status["jobs"][0]["retries"].clone(), status["jobs"][0]["state"].clone()),
        (json!(2), json!("RETRIES_UPDATED"))
    );

    // The handler fails the same way again: a second incident, the first one resolved by us.
    dir.run(&["run", "--until-done", &key.to_string()]).expect_code(1);
    let history = dir.json(&["history", &key.to_string()]);
    let all = history["incidents"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        all[0]["span"]["ended"]["cause"],
        json!({"kind": "api", "call": "ResolveIncident", "client": "orchestrator"})
    );
    assert_eq!(
        all[1]["span"]["started"]["cause"],
        json!({"kind": "worker", "name": "orchestrator", "call": "FailJob"})
    );

    let again = dir.run(&["incidents", "resolve", &incident_key.to_string()]).expect_code(1);
    assert!(again.stderr.contains(&format!("no open incident {incident_key}")), "{}", again.stderr);
}

#[test]
fn cancel_terminates_an_instance_once() {
    let dir = Workdir::new();
    let approval = model("approval.bpmn").display().to_string();
    dir.json(&["deploy", &approval]);
    let key = instance_key(&dir.json(&["start", "approval"]));
    assert_eq!(dir.json(&["cancel", &key.to_string()])["canceled_instance"], json!(key));
    let status = dir.json(&["status", &key.to_string()]);
    assert_eq!(status["instance"]["status"], json!("terminated"));
    assert_eq!(status["instance"]["span"]["ended"]["cause"]["call"], json!("CancelProcessInstance"));
    let again = dir.run(&["cancel", &key.to_string()]).expect_code(1);
    assert!(again.stderr.contains(&format!("no active process instance {key}")), "{}", again.stderr);
    let done = dir.run(&["run", "--until-done", &key.to_string()]).expect_code(1);
    assert!(done.stderr.contains("was terminated"), "{}", done.stderr);
}

#[test]
fn ctrl_c_stops_run_after_draining() {
    use std::io::{BufRead, BufReader};

    let dir = Workdir::new();
    let mut child = support::spawn(dir.command(&["run"]));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout pipe"));
    let (lines, received) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    // The first progress line comes once the engine runs and listens for Ctrl-C.
    let first = received.recv_timeout(support::LIMIT).unwrap_or_else(|e| panic!("no progress line: {e}"));
    assert!(first.starts_with("instances: 0 active"), "{first}");
    let interrupted = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    assert!(interrupted.is_ok_and(|s| s.success()), "cannot send SIGINT");
    let outcome = support::finish(child, support::LIMIT).expect_code(0);
    let _ = reader.join();
    let rest: Vec<String> = received.try_iter().collect();
    assert!(rest.iter().any(|l| l.starts_with("stopped: interrupted (Ctrl-C)")), "{rest:?}\n{}", outcome.stderr);
}

#[test]
fn a_changed_model_deploys_a_new_version_and_running_instances_keep_theirs() {
    let dir = Workdir::new();
    let approval = model("approval.bpmn");
    let first = dir.json(&["deploy", &approval.display().to_string()]);
    let again = dir.json(&["deploy", &approval.display().to_string()]);
    assert_eq!(
        (first["processes"][0]["version"].clone(), again["processes"][0]["version"].clone()),
        (json!(1), json!(1))
    );
    let old = instance_key(&dir.json(&["start", "approval"]));

    let changed = dir.path().join("approval.bpmn");
    let text = std::fs::read_to_string(&approval)
        .unwrap_or_default()
        .replace("<bpmn:endEvent id=\"end\" />", "<bpmn:endEvent id=\"end\" name=\"Approved\" />");
    std::fs::write(&changed, text).unwrap_or_else(|e| panic!("{e}"));
    let second = dir.json(&["deploy", &changed.display().to_string()]);
    assert_eq!(second["processes"][0]["version"], json!(2));
    let new = instance_key(&dir.json(&["start", "approval"]));

    let listed = dir.json(&["status"]);
    let versions: Vec<(i64, Value)> = listed["instances"]
        .as_array()
        .map(|all| all.iter().map(|i| (i["key"].as_i64().unwrap_or_default(), i["version"].clone())).collect())
        .unwrap_or_default();
    assert_eq!(versions, [(old, json!(1)), (new, json!(2))]);
}

#[test]
fn a_pending_timer_shows_in_status_and_its_firing_in_history() {
    let dir = Workdir::new();
    dir.json(&["deploy", &model("short-wait.bpmn").display().to_string()]);
    let key = instance_key(&dir.json(&["start", "short-wait"]));
    let status = dir.json(&["status", &key.to_string()]);
    let timer = &status["timers"][0];
    assert_eq!(timer["element_id"], json!("wait"), "{status}");
    let started = status["instance"]["span"]["started"]["at_millis"].as_i64().unwrap_or_default();
    assert_eq!(timer["due_millis"].as_i64(), Some(started + 1000));

    dir.run(&["run", "--until-done", &key.to_string()]).expect_code(0);
    let history = dir.json(&["history", &key.to_string()]);
    let wait = element(&history["elements"], "wait");
    assert_eq!(wait["span"]["ended"]["cause"], json!({"kind": "timer"}));
    assert!(wait["span"]["ended"]["at_millis"].as_i64() >= Some(started + 1000), "{wait}");
    assert_eq!(history["timers"][0]["status"], json!("completed"));
}

#[test]
fn run_leaves_a_snapshot_so_the_next_open_replays_nothing_before_it() {
    let dir = Workdir::new();
    let key = start_branch_creation(&dir);
    dir.run(&["run", "--until-done", &key.to_string()]).expect_code(0);

    let store = engine::store::open(&dir.store().display().to_string()).expect("the store opens");
    let clock = std::sync::Arc::new(engine::SystemClock);
    let core = engine::EngineCore::open(store, clock).expect("the engine opens");
    let report = core.open_report();
    assert!(report.snapshot_position.is_some(), "no snapshot was used: {report:?}");
    assert!(report.skipped_snapshots.is_empty(), "{report:?}");
    assert!(!core.is_active(key), "the finished instance came back as running");
}
