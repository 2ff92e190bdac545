//! Every command's records form one log entry with the engine time it ran at and what caused
//! it (API call with the client, worker, timer), readable back from a store and from memory.

use std::sync::Arc;
use std::time::Duration;

use engine::record::{Cause, Intent};
use engine::store::MemorySink;
use engine::store::{LogEntry, SqliteStore};
use engine::testing::model::{self, ProcessBuilder, TimerKind};
use engine::testing::vars;
use engine::{ActivateJobs, EngineCore, VirtualClock};
use serde_json::json;

const START: i64 = 1_700_000_000_000;

/// Deploys, starts, activates by a named worker, completes later, lets a job time out and a
/// timer fire: one of each cause. Returns the instance keys (service, timer).
fn scenario(core: &mut EngineCore, clock: &VirtualClock) -> (i64, i64) {
    core.set_client(Some("test cli".into()));
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let timer = ProcessBuilder::new("wait").start("s").timer_catch("t", TimerKind::Duration, "PT1M").end("e").build();
    core.deploy_model("wait.bpmn", &timer).expect("deploys");
    clock.advance(Duration::from_millis(10));
    let order = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    let waiting = core.create_instance("wait", None, vars(json!({}))).expect("starts").process_instance_key;
    clock.advance(Duration::from_millis(10));
    let request = ActivateJobs::new("charge").worker("worker-a").timeout(Duration::from_secs(5));
    let jobs = core.activate_jobs(&request).expect("activates");
    assert_eq!(jobs.len(), 1);
    // The deadline passes: the job times out (timer), then worker-b takes and completes it.
    clock.advance(Duration::from_secs(6));
    core.tick();
    let jobs = core.activate_jobs(&request.clone().worker("worker-b")).expect("activates");
    assert_eq!(jobs.len(), 1, "the timed-out job is activatable again");
    clock.advance(Duration::from_millis(10));
    core.complete_job(jobs[0].key, vars(json!({"paid": true}))).expect("completes");
    clock.advance(Duration::from_secs(60));
    core.tick();
    assert!(!core.is_active(order) && !core.is_active(waiting), "both instances finished");
    (order, waiting)
}

fn api(call: &str) -> Cause {
    Cause::Api { call: call.into(), client: Some("test cli".into()) }
}

fn worker(name: &str, call: &str) -> Cause {
    Cause::Worker { name: name.into(), call: call.into() }
}

/// The entries' times (relative to the start), causes and first intents.
fn summary(entries: &[LogEntry]) -> Vec<(i64, Cause, Intent)> {
    entries.iter().map(|e| (e.at_millis - START, e.cause.clone(), e.records[0].intent)).collect()
}

fn expected() -> Vec<(i64, Cause, Intent)> {
    vec![
        (0, api("Deploy"), Intent::ProcessCreated),
        (0, api("Deploy"), Intent::ProcessCreated),
        (10, api("CreateProcessInstance"), Intent::ElementActivating),
        (10, api("CreateProcessInstance"), Intent::ElementActivating),
        (20, worker("worker-a", "ActivateJobs"), Intent::JobActivated),
        (6_020, Cause::Timer, Intent::JobTimedOut),
        (6_020, worker("worker-b", "ActivateJobs"), Intent::JobActivated),
        (6_030, worker("worker-b", "CompleteJob"), Intent::JobCompleted),
        (66_030, Cause::Timer, Intent::TimerTriggered),
    ]
}

#[test]
fn each_command_is_one_entry_with_its_time_and_cause_in_memory() {
    let clock = VirtualClock::at(START);
    let sink = MemorySink::default();
    let mut core = EngineCore::with(Arc::new(clock.clone()), Box::new(sink.clone()));
    scenario(&mut core, &clock);
    let entries = sink.log();
    assert_eq!(summary(&entries), expected());
    let positions: Vec<i64> = entries.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=entries.len() as i64).collect::<Vec<_>>(), "positions count from 1");
    let from_core = core.history().expect("a memory sink keeps entries").expect("reads");
    assert_eq!(from_core, entries, "the engine reads the same entries");
    assert_eq!(sink.records().len(), entries.iter().map(|e| e.records.len()).sum::<usize>());
}

#[test]
fn a_store_keeps_the_same_entries_and_reads_them_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("engine.db");
    let clock = VirtualClock::at(START);
    let sink = MemorySink::default();
    let mut memory = EngineCore::with(Arc::new(clock.clone()), Box::new(sink.clone()));
    scenario(&mut memory, &clock);

    let clock = VirtualClock::at(START);
    let store = SqliteStore::open(&path).expect("opens");
    let mut core = EngineCore::open(Box::new(store), Arc::new(clock.clone())).expect("opens");
    scenario(&mut core, &clock);
    let live = core.history().expect("a store keeps entries").expect("reads");
    drop(core);
    let mut store = SqliteStore::open(&path).expect("reopens");
    let stored = engine::store::read_entries(&mut store).expect("reads");
    assert_eq!(stored, live, "the engine's history is what the store holds");
    assert_eq!(summary(&stored), expected());
    // Keys differ between the two engines only if they diverged: same commands, same records.
    assert_eq!(stored, sink.log(), "the durable log equals the in-memory one");
}

#[test]
fn a_job_no_worker_activated_is_completed_by_an_api_call() {
    let clock = VirtualClock::at(START);
    let sink = MemorySink::default();
    let mut core = EngineCore::with(Arc::new(clock.clone()), Box::new(sink.clone()));
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    core.create_instance("order", None, vars(json!({}))).expect("starts");
    let job = core.state().jobs.keys().copied().next().expect("a job waits");
    core.complete_job(job, vars(json!({}))).expect("completes");
    let last = sink.log().pop().expect("entries");
    assert_eq!(last.cause, Cause::Api { call: "CompleteJob".into(), client: None });
    assert_eq!(last.cause.to_string(), "CompleteJob");
    assert_eq!(worker("w", "FailJob").to_string(), "FailJob by worker 'w'");
}

#[test]
fn an_engine_without_a_keeping_sink_has_no_history() {
    let mut core = EngineCore::new();
    assert!(core.history().is_none());
}
