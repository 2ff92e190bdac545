//! Retention: the history of process instances that ended long ago, removed from the log.
//!
//! The log is both the engine's history and its way back to the state. A snapshot makes the
//! entries before it unnecessary for the state; they stay only as history
//! ([`History`](crate::history::History), `orchestrator history`). [`prune`] removes, from the
//! batches a snapshot covers, every record of the process instances that ended (completed or
//! terminated) before a time, judging each instance by its own end (a called child by its
//! own). Everything else stays: deployments, messages, signals, and the records of instances
//! that still run or ended later. An entry keeps its position, time and cause even when no
//! record is left in it, so positions never move and the log stays gap-free.
//!
//! Once a batch is thinned, replaying the log from its start no longer rebuilds the state. The
//! store records the position pruned through
//! ([`StoredLog::pruned_through`](super::StoredLog::pruned_through)), and
//! [`EngineCore::open`](crate::EngineCore::open) refuses to replay from before it: it needs a
//! snapshot at or after it.
//!
//! The work is paged ([`PAGE`] batches at a time): memory holds the keys of the instances to
//! remove and one page. Each page is rewritten in one transaction, so a crash leaves some
//! batches thinned and the rest whole, which reads correctly; pruning again finishes the job.

use std::collections::HashSet;

use super::format::{decode_entry, encode_record, pack_batch, unpack_batch};
use super::{EncodedEntry, RecordStore, StoreError, StoredBatch, StoredEntry};
use crate::model::ElementType;
use crate::record::{Intent, Record, RecordValue};

/// How many batches are read (and rewritten) at a time.
pub const PAGE: usize = 64;

/// What [`prune`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PruneReport {
    /// The last position looked at (a snapshot's): batches that end at or before it.
    pub through: i64,
    /// The process instances whose records were removed.
    pub instances: usize,
    /// How many records were removed.
    pub records: u64,
    /// How many batches were rewritten.
    pub batches_rewritten: usize,
    /// The stored (compressed) bytes of the batches looked at, before.
    pub bytes_before: u64,
    /// The same batches' stored bytes after.
    pub bytes_after: u64,
}

/// Removes from `store`'s batches that end at or before `through` the records of the process
/// instances that ended before `ended_before` (epoch milliseconds, engine time). `through` must
/// be the position of a durable snapshot: the entries before it are then history only.
pub fn prune(store: &mut dyn RecordStore, through: i64, ended_before: i64) -> Result<PruneReport, StoreError> {
    let expired = ended_instances(store, through, ended_before)?;
    let mut report = PruneReport { through, instances: expired.len(), ..PruneReport::default() };
    // The index rows go first: a crash before the batches are thinned leaves history that no
    // listing shows, which pruning again removes; never a listed instance without history.
    store.forget_instances(expired.iter().copied().collect())?;
    let mut from = 1;
    loop {
        let page = store.batches(from, through, PAGE)?;
        let Some(last) = page.last() else { break };
        from = last.last_position() + 1;
        let mut rewritten = Vec::new();
        for batch in page {
            report.bytes_before += batch.bytes.len() as u64;
            let thinned = if expired.is_empty() { None } else { thin(store, &batch, &expired)? };
            match thinned {
                Some((bytes, removed)) => {
                    report.records += removed;
                    report.bytes_after += bytes.len() as u64;
                    rewritten.push(StoredBatch { bytes, ..batch });
                }
                None => report.bytes_after += batch.bytes.len() as u64,
            }
        }
        if !rewritten.is_empty() {
            report.batches_rewritten += rewritten.len();
            store.rewrite_batches(rewritten, through)?;
        }
    }
    Ok(report)
}

/// The process instances whose end (completion or termination) is in the batches up to
/// `through` and came before `ended_before`.
fn ended_instances(store: &mut dyn RecordStore, through: i64, ended_before: i64) -> Result<HashSet<i64>, StoreError> {
    let mut ended = HashSet::new();
    let mut from = 1;
    loop {
        let page = store.batches(from, through, PAGE)?;
        let Some(last) = page.last() else { break };
        from = last.last_position() + 1;
        for batch in &page {
            for stored in unpack(store, batch)? {
                if stored.at_millis >= ended_before {
                    continue;
                }
                let entry = decode_entry(&stored).map_err(|message| StoreError::new(store.location(), message))?;
                ended.extend(entry.records.iter().filter_map(ended_instance));
            }
        }
    }
    Ok(ended)
}

/// The process instance a record ends, if it is the end of one.
fn ended_instance(record: &Record) -> Option<i64> {
    let RecordValue::Element(element) = &record.value else { return None };
    let ends = matches!(record.intent, Intent::ElementCompleted | Intent::ElementTerminated);
    (ends && element.element_type == ElementType::Process && record.key == element.process_instance_key)
        .then_some(record.key)
}

/// The batch without the records of the `expired` instances, packed, and how many records
/// went; `None` when it holds none of theirs.
fn thin(
    store: &dyn RecordStore,
    batch: &StoredBatch,
    expired: &HashSet<i64>,
) -> Result<Option<(Vec<u8>, u64)>, StoreError> {
    let mut removed = 0;
    let mut entries = Vec::new();
    for stored in unpack(store, batch)? {
        let entry = decode_entry(&stored).map_err(|message| StoreError::new(store.location(), message))?;
        let (gone, kept): (Vec<Record>, Vec<Record>) = entry
            .records
            .into_iter()
            .partition(|record| record.process_instance_key().is_some_and(|key| expired.contains(&key)));
        if gone.is_empty() {
            entries.push(EncodedEntry::from(stored));
            continue;
        }
        removed += gone.len() as u64;
        let mut records = Vec::new();
        for record in &kept {
            encode_record(record, &mut records).map_err(|message| StoreError::new(store.location(), message))?;
        }
        entries.push(EncodedEntry {
            at_millis: stored.at_millis,
            cause: stored.cause,
            record_count: kept.len() as i64,
            records,
            marks: Vec::new(),
        });
    }
    Ok((removed > 0).then(|| (pack_batch(&entries), removed)))
}

/// A batch's entries, or an error that names the store.
fn unpack(store: &dyn RecordStore, batch: &StoredBatch) -> Result<Vec<StoredEntry>, StoreError> {
    unpack_batch(batch.first_position, &batch.bytes).map_err(|message| StoreError::new(store.location(), message))
}

impl From<StoredEntry> for EncodedEntry {
    fn from(stored: StoredEntry) -> Self {
        Self {
            at_millis: stored.at_millis,
            cause: stored.cause,
            record_count: stored.record_count,
            records: stored.records,
            marks: Vec::new(),
        }
    }
}
