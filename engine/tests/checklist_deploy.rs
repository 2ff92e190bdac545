//! Checklist §10 items 1–8: deployment, versions and process start.

use engine::testing::model::{ProcessBuilder, service_task_process};
use engine::testing::{ProcessTest, vars};
use engine::{EngineError, PublishMessage};
use serde_json::json;

#[test]
fn item_01_file_without_executable_process_is_rejected_and_non_executable_ones_skipped() {
    let mut test = ProcessTest::new();
    let only_non_executable = ProcessBuilder::new("draft").not_executable().start("s").end("e").build();
    match test.core().deploy_model("draft.bpmn", &only_non_executable) {
        Err(EngineError::InvalidArgument(message)) => {
            assert!(message.contains("Must contain at least one executable process"), "{message}")
        }
        other => panic!("expected INVALID_ARGUMENT, got {other:?}"),
    }
    let mut mixed = service_task_process("real", "work");
    mixed.root_elements.extend(ProcessBuilder::new("draft").not_executable().start("s").end("e").build().root_elements);
    let deployment = test.core().deploy_model("mixed.bpmn", &mixed).expect("deploys");
    let ids: Vec<&str> = deployment.processes.iter().map(|p| p.bpmn_process_id.as_str()).collect();
    assert_eq!(ids, ["real"]);
}

#[test]
fn item_02_redeploying_identical_content_returns_same_key_and_version() {
    let mut test = ProcessTest::new();
    let model = service_task_process("p", "work");
    let first = test.core().deploy_model("p.bpmn", &model).expect("deploys");
    let second = test.core().deploy_model("p.bpmn", &model).expect("deploys");
    assert_eq!(first.processes, second.processes);
    assert_eq!(second.processes[0].version, 1);
    assert_eq!(test.core().processes().len(), 1);
}

#[test]
fn item_03_changed_content_is_a_new_version_and_old_content_again_another() {
    let mut test = ProcessTest::new();
    let v1 = service_task_process("p", "work");
    let v2 = service_task_process("p", "other-work");
    let d1 = test.core().deploy_model("p.bpmn", &v1).expect("v1");
    let d2 = test.core().deploy_model("p.bpmn", &v2).expect("v2");
    let d3 = test.core().deploy_model("p.bpmn", &v1).expect("v1 again");
    assert_eq!([d1.processes[0].version, d2.processes[0].version, d3.processes[0].version], [1, 2, 3]);
    assert_ne!(d1.processes[0].process_definition_key, d3.processes[0].process_definition_key);
    let renamed = test.core().deploy_model("renamed.bpmn", &v1).expect("renamed");
    assert_eq!(renamed.processes[0].version, 4, "a new resource name is a new version");
}

#[test]
fn item_04_one_invalid_resource_deploys_nothing() {
    let mut test = ProcessTest::new();
    let good = service_task_process("good", "work");
    let bad = ProcessBuilder::new("bad").start("s").node("cx", complex_gateway()).end("e").build();
    match test.core().deploy_models(&[("good.bpmn", &good), ("bad.bpmn", &bad)]) {
        Err(EngineError::InvalidArgument(message)) => {
            assert!(message.contains("'cx'") && message.contains("complexGateway"), "{message}");
        }
        other => panic!("expected INVALID_ARGUMENT, got {other:?}"),
    }
    assert!(test.core().processes().is_empty());
}

fn complex_gateway() -> bpmn::model::FlowNodeKind {
    bpmn::model::FlowNodeKind::Gateway(bpmn::model::Gateway::new(bpmn::model::GatewayKind::Complex {
        activation_condition: None,
    }))
}

#[test]
fn item_05_latest_version_is_used_and_running_instances_stay() {
    let mut test = ProcessTest::new();
    test.deploy(&service_task_process("p", "v1-work"));
    let old = test.start("p", json!({}));
    test.deploy(&service_task_process("p", "v2-work"));
    let new = test.core().create_instance("p", Some(-1), vars(json!({}))).expect("starts");
    assert_eq!(new.version, 2);
    assert_eq!(test.activate("v1-work").len(), 1, "the old instance keeps running version 1");
    assert_eq!(test.activate("v2-work").len(), 1);
    test.assert_active(old);
}

#[test]
fn item_06_process_with_only_message_start_cannot_be_created() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").message_start("s", "go", true).end("e").build());
    match test.core().create_instance("p", None, vars(json!({}))) {
        Err(EngineError::FailedPrecondition(message)) => assert!(message.contains("none start event"), "{message}"),
        other => panic!("expected FAILED_PRECONDITION, got {other:?}"),
    }
    assert!(test.core().publish_message(PublishMessage::new("go", "")).is_ok());
}

#[test]
fn item_06_unknown_process_is_not_found() {
    let mut test = ProcessTest::new();
    assert!(matches!(test.core().create_instance("nope", None, vars(json!({}))), Err(EngineError::NotFound(_))));
}

#[test]
fn item_07_creation_variables_land_in_root_and_with_result_returns_them() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").start("s").script_task("calc", "=a + 1", "b").end("e").build());
    let (created, result) = test.core().create_instance_with_result("p", vars(json!({"a": 41}))).expect("runs");
    let result = result.expect("completes synchronously");
    assert_eq!(result.get("a"), Some(&json!(41)));
    assert_eq!(result.get("b"), Some(&json!(42)));
    test.assert_completed(created.process_instance_key);
    let running = ProcessBuilder::new("q").start("s").service_task("t", "w").end("e").build();
    test.deploy(&running);
    let pi = test.start("q", json!({"x": 1}));
    assert_eq!(test.core().variables(pi), Some(vars(json!({"x": 1}))));
}

#[tokio::test]
async fn item_07_async_create_with_result_waits_for_completion() {
    use std::time::Duration;
    let mut core = engine::EngineCore::new();
    core.deploy_model("q.bpmn", &service_task_process("q", "w")).expect("deploys");
    let engine = engine::Engine::new(core);
    let worker = engine.clone();
    let waiter = tokio::spawn(async move {
        worker.create_instance_with_result("q", vars(json!({"x": 1})), Duration::from_secs(5)).await
    });
    let jobs = engine.activate_jobs(&engine::ActivateJobs::new("w"), Duration::from_secs(5)).await.expect("activates");
    engine.with(|core| core.complete_job(jobs[0].key, vars(json!({"y": 2})))).expect("completes");
    let (_, result) = waiter.await.expect("joins").expect("completes");
    assert_eq!(result, vars(json!({"x": 1, "y": 2})));
}

#[test]
fn item_08_keys_carry_partition_one_in_the_top_bits() {
    let mut test = ProcessTest::new();
    let deployment = test.deploy(&service_task_process("p", "w"));
    let pi = test.start("p", json!({}));
    let job = test.activate("w").remove(0);
    for key in [deployment.key, deployment.processes[0].process_definition_key, pi, job.key, job.element_instance_key] {
        assert_eq!(key >> 51, 1, "key {key} is not on partition 1");
        assert!(key > 1 << 51);
    }
}
