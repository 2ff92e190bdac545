//! SIGKILL during routing, on SQLite and PostgreSQL: a child process routes and finishes jobs
//! from several tasks at once and is killed at random moments. After every kill the store is
//! consistent: no job is held twice, every instance's counter matches its open assignments and
//! stays within its capacity, every acknowledged route and finish is there, and each assignment
//! has exactly one routing entry in the audit log. A restarted child picks the work up from the
//! store (jobs never routed, jobs still open), and a last run finishes every job exactly once.
//!
//! The child is this test binary run again with the ignored `crash_child` test selected.
//! `PERSONAS_CRASH_SEED=<n>` replays a kill schedule.

mod support;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::SystemClock;
use personas::{Outcome, Registry, RouteDecision, RouteRequest};
use support::{Random, Raw, TestStore, instance_in, on_every_backend, shop};

on_every_backend!(sigkill_during_routing_assigns_no_job_twice_and_loses_none);

/// Jobs in the scenario.
const JOBS: i64 = 400;
/// Instances, each taking this many jobs at once: 8 × 3 = 24 slots.
const INSTANCES: usize = 8;
const CAPACITY: u32 = 3;
/// Tasks in the child, each holding up to this many jobs: 6 × 5 = 30, so jobs wait too.
const TASKS: u64 = 6;
const HELD: usize = 5;
/// Kills before the last, unkilled run.
const KILLS: u64 = 30;

const LOCATION: &str = "PERSONAS_CRASH_LOCATION";
const ACKS: &str = "PERSONAS_CRASH_ACKS";
const RUN: &str = "PERSONAS_CRASH_RUN";

/// The child process: does the work it finds in the store until there is none, acknowledging
/// every route and finish in the side file right after the registry returned.
#[test]
#[ignore = "the child process of the crash test, which starts it itself"]
fn crash_child() {
    let (Ok(location), Ok(acks), Ok(run)) = (std::env::var(LOCATION), std::env::var(ACKS), std::env::var(RUN)) else {
        return;
    };
    support::block_on(async move {
        let registry = Registry::open(&location, Arc::new(SystemClock)).await.expect("the child opens the registry");
        let mut raw = Raw::connect(&location).await;
        let assigned: HashSet<i64> = raw
            .pairs("SELECT job_key, instance_id FROM persona_assignment")
            .await
            .into_iter()
            .map(|(j, _)| j)
            .collect();
        let open: Vec<i64> = raw
            .pairs("SELECT job_key, instance_id FROM persona_assignment WHERE finished_at IS NULL")
            .await
            .into_iter()
            .map(|(job, _)| job)
            .collect();
        let todo: Vec<i64> = (1..=JOBS).filter(|job| !assigned.contains(job)).rev().collect();
        let todo = Arc::new(Mutex::new(todo));
        let acks = Arc::new(Mutex::new(
            std::fs::OpenOptions::new().create(true).append(true).open(acks).expect("the ack file opens"),
        ));
        let ack = move |acks: &Mutex<std::fs::File>, line: String| {
            let mut file = acks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            file.write_all(line.as_bytes()).expect("the ack is written");
        };
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let (registry, todo, acks) = (registry.clone(), todo.clone(), acks.clone());
            // The jobs a killed run left open are finished first, shared out among the tasks.
            let mut held: Vec<i64> = open.iter().copied().skip(task as usize).step_by(TASKS as usize).collect();
            let seed: u64 = run.parse::<u64>().unwrap_or_default() * 100 + task + 1;
            tasks.push(tokio::spawn(async move {
                let mut random = Random(0x2545_f491_4f6c_dd1d ^ seed);
                let mut waiting: Option<i64> = None;
                loop {
                    let route = held.len() < HELD && (held.is_empty() || random.below(3) != 0);
                    let next = if route {
                        waiting.take().or_else(|| todo.lock().ok().and_then(|mut t| t.pop()))
                    } else {
                        None
                    };
                    match next {
                        Some(job) => {
                            let request = RouteRequest {
                                job_key: job,
                                persona_type: "backend-developer".into(),
                                project: shop(),
                                workflow_instance: Some(1),
                                element_id: Some("work".into()),
                            };
                            match registry.route(&request).await.expect("routes") {
                                RouteDecision::Assigned(a) => {
                                    ack(&acks, format!("routed {job} {}\n", a.instance_id));
                                    held.push(job);
                                }
                                RouteDecision::Wait { .. } => {
                                    waiting = Some(job);
                                    if held.is_empty() {
                                        tokio::time::sleep(Duration::from_millis(2)).await;
                                    }
                                }
                            }
                        }
                        None if held.is_empty() && waiting.is_none() => break,
                        None if held.is_empty() => tokio::time::sleep(Duration::from_millis(2)).await,
                        None => {
                            let job = held.swap_remove(random.below(held.len() as u64) as usize);
                            registry.finish(job, Outcome::Succeeded).await.expect("finishes");
                            ack(&acks, format!("finished {job}\n"));
                        }
                    }
                }
            }));
        }
        for task in tasks {
            task.await.expect("the task ends");
        }
        println!("CHILD DONE");
    });
}

/// What the child acknowledged: the instance each job was routed to, and the jobs finished.
#[derive(Default)]
struct Acks {
    routed: HashMap<i64, i64>,
    finished: HashSet<i64>,
}

