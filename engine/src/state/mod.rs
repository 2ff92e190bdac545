//! The engine's state: deployed processes, element instances with their variables, jobs,
//! incidents, timers, subscriptions, buffered messages and user tasks.
//!
//! Nothing outside [`apply`](State::apply) (in `apply.rs`) mutates it: processors read the state
//! and write records; the applier turns each record into the state change it describes. That is
//! what makes replaying a record log rebuild the same state.

mod apply;
mod keymap;

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use apply::RecordMisfit;
pub use keymap::{KeyMap, NameMap};

use crate::expression::VariableLookup;
use crate::model::{ElementType, ExecutableProcess, FlowIdx, NodeIdx};
use crate::record::{
    ElementRecord, IncidentRecord, JobRecord, MessageRecord, ProcessEventRecord, SubscriptionRecord, TimerRecord,
    UserTaskRecord,
};

/// Where an element instance is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lifecycle {
    /// `ELEMENT_ACTIVATING` written; activation work pending or failed with an incident.
    Activating,
    /// `ELEMENT_ACTIVATED`: waiting for its trigger or children.
    Activated,
    /// `ELEMENT_COMPLETING` written; completion work pending or failed with an incident.
    Completing,
    /// `ELEMENT_TERMINATING` written; children are being terminated.
    Terminating,
}

/// A live element instance (the process instance itself is one too). Kept small: the fields
/// only some elements need live in [`ScopeExtra`], allocated on first use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ElementInstance {
    /// The element's node index.
    pub element: NodeIdx,
    /// Index of its process definition in [`State::processes`].
    pub def: u32,
    /// Zeebe's element type (`MULTI_INSTANCE_BODY` for a body).
    pub element_type: ElementType,
    /// Lifecycle state.
    pub state: Lifecycle,
    /// True for an inner instance of a multi-instance body.
    pub is_inner: bool,
    /// True once the scope stopped accepting tokens (interrupting event sub-process or terminate
    /// end event).
    pub interrupted: bool,
    /// The 1-based loop counter of a multi-instance inner instance, else 0.
    pub loop_counter: u32,
    /// Child element instances that are alive.
    pub active_children: u32,
    /// Tokens on sequence flows inside this scope that have not reached their target.
    pub active_flows: u32,
    /// The process instance.
    pub process_instance_key: i64,
    /// The enclosing element instance (`-1` for a process instance).
    pub flow_scope_key: i64,
    /// For a child process instance: the calling call-activity instance, else `-1`.
    pub parent_element_instance_key: i64,
    /// The job of a job-based element, else -1.
    pub job_key: i64,
    /// Local variables, in creation order.
    pub variables: Vec<(Arc<str>, Value)>,
    /// Keys of the live child element instances.
    pub children: Vec<i64>,
    /// Data only some elements need.
    pub extra: Option<Box<ScopeExtra>>,
}

/// Element instance data that only joins, waiting events, interrupted scopes, multi-instance
/// bodies and call activities need.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScopeExtra {
    /// Per join flow: tokens waiting at a joining gateway in this scope.
    pub taken_joins: Vec<(FlowIdx, u32)>,
    /// Timers and subscriptions owned by this instance.
    pub subscriptions: Vec<i64>,
    /// An interrupting event waiting until this scope is terminated.
    pub event_trigger: Option<ProcessEventRecord>,
    /// Multi-instance body: completed inner instances.
    pub completed_children: u32,
    /// Multi-instance body: terminated inner instances.
    pub terminated_children: u32,
    /// Call activity: the child process instance, else -1.
    pub called_instance: i64,
    /// Ad-hoc sub-process (job-worker implementation): once its worker reported the completion
    /// condition fulfilled, whether to cancel the inner flows still running.
    #[serde(default)]
    pub ad_hoc_done: Option<bool>,
}

impl ElementInstance {
    /// The extra data, created on first use.
    pub fn extra_mut(&mut self) -> &mut ScopeExtra {
        self.extra.get_or_insert_with(|| Box::new(ScopeExtra { called_instance: -1, ..ScopeExtra::default() }))
    }

    /// Tokens waiting at joins in this scope.
    pub fn taken_joins(&self) -> &[(FlowIdx, u32)] {
        self.extra.as_ref().map_or(&[], |e| &e.taken_joins)
    }

    /// Timers and subscriptions owned by this instance.
    pub fn subscriptions(&self) -> &[i64] {
        self.extra.as_ref().map_or(&[], |e| &e.subscriptions)
    }

    /// The pending interrupting event, if any.
    pub fn event_trigger(&self) -> Option<&ProcessEventRecord> {
        self.extra.as_ref().and_then(|e| e.event_trigger.as_ref())
    }

