//! Typed reading of the diagram interchange: diagrams, planes, shapes, edges, labels.

use super::error::ReadError;
use super::parts::{Parts, in_namespace};
use crate::model::{Bounds, Diagram, DiagramElement, Edge, Label, Plane, Point, Shape, XmlElement};
use crate::ns;

/// Reads a `bpmndi:BPMNDiagram`.
pub(crate) fn read_diagram(element: XmlElement) -> Result<Diagram, ReadError> {
    let mut parts = Parts::new(element);
    let mut diagram =
        Diagram { id: parts.attr("id"), name: parts.attr("name"), location: parts.location, ..Diagram::default() };
    let mut plane = None;
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if plane.is_none() && in_namespace(&child, ns::BPMNDI) == Some("BPMNPlane") {
            plane = Some(read_plane(child)?);
        } else {
            unknown.push(child);
        }
    }
    diagram.plane = plane.unwrap_or_default();
    diagram.extras = parts.into_extras(unknown);
    Ok(diagram)
}

fn read_plane(element: XmlElement) -> Result<Plane, ReadError> {
    let mut parts = Parts::new(element);
    let mut plane = Plane { id: parts.attr("id"), bpmn_element: parts.attr("bpmnElement"), ..Plane::default() };
    for child in parts.take_children() {
        plane.elements.push(match in_namespace(&child, ns::BPMNDI) {
            Some("BPMNShape") => DiagramElement::Shape(read_shape(child)?),
            Some("BPMNEdge") => DiagramElement::Edge(read_edge(child)?),
            _ => DiagramElement::Other(child),
        });
    }
    plane.extras = parts.into_extras(Vec::new());
    Ok(plane)
}

fn read_shape(element: XmlElement) -> Result<Shape, ReadError> {
    let mut parts = Parts::new(element);
    let mut shape = Shape {
        id: parts.attr("id"),
        bpmn_element: parts.attr("bpmnElement"),
        is_expanded: parts.bool_attr("isExpanded")?,
        is_horizontal: parts.bool_attr("isHorizontal")?,
        is_marker_visible: parts.bool_attr("isMarkerVisible")?,
        location: parts.location,
        ..Shape::default()
    };
    let mut bounds = None;
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if bounds.is_none() && in_namespace(&child, ns::DC) == Some("Bounds") {
            bounds = Some(read_bounds(child)?);
        } else if shape.label.is_none() && in_namespace(&child, ns::BPMNDI) == Some("BPMNLabel") {
            shape.label = Some(read_label(child)?);
        } else {
            unknown.push(child);
        }
    }
    shape.bounds = bounds.ok_or_else(|| {
        let what = shape.bpmn_element.as_deref().or(shape.id.as_deref()).unwrap_or("?");
        ReadError::at(
            shape.location,
            format!(
                "BPMNShape of {what} has no dc:Bounds; add <dc:Bounds x=\"..\" y=\"..\" width=\"..\" height=\"..\"/>"
            ),
        )
    })?;
    shape.extras = parts.into_extras(unknown);
    Ok(shape)
}

/// Waypoints are all typed so that their order survives; other attributes on them (some tools
/// write `xsi:type="dc:Point"`) carry nothing and are not kept.
fn read_edge(element: XmlElement) -> Result<Edge, ReadError> {
    let mut parts = Parts::new(element);
    let mut edge = Edge {
        id: parts.attr("id"),
        bpmn_element: parts.attr("bpmnElement"),
        location: parts.location,
        ..Edge::default()
    };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if in_namespace(&child, ns::DI) == Some("waypoint") {
            let mut point = Parts::new(child);
            edge.waypoints.push(Point { x: point.number("x")?, y: point.number("y")? });
        } else if edge.label.is_none() && in_namespace(&child, ns::BPMNDI) == Some("BPMNLabel") {
            edge.label = Some(read_label(child)?);
        } else {
            unknown.push(child);
        }
    }
    edge.extras = parts.into_extras(unknown);
    Ok(edge)
}

fn read_label(element: XmlElement) -> Result<Label, ReadError> {
    let mut parts = Parts::new(element);
    let mut label = Label { id: parts.attr("id"), ..Label::default() };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if label.bounds.is_none() && in_namespace(&child, ns::DC) == Some("Bounds") {
            label.bounds = Some(read_bounds(child)?);
        } else {
            unknown.push(child);
        }
    }
    label.extras = parts.into_extras(unknown);
    Ok(label)
}

fn read_bounds(element: XmlElement) -> Result<Bounds, ReadError> {
    let mut parts = Parts::new(element);
    Ok(Bounds::new(parts.number("x")?, parts.number("y")?, parts.number("width")?, parts.number("height")?))
}
