//! The appliers: one state change per record intent. This is the only code that mutates
//! [`State`]; it never decides anything, it only records what the processors decided.
//!
//! Every (value, intent) pair is matched by name, with no catch-all: a record whose intent is not
//! one of its value's, or that names a definition, element or flow the state does not have, is a
//! [`RecordMisfit`] (from a damaged or hand-edited log; the engine's own records always fit), never
//! a panic.

use std::fmt;
use std::sync::Arc;

use super::{BufferedMessage, ElementInstance, Job, JobState, Lifecycle, State};
use crate::model::{ElementType, ExecutableProcess, FlowIdx, Node, NodeIdx, NodeKind, Throw};
use crate::record::{
    ElementRecord, IncidentRecord, Intent, JobRecord, MessageRecord, ProcessEventRecord, Record, RecordValue,
    SequenceFlowRecord, SubscriptionRecord, TimerRecord, UserTaskRecord, VariableRecord,
};

/// A record that does not fit the state it was applied to; the state is unchanged by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMisfit {
    /// The record's key.
    pub key: i64,
    /// The record's intent.
    pub intent: Intent,
    /// Why it does not fit.
    pub reason: String,
}

impl fmt::Display for RecordMisfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {} ({:?}) {}", self.key, self.intent, self.reason)
    }
}

impl std::error::Error for RecordMisfit {}

/// The result of applying one record.
type Applied = Result<(), RecordMisfit>;

impl State {
    /// Applies one record to the state; a record that does not fit changes nothing and is
    /// refused with the reason.
    pub fn apply(&mut self, record: Record) -> Applied {
        let Record { key, intent, value } = record;
        let (value_name, applied) = match value {
            RecordValue::Process(p) => ("a process", self.apply_process(intent, p)),
            RecordValue::Element(e) => ("an element", self.apply_element(key, intent, e)),
            RecordValue::SequenceFlow(f) => ("a sequence flow", self.apply_flow(intent, &f)),
            RecordValue::Variable(v) => ("a variable", self.apply_variable(intent, v)),
            RecordValue::Job(j) => ("a job", self.apply_job(key, intent, j)),
            RecordValue::Incident(i) => ("an incident", self.apply_incident(key, intent, i)),
            RecordValue::Timer(t) => ("a timer", self.apply_timer(key, intent, t)),
            RecordValue::Message(m) => ("a message", self.apply_message(key, intent, m)),
            RecordValue::Subscription(s) => ("a subscription", self.apply_subscription(key, intent, *s)),
            RecordValue::Signal(_) => {
                ("a signal", if intent == Intent::SignalBroadcasted { Ok(()) } else { Err(Misfit::WrongIntent) })
            }
            RecordValue::ProcessEvent(p) => ("a process event", self.apply_process_event(intent, p)),
            RecordValue::UserTask(u) => ("a user task", self.apply_user_task(key, intent, *u)),
        };
        applied.map_err(|misfit| RecordMisfit { key, intent, reason: misfit.reason(value_name) })
    }

    fn apply_process(&mut self, intent: Intent, p: crate::record::ProcessRecord) -> Result<(), Misfit> {
        if intent != Intent::ProcessCreated {
            return Err(Misfit::WrongIntent);
        }
        let idx = self.processes.len() as u32;
        self.process_by_key.insert(p.process.key, idx);
        self.latest.insert(p.process.bpmn_process_id.clone(), idx);
        self.processes.push(p.process);
        Ok(())
    }

    fn apply_flow(&mut self, intent: Intent, f: &SequenceFlowRecord) -> Result<(), Misfit> {
        if intent != Intent::SequenceFlowTaken {
            return Err(Misfit::WrongIntent);
        }
        let Some(def) = self.def_of(f.process_definition_key) else { return Ok(()) };
        let process = &self.processes[def as usize];
        let target = flow(process, f.flow)?.target;
        let is_join = node(process, target)?.is_join;
        if let Some(scope) = self.elements.get_mut(&f.flow_scope_key) {
            scope.active_flows += 1;
            if is_join {
                let joins = &mut scope.extra_mut().taken_joins;
                match joins.iter_mut().find(|(flow, _)| *flow == f.flow) {
                    Some((_, count)) => *count += 1,
                    None => joins.push((f.flow, 1)),
                }
            }
        }
        Ok(())
    }

