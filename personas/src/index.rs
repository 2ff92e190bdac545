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
//!
//! Each view keeps the members that can take work now ([`unavailable`] says why the others
//! cannot) in routing's order ([`Rank`]), and moves a member as its load changes, so choosing
//! costs a few steps from the front of that order, not a pass over every member: a job is
//! placed as fast among a thousand instances as among ten.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use crate::model::{Instance, SUCCESS_WINDOW, Status};
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

/// Why `instance` cannot take any job now (paused or retired, at capacity, out of budget), or
/// `None` when it can take one (of its repository, when it is narrowed to one).
pub(crate) fn unavailable(instance: &Instance) -> Option<String> {
    match instance.status {
        Status::Paused => return Some("paused".into()),
        Status::Retired => return Some("retired".into()),
        Status::Active => {}
    }
    if instance.open_tasks >= instance.max_concurrent_tasks {
        return Some(format!("at capacity ({} of {} tasks)", instance.open_tasks, instance.max_concurrent_tasks));
    }
    let committed = |spent: crate::Money| spent.checked_add(instance.reserved).unwrap_or(spent);
    for (period, limit, spent) in [
        ("daily", instance.daily_limit, instance.spent_today),
        ("monthly", instance.monthly_limit, instance.spent_this_month),
    ] {
        if let Some(limit) = limit
            && committed(spent) >= limit
        {
            return Some(format!(
                "{period} budget used up ({} spent and {} in flight of {limit})",
                spent, instance.reserved
            ));
        }
    }
    None
}

/// Why `instance` cannot take a job of `repository` in particular: it works on another one only.
pub(crate) fn other_repository(instance: &Instance, repository: Option<&str>) -> Option<String> {
    let own = instance.project.as_ref()?.repository.as_deref()?;
    (repository != Some(own)).then(|| format!("works on repository {own} only"))
}

/// Compares recent success rates exactly (as fractions of `(succeeded, finished)`); no finished
/// work counts as 1/1, so a new instance is not ranked below a proven one.
pub(crate) fn success_order(a: (u32, u32), b: (u32, u32)) -> Ordering {
    let rate = |(succeeded, finished): (u32, u32)| match finished {
        0 => (1_u64, 1_u64),
        finished => (u64::from(succeeded), u64::from(finished)),
    };
    let ((a_won, a_of), (b_won, b_of)) = (rate(a), rate(b));
    (a_won * b_of).cmp(&(b_won * a_of))
}

/// A member's place in routing's order: fewest open tasks, best recent success rate, higher
/// priority, then name (as its place among the group's names) and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rank {
    open_tasks: u32,
    succeeded: u32,
    finished: u32,
    priority: i32,
    name_order: u32,
    id: i64,
}

impl Rank {
    fn of(instance: &Instance, name_order: u32) -> Self {
        Self {
            open_tasks: instance.open_tasks,
            succeeded: instance.recent_succeeded,
            finished: instance.recent_finished,
            priority: instance.priority,
            name_order,
            id: instance.id,
        }
    }
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.open_tasks
            .cmp(&other.open_tasks)
            .then_with(|| success_order((other.succeeded, other.finished), (self.succeeded, self.finished)))
            .then_with(|| other.priority.cmp(&self.priority))
            .then_with(|| self.name_order.cmp(&other.name_order))
            .then_with(|| self.id.cmp(&other.id))
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug)]
struct Member {
    cached: Cached,
    name_order: u32,
}

/// The view of one group.
#[derive(Debug)]
pub(crate) struct Group {
    /// Every member, by id.
    members: BTreeMap<i64, Member>,
    /// The members that can take work, best first.
    ranked: BTreeSet<Rank>,
    /// The others, by id.
    unavailable: BTreeSet<i64>,
    /// The members narrowed to one repository, by id.
    narrowed: Vec<i64>,
    read_at: Instant,
    day: i64,
}

impl Group {
    fn new(members: Vec<Cached>, read_at: Instant, day: i64) -> Self {
        let mut by_name: Vec<(&str, i64)> = members.iter().map(|c| (c.instance.name.as_str(), c.instance.id)).collect();
        by_name.sort_unstable();
        let name_order: HashMap<i64, u32> = by_name.iter().enumerate().map(|(at, (_, id))| (*id, at as u32)).collect();
        let mut group = Self {
            members: BTreeMap::new(),
            ranked: BTreeSet::new(),
            unavailable: BTreeSet::new(),
            narrowed: Vec::new(),
            read_at,
            day,
        };
        for cached in members {
            let id = cached.instance.id;
            if other_repository(&cached.instance, None).is_some() {
                group.narrowed.push(id);
            }
            group.members.insert(id, Member { cached, name_order: name_order[&id] });
            group.place(id);
        }
        group
    }

