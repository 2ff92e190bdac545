//! Layout tests: models built in code, checked against the geometric rules a diagram must keep.

mod invariants;
mod models;

use invariants::{assert_well_drawn, diagram_of, edge_of, shape_of};
use models::{Shorthands, error, model, name, timer, with_collaboration};

use super::layout;
use crate::build::Flows;
use crate::model::{Bounds, Definitions, Diagram, Plane, Point};

fn laid_out(mut defs: Definitions) -> Definitions {
    layout(&mut defs);
    assert_well_drawn(&defs);
    defs
}

fn center(b: &Bounds) -> Point {
    b.center()
}

fn bottom_of(defs: &Definitions, ids: &[&str]) -> f64 {
    ids.iter().map(|id| shape_of(defs, id).bounds).map(|b| b.y + b.height).fold(0.0, f64::max)
}

fn contains(outer: &Bounds, inner: &Bounds) -> bool {
    outer.x <= inner.x
        && outer.y <= inner.y
        && inner.x + inner.width <= outer.x + outer.width
        && inner.y + inner.height <= outer.y + outer.height
}

#[test]
fn a_straight_line_stays_on_one_horizontal_line() {
    let ids = ["S", "A", "B", "C", "E"];
    let flows = Flows::new().start("S").task("A").service_task("B", "work").call_activity("C", "other").end("E");
    let defs = laid_out(model(flows.chain(&ids)));
    let ys: Vec<f64> = ids.iter().map(|id| center(&shape_of(&defs, id).bounds).y).collect();
    assert!(ys.iter().all(|&y| y == ys[0]), "centres {ys:?}");
    let xs: Vec<f64> = ids.iter().map(|id| shape_of(&defs, id).bounds.x).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "left edges {xs:?}");
    assert_eq!((shape_of(&defs, "S").bounds.width, shape_of(&defs, "S").bounds.height), (36.0, 36.0));
    assert_eq!((shape_of(&defs, "A").bounds.width, shape_of(&defs, "A").bounds.height), (100.0, 80.0));
    assert_eq!(shape_of(&defs, "C").bounds.width, 100.0, "call activities are task-sized");
    for pair in ids.windows(2) {
        let flow = format!("Flow_{}_{}", pair[0], pair[1]);
        assert_eq!(edge_of(&defs, &flow).waypoints.len(), 2, "{flow} is one straight segment");
    }
    let gap = shape_of(&defs, "B").bounds.x - (shape_of(&defs, "A").bounds.x + 100.0);
    assert!((40.0..=70.0).contains(&gap), "gap between tasks {gap}");
}

#[test]
fn a_fork_with_eight_branches_stacks_them_and_joins_on_the_main_line() {
    let mut flows = Flows::new().start("S").and("Fork").and("Join").end("E").chain(&["S", "Fork"]);
    for i in 0..8 {
        let task = format!("T{i}");
        flows = flows.task(&task).chain(&["Fork", &task, "Join"]);
    }
    let defs = laid_out(model(flows.chain(&["Join", "E"])));
    let fork = shape_of(&defs, "Fork").bounds;
    let join = shape_of(&defs, "Join").bounds;
    assert_eq!((fork.width, fork.height), (50.0, 50.0));
    assert_eq!(center(&fork).y, center(&join).y, "fork and join share the main line");
    let tasks: Vec<Bounds> = (0..8).map(|i| shape_of(&defs, &format!("T{i}")).bounds).collect();
    assert_eq!(center(&tasks[0]).y, center(&fork).y, "the first branch is straight");
    assert!(tasks.windows(2).all(|w| w[0].x == w[1].x && w[0].y < w[1].y), "branches stack in one column");
    let to_second = &edge_of(&defs, "Flow_Fork_T1").waypoints;
    assert_eq!(to_second[0], Point { x: center(&fork).x, y: fork.y + fork.height }, "forks leave at the bottom");
    let from_second = &edge_of(&defs, "Flow_T1_Join").waypoints;
    let last = from_second[from_second.len() - 1];
    assert_eq!(last, Point { x: center(&join).x, y: join.y + join.height }, "joins enter at the bottom");
}

