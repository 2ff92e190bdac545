//! A durable engine: records in a SQLite file survive dropping the engine, and opening the file
//! again rebuilds the instances, the timers and the key generator.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use engine::record::{Intent, Record};
use engine::store::{RecordStore, SqliteStore, StoreError};
use engine::testing::model::{self, ProcessBuilder, TimerKind};
use engine::testing::vars;
use engine::{ActivateJobs, EngineCore, VirtualClock};
use serde_json::json;

fn store_file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("engine.db")
}

fn open(path: &Path, clock: &VirtualClock) -> Result<EngineCore, StoreError> {
    let store = SqliteStore::open(path)?;
    EngineCore::open(Box::new(store), Arc::new(clock.clone()))
}

fn open_ok(path: &Path, clock: &VirtualClock) -> EngineCore {
    match open(path, clock) {
        Ok(core) => core,
        Err(e) => panic!("the store opens: {e}"),
    }
}

/// Every record in the file, decoded.
fn stored_records(path: &Path) -> Vec<Record> {
    let mut store = SqliteStore::open(path).expect("the store opens");
    let entries = engine::store::read_entries(&mut store).expect("the log reads");
    entries.into_iter().flat_map(|e| e.records).collect()
}

#[test]
fn a_waiting_instance_survives_a_restart_and_completes_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let instance = {
        let mut core = open_ok(&path, &clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "charge-card")).expect("deploys");
        core.create_instance("order", None, vars(json!({"amount": 5}))).expect("starts").process_instance_key
    };

    let mut core = open_ok(&path, &clock);
    assert!(core.is_active(instance), "the instance is alive after reopening");
    let waiting: Vec<String> = core
        .element_instances(instance)
        .iter()
        .filter(|e| e.element_type != engine::model::ElementType::Process)
        .map(|e| e.element_id.to_string())
        .collect();
    assert_eq!(waiting.len(), 1, "one element waits: {waiting:?}");
    assert_eq!(core.variable(instance, "amount"), Some(json!(5)));
    let jobs = core.activate_jobs(&ActivateJobs::new("charge-card")).expect("activates");
    assert_eq!(jobs.len(), 1, "the job is still there");
    core.complete_job(jobs[0].key, vars(json!({"paid": true}))).expect("completes");
    assert!(!core.is_active(instance), "completing the job finishes the instance");
    drop(core);

    let records = stored_records(&path);
    let mut completions: HashMap<i64, u32> = HashMap::new();
    for record in records.iter().filter(|r| r.intent == Intent::ElementCompleted) {
        *completions.entry(record.key).or_default() += 1;
    }
    assert!(completions.values().all(|n| *n == 1), "no element completes twice: {completions:?}");
    assert!(completions.contains_key(&instance), "the process instance completed");
    let reopened = open_ok(&path, &clock);
    assert!(!reopened.is_active(instance), "a finished instance stays finished after reopening");
}

#[test]
fn a_timer_due_while_closed_fires_on_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let model = ProcessBuilder::new("wait").start("s").timer_catch("t", TimerKind::Duration, "PT1H").end("e").build();
    let instance = {
        let mut core = open_ok(&path, &clock);
        core.deploy_model("wait.bpmn", &model).expect("deploys");
        core.create_instance("wait", None, vars(json!({}))).expect("starts").process_instance_key
    };
    clock.advance(Duration::from_secs(30 * 60));
    let core = open_ok(&path, &clock);
    assert!(core.is_active(instance), "not yet due after 30 minutes");
    drop(core);
    clock.advance(Duration::from_secs(31 * 60));
    let core = open_ok(&path, &clock);
    assert!(!core.is_active(instance), "the timer fired right after reopening");
    drop(core);
    let triggered = stored_records(&path).iter().filter(|r| r.intent == Intent::TimerTriggered).count();
    assert_eq!(triggered, 1, "the timer fired once, and the firing is stored");
}

