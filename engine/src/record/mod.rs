//! Event records: every state change of the engine is one [`Record`], written in Zeebe's
//! vocabulary (`ELEMENT_ACTIVATING`, `JOB CREATED`, `VARIABLE UPDATED`, ...). The state is changed
//! only by applying records (see `state::apply`), so a log of records replayed in order rebuilds it.
//!
//! Records go to a [`RecordSink`](crate::store::RecordSink). The default
//! [`NullSink`](crate::store::NullSink) keeps nothing, so an engine that nobody observes pays only
//! for building the records; [`MemorySink`](crate::store::MemorySink) keeps them for tests and
//! audit.
//!
//! Records serialize with serde (a durable store keeps them as MessagePack, see [`crate::store`]). The
//! type, variant and field names are the stored format: renaming one, or adding a field without
//! `#[serde(default)]`, needs a new [`RECORD_FORMAT_VERSION`](crate::store::RECORD_FORMAT_VERSION)
//! and a conversion of older logs.

mod stored_process;

use std::sync::Arc;

use feel::duration::IsoDuration;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::model::JobTemplate;
use crate::model::{ElementType, FlowIdx, NodeIdx};
use stored_process::StoredProcess;

/// One event record: the key of the entity it is about, what happened, and the entity's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The key of the entity (element instance, job, variable, incident, timer, ...).
    pub key: i64,
    /// What happened.
    pub intent: Intent,
    /// The entity's data at this event.
    pub value: RecordValue,
}

impl Record {
    /// The element id the record is about (element records, flows, jobs, incidents, subscriptions).
    pub fn element_id(&self) -> Option<&str> {
        match &self.value {
            RecordValue::Element(e) => Some(&e.element_id),
            RecordValue::SequenceFlow(f) => Some(&f.flow_id),
            RecordValue::Job(j) => Some(&j.template.element_id),
            RecordValue::Incident(i) => Some(&i.element_id),
            RecordValue::Timer(t) => Some(&t.element_id),
            RecordValue::Subscription(s) => Some(&s.element_id),
            RecordValue::UserTask(u) => Some(&u.element_id),
            _ => None,
        }
    }

    /// The process instance the record belongs to, when it belongs to one.
    pub fn process_instance_key(&self) -> Option<i64> {
        match &self.value {
            RecordValue::Element(e) => Some(e.process_instance_key),
            RecordValue::SequenceFlow(f) => Some(f.process_instance_key),
            RecordValue::Job(j) => Some(j.process_instance_key),
            RecordValue::Variable(v) => Some(v.process_instance_key),
            RecordValue::Incident(i) => Some(i.process_instance_key),
            RecordValue::Timer(t) => Some(t.process_instance_key).filter(|k| *k > 0),
            RecordValue::Subscription(s) => Some(s.process_instance_key).filter(|k| *k > 0),
            RecordValue::UserTask(u) => Some(u.process_instance_key),
            RecordValue::ProcessEvent(p) => Some(p.process_instance_key),
            _ => None,
        }
    }
}

/// Which kind of entity a record is about (Zeebe's `ValueType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueType {
    /// A deployed process definition.
    Process,
    /// An element instance (including the process instance itself).
    ProcessInstance,
    /// A job.
    Job,
    /// A variable.
    Variable,
    /// An incident.
    Incident,
    /// A timer.
    Timer,
    /// A published message.
    Message,
    /// A message subscription of a waiting element.
    ProcessMessageSubscription,
    /// A broadcast signal.
    Signal,
    /// A signal subscription of a waiting element.
    SignalSubscription,
    /// An event trigger waiting for its scope to be terminated.
    ProcessEvent,
    /// A Camunda user task.
    UserTask,
}

