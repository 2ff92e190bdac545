//! Group commit of routing's writes: the routes and finishes that arrive while the store is
//! busy share its next transaction.
//!
//! Routing decides in memory ([`crate::index`]); what it decided still has to be durable before
//! the caller hears of it: a route is answered only once the transaction holding its assignment
//! (the slot taken, the assignment row, its audit entry) committed, and a finish once the slot
//! is freed in the store. So a job whose handler runs has a committed assignment, and a SIGKILL
//! loses only writes nobody was told about (their routes run again and find the store as it
//! was).
//!
//! There is no background task: the first caller to find no commit under way leads it, taking
//! every write queued (up to [`MAX_BATCH`]) into one transaction; the others wait for its answer
//! or, when it is done, lead the next one. A leader that goes away mid-commit (its task was
//! dropped) answers its batch with an error, and the next caller leads.
//!
//! In the transaction the store stays the authority on capacity and on "one open assignment per
//! job": slots are taken by one conditional update per batch (`status = 'active' AND
//! open_tasks + n <= max_concurrent_tasks`) and assignments inserted with `ON CONFLICT DO
//! NOTHING` on the open-job index, so a view that was behind is refused ([`Done::Refused`],
//! [`Done::Held`]), never obeyed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::oneshot::error::TryRecvError;
use tokio::sync::{Notify, oneshot};

use crate::audit::{Append, AuditKind};
use crate::db::{Arg, Tx, args};
use crate::error::{RegistryError, Result};
use crate::model::SUCCESS_WINDOW;
use crate::registry::Registry;
use crate::routing::{AssignedJob, JOB_COLUMNS, Outcome, RouteRequest};

/// The most writes one transaction takes (bounds how long the store's write lock is held, and
/// how long the first writer of a batch waits for the last).
pub(crate) const MAX_BATCH: usize = 1024;

/// A write routing wants durable.
#[derive(Debug)]
pub(crate) enum Write {
    /// Take a slot of the instance for the job; record the assignment and the routing entry.
    Take {
        /// The job.
        request: RouteRequest,
        /// The instance chosen.
        instance_id: i64,
        /// The routing entry's details (a JSON object, as text).
        details: String,
    },
    /// Record that the job waits.
    Wait {
        /// The job.
        request: RouteRequest,
        /// The routing entry's details (a JSON object, as text).
        details: String,
    },
    /// End the job's open assignment.
    Finish {
        /// The job.
        job_key: i64,
        /// How it ended.
        outcome: Outcome,
    },
}

/// What the store made of a write.
#[derive(Debug)]
pub(crate) enum Done {
    /// The slot is taken and the assignment recorded.
    Taken,
    /// The instance had no free slot in the store, or is no longer active.
    Refused,
    /// The job already has an open assignment.
    Held,
    /// The waiting job's entry is recorded.
    Recorded,
    /// The assignment ended; `released`: money set aside for the job was given back.
    Finished {
        /// The job as it ended.
        job: Box<AssignedJob>,
        /// True when a reservation was released with it.
        released: bool,
    },
    /// The job had no open assignment.
    NotOpen,
}

struct Pending {
    write: Write,
    done: oneshot::Sender<Result<Done>>,
}

#[derive(Default)]
struct Queue {
    writes: Vec<Pending>,
    leading: bool,
}

/// The queue of writes waiting for a transaction, and whether one is under way.
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Queue>,
    idle: Notify,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GroupCommit")
    }
}

