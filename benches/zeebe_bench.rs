//! The Rust side of `benches/zeebe-workers`: our worker ([`WorkerRuntime`] over [`ZeebeClient`],
//! the code `persona-worker` runs) against a real Zeebe broker. Each subcommand prints one JSON
//! line and exits 1 on any failed check:
//!
//! - `create`: deploys a one-service-task process and creates instances, so that the jobs
//!   exist before a worker is timed;
//! - `work`: completes the jobs of one type with a no-op handler; the clock runs from the
//!   acknowledgement of the last warm-up job to that of the last timed one (as
//!   `zeebe/bench/JavaWorkerBench.java` does for the official Java client);
//! - `w1`: the peer workload W1 end to end: deploys `w1_straight.bpmn`, creates the instances
//!   while the worker runs `bench.increment`, and times until every instance has completed.
//!
//! Arguments are `--name value` pairs; see [`USAGE`].

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{Value, json};
use workers::{
    ActivateJobsRequest, CancellationToken, ClientError, Job, JobClient, JobOutcome, Variables, WorkerOptions,
    WorkerRuntime, ZeebeClient, handler_fn,
};

const USAGE: &str = "usage:
  zeebe_bench create --gateway URL --process-id ID --job-type TYPE --instances N [--concurrency 32]
  zeebe_bench work   --gateway URL --job-type TYPE --jobs N --warmup W [--max-jobs-active 32] [--threads 2]
  zeebe_bench w1     --gateway URL --workload FILE --instances N [--warmup W] [--concurrency 32]
                     [--max-jobs-active 32] [--threads 2]";

/// How long any one phase may take before the run is declared stuck.
const PHASE_TIMEOUT: Duration = Duration::from_secs(600);

