//! A durable engine: records in a store survive dropping the engine, and opening the store
//! again rebuilds the instances, the timers and the key generator. Each test runs on SQLite
//! (`sqlite::<test>`) and on PostgreSQL (`postgres::<test>`); see `backends/`.

mod backends;
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use backends::{TestStore, on_every_backend};
use engine::record::Intent;
use engine::store::{RecordStore, SqliteStore, StoreError};
use engine::testing::model::{self, ProcessBuilder, TimerKind};
use engine::testing::vars;
use engine::{ActivateJobs, EngineCore, VirtualClock};
use serde_json::json;

on_every_backend!(
    a_waiting_instance_survives_a_restart_and_completes_once,
    a_timer_due_while_closed_fires_on_reopen,
    keys_after_reopening_are_fresh,
    a_second_open_of_the_same_store_is_refused_until_the_first_closes,
    the_store_works_inside_a_tokio_runtime,
    reopening_rebuilds_the_same_state_as_the_live_engine,
    a_latin1_resource_is_stored_as_bytes_and_recompiles,
    a_job_deadline_that_passed_while_closed_frees_the_job_on_reopen,
    releasing_activated_jobs_after_reopening_frees_them_without_waiting_for_their_deadlines,
    a_killed_engine_process_releases_the_store_and_keeps_what_it_acknowledged,
    running_instances_keep_their_version_after_a_newer_deploy_and_a_reopen,
    a_batch_of_commands_commits_together_and_every_command_in_it_survives,
    concurrent_async_commands_are_durable_when_acknowledged,
    an_ad_hoc_sub_process_reported_done_while_a_tool_runs_finishes_after_a_restart,
);

fn a_waiting_instance_survives_a_restart_and_completes_once(store: &TestStore) {
    let clock = VirtualClock::default();
    let instance = {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "charge-card")).expect("deploys");
        core.create_instance("order", None, vars(json!({"amount": 5}))).expect("starts").process_instance_key
    };

    let mut core = store.open_engine_ok(&clock);
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

    let records = store.stored_records();
    let mut completions: HashMap<i64, u32> = HashMap::new();
    for record in records.iter().filter(|r| r.intent == Intent::ElementCompleted) {
        *completions.entry(record.key).or_default() += 1;
    }
    assert!(completions.values().all(|n| *n == 1), "no element completes twice: {completions:?}");
    assert!(completions.contains_key(&instance), "the process instance completed");
    let reopened = store.open_engine_ok(&clock);
    assert!(!reopened.is_active(instance), "a finished instance stays finished after reopening");
}

fn a_timer_due_while_closed_fires_on_reopen(store: &TestStore) {
    let clock = VirtualClock::default();
    let model = ProcessBuilder::new("wait").start("s").timer_catch("t", TimerKind::Duration, "PT1H").end("e").build();
    let instance = {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("wait.bpmn", &model).expect("deploys");
        core.create_instance("wait", None, vars(json!({}))).expect("starts").process_instance_key
    };
    clock.advance(Duration::from_secs(30 * 60));
    let core = store.open_engine_ok(&clock);
    assert!(core.is_active(instance), "not yet due after 30 minutes");
    drop(core);
    clock.advance(Duration::from_secs(31 * 60));
    let core = store.open_engine_ok(&clock);
    assert!(!core.is_active(instance), "the timer fired right after reopening");
    drop(core);
    let triggered = store.stored_records().iter().filter(|r| r.intent == Intent::TimerTriggered).count();
    assert_eq!(triggered, 1, "the timer fired once, and the firing is stored");
}

fn keys_after_reopening_are_fresh(store: &TestStore) {
    let clock = VirtualClock::default();
    let (deployment, first) = {
        let mut core = store.open_engine_ok(&clock);
        let deployment = core.deploy_model("order.bpmn", &model::service_task_process("order", "a")).expect("deploys");
        let first = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
        (deployment.key, first)
    };
    let used: Vec<i64> = store.stored_records().iter().map(|r| r.key).chain([deployment, first]).collect();
    let mut core = store.open_engine_ok(&clock);
    let second = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    let highest = used.iter().copied().max().unwrap_or_default();
    assert!(second > highest, "new key {second} is above every key handed out before ({highest})");
    assert!(core.is_active(first) && core.is_active(second));
}

