//! The storage backends the crash scenario runs on. The scenario only sees a location string
//! (passed to the child process through its environment) and [`open_store`].
//!
//! Adding PostgreSQL: once `engine::store::open(location)` (a path or a `postgres://` URL)
//! exists, `open_store` becomes that call, and a test that runs the scenario on a fresh
//! database URL is the one line to add next to `kills_on_sqlite`.

use engine::store::{RecordStore, SqliteStore, StoreError};

/// Opens the record store at `location`.
pub fn open_store(location: &str) -> Result<Box<dyn RecordStore>, StoreError> {
    Ok(Box::new(SqliteStore::open(location)?))
}

/// A location for a new SQLite store in `dir`.
pub fn fresh_sqlite_location(dir: &std::path::Path) -> String {
    dir.join("crash.db").display().to_string()
}
