//! The child's workload: the model, and many concurrent instances driven through the async
//! `Engine` handle by starters, job workers, a message publisher and the ticker, with every
//! acknowledgement appended to the side file (see `acks`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::store::RecordStore;
use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::testing::vars;
use engine::{ActivateJobs, ActivatedJob, Engine, EngineCore, EngineError, PublishMessage, SystemClock, Variables};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::acks::AckWriter;
use crate::backend::open_store_after_kill;

/// The process the workload runs.
pub const PROCESS_ID: &str = "crash-order";
/// The message the instances wait for after their timer.
const MESSAGE: &str = "approved";
/// How long an activated job stays locked to its worker: after a kill, jobs the dead child
/// held become activatable again after this.
const JOB_TIMEOUT: Duration = Duration::from_secs(3);
/// Instances one child keeps running at once.
const CONCURRENT_INSTANCES: usize = 24;
/// Tasks starting instances.
const STARTERS: usize = 8;
/// Worker tasks per job type.
const WORKERS_PER_TYPE: usize = 2;
/// Every worker of the workload has a name starting with this.
pub const WORKER_PREFIX: &str = "crash-run";
/// How often a child takes a snapshot (so kills also land during snapshots, and opens start
/// from one).
const SNAPSHOT_EVERY: Duration = Duration::from_millis(150);
/// A child that was never killed stops after this (so no orphan outlives a failed parent).
const CHILD_LIFETIME: Duration = Duration::from_secs(300);

/// The instances a child started and still runs, each holding one of its slots.
type Running = Arc<std::sync::Mutex<Vec<(i64, tokio::sync::OwnedSemaphorePermit)>>>;

/// What completing a job sets (a variable name and value), given the instance's `n`.
type JobOutput = fn(i64) -> (&'static str, Value);

/// The job types and what completing each sets.
const JOBS: [(&str, JobOutput); 3] = [
    ("crash-prepare", |n| ("a", json!(2 * n))),
    ("crash-charge", |n| ("b", json!(n + 1))),
    ("crash-notify", |n| ("c", json!(format!("sent-{n}")))),
];

/// start → prepare → fork ⟨charge | 100 ms timer → message `approved` | notify⟩ → join → end.
pub fn model() -> bpmn::Definitions {
    ProcessBuilder::new(PROCESS_ID)
        .start("received")
        .service_task("prepare", JOBS[0].0)
        .parallel("fork")
        .service_task("charge", JOBS[1].0)
        .parallel("join")
        .end("done")
        .move_to("fork")
        .timer_catch("cool-down", TimerKind::Duration, "PT0.1S")
        .message_catch("approval", MESSAGE, "=order")
        .connect("approval", "join")
        .move_to("fork")
        .service_task("notify", JOBS[2].0)
        .connect("notify", "join")
        .build()
}

/// The root variables a finished instance started with `n` must have.
pub fn expected_variables(n: i64) -> Variables {
    let mut expected = vars(json!({"n": n, "order": format!("o-{n}"), "approved": true}));
    for (_, output) in JOBS {
        let (name, value) = output(n);
        expected.insert(name.into(), value);
    }
    expected
}

/// What the child does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Start instances and work on them until killed.
    Work,
    /// Start nothing; finish every running instance, then exit.
    Finish,
    /// Open the store, start one instance, hold the store a moment, and exit (see `open_race`).
    OpenOnce,
}

impl Mode {
    /// The mode's name in the child's environment.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Work => "work",
            Mode::Finish => "finish",
            Mode::OpenOnce => "open-once",
        }
    }
}

/// The child's settings, from its environment.
pub struct ChildConfig {
    /// The store location.
    pub location: String,
    /// The acknowledgement side file.
    pub acks: std::path::PathBuf,
    /// What to do.
    pub mode: Mode,
    /// The run number: makes `n` and the worker names unique across runs.
    pub run: i64,
}

/// The line a child prints once its engine is open.
pub const READY: &str = "crash-child ready";

/// Runs the child's workload. Exits the process with status 2 on any unexpected error, so the
/// parent sees it as a child that ended before it was killed.
pub fn run(config: &ChildConfig) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail("starting the runtime", e));
    runtime.block_on(work(config));
    // Dropping the runtime drops every task's engine handle, and with the last one the store.
}

async fn work(config: &ChildConfig) {
    let acks = Arc::new(AckWriter::open(&config.acks).unwrap_or_else(|e| fail("opening the side file", e)));
    let opening = Instant::now();
    let store = open_store_after_kill(&config.location).unwrap_or_else(|e| fail("opening the store", e));
    let core = open_and_deploy(store).unwrap_or_else(|e| fail("opening the engine", e));
    println!("{READY} opened_ms={}", opening.elapsed().as_millis());
    let engine = Engine::new(core);
    let _ticker = engine.spawn_ticker(Duration::from_millis(20));
    for (job_type, output) in JOBS {
        for w in 0..WORKERS_PER_TYPE {
            let worker = format!("{WORKER_PREFIX}{}-{job_type}-{w}", config.run);
            tokio::spawn(work_on_jobs(engine.clone(), acks.clone(), job_type, worker, output));
        }
    }
    tokio::spawn(publish_approvals(engine.clone()));
    tokio::spawn(take_snapshots(engine.clone()));
    match config.mode {
        Mode::Work => {
            let slots = Arc::new(Semaphore::new(CONCURRENT_INSTANCES));
            let running = Arc::new(std::sync::Mutex::new(Vec::new()));
            for starter in 0..STARTERS {
                let first_n = config.run * 1_000_000 + starter as i64 * 100_000;
                tokio::spawn(start_instances(engine.clone(), acks.clone(), slots.clone(), running.clone(), first_n));
            }
            tokio::spawn(release_finished(engine.clone(), running));
            tokio::time::sleep(CHILD_LIFETIME).await;
            fail("waiting to be killed", "the parent never killed this child");
        }
        Mode::OpenOnce => fail("choosing the workload", "an open-once child runs no workload"),
        Mode::Finish => {
            while engine.with(|core| active_instances(core) > 0) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // A snapshot first makes everything written so far durable: a clean shutdown.
            engine.with(EngineCore::snapshot).unwrap_or_else(|e| fail("taking the last snapshot", e));
        }
    }
}

