//! Snapshots: opening starts from the newest usable snapshot and replays only the entries after
//! it, to the same state as a full replay; a damaged snapshot is skipped (with the reason in the
//! open report) and never gives a wrong state; the log stays complete for history.

mod backends;
mod common;

use backends::{Damage, TestStore, on_every_backend};
use engine::testing::model;
use engine::testing::vars;
use engine::{ActivateJobs, EngineCore, VirtualClock};
use serde_json::json;

on_every_backend!(
    opening_starts_from_the_snapshot_and_replays_only_what_came_after,
    a_damaged_snapshot_is_skipped_for_the_log_and_never_gives_a_wrong_state,
    a_truncated_snapshot_falls_back_to_the_older_one,
    a_snapshot_inside_a_batch_is_refused,
    a_log_longer_than_a_replay_page_rebuilds_the_same_state,
);

/// A busy store with a snapshot in the middle of its log and more entries after it; returns
/// the live engine's state summary, the snapshot's position and the number of entries.
fn store_with_a_snapshot(store: &TestStore, clock: &VirtualClock) -> (String, i64, usize) {
    let mut core = store.open_engine_ok(clock);
    common::run_busy_scenario(&mut core, clock);
    let position = core.snapshot().expect("snapshots").expect("a store keeps snapshots");
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let after = core.create_instance("order", None, vars(json!({"n": 1}))).expect("starts").process_instance_key;
    let jobs = core.activate_jobs(&ActivateJobs::new("charge")).expect("activates");
    assert_eq!(jobs.len(), 1);
    assert!(core.is_active(after));
    let entries = core.history().expect("keeps entries").expect("reads").len();
    (common::summary(core.state()), position, entries)
}

fn opening_starts_from_the_snapshot_and_replays_only_what_came_after(store: &TestStore) {
    let clock = VirtualClock::default();
    let (live, position, entries) = store_with_a_snapshot(store, &clock);
    let mut reopened = store.open_engine_ok(&clock);
    let report = reopened.open_report().clone();
    assert_eq!(report.snapshot_position, Some(position));
    assert_eq!(report.entries_replayed, entries - position as usize, "only the entries after the snapshot");
    assert!(report.skipped_snapshots.is_empty(), "{report:?}");
    assert_eq!(common::summary(reopened.state()), live, "the same state as the live engine");
    let history = reopened.history().expect("keeps entries").expect("reads");
    assert_eq!(history.len(), entries, "the log stays complete for history");
    let key = reopened.create_instance("order", None, vars(json!({}))).expect("starts").process_instance_key;
    assert!(reopened.is_active(key), "the engine works on from the snapshot");
}

fn a_damaged_snapshot_is_skipped_for_the_log_and_never_gives_a_wrong_state(store: &TestStore) {
    let clock = VirtualClock::default();
    let (live, position, entries) = store_with_a_snapshot(store, &clock);
    // Flip bytes in the middle of the state: the checksum no longer matches.
    store.damage(Damage::CorruptSnapshots);
    let reopened = store.open_engine_ok(&clock);
    let report = reopened.open_report();
    assert_eq!(report.snapshot_position, None, "fell back to the whole log");
    assert_eq!(report.entries_replayed, entries);
    assert_eq!(report.skipped_snapshots.len(), 1, "{report:?}");
    let reason = &report.skipped_snapshots[0];
    assert!(reason.contains(&format!("position {position}")) && reason.contains("checksum"), "{reason}");
    assert_eq!(common::summary(reopened.state()), live);
}

fn a_truncated_snapshot_falls_back_to_the_older_one(store: &TestStore) {
    let clock = VirtualClock::default();
    let (_, first, _) = store_with_a_snapshot(store, &clock);
    let (live, second) = {
        let mut core = store.open_engine_ok(&clock);
        core.create_instance("order", None, vars(json!({}))).expect("starts");
        let second = core.snapshot().expect("snapshots").expect("kept");
        core.create_instance("order", None, vars(json!({}))).expect("starts");
        (common::summary(core.state()), second)
    };
    assert!(second > first);
    store.damage(Damage::TruncateSnapshot { position: second });
    let reopened = store.open_engine_ok(&clock);
    let report = reopened.open_report();
    assert_eq!(report.snapshot_position, Some(first), "the older snapshot: {report:?}");
    assert!(report.skipped_snapshots[0].contains("truncated"), "{report:?}");
    assert_eq!(common::summary(reopened.state()), live);
}

fn a_snapshot_inside_a_batch_is_refused(store: &TestStore) {
    let mut core = store.open_engine_ok(&VirtualClock::default());
    core.begin_batch();
    let error = core.snapshot().expect_err("refused inside a batch");
    assert!(error.to_string().contains("outside a batch"), "{error}");
    core.commit_batch().expect("commits");
}

#[test]
fn an_in_memory_engine_keeps_no_snapshot() {
    assert_eq!(EngineCore::new().snapshot().expect("no error"), None);
}

/// Opening replays the log a page (50,000 entries) at a time: a log of two pages and more
/// rebuilds the state the live engine had, entry for entry.
fn a_log_longer_than_a_replay_page_rebuilds_the_same_state(store: &TestStore) {
    const INSTANCES: usize = 60_000;
    let clock = VirtualClock::default();
    let mut core = store.open_engine_ok(&clock);
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    core.begin_batch();
    for n in 0..INSTANCES {
        core.create_instance("order", None, vars(json!({"n": n}))).expect("starts");
    }
    core.commit_batch().expect("commits");
    let live = common::summary(core.state());
    drop(core);
    let reopened = store.open_engine_ok(&clock);
    assert_eq!(reopened.open_report().entries_replayed, INSTANCES + 1, "the deployment and every start");
    assert_eq!(common::summary(reopened.state()), live);
}