macro_rules! intents {
    ($($(#[$doc:meta])* $variant:ident => $name:literal, $value_type:ident;)*) => {
        /// What happened to the entity, in Zeebe's vocabulary.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Intent {
            $($(#[$doc])* $variant,)*
        }

        impl Intent {
            /// Zeebe's name for the intent, for example `ELEMENT_ACTIVATING`.
            pub fn name(self) -> &'static str {
                match self { $(Intent::$variant => $name,)* }
            }

            /// The kind of entity records with this intent are about.
            pub fn value_type(self) -> ValueType {
                match self { $(Intent::$variant => ValueType::$value_type,)* }
            }
        }
    };
}

intents! {
    /// A process definition was deployed.
    ProcessCreated => "CREATED", Process;
    /// An element instance starts activating (input mappings, subscriptions).
    ElementActivating => "ELEMENT_ACTIVATING", ProcessInstance;
    /// An element instance is active (waiting, or about to complete).
    ElementActivated => "ELEMENT_ACTIVATED", ProcessInstance;
    /// An element instance starts completing (output mappings).
    ElementCompleting => "ELEMENT_COMPLETING", ProcessInstance;
    /// An element instance completed.
    ElementCompleted => "ELEMENT_COMPLETED", ProcessInstance;
    /// An element instance starts terminating.
    ElementTerminating => "ELEMENT_TERMINATING", ProcessInstance;
    /// An element instance terminated.
    ElementTerminated => "ELEMENT_TERMINATED", ProcessInstance;
    /// A sequence flow was taken.
    SequenceFlowTaken => "SEQUENCE_FLOW_TAKEN", ProcessInstance;
    /// A job was created.
    JobCreated => "CREATED", Job;
    /// A job was handed to a worker.
    JobActivated => "ACTIVATED", Job;
    /// A job was completed.
    JobCompleted => "COMPLETED", Job;
    /// A worker failed a job.
    JobFailed => "FAILED", Job;
    /// A job's deadline passed; it is activatable again.
    JobTimedOut => "TIMED_OUT", Job;
    /// A job's retries were updated.
    JobRetriesUpdated => "RETRIES_UPDATED", Job;
    /// A job's deadline was moved.
    JobTimeoutUpdated => "TIMEOUT_UPDATED", Job;
    /// A worker threw a BPMN error for the job.
    JobErrorThrown => "ERROR_THROWN", Job;
    /// A job's retry back-off ended; it is activatable again.
    JobRecurredAfterBackoff => "RECURRED_AFTER_BACKOFF", Job;
    /// A job was cancelled (its element left).
    JobCanceled => "CANCELED", Job;
    /// A variable was created.
    VariableCreated => "CREATED", Variable;
    /// A variable was updated.
    VariableUpdated => "UPDATED", Variable;
    /// An incident was raised.
    IncidentCreated => "CREATED", Incident;
    /// An incident was resolved.
    IncidentResolved => "RESOLVED", Incident;
    /// A timer was scheduled.
    TimerCreated => "CREATED", Timer;
    /// A timer fired.
    TimerTriggered => "TRIGGERED", Timer;
    /// A timer was cancelled.
    TimerCanceled => "CANCELED", Timer;
    /// A message was published (and buffered if its TTL allows).
    MessagePublished => "PUBLISHED", Message;
    /// A buffered message expired.
    MessageExpired => "EXPIRED", Message;
    /// A message subscription was opened.
    MessageSubscriptionCreated => "CREATED", ProcessMessageSubscription;
    /// A message was correlated to a subscription.
    MessageSubscriptionCorrelated => "CORRELATED", ProcessMessageSubscription;
    /// A message subscription was closed.
    MessageSubscriptionDeleted => "DELETED", ProcessMessageSubscription;
    /// A signal was broadcast.
    SignalBroadcasted => "BROADCASTED", Signal;
    /// A signal subscription was opened.
    SignalSubscriptionCreated => "CREATED", SignalSubscription;
    /// A signal subscription was closed.
    SignalSubscriptionDeleted => "DELETED", SignalSubscription;
    /// An interrupting event was accepted; it runs once its scope is terminated.
    ProcessEventTriggering => "TRIGGERING", ProcessEvent;
    /// A stored event trigger was consumed.
    ProcessEventTriggered => "TRIGGERED", ProcessEvent;
    /// A Camunda user task was created.
    UserTaskCreated => "CREATED", UserTask;
    /// A Camunda user task was assigned (claimed).
    UserTaskAssigned => "ASSIGNED", UserTask;
    /// A Camunda user task was completed.
    UserTaskCompleted => "COMPLETED", UserTask;
    /// A Camunda user task was cancelled (its element left).
    UserTaskCanceled => "CANCELED", UserTask;
}

/// The entity data of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RecordValue {
    /// A deployed process definition.
    Process(ProcessRecord),
    /// An element instance.
    Element(ElementRecord),
    /// A taken sequence flow.
    SequenceFlow(SequenceFlowRecord),
    /// A job.
    Job(JobRecord),
    /// A variable.
    Variable(VariableRecord),
    /// An incident.
    Incident(IncidentRecord),
    /// A timer.
    Timer(TimerRecord),
    /// A message.
    Message(MessageRecord),
    /// A message or signal subscription (boxed: rare and large).
    Subscription(Box<SubscriptionRecord>),
    /// A broadcast signal.
    Signal(SignalRecord),
    /// A deferred event trigger.
    ProcessEvent(ProcessEventRecord),
    /// A Camunda user task (boxed: rare and large).
    UserTask(Box<UserTaskRecord>),
}

/// A deployed process definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "StoredProcess", try_from = "StoredProcess")]
pub struct ProcessRecord {
    /// The process definition (shared, immutable).
    pub process: Arc<crate::model::ExecutableProcess>,
}

/// An element instance at one lifecycle step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementRecord {
    /// The element's id in the model.
    pub element_id: Arc<str>,
    /// The element's index in its process definition.
    pub element: NodeIdx,
    /// Zeebe's element type (`PROCESS`, `SERVICE_TASK`, `MULTI_INSTANCE_BODY`, ...).
    pub element_type: ElementType,
    /// The process instance (for the process element itself: its own key).
    pub process_instance_key: i64,
    /// The process definition key.
    pub process_definition_key: i64,
    /// The enclosing element instance (`-1` for a process instance).
    pub flow_scope_key: i64,
    /// For a child process instance: the calling call-activity instance, else `-1`.
    pub parent_element_instance_key: i64,
    /// For a multi-instance inner instance: the 1-based loop counter, else 0.
    pub loop_counter: u32,
}

