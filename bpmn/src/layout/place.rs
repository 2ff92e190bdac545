//! Rows: every node of a piece gets a cell (column = rank, row) in a grid, walking depth-first
//! from the start so that the longest path stays on one row and side branches take the free rows
//! below (within the node's lane, when the process has lanes). Every edge gets the row its
//! horizontal segment runs on, chosen so that it passes no node; the cells it passes are reserved
//! so that no node is placed there later.

use std::collections::{HashMap, HashSet};

use super::order::column_positions;
use super::rank::{Piece, Ranking};

/// What occupies a grid cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// A node.
    Node,
    /// One or more edges pass.
    Edge,
}

/// The grid cells taken so far, keyed by (column, row).
#[derive(Debug, Default)]
struct Occupancy {
    cells: HashMap<(usize, usize), Cell>,
    /// Edge cells that a horizontal segment passes (the others only see a vertical one).
    lines: HashSet<(usize, usize)>,
    rows: usize,
}

impl Occupancy {
    fn has_node(&self, cell: (usize, usize)) -> bool {
        self.cells.get(&cell) == Some(&Cell::Node)
    }

    fn is_free(&self, cell: (usize, usize)) -> bool {
        !self.cells.contains_key(&cell)
    }

    fn put_node(&mut self, cell: (usize, usize)) {
        self.cells.insert(cell, Cell::Node);
        self.rows = self.rows.max(cell.1 + 1);
    }

    /// Reserves the cells of an edge from `from` to `to` whose horizontal segment runs on `via`.
    fn reserve(&mut self, from: (usize, usize), to: (usize, usize), via: usize) {
        for cell in route_cells(from, to, via) {
            self.cells.entry(cell).or_insert(Cell::Edge);
            self.rows = self.rows.max(cell.1 + 1);
        }
        let line = from.0.min(to.0)..=from.0.max(to.0);
        self.lines.extend(line.map(|c| (c, via)).filter(|cell| self.cells.get(cell) == Some(&Cell::Edge)));
    }

    /// True when no horizontal edge segment runs on row `via` between columns `a` and `b`.
    fn line_free(&self, a: usize, b: usize, via: usize) -> bool {
        (a.min(b)..=a.max(b)).all(|c| !self.lines.contains(&(c, via)))
    }
}

/// The cells an edge from cell `from` to cell `to` passes when its horizontal segment runs on row
/// `via` (both end cells excluded): down or up the source's column to `via`, along `via` (to the
/// right for forward edges, to the left for loops), then up or down the target's column.
pub(super) fn route_cells(from: (usize, usize), to: (usize, usize), via: usize) -> Vec<(usize, usize)> {
    let ((cs, rs), (ct, rt)) = (from, to);
    let mut cells = Vec::new();
    if via != rs {
        let rows = if via > rs { rs + 1..via + 1 } else { via..rs };
        cells.extend(rows.map(|r| (cs, r)));
    }
    cells.extend((cs.min(ct) + 1..cs.max(ct)).map(|c| (c, via)));
    if via != rt {
        let rows = if via > rt { rt + 1..via + 1 } else { via..rt };
        cells.extend(rows.map(|r| (ct, r)));
    }
    cells
}

/// Rows of a piece's nodes and of its edges' horizontal segments.
#[derive(Debug)]
pub(super) struct Placement {
    /// Row of every local node.
    pub row: Vec<usize>,
    /// Row of each edge's horizontal segment (below both ends for loops); `None` for self-loops
    /// and for edges that found no row whose way passes no node (they are routed through the gaps
    /// between columns and below what they span).
    pub via: Vec<Option<usize>>,
    /// The number of rows used.
    pub rows: usize,
    /// The cells without a node that a horizontal edge segment passes, sorted.
    pub line_cells: Vec<(usize, usize)>,
}

/// Which lane every node of a piece belongs to. Lane `k` owns the rows
/// `k * stride .. (k + 1) * stride`, so lanes are horizontal bands in order.
#[derive(Debug)]
pub(super) struct LaneRows {
    /// Lane of every local node.
    pub lane: Vec<usize>,
    /// Rows per lane.
    pub stride: usize,
    /// How many lanes there are (some may hold no node).
    pub count: usize,
}

impl LaneRows {
    /// One lane holding all `nodes` nodes, with room for any number of rows.
    pub fn single(nodes: usize) -> Self {
        LaneRows { lane: vec![0; nodes], stride: usize::MAX / 4, count: 1 }
    }

    /// The lane that owns row `row`.
    pub fn lane_of_row(&self, row: usize) -> usize {
        row / self.stride
    }

    /// The first row of lane `lane`.
    fn start(&self, lane: usize) -> usize {
        lane.saturating_mul(self.stride)
    }

    /// The last row of lane `lane`.
    fn last(&self, lane: usize) -> usize {
        self.start(lane).saturating_add(self.stride - 1)
    }
}

