//! The graph view: scopes, adjacency, boundary attachments, ranks and back edges.

use bpmn::build::Flows;
use bpmn::graph::{ProcessGraph, ScopeKind};
use bpmn::model::{EventDefinitionKind, EventKind, FlowNode, GatewayKind, Process};

fn ids<'a>(nodes: impl Iterator<Item = &'a FlowNode>) -> Vec<&'a str> {
    nodes.map(FlowNode::id).collect()
}

fn timer() -> EventDefinitionKind {
    EventDefinitionKind::Timer { time_date: None, time_duration: None, time_cycle: None }
}

fn link(name: &str) -> Option<EventDefinitionKind> {
    Some(EventDefinitionKind::Link { name: Some(name.to_owned()) })
}

/// start → check → (loop back to work | end), with a timer boundary on `work`.
fn looping() -> Process {
    Flows::new()
        .start("start")
        .task("work")
        .gateway_with_default("check", GatewayKind::Exclusive, "done")
        .end("end")
        .boundary("timeout", "work", timer())
        .end("timed-out")
        .flow("f1", "start", "work")
        .flow("f2", "work", "check")
        .conditional_flow("again", "check", "work", "=retry")
        .flow("done", "check", "end")
        .flow("f3", "timeout", "timed-out")
        .into_process("p")
}

#[test]
fn adjacency_follows_sequence_flows_in_document_order() {
    let process = looping();
    let graph = ProcessGraph::new(&process);
    let scope = graph.root();
    assert_eq!(ids(scope.successors("check")), ["work", "end"]);
    assert_eq!(ids(scope.predecessors("work")), ["start", "check"]);
    let outgoing: Vec<_> = scope.outgoing("check").map(|f| f.common.id.as_str()).collect();
    assert_eq!(outgoing, ["again", "done"]);
    let incoming: Vec<_> = scope.incoming("end").map(|f| f.common.id.as_str()).collect();
    assert_eq!(incoming, ["done"]);
    assert_eq!(ids(scope.start_events()), ["start"]);
    assert_eq!(scope.successors("nowhere").count(), 0);
    assert_eq!(scope.flow("again").map(|f| f.target_ref.as_str()), Some("work"));
    assert!(scope.flow("work").is_none(), "nodes are not flows");
}

#[test]
fn boundary_events_hang_off_their_host_and_share_its_rank() {
    let process = looping();
    let graph = ProcessGraph::new(&process);
    let scope = graph.root();
    assert_eq!(ids(scope.boundary_events("work")), ["timeout"]);
    assert_eq!(scope.host("timeout").map(FlowNode::id), Some("work"));
    assert_eq!(scope.host("work"), None);
    assert_eq!(scope.rank("timeout"), scope.rank("work"));
    assert_eq!(scope.rank("timed-out"), scope.rank("work").map(|r| r + 1));
}