/// Opens the engine on `store` and deploys the model unless it is there already.
pub fn open_and_deploy(store: Box<dyn RecordStore>) -> Result<EngineCore, String> {
    let mut core = EngineCore::open(store, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    if !core.processes().iter().any(|p| p.bpmn_process_id == PROCESS_ID) {
        core.deploy_model("crash-order.bpmn", &model()).map_err(|e| e.to_string())?;
    }
    Ok(core)
}

/// Starts instances while a slot is free and acknowledges each start in the side file.
async fn start_instances(engine: Engine, acks: Arc<AckWriter>, slots: Arc<Semaphore>, running: Running, first_n: i64) {
    for n in first_n.. {
        let slot = slots.clone().acquire_owned().await.unwrap_or_else(|e| fail("waiting for a slot", e));
        let variables = vars(json!({"n": n, "order": format!("o-{n}")}));
        let created = engine
            .run(|core| core.create_instance(PROCESS_ID, None, variables))
            .await
            .unwrap_or_else(|e| fail("starting an instance", e));
        acks.started(created.process_instance_key, n).unwrap_or_else(|e| fail("acknowledging a start", e));
        running.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((created.process_instance_key, slot));
    }
}

/// Frees the slots of finished instances (one engine call for all of them, every 20 ms).
async fn release_finished(engine: Engine, running: Running) {
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut running = running.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        engine.with(|core| running.retain(|(key, _slot)| core.is_active(*key)));
    }
}

/// Activates jobs of one type as `worker` and completes each with its output variable.
async fn work_on_jobs(engine: Engine, acks: Arc<AckWriter>, job_type: &'static str, worker: String, output: JobOutput) {
    let request = ActivateJobs::new(job_type).worker(worker).max_jobs(8).timeout(JOB_TIMEOUT);
    loop {
        let jobs = engine
            .activate_jobs(&request, Duration::from_millis(200))
            .await
            .unwrap_or_else(|e| fail("activating jobs", e));
        // Completed concurrently, so the completions share commits (group commit).
        let mut completions = tokio::task::JoinSet::new();
        for job in jobs {
            let (engine, acks) = (engine.clone(), acks.clone());
            completions.spawn(async move { complete(&engine, &acks, &job, output).await });
        }
        while completions.join_next().await.is_some() {}
    }
}

async fn complete(engine: &Engine, acks: &AckWriter, job: &ActivatedJob, output: JobOutput) {
    let Some(n) = job.variables.get("n").and_then(Value::as_i64) else {
        fail("reading a job's variables", format!("job {} has no number n: {:?}", job.key, job.variables));
    };
    let (name, value) = output(n);
    let document = Variables::from_iter([(name.to_string(), value)]);
    match engine.run(|core| core.complete_job(job.key, document)).await {
        Ok(()) => acks.completed(job.key).unwrap_or_else(|e| fail("acknowledging a completion", e)),
        // The job's lock ran out while this worker held it, and another worker completed it
        // first: the engine refuses the second completion, which is what it must do.
        Err(EngineError::NotFound(_)) => {}
        Err(e) => fail("completing a job", e),
    }
}

/// Publishes the approval of every instance waiting for it (without a time to live, so each
/// message either correlates at once or is dropped).
async fn publish_approvals(engine: Engine) {
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let waiting: Vec<String> = engine.with(|core| {
            core.state()
                .message_subscriptions
                .values()
                .filter(|s| &*s.name == MESSAGE)
                .map(|s| s.correlation_key.to_string())
                .collect()
        });
        for order in waiting {
            let message = PublishMessage::new(MESSAGE, order).variables(vars(json!({"approved": true})));
            engine
                .run(|core| core.publish_message(message))
                .await
                .unwrap_or_else(|e| fail("publishing an approval", e));
        }
    }
}

/// Takes a snapshot every [`SNAPSHOT_EVERY`].
async fn take_snapshots(engine: Engine) {
    loop {
        tokio::time::sleep(SNAPSHOT_EVERY).await;
        engine.with(EngineCore::snapshot).unwrap_or_else(|e| fail("taking a snapshot", e));
    }
}

/// The number of running process instances.
pub fn active_instances(core: &EngineCore) -> usize {
    core.state().elements.values().filter(|e| e.element_type == engine::model::ElementType::Process).count()
}

/// Reports an unexpected error and ends the child with status 2.
pub fn fail(what: &str, error: impl std::fmt::Display) -> ! {
    eprintln!("crash child failed {what}: {error}");
    std::process::exit(2)
}
