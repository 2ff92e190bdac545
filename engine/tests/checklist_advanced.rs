//! Checklist §10 items 63–75: call activities, multi-instance, user tasks, incidents and FEEL.

use engine::record::{ErrorType, Intent};
use engine::state::Lifecycle;
use engine::testing::model::{MultiInstanceSpec, ProcessBuilder};
use engine::testing::{ProcessTest, vars};
use serde_json::json;

fn child_process() -> bpmn::Definitions {
    ProcessBuilder::new("child").start("cs").service_task("ct", "child-work").end("ce").build()
}

#[test]
fn item_63_call_activity_starts_latest_child_version_or_raises_incident() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("child").start("cs").service_task("ct", "old-work").end("ce").build());
    test.deploy(&child_process());
    test.deploy(&ProcessBuilder::new("parent").start("s").call_activity("call", "child").end("e").build());
    let pi = test.start("parent", json!({}));
    let job = test.activate("child-work");
    assert_eq!(job.len(), 1, "version 2 of the child runs");
    assert!(test.activate("old-work").is_empty());
    test.core().complete_job(job[0].key, vars(json!({}))).expect("completes");
    test.assert_completed(pi);

    test.deploy(&ProcessBuilder::new("orphan").start("s").call_activity("call", "missing").end("e").build());
    let orphan = test.start("orphan", json!({}));
    let incident = test.assert_incident(orphan, ErrorType::CalledElementError);
    assert!(incident.error_message.contains("'missing'"), "{}", incident.error_message);
}

#[test]
fn item_64_child_variables_return_by_default_and_not_when_disabled() {
    let mut test = ProcessTest::new();
    test.deploy(&child_process());
    test.deploy(&ProcessBuilder::new("parent").start("s").call_activity("call", "child").end("e").build());
    let pi = test.start("parent", json!({}));
    test.complete_job("child-work", json!({"fromChild": 1}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "fromChild"), Some(json!(1)));

    test.deploy(
        &ProcessBuilder::new("quiet")
            .start("s")
            .call_activity("call", "child")
            .propagation("call", Some(false), None)
            .end("e")
            .build(),
    );
    let quiet = test.start("quiet", json!({}));
    test.complete_job("child-work", json!({"fromChild": 1}));
    test.assert_completed(quiet);
    assert_eq!(test.variable(quiet, "fromChild"), None);
}

#[test]
fn item_65_without_parent_propagation_only_input_mappings_reach_the_child() {
    let mut test = ProcessTest::new();
    test.deploy(&child_process());
    let parent = ProcessBuilder::new("parent")
        .start("s")
        .call_activity("call", "child")
        .propagation("call", None, Some(false))
        .input("call", Some("=secret + 1"), "given")
        .end("e")
        .build();
    test.deploy(&parent);
    test.start("parent", json!({"secret": 41, "other": true}));
    let job = test.activate("child-work").remove(0);
    assert_eq!(job.variables, vars(json!({"given": 42})));
}

/// Found by the differential test against Zeebe 8.8: the child's variables are merged from the
/// call activity's flow scope, so one named like an input-mapped local of the call activity
/// reaches the parent instead of updating that local (which ends with the call activity).
#[test]
fn item_64_child_variables_pass_over_the_call_activitys_input_mapped_locals() {
    let mut test = ProcessTest::new();
    test.deploy(&child_process());
    let parent = ProcessBuilder::new("parent")
        .start("s")
        .call_activity("call", "child")
        .input("call", Some("=1"), "given")
        .end("e")
        .build();
    test.deploy(&parent);
    let pi = test.start("parent", json!({}));
    test.complete_job("child-work", json!({"given": 2, "fromChild": 3}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "given"), Some(json!(2)));
    assert_eq!(test.variable(pi, "fromChild"), Some(json!(3)));
}

#[test]
fn item_66_cancelling_the_parent_cancels_the_child() {
    let mut test = ProcessTest::new();
    test.deploy(&child_process());
    test.deploy(&ProcessBuilder::new("parent").start("s").call_activity("call", "child").end("e").build());
    let pi = test.start("parent", json!({}));
    let job = test.activate("child-work").remove(0);
    assert!(matches!(
        test.core().cancel_instance(job.process_instance_key),
        Err(engine::EngineError::FailedPrecondition(_))
    ));
    test.core().cancel_instance(pi).expect("cancels");
    test.assert_terminated(pi);
    test.assert_terminated(job.process_instance_key);
    assert!(!test.core().is_active(job.process_instance_key));
}

