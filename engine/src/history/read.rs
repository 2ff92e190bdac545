//! Reading a store's history: one instance through the store's instance index, so that its
//! span of the log is folded rather than the whole log.

use super::History;
use crate::store::{IndexLookup, RecordStore, StoreError, read_decoded_between, read_entries};

impl History {
    /// The history of process instance `key` (and of the instances it called), read from
    /// `store` beside any engine on it. Through the store's
    /// [instance index](crate::store::instance_index) only the log from its start to its end
    /// is folded; without one, the whole log. `None` when the store does not know the instance.
    pub fn read_instance(store: &mut dyn RecordStore, key: i64) -> Result<Option<Self>, StoreError> {
        let history = match store.indexed_instance(key)? {
            IndexLookup::Unknown => return Ok(None),
            IndexLookup::NotIndexed => Self::fold(read_entries(store)?),
            IndexLookup::Found(row, processes) => {
                let through = row.ended_position.unwrap_or(i64::MAX);
                let mut history = Self::knowing(processes);
                history.extend(read_decoded_between(store, row.started_position - 1, through)?.entries);
                history
            }
        };
        Ok(history.instance(key).is_some().then_some(history))
    }
}
