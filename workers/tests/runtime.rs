//! The worker runtime against an in-memory client, on tokio's paused clock: time only moves
//! when every task waits, so the timings asserted here are exact and the tests fast.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use support::{Failed, InMemoryClient, Thrown, job, vars};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep};
use workers::{
    CancellationToken, ClientError, ConfigError, InMemoryMetrics, Job, JobHandler, JobOutcome, RetryPolicy,
    WorkerOptions, WorkerRuntime, handler_fn,
};

/// Options with a short job timeout so that tests read clearly; long polling stays on.
fn options(max_jobs_active: usize) -> WorkerOptions {
    WorkerOptions { max_jobs_active, timeout: Duration::from_secs(60), ..WorkerOptions::default() }
}

/// Starts `runtime` in a task; cancel the token to stop it.
fn start(runtime: WorkerRuntime) -> (CancellationToken, JoinHandle<Result<(), ConfigError>>) {
    let shutdown = CancellationToken::new();
    (shutdown.clone(), tokio::spawn(runtime.run(shutdown)))
}

/// Cancels and waits for the runtime, which must stop cleanly.
async fn stop(shutdown: CancellationToken, running: JoinHandle<Result<(), ConfigError>>) {
    shutdown.cancel();
    assert_eq!(running.await.ok(), Some(Ok(())), "the runtime did not stop cleanly");
}

fn completes_after(delay: Duration) -> impl JobHandler {
    handler_fn(move |_job: Job| async move {
        sleep(delay).await;
        JobOutcome::complete()
    })
}

#[tokio::test(start_paused = true)]
async fn never_holds_more_than_max_jobs_active_yet_runs_that_many_at_once() {
    let client = InMemoryClient::new();
    for key in 1..=10 {
        client.push(job("work", key, 3, json!({})));
    }
    let metrics = Arc::new(InMemoryMetrics::new());
    let runtime = WorkerRuntime::new(client.clone()).metrics(metrics.clone()).register_with(
        "work",
        completes_after(Duration::from_secs(1)),
        options(3),
    );
    let started = Instant::now();
    let (shutdown, running) = start(runtime);
    client.wait_until(|r| r.completed.len() == 10).await;
    let elapsed = started.elapsed();
    stop(shutdown, running).await;

    client.recorded(|r| {
        assert_eq!(r.peak_outstanding, 3, "at most 3 jobs may be unreported, and 3 should run together");
        assert!(r.requests.iter().all(|(_, request)| (1..=3).contains(&request.max_jobs)));
        let mut keys: Vec<i64> = r.completed.iter().map(|(key, _)| *key).collect();
        keys.sort_unstable();
        assert_eq!(keys, (1..=10).collect::<Vec<_>>());
    });
    // Ten one-second jobs three at a time take four rounds, not ten seconds.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    let stats = metrics.stats("work");
    assert_eq!((stats.activated, stats.completed, stats.failed, stats.errored), (10, 10, 0, 0));
    assert_eq!(stats.handler_latency.count, 10);
    assert_eq!(stats.handler_latency.max, Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_panicking_handler_fails_its_job_with_one_retry_less_and_the_worker_goes_on() {
    let client = InMemoryClient::new();
    client.push(job("work", 1, 3, json!({"explode": true})));
    client.push(job("work", 2, 3, json!({})));
    let handler = handler_fn(|job: Job| async move {
        if job.variable("explode").is_some() {
            panic!("boom in job {}", job.key);
        }
        JobOutcome::complete()
    });
    let metrics = Arc::new(InMemoryMetrics::new());
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).metrics(metrics.clone()).register_with("work", handler, options(1)));
    client.wait_until(|r| r.failed.len() == 1 && r.completed.len() == 1).await;
    stop(shutdown, running).await;

    let failed = client.recorded(|r| r.failed.clone());
    assert_eq!(failed.len(), 1);
    let Failed { key, retries, message, retry_backoff } = &failed[0];
    assert_eq!((*key, *retries, *retry_backoff), (1, 2, Duration::ZERO));
    assert!(message.contains("panicked") && message.contains("boom in job 1"), "{message}");
    let stats = metrics.stats("work");
    assert_eq!((stats.completed, stats.failed), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_handler_error_fails_the_job_with_one_retry_less_never_below_zero() {
    let client = InMemoryClient::new();
    client.push(job("work", 1, 1, json!({})));
    client.push(job("work", 2, 0, json!({})));
    let handler = handler_fn(|_job: Job| async { Err::<JobOutcome, _>("disk full") });
    let (shutdown, running) = start(WorkerRuntime::new(client.clone()).register_with("work", handler, options(2)));
    client.wait_until(|r| r.failed.len() == 2).await;
    stop(shutdown, running).await;

    let mut failed = client.recorded(|r| r.failed.clone());
    failed.sort_by_key(|f| f.key);
    let summary: Vec<(i64, i32, &str)> = failed.iter().map(|f| (f.key, f.retries, f.message.as_str())).collect();
    assert_eq!(summary, [(1, 0, "disk full"), (2, 0, "disk full")]);
}

#[tokio::test(start_paused = true)]
async fn an_error_outcome_throws_a_bpmn_error_with_its_variables() {
    let client = InMemoryClient::new();
    client.push(job("work", 7, 3, json!({})));
    let handler = handler_fn(|_job: Job| async {
        JobOutcome::Error {
            code: "STEP_FAILED".into(),
            message: "tests failed".into(),
            variables: vars(json!({"error": {"code": "STEP_FAILED"}})),
        }
    });
    let metrics = Arc::new(InMemoryMetrics::new());
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).metrics(metrics.clone()).register_with("work", handler, options(1)));
    client.wait_until(|r| !r.thrown.is_empty()).await;
    stop(shutdown, running).await;

    let thrown = client.recorded(|r| r.thrown.clone());
    let expected = Thrown {
        key: 7,
        code: "STEP_FAILED".into(),
        message: "tests failed".into(),
        variables: vars(json!({"error": {"code": "STEP_FAILED"}})),
    };
    assert_eq!(thrown, [expected]);
    assert!(client.recorded(|r| r.completed.is_empty() && r.failed.is_empty()));
    assert_eq!(metrics.stats("work").errored, 1);
}

