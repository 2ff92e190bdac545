//! One small model per behaviour of the compatibility checklist (§10 of the Zeebe reference)
//! that shows in a process's outcome, built with `engine::testing::model::ProcessBuilder` like
//! the engine's own `engine/tests/checklist_*.rs` (which also assert each item on the embedded
//! engine alone) and written to BPMN XML with `bpmn::write`.
//!
//! Process ids, job types, messages and signals carry the item number, so no case can touch
//! another's instances on the shared Zeebe engine.
//!
//! Items about the API rather than a process's outcome have no case here: deployment results
//! and keys (1-6, 8), job activation and its timing (32-34, 38-42), commands on a given element
//! instance (29), failing with variables (30), instance cancellation (39, 66), message
//! de-duplication (57), start-event versions (59) and message start correlation (58);
//! [`API_ONLY`] lists them.

use std::sync::Arc;
use std::time::Duration;

use bpmn::Definitions;
use engine::testing::model::{MultiInstanceSpec, ProcessBuilder, TimerKind};
use serde_json::{Value, json};

use super::case::{Case, JobView, Replies, Reply, Step, Variables, complete_all, vars};

/// Checklist items with no case, because they are about API answers, not outcomes.
pub const API_ONLY: &[u32] = &[1, 2, 3, 4, 5, 6, 8, 29, 30, 32, 33, 34, 38, 39, 40, 41, 42, 57, 58, 59, 66];

fn start(process: &str, variables: Value) -> Step {
    Step::Start { process: process.to_owned(), variables: vars(variables) }
}

fn publish(name: &str, key: &str, ttl: Duration, variables: Value) -> Step {
    Step::Publish {
        name: name.to_owned(),
        correlation_key: key.to_owned(),
        ttl,
        message_id: String::new(),
        variables: vars(variables),
    }
}

fn hours(n: u64) -> Duration {
    Duration::from_secs(3600 * n)
}

/// A case of item `item` with these models, steps and worker.
fn case(item: u32, what: &str, models: &[Definitions], steps: Vec<Step>, replies: Replies) -> Case {
    Case {
        name: format!("item {item:02} {what}"),
        resources: models
            .iter()
            .enumerate()
            .map(|(n, model)| (format!("item{item:02}-{n}.bpmn"), bpmn::write::write(model)))
            .collect(),
        steps,
        replies,
    }
}

/// Answers by element id; every other job completes without variables.
fn by_element(answers: &[(&str, Reply)]) -> Replies {
    let answers: Vec<(String, Reply)> = answers.iter().map(|(id, r)| ((*id).to_owned(), r.clone())).collect();
    Arc::new(move |job: &JobView| {
        answers
            .iter()
            .find(|(id, _)| id == job.element_id)
            .map_or_else(|| Reply::Complete(Variables::new()), |(_, reply)| reply.clone())
    })
}

fn complete(variables: Value) -> Reply {
    Reply::Complete(vars(variables))
}

fn throw(code: &str) -> Reply {
    Reply::Throw { code: code.to_owned(), variables: Variables::new() }
}

/// Fails every job of `element`, one retry less each time, until none are left.
fn fail_until_incident(element: &'static str) -> Replies {
    Arc::new(move |job: &JobView| {
        if job.element_id == element {
            Reply::Fail { retries: job.retries - 1, message: "broken".into() }
        } else {
            Reply::Complete(Variables::new())
        }
    })
}

fn exclusive(p: &str, first: &str, second: &str, default: bool) -> Definitions {
    let builder = ProcessBuilder::new(p)
        .start("s")
        .exclusive("gw")
        .end("first")
        .move_to("gw")
        .end("second")
        .condition("gw", "first", first)
        .condition("gw", "second", second);
    if default { builder.move_to("gw").end("fallback").default_flow("gw", "fallback") } else { builder }.build()
}

fn link_model(p: &str) -> Definitions {
    ProcessBuilder::new(p)
        .start("s")
        .link_throw("go", "A")
        .link_catch("arrive", "A")
        .service_task("t", p)
        .end("e")
        .build()
}

