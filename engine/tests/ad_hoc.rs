//! The ad-hoc sub-process (Camunda 8.7/8.8 semantics, `../shared/docs/agentic-reference.md` §7):
//! the BPMN implementation driven by `activeElementsCollection`, the completion condition with
//! and without cancelling, the output collection, local variables per activation, and the
//! job-worker implementation in which a worker's result picks the elements.

use engine::record::ErrorType;
use engine::testing::{ProcessTest, vars};
use engine::{AdHocActivation, AdHocResult, EngineError};
use serde_json::{Value, json};

/// A process with one ad-hoc sub-process `tools` holding service tasks `a`, `b` and `c` (job
/// types of the same name; `a` continues to `a2`) between start and end. `attributes` go on the
/// sub-process element, `ad_hoc` inside its extension elements, `condition` after its content.
fn model(attributes: &str, extensions: &str, condition: Option<&str>) -> String {
    let condition = condition
        .map(|c| {
            format!(r#"<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">{c}</bpmn:completionCondition>"#)
        })
        .unwrap_or_default();
    let task = |id: &str, name: &str, extra: &str| {
        format!(
            r#"<bpmn:serviceTask id="{id}" name="{name}"><bpmn:documentation>Runs {id}.</bpmn:documentation><bpmn:extensionElements><zeebe:taskDefinition type="{id}"/>{extra}</bpmn:extensionElements></bpmn:serviceTask>"#
        )
    };
    let output = r#"<zeebe:ioMapping><zeebe:output source="=done" target="result"/></zeebe:ioMapping>"#;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tools"/>
    <bpmn:adHocSubProcess id="tools" {attributes}>
      <bpmn:extensionElements>{extensions}</bpmn:extensionElements>
      {a}{b}{c}
      <bpmn:serviceTask id="a2"><bpmn:extensionElements><zeebe:taskDefinition type="a2"/></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:sequenceFlow id="fa" sourceRef="a" targetRef="a2"/>
      {condition}
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="tools" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#,
        a = task("a", "Tool A", output),
        b = task("b", "Tool B", output),
        c = task("c", "Tool C", output),
    )
}

const COLLECT: &str =
    r#"<zeebe:adHoc activeElementsCollection="=toRun" outputCollection="results" outputElement="=result"/>"#;

fn started(xml: &str, variables: Value) -> (ProcessTest, i64) {
    let mut test = ProcessTest::new();
    test.deploy_xml("ad-hoc.bpmn", xml);
    let pi = test.start("p", variables);
    (test, pi)
}

#[test]
fn the_named_elements_run_and_the_sub_process_completes_when_all_have_ended() {
    let (mut test, pi) = started(&model("", COLLECT, None), json!({"toRun": ["c", "a"]}));
    assert!(test.activate("b").is_empty(), "b was not named, so it never runs");
    test.complete_job("c", json!({"done": "c"}));
    test.assert_active(pi);
    test.complete_job("a", json!({"done": "a"}));
    test.assert_active(pi);
    test.complete_job("a2", json!({}));
    test.assert_completed(pi);
    // One entry per finished inner flow, in the order they ended; `result` stayed local to each
    // activation (the process scope never saw it).
    assert_eq!(test.variable(pi, "results"), Some(json!(["c", "a"])));
    assert_eq!(test.variable(pi, "result"), None);
    assert_eq!(test.completed_count(pi, "a2"), 1);
    assert_eq!(test.completed_count(pi, "b"), 0);
}

#[test]
fn a_fulfilled_condition_cancels_the_remaining_activations_by_default() {
    let (mut test, pi) = started(&model("", COLLECT, Some("=count(results) >= 1")), json!({"toRun": ["b", "c"]}));
    test.complete_job("b", json!({"done": "b"}));
    test.assert_completed(pi);
    assert!(test.activate("c").is_empty(), "c's job was cancelled with its activation");
    assert_eq!(test.variable(pi, "results"), Some(json!(["b"])));
    let log = test.element_log(pi);
    assert!(
        log.iter().any(|(id, intent)| id == "c" && *intent == engine::record::Intent::ElementTerminated),
        "{log:?}"
    );
}

