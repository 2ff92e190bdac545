//! Scheduled starts (`schedule:` in the YAML dialect, a timer start event in the model) on a real
//! Zeebe broker and on the embedded engine:
//!
//! - a repeating cycle runs on both at once, with one handler, and starts the same number of
//!   instances over the same span of real time;
//! - a cron schedule deploys to the broker and starts instances there, and deploying a version
//!   without the schedule stops it (the broker keeps only the newest version's timer start
//!   events), so the shared broker is left quiet.
//!
//! Needs Java 21+ and Maven on the machine: the first run fetches the broker.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use engine::{Engine, EngineCore};
use support::zeebe_broker::ensure_broker_ready;
use workers::{CancellationToken, EmbeddedClient, Job, JobClient, JobOutcome, WorkerRuntime, ZeebeClient, handler_fn};

/// How often the cycle fires, and how many times: `R5/PT2S`.
const REPETITIONS: usize = 5;
const CYCLE: &str = "R5/PT2S";

/// The most the test waits for the last repetition (due at 10 s): a broker that has just
/// started, on a busy machine, fires overdue timers late (but fires them). The wait ends as soon
/// as both engines have every start.
const SPAN: Duration = Duration::from_secs(45);

/// Held by each test while it deploys and counts. Run side by side with the cron test (which
/// fires every second, then is replaced by a version without timer), the cycle fired late on a
/// fresh 8.6 broker in about one run in two: 1 or 2 of its 5 starts within 45 s. Taking turns,
/// it passed in every run tried. Why the broker's timers lag then is not known.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Takes [`ONE_AT_A_TIME`], also after a test that held it failed.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A workflow with the given schedule and one `log` step, under a process id of this run's own
/// (the shared broker keeps what earlier runs deployed).
fn scheduled_workflow(id: &str, schedule: &str) -> String {
    format!(
        "metadata:\n  id: {id}\n  name: Scheduled {id}\n\n{schedule}\n\nsteps:\n  - id: report\n    action: log\n    message: report\n"
    )
}

/// Compiles one YAML workflow to BPMN XML, failing the test with the compiler's diagnostics.
fn compile(id: &str, text: &str) -> Vec<u8> {
    let outcome = yaml_to_bpmn::compile_str(&format!("{id}.yaml"), text);
    let errors: Vec<String> = outcome.diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{id} does not compile:\n{}", errors.join("\n"));
    let [workflow] = outcome.workflows.as_slice() else { panic!("one workflow expected from {id}") };
    yaml_to_bpmn::output::to_xml(&workflow.definitions).into_bytes()
}

/// A process id no earlier run used.
fn fresh_id(prefix: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{prefix}-{nanos}")
}

/// Counts the `log` jobs per process id and completes every one (jobs of other processes are
/// leftovers of earlier runs on the shared broker; completing them does no harm).
#[derive(Clone, Default)]
struct JobsPerProcess(Arc<Mutex<HashMap<String, usize>>>);

impl JobsPerProcess {
    fn count(&self, process: &str) -> usize {
        self.0.lock().map(|counts| counts.get(process).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// Runs a worker for `log` jobs on `client` until `stop` is cancelled.
    fn work(&self, client: Arc<dyn JobClient>, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
        let counts = self.0.clone();
        let handler = handler_fn(move |job: Job| {
            let counts = counts.clone();
            async move {
                if let Ok(mut counts) = counts.lock() {
                    *counts.entry(job.bpmn_process_id.clone()).or_default() += 1;
                }
                JobOutcome::complete()
            }
        });
        let runtime = WorkerRuntime::new(client).worker_name("schedules-test").register("log", handler);
        tokio::spawn(async move {
            runtime.run(stop).await.expect("worker configuration");
        })
    }
}

/// Waits until `done` holds or `limit` passes.
async fn wait_until(limit: Duration, done: impl Fn() -> bool) {
    let began = Instant::now();
    while !done() && began.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn a_cycle_starts_as_many_instances_on_zeebe_as_on_the_embedded_engine_over_the_same_span() {
    let gateway = ensure_broker_ready();
    let _turn = one_at_a_time();
    let id = fresh_id("cycle-start");
    let model = compile(&id, &scheduled_workflow(&id, &format!("schedule:\n  cycle: {CYCLE}")));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let zeebe = ZeebeClient::new(&gateway).expect("gateway address");
        let embedded = Engine::new(EngineCore::new());
        let ticker = embedded.spawn_ticker(Duration::from_millis(100));
        let (on_zeebe, on_embedded) = (JobsPerProcess::default(), JobsPerProcess::default());
        let stop = CancellationToken::new();
        let workers = [
            on_zeebe.work(Arc::new(zeebe.clone()), stop.clone()),
            on_embedded.work(Arc::new(EmbeddedClient::new(embedded.clone())), stop.clone()),
        ];

        let resource = format!("{id}.bpmn");
        let deployed = zeebe.deploy_resources([(resource.clone(), model.clone())]).await;
        deployed.unwrap_or_else(|e| panic!("the broker refused the cycle start: {e}"));
        embedded.with(|core| core.deploy_xml(&resource, &model)).expect("the embedded engine deploys it");

        let began = Instant::now();
        wait_until(SPAN, || on_zeebe.count(&id) >= REPETITIONS && on_embedded.count(&id) >= REPETITIONS).await;
        let reached = began.elapsed();
        // Past the last repetition: a cycle that overshot would show here.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let (zeebe_starts, embedded_starts) = (on_zeebe.count(&id), on_embedded.count(&id));
        stop.cancel();
        ticker.abort();
        for worker in workers {
            worker.await.expect("worker task");
        }
        println!("{CYCLE}: {zeebe_starts} starts on Zeebe, {embedded_starts} embedded, within {reached:?}");
        assert_eq!(zeebe_starts, embedded_starts, "the same start count on both engines over the same span");
        assert_eq!(zeebe_starts, REPETITIONS, "{CYCLE} starts {REPETITIONS} instances");
    });
}

#[test]
fn a_cron_start_runs_on_zeebe_and_a_version_without_it_stops_it() {
    let gateway = ensure_broker_ready();
    let _turn = one_at_a_time();
    let id = fresh_id("cron-start");
    let every_second = compile(&id, &scheduled_workflow(&id, "schedule:\n  cron: \"* * * * * *\""));
    let unscheduled = compile(&id, &scheduled_workflow(&id, ""));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let zeebe = ZeebeClient::new(&gateway).expect("gateway address");
        let jobs = JobsPerProcess::default();
        let stop = CancellationToken::new();
        let worker = jobs.work(Arc::new(zeebe.clone()), stop.clone());
        let resource = format!("{id}.bpmn");

        let deployed = zeebe.deploy_resources([(resource.clone(), every_second)]).await;
        deployed.unwrap_or_else(|e| panic!("the broker refused the cron start: {e}"));
        wait_until(SPAN, || jobs.count(&id) >= 2).await;
        let fired = jobs.count(&id);
        assert!(fired >= 2, "a cron start every second fired {fired} times in {SPAN:?}");

        let replaced = zeebe.deploy_resources([(resource, unscheduled)]).await;
        let version = replaced.unwrap_or_else(|e| panic!("the broker refused the version without a schedule: {e}"));
        assert_eq!(version.first().map(|p| p.version), Some(2), "{version:?}");
        // Instances already created may still hand over their job; then nothing more starts.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let settled = jobs.count(&id);
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(jobs.count(&id), settled, "the cron start stopped with the new version");
        stop.cancel();
        worker.await.expect("worker task");
    });
}