    fn apply_variable(&mut self, intent: Intent, v: VariableRecord) -> Result<(), Misfit> {
        if !matches!(intent, Intent::VariableCreated | Intent::VariableUpdated) {
            return Err(Misfit::WrongIntent);
        }
        if let Some(scope) = self.elements.get_mut(&v.scope_key) {
            match scope.variables.iter_mut().find(|(n, _)| *n == v.name) {
                Some((_, slot)) => *slot = v.value,
                None => scope.variables.push((v.name, v.value)),
            }
        }
        Ok(())
    }

    fn apply_incident(&mut self, key: i64, intent: Intent, i: IncidentRecord) -> Result<(), Misfit> {
        match intent {
            Intent::IncidentCreated => {
                if let Some(job) = self.jobs.get_mut(&i.job_key)
                    && job.state == JobState::Activated
                {
                    job.state = JobState::Failed;
                }
                self.incidents.insert(key, i);
            }
            Intent::IncidentResolved => {
                self.incidents.remove(&key);
                if let Some(job) = self.jobs.get_mut(&i.job_key)
                    && matches!(job.state, JobState::Failed | JobState::ErrorThrown)
                {
                    job.state = JobState::Activatable;
                    self.activatable.entry(job.record.template.job_type.clone()).or_default().push_back(i.job_key);
                }
            }
            _ => return Err(Misfit::WrongIntent),
        }
        Ok(())
    }

    fn apply_timer(&mut self, key: i64, intent: Intent, t: TimerRecord) -> Result<(), Misfit> {
        match intent {
            Intent::TimerCreated => {
                self.timer_due.insert((t.due_date, key));
                if let Some(owner) = self.elements.get_mut(&t.element_instance_key) {
                    owner.extra_mut().subscriptions.push(key);
                }
                self.timers.insert(key, t);
            }
            Intent::TimerTriggered | Intent::TimerCanceled => {
                if let Some(old) = self.timers.remove(&key) {
                    self.timer_due.remove(&(old.due_date, key));
                    if let Some(owner) = self.elements.get_mut(&old.element_instance_key) {
                        owner.extra_mut().subscriptions.retain(|k| *k != key);
                    }
                }
            }
            _ => return Err(Misfit::WrongIntent),
        }
        Ok(())
    }

    fn apply_message(&mut self, key: i64, intent: Intent, m: MessageRecord) -> Result<(), Misfit> {
        match intent {
            Intent::MessagePublished => {
                if m.time_to_live > 0 {
                    self.message_expiry.insert((m.deadline, key));
                    self.messages.insert(key, BufferedMessage { record: m, correlated: Vec::new() });
                }
            }
            Intent::MessageExpired => {
                if let Some(old) = self.messages.remove(&key) {
                    self.message_expiry.remove(&(old.record.deadline, key));
                }
            }
            _ => return Err(Misfit::WrongIntent),
        }
        Ok(())
    }

    fn apply_subscription(&mut self, key: i64, intent: Intent, s: SubscriptionRecord) -> Result<(), Misfit> {
        match intent {
            Intent::MessageSubscriptionCreated | Intent::SignalSubscriptionCreated => {
                if let Some(owner) = self.elements.get_mut(&s.element_instance_key) {
                    owner.extra_mut().subscriptions.push(key);
                }
                if intent == Intent::SignalSubscriptionCreated {
                    self.signal_subscriptions.insert(key, s);
                } else {
                    let index_key = (s.name.clone(), s.correlation_key.clone());
                    self.message_subscriptions_by_name.entry(index_key).or_default().push(key);
                    self.message_subscriptions.insert(key, s);
                }
            }
            Intent::MessageSubscriptionCorrelated => {
                if let Some(message) = self.messages.get_mut(&s.message_key) {
                    message.correlated.push(s.bpmn_process_id.clone());
                }
                if s.element_instance_key < 0 && !s.correlation_key.is_empty() {
                    self.message_started
                        .insert((s.bpmn_process_id.clone(), s.correlation_key.clone()), s.process_instance_key);
                }
            }
            Intent::MessageSubscriptionDeleted => {
                let removed = self.message_subscriptions.remove(&key);
                if let Some(sub) = &removed {
                    let index_key = (sub.name.clone(), sub.correlation_key.clone());
                    if let Some(keys) = self.message_subscriptions_by_name.get_mut(&index_key) {
                        keys.retain(|k| *k != key);
                        if keys.is_empty() {
                            self.message_subscriptions_by_name.remove(&index_key);
                        }
                    }
                }
                self.forget_subscription(key, removed);
            }
            Intent::SignalSubscriptionDeleted => {
                let removed = self.signal_subscriptions.remove(&key);
                self.forget_subscription(key, removed);
            }
            _ => return Err(Misfit::WrongIntent),
        }
        Ok(())
    }

