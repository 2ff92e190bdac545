//! The subset of Zeebe's gateway protocol (`gateway_protocol.Gateway`) that [`ZeebeClient`]
//! uses, declared with prost's derive macros so that building needs no protobuf compiler.
//!
//! Field names and tag numbers follow the gateway protocol of Zeebe 8.x; fields this crate does
//! not use are left out (protobuf skips unknown fields when decoding, and absent fields encode
//! as their defaults).
//!
//! [`ZeebeClient`]: super::ZeebeClient

/// `ActivateJobsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct ActivateJobsRequest {
    /// The job type.
    #[prost(string, tag = "1")]
    pub r#type: String,
    /// The worker name.
    #[prost(string, tag = "2")]
    pub worker: String,
    /// The job lock, in milliseconds.
    #[prost(int64, tag = "3")]
    pub timeout: i64,
    /// At most this many jobs.
    #[prost(int32, tag = "4")]
    pub max_jobs_to_activate: i32,
    /// Only these variables (all when empty).
    #[prost(string, repeated, tag = "5")]
    pub fetch_variable: Vec<String>,
    /// Long polling, in milliseconds (0: the gateway's default; negative: no long polling).
    #[prost(int64, tag = "6")]
    pub request_timeout: i64,
}

/// `ActivateJobsResponse`: one message of the activation stream.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct ActivateJobsResponse {
    /// The jobs activated in this batch.
    #[prost(message, repeated, tag = "1")]
    pub jobs: Vec<ActivatedJob>,
}

/// `ActivatedJob`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct ActivatedJob {
    /// The job key.
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// The job type.
    #[prost(string, tag = "2")]
    pub r#type: String,
    /// The process instance key.
    #[prost(int64, tag = "3")]
    pub process_instance_key: i64,
    /// The BPMN process id.
    #[prost(string, tag = "4")]
    pub bpmn_process_id: String,
    /// The process definition key.
    #[prost(int64, tag = "6")]
    pub process_definition_key: i64,
    /// The element id of the task.
    #[prost(string, tag = "7")]
    pub element_id: String,
    /// The element instance key.
    #[prost(int64, tag = "8")]
    pub element_instance_key: i64,
    /// The custom headers, a JSON object of strings.
    #[prost(string, tag = "9")]
    pub custom_headers: String,
    /// The worker the job was activated for.
    #[prost(string, tag = "10")]
    pub worker: String,
    /// The retries left.
    #[prost(int32, tag = "11")]
    pub retries: i32,
    /// The lock deadline, epoch milliseconds.
    #[prost(int64, tag = "12")]
    pub deadline: i64,
    /// The variables, a JSON object.
    #[prost(string, tag = "13")]
    pub variables: String,
}

/// `CompleteJobRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct CompleteJobRequest {
    /// The job key.
    #[prost(int64, tag = "1")]
    pub job_key: i64,
    /// The variables, a JSON object.
    #[prost(string, tag = "2")]
    pub variables: String,
    /// What the worker decided (8.7+; ad-hoc sub-processes and task listeners).
    #[prost(message, optional, tag = "3")]
    pub result: Option<JobResult>,
}

/// `JobResult` (the fields of type `adHocSubProcess`; the task-listener ones stay unset).
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct JobResult {
    /// `userTask` or `adHocSubProcess`.
    #[prost(string, optional, tag = "4")]
    pub r#type: Option<String>,
    /// The inner elements to activate.
    #[prost(message, repeated, tag = "5")]
    pub activate_elements: Vec<JobResultActivateElement>,
    /// True when the ad-hoc sub-process is done.
    #[prost(bool, optional, tag = "6")]
    pub is_completion_condition_fulfilled: Option<bool>,
    /// With the above: terminate what still runs.
    #[prost(bool, optional, tag = "7")]
    pub is_cancel_remaining_instances: Option<bool>,
}

/// `JobResultActivateElement`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct JobResultActivateElement {
    /// The element id.
    #[prost(string, tag = "1")]
    pub element_id: String,
    /// Variables created in the activation's scope, a JSON object.
    #[prost(string, tag = "2")]
    pub variables: String,
}