fn multi_instance(sequential: bool, completion: Option<&str>) -> bpmn::Definitions {
    ProcessBuilder::new("p")
        .start("s")
        .service_task("each", "each")
        .multi_instance(
            "each",
            MultiInstanceSpec {
                sequential,
                input_collection: Some("=items"),
                input_element: Some("item"),
                output_collection: Some("results"),
                output_element: Some("=result"),
                completion_condition: completion,
            },
        )
        .end("e")
        .build()
}

#[test]
fn item_67_parallel_multi_instance_creates_instances_with_loop_counter_and_item() {
    let mut test = ProcessTest::new();
    test.deploy(&multi_instance(false, None));
    test.start("p", json!({"items": ["a", "b", "c"]}));
    let mut jobs = test.activate("each");
    assert_eq!(jobs.len(), 3);
    jobs.sort_by_key(|j| j.variables.get("loopCounter").and_then(serde_json::Value::as_i64));
    for (i, job) in jobs.iter().enumerate() {
        assert_eq!(job.variables.get("loopCounter"), Some(&json!(i + 1)));
        assert_eq!(job.variables.get("item"), Some(&json!(["a", "b", "c"][i])));
    }
}

#[test]
fn item_68_output_collection_keeps_input_order_and_is_propagated() {
    let mut test = ProcessTest::new();
    test.deploy(&multi_instance(false, None));
    let pi = test.start("p", json!({"items": ["a", "b", "c"]}));
    let mut jobs = test.activate("each");
    jobs.reverse();
    for job in &jobs {
        let item = job.variables.get("item").and_then(|v| v.as_str()).unwrap_or_default().to_uppercase();
        test.core().complete_job(job.key, vars(json!({"result": item}))).expect("completes");
    }
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "results"), Some(json!(["A", "B", "C"])));
}

#[test]
fn item_68_sequential_multi_instance_runs_one_after_another() {
    let mut test = ProcessTest::new();
    test.deploy(&multi_instance(true, None));
    let pi = test.start("p", json!({"items": [1, 2]}));
    let first = test.activate("each");
    assert_eq!(first.len(), 1);
    test.core().complete_job(first[0].key, vars(json!({"result": 10}))).expect("completes");
    let second = test.activate("each");
    assert_eq!(second[0].variables.get("item"), Some(&json!(2)));
    test.core().complete_job(second[0].key, vars(json!({"result": 20}))).expect("completes");
    assert_eq!(test.variable(pi, "results"), Some(json!([10, 20])));
}

#[test]
fn item_69_empty_input_collection_completes_with_empty_output() {
    let mut test = ProcessTest::new();
    test.deploy(&multi_instance(false, None));
    let pi = test.start("p", json!({"items": []}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "results"), Some(json!([])));
}

#[test]
fn item_69_non_list_input_collection_raises_incident() {
    let mut test = ProcessTest::new();
    test.deploy(&multi_instance(false, None));
    let pi = test.start("p", json!({"items": 5}));
    let incident = test.assert_incident(pi, ErrorType::ExtractValueError);
    assert!(incident.error_message.contains("ARRAY"), "{}", incident.error_message);
}

#[test]
fn item_70_completion_condition_terminates_remaining_instances() {
    let mut test = ProcessTest::new();
    test.deploy(&multi_instance(false, Some("=numberOfCompletedInstances >= 2")));
    let pi = test.start("p", json!({"items": [1, 2, 3]}));
    let jobs = test.activate("each");
    test.core().complete_job(jobs[0].key, vars(json!({"result": 1}))).expect("completes");
    test.assert_active(pi);
    test.core().complete_job(jobs[1].key, vars(json!({"result": 2}))).expect("completes");
    test.assert_completed(pi);
    assert!(test.core().complete_job(jobs[2].key, vars(json!({}))).is_err(), "the third instance was terminated");
    assert_eq!(test.variable(pi, "results"), Some(json!([1, 2, null])));
}

#[test]
fn item_71_job_based_user_task_carries_assignment_headers() {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("p")
            .start("s")
            .user_task("review")
            .assignment("review", Some("=owner"), Some("ops, dev"))
            .end("e")
            .build(),
    );
    test.start("p", json!({"owner": "alice"}));
    let job = test.activate(engine::USER_TASK_JOB_TYPE).remove(0);
    assert_eq!(job.header("io.camunda.zeebe:assignee"), Some("alice"));
    assert_eq!(job.header("io.camunda.zeebe:candidateGroups"), Some("[\"ops\",\"dev\"]"));
}

