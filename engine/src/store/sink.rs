//! [`StoreSink`]: encodes each command's records as a log entry and appends the entries to a
//! [`RecordStore`] as one atomic batch when the command ends.

use super::format::{encode_cause, encode_record};
use super::{EncodedEntry, LogEntry, RecordStore, StoreError, read_entries};
use crate::record::{Cause, Record, RecordSink};

/// The record sink of a durable engine.
///
/// `begin_entry` opens an entry, `append` encodes into it; `flush` (the end of every command)
/// appends the entries that got records as one batch. Once a flush failed, the engine's memory is
/// ahead of its log: every later flush fails with the first error, and the engine must be
/// reopened from the log.
pub struct StoreSink {
    store: Box<dyn RecordStore>,
    entries: Vec<EncodedEntry>,
    failure: Option<StoreError>,
    /// The key counter of the last successful flush: a command that wrote nothing and took no
    /// key needs no write.
    flushed_key_counter: Option<i64>,
}

impl StoreSink {
    /// A sink writing to `store`. Nothing is buffered yet.
    pub fn new(store: Box<dyn RecordStore>) -> Self {
        Self { store, entries: Vec::new(), failure: None, flushed_key_counter: None }
    }
}

impl RecordSink for StoreSink {
    fn append(&mut self, record: &Record) {
        if self.entries.is_empty() {
            self.begin_entry(0, &Cause::api("Unspecified"));
        }
        let Some(entry) = self.entries.last_mut() else { return };
        match encode_record(record, &mut entry.records) {
            Ok(()) => entry.record_count += 1,
            Err(message) => {
                self.failure.get_or_insert_with(|| StoreError::new(self.store.location(), message));
            }
        }
    }

    fn begin_entry(&mut self, at_millis: i64, cause: &Cause) {
        if self.entries.last().is_some_and(|e| e.record_count == 0) {
            self.entries.pop();
        }
        self.entries.push(EncodedEntry { at_millis, cause: encode_cause(cause), record_count: 0, records: Vec::new() });
    }

    fn keeps_entries(&self) -> bool {
        true
    }

    fn is_durable(&self) -> bool {
        true
    }

    fn flush(&mut self, key_counter: i64) -> Result<(), StoreError> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        self.entries.retain(|e| e.record_count > 0);
        if self.entries.is_empty() && self.flushed_key_counter == Some(key_counter) {
            return Ok(());
        }
        let result = self.store.append(&self.entries, key_counter);
        self.entries.clear();
        match result {
            Ok(()) => {
                self.flushed_key_counter = Some(key_counter);
                Ok(())
            }
            Err(e) => {
                let message = format!(
                    "{}; the engine's memory is now ahead of its log: reopen the engine from the store to continue",
                    e.message
                );
                let failure = StoreError::new(e.location, message);
                self.failure = Some(failure.clone());
                Err(failure)
            }
        }
    }

    fn entries(&mut self) -> Option<Result<Vec<LogEntry>, StoreError>> {
        Some(read_entries(self.store.as_mut()))
    }
}
