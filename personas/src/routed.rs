//! [`Routed`]: a job handler that routes each persona job to an instance through the registry
//! before the work, and ends the assignment with the work's outcome after it.
//!
//! A job is a persona job when its task has the custom header `persona` (the responsible
//! persona type, as `yaml-to-bpmn` writes it). Its project is the job's `project` variable
//! (`ORGANISATION/PROJECT[/REPOSITORY]`), else the wrapper's default project. Jobs without the
//! header (`log`, `set-variable`) go to the inner handler unrouted.
//!
//! - **Placed:** the inner handler gets the job with the headers [`INSTANCE_HEADER`] (the
//!   instance's name) and [`INSTANCE_ID_HEADER`] (its id), so it can use the instance's
//!   providers and budget; then the assignment is finished as succeeded (the job completed or
//!   threw a BPMN error, a result the model handles) or failed (the job failed).
//! - **Cancelled while held:** with a [`JobWatch`] ([`Routed::watch`]), the wrapper asks every
//!   [`DEFAULT_WATCH_EVERY`] whether the job is still open in its engine. Once it is gone (its
//!   element was terminated: a boundary timer fired, the instance was cancelled), the work is
//!   stopped and the assignment finished as cancelled at once, so the instance's slot (and money
//!   set aside for the job) is free for other work without waiting for
//!   [`Registry::reassign_open_work`].
//! - **No instance can take it:** the job goes back to the engine with its retries unchanged
//!   and a back-off ([`JobOutcome::retry_later`]): it waits without failing, spinning or
//!   burning retries, and the RACI escalation on the task fires if it waits too long.
//! - **Bad routing input** (an unknown persona type, a job without a project): the job fails
//!   without retries, so an incident names what to fix. A failing store fails the job with one
//!   retry less, after the back-off.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use workers::{Job, JobHandler, JobOutcome, LLM_JOB_TYPE, PERSONA_PROVIDERS_HEADER};

use crate::error::RegistryError;
use crate::model::Project;
use crate::registry::Registry;
use crate::routing::{Outcome, RouteDecision, RouteRequest};

/// The custom header naming a job's persona type.
pub const PERSONA_HEADER: &str = "persona";

/// The job variable naming a job's project (`ORGANISATION/PROJECT[/REPOSITORY]`).
pub const PROJECT_VARIABLE: &str = "project";

/// The header the inner handler finds the chosen instance's name in.
pub const INSTANCE_HEADER: &str = workers::PERSONA_INSTANCE_HEADER;

/// The header the inner handler finds the chosen instance's id in.
pub const INSTANCE_ID_HEADER: &str = "personaInstanceId";

/// How long a job that no instance can take waits before it is offered again, by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// How often a watched job is checked, by default.
pub const DEFAULT_WATCH_EVERY: Duration = Duration::from_millis(250);

/// Tells whether a job is still open in its engine (see [`Routed::watch`]).
pub trait JobWatch: Send + Sync {
    /// False once the job is gone from the engine: completed, failed or cancelled (its element
    /// terminated).
    fn is_open(&self, job_key: i64) -> bool;
}

/// A [`JobWatch`] and how often it is asked.
#[derive(Clone)]
struct Watch {
    jobs: Arc<dyn JobWatch>,
    every: Duration,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").field("every", &self.every).finish_non_exhaustive()
    }
}

impl Watch {
    /// Runs `work` for the job; `None` when the job left the engine first (the work is dropped).
    async fn run(&self, job_key: i64, work: impl Future<Output = JobOutcome>) -> Option<JobOutcome> {
        tokio::pin!(work);
        let mut ticks = tokio::time::interval(self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                outcome = &mut work => return Some(outcome),
                _ = ticks.tick() => if !self.jobs.is_open(job_key) {
                    return None;
                },
            }
        }
    }
}

/// Routes persona jobs through a [`Registry`] around an inner handler (see the
/// [module documentation](crate::routed)).
#[derive(Debug, Clone)]
pub struct Routed<H> {
    inner: H,
    registry: Registry,
    default_project: Option<Project>,
    wait: Duration,
    watch: Option<Watch>,
}

impl<H: JobHandler> Routed<H> {
    /// Routes `inner`'s persona jobs through `registry`; jobs without a `project` variable have
    /// no project until [`default_project`](Self::default_project) gives one.
    pub fn new(inner: H, registry: Registry) -> Self {
        Self { inner, registry, default_project: None, wait: DEFAULT_WAIT, watch: None }
    }

    /// The project of jobs that carry no `project` variable.
    pub fn default_project(mut self, project: Option<Project>) -> Self {
        self.default_project = project;
        self
    }

    /// How long a job no instance can take waits before it is offered again
    /// ([`DEFAULT_WAIT`] unless set).
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Asks `jobs` every `every` whether a job an instance holds is still open, and frees the
    /// instance's slot as soon as it is not (see the [module documentation](crate::routed)).
    pub fn watch(mut self, jobs: Arc<dyn JobWatch>, every: Duration) -> Self {
        self.watch = Some(Watch { jobs, every });
        self
    }