#[test]
fn item_71_camunda_user_task_can_be_listed_claimed_and_completed() {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("p")
            .start("s")
            .camunda_user_task("review")
            .assignment("review", None, Some("ops"))
            .end("e")
            .build(),
    );
    let pi = test.start("p", json!({}));
    let tasks = test.core().user_tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(&*tasks[0].candidate_groups, ["ops".to_string()]);
    test.core().claim_user_task(tasks[0].key, "bob").expect("claims");
    assert_eq!(&*test.core().user_tasks()[0].assignee, "bob");
    test.core().complete_user_task(tasks[0].key, vars(json!({"approved": true}))).expect("completes");
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "approved"), Some(json!(true)));
    assert!(matches!(
        test.core().complete_user_task(tasks[0].key, vars(json!({}))),
        Err(engine::EngineError::NotFound(_))
    ));
}

#[test]
fn item_72_failing_input_mapping_leaves_element_activating_until_resolved() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .service_task("t", "work")
        .input("t", Some("=assert(x, x != null)"), "y")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    let incident = test.assert_incident(pi, ErrorType::IoMappingError);
    assert_eq!(test.core().element_state(incident.element_instance_key), Some(Lifecycle::Activating));
    assert!(test.activate("work").is_empty());
    test.core().set_variables(pi, vars(json!({"x": 5})), false).expect("sets");
    test.resolve(incident.key);
    let job = test.activate("work").remove(0);
    assert_eq!(job.variables.get("y"), Some(&json!(5)));
}

#[test]
fn item_73_missing_decision_and_failing_script_raise_incidents() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("rules").start("s").decision_task("decide", "credit-check").end("e").build());
    let rules = test.start("rules", json!({}));
    test.assert_incident(rules, ErrorType::CalledDecisionError);

    test.deploy(
        &ProcessBuilder::new("script")
            .start("s")
            .script_task("calc", "=assert(x, x != null) * 2", "doubled")
            .end("e")
            .build(),
    );
    let pi = test.start("script", json!({}));
    let incident = test.assert_incident(pi, ErrorType::ExtractValueError);
    test.core().set_variables(pi, vars(json!({"x": 4})), false).expect("sets");
    test.resolve(incident.key);
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "doubled"), Some(json!(8)));
}

#[test]
fn item_74_backtick_names_read_hyphenated_variables_and_minus_subtracts() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .script_task("a", "=`tracking-id`", "quoted")
        .script_task("b", "=tracking-id", "difference")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"tracking-id": "T-1", "tracking": 10, "id": 3}));
    assert_eq!(test.variable(pi, "quoted"), Some(json!("T-1")));
    assert_eq!(test.variable(pi, "difference"), Some(json!(7)));
}

#[test]
fn item_75_lists_are_one_indexed_and_out_of_range_is_null() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .script_task("a", "=items[1]", "first")
        .script_task("b", "=items[4]", "none")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({"items": ["x", "y", "z"]}));
    assert_eq!(test.variable(pi, "first"), Some(json!("x")));
    assert_eq!(test.variable(pi, "none"), Some(serde_json::Value::Null));
}

#[test]
fn cancelled_instance_records_terminations_bottom_up() {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("p")
            .start("s")
            .sub_process("sub", |b| b.start("ss").service_task("t", "t").end("se"))
            .end("e")
            .build(),
    );
    let pi = test.start("p", json!({}));
    test.core().cancel_instance(pi).expect("cancels");
    let terminated: Vec<String> =
        test.element_log(pi).into_iter().filter(|(_, i)| *i == Intent::ElementTerminated).map(|(id, _)| id).collect();
    assert_eq!(terminated, ["t", "sub", "p"]);
}

#[test]
fn feel_now_reads_the_engine_clock() {
    let mut test = ProcessTest::new();
    let model = ProcessBuilder::new("p")
        .start("s")
        .script_task("at", "=now() = date and time(\"2024-01-01T00:00:00Z\")", "at_start")
        .service_task("wait", "wait")
        .script_task("later", "=now() > date and time(\"2024-01-01T00:59:00Z\")", "an_hour_later")
        .end("e")
        .build();
    test.deploy(&model);
    let pi = test.start("p", json!({}));
    assert_eq!(test.variable(pi, "at_start"), Some(json!(true)));
    test.clock().advance(std::time::Duration::from_secs(3600));
    test.complete_job("wait", json!({}));
    assert_eq!(test.variable(pi, "an_hour_later"), Some(json!(true)));
}
