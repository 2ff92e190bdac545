//! [`EngineCore::open`]: an engine rebuilt from a stored record log.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::EngineCore;
use crate::clock::Clock;
use crate::record::Record;
use crate::state::State;
use crate::store::{RECORD_FORMAT_VERSION, RecordStore, StoreError, StoreSink};

impl EngineCore {
    /// Opens a durable engine on `store`: replays the stored records in order (recompiling the
    /// deployed processes from their stored resources), continues the key generator after the
    /// last key handed out, and then fires whatever fell due while the engine was closed (by
    /// `clock`). From then on every command's records are in the store before it returns.
    pub fn open(mut store: Box<dyn RecordStore>, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let log = store.read_log()?;
        if log.format_version > RECORD_FORMAT_VERSION {
            return Err(StoreError::new(
                store.location(),
                format!(
                    "the log is in record format {}, but this engine reads format {RECORD_FORMAT_VERSION} at most; open it with a newer engine",
                    log.format_version
                ),
            ));
        }
        let mut state = State::default();
        let mut key_counter = log.key_counter;
        for stored in log.records {
            let damaged = |why: String| {
                StoreError::new(
                    store.location(),
                    format!(
                        "the record at position {} {why}; the log is damaged: restore the file from a backup",
                        stored.position
                    ),
                )
            };
            let record: Record =
                serde_json::from_str(&stored.payload).map_err(|e| damaged(format!("cannot be read ({e})")))?;
            key_counter = key_counter.max(record.key);
            // A record that parses but does not fit the state before it (a hand-edited log)
            // must not take the process down.
            catch_unwind(AssertUnwindSafe(|| state.apply(record)))
                .map_err(|_| damaged("does not fit the records before it".into()))?;
        }
        let mut core = Self::with(clock, Box::new(StoreSink::new(store)));
        core.m.restore(state, key_counter);
        core.m.now = core.clock.now_millis();
        core.fire_due();
        core.m.flush()?;
        Ok(core)
    }
}
