//! The storage backends the crash scenario runs on. The scenario only sees a location string
//! (passed to the child process through its environment) and [`open_store`].
//!
//! Adding PostgreSQL: once `engine::store::open(location)` (a path or a `postgres://` URL)
//! exists, `open_store` becomes that call, and a test that runs the scenario on a fresh
//! database URL is the one line to add next to `kills_on_sqlite`.

use std::time::{Duration, Instant};

use engine::store::{RecordStore, SqliteStore, StoreError};

/// Opens the record store at `location`.
pub fn open_store(location: &str) -> Result<Box<dyn RecordStore>, StoreError> {
    Ok(Box::new(SqliteStore::open(location)?))
}

/// Opens the record store at `location` right after the process that held it was killed:
/// a refusal because another engine has it is retried for a few seconds (SQLite's lock goes
/// with the process at once; a server notices a dead client's connection a moment later).
pub fn open_store_after_kill(location: &str) -> Result<Box<dyn RecordStore>, StoreError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match open_store(location) {
            Err(e) if e.message.contains("another engine") && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            result => return result,
        }
    }
}

/// A location for a new SQLite store in `dir`.
pub fn fresh_sqlite_location(dir: &std::path::Path) -> String {
    dir.join("crash.db").display().to_string()
}
