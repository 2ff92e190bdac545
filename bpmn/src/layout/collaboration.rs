//! The diagram of a collaboration: one pool per participant, stacked top to bottom, each holding
//! its process's layout, and the message flows between them.

use crate::model::{Bounds, Collaboration, Definitions, Diagram, Point};

use super::drawing::{DrawnEdge, DrawnShape, Marking, draw_scope};
use super::emit;

/// Width of the band on a pool's left that shows its name.
const POOL_LABEL: f64 = 30.0;
/// Horizontal padding between a pool's border (or name band) and its content.
const POOL_PAD_X: f64 = 40.0;
/// Vertical padding between a pool's border and its content.
const POOL_PAD_Y: f64 = 40.0;
/// Height of a pool without a process (a black box).
const EMPTY_POOL_HEIGHT: f64 = 60.0;
/// The narrowest pool.
const MIN_POOL_WIDTH: f64 = 600.0;
/// Vertical space between pools.
const POOL_GAP: f64 = 40.0;
/// Where the top-left pool goes.
const ORIGIN: (f64, f64) = (120.0, 60.0);

/// A diagram of `collaboration` with every participant's process laid out in its pool.
pub(super) fn diagram(defs: &Definitions, collaboration: &Collaboration) -> Diagram {
    let contents: Vec<_> = collaboration
        .participants
        .iter()
        .map(|p| {
            p.process_ref.as_deref().and_then(|id| defs.process(id)).map(|process| draw_scope(&process.flow_elements))
        })
        .collect();
    let content_width = contents.iter().flatten().map(|d| d.width).fold(0.0, f64::max);
    let width = (content_width + POOL_LABEL + 2.0 * POOL_PAD_X).max(MIN_POOL_WIDTH).ceil();
    let mut shapes = Vec::new();
    let mut edges = Vec::new();
    let mut y = ORIGIN.1;
    for (participant, content) in collaboration.participants.iter().zip(contents) {
        let height = content.as_ref().map_or(EMPTY_POOL_HEIGHT, |d| (d.height + 2.0 * POOL_PAD_Y).ceil());
        shapes.push(DrawnShape {
            element: participant.common.id.clone(),
            bounds: Bounds::new(ORIGIN.0, y, width, height),
            marking: Marking::Pool,
            label: None,
        });
        if let Some(mut content) = content {
            content.translate(ORIGIN.0 + POOL_LABEL + POOL_PAD_X, y + POOL_PAD_Y);
            shapes.append(&mut content.shapes);
            edges.append(&mut content.edges);
        }
        y += height + POOL_GAP;
    }
    for flow in &collaboration.message_flows {
        let find = |id: &str| shapes.iter().find(|s: &&DrawnShape| s.element == id).map(|s| s.bounds);
        if let (Some(source), Some(target)) = (find(&flow.source_ref), find(&flow.target_ref)) {
            edges.push(DrawnEdge {
                element: flow.common.id.clone(),
                waypoints: message_route(&source, &target),
                label: None,
            });
        }
    }
    emit::diagram(&collaboration.common.id, shapes, edges)
}

/// An orthogonal message flow from the facing border of `s` to the facing border of `t`.
fn message_route(s: &Bounds, t: &Bounds) -> Vec<Point> {
    let pt = |x: f64, y: f64| Point { x, y };
    let (s_bottom, t_bottom) = (s.y + s.height, t.y + t.height);
    let (ys, yt) = if s_bottom <= t.y {
        (s_bottom, t.y)
    } else if t_bottom <= s.y {
        (s.y, t_bottom)
    } else {
        let y = s_bottom.max(t_bottom) + POOL_GAP / 2.0;
        let (sc, tc) = (s.center().x, t.center().x);
        return vec![pt(sc, s_bottom), pt(sc, y), pt(tc, y), pt(tc, t_bottom)];
    };
    let (lo, hi) = (s.x.max(t.x), (s.x + s.width).min(t.x + t.width));
    if lo <= hi {
        let x = ((lo + hi) / 2.0).round();
        vec![pt(x, ys), pt(x, yt)]
    } else {
        let y = ((ys + yt) / 2.0).round();
        vec![pt(s.center().x, ys), pt(s.center().x, y), pt(t.center().x, y), pt(t.center().x, yt)]
    }
}
