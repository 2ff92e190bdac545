//! Routing's in-memory view of its candidates: per persona type and project, the instances with
//! their load, capacity, recent success and budget, so that placing a job reads no instance
//! rows.
//!
//! The store stays the authority. Taking a slot is still the conditional update in the routing
//! transaction (`status = 'active' AND open_tasks < max_concurrent_tasks`), so a view that is
//! behind (another process took or freed slots, paused an instance, spent money) can cost a
//! retry or a less even spread, never an instance over its capacity or a job placed twice. The
//! view follows what this registry does (a slot taken or freed, an outcome) in place; it is read
//! again after [`FRESH`], when the day turns, after a lost race, and after any change to
//! instances made through this registry.

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
}

impl Index {
    /// The group's members, when its view is fresh for `period`.
    pub(crate) fn fresh(&self, key: &GroupKey, period: Period) -> Option<&[Cached]> {
        self.groups
            .get(key)
            .filter(|g| g.day == period.day && g.read_at.elapsed() < FRESH)
            .map(|g| g.members.as_slice())
    }

    /// Keeps `members`, just read, as the group's view.
    pub(crate) fn put(&mut self, key: GroupKey, members: Vec<Cached>, period: Period) {
        for cached in &members {
            self.group_of.insert(cached.instance.id, key.clone());
        }
        self.groups.insert(key, Group { members, read_at: Instant::now(), day: period.day });
    }

    fn member(&mut self, instance_id: i64) -> Option<&mut Cached> {
        let key = self.group_of.get(&instance_id)?;
        self.groups.get_mut(key)?.members.iter_mut().find(|c| c.instance.id == instance_id)
    }

    /// The instance took a job at `now`.
    pub(crate) fn took(&mut self, instance_id: i64, now: i64) {
        if let Some(cached) = self.member(instance_id) {
            cached.instance.open_tasks += 1;
            cached.instance.last_activity_millis = Some(now);
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

    /// Drops every view (an instance was created, or moved between groups).
    pub(crate) fn clear(&mut self) {
        self.groups.clear();
        self.group_of.clear();
    }
}