    /// Drops a removed subscription from its owner's list.
    fn forget_subscription(&mut self, key: i64, removed: Option<SubscriptionRecord>) {
        if let Some(owner) = removed.and_then(|s| self.elements.get_mut(&s.element_instance_key)) {
            owner.extra_mut().subscriptions.retain(|k| *k != key);
        }
    }

    fn apply_process_event(&mut self, intent: Intent, p: ProcessEventRecord) -> Result<(), Misfit> {
        let triggering = match intent {
            Intent::ProcessEventTriggering => true,
            Intent::ProcessEventTriggered => false,
            _ => return Err(Misfit::WrongIntent),
        };
        let Some(scope) = self.elements.get_mut(&p.scope_key) else { return Ok(()) };
        if !triggering {
            scope.extra_mut().event_trigger = None;
            return Ok(());
        }
        let process = &self.processes[scope.def as usize];
        let esp = match node(process, p.target_element)?.scope {
            Some(s) => matches!(node(process, s)?.kind, NodeKind::EventSubProcess { .. }),
            None => false,
        };
        if esp {
            scope.stop_tokens();
        }
        scope.extra_mut().event_trigger = Some(p);
        Ok(())
    }

    fn apply_user_task(&mut self, key: i64, intent: Intent, u: UserTaskRecord) -> Result<(), Misfit> {
        match intent {
            Intent::UserTaskCreated | Intent::UserTaskAssigned => {
                self.user_tasks.insert(key, u);
            }
            Intent::UserTaskCompleted | Intent::UserTaskCanceled => {
                self.user_tasks.remove(&key);
            }
            _ => return Err(Misfit::WrongIntent),
        }
        Ok(())
    }

    /// The index of a process definition by key; consecutive records nearly always name the same
    /// definition, so the last answer is checked first.
    fn def_of(&mut self, key: i64) -> Option<u32> {
        if self.processes.get(self.last_def as usize).is_some_and(|p| p.key == key) {
            return Some(self.last_def);
        }
        let def = self.process_by_key.get(&key).copied()?;
        self.last_def = def;
        Some(def)
    }

