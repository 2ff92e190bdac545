//! `run --project --pools`: the pool of `qa-test-engineer` instances grows from 2 to 5 while twelve
//! parallel test suites queue for it, never goes below 2 or above 5, and shrinks back to 2 once
//! the queue drains; the audit log explains every grow and shrink. A pools file that cannot work
//! is refused before anything runs, naming its line and column.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Workdir, workspace};

const TYPE: &str = "qa-test-engineer";

/// A folder with the catalogue loaded and a pools file holding `pools`.
fn with_pools(pools: &str) -> (Workdir, String) {
    let dir = Workdir::new();
    let catalogue = workspace().join("workflows/personas/types.yaml").display().to_string();
    dir.run(&["personas", "types", "--catalogue", &catalogue]).expect_code(0);
    let file = dir.path().join("pools.yaml");
    std::fs::write(&file, pools).expect("writes the pools file");
    (dir, file.display().to_string())
}

/// The number of active members of the pool, as `personas list` shows them now.
fn active_members(dir: &Workdir) -> usize {
    let list = dir.json(&["personas", "list", "--type", TYPE]);
    let instances = list["instances"].as_array().cloned().unwrap_or_default();
    instances
        .iter()
        .filter(|i| {
            i["status"] == "active" && i["name"].as_str().is_some_and(|n| n.starts_with("qa-test-engineer-pool-"))
        })
        .count()
}

/// The reasons the pool changed (the `because` of its instance changes), oldest first.
fn pool_changes(dir: &Workdir) -> Vec<Value> {
    let audit = dir.json(&["audit", "--kind", "instance-change"]);
    let entries = audit["entries"].as_array().cloned().unwrap_or_default();
    entries.iter().filter_map(|e| e["details"].get("because").cloned()).collect()
}

/// The status of the one workflow instance in the store (`active` until it ends).
fn workflow_status(dir: &Workdir) -> String {
    let all = dir.json(&["status"]);
    let Some(key) = all["instances"][0]["key"].as_i64() else { return "not started".into() };
    let status = dir.json(&["status", &key.to_string()]);
    status["instance"]["status"].as_str().unwrap_or_default().to_owned()
}

