//! Runs a [`Case`] on one engine through the [`Engine`] trait, so both engines are driven by
//! the same code: same steps, same job order, same answers.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use engine::USER_TASK_JOB_TYPE;

use super::case::{Case, JobView, Reply, Step, Variables};
use super::outcome::{Change, Event, Lifecycle, Outcome};

/// A job as activated, on either engine.
#[derive(Debug, Clone)]
pub struct ActiveJob {
    pub key: i64,
    pub process_id: String,
    pub element_id: String,
    pub element_instance_key: i64,
    pub step_id: Option<String>,
    pub retries: i32,
    pub variables: Variables,
}

/// The commands the driver needs from an engine. Each returns once the engine has processed
/// everything the command caused. Errors are the engine's rejection, in words.
pub trait Engine {
    /// Deploys the resources (name, BPMN XML) in one deployment.
    async fn deploy(&mut self, resources: &[(String, String)]) -> Result<(), String>;
    /// Starts the latest version of a process; returns the instance key.
    async fn start(&mut self, process: &str, variables: Variables) -> Result<i64, String>;
    /// Activates every activatable job of these types.
    async fn activate(&mut self, job_types: &[String]) -> Result<Vec<ActiveJob>, String>;
    /// Does what the reply says with the job; false when the job no longer exists (its element
    /// was left meanwhile, as when a multi-instance completion condition ends the other
    /// instances of the round).
    async fn answer(&mut self, job: &ActiveJob, reply: Reply) -> Result<bool, String>;
    /// Publishes a message.
    async fn publish(&mut self, step: &Step) -> Result<(), String>;
    /// Broadcasts a signal.
    async fn signal(&mut self, name: &str, variables: Variables) -> Result<(), String>;
    /// Sets variables (not local) on an element or process instance.
    async fn set_variables(&mut self, scope_key: i64, variables: Variables) -> Result<(), String>;
    /// Gives a job retries.
    async fn update_retries(&mut self, job_key: i64, retries: i32) -> Result<(), String>;
    /// Resolves an incident.
    async fn resolve(&mut self, incident_key: i64) -> Result<(), String>;
    /// The engine clock, epoch milliseconds.
    async fn now(&mut self) -> Result<i64, String>;
    /// Moves the clock forward and returns once every timer due by then has fired.
    async fn advance(&mut self, by: Duration, events: &[Event]) -> Result<(), String>;
    /// Every event of this case so far, in the engine's order.
    async fn events(&mut self) -> Result<Vec<Event>, String>;
}

/// How long jobs stay activated: longer than any case moves the clock (the governance cases
/// move it by days), so a job left alone is never handed out again.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(30 * 24 * 3600);

/// Runs the case and returns its outcome (or why it could not run, which is a failure of the
/// harness or an engine rejecting a command the other accepted). `deploy` is false when the
/// previous case deployed the same resources.
pub async fn run(engine: &mut impl Engine, case: &Case, deploy: bool) -> Result<(Outcome, Vec<Event>), String> {
    if deploy {
        engine.deploy(&case.resources).await.map_err(|e| format!("deploy: {e}"))?;
    }
    let job_types = job_types(&case.resources)?;
    let mut roots = Vec::new();
    // The jobs the worker left alone, until a `Step::Answer` answers them.
    let mut held = Vec::new();
    for step in &case.steps {
        match step {
            Step::Start { process, variables } => {
                roots.push(engine.start(process, variables.clone()).await.map_err(|e| format!("start {process}: {e}"))?)
            }
            Step::Work => while work_round(engine, case, &job_types, &mut held).await? > 0 {},
            Step::RunToEnd { limit } => run_to_end(engine, case, &job_types, &mut held, *limit).await?,
            Step::Advance(by) => {
                let events = engine.events().await?;
                engine.advance(*by, &events).await?
            }
            Step::Publish { .. } => engine.publish(step).await?,
            Step::Signal { name, variables } => engine.signal(name, variables.clone()).await?,
            Step::SetVariables(variables) => {
                let root = *roots.first().ok_or("SetVariables before any Start")?;
                engine.set_variables(root, variables.clone()).await?
            }
            Step::RetryAndResolve => {
                for (key, job_key) in open_incidents(&engine.events().await?) {
                    if job_key > 0 {
                        engine.update_retries(job_key, 1).await?;
                    }
                    engine.resolve(key).await?;
                }
            }
            Step::Answer { element, reply } => {
                let (jobs, rest): (Vec<ActiveJob>, Vec<ActiveJob>) =
                    held.into_iter().partition(|job| job.element_id == *element);
                held = rest;
                if jobs.is_empty() {
                    return Err(format!("Answer {element}: the worker left no job of it"));
                }
                for job in &jobs {
                    engine.answer(job, reply.clone()).await.map_err(|e| format!("answering job of {element}: {e}"))?;
                }
            }
        }
    }
    let events = engine.events().await?;
    Ok((Outcome::from_events(&events), events))
}

