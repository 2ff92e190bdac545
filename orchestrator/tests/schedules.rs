//! `schedules` and `schedule trigger` on a deployed `schedule:` workflow.

mod support;

use serde_json::json;
use support::{Workdir, model};

const HOUR: i64 = 3_600_000;

#[test]
fn schedules_list_the_next_fire_times_and_a_trigger_starts_one_instance_without_moving_them() {
    let dir = Workdir::new();
    let hourly = model("hourly-report.yaml").display().to_string();
    dir.json(&["deploy", &hourly]);
    let listed = dir.json(&["schedules", "--next", "4"]);
    let schedule = &listed["schedules"][0];
    assert_eq!(schedule["name"], json!("hourly-report"), "{listed}");
    assert_eq!((&schedule["timer"], &schedule["element_id"]), (&json!("0 0 * * * *"), &json!("workflow__schedule")));
    let next: Vec<i64> =
        schedule["next_due_millis"].as_array().expect("times").iter().filter_map(|t| t.as_i64()).collect();
    assert_eq!(next.len(), 4, "{listed}");
    assert!(next.iter().all(|t| t % HOUR == 0), "on the hour: {next:?}");
    assert!(next.windows(2).all(|w| w[1] - w[0] == HOUR), "an hour apart: {next:?}");

    let started = dir.json(&["schedule", "trigger", "hourly-report", "--var", "inputs.REASON=by hand"]);
    assert_eq!(started["bpmn_process_id"], json!("hourly-report"), "{started}");
    let instance = support::instance_key(&started);
    let status = dir.json(&["status", &instance.to_string()]);
    let inputs = status["variables"].as_array().and_then(|v| v.iter().find(|v| v["name"] == json!("inputs")));
    assert_eq!(inputs.map(|v| &v["value"]["REASON"]), Some(&json!("by hand")), "{status}");
    let again = dir.json(&["schedules", "--next", "4"]);
    assert_eq!(again["schedules"][0]["next_due_millis"], schedule["next_due_millis"], "the schedule did not move");

    let text = dir.run(&["schedules"]).expect_code(0);
    assert!(text.stdout.contains("hourly-report") && text.stdout.contains("0 0 * * * *"), "{}", text.stdout);
}

#[test]
fn triggering_an_unknown_schedule_names_the_known_ones() {
    let dir = Workdir::new();
    let hourly = model("hourly-report.yaml").display().to_string();
    dir.json(&["deploy", &hourly]);
    let failed = dir.run(&["schedule", "trigger", "nightly"]).expect_code(1);
    assert!(failed.stderr.contains("no process 'nightly'"), "{}", failed.stderr);
    assert!(failed.stderr.contains("scheduled starts: hourly-report"), "{}", failed.stderr);
    assert!(failed.stderr.contains("`orchestrator schedules` lists them"), "{}", failed.stderr);
}

#[test]
fn schedules_on_a_missing_store_say_so_and_an_empty_one_lists_none() {
    let dir = Workdir::new();
    let missing = dir.run(&["schedules"]).expect_code(1);
    assert!(missing.stderr.contains("state.db"), "names the store: {}", missing.stderr);
    let plain = model("short-wait.bpmn").display().to_string();
    dir.json(&["deploy", &plain]);
    assert_eq!(dir.json(&["schedules"]), json!({"schedules": []}));
    let none = dir.run(&["schedules"]).expect_code(0);
    assert!(none.stdout.contains("no scheduled starts"), "{}", none.stdout);
}
