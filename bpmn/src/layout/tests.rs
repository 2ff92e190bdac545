//! Layout tests: models built in code, checked against the geometric rules a diagram must keep.

mod builder;
mod invariants;

use builder::{Flows, definitions};
use invariants::{assert_well_drawn, diagram_of, edge_of, shape_of};

use super::layout;
use crate::model::{Bounds, Definitions, Diagram, Plane, Point};

fn laid_out(mut defs: Definitions) -> Definitions {
    layout(&mut defs);
    assert_well_drawn(&defs);
    defs
}

fn center(b: &Bounds) -> Point {
    b.center()
}

#[test]
fn a_straight_line_stays_on_one_horizontal_line() {
    let mut f = Flows::default();
    f.start("S").task("A").task("B").call("C").end("E").chain(&["S", "A", "B", "C", "E"]);
    let defs = laid_out(definitions(f));
    let ys: Vec<f64> = ["S", "A", "B", "C", "E"].iter().map(|id| center(&shape_of(&defs, id).bounds).y).collect();
    assert!(ys.iter().all(|&y| y == ys[0]), "centres {ys:?}");
    let xs: Vec<f64> = ["S", "A", "B", "C", "E"].iter().map(|id| shape_of(&defs, id).bounds.x).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "left edges {xs:?}");
    assert_eq!(shape_of(&defs, "S").bounds.width, 36.0);
    assert_eq!(shape_of(&defs, "A").bounds.width, 100.0);
    assert_eq!(shape_of(&defs, "A").bounds.height, 80.0);
    assert_eq!(shape_of(&defs, "C").bounds.width, 100.0);
    for flow in ["S_A", "A_B", "B_C", "C_E"] {
        assert_eq!(edge_of(&defs, flow).waypoints.len(), 2, "{flow} is one straight segment");
    }
    let gap = shape_of(&defs, "B").bounds.x - (shape_of(&defs, "A").bounds.x + 100.0);
    assert!((40.0..=70.0).contains(&gap), "gap between tasks {gap}");
}

#[test]
fn a_fork_with_eight_branches_stacks_them_and_joins_on_the_main_line() {
    let mut f = Flows::default();
    f.start("S").parallel("Fork").parallel("Join").end("E");
    f.flow("S", "Fork");
    for i in 0..8 {
        let task = format!("T{i}");
        f.task(&task).flow("Fork", &task).flow(&task, "Join");
    }
    f.flow("Join", "E");
    let defs = laid_out(definitions(f));
    let fork = shape_of(&defs, "Fork").bounds;
    let join = shape_of(&defs, "Join").bounds;
    assert_eq!(fork.width, 50.0);
    assert_eq!(center(&fork).y, center(&join).y, "fork and join share the main line");
    let tasks: Vec<Bounds> = (0..8).map(|i| shape_of(&defs, &format!("T{i}")).bounds).collect();
    assert_eq!(center(&tasks[0]).y, center(&fork).y, "the first branch is straight");
    assert!(tasks.windows(2).all(|w| w[0].x == w[1].x && w[0].y < w[1].y), "branches stack in one column");
    let to_second = edge_of(&defs, "Fork_T1");
    assert_eq!(
        to_second.waypoints[0],
        Point { x: center(&fork).x, y: fork.y + fork.height },
        "forks leave at the bottom"
    );
    let from_second = edge_of(&defs, "T1_Join");
    let last = *from_second.waypoints.last().unwrap();
    assert_eq!(last, Point { x: center(&join).x, y: join.y + join.height }, "joins enter at the bottom");
}

#[test]
fn an_exclusive_split_with_default_shows_its_marker_and_labels() {
    let mut f = Flows::default();
    f.start("S").xor("Split").task("Yes").task("No").xor("Merge").end("E");
    f.name("Split", "Approved?").name("S", "Request received").name("E", "Done");
    f.chain(&["S", "Split", "Yes", "Merge", "E"]).flow("Split", "No").flow("No", "Merge");
    f.default_flow("Split", "Split_No").name_flow("Split_Yes", "yes").name_flow("Split_No", "no");
    let defs = laid_out(definitions(f));
    let split = shape_of(&defs, "Split");
    assert_eq!(split.is_marker_visible, Some(true));
    let label = split.label.as_ref().and_then(|l| l.bounds).expect("the named gateway has a label");
    assert!(label.y >= split.bounds.y + split.bounds.height, "the label is below the gateway");
    assert!(shape_of(&defs, "E").label.is_some(), "named events have labels");
    assert!(edge_of(&defs, "Split_Yes").label.is_some(), "named flows have labels");
    assert_eq!(center(&shape_of(&defs, "Yes").bounds).y, center(&split.bounds).y);
    assert!(shape_of(&defs, "No").bounds.y > shape_of(&defs, "Yes").bounds.y, "the default branch goes below");
}

