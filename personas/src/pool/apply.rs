//! [`Registry::reconcile_pool`]: a pool's decision applied to the registry, with its reason in
//! the audit log.

use serde_json::json;

use super::{PoolDecision, PoolMember, PoolPolicy, PoolStep, Queue, decide};
use crate::error::{RegistryError, Result};
use crate::model::{Instance, InstanceRef, NewInstance, Status};
use crate::registry::{Registry, StatusChange};

impl Registry {
    /// The members of `policy`'s pool, by number: the instances of its type in its project named
    /// `<type>-pool-<n>`, of any status.
    pub async fn pool_members(&self, policy: &PoolPolicy) -> Result<Vec<PoolMember>> {
        Ok(members(policy, &self.pool_instances(policy).await?))
    }

    /// The instances of `policy`'s type in its project, of any status.
    async fn pool_instances(&self, policy: &PoolPolicy) -> Result<Vec<Instance>> {
        self.list(Some(&policy.persona_type), Some(&policy.project), None).await
    }

    /// Decides the pool's next change ([`decide`]) and makes it
    /// ([`apply_pool_decision`](Registry::apply_pool_decision)). `open_jobs` are the runtime's
    /// jobs of the pool's type and project not yet done, on an instance or not; the registry
    /// tells how many of them wait and are held ([`Queue::of`]). Refused for a policy that
    /// cannot work ([`PoolPolicy::check`]).
    pub async fn reconcile_pool(&self, policy: &PoolPolicy, open_jobs: usize) -> Result<PoolDecision> {
        policy.check()?;
        let instances = self.pool_instances(policy).await?;
        let decision = decide(policy, &members(policy, &instances), Queue::of(open_jobs, &instances));
        self.apply_pool_decision(policy, decision).await
    }

    /// Makes the change `decision` asks for: creates or resumes a member to grow, pauses an idle
    /// one to shrink. The change's audit entry (`instance-change`, in the change's own
    /// transaction) carries the decision under `because`: `pool`, `direction`, `reason`,
    /// `waiting`, `held`, `active` (before), `active_after`, `min` and `max`. A member that took a job since the
    /// decision is left active, and the decision comes back without a step, saying so.
    pub async fn apply_pool_decision(&self, policy: &PoolPolicy, mut decision: PoolDecision) -> Result<PoolDecision> {
        let Some(step) = &decision.step else { return Ok(decision) };
        let note = json!({
            "pool": format!("{} in {}", policy.persona_type, policy.project),
            "direction": step.direction(), "reason": decision.reason,
            "waiting": decision.queue.waiting, "held": decision.queue.held,
            "active": decision.active, "active_after": decision.active_after(), "min": policy.min, "max": policy.max,
        });
        let change = |only_idle| StatusChange { note: Some(note.clone()), only_idle };
        let done = match step {
            PoolStep::Create { name } => {
                let mut new = NewInstance::new(name.clone(), policy.persona_type.clone());
                new.project = Some(policy.project.clone());
                new.max_concurrent_tasks = policy.max_tasks;
                self.create_instance_noting(new, Some(note.clone())).await.map(drop)
            }
            PoolStep::Resume { instance_id, .. } => {
                self.set_status_noting(&InstanceRef::Id(*instance_id), Status::Active, change(false)).await.map(drop)
            }
            PoolStep::Pause { instance_id, .. } => {
                self.set_status_noting(&InstanceRef::Id(*instance_id), Status::Paused, change(true)).await.map(drop)
            }
        };
        match done {
            Ok(()) => {}
            Err(RegistryError::WrongStatus(why)) if matches!(step, PoolStep::Pause { .. }) => {
                decision.reason = format!("{}; not paused: {why}", decision.reason);
                decision.step = None;
            }
            Err(error) => return Err(error),
        }
        tracing::info!(pool = %policy.persona_type, project = %policy.project, "{}", decision.reason);
        Ok(decision)
    }
}

/// The pool members among `instances`, by number.
fn members(policy: &PoolPolicy, instances: &[Instance]) -> Vec<PoolMember> {
    let mut members: Vec<PoolMember> = instances.iter().filter_map(|i| policy.member(i)).collect();
    members.sort_by_key(|m| m.number);
    members
}
