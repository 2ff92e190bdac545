//! Pools on the registry: a pool fills to its minimum, grows one member a reconcile while jobs
//! are held, up to its maximum, shrinks back by pausing idle members only, resumes paused
//! members before creating new ones, and every change is in the audit log with its reason.

mod support;

use engine::VirtualClock;
use personas::{
    AuditKind, AuditQuery, InstanceRef, Outcome, PoolPolicy, PoolStep, Registry, RouteDecision, RouteRequest, Status,
    pool,
};
use serde_json::Value;
use support::{TestStore, on_every_backend, shop};

on_every_backend!(
    a_pool_grows_with_held_jobs_and_shrinks_back_idle_members_only,
    a_member_that_took_work_is_not_paused
);

const TYPE: &str = "qa-test-engineer";

/// A pool of 2 to 5 members of one task each.
fn policy() -> PoolPolicy {
    let mut policy = PoolPolicy::new(TYPE, shop());
    policy.max_tasks = Some(1);
    policy
}

/// The active members' names.
async fn active(registry: &Registry) -> Vec<String> {
    let members = registry.pool_members(&policy()).await.expect("members");
    members.into_iter().filter(|m| m.status == Status::Active).map(|m| m.name).collect()
}

/// Routes job `key` of the pool's type; the instance it went to, if any.
async fn route(registry: &Registry, key: i64) -> Option<String> {
    let request = RouteRequest {
        job_key: key,
        persona_type: TYPE.into(),
        project: shop(),
        workflow_instance: None,
        element_id: None,
    };
    match registry.route(&request).await.expect("routes") {
        RouteDecision::Assigned(assignment) => Some(assignment.instance_name),
        RouteDecision::Wait { .. } => None,
    }
}

/// The `because` of every pool change in the audit log, oldest first.
async fn pool_changes(registry: &Registry) -> Vec<Value> {
    let query = AuditQuery { kinds: vec![AuditKind::InstanceChange], ..AuditQuery::default() };
    let entries = registry.audit(&query).await.expect("audit");
    entries.into_iter().filter_map(|e| e.details.get("because").cloned()).collect()
}

