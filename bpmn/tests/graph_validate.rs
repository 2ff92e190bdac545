//! Validation: every check is triggered by a model made for it, and a valid model triggers none.

use bpmn::Definitions;
use bpmn::build::{Flows, definitions};
use bpmn::graph::{Code, Problem, Severity, ValidationOptions, validate};
use bpmn::model::{
    Activity, Common, Diagram, DiagramElement, EventDefinitionKind, EventKind, FlowNode, FlowNodeKind, GatewayKind,
    Message, Process, QName, RootElement, Shape, SubProcess, SubProcessKind, Task, TaskKind, XmlElement,
};

fn timer() -> EventDefinitionKind {
    EventDefinitionKind::Timer { time_date: None, time_duration: None, time_cycle: None }
}

fn message() -> EventDefinitionKind {
    EventDefinitionKind::Message { message_ref: None }
}

/// `(code, element id)` of every problem, in the order reported.
fn found(definitions: &Definitions, options: &ValidationOptions) -> Vec<(&'static str, String)> {
    validate(definitions, options).into_iter().map(|p| (p.code.as_str(), p.element_id)).collect()
}

fn found_in(process: Process) -> Vec<(&'static str, String)> {
    found(&definitions("d", [process]), &ValidationOptions::default())
}

fn expect(code: &'static str, id: &str) -> Vec<(&'static str, String)> {
    vec![(code, id.to_owned())]
}

/// A model that uses every construct the checks look at, correctly: a loop with an exit, a
/// decision with a default, a boundary event, a sub-process, an event sub-process, a call to a
/// known process and a link jump.
fn valid_process() -> Process {
    let inner = Flows::new().start("inner-start").service_task("inner-work", "pack").end("inner-end").chain(&[
        "inner-start",
        "inner-work",
        "inner-end",
    ]);
    let handler = Flows::new().start_with("on-cancel", message()).end("cancelled").chain(&["on-cancel", "cancelled"]);
    let link = |name: &str| Some(EventDefinitionKind::Link { name: Some(name.to_owned()) });
    Flows::new()
        .start("start")
        .service_task("prepare", "prepare")
        .gateway_with_default("decide", GatewayKind::Exclusive, "otherwise")
        .call_activity("bill", "billing")
        .sub_process("ship", inner)
        .boundary("ship-timeout", "ship", timer())
        .gateway("join", GatewayKind::Exclusive)
        .gateway_with_default("again", GatewayKind::Exclusive, "finish")
        .event("jump", EventKind::IntermediateThrow, link("end"))
        .event("land", EventKind::IntermediateCatch, link("end"))
        .end("end")
        .end("timed-out")
        .event_sub_process("cancel", handler)
        .chain(&["start", "prepare", "decide"])
        .conditional_flow("big", "decide", "bill", "=amount > 100")
        .flow("otherwise", "decide", "ship")
        .chain(&["bill", "join"])
        .chain(&["ship", "join", "again"])
        .conditional_flow("retry", "again", "prepare", "=retry")
        .flow("finish", "again", "jump")
        .chain(&["land", "end"])
        .chain(&["ship-timeout", "timed-out"])
        .into_process("order")
}

#[test]
fn a_valid_model_has_no_problems() {
    let model = definitions("d", [valid_process()]);
    let options = ValidationOptions::with_known_processes(["billing"]);
    assert_eq!(validate(&model, &options), Vec::<Problem>::new());
}

#[test]
fn problems_display_position_severity_id_and_message() {
    let process = Flows::new().start("s").at(3, 5).task("lost").at(7, 9).chain(&["s"]).into_process("p");
    let problems = validate(&definitions("d", [process]), &ValidationOptions::default());
    let [problem] = problems.as_slice() else { panic!("expected one problem, got {problems:?}") };
    assert_eq!(problem.severity, Severity::Warning);
    assert_eq!(problem.code, Code::UnreachableNode);
    let text = problem.to_string();
    assert!(text.starts_with("7:9: warning: [lost] `lost` cannot be reached"), "{text}");
}

