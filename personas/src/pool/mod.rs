//! Pools: the instances of one persona type in one project that grow with the queue of held jobs
//! and shrink back when it drains.
//!
//! A [`PoolPolicy`] names the type, the project, the fewest and most active members (2 and 5
//! unless set) and how many held jobs call for one more member. Its members are the instances of
//! the type in the project named `<type>-pool-<n>`; other instances of the type are not the
//! pool's and are never touched.
//!
//! [`decide`] is the whole rule, a pure function of the members and the [`Queue`] of the type and
//! project: the jobs *waiting* (open, on no instance yet) and of those the ones *held* (with no
//! free slot of an active instance for them):
//!
//! - the pool *wants* `min` members when no job waits; else, with jobs held, the active members
//!   plus one per `held_per_instance` held jobs (rounded up); else (the waiting jobs have free
//!   slots) as many as are active; never fewer than `min` nor more than `max`;
//! - fewer active than wanted: **grow** by one member, resuming the paused member with the
//!   lowest number, else creating `<type>-pool-<n>` with the lowest unused number;
//! - more active than wanted: **shrink** by pausing the idle active member with the highest
//!   number (the last one grown); a member with open work is never paused, so a pool whose extra
//!   members are all busy waits for one to be idle;
//! - else nothing.
//!
//! One step per decision: a reconcile ([`Registry::reconcile_pool`](crate::Registry::reconcile_pool))
//! applies at most one change, so a runtime that reconciles every beat grows or shrinks the pool
//! one member a beat, and every change has its own audit entry with its reason.

mod apply;
mod file;

use serde::Serialize;

use crate::error::{RegistryError, Result};
use crate::model::{Instance, Project, Status};

pub use file::{PoolFileError, read_pools};

/// The fewest active members a pool keeps, unless its policy says otherwise.
pub const DEFAULT_MIN: u32 = 2;

/// The most active members a pool grows to, unless its policy says otherwise.
pub const DEFAULT_MAX: u32 = 5;

/// How many held jobs call for one more member, unless the policy says otherwise.
pub const DEFAULT_HELD_PER_INSTANCE: u32 = 1;

/// How a pool of one persona type in one project grows and shrinks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolPolicy {
    /// The persona type of the members.
    pub persona_type: String,
    /// The project they work for (its repository, if any, narrows the members it creates).
    pub project: Project,
    /// The fewest active members (at least 1).
    pub min: u32,
    /// The most active members (at least `min`).
    pub max: u32,
    /// Held jobs per extra member: with `d` jobs held the pool wants `ceil(d / held_per_instance)`
    /// more members than are active (at least 1).
    pub held_per_instance: u32,
    /// The capacity of the members it creates; `None` takes the type's default.
    pub max_tasks: Option<u32>,
}

impl PoolPolicy {
    /// A pool of `persona_type` in `project` with the defaults: 2 to 5 members, one more per
    /// held job, members of the type's capacity.
    pub fn new(persona_type: impl Into<String>, project: Project) -> Self {
        Self {
            persona_type: persona_type.into(),
            project,
            min: DEFAULT_MIN,
            max: DEFAULT_MAX,
            held_per_instance: DEFAULT_HELD_PER_INSTANCE,
            max_tasks: None,
        }
    }

    /// Refuses a policy that cannot work: `min` below 1, `min` above `max`, a
    /// `held_per_instance` or `max_tasks` of 0.
    pub fn check(&self) -> Result<()> {
        let problem = if self.min < 1 {
            Some(format!("`min` is {}; a pool keeps at least 1 member, give 1 or more", self.min))
        } else if self.min > self.max {
            Some(format!("`min` ({}) is above `max` ({}); make `max` at least `min`", self.min, self.max))
        } else if self.held_per_instance < 1 {
            Some("`held_per_instance` is 0; give how many held jobs call for one more member (1 or more)".into())
        } else if self.max_tasks == Some(0) {
            Some("`max_tasks` is 0; give the capacity of each member (1 or more), or leave it out".into())
        } else {
            None
        };
        match problem {
            Some(problem) => {
                Err(RegistryError::Invalid(format!("pool of `{}` in {}: {problem}", self.persona_type, self.project)))
            }
            None => Ok(()),
        }
    }

    /// The name of member `number`: `<type>-pool-<number>`.
    pub fn member_name(&self, number: u32) -> String {
        format!("{}-pool-{number}", self.persona_type)
    }

    /// The member number in `name`, when it names a member of this pool.
    pub fn member_number(&self, name: &str) -> Option<u32> {
        let number = name.strip_prefix(&self.persona_type)?.strip_prefix("-pool-")?;
        if number.starts_with('0') || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        number.parse().ok()
    }

