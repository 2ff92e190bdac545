//! Request and response types of the public API, named after Zeebe's gateway messages.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

/// A variables document: a JSON object.
pub type Variables = Map<String, Value>;

/// One deployed process version, as `DeployResource` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessMetadata {
    /// `process/@id`.
    pub bpmn_process_id: String,
    /// The version (1, 2, ...).
    pub version: i32,
    /// The process definition key.
    pub process_definition_key: i64,
    /// The resource name it came from.
    pub resource_name: String,
}

/// The result of a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The deployment key.
    pub key: i64,
    /// One entry per executable process, in resource and document order.
    pub processes: Vec<ProcessMetadata>,
}

/// The answer to `CreateProcessInstance`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInstanceCreated {
    /// The new instance's key.
    pub process_instance_key: i64,
    /// The definition it runs.
    pub process_definition_key: i64,
    /// Its BPMN process id.
    pub bpmn_process_id: String,
    /// Its version.
    pub version: i32,
}

/// `ActivateJobs` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivateJobs {
    /// The job type.
    pub job_type: String,
    /// The worker's name, recorded on the job.
    pub worker: String,
    /// At most this many jobs.
    pub max_jobs: usize,
    /// How long the jobs stay locked to this worker.
    pub timeout: Duration,
    /// When given, only these variables are fetched.
    pub fetch_variables: Option<Vec<String>>,
}

impl ActivateJobs {
    /// A request for up to 32 jobs of `job_type`, locked for 5 minutes, worker `default`.
    pub fn new(job_type: impl Into<String>) -> Self {
        Self {
            job_type: job_type.into(),
            worker: "default".into(),
            max_jobs: 32,
            timeout: Duration::from_secs(300),
            fetch_variables: None,
        }
    }

    /// Sets the worker name.
    pub fn worker(mut self, worker: impl Into<String>) -> Self {
        self.worker = worker.into();
        self
    }

    /// Sets the maximum number of jobs.
    pub fn max_jobs(mut self, max_jobs: usize) -> Self {
        self.max_jobs = max_jobs;
        self
    }

    /// Sets the lock timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Restricts the fetched variables.
    pub fn fetch_variables(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.fetch_variables = Some(names.into_iter().map(Into::into).collect());
        self
    }
}

/// An activated job as a worker receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivatedJob {
    /// The job key.
    pub key: i64,
    /// Type, headers, element and process of the job (shared by every job of the element).
    pub template: Arc<crate::record::JobTemplate>,
    /// Remaining retries.
    pub retries: i32,
    /// Deadline (epoch milliseconds).
    pub deadline: i64,
    /// The worker holding it.
    pub worker: Arc<str>,
    /// The element instance of the task.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// The variables visible from the task (or the fetched ones).
    pub variables: Variables,
}

impl ActivatedJob {
    /// The job type.
    pub fn job_type(&self) -> &str {
        &self.template.job_type
    }

    /// The element id of the task.
    pub fn element_id(&self) -> &str {
        &self.template.element_id
    }

    /// The BPMN process id.
    pub fn bpmn_process_id(&self) -> &str {
        &self.template.bpmn_process_id
    }

    /// The process definition key.
    pub fn process_definition_key(&self) -> i64 {
        self.template.process_definition_key
    }

    /// The static custom headers, in model order.
    pub fn custom_headers(&self) -> &[(String, String)] {
        &self.template.custom_headers
    }

    /// The custom headers as a JSON object string, as the gRPC API sends them.
    pub fn custom_headers_json(&self) -> String {
        let map: Map<String, Value> =
            self.custom_headers().iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        Value::Object(map).to_string()
    }

    /// A custom header by key.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.custom_headers().iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// `PublishMessage` parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishMessage {
    /// The message name.
    pub name: String,
    /// The correlation key (may be empty for start events).
    pub correlation_key: String,
    /// How long the message stays buffered (zero: only open subscriptions get it).
    pub time_to_live: Duration,
    /// An id that makes publishing idempotent while the message is buffered.
    pub message_id: Option<String>,
    /// The payload.
    pub variables: Variables,
}

impl PublishMessage {
    /// A message with no TTL, no id and no variables.
    pub fn new(name: impl Into<String>, correlation_key: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            correlation_key: correlation_key.into(),
            time_to_live: Duration::ZERO,
            message_id: None,
            variables: Map::new(),
        }
    }

    /// Sets the time to live.
    pub fn time_to_live(mut self, ttl: Duration) -> Self {
        self.time_to_live = ttl;
        self
    }

    /// Sets the message id.
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Sets the payload.
    pub fn variables(mut self, variables: Variables) -> Self {
        self.variables = variables;
        self
    }
}

/// An open incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The incident key.
    pub key: i64,
    /// Zeebe's error type name, for example `JOB_NO_RETRIES`.
    pub error_type: crate::record::ErrorType,
    /// The message.
    pub error_message: String,
    /// The element id.
    pub element_id: Arc<str>,
    /// The element instance.
    pub element_instance_key: i64,
    /// The process instance.
    pub process_instance_key: i64,
    /// The job, or -1.
    pub job_key: i64,
}

/// A live element instance, for queries.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementInstanceInfo {
    /// Its key.
    pub key: i64,
    /// The element id.
    pub element_id: Arc<str>,
    /// Zeebe's element type.
    pub element_type: crate::model::ElementType,
    /// Its lifecycle state.
    pub state: crate::state::Lifecycle,
    /// Its flow scope instance.
    pub flow_scope_key: i64,
    /// Its process instance.
    pub process_instance_key: i64,
}

/// An open Camunda user task.
#[derive(Debug, Clone, PartialEq)]
pub struct UserTask {
    /// The user task key.
    pub key: i64,
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
