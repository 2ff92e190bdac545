//! [`ConnectionThread`]: one async `sqlx` connection driven from the synchronous engine core.
//!
//! The connection lives on a thread of its own with a single-threaded tokio runtime; callers
//! send it jobs over a channel and wait for the answer. That keeps a store usable from inside a
//! tokio runtime, where blocking on a nested runtime would panic.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::thread::JoinHandle;

use sqlx::Connection;

/// The future a job returns: it borrows the connection for as long as it runs.
pub(crate) type JobFuture<'c, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'c>>;

/// Work for the connection thread: runs with the connection and sends its own answer.
type Job<C> = Box<dyn for<'c> FnOnce(&'c mut C) -> Pin<Box<dyn Future<Output = ()> + Send + 'c>> + Send>;

/// A thread owning connection `C`. Dropping it closes the connection and joins the thread.
pub(crate) struct ConnectionThread<C> {
    jobs: Option<mpsc::Sender<Job<C>>>,
    worker: Option<JoinHandle<()>>,
}

impl<C: Connection + 'static> ConnectionThread<C> {
    /// Starts the thread `name` and runs `connect` on it; returns once the connection is open,
    /// or with the message `connect` failed with.
    pub(crate) fn start<F, Fut>(name: &str, connect: F) -> Result<Self, String>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<C, String>>,
    {
        let (jobs, inbox) = mpsc::channel::<Job<C>>();
        let (ready, opened) = mpsc::channel();
        let worker = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready.send(Err(format!("cannot start the store's runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let mut connection = match connect().await {
                        Ok(connection) => connection,
                        Err(message) => {
                            let _ = ready.send(Err(message));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    while let Ok(job) = inbox.recv() {
                        job(&mut connection).await;
                    }
                    let _ = connection.close().await;
                });
            })
            .map_err(|e| format!("cannot start the store thread: {e}"))?;
        let thread = Self { jobs: Some(jobs), worker: Some(worker) };
        match opened.recv() {
            Ok(Ok(())) => Ok(thread),
            Ok(Err(message)) => Err(message),
            Err(_) => Err("the store thread ended while connecting".into()),
        }
    }

    /// Runs `job` on the connection and waits for its answer.
    pub(crate) fn call<T, J>(&self, job: J) -> Result<T, String>
    where
        T: Send + 'static,
        J: for<'c> FnOnce(&'c mut C) -> JobFuture<'c, T> + Send + 'static,
    {
        let (reply, answer) = mpsc::channel();
        let job: Job<C> = Box::new(move |connection| {
            Box::pin(async move {
                let _ = reply.send(job(connection).await);
            })
        });
        let sent = self.jobs.as_ref().is_some_and(|jobs| jobs.send(job).is_ok());
        if !sent {
            return Err("the store thread has stopped; reopen the engine".into());
        }
        answer.recv().unwrap_or_else(|_| Err("the store thread stopped before answering; reopen the engine".into()))
    }
}

impl<C> Drop for ConnectionThread<C> {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which closes the connection.
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
