//! What routing costs: per job at 1,000 instances of one persona type in one project (route,
//! and route plus finish, one job at a time; routes of 1,000 jobs at once, amortized; route plus
//! finish 64 at once), and the throughput of many small jobs (W1: ten service tasks in a row per
//! instance) with routing on against routing off. Routing decides in memory and group-commits
//! its writes, so a lone job pays a whole durable commit and jobs at once share one.
//!
//! The registry is a SQLite file in a temporary folder (WAL, `synchronous=FULL`, as in use).
//! `cargo bench -p personas --bench routing`; the W1 ratio is printed after its two runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use engine::testing::model::ProcessBuilder;
use engine::{Engine, EngineCore, SystemClock};
use personas::{NewInstance, Outcome, Project, Registry, RouteDecision, RouteRequest, Routed};
use workers::{ActivateJobsRequest, EmbeddedClient, Job, JobClient, JobHandler, JobOutcome, handler_fn};
use yaml_to_bpmn::personas::PersonaCatalogue;

const TYPE: &str = "senior-developer";
const INSTANCES: usize = 1_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
}

/// A registry in `dir` with the catalogue and `instances` instances of [`TYPE`] in acme/shop.
async fn registry(dir: &tempfile::TempDir, instances: usize) -> Registry {
    let path = dir.path().join("registry.db").display().to_string();
    let registry = Registry::open(&path, Arc::new(SystemClock)).await.expect("opens");
    let catalogue = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows/personas/types.yaml");
    let text = std::fs::read_to_string(&catalogue).expect("the catalogue");
    let catalogue = PersonaCatalogue::parse("types.yaml", &text).expect("parses");
    registry.load_types(&catalogue).await.expect("loads");
    for n in 0..instances {
        let mut new = NewInstance::new(format!("dev-{n:04}"), TYPE);
        new.project = Some(shop());
        new.max_concurrent_tasks = Some(5);
        registry.create_instance(new).await.expect("created");
    }
    registry
}

fn shop() -> Project {
    Project::new("acme", "shop")
}

fn request(job_key: i64) -> RouteRequest {
    RouteRequest {
        job_key,
        persona_type: TYPE.into(),
        project: shop(),
        workflow_instance: Some(1),
        element_id: Some("step".into()),
    }
}

async fn route(registry: &Registry, job_key: i64) {
    match registry.route(&request(job_key)).await {
        Ok(RouteDecision::Assigned(_)) => {}
        other => panic!("job {job_key}: {other:?}"),
    }
}

fn per_job(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = rt.block_on(registry(&dir, INSTANCES));
    let next = Arc::new(AtomicI64::new(1));
    let mut group = c.benchmark_group("routing_1000_instances");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.bench_function("route", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let key = next.fetch_add(1, Ordering::Relaxed);
                    let began = Instant::now();
                    route(&registry, key).await;
                    spent += began.elapsed();
                    registry.finish(key, Outcome::Succeeded).await.expect("finished");
                }
                spent
            })
        });
    });
    group.bench_function("route_and_finish", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let began = Instant::now();
                for _ in 0..iters {
                    let key = next.fetch_add(1, Ordering::Relaxed);
                    route(&registry, key).await;
                    registry.finish(key, Outcome::Succeeded).await.expect("finished");
                }
                began.elapsed()
            })
        });
    });
    // Amortized: a wave of jobs routed at once shares group commits; the time of the wave over
    // its jobs (their finishes, also grouped, are not counted).
    group.bench_function("route_amortized_1000_at_once", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut spent = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let wave = left.min(1_000);
                    let keys: Vec<i64> = (0..wave).map(|_| next.fetch_add(1, Ordering::Relaxed)).collect();
                    let began = Instant::now();
                    let tasks: Vec<_> = keys
                        .iter()
                        .map(|&key| {
                            let registry = registry.clone();
                            tokio::spawn(async move { route(&registry, key).await })
                        })
                        .collect();
                    for task in tasks {
                        task.await.expect("a routing task");
                    }
                    spent += began.elapsed();
                    let finishes: Vec<_> = keys
                        .into_iter()
                        .map(|key| {
                            let registry = registry.clone();
                            tokio::spawn(async move { registry.finish(key, Outcome::Succeeded).await })
                        })
                        .collect();
                    for finish in finishes {
                        finish.await.expect("a finishing task").expect("finished");
                    }
                    left -= wave;
                }
                spent
            })
        });
    });
    group.bench_function("route_and_finish_64_at_once", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let began = Instant::now();
                let mut left = iters;
                while left > 0 {
                    let wave = left.min(64);
                    let tasks: Vec<_> = (0..wave)
                        .map(|_| {
                            let (registry, key) = (registry.clone(), next.fetch_add(1, Ordering::Relaxed));
                            tokio::spawn(async move {
                                route(&registry, key).await;
                                registry.finish(key, Outcome::Succeeded).await.expect("finished");
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.expect("a routing task");
                    }
                    left -= wave;
                }
                began.elapsed()
            })
        });
    });
    group.finish();
}

