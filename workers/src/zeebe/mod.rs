//! [`ZeebeClient`]: the [`JobClient`] for a real Zeebe cluster, spoken over the gateway's gRPC
//! API, plus the deploy and create-instance calls that tests and tools need.
//!
//! The messages are declared in `messages` with prost's derive macros, so the crate builds
//! without a protobuf compiler. The `zeebe-rs` crate was not usable here: it exposes no
//! `ActivateJobs` call of its own (activation only happens inside its own worker loop, which
//! would replace [`WorkerRuntime`](crate::WorkerRuntime)), and its build needs `protoc`.

mod builder;
mod convert;
mod credentials;
mod instances;
mod messages;
#[cfg(feature = "zeebe-oauth")]
mod oauth;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;

use crate::client::{ActivateJobsRequest, ClientError, JobClient};
use crate::job::{Job, Variables};
use crate::outcome::AdHocDecision;
pub use builder::ZeebeClientBuilder;
use convert::{client_error, job, json_object, millis};
pub use credentials::CredentialsProvider;
#[cfg(feature = "zeebe-oauth")]
pub use oauth::{OAuthCredentials, OAuthSettings};

/// A client for a Zeebe gateway: plaintext gRPC, or TLS for an `https://` address (feature
/// `zeebe-tls`), with the `authorization` metadata of a [`CredentialsProvider`] on every call
/// when one is given ([`ZeebeClient::builder`]). Cheap to clone: clones share one HTTP/2
/// connection, which is opened on the first call and re-opened after it breaks.
///
/// Gateway answers map onto [`ClientError`] by their gRPC status code; a gateway that cannot be
/// reached reads as [`ClientError::Unavailable`], so a [`WorkerRuntime`](crate::WorkerRuntime)
/// backs off and retries until the broker is up.
#[derive(Debug, Clone)]
pub struct ZeebeClient {
    channel: Channel,
    credentials: Option<Arc<dyn CredentialsProvider>>,
}

/// A process that a deployment created or found unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedProcess {
    /// The BPMN process id (`<bpmn:process id>`).
    pub bpmn_process_id: String,
    /// The version: 1 for a new process id, one more for each changed redeployment.
    pub version: i32,
    /// The key of this process definition.
    pub process_definition_key: i64,
    /// The name of the resource the process came from.
    pub resource_name: String,
}

/// A process instance that was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedInstance {
    /// The BPMN process id.
    pub bpmn_process_id: String,
    /// The version of the process definition the instance runs.
    pub version: i32,
    /// The key of that process definition.
    pub process_definition_key: i64,
    /// The new instance's key.
    pub process_instance_key: i64,
}

/// A process instance that was created and has completed.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedInstance {
    /// The instance as created.
    pub instance: CreatedInstance,
    /// The instance's variables at completion.
    pub variables: Variables,
}

impl ZeebeClient {
    /// A plaintext client for the gateway at `address`, such as `http://127.0.0.1:26500`, without
    /// credentials. Connecting is deferred to the first call, so this fails only for an address
    /// that is not a URI.
    pub fn new(address: &str) -> Result<Self, ClientError> {
        Self::builder(address).build()
    }

    /// A builder for a client of the gateway at `address` that may add TLS settings and
    /// credentials.
    pub fn builder(address: &str) -> ZeebeClientBuilder {
        ZeebeClientBuilder::new(address)
    }

