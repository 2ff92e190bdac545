//! Typed reading of the diagram interchange: diagrams, planes, shapes, edges, labels.

use super::error::ReadError;
use super::parts::{Parts, in_namespace};
use super::standard_size::{self, StandardSize, StandardSizes};
use super::warning::ReadWarning;
use crate::model::{Bounds, Diagram, DiagramElement, Edge, Label, Plane, Point, Shape, XmlElement};
use crate::ns;

/// What reading the diagrams needs besides the elements: the standard sizes for bounds that lack
/// a dimension, and where to note such repairs.
pub(crate) struct DiReader<'a, 'w> {
    /// The sizes Camunda Modeler gives new shapes, by element id.
    pub(crate) sizes: StandardSizes<'a>,
    /// The repairs made so far.
    pub(crate) warnings: &'w mut Vec<ReadWarning>,
}

/// Reads a `bpmndi:BPMNDiagram`.
pub(crate) fn read_diagram(element: XmlElement, di: &mut DiReader<'_, '_>) -> Result<Diagram, ReadError> {
    let mut parts = Parts::new(element);
    let mut diagram =
        Diagram { id: parts.attr("id"), name: parts.attr("name"), location: parts.location, ..Diagram::default() };
    let mut plane = None;
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if plane.is_none() && in_namespace(&child, ns::BPMNDI) == Some("BPMNPlane") {
            plane = Some(read_plane(child, di)?);
        } else {
            unknown.push(child);
        }
    }
    diagram.plane = plane.unwrap_or_default();
    diagram.extras = parts.into_extras(unknown);
    Ok(diagram)
}

fn read_plane(element: XmlElement, di: &mut DiReader<'_, '_>) -> Result<Plane, ReadError> {
    let mut parts = Parts::new(element);
    let mut plane = Plane { id: parts.attr("id"), bpmn_element: parts.attr("bpmnElement"), ..Plane::default() };
    for child in parts.take_children() {
        plane.elements.push(match in_namespace(&child, ns::BPMNDI) {
            Some("BPMNShape") => DiagramElement::Shape(read_shape(child, di)?),
            Some("BPMNEdge") => DiagramElement::Edge(read_edge(child, di)?),
            _ => DiagramElement::Other(child),
        });
    }
    plane.extras = parts.into_extras(Vec::new());
    Ok(plane)
}

fn read_shape(element: XmlElement, di: &mut DiReader<'_, '_>) -> Result<Shape, ReadError> {
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
    let what = shape.bpmn_element.as_deref().or(shape.id.as_deref()).unwrap_or("?").to_owned();
    for child in parts.take_children() {
        if bounds.is_none() && in_namespace(&child, ns::DC) == Some("Bounds") {
            let standard = || {
                let element = shape.bpmn_element.as_deref()?;
                di.sizes.of(element, shape.is_expanded)
            };
            bounds = Some(read_bounds(child, &format!("BPMNShape of {what}"), standard, di.warnings)?);
        } else if shape.label.is_none() && in_namespace(&child, ns::BPMNDI) == Some("BPMNLabel") {
            shape.label = Some(read_label(child, &what, di.warnings)?);
        } else {
            unknown.push(child);
        }
    }
    shape.bounds = bounds.ok_or_else(|| {
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
fn read_edge(element: XmlElement, di: &mut DiReader<'_, '_>) -> Result<Edge, ReadError> {
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
            let what = edge.bpmn_element.as_deref().or(edge.id.as_deref()).unwrap_or("?").to_owned();
            edge.label = Some(read_label(child, &what, di.warnings)?);
        } else {
            unknown.push(child);
        }
    }
    edge.extras = parts.into_extras(unknown);
    Ok(edge)
}

/// Reads a `bpmndi:BPMNLabel` of the shape or edge of `what`.
fn read_label(element: XmlElement, what: &str, warnings: &mut Vec<ReadWarning>) -> Result<Label, ReadError> {
    let mut parts = Parts::new(element);
    let mut label = Label { id: parts.attr("id"), ..Label::default() };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if label.bounds.is_none() && in_namespace(&child, ns::DC) == Some("Bounds") {
            let standard = || Some(StandardSize { kind: "label".into(), size: standard_size::LABEL });
            label.bounds = Some(read_bounds(child, &format!("the label of {what}"), standard, warnings)?);
        } else {
            unknown.push(child);
        }
    }
    label.extras = parts.into_extras(unknown);
    Ok(label)
}

/// Reads a `dc:Bounds` of `owner`. A missing width or height is taken from `standard` (the size
/// Camunda Modeler gives a new element of its kind) with a warning; without a standard size, or
/// without x or y, the bounds cannot be recovered.
fn read_bounds(
    element: XmlElement,
    owner: &str,
    standard: impl FnOnce() -> Option<StandardSize>,
    warnings: &mut Vec<ReadWarning>,
) -> Result<Bounds, ReadError> {
    let mut parts = Parts::new(element);
    let (x, y) = (parts.number("x")?, parts.number("y")?);
    let (width, height) = (parts.optional_number("width")?, parts.optional_number("height")?);
    if let (Some(width), Some(height)) = (width, height) {
        return Ok(Bounds::new(x, y, width, height));
    }
    let missing = match (width, height) {
        (None, None) => "width and height",
        (None, _) => "width",
        _ => "height",
    };
    let Some(StandardSize { kind, size: (standard_width, standard_height) }) = standard() else {
        return Err(ReadError::at(
            parts.location,
            format!(
                "dc:Bounds of {owner} has no {missing}, and its element has no standard size to take instead \
                 (it is not a known BPMN element of this file); add the {missing}"
            ),
        ));
    };
    let bounds = Bounds::new(x, y, width.unwrap_or(standard_width), height.unwrap_or(standard_height));
    warnings.push(ReadWarning::at(
        parts.location,
        format!(
            "dc:Bounds of {owner} has no {missing}; took width {} and height {}, the size Camunda Modeler gives \
             a new {kind}: add the {missing} to keep the drawing as meant",
            bounds.width, bounds.height
        ),
    ));
    Ok(bounds)
}
