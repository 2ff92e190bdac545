//! `engine::history`: the fold of an engine's log entries into the life of each instance,
//! element, variable, incident, job, timer and user task, each step with its time and cause.

use std::time::Duration;

use engine::history::{History, Status};
use engine::record::Cause;
use engine::testing::ProcessTest;
use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::{ActivateJobs, Variables};
use serde_json::json;

fn history(test: &mut ProcessTest) -> History {
    match test.core().history() {
        Some(Ok(entries)) => History::fold(entries),
        other => panic!("the test engine keeps log entries, got {other:?}"),
    }
}

fn api(call: &str) -> Cause {
    Cause::Api { call: call.into(), client: None }
}

fn worker(name: &str, call: &str) -> Cause {
    Cause::Worker { name: name.into(), call: call.into() }
}

/// start -> service task `work` -> 1 h timer `wait` -> user task `review` -> end.
fn model() -> bpmn::Definitions {
    ProcessBuilder::new("p")
        .start("s")
        .service_task("work", "t")
        .timer_catch("wait", TimerKind::Duration, "PT1H")
        .camunda_user_task("review")
        .end("e")
        .build()
}

#[test]
fn every_step_of_an_instance_has_its_time_and_cause() {
    let mut test = ProcessTest::new();
    test.deploy(&model());
    let began = test.core().now_millis();
    let instance = test.start("p", json!({"order": 1}));

    let jobs = test.core().activate_jobs(&ActivateJobs::new("t").worker("w1")).unwrap_or_default();
    let job = jobs.first().map(|j| j.key).unwrap_or_else(|| panic!("no job"));
    test.clock().advance(Duration::from_secs(5));
    test.core().fail_job(job, 0, "disk full", Duration::ZERO, Variables::new()).unwrap_or_else(|e| panic!("{e}"));
    let incident = test.incidents(instance)[0].key;
    test.core().update_job_retries(job, 1).unwrap_or_else(|e| panic!("{e}"));
    test.resolve(incident);
    let jobs = test.core().activate_jobs(&ActivateJobs::new("t").worker("w2")).unwrap_or_default();
    assert_eq!(jobs.len(), 1);
    let order = json!({"order": 2}).as_object().cloned().unwrap_or_default();
    test.core().complete_job(job, order).unwrap_or_else(|e| panic!("{e}"));

    let waiting = history(&mut test);
    let due = waiting.timers_due();
    assert_eq!(due.len(), 1, "the timer is pending: {due:?}");
    assert_eq!(due[0].element_id, "wait");
    assert_eq!(due[0].due_millis, began + 5_000 + 3_600_000);
    assert_eq!(waiting.instance(instance).map(|i| i.status), Some(Status::Active));

    test.advance(Duration::from_secs(3600));
    let task = test.core().user_tasks()[0].key;
    test.core().complete_user_task(task, Variables::new()).unwrap_or_else(|e| panic!("{e}"));
    test.assert_completed(instance);

    let history = history(&mut test);
    let summary = history.instance(instance).unwrap_or_else(|| panic!("instance missing"));
    assert_eq!((summary.bpmn_process_id.as_str(), summary.version, summary.status), ("p", 1, Status::Completed));
    assert_eq!(summary.span.started.cause, api("CreateProcessInstance"));
    assert_eq!(summary.span.ended.as_ref().map(|c| c.cause.clone()), Some(api("CompleteUserTask")));
    assert_eq!(summary.span.duration_millis(), Some(5_000 + 3_600_000));

    let elements: Vec<(&str, Status, Option<i64>)> = history
        .elements(instance)
        .iter()
        .map(|e| (e.element_id.as_str(), e.status, e.span.duration_millis()))
        .collect();
    assert_eq!(
        elements,
        [
            ("p", Status::Completed, Some(3_605_000)),
            ("s", Status::Completed, Some(0)),
            ("work", Status::Completed, Some(5_000)),
            ("wait", Status::Completed, Some(3_600_000)),
            ("review", Status::Completed, Some(0)),
            ("e", Status::Completed, Some(0)),
        ]
    );
    let wait = history.elements(instance).into_iter().find(|e| e.element_id == "wait").cloned();
    let wait = wait.unwrap_or_else(|| panic!("no wait element"));
    assert_eq!(wait.span.started.cause, worker("w2", "CompleteJob"));
    assert_eq!(wait.span.ended.map(|c| c.cause), Some(Cause::Timer));

    let order: Vec<(serde_json::Value, bool, Cause)> = history
        .variable_changes(instance)
        .iter()
        .filter(|v| v.name == "order")
        .map(|v| (v.value.clone(), v.created, v.change.cause.clone()))
        .collect();
    assert_eq!(order, [(json!(1), true, api("CreateProcessInstance")), (json!(2), false, worker("w2", "CompleteJob"))]);
    assert_eq!(history.current_variables(instance).iter().map(|v| v.value.clone()).collect::<Vec<_>>(), [json!(2)]);

    let incidents = history.incidents(Some(instance));
    assert_eq!(incidents.len(), 1);
    assert_eq!((incidents[0].error_type, incidents[0].job_key), ("JOB_NO_RETRIES", Some(job)));
    assert_eq!(incidents[0].span.started.cause, worker("w1", "FailJob"));
    assert_eq!(incidents[0].span.ended.as_ref().map(|c| c.cause.clone()), Some(api("ResolveIncident")));

    let jobs = history.jobs(instance);
    let steps: Vec<(&str, &str)> = jobs[0].events.iter().map(|e| (e.intent, e.worker.as_str())).collect();
    assert_eq!(
        steps,
        [
            ("CREATED", ""),
            ("ACTIVATED", "w1"),
            ("FAILED", "w1"),
            ("RETRIES_UPDATED", "w1"),
            ("ACTIVATED", "w2"),
            ("COMPLETED", "w2")
        ]
    );
    assert_eq!(jobs[0].status, Status::Completed);
    assert!(history.timers_due().is_empty());
    let tasks = history.user_tasks(Some(instance));
    assert_eq!((tasks.len(), tasks[0].status), (1, Status::Completed));
}

