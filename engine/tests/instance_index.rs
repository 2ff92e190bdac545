//! The instance index: it lists the running instances, the newest ended ones and the counts,
//! and finds one instance and the span of the log that holds it ([`History::read_instance`]
//! folds only that), whether the store has written it yet or a reader adds the log after it.
//! Retention deletes the rows of what it prunes; an index that a crash or a failed write left
//! behind, or a log from before the index, is caught up when an engine next opens the store.

mod backends;

use std::time::Duration;

use backends::{Damage, TestStore, on_every_backend};
use engine::history::History;
use engine::store::{IndexLookup, InstanceOverview, read_decoded_between};
use engine::testing::{model, vars};
use engine::{ActivateJobs, Clock, EngineCore, VirtualClock};
use serde_json::json;

/// Starts an `order` instance and returns it with its job's key.
fn order(core: &mut EngineCore) -> (i64, i64) {
    let key = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    let jobs = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    let job = jobs.iter().find(|j| j.process_instance_key == key).expect("its job is handed out");
    (key, job.key)
}

/// A reader beside the engine.
fn reader(store: &TestStore) -> Box<dyn engine::store::RecordStore> {
    engine::store::open_read_only(&store.location()).expect("opens")
}

fn overview(store: &TestStore, newest_ended: usize) -> Option<InstanceOverview> {
    reader(store).instance_overview(newest_ended).expect("reads")
}

fn keys(instances: &[engine::store::IndexedInstance]) -> Vec<i64> {
    instances.iter().map(|i| i.key).collect()
}

on_every_backend!(the_index_follows_starts_ends_incidents_and_retention_and_catches_up_with_the_log);

fn the_index_follows_starts_ends_incidents_and_retention_and_catches_up_with_the_log(store: &TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let mut core = store.open_engine_ok(&clock);
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let (first, job) = order(&mut core);
    core.complete_job(job, vars(json!({"paid": true}))).expect("completes");
    let (cancelled, _) = order(&mut core);
    core.cancel_instance(cancelled).expect("cancels");
    clock.advance(Duration::from_secs(86_400));
    let (second, job) = order(&mut core);
    core.complete_job(job, vars(json!({}))).expect("completes");
    let (failing, job) = order(&mut core);
    core.fail_job(job, 0, "card declined", Duration::ZERO, vars(json!({}))).expect("fails");

    let seen = overview(store, 10).expect("a SQLite store keeps the index");
    assert_eq!((seen.counts.active, seen.counts.completed, seen.counts.terminated), (1, 2, 1), "{seen:?}");
    assert_eq!(keys(&seen.active), [failing]);
    assert_eq!(keys(&seen.ended), [second, cancelled, first], "newest ended first");
    let running = &seen.active[0];
    assert_eq!((running.bpmn_process_id.as_str(), running.version, running.status), ("order", 1, "active"));
    assert_eq!((running.open_incidents, running.ended_position), (1, None));
    assert_eq!(seen.ended[1].status, "terminated");
    assert_eq!(keys(&overview(store, 1).expect("indexed").ended), [second], "only as many ended as asked");

    let incident = core.incidents().first().map(|i| i.key).expect("the failed job raised an incident");
    core.update_job_retries(job, 1).expect("retries");
    core.resolve_incident(incident).expect("resolves");
    assert_eq!(overview(store, 0).expect("indexed").active[0].open_incidents, 0, "resolved");

    // One instance's span of the log holds its whole history.
    let mut beside = reader(store);
    let IndexLookup::Found(row, _) = beside.indexed_instance(second).expect("looks up") else {
        panic!("the index knows {second}")
    };
    let span = read_decoded_between(beside.as_mut(), row.started_position - 1, row.ended_position.unwrap_or(i64::MAX))
        .expect("reads");
    assert_eq!(span.entries.first().map(|e| e.position), Some(row.started_position));
    assert_eq!(span.entries.last().map(|e| e.position), row.ended_position);
    let part = History::read_instance(beside.as_mut(), second).expect("reads").expect("knows it");
    let whole = History::fold(core.history().expect("keeps entries").expect("reads"));
    assert_eq!(part.instance(second), whole.instance(second));
    assert_eq!(part.elements(second), whole.elements(second));
    assert_eq!(beside.indexed_instance(42).expect("looks up"), IndexLookup::Unknown);
    assert!(History::read_instance(beside.as_mut(), 42).expect("reads").is_none());
    drop(beside);

    // Retention deletes the rows of the instances it prunes (the two that ended a day ago).
    let report = core.prune_history(clock.now_millis() - 3_600_000).expect("prunes").expect("keeps history");
    assert_eq!(report.instances, 2, "{report:?}");
    let after = overview(store, 10).expect("indexed");
    assert_eq!(keys(&after.ended), [second]);
    assert_eq!((after.counts.completed, after.counts.terminated), (1, 0));
    drop(core);

    // A crash lost the index's writes: readers add the whole log after what it covers.
    let lost = store.execute(
        "UPDATE engine_meta SET indexed_through = 0, instances_active = 0, instances_completed = 0, \
         instances_terminated = 0 WHERE {this log}",
    );
    assert_eq!(lost, 1);
    assert_eq!(store.execute("DELETE FROM process_instance_index WHERE {this log}"), 2);
    assert_eq!(overview(store, 10).as_ref(), Some(&after), "the log after the index says the rest");
    let IndexLookup::Found(row, _) = reader(store).indexed_instance(second).expect("looks up") else {
        panic!("the log after the index knows {second}")
    };
    assert_eq!((row.status, row.ended_position.is_some()), ("completed", true));

    // A log from before the index: readers fold instead, and the next engine indexes it.
    store.execute("UPDATE engine_meta SET indexed_through = NULL WHERE {this log}");
    assert_eq!(overview(store, 10), None, "not indexed: the reader must fold the log");
    assert_eq!(reader(store).indexed_instance(second).expect("looks up"), IndexLookup::NotIndexed);
    drop(store.open_engine_ok(&clock));
    let rows = store.execute("UPDATE process_instance_index SET open_incidents = open_incidents WHERE {this log}");
    assert_eq!(rows, 2, "the engine indexed the log when it opened it");
    assert_eq!(overview(store, 10), Some(after), "indexed from the log as it was written");
}