/// `FailJobRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct FailJobRequest {
    /// The job key.
    #[prost(int64, tag = "1")]
    pub job_key: i64,
    /// The retries left after this failure.
    #[prost(int32, tag = "2")]
    pub retries: i32,
    /// The failure message (the incident's message when no retries are left).
    #[prost(string, tag = "3")]
    pub error_message: String,
    /// The pause before the job can be activated again, in milliseconds.
    #[prost(int64, tag = "4")]
    pub retry_back_off: i64,
}

/// `ThrowErrorRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct ThrowErrorRequest {
    /// The job key.
    #[prost(int64, tag = "1")]
    pub job_key: i64,
    /// The BPMN error code.
    #[prost(string, tag = "2")]
    pub error_code: String,
    /// The error message.
    #[prost(string, tag = "3")]
    pub error_message: String,
    /// The variables, a JSON object.
    #[prost(string, tag = "4")]
    pub variables: String,
}

/// The empty answer of `CompleteJob`, `FailJob` and `ThrowError` (fields ignored).
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Empty {}

/// `DeployResourceRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct DeployResourceRequest {
    /// The resources to deploy together.
    #[prost(message, repeated, tag = "1")]
    pub resources: Vec<Resource>,
}

/// `Resource`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Resource {
    /// The resource name; its extension (`.bpmn`, `.dmn`, `.form`) picks the parser.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The resource's bytes.
    #[prost(bytes = "vec", tag = "2")]
    pub content: Vec<u8>,
}

/// `DeployResourceResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct DeployResourceResponse {
    /// The deployment key.
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// One entry per deployed process, decision or form.
    #[prost(message, repeated, tag = "2")]
    pub deployments: Vec<Deployment>,
}

/// `Deployment`: a oneof whose process arm (tag 1) is the only one read here; entries for
/// decisions and forms decode with `process` absent.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Deployment {
    /// The deployed process, when the entry is one.
    #[prost(message, optional, tag = "1")]
    pub process: Option<ProcessMetadata>,
}

/// `ProcessMetadata`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct ProcessMetadata {
    /// The BPMN process id.
    #[prost(string, tag = "1")]
    pub bpmn_process_id: String,
    /// The version the deployment gave it.
    #[prost(int32, tag = "2")]
    pub version: i32,
    /// The process definition key.
    #[prost(int64, tag = "3")]
    pub process_definition_key: i64,
    /// The resource the process came from.
    #[prost(string, tag = "4")]
    pub resource_name: String,
}

/// `CreateProcessInstanceRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct CreateProcessInstanceRequest {
    /// The BPMN process id.
    #[prost(string, tag = "2")]
    pub bpmn_process_id: String,
    /// The version; -1 is the latest.
    #[prost(int32, tag = "3")]
    pub version: i32,
    /// The start variables, a JSON object.
    #[prost(string, tag = "4")]
    pub variables: String,
}

/// `CreateProcessInstanceResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct CreateProcessInstanceResponse {
    /// The process definition key.
    #[prost(int64, tag = "1")]
    pub process_definition_key: i64,
    /// The BPMN process id.
    #[prost(string, tag = "2")]
    pub bpmn_process_id: String,
    /// The version.
    #[prost(int32, tag = "3")]
    pub version: i32,
    /// The new instance's key.
    #[prost(int64, tag = "4")]
    pub process_instance_key: i64,
}

/// `CreateProcessInstanceWithResultRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct CreateProcessInstanceWithResultRequest {
    /// The instance to create.
    #[prost(message, optional, tag = "1")]
    pub request: Option<CreateProcessInstanceRequest>,
    /// How long to wait for the instance to complete, in milliseconds.
    #[prost(int64, tag = "2")]
    pub request_timeout: i64,
}

/// `CreateProcessInstanceWithResultResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct CreateProcessInstanceWithResultResponse {
    /// The process definition key.
    #[prost(int64, tag = "1")]
    pub process_definition_key: i64,
    /// The BPMN process id.
    #[prost(string, tag = "2")]
    pub bpmn_process_id: String,
    /// The version.
    #[prost(int32, tag = "3")]
    pub version: i32,
    /// The instance's key.
    #[prost(int64, tag = "4")]
    pub process_instance_key: i64,
    /// The variables at completion, a JSON object.
    #[prost(string, tag = "5")]
    pub variables: String,
}