    /// Completed inner instances (multi-instance body).
    pub fn completed_children(&self) -> u32 {
        self.extra.as_ref().map_or(0, |e| e.completed_children)
    }

    /// Terminated inner instances (multi-instance body).
    pub fn terminated_children(&self) -> u32 {
        self.extra.as_ref().map_or(0, |e| e.terminated_children)
    }

    /// For an ad-hoc sub-process whose worker reported it done: whether to cancel what still
    /// runs. `None` while it is not done.
    pub fn ad_hoc_done(&self) -> Option<bool> {
        self.extra.as_ref().and_then(|e| e.ad_hoc_done)
    }

    /// The child process instance of a call activity, else -1.
    pub fn called_instance(&self) -> i64 {
        self.extra.as_ref().map_or(-1, |e| e.called_instance)
    }

    /// The record data of this instance for a lifecycle record.
    pub fn record(&self, process: &ExecutableProcess) -> ElementRecord {
        let id = &process.node(self.element).id;
        ElementRecord {
            element_id: match self.element_type {
                ElementType::AdHocSubProcessInnerInstance => crate::model::ad_hoc_inner_instance_id(id),
                _ => id.clone(),
            },
            element: self.element,
            element_type: self.element_type,
            process_instance_key: self.process_instance_key,
            process_definition_key: process.key,
            flow_scope_key: self.flow_scope_key,
            parent_element_instance_key: self.parent_element_instance_key,
            loop_counter: self.loop_counter,
        }
    }
}

/// A job-state in Zeebe's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting to be activated.
    Activatable,
    /// Held by a worker until its deadline.
    Activated,
    /// Waiting for its retry back-off to pass.
    BackingOff,
    /// Out of retries, incident open.
    Failed,
    /// A thrown error found no catcher, incident open.
    ErrorThrown,
}

/// A job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// Its last record data.
    pub record: JobRecord,
    /// Its state.
    pub state: JobState,
}

/// A buffered message and the processes it already correlated to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BufferedMessage {
    /// The message.
    pub record: MessageRecord,
    /// BPMN process ids it correlated to (at most once each).
    pub correlated: Vec<Arc<str>>,
}

/// All engine state.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// Deployed processes in deployment order (a snapshot stores them as their resources and
    /// recompiles them, like the log does).
    #[serde(with = "stored_processes")]
    pub processes: Vec<Arc<ExecutableProcess>>,
    /// Process definition key -> index in `processes`.
    pub process_by_key: KeyMap<u32>,
    /// BPMN process id -> index of its latest version.
    pub latest: NameMap<u32>,
    /// Live element instances.
    pub elements: KeyMap<ElementInstance>,
    /// Jobs.
    pub jobs: KeyMap<Job>,
    /// Activatable jobs per type, oldest first.
    pub activatable: NameMap<VecDeque<i64>>,
    /// (deadline, job) of activated jobs, earliest first. Entries are never removed when a job
    /// completes (that would cost a tree update per job); [`State::due_job_deadline`] skips
    /// entries that no longer match their job.
    pub job_deadlines: BinaryHeap<Reverse<(i64, i64)>>,
    /// (recur time, job) of jobs backing off.
    pub job_backoffs: BTreeSet<(i64, i64)>,
    /// Open incidents.
    pub incidents: KeyMap<IncidentRecord>,
    /// Scheduled timers.
    pub timers: KeyMap<TimerRecord>,
    /// (due, timer) of scheduled timers.
    pub timer_due: BTreeSet<(i64, i64)>,
    /// Open message subscriptions.
    pub message_subscriptions: KeyMap<SubscriptionRecord>,
    /// Open message subscriptions by (message name, correlation key).
    pub message_subscriptions_by_name: HashMap<(Arc<str>, Arc<str>), Vec<i64>>,
    /// Open signal subscriptions.
    pub signal_subscriptions: KeyMap<SubscriptionRecord>,
    /// Buffered messages.
    pub messages: KeyMap<BufferedMessage>,
    /// (expiry, message) of buffered messages.
    pub message_expiry: BTreeSet<(i64, i64)>,
    /// (process id, correlation key) -> instance started by a message with that key, while active.
    pub message_started: HashMap<(Arc<str>, Arc<str>), i64>,
    /// Open Camunda user tasks.
    pub user_tasks: KeyMap<UserTaskRecord>,
    /// The definition the last record named (a lookup cache, not state).
    #[serde(skip)]
    last_def: u32,
}

