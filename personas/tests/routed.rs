//! [`Routed`]: persona jobs are routed around the handler that does them, wait without using a
//! retry when no instance is free, and pass through when they are not persona jobs; and a
//! registry on the connection an engine's SQLite store lends works beside the running engine.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::store::SqliteStore;
use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::{Engine, EngineCore, VirtualClock};
use personas::routed::{INSTANCE_HEADER, INSTANCE_ID_HEADER};
use personas::{AuditKind, AuditQuery, InstanceRef, JobWatch, Outcome, Registry, RouteDecision, RouteRequest, Routed};
use serde_json::{Value, json};
use support::{TestStore, catalogue, instance_in, on_every_backend, shop};
use workers::{ActivateJobsRequest, EmbeddedClient, Job, JobClient, JobHandler, JobOutcome, handler_fn};

on_every_backend!(
    a_persona_job_is_routed_worked_and_finished,
    a_job_without_a_persona_header_passes_unrouted,
    a_job_no_instance_can_take_waits_with_its_retries_and_runs_later,
    bad_routing_input_fails_the_job_without_retries,
    a_failed_job_counts_against_its_instance,
    a_job_cancelled_while_held_frees_its_slot_at_once,
);

const WAIT: Duration = Duration::from_secs(7);

fn job(key: i64, headers: &[(&str, &str)], variables: Value) -> Job {
    Job {
        job_type: "llm".into(),
        key,
        element_id: format!("step-{key}"),
        element_instance_key: key + 1000,
        bpmn_process_id: "wf".into(),
        process_definition_key: 1,
        process_instance_key: 77,
        variables: variables.as_object().cloned().unwrap_or_default(),
        custom_headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        retries: 3,
        deadline: chrono::Utc::now(),
        worker: "test".into(),
    }
}

fn architect_job(key: i64) -> Job {
    job(key, &[("persona", "software-architect")], json!({}))
}

/// The headers of every job the inner handler saw, and the outcome it gives.
#[derive(Clone)]
struct Recorder {
    seen: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
    outcome: JobOutcome,
}

impl Recorder {
    fn new(outcome: JobOutcome) -> Self {
        Self { seen: Arc::default(), outcome }
    }

    fn seen(&self) -> Vec<BTreeMap<String, String>> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl JobHandler for Recorder {
    async fn handle(&self, job: &Job) -> JobOutcome {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(job.custom_headers.clone());
        }
        self.outcome.clone()
    }
}

fn routed<H: JobHandler>(inner: H, registry: &Registry) -> Routed<H> {
    Routed::new(inner, registry.clone()).default_project(Some(shop())).wait(WAIT)
}

async fn routing_entries(registry: &Registry) -> Vec<personas::AuditEntry> {
    let all = registry.audit(&AuditQuery::default()).await.expect("the audit log");
    all.into_iter().filter(|e| e.kind == AuditKind::Routing).collect()
}

async fn a_persona_job_is_routed_worked_and_finished(store: TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let registry = store.registry(&clock).await;
    let ada = registry.create_instance(instance_in("ada", "software-architect", &shop())).await.expect("created");
    // The inner handler looks at the registry while it works: the job is with ada then.
    let during = registry.clone();
    let held = Arc::new(Mutex::new(Vec::new()));
    let seen = held.clone();
    let inner = handler_fn(move |job: Job| {
        let (registry, seen) = (during.clone(), seen.clone());
        async move {
            let open = registry.open_work(&InstanceRef::Name("ada".into())).await.expect("open work");
            if let Ok(mut seen) = seen.lock() {
                seen.push((
                    job.header(INSTANCE_HEADER).map(str::to_owned),
                    job.header(INSTANCE_ID_HEADER).map(str::to_owned),
                    open.len(),
                ));
            }
            JobOutcome::complete()
        }
    });
    let outcome = routed(inner, &registry).handle(&architect_job(1)).await;
    assert_eq!(outcome, JobOutcome::complete());
    let seen = held.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen, vec![(Some("ada".to_owned()), Some(ada.id.to_string()), 1)]);
    let after = registry.get(&InstanceRef::Id(ada.id)).await.expect("ada");
    assert_eq!((after.open_tasks, after.recent_succeeded, after.recent_finished), (0, 1, 1));
    let entries = routing_entries(&registry).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0].job_key, entries[0].workflow_instance, entries[0].element_id.as_deref(), entries[0].instance_id),
        (Some(1), Some(77), Some("step-1"), Some(ada.id))
    );
    assert_eq!(entries[0].details["decision"], json!("assigned"));
}