/// Marks the end of a leader's commit, also when its task is dropped mid-way, and wakes one
/// waiting writer to lead the next commit when writes are queued. One, not all: with a thousand
/// writers waiting, waking every one per commit costs more than the commit. (A writer woken
/// while its own answer arrived passes the wake-up on: tokio forwards a `notify_one` whose
/// `Notified` is dropped unused.)
struct Leading<'a>(&'a GroupCommit);

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let queued = {
            let mut queue = self.0.lock();
            queue.leading = false;
            !queue.writes.is_empty()
        };
        if queued {
            self.0.idle.notify_one();
        }
    }
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes `write` durable with the writes queued beside it; answers once its transaction
    /// committed (or failed: then nothing of the batch is in the store).
    pub(crate) async fn submit(&self, registry: &Registry, write: Write) -> Result<Done> {
        let (done, mut answer) = oneshot::channel();
        self.lock().writes.push(Pending { write, done });
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if let Some(batch) = self.lead() {
                let _leading = Leading(self);
                commit_batch(registry, batch).await;
            }
            match answer.try_recv() {
                Ok(done) => return done,
                Err(TryRecvError::Closed) => return Err(interrupted(registry)),
                Err(TryRecvError::Empty) => {}
            }
            tokio::select! {
                done = &mut answer => return done.unwrap_or_else(|_| Err(interrupted(registry))),
                () = idle => {}
            }
        }
    }

    /// The writes to commit now, when no other commit is under way.
    fn lead(&self) -> Option<Vec<Pending>> {
        let mut queue = self.lock();
        if queue.leading || queue.writes.is_empty() {
            return None;
        }
        queue.leading = true;
        let take = queue.writes.len().min(MAX_BATCH);
        Some(queue.writes.drain(..take).collect())
    }
}

fn interrupted(registry: &Registry) -> RegistryError {
    RegistryError::Store {
        location: registry.db.location().to_owned(),
        message: "the transaction holding this write was interrupted (its task stopped); it may not be in the store, so route or finish the job again".into(),
    }
}

/// Commits a batch and answers each of its writers.
async fn commit_batch(registry: &Registry, batch: Vec<Pending>) {
    let (writes, answers): (Vec<Write>, Vec<_>) = batch.into_iter().map(|p| (p.write, p.done)).unzip();
    match commit(registry, &writes).await {
        Ok(dones) => {
            for (answer, done) in answers.into_iter().zip(dones) {
                let _ = answer.send(Ok(done));
            }
        }
        Err(error) => {
            for answer in answers {
                let _ = answer.send(Err(error.clone()));
            }
        }
    }
}

/// One transaction for `writes`: finishes first (they free slots), then slots taken, the
/// assignments and the routing entries. Answers in the order of `writes`.
async fn commit(registry: &Registry, writes: &[Write]) -> Result<Vec<Done>> {
    let now = registry.now();
    let mut tx = registry.db.write().await?;
    let mut dones: BTreeMap<usize, Done> = BTreeMap::new();
    let finishes: Vec<(usize, i64, Outcome)> = writes
        .iter()
        .enumerate()
        .filter_map(|(at, write)| match write {
            Write::Finish { job_key, outcome } => Some((at, *job_key, *outcome)),
            Write::Wait { .. } => {
                dones.insert(at, Done::Recorded);
                None
            }
            Write::Take { .. } => None,
        })
        .collect();
    let takes = distinct_takes(writes, &mut dones);
    let mut ended = end_assignments(&mut tx, &finishes, now).await?;
    let released = crate::spend::take_job_reservations(&mut tx, &ended.keys().copied().collect::<Vec<_>>()).await?;
    if registry.db.is_postgres() {
        // Every instance row the batch changes, locked in one order, so two batches (or a batch
        // and a single-row update) never wait for each other in a circle.
        let instances: BTreeSet<i64> = (ended.values().map(|job| job.instance_id))
            .chain(released.iter().map(|(_, instance_id, _)| *instance_id))
            .chain(takes.iter().map(|(_, _, instance_id)| *instance_id))
            .collect();
        lock_instances(&mut tx, &instances).await?;
    }
    crate::spend::give_back_reserved(&mut tx, &released).await?;
    let released: HashSet<i64> = released.iter().map(|(job_key, _, _)| *job_key).collect();
    // Per instance: jobs ended and their success marks, newest (latest in the batch) first.
    let mut load: BTreeMap<i64, (i64, String)> = BTreeMap::new();
    for &(at, job_key, outcome) in &finishes {
        let done = match ended.remove(&job_key) {
            Some(job) => {
                let (count, marks) = load.entry(job.instance_id).or_default();
                *count -= 1;
                marks.insert_str(0, outcome.window_mark());
                Done::Finished { released: released.contains(&job_key), job: Box::new(job) }
            }
            None => Done::NotOpen,
        };
        dones.insert(at, done);
    }
    let changes: Vec<(i64, i64, String)> = load.into_iter().map(|(id, (count, marks))| (id, count, marks)).collect();
    shift_load(&mut tx, &changes, now).await?;
    take_slots(&mut tx, &takes, now, &mut dones).await?;
    let entries: Vec<Append<'_>> = writes
        .iter()
        .enumerate()
        .filter_map(|(at, write)| match (write, dones.get(&at)) {
            (Write::Take { request, instance_id, details }, Some(Done::Taken)) => {
                Some(routing_entry(request, Some(*instance_id), details))
            }
            (Write::Wait { request, details }, _) => Some(routing_entry(request, None, details)),
            _ => None,
        })
        .collect();
    crate::audit::append_all(&mut tx, &entries, now).await?;
    tx.commit().await?;
    // Every write has its answer by now; one without would only be routed again.
    Ok((0..writes.len()).map(|at| dones.remove(&at).unwrap_or(Done::Refused)).collect())
}

