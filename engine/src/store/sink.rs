//! [`StoreSink`]: buffers the records of one command as JSON and appends them to a
//! [`RecordStore`] as one atomic batch when the command ends.

use super::{EncodedRecord, RecordStore, StoreError};
use crate::record::{Record, RecordSink};

/// The record sink of a durable engine.
///
/// `append` serializes into a buffer; `flush` (the end of every command) appends the buffer as
/// one batch. Once a flush failed, the engine's memory is ahead of its log: every later flush
/// fails with the first error, and the engine must be reopened from the log.
pub struct StoreSink {
    store: Box<dyn RecordStore>,
    buffer: Vec<EncodedRecord>,
    failure: Option<StoreError>,
    /// The key counter of the last successful flush: a command that wrote nothing and took no
    /// key needs no write.
    flushed_key_counter: Option<i64>,
}

impl StoreSink {
    /// A sink writing to `store`. Nothing is buffered yet.
    pub fn new(store: Box<dyn RecordStore>) -> Self {
        Self { store, buffer: Vec::new(), failure: None, flushed_key_counter: None }
    }
}

impl RecordSink for StoreSink {
    fn append(&mut self, record: &Record) {
        match serde_json::to_string(record) {
            Ok(payload) => self.buffer.push(EncodedRecord {
                key: record.key,
                intent: format!("{:?} {}", record.intent.value_type(), record.intent.name()),
                payload,
            }),
            Err(e) => {
                let message = format!("record {} {} cannot be serialized: {e}", record.key, record.intent.name());
                self.failure.get_or_insert_with(|| StoreError::new(self.store.location(), message));
            }
        }
    }

    fn is_durable(&self) -> bool {
        true
    }

    fn flush(&mut self, key_counter: i64) -> Result<(), StoreError> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        if self.buffer.is_empty() && self.flushed_key_counter == Some(key_counter) {
            return Ok(());
        }
        let result = self.store.append(&self.buffer, key_counter);
        self.buffer.clear();
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
}
