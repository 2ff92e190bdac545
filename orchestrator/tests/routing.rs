//! `run --project`: persona jobs routed to persona instances through the registry in the store,
//! beside the running engine. The audit log of one simulated wf0 run has a routing record for
//! every persona job the run handled, and jobs no instance could take waited without using a
//! retry.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use support::{Workdir, workspace};

/// A folder with the catalogue loaded and one instance of every persona type in acme/shop,
/// each taking one task at a time (so jobs of a type that run together have to wait).
fn staffed() -> Workdir {
    let dir = Workdir::new();
    let catalogue = workspace().join("workflows/personas/types.yaml").display().to_string();
    let types = dir.json(&["personas", "types", "--catalogue", &catalogue]);
    let ids: Vec<String> =
        types["types"].as_array().into_iter().flatten().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect();
    assert!(ids.len() > 20, "{types}");
    for id in &ids {
        let name = format!("{id}-1");
        dir.run(&["personas", "create", &name, "--type", id, "--project", "acme/shop", "--max-tasks", "1"])
            .expect_code(0);
    }
    dir
}

/// The jobs of the instance `key` and of every instance it called, by job key.
fn jobs(dir: &Workdir, key: i64, into: &mut BTreeMap<i64, Value>) {
    let history = dir.json(&["history", &key.to_string()]);
    for job in history["jobs"].as_array().into_iter().flatten() {
        into.insert(job["key"].as_i64().unwrap_or_default(), job.clone());
    }
    for called in history["called_instances"].as_array().into_iter().flatten() {
        jobs(dir, called["key"].as_i64().unwrap_or_default(), into);
    }
}

#[test]
fn every_persona_job_of_a_wf0_run_has_its_routing_record() {
    let dir = staffed();
    let workflows = workspace().join("workflows").display().to_string();
    let run = dir.json(&[
        "run",
        "--deploy",
        &workflows,
        "--start",
        "wf0-feature-development",
        "--var",
        "inputs.WORK_ITEM_ID=WI-42",
        "--var",
        "inputs.FEATURE_SLUG=dark-mode",
        "--simulate",
        "--seed",
        "7",
        "--clock",
        "virtual",
        "--until-done",
        "--project",
        "acme/shop",
    ]);
    assert_eq!(run["stopped"], "completed", "{}", run["message"]);
    let root = run["instance"].as_i64().unwrap_or_else(|| panic!("no instance in {run}"));

    let mut all = BTreeMap::new();
    jobs(&dir, root, &mut all);
    // The persona jobs the run's handlers took: a `persona` header and at least one activation.
    let handled: BTreeMap<i64, &Value> = all
        .iter()
        .filter(|(_, job)| job["custom_headers"]["persona"].is_string())
        .filter(|(_, job)| job["events"].as_array().into_iter().flatten().any(|e| e["intent"] == "ACTIVATED"))
        .map(|(key, job)| (*key, job))
        .collect();
    assert!(handled.len() > 20, "wf0 has dozens of persona jobs, found {}", handled.len());

    let audit = dir.json(&["audit"]);
    let entries: Vec<&Value> =
        audit["entries"].as_array().into_iter().flatten().filter(|e| e["kind"] == "routing").collect();
    let assigned: Vec<&Value> = entries.iter().copied().filter(|e| e["details"]["decision"] == "assigned").collect();
    let routed: BTreeSet<i64> = assigned.iter().filter_map(|e| e["job_key"].as_i64()).collect();
    let expected: BTreeSet<i64> = handled.keys().copied().collect();
    assert_eq!(routed, expected, "every persona job the run handled, and only those, was assigned an instance");
    for entry in &assigned {
        let job = handled[&entry["job_key"].as_i64().unwrap_or_default()];
        assert_eq!(entry["element_id"], job["element_id"], "{entry}");
        assert_eq!(entry["workflow_instance"], job["process_instance_key"], "{entry}");
        assert_eq!(entry["details"]["persona_type"], job["custom_headers"]["persona"], "{entry}");
        assert_eq!(entry["details"]["open_tasks"], 1, "capacity 1 is never passed: {entry}");
    }

    // Jobs of one type that ran together waited for the one instance, without using a retry.
    let waits = entries.iter().filter(|e| e["details"]["decision"] == "wait").count();
    assert!(waits > 0, "the run had jobs that waited for an instance");
    for job in handled.values() {
        let events = job["events"].as_array().cloned().unwrap_or_default();
        for pair in events.windows(2) {
            let waited = pair[1]["intent"] == "FAILED"
                && pair[1]["message"].as_str().is_some_and(|m| m.starts_with("waiting for a persona instance"));
            if waited {
                assert_eq!(pair[1]["retries"], pair[0]["retries"], "a wait keeps the job's retries: {job}");
            }
        }
    }
    // Every assignment was finished: no instance holds work after the run.
    let list = dir.json(&["personas", "list"]);
    for instance in list["instances"].as_array().into_iter().flatten() {
        assert_eq!(instance["open_tasks"], 0, "{instance}");
    }
}

#[test]
fn routing_without_persona_types_is_refused_with_what_to_do() {
    let dir = Workdir::new();
    let bpmn = support::model("simulated-review.bpmn").display().to_string();
    let refused = dir.run(&["run", "--deploy", &bpmn, "--until-idle", "--project", "acme/shop"]).expect_code(2);
    assert!(refused.stderr.contains("personas types"), "{}", refused.stderr);
}