#[test]
fn a_cancelled_instance_and_its_open_steps_end_terminated_by_the_call() {
    let mut test = ProcessTest::new();
    test.deploy(&model());
    let instance = test.start("p", json!({}));
    test.core().cancel_instance(instance).unwrap_or_else(|e| panic!("{e}"));
    let history = history(&mut test);
    let summary = history.instance(instance).unwrap_or_else(|| panic!("instance missing"));
    assert_eq!(summary.status, Status::Terminated);
    assert_eq!(summary.span.ended.as_ref().map(|c| c.cause.clone()), Some(api("CancelProcessInstance")));
    let work = history.elements(instance).into_iter().find(|e| e.element_id == "work").cloned();
    assert_eq!(work.map(|w| w.status), Some(Status::Terminated));
    assert_eq!(history.jobs(instance)[0].status, Status::Terminated);
}

#[test]
fn the_active_elements_of_the_history_are_the_engines_live_ones() {
    let mut test = ProcessTest::new();
    test.deploy(&model());
    let instance = test.start("p", json!({}));
    test.complete_job("t", json!({}));
    let history = history(&mut test);
    let from_history: Vec<i64> =
        history.elements(instance).iter().filter(|e| e.status == Status::Active).map(|e| e.key).collect();
    let live: Vec<i64> = test.core().element_instances(instance).iter().map(|e| e.key).collect();
    assert_eq!(from_history, live);
    assert_eq!(history.timers(instance).len(), 1);
}

#[test]
fn a_called_instance_names_its_call_activity_and_jobs_keep_their_headers() {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("child")
            .start("s")
            .service_task("work", "t")
            .header("work", "persona", "tester")
            .end("e")
            .build(),
    );
    test.deploy(&ProcessBuilder::new("parent").start("s").call_activity("call", "child").end("e").build());
    let parent = test.start("parent", json!({}));
    let history = history(&mut test);
    let call = history.elements(parent).into_iter().find(|e| e.element_id == "call").map(|e| e.key);
    let child = history.instances().find(|i| i.parent_instance_key == Some(parent));
    let child = child.unwrap_or_else(|| panic!("no called instance"));
    assert_eq!(child.parent_element_instance_key, call);
    assert_eq!(history.instance(parent).map(|i| i.parent_element_instance_key), Some(None));
    let headers = &history.jobs(child.key)[0].custom_headers;
    assert_eq!(headers.get("persona").map(String::as_str), Some("tester"));
}
