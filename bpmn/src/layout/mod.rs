//! Auto-layout for models that nobody drew: a diagram that looks as if a person had drawn it in
//! Camunda Modeler.
//!
//! Each scope (a process, or the inside of a sub-process) is laid out left to right in layers:
//! loops are found by a depth-first walk from the start events, every node's column is its
//! longest distance from the start, barycenter sweeps order the nodes within each column, and
//! rows are handed out depth-first in that order so that the longest path runs on one straight
//! line and side branches, boundary flows and disconnected pieces take the rows below. Edges are
//! orthogonal and pass no shape; loops run on a row below what they span. Embedded sub-processes
//! are expanded boxes with their content laid out inside; event sub-processes sit below their
//! scope's flow; in a pool, each lane is a band of rows. Shapes have Camunda Modeler's sizes.

mod collaboration;
mod drawing;
mod emit;
mod geometry;
mod lanes;
mod order;
mod place;
mod rank;
mod route;
mod scope;
pub(crate) mod size;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use crate::model::{Definitions, DiagramElement, FlowElement, Process, RootElement};

/// Where the top-left of a process's drawing goes on the canvas.
const ORIGIN: (f64, f64) = (150.0, 80.0);

/// Adds a diagram for every executable process that has none.
///
/// The diagram's plane draws the process, or the collaboration when one holds the process (then
/// every pool of that collaboration is drawn, stacked top to bottom, with the message flows whose
/// ends it shows; a process in several collaborations is drawn in the first). A
/// process counts as drawn when a diagram shows the process, one of its nodes, or a pool holding
/// it; such processes, and non-executable ones, are left untouched. The result depends only on the
/// model, so laying out the same model twice gives the same diagram.
///
/// Lanes are drawn in pools only: each lane is a horizontal band holding its nodes. Data object
/// and data store references are drawn in a row below their scope's flow. Sequence flows whose
/// ends lie in different scopes (invalid BPMN) are not drawn.
pub fn layout(defs: &mut Definitions) {
    let drawn = drawn_elements(defs);
    let needs_layout = |p: &Process| {
        p.executable() && !drawn.contains(&p.common.id) && !top_level_nodes(p).any(|id| drawn.contains(id))
    };
    let mut diagrams = Vec::new();
    let mut covered: HashSet<String> = HashSet::new();
    let collaborations = defs.root_elements.iter().filter_map(|r| match r {
        RootElement::Collaboration(c) => Some(c),
        _ => None,
    });
    for collaboration in collaborations {
        let undrawn = !drawn.contains(&collaboration.common.id)
            && collaboration.participants.iter().all(|p| !drawn.contains(&p.common.id));
        let pending = collaboration.participants.iter().filter_map(|p| p.process_ref.as_ref());
        let mut pending = pending.filter(|id| !covered.contains(*id) && defs.process(id).is_some_and(needs_layout));
        if undrawn && pending.next().is_some() {
            diagrams.push(collaboration::diagram(defs, collaboration));
            covered.extend(collaboration.participants.iter().filter_map(|p| p.process_ref.clone()));
        }
    }
    for process in defs.processes() {
        if needs_layout(process) && !covered.contains(&process.common.id) {
            let mut drawing = drawing::draw_scope(&process.flow_elements);
            drawing.translate(ORIGIN.0, ORIGIN.1);
            diagrams.push(emit::diagram(&process.common.id, drawing.shapes, drawing.edges));
        }
    }
    defs.diagrams.extend(diagrams);
}

/// Ids of every element some diagram draws (planes, shapes and edges).
fn drawn_elements(defs: &Definitions) -> HashSet<String> {
    let mut drawn = HashSet::new();
    for diagram in &defs.diagrams {
        drawn.extend(diagram.plane.bpmn_element.clone());
        for element in &diagram.plane.elements {
            match element {
                DiagramElement::Shape(s) => drawn.extend(s.bpmn_element.clone()),
                DiagramElement::Edge(e) => drawn.extend(e.bpmn_element.clone()),
                DiagramElement::Other(_) => {}
            }
        }
    }
    drawn
}

/// Ids of a process's top-level flow nodes.
fn top_level_nodes(process: &Process) -> impl Iterator<Item = &str> {
    process.flow_elements.iter().filter_map(|e| match e {
        FlowElement::Node(n) => Some(n.id()),
        _ => None,
    })
}
