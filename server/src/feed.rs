//! [`Feed`]: follows the store's committed log beside the engine and turns it into three things
//! the API reads: the folded [`History`] (status, history, variables), the [`LiveEvent`]s of
//! `/api/events`, and the engine metrics.
//!
//! The feed reads through its own read-only connection ([`engine::store::open_read_only`]), so
//! it sees exactly what was committed, whichever process committed it. [`Feed::sync`] reads the
//! entries after the last one it saw; the server calls it on a short beat and before every read,
//! so a read after a write sees the write.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use engine::history::History;
use engine::model::ElementType;
use engine::record::{Intent, Record, RecordValue};
use engine::store::{LogEntry, RecordStore, read_decoded_after};
use personas::{AuditEntry, AuditKind, AuditQuery};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::metrics::{AgentLabels, IncidentLabels, JobLabels, Metrics, WorkflowLabels};

/// How many live events a slow SSE client may fall behind before it misses some.
const EVENT_BUFFER: usize = 1024;

/// The newest audit entries read per beat.
const AUDIT_BATCH: u32 = 200;

/// One thing that happened, as `/api/events` sends it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveEvent {
    /// `element.activated`, `element.completed`, `element.terminated`, `incident.created`,
    /// `incident.resolved`, `job.created`, `job.completed`, `job.failed`, `job.error`,
    /// `persona.routing`, `persona.instance-change`.
    pub kind: String,
    /// When (engine time, epoch milliseconds).
    pub at_millis: i64,
    /// The key of the entity (element instance, incident, job, audit entry).
    pub key: i64,
    /// The process instance, when there is one.
    pub process_instance_key: Option<i64>,
    /// The workflow (BPMN process id), when known.
    pub workflow: Option<String>,
    /// The BPMN element, when there is one.
    pub element_id: Option<String>,
    /// Particulars of the kind (element type, job type, error, persona instance, ...).
    #[schema(value_type = Object)]
    pub details: Value,
}

/// What the feed keeps between reads.
struct Cursor {
    store: Box<dyn RecordStore>,
    position: i64,
    /// Process definition key -> BPMN process id.
    workflows: HashMap<i64, String>,
    /// Job key -> the persona instance the registry routed it to.
    routed: HashMap<i64, String>,
    /// The last audit entry turned into an event.
    last_audit: i64,
    /// Entries at or before this position are folded without being news (no events, no
    /// metrics): everything the first read finds, and what is folded again after a pruning.
    quiet_through: i64,
    /// The store's [`pruned_through`](engine::store::StoredLog::pruned_through) at the last read.
    pruned_through: i64,
}

/// The log follower. Cheap to share (`Arc`).
pub struct Feed {
    cursor: Mutex<Cursor>,
    history: RwLock<History>,
    events: broadcast::Sender<LiveEvent>,
    metrics: Arc<Metrics>,
    /// One more than the engine generation ([`engine::Engine::generation`]) seen before the
    /// newest sync that [`sync_with`](Self::sync_with) made; 0 before the first.
    synced: AtomicU64,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed").finish_non_exhaustive()
    }
}

