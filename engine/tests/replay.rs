//! Event sourcing: applying the record log to an empty state rebuilds the engine's state.

mod common;

use std::sync::Arc;

use engine::state::State;
use engine::store::MemorySink;
use engine::{EngineCore, VirtualClock};

#[test]
fn replaying_the_record_log_rebuilds_the_same_state() {
    let clock = VirtualClock::default();
    let sink = MemorySink::default();
    let mut core = EngineCore::with(Arc::new(clock.clone()), Box::new(sink.clone()));
    common::run_busy_scenario(&mut core, &clock);

    let mut replayed = State::default();
    for record in sink.records() {
        replayed.apply(record).expect("the engine's own records fit");
    }
    assert_eq!(common::summary(&replayed), common::summary(core.state()));
    assert!(!core.state().elements.is_empty());
}
