//! The parent's checks of the stored log against the acknowledgements, after every kill and
//! at the end.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::model::ElementType;
use engine::record::{Cause, Intent, RecordValue};
use engine::store::{LogEntry, read_entries_after};
use engine::{EngineCore, SystemClock, Variables};

use crate::acks::Acks;
use crate::backend::open_store_after_kill;
use crate::workload::{PROCESS_ID, WORKER_PREFIX, expected_variables};

/// Reads the log entries after position `after` of the store at `location` (the store is
/// released again on return).
pub fn read_log_after(location: &str, after: i64) -> Vec<LogEntry> {
    let mut store = open_store_after_kill(location).unwrap_or_else(|e| panic!("the store reopens after the kill: {e}"));
    read_entries_after(&mut *store, after).unwrap_or_else(|e| panic!("the log reads after the kill: {e}"))
}

/// An engine reopened by the parent, with the whole log it was rebuilt from.
pub struct Reopened {
    /// The engine, rebuilt from its newest snapshot and the log after it (it also fired what
    /// fell due while no child ran).
    pub core: EngineCore,
    /// Every entry of the log, read just before the engine opened.
    pub log: Vec<LogEntry>,
    /// How long `EngineCore::open` took.
    pub took: Duration,
}

/// Reads the whole log, then reopens the store the way a restarted engine does.
pub fn reopen(location: &str) -> Reopened {
    let log = read_log_after(location, 0);
    let store = open_store_after_kill(location).unwrap_or_else(|e| panic!("the store reopens: {e}"));
    let started = Instant::now();
    let core = EngineCore::open(store, Arc::new(SystemClock)).unwrap_or_else(|e| panic!("the engine reopens: {e}"));
    Reopened { core, log, took: started.elapsed() }
}

/// Records the workload never causes: no element is terminated (nothing cancels, interrupts
/// or fails), and no incident is raised.
const UNEXPECTED: [Intent; 2] = [Intent::ElementTerminated, Intent::IncidentCreated];

/// What the log held at the last check. The log only grows, so each check reads only the
/// entries after the last one read; the final check reads it all again from the start.
#[derive(Default)]
pub struct LogChecker {
    position: i64,
    activated: HashSet<i64>,
    completed_elements: HashSet<i64>,
    completed_jobs: HashSet<i64>,
    unlocked_completions: usize,
}

impl LogChecker {
    /// The position of the last entry read.
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Takes in the entries after the last one read; fails on a gap, on an element instance or
    /// a job that completes twice, on a job completion not caused by `CompleteJob` (of one of
    /// the workload's workers, or without one when the job's lock had run out), and on a
    /// termination or an incident.
    pub fn absorb(&mut self, entries: &[LogEntry]) {
        for entry in entries {
            assert_eq!(entry.position, self.position + 1, "the log has a gap before position {}", entry.position);
            self.position = entry.position;
            for record in &entry.records {
                let key = record.key;
                match record.intent {
                    Intent::ElementActivating => {
                        self.activated.insert(key);
                    }
                    Intent::ElementCompleted => {
                        let first = self.completed_elements.insert(key);
                        assert!(first, "element instance {key} completed twice (again at entry {})", entry.position);
                    }
                    Intent::JobCompleted => {
                        let first = self.completed_jobs.insert(key);
                        assert!(first, "job {key} completed twice (again at entry {})", entry.position);
                        match &entry.cause {
                            Cause::Worker { name, call }
                                if name.starts_with(WORKER_PREFIX) && call == "CompleteJob" => {}
                            // The job's lock ran out before its worker completed it: the job
                            // had no worker any more, so the completion counts as an API call.
                            Cause::Api { call, .. } if call == "CompleteJob" => self.unlocked_completions += 1,
                            other => panic!("job {key} was completed by something else than a worker: {other:?}"),
                        }
                    }
                    intent if UNEXPECTED.contains(&intent) => {
                        panic!("the log has {} {key} at entry {}", intent.name(), entry.position)
                    }
                    _ => {}
                }
            }
        }
    }

    /// Every acknowledged start is an instance in the log (running, or completed: `absorb`
    /// refuses terminations), every acknowledged job completion is in the log (once: `absorb`
    /// refuses twice), and no completion was acknowledged twice.
    pub fn check_acks(&self, acks: &Acks) {
        for &instance in acks.started.keys() {
            assert!(
                self.activated.contains(&instance),
                "the acknowledged start of instance {instance} is not in the log"
            );
        }
        for (&job, &times) in &acks.completed {
            assert_eq!(times, 1, "the completion of job {job} was acknowledged {times} times");
            assert!(self.completed_jobs.contains(&job), "the acknowledged completion of job {job} is not in the log");
        }
    }

    /// The number of jobs completed after their lock had run out.
    pub fn unlocked_completions(&self) -> usize {
        self.unlocked_completions
    }

    /// The number of job completions in the log.
    pub fn job_completions(&self) -> usize {
        self.completed_jobs.len()
    }
}

/// After the final run, on the whole log read again from the start: it passes every check of
/// [`LogChecker`], every instance completed, each started by `CreateProcessInstance`, and each
/// has exactly the root variables its `n` calls for. Returns the checker and the number of
/// instances.
pub fn check_all_finished(log: &[LogEntry]) -> (LogChecker, usize) {
    let mut checker = LogChecker::default();
    checker.absorb(log);
    let mut instances = HashSet::new();
    let mut variables: HashMap<i64, Variables> = HashMap::new();
    for entry in log {
        for record in &entry.records {
            match (&record.intent, &record.value) {
                (Intent::ElementActivating, RecordValue::Element(e)) if e.element_type == ElementType::Process => {
                    assert_eq!(&*e.element_id, PROCESS_ID);
                    assert!(
                        matches!(&entry.cause, Cause::Api { call, .. } if call == "CreateProcessInstance"),
                        "instance {} was started by CreateProcessInstance: {:?}",
                        record.key,
                        entry.cause
                    );
                    instances.insert(record.key);
                }
                (Intent::VariableCreated | Intent::VariableUpdated, RecordValue::Variable(v))
                    if v.scope_key == v.process_instance_key =>
                {
                    variables.entry(v.scope_key).or_default().insert(v.name.to_string(), v.value.clone());
                }
                _ => {}
            }
        }
    }
    for instance in &instances {
        assert!(checker.completed_elements.contains(instance), "instance {instance} did not finish");
        let actual = variables.remove(instance).unwrap_or_default();
        let n = actual.get("n").and_then(serde_json::Value::as_i64);
        let n = n.unwrap_or_else(|| panic!("instance {instance} has no number n: {actual:?}"));
        assert_eq!(actual, expected_variables(n), "the variables of instance {instance}");
    }
    let count = instances.len();
    (checker, count)
}
