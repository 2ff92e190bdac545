//! Ad-hoc sub-processes (Camunda 8.7/8.8) as differential cases: the BPMN implementation driven
//! by `activeElementsCollection`, with and without a completion condition, cancelling or
//! awaiting the rest, an empty collection, an unknown element id, and a BPMN error caught on the
//! sub-process; and the job-worker implementation, where a scripted worker decides which
//! elements run (as an agent would) and when the sub-process is done (its decisions reach the
//! in-memory Zeebe through the control endpoint: that engine's gRPC gateway drops job results). `engine/tests/ad_hoc.rs` asserts each on the embedded engine alone; here Zeebe
//! 8.8 must end them the same way. Process ids and job types carry the case number.

use std::sync::Arc;

use serde_json::{Value, json};

use workers::{Activation, AdHocDecision};

use super::case::{Case, JobView, Replies, Reply, Step, vars};

/// Jobs plus timer jumps after which a run stops (a case here needs at most six).
const LIMIT: usize = 30;

/// The model of case `n`: `tools` holds service tasks `a`, `b`, `c` (job types `adhoc<n>-<id>`;
/// `a` continues to `a2`) and writes `results` from each activation's `result`. `attributes` go
/// on the sub-process, `extensions` into its extension elements, `condition` after its content,
/// `after` after the process's end event. Error `E` has the code `TOOL_BROKE`.
fn model(n: u32, attributes: &str, extensions: &str, condition: Option<&str>, after: &str) -> (String, String) {
    let task = |id: &str| {
        format!(
            r#"<bpmn:serviceTask id="{id}"><bpmn:extensionElements><zeebe:taskDefinition type="adhoc{n}-{id}"/><zeebe:ioMapping><zeebe:output source="=done" target="result"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>"#
        )
    };
    let condition = condition
        .map(|c| {
            format!(r#"<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">{c}</bpmn:completionCondition>"#)
        })
        .unwrap_or_default();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs{n}" targetNamespace="http://persona-orchestrator/differential">
  <bpmn:process id="adhoc{n}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tools"/>
    <bpmn:adHocSubProcess id="tools" {attributes}>
      <bpmn:extensionElements>{extensions}</bpmn:extensionElements>
      {a}{b}{c}
      <bpmn:serviceTask id="a2"><bpmn:extensionElements><zeebe:taskDefinition type="adhoc{n}-a2"/></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:sequenceFlow id="fa" sourceRef="a" targetRef="a2"/>
      {condition}
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="tools" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    {after}
  </bpmn:process>
  <bpmn:error id="E" errorCode="TOOL_BROKE"/>
</bpmn:definitions>"#,
        a = task("a"),
        b = task("b"),
        c = task("c"),
    );
    (format!("adhoc{n}.bpmn"), xml)
}

const COLLECT: &str =
    r#"<zeebe:adHoc activeElementsCollection="=toRun" outputCollection="results" outputElement="=result"/>"#;

/// Completes each tool's job with `done` set to the tool's element id.
fn done_is_the_element() -> Replies {
    Arc::new(|job: &JobView| Reply::Complete(vars(json!({"done": job.element_id}))))
}

fn case(n: u32, what: &str, resource: (String, String), to_run: Value, replies: Replies) -> Case {
    Case {
        name: format!("ad-hoc {n} {what}"),
        resources: vec![resource],
        steps: vec![
            Step::Start { process: format!("adhoc{n}"), variables: vars(json!({"toRun": to_run})) },
            Step::RunToEnd { limit: LIMIT },
        ],
        replies,
    }
}

