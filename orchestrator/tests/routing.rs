//! `run --project`: persona jobs routed to persona instances through the registry in the store,
//! beside the running engine. The audit log of one simulated wf0 run has a routing record for
//! every persona job the run handled, and jobs no instance could take waited without using a
//! retry.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use support::{Workdir, workspace};

/// How long a routed wf0 run may take: with every persona at one task at a time it takes over a
/// minute on two busy cores.
const WF0_RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(240);

/// What starts wf0 for a work item and runs until it is done.
const START_WF0: [&str; 7] = [
    "--start",
    "wf0-feature-development",
    "--var",
    "inputs.WORK_ITEM_ID=WI-42",
    "--var",
    "inputs.FEATURE_SLUG=dark-mode",
    "--until-done",
];

/// `run --json` of the project's workflows, simulated (seed 7) on the virtual clock, with persona
/// jobs routed to the instances of the test's project (acme/shop); `what` says what to start or
/// wait for.
fn routed_run(dir: &Workdir, what: &[&str]) -> std::process::Command {
    let workflows = workspace().join("workflows").display().to_string();
    let project = dir.project();
    let settings = ["--simulate", "--seed", "7", "--clock", "virtual", "--project", &project, "--json"];
    let args: Vec<&str> =
        ["run", "--deploy", &workflows].into_iter().chain(what.iter().copied()).chain(settings).collect();
    dir.command(&args)
}

