//! [`StoreSink`]: encodes each command's records as a log entry and appends the entries to a
//! [`RecordStore`] as one atomic batch when the command ends.

use super::RecordSink;
use super::Snapshot;
use super::format::{encode_cause, encode_record};
use super::instance_index::mark_of;
use super::retention::{self, PruneReport};
use super::snapshot::encode_state;
use super::{Commit, EncodedEntry, LogEntry, RecordStore, StoreError, read_entries};
use crate::record::{Cause, Record};
use crate::state::State;

/// The record sink of a durable engine.
///
/// `begin_entry` opens an entry, `append` encodes into it; `submit` hands the entries that got
/// records to the store as one batch and `flush` (the end of every command outside a batch)
/// also waits until they are durable. Once a write failed, the engine's memory is ahead of its
/// log: every later one fails with the first error, and the engine must be reopened from the
/// log.
pub struct StoreSink {
    store: Box<dyn RecordStore>,
    entries: Vec<EncodedEntry>,
    failure: Option<StoreError>,
    /// The key counter of the last successful flush: a command that wrote nothing and took no
    /// key needs no write.
    flushed_key_counter: Option<i64>,
    /// The last submitted commit: a failure it reports makes the sink refuse every later write.
    last_commit: Option<Commit>,
    /// The position of the last entry handed to the store.
    position: i64,
}

impl StoreSink {
    /// A sink writing to `store`, whose log ends at `position` (0 when empty).
    pub fn new(store: Box<dyn RecordStore>, position: i64) -> Self {
        Self { store, entries: Vec::new(), failure: None, flushed_key_counter: None, last_commit: None, position }
    }
}

impl RecordSink for StoreSink {
    fn append(&mut self, record: &Record) {
        if self.entries.is_empty() {
            self.begin_entry(0, &Cause::api("Unspecified"));
        }
        let Some(entry) = self.entries.last_mut() else { return };
        match encode_record(record, &mut entry.records) {
            Ok(()) => {
                entry.record_count += 1;
                entry.marks.extend(mark_of(record));
            }
            Err(message) => {
                self.failure.get_or_insert_with(|| StoreError::new(self.store.location(), message));
            }
        }
    }

    fn begin_entry(&mut self, at_millis: i64, cause: &Cause) {
        if self.entries.last().is_some_and(|e| e.record_count == 0) {
            self.entries.pop();
        }
        self.entries.push(EncodedEntry {
            at_millis,
            cause: encode_cause(cause),
            record_count: 0,
            records: Vec::new(),
            marks: Vec::new(),
        });
    }

    fn keeps_entries(&self) -> bool {
        true
    }

    fn is_durable(&self) -> bool {
        true
    }

    fn flush(&mut self, key_counter: i64) -> Result<(), StoreError> {
        self.submit(key_counter).wait().map_err(|e| {
            let failure = self.failure.get_or_insert_with(|| ahead_of_the_log(e));
            failure.clone()
        })
    }

    fn submit(&mut self, key_counter: i64) -> Commit {
        if let Some(Err(e)) = self.last_commit.as_ref().and_then(Commit::outcome) {
            self.failure.get_or_insert_with(|| ahead_of_the_log(e));
        }
        if let Some(failure) = &self.failure {
            return Commit::done(Err(failure.clone()));
        }
        self.entries.retain(|e| e.record_count > 0);
        if self.entries.is_empty() && self.flushed_key_counter == Some(key_counter) {
            return Commit::done(Ok(()));
        }
        self.flushed_key_counter = Some(key_counter);
        self.position += self.entries.len() as i64;
        let commit = self.store.submit(std::mem::take(&mut self.entries), key_counter);
        if let Some(Err(e)) = commit.outcome() {
            let failure = self.failure.get_or_insert_with(|| ahead_of_the_log(e));
            return Commit::done(Err(failure.clone()));
        }
        self.last_commit = Some(commit.clone());
        commit
    }

    fn entries(&mut self) -> Option<Result<Vec<LogEntry>, StoreError>> {
        Some(read_entries(self.store.as_mut()))
    }

    fn save_snapshot(&mut self, state: &State, key_counter: i64) -> Result<Option<i64>, StoreError> {
        self.flush(key_counter)?;
        let bytes = encode_state(state).map_err(|message| StoreError::new(self.store.location(), message))?;
        self.store.save_snapshot(Snapshot { position: self.position, key_counter, state: bytes })?;
        Ok(Some(self.position))
    }

    fn prune_history(&mut self, through: i64, ended_before: i64) -> Result<Option<PruneReport>, StoreError> {
        retention::prune(self.store.as_mut(), through, ended_before).map(Some)
    }
}

/// A failed write, with what it means for the engine and what to do.
fn ahead_of_the_log(error: StoreError) -> StoreError {
    if error.message.contains("ahead of its log") {
        return error;
    }
    let message = format!(
        "{}; the engine's memory is now ahead of its log: reopen the engine from the store to continue",
        error.message
    );
    StoreError::new(error.location, message)
}
