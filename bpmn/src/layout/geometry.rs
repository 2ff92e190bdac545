//! Coordinates of one piece: column and row positions from the shapes they hold, the bounds of
//! every node, of the boundary events on their hosts, and of the external labels.

use crate::model::Bounds;

use super::place::{LaneRows, Placement};
use super::rank::{Piece, Ranking};
use super::scope::{Look, Scope};
use super::size::{
    ACTIVITY, BOUNDARY_SLOT, COLUMN_GAP, EMPTY_LANE, EVENT, GATEWAY, LABEL_GAP, ROW_GAP, even_ceil, label_size,
};

/// Column and row positions of a piece's grid and the bounds of its shapes.
///
/// Each run of consecutive occupied cells of a row is one horizontal line (the centres of its
/// nodes, the path of its edges). Runs are only pushed below the rows above them where they share
/// a column, so a tall sub-process on the main line moves down only what lies under it.
#[derive(Debug)]
pub(super) struct Geometry {
    /// Left edge of every column.
    col_x: Vec<f64>,
    /// Width of every column.
    col_w: Vec<f64>,
    /// Vertical centre line of every occupied cell, by column and row.
    center: Vec<Vec<f64>>,
    /// Lowest point of anything drawn in every column.
    col_bottom: Vec<f64>,
    /// Bounds of every scope node drawn in this piece (layered nodes and their boundary events).
    pub bounds: Vec<Option<Bounds>>,
    /// External label bounds of every scope node that has one.
    pub labels: Vec<Option<Bounds>>,
    /// The line between each lane and the next, from the top.
    pub lane_breaks: Vec<f64>,
}

/// The lanes' horizontal bands, worked out top to bottom while rows are positioned.
#[derive(Debug, Default)]
struct LaneBands {
    /// The lane being positioned.
    lane: usize,
    /// The top line of the lane being positioned.
    top: f64,
    /// The lowest point of anything in the lane being positioned.
    lowest: Option<f64>,
    /// The line between each lane and the next.
    breaks: Vec<f64>,
}

impl LaneBands {
    /// Closes the lanes before `lane`; lanes without content get a band of their own.
    fn enter(&mut self, lane: usize) {
        while self.lane < lane {
            let bottom = match self.lowest.take() {
                Some(lowest) => lowest + ROW_GAP / 2.0,
                None if self.lane == 0 && self.breaks.is_empty() => EMPTY_LANE - ROW_GAP / 2.0,
                None => self.top + EMPTY_LANE,
            };
            self.breaks.push(bottom);
            self.top = bottom;
            self.lane += 1;
        }
    }

    /// Where the shapes of the current lane may start.
    fn floor(&self) -> f64 {
        if self.breaks.is_empty() { 0.0 } else { self.top + ROW_GAP / 2.0 }
    }

    /// Records that something in the current lane reaches down to `y`.
    fn reach(&mut self, y: f64) {
        self.lowest = Some(self.lowest.map_or(y, |l| l.max(y)));
    }
}

/// How far a grid cell's content reaches above and below its row's centre line.
#[derive(Debug, Clone, Copy)]
struct Reach {
    up: f64,
    down: f64,
}

