//! The crash scenario: run the workload in a child process, kill it with SIGKILL at a random
//! moment, reopen the store and check its log against the acknowledgements, many times over
//! (each next child's `EngineCore::open` is the recovery: it replays the log and resumes); then
//! let a last child finish every instance, and check that each finished once with the expected
//! variables.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::acks::Acks;
use crate::backends::TestStore;
use crate::child::ChildProcess;
use crate::log_check::{LogChecker, check_all_finished, read_log_after, reopen};
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
    let dir = tempfile::tempdir().expect("a folder for the side file");
    let kills = kills_from_env();
    let seed = seed_from_env();
    println!("crash test on {backend}: seed {seed} (CRASH_SEED={seed} replays the kill schedule), {kills} kills");
    let mut scenario =
        Scenario { location: store.location(), acks: dir.path().join("acks.log"), checker: LogChecker::default() };
    let began = Instant::now();
    let killing = scenario.kill_repeatedly(kills, &mut Rng::new(seed), began);
    let finishing = Instant::now();
    ChildProcess::spawn(&scenario.location, &scenario.acks, Mode::Finish, kills).wait_for_exit(FINISH_LIMIT);
    let finish_time = finishing.elapsed();
    let finished = scenario.check_all_finished();
    println!(
        "crash summary ({backend}): seed {seed}; {kills} kills ({} before the engine was open); {} instances, all \
         finished with the expected variables ({} acknowledged starts, {} started without an acknowledgement); {} \
         acknowledged job completions ({} in the log, {} of them after the job's lock ran out); recovery (a child's EngineCore::open) median {} ms, max {} \
         ms; check after a kill {} ms on average; final log {} entries with {} records, reopened in {} ms; final run {:.1} s; \
         total {:.1} s",
        killing.early_kills,
        finished.instances,
        finished.acks.started.len(),
        finished.instances - finished.acks.started.len(),
        finished.acks.completed.len(),
        scenario.checker.job_completions(),
        scenario.checker.unlocked_completions(),
        killing.recovery_percentile(50),
        killing.recovery_percentile(100),
        killing.checking.as_millis() / u128::from(kills.max(1)),
        finished.entries,
        finished.records,
        finished.reopen_time.as_millis(),
        finish_time.as_secs_f64(),
        began.elapsed().as_secs_f64(),
    );
}

/// One scenario's store, side file, and what its checks have read of the log so far.
struct Scenario {
    location: String,
    acks: PathBuf,
    checker: LogChecker,
}

/// What the kills measured.
#[derive(Default)]
struct Killing {
    /// Kills before the child's engine was open.
    early_kills: u64,
    /// How long each child took to open its engine, in milliseconds.
    recoveries: Vec<u64>,
    /// The time spent checking the log after the kills.
    checking: Duration,
}

impl Killing {
    /// The recovery time at `percent` (0 to 100), in milliseconds.
    fn recovery_percentile(&self, percent: usize) -> u64 {
        let mut sorted = self.recoveries.clone();
        sorted.sort_unstable();
        let index = (sorted.len().saturating_sub(1) * percent) / 100;
        sorted.get(index).copied().unwrap_or_default()
    }
}

/// What the check after the final run found.
struct Finished {
    instances: usize,
    acks: Acks,
    entries: usize,
    records: usize,
    reopen_time: Duration,
}

impl Scenario {
    /// Runs `kills` children, each killed at a moment `rng` picks, and checks the log after each.
    fn kill_repeatedly(&mut self, kills: u64, rng: &mut Rng, began: Instant) -> Killing {
        let mut killing = Killing::default();
        let mut last_open_ms = 50;
        for run in 0..kills {
            let mut child = ChildProcess::spawn(&self.location, &self.acks, Mode::Work, run);
            if rng.one_in(EARLY_KILL_ONE_IN) {
                killing.early_kills += 1;
                std::thread::sleep(Duration::from_millis(rng.between(0, last_open_ms + 20)));
            } else {
                last_open_ms = child.wait_ready(OPEN_LIMIT);
                killing.recoveries.push(last_open_ms);
                std::thread::sleep(Duration::from_millis(rng.between(WORK_MILLIS.0, WORK_MILLIS.1)));
            }
            child.kill_now();
            let check = Instant::now();
            self.checker.absorb(&read_log_after(&self.location, self.checker.position()));
            let acks = Acks::read(&self.acks);
            self.checker.check_acks(&acks);
            killing.checking += check.elapsed();
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
        killing
    }

    /// After the final run: the acknowledgements still hold, nothing runs, and every instance
    /// finished once with the expected variables (checked on the whole log, read again).
    fn check_all_finished(&mut self) -> Finished {
        let reopened = reopen(&self.location);
        let new_entries: Vec<_> =
            reopened.log.iter().filter(|entry| entry.position > self.checker.position()).cloned().collect();
        self.checker.absorb(&new_entries);
        let acks = Acks::read(&self.acks);
        self.checker.check_acks(&acks);
        assert_eq!(active_instances(&reopened.core), 0, "no instance runs after the final run");
        let (from_the_start, instances) = check_all_finished(&reopened.log);
        from_the_start.check_acks(&acks);
        assert!(instances >= acks.started.len(), "every acknowledged start is one of the instances");
        let records = reopened.log.iter().map(|entry| entry.records.len()).sum();
        Finished { instances, acks, entries: reopened.log.len(), records, reopen_time: reopened.took }
    }
}

fn kills_from_env() -> u64 {
    match std::env::var("CRASH_KILLS") {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| panic!("CRASH_KILLS must be a number, not '{text}'")),
        Err(_) => DEFAULT_KILLS,
    }
}