#[test]
fn loops_are_found_from_the_start_and_ignored_by_the_ranks() {
    let process = looping();
    let graph = ProcessGraph::new(&process);
    let scope = graph.root();
    let back: Vec<_> = scope.back_edges().map(|f| f.common.id.as_str()).collect();
    assert_eq!(back, ["again"]);
    let ranks: Vec<_> = ["start", "work", "check", "end"].iter().map(|id| scope.rank(id)).collect();
    assert_eq!(ranks, [Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(scope.rank("missing"), None);
}

#[test]
fn ranks_take_the_longest_path() {
    // start → a → b → join and start → join: the join comes after b, not right after start.
    let process = Flows::new()
        .start("start")
        .gateway("fork", GatewayKind::Parallel)
        .task("a")
        .task("b")
        .gateway("join", GatewayKind::Parallel)
        .chain(&["start", "fork", "a", "b", "join"])
        .flow("short", "fork", "join")
        .into_process("p");
    let graph = ProcessGraph::new(&process);
    assert_eq!(graph.root().rank("join"), Some(4));
    assert_eq!(graph.root().back_edges().count(), 0);
}

#[test]
fn self_loops_are_back_edges() {
    let process = Flows::new().start("s").task("t").flow("f", "s", "t").flow("self", "t", "t").into_process("p");
    let graph = ProcessGraph::new(&process);
    let back: Vec<_> = graph.root().back_edges().map(|f| f.common.id.as_str()).collect();
    assert_eq!(back, ["self"]);
    assert_eq!(graph.root().rank("t"), Some(1));
}

#[test]
fn sub_processes_are_scopes_with_a_parent() {
    let inner = Flows::new().start("inner-start").task("inner-task").chain(&["inner-start", "inner-task"]);
    let handler = Flows::new().start_with("on-timer", timer()).end("handled").chain(&["on-timer", "handled"]);
    let process = Flows::new()
        .start("s")
        .sub_process("sub", inner)
        .event_sub_process("esp", handler)
        .chain(&["s", "sub"])
        .into_process("p");
    let graph = ProcessGraph::new(&process);

    let scopes: Vec<_> = graph.scopes().map(|s| (s.id(), s.kind())).collect();
    assert_eq!(
        scopes,
        [("p", ScopeKind::Process), ("sub", ScopeKind::SubProcess), ("esp", ScopeKind::EventSubProcess)]
    );
    let sub = graph.scope("sub").expect("sub-process scope");
    assert_eq!(graph.parent(sub).map(|s| s.id()), Some("p"));
    assert_eq!(sub.owner().map(FlowNode::id), Some("sub"));
    assert_eq!(graph.parent(graph.root()).map(|s| s.id()), None);
    let children: Vec<_> = graph.children(graph.root()).map(|s| s.id()).collect();
    assert_eq!(children, ["sub", "esp"]);

    assert_eq!(graph.node("inner-task").map(FlowNode::id), Some("inner-task"));
    assert_eq!(graph.scope_of("inner-task").map(|s| s.id()), Some("sub"));
    assert_eq!(graph.scope_of("sub").map(|s| s.id()), Some("p"));
    assert_eq!(ids(graph.root().nodes()), ["s", "sub", "esp"]);
    assert!(graph.root().node("inner-task").is_none(), "a scope holds only its own nodes");
    assert_eq!(ids(graph.scope("esp").expect("esp").start_events()), ["on-timer"]);
}

#[test]
fn dangling_flows_are_kept_but_are_not_edges() {
    let process = Flows::new().start("s").flow("f", "s", "ghost").flow("g", "", "s").into_process("p");
    let graph = ProcessGraph::new(&process);
    let scope = graph.root();
    assert_eq!(scope.flows().count(), 2);
    assert_eq!(scope.outgoing("s").count(), 0);
    assert_eq!(scope.incoming("s").count(), 0);
    assert_eq!(scope.rank("s"), Some(0));
}

#[test]
fn link_events_order_the_catch_after_the_throw() {
    let process = Flows::new()
        .start("s")
        .event("to-b", EventKind::IntermediateThrow, link("B"))
        .event("from-b", EventKind::IntermediateCatch, link("B"))
        .end("e")
        .chain(&["s", "to-b"])
        .chain(&["from-b", "e"])
        .into_process("p");
    let graph = ProcessGraph::new(&process);
    assert_eq!(graph.root().rank("from-b"), Some(2));
    assert_eq!(graph.root().successors("to-b").count(), 0, "a link jump is not a sequence flow");
}

#[test]
fn an_empty_process_has_one_empty_scope() {
    let process = Flows::new().into_process("empty");
    let graph = ProcessGraph::new(&process);
    assert_eq!(graph.scopes().count(), 1);
    assert_eq!(graph.root().nodes().count(), 0);
    assert_eq!(graph.root().back_edges().count(), 0);
    assert!(graph.node("x").is_none());
}

#[test]
fn a_very_long_chain_does_not_exhaust_the_stack() {
    let ids: Vec<String> = (0..20_000).map(|i| format!("t{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut flows = Flows::new().start("t0");
    for id in refs.iter().skip(1) {
        flows = flows.task(id);
    }
    let process = flows.chain(&refs).flow("back", "t19999", "t0").into_process("p");
    let graph = ProcessGraph::new(&process);
    assert_eq!(graph.root().rank("t19999"), Some(19_999));
    assert_eq!(graph.root().back_edges().count(), 1);
}