impl Geometry {
    /// Positions the grid of `piece`. `sub_process_sizes` gives the box size of every scope node
    /// that is an expanded sub-process.
    pub fn new(
        scope: &Scope,
        piece: &Piece,
        ranking: &Ranking,
        placement: &Placement,
        sub_process_sizes: &[Option<(f64, f64)>],
        lanes: &LaneRows,
    ) -> Self {
        let sizes: Vec<(f64, f64)> = piece.nodes.iter().map(|&n| node_size(scope, n, sub_process_sizes)).collect();
        let columns = ranking.rank.iter().max().map_or(0, |&m| m + 1);
        let rows = placement.rows.max(1);
        let mut col_w = vec![0.0f64; columns];
        let mut cells: Vec<Vec<Option<Reach>>> = vec![vec![None; rows]; columns];
        for &(c, r) in &placement.line_cells {
            cells[c][r] = Some(Reach { up: 0.0, down: 0.0 });
        }
        for (v, &(w, h)) in sizes.iter().enumerate() {
            let (c, r) = (ranking.rank[v], placement.row[v]);
            col_w[c] = col_w[c].max(w);
            cells[c][r] = Some(Reach { up: h / 2.0, down: h / 2.0 + hanging_below(scope, piece.nodes[v]) });
        }
        let col_x = running_starts(&col_w, COLUMN_GAP);
        let mut center = vec![vec![0.0f64; rows]; columns];
        let mut bands = LaneBands::default();
        for r in 0..rows {
            bands.enter(lanes.lane_of_row(r));
            let floor = bands.floor();
            for run in runs(&cells, r) {
                let lowest = run
                    .clone()
                    .filter_map(|c| {
                        let here = cells[c][r]?;
                        let below_upper = (0..r)
                            .filter_map(|a| cells[c][a].map(|upper| center[c][a] + upper.down + ROW_GAP + here.up))
                            .fold(floor + here.up, f64::max);
                        Some(below_upper)
                    })
                    .fold(0.0, f64::max)
                    .round();
                for c in run {
                    center[c][r] = lowest;
                    if let Some(here) = cells[c][r] {
                        bands.reach(lowest + here.down);
                    }
                }
            }
        }
        bands.enter(lanes.count.saturating_sub(1));
        let mut geometry = Geometry {
            lane_breaks: bands.breaks,
            col_x,
            col_w,
            center,
            col_bottom: vec![0.0; columns],
            bounds: vec![None; scope.nodes.len()],
            labels: vec![None; scope.nodes.len()],
        };
        for (v, &(w, h)) in sizes.iter().enumerate() {
            let (c, r) = (ranking.rank[v], placement.row[v]);
            let (cx, cy) = (geometry.center_x(c), geometry.center_y(c, r));
            let node = piece.nodes[v];
            let bounds = Bounds::new(cx - w / 2.0, cy - h / 2.0, w, h);
            geometry.set(scope, node, bounds, c);
            for (slot, boundary) in boundary_order(scope, piece, ranking, placement, node).into_iter().enumerate() {
                geometry.set(scope, boundary, boundary_bounds(&bounds, slot, scope.attached_to(node).count()), c);
            }
        }
        geometry
    }

    /// Records the bounds (and the label below) of scope node `node` drawn in column `column`.
    fn set(&mut self, scope: &Scope, node: usize, bounds: Bounds, column: usize) {
        let mut bottom = bounds.y + bounds.height;
        if let Some(name) = scope.nodes[node].name()
            && matches!(scope.nodes[node].look, Look::Event | Look::Gateway { .. })
        {
            let (w, h) = label_size(name);
            let label = Bounds::new((bounds.center().x - w / 2.0).round(), bottom + LABEL_GAP, w, h);
            bottom = label.y + h;
            self.labels[node] = Some(label);
        }
        self.col_bottom[column] = self.col_bottom[column].max(bottom);
        self.bounds[node] = Some(bounds);
    }

    /// Horizontal centre of column `c`.
    pub fn center_x(&self, c: usize) -> f64 {
        self.col_x[c] + self.col_w[c] / 2.0
    }

    /// The height of row `r`'s line where it passes column `c`.
    pub fn center_y(&self, c: usize, r: usize) -> f64 {
        self.center.get(c).and_then(|column| column.get(r)).copied().unwrap_or_default()
    }

    /// The middle of the gap right of column `c`.
    pub fn channel_after(&self, c: usize) -> f64 {
        self.col_x[c] + self.col_w[c] + COLUMN_GAP / 2.0
    }

    /// The middle of the gap left of column `c`.
    pub fn channel_before(&self, c: usize) -> f64 {
        self.col_x[c] - COLUMN_GAP / 2.0
    }

    /// The lowest point of anything drawn in columns `first..=last`.
    pub fn bottom_of_columns(&self, first: usize, last: usize) -> f64 {
        self.col_bottom.get(first..=last).map_or(0.0, |cols| cols.iter().copied().fold(0.0, f64::max))
    }
}