fn a_second_open_of_the_same_store_is_refused_until_the_first_closes(store: &TestStore) {
    let first = store.open_store().expect("the first open succeeds");
    let error = store.open_store().map(|_| ()).expect_err("a second open is refused");
    assert!(error.to_string().contains(&store.shown_location()), "names the store: {error}");
    assert!(error.message.contains("another engine"), "says why: {error}");
    drop(first);
    store.open_store().expect("opens once the first store is dropped");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_with_advice() {
    let store = TestStore::sqlite();
    let path = PathBuf::from(store.location());
    std::fs::write(&path, "this is not a database, just text\n".repeat(200)).expect("writes");
    let error = SqliteStore::open(&path).expect_err("garbage is refused");
    assert!(error.to_string().contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.message.contains("restore it from a backup"), "says what to do: {error}");
}

#[test]
fn a_truncated_file_is_refused_with_advice() {
    let store = TestStore::sqlite();
    let path = PathBuf::from(store.location());
    let clock = VirtualClock::default();
    {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "a")).expect("deploys");
        for n in 0..200 {
            core.create_instance("order", None, vars(json!({"n": n, "padding": "x".repeat(200)}))).expect("starts");
        }
    }
    let length = std::fs::metadata(&path).expect("the file exists").len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).expect("opens");
    file.set_len(length / 2).expect("truncates");
    drop(file);
    let error = store.open_engine(&clock).expect_err("a truncated log is refused");
    assert!(error.to_string().contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.message.contains("backup"), "says what to do: {error}");
}

fn the_store_works_inside_a_tokio_runtime(store: &TestStore) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let clock = VirtualClock::default();
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "a")).expect("deploys");
        let instance = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
        drop(core);
        assert!(store.open_engine_ok(&clock).is_active(instance));
    });
}

fn reopening_rebuilds_the_same_state_as_the_live_engine(store: &TestStore) {
    let clock = VirtualClock::default();
    let live_summary = {
        let mut core = store.open_engine_ok(&clock);
        common::run_busy_scenario(&mut core, &clock);
        assert!(!core.incidents().is_empty(), "the scenario leaves an incident to rebuild");
        common::summary(core.state())
    };
    let reopened = store.open_engine_ok(&clock);
    assert_eq!(common::summary(reopened.state()), live_summary);
}

fn a_latin1_resource_is_stored_as_bytes_and_recompiles(store: &TestStore) {
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
        let mut core = store.open_engine_ok(&clock);
        core.deploy_xml("latin.bpmn", &latin1).expect("deploys");
    }
    let mut core = store.open_engine_ok(&clock);
    let instance = core.create_instance("latin", None, vars(json!({}))).expect("starts").process_instance_key;
    let jobs = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    assert_eq!(jobs.len(), 1, "the recompiled process creates its job");
    assert!(core.is_active(instance));
    let deployed = core.deploy_xml("latin.bpmn", &latin1).expect("deploys again");
    assert_eq!(deployed.processes[0].version, 1, "the same bytes are a duplicate of the stored version");
}

fn a_job_deadline_that_passed_while_closed_frees_the_job_on_reopen(store: &TestStore) {
    let clock = VirtualClock::default();
    let job = {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
        core.create_instance("order", None, vars(json!({}))).expect("starts");
        let jobs = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
        assert_eq!(jobs.len(), 1);
        jobs[0].key
    };
    let mut core = store.open_engine_ok(&clock);
    let held = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    assert!(held.is_empty(), "the job is still locked to its worker after reopening");
    drop(core);
    clock.advance(Duration::from_secs(6 * 60));
    let mut core = store.open_engine_ok(&clock);
    let again = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    assert_eq!(again.iter().map(|j| j.key).collect::<Vec<_>>(), vec![job], "the timed-out job is activatable again");
    drop(core);
    let timed_out = store.stored_records().iter().filter(|r| r.intent == Intent::JobTimedOut).count();
    assert_eq!(timed_out, 1, "the time-out is stored once");
}

