//! [`EngineCore`]: the synchronous, single-threaded engine. Every method is one command in
//! Zeebe's terms; it runs to completion (all follow-up work included) before returning.

mod batch;
pub(crate) mod deploy;
mod jobs;
mod open;
mod origin;
mod schedules;
mod time;
pub(crate) mod types;

use std::sync::Arc;

use serde_json::Value;

pub use open::{OpenReport, Rebuilt, rebuild_state};
pub use schedules::{ScheduledStart, scheduled_starts};
pub use types::*;

use origin::Origin;

use crate::clock::{Clock, SystemClock};
use crate::error::{EngineError, Result};
use crate::model::{ElementType, ExecutableProcess};
use crate::processing::behavior::{messages, variables};
use crate::processing::driver;
use crate::processing::{Command, Machine};
use crate::record::{Intent, MessageRecord, RecordValue};
use crate::state::{Lifecycle, State};
use crate::store::{NullSink, RecordSink};

/// The engine core: deploy, start, drive and query process instances.
///
/// It is deterministic given its clock: timers, job deadlines, back-offs and message TTLs fire
/// when a command or [`tick`](Self::tick) runs at or after their time. Wrap it in
/// [`Engine`](crate::Engine) to share it in a tokio service.
pub struct EngineCore {
    m: Machine,
    clock: Arc<dyn Clock>,
    last_worker: Arc<str>,
    /// The caller named by [`set_client`](Self::set_client), stored in API causes.
    client: Option<String>,
    /// What opening from a store did.
    open_report: open::OpenReport,
}

impl Default for EngineCore {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for EngineCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineCore").field("element_instances", &self.m.state.elements.len()).finish()
    }
}

impl EngineCore {
    /// An engine on the system clock that keeps no records.
    pub fn new() -> Self {
        Self::with(Arc::new(SystemClock), Box::new(NullSink))
    }

    /// An engine with the given clock and record sink.
    pub fn with(clock: Arc<dyn Clock>, sink: Box<dyn RecordSink>) -> Self {
        let mut m = Machine::new(sink);
        m.now = clock.now_millis();
        Self { m, clock, last_worker: Arc::from(""), client: None, open_report: open::OpenReport::default() }
    }

    /// Reads the clock, runs `command` (its records form one log entry caused by `origin`),
    /// then every follow-up, and anything that fell due (a log entry caused by the timer).
    fn command<T>(&mut self, origin: Origin, command: impl FnOnce(&mut Machine) -> Result<T>) -> Result<T> {
        self.m.now = self.clock.now_millis();
        self.begin(origin);
        let result = command(&mut self.m);
        self.m.run();
        self.fire_due();
        self.m.flush()?;
        result
    }

    /// The log entries kept so far, oldest first: every command's time, cause and records.
    /// `None` when the engine keeps none (the default [`NullSink`]); a durable engine reads its
    /// store (committed entries only), a [`MemorySink`](crate::store::MemorySink) its memory.
    pub fn history(&mut self) -> Option<std::result::Result<Vec<crate::store::LogEntry>, crate::store::StoreError>> {
        self.m.entries()
    }

    /// The engine state, read-only (for queries and for checking a replayed record log).
    pub fn state(&self) -> &State {
        &self.m.state
    }

    /// Starts an instance of the latest version (`version` `None`) or the given version.
    pub fn create_instance(
        &mut self,
        bpmn_process_id: &str,
        version: Option<i32>,
        variables: Variables,
    ) -> Result<ProcessInstanceCreated> {
        let def = self.find_process(bpmn_process_id, version)?;
        self.start(def, variables, "CreateProcessInstance")
    }

    /// Starts an instance of the process definition with the given key.
    pub fn create_instance_by_key(
        &mut self,
        process_definition_key: i64,
        variables: Variables,
    ) -> Result<ProcessInstanceCreated> {
        let def = self.state().process_by_key.get(&process_definition_key).copied().ok_or_else(|| {
            EngineError::NotFound(format!(
                "Expected to find process definition with key '{process_definition_key}', but none found"
            ))
        })?;
        self.start(def, variables, "CreateProcessInstance")
    }