/// What `args` (a `run` or `serve` with the pool) did to the pool while the twelve suites of
/// `pool-fan-out` ran: how many pool members were active at each look from outside, and the
/// `because` of every pool change in the audit log. `start` starts the suites once the command
/// is up. The command is stopped once the suites are done and the pool is back at 2.
fn pool_cycle(
    dir: &Workdir,
    args: &[&str],
    start: impl FnOnce(&std::sync::mpsc::Receiver<String>),
) -> (Vec<usize>, Vec<Value>) {
    let (mut child, lines) = support::spawn_with_lines(dir.command(args));
    start(&lines);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut looks = Vec::new();
    loop {
        let active = active_members(dir);
        looks.push(active);
        let changes = pool_changes(dir);
        let shrunk = changes.iter().any(|c| c["direction"] == "shrink");
        if shrunk && active == 2 && workflow_status(dir) == "completed" {
            break;
        }
        if Instant::now() > deadline || child.try_wait().is_ok_and(|s| s.is_some()) {
            let _ = child.kill();
            panic!("the pool did not grow and shrink back in time: looks {looks:?}, changes {changes:#?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().expect("stops the command");
    let _ = child.wait();
    (looks, pool_changes(dir))
}

/// The pool filled to 2, grew to 5 under the queue, never left 2..5 once filled (at every look
/// and every change), came back to 2, and the audit log says why each change was made.
fn assert_grew_and_shrank_back(dir: &Workdir, looks: &[usize], changes: &[Value]) {
    let filled = looks.iter().position(|n| *n >= 2).expect("the pool filled");
    assert!(looks[filled..].iter().all(|n| (2..=5).contains(n)), "{looks:?}");
    let counts: Vec<u64> = changes.iter().map(|c| c["active_after"].as_u64().expect("a count")).collect();
    assert_eq!(&counts[..2], [1, 2], "the pool fills to its minimum first: {counts:?}");
    assert!(counts.contains(&5), "the deep queue grew the pool to 5: {counts:?}");
    assert!(counts.iter().all(|n| *n <= 5), "never above 5: {counts:?}");
    assert!(counts[1..].iter().all(|n| *n >= 2), "never below 2 once filled: {counts:?}");
    assert_eq!(counts.last(), Some(&2), "back to 2 after the queue drained: {counts:?}");
    let mut before = 0;
    for change in changes {
        assert_eq!(change["active"], before, "each change starts where the last ended: {change}");
        before = change["active_after"].as_u64().unwrap_or_default();
        let reason = change["reason"].as_str().unwrap_or_default();
        assert!(reason.starts_with("pool of `qa-test-engineer` in acme/shop"), "{reason}");
        if change["direction"] == "grow" {
            let below_min = change["active"].as_u64() < Some(2) && reason.contains("below the minimum of 2");
            let for_held = change["held"].as_u64() > Some(0) && reason.contains("jobs held with");
            assert!(below_min || for_held, "a grow says why: {change}");
        } else {
            assert_eq!(change["direction"], "shrink", "{change}");
            assert_eq!(change["waiting"], 0, "{change}");
            assert!(reason.contains("no jobs waiting") && reason.contains("pauses idle"), "{reason}");
        }
    }
    // The pool's members did every suite: each of the twelve jobs was assigned to one.
    let audit = dir.json(&["audit", "--kind", "routing"]);
    let assigned: Vec<&Value> =
        audit["entries"].as_array().into_iter().flatten().filter(|e| e["details"]["decision"] == "assigned").collect();
    assert_eq!(assigned.len(), 12, "{assigned:#?}");
    assert!(
        assigned.iter().all(|e| e["instance_name"].as_str().is_some_and(|n| n.starts_with("qa-test-engineer-pool-")))
    );
}

/// The pool of the tests: 2 to 5 members of one task each.
const POOLS: &str = "pools:\n  - type: qa-test-engineer\n    min: 2\n    max: 5\n    max_tasks: 1\n";

#[test]
fn the_pool_grows_to_five_under_a_deep_queue_and_shrinks_back_to_two() {
    let (dir, pools) = with_pools(POOLS);
    let model = support::model("pool-fan-out.yaml").display().to_string();
    let args = [
        "run",
        "--deploy",
        &model,
        "--start",
        "pool-fan-out",
        "--simulate",
        "--project",
        "acme/shop",
        "--pools",
        &pools,
    ];
    let (looks, changes) = pool_cycle(&dir, &args, |_| {});
    assert_grew_and_shrank_back(&dir, &looks, &changes);
}

#[test]
fn serve_grows_and_shrinks_its_pools_too() {
    let (dir, pools) = with_pools(POOLS);
    let model = support::model("pool-fan-out.yaml").display().to_string();
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--deploy",
        &model,
        "--simulate",
        "--project",
        "acme/shop",
        "--pools",
        &pools,
    ];
    let (looks, changes) = pool_cycle(&dir, &args, |lines| {
        support::wait_for(lines, "serving on", 1);
        dir.run(&["start", "pool-fan-out"]).expect_code(0);
    });
    assert_grew_and_shrank_back(&dir, &looks, &changes);
}

#[test]
fn a_pools_file_that_cannot_work_is_refused_where_it_is_wrong() {
    let model = support::model("pool-fan-out.yaml").display().to_string();
    for (pools, says) in [
        ("pools:\n  - type: qa-test-engineer\n    min: 6\n", "pools.yaml:3:10: error: `min` (6) is above `max` (5)"),
        ("pools:\n  - type: qa-test-engineer\n    min: 0\n", "pools.yaml:3:10: error: `min` is 0; give 1 or more"),
        ("pools:\n  - type: qa-tester\n", "pools.yaml:2:11: error: unknown persona type `qa-tester`"),
    ] {
        let (dir, file) = with_pools(pools);
        let refused = dir.run(&["run", "--deploy", &model, "--until-idle", "--project", "acme/shop", "--pools", &file]);
        let refused = refused.expect_code(2);
        assert!(refused.stderr.contains(says), "{}", refused.stderr);
        assert_eq!(dir.json(&["personas", "list"])["instances"], serde_json::json!([]), "nothing was created");
    }
    let (dir, file) = with_pools("pools:\n  - type: qa-test-engineer\n");
    let refused = dir.run(&["run", "--deploy", &model, "--until-idle", "--pools", &file]).expect_code(2);
    assert!(refused.stderr.contains("--project"), "pools route through a project: {}", refused.stderr);
}
