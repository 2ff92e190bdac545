//! [`RecordSink`]: where an engine's records go, and the sinks that keep nothing
//! ([`NullSink`]) or everything in memory ([`MemorySink`]); [`StoreSink`](super::StoreSink)
//! writes them to a [`RecordStore`](super::RecordStore).

use std::sync::{Arc, Mutex};

use super::{Commit, LogEntry, PruneReport, StoreError};
use crate::record::{Cause, Record};

/// Where records go. The engine pushes every record, in order, right before applying it.
///
/// Every command begins an entry ([`begin_entry`](Self::begin_entry)) with its time and
/// [`Cause`]; the records after it, until the next `begin_entry`, are that entry's. A sink
/// drops entries that got no record.
///
/// Implementations decide what to keep: nothing ([`NullSink`]), everything ([`MemorySink`]), or a
/// persistent log ([`StoreSink`](super::StoreSink)). `append` must not fail: a sink that
/// can fail buffers the records and reports in [`flush`](Self::flush).
pub trait RecordSink: Send {
    /// Receives one record.
    fn append(&mut self, record: &Record);

    /// Starts a new entry: the records appended from now on were written at `at_millis`
    /// (engine time, epoch milliseconds) because of `cause`. Called only when
    /// [`keeps_entries`](Self::keeps_entries) is true, so an engine nobody observes builds no
    /// cause. Records appended before any entry began belong to an entry with time 0 and the
    /// cause `Api { call: "Unspecified" }`.
    fn begin_entry(&mut self, at_millis: i64, cause: &Cause) {
        let _ = (at_millis, cause);
    }

    /// True when the sink wants [`begin_entry`](Self::begin_entry) calls. Asked once, when the
    /// engine is built.
    fn keeps_entries(&self) -> bool {
        false
    }

    /// Called once at the end of every command, before its result goes back to the caller:
    /// makes the records appended since the last flush durable, together with the key
    /// generator's position `key_counter` (the last key handed out). The default keeps nothing.
    fn flush(&mut self, key_counter: i64) -> Result<(), StoreError> {
        let _ = key_counter;
        Ok(())
    }

    /// Like [`flush`](Self::flush), but returns at once with a [`Commit`] to wait on, so the
    /// engine can go on while the records are written (group commit). The default flushes.
    fn submit(&mut self, key_counter: i64) -> Commit {
        Commit::done(self.flush(key_counter))
    }

    /// True when [`flush`](Self::flush) does work. Asked once, when the engine is built: for
    /// sinks that keep records only in memory the engine skips the call per command.
    fn is_durable(&self) -> bool {
        false
    }

    /// The entries this sink can read back (committed ones, for a store), oldest first;
    /// `None` when it keeps none (the default).
    fn entries(&mut self) -> Option<Result<Vec<LogEntry>, StoreError>> {
        None
    }

    /// Makes everything so far durable, then stores `state` as a snapshot at the log's current
    /// position; returns that position, or `None` when the sink keeps no snapshots (default).
    fn save_snapshot(&mut self, state: &crate::state::State, key_counter: i64) -> Result<Option<i64>, StoreError> {
        let _ = (state, key_counter);
        Ok(None)
    }

    /// Removes from the stored log up to position `through` (a snapshot's) the records of the
    /// process instances that ended before `ended_before` (epoch milliseconds), see
    /// [`retention`](super::retention); `None` when the sink keeps no log (default).
    fn prune_history(&mut self, through: i64, ended_before: i64) -> Result<Option<PruneReport>, StoreError> {
        let _ = (through, ended_before);
        Ok(None)
    }
}

/// A sink that keeps nothing (the default): the hot path pays only for building records.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl RecordSink for NullSink {
    fn append(&mut self, _record: &Record) {}
}

/// A sink that keeps every entry (with its records) in memory. Clones share the same buffer,
/// so a test keeps one clone to read what the engine wrote into the other.
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    entries: Arc<Mutex<Vec<LogEntry>>>,
}

impl MemorySink {
    /// A copy of every record so far, in order.
    pub fn records(&self) -> Vec<Record> {
        self.log().into_iter().flat_map(|e| e.records).collect()
    }

    /// A copy of every entry so far (commands with their time, cause and records), numbered
    /// 1, 2, 3, ... like a store's positions.
    pub fn log(&self) -> Vec<LogEntry> {
        self.entries.lock().map(|e| e.iter().filter(|e| !e.records.is_empty()).cloned().collect()).unwrap_or_default()
    }

    /// Forgets all records so far.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

impl RecordSink for MemorySink {
    fn append(&mut self, record: &Record) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.is_empty() {
                entries.push(LogEntry::new(1, 0, Cause::api("Unspecified")));
            }
            if let Some(last) = entries.last_mut() {
                last.records.push(record.clone());
            }
        }
    }

    fn begin_entry(&mut self, at_millis: i64, cause: &Cause) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.last().is_some_and(|e| e.records.is_empty()) {
                entries.pop();
            }
            let position = entries.len() as i64 + 1;
            entries.push(LogEntry::new(position, at_millis, cause.clone()));
        }
    }

    fn keeps_entries(&self) -> bool {
        true
    }

    fn entries(&mut self) -> Option<Result<Vec<LogEntry>, StoreError>> {
        Some(Ok(self.log()))
    }
}

impl<S: RecordSink + ?Sized> RecordSink for Box<S> {
    fn append(&mut self, record: &Record) {
        (**self).append(record);
    }

    fn begin_entry(&mut self, at_millis: i64, cause: &Cause) {
        (**self).begin_entry(at_millis, cause);
    }

    fn keeps_entries(&self) -> bool {
        (**self).keeps_entries()
    }

    fn flush(&mut self, key_counter: i64) -> Result<(), StoreError> {
        (**self).flush(key_counter)
    }

    fn submit(&mut self, key_counter: i64) -> Commit {
        (**self).submit(key_counter)
    }

    fn is_durable(&self) -> bool {
        (**self).is_durable()
    }

    fn entries(&mut self) -> Option<Result<Vec<LogEntry>, StoreError>> {
        (**self).entries()
    }

    fn save_snapshot(&mut self, state: &crate::state::State, key_counter: i64) -> Result<Option<i64>, StoreError> {
        (**self).save_snapshot(state, key_counter)
    }

    fn prune_history(&mut self, through: i64, ended_before: i64) -> Result<Option<PruneReport>, StoreError> {
        (**self).prune_history(through, ended_before)
    }
}