    /// Starts an instance and, when it completes within this call, returns its root variables;
    /// `Ok((created, None))` means it is still running (the async [`Engine`](crate::Engine) waits).
    pub fn create_instance_with_result(
        &mut self,
        bpmn_process_id: &str,
        variables: Variables,
    ) -> Result<(ProcessInstanceCreated, Option<Variables>)> {
        let def = self.find_process(bpmn_process_id, None)?;
        self.m.awaited.insert(self.m.peek_next_key());
        let created = self.start(def, variables, "CreateProcessInstanceWithResult")?;
        let result = self.take_result(created.process_instance_key);
        if result.is_none() {
            self.m.awaited.remove(&created.process_instance_key);
        }
        Ok((created, result))
    }

    /// Registers interest in an instance's result (see [`take_result`](Self::take_result)).
    pub fn await_result(&mut self, process_instance_key: i64) {
        self.m.awaited.insert(process_instance_key);
    }

    /// The root variables of an awaited instance that completed (`Some(Ok)`), or
    /// `Some(Err)` when it was terminated; `None` while it runs.
    pub fn take_result(&mut self, process_instance_key: i64) -> Option<Variables> {
        let position = self.m.finished.iter().position(|(k, _, _)| *k == process_instance_key)?;
        let (_, completed, variables) = self.m.finished.swap_remove(position);
        self.m.awaited.remove(&process_instance_key);
        completed.then_some(variables)
    }

    /// Takes the results of every awaited instance that finished: its key and its root variables
    /// (`None` when it was terminated), in the order they finished.
    pub fn take_results(&mut self) -> Vec<(i64, Option<Variables>)> {
        let finished = std::mem::take(&mut self.m.finished);
        for (key, _, _) in &finished {
            self.m.awaited.remove(key);
        }
        finished.into_iter().map(|(key, completed, variables)| (key, completed.then_some(variables))).collect()
    }

    /// How many process instances (called ones included) this engine completed, and how many
    /// it terminated, since it was opened: what a progress display counts, including instances
    /// that started and ended between two looks.
    pub fn instances_ended(&self) -> (u64, u64) {
        self.m.ended
    }

    /// True once an awaited instance has finished (completed or terminated).
    pub fn has_finished(&self, process_instance_key: i64) -> bool {
        self.m.finished.iter().any(|(k, _, _)| *k == process_instance_key)
    }

    fn find_process(&self, bpmn_process_id: &str, version: Option<i32>) -> Result<u32> {
        let found = match version {
            None | Some(-1) => self.state().latest.get(bpmn_process_id).copied(),
            Some(v) => self
                .state()
                .processes
                .iter()
                .position(|p| &*p.bpmn_process_id == bpmn_process_id && p.version == v)
                .map(|i| i as u32),
        };
        found.ok_or_else(|| {
            EngineError::NotFound(format!(
                "Expected to find process definition with process ID '{bpmn_process_id}'{}, but none found",
                version.filter(|v| *v >= 0).map(|v| format!(" and version '{v}'")).unwrap_or_default()
            ))
        })
    }

    fn start(&mut self, def: u32, variables: Variables, call: &'static str) -> Result<ProcessInstanceCreated> {
        let process: Arc<ExecutableProcess> = self.state().process(def).clone();
        let Some(start) = process.none_start() else {
            return Err(EngineError::FailedPrecondition(format!(
                "Expected to create instance of process with none start event, but there is no such event in process '{}'",
                process.bpmn_process_id
            )));
        };
        let key =
            self.command(Origin::Api(call), |m| Ok(messages::start_instance_at(m, def, start, Arc::new(variables))))?;
        Ok(ProcessInstanceCreated {
            process_instance_key: key,
            process_definition_key: process.key,
            bpmn_process_id: process.bpmn_process_id.to_string(),
            version: process.version,
        })
    }