async fn a_job_without_a_persona_header_passes_unrouted(store: TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let registry = store.registry(&clock).await;
    let inner = Recorder::new(JobOutcome::complete());
    let outcome = routed(inner.clone(), &registry).handle(&job(2, &[("stepId", "say")], json!({}))).await;
    assert_eq!(outcome, JobOutcome::complete());
    assert_eq!(inner.seen().len(), 1);
    assert!(!inner.seen()[0].contains_key(INSTANCE_HEADER));
    assert!(routing_entries(&registry).await.is_empty(), "an unrouted job leaves no routing entry");
}

async fn a_job_no_instance_can_take_waits_with_its_retries_and_runs_later(store: TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let registry = store.registry(&clock).await;
    let mut new = instance_in("solo", "software-architect", &shop());
    new.max_concurrent_tasks = Some(1);
    registry.create_instance(new).await.expect("created");
    let busy = RouteRequest {
        job_key: 100,
        persona_type: "software-architect".into(),
        project: shop(),
        workflow_instance: None,
        element_id: None,
    };
    assert!(matches!(registry.route(&busy).await, Ok(RouteDecision::Assigned(_))));
    let inner = Recorder::new(JobOutcome::complete());
    let handler = routed(inner.clone(), &registry);
    let waiting = handler.handle(&architect_job(3)).await;
    let JobOutcome::Fail { message, retries, retry_backoff } = &waiting else { panic!("{waiting:?}") };
    assert_eq!((*retries, *retry_backoff), (3, WAIT), "no retry is used");
    assert!(message.contains("at capacity"), "{message}");
    assert!(inner.seen().is_empty(), "the work does not start");
    // Another project's job (its `project` variable) waits too: that project has no instance.
    let elsewhere =
        handler.handle(&job(4, &[("persona", "software-architect")], json!({"project": "acme/other"}))).await;
    assert!(
        matches!(&elsewhere, JobOutcome::Fail { retries: 3, message, .. } if message.contains("acme/other")),
        "{elsewhere:?}"
    );
    registry.finish(100, Outcome::Succeeded).await.expect("finished");
    assert_eq!(handler.handle(&architect_job(3)).await, JobOutcome::complete());
    assert_eq!(inner.seen().len(), 1);
}

async fn bad_routing_input_fails_the_job_without_retries(store: TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let registry = store.registry(&clock).await;
    let inner = Recorder::new(JobOutcome::complete());
    let handler = routed(inner.clone(), &registry);
    let cases = [
        (job(5, &[("persona", "sofware-architect")], json!({})), "software-architect"),
        (job(6, &[("persona", "software-architect")], json!({"project": "no-slash"})), "ORGANISATION/PROJECT"),
        (job(7, &[("persona", "software-architect")], json!({"project": 42})), "not text"),
    ];
    for (job, hint) in cases {
        let outcome = handler.handle(&job).await;
        let JobOutcome::Fail { message, retries: 0, .. } = &outcome else { panic!("job {}: {outcome:?}", job.key) };
        assert!(message.contains(hint), "job {}: {message}", job.key);
    }
    let without_default = Routed::new(inner.clone(), registry.clone());
    let outcome = without_default.handle(&architect_job(8)).await;
    let JobOutcome::Fail { message, retries: 0, .. } = &outcome else { panic!("{outcome:?}") };
    assert!(message.contains("no `project` variable"), "{message}");
    assert!(inner.seen().is_empty());
}

async fn a_failed_job_counts_against_its_instance(store: TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let registry = store.registry(&clock).await;
    let ada = registry.create_instance(instance_in("ada", "software-architect", &shop())).await.expect("created");
    let failing = JobOutcome::Fail { message: "boom".into(), retries: 2, retry_backoff: Duration::ZERO };
    let outcome = routed(Recorder::new(failing.clone()), &registry).handle(&architect_job(9)).await;
    assert_eq!(outcome, failing, "the work's outcome goes to the engine unchanged");
    let after = registry.get(&InstanceRef::Id(ada.id)).await.expect("ada");
    assert_eq!((after.open_tasks, after.recent_succeeded, after.recent_finished), (0, 0, 1));
}