#[test]
fn an_exclusive_split_with_default_shows_its_marker_and_labels() {
    let flows = Flows::new()
        .start("S")
        .gateway_with_default("Split", crate::model::GatewayKind::Exclusive, "Flow_Split_No")
        .task("Yes")
        .task("No")
        .xor("Merge")
        .end("E")
        .chain(&["S", "Split", "Yes", "Merge", "E"])
        .chain(&["Split", "No", "Merge"]);
    let mut defs = model(flows);
    for (id, text) in [("Split", "Approved?"), ("S", "Request received"), ("E", "Done"), ("Flow_Split_Yes", "yes")] {
        name(&mut defs, id, text);
    }
    let defs = laid_out(defs);
    let split = shape_of(&defs, "Split");
    assert_eq!(split.is_marker_visible, Some(true));
    assert_eq!(shape_of(&defs, "Merge").is_marker_visible, Some(true));
    let label = split.label.as_ref().and_then(|l| l.bounds).expect("the named gateway has a label");
    assert!(label.y >= split.bounds.y + split.bounds.height, "the label is below the gateway");
    assert!(label.x > center(&split.bounds).x, "and right of the branch leaving its bottom: {label:?}");
    let merge = shape_of(&defs, "S").label.as_ref().and_then(|l| l.bounds).expect("the start event has a label");
    assert!(merge.x < center(&shape_of(&defs, "S").bounds).x, "labels without an edge below stay centred");
    assert!(shape_of(&defs, "E").label.is_some(), "named events have labels");
    assert!(shape_of(&defs, "Yes").label.is_none(), "tasks show their name inside");
    assert!(edge_of(&defs, "Flow_Split_Yes").label.is_some(), "named flows have labels");
    assert_eq!(center(&shape_of(&defs, "Yes").bounds).y, center(&split.bounds).y);
    assert!(shape_of(&defs, "No").bounds.y > shape_of(&defs, "Yes").bounds.y, "the default branch goes below");
}

#[test]
fn a_loop_runs_below_what_it_spans_from_bottom_to_bottom() {
    let main = ["S", "Again", "Work", "Check", "Done", "E"];
    let flows = Flows::new().start("S").xor("Again").task("Work").task("Check").xor("Done").end("E");
    let defs = laid_out(model(flows.chain(&main).link("Done", "Again")));
    let back = &edge_of(&defs, "Flow_Done_Again").waypoints;
    let (source, target) = (shape_of(&defs, "Done").bounds, shape_of(&defs, "Again").bounds);
    assert_eq!(back[0], Point { x: center(&source).x, y: source.y + source.height }, "leaves at the bottom");
    let last = back[back.len() - 1];
    assert_eq!(last, Point { x: center(&target).x, y: target.y + target.height }, "enters at the bottom");
    let lowest_point = back.iter().map(|p| p.y).fold(0.0, f64::max);
    assert!(lowest_point > bottom_of(&defs, &["Again", "Work", "Check", "Done"]), "passes below what it spans");
    let ys: Vec<f64> = main.iter().map(|id| center(&shape_of(&defs, id).bounds).y).collect();
    assert!(ys.iter().all(|&y| y == ys[0]), "the loop keeps the main line straight");
}

