//! Checklist §10 items 9–21: sequence flows, gateways, scopes, links and terminate end events.

use std::time::Duration;

use engine::record::{ErrorType, Intent};
use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::testing::{ProcessTest, vars};
use serde_json::json;

#[test]
fn item_09_two_unconditioned_outgoing_flows_start_two_paths() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .task("split")
        .service_task("a", "a")
        .end("ea")
        .move_to("split")
        .service_task("b", "b")
        .end("eb")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_active(pi, "a");
    test.assert_element_active(pi, "b");
    test.complete_job("a", json!({}));
    test.assert_active(pi);
    test.complete_job("b", json!({}));
    test.assert_completed(pi);
}

fn exclusive_model(first: &str, second: &str, default_condition: Option<&str>) -> bpmn::Definitions {
    let mut builder = ProcessBuilder::new("p")
        .start("s")
        .exclusive("gw")
        .end("first")
        .move_to("gw")
        .end("second")
        .move_to("gw")
        .end("fallback")
        .condition("gw", "first", first)
        .condition("gw", "second", second)
        .default_flow("gw", "fallback");
    if let Some(c) = default_condition {
        builder = builder.condition("gw", "fallback", c);
    }
    builder.build()
}

#[test]
fn item_10_exclusive_gateway_walks_from_the_last_flow_and_takes_the_first_true_one_it_meets() {
    // As on Zeebe (seen on 8.8.21 and 8.6.0 by the differential test): the conditions are
    // evaluated from the last outgoing flow to the first, so the first one here would fail
    // (`assert`) if it were evaluated, and of two true conditions the later one wins.
    let mut test = ProcessTest::new();
    test.deploy(&exclusive_model("=assert(x, x = 0) > 0", "=x > 1", None));
    let pi = test.start("p", json!({"x": 5}));
    test.assert_completed(pi);
    test.assert_element_passed(pi, "second");
    test.assert_element_not_passed(pi, "first");
    assert!(test.incidents(pi).is_empty());

    let mut test = ProcessTest::new();
    test.deploy(&exclusive_model("=x > 1", "=x > 2", None));
    let pi = test.start("p", json!({"x": 5}));
    test.assert_element_passed(pi, "second");
    test.assert_element_not_passed(pi, "first");
}

#[test]
fn item_11_no_true_condition_takes_default_without_evaluating_it() {
    let mut test = ProcessTest::new();
    test.deploy(&exclusive_model("=x > 10", "=x > 20", Some("=assert(x, x = 0) > 0")));
    let pi = test.start("p", json!({"x": 5}));
    test.assert_completed(pi);
    test.assert_element_passed(pi, "fallback");
}

#[test]
fn item_12_no_true_condition_and_no_default_raises_condition_error() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .exclusive("gw")
        .end("a")
        .move_to("gw")
        .end("b")
        .condition("gw", "a", "=x = 1")
        .condition("gw", "b", "=x = 2")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"x": 3}));
    let incident = test.assert_incident(pi, ErrorType::ConditionError);
    assert_eq!(&*incident.element_id, "gw");
    assert!(incident.error_message.contains("at least one condition"), "{}", incident.error_message);
}

#[test]
fn item_13_condition_on_unset_variable_raises_incident_not_false() {
    let mut test = ProcessTest::new();
    test.deploy(&exclusive_model("=x > 1", "=false", None));
    let pi = test.start("p", json!({}));
    let incident = test.assert_incident(pi, ErrorType::ExtractValueError);
    assert!(incident.error_message.contains("'BOOLEAN', but was 'NULL'"), "{}", incident.error_message);
    test.assert_element_not_passed(pi, "fallback");
}

#[test]
fn item_14_fix_variables_and_resolve_makes_gateway_continue() {
    let mut test = ProcessTest::new();
    test.deploy(&exclusive_model("=x > 1", "=false", None));
    let pi = test.start("p", json!({}));
    let incident = test.assert_incident(pi, ErrorType::ExtractValueError);
    test.core().set_variables(pi, vars(json!({"x": 2})), false).expect("sets");
    test.resolve(incident.key);
    test.assert_completed(pi);
    test.assert_element_passed(pi, "first");
}

#[test]
fn item_15_inclusive_gateway_takes_all_true_flows_or_raises_incident() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .inclusive("gw")
        .service_task("a", "a")
        .end("ea")
        .move_to("gw")
        .service_task("b", "b")
        .end("eb")
        .move_to("gw")
        .service_task("c", "c")
        .end("ec")
        .condition("gw", "a", "=x > 0")
        .condition("gw", "b", "=x > 1")
        .condition("gw", "c", "=x > 100")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"x": 5}));
    test.assert_element_active(pi, "a");
    test.assert_element_active(pi, "b");
    assert!(test.activate("c").is_empty());
    let none = test.start("p", json!({"x": -1}));
    test.assert_incident(none, ErrorType::ConditionError);
}

#[test]
fn item_16_parallel_join_keeps_extra_token() {
    let mut test = ProcessTest::new();
    // Two flows from the fork to `a` put two tokens on `a -> join`; one flow to `b`.
    let model = ProcessBuilder::new("p")
        .start("s")
        .parallel("fork")
        .service_task("a", "a")
        .parallel("join")
        .service_task("after", "after")
        .end("e")
        .move_to("fork")
        .service_task("b", "b")
        .connect("b", "join")
        .connect("fork", "a")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.complete_job("a", json!({}));
    test.complete_job("a", json!({}));
    assert_eq!(test.completed_count(pi, "join"), 0, "two tokens on the same flow do not release the join");
    test.complete_job("b", json!({}));
    assert_eq!(test.completed_count(pi, "join"), 1);
    test.complete_job("after", json!({}));
    test.assert_active(pi);
    assert_eq!(test.completed_count(pi, "join"), 1, "the extra token waits for the next join");
}