impl Acks {
    /// Reads the side file; a last line cut by the kill is ignored.
    fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let complete = text.rsplit_once('\n').map_or("", |(lines, _)| lines);
        let mut acks = Acks::default();
        for line in complete.lines() {
            let fields: Vec<i64> = line.split(' ').skip(1).filter_map(|f| f.parse().ok()).collect();
            match (line.split(' ').next(), fields.as_slice()) {
                (Some("routed"), [job, instance]) => {
                    let before = acks.routed.insert(*job, *instance);
                    assert!(before.is_none() || before == Some(*instance), "job {job} acknowledged on two instances");
                }
                (Some("finished"), [job]) => assert!(acks.finished.insert(*job), "job {job} finished twice"),
                _ => panic!("a malformed ack line: {line}"),
            }
        }
        acks
    }
}

/// How many lines the side file has.
fn ack_lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |text| text.matches('\n').count())
}

fn spawn_child(location: &str, acks: &Path, run: u64) -> Child {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "crash_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(LOCATION, location)
        .env(ACKS, acks)
        .env(RUN, run.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child starts")
}

async fn sigkill_during_routing_assigns_no_job_twice_and_loses_none(store: TestStore) {
    let clock = engine::VirtualClock::default();
    let registry = store.registry(&clock).await;
    for i in 0..INSTANCES {
        let mut new = instance_in(&format!("dev-{i}"), "backend-developer", &shop());
        new.max_concurrent_tasks = Some(CAPACITY);
        registry.create_instance(new).await.expect("created");
    }
    registry.close().await;
    let location = store.location();
    let folder = tempfile::tempdir().expect("temp dir");
    let acks_path: PathBuf = folder.path().join("acks.log");
    let seed = std::env::var("PERSONAS_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_u64);
    let mut random = Random(seed);
    let mut mid_work = 0;
    for run in 0..KILLS {
        let mut child = spawn_child(&location, &acks_path, run);
        // Kill once the child has acknowledged a random number of further routes and finishes
        // (and a moment more), so every kill lands in the middle of the work on either backend.
        let target = ack_lines(&acks_path) + 3 + random.below(20) as usize;
        let began = Instant::now();
        while ack_lines(&acks_path) < target && child.try_wait().expect("waits").is_none() {
            assert!(began.elapsed() < Duration::from_secs(60), "the child made no progress");
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(random.below(5)));
        if child.try_wait().expect("waits").is_none() {
            mid_work += 1;
        }
        let _ = child.kill(); // SIGKILL on Unix.
        let _ = child.wait();
        check(&location, &Acks::read(&acks_path), false).await;
    }
    assert_eq!(mid_work, KILLS, "every kill found the child working");
    let mut last = spawn_child(&location, &acks_path, KILLS);
    let began = Instant::now();
    while last.try_wait().expect("waits").is_none() {
        assert!(began.elapsed() < Duration::from_secs(300), "the last run did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut output = String::new();
    std::io::Read::read_to_string(&mut last.stdout.take().expect("stdout"), &mut output).expect("reads");
    assert!(output.contains("CHILD DONE"), "the last run finished its work: {output}");
    let acks = Acks::read(&acks_path);
    check(&location, &acks, true).await;
    println!(
        "{} backend: {mid_work} of {KILLS} kills mid-work (seed {seed}), {JOBS} jobs each assigned and finished once; {} routes and {} finishes acknowledged",
        if store.is_postgres() { "postgres" } else { "sqlite" },
        acks.routed.len(),
        acks.finished.len()
    );
}

/// The store is consistent with itself and with the acknowledgements; `all_done`: every job was
/// assigned once and finished.
async fn check(location: &str, acks: &Acks, all_done: bool) {
    let mut raw = Raw::connect(location).await;
    let assignments: HashMap<i64, i64> =
        raw.pairs("SELECT job_key, instance_id FROM persona_assignment").await.into_iter().collect();
    let rows = raw.scalar("SELECT COUNT(*) FROM persona_assignment").await;
    assert_eq!(rows as usize, assignments.len(), "no job was assigned twice");
    let finished: HashSet<i64> = raw
        .pairs("SELECT job_key, instance_id FROM persona_assignment WHERE finished_at IS NOT NULL")
        .await
        .into_iter()
        .map(|(job, _)| job)
        .collect();
    for (job, instance) in &acks.routed {
        assert_eq!(assignments.get(job), Some(instance), "the acknowledged route of job {job} is in the store");
    }
    for job in &acks.finished {
        assert!(finished.contains(job), "the acknowledged finish of job {job} is in the store");
    }
    let counters: HashMap<i64, i64> =
        raw.pairs("SELECT id, open_tasks FROM persona_instance").await.into_iter().collect();
    let open: HashMap<i64, i64> = raw
        .pairs("SELECT instance_id, COUNT(*) FROM persona_assignment WHERE finished_at IS NULL GROUP BY instance_id")
        .await
        .into_iter()
        .collect();
    for (instance, counter) in &counters {
        let held = open.get(instance).copied().unwrap_or(0);
        assert_eq!(*counter, held, "instance {instance}'s counter matches its open assignments");
        assert!(held <= i64::from(CAPACITY), "instance {instance} holds {held} jobs");
    }
    let audited = raw
        .pairs(
            "SELECT job_key, COUNT(*) FROM persona_audit WHERE kind = 'routing' \
             AND details LIKE '%\"decision\":\"assigned\"%' GROUP BY job_key",
        )
        .await;
    assert_eq!(audited.len(), assignments.len(), "every assignment has its routing entry");
    assert!(audited.iter().all(|(_, n)| *n == 1), "and only one");
    if all_done {
        assert_eq!(assignments.len() as i64, JOBS, "every job was assigned");
        assert_eq!(finished.len() as i64, JOBS, "and finished");
    }
}
