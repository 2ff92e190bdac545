//! [`JobHandler`]: the code that does a job's work, written once for every engine.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;

use crate::job::Job;
use crate::outcome::{IntoJobOutcome, JobOutcome};

/// Does the work of one job type and decides how each job ends.
///
/// # What the worker drives
///
/// The [`WorkerRuntime`](crate::WorkerRuntime) *pushes* jobs to handlers: it activates jobs of
/// the registered type, calls [`handle`](Self::handle) once per activated job, and reports the
/// returned [`JobOutcome`] to the engine. A handler never talks to the engine itself, so the same
/// handler runs on the embedded engine and on Zeebe, and tests can call it directly with a
/// hand-made [`Job`].
///
/// Calls run concurrently (up to the registration's `max_jobs_active`) on the tokio runtime, so
/// the handler is shared (`&self`, `Send + Sync`) and keeps per-job state on the stack.
///
/// # What the handler decides
///
/// Only the outcome: complete with variables, fail (technical trouble; the engine retries while
/// retries are left), or throw a BPMN error (a business result the model handles). Retries,
/// back-off between polls, timeouts and reporting belong to the runtime.
///
/// Delivery is at least once: a job whose lock runs out before its outcome is reported is
/// activated again, possibly by another worker, so handlers must be idempotent.
///
/// # What happens on error
///
/// - A handler that **panics** does not take the worker down: the runtime catches the panic and
///   fails the job with its retries decremented and the panic message, like the Java client
///   does for an uncaught exception.
/// - A handler that hits a Rust error returns [`JobOutcome::fail`], which also decrements the
///   retries; with [`handler_fn`] a closure may simply return `Result<JobOutcome, E>` and use
///   `?`, and an `Err` becomes exactly that failure (see [`IntoJobOutcome`]).
/// - If reporting the outcome fails, the runtime retries transient transport errors and logs the
///   rest; the handler is not called again for that activation.
///
/// Blanket impls let `Arc<H>` and `Box<H>` (including `Box<dyn JobHandler>`) be handlers, and
/// [`handler_fn`] turns an async closure into one.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Does the job's work and says how it ended.
    async fn handle(&self, job: &Job) -> JobOutcome;
}

#[async_trait]
impl<H: JobHandler + ?Sized> JobHandler for Arc<H> {
    async fn handle(&self, job: &Job) -> JobOutcome {
        (**self).handle(job).await
    }
}

#[async_trait]
impl<H: JobHandler + ?Sized> JobHandler for Box<H> {
    async fn handle(&self, job: &Job) -> JobOutcome {
        (**self).handle(job).await
    }
}

/// A [`JobHandler`] made from an async closure by [`handler_fn`].
#[derive(Debug, Clone, Copy)]
pub struct HandlerFn<F>(F);

/// Makes a handler from a closure that takes the job by value and returns a future of a
/// [`JobOutcome`] or of a `Result<JobOutcome, E: Display>` (an `Err` fails the job with its
/// retries decremented).
///
/// ```
/// use workers::{handler_fn, Job, JobOutcome};
///
/// let handler = handler_fn(|job: Job| async move {
///     let amount = job.variable("amount").and_then(|v| v.as_i64()).ok_or("no amount")?;
///     let mut variables = workers::Variables::new();
///     variables.insert("doubled".into(), (amount * 2).into());
///     Ok::<_, &str>(JobOutcome::complete_with(variables))
/// });
/// # let _ = handler;
/// ```
pub fn handler_fn<F, Fut, O>(f: F) -> HandlerFn<F>
where
    F: Fn(Job) -> Fut + Send + Sync,
    Fut: Future<Output = O> + Send,
    O: IntoJobOutcome,
{
    HandlerFn(f)
}

#[async_trait]
impl<F, Fut, O> JobHandler for HandlerFn<F>
where
    F: Fn(Job) -> Fut + Send + Sync,
    Fut: Future<Output = O> + Send,
    O: IntoJobOutcome,
{
    async fn handle(&self, job: &Job) -> JobOutcome {
        (self.0)(job.clone()).await.into_outcome(job)
    }
}
