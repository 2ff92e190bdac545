//! Routing: the choice and its reasons, waiting, paused and retired instances, and capacity and
//! fairness under concurrency (100 instances, 3,000 tasks by default, `PERSONAS_FAIRNESS_TASKS=10000`
//! for the full run).

mod support;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use engine::VirtualClock;
use personas::{
    AuditKind, AuditQuery, Instance, InstanceChanges, InstanceRef, Money, Outcome, Project, Registry, RegistryError,
    RouteDecision, RouteRequest,
};
use serde_json::json;
use support::{Random, Raw, TestStore, instance_in, on_every_backend, shop};

on_every_backend!(
    routing_picks_as_specified_and_says_why,
    jobs_wait_when_no_instance_can_take_them,
    paused_and_retired_instances_give_their_work_back,
    a_job_routed_concurrently_is_assigned_once,
    no_instance_goes_over_capacity_with_100_instances_and_thousands_of_tasks,
    a_routing_view_behind_the_store_costs_a_retry_never_a_wrong_placement,
    the_last_recorded_time_is_the_latest_assignment_or_entry,
    a_decision_names_the_first_instances_passed_over_and_counts_the_rest,
);

fn request(job_key: i64, persona_type: &str, project: &Project) -> RouteRequest {
    RouteRequest {
        job_key,
        persona_type: persona_type.into(),
        project: project.clone(),
        workflow_instance: Some(7),
        element_id: Some(format!("task-{job_key}")),
    }
}

/// The assignment, failing the test on a wait.
async fn assigned(registry: &Registry, request: &RouteRequest) -> personas::Assignment {
    match registry.route(request).await.expect("routes") {
        RouteDecision::Assigned(assignment) => assignment,
        RouteDecision::Wait { reason, .. } => panic!("job {} waits: {reason}", request.job_key),
    }
}

/// The reason of a wait, failing the test on an assignment.
async fn waits(registry: &Registry, request: &RouteRequest) -> String {
    match registry.route(request).await.expect("routes") {
        RouteDecision::Wait { reason, .. } => reason,
        RouteDecision::Assigned(a) => panic!("job {} went to {}", request.job_key, a.instance_name),
    }
}

async fn create(registry: &Registry, name: &str, persona_type: &str, project: &Project, priority: i32) -> Instance {
    let mut new = instance_in(name, persona_type, project);
    new.priority = priority;
    registry.create_instance(new).await.expect("created")
}