#[test]
fn a_loop_runs_below_what_it_spans_from_bottom_to_bottom() {
    let mut f = Flows::default();
    f.start("S").xor("Again").task("Work").task("Check").xor("Done").end("E");
    f.chain(&["S", "Again", "Work", "Check", "Done", "E"]).flow("Done", "Again");
    let defs = laid_out(definitions(f));
    let back = edge_of(&defs, "Done_Again");
    let (source, target) = (shape_of(&defs, "Done").bounds, shape_of(&defs, "Again").bounds);
    let first = back.waypoints[0];
    let last = *back.waypoints.last().unwrap();
    assert_eq!(first, Point { x: center(&source).x, y: source.y + source.height }, "leaves at the bottom");
    assert_eq!(last, Point { x: center(&target).x, y: target.y + target.height }, "enters at the bottom");
    let lowest = ["Again", "Work", "Check", "Done"].iter().map(|id| {
        let b = shape_of(&defs, id).bounds;
        b.y + b.height
    });
    let lowest = lowest.fold(0.0, f64::max);
    assert!(back.waypoints.iter().map(|p| p.y).fold(0.0, f64::max) > lowest, "passes below everything in between");
    let main: Vec<f64> =
        ["S", "Again", "Work", "Check", "Done", "E"].iter().map(|id| center(&shape_of(&defs, id).bounds).y).collect();
    assert!(main.iter().all(|&y| y == main[0]), "the loop keeps the main line straight");
}

#[test]
fn boundary_events_sit_on_the_bottom_border_and_their_flows_go_down_then_right() {
    let mut f = Flows::default();
    f.start("S").task("Work").end("E").timer_boundary("Late", "Work").error_boundary("Failed", "Work");
    f.task("Remind").end("E2").task("Repair").end("E3").name("Late", "2 hours");
    f.chain(&["S", "Work", "E"]).chain(&["Late", "Remind", "E2"]).chain(&["Failed", "Repair", "E3"]);
    let defs = laid_out(definitions(f));
    let host = shape_of(&defs, "Work").bounds;
    let mut xs = Vec::new();
    for id in ["Late", "Failed"] {
        let b = shape_of(&defs, id).bounds;
        assert_eq!(center(&b).y, host.y + host.height, "{id} is centred on the bottom border");
        assert!(b.x >= host.x && b.x + b.width <= host.x + host.width, "{id} lies within the host's width");
        xs.push(b.x);
        let out = &edge_of(&defs, &format!("{id}_{}", if id == "Late" { "Remind" } else { "Repair" })).waypoints;
        assert!(out[0].x == out[1].x && out[1].y > out[0].y, "{id}'s flow goes down first: {out:?}");
        assert!(out.last().unwrap().x > out[0].x, "then right");
    }
    assert!((xs[0] - xs[1]).abs() >= 36.0, "boundary events are spread out: {xs:?}");
}

#[test]
fn a_task_with_many_boundary_events_grows_so_they_do_not_overlap() {
    let mut f = Flows::default();
    f.start("S").task("Work").end("E").chain(&["S", "Work", "E"]);
    for i in 0..4 {
        f.timer_boundary(&format!("B{i}"), "Work");
    }
    let defs = laid_out(definitions(f));
    assert!(shape_of(&defs, "Work").bounds.width > 100.0);
}

#[test]
fn nested_sub_processes_are_expanded_boxes_around_their_content() {
    let mut inner = Flows::default();
    inner.start("IS").task("IT").end("IE").chain(&["IS", "IT", "IE"]);
    let mut middle = Flows::default();
    middle.start("MS").sub_process("Inner", inner).task("MT").end("ME").chain(&["MS", "Inner", "MT", "ME"]);
    let mut f = Flows::default();
    f.start("S").sub_process("Outer", middle).end("E").chain(&["S", "Outer", "E"]);
    let defs = laid_out(definitions(f));
    let outer = shape_of(&defs, "Outer");
    let inner_box = shape_of(&defs, "Inner");
    assert_eq!(outer.is_expanded, Some(true));
    assert_eq!(inner_box.is_expanded, Some(true));
    assert!(contains(&outer.bounds, &inner_box.bounds));
    for id in ["IS", "IT", "IE"] {
        assert!(contains(&inner_box.bounds, &shape_of(&defs, id).bounds), "{id} inside Inner");
    }
    assert_eq!(center(&outer.bounds).y, center(&shape_of(&defs, "S").bounds).y, "the box sits on the main line");
}

