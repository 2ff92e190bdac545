//! `run --project`: persona jobs routed to persona instances through the registry in the store
//! ([`personas::Routed`] around each handler), on the engine's own clock.

use std::sync::Arc;

use engine::Clock;
use engine::store::SharedConnection;
use personas::{Project, Registry, Routed, Status};
use workers::JobHandler;

use crate::failure::{Failure, Result};
use crate::store::StoreLocation;

/// The registry persona jobs are routed through, and the project of jobs that name none.
pub struct Routing {
    registry: Registry,
    project: Project,
    active: usize,
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
        Ok(Self { registry, project, active })
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
                Arc::new(Routed::new(handler, routing.registry.clone()).default_project(Some(routing.project.clone())))
            }
            None => handler,
        }
    }
}
