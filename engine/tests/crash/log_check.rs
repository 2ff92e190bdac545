//! The parent's checks of the stored log against the acknowledgements, after every kill and
//! at the end.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::model::ElementType;
use engine::record::{Intent, Record, RecordValue};
use engine::store::{RecordStore, StoreError, StoredLog};
use engine::{EngineCore, SystemClock, Variables};
use serde::Deserialize;

use crate::acks::Acks;
use crate::backend::open_store_after_kill;
use crate::workload::{PROCESS_ID, expected_variables};

/// An engine reopened by the parent, with the log it replayed.
pub struct Reopened {
    /// The engine, rebuilt from the log (it also fired what fell due while no child ran).
    pub core: EngineCore,
    /// The log as the engine read it.
    pub log: StoredLog,
    /// How long `EngineCore::open` took (reading and replaying the log).
    pub took: Duration,
}

/// Reads the whole log of the store at `location` (the store is released again on return).
pub fn read_log(location: &str) -> StoredLog {
    let mut store = open_store_after_kill(location).unwrap_or_else(|e| panic!("the store reopens after the kill: {e}"));
    store.read_log().unwrap_or_else(|e| panic!("the log reads after the kill: {e}"))
}

/// Reopens the store the way a restarted engine does, keeping a copy of the log it read.
pub fn reopen(location: &str) -> Reopened {
    let store = open_store_after_kill(location).unwrap_or_else(|e| panic!("the store reopens after the kill: {e}"));
    let log = Arc::new(Mutex::new(None));
    let capturing = CapturingStore { inner: store, log: log.clone() };
    let started = Instant::now();
    let core = EngineCore::open(Box::new(capturing), Arc::new(SystemClock))
        .unwrap_or_else(|e| panic!("the engine reopens after the kill: {e}"));
    let took = started.elapsed();
    let log = log.lock().expect("not poisoned").take().expect("the engine read the log");
    Reopened { core, log, took }
}

/// A store that keeps a copy of the log the engine reads from it.
struct CapturingStore {
    inner: Box<dyn RecordStore>,
    log: Arc<Mutex<Option<StoredLog>>>,
}

impl RecordStore for CapturingStore {
    fn append(&mut self, records: &[engine::store::EncodedRecord], key_counter: i64) -> Result<(), StoreError> {
        self.inner.append(records, key_counter)
    }

    fn read_log(&mut self) -> Result<StoredLog, StoreError> {
        let log = self.inner.read_log()?;
        *self.log.lock().expect("not poisoned") = Some(log.clone());
        Ok(log)
    }

    fn location(&self) -> &str {
        self.inner.location()
    }
}

/// The part of a stored record the checks after each kill need.
#[derive(Deserialize)]
struct KeyAndIntent {
    key: i64,
    intent: Intent,
}

/// What the log held at the last check. The log only grows, so each check reads only the new
/// records, after making sure the ones read before are still there unchanged.
#[derive(Default)]
pub struct LogChecker {
    records: usize,
    last_payload: Option<String>,
    activated: HashSet<i64>,
    completed_elements: HashSet<i64>,
    completed_jobs: HashSet<i64>,
}

/// Records the workload never causes: no element is terminated (nothing cancels, interrupts
/// or fails), and no incident is raised.
const UNEXPECTED: [Intent; 2] = [Intent::ElementTerminated, Intent::IncidentCreated];

impl LogChecker {
    /// Reads the records added since the last check; fails on an element instance or a job
    /// that completes twice, on a termination or an incident, and on a log that lost or
    /// changed records already checked.
    pub fn absorb(&mut self, log: &StoredLog) {
        assert!(
            log.records.len() >= self.records,
            "the log shrank from {} to {} records",
            self.records,
            log.records.len()
        );
        if let Some(last) = &self.last_payload {
            assert_eq!(&log.records[self.records - 1].payload, last, "the last record checked before changed");
        }
        for (index, stored) in log.records.iter().enumerate().skip(self.records) {
            assert_eq!(stored.position, index as i64 + 1, "the log has a gap before position {}", stored.position);
            let record: KeyAndIntent = serde_json::from_str(&stored.payload)
                .unwrap_or_else(|e| panic!("the record at position {} reads: {e}", stored.position));
            let key = record.key;
            match record.intent {
                Intent::ElementActivating => {
                    self.activated.insert(key);
                }
                Intent::ElementCompleted => {
                    let first = self.completed_elements.insert(key);
                    assert!(first, "element instance {key} completed twice (again at position {})", stored.position);
                }
                Intent::JobCompleted => {
                    let first = self.completed_jobs.insert(key);
                    assert!(first, "job {key} completed twice (again at position {})", stored.position);
                }
                intent if UNEXPECTED.contains(&intent) => {
                    panic!("the log has {} {key} at position {}", intent.name(), stored.position)
                }
                _ => {}
            }
        }
        self.records = log.records.len();
        self.last_payload = log.records.last().map(|r| r.payload.clone());
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

    /// The number of job completions in the log.
    pub fn job_completions(&self) -> usize {
        self.completed_jobs.len()
    }
}

/// After the final run: every instance in the log completed, none was terminated, and each
/// has exactly the root variables its `n` calls for. Returns the number of instances.
pub fn check_all_finished(log: &StoredLog) -> usize {
    let mut instances = HashSet::new();
    let mut completed = HashSet::new();
    let mut variables: HashMap<i64, Variables> = HashMap::new();
    for stored in &log.records {
        let record: Record = serde_json::from_str(&stored.payload)
            .unwrap_or_else(|e| panic!("the record at position {} decodes: {e}", stored.position));
        match (&record.intent, &record.value) {
            (Intent::ElementActivating, RecordValue::Element(e)) if e.element_type == ElementType::Process => {
                assert_eq!(&*e.element_id, PROCESS_ID);
                instances.insert(record.key);
            }
            (Intent::ElementCompleted, RecordValue::Element(e)) if e.element_type == ElementType::Process => {
                completed.insert(record.key);
            }
            (Intent::ElementTerminated, RecordValue::Element(e)) if e.element_type == ElementType::Process => {
                panic!("instance {} was terminated", record.key)
            }
            (Intent::VariableCreated | Intent::VariableUpdated, RecordValue::Variable(v))
                if v.scope_key == v.process_instance_key =>
            {
                variables.entry(v.scope_key).or_default().insert(v.name.to_string(), v.value.clone());
            }
            _ => {}
        }
    }
    for instance in &instances {
        assert!(completed.contains(instance), "instance {instance} did not finish");
        let actual = variables.remove(instance).unwrap_or_default();
        let n = actual.get("n").and_then(serde_json::Value::as_i64);
        let n = n.unwrap_or_else(|| panic!("instance {instance} has no number n: {actual:?}"));
        assert_eq!(actual, expected_variables(n), "the variables of instance {instance}");
    }
    instances.len()
}
