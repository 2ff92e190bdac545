//! Group commit for [`EngineCore`]: many commands share one write to the store.

use super::EngineCore;
use crate::error::Result;
use crate::store::Commit;

impl EngineCore {
    /// Starts a batch: the commands from now until [`submit_batch`](Self::submit_batch) or
    /// [`commit_batch`](Self::commit_batch) are not written one by one but together, in one
    /// transaction. Their results must not be acknowledged to anyone before the batch committed.
    /// Without a durable store a batch changes nothing.
    pub fn begin_batch(&mut self) {
        self.m.batching = true;
    }

    /// True inside a batch.
    pub fn in_batch(&self) -> bool {
        self.m.batching
    }

    /// Ends the batch and hands its records to the store, returning at once; wait on the
    /// [`Commit`] before acknowledging the batch's commands (if it fails, every command of the
    /// batch failed, and the engine must be reopened). The engine may run the next batch
    /// meanwhile: commits finish in order.
    pub fn submit_batch(&mut self) -> Commit {
        self.m.batching = false;
        self.m.submit()
    }

    /// Ends the batch and waits until its records are durable.
    pub fn commit_batch(&mut self) -> Result<()> {
        self.submit_batch().wait().map_err(Into::into)
    }
}
