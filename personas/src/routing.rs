//! Routing: which instance does a persona job.
//!
//! A job of persona type T in project P goes to an instance that is active, of type T, works for
//! P (and for the job's repository, when the instance is narrowed to one), has a free slot (open
//! assignments below its capacity) and budget left today and this month. Among those the choice
//! is deterministic: the fewest open tasks, then the best recent success rate (the last
//! [`SUCCESS_WINDOW`](crate::SUCCESS_WINDOW) finished assignments; none yet counts as all
//! succeeded), then the higher priority, then the name. The decision, the instances considered
//! and why each was passed over go to the audit log in the same transaction as the assignment.
//! With no such instance the job waits ([`RouteDecision::Wait`]); routing never fails a job.
//!
//! The decision is made in memory, on routing's view of the candidates ([`crate::index`]); its
//! writes (the slot, the assignment, the audit entry; a finish) are group-committed with the
//! routes and finishes beside it ([`crate::commit`]), and a route or finish answers only once
//! they are durable: a job's handler never runs on an assignment a SIGKILL could take back.
//!
//! Taking the slot is still a conditional update (`open_tasks + n <= max_concurrent_tasks`) in
//! the transaction that records the assignment, so under any concurrency, from any number of
//! processes, no instance holds more jobs than its capacity: on SQLite the write transaction
//! holds the file's write lock; on PostgreSQL the update waits for the row's lock and re-checks
//! its condition on the newest version. A route the store refused reads the view again and
//! decides again.

use std::cmp::Ordering;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;

use crate::audit::{Append, AuditKind};
use crate::commit::{Done, Write};
use crate::db::{Row, Tx, args};
use crate::error::{RegistryError, Result};
use crate::index::{Cached, Group, GroupKey, Index, other_repository, success_order, unavailable};
use crate::model::{INSTANCE_COLUMNS, Instance, InstanceRef, Project, Status};
use crate::period::Period;
use crate::registry::{Registry, known_type, resolve};

/// How often a route that lost the race for a slot reads again before leaving the job waiting.
const ATTEMPTS: usize = 64;

/// How many runners-up a routing entry of the audit log names.
const RUNNERS_UP: usize = 3;

/// How many of the instances passed over a decision names (in the audit log, and in a waiting
/// job's reason); the others are counted.
const PASSED_OVER_SHOWN: usize = 10;

/// A persona job to place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteRequest {
    /// The job's key (unique per job, as the engine or the broker hands it out).
    pub job_key: i64,
    /// The responsible persona type (the job's `persona` header).
    pub persona_type: String,
    /// The project the work is for.
    pub project: Project,
    /// The workflow (process) instance the job belongs to.
    pub workflow_instance: Option<i64>,
    /// The BPMN element that raised the job.
    pub element_id: Option<String>,
}

/// An instance that was considered for a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Its id.
    pub instance_id: i64,
    /// Its name.
    pub name: String,
    /// Tasks it held.
    pub open_tasks: u32,
    /// Its capacity.
    pub max_concurrent_tasks: u32,
    /// Recent successes ...
    pub recent_succeeded: u32,
    /// ... of this many finished assignments.
    pub recent_finished: u32,
    /// Its priority.
    pub priority: i32,
    /// Why it could not take the job (`None`: it could).
    pub skipped: Option<String>,
}

/// A job given to an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The job.
    pub job_key: i64,
    /// The instance that has it.
    pub instance_id: i64,
    /// That instance's name.
    pub instance_name: String,
    /// Tasks the instance holds with this one.
    pub open_tasks: u32,
    /// Its capacity.
    pub max_concurrent_tasks: u32,
    /// True when the job was already with the instance (routing the same job again is safe).
    pub already_assigned: bool,
    /// Why this instance, in words.
    pub reason: String,
    /// Every instance considered, in ranking order (the chosen one first); empty when the job
    /// was already assigned.
    pub candidates: Vec<Candidate>,
}

