//! Checklist §10 items 31–42: jobs and workers.

use std::time::Duration;

use engine::record::ErrorType;
use engine::testing::model::{ProcessBuilder, service_task_process};
use engine::testing::{ProcessTest, vars};
use engine::{ActivateJobs, EngineError};
use serde_json::json;

fn single_task(test: &mut ProcessTest) -> i64 {
    test.deploy(&service_task_process("p", "work"));
    test.start("p", json!({"a": 1, "b": 2}))
}

#[test]
fn item_31_service_task_creates_one_job_with_type_default_retries_and_headers() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "charge")
        .header("t", "region", "eu")
        .header("t", "tier", "gold")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    let jobs = test.activate("charge");
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.job_type(), "charge");
    assert_eq!(job.retries, 3);
    assert_eq!(job.process_instance_key, pi);
    assert_eq!(job.element_id(), "t");
    let headers: serde_json::Value = serde_json::from_str(&job.custom_headers_json()).expect("headers are JSON");
    assert_eq!(headers, json!({"region": "eu", "tier": "gold"}));
}

#[test]
fn item_32_an_activated_job_is_not_handed_out_again_before_its_deadline() {
    let mut test = ProcessTest::new();
    single_task(&mut test);
    let first = test.core().activate_jobs(&ActivateJobs::new("work").worker("w1")).expect("activates");
    let second = test.core().activate_jobs(&ActivateJobs::new("work").worker("w2")).expect("activates");
    assert_eq!(first.len(), 1);
    assert!(second.is_empty());
    assert_eq!(&*first[0].worker, "w1");
}

#[test]
fn item_33_timed_out_job_is_activatable_again_with_same_retries() {
    let mut test = ProcessTest::new();
    single_task(&mut test);
    let first = test
        .core()
        .activate_jobs(&ActivateJobs::new("work").worker("w1").timeout(Duration::from_secs(10)))
        .expect("activates");
    test.advance(Duration::from_secs(11));
    let again = test.core().activate_jobs(&ActivateJobs::new("work").worker("w2")).expect("activates");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].key, first[0].key);
    assert_eq!(again[0].retries, first[0].retries);
    assert_eq!(&*again[0].worker, "w2");
}

#[test]
fn item_34_late_completion_succeeds_once_then_not_found() {
    let mut test = ProcessTest::new();
    let pi = single_task(&mut test);
    let job = test
        .core()
        .activate_jobs(&ActivateJobs::new("work").timeout(Duration::from_secs(1)))
        .expect("activates")
        .remove(0);
    test.advance(Duration::from_secs(5));
    test.core().complete_job(job.key, vars(json!({}))).expect("late completion still succeeds");
    test.assert_completed(pi);
    assert!(matches!(test.core().complete_job(job.key, vars(json!({}))), Err(EngineError::NotFound(_))));
}

#[test]
fn item_35_fail_with_retries_makes_job_activatable_after_back_off() {
    let mut test = ProcessTest::new();
    single_task(&mut test);
    let job = test.activate("work").remove(0);
    test.core().fail_job(job.key, 2, "flaky", Duration::from_secs(30), vars(json!({}))).expect("fails");
    assert!(test.activate("work").is_empty(), "not before the back-off");
    test.advance(Duration::from_secs(30));
    let again = test.activate("work");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].retries, 2);
    test.core().fail_job(again[0].key, 1, "flaky", Duration::ZERO, vars(json!({}))).expect("fails");
    assert_eq!(test.activate("work").len(), 1, "no back-off: activatable at once");
}

#[test]
fn item_36_fail_with_no_retries_raises_incident_with_message() {
    let mut test = ProcessTest::new();
    let pi = single_task(&mut test);
    let job = test.activate("work").remove(0);
    test.core().fail_job(job.key, 0, "database down", Duration::ZERO, vars(json!({}))).expect("fails");
    let incident = test.assert_incident(pi, ErrorType::JobNoRetries);
    assert_eq!(incident.error_message, "database down");
    assert_eq!(incident.job_key, job.key);
    assert!(test.activate("work").is_empty());
}

