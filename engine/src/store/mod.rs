//! Durable record logs: the engine's records written to storage so that
//! [`EngineCore::open`](crate::EngineCore::open) can rebuild the state after a restart, and
//! read back as history ([`read_entries`]).
//!
//! The log is a sequence of [`LogEntry`]s, one per command: the engine time it ran at, its
//! [`Cause`] and the records it wrote. [`RecordStore`] is the narrow
//! storage interface (append entries atomically, read them back, keep snapshots);
//! [`SqliteStore`] implements it on a SQLite file, [`PgStore`] on a PostgreSQL database shared
//! by several engines; [`open`] picks one by the location (a path or a `postgres://` URL).
//! [`StoreSink`] is the record sink that encodes each command's records as an entry
//! ([`format`](mod@format)) and submits the entries when the command (or batch) ends, before its
//! result goes back to the caller: a command that was acknowledged is durable.

mod commit;
mod connection_thread;
pub mod format;
pub mod instance_index;
mod opener;
mod owner;
mod postgres;
mod record_sink;
pub mod retention;
mod sink;
pub mod snapshot;
mod sqlite;

use std::fmt;
use std::path::PathBuf;

use crate::record::{Cause, Record};

pub use commit::Commit;
pub use opener::{is_postgres_url, open, open_read_only};
pub use postgres::{DEFAULT_LOG, PgStore};
pub use record_sink::{MemorySink, NullSink, RecordSink};
pub use sink::StoreSink;
pub use snapshot::Snapshot;
pub use sqlite::{LentJob, SharedConnection, SqliteStore};

pub use format::RECORD_FORMAT_VERSION;
pub use instance_index::{IndexLookup, IndexedInstance, InstanceMark, InstanceOverview};
pub use retention::PruneReport;

/// One command's part of the log, decoded: when it ran, why, and the records it wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// 1, 2, 3, ...: the order the entries were applied in (in a store, its row; in a
    /// [`MemorySink`], its index from 1).
    pub position: i64,
    /// The engine time the command ran at (epoch milliseconds, from the engine's clock).
    pub at_millis: i64,
    /// Who or what caused it.
    pub cause: Cause,
    /// The records it wrote, in the order they were applied.
    pub records: Vec<Record>,
}

impl LogEntry {
    /// An entry without records yet.
    pub fn new(position: i64, at_millis: i64, cause: Cause) -> Self {
        Self { position, at_millis, cause, records: Vec::new() }
    }
}

/// One entry encoded for storage ([`format::encode_record`]), ready to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedEntry {
    /// The engine time the command ran at (epoch milliseconds).
    pub at_millis: i64,
    /// The cause as JSON text ([`format::encode_cause`]).
    pub cause: String,
    /// How many records `records` holds.
    pub record_count: i64,
    /// The records, encoded one after another in the format [`RECORD_FORMAT_VERSION`] names
    /// ([`format::encode_record`]); stores compress them ([`format::pack_batch`]).
    pub records: Vec<u8>,
    /// What the records change in the [instance index](instance_index) (not stored in the log).
    pub marks: Vec<InstanceMark>,
}

/// A stored entry read back: its position in the log and its encoded parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// 1, 2, 3, ...: the order the entries were applied in.
    pub position: i64,
    /// The engine time the command ran at (epoch milliseconds).
    pub at_millis: i64,
    /// The cause as JSON text.
    pub cause: String,
    /// How many records `records` holds.
    pub record_count: i64,
    /// The encoded records.
    pub records: Vec<u8>,
}

/// The stored log from some position on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredLog {
    /// The record format the log was written in.
    pub format_version: i64,
    /// The last key the engine handed out (0 for a new log).
    pub key_counter: i64,
    /// The entries after the requested position, in order.
    pub entries: Vec<StoredEntry>,
    /// The last position whose entries [retention] may have thinned (0: none).
    /// Replaying the log from before it does not rebuild the state: opening needs a snapshot at
    /// or after it.
    pub pruned_through: i64,
}

/// One stored batch of entries (one group commit), packed and compressed
/// ([`format::pack_batch`]), as [retention] reads and rewrites it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    /// The position of its first entry.
    pub first_position: i64,
    /// How many entries it holds (a rewrite keeps the count: positions never move).
    pub entry_count: i64,
    /// The packed entries.
    pub bytes: Vec<u8>,
}

impl From<(i64, i64, Vec<u8>)> for StoredBatch {
    /// A `log_batch` row: `first_position`, `entry_count`, `entries`.
    fn from((first_position, entry_count, bytes): (i64, i64, Vec<u8>)) -> Self {
        Self { first_position, entry_count, bytes }
    }
}

impl StoredBatch {
    /// The position of its last entry.
    pub fn last_position(&self) -> i64 {
        self.first_position + self.entry_count - 1
    }
}

/// Storage for the record log. Implementations are driven synchronously by the engine core.
pub trait RecordStore: Send {
    /// Appends `entries` (positions continue after the last stored one) and sets the key
    /// counter, atomically: after a crash either all of it is there or none.
    fn append(&mut self, entries: &[EncodedEntry], key_counter: i64) -> Result<(), StoreError>;

    /// Starts appending `entries` (like [`append`](Self::append)) and returns a [`Commit`] to
    /// wait on, so the engine can go on working while the store writes (group commit). Appends
    /// finish in the order they were submitted, and after a failed one every later one fails.
    /// The default appends at once.
    fn submit(&mut self, entries: Vec<EncodedEntry>, key_counter: i64) -> Commit {
        Commit::done(self.append(&entries, key_counter))
    }

