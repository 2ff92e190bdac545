//! `prune --keep`: the history of the instances that ended longer ago than `--keep` leaves the
//! store's log; running instances and deployments stay and work on; bad durations and a missing
//! store are refused with what to write.

mod support;

use serde_json::json;
use support::{Workdir, instance_key, model, spawn_with_lines, wait_for};

fn deploy(dir: &Workdir, name: &str) {
    dir.run(&["deploy", model(name).to_str().unwrap_or_default()]).expect_code(0);
}

#[test]
fn prune_removes_the_history_of_the_instances_that_ended_longer_ago_than_keep() {
    let dir = Workdir::new();
    deploy(&dir, "instant.bpmn");
    deploy(&dir, "events.bpmn");
    let ended = [instance_key(&dir.json(&["start", "instant"])), instance_key(&dir.json(&["start", "instant"]))];
    let waiting = instance_key(&dir.json(&["start", "events", "--var", "orderId=o-1"]));

    let none = dir.json(&["prune", "--keep", "30d"]);
    assert_eq!((none["instances"].as_u64(), none["records"].as_u64()), (Some(0), Some(0)), "{none}");
    let text = dir.run(&["prune", "--keep", "30d"]).expect_code(0);
    assert!(text.stdout.contains("nothing to prune"), "{}", text.stdout);

    let pruned = dir.json(&["prune", "--keep", "0s"]);
    assert_eq!(pruned["instances"], json!(2), "{pruned}");
    assert!(pruned["records"].as_u64().is_some_and(|n| n >= 8), "{pruned}");
    assert!(pruned["bytes_after"].as_u64() < pruned["bytes_before"].as_u64(), "{pruned}");

    let status = dir.json(&["status"]);
    let listed: Vec<i64> =
        status["instances"].as_array().into_iter().flatten().filter_map(|i| i["key"].as_i64()).collect();
    assert_eq!(listed, [waiting], "{status}");
    let gone = dir.run(&["history", &ended[0].to_string()]).expect_code(1);
    assert!(gone.stderr.contains(&format!("no process instance {}", ended[0])), "{}", gone.stderr);
    assert_eq!(dir.json(&["processes"])["processes"].as_array().map(Vec::len), Some(2), "deployments stay");

    dir.json(&["publish", "message", "payment", "--correlation-key", "o-1"]);
    let now = dir.json(&["status", &waiting.to_string()]);
    let active: Vec<&str> =
        now["active_elements"].as_array().into_iter().flatten().filter_map(|e| e["element_id"].as_str()).collect();
    assert_eq!(active, ["go"], "the waiting instance works on after pruning: {now}");
}

#[test]
fn prune_refuses_a_duration_it_cannot_use_and_a_missing_store() {
    let dir = Workdir::new();
    for (keep, why) in
        [("soon", "neither a number with a unit nor ISO 8601"), ("P1M", "months and years have no fixed length")]
    {
        let refused = dir.run(&["prune", "--keep", keep, "--json"]).expect_code(2).json();
        assert_eq!(refused["error"]["code"], json!("INVALID_ARGUMENT"), "{refused}");
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("--keep '{keep}' is not a duration")) && message.contains(why),
            "{message}"
        );
    }
    let missing = dir.run(&["prune", "--keep", "1d"]).expect_code(1);
    assert!(
        missing.stderr.contains("no store at") && missing.stderr.contains("orchestrator deploy"),
        "{}",
        missing.stderr
    );
}

#[test]
fn serve_applies_its_retention_policy_at_start() {
    let dir = Workdir::new();
    deploy(&dir, "instant.bpmn");
    for _ in 0..2 {
        dir.json(&["start", "instant"]);
    }
    let (mut serve, lines) = spawn_with_lines(dir.command(&["serve", "--listen", "127.0.0.1:0", "--retention", "0s"]));
    let said = wait_for(&lines, "retention:", 1);
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(said[0].contains("removed the history of 2 ended instances"), "{said:?}");
    assert_eq!(dir.json(&["status"])["instances"], json!([]));

    let refused = dir.run(&["serve", "--retention", "P1M"]).expect_code(2);
    assert!(refused.stderr.contains("months and years have no fixed length"), "{}", refused.stderr);
}

#[test]
fn status_lists_the_counts_the_running_and_the_newest_ended_and_reads_alike_without_the_index() {
    let dir = Workdir::new();
    deploy(&dir, "instant.bpmn");
    deploy(&dir, "events.bpmn");
    let ended: Vec<i64> = (0..3).map(|_| instance_key(&dir.json(&["start", "instant"]))).collect();
    let waiting = instance_key(&dir.json(&["start", "events", "--var", "orderId=o-1"]));

    let text = dir.run(&["status", "--ended", "2"]).expect_code(0).stdout;
    assert!(text.starts_with("1 active, 3 completed, 0 terminated\n"), "{text}");
    assert!(text.contains("1 older ended instances are not listed; `status --ended N` lists more"), "{text}");
    let listed = dir.json(&["status", "--ended", "2"]);
    let keys: Vec<i64> =
        listed["instances"].as_array().into_iter().flatten().filter_map(|i| i["key"].as_i64()).collect();
    assert_eq!(keys, [waiting, ended[2], ended[1]], "running first, then the newest ended: {listed}");
    let history = dir.json(&["history", &ended[1].to_string()]);

    // A store from before the index: status and history fold the log and say the same; the
    // next command that opens the engine fills the index again.
    index_sql(&dir, "UPDATE engine_meta SET indexed_through = NULL; DELETE FROM process_instance_index");
    assert_eq!(dir.json(&["status", "--ended", "2"]), listed);
    assert_eq!(dir.json(&["history", &ended[1].to_string()]), history);
    deploy(&dir, "instant.bpmn");
    assert_eq!(index_sql(&dir, "SELECT COUNT(*) FROM process_instance_index"), 4);
    assert_eq!(dir.json(&["status", "--ended", "2"]), listed);
}

/// Runs `statements` on the store's file beside the orchestrator; the last one's first column.
fn index_sql(dir: &Workdir, statements: &str) -> i64 {
    use sqlx::Connection;
    let url = format!("sqlite://{}", dir.store().display());
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    runtime.block_on(async {
        let mut db = sqlx::SqliteConnection::connect(&url).await.expect("the store opens");
        let mut last = 0;
        for statement in statements.split(';') {
            last = sqlx::query_scalar::<_, i64>(statement).fetch_optional(&mut db).await.expect("runs").unwrap_or(0);
        }
        last
    })
}
