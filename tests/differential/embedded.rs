//! The embedded engine as a differential [`Engine`]: an `EngineCore` on a virtual clock, its
//! records kept by a `MemorySink`. Like the Zeebe side it serves case after case (deploying the
//! 32 seed workflows once, not 32 times): each case reads only its own records and cancels what
//! it left running.

use std::sync::Arc;
use std::time::Duration;

use engine::record::{Intent, Record, RecordValue};
use engine::store::MemorySink;
use engine::{ActivateJobs, Clock, EngineCore, PublishMessage, VirtualClock};

use super::case::{Reply, Step, Variables};
use super::driver::{ActiveJob, Engine, JOB_TIMEOUT};
use super::outcome::{Change, Event, Lifecycle};

/// One case's embedded engine.
pub struct Embedded {
    core: EngineCore,
    clock: VirtualClock,
    sink: MemorySink,
    /// The events read from the sink so far (the sink is emptied on each read).
    events: Vec<Event>,
    /// How far the Zeebe engine's clock was nudged beyond each clock move of this case.
    nudges: std::collections::VecDeque<Duration>,
}

impl Embedded {
    /// A fresh engine.
    pub fn new() -> Self {
        let clock = VirtualClock::default();
        let sink = MemorySink::default();
        let core = EngineCore::with(Arc::new(clock.clone()), Box::new(sink.clone()));
        Self { core, clock, sink, events: Vec::new(), nudges: Default::default() }
    }

    /// Begins a case with the clock at `now` (epoch milliseconds): the Zeebe engine's time at
    /// the start of the same case, so `now()` and `today()` in expressions agree. `nudges`: how
    /// far the Zeebe engine's clock went beyond each of the case's clock moves (it needs a nudge
    /// to fire a timer that was due when created); each move here goes as far.
    pub fn begin_case(&mut self, now: i64, nudges: &[Duration]) {
        self.clock.set(now);
        self.nudges = nudges.iter().copied().collect();
        self.sink.clear();
        self.events.clear();
    }

    /// Ends a case: cancels the instances it left running, so they take no later jobs.
    pub fn end_case(&mut self) -> Result<(), String> {
        let _ = self.events_now();
        for root in super::driver::running_roots(&self.events) {
            text(self.core.cancel_instance(root))?;
        }
        Ok(())
    }

    fn events_now(&mut self) -> &[Event] {
        let records = self.sink.records();
        self.sink.clear();
        self.events.extend(records.iter().filter_map(event));
        &self.events
    }
}

fn text(result: Result<impl Sized, engine::EngineError>) -> Result<(), String> {
    result.map(drop).map_err(|e| e.to_string())
}

impl Engine for Embedded {
    async fn deploy(&mut self, resources: &[(String, String)]) -> Result<(), String> {
        let resources: Vec<(&str, &[u8])> = resources.iter().map(|(n, x)| (n.as_str(), x.as_bytes())).collect();
        text(self.core.deploy_resources(&resources))
    }

    async fn start(&mut self, process: &str, variables: Variables) -> Result<i64, String> {
        self.core.create_instance(process, None, variables).map(|c| c.process_instance_key).map_err(|e| e.to_string())
    }

    async fn activate(&mut self, job_types: &[String]) -> Result<Vec<ActiveJob>, String> {
        let mut jobs = Vec::new();
        for job_type in job_types {
            let request =
                ActivateJobs::new(job_type.as_str()).worker("differential").timeout(JOB_TIMEOUT).max_jobs(1000);
            for job in self.core.activate_jobs(&request).map_err(|e| e.to_string())? {
                jobs.push(ActiveJob {
                    key: job.key,
                    process_id: job.bpmn_process_id().to_owned(),
                    element_id: job.element_id().to_owned(),
                    element_instance_key: job.element_instance_key,
                    step_id: job.header("stepId").map(str::to_owned),
                    retries: job.retries,
                    variables: job.variables,
                });
            }
        }
        Ok(jobs)
    }