    /// `instance` as a member of this pool, when it is one (of the type, in the project, named
    /// as a member).
    pub fn member(&self, instance: &Instance) -> Option<PoolMember> {
        let same_project = instance.project.as_ref().is_some_and(|p| p.key() == self.project.key());
        if instance.persona_type != self.persona_type || !same_project {
            return None;
        }
        Some(PoolMember {
            instance_id: instance.id,
            name: instance.name.clone(),
            number: self.member_number(&instance.name)?,
            status: instance.status,
            open_tasks: instance.open_tasks,
        })
    }
}

/// A member of a pool as [`decide`] sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolMember {
    /// Its instance id.
    pub instance_id: i64,
    /// Its name, `<type>-pool-<number>`.
    pub name: String,
    /// Its number.
    pub number: u32,
    /// Active, paused or retired.
    pub status: Status,
    /// The jobs it holds.
    pub open_tasks: u32,
}

/// The one change a decision asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum PoolStep {
    /// Grow: create the member `name`.
    Create {
        /// Its name.
        name: String,
    },
    /// Grow: resume the paused member.
    Resume {
        /// Its instance id.
        instance_id: i64,
        /// Its name.
        name: String,
    },
    /// Shrink: pause the idle member.
    Pause {
        /// Its instance id.
        instance_id: i64,
        /// Its name.
        name: String,
    },
}

impl PoolStep {
    /// `grow` or `shrink`.
    pub fn direction(&self) -> &'static str {
        match self {
            PoolStep::Create { .. } | PoolStep::Resume { .. } => "grow",
            PoolStep::Pause { .. } => "shrink",
        }
    }

    /// What it does, in words: "creates `name`", "resumes `name`", "pauses idle `name`".
    pub fn describe(&self) -> String {
        match self {
            PoolStep::Create { name } => format!("creates `{name}`"),
            PoolStep::Resume { name, .. } => format!("resumes `{name}`"),
            PoolStep::Pause { name, .. } => format!("pauses idle `{name}`"),
        }
    }

    /// The member it changes.
    pub fn name(&self) -> &str {
        match self {
            PoolStep::Create { name } | PoolStep::Resume { name, .. } | PoolStep::Pause { name, .. } => name,
        }
    }
}

/// What [`decide`] decided, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolDecision {
    /// The change to make; `None`: the pool stays as it is.
    pub step: Option<PoolStep>,
    /// Active members before the change.
    pub active: u32,
    /// Active members the pool wants.
    pub wanted: u32,
    /// The queue it was decided on.
    pub queue: Queue,
    /// Why, in words (the audit log keeps it with the change).
    pub reason: String,
}

impl PoolDecision {
    /// Active members after the change.
    pub fn active_after(&self) -> u32 {
        match &self.step {
            Some(PoolStep::Pause { .. }) => self.active - 1,
            Some(_) => self.active + 1,
            None => self.active,
        }
    }
}

/// The queue of a persona type in a project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Queue {
    /// Open jobs on no instance yet (waiting for a worker, backing off, or being routed).
    pub waiting: usize,
    /// Of those, the ones no free slot of an active instance awaits.
    pub held: usize,
}

impl Queue {
    /// The queue of `open_jobs` (the runtime's jobs of the type and project not yet done, on an
    /// instance or not), given the type's `instances` in the project, of any status (a paused
    /// one still holds the work it had).
    pub fn of(open_jobs: usize, instances: &[Instance]) -> Self {
        let placed: usize = instances.iter().map(|i| i.open_tasks as usize).sum();
        let free: usize = instances
            .iter()
            .filter(|i| i.status == Status::Active)
            .map(|i| i.max_concurrent_tasks.saturating_sub(i.open_tasks) as usize)
            .sum();
        let waiting = open_jobs.saturating_sub(placed);
        Self { waiting, held: waiting.saturating_sub(free) }
    }
}