/// A taken sequence flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceFlowRecord {
    /// The flow's id.
    pub flow_id: Arc<str>,
    /// The flow's index in its process definition.
    pub flow: FlowIdx,
    /// The process instance.
    pub process_instance_key: i64,
    /// The process definition key.
    pub process_definition_key: i64,
    /// The flow scope instance the flow runs in.
    pub flow_scope_key: i64,
}

/// Why a job failed or which error it threw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    /// The error message.
    pub message: String,
    /// The BPMN error code (thrown errors only; empty otherwise).
    pub code: String,
}

/// A job at one step of its life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Type, headers and element of the job.
    pub template: Arc<JobTemplate>,
    /// Remaining retries.
    pub retries: i32,
    /// The worker that holds it (empty when none).
    pub worker: Arc<str>,
    /// Deadline in epoch milliseconds while activated, else `-1`.
    pub deadline: i64,
    /// Back-off end in epoch milliseconds after a failure with back-off, else `-1`.
    pub recur_at: i64,
    /// The failure message or thrown error, when there is one.
    pub failure: Option<Arc<JobFailure>>,
    /// The element instance of the task.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// On `COMPLETED`: what the worker decided for an ad-hoc sub-process (absent otherwise, and
    /// in logs written before ad-hoc sub-processes ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_hoc_result: Option<Arc<AdHocResult>>,
}

/// What a job worker decides when it completes the job of an ad-hoc sub-process (the
/// job-worker implementation; Zeebe's job result of type `adHocSubProcess`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdHocResult {
    /// Inner elements to activate, each in an activation of its own.
    pub activate_elements: Vec<AdHocActivation>,
    /// True when the ad-hoc sub-process is done: it completes once no inner flow runs.
    pub completion_condition_fulfilled: bool,
    /// With `completion_condition_fulfilled`: terminate the inner flows still running rather
    /// than wait for them.
    pub cancel_remaining_instances: bool,
}

/// One inner element a worker activates, with variables created in its activation's scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdHocActivation {
    /// The element id.
    pub element_id: String,
    /// Variables local to this activation (an agent's tool call, say).
    pub variables: serde_json::Map<String, serde_json::Value>,
}

impl JobRecord {
    /// The job type.
    pub fn job_type(&self) -> &Arc<str> {
        &self.template.job_type
    }
}

/// A variable write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableRecord {
    /// Variable name.
    pub name: Arc<str>,
    /// The new value.
    pub value: Value,
    /// The scope (element instance key) holding the variable.
    pub scope_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
}

/// Zeebe's incident error types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorType {
    /// An input or output mapping failed.
    IoMappingError,
    /// A job failed with no retries left.
    JobNoRetries,
    /// No outgoing flow of a gateway could be taken.
    ConditionError,
    /// An expression failed or returned the wrong type.
    ExtractValueError,
    /// A call activity's process does not exist.
    CalledElementError,
    /// A BPMN error found no catch event.
    UnhandledErrorEvent,
    /// A business rule task's decision does not exist.
    CalledDecisionError,
}

impl ErrorType {
    /// Zeebe's name, for example `JOB_NO_RETRIES`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorType::IoMappingError => "IO_MAPPING_ERROR",
            ErrorType::JobNoRetries => "JOB_NO_RETRIES",
            ErrorType::ConditionError => "CONDITION_ERROR",
            ErrorType::ExtractValueError => "EXTRACT_VALUE_ERROR",
            ErrorType::CalledElementError => "CALLED_ELEMENT_ERROR",
            ErrorType::UnhandledErrorEvent => "UNHANDLED_ERROR_EVENT",
            ErrorType::CalledDecisionError => "CALLED_DECISION_ERROR",
        }
    }
}