/// What routing decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum RouteDecision {
    /// The job has an instance.
    Assigned(Assignment),
    /// No instance can take the job now: leave it waiting (route it again when an instance
    /// finishes work, resumes or is created; its RACI escalation fires if it waits too long).
    Wait {
        /// Why, and what would help.
        reason: String,
        /// The instances considered and why each was passed over.
        candidates: Vec<Candidate>,
    },
}

/// How a job ended for the instance that held it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Done; counts for the instance's success rate.
    Succeeded,
    /// Failed; counts against it.
    Failed,
    /// Stopped from outside (the workflow was cancelled); does not count either way.
    Cancelled,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// The letter the success window records, if the outcome counts.
    pub(crate) fn window_mark(self) -> &'static str {
        match self {
            Outcome::Succeeded => "s",
            Outcome::Failed => "f",
            Outcome::Cancelled => "",
        }
    }
}

/// A job an instance held or holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignedJob {
    /// The job.
    pub job_key: i64,
    /// The instance.
    pub instance_id: i64,
    /// The persona type it was routed as.
    pub persona_type: String,
    /// The project.
    pub project: Project,
    /// The workflow instance.
    pub workflow_instance: Option<i64>,
    /// The BPMN element.
    pub element_id: Option<String>,
    /// When it was assigned (epoch ms).
    pub started_millis: i64,
    /// When it finished (epoch ms), if it has.
    pub finished_millis: Option<i64>,
    /// How it ended: `succeeded`, `failed`, `cancelled` or `reassigned`; `None` while open.
    pub outcome: Option<String>,
}

impl AssignedJob {
    /// The request that routes the job again (after it was taken back from its instance).
    pub fn route_request(&self) -> RouteRequest {
        RouteRequest {
            job_key: self.job_key,
            persona_type: self.persona_type.clone(),
            project: self.project.clone(),
            workflow_instance: self.workflow_instance,
            element_id: self.element_id.clone(),
        }
    }

    pub(crate) fn from_row(row: &Row) -> Result<Self> {
        Ok(Self {
            job_key: row.get("job_key")?,
            instance_id: row.get("instance_id")?,
            persona_type: row.get("persona_type")?,
            project: Project {
                organisation: row.get("organisation")?,
                project: row.get("project")?,
                repository: row.get("repository")?,
            },
            workflow_instance: row.get("workflow_instance")?,
            element_id: row.get("element_id")?,
            started_millis: row.get("started_at")?,
            finished_millis: row.get("finished_at")?,
            outcome: row.get("outcome")?,
        })
    }
}

/// The columns [`AssignedJob::from_row`] reads.
pub(crate) const JOB_COLUMNS: &str = "job_key, instance_id, persona_type, organisation, project, repository, workflow_instance, \
     element_id, started_at, finished_at, outcome";

impl Registry {
    /// Places a persona job (see the [module documentation](crate::routing) for the rules). A job
    /// routed again while its assignment is open gets the same instance back
    /// ([`Assignment::already_assigned`]). Fails only when the persona type is unknown or the
    /// store fails; "no instance can take it" is [`RouteDecision::Wait`].
    pub async fn route(&self, request: &RouteRequest) -> Result<RouteDecision> {
        let (registry, request) = (self.clone(), request.clone());
        self.db.detach(async move { registry.route_here(&request).await }).await
    }

    async fn route_here(&self, request: &RouteRequest) -> Result<RouteDecision> {
        for _ in 0..ATTEMPTS {
            if let Some(decision) = self.route_once(request).await? {
                return Ok(decision);
            }
        }
        Ok(RouteDecision::Wait {
            reason: format!(
                "every free slot for `{}` in {} was taken by other jobs while this one was being placed ({ATTEMPTS} tries); route it again",
                request.persona_type, request.project
            ),
            candidates: Vec::new(),
        })
    }