#[test]
fn item_37_update_retries_and_resolve_make_job_activatable() {
    let mut test = ProcessTest::new();
    let pi = single_task(&mut test);
    let job = test.activate("work").remove(0);
    test.core().fail_job(job.key, 0, "down", Duration::ZERO, vars(json!({}))).expect("fails");
    let incident = test.assert_incident(pi, ErrorType::JobNoRetries);
    test.core().update_job_retries(job.key, 2).expect("updates");
    assert!(test.activate("work").is_empty(), "still in incident until resolved");
    test.resolve(incident.key);
    let again = test.activate("work");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].retries, 2);
    assert!(matches!(test.core().update_job_retries(job.key, 0), Err(EngineError::InvalidArgument(_))));
    assert!(matches!(test.core().resolve_incident(incident.key), Err(EngineError::NotFound(_))));
}

#[test]
fn item_38_complete_or_fail_in_incident_is_failed_precondition() {
    let mut test = ProcessTest::new();
    single_task(&mut test);
    let job = test.activate("work").remove(0);
    test.core().fail_job(job.key, 0, "down", Duration::ZERO, vars(json!({}))).expect("fails");
    assert!(matches!(test.core().complete_job(job.key, vars(json!({}))), Err(EngineError::FailedPrecondition(_))));
    assert!(matches!(
        test.core().fail_job(job.key, 1, "", Duration::ZERO, vars(json!({}))),
        Err(EngineError::FailedPrecondition(_))
    ));
}

#[test]
fn item_39_cancel_removes_jobs() {
    let mut test = ProcessTest::new();
    let pi = single_task(&mut test);
    let job = test.activate("work").remove(0);
    test.core().cancel_instance(pi).expect("cancels");
    test.assert_terminated(pi);
    assert!(matches!(test.core().complete_job(job.key, vars(json!({}))), Err(EngineError::NotFound(_))));
    assert!(matches!(test.core().cancel_instance(pi), Err(EngineError::NotFound(_))));
}

#[tokio::test]
async fn item_40_long_polling_waits_then_returns_empty_or_new_job() {
    let mut core = engine::EngineCore::new();
    core.deploy_model("p.bpmn", &service_task_process("p", "work")).expect("deploys");
    let engine = engine::Engine::new(core);
    let started = tokio::time::Instant::now();
    let none = engine.activate_jobs(&ActivateJobs::new("work"), Duration::from_millis(100)).await.expect("polls");
    assert!(none.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(100));
    let creator = engine.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        creator.with(|core| core.create_instance("p", None, vars(json!({})))).expect("starts");
    });
    let started = tokio::time::Instant::now();
    let jobs = engine.activate_jobs(&ActivateJobs::new("work"), Duration::from_secs(10)).await.expect("polls");
    assert_eq!(jobs.len(), 1);
    assert!(started.elapsed() < Duration::from_secs(5), "returned as soon as the job appeared");
}

#[test]
fn item_40_invalid_activation_requests_are_invalid_argument() {
    let mut test = ProcessTest::new();
    for request in [
        ActivateJobs::new(" "),
        ActivateJobs::new("w").worker(""),
        ActivateJobs::new("w").max_jobs(0),
        ActivateJobs::new("w").timeout(Duration::ZERO),
    ] {
        assert!(matches!(test.core().activate_jobs(&request), Err(EngineError::InvalidArgument(_))), "{request:?}");
    }
}

#[test]
fn item_41_fetch_variables_restricts_job_variables() {
    let mut test = ProcessTest::new();
    single_task(&mut test);
    let job = test
        .core()
        .activate_jobs(&ActivateJobs::new("work").fetch_variables(["a", "missing"]))
        .expect("activates")
        .remove(0);
    assert_eq!(job.variables, vars(json!({"a": 1})));
}

#[test]
fn item_42_update_job_timeout_moves_the_deadline() {
    let mut test = ProcessTest::new();
    single_task(&mut test);
    let job = test
        .core()
        .activate_jobs(&ActivateJobs::new("work").timeout(Duration::from_secs(10)))
        .expect("activates")
        .remove(0);
    test.core().update_job_timeout(job.key, Duration::from_secs(60)).expect("updates");
    test.advance(Duration::from_secs(30));
    assert!(test.activate("work").is_empty(), "the extended deadline has not passed");
    test.advance(Duration::from_secs(31));
    assert_eq!(test.activate("work").len(), 1);
    assert!(matches!(test.core().update_job_timeout(999, Duration::from_secs(1)), Err(EngineError::NotFound(_))));
}
