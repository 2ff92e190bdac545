//! A laid-out scope as shapes and edges in local coordinates, built bottom-up: the content of
//! every sub-process first, then the scope's connected pieces stacked top to bottom, then its data
//! object and data store references in a row, then its event sub-processes in a row below them.

use crate::model::{Bounds, FlowElement, Point};

use super::geometry::Geometry;
use super::lanes::Lanes;
use super::place::{LaneRows, place};
use super::rank::{Piece, Ranking};
use super::route::Router;
use super::scope::{Look, Role, Scope};
use super::size::{
    BLOCK_GAP, DATA_OBJECT, DATA_STORE, LABEL_GAP, SIDE_LABEL_MAX_WIDTH, SUB_PROCESS_MIN, SUB_PROCESS_PAD_BOTTOM,
    SUB_PROCESS_PAD_TOP, SUB_PROCESS_PAD_X, even_ceil, label_size, label_size_within,
};

/// How a shape is marked in the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marking {
    /// Nothing special.
    Plain,
    /// An exclusive gateway: `isMarkerVisible="true"`.
    Marker,
    /// An expanded sub-process: `isExpanded="true"`.
    Expanded,
    /// A pool: `isHorizontal="true"`.
    Pool,
}

/// A shape to draw.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DrawnShape {
    /// Id of the element drawn.
    pub element: String,
    /// Where.
    pub bounds: Bounds,
    /// Diagram flags.
    pub marking: Marking,
    /// The external label, when the shape has one.
    pub label: Option<Bounds>,
}

/// An edge to draw.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DrawnEdge {
    /// Id of the flow drawn.
    pub element: String,
    /// Waypoints.
    pub waypoints: Vec<Point>,
    /// The label, for named flows.
    pub label: Option<Bounds>,
}

/// Shapes and edges of a scope; after [`Drawing::normalize`] everything lies in
/// `0..width` × `0..height`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Drawing {
    /// The shapes, each container before its content.
    pub shapes: Vec<DrawnShape>,
    /// The edges.
    pub edges: Vec<DrawnEdge>,
    /// Width of everything drawn.
    pub width: f64,
    /// Height of everything drawn.
    pub height: f64,
    /// The lines between a process's lanes, from the top (empty without lanes).
    pub lane_breaks: Vec<f64>,
}

impl Drawing {
    /// Moves everything by (`dx`, `dy`).
    pub fn translate(&mut self, dx: f64, dy: f64) {
        let shift = |b: &mut Bounds| {
            b.x += dx;
            b.y += dy;
        };
        for shape in &mut self.shapes {
            shift(&mut shape.bounds);
            if let Some(label) = &mut shape.label {
                shift(label);
            }
        }
        for line in &mut self.lane_breaks {
            *line += dy;
        }
        for edge in &mut self.edges {
            for p in &mut edge.waypoints {
                p.x += dx;
                p.y += dy;
            }
            if let Some(label) = &mut edge.label {
                shift(label);
            }
        }
    }

    /// Adds `other` moved by (`dx`, `dy`).
    pub fn append(&mut self, mut other: Drawing, dx: f64, dy: f64) {
        other.translate(dx, dy);
        self.shapes.append(&mut other.shapes);
        self.edges.append(&mut other.edges);
        self.lane_breaks.append(&mut other.lane_breaks);
    }

    /// Moves everything so that the top-left of what is drawn is at (0, 0), and records the size.
    fn normalize(&mut self) {
        let mut boxes: Vec<Bounds> =
            self.shapes.iter().flat_map(|s| std::iter::once(s.bounds).chain(s.label)).collect();
        boxes.extend(self.edges.iter().flat_map(|e| e.label));
        boxes.extend(self.edges.iter().flat_map(|e| e.waypoints.iter().map(|p| Bounds::new(p.x, p.y, 0.0, 0.0))));
        if boxes.is_empty() {
            return;
        }
        let min_x = boxes.iter().map(|b| b.x).fold(f64::INFINITY, f64::min).floor();
        let min_y = boxes.iter().map(|b| b.y).fold(f64::INFINITY, f64::min).floor();
        let max_x = boxes.iter().map(|b| b.x + b.width).fold(f64::NEG_INFINITY, f64::max);
        let max_y = boxes.iter().map(|b| b.y + b.height).fold(f64::NEG_INFINITY, f64::max);
        self.translate(-min_x, -min_y);
        self.width = (max_x - min_x).ceil();
        self.height = (max_y - min_y).ceil();
    }
}