/// An incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentRecord {
    /// What failed.
    pub error_type: ErrorType,
    /// Why, in words.
    pub error_message: String,
    /// The element id the incident is on.
    pub element_id: Arc<str>,
    /// The element instance the incident is on.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// The job the incident is about, else `-1`.
    pub job_key: i64,
}

/// A timer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimerRecord {
    /// The catch element (intermediate, boundary, or start event) the timer triggers.
    pub element_id: Arc<str>,
    /// The catch element's index.
    pub element: NodeIdx,
    /// The process definition key.
    pub process_definition_key: i64,
    /// The element instance that owns the timer (`-1` for a timer start event).
    pub element_instance_key: i64,
    /// The process instance (`-1` for a timer start event).
    pub process_instance_key: i64,
    /// When it fires, in epoch milliseconds.
    pub due_date: i64,
    /// Repetitions left after this one (`-1` forever, 1 for a one-shot timer).
    pub repetitions: i32,
    /// The cycle interval's milliseconds (weeks, days, hours, minutes, seconds) for repeating
    /// timers, else 0.
    pub interval_millis: i64,
    /// The cycle interval's calendar months (years × 12 + months), added by the calendar before
    /// the milliseconds. Missing in logs written before months were kept apart: 0.
    #[serde(default)]
    pub interval_months: i64,
    /// The cron expression of a cron cycle (each firing due at its next match after the last),
    /// else `None`. Missing in logs written before cron cycles: `None`.
    #[serde(default)]
    pub cron: Option<Arc<str>>,
}

impl TimerRecord {
    /// The record of a timer scheduled for the catch element `element` (`element_id`).
    pub(crate) fn scheduled(
        schedule: crate::model::timer::Schedule,
        element_id: Arc<str>,
        element: NodeIdx,
        process_definition_key: i64,
        element_instance_key: i64,
        process_instance_key: i64,
    ) -> Self {
        Self {
            element_id,
            element,
            process_definition_key,
            element_instance_key,
            process_instance_key,
            due_date: schedule.due,
            repetitions: schedule.repetitions,
            interval_millis: schedule.interval.millis(),
            interval_months: schedule.interval.months(),
            cron: schedule.cron,
        }
    }

    /// The cycle interval; `None` when the two parts have different signs (no schedule makes one).
    pub fn interval(&self) -> Option<IsoDuration> {
        IsoDuration::new(self.interval_months, self.interval_millis)
    }

    /// When the firing after this one is due, or `None` for the last firing. A cycle counts
    /// from this firing's due date (not from when it actually fired), months by the calendar in
    /// UTC, as in Zeebe (R/P1M from 2024-01-31: 2024-02-29, then 2024-03-29); a cron takes its
    /// next match after this due date.
    pub fn next_due(&self) -> Option<i64> {
        if self.repetitions == 1 {
            return None;
        }
        match &self.cron {
            Some(cron) => feel::cron::CronSchedule::parse(cron).ok()?.next_after(self.due_date),
            None => self
                .interval()
                .filter(|interval| !interval.is_zero() && !interval.is_negative())
                .and_then(|interval| interval.add_to(self.due_date)),
        }
    }

    /// The timer of the firing after this one (one repetition fewer), or `None` for the last.
    pub fn next_firing(&self) -> Option<TimerRecord> {
        let due_date = self.next_due()?;
        let repetitions = if self.repetitions < 0 { -1 } else { self.repetitions - 1 };
        Some(TimerRecord { due_date, repetitions, ..self.clone() })
    }

    /// The due dates of this firing and the ones after it, at most `count` of them.
    pub fn upcoming(&self, count: usize) -> Vec<i64> {
        std::iter::successors(Some(self.clone()), TimerRecord::next_firing).take(count).map(|t| t.due_date).collect()
    }
}

/// A published message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// The message name.
    pub name: Arc<str>,
    /// The correlation key.
    pub correlation_key: Arc<str>,
    /// Time to live in milliseconds.
    pub time_to_live: i64,
    /// When the buffered message expires, in epoch milliseconds.
    pub deadline: i64,
    /// The optional message id for de-duplication (empty when none).
    pub message_id: Arc<str>,
    /// The payload.
    pub variables: Arc<serde_json::Map<String, Value>>,
}

