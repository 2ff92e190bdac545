//! [`History`]: the fold of a record log into the life of each entity.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::change::Change;
use super::types::*;
use crate::model::ElementType;
use crate::record::{Intent, Record, RecordValue};
use crate::store::LogEntry;

/// Everything the log says happened, by entity key. Build it with [`History::fold`].
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Process definition key -> (BPMN process id, version).
    processes: HashMap<i64, (String, i32)>,
    instances: BTreeMap<i64, InstanceHistory>,
    elements: BTreeMap<i64, ElementHistory>,
    variables: Vec<VariableChange>,
    incidents: BTreeMap<i64, IncidentHistory>,
    jobs: BTreeMap<i64, JobHistory>,
    timers: BTreeMap<i64, TimerHistory>,
    user_tasks: BTreeMap<i64, UserTaskHistory>,
    /// Process instance key -> the keys of its entities, so the questions about one instance
    /// do not scan every instance's.
    by_instance: HashMap<i64, InstanceIndex>,
}

/// The entities of one process instance, by key (variables by their place in the list).
#[derive(Debug, Clone, Default)]
struct InstanceIndex {
    elements: BTreeSet<i64>,
    variables: Vec<usize>,
    incidents: BTreeSet<i64>,
    jobs: BTreeSet<i64>,
    timers: BTreeSet<i64>,
    user_tasks: BTreeSet<i64>,
}

impl History {
    /// Folds the log entries, in log order.
    pub fn fold(entries: impl IntoIterator<Item = LogEntry>) -> Self {
        let mut history = Self::default();
        history.extend(entries);
        history
    }

    /// An empty history that knows these process definitions (key, BPMN process id, version)
    /// before folding, for a fold of only part of the log (one instance's span).
    pub fn knowing(processes: impl IntoIterator<Item = (i64, String, i32)>) -> Self {
        let processes = processes.into_iter().map(|(key, id, version)| (key, (id, version))).collect();
        Self { processes, ..Self::default() }
    }

    /// Folds further entries, in log order, into what was folded so far (for a reader that
    /// follows a growing log: the result equals folding the whole log at once).
    pub fn extend(&mut self, entries: impl IntoIterator<Item = LogEntry>) {
        for entry in entries {
            let change = Change { position: entry.position, at_millis: entry.at_millis, cause: entry.cause };
            for record in &entry.records {
                self.apply(record, &change);
            }
        }
    }