/// `dir` with the catalogue loaded and one instance of every persona type in acme/shop, each
/// taking one task at a time (so jobs of a type that run together have to wait).
fn staffed(dir: Workdir) -> Workdir {
    let catalogue = workspace().join("workflows/personas/types.yaml").display().to_string();
    let types = dir.json(&["personas", "types", "--catalogue", &catalogue]);
    let ids: Vec<String> =
        types["types"].as_array().into_iter().flatten().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect();
    assert!(ids.len() > 20, "{types}");
    for id in &ids {
        let name = format!("{id}-1");
        dir.run(&["personas", "create", &name, "--type", id, "--project", &dir.project(), "--max-tasks", "1"])
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
    wf0_routing_is_audited(Workdir::new());
}

#[test]
fn every_persona_job_of_a_wf0_run_has_its_routing_record_on_postgres() {
    wf0_routing_is_audited(Workdir::on_postgres("routing-wf0"));
}

/// A routed wf0 run on `dir`'s store: every persona job it handled was assigned, capacity 1
/// never passed, waits kept their retries, and no instance holds work afterwards.
fn wf0_routing_is_audited(dir: Workdir) {
    let dir = staffed(dir);
    let run = support::finish(support::spawn(routed_run(&dir, &START_WF0)), WF0_RUN_LIMIT).expect_code(0).json();
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
    // The registry, and so the audit log, is shared by every log of a PostgreSQL database: this
    // run's entries are those of its project.
    let project = dir.project();
    let entries: Vec<&Value> = audit["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "routing" && e["details"]["project"] == project.as_str())
        .collect();
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
    assert_eq!(dir.store().exists(), !dir.on_postgres_store(), "the store is the one the test chose");
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

/// The registry's assignments in the store: (job, instance, started, finished).
type Assignments = Vec<(i64, i64, i64, Option<i64>)>;

/// Reads the registry's assignments, its instances' open-task counters and capacities, and the
/// job keys of the routing entries that assigned a job.
async fn registry_rows(store: &std::path::Path) -> (Assignments, Vec<(i64, i64, i64)>, Vec<i64>) {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=ro", store.display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.expect("the store opens for reading");
    let assignments: Assignments =
        sqlx::query_as("SELECT job_key, instance_id, started_at, finished_at FROM persona_assignment ORDER BY id")
            .fetch_all(&mut db)
            .await
            .expect("assignments");
    let instances: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT id, open_tasks, max_concurrent_tasks FROM persona_instance ORDER BY id")
            .fetch_all(&mut db)
            .await
            .expect("instances");
    let routed: Vec<(i64,)> = sqlx::query_as(
        "SELECT job_key FROM persona_audit WHERE kind = 'routing' AND details LIKE '%\"decision\":\"assigned\"%'",
    )
    .fetch_all(&mut db)
    .await
    .expect("routing entries");
    db.close().await.expect("closes");
    (assignments, instances, routed.into_iter().map(|(j,)| j).collect())
}

/// What must hold after any kill: no job held twice at once, nor two assignments of one job
/// overlapping; every counter equal to its instance's open assignments and within capacity;
/// each assignment with exactly one routing entry, and no routing entry without its assignment.
/// Returns the assignments.
fn consistent(store: &std::path::Path) -> Assignments {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let (assignments, instances, routed) = runtime.block_on(registry_rows(store));
    let mut by_job: BTreeMap<i64, Vec<(i64, Option<i64>)>> = BTreeMap::new();
    for (job, _, started, finished) in &assignments {
        by_job.entry(*job).or_default().push((*started, *finished));
    }
    for (job, spans) in &by_job {
        assert!(
            spans.iter().filter(|(_, finished)| finished.is_none()).count() <= 1,
            "job {job} held twice: {spans:?}"
        );
        for pair in spans.windows(2) {
            let ended = pair[0].1.unwrap_or_else(|| panic!("job {job} assigned again while held: {spans:?}"));
            assert!(ended <= pair[1].0, "job {job}: assignments overlap: {spans:?}");
        }
    }
    for (id, open_tasks, capacity) in &instances {
        let held = assignments.iter().filter(|(_, i, _, f)| i == id && f.is_none()).count() as i64;
        assert_eq!(*open_tasks, held, "instance {id}: its counter matches its open assignments");
        assert!(held <= *capacity, "instance {id} holds {held}, above its capacity {capacity}");
    }
    let mut entries: Vec<i64> = routed;
    entries.sort_unstable();
    let mut rows: Vec<i64> = assignments.iter().map(|(job, ..)| *job).collect();
    rows.sort_unstable();
    assert_eq!(entries, rows, "one routing entry per assignment, none without one");
    assignments
}

/// `run --project` killed (SIGKILL) while it routes wf0's persona jobs, then run again to the
/// end: after the kill and at the end the registry is consistent (see [`consistent`]); no job
/// is ever held twice, and every persona job the run handled has its assignment, finished.
#[test]
fn sigkill_during_a_routed_run_assigns_no_job_twice_and_loses_none() {
    let dir = staffed(Workdir::new());
    let mut child = support::spawn(routed_run(&dir, &START_WF0));
    let (stdout, stderr) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let read = |pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || std::io::read_to_string(pipe).unwrap_or_default())
    };
    let readers = [read(Box::new(stdout)), read(Box::new(stderr))];
    // Kill once routing is under way (some jobs assigned), mid-run.
    let began = std::time::Instant::now();
    loop {
        assert!(began.elapsed() < std::time::Duration::from_secs(120), "routing never started");
        assert!(child.try_wait().expect("waits").is_none(), "the run ended before it could be killed");
        let assigned = dir.store().exists() && {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(registry_rows(&dir.store())).0.len() >= 12
        };
        if assigned {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    for reader in readers {
        let _ = reader.join();
    }
    let at_kill = consistent(&dir.store());
    assert!(at_kill.len() >= 12);

    // The killed run's root instance: the wf0 instance in the engine's log.
    let status = dir.json(&["status"]);
    let root = status["instances"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["bpmn_process_id"] == "wf0-feature-development")
        .and_then(|i| i["key"].as_i64())
        .unwrap_or_else(|| panic!("no wf0 instance in {status}"));
    let root_text = root.to_string();
    let rest = routed_run(&dir, &["--until-done", &root_text]);
    let run = support::finish(support::spawn(rest), WF0_RUN_LIMIT).expect_code(0).json();
    assert_eq!(run["stopped"], "completed", "{run}");

    let at_end = consistent(&dir.store());
    assert!(at_end.iter().all(|(_, _, _, finished)| finished.is_some()), "every assignment finished");
    let mut all = BTreeMap::new();
    jobs(&dir, root, &mut all);
    let handled: BTreeSet<i64> = all
        .iter()
        .filter(|(_, job)| job["custom_headers"]["persona"].is_string())
        .filter(|(_, job)| job["events"].as_array().into_iter().flatten().any(|e| e["intent"] == "ACTIVATED"))
        .map(|(key, _)| *key)
        .collect();
    let assigned: BTreeSet<i64> = at_end.iter().map(|(job, ..)| *job).collect();
    assert_eq!(assigned, handled, "every persona job handled has its assignment; none lost");
    for instance in dir.json(&["personas", "list"])["instances"].as_array().into_iter().flatten() {
        assert_eq!(instance["open_tasks"], 0, "{instance}");
    }
}