/// The runs of consecutive occupied cells of row `r`, as column ranges.
fn runs(cells: &[Vec<Option<Reach>>], r: usize) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (c, column) in cells.iter().enumerate() {
        match (column[r].is_some(), start) {
            (true, None) => start = Some(c),
            (false, Some(s)) => {
                runs.push(s..c);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..cells.len());
    }
    runs
}

/// Start positions of consecutive bands with the given sizes and gap.
fn running_starts(sizes: &[f64], gap: f64) -> Vec<f64> {
    let mut next = 0.0;
    sizes
        .iter()
        .map(|size| {
            let start = next;
            next += size + gap;
            start
        })
        .collect()
}

/// The size of layered scope node `node`, widened so that its boundary events fit.
fn node_size(scope: &Scope, node: usize, sub_process_sizes: &[Option<(f64, f64)>]) -> (f64, f64) {
    let (w, h) = match scope.nodes[node].look {
        Look::Event => (EVENT, EVENT),
        Look::Gateway { .. } => (GATEWAY, GATEWAY),
        Look::Activity => ACTIVITY,
        Look::SubProcess => sub_process_sizes.get(node).copied().flatten().unwrap_or(ACTIVITY),
    };
    let slots = boundary_slots(scope.attached_to(node).count());
    (w.max(even_ceil(slots as f64 * BOUNDARY_SLOT)), h)
}

/// How many evenly spaced slots `count` boundary events use: an even number, so none sits in the
/// middle of the border where forks and loops leave.
fn boundary_slots(count: usize) -> usize {
    count + count % 2
}

/// How far below its bottom edge a layered node's label, or its boundary events and their labels,
/// reach.
fn hanging_below(scope: &Scope, node: usize) -> f64 {
    let label = |n: usize| scope.nodes[n].name().map_or(0.0, |name| LABEL_GAP + label_size(name).1);
    let own = match scope.nodes[node].look {
        Look::Event | Look::Gateway { .. } => label(node),
        _ => 0.0,
    };
    scope.attached_to(node).map(|b| EVENT / 2.0 + label(b)).fold(own, f64::max)
}

/// The bounds of the boundary event in slot `slot` of `count` on the bottom border of `host`.
fn boundary_bounds(host: &Bounds, slot: usize, count: usize) -> Bounds {
    let spacing = host.width / boundary_slots(count) as f64;
    let cx = (host.x + spacing * (slot as f64 + 0.5)).round();
    Bounds::new(cx - EVENT / 2.0, host.y + host.height - EVENT / 2.0, EVENT, EVENT)
}

/// The boundary events of `host`, left to right: those whose flows loop back first, then those
/// whose flows run on lower rows, so that their flows do not cross each other.
fn boundary_order(scope: &Scope, piece: &Piece, ranking: &Ranking, placement: &Placement, host: usize) -> Vec<usize> {
    let mut events: Vec<(usize, usize)> = scope
        .attached_to(host)
        .map(|b| {
            let depth = piece
                .edges
                .iter()
                .enumerate()
                .filter(|(_, edge)| scope.flows[edge.flow].source == b)
                .map(|(e, edge)| match (ranking.back[e], placement.via[e]) {
                    (true, _) => usize::MAX,
                    (false, Some(via)) => via,
                    (false, None) => placement.row[edge.to],
                })
                .max()
                .unwrap_or(0);
            (b, depth)
        })
        .collect();
    events.sort_by_key(|&(b, depth)| (std::cmp::Reverse(depth), b));
    events.into_iter().map(|(b, _)| b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_slots_are_even_so_none_sits_in_the_middle() {
        for count in 1..6 {
            let host = Bounds::new(0.0, 0.0, 200.0, 80.0);
            for slot in 0..count {
                let b = boundary_bounds(&host, slot, count);
                assert_ne!(b.center().x, 100.0, "slot {slot} of {count}");
            }
        }
    }
}