/// The pool's next change, given its members and the queue of its type and project (see the
/// [module documentation](crate::pool) for the rule). Deterministic: the same members and queue
/// give the same decision.
pub fn decide(policy: &PoolPolicy, members: &[PoolMember], queue: Queue) -> PoolDecision {
    let active = members.iter().filter(|m| m.status == Status::Active).count() as u32;
    let per = policy.held_per_instance.max(1) as usize;
    let Queue { waiting, held } = queue;
    let more = u32::try_from(held.div_ceil(per)).unwrap_or(u32::MAX);
    let wanted = if waiting == 0 {
        policy.min
    } else {
        active.saturating_add(more).clamp(policy.min, policy.max.max(policy.min))
    };
    let pool = format!("pool of `{}` in {}", policy.persona_type, policy.project);
    let (step, reason) = if active < wanted {
        let step = grow(policy, members);
        let why = if active < policy.min {
            format!("{active} active, below the minimum of {}", policy.min)
        } else {
            format!(
                "{held} jobs held with {active} active: wants {wanted} (one more per {per} held, at most {})",
                policy.max
            )
        };
        let reason = format!("{pool} grows: {why}; {}", step.describe());
        (Some(step), reason)
    } else if active > wanted {
        let why = if waiting == 0 {
            format!("no jobs waiting, {active} active above the minimum of {}", policy.min)
        } else {
            format!("{active} active above the maximum of {}", policy.max)
        };
        let idle = members.iter().filter(|m| m.status == Status::Active && m.open_tasks == 0).max_by_key(|m| m.number);
        match idle {
            Some(member) => {
                let step = PoolStep::Pause { instance_id: member.instance_id, name: member.name.clone() };
                let reason = format!("{pool} shrinks: {why}; {}", step.describe());
                (Some(step), reason)
            }
            None => (None, format!("{pool} waits to shrink: {why}, but every active member has open work")),
        }
    } else {
        (None, format!("{pool} stays at {active} active ({waiting} jobs waiting, {held} held)"))
    };
    PoolDecision { step, active, wanted, queue, reason }
}