    /// Reads the entries after position `after` (0: the whole log), in order.
    fn read_log(&mut self, after: i64) -> Result<StoredLog, StoreError>;

    /// Reads the entries after position `after` and at or before `through`, in order. The
    /// default reads everything after `after` and drops the rest.
    fn read_log_between(&mut self, after: i64, through: i64) -> Result<StoredLog, StoreError> {
        let mut log = self.read_log(after)?;
        log.entries.retain(|entry| entry.position <= through);
        Ok(log)
    }

    /// Stores a snapshot, after every append submitted before it. The default refuses: a store
    /// that keeps no snapshots replays its whole log on open.
    fn save_snapshot(&mut self, snapshot: Snapshot) -> Result<(), StoreError> {
        let _ = snapshot;
        Err(StoreError::new(self.location(), "this store keeps no snapshots"))
    }

    /// The stored snapshots, newest first (none by default).
    fn snapshots(&mut self) -> Result<Vec<Snapshot>, StoreError> {
        Ok(Vec::new())
    }

    /// Up to `limit` stored batches that start at or after position `from` and end at or
    /// before `through`, oldest first, for [retention]. The default refuses: a
    /// store that keeps no batches has no history to prune.
    fn batches(&mut self, from: i64, through: i64, limit: usize) -> Result<Vec<StoredBatch>, StoreError> {
        let _ = (from, through, limit);
        Err(StoreError::new(self.location(), "this store keeps no history to prune"))
    }

    /// Replaces the entries of stored batches (matched by first position; each keeps its entry
    /// count) and raises [`StoredLog::pruned_through`] to at least `pruned_through`, atomically.
    /// The default refuses, as [`batches`](Self::batches) does.
    fn rewrite_batches(&mut self, batches: Vec<StoredBatch>, pruned_through: i64) -> Result<(), StoreError> {
        let _ = (batches, pruned_through);
        Err(StoreError::new(self.location(), "this store keeps no history to prune"))
    }

    /// Deletes the [instance index](instance_index) rows of `keys` (retention removed their
    /// history). The default has nothing to delete: a store without an index.
    fn forget_instances(&mut self, keys: Vec<i64>) -> Result<(), StoreError> {
        let _ = keys;
        Ok(())
    }

    /// The [instance index](instance_index)'s overview with the `newest_ended` newest ended
    /// instances; `None` when the store keeps no index or has not filled it yet (fold the log).
    fn instance_overview(&mut self, newest_ended: usize) -> Result<Option<InstanceOverview>, StoreError> {
        let _ = newest_ended;
        Ok(None)
    }

    /// One instance's row in the [instance index](instance_index).
    fn indexed_instance(&mut self, key: i64) -> Result<IndexLookup, StoreError> {
        let _ = key;
        Ok(IndexLookup::NotIndexed)
    }

    /// Where the log lives (a file path), for error messages.
    fn location(&self) -> &str;
}

/// A record store failed. The message names the store's file, what went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// The store's location (file path).
    pub location: String,
    /// What went wrong and what to do about it.
    pub message: String,
}

impl StoreError {
    /// An error of the store at `location`.
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self { location: location.into(), message: message.into() }
    }

    /// An error of the store file at `path`.
    pub fn at_path(path: &std::path::Path, message: impl Into<String>) -> Self {
        Self::new(PathBuf::from(path).display().to_string(), message)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record store '{}': {}", self.location, self.message)
    }
}

impl std::error::Error for StoreError {}

/// Reads every entry of a store's log back, decoded, oldest first (for history and audit).
/// Fails, naming the position, on an entry that does not decode.
pub fn read_entries(store: &mut dyn RecordStore) -> Result<Vec<LogEntry>, StoreError> {
    read_entries_after(store, 0)
}

/// Reads the entries after position `after`, decoded, oldest first.
pub fn read_entries_after(store: &mut dyn RecordStore, after: i64) -> Result<Vec<LogEntry>, StoreError> {
    read_decoded_after(store, after).map(|log| log.entries)
}

/// The log after some position, decoded, as a follower of the log reads it.
#[derive(Debug, Clone, Default)]
pub struct DecodedLog {
    /// The entries after the requested position, oldest first.
    pub entries: Vec<LogEntry>,
    /// [`StoredLog::pruned_through`]: when it grows, [retention] removed history
    /// that a follower may have read before.
    pub pruned_through: i64,
}

/// Reads the log after position `after`, decoded, with how far retention thinned it.
pub fn read_decoded_after(store: &mut dyn RecordStore, after: i64) -> Result<DecodedLog, StoreError> {
    read_decoded_between(store, after, i64::MAX)
}

/// Reads the log after position `after` and at or before `through`, decoded.
pub fn read_decoded_between(store: &mut dyn RecordStore, after: i64, through: i64) -> Result<DecodedLog, StoreError> {
    let log = store.read_log_between(after, through)?;
    format::check_version(log.format_version).map_err(|message| StoreError::new(store.location(), message))?;
    let entries = log
        .entries
        .iter()
        .map(|stored| format::decode_entry(stored).map_err(|message| StoreError::new(store.location(), message)))
        .collect::<Result<_, _>>()?;
    Ok(DecodedLog { entries, pruned_through: log.pruned_through })
}
