//! The instance index: one row per process instance (its process, when and at which log
//! position it started and ended, how it ended, how many incidents it has open), kept by the
//! store beside the log so that listing the instances, or finding one, reads a few rows instead
//! of folding the whole log.
//!
//! The rows are derived from the records only ([`mark_of`]): the [`StoreSink`](super::StoreSink)
//! marks each entry it encodes with the instance changes its records make, and the store writes
//! the rows in the transaction that appends the entry, so the index is exactly as durable as the
//! log. A store whose log predates the index fills it from the log once, when an engine opens it
//! ([`marks_of_log`]). Retention deletes the rows of the instances whose history it removes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::LogEntry;
use crate::model::ElementType;
use crate::record::{Intent, Record, RecordValue};

/// How a process instance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It reached its end.
    Completed,
    /// It was cancelled, or its parent ended it.
    Terminated,
}

impl Outcome {
    /// The word stored and shown: `completed` or `terminated`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Terminated => "terminated",
        }
    }

    /// The outcome a stored word names.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "completed" => Some(Self::Completed),
            "terminated" => Some(Self::Terminated),
            _ => None,
        }
    }
}

/// A change that one record makes to the instance index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceMark {
    /// A process version was deployed (the index names processes by key).
    Deployed {
        /// The process definition key.
        definition_key: i64,
        /// `process/@id`.
        bpmn_process_id: String,
        /// Its version.
        version: i32,
    },
    /// A process instance started.
    Started {
        /// The process instance key.
        key: i64,
        /// Its process definition.
        definition_key: i64,
    },
    /// A process instance ended.
    Ended {
        /// The process instance key.
        key: i64,
        /// How.
        outcome: Outcome,
    },
    /// An incident of the instance was raised (+1) or resolved (-1).
    Incidents {
        /// The process instance key.
        key: i64,
        /// +1 or -1.
        change: i64,
    },
}

/// The change `record` makes to the index, if any.
pub fn mark_of(record: &Record) -> Option<InstanceMark> {
    match &record.value {
        RecordValue::Process(p) => Some(InstanceMark::Deployed {
            definition_key: p.process.key,
            bpmn_process_id: p.process.bpmn_process_id.to_string(),
            version: p.process.version,
        }),
        RecordValue::Element(e) if e.element_type == ElementType::Process && record.key == e.process_instance_key => {
            match record.intent {
                Intent::ElementActivating => {
                    Some(InstanceMark::Started { key: record.key, definition_key: e.process_definition_key })
                }
                Intent::ElementCompleted => Some(InstanceMark::Ended { key: record.key, outcome: Outcome::Completed }),
                Intent::ElementTerminated => {
                    Some(InstanceMark::Ended { key: record.key, outcome: Outcome::Terminated })
                }
                _ => None,
            }
        }
        RecordValue::Incident(i) => match record.intent {
            Intent::IncidentCreated => Some(InstanceMark::Incidents { key: i.process_instance_key, change: 1 }),
            Intent::IncidentResolved => Some(InstanceMark::Incidents { key: i.process_instance_key, change: -1 }),
            _ => None,
        },
        _ => None,
    }
}

/// The marks of a decoded log, each with its entry's position and time (to fill the index of
/// a log that predates it).
pub fn marks_of_log(entries: &[LogEntry]) -> Vec<PlacedMark> {
    entries
        .iter()
        .flat_map(|entry| {
            entry.records.iter().filter_map(mark_of).map(|mark| PlacedMark {
                position: entry.position,
                at_millis: entry.at_millis,
                mark,
            })
        })
        .collect()
}

/// A mark with the position and time of the entry that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedMark {
    /// The entry's log position.
    pub position: i64,
    /// The entry's engine time (epoch milliseconds).
    pub at_millis: i64,
    /// The change.
    pub mark: InstanceMark,
}

/// What one write changes in one instance's row: the marks of a group of entries merged per
/// instance (a store writes each row once per transaction).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowChange {
    /// The process instance key.
    pub key: i64,
    /// The start, when this write holds it: definition key, position, time.
    pub started: Option<(i64, i64, i64)>,
    /// The end, when this write holds it: outcome, position, time.
    pub ended: Option<(Outcome, i64, i64)>,
    /// The change in open incidents.
    pub incidents: i64,
}

/// The deployments and per-instance row changes of `marks`, in key order.
pub fn merge(marks: impl IntoIterator<Item = PlacedMark>) -> (Vec<(i64, String, i32)>, Vec<RowChange>) {
    let mut processes = Vec::new();
    let mut rows: BTreeMap<i64, RowChange> = BTreeMap::new();
    for PlacedMark { position, at_millis, mark } in marks {
        match mark {
            InstanceMark::Deployed { definition_key, bpmn_process_id, version } => {
                processes.push((definition_key, bpmn_process_id, version));
            }
            InstanceMark::Started { key, definition_key } => {
                rows.entry(key).or_insert_with(|| RowChange { key, ..RowChange::default() }).started =
                    Some((definition_key, position, at_millis));
            }
            InstanceMark::Ended { key, outcome } => {
                rows.entry(key).or_insert_with(|| RowChange { key, ..RowChange::default() }).ended =
                    Some((outcome, position, at_millis));
            }
            InstanceMark::Incidents { key, change } => {
                rows.entry(key).or_insert_with(|| RowChange { key, ..RowChange::default() }).incidents += change;
            }
        }
    }
    (processes, rows.into_values().collect())
}

/// One process instance as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexedInstance {
    /// The process instance key.
    pub key: i64,
    /// `process/@id` (empty when its deployment is not in the index).
    pub bpmn_process_id: String,
    /// The process version.
    pub version: i32,
    /// The process definition key.
    pub process_definition_key: i64,
    /// `active`, `completed` or `terminated`.
    pub status: &'static str,
    /// Incidents open now.
    pub open_incidents: i64,
    /// When it started (epoch milliseconds).
    pub started_at_millis: i64,
    /// The log position of the entry that started it.
    pub started_position: i64,
    /// When it ended, if it did.
    pub ended_at_millis: Option<i64>,
    /// The log position of the entry that ended it, if it did.
    pub ended_position: Option<i64>,
}

/// How many instances the index holds, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InstanceCounts {
    /// Running now.
    pub active: u64,
    /// Reached their end.
    pub completed: u64,
    /// Cancelled or ended by their parent.
    pub terminated: u64,
}

/// The instance index's overview: every running instance, the newest ended ones, and counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InstanceOverview {
    /// The counts by status.
    pub counts: InstanceCounts,
    /// Every running instance, oldest first.
    pub active: Vec<IndexedInstance>,
    /// The newest ended instances, newest first (as many as asked for).
    pub ended: Vec<IndexedInstance>,
}

/// A lookup of one instance in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexLookup {
    /// The store keeps no index (or has not filled it yet): fold the log instead.
    NotIndexed,
    /// The index has no such instance.
    Unknown,
    /// The instance's row, and every process definition the index knows (key, BPMN process
    /// id, version), to name the processes of a fold of its span.
    Found(IndexedInstance, Vec<(i64, String, i32)>),
}