async fn routing_picks_as_specified_and_says_why(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let dev = "backend-developer";
    create(&registry, "alma", dev, &shop(), 0).await;
    create(&registry, "bert", dev, &shop(), 5).await;
    let paused = create(&registry, "carl", dev, &shop(), 9).await;
    registry.pause(&InstanceRef::Id(paused.id)).await.expect("paused");
    create(&registry, "dora", dev, &Project::new("acme", "bank"), 9).await;
    create(&registry, "emil", dev, &shop().with_repository("api"), 9).await;
    create(&registry, "fred", "frontend-developer", &shop(), 9).await;

    // Equal load, no history: the higher priority wins; the others are listed with their reasons.
    let first = assigned(&registry, &request(1, dev, &shop())).await;
    assert_eq!(first.instance_name, "bert");
    assert!(first.reason.contains("higher priority (5 against 0)"), "{}", first.reason);
    let considered: Vec<(&str, Option<&str>)> =
        first.candidates.iter().map(|c| (c.name.as_str(), c.skipped.as_deref())).collect();
    assert_eq!(
        considered,
        [("bert", None), ("alma", None), ("carl", Some("paused")), ("emil", Some("works on repository api only"))],
        "other projects and types are not considered"
    );
    // Then the least loaded.
    let second = assigned(&registry, &request(2, dev, &shop())).await;
    assert_eq!(second.instance_name, "alma");
    assert!(second.reason.contains("least loaded"), "{}", second.reason);
    // Equal load again: the better recent success rate beats the higher priority.
    registry.finish(1, Outcome::Failed).await.expect("finished");
    registry.finish(2, Outcome::Succeeded).await.expect("finished");
    let third = assigned(&registry, &request(3, dev, &shop())).await;
    assert_eq!(third.instance_name, "alma");
    assert!(third.reason.contains("better recent success rate (1/1 against 0/1)"), "{}", third.reason);
    // A job of the api repository may also go to the instance that works on api only.
    let api = assigned(&registry, &request(4, dev, &shop().with_repository("api"))).await;
    assert_eq!((api.instance_name.as_str(), api.open_tasks), ("emil", 1));
    // All equal: by name.
    create(&registry, "hugo", "qa-test-engineer", &shop(), 1).await;
    create(&registry, "gina", "qa-test-engineer", &shop(), 1).await;
    let tie = assigned(&registry, &request(5, "qa-test-engineer", &shop())).await;
    assert_eq!(tie.instance_name, "gina");
    assert!(tie.reason.contains("tied with `hugo`"), "{}", tie.reason);

    // A capacity lowered below the tasks held only stops new work.
    let alma = InstanceRef::Name("alma".into());
    let lowered = InstanceChanges { max_concurrent_tasks: Some(1), ..InstanceChanges::default() };
    assert_eq!(registry.update(&alma, lowered).await.expect("updated").open_tasks, 1);
    let sixth = assigned(&registry, &request(6, dev, &shop())).await;
    assert_eq!(sixth.instance_name, "bert");
    let alma_then = sixth.candidates.iter().find(|c| c.name == "alma").and_then(|c| c.skipped.clone());
    assert_eq!(alma_then.as_deref(), Some("at capacity (1 of 1 tasks)"));

    // Routing a job again gives the same instance and takes no second slot.
    let again = assigned(&registry, &request(3, dev, &shop())).await;
    assert!(again.already_assigned && again.instance_name == "alma" && again.open_tasks == 1, "{again:?}");

    let error = registry.route(&request(8, "backend-develper", &shop())).await.expect_err("unknown type");
    assert!(matches!(&error, RegistryError::UnknownType { .. }) && error.to_string().contains("backend-developer"));

    // Each decision is in the audit log with its reasons.
    let routing =
        registry.audit(&AuditQuery { kinds: vec![AuditKind::Routing], ..AuditQuery::default() }).await.expect("reads");
    let keys: Vec<Option<i64>> = routing.iter().map(|e| e.job_key).collect();
    assert_eq!(keys, [Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)], "one entry per decision");
    let first_entry = &routing[0];
    assert_eq!(
        (first_entry.instance_name.as_deref(), first_entry.workflow_instance, first_entry.element_id.as_deref()),
        (Some("bert"), Some(7), Some("task-1"))
    );
    assert_eq!(first_entry.details["decision"], json!("assigned"));
    assert_eq!(first_entry.details["runners_up"][0]["instance"], json!("alma"));
    assert_eq!(
        first_entry.details["skipped"],
        json!([{"instance": "carl", "why": "paused"}, {"instance": "emil", "why": "works on repository api only"}])
    );
}

async fn jobs_wait_when_no_instance_can_take_them(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let reason = waits(&registry, &request(1, "technical-writer", &shop())).await;
    assert!(
        reason.contains("orchestrator personas create NAME --type technical-writer --project acme/shop"),
        "{reason}"
    );

    let mut small = instance_in("tess", "technical-writer", &shop());
    small.max_concurrent_tasks = Some(1);
    small.daily_limit = Some(Money::from_dollars(1));
    let tess = registry.create_instance(small).await.expect("created");
    assigned(&registry, &request(1, "technical-writer", &shop())).await;
    let reason = waits(&registry, &request(2, "technical-writer", &shop())).await;
    assert!(reason.contains("`tess` at capacity (1 of 1 tasks)"), "{reason}");
    // The job that fills the last slot, routed again (its activation timed out, or the worker
    // restarted), is given back its holder rather than told to wait for its own slot.
    let again = assigned(&registry, &request(1, "technical-writer", &shop())).await;
    assert!(again.already_assigned && again.instance_name == "tess" && again.open_tasks == 1, "{again:?}");

    registry.finish(1, Outcome::Succeeded).await.expect("finished");
    registry
        .charge(&InstanceRef::Id(tess.id), Some(1), &personas::Cost::Amount(Money::from_dollars(1)))
        .await
        .expect("charged");
    let reason = waits(&registry, &request(2, "technical-writer", &shop())).await;
    assert!(reason.contains("daily budget used up ($1.00 spent and $0.00 in flight of $1.00)"), "{reason}");
    // The next day the budget is back and the waiting job is placed.
    clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(assigned(&registry, &request(2, "technical-writer", &shop())).await.instance_name, "tess");

    let waits_logged = registry
        .audit(&AuditQuery { kinds: vec![AuditKind::Routing], ..AuditQuery::default() })
        .await
        .expect("reads")
        .into_iter()
        .filter(|e| e.details["decision"] == json!("wait"))
        .count();
    assert_eq!(waits_logged, 3, "every wait is audited with its reason");
}