#[test]
fn problems_come_in_document_order_whatever_check_finds_them() {
    // Document order: unreachable task, dangling flow, duplicate id. The checks run duplicate ids
    // first and reachability last.
    let process = Flows::new()
        .start("s")
        .end("e")
        .task("lost")
        .chain(&["s", "e"])
        .flow("dangling", "s", "ghost")
        .task("s")
        .into_process("p");
    let problems = found_in(process);
    assert_eq!(
        problems,
        [
            ("unreachable-node", "lost".to_owned()),
            ("flow-target-missing", "dangling".to_owned()),
            ("duplicate-id", "s".to_owned()),
        ]
    );
}

mod duplicate_ids {
    use super::*;

    #[test]
    fn two_nodes_with_one_id() {
        let process = Flows::new().start("s").task("t").task("t").end("e").chain(&["s", "t", "e"]).into_process("p");
        let problems = validate(&definitions("d", [process]), &ValidationOptions::default());
        let duplicates: Vec<_> = problems.iter().filter(|p| p.code == Code::DuplicateId).collect();
        assert_eq!(duplicates.len(), 1, "{problems:?}");
        assert!(duplicates[0].message.contains("the task reuses the id `t` of the task"), "{}", duplicates[0]);
    }

    #[test]
    fn ids_of_flows_messages_and_processes_share_one_space() {
        let process = Flows::new().start("s").end("e").flow("s", "s", "e").into_process("p");
        let mut model = definitions("d", [process]);
        model.root_elements.push(RootElement::Message(Message { common: Common::new("p"), item_ref: None }));
        let found = found(&model, &ValidationOptions::default());
        // The message comes after the process, so its clash is reported after the flow's.
        assert_eq!(found, [("duplicate-id", "s".to_owned()), ("duplicate-id", "p".to_owned())]);
    }

    #[test]
    fn diagram_shapes_share_the_space_but_vendor_extensions_do_not() {
        let mut process = valid_process();
        let vendor = XmlElement {
            attributes: vec![bpmn::model::Attribute { name: QName::local("id"), value: "start".into() }],
            ..XmlElement::new(QName::new("http://vendor.example/schema", "meta"))
        };
        process.common.extras.children.push(vendor);
        let mut model = definitions("d", [process]);
        let shape = Shape { id: Some("prepare".into()), bpmn_element: Some("prepare".into()), ..Shape::default() };
        let ok_shape = Shape { id: Some("prepare_di".into()), ..Shape::default() };
        let mut diagram = Diagram::default();
        diagram.plane.elements = vec![DiagramElement::Shape(ok_shape), DiagramElement::Shape(shape)];
        model.diagrams.push(diagram);
        let options = ValidationOptions::with_known_processes(["billing"]);
        assert_eq!(found(&model, &options), expect("duplicate-id", "prepare"));
    }
}

mod start_events {
    use super::*;

    #[test]
    fn a_process_without_start_event() {
        let process = Flows::new().task("t").end("e").chain(&["t", "e"]).into_process("p");
        assert_eq!(found_in(process), expect("no-start-event", "p"));
    }

    #[test]
    fn a_process_without_start_event_is_not_also_reported_as_unreachable() {
        let handler = Flows::new().start_with("m", message()).end("x").chain(&["m", "x"]);
        let process =
            Flows::new().task("t").end("e").chain(&["t", "e"]).event_sub_process("esp", handler).into_process("p");
        assert_eq!(found_in(process), expect("no-start-event", "p"));
    }

    #[test]
    fn an_empty_executable_process_needs_a_start_but_an_empty_pool_does_not() {
        assert_eq!(found_in(Flows::new().into_process("p")), expect("no-start-event", "p"));
        let pool = Process { is_executable: Some(false), ..Flows::new().into_process("partner") };
        assert_eq!(found_in(pool), []);
    }

