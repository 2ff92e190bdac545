//! Routing's in-memory view of its candidates: per persona type and project, the instances with
//! their load, capacity, recent success and budget, so that placing a job reads no instance
//! rows: the decision is made here, and only its writes go to the store
//! ([`crate::commit`]).
//!
//! The store stays the authority. Taking a slot is still a conditional update in the
//! transaction that records the assignment (`status = 'active' AND open_tasks + n <=
//! max_concurrent_tasks`), so a view that is behind (another process took or freed slots, paused
//! an instance, spent money) can cost a retry or a less even spread, never an instance over its
//! capacity or a job placed twice. The view follows what this registry does in place: a slot
//! is counted taken as soon as it is chosen (so routes deciding meanwhile see it), and the
//! slots chosen but not yet committed (in flight) are added to a view read from the
//! store. It is read again after [`FRESH`], when the day turns, after a lost race, and after
//! any change to instances made through this registry.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::model::{Instance, SUCCESS_WINDOW};
use crate::period::Period;

/// How long a view is used before it is read again, so what other processes do shows soon.
pub(crate) const FRESH: Duration = Duration::from_secs(1);

/// The candidates of one routing question: a persona type in an organisation's project.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct GroupKey {
    pub persona_type: String,
    pub organisation: String,
    pub project: String,
}

/// An instance as routing sees it, with its recent outcomes (newest first) to keep the success
/// window exact as jobs finish.
#[derive(Debug, Clone)]
pub(crate) struct Cached {
    pub instance: Instance,
    pub recent: String,
}

#[derive(Debug)]
struct Group {
    members: Vec<Cached>,
    read_at: Instant,
    day: i64,
}

/// The views, by group, and the group of each instance in one.
#[derive(Debug, Default)]
pub(crate) struct Index {
    groups: HashMap<GroupKey, Group>,
    group_of: HashMap<i64, GroupKey>,
    /// Slots chosen per instance whose transaction has not answered yet.
    in_flight: HashMap<i64, u32>,
}

impl Index {
    /// The group's members, when its view is fresh for `period`.
    pub(crate) fn fresh(&self, key: &GroupKey, period: Period) -> Option<&[Cached]> {
        self.groups
            .get(key)
            .filter(|g| g.day == period.day && g.read_at.elapsed() < FRESH)
            .map(|g| g.members.as_slice())
    }

    /// Keeps `members`, just read, as the group's view (with the slots chosen here that the
    /// store does not hold yet), and returns it.
    pub(crate) fn put(&mut self, key: GroupKey, mut members: Vec<Cached>, period: Period) -> &[Cached] {
        for cached in &mut members {
            self.group_of.insert(cached.instance.id, key.clone());
            cached.instance.open_tasks += self.in_flight.get(&cached.instance.id).copied().unwrap_or(0);
        }
        let group = Group { members, read_at: Instant::now(), day: period.day };
        &self.groups.entry(key).insert_entry(group).into_mut().members
    }

    fn member(&mut self, instance_id: i64) -> Option<&mut Cached> {
        let key = self.group_of.get(&instance_id)?;
        self.groups.get_mut(key)?.members.iter_mut().find(|c| c.instance.id == instance_id)
    }

    /// The instance was chosen for a job at `now`: its slot counts as taken from here on, and
    /// as in flight until [`Index::settled`].
    pub(crate) fn chose(&mut self, instance_id: i64, now: i64) {
        *self.in_flight.entry(instance_id).or_default() += 1;
        if let Some(cached) = self.member(instance_id) {
            cached.instance.open_tasks += 1;
            cached.instance.last_activity_millis = Some(now);
        }
    }

    /// The transaction of a slot chosen on the instance answered: it is in the store now, or
    /// (the caller forgets the group then) it never will be.
    pub(crate) fn settled(&mut self, instance_id: i64) {
        if let Some(count) = self.in_flight.get_mut(&instance_id) {
            *count -= 1;
            if *count == 0 {
                self.in_flight.remove(&instance_id);
            }
        }
    }

    /// `jobs` of the instance ended at `now`; `mark` (`s`, `f` or nothing) joins its success
    /// window.
    pub(crate) fn freed(&mut self, instance_id: i64, jobs: u32, mark: &str, now: i64) {
        if let Some(cached) = self.member(instance_id) {
            cached.instance.open_tasks = cached.instance.open_tasks.saturating_sub(jobs);
            cached.instance.last_activity_millis = Some(now);
            if !mark.is_empty() {
                cached.recent = format!("{mark}{}", cached.recent).chars().take(SUCCESS_WINDOW).collect();
                cached.instance.recent_succeeded = cached.recent.chars().filter(|c| *c == 's').count() as u32;
                cached.instance.recent_finished = cached.recent.len() as u32;
            }
        }
    }

    /// Drops the view of the group `instance_id` is in (it changed, or a race was lost on it).
    pub(crate) fn forget_instance(&mut self, instance_id: i64) {
        if let Some(key) = self.group_of.remove(&instance_id) {
            self.forget(&key);
        }
    }

    /// Drops a group's view.
    pub(crate) fn forget(&mut self, key: &GroupKey) {
        if let Some(group) = self.groups.remove(key) {
            for cached in group.members {
                self.group_of.remove(&cached.instance.id);
            }
        }
    }

    /// Drops every view (an instance was created, or moved between groups). Slots in flight
    /// stay counted: their transactions still answer.
    pub(crate) fn clear(&mut self) {
        self.groups.clear();
        self.group_of.clear();
    }
}
