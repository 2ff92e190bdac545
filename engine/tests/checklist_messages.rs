//! Checklist §10 items 53–62: messages, signals and timers.

use std::time::Duration;

use engine::EngineError;
use engine::record::Intent;
use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::testing::{ProcessTest, vars};
use serde_json::json;

fn waiting_for_message() -> bpmn::Definitions {
    ProcessBuilder::new("p")
        .start("s")
        .service_task("prepare", "prepare")
        .message_catch("wait", "paid", "=orderId")
        .end("e")
        .build()
}

#[test]
fn item_53_buffered_message_correlates_when_subscription_opens() {
    let mut test = ProcessTest::new();
    test.deploy(&waiting_for_message());
    let pi = test.start("p", json!({"orderId": "o-1"}));
    test.publish("paid", "o-1", Duration::from_secs(60), json!({"amount": 10})).expect("publishes");
    test.complete_job("prepare", json!({}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "amount"), Some(json!(10)));
}

#[test]
fn item_53_expired_message_is_not_correlated() {
    let mut test = ProcessTest::new();
    test.deploy(&waiting_for_message());
    let pi = test.start("p", json!({"orderId": "o-1"}));
    test.publish("paid", "o-1", Duration::from_secs(60), json!({})).expect("publishes");
    test.advance(Duration::from_secs(61));
    test.complete_job("prepare", json!({}));
    test.assert_element_active(pi, "wait");
}

#[test]
fn item_54_message_with_zero_ttl_and_no_subscription_is_discarded() {
    let mut test = ProcessTest::new();
    test.deploy(&waiting_for_message());
    let pi = test.start("p", json!({"orderId": "o-1"}));
    test.publish("paid", "o-1", Duration::ZERO, json!({})).expect("publishes");
    test.complete_job("prepare", json!({}));
    test.assert_element_active(pi, "wait");
}

#[test]
fn item_55_correlation_key_is_fixed_when_the_catch_event_activates() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").start("s").message_catch("wait", "paid", "=orderId").end("e").build());
    let pi = test.start("p", json!({"orderId": "old"}));
    test.core().set_variables(pi, vars(json!({"orderId": "new"})), false).expect("sets");
    test.publish("paid", "new", Duration::ZERO, json!({})).expect("publishes");
    test.assert_element_active(pi, "wait");
    test.publish("paid", "old", Duration::ZERO, json!({})).expect("publishes");
    test.assert_completed(pi);
}

#[test]
fn item_55_correlation_key_of_wrong_type_raises_incident() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").start("s").message_catch("wait", "paid", "=orderId").end("e").build());
    let pi = test.start("p", json!({"orderId": [1]}));
    test.assert_incident(pi, engine::record::ErrorType::ExtractValueError);
}

#[test]
fn item_56_message_correlates_once_per_process_id_but_to_each_process() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("a").start("s").message_catch("wait", "go", "=k").end("e").build());
    test.deploy(&ProcessBuilder::new("b").start("s").message_catch("wait", "go", "=k").end("e").build());
    let a1 = test.start("a", json!({"k": "x"}));
    let a2 = test.start("a", json!({"k": "x"}));
    let b1 = test.start("b", json!({"k": "x"}));
    test.publish("go", "x", Duration::ZERO, json!({})).expect("publishes");
    let a_done = [a1, a2].iter().filter(|&&k| !test.core().is_active(k)).count();
    assert_eq!(a_done, 1, "one instance of process a gets the message");
    test.assert_completed(b1);
}

#[test]
fn item_57_duplicate_message_id_while_buffered_is_already_exists() {
    let mut test = ProcessTest::new();
    let publish = |test: &mut ProcessTest| {
        test.core().publish_message(
            engine::PublishMessage::new("m", "k").message_id("id-1").time_to_live(Duration::from_secs(10)),
        )
    };
    publish(&mut test).expect("first publish");
    assert!(matches!(publish(&mut test), Err(EngineError::AlreadyExists(_))));
    test.advance(Duration::from_secs(11));
    publish(&mut test).expect("after expiry the id is free again");
}

#[test]
fn item_58_message_start_waits_for_active_instance_with_same_key() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").message_start("s", "order", true).service_task("t", "work").end("e").build());
    test.publish("order", "k1", Duration::from_secs(60), json!({"n": 1})).expect("publishes");
    test.publish("order", "k1", Duration::from_secs(60), json!({"n": 2})).expect("publishes");
    let jobs = test.activate("work");
    assert_eq!(jobs.len(), 1, "the second message waits for the first instance");
    assert_eq!(jobs[0].variables.get("n"), Some(&json!(1)));
    test.publish("order", "k2", Duration::ZERO, json!({"n": 3})).expect("another key starts at once");
    assert_eq!(test.activate("work").len(), 1);
    test.core().complete_job(jobs[0].key, vars(json!({}))).expect("completes");
    let next = test.activate("work");
    assert_eq!(next.len(), 1, "the buffered message starts the next instance");
    assert_eq!(next[0].variables.get("n"), Some(&json!(2)));
}

