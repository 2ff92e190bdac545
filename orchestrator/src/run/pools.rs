//! `--pools FILE`: pools of persona instances that grow with the jobs held for them and shrink
//! back when the queue drains ([`personas::pool`]). The runtime reconciles every pool once a
//! beat with the engine's open jobs of its type and project (the registry tells which of them
//! are held: neither with an instance nor awaited by a free slot); each change is one member,
//! and its reason goes to the audit log with it.

use std::path::Path;

use engine::Engine;
use engine::state::{JobState, State};
use personas::pool::read_pools;
use personas::routed::{PERSONA_HEADER, PROJECT_VARIABLE};
use personas::{PoolPolicy, Project, Registry};
use serde_json::Value;

use crate::failure::{Failure, Result};

/// The most steps [`Pools::settle`] takes per pool (a pool moves one member a step).
const MAX_SETTLE_STEPS: usize = 64;

/// The pools of a runtime, on its registry.
pub struct Pools {
    policies: Vec<PoolPolicy>,
    registry: Registry,
    /// The project of jobs without a `project` variable.
    default_project: Project,
}

impl Pools {
    /// Reads the `pools:` section of `file`; pools without a project are for `default_project`.
    /// Refused, naming the line and column, for a section that cannot work (see
    /// [`read_pools`]).
    pub async fn read(file: &Path, registry: &Registry, default_project: &Project) -> Result<Self> {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure::Usage(format!("{name}: cannot read the pools file: {e}")))?;
        let types: Vec<String> = registry.types().await?.into_iter().map(|t| t.id).collect();
        let policies = read_pools(&name, &text, default_project, &types).map_err(|e| Failure::Usage(e.to_string()))?;
        Ok(Self { policies, registry: registry.clone(), default_project: default_project.clone() })
    }

    /// The line a runtime shows when it starts.
    pub fn describe(&self) -> String {
        let pools: Vec<String> = self
            .policies
            .iter()
            .map(|p| format!("{} in {} ({} to {})", p.persona_type, p.project, p.min, p.max))
            .collect();
        format!("pools of persona instances: {}", pools.join(", "))
    }

    /// Brings every pool to where it stands with no job held (its minimum, from an empty or a
    /// grown pool whose members are idle) before any job runs; the reasons of the changes.
    pub async fn settle(&self) -> Result<Vec<String>> {
        let mut changes = Vec::new();
        for policy in &self.policies {
            for _ in 0..MAX_SETTLE_STEPS {
                let decision = self.registry.reconcile_pool(policy, 0).await?;
                if decision.step.is_none() {
                    break;
                }
                changes.push(decision.reason);
            }
        }
        Ok(changes)
    }

    /// Reconciles every pool once with the open jobs `engine` has for it now; the reasons of the
    /// changes made. A pool the registry cannot change now is reported and tried again next time.
    pub async fn reconcile(&self, engine: &Engine) -> Vec<String> {
        let mut changes = Vec::new();
        for policy in &self.policies {
            let open = engine.with(|core| open_jobs(core.state(), policy, &self.default_project));
            match self.registry.reconcile_pool(policy, open).await {
                Ok(decision) if decision.step.is_some() => changes.push(decision.reason),
                Ok(_) => {}
                Err(error) => changes.push(format!(
                    "pool of `{}` in {} not reconciled (tried again next beat): {error}",
                    policy.persona_type, policy.project
                )),
            }
        }
        changes
    }
}

/// The jobs of `policy`'s type and project that `state` has open: waiting for a worker, backing
/// off (after routing found no free instance), or with a worker (placed on an instance or being
/// routed). Jobs with an incident or a thrown error are not the pool's to work.
fn open_jobs(state: &State, policy: &PoolPolicy, default_project: &Project) -> usize {
    let project = policy.project.key();
    state
        .jobs
        .values()
        .filter(|job| matches!(job.state, JobState::Activatable | JobState::BackingOff | JobState::Activated))
        .filter(|job| {
            let headers = &job.record.template.custom_headers;
            headers.iter().any(|(name, value)| name == PERSONA_HEADER && *value == policy.persona_type)
        })
        .filter(|job| match state.variable(job.record.element_instance_key, PROJECT_VARIABLE).and_then(Value::as_str) {
            Some(text) => text.parse::<Project>().is_ok_and(|p| p.key() == project),
            None => default_project.key() == project,
        })
        .count()
}