    /// A request carrying `message`, the credentials' `authorization` metadata and, when
    /// given, a transport deadline.
    async fn request<M>(&self, message: M, deadline: Option<Duration>) -> Result<tonic::Request<M>, ClientError> {
        let mut request = tonic::Request::new(message);
        if let Some(deadline) = deadline {
            request.set_timeout(deadline);
        }
        if let Some(credentials) = &self.credentials {
            let authorization = credentials.authorization().await?;
            let value = MetadataValue::try_from(authorization).map_err(|_| {
                ClientError::InvalidArgument(
                    "the credentials' authorization value cannot be sent as gRPC metadata (it holds characters headers cannot); check the token"
                        .to_owned(),
                )
            })?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }

    /// The client error for a gateway answer; an `UNAUTHENTICATED` one makes the credentials
    /// fetch anew for the next call.
    fn answer_error(&self, status: tonic::Status) -> ClientError {
        if status.code() == tonic::Code::Unauthenticated
            && let Some(credentials) = &self.credentials
        {
            credentials.invalidate();
        }
        client_error(status)
    }

    /// Deploys resources (name and bytes; the name's extension, such as `.bpmn`, tells Zeebe
    /// how to read it) in one deployment and returns the processes it holds. Zeebe deploys all
    /// or nothing: one invalid resource rejects the call with [`ClientError::InvalidArgument`]
    /// naming it.
    pub async fn deploy_resources(
        &self,
        resources: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Result<Vec<DeployedProcess>, ClientError> {
        let request = messages::DeployResourceRequest {
            resources: resources.into_iter().map(|(name, content)| messages::Resource { name, content }).collect(),
        };
        let response: messages::DeployResourceResponse =
            self.unary("/gateway_protocol.Gateway/DeployResource", request, None).await?;
        Ok(response
            .deployments
            .into_iter()
            .filter_map(|deployment| deployment.process)
            .map(|process| DeployedProcess {
                bpmn_process_id: process.bpmn_process_id,
                version: process.version,
                process_definition_key: process.process_definition_key,
                resource_name: process.resource_name,
            })
            .collect())
    }

    /// Starts an instance of the latest version of `bpmn_process_id` with `variables`.
    pub async fn create_process_instance(
        &self,
        bpmn_process_id: &str,
        variables: Variables,
    ) -> Result<CreatedInstance, ClientError> {
        let request = create_request(bpmn_process_id, variables);
        let response: messages::CreateProcessInstanceResponse =
            self.unary("/gateway_protocol.Gateway/CreateProcessInstance", request, None).await?;
        Ok(CreatedInstance {
            bpmn_process_id: response.bpmn_process_id,
            version: response.version,
            process_definition_key: response.process_definition_key,
            process_instance_key: response.process_instance_key,
        })
    }

    /// Starts an instance of the latest version of `bpmn_process_id` and waits up to `timeout`
    /// for it to complete; a slower instance keeps running and the call ends with
    /// [`ClientError::DeadlineExceeded`].
    pub async fn create_process_instance_with_result(
        &self,
        bpmn_process_id: &str,
        variables: Variables,
        timeout: Duration,
    ) -> Result<CompletedInstance, ClientError> {
        let request = messages::CreateProcessInstanceWithResultRequest {
            request: Some(create_request(bpmn_process_id, variables)),
            request_timeout: millis(timeout),
        };
        // The gateway ends the call itself after `timeout`; the transport deadline is a backstop.
        let deadline = timeout.saturating_add(Duration::from_secs(10));
        let response: messages::CreateProcessInstanceWithResultResponse =
            self.unary("/gateway_protocol.Gateway/CreateProcessInstanceWithResult", request, Some(deadline)).await?;
        let variables = json_object(&response.variables).map_err(|problem| {
            ClientError::Rejected(format!(
                "the gateway returned instance {} with unreadable variables: {problem}",
                response.process_instance_key
            ))
        })?;
        Ok(CompletedInstance {
            instance: CreatedInstance {
                bpmn_process_id: response.bpmn_process_id,
                version: response.version,
                process_definition_key: response.process_definition_key,
                process_instance_key: response.process_instance_key,
            },
            variables,
        })
    }

    /// A ready gRPC client on the shared connection.
    async fn grpc(&self) -> Result<tonic::client::Grpc<Channel>, ClientError> {
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        grpc.ready().await.map_err(|error| ClientError::Unavailable(format!("cannot reach the gateway: {error}")))?;
        Ok(grpc)
    }

    /// Calls the unary gateway method at `path` (such as `/gateway_protocol.Gateway/CompleteJob`,
    /// always a literal) with an optional transport deadline.
    async fn unary<Request, Response>(
        &self,
        path: &'static str,
        message: Request,
        deadline: Option<Duration>,
    ) -> Result<Response, ClientError>
    where
        Request: prost::Message + Send + Sync + 'static,
        Response: prost::Message + Default + Send + Sync + 'static,
    {
        let request = self.request(message, deadline).await?;
        let mut grpc = self.grpc().await?;
        let response = grpc.unary(request, PathAndQuery::from_static(path), tonic_prost::ProstCodec::default()).await;
        response.map(tonic::Response::into_inner).map_err(|status| self.answer_error(status))
    }
}

/// The request that starts an instance of the latest version of a process.
fn create_request(bpmn_process_id: &str, variables: Variables) -> messages::CreateProcessInstanceRequest {
    messages::CreateProcessInstanceRequest {
        bpmn_process_id: bpmn_process_id.to_owned(),
        version: -1,
        variables: serde_json::Value::Object(variables).to_string(),
    }
}

#[async_trait]
impl JobClient for ZeebeClient {
    async fn activate_jobs(&self, request: &ActivateJobsRequest) -> Result<Vec<Job>, ClientError> {
        let message = messages::ActivateJobsRequest {
            r#type: request.job_type.clone(),
            worker: request.worker.clone(),
            timeout: millis(request.timeout),
            max_jobs_to_activate: i32::try_from(request.max_jobs).unwrap_or(i32::MAX),
            fetch_variable: request.fetch_variables.clone().unwrap_or_default(),
            // Zeebe reads 0 as "the gateway's default long-polling timeout" and a negative
            // value as "answer at once", which is what a zero here asks for.
            request_timeout: if request.request_timeout.is_zero() { -1 } else { millis(request.request_timeout) },
        };
        let call = self.request(message, Some(request.request_timeout.saturating_add(Duration::from_secs(10)))).await?;
        let mut grpc = self.grpc().await?;
        let codec = tonic_prost::ProstCodec::<messages::ActivateJobsRequest, messages::ActivateJobsResponse>::default();
        let mut stream = grpc
            .server_streaming(call, PathAndQuery::from_static("/gateway_protocol.Gateway/ActivateJobs"), codec)
            .await
            .map_err(|status| self.answer_error(status))?
            .into_inner();
        let mut jobs = Vec::new();
        while let Some(batch) = stream.message().await.map_err(|status| self.answer_error(status))? {
            for activated in batch.jobs {
                jobs.push(job(activated)?);
            }
        }
        Ok(jobs)
    }

    async fn complete_job(&self, job_key: i64, variables: Variables) -> Result<(), ClientError> {
        let request = messages::CompleteJobRequest {
            job_key,
            variables: serde_json::Value::Object(variables).to_string(),
            result: None,
        };
        self.unary::<_, messages::Empty>("/gateway_protocol.Gateway/CompleteJob", request, None).await.map(drop)
    }

    async fn complete_ad_hoc_job(
        &self,
        job_key: i64,
        variables: Variables,
        decision: &AdHocDecision,
    ) -> Result<(), ClientError> {
        let json = |variables: &Variables| serde_json::Value::Object(variables.clone()).to_string();
        let (activate_elements, done) = match decision {
            AdHocDecision::Activate(activations) => (
                activations
                    .iter()
                    .map(|a| messages::JobResultActivateElement {
                        element_id: a.element_id.clone(),
                        variables: json(&a.variables),
                    })
                    .collect(),
                None,
            ),
            AdHocDecision::Done { cancel_remaining } => (Vec::new(), Some(*cancel_remaining)),
        };
        let result = messages::JobResult {
            r#type: Some("adHocSubProcess".into()),
            activate_elements,
            is_completion_condition_fulfilled: Some(done.is_some()),
            is_cancel_remaining_instances: Some(done.unwrap_or(false)),
        };
        let request = messages::CompleteJobRequest { job_key, variables: json(&variables), result: Some(result) };
        self.unary::<_, messages::Empty>("/gateway_protocol.Gateway/CompleteJob", request, None).await.map(drop)
    }

    async fn fail_job(
        &self,
        job_key: i64,
        retries: i32,
        message: &str,
        retry_backoff: Duration,
    ) -> Result<(), ClientError> {
        let request = messages::FailJobRequest {
            job_key,
            retries,
            error_message: message.to_owned(),
            retry_back_off: millis(retry_backoff),
        };
        self.unary::<_, messages::Empty>("/gateway_protocol.Gateway/FailJob", request, None).await.map(drop)
    }

    async fn throw_error(
        &self,
        job_key: i64,
        code: &str,
        message: &str,
        variables: Variables,
    ) -> Result<(), ClientError> {
        let request = messages::ThrowErrorRequest {
            job_key,
            error_code: code.to_owned(),
            error_message: message.to_owned(),
            variables: serde_json::Value::Object(variables).to_string(),
        };
        self.unary::<_, messages::Empty>("/gateway_protocol.Gateway/ThrowError", request, None).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Hands out `Bearer token-N`, N counting the invalidations.
    #[derive(Debug, Default)]
    struct CountingCredentials {
        invalidations: AtomicUsize,
    }

    #[async_trait]
    impl CredentialsProvider for CountingCredentials {
        async fn authorization(&self) -> Result<String, ClientError> {
            Ok(format!("Bearer token-{}", self.invalidations.load(Ordering::SeqCst)))
        }
        fn invalidate(&self) {
            self.invalidations.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn every_request_carries_the_credentials_authorization_and_a_refusal_invalidates_them() {
        let credentials = Arc::new(CountingCredentials::default());
        let client = ZeebeClient::builder("http://127.0.0.1:9").credentials(credentials.clone()).build().unwrap();
        let request = client.request((), Some(Duration::from_secs(1))).await.unwrap();
        assert_eq!(request.metadata().get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer token-0"));

        let error = client.answer_error(tonic::Status::unauthenticated("expired"));
        assert!(matches!(error, ClientError::Rejected(_)), "{error:?}");
        let request = client.request((), None).await.unwrap();
        assert_eq!(request.metadata().get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer token-1"));

        client.answer_error(tonic::Status::unavailable("down"));
        assert_eq!(credentials.invalidations.load(Ordering::SeqCst), 1, "only UNAUTHENTICATED invalidates");
    }

    /// Hands out a value no header can carry.
    #[derive(Debug)]
    struct BrokenCredentials;

    #[async_trait]
    impl CredentialsProvider for BrokenCredentials {
        async fn authorization(&self) -> Result<String, ClientError> {
            Ok("Bearer line\nbreak".into())
        }
        fn invalidate(&self) {}
    }

    #[tokio::test]
    async fn an_authorization_no_header_can_carry_is_an_invalid_argument() {
        let client =
            ZeebeClient::builder("http://127.0.0.1:9").credentials(Arc::new(BrokenCredentials)).build().unwrap();
        let Err(ClientError::InvalidArgument(message)) = client.request((), None).await else {
            panic!("sent a broken header")
        };
        assert!(message.contains("check the token"), "{message}");
    }

    #[tokio::test]
    async fn without_credentials_no_authorization_is_sent() {
        let client = ZeebeClient::new("http://127.0.0.1:9").unwrap();
        let request = client.request((), None).await.unwrap();
        assert!(request.metadata().get("authorization").is_none());
    }

    #[test]
    fn an_address_that_is_not_a_uri_is_an_invalid_argument_naming_it() {
        let Err(ClientError::InvalidArgument(message)) = ZeebeClient::new("not a uri") else {
            panic!("accepted a bad address")
        };
        assert!(message.contains("'not a uri'") && message.contains("http://127.0.0.1:26500"), "{message}");
    }

    #[test]
    fn a_client_made_outside_a_tokio_runtime_is_refused_rather_than_panicking() {
        let Err(ClientError::InvalidArgument(message)) = ZeebeClient::new("http://127.0.0.1:26500") else {
            panic!("made a client without a runtime")
        };
        assert!(message.contains("outside a tokio runtime"), "{message}");
    }

    #[tokio::test]
    async fn a_gateway_that_cannot_be_reached_is_unavailable_so_the_runtime_retries() {
        // Port 9 (discard) on the loopback has no gRPC server on any sane test machine.
        let client = ZeebeClient::new("http://127.0.0.1:9").unwrap();
        let error = client.complete_job(1, Variables::new()).await.unwrap_err();
        assert!(matches!(error, ClientError::Unavailable(_)), "{error:?}");
        assert!(error.is_transient());
        let request = ActivateJobsRequest {
            job_type: "t".into(),
            worker: "w".into(),
            max_jobs: 1,
            timeout: Duration::from_secs(1),
            fetch_variables: None,
            request_timeout: Duration::ZERO,
        };
        let error = client.activate_jobs(&request).await.unwrap_err();
        assert!(matches!(error, ClientError::Unavailable(_)), "{error:?}");
    }
}
