//! Conversions between the gateway's wire messages and this crate's types.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use tonic::{Code, Status};

use super::messages::ActivatedJob;
use crate::client::ClientError;
use crate::job::{Job, Variables, deadline_from_epoch_millis};

/// Maps a gateway answer onto the client error of the same gRPC status code.
pub(super) fn client_error(status: Status) -> ClientError {
    let message = status.message().to_owned();
    match status.code() {
        Code::Unavailable => ClientError::Unavailable(message),
        Code::ResourceExhausted => ClientError::ResourceExhausted(message),
        Code::DeadlineExceeded => ClientError::DeadlineExceeded(message),
        Code::NotFound => ClientError::NotFound(message),
        Code::FailedPrecondition => ClientError::FailedPrecondition(message),
        Code::InvalidArgument => ClientError::InvalidArgument(message),
        other => ClientError::Rejected(format!("{other:?}: {message}")),
    }
}

/// A duration in whole milliseconds, as the gateway counts time; saturates at `i64::MAX`.
pub(super) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Reads a JSON object the gateway sent as text; an empty text is an empty object.
pub(super) fn json_object(text: &str) -> Result<Variables, String> {
    if text.trim().is_empty() {
        return Ok(Variables::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(format!("expected a JSON object, got {other}")),
        Err(error) => Err(format!("not JSON ({error})")),
    }
}

/// The handler's view of an activated job. Header values are strings in Zeebe; any other value
/// is kept as its JSON text.
pub(super) fn job(activated: ActivatedJob) -> Result<Job, ClientError> {
    let unreadable = |what: &str, problem: String| {
        ClientError::Rejected(format!("the gateway sent job {} with unreadable {what}: {problem}", activated.key))
    };
    let variables = json_object(&activated.variables).map_err(|problem| unreadable("variables", problem))?;
    let custom_headers: BTreeMap<String, String> = json_object(&activated.custom_headers)
        .map_err(|problem| unreadable("custom headers", problem))?
        .into_iter()
        .map(|(name, value)| match value {
            Value::String(text) => (name, text),
            other => (name, other.to_string()),
        })
        .collect();
    Ok(Job {
        job_type: activated.r#type,
        key: activated.key,
        element_id: activated.element_id,
        element_instance_key: activated.element_instance_key,
        bpmn_process_id: activated.bpmn_process_id,
        process_definition_key: activated.process_definition_key,
        process_instance_key: activated.process_instance_key,
        variables,
        custom_headers,
        retries: activated.retries,
        deadline: deadline_from_epoch_millis(activated.deadline),
        worker: activated.worker,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_status_code_the_runtime_distinguishes_keeps_its_variant() {
        let m = || "m".to_owned();
        let cases = [
            (Code::Unavailable, ClientError::Unavailable(m())),
            (Code::ResourceExhausted, ClientError::ResourceExhausted(m())),
            (Code::DeadlineExceeded, ClientError::DeadlineExceeded(m())),
            (Code::NotFound, ClientError::NotFound(m())),
            (Code::FailedPrecondition, ClientError::FailedPrecondition(m())),
            (Code::InvalidArgument, ClientError::InvalidArgument(m())),
            (Code::PermissionDenied, ClientError::Rejected("PermissionDenied: m".into())),
            (Code::Internal, ClientError::Rejected("Internal: m".into())),
        ];
        for (code, expected) in cases {
            assert_eq!(client_error(Status::new(code, "m")), expected);
        }
    }

    fn activated(variables: &str, custom_headers: &str) -> ActivatedJob {
        ActivatedJob {
            key: 7,
            r#type: "shell-command".into(),
            process_instance_key: 3,
            bpmn_process_id: "wf".into(),
            process_definition_key: 2,
            element_id: "task".into(),
            element_instance_key: 5,
            custom_headers: custom_headers.into(),
            worker: "w".into(),
            retries: 3,
            deadline: 1_700_000_000_000,
            variables: variables.into(),
        }
    }

    #[test]
    fn a_job_reads_its_variables_and_headers_from_json() {
        let job = job(activated(r#"{"a":1}"#, r#"{"cmd":"ls","n":2}"#)).unwrap();
        assert_eq!(job.variable("a"), Some(&json!(1)));
        assert_eq!(job.header("cmd"), Some("ls"));
        assert_eq!(job.header("n"), Some("2"));
        assert_eq!(job.deadline.timestamp_millis(), 1_700_000_000_000);
        assert_eq!((job.key, job.element_instance_key, job.process_instance_key), (7, 5, 3));
    }

    #[test]
    fn a_job_with_unreadable_variables_or_headers_is_rejected_naming_the_job() {
        let Err(ClientError::Rejected(message)) = job(activated("[1]", "{}")) else { panic!("not rejected") };
        assert!(message.contains("job 7") && message.contains("variables"), "{message}");
        let Err(ClientError::Rejected(message)) = job(activated("{}", "{oops")) else { panic!("not rejected") };
        assert!(message.contains("custom headers") && message.contains("not JSON"), "{message}");
    }

    #[test]
    fn empty_json_text_is_an_empty_object_and_durations_saturate() {
        assert_eq!(json_object(""), Ok(Variables::new()));
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), i64::MAX);
    }
}
