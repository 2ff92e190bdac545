//! The async handle: a ticker task fires timers on its own, and results of instances that
//! finish later reach the waiting caller (or its deadline passes).

use std::sync::Arc;
use std::time::Duration;

use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::testing::vars;
use engine::{Engine, EngineCore, EngineError, VirtualClock};
use serde_json::json;

fn timer_engine() -> (Engine, VirtualClock) {
    let clock = VirtualClock::default();
    let mut core = EngineCore::with(Arc::new(clock.clone()), Box::new(engine::store::NullSink));
    let model = ProcessBuilder::new("p").start("s").timer_catch("wait", TimerKind::Duration, "PT1H").end("e").build();
    core.deploy_model("p.bpmn", &model).expect("deploys");
    (Engine::new(core), clock)
}

#[tokio::test]
async fn ticker_fires_timers_without_other_commands() {
    let (engine, clock) = timer_engine();
    let pi = engine.with(|core| core.create_instance("p", None, vars(json!({})))).expect("starts").process_instance_key;
    let ticker = engine.spawn_ticker(Duration::from_millis(5));
    clock.advance(Duration::from_secs(3600));
    for _ in 0..200 {
        if !engine.with(|core| core.is_active(pi)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    ticker.abort();
    assert!(!engine.with(|core| core.is_active(pi)), "the ticker fired the timer and the instance completed");
}

#[tokio::test]
async fn awaiting_a_result_times_out_with_deadline_exceeded() {
    let (engine, _clock) = timer_engine();
    let result = engine.create_instance_with_result("p", vars(json!({})), Duration::from_millis(30)).await;
    assert!(matches!(result, Err(EngineError::DeadlineExceeded(_))), "{result:?}");
}