/// W1-style: `instances` instances of ten service tasks in a row, `in_flight` at a time, each
/// job activated, handled by `handler` and completed; returns jobs per second.
async fn w1(handler: Arc<dyn JobHandler>, instances: usize, in_flight: usize) -> f64 {
    let mut core = EngineCore::new();
    let mut model = ProcessBuilder::new("w1").start("start");
    for n in 1..=10 {
        let task = format!("task_{n:02}");
        model = model.service_task(&task, "work").header(&task, "persona", TYPE);
    }
    core.deploy_model("w1.bpmn", &model.end("end").build()).expect("deploys");
    let engine = Engine::new(core);
    let client = EmbeddedClient::new(engine.clone());
    let activate = ActivateJobsRequest {
        job_type: "work".into(),
        worker: "bench".into(),
        max_jobs: in_flight,
        timeout: Duration::from_secs(300),
        fetch_variables: None,
        request_timeout: Duration::ZERO,
    };
    let began = Instant::now();
    let (mut started, mut jobs) = (0, 0_usize);
    loop {
        while started < instances && engine.with(|core| core.state().jobs.len()) < in_flight {
            engine.with(|core| core.create_instance("w1", None, workers::Variables::new())).expect("starts");
            started += 1;
        }
        let batch = client.activate_jobs(&activate).await.expect("activates");
        if batch.is_empty() && started == instances {
            break;
        }
        let tasks: Vec<_> = batch
            .into_iter()
            .map(|job| {
                let (handler, client) = (handler.clone(), client.clone());
                tokio::spawn(async move {
                    match handler.handle(&job).await {
                        JobOutcome::Complete { variables } => client.complete_job(job.key, variables).await,
                        other => panic!("job {}: {other:?}", job.key),
                    }
                })
            })
            .collect();
        jobs += tasks.len();
        for task in tasks {
            task.await.expect("a job task").expect("completes");
        }
    }
    jobs as f64 / began.elapsed().as_secs_f64()
}

fn w1_ratio(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = rt.block_on(registry(&dir, 20));
    let plain: Arc<dyn JobHandler> = Arc::new(handler_fn(|_job: Job| async { JobOutcome::complete() }));
    let routed: Arc<dyn JobHandler> = Arc::new(Routed::new(plain.clone(), registry).default_project(Some(shop())));
    let (instances, in_flight) = (300, 64);
    let mut group = c.benchmark_group("w1_jobs");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let mut rates = Vec::new();
    for (name, handler) in [("routing_off", plain), ("routing_on", routed)] {
        let mut seen = Vec::new();
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iters {
                        let began = Instant::now();
                        seen.push(w1(handler.clone(), instances, in_flight).await);
                        spent += began.elapsed();
                    }
                    spent
                })
            });
        });
        seen.sort_by(f64::total_cmp);
        rates.push((name, seen.get(seen.len() / 2).copied().unwrap_or_default()));
    }
    group.finish();
    // A filter that skips the two runs (`-- routing_1000`) leaves no rates to compare.
    if let [(_, off), (_, on)] = rates[..]
        && off > 0.0
        && on > 0.0
    {
        println!(
            "W1 ({instances} instances x 10 jobs, {in_flight} in flight): routing off {off:.0} jobs/s, routing on {on:.0} jobs/s, on/off = {:.3}",
            on / off
        );
    }
}

criterion_group!(benches, per_job, w1_ratio);
criterion_main!(benches);
