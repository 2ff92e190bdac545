//! Turns drawings into diagram interchange elements.

use crate::model::{Diagram, DiagramElement, Edge, Label, Plane, Shape};

use super::drawing::{DrawnEdge, DrawnShape, Marking};

/// A diagram whose plane draws `element` with the given shapes and edges.
pub(super) fn diagram(element: &str, shapes: Vec<DrawnShape>, edges: Vec<DrawnEdge>) -> Diagram {
    let mut elements: Vec<DiagramElement> = shapes.into_iter().map(shape).collect();
    elements.extend(edges.into_iter().map(edge));
    Diagram {
        id: Some(format!("BPMNDiagram_{element}")),
        plane: Plane {
            id: Some(format!("BPMNPlane_{element}")),
            bpmn_element: Some(element.to_owned()),
            elements,
            ..Plane::default()
        },
        ..Diagram::default()
    }
}

fn label(bounds: Option<crate::model::Bounds>) -> Option<Label> {
    bounds.map(|b| Label { bounds: Some(b), ..Label::default() })
}

fn shape(drawn: DrawnShape) -> DiagramElement {
    DiagramElement::Shape(Shape {
        id: Some(format!("{}_di", drawn.element)),
        is_expanded: (drawn.marking == Marking::Expanded).then_some(true),
        is_marker_visible: (drawn.marking == Marking::Marker).then_some(true),
        is_horizontal: (drawn.marking == Marking::Pool).then_some(true),
        bounds: drawn.bounds,
        label: label(drawn.label),
        bpmn_element: Some(drawn.element),
        ..Shape::default()
    })
}

fn edge(drawn: DrawnEdge) -> DiagramElement {
    DiagramElement::Edge(Edge {
        id: Some(format!("{}_di", drawn.element)),
        waypoints: drawn.waypoints,
        label: label(drawn.label),
        bpmn_element: Some(drawn.element),
        ..Edge::default()
    })
}
