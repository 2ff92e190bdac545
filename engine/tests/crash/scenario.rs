//! The crash scenario: run the workload in a child process, kill it with SIGKILL at a random
//! moment, reopen the store and check its log against the acknowledgements, many times over
//! (each next child's `EngineCore::open` is the recovery: it replays the log and resumes); then
//! let a last child finish every instance, and check that each finished once with the expected
//! variables.

use std::time::{Duration, Instant};

use crate::acks::Acks;
use crate::backends::TestStore;
use crate::child::ChildProcess;
use crate::log_check::{LogChecker, check_all_finished, read_log, reopen};
use crate::rng::{Rng, seed_from_env};
use crate::workload::{Mode, active_instances};

/// Kills in the default (CI) run; `CRASH_KILLS` sets another number.
const DEFAULT_KILLS: u64 = 50;
/// How long a child may take to open its engine.
const OPEN_LIMIT: Duration = Duration::from_secs(60);
/// How long the last child may take to finish every instance.
const FINISH_LIMIT: Duration = Duration::from_secs(180);
/// One kill in this many comes before the child says its engine is open (during the replay,
/// the firing of what fell due, or the deployment).
const EARLY_KILL_ONE_IN: u64 = 5;
/// A progress line is printed after this many kills.
const PROGRESS_EVERY: u64 = 25;
/// Once the child's engine is open, it is killed after a delay in this range (milliseconds).
const WORK_MILLIS: (u64, u64) = (10, 250);

/// Runs the scenario on `store` (a new, empty one) and prints a summary line.
pub fn run(backend: &str, store: &TestStore) {
    let location = &store.location();
    let dir = tempfile::tempdir().expect("a folder for the side file");
    let kills = kills_from_env();
    let seed = seed_from_env();
    println!("crash test on {backend}: seed {seed} (CRASH_SEED={seed} replays the kill schedule), {kills} kills");
    let began = Instant::now();
    let acks_path = dir.path().join("acks.log");
    let mut rng = Rng::new(seed);
    let mut checker = LogChecker::default();
    let mut recoveries = Vec::new();
    let mut checking = Duration::ZERO;
    let mut early_kills = 0;
    let mut last_open_ms = 50;
    for run in 0..kills {
        let mut child = ChildProcess::spawn(location, &acks_path, Mode::Work, run);
        if rng.one_in(EARLY_KILL_ONE_IN) {
            early_kills += 1;
            std::thread::sleep(Duration::from_millis(rng.between(0, last_open_ms + 20)));
        } else {
            last_open_ms = child.wait_ready(OPEN_LIMIT);
            recoveries.push(last_open_ms);
            std::thread::sleep(Duration::from_millis(rng.between(WORK_MILLIS.0, WORK_MILLIS.1)));
        }
        child.kill_now();
        let check = Instant::now();
        checker.absorb(&read_log(location));
        let acks = Acks::read(&acks_path);
        checker.check_acks(&acks);
        checking += check.elapsed();
        if (run + 1) % PROGRESS_EVERY == 0 {
            println!(
                "after {} kills: {} acknowledged starts, {} acknowledged job completions; {:.0} s",
                run + 1,
                acks.started.len(),
                acks.completed.len(),
                began.elapsed().as_secs_f64()
            );
        }
    }

    let finishing = Instant::now();
    ChildProcess::spawn(location, &acks_path, Mode::Finish, kills).wait_for_exit(FINISH_LIMIT);
    let finish_time = finishing.elapsed();
    let reopened = reopen(location);
    checker.absorb(&reopened.log);
    let acks = Acks::read(&acks_path);
    checker.check_acks(&acks);
    assert_eq!(active_instances(&reopened.core), 0, "no instance runs after the final run");
    let instances = check_all_finished(&reopened.log);
    assert!(instances >= acks.started.len());

    recoveries.sort();
    let median = recoveries.get(recoveries.len() / 2).copied().unwrap_or_default();
    let max = recoveries.last().copied().unwrap_or_default();
    let mean_check = checking.as_millis() / u128::from(kills.max(1));
    println!(
        "crash summary ({backend}): seed {seed}; {kills} kills ({early_kills} before the engine was open); \
         {instances} instances, all finished with the expected variables ({} acknowledged starts, {} started \
         without an acknowledgement); {} acknowledged job completions ({} in the log); recovery (a child's \
         EngineCore::open) median {median} ms, max {max} ms; check after a kill {mean_check} ms on average; \
         final log {} records, reopened in {} ms; final run {:.1} s; total {:.1} s",
        acks.started.len(),
        instances - acks.started.len(),
        acks.completed.len(),
        checker.job_completions(),
        reopened.log.records.len(),
        reopened.took.as_millis(),
        finish_time.as_secs_f64(),
        began.elapsed().as_secs_f64(),
    );
}

fn kills_from_env() -> u64 {
    match std::env::var("CRASH_KILLS") {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| panic!("CRASH_KILLS must be a number, not '{text}'")),
        Err(_) => DEFAULT_KILLS,
    }
}
