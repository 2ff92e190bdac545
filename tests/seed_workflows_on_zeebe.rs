//! The 32 seed YAML workflows on a real Zeebe broker (8.6, started through `zeebe/broker.sh`):
//! all of them deploy, and the workflows that complete on the embedded engine complete on Zeebe
//! too (those in [`WAIT_ON_TIMERS`] with the broker's clock moved forward), worked by the `workers`
//! crate's [`WorkerRuntime`] over [`ZeebeClient`] with the same
//! scripted outputs and start inputs as `seed_workflows_on_engine.rs`
//! (`support::seed_scenarios`).
//!
//! The project's own `workflows/` deploy there too.
//!
//! Needs Java 21+ and Maven on the machine: the first run fetches the broker.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use persona_orchestrator::drive::job_types;
use serde_json::{Value, json};
use support::seed_scenarios::{Expect, Scenario, compile_seed_workflows, scenarios, scripted_outputs, step_outputs};
use support::zeebe_broker::{advance_broker_clock, ensure_broker_ready};
use tokio::task::JoinSet;
use workers::{
    CancellationToken, ClientError, CompletedInstance, Job, JobClient, JobHandler, JobOutcome, WorkerRuntime,
    ZeebeClient, handler_fn,
};

/// Held by the tests that deploy workflows here. The seed corpus and the project's `workflows/`
/// share process ids (`wf0-feature-development` ... `wf17-merge-strategy-selection`), and an
/// instance or a call activity starts the newest version of an id: a project deployment that
/// lands while the seed instances run would swap their models (and their job types) under them.
static DEPLOYMENTS: Mutex<()> = Mutex::new(());

/// Takes [`DEPLOYMENTS`], also after a test that held it failed.
fn deployments() -> MutexGuard<'static, ()> {
    DEPLOYMENTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How long one instance may take on the broker before the test gives up on it.
const INSTANCE_TIMEOUT: Duration = Duration::from_secs(60);

/// The workflows that wait minutes on a timer: wf2 waits 5 minutes (`manual-verification`,
/// `duration: 5m`) before it merges, and the SRE persona calls wf2. They run with the broker's
/// clock moved forward (the embedded engine's test clock skips such waits the same way).
const WAIT_ON_TIMERS: &[&str] = &["wf2-hotfix", "persona-site-reliability-engineer-workflow"];

/// How far the broker's clock jumps each [`CLOCK_STEP_EVERY`]: less than the workers' job
/// timeout (5 minutes), so a job in a handler is not timed out by one jump.
const CLOCK_STEP: Duration = Duration::from_secs(4 * 60);
const CLOCK_STEP_EVERY: Duration = Duration::from_secs(2);

/// The broker-clock request timeout of the instances that wait on timers: longer than the
/// clock's moves add up to while they run.
const WAITING_BROKER_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// Moves the broker's clock forward by [`CLOCK_STEP`] every [`CLOCK_STEP_EVERY`], on a thread of
/// its own, until `stop` is set; returns how many times it moved the clock.
fn move_clock_along(stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Result<u32, String>> {
    std::thread::spawn(move || {
        let mut moves = 0;
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(CLOCK_STEP_EVERY);
            advance_broker_clock(CLOCK_STEP)?;
            moves += 1;
        }
        Ok(moves)
    })
}