/// A message or signal subscription of a waiting element instance (or of a start event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionRecord {
    /// Message or signal name.
    pub name: Arc<str>,
    /// Correlation key (empty for signals).
    pub correlation_key: Arc<str>,
    /// The catch element.
    pub element_id: Arc<str>,
    /// The catch element's index.
    pub element: NodeIdx,
    /// The process definition key.
    pub process_definition_key: i64,
    /// The BPMN process id (messages correlate at most once per process id).
    pub bpmn_process_id: Arc<str>,
    /// The element instance the subscription belongs to.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// On correlation: the message's key, else `-1`.
    pub message_key: i64,
    /// On correlation: the payload.
    pub variables: Arc<serde_json::Map<String, Value>>,
}

/// A broadcast signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalRecord {
    /// The signal name.
    pub name: Arc<str>,
    /// The payload.
    pub variables: Arc<serde_json::Map<String, Value>>,
}

/// An event trigger stored on a scope until the scope is terminated (interrupting events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessEventRecord {
    /// The scope that is being interrupted.
    pub scope_key: i64,
    /// The catch element to activate afterwards.
    pub target_element: NodeIdx,
    /// The target's id.
    pub target_element_id: Arc<str>,
    /// The process instance.
    pub process_instance_key: i64,
    /// The payload for the catch element.
    pub variables: Arc<serde_json::Map<String, Value>>,
}

/// A Camunda user task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserTaskRecord {
    /// The element id.
    pub element_id: Arc<str>,
    /// The element instance.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// The assignee (empty when unassigned).
    pub assignee: Arc<str>,
    /// Candidate groups.
    pub candidate_groups: Arc<[String]>,
    /// Candidate users.
    pub candidate_users: Arc<[String]>,
}

/// What caused a command's records: stored with every [`LogEntry`](crate::store::LogEntry) so
/// history and audit can say who or what changed the state.
///
/// Serialized as JSON with a `kind` tag, for example
/// `{"kind":"api","call":"CreateProcessInstance","client":"orchestrator cli"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// An API call: `call` is the command's name in Zeebe's gateway vocabulary
    /// (`Deploy`, `CreateProcessInstance`, `CreateProcessInstanceWithResult`,
    /// `CancelProcessInstance`, `SetVariables`, `ResolveIncident`, `PublishMessage`,
    /// `BroadcastSignal`, `UpdateJobRetries`, `UpdateJobTimeout`, `AssignUserTask`,
    /// `CompleteUserTask`, and `CompleteJob`/`FailJob`/`ThrowError` for a job no worker
    /// activated); `client` is the caller's identity when it gave one
    /// ([`EngineCore::set_client`](crate::EngineCore::set_client)).
    Api {
        /// The API call.
        call: String,
        /// Who called, when known (for example `orchestrator cli`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<String>,
    },
    /// A job worker: `ActivateJobs`, or `CompleteJob`/`FailJob`/`ThrowError` of a job it
    /// activated. `name` is the worker name given at activation (kept on the job).
    Worker {
        /// The worker's name.
        name: String,
        /// The call (`ActivateJobs`, `CompleteJob`, `FailJob`, `ThrowError`).
        call: String,
    },
    /// Something fell due at the entry's time: timers, job time-outs, the end of retry
    /// back-offs and message expiry (by `tick`, after a command, or when a store is opened).
    Timer,
}

impl Cause {
    /// An API call without a client identity.
    pub fn api(call: &str) -> Self {
        Cause::Api { call: call.to_string(), client: None }
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Api { call, client: Some(client) } => write!(f, "{call} by {client}"),
            Cause::Api { call, client: None } => write!(f, "{call}"),
            Cause::Worker { name, call } => write!(f, "{call} by worker '{name}'"),
            Cause::Timer => write!(f, "timer"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timer_stored_before_interval_months_reads_as_zero_months() {
        // The eight fields a timer had in the stored format before `interval_months`.
        let old = ("cycle", 3u32, 10i64, 20i64, 30i64, 1_000i64, 2i32, 60_000i64);
        let bytes = rmp_serde::to_vec(&old).expect("encodes");
        let timer: TimerRecord = rmp_serde::from_slice(&bytes).expect("an older timer decodes");
        assert_eq!((timer.due_date, timer.interval_millis, timer.interval_months), (1_000, 60_000, 0));
        assert_eq!(timer.interval(), Some(IsoDuration::from_millis(60_000)));
        let round_trip: TimerRecord = rmp_serde::from_slice(
            &rmp_serde::to_vec(&TimerRecord { interval_months: 1, ..timer.clone() }).expect("encodes"),
        )
        .expect("decodes");
        assert_eq!(round_trip.interval(), IsoDuration::new(1, 60_000));
    }
}