    /// One routing decision and its group-committed writes; `None` when the store refused the
    /// chosen slot (another process took it, or the instance changed) and the view is read again.
    async fn route_once(&self, request: &RouteRequest) -> Result<Option<RouteDecision>> {
        let now = self.now();
        let period = Period::at(now);
        let key = GroupKey {
            persona_type: request.persona_type.clone(),
            organisation: request.project.organisation.clone(),
            project: request.project.project.clone(),
        };
        let repository = request.project.repository.as_deref();
        // A view that leaves the job waiting is checked against the store: it may be behind
        // (slots freed or instances resumed elsewhere).
        let asked = Instant::now();
        let choice = match self.choose_on_view(&key, repository, period, now) {
            Some(choice) => choice,
            None => {
                // One read of a view at a time: the routes that found it stale meanwhile decide
                // on the view the read under way brings, rather than each reading it again.
                let _reading = self.group_reads.lock().await;
                let viewed = {
                    let mut index = self.index();
                    index
                        .read_since(&key, period, asked)
                        .map(|members| Choice::of(members, repository))
                        .map(|c| c.counted(&mut index, now))
                };
                match viewed {
                    Some(choice) => choice,
                    None => {
                        let mut tx = self.db.read().await?;
                        known_type(&mut tx, &request.persona_type).await?;
                        let members = read_group(&mut tx, &key, period).await?;
                        tx.commit().await?;
                        let mut index = self.index();
                        Choice::of(index.put(key.clone(), members, period), repository).counted(&mut index, now)
                    }
                }
            }
        };
        let Some(chosen) = &choice.chosen else {
            // The slot this job waits for may be its own: routed again after its activation
            // timed out or its worker restarted, it gets its holder back.
            let mut tx = self.db.read().await?;
            let held = open_assignment(&mut tx, request.job_key, now).await?;
            tx.commit().await?;
            if let Some(held) = held {
                return Ok(Some(RouteDecision::Assigned(held)));
            }
            let candidates = choice.candidates();
            let reason = choice.wait_reason(request);
            let details = json!({
                "decision": "wait", "persona_type": request.persona_type, "project": request.project.to_string(),
                "reason": reason, "passed_over": choice.passed_over_count, "skipped": choice.skipped(),
            });
            self.commits.submit(self, Write::Wait { request: request.clone(), details: details.to_string() }).await?;
            return Ok(Some(RouteDecision::Wait { reason, candidates }));
        };
        let reason = choice.reason();
        let candidates = choice.candidates();
        let details = AssignedEntry {
            decision: "assigned",
            persona_type: &request.persona_type,
            project: request.project.to_string(),
            instance: &chosen.name,
            reason: &reason,
            open_tasks: chosen.open_tasks + 1,
            max_concurrent_tasks: chosen.max_concurrent_tasks,
            eligible: choice.eligible,
            considered: choice.considered,
            runners_up: choice.runners_up.iter().map(RunnerUp::of).collect(),
            passed_over: choice.passed_over_count,
            skipped: choice.skipped(),
        };
        let details = serde_json::to_string(&details).map_err(|e| RegistryError::Invalid(e.to_string()))?;
        let write = Write::Take { request: request.clone(), instance_id: chosen.instance_id, details };
        let done = self.commits.submit(self, write).await;
        {
            let mut index = self.index();
            index.settled(chosen.instance_id);
            if !matches!(done, Ok(Done::Taken)) {
                // The view was behind the store, or the write failed: read it again.
                index.forget(&key);
            }
        }
        match done? {
            Done::Taken => Ok(Some(RouteDecision::Assigned(Assignment {
                job_key: request.job_key,
                instance_id: chosen.instance_id,
                instance_name: chosen.name.clone(),
                open_tasks: chosen.open_tasks + 1,
                max_concurrent_tasks: chosen.max_concurrent_tasks,
                already_assigned: false,
                reason,
                candidates,
            }))),
            // The job was placed before (or by a route beside this one): answer with its holder.
            Done::Held => {
                let mut tx = self.db.read().await?;
                let held = open_assignment(&mut tx, request.job_key, now).await?;
                tx.commit().await?;
                Ok(held.map(RouteDecision::Assigned))
            }
            _ => Ok(None),
        }
    }

    /// Decides on the group's cached view when it is fresh and has an instance for the job,
    /// counting the chosen slot taken in it; `None` sends the route to the store.
    fn choose_on_view(&self, key: &GroupKey, repository: Option<&str>, period: Period, now: i64) -> Option<Choice> {
        let mut index = self.index();
        let choice = Choice::of(index.fresh(key, period)?, repository);
        choice.chosen.as_ref()?;
        Some(choice.counted(&mut index, now))
    }

