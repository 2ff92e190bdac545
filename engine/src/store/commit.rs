//! [`Commit`]: the outcome of appending entries to a store, which may still be on its way to
//! disk. A caller waits on it (blocking or async) before acknowledging the commands it holds.

use std::sync::{Arc, Condvar, Mutex};

use tokio::sync::Notify;

use super::StoreError;

/// A pending or finished append. Cloning shares the same outcome.
#[derive(Clone, Debug)]
pub struct Commit {
    slot: Arc<Slot>,
}

#[derive(Debug, Default)]
struct Slot {
    outcome: Mutex<Option<Result<(), StoreError>>>,
    done: Condvar,
    notify: Notify,
}

impl Commit {
    /// An append that already finished with `outcome`.
    pub fn done(outcome: Result<(), StoreError>) -> Self {
        let commit = Self::pending();
        commit.finish(outcome);
        commit
    }

    /// An append still under way; the store calls [`finish`](Self::finish) when it is durable
    /// (or failed).
    pub fn pending() -> Self {
        Self { slot: Arc::new(Slot::default()) }
    }

    /// Records the outcome and wakes every waiter. Only the first outcome counts.
    pub fn finish(&self, outcome: Result<(), StoreError>) {
        let mut slot = self.slot.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(outcome);
        }
        drop(slot);
        self.slot.done.notify_all();
        self.slot.notify.notify_waiters();
    }

    /// The outcome, if the append finished.
    pub fn outcome(&self) -> Option<Result<(), StoreError>> {
        self.slot.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Blocks the thread until the append finished (safe inside a tokio runtime: the store's
    /// own thread does the work).
    pub fn wait(&self) -> Result<(), StoreError> {
        let mut slot = self.slot.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            if let Some(outcome) = slot.as_ref() {
                return outcome.clone();
            }
            slot = self.slot.done.wait(slot).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Waits without blocking the thread until the append finished.
    pub async fn wait_async(&self) -> Result<(), StoreError> {
        loop {
            let notified = self.slot.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(outcome) = self.outcome() {
                return outcome;
            }
            notified.await;
        }
    }
}