#[test]
fn boundary_events_sit_on_the_bottom_border_and_their_flows_go_down_then_right() {
    let flows = Flows::new()
        .start("S")
        .task("Work")
        .end("E")
        .boundary("Late", "Work", timer())
        .boundary("Failed", "Work", error())
        .task("Remind")
        .end("E2")
        .task("Repair")
        .end("E3")
        .chain(&["S", "Work", "E"])
        .chain(&["Late", "Remind", "E2"])
        .chain(&["Failed", "Repair", "E3"]);
    let mut defs = model(flows);
    name(&mut defs, "Late", "2 hours");
    let defs = laid_out(defs);
    let host = shape_of(&defs, "Work").bounds;
    let mut xs = Vec::new();
    for (id, next) in [("Late", "Remind"), ("Failed", "Repair")] {
        let b = shape_of(&defs, id).bounds;
        assert_eq!(center(&b).y, host.y + host.height, "{id} is centred on the bottom border");
        assert!(b.x >= host.x && b.x + b.width <= host.x + host.width, "{id} lies within the host's width");
        xs.push(b.x);
        let out = &edge_of(&defs, &format!("Flow_{id}_{next}")).waypoints;
        assert!(out[0].x == out[1].x && out[1].y > out[0].y, "{id}'s flow goes down first: {out:?}");
        assert!(out[out.len() - 1].x > out[0].x, "then right");
    }
    assert!((xs[0] - xs[1]).abs() >= 36.0, "boundary events are spread out: {xs:?}");
}

#[test]
fn a_task_with_many_boundary_events_grows_so_they_do_not_overlap() {
    let mut flows = Flows::new().start("S").task("Work").end("E").chain(&["S", "Work", "E"]);
    for i in 0..4 {
        flows = flows.boundary(&format!("B{i}"), "Work", timer());
    }
    let defs = laid_out(model(flows));
    assert!(shape_of(&defs, "Work").bounds.width > 100.0);
}

#[test]
fn nested_sub_processes_are_expanded_boxes_around_their_content() {
    let inner = Flows::new().start("IS").task("IT").end("IE").chain(&["IS", "IT", "IE"]);
    let middle = Flows::new().start("MS").sub_process("Inner", inner).task("MT").end("ME");
    let outer = middle.chain(&["MS", "Inner", "MT", "ME"]);
    let flows = Flows::new().start("S").sub_process("Outer", outer).end("E").chain(&["S", "Outer", "E"]);
    let defs = laid_out(model(flows));
    let outer_box = shape_of(&defs, "Outer");
    let inner_box = shape_of(&defs, "Inner");
    assert_eq!(outer_box.is_expanded, Some(true));
    assert_eq!(inner_box.is_expanded, Some(true));
    assert!(contains(&outer_box.bounds, &inner_box.bounds));
    for id in ["IS", "IT", "IE"] {
        assert!(contains(&inner_box.bounds, &shape_of(&defs, id).bounds), "{id} inside Inner");
    }
    assert_eq!(center(&outer_box.bounds).y, center(&shape_of(&defs, "S").bounds).y, "the box sits on the main line");
}

#[test]
fn event_sub_processes_sit_below_the_flow_unconnected() {
    let handler = Flows::new().start_with("ES", error()).task("Notify").end("EE").chain(&["ES", "Notify", "EE"]);
    let sla = Flows::new().timer_start("TS").task("Escalate").end("TE").chain(&["TS", "Escalate", "TE"]);
    let flows = Flows::new()
        .start("S")
        .task("Work")
        .end("E")
        .chain(&["S", "Work", "E"])
        .event_sub_process("OnError", handler)
        .event_sub_process("Sla", sla);
    let defs = laid_out(model(flows));
    let flow_bottom = bottom_of(&defs, &["S", "Work", "E"]);
    let on_error = shape_of(&defs, "OnError");
    let sla_box = shape_of(&defs, "Sla");
    assert_eq!(on_error.is_expanded, Some(true));
    assert!(on_error.bounds.y > flow_bottom && sla_box.bounds.y > flow_bottom);
    assert!(!on_error.bounds.overlaps(&sla_box.bounds));
    assert!(contains(&on_error.bounds, &shape_of(&defs, "Notify").bounds));
}

