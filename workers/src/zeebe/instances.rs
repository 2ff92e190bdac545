//! The gateway calls that steer running process instances from outside a job: publish a
//! message, broadcast a signal, set variables, resolve an incident, give a job retries, cancel
//! an instance. Tests that run the same scenario on the embedded engine and on Zeebe (the
//! differential test) drive both through these.
//!
//! The wire messages are declared here, like those in `messages`, with prost's derive macros.

use std::time::Duration;

use super::ZeebeClient;
use super::convert::millis;
use super::messages::Empty;
use crate::client::ClientError;
use crate::job::Variables;

/// `PublishMessageRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct PublishMessageRequest {
    /// The message name.
    #[prost(string, tag = "1")]
    name: String,
    /// The correlation key.
    #[prost(string, tag = "2")]
    correlation_key: String,
    /// How long the message stays buffered, in milliseconds.
    #[prost(int64, tag = "3")]
    time_to_live: i64,
    /// The message id for de-duplication (none when empty).
    #[prost(string, tag = "4")]
    message_id: String,
    /// The payload, a JSON object.
    #[prost(string, tag = "5")]
    variables: String,
}

/// `BroadcastSignalRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct BroadcastSignalRequest {
    /// The signal name.
    #[prost(string, tag = "1")]
    signal_name: String,
    /// The payload, a JSON object.
    #[prost(string, tag = "2")]
    variables: String,
}

/// `SetVariablesRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct SetVariablesRequest {
    /// The scope: an element instance or process instance key.
    #[prost(int64, tag = "1")]
    element_instance_key: i64,
    /// The variables, a JSON object.
    #[prost(string, tag = "2")]
    variables: String,
    /// Write only this scope instead of propagating to where the names exist.
    #[prost(bool, tag = "3")]
    local: bool,
}

/// `ResolveIncidentRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct ResolveIncidentRequest {
    /// The incident.
    #[prost(int64, tag = "1")]
    incident_key: i64,
}

/// `UpdateJobRetriesRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct UpdateJobRetriesRequest {
    /// The job.
    #[prost(int64, tag = "1")]
    job_key: i64,
    /// The new retries.
    #[prost(int32, tag = "2")]
    retries: i32,
}

/// `CancelProcessInstanceRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct CancelProcessInstanceRequest {
    /// The process instance.
    #[prost(int64, tag = "1")]
    process_instance_key: i64,
}

/// The `key` field that several responses start with (`PublishMessageResponse`,
/// `BroadcastSignalResponse`, `SetVariablesResponse`).
#[derive(Clone, PartialEq, prost::Message)]
struct KeyResponse {
    /// The key of the message, signal or variable document.
    #[prost(int64, tag = "1")]
    key: i64,
}

impl ZeebeClient {
    /// Publishes a message; it stays buffered for `time_to_live` when no subscription takes it.
    /// A non-empty `message_id` de-duplicates: a second publish with the same name,
    /// correlation key and id while the first is buffered gets [`ClientError::Rejected`]
    /// (`ALREADY_EXISTS`). Returns the message key.
    pub async fn publish_message(
        &self,
        name: &str,
        correlation_key: &str,
        time_to_live: Duration,
        message_id: &str,
        variables: Variables,
    ) -> Result<i64, ClientError> {
        let request = PublishMessageRequest {
            name: name.to_owned(),
            correlation_key: correlation_key.to_owned(),
            time_to_live: millis(time_to_live),
            message_id: message_id.to_owned(),
            variables: serde_json::Value::Object(variables).to_string(),
        };
        let response: KeyResponse = self.unary("/gateway_protocol.Gateway/PublishMessage", request, None).await?;
        Ok(response.key)
    }

    /// Broadcasts a signal to every waiting signal catch event and signal start event. Returns
    /// the signal key.
    pub async fn broadcast_signal(&self, name: &str, variables: Variables) -> Result<i64, ClientError> {
        let request = BroadcastSignalRequest {
            signal_name: name.to_owned(),
            variables: serde_json::Value::Object(variables).to_string(),
        };
        let response: KeyResponse = self.unary("/gateway_protocol.Gateway/BroadcastSignal", request, None).await?;
        Ok(response.key)
    }

    /// Sets variables on an element instance (or process instance): only there when `local`,
    /// else where each name already exists up the scope chain. Returns the command's key.
    pub async fn set_variables(
        &self,
        element_instance_key: i64,
        variables: Variables,
        local: bool,
    ) -> Result<i64, ClientError> {
        let request = SetVariablesRequest {
            element_instance_key,
            variables: serde_json::Value::Object(variables).to_string(),
            local,
        };
        let response: KeyResponse = self.unary("/gateway_protocol.Gateway/SetVariables", request, None).await?;
        Ok(response.key)
    }

    /// Resolves an incident: the element retries what failed (a job incident also needs
    /// retries, see [`update_job_retries`](Self::update_job_retries)).
    pub async fn resolve_incident(&self, incident_key: i64) -> Result<(), ClientError> {
        let request = ResolveIncidentRequest { incident_key };
        self.unary::<_, Empty>("/gateway_protocol.Gateway/ResolveIncident", request, None).await.map(drop)
    }

    /// Sets a job's retries.
    pub async fn update_job_retries(&self, job_key: i64, retries: i32) -> Result<(), ClientError> {
        let request = UpdateJobRetriesRequest { job_key, retries };
        self.unary::<_, Empty>("/gateway_protocol.Gateway/UpdateJobRetries", request, None).await.map(drop)
    }

    /// Cancels a process instance and the instances it called. An instance that has completed,
    /// was cancelled, or never existed is [`ClientError::NotFound`], which also makes this the
    /// gateway's way to ask whether an instance is still active.
    pub async fn cancel_process_instance(&self, process_instance_key: i64) -> Result<(), ClientError> {
        let request = CancelProcessInstanceRequest { process_instance_key };
        self.unary::<_, Empty>("/gateway_protocol.Gateway/CancelProcessInstance", request, None).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every call reads an unreachable gateway as transport trouble, which callers retry.
    #[tokio::test]
    async fn each_call_reports_an_unreachable_gateway_as_unavailable() {
        let client = ZeebeClient::new("http://127.0.0.1:9").unwrap();
        let none = Variables::new;
        let results = [
            client.publish_message("m", "k", Duration::ZERO, "", none()).await.map(drop),
            client.broadcast_signal("s", none()).await.map(drop),
            client.set_variables(1, none(), true).await.map(drop),
            client.resolve_incident(1).await,
            client.update_job_retries(1, 3).await,
            client.cancel_process_instance(1).await,
        ];
        for result in results {
            assert!(matches!(result, Err(ClientError::Unavailable(_))), "{result:?}");
        }
    }
}