/// Assigns rows to the nodes and edges of `piece`, keeping each node in its lane's rows.
pub(super) fn place(piece: &Piece, ranking: &Ranking, lanes: &LaneRows) -> Placement {
    let mut placer = Placer {
        piece,
        ranking,
        lanes,
        row: vec![None; piece.len()],
        via: vec![None; piece.edges.len()],
        occupancy: Occupancy::default(),
    };
    let position = column_positions(piece, ranking);
    let order: Vec<Vec<usize>> = (0..piece.len()).map(|u| placer.visit_order(u, &position)).collect();
    for root in piece.roots() {
        if placer.row[root].is_some() {
            continue;
        }
        let lane = lanes.lane[root];
        let row = placer.free_row_in_lane(ranking.rank[root], lane, lanes.start(lane));
        placer.put(root, row);
        let mut stack = vec![(root, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (u, i) = *top;
            let Some(&e) = order[u].get(i) else {
                stack.pop();
                continue;
            };
            top.1 += 1;
            if let Some(placed) = placer.follow(e, i == 0) {
                stack.push((placed, 0));
            }
        }
    }
    placer.drop_blocked_routes();
    let rows = placer.occupancy.rows;
    let mut line_cells: Vec<(usize, usize)> =
        placer.occupancy.lines.iter().copied().filter(|cell| !placer.occupancy.has_node(*cell)).collect();
    line_cells.sort_unstable();
    Placement {
        row: placer.row.into_iter().map(Option::unwrap_or_default).collect(),
        via: placer.via,
        rows,
        line_cells,
    }
}

/// The state of the row assignment.
struct Placer<'p> {
    piece: &'p Piece,
    ranking: &'p Ranking,
    lanes: &'p LaneRows,
    row: Vec<Option<usize>>,
    via: Vec<Option<usize>>,
    occupancy: Occupancy,
}