#[test]
fn disconnected_pieces_are_stacked() {
    let flows = Flows::new()
        .start("S1")
        .task("A1")
        .end("E1")
        .chain(&["S1", "A1", "E1"])
        .start("S2")
        .task("A2")
        .task("B2")
        .end("E2")
        .chain(&["S2", "A2", "B2", "E2"])
        .task("Lonely");
    let defs = laid_out(model(flows));
    let first_bottom = bottom_of(&defs, &["S1", "A1", "E1"]);
    for id in ["S2", "A2", "B2", "E2", "Lonely"] {
        assert!(shape_of(&defs, id).bounds.y > first_bottom, "{id} is below the first piece");
    }
}

#[test]
fn a_compiled_workflow_is_drawn_cleanly_and_deterministically() {
    let defs = laid_out(models::compiled_workflow());
    let again = laid_out(models::compiled_workflow());
    assert_eq!(defs.diagrams, again.diagrams, "the layout is deterministic");
    assert_eq!(shape_of(&defs, "each").bounds.width, shape_of(&defs, "each").bounds.width.max(350.0));
    let main = ["Start", "init", "c1__split", "a", "c2__split", "b", "c2__join", "c1__join", "par", "w__loop"];
    let ys: Vec<f64> = main.iter().map(|id| center(&shape_of(&defs, id).bounds).y).collect();
    assert!(ys.iter().all(|&y| y == ys[0]), "the longest path is one line: {ys:?}");
}

#[test]
fn self_loops_and_cycles_without_start_are_drawn() {
    let flows = Flows::new().task("A").task("B").task("C").chain(&["A", "B", "C", "A"]).link("B", "B");
    laid_out(model(flows));
}

#[test]
fn flows_leaving_their_scope_are_not_drawn_and_do_not_break_the_layout() {
    let inner = Flows::new().start("IS").end("IE").chain(&["IS", "IE"]).link("IE", "Outside");
    let flows = Flows::new().start("S").sub_process("Sub", inner).end("Outside").chain(&["S", "Sub", "Outside"]);
    let mut defs = model(flows);
    layout(&mut defs);
    let drawn = diagram_of(&defs).plane.elements.len();
    assert_eq!(drawn, 5 + 3, "five shapes and the three flows inside their scopes");
    let crossing = diagram_of(&defs).plane.elements.iter().any(|e| match e {
        crate::model::DiagramElement::Edge(edge) => edge.bpmn_element.as_deref() == Some("Flow_IE_Outside"),
        _ => false,
    });
    assert!(!crossing, "the flow leaving the sub-process is not drawn");
}

#[test]
fn processes_already_drawn_and_non_executable_ones_are_left_alone() {
    let mut defs = model(Flows::new().start("S").end("E").chain(&["S", "E"]));
    let existing = Diagram {
        id: Some("Existing".into()),
        plane: Plane { bpmn_element: Some("Process_1".into()), ..Plane::default() },
        ..Diagram::default()
    };
    defs.diagrams.push(existing.clone());
    layout(&mut defs);
    assert_eq!(defs.diagrams, vec![existing]);

    let mut defs = model(Flows::new().start("S").end("E").chain(&["S", "E"]));
    for process in defs.processes_mut() {
        process.is_executable = Some(false);
    }
    layout(&mut defs);
    assert!(defs.diagrams.is_empty());
}

#[test]
fn a_collaboration_gets_pools_and_message_flows() {
    let flows = Flows::new().start("S").task("Ask").end("E").chain(&["S", "Ask", "E"]);
    let defs = laid_out(with_collaboration(model(flows)));
    assert_eq!(defs.diagrams.len(), 1);
    assert_eq!(diagram_of(&defs).plane.bpmn_element.as_deref(), Some("Collaboration_1"));
    let pool = shape_of(&defs, "Pool_Main");
    assert_eq!(pool.is_horizontal, Some(true));
    assert!(contains(&pool.bounds, &shape_of(&defs, "Ask").bounds));
    let outside = shape_of(&defs, "Pool_Outside").bounds;
    assert!(outside.y > pool.bounds.y + pool.bounds.height);
    let message = &edge_of(&defs, "Message_1").waypoints;
    let ask = shape_of(&defs, "Ask").bounds;
    assert_eq!(message[0].y, ask.y + ask.height, "the message flow leaves the task's bottom");
    assert_eq!(message[message.len() - 1].y, outside.y, "and enters the pool's top");
}