    /// Ends a job's assignment: frees the slot, counts the outcome in the instance's recent
    /// success rate, and releases money still set aside for the job. Fails when the job has no
    /// open assignment (never routed, finished already, or taken back). Group-committed with
    /// the routes and finishes beside it ([`crate::commit`]); answers once it is durable.
    pub async fn finish(&self, job_key: i64, outcome: Outcome) -> Result<AssignedJob> {
        let registry = self.clone();
        self.db.detach(async move { registry.finish_here(job_key, outcome).await }).await
    }

    async fn finish_here(&self, job_key: i64, outcome: Outcome) -> Result<AssignedJob> {
        match self.commits.submit(self, Write::Finish { job_key, outcome }).await? {
            Done::Finished { job, released: true } => {
                // Its budget view changed too: read it again.
                self.index().forget_instance(job.instance_id);
                Ok(*job)
            }
            Done::Finished { job, released: false } => {
                self.index().freed(job.instance_id, 1, outcome.window_mark(), self.now());
                Ok(*job)
            }
            _ => Err(RegistryError::NotFound(format!(
                "job {job_key} has no open assignment: it was never routed, has finished already, or was taken back from its instance"
            ))),
        }
    }

    /// Takes every open job back from a paused or retired instance and returns them, so the
    /// runtime routes each again ([`AssignedJob::route_request`]); nothing is lost: each job is
    /// either still with the instance or returned here. Refused for an active instance (pause
    /// it first, or it could be given the work straight back).
    pub async fn reassign_open_work(&self, instance: &InstanceRef) -> Result<Vec<AssignedJob>> {
        let instance = instance.clone();
        self.detached(move |r| async move { r.reassign_open_work_here(&instance).await }).await
    }

    async fn reassign_open_work_here(&self, instance: &InstanceRef) -> Result<Vec<AssignedJob>> {
        let now = self.now();
        let mut tx = self.db.write().await?;
        let holder = resolve(&mut tx, instance, now).await?;
        if holder.status == Status::Active {
            return Err(RegistryError::WrongStatus(format!(
                "instance `{}` is active; pause or retire it before taking its work back",
                holder.name
            )));
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "UPDATE persona_assignment SET finished_at = $2, outcome = 'reassigned' \
                     WHERE instance_id = $1 AND finished_at IS NULL RETURNING {JOB_COLUMNS}"
                ),
                &args![holder.id, now],
            )
            .await?;
        let mut jobs: Vec<AssignedJob> = rows.iter().map(AssignedJob::from_row).collect::<Result<_>>()?;
        jobs.sort_by_key(|job| (job.started_millis, job.job_key));
        if !jobs.is_empty() {
            tx.execute(
                "UPDATE persona_instance SET open_tasks = open_tasks - $2, last_activity = $3 WHERE id = $1",
                &args![holder.id, jobs.len() as i64, now],
            )
            .await?;
            let keys: Vec<i64> = jobs.iter().map(|job| job.job_key).collect();
            Append::about(
                AuditKind::InstanceChange,
                holder.id,
                json!({"action": "reassign", "status": holder.status, "jobs": keys}),
            )
            .write(&mut tx, now)
            .await?;
        }
        tx.commit().await?;
        self.index().forget_instance(holder.id);
        Ok(jobs)
    }

    /// The jobs an instance holds now, oldest first.
    pub async fn open_work(&self, instance: &InstanceRef) -> Result<Vec<AssignedJob>> {
        let instance = instance.clone();
        self.detached(move |r| async move { r.open_work_here(&instance).await }).await
    }

    async fn open_work_here(&self, instance: &InstanceRef) -> Result<Vec<AssignedJob>> {
        let now = self.now();
        let mut tx = self.db.read().await?;
        let holder = resolve(&mut tx, instance, now).await?;
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {JOB_COLUMNS} FROM persona_assignment WHERE instance_id = $1 AND finished_at IS NULL \
                     ORDER BY started_at, id"
                ),
                &args![holder.id],
            )
            .await?;
        tx.commit().await?;
        rows.iter().map(AssignedJob::from_row).collect()
    }
}