async fn paused_and_retired_instances_give_their_work_back(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let dev = "backend-developer";
    let capacity = |mut new: personas::NewInstance, n: u32| {
        new.max_concurrent_tasks = Some(n);
        new
    };
    let ann = registry.create_instance(capacity(instance_in("ann", dev, &shop()), 2)).await.expect("created");
    let ben = registry.create_instance(capacity(instance_in("ben", dev, &shop()), 2)).await.expect("created");
    for job in 1..=4 {
        assigned(&registry, &request(job, dev, &shop())).await;
    }
    registry.pause(&InstanceRef::Id(ann.id)).await.expect("paused");
    let reason = waits(&registry, &request(5, dev, &shop())).await;
    assert!(reason.contains("`ann` paused") && reason.contains("`ben` at capacity (2 of 2 tasks)"), "{reason}");

    let error = registry.reassign_open_work(&InstanceRef::Id(ben.id)).await.expect_err("ben is active");
    assert!(error.to_string().contains("pause or retire"), "{error}");

    let taken_back = registry.reassign_open_work(&InstanceRef::Id(ann.id)).await.expect("taken back");
    assert_eq!(taken_back.len(), 2);
    assert!(taken_back.iter().all(|job| job.instance_id == ann.id && job.outcome.as_deref() == Some("reassigned")));
    assert_eq!(registry.get(&InstanceRef::Id(ann.id)).await.expect("reads").open_tasks, 0);
    // Nobody can take them yet: they wait, and are not lost.
    for job in &taken_back {
        waits(&registry, &job.route_request()).await;
    }
    registry.create_instance(instance_in("cem", dev, &shop())).await.expect("created");
    for job in taken_back.iter().map(|job| job.route_request()).chain([request(5, dev, &shop())]) {
        assert_eq!(assigned(&registry, &job).await.instance_name, "cem");
    }
    registry.retire(&InstanceRef::Id(ben.id)).await.expect("retired");
    for job in registry.reassign_open_work(&InstanceRef::Id(ben.id)).await.expect("taken back") {
        assert_eq!(assigned(&registry, &job.route_request()).await.instance_name, "cem");
    }
    // Every job is held exactly once, by cem, and finishes there.
    let held: Vec<i64> = registry
        .open_work(&InstanceRef::Name("cem".into()))
        .await
        .expect("reads")
        .iter()
        .map(|job| job.job_key)
        .collect();
    assert_eq!(held.iter().copied().collect::<HashSet<_>>(), (1..=5).collect::<HashSet<_>>());
    assert_eq!(held.len(), 5);
    for job in 1..=5 {
        assert_eq!(
            registry.finish(job, Outcome::Succeeded).await.expect("finished").instance_id,
            held_by(&registry, "cem").await
        );
    }
    let error = registry.finish(1, Outcome::Succeeded).await.expect_err("finished already");
    assert!(error.to_string().contains("no open assignment"), "{error}");
    let changes = registry
        .audit(&AuditQuery {
            kinds: vec![AuditKind::InstanceChange],
            instance: Some(InstanceRef::Id(ann.id)),
            ..Default::default()
        })
        .await
        .expect("reads");
    assert_eq!(
        changes.last().map(|e| e.details["jobs"].clone()),
        Some(json!(taken_back.iter().map(|j| j.job_key).collect::<Vec<_>>()))
    );
}

async fn held_by(registry: &Registry, name: &str) -> i64 {
    registry.get(&InstanceRef::Name(name.into())).await.expect("reads").id
}

