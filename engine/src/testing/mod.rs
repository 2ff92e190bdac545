//! A process test harness in the style of zeebe-process-test: an engine on a virtual clock with
//! a record log, plus helpers to deploy, start, work jobs, move time and assert what happened.
//!
//! Assertions panic with a message that says what was expected and what the log shows, like any
//! test assertion.
//!
//! ```
//! use std::time::Duration;
//! use engine::testing::{ProcessTest, model::{ProcessBuilder, TimerKind}};
//!
//! let mut test = ProcessTest::new();
//! test.deploy(&ProcessBuilder::new("p").start("s").timer_catch("wait", TimerKind::Duration, "PT1H").end("e").build());
//! let instance = test.start("p", serde_json::json!({}));
//! test.assert_element_active(instance, "wait");
//! test.advance(Duration::from_secs(3600));
//! test.assert_completed(instance);
//! ```

pub mod model;

use std::time::Duration;

use serde_json::Value;

use crate::clock::VirtualClock;
use crate::core::{ActivateJobs, ActivatedJob, Deployment, EngineCore, Incident, Variables};
use crate::error::Result;
use crate::record::{ErrorType, Intent, Record, RecordValue};
use crate::store::MemorySink;

/// An engine on a virtual clock that keeps every record.
#[derive(Debug)]
pub struct ProcessTest {
    core: EngineCore,
    clock: VirtualClock,
    sink: MemorySink,
}

impl Default for ProcessTest {
    fn default() -> Self {
        Self::new()
    }
}

/// Turns a JSON value into a variables document (anything but an object is empty).
pub fn vars(value: Value) -> Variables {
    match value {
        Value::Object(map) => map,
        _ => Variables::new(),
    }
}

impl ProcessTest {
    /// A fresh engine at 2024-01-01T00:00:00Z.
    pub fn new() -> Self {
        let clock = VirtualClock::default();
        let sink = MemorySink::default();
        let core = EngineCore::with(std::sync::Arc::new(clock.clone()), Box::new(sink.clone()));
        Self { core, clock, sink }
    }

    /// The engine, for any command the helpers do not cover.
    pub fn core(&mut self) -> &mut EngineCore {
        &mut self.core
    }

    /// The virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// Deploys a model (panics with the validation messages if it is refused).
    pub fn deploy(&mut self, definitions: &bpmn::Definitions) -> Deployment {
        match self.core.deploy_model("test.bpmn", definitions) {
            Ok(d) => d,
            Err(e) => panic!("deployment refused: {e}"),
        }
    }

    /// Deploys BPMN XML under a resource name (panics with the messages if it is refused).
    pub fn deploy_xml(&mut self, resource_name: &str, xml: &str) -> Deployment {
        match self.core.deploy_xml(resource_name, xml.as_bytes()) {
            Ok(d) => d,
            Err(e) => panic!("deployment refused: {e}"),
        }
    }

    /// Starts the latest version of a process with variables given as a JSON object.
    pub fn start(&mut self, bpmn_process_id: &str, variables: Value) -> i64 {
        match self.core.create_instance(bpmn_process_id, None, vars(variables)) {
            Ok(created) => created.process_instance_key,
            Err(e) => panic!("could not start '{bpmn_process_id}': {e}"),
        }
    }

    /// Activates up to 32 jobs of a type for worker `test`.
    pub fn activate(&mut self, job_type: &str) -> Vec<ActivatedJob> {
        self.core.activate_jobs(&ActivateJobs::new(job_type).worker("test")).unwrap_or_default()
    }

    /// Activates one job of the type and completes it with the variables; returns the job.
    pub fn complete_job(&mut self, job_type: &str, variables: Value) -> ActivatedJob {
        let Some(job) = self
            .core
            .activate_jobs(&ActivateJobs::new(job_type).worker("test").max_jobs(1))
            .ok()
            .and_then(|j| j.into_iter().next())
        else {
            panic!("expected an activatable job of type '{job_type}', but there is none");
        };
        if let Err(e) = self.core.complete_job(job.key, vars(variables)) {
            panic!("completing job {} failed: {e}", job.key);
        }
        job
    }

    /// Moves the clock forward and fires what fell due.
    pub fn advance(&mut self, duration: Duration) {
        self.clock.advance(duration);
        self.core.tick();
    }

    /// Every record written so far.
    pub fn records(&self) -> Vec<Record> {
        self.sink.records()
    }

    /// `(element id, intent)` of the element records of an instance, in order.
    pub fn element_log(&self, process_instance_key: i64) -> Vec<(String, Intent)> {
        self.records()
            .into_iter()
            .filter(|r| matches!(r.value, RecordValue::Element(_) | RecordValue::SequenceFlow(_)))
            .filter(|r| r.process_instance_key() == Some(process_instance_key))
            .filter_map(|r| r.element_id().map(|id| (id.to_string(), r.intent)))
            .collect()
    }

