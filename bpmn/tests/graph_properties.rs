//! Properties over arbitrary (mostly broken) models: the graph view and validation never panic,
//! and ranks always respect the sequence flows that are not back edges.

use bpmn::build::{Flows, definitions};
use bpmn::graph::{ProcessGraph, ValidationOptions, validate};
use bpmn::model::{EventDefinitionKind, EventKind, GatewayKind, Process};
use proptest::prelude::*;

/// A node: its kind selector and a reference (boundary host or default flow) selector.
type NodeSpec = (u8, usize);
/// A flow: source selector, target selector, conditional or not.
type FlowSpec = (usize, usize, bool);

/// The id `selector` picks: one of the scope's nodes or flows, a missing id, or an empty one.
fn pick(prefix: &str, selector: usize, count: usize) -> String {
    match selector.checked_sub(count) {
        None => format!("{prefix}{selector}"),
        Some(0) => "ghost".to_owned(),
        Some(_) => String::new(),
    }
}

fn content(prefix: &str, nodes: &[NodeSpec], flows: &[FlowSpec], inner: Option<Flows>) -> Flows {
    let mut built = Flows::new();
    let mut inner = inner;
    for (index, &(kind, reference)) in nodes.iter().enumerate() {
        let id = format!("{prefix}{index}");
        let flow_ref = format!("{prefix}f{}", reference % flows.len().max(1));
        built = match kind {
            0 => built.start(&id),
            1 => built.end(&id),
            2 => built.task(&id),
            3 => built.gateway_with_default(&id, GatewayKind::Exclusive, &flow_ref),
            4 => built.gateway(&id, GatewayKind::Parallel),
            5 => built.boundary(
                &id,
                &pick(prefix, reference, nodes.len()),
                EventDefinitionKind::Timer { time_date: None, time_duration: None, time_cycle: None },
            ),
            6 => built.event(&id, EventKind::IntermediateThrow, Some(EventDefinitionKind::Link { name: None })),
            7 => match inner.take() {
                Some(flows) => built.sub_process(&id, flows),
                None => built.event_sub_process(&id, Flows::new()),
            },
            _ => built.call_activity(&id, &pick("proc", reference, 2)),
        };
    }
    for (index, &(source, target, conditional)) in flows.iter().enumerate() {
        let id = format!("{prefix}f{index}");
        let (source, target) = (pick(prefix, source, nodes.len()), pick(prefix, target, nodes.len()));
        built = if conditional {
            built.conditional_flow(&id, &source, &target, "=x")
        } else {
            built.flow(&id, &source, &target)
        };
    }
    built
}

fn scope_specs() -> impl Strategy<Value = (Vec<NodeSpec>, Vec<FlowSpec>)> {
    (
        prop::collection::vec((0u8..9, 0usize..14), 0..12),
        prop::collection::vec((0usize..14, 0usize..14, any::<bool>()), 0..20),
    )
}

fn arbitrary_process() -> impl Strategy<Value = Process> {
    (scope_specs(), scope_specs()).prop_map(|((nodes, flows), (inner_nodes, inner_flows))| {
        let inner = content("i", &inner_nodes, &inner_flows, None);
        content("n", &nodes, &flows, Some(inner)).into_process("p")
    })
}

proptest! {
    #[test]
    fn ranks_grow_along_every_flow_that_is_not_a_back_edge(process in arbitrary_process()) {
        let graph = ProcessGraph::new(&process);
        for scope in graph.scopes() {
            let back: Vec<&str> = scope.back_edges().map(|f| f.common.id.as_str()).collect();
            for flow in scope.flows() {
                let (Some(source), Some(target)) = (scope.rank(&flow.source_ref), scope.rank(&flow.target_ref)) else {
                    continue;
                };
                if back.contains(&flow.common.id.as_str()) {
                    prop_assert!(target <= source, "back edge {} must point backwards", flow.common.id);
                } else {
                    prop_assert!(target > source, "flow {} goes from rank {} to {}", flow.common.id, source, target);
                }
            }
        }
    }

    #[test]
    fn validation_reports_in_a_stable_order_and_never_panics(process in arbitrary_process()) {
        let model = definitions("d", [process]);
        let options = ValidationOptions::with_known_processes(["proc0"]);
        let first = validate(&model, &options);
        prop_assert_eq!(&first, &validate(&model, &options));
        for problem in &first {
            let tag = format!("[{}]", problem.element_id);
            prop_assert!(problem.to_string().contains(&tag));
        }
    }
}
