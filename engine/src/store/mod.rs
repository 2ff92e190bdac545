//! Durable record logs: the engine's records written to storage so that
//! [`EngineCore::open`](crate::EngineCore::open) can rebuild the state after a restart.
//!
//! [`RecordStore`] is the narrow storage interface (append a batch atomically, read the log);
//! [`SqliteStore`] implements it on a SQLite file, [`PgStore`] on a PostgreSQL database shared by
//! several engines; [`open`] picks one by the location (a path or a `postgres://` URL). [`StoreSink`] is the record sink that buffers
//! the records of one command, serialized as JSON, and appends them as one batch when the command
//! ends, before its result goes back to the caller: a command that was acknowledged is durable.
//!
//! Records are stored as JSON (see [`RECORD_FORMAT_VERSION`]): variable values are JSON already
//! and stay readable in the table, the format is self-describing so fields can be added with
//! defaults, and the cost is paid only by engines that persist (the default sink serializes
//! nothing).

mod connection_thread;
mod opener;
mod postgres;
mod process;
mod sink;
mod sqlite;

use std::fmt;
use std::path::PathBuf;

pub use opener::{is_postgres_url, open};
pub use postgres::{DEFAULT_LOG, PgStore};
pub(crate) use process::StoredProcess;
pub use sink::StoreSink;
pub use sqlite::SqliteStore;

/// The version of the record JSON this engine writes and reads. A log written in a newer
/// version is refused on open rather than misread.
pub const RECORD_FORMAT_VERSION: i64 = 1;

/// One serialized record, ready to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRecord {
    /// The key of the entity the record is about.
    pub key: i64,
    /// The value type and intent, for example `JOB CREATED`.
    pub intent: String,
    /// The record as JSON.
    pub payload: String,
}

/// A stored record read back: its position in the log and its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// 1, 2, 3, ...: the order the records were applied in.
    pub position: i64,
    /// The record as JSON.
    pub payload: String,
}

/// The whole stored log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredLog {
    /// The record format the log was written in.
    pub format_version: i64,
    /// The last key the engine handed out (0 for a new log).
    pub key_counter: i64,
    /// Every record, in order.
    pub records: Vec<StoredRecord>,
}

/// Storage for the record log. Implementations are driven synchronously by the engine core.
pub trait RecordStore: Send {
    /// Appends `records` and sets the key counter, atomically: after a crash either all of it
    /// is there or none.
    fn append(&mut self, records: &[EncodedRecord], key_counter: i64) -> Result<(), StoreError>;

    /// Reads the whole log.
    fn read_log(&mut self) -> Result<StoredLog, StoreError>;

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