#[tokio::test(start_paused = true)]
async fn polls_back_off_exponentially_while_the_engine_is_unavailable_and_no_job_is_lost() {
    let client = InMemoryClient::new();
    client.fail_activations([
        ClientError::Unavailable("no leader".into()),
        ClientError::ResourceExhausted("back-pressure".into()),
        ClientError::Unavailable("no leader".into()),
    ]);
    client.push(job("work", 1, 3, json!({})));
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).register_with("work", completes_after(Duration::ZERO), options(4)));
    client.wait_until(|r| !r.completed.is_empty()).await;
    stop(shutdown, running).await;

    // Three failed polls, then the one that activated the job (more may follow while it runs).
    let times: Vec<Instant> = client.recorded(|r| r.requests.iter().take(4).map(|(at, _)| *at).collect());
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps.len(), 3, "polls at {times:?}");
    // 50 ms, 80 ms, 128 ms, each ± 10 %: every gap is at least the first minimum and grows.
    assert!(gaps[0] >= Duration::from_millis(45) && gaps[0] <= Duration::from_millis(55), "{gaps:?}");
    assert!(gaps[1] > gaps[0] && gaps[2] > gaps[1], "the back-off did not grow: {gaps:?}");
    assert_eq!(client.recorded(|r| r.completed.iter().map(|(k, _)| *k).collect::<Vec<_>>()), [1]);
}

#[tokio::test(start_paused = true)]
async fn a_rejected_poll_is_logged_and_backed_off_rather_than_repeated_at_once() {
    let client = InMemoryClient::new();
    client.fail_activations([ClientError::InvalidArgument("bad request".into())]);
    client.push(job("work", 1, 3, json!({})));
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).register_with("work", completes_after(Duration::ZERO), options(4)));
    client.wait_until(|r| !r.completed.is_empty()).await;
    stop(shutdown, running).await;

    let times: Vec<Instant> = client.recorded(|r| r.requests.iter().take(2).map(|(at, _)| *at).collect());
    assert_eq!(times.len(), 2);
    assert!(times[1] - times[0] >= Duration::from_millis(45), "polled again after {:?}", times[1] - times[0]);
}

#[tokio::test(start_paused = true)]
async fn jobs_beyond_the_requested_maximum_are_still_run() {
    let client = InMemoryClient::new();
    client.ignore_max_jobs();
    for key in 1..=5 {
        client.push(job("work", key, 3, json!({})));
    }
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).register_with("work", completes_after(Duration::ZERO), options(2)));
    client.wait_until(|r| r.completed.len() == 5).await;
    stop(shutdown, running).await;
    assert_eq!(client.recorded(|r| r.peak_outstanding), 5);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_runtime_without_shutdown_stops_its_handlers() {
    let client = InMemoryClient::new();
    client.push(job("work", 1, 3, json!({})));
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = finished.clone();
    let handler = handler_fn(move |_job: Job| {
        let flag = flag.clone();
        async move {
            sleep(Duration::from_secs(10)).await;
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            JobOutcome::complete()
        }
    });
    let (_shutdown, running) = start(WorkerRuntime::new(client.clone()).register_with("work", handler, options(1)));
    client.wait_until(|r| !r.requests.is_empty()).await;
    sleep(Duration::from_secs(1)).await;
    running.abort();
    sleep(Duration::from_secs(20)).await;
    assert!(!finished.load(std::sync::atomic::Ordering::SeqCst), "the handler outlived its runtime");
    assert!(client.recorded(|r| r.completed.is_empty()));
}

