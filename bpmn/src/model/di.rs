//! BPMN diagram interchange: where shapes and edges are drawn.

use super::xml::{Extras, Location, XmlElement};

/// A point in diagram coordinates.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Point {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
}

/// A rectangle in diagram coordinates (`dc:Bounds`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Bounds {
    /// A rectangle from its left, top, width and height.
    pub const fn new(x: f64, y: f64, width: f64, height: f64) -> Self {
        Self { x, y, width, height }
    }

    /// The centre of the rectangle.
    pub fn center(&self) -> Point {
        Point { x: self.x + self.width / 2.0, y: self.y + self.height / 2.0 }
    }

    /// True when the two rectangles share interior area.
    pub fn overlaps(&self, other: &Bounds) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

/// A `bpmndi:BPMNLabel`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Label {
    /// The label's bounds, when given.
    pub bounds: Option<Bounds>,
    /// The id, when given.
    pub id: Option<String>,
    /// Unknown attributes and children (for example `labelStyle`).
    pub extras: Extras,
}

/// A `bpmndi:BPMNDiagram`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagram {
    /// The diagram's id.
    pub id: Option<String>,
    /// The diagram's name.
    pub name: Option<String>,
    /// The plane that holds the shapes and edges.
    pub plane: Plane,
    /// `bpmndi:BPMNLabelStyle` elements and other unknown children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// A `bpmndi:BPMNPlane`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plane {
    /// The plane's id.
    pub id: Option<String>,
    /// The process, collaboration or sub-process the plane draws.
    pub bpmn_element: Option<String>,
    /// Shapes and edges in source order.
    pub elements: Vec<DiagramElement>,
    /// Unknown attributes and children.
    pub extras: Extras,
}

/// A shape, an edge, or something the model does not interpret.
#[derive(Debug, Clone, PartialEq)]
pub enum DiagramElement {
    /// `bpmndi:BPMNShape`.
    Shape(Shape),
    /// `bpmndi:BPMNEdge`.
    Edge(Edge),
    /// Anything else inside the plane, verbatim.
    Other(XmlElement),
}

/// A `bpmndi:BPMNShape`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// The shape's id.
    pub id: Option<String>,
    /// The element drawn.
    pub bpmn_element: Option<String>,
    /// `isExpanded`, when given.
    pub is_expanded: Option<bool>,
    /// `isHorizontal`, when given.
    pub is_horizontal: Option<bool>,
    /// `isMarkerVisible`, when given.
    pub is_marker_visible: Option<bool>,
    /// The shape's bounds.
    pub bounds: Bounds,
    /// The label, when given.
    pub label: Option<Label>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// A `bpmndi:BPMNEdge`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edge {
    /// The edge's id.
    pub id: Option<String>,
    /// The flow drawn.
    pub bpmn_element: Option<String>,
    /// `di:waypoint` points, in order.
    pub waypoints: Vec<Point>,
    /// The label, when given.
    pub label: Option<Label>,
    /// Unknown attributes (for example `sourceElement`) and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}