mod random {
    //! Arbitrary flow graphs, including loops, boundary events and sub-processes, keep every rule.

    use proptest::prelude::*;

    use super::models::{Shorthands, model, timer, with_collaboration};
    use super::{laid_out, layout};
    use crate::build::Flows;
    use crate::model::{Common, Lane, LaneSet};

    /// A node kind by number modulo 4: task, exclusive gateway, parallel gateway, end event.
    fn add_node(flows: Flows, id: &str, kind: u8) -> Flows {
        match kind % 4 {
            0 => flows.task(id),
            1 => flows.xor(id),
            2 => flows.and(id),
            _ => flows.end(id),
        }
    }

    /// A graph of `kinds.len()` nodes after a start event, with the given flows (by node number),
    /// boundary events on some tasks and, optionally, the whole thing wrapped in a sub-process.
    fn graph(kinds: &[u8], flows: &[(usize, usize)], boundaries: &[(usize, usize)], nested: bool) -> Flows {
        let id = |i: usize| format!("N{}", i % kinds.len());
        let mut content = Flows::new().start("S").link("S", "N0");
        for (i, &kind) in kinds.iter().enumerate() {
            content = add_node(content, &id(i), kind);
        }
        for (k, &(a, b)) in flows.iter().enumerate() {
            content = content.flow(&format!("F{k}"), &id(a), &id(b));
        }
        for (k, &(host, target)) in boundaries.iter().enumerate() {
            if kinds[host % kinds.len()].is_multiple_of(4) {
                let boundary = format!("B{k}");
                content = content.boundary(&boundary, &id(host), timer()).link(&boundary, &id(target));
            }
        }
        if nested {
            Flows::new().start("OS").sub_process("Sub", content).end("OE").chain(&["OS", "Sub", "OE"])
        } else {
            content
        }
    }

    /// The model of `flows`; with `lanes`, in a pool whose lanes get the nodes `N<i>` by the
    /// given lane numbers (the start event goes to the first lane).
    fn model_in_lanes(flows: Flows, lanes: Option<&[u8]>) -> crate::model::Definitions {
        let Some(lanes) = lanes else { return model(flows) };
        let mut defs = with_collaboration(model(flows));
        let mut members: Vec<Vec<String>> = vec![vec!["S".to_owned()], Vec::new(), Vec::new()];
        for (i, lane) in lanes.iter().enumerate() {
            members[usize::from(lane % 3)].push(format!("N{i}"));
        }
        let lanes = members
            .into_iter()
            .enumerate()
            .map(|(k, nodes)| Lane {
                common: Common::new(format!("L{k}")),
                flow_node_refs: nodes,
                child_lane_set: None,
            })
            .collect();
        if let Some(process) = defs.processes_mut().next() {
            process.lane_sets = vec![LaneSet { lanes, ..LaneSet::default() }];
        }
        defs
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn any_graph_is_drawn_by_the_rules(
            kinds in prop::collection::vec(0u8..4, 1..14),
            flows in prop::collection::vec((0usize..14, 0usize..14), 0..24),
            boundaries in prop::collection::vec((0usize..14, 0usize..14), 0..4),
            nested in any::<bool>(),
            lanes in prop::option::of(prop::collection::vec(0u8..3, 14)),
        ) {
            let lanes = lanes.as_deref();
            let defs = laid_out(model_in_lanes(graph(&kinds, &flows, &boundaries, nested), lanes));
            let mut again = model_in_lanes(graph(&kinds, &flows, &boundaries, nested), lanes);
            layout(&mut again);
            prop_assert_eq!(&defs.diagrams, &again.diagrams);
        }
    }
}