    /// Cancels a process instance: every element inside is terminated, including child
    /// instances of call activities.
    pub fn cancel_instance(&mut self, process_instance_key: i64) -> Result<()> {
        let instance = self.state().element(process_instance_key).filter(|e| e.element_type == ElementType::Process);
        match instance {
            None => Err(EngineError::NotFound(format!(
                "Expected to cancel a process instance with key '{process_instance_key}', but no such process was found"
            ))),
            Some(e) if e.parent_element_instance_key > 0 => Err(EngineError::FailedPrecondition(format!(
                "Expected to cancel a process instance with key '{process_instance_key}', but it is created by a parent process instance. Cancel the root process instance '{}' instead.",
                e.parent_element_instance_key
            ))),
            Some(_) => self.command(Origin::Api("CancelProcessInstance"), |m| {
                m.enqueue(Command::Terminate { key: process_instance_key });
                Ok(())
            }),
        }
    }

    /// Sets variables on an element instance scope: `local` writes exactly there, otherwise
    /// each variable goes to the nearest scope that has it (else the root).
    pub fn set_variables(&mut self, element_instance_key: i64, document: Variables, local: bool) -> Result<i64> {
        let Some(instance) = self.state().element(element_instance_key) else {
            return Err(EngineError::NotFound(format!(
                "Expected to update variables for element with key '{element_instance_key}', but no such element was found"
            )));
        };
        let process_instance = instance.process_instance_key;
        self.command(Origin::Api("SetVariables"), |m| {
            if local {
                variables::merge_local(m, element_instance_key, process_instance, &document);
            } else {
                variables::merge_propagating(m, element_instance_key, process_instance, &document);
            }
            Ok(m.key())
        })
    }

    /// Resolves an incident: a job incident makes the job activatable again; any other re-runs
    /// the failed step (which may raise a new incident).
    pub fn resolve_incident(&mut self, incident_key: i64) -> Result<()> {
        let Some(incident) = self.state().incidents.get(&incident_key).cloned() else {
            return Err(EngineError::NotFound(format!(
                "Expected to resolve incident with key '{incident_key}', but no such incident was found"
            )));
        };
        self.command(Origin::Api("ResolveIncident"), |m| {
            m.write(incident_key, Intent::IncidentResolved, RecordValue::Incident(incident.clone()));
            if incident.job_key <= 0 {
                driver::retry_failed_step(m, incident.element_instance_key);
            }
            Ok(())
        })
    }

    /// Publishes a message: correlates it to open subscriptions (at most once per process id)
    /// and message start events, and buffers it for `time_to_live`.
    pub fn publish_message(&mut self, message: PublishMessage) -> Result<i64> {
        if message.name.trim().is_empty() {
            return Err(EngineError::InvalidArgument("Expected a message name, but it was blank".into()));
        }
        if let Some(id) = message.message_id.as_deref().filter(|id| !id.is_empty()) {
            let duplicate = self.state().messages.values().any(|b| {
                *b.record.name == *message.name
                    && *b.record.correlation_key == *message.correlation_key
                    && &*b.record.message_id == id
            });
            if duplicate {
                return Err(EngineError::AlreadyExists(format!(
                    "Expected to publish a new message with id '{id}', but a message with that id was already published"
                )));
            }
        }
        self.command(Origin::Api("PublishMessage"), |m| {
            let ttl = i64::try_from(message.time_to_live.as_millis()).unwrap_or(i64::MAX);
            let record = MessageRecord {
                name: Arc::from(message.name.as_str()),
                correlation_key: Arc::from(message.correlation_key.as_str()),
                time_to_live: ttl,
                deadline: m.now.saturating_add(ttl),
                message_id: Arc::from(message.message_id.as_deref().unwrap_or("")),
                variables: Arc::new(message.variables),
            };
            let key = m.key();
            m.write(key, Intent::MessagePublished, RecordValue::Message(record.clone()));
            messages::correlate_published(m, key, &record);
            Ok(key)
        })
    }

