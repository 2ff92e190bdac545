//! [`EngineCore::open`]: an engine rebuilt from a stored record log (and its newest usable
//! snapshot) by [`rebuild_state`], and [`EngineCore::snapshot`] and
//! [`EngineCore::prune_history`].

use std::sync::Arc;

use super::EngineCore;
use crate::clock::Clock;
use crate::error::{EngineError, Result};
use crate::state::State;
use crate::store::format::{check_version, decode_entry};
use crate::store::snapshot::decode_state;
use crate::store::{PruneReport, RecordStore, StoreError, StoreSink};

/// What [`EngineCore::open`] did to rebuild the state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// The log position of the snapshot the state started from, if one was used.
    pub snapshot_position: Option<i64>,
    /// How many log entries were replayed on top of it.
    pub entries_replayed: usize,
    /// Snapshots that could not be used and why (the engine fell back to an older one or to
    /// the whole log).
    pub skipped_snapshots: Vec<String>,
}

/// A state rebuilt from a stored log by [`rebuild_state`].
#[derive(Debug)]
pub struct Rebuilt {
    /// The state after the log's last entry.
    pub state: State,
    /// The last key the engine had handed out.
    pub key_counter: i64,
    /// The position of the log's last entry (0 for an empty log).
    pub position: i64,
    /// Where it started from and what it replayed.
    pub report: OpenReport,
}

/// How many log entries opening replays at a time.
const REPLAY_PAGE: i64 = 50_000;

/// Rebuilds the engine state from `store` as [`EngineCore::open`] does, without starting an
/// engine (nothing fires, nothing is written): from the newest snapshot that checks out (a
/// damaged one is skipped, with the reason in the report), then the entries after it. Refuses a
/// log that does not rebuild: one in another record format, one with an entry or record that
/// does not read or does not fit the records before it (naming its position), and one that
/// retention thinned past every usable snapshot. The log is read a page of entries at a time.
pub fn rebuild_state(store: &mut dyn RecordStore) -> std::result::Result<Rebuilt, StoreError> {
    let mut report = OpenReport::default();
    let mut state = State::default();
    let mut after = 0;
    let mut key_counter = 0;
    for snapshot in store.snapshots()? {
        match decode_state(&snapshot.state) {
            Ok(decoded) => {
                state = decoded;
                after = snapshot.position;
                key_counter = snapshot.key_counter;
                report.snapshot_position = Some(snapshot.position);
                break;
            }
            Err(why) => report
                .skipped_snapshots
                .push(format!("the snapshot at position {} cannot be used: {why}", snapshot.position)),
        }
    }
    let mut log = store.read_log_between(after, after + REPLAY_PAGE)?;
    check_version(log.format_version).map_err(|message| StoreError::new(store.location(), message))?;
    if after < log.pruned_through {
        return Err(StoreError::new(
            store.location(),
            format!(
                "retention thinned the log through position {}, so only a snapshot at or after it rebuilds the state, and none can be used{}; restore the store from a backup",
                log.pruned_through,
                report.skipped_snapshots.iter().map(|why| format!(" ({why})")).collect::<String>()
            ),
        ));
    }
    key_counter = key_counter.max(log.key_counter);
    let mut position = after;
    // A page at a time: memory holds the state and one page, however long the log is.
    while !log.entries.is_empty() {
        for stored in &log.entries {
            let entry = decode_entry(stored).map_err(|message| StoreError::new(store.location(), message))?;
            for record in entry.records {
                key_counter = key_counter.max(record.key);
                state.apply(record).map_err(|misfit| {
                    StoreError::new(
                        store.location(),
                        format!(
                            "the log entry at position {} has a record that does not fit the records before it ({misfit}); the log is damaged: restore the file from a backup",
                            stored.position
                        ),
                    )
                })?;
            }
            position = stored.position;
            report.entries_replayed += 1;
        }
        log = store.read_log_between(position, position + REPLAY_PAGE)?;
    }
    Ok(Rebuilt { state, key_counter, position, report })
}

impl EngineCore {
    /// Opens a durable engine on `store`: starts from the newest snapshot that checks out (a
    /// damaged one is skipped, see [`open_report`](Self::open_report)), replays the stored
    /// entries after it in order (recompiling the deployed processes from their stored
    /// resources), continues the key generator after the last key handed out, and then fires
    /// whatever fell due while the engine was closed (by `clock`). From then on every command's
    /// records are in the store before it returns.
    pub fn open(mut store: Box<dyn RecordStore>, clock: Arc<dyn Clock>) -> std::result::Result<Self, StoreError> {
        let Rebuilt { state, key_counter, position, report } = rebuild_state(store.as_mut())?;
        let mut core = Self::with(clock, Box::new(StoreSink::new(store, position)));
        core.m.restore(state, key_counter);
        core.open_report = report;
        core.m.now = core.clock.now_millis();
        core.fire_due();
        core.m.flush()?;
        Ok(core)
    }

    /// What [`open`](Self::open) did: the snapshot it started from, the entries it replayed,
    /// and snapshots it had to skip. Empty for an engine that was not opened from a store.
    pub fn open_report(&self) -> &OpenReport {
        &self.open_report
    }

    /// Stores a snapshot of the state at the current log position (after making everything
    /// written so far durable), so the next open replays only the entries after it. Returns
    /// the position, or `None` when the engine keeps no log. Not inside a batch.
    pub fn snapshot(&mut self) -> Result<Option<i64>> {
        if self.m.batching {
            return Err(EngineError::FailedPrecondition(
                "Expected to take a snapshot outside a batch; commit the batch first".into(),
            ));
        }
        Ok(self.m.save_snapshot()?)
    }

    /// Applies a retention policy: takes a snapshot (as [`snapshot`](Self::snapshot)), then
    /// removes from the log before it the records of every process instance that ended
    /// (completed or terminated) before `ended_before` (epoch milliseconds, engine time); see
    /// [`retention`](crate::store::retention). The state is untouched: only history goes.
    /// Returns what was removed, or `None` when the engine keeps no log. Not inside a batch.
    pub fn prune_history(&mut self, ended_before: i64) -> Result<Option<PruneReport>> {
        let Some(through) = self.snapshot()? else { return Ok(None) };
        Ok(self.m.prune_history(through, ended_before)?)
    }

    /// Applies the retention policy "keep the history of an ended instance for `keep`":
    /// [`prune_history`](Self::prune_history) of the instances that ended before the engine's
    /// clock minus `keep`.
    pub fn apply_retention(&mut self, keep: std::time::Duration) -> Result<Option<PruneReport>> {
        let keep = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
        self.prune_history(self.now_millis().saturating_sub(keep))
    }
}
