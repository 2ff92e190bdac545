//! [`Registry::reconcile_pool`]: a pool's decision applied to the registry, with its reason in
//! the audit log.

use serde_json::json;

use super::{PoolDecision, PoolMember, PoolPolicy, PoolStep, decide};
use crate::error::{RegistryError, Result};
use crate::model::{InstanceRef, NewInstance, Status};
use crate::registry::{Registry, StatusChange};

impl Registry {
    /// The members of `policy`'s pool, by number: the instances of its type in its project named
    /// `<type>-pool-<n>`, of any status.
    pub async fn pool_members(&self, policy: &PoolPolicy) -> Result<Vec<PoolMember>> {
        let instances = self.list(Some(&policy.persona_type), Some(&policy.project), None).await?;
        let mut members: Vec<PoolMember> = instances.iter().filter_map(|i| policy.member(i)).collect();
        members.sort_by_key(|m| m.number);
        Ok(members)
    }

    /// Decides the pool's next change with `held` jobs waiting for its type and project
    /// ([`decide`] on [`pool_members`](Registry::pool_members)) and makes it
    /// ([`apply_pool_decision`](Registry::apply_pool_decision)). Refused for a policy that
    /// cannot work ([`PoolPolicy::check`]).
    pub async fn reconcile_pool(&self, policy: &PoolPolicy, held: usize) -> Result<PoolDecision> {
        policy.check()?;
        let members = self.pool_members(policy).await?;
        self.apply_pool_decision(policy, decide(policy, &members, held)).await
    }

    /// Makes the change `decision` asks for: creates or resumes a member to grow, pauses an idle
    /// one to shrink. The change's audit entry (`instance-change`, in the change's own
    /// transaction) carries the decision under `because`: `pool`, `direction`, `reason`, `held`,
    /// `active` (before), `active_after`, `min` and `max`. A member that took a job since the
    /// decision is left active, and the decision comes back without a step, saying so.
    pub async fn apply_pool_decision(&self, policy: &PoolPolicy, mut decision: PoolDecision) -> Result<PoolDecision> {
        let Some(step) = &decision.step else { return Ok(decision) };
        let held = decision.held;
        let note = json!({
            "pool": format!("{} in {}", policy.persona_type, policy.project),
            "direction": step.direction(), "reason": decision.reason, "held": held,
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
