//! `run --project`: persona jobs routed to persona instances through the registry in the store
//! ([`personas::Routed`] around each handler), on the engine's own clock.

use std::sync::Arc;

use engine::store::SharedConnection;
use engine::{Clock, Engine};
use personas::routed::DEFAULT_WATCH_EVERY;
use personas::{JobWatch, Project, Registry, Routed, Status};
use workers::JobHandler;

use crate::failure::{Failure, Result};
use crate::store::StoreLocation;

/// The registry persona jobs are routed through, and the project of jobs that name none.
pub struct Routing {
    registry: Registry,
    project: Project,
    active: usize,
    /// The engine whose jobs are watched, so a job cancelled while an instance holds it frees
    /// the slot at once.
    engine: Option<Engine>,
}

/// The embedded engine's open jobs.
struct EngineJobs(Engine);

impl JobWatch for EngineJobs {
    fn is_open(&self, job_key: i64) -> bool {
        self.0.with(|core| core.state().jobs.contains_key(&job_key))
    }
}

impl Routing {
    /// Opens the registry beside the engine (`shared`: the engine's SQLite connection) on the
    /// engine's `clock`. Refused when the store has no persona types loaded.
    pub async fn open(
        store: &StoreLocation,
        shared: Option<SharedConnection>,
        clock: Arc<dyn Clock>,
        project: Project,
    ) -> Result<Self> {
        let registry = store.open_registry_beside(shared, clock).await?;
        if registry.types().await?.is_empty() {
            return Err(Failure::Usage(format!(
                "--project routes persona jobs to persona instances, but the store {} has no persona types; load them with `orchestrator personas types` and create instances with `orchestrator personas create`",
                store.display()
            )));
        }
        let active = registry.list(None, Some(&project), Some(Status::Active)).await?.len();
        Ok(Self { registry, project, active, engine: None })
    }

    /// Watches the jobs of `engine`: a job it cancels (a boundary timer, a cancelled instance)
    /// while an instance holds it frees the instance's slot within [`DEFAULT_WATCH_EVERY`].
    pub fn watching(mut self, engine: &Engine) -> Self {
        self.engine = Some(engine.clone());
        self
    }

    /// The line `run` shows when it starts.
    pub fn describe(&self) -> String {
        format!(
            "routing persona jobs to the instances of {} ({} active) through the registry in {}",
            self.project,
            self.active,
            self.registry.location()
        )
    }

    /// `handler`, routed when routing is on.
    pub fn wrap(routing: Option<&Routing>, handler: Arc<dyn JobHandler>) -> Arc<dyn JobHandler> {
        match routing {
            Some(routing) => {
                let routed =
                    Routed::new(handler, routing.registry.clone()).default_project(Some(routing.project.clone()));
                match &routing.engine {
                    Some(engine) => Arc::new(routed.watch(Arc::new(EngineJobs(engine.clone())), DEFAULT_WATCH_EVERY)),
                    None => Arc::new(routed),
                }
            }
            None => handler,
        }
    }
}