/// A registry in the file of an engine store, through the connection the store lends: it works
/// while the engine runs on the file (beside a registry of its own), a refused operation leaves
/// nothing behind, and it stops cleanly when the store closes.
#[test]
fn a_registry_on_the_engines_own_connection_works_beside_it() {
    support::block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        let store = SqliteStore::open(&path).expect("the engine's store opens");
        let clock = VirtualClock::at(1_700_000_000_000);
        let registry = Registry::on_engine_store(store.shared_connection(), Arc::new(clock.clone()))
            .await
            .expect("the registry opens on the lent connection");
        registry.load_types(&catalogue()).await.expect("types");
        registry.create_instance(instance_in("ada", "software-architect", &shop())).await.expect("created");
        let outcome = routed(Recorder::new(JobOutcome::complete()), &registry).handle(&architect_job(1)).await;
        assert_eq!(outcome, JobOutcome::complete());

        // The store is WAL with one engine per file, so a registry of its own works beside it
        // and sees what the lent connection wrote.
        let own = Registry::open(&path.display().to_string(), Arc::new(clock.clone())).await.expect("a reader");
        assert_eq!(own.get(&InstanceRef::Name("ada".into())).await.map(|i| i.name).ok(), Some("ada".into()));
        own.close().await;

        let before = registry.audit(&AuditQuery::default()).await.expect("audit").len();
        let refused = registry.create_instance(instance_in("ada", "software-architect", &shop())).await;
        assert!(refused.is_err(), "a duplicate name");
        assert_eq!(registry.audit(&AuditQuery::default()).await.expect("audit").len(), before, "rolled back");

        drop(store);
        let closed = registry.get(&InstanceRef::Name("ada".into())).await.expect_err("the store is closed");
        assert!(closed.to_string().contains("closed"), "{closed}");
    });
}

/// The embedded engine's open jobs, as the runtime of `run` watches them.
struct EngineJobs(Engine);

impl JobWatch for EngineJobs {
    fn is_open(&self, job_key: i64) -> bool {
        self.0.with(|core| core.state().jobs.contains_key(&job_key))
    }
}

/// Sets a flag when the work it sits in is dropped (stopped before it ended).
struct Stopped(Arc<AtomicBool>);

impl Drop for Stopped {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A job whose element a boundary timer terminates while an instance holds it frees the slot
/// within a watch period, not when its (here endless) work would have ended or when the
/// instance's work is taken back: the next job gets the same capacity-1 instance at once.
async fn a_job_cancelled_while_held_frees_its_slot_at_once(store: TestStore) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let registry = store.registry(&clock).await;
    let mut new = instance_in("ada", "software-architect", &shop());
    new.max_concurrent_tasks = Some(1);
    let ada = registry.create_instance(new).await.expect("created");
    let mut core = EngineCore::new();
    let model = ProcessBuilder::new("design-review")
        .start("start")
        .service_task("review", "llm")
        .header("review", "persona", "software-architect")
        .end("reviewed")
        .boundary_timer("too-late", "review", true, TimerKind::Duration, "PT1S")
        .end("timed-out")
        .build();
    core.deploy_model("review.bpmn", &model).expect("deploys");
    let engine = Engine::new(core);
    let ticker = engine.spawn_ticker(Duration::from_millis(20));
    let client = EmbeddedClient::new(engine.clone());
    let activate = ActivateJobsRequest {
        job_type: "llm".into(),
        worker: "test".into(),
        max_jobs: 1,
        timeout: Duration::from_secs(300),
        fetch_variables: None,
        request_timeout: Duration::ZERO,
    };
    let first =
        engine.with(|core| core.create_instance("design-review", None, workers::Variables::new())).expect("starts");
    let job = client.activate_jobs(&activate).await.expect("activates").remove(0);

    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    let endless = handler_fn(move |_job: Job| {
        let guard = Stopped(flag.clone());
        async move {
            let _guard = guard;
            std::future::pending::<JobOutcome>().await
        }
    });
    let every = Duration::from_millis(50);
    let handler = routed(endless, &registry).watch(Arc::new(EngineJobs(engine.clone())), every);
    let began = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(10), handler.handle(&job)).await.expect("the work stops");
    let took = began.elapsed();
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(3), "stopped after {took:?}");
    let JobOutcome::Fail { message, retries: 0, .. } = outcome else { panic!("{outcome:?}") };
    assert!(message.contains("cancelled") && message.contains("`ada`"), "{message}");
    assert!(stopped.load(Ordering::SeqCst), "the work was stopped");
    assert!(!engine.with(|core| core.is_active(first.process_instance_key)), "the timer ended the workflow");

    let after = registry.get(&InstanceRef::Id(ada.id)).await.expect("ada");
    assert_eq!((after.open_tasks, after.recent_finished), (0, 0), "free again; a cancellation is no failure");
    assert!(registry.open_work(&InstanceRef::Id(ada.id)).await.expect("open work").is_empty());
    // The slot is free for the next job straight away (no `reassign_open_work`).
    let next = RouteRequest {
        job_key: job.key + 1_000_000,
        persona_type: "software-architect".into(),
        project: shop(),
        workflow_instance: None,
        element_id: Some("review".into()),
    };
    let RouteDecision::Assigned(assignment) = registry.route(&next).await.expect("routes") else {
        panic!("the freed slot takes the next job")
    };
    assert_eq!(assignment.instance_id, ada.id);
    ticker.abort();
}