    async fn answer(&mut self, job: &ActiveJob, reply: Reply) -> Result<bool, String> {
        let result = match reply {
            Reply::Complete(variables) => self.core.complete_job(job.key, variables),
            Reply::Throw { code, variables } => self.core.throw_error(job.key, &code, "thrown", variables),
            Reply::Fail { retries, message } => {
                self.core.fail_job(job.key, retries, &message, Duration::ZERO, Variables::new())
            }
            Reply::Leave => Ok(()),
            Reply::Decide { variables, decision } => {
                self.core.complete_ad_hoc_job(job.key, variables, (&decision).into())
            }
        };
        match result {
            Ok(()) => Ok(true),
            Err(engine::EngineError::NotFound(_)) => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }

    async fn publish(&mut self, step: &Step) -> Result<(), String> {
        let Step::Publish { name, correlation_key, ttl, message_id, variables } = step else {
            return Err(format!("not a publish step: {step:?}"));
        };
        let mut message = PublishMessage::new(name, correlation_key).time_to_live(*ttl).variables(variables.clone());
        if !message_id.is_empty() {
            message = message.message_id(message_id);
        }
        text(self.core.publish_message(message))
    }

    async fn signal(&mut self, name: &str, variables: Variables) -> Result<(), String> {
        text(self.core.broadcast_signal(name, variables))
    }

    async fn set_variables(&mut self, scope_key: i64, variables: Variables) -> Result<(), String> {
        text(self.core.set_variables(scope_key, variables, false))
    }

    async fn update_retries(&mut self, job_key: i64, retries: i32) -> Result<(), String> {
        text(self.core.update_job_retries(job_key, retries))
    }

    async fn resolve(&mut self, incident_key: i64) -> Result<(), String> {
        text(self.core.resolve_incident(incident_key))
    }

    async fn now(&mut self) -> Result<i64, String> {
        Ok(self.clock.now_millis())
    }

    async fn advance(&mut self, by: Duration, _: &[Event]) -> Result<(), String> {
        self.clock.advance(by + self.nudges.pop_front().unwrap_or_default());
        self.core.tick();
        Ok(())
    }

    async fn events(&mut self) -> Result<Vec<Event>, String> {
        Ok(self.events_now().to_vec())
    }
}

/// The event a record stands for, if the comparison or the driver reads it.
fn event(record: &Record) -> Option<Event> {
    let key = record.key;
    match (&record.value, record.intent) {
        (RecordValue::Element(e), intent) => {
            let lifecycle = match intent {
                Intent::ElementActivating => Lifecycle::Activating,
                Intent::ElementCompleted => Lifecycle::Completed,
                Intent::ElementTerminated => Lifecycle::Terminated,
                _ => return None,
            };
            Some(Event::Element {
                key,
                lifecycle,
                element_id: e.element_id.to_string(),
                is_process: e.element_type == engine::model::ElementType::Process,
                flow_scope_key: e.flow_scope_key,
                parent_element_instance_key: e.parent_element_instance_key,
            })
        }
        (RecordValue::Variable(v), Intent::VariableCreated | Intent::VariableUpdated) => {
            Some(Event::Variable { name: v.name.to_string(), value: v.value.clone(), scope_key: v.scope_key })
        }
        (RecordValue::Incident(i), intent) => Some(Event::Incident {
            key,
            change: if intent == Intent::IncidentCreated { Change::Created } else { Change::Ended },
            message: i.error_message.clone(),
            element_instance_key: i.element_instance_key,
            error_type: i.error_type.name().to_owned(),
            job_key: i.job_key,
        }),
        (RecordValue::Timer(t), intent) if t.process_instance_key > 0 => Some(Event::Timer {
            key,
            change: if intent == Intent::TimerCreated { Change::Created } else { Change::Ended },
            due_date: t.due_date,
        }),
        _ => None,
    }
}