#[test]
fn event_sub_processes_sit_below_the_flow_unconnected() {
    let mut handler = Flows::default();
    handler.error_start("ES").task("Notify").end("EE").chain(&["ES", "Notify", "EE"]);
    let mut sla = Flows::default();
    sla.timer_start("TS").task("Escalate").end("TE").chain(&["TS", "Escalate", "TE"]);
    let mut f = Flows::default();
    f.start("S").task("Work").end("E").chain(&["S", "Work", "E"]);
    f.event_sub_process("OnError", handler).event_sub_process("Sla", sla);
    let defs = laid_out(definitions(f));
    let flow_bottom =
        ["S", "Work", "E"].iter().map(|id| shape_of(&defs, id).bounds).map(|b| b.y + b.height).fold(0.0, f64::max);
    let on_error = shape_of(&defs, "OnError");
    let sla_box = shape_of(&defs, "Sla");
    assert_eq!(on_error.is_expanded, Some(true));
    assert!(on_error.bounds.y > flow_bottom && sla_box.bounds.y > flow_bottom);
    assert!(!on_error.bounds.overlaps(&sla_box.bounds));
    assert!(contains(&on_error.bounds, &shape_of(&defs, "Notify").bounds));
}

#[test]
fn disconnected_pieces_are_stacked() {
    let mut f = Flows::default();
    f.start("S1").task("A1").end("E1").chain(&["S1", "A1", "E1"]);
    f.start("S2").task("A2").task("B2").end("E2").chain(&["S2", "A2", "B2", "E2"]);
    f.task("Lonely");
    let defs = laid_out(definitions(f));
    let first_bottom =
        ["S1", "A1", "E1"].iter().map(|id| shape_of(&defs, id).bounds).map(|b| b.y + b.height).fold(0.0, f64::max);
    for id in ["S2", "A2", "B2", "E2", "Lonely"] {
        assert!(shape_of(&defs, id).bounds.y > first_bottom, "{id} is below the first piece");
    }
}

#[test]
fn compiled_workflow_shapes_are_drawn_cleanly() {
    let defs = laid_out(definitions(builder::compiled_workflow()));
    let again = laid_out(definitions(builder::compiled_workflow()));
    assert_eq!(defs.diagrams, again.diagrams, "the layout is deterministic");
}

#[test]
fn self_loops_and_cycles_without_start_are_drawn() {
    let mut f = Flows::default();
    f.task("A").task("B").task("C").chain(&["A", "B", "C", "A"]).flow("B", "B");
    laid_out(definitions(f));
}

#[test]
fn processes_already_drawn_and_non_executable_ones_are_left_alone() {
    let mut f = Flows::default();
    f.start("S").end("E").chain(&["S", "E"]);
    let mut defs = definitions(f);
    let existing = Diagram {
        id: Some("Existing".into()),
        plane: Plane { bpmn_element: Some("Process_1".into()), ..Plane::default() },
        ..Diagram::default()
    };
    defs.diagrams.push(existing.clone());
    layout(&mut defs);
    assert_eq!(defs.diagrams, vec![existing]);

    let mut f = Flows::default();
    f.start("S").end("E").chain(&["S", "E"]);
    let mut defs = definitions(f);
    for process in defs.processes_mut() {
        process.is_executable = Some(false);
    }
    layout(&mut defs);
    assert!(defs.diagrams.is_empty());
}

#[test]
fn a_collaboration_gets_pools_and_message_flows() {
    let mut f = Flows::default();
    f.start("S").send_task("Ask").end("E").chain(&["S", "Ask", "E"]);
    let defs = laid_out(builder::with_collaboration(definitions(f)));
    let diagram = diagram_of(&defs);
    assert_eq!(diagram.plane.bpmn_element.as_deref(), Some("Collaboration_1"));
    let pool = shape_of(&defs, "Pool_Main");
    assert_eq!(pool.is_horizontal, Some(true));
    assert!(contains(&pool.bounds, &shape_of(&defs, "Ask").bounds));
    let outside = shape_of(&defs, "Pool_Outside").bounds;
    assert!(outside.y > pool.bounds.y + pool.bounds.height);
    let message = edge_of(&defs, "Message_1");
    assert!(message.waypoints.len() >= 2);
}

fn contains(outer: &Bounds, inner: &Bounds) -> bool {
    outer.x <= inner.x
        && outer.y <= inner.y
        && inner.x + inner.width <= outer.x + outer.width
        && inner.y + inner.height <= outer.y + outer.height
}