/// The open assignment of `job_key`, as a routing answer.
async fn open_assignment(tx: &mut Tx, job_key: i64, now: i64) -> Result<Option<Assignment>> {
    let row = tx
        .fetch_optional(
            "SELECT instance_id FROM persona_assignment WHERE job_key = $1 AND finished_at IS NULL",
            &args![job_key],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let holder = crate::registry::load(tx, row.get("instance_id")?, now).await?;
    Ok(Some(Assignment {
        job_key,
        instance_id: holder.id,
        instance_name: holder.name.clone(),
        open_tasks: holder.open_tasks,
        max_concurrent_tasks: holder.max_concurrent_tasks,
        already_assigned: true,
        reason: format!("job {job_key} is already with `{}`", holder.name),
        candidates: Vec::new(),
    }))
}

/// Why `instance` cannot take a job of `repository` now, or `None` when it can.
fn skip_reason(instance: &Instance, repository: Option<&str>) -> Option<String> {
    if instance.status != Status::Active {
        return unavailable(instance);
    }
    other_repository(instance, repository).or_else(|| unavailable(instance))
}

/// The routing decision over a group's view: the best instance that can take the job, the
/// runners-up behind it, and the first of those passed over. Taken from the front of the view's
/// order, so placing a job costs little more with a thousand candidates than with ten.
struct Choice {
    chosen: Option<Candidate>,
    runners_up: Vec<Candidate>,
    /// The first [`PASSED_OVER_SHOWN`] instances passed over (by id), with why.
    passed_over: Vec<Candidate>,
    /// How many were passed over in all.
    passed_over_count: usize,
    eligible: usize,
    considered: usize,
}

impl Choice {
    fn of(group: &Group, repository: Option<&str>) -> Self {
        let fits = |instance: &&Instance| other_repository(instance, repository).is_none();
        let mut best = group.ranked().filter(fits).take(RUNNERS_UP + 1).map(|i| candidate(i, None));
        let chosen = best.next();
        let runners_up = best.collect();
        // Instances that could take work, but not of this repository.
        let elsewhere: Vec<&Instance> = group.narrowed_available().filter(|i| !fits(i)).collect();
        let mut shown: Vec<&Instance> =
            group.unavailable().take(PASSED_OVER_SHOWN).chain(elsewhere.iter().copied()).collect();
        shown.sort_by_key(|instance| instance.id);
        shown.truncate(PASSED_OVER_SHOWN);
        let passed_over = shown.into_iter().map(|i| candidate(i, skip_reason(i, repository))).collect();
        Self {
            chosen,
            runners_up,
            passed_over,
            passed_over_count: group.len() - group.ranked_len() + elsewhere.len(),
            eligible: group.ranked_len() - elsewhere.len(),
            considered: group.len(),
        }
    }

    /// Counts the chosen instance's slot taken in the view, before its write commits.
    fn counted(self, index: &mut Index, now: i64) -> Self {
        if let Some(chosen) = &self.chosen {
            index.chose(chosen.instance_id, now);
        }
        self
    }

    /// The candidates for the caller: the chosen instance, the runners-up, then the first
    /// instances passed over (with why).
    fn candidates(&self) -> Vec<Candidate> {
        self.chosen.iter().chain(&self.runners_up).chain(&self.passed_over).cloned().collect()
    }

    /// The first instances passed over, with why, for the audit log (`passed_over` counts them
    /// all).
    fn skipped(&self) -> Vec<Skipped<'_>> {
        (self.passed_over.iter())
            .map(|c| Skipped { instance: &c.name, why: c.skipped.as_deref().unwrap_or_default() })
            .collect()
    }

    /// Why a job waits, and what would help.
    fn wait_reason(&self, request: &RouteRequest) -> String {
        if self.considered == 0 {
            return format!(
                "no instance of `{}` works for {}; create one with `orchestrator personas create NAME --type {} --project {}`",
                request.persona_type,
                request.project.key(),
                request.persona_type,
                request.project.key()
            );
        }
        let mut why: Vec<String> = (self.passed_over.iter())
            .map(|c| format!("`{}` {}", c.name, c.skipped.as_deref().unwrap_or_default()))
            .collect();
        if self.passed_over_count > why.len() {
            why.push(format!("and {} more", self.passed_over_count - why.len()));
        }
        format!(
            "no instance of `{}` in {} can take it now: {}; it waits until one finishes work, resumes or gets budget",
            request.persona_type,
            request.project,
            why.join(", ")
        )
    }

    /// Why the chosen instance won: the first ranking key that sets it apart from the runner-up.
    fn reason(&self) -> String {
        let Some(chosen) = &self.chosen else { return String::new() };
        let eligible = self.eligible;
        let load = format!("{} of {} tasks", chosen.open_tasks, chosen.max_concurrent_tasks);
        let Some(runner_up) = self.runners_up.first() else {
            return format!("the only instance that can take it ({load} before this one)");
        };
        let recent = |i: &Candidate| format!("{}/{}", i.recent_succeeded, i.recent_finished);
        if chosen.open_tasks != runner_up.open_tasks {
            format!("the least loaded of {eligible} that can take it ({load} before this one)")
        } else if success_order(
            (chosen.recent_succeeded, chosen.recent_finished),
            (runner_up.recent_succeeded, runner_up.recent_finished),
        ) != Ordering::Equal
        {
            format!(
                "as loaded as `{}` ({load}), with a better recent success rate ({} against {})",
                runner_up.name,
                recent(chosen),
                recent(runner_up)
            )
        } else if chosen.priority != runner_up.priority {
            format!(
                "as loaded and as successful as `{}`, with a higher priority ({} against {})",
                runner_up.name, chosen.priority, runner_up.priority
            )
        } else {
            format!("tied with `{}` on load, success rate and priority; first by name", runner_up.name)
        }
    }
}

