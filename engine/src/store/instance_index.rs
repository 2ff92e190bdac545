//! The instance index: one row per process instance (its process, when and at which log
//! position it started and ended, how it ended, how many incidents it has open), kept by the
//! store beside the log so that listing the instances, or finding one, reads a few rows instead
//! of folding the whole log.
//!
//! The rows are derived from the records only ([`mark_of`]): the [`StoreSink`](super::StoreSink)
//! marks each entry it encodes with the instance changes its records make. The store keeps the
//! marks of what it appended and writes them to the index off the commit path, when it is idle
//! or has gathered many, together with the log position the index now covers (an instance that
//! starts and ends in between costs one row write instead of two). A reader adds what the log
//! after that position says ([`InstanceOverview::add_tail`], [`with_tail`]), so a read after an
//! acknowledged write sees it. An engine that opens the store first indexes the log after that
//! position ([`marks_of_log`]): what a crash kept from the index, or a whole log from before the
//! index. Retention deletes the rows of the instances whose history it removes.

use std::collections::{BTreeMap, HashMap};

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

/// The marks of the entries a store appended since it last wrote its index, and the position
/// of the last of those entries (the index covers it once they are written).
#[derive(Debug, Default)]
pub struct PendingMarks {
    marks: Vec<PlacedMark>,
    through: Option<i64>,
}

impl PendingMarks {
    /// Keeps the marks of `entries`, appended from position `first_position` on.
    pub fn appended<'e>(&mut self, first_position: i64, entries: impl IntoIterator<Item = &'e super::EncodedEntry>) {
        for (position, entry) in (first_position..).zip(entries) {
            self.marks.extend(entry.marks.iter().map(|mark| PlacedMark {
                position,
                at_millis: entry.at_millis,
                mark: mark.clone(),
            }));
            self.through = Some(position);
        }
    }

    /// How many marks are kept.
    pub fn len(&self) -> usize {
        self.marks.len()
    }

    /// Whether nothing was appended since the last [`take`](Self::take).
    pub fn is_empty(&self) -> bool {
        self.through.is_none()
    }

    /// The marks and the position they cover, leaving nothing kept.
    pub fn take(&mut self) -> Option<(Vec<PlacedMark>, i64)> {
        let through = self.through.take()?;
        Some((std::mem::take(&mut self.marks), through))
    }
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

/// How many instances the index holds, by status (or, for a write, by how much each changes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InstanceCounts {
    /// Running now.
    pub active: i64,
    /// Reached their end.
    pub completed: i64,
    /// Cancelled or ended by their parent.
    pub terminated: i64,
}

impl InstanceCounts {
    /// Counts what `change` does: a start adds a running instance, an end moves one from
    /// running to its outcome (an instance that starts and ends in one change never runs here).
    pub fn count(&mut self, change: &RowChange) {
        if change.started.is_some() {
            self.active += 1;
        }
        if let Some((outcome, _, _)) = change.ended {
            self.active -= 1;
            match outcome {
                Outcome::Completed => self.completed += 1,
                Outcome::Terminated => self.terminated += 1,
            }
        }
    }
}

/// Process definition key -> (BPMN process id, version).
pub type ProcessNames = HashMap<i64, (String, i32)>;

impl IndexedInstance {
    /// The row of an instance from its start.
    fn from_start(key: i64, (definition_key, position, at_millis): (i64, i64, i64), names: &ProcessNames) -> Self {
        let (bpmn_process_id, version) = names.get(&definition_key).cloned().unwrap_or_default();
        Self {
            key,
            bpmn_process_id,
            version,
            process_definition_key: definition_key,
            status: "active",
            open_incidents: 0,
            started_at_millis: at_millis,
            started_position: position,
            ended_at_millis: None,
            ended_position: None,
        }
    }

    /// Applies a later change to the row.
    fn apply(&mut self, change: &RowChange) {
        if let Some((outcome, position, at_millis)) = change.ended {
            self.status = outcome.as_str();
            self.ended_position = Some(position);
            self.ended_at_millis = Some(at_millis);
        }
        self.open_incidents += change.incidents;
    }
}