/// Link events as Camunda Modeler writes them: each event named after its link and its link
/// event definition with an id.
fn as_modeler_links(mut model: Definitions) -> Definitions {
    for process in model.processes_mut() {
        for element in &mut process.flow_elements {
            let bpmn::model::FlowElement::Node(node) = element else { continue };
            let bpmn::model::FlowNodeKind::Event(event) = &mut node.kind else { continue };
            for definition in &mut event.definitions {
                if let bpmn::model::EventDefinitionKind::Link { name } = &definition.kind {
                    node.common.name = name.clone();
                    definition.id = Some(format!("{}_link", node.common.id));
                }
            }
        }
    }
    model
}

fn multi_instance(p: &str, sequential: bool, collection: &str, completion: Option<&str>) -> Definitions {
    ProcessBuilder::new(p)
        .start("s")
        .service_task("each", &format!("{p}-each"))
        .multi_instance(
            "each",
            MultiInstanceSpec {
                sequential,
                input_collection: Some(collection),
                input_element: Some("item"),
                output_collection: Some("results"),
                output_element: Some("=result"),
                completion_condition: completion,
            },
        )
        .end("e")
        .build()
}

/// Multi-instance jobs complete with `result` = their item upper-cased.
fn upper_item() -> Replies {
    Arc::new(|job: &JobView| {
        let item = job.variables.get("item").and_then(Value::as_str).unwrap_or("?").to_uppercase();
        complete(json!({"result": item, "seen": job.variables.get("loopCounter")}))
    })
}

/// The checklist cases, in item order.
pub fn cases() -> Vec<Case> {
    let mut cases = flow();
    cases.extend(variables());
    cases.extend(jobs_and_errors());
    cases.extend(events());
    cases.extend(calls_and_multi_instance());
    cases
}

