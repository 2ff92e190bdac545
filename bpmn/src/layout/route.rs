//! Orthogonal edges: waypoints with only horizontal and vertical segments that start on the
//! source's border and end on the target's.
//!
//! A forward edge follows the row chosen for it: straight when source and target share it, out of
//! the source's bottom (or top) into the target's left side for forks, out of the source's right
//! side into the target's bottom (or top) for joins. Edges without such a row turn in the gap
//! before the target's column when their own row is clear, else run through the gaps between
//! columns and below what they span, where no shape is. Loops leave the source's
//! bottom, run back on a row below both ends (or below everything between them), and enter the
//! target's bottom.

use crate::model::{Bounds, Point};

use super::geometry::Geometry;
use super::place::Placement;
use super::rank::{Piece, Ranking};
use super::scope::Scope;
use super::size::LOOP_GAP;

/// What the router needs to know about a laid-out piece.
pub(super) struct Router<'a> {
    /// The scope the piece belongs to.
    pub scope: &'a Scope<'a>,
    /// The piece.
    pub piece: &'a Piece,
    /// Its columns and loops.
    pub ranking: &'a Ranking,
    /// Its rows.
    pub placement: &'a Placement,
    /// Its coordinates.
    pub geometry: &'a Geometry,
}

impl Router<'_> {
    /// Waypoints of every edge of the piece, in the piece's edge order.
    pub fn route_all(&self) -> Vec<Vec<Point>> {
        let edges = 0..self.piece.edges.len();
        let mut routes: Vec<Vec<Point>> = edges
            .clone()
            .map(|e| match (self.ranking.back[e], self.placement.via[e]) {
                (false, _) => self.forward(e),
                (true, Some(via)) => self.back_on_row(e, via),
                (true, None) => Vec::new(),
            })
            .collect();
        let mut loops: Vec<usize> =
            edges.filter(|&e| self.ranking.back[e] && self.placement.via[e].is_none()).collect();
        loops.sort_by_key(|&e| {
            let edge = self.piece.edges[e];
            (self.ranking.rank[edge.from] - self.ranking.rank[edge.to], e)
        });
        let mut levels: Vec<(usize, usize, f64)> = Vec::new();
        for e in loops {
            let edge = self.piece.edges[e];
            let (first, last) = (self.ranking.rank[edge.to], self.ranking.rank[edge.from]);
            let below = levels
                .iter()
                .filter(|&&(lo, hi, _)| lo <= last && first <= hi)
                .map(|&(_, _, y)| y)
                .fold(self.geometry.bottom_of_columns(first, last), f64::max);
            let y = below + LOOP_GAP;
            levels.push((first, last, y));
            routes[e] = self.back(e, y);
        }
        routes.into_iter().map(simplify).collect()
    }

    /// The cell of local node `v`.
    fn cell(&self, v: usize) -> (usize, usize) {
        (self.ranking.rank[v], self.placement.row[v])
    }

    /// Bounds of the scope node with the given index (placed by construction).
    fn bounds(&self, node: usize) -> Bounds {
        self.geometry.bounds[node].unwrap_or_default()
    }

    /// Bounds of the drawn source of edge `e` (the boundary event for its flows) and of its target.
    fn ends(&self, e: usize) -> (Bounds, Bounds) {
        let flow = &self.scope.flows[self.piece.edges[e].flow];
        (self.bounds(flow.source), self.bounds(flow.target))
    }

    /// True when no node of the piece sits below row `row` in column `column`.
    fn clear_below(&self, column: usize, row: usize) -> bool {
        (0..self.piece.len()).all(|v| {
            let (c, r) = self.cell(v);
            c != column || r <= row
        })
    }

    /// The start of a detour that leaves the source of edge `e` (drawn as `s` in column `cs`) and
    /// reaches the gap right of its column, where nothing is in the way of going down.
    fn leave_downwards(&self, e: usize, s: &Bounds, cs: usize) -> Vec<Point> {
        let x1 = self.geometry.channel_after(cs);
        if self.piece.edges[e].from_boundary {
            let y = s.y + s.height + LOOP_GAP / 2.0;
            vec![bottom(s), pt(s.center().x, y), pt(x1, y)]
        } else {
            vec![right(s), pt(x1, s.center().y)]
        }
    }

    /// True when no shape of the piece lies on the horizontal line at `y` from `x1` to `x2`.
    fn nothing_along(&self, x1: f64, x2: f64, y: f64) -> bool {
        self.geometry
            .bounds
            .iter()
            .flatten()
            .all(|b| y <= b.y || y >= b.y + b.height || x2 <= b.x || x1 >= b.x + b.width)
    }

    fn forward(&self, e: usize) -> Vec<Point> {
        let edge = self.piece.edges[e];
        let ((cs, rs), (ct, rt)) = (self.cell(edge.from), self.cell(edge.to));
        let (s, t) = self.ends(e);
        let g = self.geometry;
        let Some(via) = self.placement.via[e] else {
            let x2 = g.channel_before(ct);
            if !edge.from_boundary && self.nothing_along(s.x + s.width, x2, s.center().y) {
                return vec![right(&s), pt(x2, s.center().y), pt(x2, t.center().y), left(&t)];
            }
            let below = g.bottom_of_columns(cs.min(ct), cs.max(ct)) + LOOP_GAP;
            let mut points = self.leave_downwards(e, &s, cs);
            let x1 = points.last().map_or(s.center().x, |p| p.x);
            points.extend([pt(x1, below), pt(x2, below), pt(x2, t.center().y), left(&t)]);
            return points;
        };
        let y = g.center_y(ct, via);
        let mut points = if edge.from_boundary || via > rs {
            vec![bottom(&s), pt(s.center().x, y)]
        } else if via < rs {
            vec![top(&s), pt(s.center().x, y)]
        } else {
            vec![right(&s)]
        };
        if via == rt {
            points.push(left(&t));
        } else {
            points.push(pt(t.center().x, y));
            points.push(if via > rt { bottom(&t) } else { top(&t) });
        }
        points
    }

    /// A loop whose horizontal segment runs on row `via`, below both its ends.
    fn back_on_row(&self, e: usize, via: usize) -> Vec<Point> {
        let (s, t) = self.ends(e);
        let y = self.geometry.center_y(self.ranking.rank[self.piece.edges[e].to], via);
        vec![bottom(&s), pt(s.center().x, y), pt(t.center().x, y), bottom(&t)]
    }

    /// A loop without a row of its own, whose horizontal segment runs at height `y` below
    /// everything it spans.
    fn back(&self, e: usize, y: f64) -> Vec<Point> {
        let edge = self.piece.edges[e];
        let ((cs, rs), (ct, rt)) = (self.cell(edge.from), self.cell(edge.to));
        let (s, t) = self.ends(e);
        let g = self.geometry;
        let host = self.piece.nodes[edge.from];
        let self_loop = edge.from == edge.to && !edge.from_boundary;
        let bare_self_loop = self_loop && self.scope.attached_to(host).next().is_none();
        let mut points = if !self_loop && self.clear_below(cs, rs) {
            vec![bottom(&s)]
        } else if bare_self_loop && self.clear_below(cs, rs) {
            let offset = (s.width / 4.0).round();
            let (out, into) = (pt(s.center().x + offset, s.y + s.height), pt(s.center().x - offset, t.y + t.height));
            return vec![out, pt(out.x, y), pt(into.x, y), into];
        } else {
            self.leave_downwards(e, &s, cs)
        };
        let turn = points.last().map_or(s.center().x, |p| p.x);
        points.push(pt(turn, y));
        if self.clear_below(ct, rt) {
            points.extend([pt(t.center().x, y), bottom(&t)]);
        } else {
            let x2 = g.channel_before(ct);
            points.extend([pt(x2, y), pt(x2, t.center().y), left(&t)]);
        }
        points
    }
}

fn pt(x: f64, y: f64) -> Point {
    Point { x, y }
}

fn right(b: &Bounds) -> Point {
    pt(b.x + b.width, b.center().y)
}

fn left(b: &Bounds) -> Point {
    pt(b.x, b.center().y)
}

fn bottom(b: &Bounds) -> Point {
    pt(b.center().x, b.y + b.height)
}

fn top(b: &Bounds) -> Point {
    pt(b.center().x, b.y)
}

/// Drops repeated points and points in the middle of a straight run.
fn simplify(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out.as_slice()
            && ((a.x == b.x && b.x == p.x) || (a.y == b.y && b.y == p.y))
        {
            out.pop();
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_drops_duplicates_and_straight_middles() {
        let points = vec![pt(0.0, 0.0), pt(0.0, 0.0), pt(5.0, 0.0), pt(10.0, 0.0), pt(10.0, 5.0)];
        assert_eq!(simplify(points), vec![pt(0.0, 0.0), pt(10.0, 0.0), pt(10.0, 5.0)]);
    }
}
