//! The verbs that hand data to running instances (`publish message`, `broadcast signal`, `set
//! variables`), the listings `processes` and `timers`, the virtual clock's `timers fire` and
//! `timers advance`, and `--json` errors: on the store directly, and through a running `serve`.

mod support;

use std::io::{BufRead, BufReader};

use serde_json::{Value, json};
use support::{Outcome, Workdir, instance_key, model};

/// The element ids active in the instance now.
fn active(dir: &Workdir, key: i64) -> Vec<String> {
    let status = dir.json(&["status", &key.to_string()]);
    status["active_elements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["element_id"].as_str().map(str::to_owned))
        .collect()
}

/// The instance's variables now, by name.
fn variables(dir: &Workdir, key: i64, all: bool) -> serde_json::Map<String, Value> {
    let key = key.to_string();
    let mut args = vec!["status", key.as_str()];
    if all {
        args.push("--all");
    }
    let status = dir.json(&args);
    status["variables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| Some((v["name"].as_str()?.to_owned(), v["value"].clone())))
        .collect()
}

/// A failure with `--json`: the exit code, and the error's code and message from stdout.
fn json_error(outcome: Outcome, code: i32) -> (String, String) {
    let outcome = outcome.expect_code(code);
    let error = outcome.json();
    let text =
        |field: &str| error["error"][field].as_str().unwrap_or_else(|| panic!("no {field} in {error}")).to_owned();
    (text("code"), text("message"))
}

fn deploy_events(dir: &Workdir) {
    let events = model("events.bpmn");
    dir.run(&["deploy", events.to_str().unwrap_or_default()]).expect_code(0);
}

fn start_order(dir: &Workdir, order: &str) -> i64 {
    instance_key(&dir.json(&["start", "events", "--var", &format!("orderId={order}")]))
}

#[test]
fn message_signal_variables_and_the_virtual_clock_move_an_instance_on_the_store() {
    let dir = Workdir::new();
    deploy_events(&dir);
    let processes = dir.json(&["processes"]);
    assert_eq!(
        processes["processes"],
        json!([{"process_definition_key": processes["processes"][0]["process_definition_key"],
                "bpmn_process_id": "events", "version": 1, "instances": 0, "active_instances": 0}])
    );
    let key = start_order(&dir, "o-1");
    assert_eq!(active(&dir, key), ["paid"]);

    let set = dir.json(&["set", "variables", &key.to_string(), "--var", "note=rush", "--var", "count=2"]);
    assert_eq!(set, json!({"process_instance_key": key, "variables": {"note": "rush", "count": 2}}));
    let now = variables(&dir, key, false);
    assert_eq!((now.get("note"), now.get("count")), (Some(&json!("rush")), Some(&json!(2))));

    // A message for another order waits for nobody; the instance's own moves it on.
    dir.json(&["publish", "message", "payment", "--correlation-key", "o-2"]);
    assert_eq!(active(&dir, key), ["paid"]);
    let published = dir.json(&["publish", "message", "payment", "--correlation-key", "o-1", "--var", "paid=true"]);
    assert!(published["message_key"].as_i64().is_some(), "{published}");
    assert_eq!(active(&dir, key), ["go"]);
    assert_eq!(variables(&dir, key, false).get("paid"), Some(&json!(true)));

    let signal = dir.json(&["broadcast", "signal", "go"]);
    assert!(signal["signal_key"].as_i64().is_some(), "{signal}");
    assert_eq!(active(&dir, key), ["wait"]);

    let timers = dir.json(&["timers"]);
    let timer = &timers["timers"][0];
    assert_eq!((timer["process_instance_key"].as_i64(), timer["element_id"].as_str()), (Some(key), Some("wait")));
    let due = timer["due_date"].as_i64().unwrap_or_default();
    let in_an_hour = chrono::Utc::now().timestamp_millis() + 3_600_000;
    assert!((in_an_hour - due).abs() < 120_000, "due in about an hour: {due} vs {in_an_hour}");

    // Half an hour passes twice: nothing fires the first time, and the clock keeps that half
    // hour, so the second half hour (and a minute) makes the hour and fires the timer.
    let early = dir.json(&["timers", "advance", "30m"]);
    assert_eq!(early["fired_timers"], json!([]));
    let late = dir.json(&["timers", "advance", "31m"]);
    assert_eq!(late["fired_timers"], json!([timer["key"]]), "two advances add up");
    assert!(late["engine_time"].as_i64() >= early["engine_time"].as_i64().map(|t| t + 31 * 60_000));
    let status = dir.json(&["status", &key.to_string()]);
    assert_eq!(status["instance"]["status"], json!("completed"));
    assert_eq!(status["instance"]["process_instance_key"], json!(key));
    assert_eq!(dir.json(&["processes"])["processes"][0]["instances"], json!(1));
}

#[test]
fn timers_fire_moves_the_clock_to_one_timer() {
    let dir = Workdir::new();
    deploy_events(&dir);
    let key = start_order(&dir, "o-9");
    dir.json(&["publish", "message", "payment", "--correlation-key", "o-9"]);
    dir.json(&["broadcast", "signal", "go"]);
    let timer = dir.json(&["timers"])["timers"][0]["key"].clone();
    let fired = dir.json(&["timers", "fire", &timer.to_string()]);
    assert_eq!(fired["fired_timers"], json!([timer]));
    assert_eq!(dir.json(&["status", &key.to_string()])["instance"]["status"], json!("completed"));
    assert_eq!(dir.json(&["timers"])["timers"], json!([]));
    let (code, message) = json_error(dir.run(&["timers", "fire", &timer.to_string(), "--json"]), 1);
    assert_eq!(code, "FAILED");
    assert!(message.contains(&format!("no pending timer {timer}")), "{message}");
}

#[test]
fn a_kept_virtual_clock_that_does_not_read_is_an_error_naming_its_file() {
    let dir = Workdir::new();
    deploy_events(&dir);
    let file = dir.path().join(".orchestrator/state.db-clock");
    std::fs::write(&file, "tomorrow").unwrap_or_else(|e| panic!("{e}"));
    let (code, message) = json_error(dir.run(&["timers", "advance", "1h", "--json"]), 1);
    assert_eq!(code, "FAILED");
    assert!(message.contains("state.db-clock") && message.contains("delete it"), "{message}");
    std::fs::remove_file(&file).unwrap_or_else(|e| panic!("{e}"));
    let moved = dir.json(&["timers", "advance", "1h"]);
    assert_eq!(std::fs::read_to_string(&file).ok(), moved["engine_time"].as_i64().map(|t| t.to_string()));

    // The new time cannot be written (a folder stands where it goes): an error naming the file.
    std::fs::create_dir(dir.path().join(".orchestrator/state.db-clock.new")).unwrap_or_else(|e| panic!("{e}"));
    let (code, message) = json_error(dir.run(&["timers", "advance", "1h", "--json"]), 1);
    assert_eq!(code, "FAILED");
    assert!(message.contains("cannot keep the virtual clock in") && message.contains("state.db-clock"), "{message}");
    assert_eq!(std::fs::read_to_string(&file).ok(), moved["engine_time"].as_i64().map(|t| t.to_string()));
}

#[test]
fn bad_input_to_the_verbs_is_refused_as_json_and_changes_nothing() {
    let dir = Workdir::new();
    deploy_events(&dir);
    let instance = start_order(&dir, "o-3");
    let key = instance.to_string();
    let cases: [(&[&str], i32, &str, &str); 7] = [
        (&["set", "variables", &key], 2, "INVALID_ARGUMENT", "no variables to set"),
        (&["set", "variables", "424242", "--var", "a=1"], 1, "FAILED", "no running process instance 424242"),
        (&["set", "variables", &key, "--var", "novalue"], 2, "INVALID_ARGUMENT", "--var 'novalue' has no '='"),
        (&["publish", "message", " "], 2, "INVALID_ARGUMENT", "the message needs a name"),
        (&["publish", "message", "payment", "--ttl", "forever"], 2, "INVALID_ARGUMENT", "--ttl 'forever'"),
        (&["broadcast", "signal", ""], 2, "INVALID_ARGUMENT", "the signal needs a name"),
        (&["timers", "advance", "soon"], 2, "INVALID_ARGUMENT", "the duration 'soon' is not a duration"),
    ];
    for (args, exit, code, text) in cases {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        let (got_code, message) = json_error(dir.run(&with_json), exit);
        assert_eq!(got_code, code, "{args:?}: {message}");
        assert!(message.contains(text), "{args:?}: {message}");
    }
    let (code, message) = json_error(dir.run(&["--json", "statuss"]), 2);
    assert_eq!(code, "INVALID_ARGUMENT");
    assert!(message.contains("statuss"), "names the unknown subcommand: {message}");
    // Without --json the error stays text on stderr.
    let plain = dir.run(&["set", "variables", &key]).expect_code(2);
    assert!(plain.stdout.is_empty() && plain.stderr.starts_with("error: no variables to set"), "{plain:?}");
    assert_eq!(active(&dir, instance), ["paid"]);
    assert_eq!(variables(&dir, instance, true).get("a"), None);
}

#[test]
fn a_mistyped_store_is_an_error_naming_it_for_every_reading_command() {
    let dir = Workdir::new();
    for args in [&["processes"][..], &["timers"], &["status"], &["status", "1"], &["history", "1"], &["incidents"]] {
        let mut with_store = vec!["--store", "nowhere/state.db", "--json"];
        with_store.extend_from_slice(args);
        let (code, message) = json_error(dir.run(&with_store), 1);
        assert_eq!(code, "FAILED");
        assert!(message.contains("no store at nowhere/state.db"), "{args:?}: {message}");
    }
    assert!(!dir.path().join("nowhere").exists(), "nothing was created");
}

#[test]
fn internal_variables_stay_out_of_status_and_history_unless_asked() {
    let dir = Workdir::new();
    deploy_events(&dir);
    let key = start_order(&dir, "o-4");
    let text = key.to_string();
    dir.json(&["set", "variables", &text, "--var", "steps__caller={}", "--var", "sla_clocks={}", "--var", "mine=1"]);
    let shown = variables(&dir, key, false);
    assert!(shown.contains_key("mine") && !shown.contains_key("steps__caller") && !shown.contains_key("sla_clocks"));
    let all = variables(&dir, key, true);
    assert!(all.contains_key("steps__caller") && all.contains_key("sla_clocks"));
    let names = |history: &Value| -> Vec<String> {
        history["variable_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["name"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(names(&dir.json(&["history", &text])), ["orderId", "mine"]);
    assert_eq!(names(&dir.json(&["history", &text, "--all"])), ["orderId", "mine", "sla_clocks", "steps__caller"]);
    let history = dir.run(&["history", &text]).expect_code(0);
    assert!(!history.stdout.contains("steps__caller"), "{}", history.stdout);
}

#[test]
fn run_counts_an_instance_that_ended_while_it_started() {
    let dir = Workdir::new();
    let instant = model("instant.bpmn");
    let run =
        dir.json(&["run", "--deploy", instant.to_str().unwrap_or_default(), "--start", "instant", "--until-done"]);
    assert_eq!(run["stopped"], json!("completed"));
    assert_eq!(run["counts"]["instances_completed"], json!(1), "{run}");
    assert_eq!(run["process_instance_key"], run["instance"]);
}

/// `serve` on a free port with the events and broken-step models, with `token` as its operator
/// token.
fn serve(dir: &Workdir, token: &str) -> std::process::Child {
    let (events, broken) = (model("events.bpmn"), model("broken-step.bpmn"));
    let mut command = dir.command(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--deploy",
        events.to_str().unwrap_or_default(),
        "--deploy",
        broken.to_str().unwrap_or_default(),
    ]);
    command.env("ORCHESTRATOR_TOKEN", token);
    let mut child = support::spawn(command);
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let serving = BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.starts_with("serving on"));
    assert!(serving, "serve did not start");
    child
}

/// A command with the operator token in the environment.
fn with_token(dir: &Workdir, token: &str, args: &[&str]) -> Outcome {
    let mut command = dir.command(args);
    command.env("ORCHESTRATOR_TOKEN", token);
    support::finish(support::spawn(command), support::LIMIT)
}

#[test]
fn the_verbs_go_through_a_running_serve_and_fall_back_to_the_store_once_it_is_gone() {
    let dir = Workdir::new();
    let token = "verbs-test-token";
    let mut serving = serve(&dir, token);
    let address = std::fs::read_to_string(dir.path().join(".orchestrator/state.db-serve")).unwrap_or_default();
    let json = |args: &[&str]| {
        let mut args = args.to_vec();
        args.push("--json");
        with_token(&dir, token, &args).expect_code(0).json()
    };
    let key = instance_key(&json(&["start", "events", "--var", "orderId=o-7"]));
    json(&["set", "variables", &key.to_string(), "--var", "note=via-serve"]);
    json(&["publish", "message", "payment", "--correlation-key", "o-7"]);
    json(&["broadcast", "signal", "go"]);
    let after = (active(&dir, key), variables(&dir, key, false).get("note").cloned());
    let refused_clock = with_token(&dir, token, &["timers", "advance", "1h", "--json"]);
    let unknown = with_token(&dir, token, &["set", "variables", "424242", "--var", "a=1", "--json"]);
    let wrong_token = with_token(&dir, "not-the-token", &["broadcast", "signal", "go", "--json"]);
    let second = start_through(&dir, token, &["events", "--var", "orderId=o-8"]);
    let cancelled = with_token(&dir, token, &["cancel", &second.to_string(), "--json"]);
    let (broken, incident, resolved) = resolve_an_incident_through(&dir, token);
    // The engine is serve's (opening the store would be refused): the policy runs through it.
    let pruned = json(&["prune", "--keep", "1h"]);
    let _ = serving.kill();
    let _ = serving.wait();

    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    assert_eq!(after, (vec!["wait".to_owned()], Some(json!("via-serve"))));
    let (_, message) = json_error(refused_clock, 1);
    assert!(message.contains("a serve runs on this store") && message.contains("wall clock"), "{message}");
    let (_, message) = json_error(unknown, 1);
    assert!(message.contains("no active process instance 424242"), "{message}");
    let (_, message) = json_error(wrong_token, 1);
    assert!(message.contains("refused the API token") && !message.contains("not-the-token"), "{message}");
    cancelled.expect_code(0);
    assert!(pruned["through"].as_i64().is_some_and(|p| p > 0) && pruned["instances"] == json!(0), "{pruned}");
    assert_eq!(resolved["resolved_incident"], json!(incident));
    assert_eq!(resolved["retries"], json!(2));
    let history = dir.json(&["history", &broken.to_string()]);
    let first = history["incidents"].as_array().and_then(|all| all.iter().find(|i| i["key"] == json!(incident)));
    assert!(first.is_some_and(|i| !i["span"]["ended"].is_null()), "resolved through serve: {history}");
    assert_eq!(dir.json(&["status", &second.to_string()])["instance"]["status"], json!("terminated"));

    // Killed, serve left its address file; nothing answers there, so the verbs use the store.
    assert!(dir.path().join(".orchestrator/state.db-serve").exists());
    let fired = with_token(&dir, token, &["timers", "advance", "2h", "--json"]).expect_code(0).json();
    assert_eq!(fired["fired_timers"].as_array().map(Vec::len), Some(1), "{fired}");
    assert_eq!(dir.json(&["status", &key.to_string()])["instance"]["status"], json!("completed"));

    // Stopped as it should be, serve removes its address file.
    let again = serve(&dir, token);
    let stopped = std::process::Command::new("kill").args(["-TERM", &again.id().to_string()]).status();
    assert!(stopped.is_ok_and(|s| s.success()));
    let outcome = support::finish(again, support::LIMIT);
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert!(!dir.path().join(".orchestrator/state.db-serve").exists(), "the address file is gone");
}

/// Starts broken-step through serve, waits for its incident and resolves it through serve with
/// 2 retries: the instance, the incident and the answer.
fn resolve_an_incident_through(dir: &Workdir, token: &str) -> (i64, i64, Value) {
    let started = with_token(dir, token, &["start", "broken-step", "--json"]).expect_code(0).json();
    let broken = instance_key(&started);
    let began = std::time::Instant::now();
    let incident = loop {
        let open = dir.json(&["incidents"]);
        let found = open["incidents"]
            .as_array()
            .and_then(|all| all.iter().find(|i| i["process_instance_key"] == json!(broken)))
            .and_then(|i| i["key"].as_i64());
        if let Some(key) = found {
            break key;
        }
        assert!(began.elapsed() < support::LIMIT, "no incident for {broken}: {open}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let args = ["incidents", "resolve", &incident.to_string(), "--retries", "2", "--json"];
    let resolved = with_token(dir, token, &args).expect_code(0).json();
    (broken, incident, resolved)
}

#[test]
fn deploy_and_tasks_complete_go_through_a_running_serve() {
    let dir = Workdir::new();
    let token = "deploy-tasks-token";
    let mut serving = serve(&dir, token);
    let (approval, job_approval) = (model("approval.bpmn"), model("job-approval.bpmn"));
    let deploy = ["deploy", approval.to_str().unwrap_or_default(), job_approval.to_str().unwrap_or_default(), "--json"];
    let deployed = with_token(&dir, token, &deploy).expect_code(0).json();
    let not_text = dir.path().join("not-text.bpmn");
    // ISO-8859-1, as declared: the BPMN reader takes it, the API takes UTF-8 text only.
    let latin = std::fs::read_to_string(&approval).unwrap_or_default().replace("UTF-8", "ISO-8859-1");
    let mut bytes = latin.replace("id=\"approve\"", "id=\"approve\" name=\"caf\u{1}\"").into_bytes();
    if let Some(at) = bytes.iter().position(|b| *b == 1) {
        bytes[at] = 0xE9;
    }
    std::fs::write(&not_text, bytes).unwrap_or_else(|e| panic!("{e}"));
    let refused = with_token(&dir, token, &["deploy", not_text.to_str().unwrap_or_default(), "--json"]);
    // Started through serve: serve knows what the CLI deployed through it.
    let camunda = start_through(&dir, token, &["approval"]);
    let job = start_through(&dir, token, &["job-approval"]);
    let open = dir.json(&["tasks"]);
    let task_of = |instance: i64| {
        let all = open["user_tasks"].as_array().cloned().unwrap_or_default();
        let task = all.iter().find(|t| t["process_instance_key"] == json!(instance)).map(|t| t["key"].clone());
        task.unwrap_or_else(|| panic!("no task of {instance}: {open}")).to_string()
    };
    let completed = [
        with_token(&dir, token, &["tasks", "complete", &task_of(camunda), "--var", "approved=true", "--json"]),
        with_token(&dir, token, &["tasks", "complete", &task_of(job), "--var", "approved=false", "--json"]),
    ];
    let unknown = with_token(&dir, token, &["tasks", "complete", "424242", "--json"]);
    let _ = serving.kill();
    let _ = serving.wait();

    let names: Vec<(Value, Value)> = deployed["processes"]
        .as_array()
        .map(|all| all.iter().map(|p| (p["bpmn_process_id"].clone(), p["version"].clone())).collect())
        .unwrap_or_default();
    assert_eq!(names, [(json!("approval"), json!(1)), (json!("job-approval"), json!(1))], "{deployed}");
    assert!(deployed["processes"][0]["resource_name"].as_str().is_some_and(|n| n.ends_with("approval.bpmn")));
    let (code, message) = json_error(refused, 2);
    assert_eq!(code, "INVALID_ARGUMENT");
    assert!(message.contains("not-text.bpmn") && message.contains("not UTF-8"), "{message}");
    for outcome in completed {
        let outcome = outcome.expect_code(0);
        assert!(!outcome.stderr.contains("locked"), "{}", outcome.stderr);
    }
    let (_, message) = json_error(unknown, 1);
    assert!(message.contains("no open user task 424242") && message.contains("the serve at"), "{message}");
    for (instance, approved) in [(camunda, true), (job, false)] {
        let status = dir.json(&["status", &instance.to_string()]);
        assert_eq!(status["instance"]["status"], json!("completed"), "{status}");
        assert_eq!(variables(&dir, instance, false).get("approved"), Some(&json!(approved)));
    }
}

/// `start ARGS --json` through serve: the new instance.
fn start_through(dir: &Workdir, token: &str, args: &[&str]) -> i64 {
    let args = [&["start"][..], args, &["--json"]].concat();
    instance_key(&with_token(dir, token, &args).expect_code(0).json())
}