fn releasing_activated_jobs_after_reopening_frees_them_without_waiting_for_their_deadlines(store: &TestStore) {
    let clock = VirtualClock::default();
    let held = {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
        for _ in 0..3 {
            core.create_instance("order", None, vars(json!({}))).expect("starts");
        }
        let jobs = core.activate_jobs(&ActivateJobs { max_jobs: 2, ..ActivateJobs::new("charge") }).expect("activates");
        let mut keys: Vec<i64> = jobs.iter().map(|j| j.key).collect();
        keys.sort_unstable();
        keys
    };
    assert_eq!(held.len(), 2);
    let mut core = store.open_engine_ok(&clock);
    assert_eq!(core.release_activated_jobs().expect("releases"), 2, "only the two activated jobs");
    assert_eq!(core.release_activated_jobs().expect("releases"), 0, "nothing is held twice");
    let all = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    let mut keys: Vec<i64> = all.iter().map(|j| j.key).collect();
    keys.sort_unstable();
    assert_eq!(keys.len(), 3, "the released jobs and the one never activated, with no clock moved");
    assert!(held.iter().all(|k| keys.contains(k)), "{held:?} in {keys:?}");
    drop(core);
    let timed_out = store.stored_records().iter().filter(|r| r.intent == Intent::JobTimedOut).count();
    assert_eq!(timed_out, 2, "each release is stored as the job's time-out");
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

/// Set by `a_killed_engine_process_releases_the_store_and_keeps_what_it_acknowledged` for the
/// child process it starts: the location of the store the child holds.
const HOLDER_ENV: &str = "ENGINE_DURABLE_TEST_HOLD_STORE";

/// The child side of the next test (it returns at once unless that test started it): opens
/// the store, starts an instance, says so, and waits to be killed.
#[test]
fn child_process_holding_the_store() {
    let Ok(location) = std::env::var(HOLDER_ENV) else { return };
    let store = engine::store::open(&location).expect("the child opens the store");
    let mut core = EngineCore::open(store, Arc::new(VirtualClock::default())).expect("the child opens the engine");
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let instance = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    println!("store-held {instance}");
    std::thread::sleep(Duration::from_secs(60));
}

fn a_killed_engine_process_releases_the_store_and_keeps_what_it_acknowledged(store: &TestStore) {
    use std::io::BufRead;
    let clock = VirtualClock::default();
    let mut child = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "child_process_holding_the_store", "--nocapture", "--test-threads=1"])
        .env(HOLDER_ENV, store.location())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().expect("piped");
    let instance = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // The test harness writes its own text in front of the child's line.
        .find_map(|line| line.rsplit_once("store-held ").and_then(|(_, key)| key.trim().parse::<i64>().ok()));
    let refused = store.open_engine(&clock).map(|_| ()).expect_err("the store is held by the other process");
    child.kill().expect("kills the child");
    child.wait().expect("the child ends");
    let instance = instance.expect("the child started an instance");
    assert!(refused.message.contains("another engine"), "says why: {refused}");
    let core = store.open_engine_after_kill(&clock);
    assert!(core.is_active(instance), "the acknowledged start survived the kill");
}

