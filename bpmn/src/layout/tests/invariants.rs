//! The geometric rules every laid-out diagram keeps.

use crate::model::{
    Bounds, Definitions, Diagram, DiagramElement, Edge, EventKind, FlowElement, FlowNodeKind, Point, Shape,
};

/// The diagram the layout added last.
pub(super) fn diagram_of(defs: &Definitions) -> &Diagram {
    defs.diagrams.last().expect("layout added a diagram")
}

fn shapes(defs: &Definitions) -> impl Iterator<Item = &Shape> {
    diagram_of(defs).plane.elements.iter().filter_map(|e| match e {
        DiagramElement::Shape(s) => Some(s),
        _ => None,
    })
}

fn edges(defs: &Definitions) -> impl Iterator<Item = &Edge> {
    diagram_of(defs).plane.elements.iter().filter_map(|e| match e {
        DiagramElement::Edge(e) => Some(e),
        _ => None,
    })
}

/// The shape drawing element `id`.
pub(super) fn shape_of<'a>(defs: &'a Definitions, id: &str) -> &'a Shape {
    shapes(defs).find(|s| s.bpmn_element.as_deref() == Some(id)).unwrap_or_else(|| panic!("no shape for {id}"))
}

/// The edge drawing flow `id`.
pub(super) fn edge_of<'a>(defs: &'a Definitions, id: &str) -> &'a Edge {
    edges(defs).find(|e| e.bpmn_element.as_deref() == Some(id)).unwrap_or_else(|| panic!("no edge for {id}"))
}

/// A flow node with the sub-processes around it.
struct NodeInfo {
    id: String,
    ancestors: Vec<String>,
    host: Option<String>,
    labelled: bool,
}

/// A sequence flow with the sub-processes around it.
struct FlowInfo {
    id: String,
    source: String,
    target: String,
    ancestors: Vec<String>,
}

fn collect(elements: &[FlowElement], ancestors: &[String], nodes: &mut Vec<NodeInfo>, flows: &mut Vec<FlowInfo>) {
    for element in elements {
        match element {
            FlowElement::Node(node) => {
                let (host, labelled) = match &node.kind {
                    FlowNodeKind::Event(e) => match &e.kind {
                        EventKind::Boundary { attached_to, .. } => {
                            (Some(attached_to.clone()), node.common.name.is_some())
                        }
                        _ => (None, node.common.name.is_some()),
                    },
                    FlowNodeKind::Gateway(_) => (None, node.common.name.is_some()),
                    _ => (None, false),
                };
                nodes.push(NodeInfo { id: node.id().to_owned(), ancestors: ancestors.to_vec(), host, labelled });
                if let FlowNodeKind::SubProcess(sub) = &node.kind {
                    let mut inner = ancestors.to_vec();
                    inner.push(node.id().to_owned());
                    collect(&sub.flow_elements, &inner, nodes, flows);
                }
            }
            FlowElement::SequenceFlow(f) => flows.push(FlowInfo {
                id: f.common.id.clone(),
                source: f.source_ref.clone(),
                target: f.target_ref.clone(),
                ancestors: ancestors.to_vec(),
            }),
            FlowElement::Other(_) => {}
        }
    }
}

fn on_border(p: Point, b: &Bounds) -> bool {
    let eps = 0.5;
    let within_x = p.x >= b.x - eps && p.x <= b.x + b.width + eps;
    let within_y = p.y >= b.y - eps && p.y <= b.y + b.height + eps;
    let on_vertical = (p.x - b.x).abs() <= eps || (p.x - b.x - b.width).abs() <= eps;
    let on_horizontal = (p.y - b.y).abs() <= eps || (p.y - b.y - b.height).abs() <= eps;
    (on_vertical && within_y) || (on_horizontal && within_x)
}

/// True when the axis-parallel segment a-b passes through the inside of `r`.
fn crosses(a: Point, b: Point, r: &Bounds) -> bool {
    let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
    let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
    let inside_x = |x: f64| r.x < x && x < r.x + r.width;
    let inside_y = |y: f64| r.y < y && y < r.y + r.height;
    if a.y == b.y {
        inside_y(a.y) && x0.max(r.x) < x1.min(r.x + r.width)
    } else {
        inside_x(a.x) && y0.max(r.y) < y1.min(r.y + r.height)
    }
}

/// Checks the laid-out diagram of the first process: every node and flow drawn exactly once, no
/// overlapping node shapes, orthogonal edges from border to border that pass no shape, labels
/// below named events and gateways.
pub(super) fn assert_well_drawn(defs: &Definitions) {
    let process = defs.processes().next().expect("a process");
    let (mut nodes, mut flows) = (Vec::new(), Vec::new());
    collect(&process.flow_elements, &[], &mut nodes, &mut flows);
    for node in &nodes {
        let count = shapes(defs).filter(|s| s.bpmn_element.as_deref() == Some(node.id.as_str())).count();
        assert_eq!(count, 1, "{} has {count} shapes", node.id);
        let shape = shape_of(defs, &node.id);
        if node.labelled {
            let label =
                shape.label.as_ref().and_then(|l| l.bounds).unwrap_or_else(|| panic!("{} has no label", node.id));
            assert!(label.y >= shape.bounds.y + shape.bounds.height, "{}'s label is below it", node.id);
        }
    }
    for flow in &flows {
        let count = edges(defs).filter(|e| e.bpmn_element.as_deref() == Some(flow.id.as_str())).count();
        assert_eq!(count, 1, "{} has {count} edges", flow.id);
    }
    let exempt = |a: &NodeInfo, b: &NodeInfo| {
        b.ancestors.contains(&a.id)
            || a.ancestors.contains(&b.id)
            || a.host.as_ref() == Some(&b.id)
            || b.host.as_ref() == Some(&a.id)
    };
    for (i, a) in nodes.iter().enumerate() {
        for b in &nodes[i + 1..] {
            if !exempt(a, b) {
                let (ba, bb) = (shape_of(defs, &a.id).bounds, shape_of(defs, &b.id).bounds);
                assert!(!ba.overlaps(&bb), "{} {ba:?} overlaps {} {bb:?}", a.id, b.id);
            }
        }
    }
    for flow in &flows {
        let points = &edge_of(defs, &flow.id).waypoints;
        assert!(points.len() >= 2, "{} has {} waypoints", flow.id, points.len());
        for pair in points.windows(2) {
            assert!(pair[0].x == pair[1].x || pair[0].y == pair[1].y, "{} is not orthogonal: {points:?}", flow.id);
        }
        let (source, target) = (shape_of(defs, &flow.source).bounds, shape_of(defs, &flow.target).bounds);
        assert!(on_border(points[0], &source), "{} starts off {}: {points:?} {source:?}", flow.id, flow.source);
        assert!(
            on_border(points[points.len() - 1], &target),
            "{} ends off {}: {points:?} {target:?}",
            flow.id,
            flow.target
        );
        for node in
            nodes.iter().filter(|n| n.id != flow.source && n.id != flow.target && !flow.ancestors.contains(&n.id))
        {
            let bounds = shape_of(defs, &node.id).bounds;
            for pair in points.windows(2) {
                assert!(!crosses(pair[0], pair[1], &bounds), "{} crosses {}: {points:?} {bounds:?}", flow.id, node.id);
            }
        }
    }
}