/// Serde for the deployed processes of a snapshot: each as the stored form of its
/// `PROCESS CREATED` record.
mod stored_processes {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::ExecutableProcess;
    use crate::record::ProcessRecord;

    pub fn serialize<S: Serializer>(processes: &[Arc<ExecutableProcess>], serializer: S) -> Result<S::Ok, S::Error> {
        let records: Vec<ProcessRecord> = processes.iter().map(|p| ProcessRecord { process: p.clone() }).collect();
        records.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Arc<ExecutableProcess>>, D::Error> {
        let records = Vec::<ProcessRecord>::deserialize(deserializer)?;
        Ok(records.into_iter().map(|r| r.process).collect())
    }
}

impl State {
    /// The process definition with the given index.
    pub fn process(&self, def: u32) -> &Arc<ExecutableProcess> {
        &self.processes[def as usize]
    }

    /// The element instance with the given key.
    pub fn element(&self, key: i64) -> Option<&ElementInstance> {
        self.elements.get(&key)
    }

    /// A variable as seen from `scope` (walking up the scope tree).
    pub fn variable(&self, scope: i64, name: &str) -> Option<&Value> {
        let mut key = scope;
        while let Some(element) = self.elements.get(&key) {
            if let Some((_, v)) = element.variables.iter().find(|(n, _)| &**n == name) {
                return Some(v);
            }
            key = element.flow_scope_key;
        }
        None
    }

    /// The scope in `scope`'s chain that holds `name`, with the stored name, if any.
    pub fn variable_holder(&self, scope: i64, name: &str) -> Option<(i64, &Arc<str>)> {
        let mut key = scope;
        while let Some(element) = self.elements.get(&key) {
            if let Some((stored, _)) = element.variables.iter().find(|(n, _)| &**n == name) {
                return Some((key, stored));
            }
            key = element.flow_scope_key;
        }
        None
    }

    /// A local variable of exactly `scope`.
    pub fn local_variable(&self, scope: i64, name: &str) -> Option<&Value> {
        self.elements.get(&scope)?.variables.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }

    /// Every variable visible from `scope`, inner scopes shadowing outer ones.
    pub fn visible_variables(&self, scope: i64) -> serde_json::Map<String, Value> {
        let mut map = serde_json::Map::new();
        let mut key = scope;
        while let Some(element) = self.elements.get(&key) {
            for (name, value) in &element.variables {
                if !map.contains_key(&**name) {
                    map.insert(name.to_string(), value.clone());
                }
            }
            key = element.flow_scope_key;
        }
        map
    }

    /// A lookup of variables seen from `scope`, at engine time `now` (epoch milliseconds, what
    /// FEEL's `now()` and `today()` return).
    pub fn view(&self, scope: i64, now: i64) -> ScopeView<'_> {
        ScopeView { state: self, scope, extra: &[], now }
    }

    /// Live child element instances of `scope`, oldest first.
    pub fn children(&self, scope: i64) -> Vec<i64> {
        let mut keys = self.elements.get(&scope).map(|e| e.children.clone()).unwrap_or_default();
        keys.sort_unstable();
        keys
    }

    /// The activated job whose deadline passed at `now`, if any. Drops index entries that no
    /// longer describe their job (completed, re-activated, deadline moved): index upkeep, not a
    /// state change.
    pub fn due_job_deadline(&mut self, now: i64) -> Option<i64> {
        while let Some(&Reverse((deadline, key))) = self.job_deadlines.peek() {
            let current =
                self.jobs.get(&key).is_some_and(|j| j.state == JobState::Activated && j.record.deadline == deadline);
            if !current {
                self.job_deadlines.pop();
            } else if deadline <= now {
                return Some(key);
            } else {
                return None;
            }
        }
        None
    }

    /// The node index of an element instance.
    pub fn node_of(&self, key: i64) -> Option<(u32, NodeIdx)> {
        self.elements.get(&key).map(|e| (e.def, e.element))
    }
}

/// Variables seen from one scope, with optional extra read-only variables that shadow them
/// (multi-instance counters in completion conditions).
pub struct ScopeView<'a> {
    state: &'a State,
    scope: i64,
    extra: &'a [(&'a str, Value)],
    now: i64,
}

impl<'a> ScopeView<'a> {
    /// The same view with extra variables in front.
    pub fn with_extra(self, extra: &'a [(&'a str, Value)]) -> Self {
        Self { extra, ..self }
    }
}

impl VariableLookup for ScopeView<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        match self.extra.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => Some(v),
            None => self.state.variable(self.scope, name),
        }
    }

    fn now_millis(&self) -> Option<i64> {
        Some(self.now)
    }
}