fn running_instances_keep_their_version_after_a_newer_deploy_and_a_reopen(store: &TestStore) {
    let clock = VirtualClock::default();
    let v1 = ProcessBuilder::new("order").start("start").service_task("charge", "charge-v1").end("end").build();
    let v2 = ProcessBuilder::new("order")
        .start("start")
        .service_task("charge", "charge-v2")
        .service_task("ship", "ship")
        .end("end")
        .build();
    let (old, v1_key, v2_key) = {
        let mut core = store.open_engine_ok(&clock);
        let v1_key = core.deploy_model("order.bpmn", &v1).expect("deploys").processes[0].process_definition_key;
        let old = core.create_instance("order", None, vars(json!({}))).expect("starts");
        let v2_key = core.deploy_model("order.bpmn", &v2).expect("deploys").processes[0].process_definition_key;
        assert_eq!(old.version, 1);
        (old.process_instance_key, v1_key, v2_key)
    };
    let mut core = store.open_engine_ok(&clock);
    let new = core.create_instance("order", None, vars(json!({}))).expect("starts");
    assert_eq!((new.version, new.process_definition_key), (2, v2_key), "a new start takes the latest version");
    let old_process = core.state().element(old).expect("the old instance runs").def;
    assert_eq!(core.state().process(old_process).key, v1_key, "the running instance stays on version 1");
    // The old instance still waits for version 1's job type, and finishes by version 1's flow.
    assert!(
        core.activate_jobs(&ActivateJobs::new("charge-v2"))
            .expect("activates")
            .iter()
            .all(|j| j.process_instance_key != old)
    );
    let jobs = core.activate_jobs(&ActivateJobs::new("charge-v1")).expect("activates");
    assert_eq!(jobs.iter().map(|j| j.process_instance_key).collect::<Vec<_>>(), vec![old]);
    core.complete_job(jobs[0].key, vars(json!({}))).expect("completes");
    assert!(!core.is_active(old), "version 1 has no 'ship' task: the instance ends");
    assert!(core.is_active(new.process_instance_key), "the version 2 instance still runs");
}

/// The number of batch rows (group commits that wrote entries) in a store file.
fn batch_rows(path: &Path) -> i64 {
    use sqlx::{ConnectOptions, Connection};
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        let mut connection =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.expect("connects");
        let rows: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM log_batch").fetch_one(&mut connection).await.expect("counts");
        connection.close().await.expect("closes");
        rows
    })
}

fn a_batch_of_commands_commits_together_and_every_command_in_it_survives(store: &TestStore) {
    let clock = VirtualClock::default();
    let instances: Vec<i64> = {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
        core.begin_batch();
        let started =
            (0..50).map(|_| core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key);
        let started: Vec<i64> = started.collect();
        assert!(core.in_batch());
        core.commit_batch().expect("commits");
        started
    };
    if let TestStore::Sqlite { path, .. } = store {
        assert_eq!(batch_rows(path), 2, "the deployment, then the 50 starts in one commit");
    }
    let core = store.open_engine_ok(&clock);
    assert!(instances.iter().all(|k| core.is_active(*k)), "every start of the batch is there");
    let entries = core_history(core);
    assert_eq!(entries.len(), 51, "each start is still its own entry with its cause");
}

fn core_history(mut core: EngineCore) -> Vec<engine::store::LogEntry> {
    core.history().expect("a store keeps entries").expect("reads")
}

fn concurrent_async_commands_are_durable_when_acknowledged(store: &TestStore) {
    let clock = VirtualClock::default();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let acknowledged: Vec<i64> = runtime.block_on(async {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
        let engine = engine::Engine::new(core);
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let engine = engine.clone();
                tokio::spawn(
                    async move { engine.run(|core| core.create_instance("order", None, vars(json!({})))).await },
                )
            })
            .collect();
        let mut keys = Vec::new();
        for task in tasks {
            keys.push(task.await.expect("joins").expect("starts").process_instance_key);
        }
        keys
    });
    drop(runtime);
    let core = store.open_engine_ok(&clock);
    assert!(acknowledged.iter().all(|k| core.is_active(*k)), "every acknowledged start is in the file");
}

/// A store that accepts everything until told to fail, then refuses every append.
struct FailsAfter {
    accepted: usize,
    limit: usize,
}

