//! Job workers for BPMN service tasks, written once for the embedded engine and for Zeebe.
//!
//! - [`Job`] is an activated job; [`JobHandler`] does its work and returns a [`JobOutcome`]
//!   (complete, fail, or throw a BPMN error).
//! - [`JobClient`] is the engine side: activate, complete, fail, throw error. One
//!   implementation exists per engine; [`ClientError`] tells transient transport trouble from
//!   final answers. [`EmbeddedClient`] (feature `embedded`, on by default) drives the
//!   in-process engine; [`ZeebeClient`] (feature `zeebe`, on by default) talks to a Zeebe
//!   gateway over gRPC and also deploys resources and creates instances; feature `zeebe-tls`
//!   adds TLS and `zeebe-oauth` OAuth client-credentials tokens (`OAuthCredentials`).
//! - [`WorkerRuntime`] polls a [`JobClient`] for each registered job type, runs the handlers
//!   concurrently within `max_jobs_active`, reports outcomes, backs off while the engine is
//!   unavailable, and drains on shutdown. It records [`Metrics`].
//! - [`handlers`] has the generic built-in handlers: `log`, `set-variable`, `noop` and a
//!   scripted one for tests and demos. The persona actions (shell, LLM, git, REST, notify) and
//!   the simulate and dry-run modes are in the `actions` crate, the one action catalogue.
//! - [`testing`] builds jobs and captures logs for handler tests.

mod client;
#[cfg(feature = "embedded")]
mod embedded;
mod handler;
pub mod handlers;
mod job;
mod metrics;
mod outcome;
mod runtime;
pub mod spend;
pub mod testing;
#[cfg(feature = "zeebe")]
mod zeebe;

pub use client::{ActivateJobsRequest, ClientError, JobClient};
#[cfg(feature = "embedded")]
pub use embedded::EmbeddedClient;
pub use handler::{HandlerFn, JobHandler, handler_fn};
pub use job::{Job, LLM_JOB_TYPE, PERSONA_INSTANCE_HEADER, PERSONA_PROVIDERS_HEADER, Variables};
pub use metrics::{InMemoryMetrics, JobTypeStats, LatencyStats, Metrics, NoMetrics};
pub use outcome::{Activation, AdHocDecision, IntoJobOutcome, JobOutcome, OutcomeKind};
pub use runtime::{ConfigError, RetryPolicy, WorkerOptions, WorkerRuntime};
pub use spend::{NoSpendLimit, PlannedCall, SpendError, SpendGate, SpendHold, UsedCall};
/// The shutdown signal [`WorkerRuntime::run`] takes, re-exported so callers need no extra crate.
pub use tokio_util::sync::CancellationToken;
#[cfg(feature = "zeebe")]
pub use zeebe::{
    CompletedInstance, CreatedInstance, CredentialsProvider, DeployedProcess, ZeebeClient, ZeebeClientBuilder,
};
#[cfg(feature = "zeebe-oauth")]
pub use zeebe::{OAuthCredentials, OAuthSettings};