/// Starts every scenario's instance at once and waits for each result, in scenario order.
///
/// The gateway measures a call's request timeout on the broker's clock, so `broker_timeout` must
/// outlast the clock's moves; [`INSTANCE_TIMEOUT`] bounds each call in real time.
async fn run_instances(
    client: &ZeebeClient,
    runs: &[Scenario],
    broker_timeout: Duration,
) -> Vec<Result<CompletedInstance, String>> {
    let mut pending = JoinSet::new();
    for (index, scenario) in runs.iter().enumerate() {
        let client = client.clone();
        let (id, start) = (scenario.id, json!({"inputs": scenario.inputs}).as_object().cloned().unwrap_or_default());
        pending.spawn(async move {
            let call = client.create_process_instance_with_result(id, start, broker_timeout);
            let result = match tokio::time::timeout(INSTANCE_TIMEOUT, call).await {
                Ok(answer) => answer.map_err(|error| error.to_string()),
                Err(_) => Err(format!("no result within {} s", INSTANCE_TIMEOUT.as_secs())),
            };
            (index, result)
        });
    }
    let mut results: Vec<_> = pending.join_all().await;
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// wf9 waits `CHECK_INTERVAL` seconds between its 24 monitoring rounds; the embedded-engine
/// test scripts 300, which would keep wf9 and its callers (wf1, two personas) on a real broker
/// for two hours, so here `setup-monitoring` reports 1 s.
fn zeebe_step_outputs() -> HashMap<(&'static str, &'static str), Value> {
    let mut outputs = step_outputs();
    let interval = outputs.get_mut(&("wf9-post-merge-monitoring", "setup-monitoring"));
    *interval.expect("the shared table scripts wf9's CHECK_INTERVAL") = json!({"CHECK_INTERVAL": 1});
    outputs
}

/// Completes every job with the outputs scripted for its workflow's step (the job's `stepId`
/// header), or with none: the table the embedded-engine test reports, with wf9's interval
/// shortened.
fn seed_step_handler() -> impl JobHandler + Clone {
    let outputs = Arc::new(zeebe_step_outputs());
    let handler = move |job: Job| {
        let outputs = outputs.clone();
        async move {
            let step = job.header("stepId").unwrap_or_default();
            let variables = scripted_outputs(&outputs, &job.bpmn_process_id, step).cloned().unwrap_or_default();
            JobOutcome::complete_with(variables)
        }
    };
    Arc::new(handler_fn(handler))
}

/// Deploys every compiled workflow in one deployment and checks each got a version.
async fn deploy_all(client: &ZeebeClient, outcome: &yaml_to_bpmn::Outcome) -> Vec<workers::DeployedProcess> {
    let resources = outcome
        .workflows
        .iter()
        .map(|w| (format!("{}.bpmn", w.id), yaml_to_bpmn::output::to_xml(&w.definitions).into_bytes()));
    let deployed = client.deploy_resources(resources).await.unwrap_or_else(|e| panic!("deployment refused: {e}"));
    let versions: BTreeMap<&str, i32> = deployed.iter().map(|p| (p.bpmn_process_id.as_str(), p.version)).collect();
    for workflow in &outcome.workflows {
        let version = versions.get(workflow.id.as_str());
        assert!(version.is_some_and(|v| *v >= 1), "{} was not deployed: {deployed:?}", workflow.id);
    }
    deployed
}

#[test]
fn seed_workflows_deploy_and_run_on_zeebe() {
    let gateway = ensure_broker_ready();
    let _deployments = deployments();
    let (_, outcome) = compile_seed_workflows();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let client = ZeebeClient::new(&gateway).expect("gateway address");

        let deployed = deploy_all(&client, &outcome).await;
        assert_eq!(deployed.len(), 32, "one process per seed workflow");

        let shutdown = CancellationToken::new();
        let handler = seed_step_handler();
        let mut workers = WorkerRuntime::new(Arc::new(client.clone())).worker_name("seed-test");
        for job_type in job_types(outcome.workflows.iter().map(|w| &w.definitions)) {
            workers = workers.register(job_type, handler.clone());
        }
        let worker_run = tokio::spawn(workers.run(shutdown.clone()));

        let (runs, waiting): (Vec<Scenario>, Vec<Scenario>) = scenarios()
            .into_iter()
            .filter(|s| !matches!(s.expect, Expect::LoopsForever { .. }))
            .partition(|s| !WAIT_ON_TIMERS.contains(&s.id));
        assert_eq!(runs.len() + waiting.len(), 31, "every workflow that ends on the embedded engine");
        // All instances run at once, so the test takes as long as the slowest. The workflows
        // that wait minutes on timers run afterwards, alone, with the broker's clock moved along.
        let mut results = run_instances(&client, &runs, INSTANCE_TIMEOUT).await;
        let stop_clock = Arc::new(AtomicBool::new(false));
        let clock = move_clock_along(stop_clock.clone());
        results.extend(run_instances(&client, &waiting, WAITING_BROKER_TIMEOUT).await);
        stop_clock.store(true, Ordering::Relaxed);
        let moves = clock.join().expect("clock thread").unwrap_or_else(|problem| panic!("{problem}"));
        println!("the broker's clock moved {moves} times by {} s", CLOCK_STEP.as_secs());
        shutdown.cancel();
        worker_run.await.expect("worker task").expect("worker configuration");

        let mut failures = Vec::new();
        for (scenario, result) in runs.iter().chain(&waiting).zip(results) {
            if let Some(problem) = check(scenario, result) {
                failures.push(format!("{}: {problem}", scenario.id));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} workflows did not complete as expected:\n{}",
            failures.len(),
            runs.len() + waiting.len(),
            failures.join("\n")
        );
        println!("{} seed workflows completed on Zeebe", runs.len() + waiting.len());
    });
}