fn flow() -> Vec<Case> {
    vec![
        case(
            7,
            "creation variables land in the root scope",
            &[ProcessBuilder::new("c07").start("s").service_task("t", "c07").end("e").build()],
            vec![start("c07", json!({"a": 1, "o": {"k": [1, 2]}})), Step::Work],
            by_element(&[("t", complete(json!({"b": 2})))]),
        ),
        case(
            9,
            "two unconditioned flows start two paths",
            &[ProcessBuilder::new("c09")
                .start("s")
                .task("split")
                .service_task("a", "c09a")
                .end("ea")
                .move_to("split")
                .service_task("b", "c09b")
                .end("eb")
                .build()],
            vec![start("c09", json!({})), Step::Work],
            complete_all(),
        ),
        case(
            10,
            "exclusive gateway takes the first true condition only",
            &[exclusive("c10", "=x > 1", "=assert(x, x = 0) > 0", true)],
            vec![start("c10", json!({"x": 5}))],
            complete_all(),
        ),
        case(
            10,
            "(both true) which of two true conditions wins",
            &[exclusive("c10both", "=x > 1", "=x > 2", true)],
            vec![start("c10both", json!({"x": 5}))],
            complete_all(),
        ),
        case(
            10,
            "(three true) which of three true conditions wins: flows to zz, aa, mm in document order",
            &[ProcessBuilder::new("c10three")
                .start("s")
                .exclusive("gw")
                .end("zz")
                .move_to("gw")
                .end("aa")
                .move_to("gw")
                .end("mm")
                .condition("gw", "zz", "=true")
                .condition("gw", "aa", "=true")
                .condition("gw", "mm", "=true")
                .build()],
            vec![start("c10three", json!({}))],
            complete_all(),
        ),
        case(
            10,
            "(first fails) a failing first condition before a true second one",
            &[exclusive("c10fails", "=assert(x, x = 0) > 0", "=x > 1", true)],
            vec![start("c10fails", json!({"x": 5}))],
            complete_all(),
        ),
        case(
            11,
            "no true condition takes the default unevaluated",
            &[exclusive("c11", "=x > 10", "=x > 20", true)],
            vec![start("c11", json!({"x": 5}))],
            complete_all(),
        ),
        case(
            12,
            "no true condition and no default is a CONDITION_ERROR",
            &[exclusive("c12", "=x = 1", "=x = 2", false)],
            vec![start("c12", json!({"x": 3}))],
            complete_all(),
        ),
        case(
            13,
            "a condition on an unset variable is an incident",
            &[exclusive("c13", "=x > 1", "=false", true)],
            vec![start("c13", json!({}))],
            complete_all(),
        ),
        case(
            14,
            "set variables and resolve makes the gateway continue",
            &[exclusive("c14", "=x > 1", "=false", true)],
            vec![start("c14", json!({})), Step::SetVariables(vars(json!({"x": 2}))), Step::RetryAndResolve],
            complete_all(),
        ),
        case(
            15,
            "inclusive gateway takes every true flow, none true is an incident",
            &[ProcessBuilder::new("c15")
                .start("s")
                .inclusive("gw")
                .service_task("a", "c15")
                .end("ea")
                .move_to("gw")
                .service_task("b", "c15")
                .end("eb")
                .move_to("gw")
                .service_task("c", "c15")
                .end("ec")
                .condition("gw", "a", "=x > 0")
                .condition("gw", "b", "=x > 1")
                .condition("gw", "c", "=x > 100")
                .build()],
            vec![start("c15", json!({"x": 5})), Step::Work, start("c15", json!({"x": -1}))],
            complete_all(),
        ),
        case(
            16,
            "a parallel join keeps the extra token",
            &[ProcessBuilder::new("c16")
                .start("s")
                .parallel("fork")
                .service_task("a", "c16a")
                .parallel("join")
                .service_task("after", "c16after")
                .end("e")
                .move_to("fork")
                .service_task("b", "c16b")
                .connect("b", "join")
                .connect("fork", "a")
                .build()],
            vec![start("c16", json!({})), Step::Work],
            complete_all(),
        ),
        case(
            17,
            "an inclusive join releases once no token can arrive",
            &[ProcessBuilder::new("c17")
                .start("s")
                .inclusive("fork")
                .service_task("a", "c17")
                .inclusive("join")
                .end("e")
                .move_to("fork")
                .service_task("b", "c17")
                .exclusive("route")
                .connect("route", "join")
                .move_to("route")
                .end("elsewhere")
                .condition("route", "join", "=rejoin")
                .default_flow("route", "elsewhere")
                .condition("fork", "a", "=true")
                .condition("fork", "b", "=go_b")
                .build()],
            vec![
                start("c17", json!({"go_b": false, "rejoin": true})),
                start("c17", json!({"go_b": true, "rejoin": true})),
                start("c17", json!({"go_b": true, "rejoin": false})),
                Step::Work,
            ],
            complete_all(),
        ),
        case(
            18,
            "an event-based gateway takes the first event and closes the others",
            &[ProcessBuilder::new("c18")
                .start("s")
                .event_gateway("gw")
                .message_catch("msg", "c18-paid", "=orderId")
                .end("by_message")
                .move_to("gw")
                .timer_catch("timeout", TimerKind::Duration, "PT1H")
                .end("by_timer")
                .build()],
            vec![
                start("c18", json!({"orderId": "o-1"})),
                start("c18", json!({"orderId": "o-2"})),
                publish("c18-paid", "o-1", Duration::ZERO, json!({"amount": 3})),
                Step::Advance(hours(2)),
            ],
            complete_all(),
        ),
        case(
            19,
            "a scope completes only when nothing inside is active",
            &[ProcessBuilder::new("c19")
                .start("s")
                .sub_process("sub", |b| {
                    b.start("ss").parallel("fork").end("quick").move_to("fork").service_task("slow", "c19").end("late")
                })
                .end("e")
                .build()],
            vec![start("c19", json!({})), Step::Work],
            complete_all(),
        ),
        case(
            20,
            "a link throw continues at its link catch",
            &[as_modeler_links(link_model("c20"))],
            vec![start("c20", json!({})), Step::Work],
            complete_all(),
        ),
        case(
            20,
            "(bare) link events with neither element names nor definition ids",
            &[link_model("c20unnamed")],
            vec![start("c20unnamed", json!({})), Step::Work],
            complete_all(),
        ),
        case(
            21,
            "a terminate end event ends its scope only",
            &[
                ProcessBuilder::new("c21")
                    .start("s")
                    .parallel("fork")
                    .service_task("quick", "c21quick")
                    .terminate_end("stop")
                    .move_to("fork")
                    .service_task("work", "c21work")
                    .end("e")
                    .build(),
                ProcessBuilder::new("c21q")
                    .start("s")
                    .parallel("fork")
                    .sub_process("sub", |b| {
                        b.start("ss")
                            .parallel("f2")
                            .service_task("first", "c21first")
                            .terminate_end("stop")
                            .move_to("f2")
                            .service_task("inner", "c21inner")
                            .end("ie")
                    })
                    .end("after_sub")
                    .move_to("fork")
                    .service_task("outer", "c21outer")
                    .end("e2")
                    .build(),
            ],
            vec![start("c21", json!({})), start("c21q", json!({})), Step::Work],
            by_element(&[("work", Reply::Leave), ("inner", Reply::Leave)]),
        ),
    ]
}