#[test]
fn lanes_of_a_pool_are_bands_holding_their_nodes() {
    let flows = Flows::new()
        .start("S")
        .task("Ask")
        .task("Check")
        .xor("Ok")
        .task("Fix")
        .end("E")
        .chain(&["S", "Ask", "Check", "Ok", "E"])
        .chain(&["Ok", "Fix", "Ask"]);
    let mut defs = with_collaboration(model(flows));
    let lane = |id: &str, nodes: &[&str]| crate::model::Lane {
        common: crate::model::Common::new(id),
        flow_node_refs: nodes.iter().map(|n| n.to_string()).collect(),
        child_lane_set: None,
    };
    for process in defs.processes_mut() {
        let lanes = vec![lane("Customer", &["S", "Ask", "E"]), lane("Clerk", &["Check", "Ok", "Fix"])];
        process.lane_sets.push(crate::model::LaneSet { lanes, ..crate::model::LaneSet::default() });
    }
    let defs = laid_out(defs);
    let pool = shape_of(&defs, "Pool_Main").bounds;
    let (customer, clerk) = (shape_of(&defs, "Customer"), shape_of(&defs, "Clerk"));
    assert_eq!(customer.is_horizontal, Some(true));
    assert_eq!(customer.bounds.y, pool.y, "the first lane starts at the pool's top");
    assert_eq!(customer.bounds.y + customer.bounds.height, clerk.bounds.y, "lanes touch");
    assert_eq!(clerk.bounds.y + clerk.bounds.height, pool.y + pool.height, "the last lane ends at the pool's bottom");
    for (lane, nodes) in [(customer, ["S", "Ask", "E"]), (clerk, ["Check", "Ok", "Fix"])] {
        for id in nodes {
            assert!(contains(&lane.bounds, &shape_of(&defs, id).bounds), "{id} lies in its lane");
        }
    }
}

#[test]
fn data_references_are_drawn_below_the_flow() {
    let mut reference = crate::model::XmlElement::new(crate::model::QName::new(crate::ns::BPMN, "dataObjectReference"));
    reference.attributes.push(crate::model::Attribute { name: crate::model::QName::local("id"), value: "Doc".into() });
    let flows = Flows::new().start("S").task("A").end("E").chain(&["S", "A", "E"]);
    let defs = laid_out(model(flows.element(crate::model::FlowElement::Other(reference))));
    let doc = shape_of(&defs, "Doc").bounds;
    assert_eq!((doc.width, doc.height), (36.0, 50.0));
    assert!(doc.y > bottom_of(&defs, &["S", "A", "E"]));
}

#[test]
fn broken_references_are_drawn_as_far_as_they_go() {
    let flows = Flows::new()
        .start("S")
        .task("A")
        .end("E")
        .chain(&["S", "A", "E"])
        .boundary("Orphan", "Missing", timer())
        .boundary("Entered", "A", timer())
        .link("S", "Entered")
        .link("A", "Nowhere");
    let mut defs = model(flows);
    layout(&mut defs);
    for id in ["S", "A", "E", "Orphan", "Entered"] {
        shape_of(&defs, id);
    }
    let a = shape_of(&defs, "A").bounds;
    for id in ["Orphan", "Entered"] {
        let b = shape_of(&defs, id).bounds;
        assert!(!b.overlaps(&a), "{id} cannot sit on a host and is drawn as a node of its own");
    }
    let edges: Vec<&str> = diagram_of(&defs)
        .plane
        .elements
        .iter()
        .filter_map(|e| match e {
            crate::model::DiagramElement::Edge(edge) => edge.bpmn_element.as_deref(),
            _ => None,
        })
        .collect();
    assert_eq!(edges, vec!["Flow_S_A", "Flow_A_E", "Flow_S_Entered"], "the flow to a missing node is not drawn");
}
