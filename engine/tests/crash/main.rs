//! Crash tests of the durable engine, on SQLite and on PostgreSQL: a child process runs many
//! concurrent instances and is killed with SIGKILL at random moments; after every kill the
//! store reopens with every acknowledged start and job completion in it, nothing completed
//! twice; a last run finishes every instance. Also: several processes opening one new SQLite
//! file at once.
//!
//! The child processes are this test binary run again with the ignored `crash_child` test
//! selected (no extra binary ships for it). `CRASH_KILLS=300` runs a longer scenario,
//! `CRASH_SEED=<n>` replays a kill schedule; the summary line gives the numbers.

mod acks;
mod backend;
#[path = "../backends/mod.rs"]
mod backends;
mod child;
mod log_check;
mod open_race;
mod rng;
mod scenario;
mod workload;

use std::collections::HashSet;
use std::time::Duration;

use backends::TestStore;
use child::ChildProcess;
use workload::{Mode, PROCESS_ID};

/// The entry point of the child processes; it does nothing unless a crash test started it.
#[test]
#[ignore = "the child process of the crash tests, which start it themselves"]
fn crash_child() {
    let Some(config) = child::config_from_env() else { return };
    match config.mode {
        Mode::OpenOnce => open_race::child(&config),
        Mode::Work | Mode::Finish => workload::run(&config),
    }
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_work_on_sqlite() {
    scenario::run("sqlite", &TestStore::sqlite());
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_work_on_postgres() {
    scenario::run("postgres", &TestStore::postgres("crash::sigkill_at_random_moments_on_postgres"));
}

#[test]
fn processes_racing_to_open_one_new_sqlite_file_each_get_it_or_a_clear_refusal() {
    const RACERS: u64 = 6;
    let store = TestStore::sqlite();
    let location = store.location();
    let dir = tempfile::tempdir().expect("temp dir");
    let acks = dir.path().join("unused-acks.log");
    let mut racers: Vec<ChildProcess> =
        (0..RACERS).map(|run| ChildProcess::spawn(&location, &acks, Mode::OpenOnce, run)).collect();
    let mut started = HashSet::new();
    let mut refused = 0;
    for racer in &mut racers {
        racer.wait_for_exit(Duration::from_secs(60));
        let outcome = racer.lines_with(open_race::OUTCOME);
        assert_eq!(outcome.len(), 1, "one outcome per racer: {outcome:?}");
        let outcome = outcome[0].trim_start_matches(open_race::OUTCOME).trim();
        if let Some(key) = outcome.strip_prefix("started ") {
            started.insert(key.parse::<i64>().expect("an instance key"));
        } else {
            refused += 1;
            assert!(outcome.starts_with("refused "), "a racer either starts or is refused: {outcome}");
            assert!(outcome.contains(&location), "the refusal names the file: {outcome}");
            assert!(outcome.contains("another engine"), "the refusal says why: {outcome}");
        }
    }
    assert!(!started.is_empty(), "at least one racer got the file ({refused} refused)");
    let reopened = log_check::reopen(&location);
    let versions: Vec<i32> =
        reopened.core.processes().iter().filter(|p| p.bpmn_process_id == PROCESS_ID).map(|p| p.version).collect();
    assert_eq!(versions, vec![1], "the process was deployed once; later racers found it");
    for instance in &started {
        assert!(reopened.core.is_active(*instance), "the instance {instance} a racer started is in the store");
    }
    assert_eq!(workload::active_instances(&reopened.core), started.len(), "and nothing else is");
    println!("open race: {} of {RACERS} processes got the file, {refused} were refused", started.len());
}