/// A write of the index that fails (here a trigger refuses it) harms nothing: the appends go
/// on, readers add the log after the index, and the next engine catches the index up.
#[test]
fn a_failed_index_write_leaves_the_log_whole_and_the_next_engine_catches_up() {
    let store = TestStore::sqlite();
    let clock = VirtualClock::at(1_700_000_000_000);
    let mut core = store.open_engine_ok(&clock);
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let (first, _) = order(&mut core);
    let refuse = "CREATE TRIGGER refuse BEFORE INSERT ON process_instance_index \
                  BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
    store.execute(refuse);
    let (second, job) = order(&mut core);
    core.complete_job(job, vars(json!({}))).expect("the log takes the append");
    let seen = overview(&store, 10).expect("indexed");
    assert_eq!((keys(&seen.active), keys(&seen.ended)), (vec![first], vec![second]), "the tail says the rest");
    drop(core);
    assert_eq!(store.execute("UPDATE process_instance_index SET open_incidents = 0 WHERE {this log}"), 1);

    store.execute("DROP TRIGGER refuse");
    drop(store.open_engine_ok(&clock));
    assert_eq!(store.execute("UPDATE process_instance_index SET open_incidents = 0 WHERE {this log}"), 2);
    assert_eq!(overview(&store, 10), Some(seen));
}

/// Catching the index up reads the log; a batch that does not decode leaves the index behind
/// without failing an open that the snapshot spares from that batch. Reading the instances then
/// names the damage.
#[test]
fn a_catch_up_that_fails_does_not_fail_the_open() {
    let store = TestStore::sqlite();
    let clock = VirtualClock::at(1_700_000_000_000);
    let mut core = store.open_engine_ok(&clock);
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let (running, _) = order(&mut core);
    core.snapshot().expect("snapshots").expect("a store keeps snapshots");
    drop(core);
    store.execute("UPDATE engine_meta SET indexed_through = 0 WHERE {this log}");
    store.damage(Damage::CutBatch { first_position: 1 });

    let reopened = store.open_engine_ok(&clock);
    assert!(reopened.is_active(running), "the state comes from the snapshot");
    let error = reader(&store).instance_overview(10).expect_err("the log after the index does not read");
    assert!(error.to_string().contains("damaged"), "{error}");
}
