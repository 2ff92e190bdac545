//! `run --watch-log FILE --rule REGEX --on-match PROCESS` on a real log file: each new matching
//! line starts one instance with the line as a variable, other lines start nothing, and a
//! restarted run starts none of the lines it already started.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::Child;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Workdir, model, root_variable, spawn_with_lines, wait_for};

fn append(log: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(log).expect("the log opens");
    file.write_all(text.as_bytes()).expect("writes");
}

/// The run, and its output lines as they come.
fn watch(dir: &Workdir) -> (Child, Receiver<String>) {
    let on_line = model("on-log-line.yaml").display().to_string();
    let args = [
        "run",
        "--deploy",
        &on_line,
        "--watch-log",
        "app.log",
        "--rule",
        "ERROR .*failed",
        "--on-match",
        "on-log-line",
    ];
    spawn_with_lines(dir.command(&args))
}

fn stop(mut run: Child) {
    run.kill().expect("stops the run");
    run.wait().expect("the run ends");
}

/// The `log_line` start variable of every on-log-line instance.
fn started_lines(dir: &Workdir) -> Vec<Value> {
    let listed = dir.json(&["status"]);
    let keys: Vec<i64> = listed["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .filter(|i| i["bpmn_process_id"] == json!("on-log-line"))
        .filter_map(|i| i["process_instance_key"].as_i64())
        .collect();
    keys.iter().map(|key| root_variable(&dir.json(&["status", &key.to_string()]), "log_line")).collect()
}

#[test]
fn each_matching_line_starts_one_instance_and_a_restart_starts_none_again() {
    let dir = Workdir::new();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "ERROR deploy failed before the watch began\n").expect("the log");

    let (run, lines) = watch(&dir);
    wait_for(&lines, "watching log", 1);
    append(&log, "INFO deploy started\nERROR deploy of api failed: exit 137\n");
    append(&log, "ERROR deploy of web failed: probe timed out\nINFO half a line without its end");
    let started = wait_for(&lines, "started on-log-line version", 2);
    std::thread::sleep(Duration::from_millis(1200));
    stop(run);
    assert!(started[0].starts_with("log line at 63 ") && started[1].starts_with("log line at 100 "), "{started:?}");
    let mut texts = started_lines(&dir);
    texts.sort_by_key(ToString::to_string);
    assert_eq!(
        texts,
        [json!("ERROR deploy of api failed: exit 137"), json!("ERROR deploy of web failed: probe timed out")],
        "the two matching lines written while watching, each once; not the older line, not the INFO ones"
    );

    // Restarted, it picks up at the last started line (read again, and known): nothing again,
    // the next one once.
    let (run, lines) = watch(&dir);
    wait_for(&lines, "watching log", 1);
    let known = wait_for(&lines, "already started on-log-line", 1);
    append(&log, "\nERROR deploy of db failed: disk full\n");
    let started = wait_for(&lines, "started on-log-line version", 1);
    std::thread::sleep(Duration::from_millis(1200));
    stop(run);
    assert!(known[0].starts_with("log line at 100 "), "the web line, at its offset: {known:?}");
    let late: Vec<String> = lines.try_iter().filter(|l| l.contains("started on-log-line")).collect();
    assert!(late.is_empty(), "only the new line started: {started:?} then {late:?}");
    assert_eq!(started_lines(&dir).len(), 3);
}

#[test]
fn a_bad_rule_or_a_missing_log_is_a_usage_error() {
    let dir = Workdir::new();
    std::fs::write(dir.path().join("app.log"), "").expect("the log");
    let bad = dir.run(&["run", "--watch-log", "app.log", "--rule", "failed (", "--on-match", "x"]).expect_code(2);
    assert!(bad.stderr.contains("--rule 'failed ('"), "{}", bad.stderr);
    let missing = dir.run(&["run", "--watch-log", "none.log", "--rule", "failed", "--on-match", "x"]).expect_code(2);
    assert!(missing.stderr.contains("none.log"), "{}", missing.stderr);
    let without = dir.run(&["run", "--watch-log", "app.log"]).expect_code(2);
    assert!(without.stderr.contains("--rule") || without.stderr.contains("--on-match"), "{}", without.stderr);
}