fn main() -> ExitCode {
    // `cargo bench` passes `--bench` to harness-less benches; it means nothing here.
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| arg != "--bench").collect();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("zeebe_bench: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// The named arguments of one subcommand.
struct Args(HashMap<String, String>);

impl Args {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut named = HashMap::new();
        let mut rest = args.iter();
        while let Some(name) = rest.next() {
            let key = name.strip_prefix("--").ok_or_else(|| format!("expected --name, got '{name}'\n{USAGE}"))?;
            let value = rest.next().ok_or_else(|| format!("--{key} needs a value\n{USAGE}"))?;
            named.insert(key.to_owned(), value.clone());
        }
        Ok(Self(named))
    }

    fn text(&self, name: &str) -> Result<&str, String> {
        self.0.get(name).map(String::as_str).ok_or_else(|| format!("--{name} is required\n{USAGE}"))
    }

    fn count(&self, name: &str, default: Option<usize>) -> Result<usize, String> {
        match (self.0.get(name), default) {
            (Some(value), _) => value.parse().map_err(|_| format!("--{name} must be a whole number, not '{value}'")),
            (None, Some(default)) => Ok(default),
            (None, None) => Err(format!("--{name} is required\n{USAGE}")),
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let (command, rest) = args.split_first().ok_or_else(|| USAGE.to_owned())?;
    let args = Args::parse(rest)?;
    let threads = args.count("threads", Some(2))?.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    let _inside = runtime.enter();
    let client = ZeebeClient::new(args.text("gateway")?).map_err(|e| e.to_string())?;
    match command.as_str() {
        "create" => runtime.block_on(bounded("creating", create(client, args))),
        "work" => runtime.block_on(bounded("working", work(client, args, threads))),
        "w1" => runtime.block_on(bounded("W1", w1(client, args, threads))),
        other => Err(format!("unknown subcommand '{other}'\n{USAGE}")),
    }
}

/// Runs one subcommand for at most [`PHASE_TIMEOUT`].
async fn bounded(what: &str, run: impl Future<Output = Result<String, String>>) -> Result<String, String> {
    tokio::time::timeout(PHASE_TIMEOUT, run).await.map_err(|_| format!("{what} took over {PHASE_TIMEOUT:?}"))?
}

/// A process `start -> task -> end` whose task has `job_type`.
fn one_task_process(process_id: &str, job_type: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://example.com/bench">
<bpmn:process id="{process_id}" isExecutable="true">
<bpmn:startEvent id="start"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
<bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="{job_type}"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
<bpmn:endEvent id="end"/>
</bpmn:process>
</bpmn:definitions>
"#
    )
    .into_bytes()
}

/// Creates `count` instances of `process_id` with `variables`, `concurrency` requests at a time.
async fn create_instances(
    client: &ZeebeClient,
    process_id: &str,
    variables: &Variables,
    count: usize,
    concurrency: usize,
) -> Result<(), String> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut creators = tokio::task::JoinSet::new();
    for _ in 0..concurrency.clamp(1, count.max(1)) {
        let (client, next, process_id, variables) =
            (client.clone(), next.clone(), process_id.to_owned(), variables.clone());
        creators.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                create_one(&client, &process_id, &variables).await?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(created) = creators.join_next().await {
        created.map_err(|e| format!("a creator task failed: {e}"))??;
    }
    Ok(())
}

/// Creates one instance, retrying while the broker sheds load (back-pressure) or is briefly
/// unavailable.
async fn create_one(client: &ZeebeClient, process_id: &str, variables: &Variables) -> Result<(), String> {
    let mut attempts = 0;
    loop {
        match client.create_process_instance(process_id, variables.clone()).await {
            Ok(_) => return Ok(()),
            Err(error) if error.is_transient() && attempts < 100 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => return Err(format!("creating an instance of {process_id}: {error}")),
        }
    }
}

async fn create(client: ZeebeClient, args: Args) -> Result<String, String> {
    let (process_id, job_type) = (args.text("process-id")?, args.text("job-type")?);
    let instances = args.count("instances", None)?;
    let resource = (format!("{process_id}.bpmn"), one_task_process(process_id, job_type));
    client.deploy_resources([resource]).await.map_err(|e| format!("deploying {process_id}: {e}"))?;
    let started = Instant::now();
    create_instances(&client, process_id, &Variables::new(), instances, args.count("concurrency", Some(32))?).await?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(json!({"created": instances, "seconds": seconds, "instances_per_s": instances as f64 / seconds}).to_string())
}

/// A [`ZeebeClient`] that counts the completions the gateway acknowledged: all of them, or only
/// those of jobs of one element (W1's last task, whose completion ends the instance).
struct CountingClient {
    inner: ZeebeClient,
    only_element: Option<String>,
    counted_jobs: Mutex<HashSet<i64>>,
    acknowledged: AtomicUsize,
}

impl CountingClient {
    fn new(inner: ZeebeClient, only_element: Option<&str>) -> Self {
        Self {
            inner,
            only_element: only_element.map(str::to_owned),
            counted_jobs: Mutex::default(),
            acknowledged: AtomicUsize::new(0),
        }
    }

    /// Waits until at least `count` completions were acknowledged, and says when that was seen.
    async fn reached(&self, count: usize) -> Instant {
        while self.acknowledged.load(Ordering::Relaxed) < count {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Instant::now()
    }
}

#[async_trait]
impl JobClient for CountingClient {
    async fn activate_jobs(&self, request: &ActivateJobsRequest) -> Result<Vec<Job>, ClientError> {
        let jobs = self.inner.activate_jobs(request).await?;
        if let Some(element) = &self.only_element {
            let mut counted = self.counted_jobs.lock().unwrap_or_else(PoisonError::into_inner);
            counted.extend(jobs.iter().filter(|job| &job.element_id == element).map(|job| job.key));
        }
        Ok(jobs)
    }

    async fn complete_job(&self, job_key: i64, variables: Variables) -> Result<(), ClientError> {
        self.inner.complete_job(job_key, variables).await?;
        let counts = match &self.only_element {
            None => true,
            Some(_) => self.counted_jobs.lock().unwrap_or_else(PoisonError::into_inner).remove(&job_key),
        };
        if counts {
            self.acknowledged.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn complete_ad_hoc_job(
        &self,
        key: i64,
        variables: Variables,
        decision: &workers::AdHocDecision,
    ) -> Result<(), ClientError> {
        self.inner.complete_ad_hoc_job(key, variables, decision).await
    }

    async fn fail_job(&self, key: i64, retries: i32, message: &str, backoff: Duration) -> Result<(), ClientError> {
        self.inner.fail_job(key, retries, message, backoff).await
    }

    async fn throw_error(&self, key: i64, code: &str, message: &str, vars: Variables) -> Result<(), ClientError> {
        self.inner.throw_error(key, code, message, vars).await
    }
}

/// The Java client's defaults, with the given capacity: 5 min lock, 10 s long polling, 100 ms
/// pause after an empty poll.
fn worker_options(args: &Args) -> Result<WorkerOptions, String> {
    Ok(WorkerOptions { max_jobs_active: args.count("max-jobs-active", Some(32))?, ..WorkerOptions::default() })
}

async fn work(client: ZeebeClient, args: Args, threads: usize) -> Result<String, String> {
    let job_type = args.text("job-type")?;
    let (jobs, warmup) = (args.count("jobs", None)?, args.count("warmup", None)?);
    if jobs == 0 || warmup == 0 {
        return Err("the clock starts at the last warm-up job: give at least 1 job and 1 warm-up job".into());
    }
    let options = worker_options(&args)?;
    let max_jobs_active = options.max_jobs_active;
    let counting = Arc::new(CountingClient::new(client.clone(), None));
    let no_op = handler_fn(|_job: Job| async { JobOutcome::complete() });
    let runtime =
        WorkerRuntime::new(counting.clone()).worker_name("rust-bench").register_with(job_type, no_op, options);
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(runtime.run(shutdown.clone()));
    let clock_start = counting.reached(warmup).await;
    let cpu_start = process_cpu_seconds();
    let clock_stop = counting.reached(warmup + jobs).await;
    let cpu_seconds = process_cpu_seconds().zip(cpu_start).map(|(stop, start)| stop - start);
    shutdown.cancel();
    worker.await.map_err(|e| format!("the worker crashed: {e}"))?.map_err(|e| e.to_string())?;

    // Every job of the type was completed: none is left to activate.
    let probe = ActivateJobsRequest {
        job_type: job_type.to_owned(),
        worker: "rust-bench-probe".into(),
        max_jobs: 1,
        timeout: Duration::from_secs(1),
        fetch_variables: None,
        request_timeout: Duration::ZERO,
    };
    let left = client.activate_jobs(&probe).await.map_err(|e| format!("probing for jobs left: {e}"))?;
    if !left.is_empty() {
        return Err(format!("jobs of {job_type} were left after the run: {left:?}"));
    }
    let seconds = (clock_stop - clock_start).as_secs_f64();
    Ok(json!({
        "client": "workers (WorkerRuntime + ZeebeClient)",
        "version": env!("CARGO_PKG_VERSION"),
        "jobs": jobs,
        "seconds": seconds,
        "jobs_per_s": jobs as f64 / seconds,
        "max_jobs_active": max_jobs_active,
        "threads": threads,
        "acknowledged": counting.acknowledged.load(Ordering::Relaxed),
        "cpu_seconds": cpu_seconds,
        "cpu_us_per_job": cpu_seconds.map(|cpu| cpu * 1e6 / jobs as f64),
    })
    .to_string())
}

/// The CPU time this process has used (user + system), from `/proc/self/stat` in Linux's fixed
/// 100 ticks per second; `None` where that file cannot be read.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3: utime is field 14.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// `bench.increment`: `counter := counter + 1`; at `task_10` the counter must be 9, or the
/// instance did not run its ten tasks in order (counted in `wrong`).
fn increment(job: &Job, wrong: &AtomicUsize) -> Result<JobOutcome, String> {
    let counter = job.variable("counter").and_then(Value::as_i64).ok_or("the job has no integer `counter`")?;
    if job.element_id == "task_10" && counter != 9 {
        wrong.fetch_add(1, Ordering::Relaxed);
    }
    Ok(JobOutcome::complete_with(json!({"counter": counter + 1}).as_object().cloned().unwrap_or_default()))
}

async fn w1(client: ZeebeClient, args: Args, threads: usize) -> Result<String, String> {
    let file = args.text("workload")?;
    let instances = args.count("instances", None)?;
    let warmup = args.count("warmup", Some((instances / 10).min(200)))?;
    let concurrency = args.count("concurrency", Some(32))?;
    let xml = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    client
        .deploy_resources([("w1_straight.bpmn".to_owned(), xml)])
        .await
        .map_err(|e| format!("deploying {file}: {e}"))?;

    let wrong = Arc::new(AtomicUsize::new(0));
    let counted = wrong.clone();
    let handler = handler_fn(move |job: Job| {
        let outcome = increment(&job, &counted);
        async move { outcome }
    });
    let counting = Arc::new(CountingClient::new(client.clone(), Some("task_10")));
    let options = worker_options(&args)?;
    let runtime = WorkerRuntime::new(counting.clone()).worker_name("rust-bench-w1").register_with(
        "bench.increment",
        handler,
        options,
    );
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(runtime.run(shutdown.clone()));

    let start_variables = json!({"counter": 0}).as_object().cloned().unwrap_or_default();
    create_instances(&client, "w1_straight", &start_variables, warmup, concurrency).await?;
    counting.reached(warmup).await;
    let started = Instant::now();
    create_instances(&client, "w1_straight", &start_variables, instances, concurrency).await?;
    let finished = counting.reached(warmup + instances).await;
    shutdown.cancel();
    worker.await.map_err(|e| format!("the worker crashed: {e}"))?.map_err(|e| e.to_string())?;

    let wrong = wrong.load(Ordering::Relaxed);
    if wrong > 0 {
        return Err(format!("{wrong} instances reached task_10 with a counter other than 9"));
    }
    let seconds = (finished - started).as_secs_f64();
    Ok(json!({
        "peer": "zeebe-8.6.0 + workers",
        "version": env!("CARGO_PKG_VERSION"),
        "workload": "W1",
        "instances": instances,
        "seconds": seconds,
        "instances_per_s": instances as f64 / seconds,
        "activations_per_s": 12.0 * instances as f64 / seconds,
        "verified": true,
        "threads": threads,
    })
    .to_string())
}