    /// The job's project: its `project` variable, else the default.
    fn project(&self, job: &Job) -> Result<Project, String> {
        match job.variable(PROJECT_VARIABLE) {
            Some(serde_json::Value::String(text)) => text.parse().map_err(|e: RegistryError| {
                format!("the job's `{PROJECT_VARIABLE}` variable: {e}")
            }),
            Some(other) => Err(format!(
                "the job's `{PROJECT_VARIABLE}` variable is {other}, not text; set it to ORGANISATION/PROJECT"
            )),
            None => self.default_project.clone().ok_or_else(|| {
                format!(
                    "persona job {} ({}) has no `{PROJECT_VARIABLE}` variable and no default project is set; set the variable to ORGANISATION/PROJECT or give the runtime a default project",
                    job.key, job.element_id
                )
            }),
        }
    }
}

impl<H: JobHandler> Routed<H> {
    /// The job left the engine while `instance` held it: end the assignment as cancelled (the
    /// slot is free again); the outcome goes nowhere, as the job is gone.
    async fn cancelled(&self, job: &Job, instance: &str) -> JobOutcome {
        tracing::info!(
            job = job.key,
            instance,
            "the job was cancelled while its instance held it; its slot is free again"
        );
        if let Err(error) = self.registry.finish(job.key, Outcome::Cancelled).await {
            tracing::error!(job = job.key, instance, %error, "could not end the cancelled job's assignment");
        }
        JobOutcome::fail_without_retries(format!(
            "job {} ({}) was cancelled while persona instance `{instance}` held it; its work was stopped",
            job.key, job.element_id
        ))
    }

    /// Puts the instance's LLM providers, in its order, on an `llm` job it was given
    /// ([`PERSONA_PROVIDERS_HEADER`]), so its calls go to them; an instance without providers
    /// leaves the configured order.
    async fn add_providers(&self, placed: &mut Job, instance: i64) {
        match self.registry.get(&crate::model::InstanceRef::Id(instance)).await {
            Ok(found) if !found.providers.is_empty() => {
                let order: Vec<String> =
                    found.providers.iter().map(|p| format!("{}:{}", p.provider, p.model)).collect();
                placed.custom_headers.insert(PERSONA_PROVIDERS_HEADER.into(), order.join(","));
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(job = placed.key, instance, %error, "could not read the instance's providers; the configured order is used");
            }
        }
    }
}

#[async_trait]
impl<H: JobHandler> JobHandler for Routed<H> {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let Some(persona_type) = job.header(PERSONA_HEADER) else {
            return self.inner.handle(job).await;
        };
        let project = match self.project(job) {
            Ok(project) => project,
            Err(message) => return JobOutcome::fail_without_retries(message),
        };
        let request = RouteRequest {
            job_key: job.key,
            persona_type: persona_type.to_owned(),
            project,
            workflow_instance: Some(job.process_instance_key),
            element_id: Some(job.element_id.clone()),
        };
        let assignment = match self.registry.route(&request).await {
            Ok(RouteDecision::Assigned(assignment)) => assignment,
            Ok(RouteDecision::Wait { reason, .. }) => {
                return JobOutcome::retry_later(job, format!("waiting for a persona instance: {reason}"), self.wait);
            }
            Err(error) if error.is_bad_input() => {
                return JobOutcome::fail_without_retries(format!("cannot route the job: {error}"));
            }
            Err(error) => {
                return JobOutcome::Fail {
                    message: format!("cannot route the job: {error}"),
                    retries: job.retries_after_failure(),
                    retry_backoff: self.wait,
                };
            }
        };
        let mut placed = job.clone();
        placed.custom_headers.insert(INSTANCE_HEADER.into(), assignment.instance_name.clone());
        placed.custom_headers.insert(INSTANCE_ID_HEADER.into(), assignment.instance_id.to_string());
        if job.job_type == LLM_JOB_TYPE {
            self.add_providers(&mut placed, assignment.instance_id).await;
        }
        let work = self.inner.handle(&placed);
        let outcome = match &self.watch {
            None => work.await,
            Some(watch) => match watch.run(job.key, work).await {
                Some(outcome) => outcome,
                None => return self.cancelled(job, &assignment.instance_name).await,
            },
        };
        let ended = match outcome {
            JobOutcome::Fail { .. } => Outcome::Failed,
            JobOutcome::Complete { .. } | JobOutcome::Decide { .. } | JobOutcome::Error { .. } => Outcome::Succeeded,
        };
        if let Err(error) = self.registry.finish(job.key, ended).await {
            // The work is done either way; the engine must hear of it. The slot stays taken
            // until the instance's work is taken back (`reassign_open_work`).
            tracing::error!(job = job.key, instance = %assignment.instance_name, %error, "could not end the job's assignment");
        }
        outcome
    }
}