    #[test]
    fn a_process_may_start_on_a_message_only() {
        let process = Flows::new().start_with("s", message()).end("e").chain(&["s", "e"]).into_process("p");
        assert_eq!(found_in(process), []);
    }

    #[test]
    fn a_process_may_have_only_one_none_start_event() {
        let process = Flows::new()
            .start("s1")
            .start("s2")
            .start_with("s3", timer())
            .end("e")
            .chain(&["s1", "e"])
            .into_process("p");
        let problems = found_in(process.clone());
        assert_eq!(problems[..1], expect("too-many-start-events", "s2"));
        // The timer start beside one none start is fine (s2 and s3 are dead ends of their own).
        assert!(!problems.contains(&("too-many-start-events", "s3".to_owned())));
    }

    #[test]
    fn an_embedded_sub_process_needs_a_none_start_event() {
        let inner = Flows::new().start_with("inner", message()).end("inner-end").chain(&["inner", "inner-end"]);
        let process = Flows::new().start("s").sub_process("sub", inner).chain(&["s", "sub"]).into_process("p");
        assert_eq!(found_in(process), expect("no-start-event", "sub"));
    }

    #[test]
    fn an_embedded_sub_process_has_exactly_one_start_event() {
        let inner = Flows::new().start("a").start("b").end("x").chain(&["a", "x"]).chain(&["b", "x"]);
        let process = Flows::new().start("s").sub_process("sub", inner).chain(&["s", "sub"]).into_process("p");
        assert_eq!(found_in(process), expect("too-many-start-events", "b"));
    }

    #[test]
    fn an_event_sub_process_needs_exactly_one_triggered_start() {
        let empty = Flows::new().task("t");
        let untriggered = Flows::new().start("plain").end("x").chain(&["plain", "x"]);
        let two = Flows::new()
            .start_with("m", message())
            .start_with("t2", timer())
            .end("y")
            .chain(&["m", "y"])
            .chain(&["t2", "y"]);
        let process = Flows::new()
            .start("s")
            .end("e")
            .chain(&["s", "e"])
            .event_sub_process("esp-empty", empty)
            .event_sub_process("esp-plain", untriggered)
            .event_sub_process("esp-two", two)
            .into_process("p");
        assert_eq!(
            found_in(process),
            [
                ("no-start-event", "esp-empty".to_owned()),
                ("untriggered-event-start", "plain".to_owned()),
                ("too-many-start-events", "t2".to_owned()),
            ]
        );
    }

    #[test]
    fn an_ad_hoc_sub_process_needs_no_start_event() {
        let mut ad_hoc = SubProcess::new(SubProcessKind::AdHoc);
        ad_hoc.flow_elements = Flows::new().task("any").task("other").finish();
        let process = Flows::new()
            .start("s")
            .node(FlowNode::new("adhoc", FlowNodeKind::SubProcess(ad_hoc)))
            .chain(&["s", "adhoc"])
            .into_process("p");
        assert_eq!(found_in(process), []);
    }
}

mod reachability {
    use super::*;

    #[test]
    fn a_node_without_path_from_a_start_is_unreachable() {
        let process = Flows::new()
            .start("s")
            .end("e")
            .task("island")
            .end("island-end")
            .chain(&["s", "e"])
            .chain(&["island", "island-end"])
            .into_process("p");
        assert_eq!(
            found_in(process),
            [("unreachable-node", "island".to_owned()), ("unreachable-node", "island-end".to_owned())]
        );
    }

    #[test]
    fn boundary_events_of_an_unreachable_host_are_unreachable_too() {
        let process = Flows::new()
            .start("s")
            .end("e")
            .task("host")
            .boundary("b", "host", timer())
            .chain(&["s", "e"])
            .into_process("p");
        assert_eq!(found_in(process), [("unreachable-node", "host".to_owned()), ("unreachable-node", "b".to_owned())]);
    }