/// The audit log's routing entry for a job given to an instance (serialized straight to text:
/// it is written for every job).
#[derive(Serialize)]
struct AssignedEntry<'a> {
    decision: &'static str,
    persona_type: &'a str,
    project: String,
    instance: &'a str,
    reason: &'a str,
    open_tasks: u32,
    max_concurrent_tasks: u32,
    eligible: usize,
    considered: usize,
    runners_up: Vec<RunnerUp<'a>>,
    passed_over: usize,
    skipped: Vec<Skipped<'a>>,
}

/// A runner-up in a routing entry.
#[derive(Serialize)]
struct RunnerUp<'a> {
    instance: &'a str,
    open_tasks: u32,
    recent: String,
    priority: i32,
}

impl<'a> RunnerUp<'a> {
    fn of(candidate: &'a Candidate) -> Self {
        Self {
            instance: &candidate.name,
            open_tasks: candidate.open_tasks,
            recent: format!("{}/{}", candidate.recent_succeeded, candidate.recent_finished),
            priority: candidate.priority,
        }
    }
}

/// An instance passed over, in a routing entry.
#[derive(Serialize)]
struct Skipped<'a> {
    instance: &'a str,
    why: &'a str,
}

/// Reads a group's members from the store.
async fn read_group(tx: &mut Tx, key: &GroupKey, period: Period) -> Result<Vec<Cached>> {
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT {INSTANCE_COLUMNS} FROM persona_instance \
                 WHERE persona_type = $1 AND organisation = $2 AND project = $3 ORDER BY id"
            ),
            &args![key.persona_type.as_str(), key.organisation.as_str(), key.project.as_str()],
        )
        .await?;
    rows.iter()
        .map(|row| Ok(Cached { instance: Instance::from_row(row, period)?, recent: row.get("recent_outcomes")? }))
        .collect()
}

fn candidate(instance: &Instance, skipped: Option<String>) -> Candidate {
    Candidate {
        instance_id: instance.id,
        name: instance.name.clone(),
        open_tasks: instance.open_tasks,
        max_concurrent_tasks: instance.max_concurrent_tasks,
        recent_succeeded: instance.recent_succeeded,
        recent_finished: instance.recent_finished,
        priority: instance.priority,
        skipped,
    }
}
