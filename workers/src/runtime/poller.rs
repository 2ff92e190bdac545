//! The poll loop of one job type: activate while capacity is free, start a task per job, back
//! off on errors, and drain on shutdown.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{Registration, Shared, execute};
use crate::client::{ActivateJobsRequest, ClientError};
use crate::job::Job;

/// The number of unreported jobs below which the poller asks for more: 30 % of the maximum,
/// rounded up (the Java client's rule), so that polls ask for a worthwhile batch.
fn activation_threshold(max_jobs_active: usize) -> usize {
    max_jobs_active.saturating_mul(3).div_ceil(10).max(1)
}

/// Polls for `registration`'s job type until `shutdown`, then waits for the jobs in flight.
pub(super) async fn poll(shared: Arc<Shared>, registration: Registration, shutdown: CancellationToken) {
    let registration = Arc::new(registration);
    let options = &registration.options;
    let threshold = activation_threshold(options.max_jobs_active);
    let mut in_flight = JoinSet::new();
    let mut delays = shared.retry.delays();
    loop {
        reap_finished(&mut in_flight);
        if in_flight.len() >= threshold {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                finished = in_flight.join_next() => {
                    finished.into_iter().for_each(note_finished);
                    continue;
                }
            }
        }
        let request = ActivateJobsRequest {
            job_type: registration.job_type.clone(),
            worker: shared.worker.clone(),
            max_jobs: options.max_jobs_active.saturating_sub(in_flight.len()),
            timeout: options.timeout,
            fetch_variables: options.fetch_variables.clone(),
            request_timeout: options.request_timeout,
        };
        let polled = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            polled = shared.client.activate_jobs(&request) => polled,
        };
        let pause = match polled {
            Ok(jobs) if jobs.is_empty() => {
                delays.reset();
                Some(options.poll_interval)
            }
            Ok(jobs) => {
                delays.reset();
                start_jobs(&shared, &registration, request.max_jobs, jobs, &mut in_flight);
                None
            }
            Err(error) => Some(poll_failed(&error, delays.next_delay())),
        };
        if let Some(pause) = pause {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }
    tracing::info!(in_flight = in_flight.len(), "stopped polling; finishing the jobs in flight");
    while let Some(finished) = in_flight.join_next().await {
        note_finished(finished);
    }
}

/// Logs a failed poll and returns how long to wait before the next.
fn poll_failed(error: &ClientError, delay: Duration) -> Duration {
    if error.is_retryable_when_idempotent() {
        tracing::warn!(%error, ?delay, "could not activate jobs; retrying after a back-off");
    } else {
        // A final answer will most likely repeat; back off all the same rather than spin.
        tracing::error!(%error, ?delay, "the engine rejected the activation request; retrying after a back-off");
    }
    delay
}

/// Removes finished job tasks without waiting.
fn reap_finished(in_flight: &mut JoinSet<()>) {
    while let Some(finished) = in_flight.try_join_next() {
        note_finished(finished);
    }
}

/// Logs a job task that ended other than by returning. Handler panics are caught inside the
/// task, so this means a bug in the runtime or a task aborted from outside.
fn note_finished(finished: Result<(), JoinError>) {
    if let Err(error) = finished {
        tracing::error!(%error, "a job task stopped abnormally");
    }
}

/// Starts one task per activated job.
fn start_jobs(
    shared: &Arc<Shared>,
    registration: &Arc<Registration>,
    asked: usize,
    jobs: Vec<Job>,
    in_flight: &mut JoinSet<()>,
) {
    if jobs.len() > asked {
        // The client broke its contract; the extra jobs are locked to us, so run them anyway.
        tracing::warn!(asked, activated = jobs.len(), "the engine activated more jobs than asked for");
    }
    tracing::debug!(activated = jobs.len(), "activated jobs");
    shared.metrics.jobs_activated(&registration.job_type, jobs.len());
    let lock_expires = Instant::now() + registration.options.timeout;
    for job in jobs {
        let span = tracing::info_span!(
            "job",
            key = job.key,
            element_id = %job.element_id,
            process_instance_key = job.process_instance_key,
            retries = job.retries,
        );
        in_flight
            .spawn(execute::execute(shared.clone(), registration.handler.clone(), job, lock_expires).instrument(span));
    }
}

#[cfg(test)]
mod tests {
    use super::activation_threshold;

    #[test]
    fn threshold_is_thirty_percent_rounded_up_and_at_least_one() {
        assert_eq!(activation_threshold(32), 10);
        assert_eq!(activation_threshold(10), 3);
        assert_eq!(activation_threshold(3), 1);
        assert_eq!(activation_threshold(1), 1);
        assert_eq!(activation_threshold(usize::MAX), usize::MAX.div_ceil(10));
    }
}
