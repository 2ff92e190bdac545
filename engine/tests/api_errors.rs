//! Every rejection of the command API, with the gRPC-style code Zeebe's gateway would use.

use std::time::Duration;

use engine::testing::model::{ProcessBuilder, service_task_process};
use engine::testing::{ProcessTest, vars};
use engine::{EngineError, PublishMessage};
use serde_json::json;

#[test]
fn unknown_keys_are_not_found() {
    let mut test = ProcessTest::new();
    let core = test.core();
    assert!(matches!(core.create_instance_by_key(42, vars(json!({}))), Err(EngineError::NotFound(_))));
    assert!(matches!(core.create_instance("p", Some(7), vars(json!({}))), Err(EngineError::NotFound(_))));
    assert!(matches!(core.complete_job(42, vars(json!({}))), Err(EngineError::NotFound(_))));
    assert!(matches!(core.fail_job(42, 1, "", Duration::ZERO, vars(json!({}))), Err(EngineError::NotFound(_))));
    assert!(matches!(core.throw_error(42, "E", "", vars(json!({}))), Err(EngineError::NotFound(_))));
    assert!(matches!(core.update_job_retries(42, 1), Err(EngineError::NotFound(_))));
    assert!(matches!(core.resolve_incident(42), Err(EngineError::NotFound(_))));
    assert!(matches!(core.claim_user_task(42, "me"), Err(EngineError::NotFound(_))));
    assert!(matches!(core.complete_user_task(42, vars(json!({}))), Err(EngineError::NotFound(_))));
    assert!(matches!(core.cancel_instance(42), Err(EngineError::NotFound(_))));
}

#[test]
fn blank_names_are_invalid_arguments() {
    let mut test = ProcessTest::new();
    assert!(matches!(test.core().publish_message(PublishMessage::new(" ", "k")), Err(EngineError::InvalidArgument(_))));
    assert!(matches!(test.core().broadcast_signal("", vars(json!({}))), Err(EngineError::InvalidArgument(_))));
    test.deploy(&ProcessBuilder::new("p").start("s").camunda_user_task("review").end("e").build());
    test.start("p", json!({}));
    let task = test.core().user_tasks().remove(0);
    assert!(matches!(test.core().claim_user_task(task.key, " "), Err(EngineError::InvalidArgument(_))));
}

#[test]
fn job_state_preconditions_are_failed_precondition() {
    let mut test = ProcessTest::new();
    test.deploy(&service_task_process("p", "work"));
    test.start("p", json!({}));
    let job = test.activate("work").remove(0);
    test.core().fail_job(job.key, 1, "later", Duration::from_secs(60), vars(json!({}))).expect("fails");
    let timeout = test.core().update_job_timeout(job.key, Duration::from_secs(1));
    assert!(matches!(timeout, Err(EngineError::FailedPrecondition(_))), "a job that is not activated has no deadline");
    let thrown = test.core().throw_error(job.key, "E", "", vars(json!({})));
    assert!(matches!(thrown, Err(EngineError::FailedPrecondition(_))), "a job backing off cannot throw");
    assert_eq!(EngineError::FailedPrecondition(String::new()).code(), "FAILED_PRECONDITION");
}
