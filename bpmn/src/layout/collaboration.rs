//! The diagram of a collaboration: one pool per participant, stacked top to bottom, each holding
//! its process's layout, and the message flows between them.

use crate::model::{Bounds, Collaboration, Definitions, Diagram, Point};

use super::drawing::{Drawing, DrawnEdge, DrawnShape, Marking, draw_scope_in_lanes};
use super::emit;
use super::lanes::Lanes;

/// Width of the band on a pool's (and a lane's) left that shows its name.
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
    let contents: Vec<Option<(Drawing, Option<Lanes>)>> = collaboration
        .participants
        .iter()
        .map(|p| {
            let process = p.process_ref.as_deref().and_then(|id| defs.process(id))?;
            let lanes = Lanes::new(&process.lane_sets);
            Some((draw_scope_in_lanes(&process.flow_elements, lanes.as_ref()), lanes))
        })
        .collect();
    let label_bands = |lanes: &Option<Lanes>| if lanes.is_some() { 2.0 * POOL_LABEL } else { POOL_LABEL };
    let content_width = contents.iter().flatten().map(|(d, lanes)| d.width + label_bands(lanes)).fold(0.0, f64::max);
    let width = (content_width + 2.0 * POOL_PAD_X).max(MIN_POOL_WIDTH).ceil();
    let mut shapes = Vec::new();
    let mut edges = Vec::new();
    let mut y = ORIGIN.1;
    for (participant, content) in collaboration.participants.iter().zip(contents) {
        let height = content.as_ref().map_or(EMPTY_POOL_HEIGHT, |(d, _)| (d.height + 2.0 * POOL_PAD_Y).ceil());
        let pool = Bounds::new(ORIGIN.0, y, width, height);
        shapes.push(DrawnShape {
            element: participant.common.id.clone(),
            bounds: pool,
            marking: Marking::Pool,
            label: None,
        });
        if let Some((mut content, lanes)) = content {
            content.translate(ORIGIN.0 + label_bands(&lanes) + POOL_PAD_X, y + POOL_PAD_Y);
            if let Some(lanes) = lanes {
                shapes.extend(lane_shapes(&lanes, &pool, &content.lane_breaks));
            }
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

/// The shapes of `lanes` inside `pool`, split at `breaks` (evenly when the layout drew no breaks).
fn lane_shapes(lanes: &Lanes, pool: &Bounds, breaks: &[f64]) -> Vec<DrawnShape> {
    let bottom = pool.y + pool.height;
    let line = |leaf: usize| -> f64 {
        if leaf == 0 {
            pool.y
        } else if leaf >= lanes.leaves {
            bottom
        } else {
            match breaks.get(leaf - 1) {
                Some(&y) if breaks.len() + 1 == lanes.leaves => y.round(),
                _ => (pool.y + pool.height * leaf as f64 / lanes.leaves as f64).round(),
            }
        }
    };
    lanes
        .spans
        .iter()
        .map(|(id, first, last)| {
            let (top, end) = (line(*first), line(last + 1));
            DrawnShape {
                element: id.clone(),
                bounds: Bounds::new(pool.x + POOL_LABEL, top, pool.width - POOL_LABEL, end - top),
                marking: Marking::Pool,
                label: None,
            }
        })
        .collect()
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