#[test]
fn keys_after_reopening_are_fresh() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let (deployment, first) = {
        let mut core = open_ok(&path, &clock);
        let deployment = core.deploy_model("order.bpmn", &model::service_task_process("order", "a")).expect("deploys");
        let first = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
        (deployment.key, first)
    };
    let used: Vec<i64> = stored_records(&path).iter().map(|r| r.key).chain([deployment, first]).collect();
    let mut core = open_ok(&path, &clock);
    let second = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    let highest = used.iter().copied().max().unwrap_or_default();
    assert!(second > highest, "new key {second} is above every key handed out before ({highest})");
    assert!(core.is_active(first) && core.is_active(second));
}

#[test]
fn a_second_open_of_the_same_file_is_refused_until_the_first_closes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let first = SqliteStore::open(&path).expect("the first open succeeds");
    let error = SqliteStore::open(&path).expect_err("a second open is refused");
    assert!(error.to_string().contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.message.contains("another engine"), "says why: {error}");
    drop(first);
    SqliteStore::open(&path).expect("opens once the first store is dropped");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_with_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    std::fs::write(&path, "this is not a database, just text\n".repeat(200)).expect("writes");
    let error = SqliteStore::open(&path).expect_err("garbage is refused");
    assert!(error.to_string().contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.message.contains("restore it from a backup"), "says what to do: {error}");
}

#[test]
fn a_truncated_file_is_refused_with_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    {
        let mut core = open_ok(&path, &clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "a")).expect("deploys");
        for n in 0..200 {
            core.create_instance("order", None, vars(json!({"n": n, "padding": "x".repeat(200)}))).expect("starts");
        }
    }
    let length = std::fs::metadata(&path).expect("the file exists").len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).expect("opens");
    file.set_len(length / 2).expect("truncates");
    drop(file);
    let error = open(&path, &clock).expect_err("a truncated log is refused");
    assert!(error.to_string().contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.message.contains("backup"), "says what to do: {error}");
}

#[tokio::test]
async fn the_store_works_inside_a_tokio_runtime() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let mut core = open_ok(&path, &clock);
    core.deploy_model("order.bpmn", &model::service_task_process("order", "a")).expect("deploys");
    let instance = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    drop(core);
    assert!(open_ok(&path, &clock).is_active(instance));
}

#[test]
fn reopening_rebuilds_the_same_state_as_the_live_engine() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let live_summary = {
        let mut core = open_ok(&path, &clock);
        common::run_busy_scenario(&mut core, &clock);
        assert!(!core.incidents().is_empty(), "the scenario leaves an incident to rebuild");
        common::summary(core.state())
    };
    let reopened = open_ok(&path, &clock);
    assert_eq!(common::summary(reopened.state()), live_summary);
}

#[test]
fn a_latin1_resource_is_stored_as_bytes_and_recompiles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let xml = bpmn::write::write(&model::service_task_process("latin", "charge")).replacen(
        "encoding=\"UTF-8\"?>",
        "encoding=\"ISO-8859-1\"?><!-- Größe -->",
        1,
    );
    assert!(xml.contains("Größe"), "the declaration was replaced");
    // Every char of the text is below U+0100, so each is one ISO-8859-1 byte.
    let latin1: Vec<u8> = xml.chars().map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 char")).collect();
    assert!(std::str::from_utf8(&latin1).is_err(), "the resource is not UTF-8");
    {
        let mut core = open_ok(&path, &clock);
        core.deploy_xml("latin.bpmn", &latin1).expect("deploys");
    }
    let mut core = open_ok(&path, &clock);
    let instance = core.create_instance("latin", None, vars(json!({}))).expect("starts").process_instance_key;
    let jobs = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    assert_eq!(jobs.len(), 1, "the recompiled process creates its job");
    assert!(core.is_active(instance));
    let deployed = core.deploy_xml("latin.bpmn", &latin1).expect("deploys again");
    assert_eq!(deployed.processes[0].version, 1, "the same bytes are a duplicate of the stored version");
}