async fn a_pool_grows_with_held_jobs_and_shrinks_back_idle_members_only(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let policy = policy();
    for _ in 0..3 {
        registry.reconcile_pool(&policy, 0).await.expect("reconciles");
    }
    assert_eq!(active(&registry).await, ["qa-test-engineer-pool-1", "qa-test-engineer-pool-2"]);

    // Eight open jobs: two are placed, six wait; each reconcile grows one member, and counts
    // the new members' free slots against the jobs held.
    let mut held = Vec::new();
    for key in 1..=8 {
        if route(&registry, key).await.is_none() {
            held.push(key);
        }
    }
    assert_eq!(held.len(), 6);
    for (expected, held) in [(3, 6), (4, 5), (5, 4)] {
        let decision = registry.reconcile_pool(&policy, 8).await.expect("grows");
        assert_eq!((decision.queue.held, decision.active_after()), (held, expected), "{}", decision.reason);
    }
    let full = registry.reconcile_pool(&policy, 8).await.expect("stays");
    assert_eq!((full.step, full.active, full.queue.held), (None, 5, 3), "never above the maximum: {}", full.reason);
    // Three of the held jobs fit the new members.
    let placed: Vec<i64> = {
        let mut placed = Vec::new();
        for key in held.clone() {
            if route(&registry, key).await.is_some() {
                placed.push(key);
            }
        }
        placed
    };
    assert_eq!(placed, [3, 4, 5]);

    // The queue drains (jobs 6 to 8 are cancelled): with every member busy, the pool waits; as
    // members finish, it pauses the idle ones, the last grown first, down to the minimum.
    let busy = registry.reconcile_pool(&policy, 5).await.expect("waits");
    assert!(busy.step.is_none() && busy.reason.contains("every active member has open work"), "{}", busy.reason);
    registry.finish(1, Outcome::Succeeded).await.expect("finishes"); // pool-1 is idle now
    registry.finish(5, Outcome::Succeeded).await.expect("finishes"); // and pool-5
    let first = registry.reconcile_pool(&policy, 3).await.expect("shrinks");
    assert_eq!(first.step.as_ref().map(PoolStep::name), Some("qa-test-engineer-pool-5"), "{}", first.reason);
    let second = registry.reconcile_pool(&policy, 3).await.expect("shrinks");
    assert_eq!(second.step.as_ref().map(PoolStep::name), Some("qa-test-engineer-pool-1"), "{}", second.reason);
    assert!(registry.reconcile_pool(&policy, 3).await.expect("waits").step.is_none(), "the others are busy");
    for key in [2, 3, 4] {
        registry.finish(key, Outcome::Succeeded).await.expect("finishes");
    }
    registry.reconcile_pool(&policy, 0).await.expect("shrinks");
    assert_eq!(active(&registry).await, ["qa-test-engineer-pool-2", "qa-test-engineer-pool-3"]);
    let floor = registry.reconcile_pool(&policy, 0).await.expect("stays");
    assert!(floor.step.is_none(), "never below the minimum: {}", floor.reason);

    // A new queue resumes the paused members, lowest number first, before creating any: of four
    // open jobs, two have the members' free slots, two are held.
    let again = registry.reconcile_pool(&policy, 4).await.expect("grows");
    assert_eq!((again.queue.waiting, again.queue.held), (4, 2));
    assert_eq!(again.step.as_ref().map(PoolStep::describe), Some("resumes `qa-test-engineer-pool-1`".into()));

    // Every change is in the audit log with its reason, and the counts follow each other.
    let changes = pool_changes(&registry).await;
    let directions: Vec<&str> = changes.iter().filter_map(|c| c["direction"].as_str()).collect();
    assert_eq!(directions, ["grow", "grow", "grow", "grow", "grow", "shrink", "shrink", "shrink", "grow"]);
    let counts: Vec<u64> = changes.iter().filter_map(|c| c["active_after"].as_u64()).collect();
    assert_eq!(counts, [1, 2, 3, 4, 5, 4, 3, 2, 3]);
    assert!(changes[0]["reason"].as_str().is_some_and(|r| r.contains("below the minimum of 2")), "{}", changes[0]);
    assert!(changes[2]["reason"].as_str().is_some_and(|r| r.contains("6 jobs held with 2 active")), "{}", changes[2]);
    assert!(changes[5]["reason"].as_str().is_some_and(|r| r.contains("no jobs waiting")), "{}", changes[5]);
    assert_eq!(changes[5]["held"], 0);
}

async fn a_member_that_took_work_is_not_paused(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let policy = policy();
    for open_jobs in [0, 0, 3] {
        registry.reconcile_pool(&policy, open_jobs).await.expect("grows");
    }
    let members = registry.pool_members(&policy).await.expect("members");
    let decision = pool::decide(&policy, &members, pool::Queue::default());
    assert_eq!(decision.step.as_ref().map(PoolStep::name), Some("qa-test-engineer-pool-3"));
    // Between the decision and the change, jobs take every member, pool-3 among them.
    for key in 1..=3 {
        assert!(route(&registry, key).await.is_some());
    }
    let applied = registry.apply_pool_decision(&policy, decision).await.expect("applies");
    assert_eq!(applied.step, None);
    assert!(
        applied.reason.contains("not paused: instance `qa-test-engineer-pool-3` took 1 jobs"),
        "{}",
        applied.reason
    );
    let member = registry.get(&InstanceRef::Name("qa-test-engineer-pool-3".into())).await.expect("found");
    assert_eq!((member.status, member.open_tasks), (Status::Active, 1));
    // A bad policy is refused before anything changes.
    let mut bad = policy.clone();
    bad.min = 9;
    let error = registry.reconcile_pool(&bad, 0).await.expect_err("refused");
    assert!(error.to_string().contains("`min` (9) is above `max` (5)"), "{error}");
    assert_eq!(registry.pool_members(&policy).await.expect("members").len(), 3);
}