fn variables() -> Vec<Case> {
    vec![
        case(
            22,
            "job variables update the nearest existing variable, else the root",
            &[ProcessBuilder::new("c22")
                .start("s")
                .sub_process("sub", |b| b.start("ss").service_task("t", "c22").end("se"))
                .input("sub", Some("=0"), "local")
                .end("e")
                .build()],
            vec![start("c22", json!({"x": 1})), Step::Work],
            by_element(&[("t", complete(json!({"x": 2, "local": 5, "fresh": 3})))]),
        ),
        case(
            23,
            "with an output mapping only mapped variables leave the task",
            &[ProcessBuilder::new("c23")
                .start("s")
                .service_task("t", "c23")
                .output("t", "=a", "kept")
                .end("e")
                .build()],
            vec![start("c23", json!({})), Step::Work],
            by_element(&[("t", complete(json!({"a": 1, "b": 2})))]),
        ),
        case(
            24,
            "an input mapping is task-local and gone afterwards",
            &[ProcessBuilder::new("c24")
                .start("s")
                .service_task("t", "c24")
                .input("t", Some("=1"), "inner")
                .service_task("next", "c24next")
                .end("e")
                .build()],
            vec![start("c24", json!({})), Step::Work],
            Arc::new(|job: &JobView| complete(json!({"next_saw": job.variables.get("inner")}))),
        ),
        case(
            25,
            "job variables named like an input-mapped local update the local copy",
            &[ProcessBuilder::new("c25")
                .start("s")
                .service_task("t", "c25")
                .input("t", Some("=x"), "x")
                .end("e")
                .build()],
            vec![start("c25", json!({"x": 1})), Step::Work],
            by_element(&[("t", complete(json!({"x": 99})))]),
        ),
        case(
            26,
            "an input mapping from a missing variable sets null",
            &[ProcessBuilder::new("c26")
                .start("s")
                .service_task("t", "c26")
                .input("t", Some("=missing"), "target")
                .output("t", "=target", "seen")
                .end("e")
                .build()],
            vec![start("c26", json!({})), Step::Work],
            complete_all(),
        ),
        case(
            27,
            "an output mapping to order.status keeps order's other keys",
            &[ProcessBuilder::new("c27")
                .start("s")
                .service_task("t", "c27")
                .output("t", "=status", "order.status")
                .end("e")
                .build()],
            vec![start("c27", json!({"order": {"id": 7, "status": "new"}})), Step::Work],
            by_element(&[("t", complete(json!({"status": "paid"})))]),
        ),
        case(
            28,
            "sub-process locals are discarded unless output-mapped",
            &[ProcessBuilder::new("c28")
                .start("s")
                .sub_process("sub", |b| b.start("ss").service_task("t", "c28").end("se"))
                .input("sub", Some("=0"), "scratch")
                .input("sub", Some("=0"), "kept")
                .output("sub", "=kept", "result")
                .end("e")
                .build()],
            vec![start("c28", json!({})), Step::Work],
            by_element(&[("t", complete(json!({"scratch": 1, "kept": 2})))]),
        ),
    ]
}