/// Lays out the scope formed by `elements` (a process's or a sub-process's content).
pub(super) fn draw_scope(elements: &[FlowElement]) -> Drawing {
    draw_scope_in_lanes(elements, None)
}

/// Lays out the scope formed by `elements`; with `lanes`, all its nodes form one piece whose rows
/// are grouped into the lanes' bands.
pub(super) fn draw_scope_in_lanes(elements: &[FlowElement], lanes: Option<&Lanes>) -> Drawing {
    let scope = Scope::new(elements);
    let inner: Vec<Option<Drawing>> = scope.nodes.iter().map(|n| n.children().map(draw_scope)).collect();
    let box_sizes: Vec<Option<(f64, f64)>> = inner.iter().map(|d| d.as_ref().map(box_size)).collect();
    let mut inner: Vec<Option<Drawing>> = inner;
    let mut drawing = Drawing::default();
    let mut y = 0.0;
    let pieces = match lanes {
        Some(_) => vec![scope.components().concat()],
        None => scope.components(),
    };
    for members in pieces.into_iter().filter(|members| !members.is_empty()) {
        let piece = draw_piece(&scope, &members, lanes, &box_sizes, &mut inner);
        let height = piece.height;
        drawing.append(piece, 0.0, y);
        y += height + BLOCK_GAP;
    }
    let references = data_references(elements);
    if !references.is_empty() {
        let mut x = 0.0;
        let mut height: f64 = 0.0;
        for (id, name, (w, h)) in references {
            let bounds = Bounds::new(x, y, w, h);
            let label = name.map(|text| {
                let (lw, lh) = label_size(text);
                Bounds::new((x + w / 2.0 - lw / 2.0).round(), y + h + LABEL_GAP, lw, lh)
            });
            height = height.max(label.map_or(h, |l| l.y + l.height - y));
            drawing.shapes.push(DrawnShape { element: id.to_owned(), bounds, marking: Marking::Plain, label });
            x += w + BLOCK_GAP;
        }
        y += height + BLOCK_GAP;
    }
    let mut x = 0.0;
    for (n, node) in scope.nodes.iter().enumerate() {
        if node.role != Role::EventSubProcess {
            continue;
        }
        let (w, h) = box_sizes[n].unwrap_or(SUB_PROCESS_MIN);
        let bounds = Bounds::new(x, y, w, h);
        drawing.shapes.push(DrawnShape {
            element: node.node.id().to_owned(),
            bounds,
            marking: Marking::Expanded,
            label: None,
        });
        if let Some(content) = inner[n].take() {
            place_content(&mut drawing, content, &bounds);
        }
        x += w + BLOCK_GAP;
    }
    drawing.normalize();
    drawing
}

/// The data object and data store references among `elements`, with their names and sizes: they
/// are drawn in a row below the flow.
fn data_references(elements: &[FlowElement]) -> Vec<(&str, Option<&str>, (f64, f64))> {
    elements
        .iter()
        .filter_map(|e| match e {
            FlowElement::Other(x) if x.name.namespace.as_deref() == Some(crate::ns::BPMN) => {
                let size = match x.name.local.as_str() {
                    "dataObjectReference" => DATA_OBJECT,
                    "dataStoreReference" => DATA_STORE,
                    _ => return None,
                };
                let name = x.attribute(None, "name").filter(|n| !n.trim().is_empty());
                Some((x.id()?, name, size))
            }
            _ => None,
        })
        .collect()
}

/// The size of the expanded box around `content`.
fn box_size(content: &Drawing) -> (f64, f64) {
    let (min_w, min_h) = SUB_PROCESS_MIN;
    (
        even_ceil(content.width + 2.0 * SUB_PROCESS_PAD_X).max(min_w),
        even_ceil(content.height + SUB_PROCESS_PAD_TOP + SUB_PROCESS_PAD_BOTTOM).max(min_h),
    )
}

