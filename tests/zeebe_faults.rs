//! Faults on a real Zeebe 8.6 broker, worked by the code the `persona-worker` daemon runs
//! ([`WorkerRuntime`] over [`ZeebeClient`]):
//!
//! - the broker is SIGKILLed mid-run and restarted on its data: the worker backs off while it is
//!   down, reconnects, and every instance completes (on a private broker, so the shared one that
//!   the other tests use keeps running);
//! - a handler that panics or returns an error fails its job with the retries decremented, and
//!   the instance completes once the handler recovers; with no retries left the broker raises an
//!   incident and the job is no longer handed out, while the instance stays put;
//! - a handler slower than the job timeout loses its job to a second worker, which completes it;
//!   the slow worker's late completion is rejected, reported, and does not stop it.
//!
//! Needs Java 21+ and Maven on the machine: the first run fetches the broker. Every wait is
//! bounded. Most of the binary's time is the private broker's two starts (about 15 s each on an
//! idle 2-core machine, 60-75 s each under a load average of 10-16, when the binary took 144-176 s).
//! The panicking handler prints its panic to stderr; that is expected.

mod support;

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use support::recording_client::{Answers, RecordingClient};
use support::zeebe_broker::{PrivateBroker, ensure_broker_ready};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use workers::{
    CancellationToken, ClientError, ConfigError, InMemoryMetrics, Job, JobClient, JobOutcome, WorkerOptions,
    WorkerRuntime, ZeebeClient, handler_fn,
};

/// How long a private broker may take to start or restart (three times its idle start time).
const BROKER_START_TIMEOUT: Duration = Duration::from_secs(100);

/// How long a worker may take to finish its jobs in flight after shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// A process of service tasks in sequence, each `(element id, job type)`, each with `retries`.
fn service_task_process(process_id: &str, tasks: &[(&str, &str)], retries: u32) -> Vec<u8> {
    let mut elements = String::new();
    let mut previous = "start".to_owned();
    for (index, (element, job_type)) in tasks.iter().enumerate() {
        elements.push_str(&format!(
            r#"<bpmn:serviceTask id="{element}"><bpmn:extensionElements><zeebe:taskDefinition type="{job_type}" retries="{retries}"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:sequenceFlow id="flow_{index}" sourceRef="{previous}" targetRef="{element}"/>
"#
        ));
        previous = (*element).to_owned();
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_{process_id}" targetNamespace="http://example.com/faults">
<bpmn:process id="{process_id}" isExecutable="true">
<bpmn:startEvent id="start"/>
{elements}<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="flow_end" sourceRef="{previous}" targetRef="end"/>
</bpmn:process>
</bpmn:definitions>
"#
    )
    .into_bytes()
}

/// A suffix that keeps this run's process ids and job types apart from earlier runs' on a
/// broker that kept running.
fn run_nonce() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}-{nanos}", std::process::id())
}

/// Deploys one process and panics with the gateway's answer if that fails.
async fn deploy(client: &ZeebeClient, process_id: &str, tasks: &[(&str, &str)], retries: u32) {
    let resource = (format!("{process_id}.bpmn"), service_task_process(process_id, tasks, retries));
    let deployed = client.deploy_resources([resource]).await.unwrap_or_else(|e| panic!("deploying {process_id}: {e}"));
    assert_eq!(deployed.len(), 1, "{deployed:?}");
}

/// Waits until `done` holds, checking every 50 ms; panics naming `what` after `timeout`.
async fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(timeout, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out after {timeout:?} waiting until {what}");
}

/// Awaits `future` for at most `timeout`; panics naming `what` when it takes longer.
async fn within<T>(what: &str, timeout: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(timeout, future).await.unwrap_or_else(|_| panic!("{what} took longer than {timeout:?}"))
}

/// A running worker runtime and its shutdown switch.
struct RunningWorker {
    shutdown: CancellationToken,
    run: JoinHandle<Result<(), ConfigError>>,
}

impl RunningWorker {
    fn spawn(runtime: WorkerRuntime) -> Self {
        let shutdown = CancellationToken::new();
        let run = tokio::spawn(runtime.run(shutdown.clone()));
        Self { shutdown, run }
    }