impl Placer<'_> {
    /// The edges leaving `u` in the order they are followed: the forward one on the longest path
    /// first (ties: the nearer target, then document order), then the other plain flows, then the
    /// flows of boundary events, each by their target's `position` in its column, then the loops.
    fn visit_order(&self, u: usize, position: &[usize]) -> Vec<usize> {
        let (rank, tail) = (&self.ranking.rank, &self.ranking.tail);
        let mut out: Vec<usize> = self.piece.outgoing(u).into_iter().filter(|&e| self.ranking.forward(e)).collect();
        out.sort_by_key(|&e| (self.piece.edges[e].from_boundary, position[self.piece.edges[e].to]));
        let main = out
            .iter()
            .enumerate()
            .filter(|&(_, &e)| !self.piece.edges[e].from_boundary)
            .max_by_key(|&(i, &e)| {
                let t = self.piece.edges[e].to;
                (rank[t] + tail[t], std::cmp::Reverse(rank[t]), std::cmp::Reverse(i))
            })
            .map(|(i, _)| i);
        if let Some(i) = main {
            let e = out.remove(i);
            out.insert(0, e);
        }
        out.extend(self.piece.outgoing(u).into_iter().filter(|&e| self.ranking.back[e]));
        out
    }

    fn cell(&self, v: usize) -> Option<(usize, usize)> {
        Some((self.ranking.rank[v], self.row[v]?))
    }

    fn put(&mut self, v: usize, row: usize) {
        self.row[v] = Some(row);
        self.occupancy.put_node((self.ranking.rank[v], row));
    }

    /// Follows edge `e`: places its target when it has no row yet (returning it), and chooses the
    /// row of the edge's horizontal segment.
    fn follow(&mut self, e: usize, first: bool) -> Option<usize> {
        let edge = self.piece.edges[e];
        let from = self.cell(edge.from)?;
        if let Some(to) = self.cell(edge.to) {
            let (preferred, below) = self.via_candidates(e, from, to);
            let clear =
                |via: &usize| self.passes_no_node(from, to, *via) && self.occupancy.line_free(from.0, to.0, *via);
            let via = preferred
                .iter()
                .find(|&&via| self.passes_no_node(from, to, via))
                .or_else(|| below.iter().find(|via| clear(via)))
                .or_else(|| below.iter().find(|&&via| self.passes_no_node(from, to, via)))
                .copied();
            if let Some(via) = via {
                self.occupancy.reserve(from, to, via);
            }
            self.via[e] = via;
            return None;
        }
        let column = self.ranking.rank[edge.to];
        let main = first && !edge.from_boundary && self.lanes.lane_of_row(from.1) == self.lanes.lane[edge.to];
        let straight = main && {
            let to = (column, from.1);
            self.occupancy.is_free(to) && route_cells(from, to, from.1).iter().all(|&c| self.occupancy.is_free(c))
        };
        let (row, routed) = if straight { (from.1, true) } else { self.branch_row(edge.to, from, edge.from_boundary) };
        self.put(edge.to, row);
        if routed {
            self.occupancy.reserve(from, (column, row), row);
            self.via[e] = Some(row);
        }
        Some(edge.to)
    }

    /// Forgets the row of every edge whose way a node was placed on after the edge was routed
    /// (only a node that found no free cell in its lane does that); such edges take a detour.
    fn drop_blocked_routes(&mut self) {
        for (e, edge) in self.piece.edges.iter().enumerate() {
            if let (Some(via), Some(from), Some(to)) = (self.via[e], self.cell(edge.from), self.cell(edge.to))
                && !self.passes_no_node(from, to, via)
            {
                self.via[e] = None;
            }
        }
    }

    /// The rows to try for the horizontal segment of an edge between two placed nodes: first the
    /// rows of its ends (where it may share the last stretch with other flows into the same
    /// target), then the rows below both ends (where it should not run along another edge).
    /// Loops only run below both ends.
    fn via_candidates(&self, e: usize, from: (usize, usize), to: (usize, usize)) -> (Vec<usize>, Vec<usize>) {
        let edge = self.piece.edges[e];
        let below: Vec<usize> = (from.1.max(to.1) + 1..=self.occupancy.rows).collect();
        if self.ranking.back[e] {
            let self_loop = edge.from == edge.to;
            return (Vec::new(), if self_loop { Vec::new() } else { below });
        }
        let forks = self.piece.outgoing(edge.from).iter().filter(|&&o| self.ranking.forward(o)).count() > 1;
        let preferred = if edge.from_boundary {
            (to.1 > from.1).then_some(to.1).into_iter().collect()
        } else if from.1 == to.1 {
            vec![from.1]
        } else if forks {
            vec![to.1, from.1]
        } else {
            vec![from.1, to.1]
        };
        (preferred, below)
    }

    fn passes_no_node(&self, from: (usize, usize), to: (usize, usize), via: usize) -> bool {
        route_cells(from, to, via).iter().all(|&c| !self.occupancy.has_node(c))
    }

    /// The first row below `from` (in `v`'s lane) for a side branch starting at unplaced node `v`:
    /// its cell and the way there are free, and so is the row up to where the branch ends or
    /// joins. Flows of boundary events only go down. The second value is false when no row gives
    /// a route that passes no node.
    fn branch_row(&self, v: usize, from: (usize, usize), down_only: bool) -> (usize, bool) {
        let column = self.ranking.rank[v];
        let end = self.branch_end(v);
        let lane = self.lanes.lane[v];
        let limit = self.lane_limit(lane);
        let first = if self.lanes.lane_of_row(from.1) == lane { from.1 + 1 } else { self.lanes.start(lane) };
        let fits = |r: usize| {
            (!down_only || r > from.1)
                && self.occupancy.is_free((column, r))
                && self.passes_no_node(from, (column, r), r)
                && (from.0 + 1..=end).all(|c| self.occupancy.is_free((c, r)))
        };
        match (first..=limit.max(first)).find(|&r| fits(r)) {
            Some(r) => (r, true),
            None => (self.free_row_in_lane(column, lane, first), false),
        }
    }

    /// The row just below everything used so far in lane `lane` (at most its last row).
    fn lane_limit(&self, lane: usize) -> usize {
        let start = self.lanes.start(lane);
        let used =
            self.occupancy.cells.keys().filter(|&&(_, r)| self.lanes.lane_of_row(r) == lane).map(|&(_, r)| r + 1);
        used.max().unwrap_or(start).clamp(start, self.lanes.last(lane))
    }

    /// The first row from `first` on, within lane `lane`, whose cell in `column` is free, or else
    /// holds no node (a lane has more rows than there are nodes, so one does).
    fn free_row_in_lane(&self, column: usize, lane: usize, first: usize) -> usize {
        let rows = first..=self.lanes.last(lane);
        rows.clone()
            .find(|&r| self.occupancy.is_free((column, r)))
            .or_else(|| rows.clone().find(|&r| !self.occupancy.has_node((column, r))))
            .unwrap_or(first)
    }

    /// The last column a branch starting at unplaced node `v` reaches before it ends or joins
    /// placed nodes.
    fn branch_end(&self, v: usize) -> usize {
        let rank = &self.ranking.rank;
        let mut end = rank[v];
        let mut seen = HashSet::from([v]);
        let mut pending = vec![v];
        while let Some(u) = pending.pop() {
            for e in self.piece.outgoing(u).into_iter().filter(|&e| self.ranking.forward(e)) {
                let to = self.piece.edges[e].to;
                end = end.max(rank[to]);
                if self.row[to].is_none() && seen.insert(to) {
                    pending.push(to);
                }
            }
        }
        end
    }
}