/// An [`IndexedInstance`] from a row of the stores' index query (columns `instance_key`,
/// `bpmn_process_id`, `version`, `definition_key`, `outcome`, `open_incidents`, `started_at`,
/// `started_position`, `ended_at`, `ended_position`), on either database.
pub(super) fn indexed_row<'r, R>(row: &'r R) -> sqlx::Result<IndexedInstance>
where
    R: sqlx::Row,
    &'r str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(IndexedInstance {
        key: row.try_get("instance_key")?,
        bpmn_process_id: row.try_get("bpmn_process_id")?,
        version: row.try_get("version")?,
        process_definition_key: row.try_get("definition_key")?,
        status: outcome.as_deref().and_then(Outcome::parse).map_or("active", Outcome::as_str),
        open_incidents: row.try_get("open_incidents")?,
        started_at_millis: row.try_get("started_at")?,
        started_position: row.try_get("started_position")?,
        ended_at_millis: row.try_get("ended_at")?,
        ended_position: row.try_get("ended_position")?,
    })
}

/// One instance's row as the index holds it (`row`), with the change the log after the index
/// makes to it (`change`); `None` when neither knows the instance.
pub fn with_tail(
    row: Option<IndexedInstance>,
    change: Option<&RowChange>,
    names: &ProcessNames,
) -> Option<IndexedInstance> {
    let mut row = match (row, change.and_then(|c| c.started)) {
        (Some(row), _) => row,
        (None, Some(start)) => IndexedInstance::from_start(change.map_or(0, |c| c.key), start, names),
        (None, None) => return None,
    };
    if let Some(change) = change {
        row.apply(change);
    }
    Some(row)
}

impl InstanceOverview {
    /// Adds the changes of the log after the index (`tail`, merged per instance) to an
    /// overview read from the index, keeping the `newest_ended` newest ended instances.
    pub fn add_tail(&mut self, tail: &[RowChange], names: &ProcessNames, newest_ended: usize) {
        let mut active: BTreeMap<i64, IndexedInstance> = self.active.drain(..).map(|row| (row.key, row)).collect();
        let mut ended = Vec::new();
        for change in tail {
            self.counts.count(change);
            let Some(row) = with_tail(active.remove(&change.key), Some(change), names) else { continue };
            if row.ended_position.is_some() {
                ended.push(row);
            } else {
                active.insert(row.key, row);
            }
        }
        self.active = active.into_values().collect();
        ended.sort_by_key(|row| std::cmp::Reverse((row.ended_position, row.key)));
        ended.append(&mut self.ended);
        ended.truncate(newest_ended);
        self.ended = ended;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(position: i64, mark: InstanceMark) -> PlacedMark {
        PlacedMark { position, at_millis: position * 1_000, mark }
    }

    fn ended(key: i64, outcome: Outcome) -> InstanceMark {
        InstanceMark::Ended { key, outcome }
    }

    #[test]
    fn the_tail_moves_ended_instances_adds_started_ones_and_counts_them() {
        let names: ProcessNames = [(7, ("order".to_owned(), 2))].into();
        let (_, indexed) = merge([
            placed(1, InstanceMark::Started { key: 10, definition_key: 7 }),
            placed(2, InstanceMark::Started { key: 11, definition_key: 7 }),
            placed(3, ended(10, Outcome::Completed)),
        ]);
        let mut overview = InstanceOverview::default();
        overview.add_tail(&indexed, &names, 5);
        assert_eq!(overview.counts, InstanceCounts { active: 1, completed: 1, terminated: 0 });
        let (_, tail) = merge([
            placed(4, InstanceMark::Incidents { key: 11, change: 1 }),
            placed(5, InstanceMark::Started { key: 12, definition_key: 7 }),
            placed(6, ended(11, Outcome::Terminated)),
            placed(7, InstanceMark::Incidents { key: 10, change: 1 }),
        ]);
        let before = overview.counts;
        overview.add_tail(&tail, &names, 1);
        assert_eq!(overview.counts, InstanceCounts { active: 1, completed: 1, terminated: 1 }, "from {before:?}");
        let active: Vec<_> = overview.active.iter().map(|i| (i.key, i.bpmn_process_id.as_str(), i.version)).collect();
        assert_eq!(active, [(12, "order", 2)]);
        let newest = &overview.ended[..];
        assert_eq!(newest.len(), 1, "only as many ended as asked for");
        assert_eq!((newest[0].key, newest[0].status, newest[0].open_incidents), (11, "terminated", 1));
        assert_eq!((newest[0].ended_position, newest[0].ended_at_millis), (Some(6), Some(6_000)));
    }

    #[test]
    fn a_lookup_finds_an_instance_the_index_does_not_hold_yet_in_the_tail() {
        let names = ProcessNames::new();
        let (_, tail) = merge([placed(9, InstanceMark::Started { key: 20, definition_key: 3 })]);
        let found = with_tail(None, tail.first(), &names).expect("started in the tail");
        assert_eq!((found.key, found.started_position, found.status), (20, 9, "active"));
        assert_eq!(with_tail(None, None, &names), None);
    }
}
