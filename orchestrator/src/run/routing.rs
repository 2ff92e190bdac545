//! `run --project`: persona jobs routed to persona instances through the registry in the store
//! ([`personas::Routed`] around each handler), on the engine's own clock.

use std::path::Path;
use std::sync::Arc;

use engine::store::SharedConnection;
use engine::{Clock, Engine};
use personas::routed::DEFAULT_WATCH_EVERY;
use personas::{JobWatch, PriceTable, Project, Registry, RegistryGate, Routed, Status};
use workers::JobHandler;

use super::pools::Pools;
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
    /// Pools of instances that grow with the jobs held for them (`--pools`).
    pools: Option<Pools>,
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
        Ok(Self { registry, project, active, engine: None, pools: None })
    }

    /// Watches the jobs of `engine`: a job it cancels (a boundary timer, a cancelled instance)
    /// while an instance holds it frees the instance's slot within [`DEFAULT_WATCH_EVERY`].
    pub fn watching(mut self, engine: &Engine) -> Self {
        self.engine = Some(engine.clone());
        self
    }

    /// Reads the pools of `file` ([`Pools::read`]) and brings each to its minimum before any
    /// job runs; the reasons of the changes made.
    pub async fn pools(&mut self, file: &Path) -> Result<Vec<String>> {
        let pools = Pools::read(file, &self.registry, &self.project).await?;
        let changes = pools.settle().await?;
        self.pools = Some(pools);
        Ok(changes)
    }

    /// Reconciles the pools once with the jobs the watched engine holds for them now
    /// ([`Pools::reconcile`]); the reasons of the changes made.
    pub async fn reconcile_pools(&self) -> Vec<String> {
        match (&self.pools, &self.engine) {
            (Some(pools), Some(engine)) => pools.reconcile(engine).await,
            _ => Vec::new(),
        }
    }

    /// The latest time the registry recorded ([`Registry::last_time`]).
    pub async fn last_time(&self) -> Result<Option<i64>> {
        Ok(self.registry.last_time().await?)
    }

    /// The lines `run` shows when it starts.
    pub fn describe(&self) -> String {
        let routing = format!(
            "routing persona jobs to the instances of {} ({} active) through the registry in {}",
            self.project,
            self.active,
            self.registry.location()
        );
        match &self.pools {
            Some(pools) => format!("{routing}\n{}", pools.describe()),
            None => routing,
        }
    }

    /// Prices paid calls with the actions file's `prices:` table (`file` names it in errors)
    /// and hands the `llm` action the registry's spend gate: the most each call can cost is
    /// held against the budget of the instance its job went to (refused, as BPMN error
    /// `SPEND_LIMIT_EXCEEDED`, when it would pass a limit) and what it used is charged after.
    pub fn gate_spend(&mut self, settings: &mut actions::Settings, file: Option<&Path>) -> Result<()> {
        if let Some(prices) = &settings.prices {
            let table: PriceTable = serde_json::from_value(prices.clone()).map_err(|e| {
                let file = file.map_or_else(|| "the actions file".to_owned(), |f| f.display().to_string());
                Failure::Usage(format!(
                    "{file}: `prices:` is not a price table: {e}; write `MODEL: {{input_per_1k: \"0.003\", output_per_1k: \"0.015\"}}`"
                ))
            })?;
            self.registry = self.registry.clone().with_prices(table);
        }
        settings.spend_gate = Some(Arc::new(RegistryGate::new(self.registry.clone())));
        Ok(())
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
