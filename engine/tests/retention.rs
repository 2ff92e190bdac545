//! Retention: pruning removes from the log the history of the instances that ended before the
//! cutoff, keeps everything else (deployments, running instances, instances that ended later)
//! record for record, leaves the state as it was, and a pruned log is never replayed without
//! the snapshot that stands for it.

mod backends;
mod common;

use std::sync::Arc;
use std::time::Duration;

use backends::{Damage, TestStore, on_every_backend};
use engine::history::History;
use engine::store::{EncodedEntry, MemorySink, RecordStore, Snapshot, StoreError, StoredLog};
use engine::testing::{model, vars};
use engine::{ActivateJobs, Clock, EngineCore, VirtualClock};
use serde_json::json;

on_every_backend!(
    pruning_removes_the_instances_that_ended_before_the_cutoff_and_keeps_the_rest,
    a_pruned_log_is_not_replayed_without_a_snapshot_at_or_after_the_pruning,
);

const DAY: Duration = Duration::from_secs(86_400);

/// Starts an `order` instance and, when `finish`, completes its job.
fn order(core: &mut EngineCore, finish: bool) -> i64 {
    let key = core.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    let jobs = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    let job = jobs.iter().find(|j| j.process_instance_key == key).expect("its job is handed out");
    if finish {
        core.complete_job(job.key, vars(json!({"paid": true}))).expect("completes");
        assert!(!core.is_active(key));
    }
    key
}

/// The history of every instance but `except`, as text, for comparing before and after.
fn histories(history: &History, except: &[i64]) -> Vec<String> {
    history
        .instances()
        .filter(|i| !except.contains(&i.key))
        .map(|i| {
            format!(
                "{i:?} {:?} {:?} {:?}",
                history.elements(i.key),
                history.variable_changes(i.key),
                history.jobs(i.key)
            )
        })
        .collect()
}

/// A store with two instances that ended ten days ago, one that ended now, one that started ten
/// days ago and still runs, and one that started now; returns the keys in that order.
fn a_month_of_work(core: &mut EngineCore, clock: &VirtualClock) -> [i64; 5] {
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let old = [order(core, true), order(core, true)];
    let old_running = order(core, false);
    clock.advance(10 * DAY);
    [old[0], old[1], order(core, true), old_running, order(core, false)]
}

fn pruning_removes_the_instances_that_ended_before_the_cutoff_and_keeps_the_rest(store: &TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let mut core = store.open_engine_ok(&clock);
    let [old_a, old_b, recent, old_running, new_running] = a_month_of_work(&mut core, &clock);
    let before = History::fold(core.history().expect("keeps entries").expect("reads"));
    let entries = before.instances().count();
    let live = common::summary(core.state());

    let cutoff = clock.now_millis() - 5 * DAY.as_millis() as i64;
    let report = core.prune_history(cutoff).expect("prunes").expect("a store keeps history");
    assert_eq!(report.instances, 2, "{report:?}");
    assert!(report.records > 20 && report.batches_rewritten > 0, "{report:?}");
    assert!(report.bytes_after < report.bytes_before, "{report:?}");

    let after = History::fold(core.history().expect("keeps entries").expect("reads"));
    assert!(after.instance(old_a).is_none() && after.instance(old_b).is_none(), "the old ended instances are gone");
    assert_eq!(after.instances().count(), entries - 2);
    assert_eq!(histories(&after, &[]), histories(&before, &[old_a, old_b]), "the rest is kept record for record");
    for kept in [recent, old_running, new_running] {
        assert!(!after.elements(kept).is_empty(), "instance {kept} keeps its history");
    }
    assert_eq!(after.processes(), before.processes(), "deployments stay");
    assert_eq!(common::summary(core.state()), live, "the state is untouched");

    let again = core.prune_history(cutoff).expect("prunes").expect("keeps history");
    assert_eq!((again.instances, again.records, again.batches_rewritten), (0, 0, 0), "{again:?}");
    drop(core);

    let mut reopened = store.open_engine_ok(&clock);
    assert_eq!(reopened.open_report().snapshot_position, Some(again.through));
    assert_eq!(common::summary(reopened.state()), live, "reopening rebuilds the same state");
    let open: Vec<i64> = reopened.state().jobs.keys().copied().collect();
    assert_eq!(open.len(), 2, "the running instances' jobs are still open");
    for job in open {
        reopened.complete_job(job, vars(json!({}))).expect("completes after pruning");
    }
    assert!(!reopened.is_active(old_running) && !reopened.is_active(new_running));
}

fn a_pruned_log_is_not_replayed_without_a_snapshot_at_or_after_the_pruning(store: &TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let mut core = store.open_engine_ok(&clock);
    common::run_busy_scenario(&mut core, &clock);
    a_month_of_work(&mut core, &clock);
    let report = core.prune_history(clock.now_millis()).expect("prunes").expect("keeps history");
    drop(core);
    store.damage(Damage::CorruptSnapshots);
    let Err(error) = store.open_engine(&clock) else { panic!("a pruned log cannot rebuild the state alone") };
    let message = error.to_string();
    assert!(
        message.contains(&format!("retention thinned the log through position {}", report.through))
            && message.contains("checksum")
            && message.contains("restore the store from a backup"),
        "{message}"
    );
}

#[test]
fn an_engine_without_a_log_has_no_history_to_prune() {
    let mut core = EngineCore::with(Arc::new(VirtualClock::default()), Box::new(MemorySink::default()));
    assert_eq!(core.apply_retention(Duration::ZERO).expect("no error"), None);
}

/// A store that keeps snapshots but no batches of entries (the trait's defaults for them).
#[derive(Default)]
struct SnapshotsOnly {
    snapshots: Vec<Snapshot>,
}

impl RecordStore for SnapshotsOnly {
    fn append(&mut self, _entries: &[EncodedEntry], _key_counter: i64) -> Result<(), StoreError> {
        Ok(())
    }

    fn read_log(&mut self, _after: i64) -> Result<StoredLog, StoreError> {
        Ok(StoredLog { format_version: engine::store::RECORD_FORMAT_VERSION, ..StoredLog::default() })
    }

    fn save_snapshot(&mut self, snapshot: Snapshot) -> Result<(), StoreError> {
        self.snapshots.insert(0, snapshot);
        Ok(())
    }

    fn snapshots(&mut self) -> Result<Vec<Snapshot>, StoreError> {
        Ok(self.snapshots.clone())
    }

    fn location(&self) -> &str {
        "memory:snapshots-only"
    }
}

#[test]
fn a_store_that_keeps_no_batches_refuses_to_prune_and_names_itself() {
    let clock = VirtualClock::at(1_700_000_000_000);
    let mut core = EngineCore::open(Box::new(SnapshotsOnly::default()), Arc::new(clock.clone())).expect("opens");
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let error = core.apply_retention(Duration::ZERO).expect_err("nothing to prune in");
    let message = error.to_string();
    assert!(message.contains("memory:snapshots-only") && message.contains("keeps no history to prune"), "{message}");
}
