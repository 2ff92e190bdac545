//! Checklist §10 items 22–30: variable scopes, propagation and mappings.

use std::time::Duration;

use engine::testing::model::ProcessBuilder;
use engine::testing::{ProcessTest, vars};
use serde_json::json;

#[test]
fn item_22_job_variables_update_nearest_scope_else_root() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .sub_process("sub", |b| b.start("ss").service_task("t", "t").end("se"))
        .input("sub", Some("=1"), "x")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_active(pi, "sub");
    test.complete_job("t", json!({"x": 2, "y": 3}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "y"), Some(json!(3)), "a new variable is created in the root");
    assert_eq!(test.variable(pi, "x"), None, "x went to the sub-process's local x and vanished with it");
}

#[test]
fn item_22_nearest_existing_scope_is_updated_while_it_runs() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .sub_process("sub", |b| b.start("ss").service_task("t", "t").service_task("t2", "t2").end("se"))
        .input("sub", Some("=1"), "x")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"x": 0}));
    let sub = test.assert_element_active(pi, "sub");
    test.complete_job("t", json!({"x": 2}));
    assert_eq!(test.core().variables(sub).and_then(|v| v.get("x").cloned()), Some(json!(2)));
    assert_eq!(test.core().variable(pi, "x"), Some(json!(0)), "the root x is untouched");
}

#[test]
fn item_23_with_output_mapping_only_mapped_variables_leave_the_task() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "t")
        .output("t", "=result * 2", "doubled")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.complete_job("t", json!({"result": 21, "noise": true}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "doubled"), Some(json!(42)));
    assert_eq!(test.variable(pi, "result"), None);
    assert_eq!(test.variable(pi, "noise"), None);
}

#[test]
fn item_24_input_mapping_is_task_local_and_invisible_to_siblings() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .parallel("fork")
        .service_task("a", "a")
        .input("a", Some("=\"secret\""), "local")
        .end("ea")
        .move_to("fork")
        .service_task("b", "b")
        .end("eb")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    let a = test.activate("a").remove(0);
    let b = test.activate("b").remove(0);
    assert_eq!(a.variables.get("local"), Some(&json!("secret")));
    assert_eq!(b.variables.get("local"), None);
    test.core().complete_job(a.key, vars(json!({}))).expect("completes");
    assert_eq!(test.core().variable(pi, "local"), None, "gone after the task completed");
}

#[test]
fn item_25_job_variable_matching_input_local_updates_only_the_local() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "t")
        .input("t", Some("=x"), "x")
        .service_task("next", "next")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"x": 1}));
    test.complete_job("t", json!({"x": 99}));
    assert_eq!(test.core().variable(pi, "x"), Some(json!(1)));
}

#[test]
fn item_26_missing_input_source_maps_null_without_incident() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "t")
        .input("t", Some("=missing"), "copy")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    let job = test.activate("t").remove(0);
    assert_eq!(job.variables.get("copy"), Some(&serde_json::Value::Null));
    assert!(test.incidents(pi).is_empty());
}

#[test]
fn item_27_dotted_output_target_keeps_other_keys() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "t")
        .output("t", "=\"shipped\"", "order.status")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"order": {"id": 7, "status": "new"}}));
    test.complete_job("t", json!({}));
    assert_eq!(test.variable(pi, "order"), Some(json!({"id": 7, "status": "shipped"})));
}

#[test]
fn item_28_sub_process_locals_are_discarded_unless_output_mapped() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .sub_process("sub", |b| b.start("ss").service_task("t", "t").end("se"))
        .input("sub", Some("=0"), "kept")
        .input("sub", Some("=0"), "dropped")
        .output("sub", "=kept", "kept")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.complete_job("t", json!({"kept": 1, "dropped": 2}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "kept"), Some(json!(1)));
    assert_eq!(test.variable(pi, "dropped"), None);
}

#[test]
fn item_29_set_variables_local_or_propagating() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").start("s").service_task("t", "t").end("e").build());
    let pi = test.start("p", json!({"a": 1}));
    let task = test.assert_element_active(pi, "t");
    test.core().set_variables(task, vars(json!({"a": 2, "b": 2})), true).expect("local");
    assert_eq!(test.core().variable(pi, "a"), Some(json!(1)));
    assert_eq!(test.core().variables(task), Some(vars(json!({"a": 2, "b": 2}))));
    test.core().set_variables(task, vars(json!({"c": 3})), false).expect("propagating");
    assert_eq!(test.core().variable(pi, "c"), Some(json!(3)), "unmatched variables land in the root");
    test.core().set_variables(task, vars(json!({"b": 5})), false).expect("propagating");
    assert_eq!(
        test.core().variables(task).and_then(|v| v.get("b").cloned()),
        Some(json!(5)),
        "the nearest holder is updated"
    );
    assert!(matches!(test.core().set_variables(12345, vars(json!({})), true), Err(engine::EngineError::NotFound(_))));
}

#[test]
fn item_30_fail_job_variables_are_local_to_the_task() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").start("s").service_task("t", "t").end("e").build());
    let pi = test.start("p", json!({}));
    let job = test.activate("t").remove(0);
    test.core().fail_job(job.key, 2, "boom", Duration::ZERO, vars(json!({"attempt": 1}))).expect("fails");
    assert_eq!(test.core().variable(pi, "attempt"), None);
    assert_eq!(test.core().variable(job.element_instance_key, "attempt"), Some(json!(1)));
}