    #[test]
    fn compensation_handlers_are_entered_without_flows() {
        let mut handler = Task::new(TaskKind::Service);
        handler.activity = Activity { is_for_compensation: Some(true), ..Activity::default() };
        let process = Flows::new()
            .start("s")
            .end("e")
            .chain(&["s", "e"])
            .node(FlowNode::new("undo", FlowNodeKind::Task(handler)))
            .into_process("p");
        assert_eq!(found_in(process), []);
    }

    #[test]
    fn a_link_catch_whose_throw_is_missing_is_unreachable() {
        let link = |name: &str| Some(EventDefinitionKind::Link { name: Some(name.to_owned()) });
        let process = Flows::new()
            .start("s")
            .event("throw", EventKind::IntermediateThrow, link("A"))
            .event("catch", EventKind::IntermediateCatch, link("B"))
            .end("e")
            .chain(&["s", "throw"])
            .chain(&["catch", "e"])
            .into_process("p");
        assert_eq!(
            found_in(process),
            [
                ("unmatched-link", "throw".to_owned()),
                ("unreachable-node", "catch".to_owned()),
                ("unreachable-node", "e".to_owned()),
            ]
        );
    }
}

mod dead_ends {
    use super::*;

    #[test]
    fn a_loop_without_exit_is_reported_where_it_is_entered() {
        let process = Flows::new()
            .start("s")
            .gateway_with_default("choose", GatewayKind::Exclusive, "leave")
            .service_task("a", "work")
            .service_task("b", "work")
            .end("e")
            .chain(&["s", "choose"])
            .flow("leave", "choose", "e")
            .conditional_flow("enter", "choose", "a", "=loop")
            .chain(&["a", "b", "a"])
            .into_process("p");
        let problems = validate(&definitions("d", [process]), &ValidationOptions::default());
        let [problem] = problems.as_slice() else { panic!("expected one problem, got {problems:?}") };
        assert_eq!((problem.code, problem.element_id.as_str()), (Code::DeadEnd, "a"));
        assert!(problem.message.contains("(through `b`)"), "{problem}");
    }

    #[test]
    fn a_process_that_is_one_loop_is_a_dead_end_from_its_start() {
        let process = Flows::new()
            .start("s")
            .service_task("a", "work")
            .service_task("b", "work")
            .chain(&["s", "a", "b", "a"])
            .into_process("p");
        assert_eq!(found_in(process), expect("dead-end", "s"));
    }

    #[test]
    fn an_activity_without_outgoing_flow_is_an_implicit_end() {
        let process = Flows::new().start("s").task("last").chain(&["s", "last"]).into_process("p");
        assert_eq!(found_in(process), []);
    }

    #[test]
    fn a_boundary_event_is_a_way_out_of_a_loop() {
        let process = Flows::new()
            .start("s")
            .service_task("poll", "poll")
            .boundary("give-up", "poll", timer())
            .end("e")
            .chain(&["s", "poll", "poll"])
            .chain(&["give-up", "e"])
            .into_process("p");
        assert_eq!(found_in(process), []);
    }

    /// A process that runs `a` (already in `flows`) until `n < 3` no longer holds.
    fn round_through(flows: Flows) -> Process {
        flows
            .start("s")
            .gateway_with_default("again", GatewayKind::Exclusive, "leave")
            .end("e")
            .chain(&["s", "a", "again"])
            .conditional_flow("back", "again", "a", "=n < 3")
            .flow("leave", "again", "e")
            .into_process("p")
    }

    /// Jobs wait for their workers, so a loop through a service task is no straight-through loop.
    #[test]
    fn a_loop_of_jobs_with_an_exit_is_fine() {
        assert_eq!(found_in(round_through(Flows::new().service_task("a", "work"))), []);
    }

