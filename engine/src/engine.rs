//! [`Engine`]: the async handle for tokio services. It shares one [`EngineCore`] behind a mutex
//! (commands are short and never await while holding it) and wakes waiting workers and callers
//! when jobs appear or instances finish.
//!
//! Group commit: [`Engine::run`] (and the async calls built on it) runs a command as a batch of
//! one, hands its records to the store and releases the engine before waiting for the write, so
//! the commands of many tasks that arrive while the store syncs share its next transaction. A
//! result is returned only after the transaction holding it committed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

use crate::core::{ActivateJobs, ActivatedJob, EngineCore, ProcessInstanceCreated, Variables};
use crate::error::{EngineError, Result};

/// A cloneable async handle to one engine.
#[derive(Clone)]
pub struct Engine {
    core: Arc<Mutex<EngineCore>>,
    changed: Arc<Notify>,
    /// Counts the commands whose writes are over (durable or failed); see
    /// [`generation`](Engine::generation).
    generation: Arc<AtomicU64>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Wraps a core.
    pub fn new(core: EngineCore) -> Self {
        Self {
            core: Arc::new(Mutex::new(core)),
            changed: Arc::new(Notify::new()),
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A number that grows after every command through this handle, once the command's
    /// records are written. A reader of the store's log that read it after seeing generation
    /// `g` has seen every write acknowledged before `g`: while the number stays, the log has
    /// nothing new from this engine (the only one that may append to its store), so a cached
    /// read of the log is still current.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn written(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Runs a synchronous command on the core, then wakes everyone waiting for a change.
    /// A poisoned lock (a panic in another command) is taken over: the core is still consistent
    /// because records are applied one at a time.
    pub fn with<T>(&self, command: impl FnOnce(&mut EngineCore) -> T) -> T {
        let result = command(&mut self.lock());
        self.written();
        self.changed.notify_waiters();
        result
    }

    /// Runs a command on the core with group commit: its records are submitted to the store
    /// and the result is returned once they are durable; the engine is free for other commands
    /// meanwhile. If the write fails, the command fails with `UNAVAILABLE` (its effect may be in
    /// memory but not in the log: reopen the engine).
    pub async fn run<T>(&self, command: impl FnOnce(&mut EngineCore) -> Result<T>) -> Result<T> {
        let (result, commit) = {
            let mut core = self.lock();
            core.begin_batch();
            let result = command(&mut core);
            (result, core.submit_batch())
        };
        self.changed.notify_waiters();
        let committed = commit.wait_async().await;
        self.written();
        committed?;
        result
    }

    fn lock(&self) -> MutexGuard<'_, EngineCore> {
        self.core.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Activates jobs; when none is available, waits up to `request_timeout` for one to appear
    /// (long polling) and returns an empty list at the timeout.
    pub async fn activate_jobs(&self, request: &ActivateJobs, request_timeout: Duration) -> Result<Vec<ActivatedJob>> {
        let deadline = tokio::time::Instant::now() + request_timeout;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // Activation wakes no one (it creates no jobs), so it does not notify itself.
            let (jobs, commit) = {
                let mut core = self.lock();
                core.begin_batch();
                let jobs = core.activate_jobs(request);
                (jobs, core.submit_batch())
            };
            let committed = commit.wait_async().await;
            self.written();
            committed?;
            let jobs = jobs?;
            if !jobs.is_empty() {
                return Ok(jobs);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    /// Creates an instance and waits until it completes, returning its root variables; after
    /// `request_timeout` the call fails with `DEADLINE_EXCEEDED` (the instance keeps running).
    pub async fn create_instance_with_result(
        &self,
        bpmn_process_id: &str,
        variables: Variables,
        request_timeout: Duration,
    ) -> Result<(ProcessInstanceCreated, Variables)> {
        let (created, done) = self.run(|core| core.create_instance_with_result(bpmn_process_id, variables)).await?;
        if let Some(result) = done {
            return Ok((created, result));
        }
        let key = created.process_instance_key;
        self.with(|core| core.await_result(key));
        let deadline = tokio::time::Instant::now() + request_timeout;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let finished = {
                let mut core = self.lock();
                core.has_finished(key).then(|| core.take_result(key))
            };
            match finished {
                Some(Some(result)) => return Ok((created, result)),
                Some(None) => {
                    return Err(EngineError::FailedPrecondition(format!(
                        "Process instance '{key}' was terminated before it completed"
                    )));
                }
                None => {}
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Err(EngineError::DeadlineExceeded(format!(
                    "Process instance '{key}' did not complete within {request_timeout:?}; it keeps running"
                )));
            }
        }
    }

    /// Spawns a task that calls [`EngineCore::tick`] every `interval`, so timers and job
    /// time-outs fire without other commands. Drop the returned handle's task to stop it.
    pub fn spawn_ticker(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            loop {
                ticks.tick().await;
                engine.with(EngineCore::tick);
            }
        })
    }
}