async fn a_job_routed_concurrently_is_assigned_once(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let other = store.open(&clock).await;
    for name in ["ann", "ben", "cem"] {
        registry.create_instance(instance_in(name, "backend-developer", &shop())).await.expect("created");
    }
    let mut routes = Vec::new();
    for i in 0..12 {
        let handle = if i % 2 == 0 { registry.clone() } else { other.clone() };
        routes.push(tokio::spawn(async move { assigned(&handle, &request(77, "backend-developer", &shop())).await }));
    }
    let mut holders = HashSet::new();
    let mut fresh = 0;
    for route in routes {
        let assignment = route.await.expect("the task ends");
        holders.insert(assignment.instance_id);
        fresh += usize::from(!assignment.already_assigned);
    }
    assert_eq!((holders.len(), fresh), (1, 1), "one instance, one assignment");
    let total: u32 = registry.list(None, None, None).await.expect("lists").iter().map(|i| i.open_tasks).sum();
    assert_eq!(total, 1);
}

const INSTANCES: usize = 100;
/// Tasks routed: 3,000 in the default run (a minute a backend on a 2-core machine);
/// `PERSONAS_FAIRNESS_TASKS=10000` runs the full 10,000.
fn tasks() -> i64 {
    std::env::var("PERSONAS_FAIRNESS_TASKS").ok().and_then(|n| n.parse().ok()).unwrap_or(3_000)
}
/// Workers routing and finishing at once, spread over two registry handles (two "processes").
const WORKERS: u64 = 16;
/// The most jobs a worker holds: 16 × 40 = 640 in flight, above the 100 × 5 slots, so jobs wait too.
const HELD_PER_WORKER: usize = 40;