    /// Shuts the worker down and checks that it drained and returned normally.
    async fn stop(self, name: &str) {
        self.shutdown.cancel();
        let finished = within(&format!("draining {name}"), DRAIN_TIMEOUT, self.run).await;
        finished.unwrap_or_else(|e| panic!("{name} crashed: {e}")).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn multi_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}

/// Kill the broker mid-run and restart it on the same data: the worker backs off while the
/// gateway is gone, reconnects, and every instance completes; none is left active.
#[test]
fn a_broker_killed_mid_run_and_restarted_loses_no_instance() {
    const INSTANCES: usize = 30;
    let run_dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("zeebe-faults-{}", std::process::id()));
    let broker = PrivateBroker::start(run_dir, BROKER_START_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    multi_thread_runtime().block_on(async {
        let client = ZeebeClient::new(&broker.gateway_address()).expect("gateway address");
        let tasks = [("first", "faults.crash.first"), ("second", "faults.crash.second")];
        deploy(&client, "faults-crash", &tasks, 3).await;
        let mut created = BTreeSet::new();
        for _ in 0..INSTANCES {
            let instance = client.create_process_instance("faults-crash", Default::default()).await;
            created.insert(instance.unwrap_or_else(|e| panic!("creating an instance: {e}")).process_instance_key);
        }

        let recording = Arc::new(RecordingClient::new(Arc::new(client.clone()), &["faults.crash.second"]));
        // Slow enough that the kill lands mid-run; a 5 s lock so that jobs whose completion the
        // crash swallowed come back soon after the restart.
        let handler = handler_fn(|_job: Job| async {
            tokio::time::sleep(Duration::from_millis(150)).await;
            JobOutcome::complete()
        });
        let options = WorkerOptions {
            max_jobs_active: 2,
            timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(2),
            ..WorkerOptions::default()
        };
        let worker = RunningWorker::spawn(
            WorkerRuntime::new(recording.clone())
                .worker_name("crash-test")
                .register_with(tasks[0].1, handler, options.clone())
                .register_with(tasks[1].1, handler, options),
        );

        let finished = || recording.answers().finished_instances.len();
        wait_until("a third of the instances finished", Duration::from_secs(60), || finished() >= INSTANCES / 3).await;
        broker.kill().unwrap_or_else(|e| panic!("{e}"));
        let at_kill = recording.answers();
        assert!(at_kill.finished_instances.len() < INSTANCES, "the kill came too late to test anything");

        let errors_at_kill = at_kill.transient_errors;
        wait_until("the worker met the dead gateway", Duration::from_secs(10), || {
            recording.answers().transient_errors > errors_at_kill
        })
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(!worker.run.is_finished(), "the worker stopped while the broker was down");
        let errors_while_down = recording.answers().transient_errors - errors_at_kill;
        // With the 50 ms initial back-off growing by 1.6, 2 s down allow about 8 polls per job
        // type; a worker that did not back off would fail hundreds of times.
        assert!(errors_while_down < 60, "{errors_while_down} failed calls while the broker was down: no back-off?");

        broker.restart(BROKER_START_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        wait_until("every instance finished after the restart", Duration::from_secs(60), || {
            finished() == INSTANCES
        })
        .await;
        worker.stop("the crash-test worker").await;

        let answers = recording.answers();
        assert_eq!(answers.finished_instances, created, "instances finished are the instances created");
        // The broker has no instance left: cancelling any of them finds nothing to cancel.
        for instance in &created {
            let cancelled = client.cancel_process_instance(*instance).await;
            assert!(matches!(cancelled, Err(ClientError::NotFound(_))), "instance {instance}: {cancelled:?}");
        }
        println!(
            "{INSTANCES} instances: {} finished before the kill, {} calls failed while the broker was down, all finished after the restart",
            at_kill.finished_instances.len(),
            answers.transient_errors - errors_at_kill
        );
    });
}

/// A handler that panics, then returns an error, then completes: each failure takes one retry
/// (the next activation sees it), and the instance completes with the recovered handler's output.
#[test]
fn a_panicking_or_failing_handler_fails_its_job_and_the_retry_completes_it() {
    let gateway = ensure_broker_ready();
    multi_thread_runtime().block_on(async {
        let client = ZeebeClient::new(&gateway).expect("gateway address");
        let nonce = run_nonce();
        let (process_id, job_type) = (format!("faults-retry-{nonce}"), format!("faults.retry.{nonce}"));
        deploy(&client, &process_id, &[("flaky", &job_type)], 3).await;

        let seen_retries = Arc::new(Mutex::new(Vec::new()));
        let seen = seen_retries.clone();
        let handler = handler_fn(move |job: Job| {
            let attempt = {
                let mut seen = seen.lock().expect("retries seen");
                seen.push(job.retries);
                seen.len()
            };
            async move {
                match attempt {
                    1 => panic!("simulated handler crash"),
                    2 => Err("simulated handler error"),
                    _ => Ok(JobOutcome::complete_with(
                        json!({"recovered": attempt}).as_object().cloned().unwrap_or_default(),
                    )),
                }
            }
        });
        let metrics = Arc::new(InMemoryMetrics::new());
        let worker = RunningWorker::spawn(
            WorkerRuntime::new(Arc::new(client.clone()))
                .worker_name("retry-test")
                .metrics(metrics.clone())
                .register(job_type.clone(), handler),
        );
        let completed =
            client.create_process_instance_with_result(&process_id, Default::default(), Duration::from_secs(30)).await;
        worker.stop("the retry-test worker").await;

        let completed = completed.unwrap_or_else(|e| panic!("the instance did not complete: {e}"));
        assert_eq!(completed.variables.get("recovered"), Some(&json!(3)), "{:?}", completed.variables);
        assert_eq!(*seen_retries.lock().expect("retries seen"), [3, 2, 1], "retries seen by each activation");
        let stats = metrics.stats(&job_type);
        assert_eq!((stats.activated, stats.failed, stats.completed), (3, 2, 1), "{stats:?}");
    });
}

/// A handler that always fails uses up the job's retries; then the broker raises an incident: the
/// job is no longer handed out, and the instance waits at the task instead of ending.
#[test]
fn a_job_out_of_retries_raises_an_incident_and_is_no_longer_activated() {
    let gateway = ensure_broker_ready();
    multi_thread_runtime().block_on(async {
        let client = ZeebeClient::new(&gateway).expect("gateway address");
        let nonce = run_nonce();
        let (process_id, job_type) = (format!("faults-incident-{nonce}"), format!("faults.incident.{nonce}"));
        deploy(&client, &process_id, &[("doomed", &job_type)], 2).await;

        let attempts = Arc::new(Mutex::new(Vec::new()));
        let seen = attempts.clone();
        let handler = handler_fn(move |job: Job| {
            seen.lock().expect("attempts").push((job.key, job.retries));
            async { Err::<JobOutcome, _>("the downstream service is down") }
        });
        let worker = RunningWorker::spawn(
            WorkerRuntime::new(Arc::new(client.clone()))
                .worker_name("incident-test")
                .register(job_type.clone(), handler),
        );
        let instance = client.create_process_instance(&process_id, Default::default()).await;
        let instance = instance.unwrap_or_else(|e| panic!("creating an instance: {e}")).process_instance_key;
        let count = || attempts.lock().expect("attempts").len();
        wait_until("both retries were used", Duration::from_secs(30), || count() >= 2).await;
        // The worker keeps polling; a job that were still activatable would come back at once.
        tokio::time::sleep(Duration::from_secs(3)).await;
        worker.stop("the incident-test worker").await;

        let attempts = attempts.lock().expect("attempts").clone();
        assert_eq!(attempts.iter().map(|(_, retries)| *retries).collect::<Vec<_>>(), [2, 1], "{attempts:?}");
        let job_key = attempts[0].0;
        assert!(attempts.iter().all(|(key, _)| *key == job_key), "one job, activated twice: {attempts:?}");

        // How the incident shows through the gateway: a fresh activation (long polling 1 s)
        // finds no job of the type, ...
        let request = workers::ActivateJobsRequest {
            job_type: job_type.clone(),
            worker: "incident-probe".into(),
            max_jobs: 10,
            timeout: Duration::from_secs(30),
            fetch_variables: None,
            request_timeout: Duration::from_secs(1),
        };
        let activated = client.activate_jobs(&request).await.unwrap_or_else(|e| panic!("probe activation: {e}"));
        assert!(activated.is_empty(), "the job was handed out again: {activated:?}");
        // ... the failed job refuses completion (it is no longer activated to anyone), ...
        let completion = client.complete_job(job_key, Default::default()).await;
        assert!(matches!(completion, Err(ClientError::FailedPrecondition(_))), "{completion:?}");
        // ... and the instance is still there, waiting at the task: cancelling it succeeds.
        client.cancel_process_instance(instance).await.unwrap_or_else(|e| panic!("instance {instance} is gone: {e}"));
    });
}

/// A handler slower than the job timeout: the broker times the job out, a second worker activates
/// the same job and completes the instance, and the slow worker's late completion is rejected
/// with NOT_FOUND, which its runtime reports and survives.
#[test]
fn a_job_that_outlasts_its_timeout_is_completed_by_another_worker() {
    let gateway = ensure_broker_ready();
    multi_thread_runtime().block_on(async {
        let client = ZeebeClient::new(&gateway).expect("gateway address");
        let nonce = run_nonce();
        let (process_id, job_type) = (format!("faults-slow-{nonce}"), format!("faults.slow.{nonce}"));
        deploy(&client, &process_id, &[("slow", &job_type)], 3).await;

        let slow_started = Arc::new(Notify::new());
        let started = slow_started.clone();
        let slow_handler = handler_fn(move |_job: Job| {
            started.notify_one();
            async {
                tokio::time::sleep(Duration::from_secs(6)).await;
                JobOutcome::complete_with(json!({"by": "slow"}).as_object().cloned().unwrap_or_default())
            }
        });
        let slow_client = Arc::new(RecordingClient::new(Arc::new(client.clone()), &[]));
        let slow_options = WorkerOptions { max_jobs_active: 1, timeout: Duration::from_secs(2), ..Default::default() };
        let slow_worker =
            RunningWorker::spawn(WorkerRuntime::new(slow_client.clone()).worker_name("slow-worker").register_with(
                job_type.clone(),
                slow_handler,
                slow_options,
            ));
        let result_client = client.clone();
        let pending = tokio::spawn(async move {
            result_client
                .create_process_instance_with_result(&process_id, Default::default(), Duration::from_secs(40))
                .await
        });
        within("the slow handler starting", Duration::from_secs(20), slow_started.notified()).await;

        let fast_jobs = Arc::new(Mutex::new(Vec::new()));
        let seen = fast_jobs.clone();
        let fast_handler = handler_fn(move |job: Job| {
            seen.lock().expect("fast jobs").push(job);
            async { JobOutcome::complete_with(json!({"by": "fast"}).as_object().cloned().unwrap_or_default()) }
        });
        let fast_worker = RunningWorker::spawn(
            WorkerRuntime::new(Arc::new(client.clone()))
                .worker_name("fast-worker")
                .register(job_type.clone(), fast_handler),
        );

        let completed = within("the instance", Duration::from_secs(50), pending).await.expect("instance task");
        let completed = completed.unwrap_or_else(|e| panic!("the instance did not complete: {e}"));
        assert_eq!(completed.variables.get("by"), Some(&json!("fast")), "{:?}", completed.variables);

        let late = || slow_client.answers().completions;
        wait_until("the slow worker reported", Duration::from_secs(15), || !late().is_empty()).await;
        let Answers { activated, completions, .. } = slow_client.answers();
        let slow_job = activated.values().next().expect("the slow worker's job").clone();
        let fast_jobs = fast_jobs.lock().expect("fast jobs").clone();
        assert_eq!(fast_jobs.len(), 1, "{fast_jobs:?}");
        assert_eq!((fast_jobs[0].key, fast_jobs[0].worker.as_str()), (slow_job.key, "fast-worker"), "the same job");
        assert!(
            matches!(completions.as_slice(), [(key, Err(ClientError::NotFound(_)))] if *key == slow_job.key),
            "the late completion was not rejected as NOT_FOUND: {completions:?}"
        );
        // Neither worker crashed: both drain and return normally.
        slow_worker.stop("the slow worker").await;
        fast_worker.stop("the fast worker").await;
    });
}
