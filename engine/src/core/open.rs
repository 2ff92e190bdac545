//! [`EngineCore::open`]: an engine rebuilt from a stored record log.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::EngineCore;
use crate::clock::Clock;
use crate::state::State;
use crate::store::format::{check_version, decode_entry};
use crate::store::{RecordStore, StoreError, StoreSink};

impl EngineCore {
    /// Opens a durable engine on `store`: replays the stored records in order (recompiling the
    /// deployed processes from their stored resources), continues the key generator after the
    /// last key handed out, and then fires whatever fell due while the engine was closed (by
    /// `clock`). From then on every command's records are in the store before it returns.
    pub fn open(mut store: Box<dyn RecordStore>, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let log = store.read_log(0)?;
        check_version(log.format_version).map_err(|message| StoreError::new(store.location(), message))?;
        let mut state = State::default();
        let mut key_counter = log.key_counter;
        for stored in &log.entries {
            let entry = decode_entry(stored).map_err(|message| StoreError::new(store.location(), message))?;
            for record in entry.records {
                key_counter = key_counter.max(record.key);
                // A record that decodes but does not fit the state before it (a hand-edited log)
                // must not take the process down.
                catch_unwind(AssertUnwindSafe(|| state.apply(record))).map_err(|_| {
                    StoreError::new(
                        store.location(),
                        format!(
                            "the log entry at position {} has a record that does not fit the records before it; the log is damaged: restore the file from a backup",
                            stored.position
                        ),
                    )
                })?;
            }
        }
        let mut core = Self::with(clock, Box::new(StoreSink::new(store)));
        core.m.restore(state, key_counter);
        core.m.now = core.clock.now_millis();
        core.fire_due();
        core.m.flush()?;
        Ok(core)
    }
}