async fn no_instance_goes_over_capacity_with_100_instances_and_thousands_of_tasks(store: TestStore) {
    let tasks = tasks();
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    for i in 0..INSTANCES {
        registry
            .create_instance(instance_in(&format!("dev-{i:03}"), "backend-developer", &shop()))
            .await
            .expect("created");
    }
    let capacity = registry.list(None, None, None).await.expect("lists")[0].max_concurrent_tasks;
    let handles = [registry.clone(), store.open(&clock).await];
    let next_job = Arc::new(AtomicI64::new(1));
    let waits = Arc::new(AtomicU32::new(0));
    let most_reported = Arc::new(AtomicU32::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    let sampler = tokio::spawn(sample_max_open(store.location(), done.clone()));
    let mut workers = Vec::new();
    for worker in 0..WORKERS {
        let registry = handles[(worker % 2) as usize].clone();
        let (next_job, waits, most_reported) = (next_job.clone(), waits.clone(), most_reported.clone());
        workers.push(tokio::spawn(async move {
            let mut random = Random(0x9e37_79b9_7f4a_7c15 ^ (worker + 1));
            let mut held: Vec<i64> = Vec::new();
            let mut waiting: Vec<i64> = Vec::new();
            // After a wait, finish a job before routing again (as a runtime routes waiting jobs
            // when a slot frees), rather than asking again at once.
            let mut blocked = false;
            loop {
                let can_take = held.len() < HELD_PER_WORKER;
                // Three routes for every finish while below the cap, so the slots fill up.
                let job = if !can_take || (!held.is_empty() && (blocked || random.below(4) == 0)) {
                    None
                } else if let Some(job) = waiting.pop() {
                    Some(job)
                } else {
                    let job = next_job.fetch_add(1, Ordering::SeqCst);
                    (job <= tasks).then_some(job)
                };
                match job {
                    Some(job) => {
                        match registry.route(&request(job, "backend-developer", &shop())).await.expect("routes") {
                            RouteDecision::Assigned(a) => {
                                most_reported.fetch_max(a.open_tasks, Ordering::SeqCst);
                                held.push(job);
                            }
                            RouteDecision::Wait { .. } => {
                                blocked = true;
                                waits.fetch_add(1, Ordering::SeqCst);
                                waiting.push(job);
                                if held.is_empty() {
                                    tokio::time::sleep(Duration::from_millis(5)).await;
                                }
                            }
                        }
                    }
                    None if held.is_empty() && waiting.is_empty() => break,
                    None if held.is_empty() => tokio::time::sleep(Duration::from_millis(5)).await,
                    None => {
                        let job = held.swap_remove(random.below(held.len() as u64) as usize);
                        let outcome = if random.below(10) == 0 { Outcome::Failed } else { Outcome::Succeeded };
                        registry.finish(job, outcome).await.expect("finishes");
                        blocked = false;
                    }
                }
            }
        }));
    }
    for worker in workers {
        worker.await.expect("the worker ends");
    }
    done.store(true, Ordering::SeqCst);
    let (samples, most_sampled) = sampler.await.expect("the sampler ends");
    let elapsed = started.elapsed();

    let instances = registry.list(None, None, None).await.expect("lists");
    assert!(instances.iter().all(|i| i.open_tasks == 0), "every slot is free again");
    let per_instance = tasks_per_instance(&store).await;
    let total: i64 = per_instance.values().sum();
    let (most, least) = (per_instance.values().max().copied(), per_instance.values().min().copied());
    println!(
        "{} backend: {INSTANCES} instances (capacity {capacity}), {tasks} tasks, {WORKERS} workers on 2 handles: \
         tasks per instance max {} min {}; most open seen {most_sampled} in {samples} samples, {} reported by routing; \
         {} waits; {:.1}s",
        if store.is_postgres() { "postgres" } else { "sqlite" },
        most.unwrap_or_default(),
        least.unwrap_or_default(),
        most_reported.load(Ordering::SeqCst),
        waits.load(Ordering::SeqCst),
        elapsed.as_secs_f64()
    );
    assert_eq!(total, tasks, "every task was assigned exactly once (no job twice, none lost)");
    assert_eq!(per_instance.len(), INSTANCES, "every instance got work");
    assert!(
        most_sampled <= i64::from(capacity),
        "an instance held {most_sampled} tasks, above its capacity {capacity}"
    );
    assert!(most_reported.load(Ordering::SeqCst) <= capacity);
    assert!(samples > 0);
    assert!(waits.load(Ordering::SeqCst) > 0, "the test pushed past the capacity, so some jobs waited");
    // Least-loaded routing gives each instance tasks / 100 on average; ties go to the better recent
    // success rate (a tenth of the tasks fail here) and then by name, so the spread is not zero,
    // but no instance is starved or flooded. Over fewer tasks the success-rate ties weigh more
    // (3,000 tasks gave 17 to 53 around a mean of 30; 10,000 gave 74 to 132 around 100).
    let mean = tasks / INSTANCES as i64;
    let (low, high) = if tasks >= 10_000 { (mean / 2, mean * 3 / 2) } else { (mean / 3, mean * 2) };
    let (most, least) = (most.unwrap_or_default(), least.unwrap_or_default());
    assert!(least >= low && most <= high, "max {most} and min {least} tasks per instance, mean {mean}");
}

/// Samples, until `done`, the most unfinished assignments any instance has, counted from the
/// assignment rows in one statement (not from the registry's counters). Returns the number of
/// samples and the highest count seen.
async fn sample_max_open(location: String, done: Arc<AtomicBool>) -> (u32, i64) {
    let sql = "SELECT COALESCE(MAX(n), 0) AS most FROM \
               (SELECT COUNT(*) AS n FROM persona_assignment WHERE finished_at IS NULL GROUP BY instance_id) counts";
    let (mut samples, mut most) = (0, 0_i64);
    let mut connection = Raw::connect(&location).await;
    while !done.load(Ordering::SeqCst) {
        most = most.max(connection.scalar(sql).await);
        samples += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (samples, most)
}

/// How many tasks each instance was given in all (from the assignment rows).
async fn tasks_per_instance(store: &TestStore) -> BTreeMap<i64, i64> {
    let sql = "SELECT instance_id, COUNT(*) AS n FROM persona_assignment GROUP BY instance_id";
    Raw::connect(&store.location()).await.pairs(sql).await.into_iter().collect()
}

/// Routing keeps its candidates in memory; a change another process makes (here another
/// registry handle pauses an instance and takes a slot) is behind that view, and the store's
/// conditional update catches it: the job goes where there is room, or waits.
async fn a_routing_view_behind_the_store_costs_a_retry_never_a_wrong_placement(store: TestStore) {
    let clock = VirtualClock::default();
    let here = store.registry(&clock).await;
    let elsewhere = store.open(&clock).await;
    let one_slot = |name: &str| {
        let mut new = instance_in(name, "technical-writer", &shop());
        new.max_concurrent_tasks = Some(1);
        new
    };
    here.create_instance(one_slot("ann")).await.expect("created");
    here.create_instance(one_slot("ben")).await.expect("created");
    assert_eq!(assigned(&here, &request(1, "technical-writer", &shop())).await.instance_name, "ann");
    // Behind `here`'s back: ben is paused.
    elsewhere.pause(&InstanceRef::Name("ben".into())).await.expect("paused");
    let reason = waits(&here, &request(2, "technical-writer", &shop())).await;
    assert!(reason.contains("`ben` paused") && reason.contains("`ann` at capacity"), "{reason}");
    // Behind its back again: ben resumes and takes a job from the other handle; ann is freed.
    elsewhere.resume(&InstanceRef::Name("ben".into())).await.expect("resumed");
    assert_eq!(assigned(&elsewhere, &request(3, "technical-writer", &shop())).await.instance_name, "ben");
    elsewhere.finish(1, Outcome::Succeeded).await.expect("finished");
    // `here` still sees ann full and ben free and idle; the store says otherwise: job 2 goes
    // to ann, the only one with room.
    let placed = assigned(&here, &request(2, "technical-writer", &shop())).await;
    assert_eq!(placed.instance_name, "ann");
    for name in ["ann", "ben"] {
        let instance = here.get(&InstanceRef::Name(name.into())).await.expect("instance");
        assert_eq!(instance.open_tasks, 1, "{name} holds one job");
    }
}

/// `last_time` is the latest time anything was recorded: nothing at first, then the instance's
/// creation, then an assignment's finish (which writes no audit entry of its own), so a virtual
/// clock started from it never goes back behind the log.
async fn the_last_recorded_time_is_the_latest_assignment_or_entry(store: TestStore) {
    let clock = VirtualClock::at(1_000_000);
    let registry = store.registry(&clock).await;
    assert_eq!(registry.last_time().await.expect("reads"), None, "an empty registry recorded nothing");
    create(&registry, "ada", "senior-developer", &shop(), 0).await;
    assert_eq!(registry.last_time().await.expect("reads"), Some(1_000_000), "the creation's entry");
    clock.advance(Duration::from_secs(60));
    assigned(&registry, &request(1, "senior-developer", &shop())).await;
    assert_eq!(registry.last_time().await.expect("reads"), Some(1_060_000), "the routing");
    clock.advance(Duration::from_secs(600));
    registry.finish(1, Outcome::Succeeded).await.expect("finishes");
    assert_eq!(registry.last_time().await.expect("reads"), Some(1_660_000), "the finish");
}

async fn a_decision_names_the_first_instances_passed_over_and_counts_the_rest(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let writer = "technical-writer";
    for n in 0..12 {
        let paused =
            registry.create_instance(instance_in(&format!("w{n:02}"), writer, &shop())).await.expect("created");
        registry.pause(&InstanceRef::Id(paused.id)).await.expect("paused");
    }
    let reason = waits(&registry, &request(1, writer, &shop())).await;
    assert!(reason.contains("`w00` paused") && reason.contains("`w09` paused"), "{reason}");
    assert!(!reason.contains("`w10`") && reason.contains("and 2 more"), "{reason}");

    // The one instance left in its narrowed repository is passed over for another repository's
    // job, in id order among the paused ones.
    registry.create_instance(instance_in("api", writer, &shop().with_repository("api"))).await.expect("created");
    registry.create_instance(instance_in("free", writer, &shop())).await.expect("created");
    let taken = assigned(&registry, &request(2, writer, &shop())).await;
    assert_eq!(taken.instance_name, "free");
    assert_eq!(taken.candidates.len(), 11, "the chosen one and the first ten passed over: {:?}", taken.candidates);
    let entry = registry
        .audit(&AuditQuery { kinds: vec![AuditKind::Routing], ..AuditQuery::default() })
        .await
        .expect("reads")
        .pop()
        .expect("the assignment's entry");
    assert_eq!((entry.details["passed_over"].clone(), entry.details["eligible"].clone()), (json!(13), json!(1)));
    assert_eq!(entry.details["skipped"].as_array().map(Vec::len), Some(10), "{}", entry.details);
    let api = assigned(&registry, &request(3, writer, &shop().with_repository("api"))).await;
    assert_eq!(api.instance_name, "api", "the narrowed instance takes its repository's job first (fewer tasks)");
}
