//! Checklist §10 items 43–52: BPMN errors, escalations, boundary events and event sub-processes.

use std::time::Duration;

use engine::record::{ErrorType, Intent};
use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::testing::{ProcessTest, vars};
use serde_json::json;

fn task_with_error_boundary(code: Option<&str>) -> bpmn::Definitions {
    ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("normal")
        .boundary_error("caught", "t", code)
        .end("handled")
        .build()
}

#[test]
fn item_43_thrown_error_matched_by_boundary_follows_boundary_path() {
    let mut test = ProcessTest::new();
    test.deploy(&task_with_error_boundary(Some("NOT_FOUND")));
    let pi = test.start("p", json!({}));
    let job = test.activate("work").remove(0);
    test.core().throw_error(job.key, "NOT_FOUND", "no such order", vars(json!({"reason": "x"}))).expect("throws");
    test.assert_completed(pi);
    test.assert_element_passed(pi, "handled");
    test.assert_element_not_passed(pi, "normal");
    assert!(test.element_log(pi).contains(&("t".to_string(), Intent::ElementTerminated)));
    assert_eq!(test.variable(pi, "reason"), None, "error variables stay local to the catch event");
}

#[test]
fn item_44_uncaught_error_raises_incident_and_resolve_re_enables_job() {
    let mut test = ProcessTest::new();
    test.deploy(&task_with_error_boundary(Some("OTHER")));
    let pi = test.start("p", json!({}));
    let job = test.activate("work").remove(0);
    test.core().throw_error(job.key, "NOT_FOUND", "no such order", vars(json!({}))).expect("throws");
    let incident = test.assert_incident(pi, ErrorType::UnhandledErrorEvent);
    assert!(incident.error_message.contains("NOT_FOUND"), "{}", incident.error_message);
    assert!(test.activate("work").is_empty());
    test.resolve(incident.key);
    let again = test.activate("work");
    assert_eq!(again.len(), 1);
    test.core().complete_job(again[0].key, vars(json!({}))).expect("completes");
    test.assert_element_passed(pi, "normal");
}

#[test]
fn item_45_error_in_child_process_is_caught_on_call_activity() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("child").start("cs").service_task("ct", "child-work").end("ce").build());
    let parent = ProcessBuilder::new("parent")
        .start("s")
        .call_activity("call", "child")
        .end("done")
        .boundary_error("failed", "call", Some("E1"))
        .end("compensated")
        .build();
    test.deploy(&parent);
    let pi = test.start("parent", json!({}));
    let job = test.activate("child-work").remove(0);
    let child = job.process_instance_key;
    assert_ne!(child, pi);
    test.core().throw_error(job.key, "E1", "", vars(json!({}))).expect("throws");
    test.assert_element_passed(pi, "compensated");
    test.assert_completed(pi);
    test.assert_terminated(child);
}

#[test]
fn item_46_specific_error_catch_beats_catch_all() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("normal")
        .boundary_error("any", "t", None)
        .end("by_any")
        .boundary_error("specific", "t", Some("E1"))
        .end("by_specific")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    let job = test.activate("work").remove(0);
    test.core().throw_error(job.key, "E1", "", vars(json!({}))).expect("throws");
    test.assert_element_passed(pi, "by_specific");
    test.assert_element_not_passed(pi, "by_any");
    let other = test.start("p", json!({}));
    let job = test.activate("work").remove(0);
    test.core().throw_error(job.key, "E2", "", vars(json!({}))).expect("throws");
    test.assert_element_passed(other, "by_any");
}

#[test]
fn item_46_error_end_event_is_caught_by_event_sub_process() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .error_end("fail", "E9")
        .event_sub_process("esp", |b| b.error_start("on_error", Some("E9")).end("esp_end"))
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_passed(pi, "esp_end");
    test.assert_completed(pi);
}