    fn apply(&mut self, record: &Record, change: &Change) {
        let key = record.key;
        match &record.value {
            RecordValue::Process(p) => {
                let process = &p.process;
                self.processes.insert(process.key, (process.bpmn_process_id.to_string(), process.version));
            }
            RecordValue::Element(e) => self.apply_element(record, e, change),
            RecordValue::Variable(v) => {
                let created = record.intent == Intent::VariableCreated;
                let position = self.variables.len();
                self.index(v.process_instance_key).variables.push(position);
                self.variables.push(VariableChange {
                    name: v.name.to_string(),
                    value: v.value.clone(),
                    scope_key: v.scope_key,
                    process_instance_key: v.process_instance_key,
                    created,
                    change: change.clone(),
                });
            }
            RecordValue::Incident(i) => match record.intent {
                Intent::IncidentCreated => {
                    self.index(i.process_instance_key).incidents.insert(key);
                    self.incidents.insert(
                        key,
                        IncidentHistory {
                            key,
                            error_type: i.error_type.name(),
                            error_message: i.error_message.clone(),
                            element_id: i.element_id.to_string(),
                            element_instance_key: i.element_instance_key,
                            process_instance_key: i.process_instance_key,
                            job_key: Some(i.job_key).filter(|k| *k > 0),
                            span: Span { started: change.clone(), ended: None },
                        },
                    );
                }
                _ => end(self.incidents.get_mut(&key).map(|i| &mut i.span), change),
            },
            RecordValue::Job(j) => {
                if !self.jobs.contains_key(&key) {
                    self.index(j.process_instance_key).jobs.insert(key);
                }
                let job = self.jobs.entry(key).or_insert_with(|| JobHistory {
                    key,
                    job_type: j.job_type().to_string(),
                    element_id: j.template.element_id.to_string(),
                    custom_headers: j.template.custom_headers.iter().cloned().collect(),
                    element_instance_key: j.element_instance_key,
                    process_instance_key: j.process_instance_key,
                    state: record.intent.name(),
                    status: Status::Active,
                    retries: j.retries,
                    events: Vec::new(),
                });
                job.state = record.intent.name();
                job.retries = j.retries;
                job.status = match record.intent {
                    Intent::JobCompleted => Status::Completed,
                    Intent::JobCanceled | Intent::JobErrorThrown => Status::Terminated,
                    _ => Status::Active,
                };
                job.events.push(JobEvent {
                    intent: record.intent.name(),
                    worker: j.worker.to_string(),
                    retries: j.retries,
                    message: j.failure.as_ref().map(|f| f.message.clone()),
                    change: change.clone(),
                });
            }
            RecordValue::Timer(t) => match record.intent {
                Intent::TimerCreated => {
                    if t.process_instance_key > 0 {
                        self.index(t.process_instance_key).timers.insert(key);
                    }
                    self.timers.insert(
                        key,
                        TimerHistory {
                            key,
                            element_id: t.element_id.to_string(),
                            element_instance_key: Some(t.element_instance_key).filter(|k| *k > 0),
                            process_instance_key: Some(t.process_instance_key).filter(|k| *k > 0),
                            due_millis: t.due_date,
                            status: Status::Active,
                            span: Span { started: change.clone(), ended: None },
                        },
                    );
                }
                intent => {
                    if let Some(timer) = self.timers.get_mut(&key) {
                        timer.status =
                            if intent == Intent::TimerTriggered { Status::Completed } else { Status::Terminated };
                        timer.span.ended = Some(change.clone());
                    }
                }
            },
            RecordValue::UserTask(u) => match record.intent {
                Intent::UserTaskCreated => {
                    self.index(u.process_instance_key).user_tasks.insert(key);
                    self.user_tasks.insert(
                        key,
                        UserTaskHistory {
                            key,
                            element_id: u.element_id.to_string(),
                            element_instance_key: u.element_instance_key,
                            process_instance_key: u.process_instance_key,
                            assignee: u.assignee.to_string(),
                            status: Status::Active,
                            span: Span { started: change.clone(), ended: None },
                        },
                    );
                }
                intent => {
                    if let Some(task) = self.user_tasks.get_mut(&key) {
                        task.assignee = u.assignee.to_string();
                        if intent != Intent::UserTaskAssigned {
                            task.status = if intent == Intent::UserTaskCompleted {
                                Status::Completed
                            } else {
                                Status::Terminated
                            };
                            task.span.ended = Some(change.clone());
                        }
                    }
                }
            },
            _ => {}
        }
    }

    fn apply_element(&mut self, record: &Record, e: &crate::record::ElementRecord, change: &Change) {
        let key = record.key;
        let status = match record.intent {
            Intent::ElementActivating => {
                self.index(e.process_instance_key).elements.insert(key);
                self.elements.insert(
                    key,
                    ElementHistory {
                        key,
                        element_id: e.element_id.to_string(),
                        element_type: e.element_type.name(),
                        process_instance_key: e.process_instance_key,
                        flow_scope_key: e.flow_scope_key,
                        status: Status::Active,
                        span: Span { started: change.clone(), ended: None },
                    },
                );
                if e.element_type == ElementType::Process {
                    let (bpmn_process_id, version) =
                        self.processes.get(&e.process_definition_key).cloned().unwrap_or_default();
                    let parent_instance_key =
                        self.elements.get(&e.parent_element_instance_key).map(|p| p.process_instance_key);
                    self.instances.insert(
                        key,
                        InstanceHistory {
                            key,
                            bpmn_process_id,
                            version,
                            process_definition_key: e.process_definition_key,
                            parent_instance_key,
                            parent_element_instance_key: parent_instance_key.map(|_| e.parent_element_instance_key),
                            status: Status::Active,
                            span: Span { started: change.clone(), ended: None },
                        },
                    );
                }
                return;
            }
            Intent::ElementCompleted => Status::Completed,
            Intent::ElementTerminated => Status::Terminated,
            _ => return,
        };
        if let Some(element) = self.elements.get_mut(&key) {
            element.status = status;
            element.span.ended = Some(change.clone());
        }
        if let Some(instance) = self.instances.get_mut(&key) {
            instance.status = status;
            instance.span.ended = Some(change.clone());
        }
    }

    fn index(&mut self, instance: i64) -> &mut InstanceIndex {
        self.by_instance.entry(instance).or_default()
    }