#[test]
fn item_59_new_version_moves_start_subscriptions() {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("p")
            .timer_start("tick", TimerKind::Cycle, "R/PT1H", true)
            .service_task("v1", "v1")
            .end("e")
            .build(),
    );
    test.advance(Duration::from_secs(3600));
    test.complete_job("v1", json!({}));
    test.deploy(
        &ProcessBuilder::new("p")
            .timer_start("tick", TimerKind::Cycle, "R/PT1H", true)
            .service_task("v2", "v2")
            .end("e")
            .build(),
    );
    test.advance(Duration::from_secs(3600));
    assert!(test.activate("v1").is_empty(), "the old version's timer is cancelled");
    assert_eq!(test.activate("v2").len(), 1);

    test.deploy(
        &ProcessBuilder::new("m").message_start("s", "start-m", true).service_task("m1", "m1").end("e").build(),
    );
    test.deploy(
        &ProcessBuilder::new("m").message_start("s", "start-m", true).service_task("m2", "m2").end("e").build(),
    );
    test.publish("start-m", "", Duration::ZERO, json!({})).expect("publishes");
    assert!(test.activate("m1").is_empty());
    assert_eq!(test.activate("m2").len(), 1);
}

#[test]
fn item_60_signal_triggers_all_waiting_catches_and_starts_processes_but_is_not_buffered() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("waiter").start("s").signal_catch("wait", "alarm").end("e").build());
    test.deploy(
        &ProcessBuilder::new("starter").signal_start("s", "alarm", true).service_task("t", "started").end("e").build(),
    );
    let w1 = test.start("waiter", json!({}));
    let w2 = test.start("waiter", json!({}));
    test.core().broadcast_signal("alarm", vars(json!({"level": 3}))).expect("broadcasts");
    test.assert_completed(w1);
    test.assert_completed(w2);
    assert_eq!(test.variable(w1, "level"), Some(json!(3)));
    assert_eq!(test.activate("started").len(), 1, "one new instance of the starter process");
    let late = test.start("waiter", json!({}));
    test.assert_element_active(late, "wait");
}

#[test]
fn item_60_signal_end_event_broadcasts() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("waiter").start("s").signal_catch("wait", "done").end("e").build());
    test.deploy(&ProcessBuilder::new("thrower").start("s").signal_end("shout", "done").build());
    let w = test.start("waiter", json!({}));
    test.start("thrower", json!({}));
    test.assert_completed(w);
}

#[test]
fn item_61_zero_or_negative_duration_fires_immediately_and_timers_never_fire_early() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("zero").start("s").timer_catch("t", TimerKind::Duration, "PT0S").end("e").build());
    test.deploy(
        &ProcessBuilder::new("negative").start("s").timer_catch("t", TimerKind::Duration, "-PT5M").end("e").build(),
    );
    let zero = test.start("zero", json!({}));
    let negative = test.start("negative", json!({}));
    test.assert_completed(zero);
    test.assert_completed(negative);
    test.deploy(
        &ProcessBuilder::new("later").start("s").timer_catch("t", TimerKind::Duration, "PT10S").end("e").build(),
    );
    let later = test.start("later", json!({}));
    test.advance(Duration::from_millis(9_999));
    test.assert_element_active(later, "t");
    test.advance(Duration::from_millis(1));
    test.assert_completed(later);
}

#[test]
fn item_62_timer_date_without_zone_is_utc() {
    let mut test = ProcessTest::new();
    // The virtual clock starts at 2024-01-01T00:00:00Z.
    test.deploy(
        &ProcessBuilder::new("p").start("s").timer_catch("t", TimerKind::Date, "2024-01-01T01:00:00").end("e").build(),
    );
    let pi = test.start("p", json!({}));
    let due = test.records().iter().find_map(|r| match (&r.value, r.intent) {
        (engine::record::RecordValue::Timer(t), Intent::TimerCreated) => Some(t.due_date),
        _ => None,
    });
    assert_eq!(due, Some(1_704_067_200_000 + 3_600_000));
    test.advance(Duration::from_secs(3599));
    test.assert_element_active(pi, "t");
    test.advance(Duration::from_secs(1));
    test.assert_completed(pi);
}

/// Epoch milliseconds of a UTC date at midnight.
fn midnight(date: &str) -> i64 {
    let day = feel::chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a valid date");
    day.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis()
}

/// The due dates of the timers created so far, in order.
fn timer_due_dates(test: &ProcessTest) -> Vec<i64> {
    test.records()
        .iter()
        .filter_map(|r| match (&r.value, r.intent) {
            (engine::record::RecordValue::Timer(t), Intent::TimerCreated) => Some(t.due_date),
            _ => None,
        })
        .collect()
}

#[test]
fn item_62_a_month_is_counted_by_the_calendar_not_as_30_days() {
    let mut test = ProcessTest::new();
    test.clock().set(midnight("2024-01-31"));
    test.deploy(&ProcessBuilder::new("p").start("s").timer_catch("t", TimerKind::Duration, "P1M").end("e").build());
    let pi = test.start("p", json!({}));
    // Clamped to the end of a leap February, 29 days later; 30 days would be 2024-03-01.
    assert_eq!(timer_due_dates(&test), [midnight("2024-02-29")]);
    test.advance(Duration::from_secs(29 * 86_400 - 1));
    test.assert_element_active(pi, "t");
    test.advance(Duration::from_secs(1));
    test.assert_completed(pi);
}

#[test]
fn item_62_a_monthly_cycle_repeats_by_calendar_months() {
    let mut test = ProcessTest::new();
    test.clock().set(midnight("2024-01-31"));
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .end("normal")
        .boundary_timer("remind", "t", false, TimerKind::Cycle, "R3/P1M")
        .end("reminded")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    for month in ["2024-02-29", "2024-03-29", "2024-04-29", "2024-05-29"] {
        test.clock().set(midnight(month));
        test.core().tick();
    }
    // Each firing counts from the previous due date, so the clamp to the 29th carries on.
    assert_eq!(timer_due_dates(&test), [midnight("2024-02-29"), midnight("2024-03-29"), midnight("2024-04-29")]);
    assert_eq!(test.completed_count(pi, "reminded"), 3);
}
