//! Opening the store a scenario runs on, by location (a SQLite path or a `postgres://` URL,
//! which is all a child process is told), right after the process that held it was killed.

use std::time::{Duration, Instant};

use engine::store::{RecordStore, StoreError};

/// Opens the record store at `location` right after the process that held it was killed:
/// a refusal because another engine has it is retried for a few seconds (SQLite's lock goes
/// with the process at once; PostgreSQL releases the log when it notices the dead connection).
pub fn open_store_after_kill(location: &str) -> Result<Box<dyn RecordStore>, StoreError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match engine::store::open(location) {
            Err(e) if e.message.contains("another engine") && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            result => return result,
        }
    }
}