/// One round: activates every job, answers them in the order their elements were activated,
/// and adds those the worker leaves alone to `held`. Returns how many jobs were answered.
async fn work_round(
    engine: &mut impl Engine,
    case: &Case,
    job_types: &[String],
    held: &mut Vec<ActiveJob>,
) -> Result<usize, String> {
    let mut jobs = engine.activate(job_types).await?;
    jobs.sort_by_key(|job| job.element_instance_key);
    let mut answered = 0;
    for job in &jobs {
        let view = JobView {
            process_id: &job.process_id,
            element_id: &job.element_id,
            step_id: job.step_id.as_deref(),
            retries: job.retries,
            variables: &job.variables,
        };
        let reply = (case.replies)(&view);
        if reply == Reply::Leave {
            held.push(job.clone());
        } else if engine.answer(job, reply).await.map_err(|e| format!("answering job of {}: {e}", job.element_id))? {
            answered += 1;
        }
    }
    Ok(answered)
}

async fn run_to_end(
    engine: &mut impl Engine,
    case: &Case,
    job_types: &[String],
    held: &mut Vec<ActiveJob>,
    limit: usize,
) -> Result<(), String> {
    let mut steps = 0;
    while steps < limit {
        let answered = work_round(engine, case, job_types, held).await?;
        if answered > 0 {
            steps += answered;
            continue;
        }
        let events = engine.events().await?;
        if !open_incidents(&events).is_empty() || all_roots_ended(&events) {
            return Ok(());
        }
        let Some(due) = pending_timers(&events).into_values().min() else { return Ok(()) };
        let now = engine.now().await?;
        let wait = u64::try_from(due.saturating_sub(now)).unwrap_or(0);
        engine.advance(Duration::from_millis(wait), &events).await?;
        steps += 1;
    }
    Ok(())
}

/// The job types of the models' tasks, plus the job type of job-based user tasks.
fn job_types(resources: &[(String, String)]) -> Result<Vec<String>, String> {
    let mut models = Vec::new();
    for (name, xml) in resources {
        models.push(bpmn::read::read(xml.as_bytes()).map_err(|e| format!("{name}: {e}"))?);
    }
    let mut types: BTreeSet<String> = persona_orchestrator::drive::job_types(models.iter()).into_iter().collect();
    types.insert(USER_TASK_JOB_TYPE.to_owned());
    Ok(types.into_iter().collect())
}

/// Incidents not yet resolved: (incident key, job key or -1), in the order raised.
pub fn open_incidents(events: &[Event]) -> Vec<(i64, i64)> {
    let mut open: Vec<(i64, i64)> = Vec::new();
    for event in events {
        match event {
            Event::Incident { key, change: Change::Created, job_key, .. } => open.push((*key, *job_key)),
            Event::Incident { key, change: Change::Ended, .. } => open.retain(|(k, _)| k != key),
            _ => {}
        }
    }
    open
}

/// Timers created and not yet triggered or cancelled: key -> due date.
pub fn pending_timers(events: &[Event]) -> HashMap<i64, i64> {
    let mut pending = HashMap::new();
    for event in events {
        if let Event::Timer { key, change, due_date } = event {
            match change {
                Change::Created => pending.insert(*key, *due_date),
                Change::Ended => pending.remove(key),
            };
        }
    }
    pending
}

/// Process instances started from outside (not called) that have not completed or terminated.
pub fn running_roots(events: &[Event]) -> Vec<i64> {
    let mut running = Vec::new();
    for event in events {
        if let Event::Element { key, lifecycle, is_process: true, parent_element_instance_key, .. } = event {
            match lifecycle {
                Lifecycle::Activating if *parent_element_instance_key < 0 => running.push(*key),
                Lifecycle::Completed | Lifecycle::Terminated => running.retain(|k| k != key),
                Lifecycle::Activating => {}
            }
        }
    }
    running
}

fn all_roots_ended(events: &[Event]) -> bool {
    running_roots(events).is_empty()
}
