//! Element kinds and combinations the checklist does not name: message and signal boundary
//! events, receive and send tasks, escalations through call activities, multi-instance
//! sub-processes, timer start events.

use std::time::Duration;

use engine::testing::model::{MultiInstanceSpec, ProcessBuilder, TimerKind};
use engine::testing::{ProcessTest, vars};
use serde_json::json;

#[test]
fn interrupting_message_boundary_cancels_the_task() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("normal")
        .boundary_message("cancelled", "t", true, "cancel", "=orderId")
        .end("stopped")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"orderId": "o-9"}));
    test.publish("cancel", "o-9", Duration::ZERO, json!({"why": "customer"})).expect("publishes");
    test.assert_element_passed(pi, "stopped");
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "why"), Some(json!("customer")));
    assert!(test.activate("work").is_empty());
}

#[test]
fn non_interrupting_signal_boundary_runs_beside_the_task() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("normal")
        .boundary_signal("nudge", "t", false, "hurry")
        .service_task("notify", "notify")
        .end("notified")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.core().broadcast_signal("hurry", vars(json!({}))).expect("broadcasts");
    test.core().broadcast_signal("hurry", vars(json!({}))).expect("broadcasts");
    assert_eq!(test.activate("notify").len(), 2, "the boundary fires on every signal");
    test.assert_element_active(pi, "t");
}

#[test]
fn receive_and_send_tasks() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .send_task("announce", "publish")
        .receive_task("await", "reply", "=id")
        .manual_task("file")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"id": 7}));
    test.complete_job("publish", json!({}));
    test.assert_element_active(pi, "await");
    test.publish("reply", "7", Duration::ZERO, json!({"answer": "yes"})).expect("publishes");
    test.assert_completed(pi);
    test.assert_element_passed(pi, "file");
    assert_eq!(test.variable(pi, "answer"), Some(json!("yes")));
}

#[test]
fn escalation_from_child_process_reaches_call_activity_boundary() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("child").start("cs").escalation_end("raise", "HELP").build());
    let parent = ProcessBuilder::new("parent")
        .start("s")
        .call_activity("call", "child")
        .end("done")
        .boundary_escalation("helped", "call", false, Some("HELP"))
        .end("handled")
        .build();
    test.deploy(&parent);
    let pi = test.start("parent", json!({}));
    test.assert_element_passed(pi, "handled");
    test.assert_element_passed(pi, "done");
    test.assert_completed(pi);
}

#[test]
fn escalation_event_sub_process_non_interrupting() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .escalation_throw("raise", "NOTE")
        .service_task("t", "work")
        .end("e")
        .event_sub_process("esp", |b| b.escalation_start("caught", None, false).end("esp_end"))
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_passed(pi, "esp_end");
    test.assert_element_active(pi, "t");
}

#[test]
fn multi_instance_sub_process_collects_output_from_inner_scopes() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .sub_process("per_item", |b| b.start("ss").script_task("square", "=item * item", "sq").end("se"))
        .multi_instance(
            "per_item",
            MultiInstanceSpec {
                input_collection: Some("=[1, 2, 3]"),
                input_element: Some("item"),
                output_collection: Some("squares"),
                output_element: Some("=sq"),
                ..MultiInstanceSpec::default()
            },
        )
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "squares"), Some(json!([1, 4, 9])));
    assert_eq!(test.variable(pi, "item"), None, "the input element stays local to each instance");
}

#[test]
fn timer_start_event_creates_instances_on_schedule() {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("p")
            .timer_start("every", TimerKind::Cycle, "R2/PT10M", true)
            .service_task("t", "tick")
            .end("e")
            .build(),
    );
    test.advance(Duration::from_secs(600));
    test.advance(Duration::from_secs(600));
    test.advance(Duration::from_secs(600));
    assert_eq!(test.activate("tick").len(), 2, "R2 starts two instances");
}