#[test]
fn without_cancelling_a_fulfilled_condition_waits_for_the_rest() {
    let xml = model(r#"cancelRemainingInstances="false""#, COLLECT, Some("=count(results) >= 1"));
    let (mut test, pi) = started(&xml, json!({"toRun": ["b", "c"]}));
    test.complete_job("b", json!({"done": "b"}));
    test.assert_active(pi);
    test.complete_job("c", json!({"done": "c"}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "results"), Some(json!(["b", "c"])));
}

#[test]
fn an_unfulfilled_condition_keeps_the_sub_process_waiting() {
    let (mut test, pi) = started(&model("", COLLECT, Some("=count(results) >= 2")), json!({"toRun": ["b"]}));
    test.complete_job("b", json!({"done": "b"}));
    test.assert_active(pi);
    test.assert_element_active(pi, "tools");
}

#[test]
fn no_collection_or_an_empty_one_activates_nothing_and_waits() {
    for variables in [json!({"toRun": []}), json!({"toRun": null})] {
        let (mut test, pi) = started(&model("", COLLECT, None), variables);
        test.assert_element_active(pi, "tools");
        assert!(test.activate("a").is_empty() && test.activate("b").is_empty());
    }
}

#[test]
fn an_unknown_or_inner_element_id_raises_an_incident_that_names_it() {
    for (variables, named) in [(json!({"toRun": ["a", "nope"]}), "'nope'"), (json!({"toRun": ["a2"]}), "'a2'")] {
        let (mut test, pi) = started(&model("", COLLECT, None), variables);
        let incident = test.assert_incident(pi, ErrorType::ExtractValueError);
        assert!(
            incident.error_message.contains(named) && incident.error_message.contains("'b'"),
            "{}",
            incident.error_message
        );
        assert!(test.activate("a").is_empty(), "nothing ran");
    }
}

#[test]
fn a_collection_that_is_not_a_list_of_ids_raises_an_incident() {
    let (test, pi) = started(&model("", COLLECT, None), json!({"toRun": "a"}));
    let incident = test.assert_incident(pi, ErrorType::ExtractValueError);
    assert!(incident.error_message.contains("toRun"), "{}", incident.error_message);
}

#[test]
fn the_sub_process_output_mappings_see_the_collection() {
    let extensions = format!(
        r#"{COLLECT}<zeebe:ioMapping><zeebe:output source="=count(results)" target="finished"/></zeebe:ioMapping>"#
    );
    let (mut test, pi) = started(&model("", &extensions, None), json!({"toRun": ["b"]}));
    test.complete_job("b", json!({"done": 1}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "finished"), Some(json!(1)));
}

const AGENT: &str = r#"<zeebe:taskDefinition type="agent" retries="2"/><zeebe:adHoc outputCollection="results" outputElement="={tool: toolCall.name, result: result}"/>"#;

fn agent_job(test: &mut ProcessTest) -> engine::ActivatedJob {
    let mut jobs = test.activate("agent");
    assert_eq!(jobs.len(), 1, "exactly one agent job at a time");
    jobs.remove(0)
}

fn activate(ids: &[&str]) -> AdHocResult {
    AdHocResult {
        activate_elements: ids
            .iter()
            .map(|id| AdHocActivation {
                element_id: id.to_string(),
                variables: vars(json!({"toolCall": {"name": id}})),
            })
            .collect(),
        ..AdHocResult::default()
    }
}

fn done(cancel: bool) -> AdHocResult {
    AdHocResult { completion_condition_fulfilled: true, cancel_remaining_instances: cancel, ..AdHocResult::default() }
}

#[test]
fn a_job_worker_chooses_the_elements_and_decides_again_after_each_result() {
    let (mut test, pi) = started(&model("", AGENT, None), json!({"goal": "triage"}));
    let job = agent_job(&mut test);
    assert_eq!(job.retries, 2);
    let elements = job.variables.get("adHocSubProcessElements").cloned().expect("the elements are offered");
    assert_eq!(
        elements,
        json!([
            {"elementId": "a", "elementName": "Tool A", "documentation": "Runs a."},
            {"elementId": "b", "elementName": "Tool B", "documentation": "Runs b."},
            {"elementId": "c", "elementName": "Tool C", "documentation": "Runs c."},
        ]),
        "a2 has an incoming flow, so it is not offered"
    );
    test.core().complete_ad_hoc_job(job.key, vars(json!({"plan": 1})), activate(&["b", "c"])).expect("completes");
    assert!(test.activate("agent").is_empty(), "no agent job while the tools run");
    let b = test.complete_job("b", json!({"done": "B!"}));
    assert_eq!(b.variables.get("toolCall"), Some(&json!({"name": "b"})), "the activation's variables reach the tool");
    let second = agent_job(&mut test);
    assert_eq!(second.variables.get("results"), Some(&json!([{"tool": "b", "result": "B!"}])));
    test.complete_job("c", json!({"done": "C!"}));
    let third = agent_job(&mut test);
    assert!(test.core().complete_job(second.key, vars(json!({}))).is_err(), "the replaced job is gone");
    test.core().complete_ad_hoc_job(third.key, vars(json!({})), done(true)).expect("completes");
    test.assert_completed(pi);
    assert_eq!(
        test.variable(pi, "results"),
        Some(json!([{"tool": "b", "result": "B!"}, {"tool": "c", "result": "C!"}]))
    );
    assert_eq!(test.variable(pi, "plan"), Some(json!(1)));
}

#[test]
fn a_worker_that_reports_done_while_tools_run_cancels_or_awaits_them() {
    for cancel in [true, false] {
        let (mut test, pi) = started(&model("", AGENT, None), json!({}));
        let job = agent_job(&mut test);
        test.core().complete_ad_hoc_job(job.key, vars(json!({})), activate(&["a", "b"])).expect("completes");
        test.complete_job("b", json!({"done": 1}));
        let job = agent_job(&mut test);
        test.core().complete_ad_hoc_job(job.key, vars(json!({})), done(cancel)).expect("completes");
        if cancel {
            test.assert_completed(pi);
            assert!(test.activate("a").is_empty(), "a was cancelled");
        } else {
            test.assert_active(pi);
            test.complete_job("a", json!({"done": 2}));
            test.complete_job("a2", json!({}));
            test.assert_completed(pi);
            assert!(test.activate("agent").is_empty(), "a done sub-process asks no more");
        }
    }
}

#[test]
fn a_worker_result_that_names_an_unknown_element_or_does_both_is_refused_and_changes_nothing() {
    let (mut test, pi) = started(&model("", AGENT, None), json!({}));
    let job = agent_job(&mut test);
    let before = test.records().len();
    match test.core().complete_ad_hoc_job(job.key, vars(json!({})), activate(&["a", "zz"])) {
        Err(EngineError::NotFound(message)) => assert!(message.contains("'zz'"), "{message}"),
        other => panic!("expected NOT_FOUND, got {other:?}"),
    }
    let both = AdHocResult { completion_condition_fulfilled: true, ..activate(&["a"]) };
    match test.core().complete_ad_hoc_job(job.key, vars(json!({})), both) {
        Err(EngineError::InvalidArgument(message)) => assert!(message.contains("both"), "{message}"),
        other => panic!("expected INVALID_ARGUMENT, got {other:?}"),
    }
    assert_eq!(test.records().len(), before, "nothing was written");
    test.core().complete_ad_hoc_job(job.key, vars(json!({})), activate(&["a"])).expect("the job is still there");
    test.assert_active(pi);
}

#[test]
fn an_ad_hoc_result_for_an_ordinary_job_is_refused() {
    let (mut test, _pi) = started(&model("", COLLECT, None), json!({"toRun": ["b"]}));
    let job = test.activate("b").remove(0);
    match test.core().complete_ad_hoc_job(job.key, vars(json!({})), done(true)) {
        Err(EngineError::InvalidArgument(message)) => assert!(message.contains("not an ad-hoc"), "{message}"),
        other => panic!("expected INVALID_ARGUMENT, got {other:?}"),
    }
}

#[test]
fn terminating_the_instance_terminates_the_activations_and_the_job() {
    let (mut test, pi) = started(&model("", AGENT, None), json!({}));
    let job = agent_job(&mut test);
    test.core().complete_ad_hoc_job(job.key, vars(json!({})), activate(&["a"])).expect("completes");
    test.core().cancel_instance(pi).expect("cancels");
    test.assert_terminated(pi);
    assert!(test.activate("a").is_empty() && test.activate("agent").is_empty());
}

fn refusal(attributes: &str, extensions: &str, condition: Option<&str>, inner: &str) -> String {
    let xml = model(attributes, extensions, condition)
        .replace("{condition}", "")
        .replace(r#"<bpmn:sequenceFlow id="fa""#, &format!(r#"{inner}<bpmn:sequenceFlow id="fa""#));
    match engine::EngineCore::new().deploy_xml("bad.bpmn", xml.as_bytes()) {
        Err(EngineError::InvalidArgument(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn zeebe_deploy_rules_for_ad_hoc_sub_processes_are_enforced_with_located_reasons() {
    let message = refusal("", COLLECT, None, r#"<bpmn:startEvent id="inner_start"/>"#);
    assert!(message.contains("'inner_start'") && message.contains("start or end events"), "{message}");
    let message = refusal("", r#"<zeebe:adHoc outputCollection="results"/>"#, None, "");
    assert!(message.contains("'tools'") && message.contains("outputElement"), "{message}");
    let job_and_collection = AGENT.replace("<zeebe:adHoc ", r#"<zeebe:adHoc activeElementsCollection="=x" "#);
    let message = refusal("", &job_and_collection, None, "");
    assert!(message.contains("remove activeElementsCollection"), "{message}");
    let message = refusal(r#"cancelRemainingInstances="false""#, AGENT, Some("=true"), "");
    assert!(
        message.contains("remove a completionCondition") && message.contains("cancelRemainingInstances"),
        "{message}"
    );
    assert!(message.contains("bad.bpmn"), "names the file: {message}");
}

#[test]
fn an_error_thrown_inside_is_caught_by_the_sub_process_boundary_and_ends_the_activations() {
    let boundary = r#"<bpmn:boundaryEvent id="failed" attachedToRef="tools"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="failed" targetRef="failed_end"/>
    <bpmn:endEvent id="failed_end"/>
  </bpmn:process>
  <bpmn:error id="E" errorCode="TOOL_BROKE"/>"#;
    let xml = model("", COLLECT, None).replace("</bpmn:process>", boundary);
    let (mut test, pi) = started(&xml, json!({"toRun": ["a", "b"]}));
    let job = test.activate("b").remove(0);
    test.core().throw_error(job.key, "TOOL_BROKE", "broken", vars(json!({}))).expect("throws");
    test.assert_completed(pi);
    test.assert_element_passed(pi, "failed_end");
    assert!(test.activate("a").is_empty(), "the other activation was terminated");
}