    /// Broadcasts a signal to every waiting signal catch event and signal start event.
    pub fn broadcast_signal(&mut self, name: &str, variables: Variables) -> Result<i64> {
        if name.trim().is_empty() {
            return Err(EngineError::InvalidArgument("Expected a signal name, but it was blank".into()));
        }
        self.command(Origin::Api("BroadcastSignal"), |m| {
            Ok(messages::broadcast_signal(m, Arc::from(name), Arc::new(variables)))
        })
    }

    /// Fires everything that is due at the clock's current time: timers, job time-outs, the end
    /// of retry back-offs and message expiry.
    ///
    /// With a record store, a failure to store what fired is reported by the next command (the
    /// store refuses every write after a failure); until then nothing was acknowledged to anyone.
    pub fn tick(&mut self) {
        self.m.now = self.clock.now_millis();
        self.fire_due();
        // The sink keeps the failure and returns it from every later flush, that is, from the
        // next command.
        let _ = self.m.flush();
    }

    /// The current engine time (epoch milliseconds).
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    /// True while the process instance runs.
    pub fn is_active(&self, process_instance_key: i64) -> bool {
        self.state().element(process_instance_key).is_some_and(|e| e.element_type == ElementType::Process)
    }

    /// The live element instances of a process instance (including the process itself), by key.
    pub fn element_instances(&self, process_instance_key: i64) -> Vec<ElementInstanceInfo> {
        let mut all: Vec<ElementInstanceInfo> = self
            .state()
            .elements
            .iter()
            .filter(|(_, e)| e.process_instance_key == process_instance_key)
            .map(|(k, e)| ElementInstanceInfo {
                key: *k,
                element_id: self.state().process(e.def).node(e.element).id.clone(),
                element_type: e.element_type,
                state: e.state,
                flow_scope_key: e.flow_scope_key,
                process_instance_key: e.process_instance_key,
            })
            .collect();
        all.sort_by_key(|e| e.key);
        all
    }

    /// The local variables of a scope (a process instance key gives the root variables).
    pub fn variables(&self, scope_key: i64) -> Option<Variables> {
        self.state().element(scope_key).map(|e| e.variables.iter().map(|(n, v)| (n.to_string(), v.clone())).collect())
    }

    /// A variable as seen from a scope.
    pub fn variable(&self, scope_key: i64, name: &str) -> Option<Value> {
        self.state().variable(scope_key, name).cloned()
    }

    /// Open incidents, oldest first.
    pub fn incidents(&self) -> Vec<Incident> {
        let mut all: Vec<Incident> = self
            .state()
            .incidents
            .iter()
            .map(|(k, i)| Incident {
                key: *k,
                error_type: i.error_type,
                error_message: i.error_message.clone(),
                element_id: i.element_id.clone(),
                element_instance_key: i.element_instance_key,
                process_instance_key: i.process_instance_key,
                job_key: i.job_key,
            })
            .collect();
        all.sort_by_key(|i| i.key);
        all
    }

    /// Deployed process versions, oldest first.
    pub fn processes(&self) -> Vec<ProcessMetadata> {
        self.state()
            .processes
            .iter()
            .map(|p| ProcessMetadata {
                bpmn_process_id: p.bpmn_process_id.to_string(),
                version: p.version,
                process_definition_key: p.key,
                resource_name: p.resource_name.to_string(),
            })
            .collect()
    }

    /// The lifecycle state of an element instance, if it is alive.
    pub fn element_state(&self, element_instance_key: i64) -> Option<Lifecycle> {
        self.state().element(element_instance_key).map(|e| e.state)
    }
}