/// What is wrong with an instance's result, if anything.
fn check(scenario: &Scenario, result: Result<CompletedInstance, String>) -> Option<String> {
    let completed = match result {
        Ok(completed) => completed,
        Err(error) => return Some(format!("did not complete: {error}")),
    };
    let outputs = completed.variables.get("outputs");
    match (&scenario.expect, outputs) {
        (Expect::Completed { .. }, Some(Value::Object(_))) => None,
        (Expect::CompletedWithoutOutputs { .. }, None) => None,
        (_, outputs) => Some(format!("completed with unexpected `outputs`: {outputs:?}")),
    }
}

/// The gateway's rejections arrive as the [`ClientError`] of their status code, so the worker
/// runtime can tell final answers from transport trouble.
#[test]
fn gateway_rejections_arrive_as_client_errors() {
    let gateway = ensure_broker_ready();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let client = ZeebeClient::new(&gateway).expect("gateway address");
        let no_job = 2_251_799_813_685_249; // a well-formed key of partition 1 that names no job
        let error = client.complete_job(no_job, Default::default()).await.unwrap_err();
        assert!(matches!(error, ClientError::NotFound(_)), "complete: {error:?}");
        let error = client.fail_job(no_job, 0, "broken", Duration::ZERO).await.unwrap_err();
        assert!(matches!(error, ClientError::NotFound(_)), "fail: {error:?}");
        let error = client.throw_error(no_job, "E", "broken", Default::default()).await.unwrap_err();
        assert!(matches!(error, ClientError::NotFound(_)), "throw error: {error:?}");

        let error = client.create_process_instance("no-such-process", Default::default()).await.unwrap_err();
        assert!(matches!(error, ClientError::NotFound(_)), "create: {error:?}");

        let broken = vec![("broken.bpmn".to_owned(), b"<definitions/>".to_vec())];
        let Err(ClientError::InvalidArgument(message)) = client.deploy_resources(broken).await else {
            panic!("a broken resource deployed")
        };
        assert!(message.contains("broken.bpmn"), "the rejection names the resource: {message}");
    });
}

/// The project's own 46 workflows (`workflows/`, RACI and SLAs compiled into the models) deploy
/// to the broker as one deployment: Zeebe accepts every multi-instance approval, boundary timer,
/// timer event sub-process and rollback call the compiler writes.
#[test]
fn project_workflows_deploy_on_zeebe() {
    let gateway = ensure_broker_ready();
    let _deployments = deployments();
    let outcome = support::project_workflows::compile_project_workflows();
    assert!(!outcome.has_errors(), "workflows/ compiles: {:?}", outcome.diagnostics);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let client = ZeebeClient::new(&gateway).expect("gateway address");
        let deployed = deploy_all(&client, &outcome).await;
        assert_eq!(
            deployed.len(),
            46,
            "18 system workflows, the fix loop, the emergency task, the test pipeline and 25 persona workflows"
        );
    });
}