impl RecordStore for FailsAfter {
    fn append(&mut self, _entries: &[engine::store::EncodedEntry], _key_counter: i64) -> Result<(), StoreError> {
        self.accepted += 1;
        if self.accepted > self.limit { Err(StoreError::new("memory:fails", "disk full")) } else { Ok(()) }
    }

    fn read_log(&mut self, _after: i64) -> Result<engine::store::StoredLog, StoreError> {
        Ok(engine::store::StoredLog { format_version: engine::store::RECORD_FORMAT_VERSION, ..Default::default() })
    }

    fn location(&self) -> &str {
        "memory:fails"
    }
}

#[test]
fn a_failed_batch_commit_fails_the_batch_and_every_later_command() {
    // Opening writes the key counter once, the deployment is the second append.
    let store = FailsAfter { accepted: 0, limit: 2 };
    let mut core = EngineCore::open(Box::new(store), Arc::new(VirtualClock::default())).expect("opens");
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("the deploy is stored");
    core.begin_batch();
    for _ in 0..3 {
        core.create_instance("order", None, vars(json!({}))).expect("runs inside the batch");
    }
    let error = core.commit_batch().expect_err("the batch's commit fails");
    assert_eq!(error.code(), "UNAVAILABLE");
    assert!(error.to_string().contains("disk full") && error.to_string().contains("reopen"), "{error}");
    let later = core.create_instance("order", None, vars(json!({}))).expect_err("refused after the failure");
    assert_eq!(later.code(), "UNAVAILABLE");
}

/// The job-worker implementation's "done, but let the running tools finish" lives in the
/// completed job's record: reopening must not forget it and ask the worker again.
fn an_ad_hoc_sub_process_reported_done_while_a_tool_runs_finishes_after_a_restart(store: &TestStore) {
    let clock = VirtualClock::default();
    let task = |id: &str| {
        format!(
            r#"<bpmn:serviceTask id="{id}"><bpmn:extensionElements><zeebe:taskDefinition type="{id}"/></bpmn:extensionElements></bpmn:serviceTask>"#
        )
    };
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="agent" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tools"/>
    <bpmn:adHocSubProcess id="tools">
      <bpmn:extensionElements><zeebe:taskDefinition type="decide"/></bpmn:extensionElements>
      {search}{fetch}
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="tools" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#,
        search = task("search"),
        fetch = task("fetch"),
    );
    let one = |core: &mut EngineCore, job_type: &str| {
        let jobs = core.activate_jobs(&ActivateJobs::new(job_type)).expect("activates");
        assert_eq!(jobs.len(), 1, "one {job_type} job");
        jobs[0].key
    };
    let instance = {
        let mut core = store.open_engine_ok(&clock);
        core.deploy_xml("agent.bpmn", xml.as_bytes()).expect("deploys");
        let instance = core.create_instance("agent", None, vars(json!({}))).expect("starts").process_instance_key;
        let both = engine::AdHocResult {
            activate_elements: ["search", "fetch"]
                .map(|id| engine::AdHocActivation { element_id: id.into(), variables: vars(json!({})) })
                .to_vec(),
            ..Default::default()
        };
        let decide = one(&mut core, "decide");
        core.complete_ad_hoc_job(decide, vars(json!({})), both).expect("activates both tools");
        let search = one(&mut core, "search");
        core.complete_job(search, vars(json!({}))).expect("search ends");
        let done = engine::AdHocResult { completion_condition_fulfilled: true, ..Default::default() };
        let decide = one(&mut core, "decide");
        core.complete_ad_hoc_job(decide, vars(json!({})), done).expect("done, fetch still running");
        assert!(core.is_active(instance), "it waits for fetch");
        instance
    };
    let mut core = store.open_engine_ok(&clock);
    let fetch = one(&mut core, "fetch");
    core.complete_job(fetch, vars(json!({}))).expect("fetch ends");
    assert!(!core.is_active(instance), "the sub-process remembered it was done and completed");
    assert!(core.activate_jobs(&ActivateJobs::new("decide")).expect("activates").is_empty(), "no new question");
}