    /// Undefined tasks and gateways complete at once: the loop is refused at its first element,
    /// with the whole round named.
    #[test]
    fn a_loop_that_never_waits_is_refused_with_its_round() {
        let process = round_through(Flows::new().task("a"));
        let problems = validate(&definitions("d", [process]), &ValidationOptions::default());
        let [problem] = problems.as_slice() else { panic!("expected one problem, got {problems:?}") };
        assert_eq!((problem.code, problem.element_id.as_str()), (Code::StraightThroughLoop, "a"));
        assert!(problem.is_error(), "Zeebe refuses it: {problem}");
        assert!(problem.message.contains("(a > again > a)"), "{problem}");
    }
}

mod references {
    use super::*;

    #[test]
    fn flows_must_start_and_end_at_nodes_of_their_scope() {
        let inner = Flows::new().start("inner-start").end("inner-end").chain(&["inner-start", "inner-end"]);
        let process = Flows::new()
            .start("s")
            .sub_process("sub", inner)
            .end("e")
            .chain(&["s", "sub", "e"])
            .flow("no-source", "ghost", "e")
            .flow("crossing", "s", "inner-end")
            .into_process("p");
        let problems = validate(&definitions("d", [process]), &ValidationOptions::default());
        let found: Vec<_> = problems.iter().map(|p| (p.code.as_str(), p.element_id.as_str())).collect();
        assert_eq!(found, [("flow-source-missing", "no-source"), ("flow-target-missing", "crossing")]);
        assert!(problems[0].message.contains("`ghost`, which names no flow node"), "{}", problems[0]);
        assert!(problems[1].message.contains("inside `sub`, not `p`"), "{}", problems[1]);
    }

    #[test]
    fn a_default_flow_must_exist_and_leave_its_node() {
        let process = Flows::new()
            .start("s")
            .gateway_with_default("g1", GatewayKind::Exclusive, "nothing")
            .gateway_with_default("g2", GatewayKind::Exclusive, "f1")
            .end("e")
            .flow("f1", "s", "g1")
            .flow("f2", "g1", "g2")
            .flow("f3", "g2", "e")
            .into_process("p");
        assert_eq!(
            found_in(process),
            [("default-flow-missing", "g1".to_owned()), ("default-flow-not-outgoing", "g2".to_owned())]
        );
    }

    #[test]
    fn an_activity_default_flow_is_checked_too() {
        let mut task = Task::new(TaskKind::User);
        task.activity.default_flow = Some("gone".into());
        let process = Flows::new()
            .start("s")
            .node(FlowNode::new("t", FlowNodeKind::Task(task)))
            .chain(&["s", "t"])
            .into_process("p");
        assert_eq!(found_in(process), expect("default-flow-missing", "t"));
    }

    #[test]
    fn boundary_events_must_be_attached_to_an_activity_beside_them() {
        let process = Flows::new()
            .start("s")
            .end("e")
            .chain(&["s", "e"])
            .boundary("on-nothing", "ghost", timer())
            .boundary("on-event", "s", timer())
            .into_process("p");
        assert_eq!(
            found_in(process),
            [("boundary-host-missing", "on-nothing".to_owned()), ("boundary-host-not-activity", "on-event".to_owned())]
        );
    }
}

mod conditions {
    use super::*;

    fn branching(kind: GatewayKind) -> Flows {
        Flows::new().start("s").gateway("g", kind).end("a").end("b").chain(&["s", "g"])
    }

    #[test]
    fn conditions_only_leave_exclusive_and_inclusive_gateways() {
        let process = Flows::new()
            .start("s")
            .task("t")
            .gateway("fork", GatewayKind::Parallel)
            .end("e1")
            .end("e2")
            .chain(&["s", "t"])
            .conditional_flow("from-task", "t", "fork", "=ok")
            .conditional_flow("from-fork", "fork", "e1", "=ok")
            .flow("plain", "fork", "e2")
            .into_process("p");
        assert_eq!(
            found_in(process),
            [("condition-not-allowed", "from-task".to_owned()), ("condition-not-allowed", "from-fork".to_owned())]
        );
    }