fn jobs_and_errors() -> Vec<Case> {
    let task = |p: &str| ProcessBuilder::new(p).start("s").service_task("t", p).end("e").build();
    vec![
        case(
            31,
            "a job has default retries 3 and static headers",
            &[ProcessBuilder::new("c31").start("s").service_task("t", "c31").header("t", "k", "v").end("e").build()],
            vec![start("c31", json!({})), Step::Work],
            Arc::new(|job: &JobView| complete(json!({"retries": job.retries}))),
        ),
        case(
            35,
            "a failed job with retries left is activatable again",
            &[task("c35")],
            vec![start("c35", json!({})), Step::Work],
            Arc::new(|job: &JobView| {
                if job.retries == 3 {
                    Reply::Fail { retries: 2, message: "once".into() }
                } else {
                    complete(json!({"second_try": job.retries}))
                }
            }),
        ),
        case(
            36,
            "failing with no retries left is a JOB_NO_RETRIES incident",
            &[task("c36")],
            vec![start("c36", json!({})), Step::Work],
            fail_until_incident("t"),
        ),
        case(
            37,
            "retries and resolve make the job activatable again",
            &[task("c37")],
            vec![start("c37", json!({})), Step::Work, Step::RetryAndResolve, Step::Work],
            Arc::new(|job: &JobView| {
                if job.retries > 1 || job.variables.contains_key("done") {
                    Reply::Fail { retries: 0, message: "broken".into() }
                } else {
                    complete(json!({"done": true}))
                }
            }),
        ),
        case(
            43,
            "a thrown error caught by a boundary follows the boundary path",
            &[ProcessBuilder::new("c43")
                .start("s")
                .service_task("t", "c43")
                .end("normal")
                .boundary_error("caught", "t", Some("E1"))
                .end("handled")
                .build()],
            vec![start("c43", json!({})), Step::Work],
            by_element(&[("t", throw("E1"))]),
        ),
        case(
            44,
            "an uncaught error is an UNHANDLED_ERROR_EVENT incident",
            &[task("c44")],
            vec![start("c44", json!({})), Step::Work],
            by_element(&[("t", throw("NOBODY"))]),
        ),
        case(
            45,
            "an error in a child process is caught on the call activity",
            &[
                ProcessBuilder::new("c45child").start("s").service_task("t", "c45").end("e").build(),
                ProcessBuilder::new("c45")
                    .start("s")
                    .call_activity("call", "c45child")
                    .end("normal")
                    .boundary_error("failed", "call", Some("E1"))
                    .end("handled")
                    .build(),
            ],
            vec![start("c45", json!({})), Step::Work],
            by_element(&[("t", throw("E1"))]),
        ),
        case(
            46,
            "a specific error catch wins over a catch-all",
            &[ProcessBuilder::new("c46")
                .start("s")
                .service_task("t", "c46")
                .end("normal")
                .boundary_error("any", "t", None)
                .end("by_any")
                .boundary_error("specific", "t", Some("E1"))
                .end("by_specific")
                .build()],
            vec![start("c46", json!({})), Step::Work],
            by_element(&[("t", throw("E1"))]),
        ),
        case(
            47,
            "an escalation without a catcher continues silently",
            &[ProcessBuilder::new("c47").start("s").escalation_throw("raise", "LATE").end("e").build()],
            vec![start("c47", json!({}))],
            complete_all(),
        ),
        case(
            48,
            "a non-interrupting escalation catch lets both paths continue",
            &[ProcessBuilder::new("c48")
                .start("s")
                .sub_process("sub", |b| {
                    b.start("ss").escalation_throw("raise", "LATE").service_task("inner", "c48inner").end("se")
                })
                .end("e")
                .boundary_escalation("on_late", "sub", false, Some("LATE"))
                .service_task("escalated", "c48esc")
                .end("ee")
                .build()],
            vec![start("c48", json!({})), Step::Work],
            complete_all(),
        ),
        case(
            49,
            "an interrupting timer boundary terminates the task",
            &[ProcessBuilder::new("c49")
                .start("s")
                .service_task("t", "c49")
                .end("normal")
                .boundary_timer("late", "t", true, TimerKind::Duration, "PT10M")
                .end("timed_out")
                .build()],
            vec![start("c49", json!({})), Step::Work, Step::Advance(Duration::from_secs(11 * 60))],
            by_element(&[("t", Reply::Leave)]),
        ),
        case(
            50,
            "a non-interrupting R3/PT1H boundary fires at most three times",
            &[ProcessBuilder::new("c50")
                .start("s")
                .service_task("t", "c50")
                .end("normal")
                .boundary_timer("remind", "t", false, TimerKind::Cycle, "R3/PT1H")
                .end("reminded")
                .build()],
            std::iter::once(start("c50", json!({}))).chain((0..5).map(|_| Step::Advance(hours(1)))).collect(),
            by_element(&[("t", Reply::Leave)]),
        ),
        case(
            51,
            "an interrupting event sub-process ends everything, other event sub-processes too",
            &[ProcessBuilder::new("c51")
                .start("s")
                .service_task("t", "c51")
                .end("e")
                .event_sub_process("watch", |b| {
                    b.message_start_keyed("note", "c51-note", "=id", false).service_task("log", "c51log").end("we")
                })
                .event_sub_process("abort", |b| b.message_start_keyed("stop", "c51-stop", "=id", true).end("aborted"))
                .build()],
            vec![
                start("c51", json!({"id": "k"})),
                publish("c51-note", "k", Duration::ZERO, json!({})),
                publish("c51-stop", "k", Duration::ZERO, json!({})),
            ],
            complete_all(),
        ),
        case(
            52,
            "a non-interrupting message event sub-process triggers repeatedly",
            &[ProcessBuilder::new("c52")
                .start("s")
                .service_task("t", "c52")
                .end("e")
                .event_sub_process("watch", |b| b.message_start_keyed("note", "c52-note", "=id", false).end("noted"))
                .build()],
            vec![
                start("c52", json!({"id": "k"})),
                publish("c52-note", "k", Duration::ZERO, json!({"n": 1})),
                publish("c52-note", "k", Duration::ZERO, json!({"n": 2})),
                publish("c52-note", "k", Duration::ZERO, json!({"n": 3})),
                Step::Work,
            ],
            complete_all(),
        ),
    ]
}