    /// Puts a member in the ranked set or the unavailable one, as it is now.
    fn place(&mut self, id: i64) {
        let Some(member) = self.members.get(&id) else { return };
        if unavailable(&member.cached.instance).is_none() {
            self.ranked.insert(Rank::of(&member.cached.instance, member.name_order));
        } else {
            self.unavailable.insert(id);
        }
    }

    /// Changes a member with `change`, keeping its place in the order.
    fn update(&mut self, id: i64, change: impl FnOnce(&mut Cached)) {
        let Some(member) = self.members.get_mut(&id) else { return };
        self.ranked.remove(&Rank::of(&member.cached.instance, member.name_order));
        self.unavailable.remove(&id);
        change(&mut member.cached);
        self.place(id);
    }

    /// How many members the group has.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// The members that can take work, best first (with those narrowed to a repository, which
    /// the caller checks against the job's).
    pub(crate) fn ranked(&self) -> impl Iterator<Item = &Instance> {
        self.ranked.iter().map(|rank| &self.members[&rank.id].cached.instance)
    }

    /// How many members can take work (of their repository).
    pub(crate) fn ranked_len(&self) -> usize {
        self.ranked.len()
    }

    /// The members that cannot take work now, by id.
    pub(crate) fn unavailable(&self) -> impl Iterator<Item = &Instance> {
        self.unavailable.iter().map(|id| &self.members[id].cached.instance)
    }

    /// The members narrowed to one repository that could take work of it, by id.
    pub(crate) fn narrowed_available(&self) -> impl Iterator<Item = &Instance> {
        (self.narrowed.iter()).filter(|id| !self.unavailable.contains(id)).map(|id| &self.members[id].cached.instance)
    }
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
    /// The group's view, when it is fresh for `period`.
    pub(crate) fn fresh(&self, key: &GroupKey, period: Period) -> Option<&Group> {
        self.groups.get(key).filter(|g| g.day == period.day && g.read_at.elapsed() < FRESH)
    }

    /// The group's view, when it was read from the store at or after `since` (for `period`): a
    /// route that found the view stale decides on the one read meanwhile, even when it has no
    /// instance for the job.
    pub(crate) fn read_since(&self, key: &GroupKey, period: Period, since: Instant) -> Option<&Group> {
        self.groups.get(key).filter(|g| g.day == period.day && g.read_at >= since)
    }

    /// Keeps `members`, just read, as the group's view (with the slots chosen here that the
    /// store does not hold yet), and returns it.
    pub(crate) fn put(&mut self, key: GroupKey, mut members: Vec<Cached>, period: Period) -> &Group {
        for cached in &mut members {
            self.group_of.insert(cached.instance.id, key.clone());
            cached.instance.open_tasks += self.in_flight.get(&cached.instance.id).copied().unwrap_or(0);
        }
        let group = Group::new(members, Instant::now(), period.day);
        self.groups.entry(key).insert_entry(group).into_mut()
    }

    /// Changes the instance's member in its group's view, if it has one.
    fn update(&mut self, instance_id: i64, change: impl FnOnce(&mut Cached)) {
        if let Some(key) = self.group_of.get(&instance_id)
            && let Some(group) = self.groups.get_mut(key)
        {
            group.update(instance_id, change);
        }
    }

    /// The instance was chosen for a job at `now`: its slot counts as taken from here on, and
    /// as in flight until [`Index::settled`].
    pub(crate) fn chose(&mut self, instance_id: i64, now: i64) {
        *self.in_flight.entry(instance_id).or_default() += 1;
        self.update(instance_id, |cached| {
            cached.instance.open_tasks += 1;
            cached.instance.last_activity_millis = Some(now);
        });
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
        self.update(instance_id, |cached| {
            cached.instance.open_tasks = cached.instance.open_tasks.saturating_sub(jobs);
            cached.instance.last_activity_millis = Some(now);
            if !mark.is_empty() {
                cached.recent = format!("{mark}{}", cached.recent).chars().take(SUCCESS_WINDOW).collect();
                cached.instance.recent_succeeded = cached.recent.chars().filter(|c| *c == 's').count() as u32;
                cached.instance.recent_finished = cached.recent.len() as u32;
            }
        });
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
            for id in group.members.keys() {
                self.group_of.remove(id);
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