/// Adds `content` centred inside the expanded box `bounds`, below the room for the box's name.
fn place_content(drawing: &mut Drawing, content: Drawing, bounds: &Bounds) {
    let room = bounds.height - SUB_PROCESS_PAD_TOP - SUB_PROCESS_PAD_BOTTOM;
    let dx = (bounds.x + (bounds.width - content.width) / 2.0).round();
    let dy = (bounds.y + SUB_PROCESS_PAD_TOP + (room - content.height) / 2.0).round();
    drawing.append(content, dx, dy);
}

/// Lays out one connected piece of `scope` and the content of its sub-processes (taken out of
/// `inner`).
fn draw_piece(
    scope: &Scope,
    members: &[usize],
    lanes: Option<&Lanes>,
    box_sizes: &[Option<(f64, f64)>],
    inner: &mut [Option<Drawing>],
) -> Drawing {
    let piece = Piece::new(scope, members);
    let ranking = Ranking::new(&piece);
    let lane_rows = match lanes {
        Some(lanes) => LaneRows {
            lane: members.iter().map(|&n| lanes.of(scope.nodes[n].node.id())).collect(),
            stride: piece.len() + piece.edges.len() + 2,
            count: lanes.leaves,
        },
        None => LaneRows::single(piece.len()),
    };
    let placement = place(&piece, &ranking, &lane_rows);
    let geometry = Geometry::new(scope, &piece, &ranking, &placement, box_sizes, &lane_rows);
    let routes =
        Router { scope, piece: &piece, ranking: &ranking, placement: &placement, geometry: &geometry }.route_all();
    let mut drawing = Drawing { lane_breaks: geometry.lane_breaks.clone(), ..Drawing::default() };
    let mut drawn: Vec<usize> = Vec::new();
    for &n in members {
        drawn.push(n);
        drawn.extend(scope.attached_to(n));
    }
    for n in drawn {
        let Some(bounds) = geometry.bounds[n] else { continue };
        let node = &scope.nodes[n];
        let marking = match node.look {
            Look::Gateway { exclusive: true } => Marking::Marker,
            Look::SubProcess => Marking::Expanded,
            _ => Marking::Plain,
        };
        drawing.shapes.push(DrawnShape {
            element: node.node.id().to_owned(),
            bounds,
            marking,
            label: geometry.labels[n].map(|label| beside_bottom_edges(label, node.name(), &bounds, &routes)),
        });
        if let Some(content) = inner.get_mut(n).and_then(Option::take) {
            place_content(&mut drawing, content, &bounds);
        }
    }
    for (edge, waypoints) in piece.edges.iter().zip(routes) {
        let flow = scope.flows[edge.flow].flow;
        let label =
            flow.common.name.as_deref().filter(|n| !n.trim().is_empty()).map(|name| flow_label(name, &waypoints));
        drawing.edges.push(DrawnEdge { element: flow.common.id.clone(), waypoints, label });
    }
    drawing.normalize();
    drawing
}

/// `label` (centred below `shape`, showing `text`) moved right of the edges that leave or enter
/// the middle of the shape's bottom, so that they do not run through the text, and wrapped
/// narrower so that it stays clear of the next column's label.
fn beside_bottom_edges(label: Bounds, text: Option<&str>, shape: &Bounds, routes: &[Vec<Point>]) -> Bounds {
    let bottom = Point { x: shape.center().x, y: shape.y + shape.height };
    let touched = routes.iter().any(|r| r.first() == Some(&bottom) || r.last() == Some(&bottom));
    match text {
        Some(text) if touched => {
            let (width, height) = label_size_within(text, SIDE_LABEL_MAX_WIDTH);
            Bounds { x: bottom.x + LABEL_GAP, width, height, ..label }
        }
        _ => label,
    }
}

/// Where the label of a named flow goes: above its first horizontal segment, just after the turn
/// (or the start) it begins at.
fn flow_label(name: &str, waypoints: &[Point]) -> Bounds {
    let (w, h) = super::size::label_size(name);
    let anchor = waypoints
        .windows(2)
        .find(|pair| pair[0].y == pair[1].y)
        .map_or_else(|| waypoints.first().copied().unwrap_or_default(), |pair| pair[0]);
    Bounds::new(anchor.x + 6.0, anchor.y - h - 4.0, w, h)
}