    fn apply_element(&mut self, key: i64, intent: Intent, record: ElementRecord) -> Result<(), Misfit> {
        match intent {
            Intent::ElementActivating => {
                let Some(def) = self.def_of(record.process_definition_key) else { return Ok(()) };
                let process = &self.processes[def as usize];
                let node = node(process, record.element)?;
                let mut is_inner = false;
                if let Some(scope) = self.elements.get_mut(&record.flow_scope_key) {
                    is_inner = scope.element_type == ElementType::MultiInstanceBody;
                    let consumes_flow = !is_inner && record.element_type != ElementType::AdHocSubProcessInnerInstance;
                    scope.active_children += 1;
                    scope.children.push(key);
                    if consumes_flow && node.is_join {
                        let mut consumed = 0;
                        let joins = &mut scope.extra_mut().taken_joins;
                        for flow in &node.incoming {
                            if let Some((_, count)) = joins.iter_mut().find(|(f, c)| f == flow && *c > 0) {
                                *count -= 1;
                                consumed += 1;
                            }
                        }
                        joins.retain(|(_, c)| *c > 0);
                        scope.active_flows = scope.active_flows.saturating_sub(consumed);
                    } else if consumes_flow && !node.incoming.is_empty() {
                        scope.active_flows = scope.active_flows.saturating_sub(1);
                    }
                }
                let parent = record.parent_element_instance_key;
                let is_process = record.element_type == ElementType::Process;
                self.elements.insert(
                    key,
                    ElementInstance {
                        element: record.element,
                        def,
                        element_type: record.element_type,
                        state: Lifecycle::Activating,
                        is_inner,
                        interrupted: false,
                        loop_counter: record.loop_counter,
                        active_children: 0,
                        active_flows: 0,
                        process_instance_key: record.process_instance_key,
                        flow_scope_key: record.flow_scope_key,
                        parent_element_instance_key: record.parent_element_instance_key,
                        job_key: -1,
                        variables: Vec::new(),
                        children: Vec::new(),
                        extra: None,
                    },
                );
                if let Some(caller) = self.elements.get_mut(&parent)
                    && is_process
                {
                    caller.extra_mut().called_instance = key;
                }
            }
            Intent::ElementActivated | Intent::ElementCompleting | Intent::ElementTerminating => {
                if let Some(element) = self.elements.get_mut(&key) {
                    element.state = match intent {
                        Intent::ElementActivated => Lifecycle::Activated,
                        Intent::ElementCompleting => Lifecycle::Completing,
                        _ => Lifecycle::Terminating,
                    };
                }
            }
            Intent::ElementCompleted | Intent::ElementTerminated => {
                let Some(element) = self.elements.remove(&key) else { return Ok(()) };
                // The element was activated from this state's own model, so its node exists.
                let terminates_scope = intent == Intent::ElementCompleted
                    && matches!(
                        self.processes[element.def as usize].node(element.element).kind,
                        NodeKind::End(Throw::Terminate)
                    );
                if let Some(scope) = self.elements.get_mut(&element.flow_scope_key) {
                    if terminates_scope {
                        scope.stop_tokens();
                    }
                    scope.active_children = scope.active_children.saturating_sub(1);
                    if let Some(at) = scope.children.iter().position(|k| *k == key) {
                        scope.children.swap_remove(at);
                    }
                    if scope.element_type == ElementType::MultiInstanceBody {
                        let extra = scope.extra_mut();
                        if intent == Intent::ElementCompleted {
                            extra.completed_children += 1;
                        } else {
                            extra.terminated_children += 1;
                        }
                    }
                }
                if element.element_type == ElementType::Process {
                    if let Some(caller) = self.elements.get_mut(&element.parent_element_instance_key) {
                        caller.extra_mut().called_instance = -1;
                    }
                    if !self.message_started.is_empty() {
                        self.message_started.retain(|_, pik| *pik != key);
                    }
                }
            }
            _ => return Err(Misfit::WrongIntent),
        }
        Ok(())
    }