/// One case per behaviour of the BPMN implementation.
pub fn cases() -> Vec<Case> {
    let error_boundary = r#"<bpmn:boundaryEvent id="broke" attachedToRef="tools"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="broke" targetRef="broke_end"/>
    <bpmn:endEvent id="broke_end"/>"#;
    vec![
        case(
            1,
            "runs the named elements and completes when all have ended",
            model(1, "", COLLECT, None, ""),
            json!(["c", "a"]),
            done_is_the_element(),
        ),
        case(
            2,
            "a fulfilled completion condition cancels the remaining activations",
            model(2, "", COLLECT, Some("=count(results) >= 1"), ""),
            json!(["b", "c"]),
            done_is_the_element(),
        ),
        case(
            3,
            "with cancelRemainingInstances=false a fulfilled condition waits for the rest",
            model(3, r#"cancelRemainingInstances="false""#, COLLECT, Some("=count(results) >= 1"), ""),
            json!(["b", "c"]),
            done_is_the_element(),
        ),
        case(
            4,
            "an empty collection activates nothing and waits",
            model(4, "", COLLECT, None, ""),
            json!([]),
            done_is_the_element(),
        ),
        case(
            5,
            "an unknown element id raises an incident",
            model(5, "", COLLECT, None, ""),
            json!(["a", "nope"]),
            done_is_the_element(),
        ),
        case(
            6,
            "a BPMN error inside is caught on the sub-process and ends the other activations",
            model(6, "", COLLECT, None, error_boundary),
            json!(["a", "b"]),
            Arc::new(|job: &JobView| match job.element_id {
                "b" => Reply::Throw { code: "TOOL_BROKE".into(), variables: vars(json!({})) },
                _ => Reply::Leave,
            }),
        ),
        case(
            7,
            "without an output collection the activations' variables stay inside",
            model(7, "", r#"<zeebe:adHoc activeElementsCollection="=toRun"/>"#, None, ""),
            json!(["b"]),
            done_is_the_element(),
        ),
        case(
            8,
            "a worker picks two elements, sees both results, then finishes",
            model(8, "", &worker(8), None, ""),
            Value::Null,
            decider(8, |results| match results {
                0 => Some(AdHocDecision::Activate(vec![tool("b", 1), tool("c", 2)])),
                1 => None,
                _ => Some(AdHocDecision::Done { cancel_remaining: false }),
            }),
        ),
        case(
            9,
            "a worker finishing while an element runs cancels it",
            model(9, "", &worker(9), None, ""),
            Value::Null,
            decider(9, |results| match results {
                0 => Some(AdHocDecision::Activate(vec![tool("a", 1), tool("b", 2)])),
                _ => Some(AdHocDecision::Done { cancel_remaining: true }),
            }),
        ),
        {
            let mut waits = case(
                10,
                "a worker finishing without cancelling waits for the running element",
                model(10, "", &worker(10), None, ""),
                Value::Null,
                decider(10, |results| match results {
                    0 => Some(AdHocDecision::Activate(vec![tool("a", 1), tool("b", 2)])),
                    1 => Some(AdHocDecision::Done { cancel_remaining: false }),
                    _ => None,
                }),
            );
            // Then `a` ends, and so does the sub-process, without asking the worker again.
            waits.steps.push(Step::Answer { element: "a".into(), reply: Reply::Complete(vars(json!({"done": "a"}))) });
            waits.steps.push(Step::RunToEnd { limit: LIMIT });
            waits
        },
    ]
}

/// The job-worker implementation of case `n`: its decisions are jobs of type `adhoc<n>-decide`,
/// and each activation's `{call, result}` is collected into `results`.
fn worker(n: u32) -> String {
    format!(
        r#"<zeebe:taskDefinition type="adhoc{n}-decide"/><zeebe:adHoc outputCollection="results" outputElement="={{call: toolCall.id, result: result}}"/>"#
    )
}

/// Activates `element` with a tool call numbered `id`.
fn tool(element: &str, id: u32) -> Activation {
    Activation { element_id: element.to_owned(), variables: vars(json!({"toolCall": {"id": id, "name": element}})) }
}

/// Decides by the number of collected results (`None`: leave the job, as a worker that waits
/// for more results would; the next finished element replaces it). Tools finish with `done` set
/// to their id, except `a` in cases 9 and 10, which stays running (a long tool call).
fn decider(n: u32, decide: fn(usize) -> Option<AdHocDecision>) -> Replies {
    Arc::new(move |job: &JobView| {
        if job.element_id == "tools" {
            let results = job.variables.get("results").and_then(Value::as_array).map_or(0, Vec::len);
            return match decide(results) {
                Some(decision) => Reply::Decide { variables: vars(json!({"decisions": results + 1})), decision },
                None => Reply::Leave,
            };
        }
        if job.element_id == "a" && (n == 9 || n == 10) {
            return Reply::Leave;
        }
        Reply::Complete(vars(json!({"done": job.element_id})))
    })
}