    #[test]
    fn branching_flows_need_a_condition_unless_default() {
        let process = branching(GatewayKind::Exclusive)
            .conditional_flow("yes", "g", "a", "=ok")
            .flow("no", "g", "b")
            .into_process("p");
        assert_eq!(found_in(process), expect("condition-missing", "no"));
    }

    #[test]
    fn one_unconditioned_flow_is_always_taken() {
        let process = branching(GatewayKind::Exclusive).flow("only", "g", "a").chain(&["b"]).into_process("p");
        // `b` is unreachable but the gateway itself is fine.
        assert_eq!(found_in(process), expect("unreachable-node", "b"));
    }

    #[test]
    fn all_conditional_without_default_may_get_stuck() {
        for kind in [GatewayKind::Exclusive, GatewayKind::Inclusive] {
            let process = branching(kind)
                .conditional_flow("yes", "g", "a", "=x > 1")
                .conditional_flow("no", "g", "b", "=x < 1")
                .into_process("p");
            assert_eq!(found_in(process), expect("gateway-may-get-stuck", "g"));
        }
        let single = branching(GatewayKind::Exclusive).conditional_flow("if", "g", "a", "=ok").chain(&["b"]);
        assert!(found_in(single.into_process("p")).contains(&("gateway-may-get-stuck", "g".to_owned())));
    }

    #[test]
    fn a_default_flow_keeps_the_gateway_moving() {
        let process = Flows::new()
            .start("s")
            .gateway_with_default("g", GatewayKind::Inclusive, "else")
            .end("a")
            .end("b")
            .chain(&["s", "g"])
            .conditional_flow("yes", "g", "a", "=ok")
            .flow("else", "g", "b")
            .into_process("p");
        assert_eq!(found_in(process), []);
    }
}

mod call_activities {
    use super::*;

    fn calling(process_id: &str) -> Definitions {
        let caller = Flows::new()
            .start("s")
            .call_activity("call", process_id)
            .end("e")
            .chain(&["s", "call", "e"])
            .into_process("p");
        let sibling = Flows::new().start("s2").end("e2").chain(&["s2", "e2"]).into_process("sibling");
        definitions("d", [caller, sibling])
    }

    #[test]
    fn a_static_process_id_must_be_known() {
        let options = ValidationOptions::with_known_processes(["billing"]);
        assert_eq!(found(&calling("shipping"), &options), expect("unknown-called-process", "call"));
        assert_eq!(found(&calling("billing"), &options), []);
        assert_eq!(found(&calling("sibling"), &options), [], "processes of the same definitions are known");
        assert_eq!(found(&calling("=target"), &options), [], "expressions are resolved at run time");
        assert_eq!(found(&calling("shipping"), &ValidationOptions::default()), [], "no known set: no check");
    }

    #[test]
    fn a_call_activity_must_name_its_process() {
        let plain = FlowNodeKind::CallActivity(bpmn::model::CallActivity {
            called_element: Some("legacy".into()),
            ..Default::default()
        });
        let process = Flows::new()
            .start("s")
            .call_activity("blank", "  ")
            .node(FlowNode::new("plain", plain))
            .end("e")
            .chain(&["s", "blank", "plain", "e"])
            .into_process("p");
        let problems = validate(&definitions("d", [process]), &ValidationOptions::default());
        let found: Vec<_> = problems.iter().map(|p| (p.code, p.element_id.as_str())).collect();
        assert_eq!(found, [(Code::CalledElementMissing, "blank"), (Code::CalledElementMissing, "plain")]);
        assert!(problems[1].message.contains("plain calledElement `legacy` is ignored"), "{}", problems[1]);
    }
}

mod element_kinds {
    use super::*;

    fn link(name: Option<&str>) -> Option<EventDefinitionKind> {
        Some(EventDefinitionKind::Link { name: name.map(str::to_owned) })
    }