    fn apply_job(&mut self, key: i64, intent: Intent, record: JobRecord) -> Result<(), Misfit> {
        if intent == Intent::JobCreated {
            if let Some(element) = self.elements.get_mut(&record.element_instance_key) {
                element.job_key = key;
            }
            self.activatable.entry(record.template.job_type.clone()).or_default().push_back(key);
            self.jobs.insert(key, Job { record, state: JobState::Activatable });
            return Ok(());
        }
        if intent.value_type() != crate::record::ValueType::Job {
            return Err(Misfit::WrongIntent);
        }
        let Some(job) = self.jobs.get_mut(&key) else { return Ok(()) };
        let requeue = |state: &mut Self, job_type: &Arc<str>| {
            state.activatable.entry(job_type.clone()).or_default().push_back(key)
        };
        match intent {
            Intent::JobActivated => {
                job.state = JobState::Activated;
                self.job_deadlines.push(std::cmp::Reverse((record.deadline, key)));
                job.record = record;
                if let Some(queue) = self.activatable.get_mut(&job.record.template.job_type) {
                    if queue.front() == Some(&key) {
                        queue.pop_front();
                    } else {
                        queue.retain(|k| *k != key);
                    }
                }
            }
            Intent::JobCompleted | Intent::JobCanceled => {
                let removed = self.jobs.remove(&key);
                if let Some(job) = removed.as_ref().filter(|j| j.state == JobState::BackingOff) {
                    self.job_backoffs.remove(&(job.record.recur_at, key));
                }
                if let Some(removed) = removed {
                    if removed.state == JobState::Activatable
                        && let Some(queue) = self.activatable.get_mut(&removed.record.template.job_type)
                    {
                        queue.retain(|k| *k != key);
                    }
                    if let Some(element) = self.elements.get_mut(&removed.record.element_instance_key) {
                        element.job_key = -1;
                        if let Some(result) = record.ad_hoc_result.as_ref().filter(|r| r.completion_condition_fulfilled)
                        {
                            element.extra_mut().ad_hoc_done = Some(result.cancel_remaining_instances);
                        }
                    }
                }
            }
            Intent::JobFailed => {
                let job_type = record.template.job_type.clone();
                job.state = if record.retries <= 0 {
                    JobState::Failed
                } else if record.recur_at > 0 {
                    self.job_backoffs.insert((record.recur_at, key));
                    JobState::BackingOff
                } else {
                    JobState::Activatable
                };
                let state = job.state;
                job.record = record;
                if state == JobState::Activatable {
                    requeue(self, &job_type);
                }
            }
            Intent::JobTimedOut | Intent::JobRecurredAfterBackoff => {
                self.job_backoffs.remove(&(job.record.recur_at, key));
                job.state = JobState::Activatable;
                let job_type = record.template.job_type.clone();
                job.record = record;
                requeue(self, &job_type);
            }
            Intent::JobTimeoutUpdated => {
                self.job_deadlines.push(std::cmp::Reverse((record.deadline, key)));
                job.record = record;
            }
            Intent::JobRetriesUpdated => {
                if job.state == JobState::Activated {
                    self.job_deadlines.push(std::cmp::Reverse((record.deadline, key)));
                }
                job.record = record;
            }
            Intent::JobErrorThrown => {
                job.state = JobState::ErrorThrown;
                job.record = record;
            }
            // Handled before the job is looked up.
            Intent::JobCreated => {}
            _ => return Err(Misfit::WrongIntent),
        }
        Ok(())
    }
}

impl ElementInstance {
    /// Drops the tokens in flight inside this scope and refuses new ones: the scope is being
    /// emptied by an interrupting event sub-process or a terminate end event.
    fn stop_tokens(&mut self) {
        self.interrupted = true;
        self.active_flows = 0;
        if let Some(extra) = &mut self.extra {
            extra.taken_joins.clear();
        }
    }
}

/// Why a record does not fit, found on the hot path (small, and turned into words only on the
/// way out).
#[derive(Debug)]
enum Misfit {
    /// The intent is not one of the value's.
    WrongIntent,
    /// The record names an element its process does not have.
    MissingNode(NodeIdx, Arc<str>),
    /// The record names a sequence flow its process does not have.
    MissingFlow(FlowIdx, Arc<str>),
}

impl Misfit {
    /// The reason in words, for a record of the value `value` (`an element`, `a job`, ...).
    fn reason(self, value: &str) -> String {
        match self {
            Misfit::WrongIntent => format!("is not an intent of {value} record"),
            Misfit::MissingNode(idx, process) => format!("names element {idx}, which process {process} does not have"),
            Misfit::MissingFlow(idx, process) => {
                format!("names sequence flow {idx}, which process {process} does not have")
            }
        }
    }
}

/// The node `idx` of `process`, or the misfit of a record naming it.
fn node(process: &ExecutableProcess, idx: NodeIdx) -> Result<&Node, Misfit> {
    process.nodes.get(idx as usize).ok_or_else(|| Misfit::MissingNode(idx, process.bpmn_process_id.clone()))
}

/// The flow `idx` of `process`, or the misfit of a record naming it.
fn flow(process: &ExecutableProcess, idx: FlowIdx) -> Result<&crate::model::Flow, Misfit> {
    process.flows.get(idx as usize).ok_or_else(|| Misfit::MissingFlow(idx, process.bpmn_process_id.clone()))
}
