//! [`JobOutcome`]: what a handler decided about a job, and [`IntoJobOutcome`] for handlers that
//! return `Result`.

use std::fmt::Display;
use std::time::Duration;

use crate::job::{Job, Variables};

/// What a handler decided. The runtime reports it to the engine: `Complete` completes the job,
/// `Fail` fails it (a technical problem: the job is retried while retries are left, then an
/// incident is raised), `Error` throws a BPMN error (a modelled business error that a boundary
/// event or event sub-process may catch).
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    /// The work is done; `variables` flow into the process like Zeebe's `CompleteJob` variables.
    Complete {
        /// Variables to merge into the process.
        variables: Variables,
    },
    /// The work failed for a technical reason.
    Fail {
        /// Why; becomes the incident message when no retries are left.
        message: String,
        /// The retries the job has left after this failure (normally the job's retries − 1).
        retries: i32,
        /// How long the engine waits before the job can be activated again.
        retry_backoff: Duration,
    },
    /// A BPMN error with an error code that the model may catch.
    Error {
        /// The error code, matched against `bpmn:error errorCode` of catch events.
        code: String,
        /// A human-readable message (used in the incident if nothing catches the error).
        message: String,
        /// Variables passed along with the error.
        variables: Variables,
    },
    /// The job of an ad-hoc sub-process (its job-worker implementation) is done with a
    /// decision: which inner elements run next, or that the sub-process is finished.
    Decide {
        /// Variables to merge into the process, as with `Complete`.
        variables: Variables,
        /// What runs next.
        decision: AdHocDecision,
    },
}

/// What a worker decides for an ad-hoc sub-process: the job result of type `adHocSubProcess`
/// (Camunda 8.8), in a shape that cannot both activate and finish.
#[derive(Debug, Clone, PartialEq)]
pub enum AdHocDecision {
    /// Activate these inner elements, each in an activation of its own.
    Activate(Vec<Activation>),
    /// The sub-process is finished: terminate what still runs (`cancel_remaining`) or let it end.
    Done {
        /// Terminate the inner flows still running rather than wait for them.
        cancel_remaining: bool,
    },
}

/// One inner element of an ad-hoc sub-process to activate, with variables created in its
/// activation's scope (an agent's tool call, say).
#[derive(Debug, Clone, PartialEq)]
pub struct Activation {
    /// The element id.
    pub element_id: String,
    /// Variables local to this activation.
    pub variables: Variables,
}

/// The kind of a [`JobOutcome`], without its data; metrics count outcomes by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutcomeKind {
    /// [`JobOutcome::Complete`] and [`JobOutcome::Decide`] (a decision completes the job).
    Completed,
    /// [`JobOutcome::Fail`].
    Failed,
    /// [`JobOutcome::Error`].
    Errored,
}

impl JobOutcome {
    /// Completes the job without variables.
    pub fn complete() -> Self {
        Self::Complete { variables: Variables::new() }
    }

    /// Completes the job with variables.
    pub fn complete_with(variables: Variables) -> Self {
        Self::Complete { variables }
    }

    /// Fails the job with one retry less than it has now (never below 0) and no back-off: what
    /// the runtime also does when a handler panics or returns an error.
    pub fn fail(job: &Job, message: impl Into<String>) -> Self {
        Self::Fail { message: message.into(), retries: job.retries_after_failure(), retry_backoff: Duration::ZERO }
    }

    /// Fails the job with no retries left, so the engine raises an incident at once: for
    /// problems that retrying cannot fix, such as a task that lacks a required header.
    pub fn fail_without_retries(message: impl Into<String>) -> Self {
        Self::Fail { message: message.into(), retries: 0, retry_backoff: Duration::ZERO }
    }

    /// Gives the job back to the engine without using a retry: it keeps the retries it has and
    /// can be activated again after `after`. For a job that cannot be worked on *now* (no
    /// persona instance is free), which is not a failure of the work.
    pub fn retry_later(job: &Job, message: impl Into<String>, after: Duration) -> Self {
        Self::Fail { message: message.into(), retries: job.retries, retry_backoff: after }
    }