impl Feed {
    /// A feed reading `store` from its start (the history of everything already there is
    /// folded at the first sync; only entries after that become live events).
    pub fn new(store: Box<dyn RecordStore>, metrics: Arc<Metrics>) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let cursor = Cursor {
            store,
            position: 0,
            workflows: HashMap::new(),
            routed: HashMap::new(),
            last_audit: 0,
            quiet_through: i64::MAX,
            pruned_through: 0,
        };
        Self {
            cursor: Mutex::new(cursor),
            history: RwLock::new(History::default()),
            events,
            metrics,
            synced: AtomicU64::new(0),
        }
    }

    /// A receiver of the live events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    /// The history folded so far (call [`sync`](Self::sync) first for the newest).
    pub fn history(&self) -> RwLockReadGuard<'_, History> {
        self.history.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads and folds what was committed since the last call; the first call folds the whole
    /// log without sending its events or counting it (that happened before the server started).
    pub async fn sync(self: &Arc<Self>) -> ApiResult<()> {
        let feed = self.clone();
        tokio::task::spawn_blocking(move || feed.sync_blocking())
            .await
            .map_err(|e| ApiError::internal(format!("the log reader stopped: {e}")))?
    }

    /// Makes the history current for a read beside `engine`, the one engine that appends to the
    /// store: reads the log only when the engine wrote since the last such read, so a read after
    /// a write sees the write, and reads while nothing changes cost no query. (The log is
    /// written by no one else while the engine holds the store's owner lock.)
    pub async fn sync_with(self: &Arc<Self>, engine: &engine::Engine) -> ApiResult<()> {
        let generation = engine.generation();
        if self.synced.load(Ordering::Acquire) > generation {
            return Ok(());
        }
        self.sync().await?;
        self.synced.fetch_max(generation + 1, Ordering::AcqRel);
        Ok(())
    }

    fn sync_blocking(&self) -> ApiResult<()> {
        let mut cursor = self.cursor.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let after = cursor.position;
        let mut log = read_decoded_after(&mut *cursor.store, after)?;
        let refold = log.pruned_through > cursor.pruned_through && after > 0;
        if refold {
            // Retention removed history folded before: fold the thinned log again from its
            // start, quietly up to where the last read ended.
            log = read_decoded_after(&mut *cursor.store, 0)?;
            cursor.quiet_through = after;
        }
        cursor.pruned_through = log.pruned_through;
        if let Some(last) = log.entries.last() {
            cursor.position = last.position;
        }
        let mut history = self.history.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if refold {
            *history = History::default();
        }
        history.extend(log.entries.iter().cloned());
        for entry in &log.entries {
            for record in &entry.records {
                if let RecordValue::Process(p) = &record.value {
                    cursor.workflows.insert(p.process.key, p.process.bpmn_process_id.to_string());
                }
                if entry.position > cursor.quiet_through {
                    self.observe(&cursor, &history, entry, record);
                }
            }
        }
        cursor.quiet_through = cursor.quiet_through.min(cursor.position);
        Ok(())
    }

    /// Turns the new audit entries (routing decisions, instance changes) into events and
    /// remembers which instance each job was routed to.
    pub fn audit(&self, entries: &[AuditEntry]) {
        let mut cursor = self.cursor.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let first = cursor.last_audit == 0;
        let seen = cursor.last_audit;
        for entry in entries.iter().filter(|e| e.id > seen) {
            if let (AuditKind::Routing, Some(job), Some(name)) = (entry.kind, entry.job_key, &entry.instance_name) {
                cursor.routed.insert(job, name.clone());
            }
            if !first {
                let _ = self.events.send(LiveEvent {
                    kind: format!("persona.{}", entry.kind.as_str()),
                    at_millis: entry.at_millis,
                    key: entry.id,
                    process_instance_key: entry.workflow_instance,
                    workflow: None,
                    element_id: entry.element_id.clone(),
                    details: json!({ "instance": entry.instance_name, "job_key": entry.job_key, "details": entry.details }),
                });
            }
        }
        cursor.last_audit = entries.iter().map(|e| e.id).max().unwrap_or(cursor.last_audit).max(cursor.last_audit);
        if first && cursor.last_audit == 0 {
            // An empty audit log: from now on every entry is news.
            cursor.last_audit = -1;
        }
    }

    /// The query for the audit entries [`audit`](Self::audit) wants next.
    pub fn audit_query(&self) -> AuditQuery {
        AuditQuery {
            kinds: vec![AuditKind::Routing, AuditKind::InstanceChange],
            limit: Some(AUDIT_BATCH),
            ..AuditQuery::default()
        }
    }

    /// One record of a new entry: an event, and the metrics it moves.
    fn observe(&self, cursor: &Cursor, history: &History, entry: &LogEntry, record: &Record) {
        let workflow_of = |definition: i64| cursor.workflows.get(&definition).cloned();
        let event = |kind: &str,
                     key: i64,
                     instance: Option<i64>,
                     workflow: Option<String>,
                     element: Option<&str>,
                     details: Value| LiveEvent {
            kind: kind.to_owned(),
            at_millis: entry.at_millis,
            key,
            process_instance_key: instance,
            workflow,
            element_id: element.map(str::to_owned),
            details,
        };
        let sent = match (&record.value, record.intent) {
            (
                RecordValue::Element(e),
                Intent::ElementActivated | Intent::ElementCompleted | Intent::ElementTerminated,
            ) => {
                let workflow = workflow_of(e.process_definition_key);
                let kind = match record.intent {
                    Intent::ElementActivated => "element.activated",
                    Intent::ElementCompleted => "element.completed",
                    _ => "element.terminated",
                };
                if e.element_type == ElementType::Process {
                    self.count_instance(record, history, workflow.clone().unwrap_or_default());
                }
                Some(event(
                    kind,
                    record.key,
                    Some(e.process_instance_key),
                    workflow,
                    Some(&e.element_id),
                    json!({ "element_type": e.element_type.name() }),
                ))
            }
            (RecordValue::Incident(i), Intent::IncidentCreated | Intent::IncidentResolved) => {
                let created = record.intent == Intent::IncidentCreated;
                if created {
                    self.metrics
                        .incidents
                        .get_or_create(&IncidentLabels { error_type: i.error_type.name().to_owned() })
                        .inc();
                }
                let workflow = history.instance(i.process_instance_key).map(|h| h.bpmn_process_id.clone());
                Some(event(
                    if created { "incident.created" } else { "incident.resolved" },
                    record.key,
                    Some(i.process_instance_key),
                    workflow,
                    Some(&i.element_id),
                    json!({ "error_type": i.error_type.name(), "error_message": i.error_message, "job_key": (i.job_key > 0).then_some(i.job_key) }),
                ))
            }
            (
                RecordValue::Job(j),
                Intent::JobCreated | Intent::JobCompleted | Intent::JobFailed | Intent::JobErrorThrown,
            ) => {
                let kind = match record.intent {
                    Intent::JobCreated => "job.created",
                    Intent::JobCompleted => "job.completed",
                    Intent::JobFailed => "job.failed",
                    _ => "job.error",
                };
                let persona = j.template.custom_headers.iter().find(|(k, _)| k == "persona").map(|(_, v)| v.clone());
                if record.intent != Intent::JobCreated {
                    self.count_job(cursor, history, record, j, persona.as_deref(), kind);
                }
                Some(event(
                    kind,
                    record.key,
                    Some(j.process_instance_key),
                    Some(j.template.bpmn_process_id.to_string()),
                    Some(&j.template.element_id),
                    json!({ "job_type": j.template.job_type.as_ref(), "persona": persona, "worker": j.worker.as_ref() }),
                ))
            }
            (RecordValue::Timer(t), Intent::TimerTriggered) => {
                self.metrics.timer_lag.observe(seconds(entry.at_millis - t.due_date));
                None
            }
            _ => None,
        };
        if let Some(event) = sent {
            // No subscriber is fine: the event is then for nobody.
            let _ = self.events.send(event);
        }
    }

    fn count_instance(&self, record: &Record, history: &History, workflow: String) {
        let labels = WorkflowLabels { workflow };
        match record.intent {
            Intent::ElementActivated => {
                self.metrics.instances_started.get_or_create(&labels).inc();
            }
            Intent::ElementCompleted => {
                self.metrics.instances_completed.get_or_create(&labels).inc();
                if let Some(ran) = history.instance(record.key).and_then(|i| i.span.duration_millis()) {
                    self.metrics.workflow_duration.get_or_create(&labels).observe(seconds(ran));
                }
            }
            _ => {
                self.metrics.instances_terminated.get_or_create(&labels).inc();
            }
        }
    }

    fn count_job(
        &self,
        cursor: &Cursor,
        history: &History,
        record: &Record,
        job: &engine::record::JobRecord,
        persona: Option<&str>,
        kind: &str,
    ) {
        if record.intent == Intent::JobCompleted {
            let job_history = history.jobs(job.process_instance_key).into_iter().find(|h| h.key == record.key);
            let created = job_history.and_then(|h| h.events.first()).map(|e| e.change.at_millis);
            let ended = job_history.and_then(|h| h.events.last()).map(|e| e.change.at_millis);
            if let (Some(created), Some(ended)) = (created, ended) {
                let labels = JobLabels { job_type: job.template.job_type.to_string() };
                self.metrics.job_latency.get_or_create(&labels).observe(seconds(ended - created));
            }
        }
        let routed = cursor.routed.get(&record.key).cloned();
        if let Some(persona) = routed.or_else(|| persona.map(str::to_owned)) {
            let outcome = kind.trim_start_matches("job.").to_owned();
            self.metrics.agent_tasks.get_or_create(&AgentLabels { persona, outcome }).inc();
        }
    }
}

fn seconds(millis: i64) -> f64 {
    millis.max(0) as f64 / 1000.0
}