/// The member to grow by: the paused one with the lowest number, else a new one with the lowest
/// number no member (of any status) has.
fn grow(policy: &PoolPolicy, members: &[PoolMember]) -> PoolStep {
    if let Some(paused) = members.iter().filter(|m| m.status == Status::Paused).min_by_key(|m| m.number) {
        return PoolStep::Resume { instance_id: paused.instance_id, name: paused.name.clone() };
    }
    let number = (1..).find(|n| members.iter().all(|m| m.number != *n)).unwrap_or(1);
    PoolStep::Create { name: policy.member_name(number) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PoolPolicy {
        PoolPolicy::new("qa-test-engineer", Project::new("acme", "shop"))
    }

    /// Members 1.. with these statuses and open tasks.
    fn members(of: &[(Status, u32)]) -> Vec<PoolMember> {
        of.iter()
            .enumerate()
            .map(|(i, (status, open_tasks))| PoolMember {
                instance_id: 100 + i as i64,
                name: policy().member_name(i as u32 + 1),
                number: i as u32 + 1,
                status: *status,
                open_tasks: *open_tasks,
            })
            .collect()
    }

    /// A queue of `held` jobs, all waiting.
    fn held(held: usize) -> Queue {
        Queue { waiting: held, held }
    }

    const A: Status = Status::Active;
    const P: Status = Status::Paused;
    const R: Status = Status::Retired;

    #[test]
    fn an_empty_pool_grows_to_its_minimum_one_member_at_a_time() {
        let decision = decide(&policy(), &[], held(0));
        assert_eq!(decision.step, Some(PoolStep::Create { name: "qa-test-engineer-pool-1".into() }));
        assert!(decision.reason.contains("below the minimum of 2"), "{}", decision.reason);
        let decision = decide(&policy(), &members(&[(A, 0)]), held(0));
        assert_eq!(decision.step, Some(PoolStep::Create { name: "qa-test-engineer-pool-2".into() }));
        assert_eq!(decide(&policy(), &members(&[(A, 0), (A, 0)]), held(0)).step, None);
    }

    #[test]
    fn held_jobs_grow_the_pool_one_step_a_decision_up_to_the_maximum() {
        let busy = members(&[(A, 5), (A, 5)]);
        let decision = decide(&policy(), &busy, held(1));
        assert_eq!((decision.active, decision.wanted, decision.active_after()), (2, 3, 3));
        assert_eq!(decision.step, Some(PoolStep::Create { name: "qa-test-engineer-pool-3".into() }));
        assert!(decision.reason.contains("1 jobs held with 2 active: wants 3"), "{}", decision.reason);
        // A deep queue still grows one member per decision, and wants no more than the maximum.
        assert_eq!(decide(&policy(), &busy, held(100)).wanted, 5);
        assert_eq!(decide(&policy(), &busy, held(100)).active_after(), 3);
        let full = members(&[(A, 5), (A, 5), (A, 5), (A, 5), (A, 5)]);
        let decision = decide(&policy(), &full, held(100));
        assert_eq!((decision.step, decision.wanted), (None, 5), "never above the maximum");
    }

    #[test]
    fn held_per_instance_sets_how_many_jobs_call_for_one_more_member() {
        let mut policy = policy();
        policy.held_per_instance = 3;
        let busy = members(&[(A, 1), (A, 1)]);
        assert_eq!(decide(&policy, &busy, held(3)).wanted, 3);
        assert_eq!(decide(&policy, &busy, held(4)).wanted, 4, "rounded up");
        assert_eq!(decide(&policy, &busy, held(7)).wanted, 5);
    }

    #[test]
    fn growing_resumes_the_lowest_paused_member_before_creating_one() {
        let pool = members(&[(A, 1), (A, 1), (R, 0), (P, 0), (P, 0)]);
        let decision = decide(&policy(), &pool, held(2));
        assert_eq!(decision.step, Some(PoolStep::Resume { instance_id: 103, name: "qa-test-engineer-pool-4".into() }));
        // Retired members keep their numbers: the next new member takes the lowest free one.
        let pool = members(&[(A, 1), (A, 1), (R, 0)]);
        assert_eq!(
            decide(&policy(), &pool, held(2)).step,
            Some(PoolStep::Create { name: "qa-test-engineer-pool-4".into() })
        );
    }

    #[test]
    fn a_drained_queue_pauses_the_last_idle_member_down_to_the_minimum() {
        let pool = members(&[(A, 0), (A, 0), (A, 0), (A, 0), (A, 0)]);
        let decision = decide(&policy(), &pool, held(0));
        assert_eq!(decision.step, Some(PoolStep::Pause { instance_id: 104, name: "qa-test-engineer-pool-5".into() }));
        assert!(decision.reason.contains("no jobs waiting, 5 active above the minimum of 2"), "{}", decision.reason);
        let two = members(&[(A, 0), (A, 0), (P, 0), (P, 0), (P, 0)]);
        assert_eq!(decide(&policy(), &two, held(0)).step, None, "never below the minimum");
    }

    #[test]
    fn only_idle_members_are_paused() {
        // Member 5 has open work: member 4 is paused instead.
        let pool = members(&[(A, 0), (A, 0), (A, 0), (A, 0), (A, 1)]);
        assert_eq!(
            decide(&policy(), &pool, held(0)).step,
            Some(PoolStep::Pause { instance_id: 103, name: "qa-test-engineer-pool-4".into() })
        );
        // Every member busy: nothing, and the reason says why.
        let busy = members(&[(A, 1), (A, 1), (A, 1)]);
        let decision = decide(&policy(), &busy, held(0));
        assert_eq!(decision.step, None);
        assert!(decision.reason.contains("every active member has open work"), "{}", decision.reason);
    }

    #[test]
    fn waiting_jobs_with_free_slots_neither_grow_nor_shrink_the_pool() {
        // Five idle members, three jobs backing off before they are offered again: they have
        // slots, so the pool stays; once none waits it shrinks.
        let pool = members(&[(A, 0), (A, 0), (A, 0), (A, 0), (A, 0)]);
        let decision = decide(&policy(), &pool, Queue { waiting: 3, held: 0 });
        assert_eq!((decision.step, decision.wanted), (None, 5), "{}", decision.reason);
        assert!(decision.reason.contains("stays at 5 active (3 jobs waiting, 0 held)"), "{}", decision.reason);
        assert!(decide(&policy(), &pool, Queue::default()).step.is_some());
    }

    #[test]
    fn held_jobs_never_shrink_the_pool_except_above_the_maximum() {
        let pool = members(&[(A, 0), (A, 0), (A, 0)]);
        assert_eq!(
            decide(&policy(), &pool, held(1)).step,
            Some(PoolStep::Create { name: "qa-test-engineer-pool-4".into() })
        );
        let over = members(&[(A, 1), (A, 1), (A, 1), (A, 1), (A, 1), (A, 0)]);
        let decision = decide(&policy(), &over, held(9));
        assert_eq!(decision.step, Some(PoolStep::Pause { instance_id: 105, name: "qa-test-engineer-pool-6".into() }));
        assert!(decision.reason.contains("above the maximum of 5"), "{}", decision.reason);
    }

    #[test]
    fn member_names_are_the_type_then_pool_then_a_number() {
        let policy = policy();
        assert_eq!(policy.member_number("qa-test-engineer-pool-12"), Some(12));
        for other in ["qa-test-engineer-pool-", "qa-test-engineer-pool-01", "qa-test-engineer-1", "ada", "x-pool-1"] {
            assert_eq!(policy.member_number(other), None, "{other}");
        }
    }

    #[test]
    fn policies_that_cannot_work_are_refused_with_what_to_do() {
        assert!(policy().check().is_ok());
        let refused = |change: fn(&mut PoolPolicy), says: &str| {
            let mut bad = policy();
            change(&mut bad);
            let error = bad.check().expect_err("refused").to_string();
            assert!(error.contains(says), "{error}");
            assert!(error.contains("pool of `qa-test-engineer` in acme/shop"), "{error}");
        };
        refused(|p| p.min = 0, "at least 1 member");
        refused(|p| (p.min, p.max) = (4, 3), "`min` (4) is above `max` (3)");
        refused(|p| p.held_per_instance = 0, "`held_per_instance` is 0");
        refused(|p| p.max_tasks = Some(0), "`max_tasks` is 0");
    }
}