/// The routing entry of the audit log for a job.
pub(crate) fn routing_entry<'a>(request: &'a RouteRequest, instance_id: Option<i64>, details: &'a str) -> Append<'a> {
    Append {
        kind: AuditKind::Routing,
        instance_id,
        workflow_instance: request.workflow_instance,
        element_id: request.element_id.as_deref(),
        job_key: Some(request.job_key),
        details: details.into(),
    }
}

/// A slot to take: the write's place in the batch, the job, the instance.
type Take<'a> = (usize, &'a RouteRequest, i64);

/// The batch's routes, each job once: a job routed twice in one batch keeps its first placement
/// (the others are [`Done::Held`]).
fn distinct_takes<'a>(writes: &'a [Write], dones: &mut BTreeMap<usize, Done>) -> Vec<Take<'a>> {
    let mut seen = HashSet::new();
    let mut takes = Vec::new();
    for (at, write) in writes.iter().enumerate() {
        if let Write::Take { request, instance_id, .. } = write {
            if seen.insert(request.job_key) {
                takes.push((at, request, *instance_id));
            } else {
                dones.insert(at, Done::Held);
            }
        }
    }
    takes
}

/// Ends the open assignments of the finishes (one statement per outcome); returns them by job.
async fn end_assignments(
    tx: &mut Tx,
    finishes: &[(usize, i64, Outcome)],
    now: i64,
) -> Result<HashMap<i64, AssignedJob>> {
    let mut ended = HashMap::new();
    for outcome in [Outcome::Succeeded, Outcome::Failed, Outcome::Cancelled] {
        let keys: Vec<[Arg; 1]> =
            finishes.iter().filter(|(_, _, o)| *o == outcome).map(|(_, key, _)| [Arg::from(*key)]).collect();
        if keys.is_empty() {
            continue;
        }
        let rows = tx
            .fetch_rows(&args![now, outcome.as_str()], &keys, |keys| {
                format!(
                    "UPDATE persona_assignment SET finished_at = $1, outcome = $2 \
                     WHERE finished_at IS NULL AND job_key IN (VALUES {keys}) RETURNING {JOB_COLUMNS}"
                )
            })
            .await?;
        for row in rows {
            let job = AssignedJob::from_row(&row)?;
            ended.insert(job.job_key, job);
        }
    }
    Ok(ended)
}

/// Locks instance rows in id order (PostgreSQL).
async fn lock_instances(tx: &mut Tx, instances: &BTreeSet<i64>) -> Result<()> {
    if instances.is_empty() {
        return Ok(());
    }
    let ids: Vec<[Arg; 1]> = instances.iter().map(|id| [Arg::from(*id)]).collect();
    // In chunks of rising ids: every batch still locks in one order.
    tx.fetch_rows(&[], &ids, |ids| {
        format!("SELECT id FROM persona_instance WHERE id IN (VALUES {ids}) ORDER BY id FOR UPDATE")
    })
    .await?;
    Ok(())
}