#[test]
fn a_job_deadline_that_passed_while_closed_frees_the_job_on_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let job = {
        let mut core = open_ok(&path, &clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
        core.create_instance("order", None, vars(json!({}))).expect("starts");
        let jobs = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
        assert_eq!(jobs.len(), 1);
        jobs[0].key
    };
    let mut core = open_ok(&path, &clock);
    let held = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    assert!(held.is_empty(), "the job is still locked to its worker after reopening");
    drop(core);
    clock.advance(Duration::from_secs(6 * 60));
    let mut core = open_ok(&path, &clock);
    let again = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    assert_eq!(again.iter().map(|j| j.key).collect::<Vec<_>>(), vec![job], "the timed-out job is activatable again");
    drop(core);
    let timed_out = stored_records(&path).iter().filter(|r| r.intent == Intent::JobTimedOut).count();
    assert_eq!(timed_out, 1, "the time-out is stored once");
}

/// A store in memory that counts the batches it is given.
#[derive(Default)]
struct CountingStore {
    batches: Arc<std::sync::Mutex<Vec<usize>>>,
}

impl RecordStore for CountingStore {
    fn append(&mut self, entries: &[engine::store::EncodedEntry], _key_counter: i64) -> Result<(), StoreError> {
        let records = entries.iter().map(|e| e.record_count as usize).sum();
        self.batches.lock().expect("not poisoned").push(records);
        Ok(())
    }

    fn read_log(&mut self, _after: i64) -> Result<engine::store::StoredLog, StoreError> {
        Ok(engine::store::StoredLog { format_version: engine::store::RECORD_FORMAT_VERSION, ..Default::default() })
    }

    fn location(&self) -> &str {
        "memory:counting"
    }
}

#[test]
fn each_command_is_one_batch_and_idle_polls_write_nothing() {
    let store = CountingStore::default();
    let batches = store.batches.clone();
    let mut core = EngineCore::open(Box::new(store), Arc::new(VirtualClock::default())).expect("opens");
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    core.create_instance("order", None, vars(json!({}))).expect("starts");
    let after_start = batches.lock().expect("not poisoned").clone();
    assert_eq!(after_start.len(), 3, "open, deploy and start are one batch each: {after_start:?}");
    assert!(after_start[2] > 3, "the start's records go in one batch: {after_start:?}");
    for _ in 0..5 {
        assert!(core.activate_jobs(&ActivateJobs::new("nothing-of-this-type")).expect("polls").is_empty());
    }
    core.tick();
    assert_eq!(batches.lock().expect("not poisoned").len(), 3, "idle polls and ticks write nothing");
}

/// Set by `a_killed_engine_process_releases_the_file_and_keeps_what_it_acknowledged` for the
/// child process it starts: the path of the store the child holds.
const HOLDER_ENV: &str = "ENGINE_DURABLE_TEST_HOLD_STORE";

/// The child side of the next test (it returns at once unless that test started it): opens
/// the store, starts an instance, says so, and waits to be killed.
#[test]
fn child_process_holding_the_store() {
    let Ok(path) = std::env::var(HOLDER_ENV) else { return };
    let mut core = open_ok(Path::new(&path), &VirtualClock::default());
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let instance = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    println!("store-held {instance}");
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_killed_engine_process_releases_the_file_and_keeps_what_it_acknowledged() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_file(&dir);
    let clock = VirtualClock::default();
    let mut child = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "child_process_holding_the_store", "--nocapture", "--test-threads=1"])
        .env(HOLDER_ENV, &path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().expect("piped");
    let instance = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // The test harness writes its own text in front of the child's line.
        .find_map(|line| line.rsplit_once("store-held ").and_then(|(_, key)| key.trim().parse::<i64>().ok()));
    let refused = open(&path, &clock).map(|_| ()).expect_err("the file is held by the other process");
    child.kill().expect("kills the child");
    child.wait().expect("the child ends");
    let instance = instance.expect("the child started an instance");
    assert!(refused.message.contains("another engine"), "says why: {refused}");
    let core = open_ok(&path, &clock);
    assert!(core.is_active(instance), "the acknowledged start survived the kill");
}