fn events() -> Vec<Case> {
    let waiting = |p: &str, message: &str| {
        ProcessBuilder::new(p).start("s").message_catch("wait", message, "=key").end("e").build()
    };
    vec![
        case(
            53,
            "a message published before the subscription is correlated within its TTL",
            &[waiting("c53", "c53-m")],
            vec![publish("c53-m", "k1", hours(1), json!({"early": true})), start("c53", json!({"key": "k1"}))],
            complete_all(),
        ),
        case(
            54,
            "a message with TTL 0 and no subscription is discarded",
            &[waiting("c54", "c54-m")],
            vec![publish("c54-m", "k1", Duration::ZERO, json!({"early": true})), start("c54", json!({"key": "k1"}))],
            complete_all(),
        ),
        case(
            55,
            "the correlation key is fixed when the catch event activates",
            &[ProcessBuilder::new("c55").start("s").message_catch("wait", "c55-m", "=key").end("e").build()],
            vec![
                start("c55", json!({"key": "old"})),
                Step::SetVariables(vars(json!({"key": "new"}))),
                publish("c55-m", "new", Duration::ZERO, json!({"by": "new"})),
                publish("c55-m", "old", Duration::ZERO, json!({"by": "old"})),
            ],
            complete_all(),
        ),
        case(
            56,
            "a message correlates once per process id, once in each other process",
            &[waiting("c56a", "c56-m"), waiting("c56b", "c56-m")],
            vec![
                start("c56a", json!({"key": "k"})),
                start("c56a", json!({"key": "k"})),
                start("c56b", json!({"key": "k"})),
                publish("c56-m", "k", Duration::ZERO, json!({})),
            ],
            complete_all(),
        ),
        case(
            60,
            "a signal triggers waiting catch events and starts processes",
            &[
                ProcessBuilder::new("c60").start("s").signal_catch("wait", "c60-go").end("e").build(),
                ProcessBuilder::new("c60start")
                    .signal_start("s", "c60-go", true)
                    .service_task("t", "c60")
                    .end("e")
                    .build(),
            ],
            vec![
                start("c60", json!({})),
                Step::Signal { name: "c60-go".into(), variables: vars(json!({"from": "signal"})) },
                start("c60", json!({})),
                Step::Work,
            ],
            complete_all(),
        ),
        case(
            61,
            "a zero or negative duration fires at once, never early",
            &[ProcessBuilder::new("c61")
                .start("s")
                .timer_catch("zero", TimerKind::Duration, "PT0S")
                .timer_catch("negative", TimerKind::Duration, "=duration(\"-PT5M\")")
                .timer_catch("hour", TimerKind::Duration, "PT1H")
                .end("e")
                .build()],
            vec![
                start("c61", json!({})),
                Step::Advance(Duration::ZERO),
                Step::Advance(Duration::from_secs(3599)),
                Step::Advance(Duration::from_secs(1)),
            ],
            complete_all(),
        ),
        case(
            62,
            "a timer date without zone is UTC",
            &[ProcessBuilder::new("c62")
                .start("s")
                .timer_catch("past", TimerKind::Date, "=date and time(\"2020-01-01T00:00:00\")")
                .end("e")
                .build()],
            vec![start("c62", json!({})), Step::Advance(Duration::ZERO)],
            complete_all(),
        ),
        case(
            62,
            "(static) a timeDate without zone in the model",
            &[ProcessBuilder::new("c62static")
                .start("s")
                .timer_catch("past", TimerKind::Date, "2020-01-01T00:00:00")
                .end("e")
                .build()],
            vec![start("c62static", json!({})), Step::Advance(Duration::ZERO)],
            complete_all(),
        ),
    ]
}