    /// Throws a BPMN error without variables.
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Error { code: code.into(), message: message.into(), variables: Variables::new() }
    }

    /// The kind of this outcome.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Self::Complete { .. } | Self::Decide { .. } => OutcomeKind::Completed,
            Self::Fail { .. } => OutcomeKind::Failed,
            Self::Error { .. } => OutcomeKind::Errored,
        }
    }
}

/// One line for people: `done`, the variables as JSON, `failed: …`, `threw CODE: …`, or the
/// decision.
impl std::fmt::Display for JobOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Complete { variables } if variables.is_empty() => f.write_str("done"),
            Self::Complete { variables } => write!(f, "{}", serde_json::Value::Object(variables.clone())),
            Self::Fail { message, .. } => write!(f, "failed: {message}"),
            Self::Error { code, message, .. } => write!(f, "threw {code}: {message}"),
            Self::Decide { decision, .. } => write!(f, "decided: {decision}"),
        }
    }
}

/// `activate a, b` or `done` (`done, cancelling the rest`).
impl std::fmt::Display for AdHocDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Activate(activations) => {
                let ids: Vec<&str> = activations.iter().map(|a| a.element_id.as_str()).collect();
                write!(f, "activate {}", ids.join(", "))
            }
            Self::Done { cancel_remaining: false } => f.write_str("done"),
            Self::Done { cancel_remaining: true } => f.write_str("done, cancelling the rest"),
        }
    }
}

/// Turns what a handler function returns into a [`JobOutcome`], so closures given to
/// [`handler_fn`](crate::handler_fn) may return either a `JobOutcome` or a
/// `Result<JobOutcome, E>` and use `?`.
pub trait IntoJobOutcome {
    /// The outcome for `job`.
    fn into_outcome(self, job: &Job) -> JobOutcome;
}

impl IntoJobOutcome for JobOutcome {
    fn into_outcome(self, _job: &Job) -> JobOutcome {
        self
    }
}

/// An `Err` becomes [`JobOutcome::fail`]: the job fails with its retries decremented and the
/// error's `Display` text as the message.
impl<E: Display> IntoJobOutcome for Result<JobOutcome, E> {
    fn into_outcome(self, job: &Job) -> JobOutcome {
        self.unwrap_or_else(|error| JobOutcome::fail(job, error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::testing::job;

    #[test]
    fn a_failure_takes_one_retry_and_stops_at_zero() {
        let mut job = job("t", &[], json!({}));
        for (retries, left) in [(3, 2), (1, 0), (0, 0), (i32::MIN, 0)] {
            job.retries = retries;
            let expected = JobOutcome::Fail { message: "m".into(), retries: left, retry_backoff: Duration::ZERO };
            assert_eq!(JobOutcome::fail(&job, "m"), expected, "from {retries} retries");
        }
    }

    #[test]
    fn a_retry_later_keeps_every_retry_and_waits() {
        let mut job = job("t", &[], json!({}));
        job.retries = 3;
        let expected = JobOutcome::Fail { message: "busy".into(), retries: 3, retry_backoff: Duration::from_secs(5) };
        assert_eq!(JobOutcome::retry_later(&job, "busy", Duration::from_secs(5)), expected);
    }

    #[test]
    fn an_err_becomes_a_failure_with_its_text_and_an_ok_passes_through() {
        let job = job("t", &[], json!({}));
        let failed: Result<JobOutcome, String> = Err("no connection".into());
        assert_eq!(failed.into_outcome(&job), JobOutcome::fail(&job, "no connection"));
        let done: Result<JobOutcome, String> = Ok(JobOutcome::error("E", "m"));
        assert_eq!(done.into_outcome(&job).kind(), OutcomeKind::Errored);
    }
}