#[tokio::test(start_paused = true)]
async fn a_report_is_retried_while_the_engine_is_unavailable() {
    let client = InMemoryClient::new();
    client.fail_reports([ClientError::Unavailable("restarting".into()), ClientError::ResourceExhausted("busy".into())]);
    client.push(job("work", 1, 3, json!({})));
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).register_with("work", completes_after(Duration::ZERO), options(4)));
    client.wait_until(|r| !r.completed.is_empty()).await;
    stop(shutdown, running).await;

    assert_eq!(client.recorded(|r| (r.report_attempts, r.completed.len())), (3, 1));
}

#[tokio::test(start_paused = true)]
async fn a_final_answer_to_a_report_is_not_retried() {
    let client = InMemoryClient::new();
    client.fail_reports([ClientError::NotFound("completed by another worker".into())]);
    client.push(job("work", 1, 3, json!({})));
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).register_with("work", completes_after(Duration::ZERO), options(4)));
    client.wait_until(|r| r.report_attempts == 1).await;
    sleep(Duration::from_secs(30)).await;
    stop(shutdown, running).await;

    assert_eq!(client.recorded(|r| (r.report_attempts, r.completed.len())), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn a_thrown_error_is_not_repeated_after_a_timeout_but_a_completion_is() {
    let client = InMemoryClient::new();
    let timed_out = || ClientError::DeadlineExceeded("gateway timeout".into());
    client.fail_reports([timed_out(), timed_out()]);
    client.push(job("done", 1, 3, json!({})));
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).register_with("done", completes_after(Duration::ZERO), options(1)));
    client.wait_until(|r| !r.completed.is_empty()).await;
    stop(shutdown, running).await;
    assert_eq!(client.recorded(|r| r.report_attempts), 3, "a completion is idempotent: retried twice, then done");

    let client = InMemoryClient::new();
    client.fail_reports([timed_out()]);
    client.push(job("oops", 1, 3, json!({})));
    let throws = handler_fn(|_job: Job| async { JobOutcome::error("E", "business error") });
    let (shutdown, running) = start(WorkerRuntime::new(client.clone()).register_with("oops", throws, options(1)));
    client.wait_until(|r| r.report_attempts == 1).await;
    sleep(Duration::from_secs(30)).await;
    stop(shutdown, running).await;
    assert_eq!(client.recorded(|r| (r.report_attempts, r.thrown.len())), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn a_report_stops_retrying_when_the_jobs_lock_runs_out() {
    let client = InMemoryClient::new();
    client.fail_reports(std::iter::repeat_with(|| ClientError::Unavailable("down".into())).take(1000));
    client.push(job("work", 1, 3, json!({})));
    let timeout = Duration::from_secs(20);
    let runtime = WorkerRuntime::new(client.clone()).register_with(
        "work",
        completes_after(Duration::ZERO),
        WorkerOptions { timeout, ..options(1) },
    );
    let (shutdown, running) = start(runtime);
    client.wait_until(|r| r.report_attempts >= 1).await;
    let first_attempt = Instant::now();
    shutdown.cancel();
    assert_eq!(running.await.ok(), Some(Ok(())));

    // Shutdown waited for the job, and the job gave up before its lock ran out.
    assert!(first_attempt.elapsed() <= timeout, "kept retrying for {:?}", first_attempt.elapsed());
    let attempts = client.recorded(|r| r.report_attempts);
    assert!((5..1000).contains(&attempts), "{attempts} attempts");
}

#[tokio::test(start_paused = true)]
async fn shutdown_stops_polling_and_waits_for_the_jobs_in_flight() {
    let client = InMemoryClient::new();
    client.push(job("work", 1, 3, json!({})));
    let (shutdown, running) = start(WorkerRuntime::new(client.clone()).register_with(
        "work",
        completes_after(Duration::from_secs(5)),
        options(4),
    ));
    client.wait_until(|r| !r.requests.is_empty()).await;
    sleep(Duration::from_millis(1)).await;
    let cancelled_at = Instant::now();
    shutdown.cancel();
    client.push(job("work", 2, 3, json!({})));
    assert_eq!(running.await.ok(), Some(Ok(())));

    assert!(cancelled_at.elapsed() >= Duration::from_millis(4999), "returned before the job in flight finished");
    assert_eq!(client.recorded(|r| r.completed.iter().map(|(k, _)| *k).collect::<Vec<_>>()), [1]);
    assert!(client.recorded(|r| r.requests.iter().all(|(at, _)| *at < cancelled_at)), "polled after shutdown");
    assert_eq!(client.queued(), 1, "a job pushed after shutdown must stay in the engine");
}

#[tokio::test(start_paused = true)]
async fn long_polls_wait_the_request_timeout_and_return_as_soon_as_a_job_appears() {
    let client = InMemoryClient::new();
    let request_timeout = Duration::from_secs(10);
    let runtime = WorkerRuntime::new(client.clone()).register_with(
        "work",
        completes_after(Duration::ZERO),
        WorkerOptions { request_timeout, ..options(4) },
    );
    let started = Instant::now();
    let (shutdown, running) = start(runtime);
    sleep(Duration::from_secs(25)).await;
    let pushed_at = Instant::now();
    client.push(job("work", 1, 3, json!({})));
    client.wait_until(|r| !r.completed.is_empty()).await;
    let completed_at = Instant::now();
    stop(shutdown, running).await;

    let requests = client.recorded(|r| r.requests.clone());
    assert!(requests.iter().all(|(_, request)| request.request_timeout == request_timeout));
    let starts: Vec<Duration> =
        requests.iter().filter(|(at, _)| *at < pushed_at).map(|(at, _)| *at - started).collect();
    assert_eq!(starts.len(), 3, "polls before the push at {starts:?}");
    assert!(
        starts.windows(2).all(|w| w[1] - w[0] >= request_timeout),
        "a poll ended before its request timeout: {starts:?}"
    );
    assert_eq!(completed_at, pushed_at, "the waiting poll should have delivered the job at once");
}

#[tokio::test(start_paused = true)]
async fn run_until_stops_when_a_oneshot_fires() {
    let client = InMemoryClient::new();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(
        WorkerRuntime::new(client.clone()).register("work", completes_after(Duration::ZERO)).run_until(stop_rx),
    );
    sleep(Duration::from_secs(1)).await;
    assert!(!running.is_finished());
    assert!(stop_tx.send(()).is_ok());
    assert_eq!(running.await.ok(), Some(Ok(())));
}

#[tokio::test(start_paused = true)]
async fn shared_and_boxed_handlers_run_like_the_handler_itself() {
    let client = InMemoryClient::new();
    client.push(job("shared", 1, 3, json!({})));
    client.push(job("boxed", 2, 3, json!({})));
    let shared = Arc::new(completes_after(Duration::ZERO));
    let boxed: Box<dyn JobHandler> = Box::new(completes_after(Duration::ZERO));
    let (shutdown, running) =
        start(WorkerRuntime::new(client.clone()).register("shared", shared).register("boxed", boxed));
    client.wait_until(|r| r.completed.len() == 2).await;
    stop(shutdown, running).await;
}

#[tokio::test(start_paused = true)]
async fn a_configuration_that_cannot_run_is_refused_before_any_poll() {
    let handler = || completes_after(Duration::ZERO);
    let cases: Vec<(WorkerRuntime, ConfigError)> = vec![
        (WorkerRuntime::new(InMemoryClient::new()), ConfigError::NoRegistrations),
        (
            WorkerRuntime::new(InMemoryClient::new()).worker_name(" ").register("a", handler()),
            ConfigError::BlankWorkerName,
        ),
        (WorkerRuntime::new(InMemoryClient::new()).register("", handler()), ConfigError::BlankJobType),
        (
            WorkerRuntime::new(InMemoryClient::new()).register("a", handler()).register("a", handler()),
            ConfigError::DuplicateJobType("a".into()),
        ),
    ];
    for (runtime, expected) in cases {
        assert_eq!(runtime.run(CancellationToken::new()).await, Err(expected));
    }

    let broken_options = [
        (WorkerOptions { max_jobs_active: 0, ..WorkerOptions::default() }, "max_jobs_active"),
        (WorkerOptions { timeout: Duration::from_micros(10), ..WorkerOptions::default() }, "timeout"),
        (WorkerOptions { poll_interval: Duration::ZERO, ..WorkerOptions::default() }, "poll_interval"),
    ];
    for (options, setting) in broken_options {
        let client = InMemoryClient::new();
        let outcome = WorkerRuntime::new(client.clone())
            .register_with("a", handler(), options)
            .run(CancellationToken::new())
            .await;
        let Err(ConfigError::InvalidOptions { job_type, problem }) = outcome else {
            panic!("expected invalid options, got {outcome:?}")
        };
        assert_eq!(job_type, "a");
        assert!(problem.contains(setting), "{problem}");
        assert!(client.recorded(|r| r.requests.is_empty()));
    }

    let bad_retry = RetryPolicy { multiplier: 0.0, ..RetryPolicy::default() };
    let outcome = WorkerRuntime::new(InMemoryClient::new())
        .retry_policy(bad_retry)
        .register("a", handler())
        .run(CancellationToken::new())
        .await;
    assert!(
        matches!(outcome, Err(ConfigError::InvalidRetryPolicy(ref problem)) if problem.contains("multiplier")),
        "{outcome:?}"
    );
}