fn calls_and_multi_instance() -> Vec<Case> {
    let child = |p: &str| ProcessBuilder::new(p).start("s").service_task("t", p).end("e").build();
    vec![
        case(
            63,
            "a call activity starts the called process, an unknown id is CALLED_ELEMENT_ERROR",
            &[
                child("c63child"),
                ProcessBuilder::new("c63").start("s").call_activity("call", "c63child").end("e").build(),
                ProcessBuilder::new("c63orphan").start("s").call_activity("call", "c63missing").end("e").build(),
            ],
            vec![start("c63", json!({"x": 1})), Step::Work, start("c63orphan", json!({}))],
            by_element(&[("t", complete(json!({"from_child": 2})))]),
        ),
        case(
            64,
            "child variables return to the parent unless propagation is off",
            &[
                child("c64child"),
                ProcessBuilder::new("c64").start("s").call_activity("call", "c64child").end("e").build(),
                ProcessBuilder::new("c64off")
                    .start("s")
                    .call_activity("call", "c64child")
                    .propagation("call", Some(false), None)
                    .end("e")
                    .build(),
            ],
            vec![start("c64", json!({})), start("c64off", json!({})), Step::Work],
            by_element(&[("t", complete(json!({"from_child": 2})))]),
        ),
        case(
            65,
            "without parent propagation only input mappings reach the child",
            &[
                child("c65child"),
                ProcessBuilder::new("c65")
                    .start("s")
                    .call_activity("call", "c65child")
                    .propagation("call", None, Some(false))
                    .input("call", Some("=a"), "given")
                    .end("e")
                    .build(),
            ],
            vec![start("c65", json!({"a": 1, "b": 2})), Step::Work],
            Arc::new(|job: &JobView| complete(json!({"child_saw": job.variables.keys().cloned().collect::<Vec<_>>()}))),
        ),
        case(
            67,
            "a parallel multi-instance has loopCounter and the item per instance",
            &[multi_instance("c67", false, "=[\"a\",\"b\",\"c\"]", None)],
            vec![start("c67", json!({})), Step::Work],
            upper_item(),
        ),
        case(
            68,
            "the output collection keeps input order (sequential)",
            &[multi_instance("c68", true, "=[\"a\",\"b\",\"c\"]", None)],
            vec![start("c68", json!({})), Step::Work],
            upper_item(),
        ),
        case(
            69,
            "an empty input collection completes at once",
            &[multi_instance("c69", false, "=[]", None)],
            vec![start("c69", json!({}))],
            upper_item(),
        ),
        case(
            70,
            "a true completion condition ends the remaining instances",
            &[multi_instance("c70", false, "=[\"a\",\"b\",\"c\"]", Some("=numberOfCompletedInstances >= 2"))],
            vec![start("c70", json!({})), Step::Work],
            upper_item(),
        ),
        case(
            71,
            "a job-based user task is a job of type io.camunda.zeebe:userTask",
            &[ProcessBuilder::new("c71")
                .start("s")
                .user_task("review")
                .assignment("review", Some("=owner"), Some("ops, dev"))
                .end("e")
                .build()],
            vec![start("c71", json!({"owner": "ann"})), Step::Work],
            by_element(&[("review", complete(json!({"approved": true})))]),
        ),
        case(
            72,
            "a failing input mapping is an incident; fix and resolve re-runs activation",
            &[ProcessBuilder::new("c72")
                .start("s")
                .service_task("t", "c72")
                .input("t", Some("=order.id + 1"), "next")
                .end("e")
                .build()],
            vec![
                start("c72", json!({"order": "not an object"})),
                Step::SetVariables(vars(json!({"order": {"id": 1}}))),
                Step::RetryAndResolve,
                Step::Work,
            ],
            Arc::new(|job: &JobView| complete(json!({"next_was": job.variables.get("next")}))),
        ),
        case(
            73,
            "a missing decision is CALLED_DECISION_ERROR, a failing script an incident re-run on resolve",
            &[
                ProcessBuilder::new("c73rules").start("s").decision_task("decide", "c73-missing").end("e").build(),
                ProcessBuilder::new("c73")
                    .start("s")
                    .script_task("calc", "=assert(x, x != null) * 2", "doubled")
                    .end("e")
                    .build(),
            ],
            vec![
                start("c73rules", json!({})),
                start("c73", json!({})),
                Step::SetVariables(vars(json!({"x": 21}))),
                Step::RetryAndResolve,
            ],
            complete_all(),
        ),
        case(
            74,
            "FEEL reads `tracking-id` in backticks; unquoted it is a subtraction",
            &[ProcessBuilder::new("c74")
                .start("s")
                .script_task("a", "=`tracking-id`", "quoted")
                .script_task("b", "=tracking-id", "difference")
                .end("e")
                .build()],
            vec![start("c74", json!({"tracking-id": "T-1", "tracking": 10, "id": 3}))],
            complete_all(),
        ),
        case(
            75,
            "FEEL lists are 1-indexed and out of range is null",
            &[ProcessBuilder::new("c75")
                .start("s")
                .script_task("a", "=items[1]", "first")
                .script_task("b", "=items[4]", "none")
                .script_task("c", "=items[-1]", "last")
                .end("e")
                .build()],
            vec![start("c75", json!({"items": [10, 20, 30]}))],
            complete_all(),
        ),
    ]
}