    /// The entities of `instance` that `keys` picks from its index, looked up in `all`.
    fn of_instance<'h, T>(
        &'h self,
        instance: i64,
        all: &'h BTreeMap<i64, T>,
        keys: impl Fn(&'h InstanceIndex) -> &'h BTreeSet<i64>,
    ) -> Vec<&'h T> {
        self.by_instance
            .get(&instance)
            .map_or_else(Vec::new, |index| keys(index).iter().filter_map(|k| all.get(k)).collect())
    }

    /// Every deployed process version: its definition key, BPMN process id and version, by
    /// key (oldest first).
    pub fn processes(&self) -> Vec<(i64, &str, i32)> {
        let mut all: Vec<(i64, &str, i32)> =
            self.processes.iter().map(|(key, (id, version))| (*key, id.as_str(), *version)).collect();
        all.sort_unstable_by_key(|p| p.0);
        all
    }

    /// Every process instance, by key (oldest first).
    pub fn instances(&self) -> impl Iterator<Item = &InstanceHistory> {
        self.instances.values()
    }

    /// One process instance.
    pub fn instance(&self, key: i64) -> Option<&InstanceHistory> {
        self.instances.get(&key)
    }

    /// The element instances of a process instance (the process element included), in
    /// activation order.
    pub fn elements(&self, instance: i64) -> Vec<&ElementHistory> {
        self.of_instance(instance, &self.elements, |i| &i.elements)
    }

    /// Every write of the instance's variables, in order.
    pub fn variable_changes(&self, instance: i64) -> Vec<&VariableChange> {
        self.by_instance
            .get(&instance)
            .map_or_else(Vec::new, |index| index.variables.iter().map(|&n| &self.variables[n]).collect())
    }

    /// The instance's variables now: the last write per scope and name, for the instance's own
    /// scope and for scopes still active, by scope then name.
    pub fn current_variables(&self, instance: i64) -> Vec<&VariableChange> {
        let mut latest: BTreeMap<(i64, &str), &VariableChange> = BTreeMap::new();
        for change in self.variable_changes(instance) {
            let scope_alive = change.scope_key == instance
                || self.elements.get(&change.scope_key).is_some_and(|e| e.status == Status::Active);
            if scope_alive {
                latest.insert((change.scope_key, change.name.as_str()), change);
            }
        }
        latest.into_values().collect()
    }

    /// Incidents, oldest first: of one instance, or of all when `instance` is `None`.
    pub fn incidents(&self, instance: Option<i64>) -> Vec<&IncidentHistory> {
        match instance {
            Some(key) => self.of_instance(key, &self.incidents, |i| &i.incidents),
            None => self.incidents.values().collect(),
        }
    }

    /// One incident.
    pub fn incident(&self, key: i64) -> Option<&IncidentHistory> {
        self.incidents.get(&key)
    }

    /// The jobs of an instance, oldest first.
    pub fn jobs(&self, instance: i64) -> Vec<&JobHistory> {
        self.of_instance(instance, &self.jobs, |i| &i.jobs)
    }

    /// Every job that is still open (created, activated, failed with retries or an incident).
    pub fn open_jobs(&self) -> impl Iterator<Item = &JobHistory> {
        self.jobs.values().filter(|j| j.status == Status::Active)
    }

    /// The timers of an instance, oldest first.
    pub fn timers(&self, instance: i64) -> Vec<&TimerHistory> {
        self.of_instance(instance, &self.timers, |i| &i.timers)
    }

    /// Every pending timer (timer start events included), the earliest due first.
    pub fn timers_due(&self) -> Vec<&TimerHistory> {
        let mut pending: Vec<&TimerHistory> = self.timers.values().filter(|t| t.status == Status::Active).collect();
        pending.sort_by_key(|t| (t.due_millis, t.key));
        pending
    }

    /// User tasks, oldest first: of one instance, or of all when `instance` is `None`.
    pub fn user_tasks(&self, instance: Option<i64>) -> Vec<&UserTaskHistory> {
        match instance {
            Some(key) => self.of_instance(key, &self.user_tasks, |i| &i.user_tasks),
            None => self.user_tasks.values().collect(),
        }
    }
}

/// Marks a span ended, if it exists and has not ended yet.
fn end(span: Option<&mut Span>, change: &Change) {
    if let Some(span) = span.filter(|s| s.ended.is_none()) {
        span.ended = Some(change.clone());
    }
}
