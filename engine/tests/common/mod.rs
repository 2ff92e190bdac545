//! Shared helpers of the replay and durability tests: a busy scenario and a comparable
//! summary of the engine state.

use std::collections::BTreeMap;
use std::time::Duration;

use engine::state::State;
use engine::testing::model::{MultiInstanceSpec, ProcessBuilder, TimerKind};
use engine::testing::vars;
use engine::{ActivateJobs, EngineCore, VirtualClock};
use serde_json::json;

/// The parts of the state that matter, in a comparable form.
pub fn summary(state: &State) -> String {
    let elements: BTreeMap<i64, String> = state
        .elements
        .iter()
        .map(|(k, e)| {
            let info = format!(
                "{}:{:?}:{:?}:children={}:flows={}:job={}:vars={:?}:subs={}:joins={:?}",
                e.element,
                e.element_type,
                e.state,
                e.active_children,
                e.active_flows,
                e.job_key,
                e.variables,
                e.subscriptions().len(),
                e.taken_joins()
            );
            (*k, info)
        })
        .collect();
    let jobs: BTreeMap<i64, String> = state
        .jobs
        .iter()
        .map(|(k, j)| (*k, format!("{:?}:{}:{}", j.state, j.record.retries, j.record.deadline)))
        .collect();
    let incidents: BTreeMap<i64, String> = state.incidents.iter().map(|(k, i)| (*k, i.error_message.clone())).collect();
    let timers: BTreeMap<i64, i64> = state.timers.iter().map(|(k, t)| (*k, t.due_date)).collect();
    let queues: BTreeMap<String, Vec<i64>> =
        state.activatable.iter().map(|(t, q)| (t.to_string(), q.iter().copied().collect())).collect();
    format!(
        "{elements:#?}\n{jobs:#?}\n{incidents:#?}\n{timers:#?}\n{queues:?}\n{:?}",
        state.message_subscriptions.keys().collect::<Vec<_>>()
    )
}

/// Drives `core` through a busy scenario: a fork into a job, a sub-process waiting for a message,
/// and a multi-instance task with a cycle timer; one job completes, one fails without retries,
/// the timer fires and variables are set.
pub fn run_busy_scenario(core: &mut EngineCore, clock: &VirtualClock) {
    let model = ProcessBuilder::new("p")
        .start("s")
        .parallel("fork")
        .service_task("a", "a")
        .parallel("join")
        .end("e")
        .move_to("fork")
        .sub_process("sub", |b| b.start("ss").message_catch("wait", "go", "=id").end("se"))
        .connect("sub", "join")
        .move_to("fork")
        .service_task("each", "each")
        .multi_instance(
            "each",
            MultiInstanceSpec { input_collection: Some("=[1,2,3]"), input_element: Some("n"), ..Default::default() },
        )
        .boundary_timer("late", "each", false, TimerKind::Cycle, "R2/PT1M")
        .end("late_end")
        .build();
    core.deploy_model("p.bpmn", &model).expect("deploys");
    let pi = core.create_instance("p", None, vars(json!({"id": "k"}))).expect("starts").process_instance_key;
    let jobs = core.activate_jobs(&ActivateJobs::new("each")).expect("activates");
    core.complete_job(jobs[0].key, vars(json!({"done": 1}))).expect("completes");
    core.fail_job(jobs[1].key, 0, "broken", Duration::ZERO, vars(json!({}))).expect("fails");
    clock.advance(Duration::from_secs(61));
    core.tick();
    core.set_variables(pi, vars(json!({"extra": [1, 2]})), false).expect("sets");
}
