//! The input of the history fold: log entries with their time and cause.

use serde::Serialize;

use crate::model::ElementType;
use crate::record::{Intent, Record, RecordValue};
use crate::store::{StoreError, StoredLog};

/// Who or what caused a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// A call of the engine's API (deploy, create instance, cancel, resolve incident, ...).
    Api {
        /// The call, for example `create_instance`.
        call: String,
    },
    /// A job worker, by the name it activated the job with.
    Worker {
        /// The worker name.
        name: String,
    },
    /// A timer (or another deadline: job time-out, retry back-off, message expiry) fell due.
    Timer,
    /// The log does not say.
    Unknown,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Api { call } => write!(f, "api {call}"),
            Cause::Worker { name } => write!(f, "worker {name}"),
            Cause::Timer => f.write_str("timer"),
            Cause::Unknown => f.write_str("unknown"),
        }
    }
}

/// When a change happened and what caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The log position of the entry that made the change.
    pub position: i64,
    /// When, in epoch milliseconds, if the log says.
    pub at_millis: Option<i64>,
    /// Who or what caused it.
    pub cause: Cause,
}

/// One entry of the log: the records one command wrote, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The entry's position in the log.
    pub position: i64,
    /// When the command ran, in epoch milliseconds, if the log says.
    pub at_millis: Option<i64>,
    /// What caused the command.
    pub cause: Cause,
    /// The records, in the order they were applied.
    pub records: Vec<Record>,
}

/// Adapter for logs that store records without their command's cause or time: one entry per
/// record, with no time, and a cause inferred from the records themselves. A record that only
/// a caller can write (a job completion names its worker, a fired timer, a deployment, an
/// instance created, a resolved incident, ...) starts a new cause; the records after it (the
/// follow-up work of the same command) inherit it. Commands leave no mark in such a log, so the
/// inference can be wrong where one command's follow-up work looks like the start of another.
pub fn entries_with_inferred_causes(log: &StoredLog) -> Result<Vec<Entry>, StoreError> {
    let mut cause = Cause::Unknown;
    let mut previous: Option<Intent> = None;
    let mut entries = Vec::with_capacity(log.records.len());
    for stored in &log.records {
        let record: Record = serde_json::from_str(&stored.payload).map_err(|e| {
            StoreError::new(
                "record log",
                format!("the record at position {} cannot be read ({e}); the log is damaged", stored.position),
            )
        })?;
        if let Some(started) = inferred_cause(&record, previous) {
            cause = started;
        }
        previous = Some(record.intent);
        entries.push(Entry { position: stored.position, at_millis: None, cause: cause.clone(), records: vec![record] });
    }
    Ok(entries)
}

/// The cause a record starts, when only a command from outside can have written it.
fn inferred_cause(record: &Record, previous: Option<Intent>) -> Option<Cause> {
    let api = |call: &str| Some(Cause::Api { call: call.to_owned() });
    match (&record.value, record.intent) {
        (
            RecordValue::Job(job),
            Intent::JobActivated | Intent::JobCompleted | Intent::JobFailed | Intent::JobErrorThrown,
        ) => Some(Cause::Worker { name: job.worker.to_string() }),
        (
            _,
            Intent::TimerTriggered | Intent::JobTimedOut | Intent::JobRecurredAfterBackoff | Intent::MessageExpired,
        ) => Some(Cause::Timer),
        (_, Intent::ProcessCreated) => api("deploy"),
        (_, Intent::MessagePublished) => api("publish_message"),
        (_, Intent::SignalBroadcasted) => api("broadcast_signal"),
        (_, Intent::IncidentResolved) => api("resolve_incident"),
        (_, Intent::JobRetriesUpdated) => api("update_job_retries"),
        (_, Intent::UserTaskCompleted) => api("complete_user_task"),
        (_, Intent::UserTaskAssigned) => api("claim_user_task"),
        (RecordValue::Element(e), Intent::ElementActivating)
            if e.element_type == ElementType::Process
                && e.parent_element_instance_key <= 0
                && !matches!(
                    previous,
                    Some(Intent::TimerTriggered | Intent::MessagePublished | Intent::SignalBroadcasted)
                ) =>
        {
            api("create_instance")
        }
        (RecordValue::Element(e), Intent::ElementTerminating)
            if e.element_type == ElementType::Process && e.parent_element_instance_key <= 0 =>
        {
            api("cancel_instance")
        }
        _ => None,
    }
}