/// Takes the slots of the batch's routes (all of an instance's or none, in one conditional
/// update) and records their assignments; a job placed meanwhile gives its slot back.
async fn take_slots(tx: &mut Tx, takes: &[Take<'_>], now: i64, dones: &mut BTreeMap<usize, Done>) -> Result<()> {
    if takes.is_empty() {
        return Ok(());
    }
    let mut wanted: BTreeMap<i64, i64> = BTreeMap::new();
    for (_, _, instance_id) in takes {
        *wanted.entry(*instance_id).or_default() += 1;
    }
    let slots: Vec<[Arg; 2]> = wanted.iter().map(|(id, count)| args![*id, *count]).collect();
    let rows = tx
        .fetch_rows(&args![now], &slots, |slots| {
            format!(
                "WITH t (now) AS (VALUES ($1)), v (instance, n) AS (VALUES {slots}) \
                 UPDATE persona_instance SET open_tasks = open_tasks + v.n, last_activity = t.now FROM v, t \
                 WHERE id = v.instance AND status = 'active' AND open_tasks + v.n <= max_concurrent_tasks RETURNING id"
            )
        })
        .await?;
    let granted: HashSet<i64> = rows.iter().map(|row| row.get::<i64>("id")).collect::<Result<_, _>>()?;
    let mut placed = Vec::new();
    for take @ (at, _, instance_id) in takes {
        if granted.contains(instance_id) {
            placed.push(take);
        } else {
            dones.insert(*at, Done::Refused);
        }
    }
    if placed.is_empty() {
        return Ok(());
    }
    let assignments: Vec<[Arg; 9]> = placed
        .iter()
        .map(|(_, request, instance_id)| {
            args![
                request.job_key,
                *instance_id,
                request.persona_type.as_str(),
                request.project.organisation.as_str(),
                request.project.project.as_str(),
                request.project.repository.as_deref(),
                request.workflow_instance,
                request.element_id.as_deref(),
                now,
            ]
        })
        .collect();
    let rows = tx
        .fetch_rows(&[], &assignments, |assignments| {
            format!(
                "INSERT INTO persona_assignment (job_key, instance_id, persona_type, organisation, project, repository, \
                 workflow_instance, element_id, started_at) VALUES {assignments} \
                 ON CONFLICT (job_key) WHERE finished_at IS NULL DO NOTHING RETURNING job_key"
            )
        })
        .await?;
    let inserted: HashSet<i64> = rows.iter().map(|row| row.get::<i64>("job_key")).collect::<Result<_, _>>()?;
    let mut given_back: BTreeMap<i64, i64> = BTreeMap::new();
    for (at, request, instance_id) in placed {
        if inserted.contains(&request.job_key) {
            dones.insert(*at, Done::Taken);
        } else {
            dones.insert(*at, Done::Held);
            *given_back.entry(*instance_id).or_default() -= 1;
        }
    }
    let changes: Vec<(i64, i64, String)> =
        given_back.into_iter().map(|(id, delta)| (id, delta, String::new())).collect();
    shift_load(tx, &changes, now).await
}

/// Changes instances' open tasks by a delta each and puts success marks in front of their
/// windows, in one statement.
async fn shift_load(tx: &mut Tx, changes: &[(i64, i64, String)], now: i64) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let rows: Vec<[Arg; 3]> =
        changes.iter().map(|(instance_id, delta, marks)| args![*instance_id, *delta, marks.as_str()]).collect();
    tx.fetch_rows(&args![now], &rows, |rows| {
        format!(
            "WITH t (now) AS (VALUES ($1)), v (instance, delta, marks) AS (VALUES {rows}) \
             UPDATE persona_instance SET open_tasks = open_tasks + v.delta, last_activity = t.now, \
             recent_outcomes = substr(v.marks || recent_outcomes, 1, {SUCCESS_WINDOW}) FROM v, t WHERE id = v.instance"
        )
    })
    .await?;
    Ok(())
}