/// The start of the item-17 models: `s -> fork -> a -> join -> e`, and `b` leaving the fork,
/// built up to `b` (each test says where `b` goes).
fn fork_to_a_and_join_then_b() -> ProcessBuilder {
    ProcessBuilder::new("p")
        .start("s")
        .inclusive("fork")
        .service_task("a", "a")
        .inclusive("join")
        .end("e")
        .move_to("fork")
        .service_task("b", "b")
}

#[test]
fn item_17_inclusive_join_releases_when_no_more_tokens_can_arrive() {
    let mut test = ProcessTest::new();
    let model = fork_to_a_and_join_then_b()
        .connect("b", "join")
        .condition("fork", "a", "=true")
        .condition("fork", "b", "=go_b")
        .build();
    test.deploy(&model);
    let only_a = test.start("p", json!({"go_b": false}));
    test.complete_job("a", json!({}));
    test.assert_completed(only_a);
    let both = test.start("p", json!({"go_b": true}));
    test.complete_job("a", json!({}));
    assert_eq!(test.completed_count(both, "join"), 0, "b can still reach the join");
    test.complete_job("b", json!({}));
    assert_eq!(test.completed_count(both, "join"), 1);
    test.assert_completed(both);
}

#[test]
fn item_17_inclusive_join_fires_when_the_other_path_turns_away() {
    let mut test = ProcessTest::new();
    let model = fork_to_a_and_join_then_b()
        .exclusive("route")
        .connect("route", "join")
        .move_to("route")
        .end("elsewhere")
        .condition("route", "join", "=rejoin")
        .default_flow("route", "elsewhere")
        .condition("fork", "a", "=true")
        .condition("fork", "b", "=true")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"rejoin": false}));
    test.complete_job("a", json!({}));
    assert_eq!(test.completed_count(pi, "join"), 0, "b may still reach the join");
    test.complete_job("b", json!({}));
    test.assert_element_passed(pi, "elsewhere");
    assert_eq!(test.completed_count(pi, "join"), 1, "the join fires once b's path turned away");
    test.assert_completed(pi);
}

#[test]
fn item_18_event_based_gateway_takes_first_event_and_closes_others() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .event_gateway("gw")
        .message_catch("msg", "paid", "=orderId")
        .end("by_message")
        .move_to("gw")
        .timer_catch("timeout", TimerKind::Duration, "PT1H")
        .end("by_timer")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"orderId": "o-1"}));
    test.publish("paid", "o-1", Duration::ZERO, json!({"amount": 3})).expect("publishes");
    test.assert_completed(pi);
    test.assert_element_passed(pi, "by_message");
    assert_eq!(test.variable(pi, "amount"), Some(json!(3)));
    let canceled = test
        .records()
        .iter()
        .filter(|r| r.intent == Intent::TimerCanceled && r.process_instance_key() == Some(pi))
        .count();
    assert_eq!(canceled, 1, "the timer subscription is closed");
    test.advance(Duration::from_secs(7200));
    test.assert_element_not_passed(pi, "by_timer");
}

#[test]
fn item_19_scope_completes_only_when_nothing_inside_is_active() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .sub_process("sub", |b| {
            b.start("ss").parallel("fork").end("quick").move_to("fork").service_task("slow", "slow").end("late")
        })
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_passed(pi, "quick");
    test.assert_element_active(pi, "sub");
    test.complete_job("slow", json!({}));
    test.assert_element_passed(pi, "sub");
    test.assert_completed(pi);
}

#[test]
fn item_20_link_throw_continues_at_matching_link_catch() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .link_throw("go", "A")
        .link_catch("arrive", "A")
        .service_task("t", "t")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_passed(pi, "arrive");
    test.complete_job("t", json!({}));
    test.assert_completed(pi);
}

#[test]
fn item_21_terminate_end_event_completes_process_and_only_its_sub_process() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .parallel("fork")
        .service_task("quick", "quick")
        .terminate_end("stop")
        .move_to("fork")
        .service_task("work", "work")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    test.assert_element_active(pi, "work");
    test.complete_job("quick", json!({}));
    test.assert_completed(pi);
    assert!(test.activate("work").is_empty(), "the parallel task's job is gone");
    let terminated = test.element_log(pi).iter().any(|(id, i)| id == "work" && *i == Intent::ElementTerminated);
    assert!(terminated);

    let nested = ProcessBuilder::new("q")
        .start("s")
        .parallel("fork")
        .sub_process("sub", |b| {
            b.start("ss")
                .parallel("f2")
                .service_task("first", "first")
                .terminate_end("stop")
                .move_to("f2")
                .service_task("inner", "inner")
                .end("ie")
        })
        .end("after_sub")
        .move_to("fork")
        .service_task("outer", "outer")
        .end("e2")
        .build();
    test.deploy(&nested);
    let qi = test.start("q", json!({}));
    test.complete_job("first", json!({}));
    test.assert_element_passed(qi, "after_sub");
    test.assert_element_not_passed(qi, "inner");
    test.assert_element_active(qi, "outer");
    test.assert_active(qi);
}