    #[test]
    fn start_and_boundary_events_and_event_sub_processes_take_no_incoming_flow() {
        let handler = Flows::new().start_with("m", message()).end("x").chain(&["m", "x"]);
        let process = Flows::new()
            .start("s")
            .task("t")
            .boundary("b", "t", timer())
            .event_sub_process("esp", handler)
            .end("e")
            .chain(&["s", "t", "e"])
            .flow("into-start", "t", "s")
            .flow("into-boundary", "t", "b")
            .flow("into-esp", "t", "esp")
            .into_process("p");
        let problems = validate(&definitions("d", [process]), &ValidationOptions::default());
        let found: Vec<_> = problems.iter().map(|p| (p.code.as_str(), p.element_id.as_str())).collect();
        assert_eq!(
            found,
            [("unexpected-incoming-flow", "s"), ("unexpected-incoming-flow", "b"), ("unexpected-incoming-flow", "esp"),]
        );
        assert!(problems[0].message.contains("point `into-start` at the element after it"), "{}", problems[0]);
    }

    #[test]
    fn end_events_and_event_sub_processes_take_no_outgoing_flow() {
        let handler = Flows::new().start_with("m", message()).end("x").chain(&["m", "x"]);
        let process = Flows::new()
            .start("s")
            .end("e")
            .task("after")
            .event_sub_process("esp", handler)
            .chain(&["s", "e", "after"])
            .flow("out-of-esp", "esp", "after")
            .into_process("p");
        assert_eq!(
            found_in(process),
            [("unexpected-outgoing-flow", "e".to_owned()), ("unexpected-outgoing-flow", "esp".to_owned())]
        );
    }

    #[test]
    fn an_event_gateway_waits_for_two_or_more_catch_events() {
        let catch = |id: &str, definition| (id.to_owned(), EventKind::IntermediateCatch, Some(definition));
        let good = Flows::new()
            .start("s")
            .gateway("wait", GatewayKind::EventBased { instantiate: None, event_gateway_type: None })
            .end("e")
            .chain(&["s", "wait"]);
        let with_targets = |flows: Flows, targets: Vec<(String, EventKind, Option<EventDefinitionKind>)>| {
            targets.into_iter().fold(flows, |flows, (id, kind, definition)| {
                flows.event(&id, kind, definition).chain(&["wait", &id]).chain(&[&id, "e"])
            })
        };
        let valid = with_targets(good.clone(), vec![catch("paid", message()), catch("late", timer())]);
        assert_eq!(found_in(valid.into_process("p")), []);

        let lonely = with_targets(good.clone(), vec![catch("paid", message())]);
        assert_eq!(found_in(lonely.into_process("p")), expect("invalid-event-gateway", "wait"));

        let wrong = with_targets(good, vec![catch("paid", message())]).task("work").chain(&["wait", "work", "e"]);
        let problems = validate(&definitions("d", [wrong.into_process("p")]), &ValidationOptions::default());
        let [problem] = problems.as_slice() else { panic!("expected one problem, got {problems:?}") };
        assert_eq!(problem.code, Code::InvalidEventGateway);
        assert!(problem.message.contains("leads to `work`, a task"), "{problem}");
    }

    #[test]
    fn link_events_pair_by_name() {
        let process = Flows::new()
            .start("s")
            .event("nameless", EventKind::IntermediateThrow, link(None))
            .event("c1", EventKind::IntermediateCatch, link(Some("A")))
            .event("c2", EventKind::IntermediateCatch, link(Some("A")))
            .end("e")
            .chain(&["s", "nameless"])
            .chain(&["c1", "e"])
            .chain(&["c2", "e"])
            .into_process("p");
        let links: Vec<_> = found_in(process).into_iter().filter(|(code, _)| *code == "unmatched-link").collect();
        assert_eq!(
            links,
            [
                ("unmatched-link", "nameless".to_owned()),
                ("unmatched-link", "c1".to_owned()),
                ("unmatched-link", "c2".to_owned()),
            ]
        );
    }
}