#[test]
fn item_47_escalation_without_catcher_continues_without_incident() {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("p")
            .start("s")
            .escalation_throw("raise", "LATE")
            .service_task("after", "after")
            .end("e")
            .build(),
    );
    let pi = test.start("p", json!({}));
    assert!(test.incidents(pi).is_empty());
    test.assert_element_passed(pi, "raise");
    test.assert_element_active(pi, "after");
}

#[test]
fn item_48_non_interrupting_escalation_lets_both_paths_continue() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .sub_process("sub", |b| {
            b.start("ss").escalation_throw("raise", "LATE").service_task("inner", "inner").end("se")
        })
        .end("e")
        .boundary_escalation("on_late", "sub", false, Some("LATE"))
        .service_task("notify", "notify")
        .end("ne")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_active(pi, "inner");
    test.assert_element_active(pi, "notify");
    test.complete_job("inner", json!({}));
    test.complete_job("notify", json!({}));
    test.assert_completed(pi);
}

#[test]
fn item_48_interrupting_escalation_does_not_take_the_throw_path() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .sub_process("sub", |b| {
            b.start("ss").escalation_throw("raise", "LATE").service_task("inner", "inner").end("se")
        })
        .end("e")
        .boundary_escalation("on_late", "sub", true, Some("LATE"))
        .end("escalated")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_completed(pi);
    test.assert_element_passed(pi, "escalated");
    test.assert_element_not_passed(pi, "inner");
}

#[test]
fn item_49_interrupting_timer_boundary_terminates_task_and_cancels_job() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("normal")
        .boundary_timer("late", "t", true, TimerKind::Duration, "PT10M")
        .end("timed_out")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    let job = test.activate("work").remove(0);
    test.advance(Duration::from_secs(599));
    test.assert_element_active(pi, "t");
    test.advance(Duration::from_secs(1));
    test.assert_element_passed(pi, "timed_out");
    test.assert_completed(pi);
    assert!(test.records().iter().any(|r| r.key == job.key && r.intent == Intent::JobCanceled));
    assert!(test.core().complete_job(job.key, vars(json!({}))).is_err());
}

#[test]
fn item_50_non_interrupting_cycle_boundary_fires_at_most_three_times() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("normal")
        .boundary_timer("remind", "t", false, TimerKind::Cycle, "R3/PT1H")
        .end("reminded")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    for _ in 0..5 {
        test.advance(Duration::from_secs(3600));
    }
    assert_eq!(test.completed_count(pi, "reminded"), 3);
    test.assert_element_active(pi, "t");
}

#[test]
fn item_51_interrupting_event_sub_process_terminates_everything_including_other_esp() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("e")
        .event_sub_process("watch", |b| {
            b.message_start_keyed("note", "note", "=id", false).service_task("log", "log").end("we")
        })
        .event_sub_process("abort", |b| b.message_start_keyed("stop", "stop", "=id", true).end("aborted"))
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"id": "k"}));
    test.publish("note", "k", Duration::ZERO, json!({})).expect("publishes");
    test.assert_element_active(pi, "log");
    test.publish("stop", "k", Duration::ZERO, json!({})).expect("publishes");
    test.assert_element_passed(pi, "aborted");
    test.assert_completed(pi);
    let log = test.element_log(pi);
    assert!(log.contains(&("t".into(), Intent::ElementTerminated)));
    assert!(log.contains(&("log".into(), Intent::ElementTerminated)));
    assert!(log.contains(&("watch".into(), Intent::ElementTerminated)));
}

#[test]
fn item_52_non_interrupting_message_event_sub_process_triggers_repeatedly() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("e")
        .event_sub_process("watch", |b| b.message_start_keyed("note", "note", "=id", false).end("noted"))
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"id": "k"}));
    for n in 0..3 {
        test.publish("note", "k", Duration::ZERO, json!({"n": n})).expect("publishes");
    }
    assert_eq!(test.completed_count(pi, "noted"), 3);
    test.assert_element_active(pi, "t");
    assert_eq!(test.core().variable(pi, "n"), Some(json!(2)));
}
