//! Writes the diagram interchange.

use super::out::XmlOut;
use crate::model::{Bounds, Diagram, DiagramElement, Edge, Label, Shape, XmlElement};
use crate::ns;

/// Writes one `bpmndi:BPMNDiagram`.
pub(crate) fn write_diagram(out: &mut XmlOut, diagram: &Diagram) {
    di_start(out, "BPMNDiagram");
    out.opt_attr("id", diagram.id.as_deref());
    out.opt_attr("name", diagram.name.as_deref());
    out.attributes(&diagram.extras.attributes);
    let plane = &diagram.plane;
    di_start(out, "BPMNPlane");
    out.opt_attr("id", plane.id.as_deref());
    out.opt_attr("bpmnElement", plane.bpmn_element.as_deref());
    out.attributes(&plane.extras.attributes);
    for element in &plane.elements {
        match element {
            DiagramElement::Shape(shape) => write_shape(out, shape),
            DiagramElement::Edge(edge) => write_edge(out, edge),
            DiagramElement::Other(raw) => out.raw(raw),
        }
    }
    raw_children(out, &plane.extras.children);
    out.end();
    raw_children(out, &diagram.extras.children);
    out.end();
}

fn di_start(out: &mut XmlOut, local: &str) {
    out.start(Some(ns::BPMNDI), Some("bpmndi"), local, &[], false);
}

fn raw_children(out: &mut XmlOut, children: &[XmlElement]) {
    for child in children {
        out.raw(child);
    }
}

fn write_shape(out: &mut XmlOut, shape: &Shape) {
    di_start(out, "BPMNShape");
    out.opt_attr("id", shape.id.as_deref());
    out.opt_attr("bpmnElement", shape.bpmn_element.as_deref());
    out.bool_attr("isHorizontal", shape.is_horizontal);
    out.bool_attr("isExpanded", shape.is_expanded);
    out.bool_attr("isMarkerVisible", shape.is_marker_visible);
    out.attributes(&shape.extras.attributes);
    write_bounds(out, &shape.bounds);
    write_label(out, shape.label.as_ref());
    raw_children(out, &shape.extras.children);
    out.end();
}

fn write_edge(out: &mut XmlOut, edge: &Edge) {
    di_start(out, "BPMNEdge");
    out.opt_attr("id", edge.id.as_deref());
    out.opt_attr("bpmnElement", edge.bpmn_element.as_deref());
    out.attributes(&edge.extras.attributes);
    for point in &edge.waypoints {
        out.start(Some(ns::DI), Some("di"), "waypoint", &[], false);
        out.attr("x", &point.x.to_string());
        out.attr("y", &point.y.to_string());
        out.end();
    }
    write_label(out, edge.label.as_ref());
    raw_children(out, &edge.extras.children);
    out.end();
}

fn write_label(out: &mut XmlOut, label: Option<&Label>) {
    let Some(label) = label else { return };
    di_start(out, "BPMNLabel");
    out.opt_attr("id", label.id.as_deref());
    out.attributes(&label.extras.attributes);
    if let Some(bounds) = &label.bounds {
        write_bounds(out, bounds);
    }
    raw_children(out, &label.extras.children);
    out.end();
}

fn write_bounds(out: &mut XmlOut, bounds: &Bounds) {
    out.start(Some(ns::DC), Some("dc"), "Bounds", &[], false);
    out.attr("x", &bounds.x.to_string());
    out.attr("y", &bounds.y.to_string());
    out.attr("width", &bounds.width.to_string());
    out.attr("height", &bounds.height.to_string());
    out.end();
}