    /// How often an element of the instance completed.
    pub fn completed_count(&self, process_instance_key: i64, element_id: &str) -> usize {
        self.element_log(process_instance_key)
            .iter()
            .filter(|(id, i)| id == element_id && *i == Intent::ElementCompleted)
            .count()
    }

    /// A variable as seen from the process instance root (while it runs) or, after it ended, the
    /// last value written to the root scope.
    pub fn variable(&self, process_instance_key: i64, name: &str) -> Option<Value> {
        if let Some(value) = self.core.variable(process_instance_key, name) {
            return Some(value);
        }
        self.records().into_iter().rev().find_map(|r| match r.value {
            RecordValue::Variable(v) if v.scope_key == process_instance_key && &*v.name == name => Some(v.value),
            _ => None,
        })
    }

    /// Open incidents of the instance.
    pub fn incidents(&self, process_instance_key: i64) -> Vec<Incident> {
        self.core.incidents().into_iter().filter(|i| i.process_instance_key == process_instance_key).collect()
    }

    /// Resolves an incident (panics if it does not exist).
    pub fn resolve(&mut self, incident_key: i64) {
        if let Err(e) = self.core.resolve_incident(incident_key) {
            panic!("resolving incident {incident_key} failed: {e}");
        }
    }

    /// Asserts that the process instance completed.
    pub fn assert_completed(&self, process_instance_key: i64) {
        let completed = self.records().iter().any(|r| {
            r.key == process_instance_key
                && r.intent == Intent::ElementCompleted
                && matches!(&r.value, RecordValue::Element(_))
        });
        assert!(
            completed,
            "expected process instance {process_instance_key} to be completed; log: {:?}",
            self.element_log(process_instance_key)
        );
    }

    /// Asserts that the process instance was terminated (cancelled).
    pub fn assert_terminated(&self, process_instance_key: i64) {
        let terminated =
            self.records().iter().any(|r| r.key == process_instance_key && r.intent == Intent::ElementTerminated);
        assert!(terminated, "expected process instance {process_instance_key} to be terminated");
    }

    /// Asserts that the process instance is still running.
    pub fn assert_active(&self, process_instance_key: i64) {
        assert!(
            self.core.is_active(process_instance_key),
            "expected process instance {process_instance_key} to be active"
        );
    }

    /// Asserts that an element of the instance completed at least once.
    pub fn assert_element_passed(&self, process_instance_key: i64, element_id: &str) {
        assert!(
            self.completed_count(process_instance_key, element_id) > 0,
            "expected element '{element_id}' to have completed; log: {:?}",
            self.element_log(process_instance_key)
        );
    }

    /// Asserts that an element of the instance never completed.
    pub fn assert_element_not_passed(&self, process_instance_key: i64, element_id: &str) {
        assert_eq!(
            self.completed_count(process_instance_key, element_id),
            0,
            "expected element '{element_id}' not to have completed"
        );
    }

    /// Asserts that an element of the instance is active now; returns its element instance key.
    pub fn assert_element_active(&self, process_instance_key: i64, element_id: &str) -> i64 {
        let found = self.active_elements(process_instance_key).into_iter().find(|(id, _)| id == element_id);
        match found {
            Some((_, key)) => key,
            None => panic!(
                "expected element '{element_id}' to be active; active: {:?}",
                self.active_elements(process_instance_key)
            ),
        }
    }

    /// `(element id, key)` of the live element instances (without the process itself).
    pub fn active_elements(&self, process_instance_key: i64) -> Vec<(String, i64)> {
        self.core
            .element_instances(process_instance_key)
            .into_iter()
            .filter(|e| e.key != process_instance_key)
            .map(|e| (e.element_id.to_string(), e.key))
            .collect()
    }

    /// Asserts an open incident of the given type on the instance; returns it.
    pub fn assert_incident(&self, process_instance_key: i64, error_type: ErrorType) -> Incident {
        match self.incidents(process_instance_key).into_iter().find(|i| i.error_type == error_type) {
            Some(i) => i,
            None => panic!(
                "expected an incident {} on {process_instance_key}; open: {:?}",
                error_type.name(),
                self.incidents(process_instance_key)
            ),
        }
    }

    /// Publishes a message with a TTL.
    pub fn publish(&mut self, name: &str, correlation_key: &str, ttl: Duration, variables: Value) -> Result<i64> {
        self.core.publish_message(
            crate::core::PublishMessage::new(name, correlation_key).time_to_live(ttl).variables(vars(variables)),
        )
    }
}
