//! Rows: every node of a piece gets a cell (column = rank, row) in a grid, walking depth-first
//! from the start so that the longest path stays on one row and side branches take the free rows
//! below. Every forward edge gets the row its horizontal segment runs on, chosen so that it
//! passes no node; the cells it passes are reserved so that no node is placed there later.

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

/// Assigns rows to the nodes and edges of `piece`.
pub(super) fn place(piece: &Piece, ranking: &Ranking) -> Placement {
    let mut placer = Placer {
        piece,
        ranking,
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
        let column = ranking.rank[root];
        let row = (0..=placer.occupancy.rows).find(|&r| placer.occupancy.is_free((column, r))).unwrap_or_default();
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
            let candidates = self.via_candidates(e, from, to);
            let clear =
                |via: &usize| self.passes_no_node(from, to, *via) && self.occupancy.line_free(from.0, to.0, *via);
            let via = candidates
                .iter()
                .find(|via| clear(via))
                .or_else(|| candidates.iter().find(|&&via| self.passes_no_node(from, to, via)))
                .copied();
            if let Some(via) = via {
                self.occupancy.reserve(from, to, via);
            }
            self.via[e] = via;
            return None;
        }
        let column = self.ranking.rank[edge.to];
        let main = first && !edge.from_boundary;
        let straight = main && {
            let to = (column, from.1);
            self.occupancy.is_free(to) && route_cells(from, to, from.1).iter().all(|&c| self.occupancy.is_free(c))
        };
        let (row, routed) = if straight { (from.1, true) } else { self.branch_row(edge.to, from) };
        self.put(edge.to, row);
        if routed {
            self.occupancy.reserve(from, (column, row), row);
            self.via[e] = Some(row);
        }
        Some(edge.to)
    }

    /// The rows to try for the horizontal segment of an edge between two placed nodes: loops run
    /// below both ends.
    fn via_candidates(&self, e: usize, from: (usize, usize), to: (usize, usize)) -> Vec<usize> {
        let edge = self.piece.edges[e];
        if self.ranking.back[e] {
            let self_loop = edge.from == edge.to;
            return if self_loop { Vec::new() } else { (from.1.max(to.1) + 1..=self.occupancy.rows).collect() };
        }
        let forks = self.piece.outgoing(edge.from).iter().filter(|&&o| self.ranking.forward(o)).count() > 1;
        let below = from.1.max(to.1) + 1..=self.occupancy.rows;
        let mut candidates: Vec<usize> = if edge.from_boundary {
            (to.1 > from.1).then_some(to.1).into_iter().collect()
        } else if from.1 == to.1 {
            vec![from.1]
        } else if forks {
            vec![to.1, from.1]
        } else {
            vec![from.1, to.1]
        };
        candidates.extend(below);
        candidates
    }

    fn passes_no_node(&self, from: (usize, usize), to: (usize, usize), via: usize) -> bool {
        route_cells(from, to, via).iter().all(|&c| !self.occupancy.has_node(c))
    }

    /// The first row below `from` for a side branch starting at unplaced node `v`: its cell and
    /// the way there are free, and so is the row up to where the branch ends or joins. The second
    /// value is false when no row gives a route that passes no node.
    fn branch_row(&self, v: usize, from: (usize, usize)) -> (usize, bool) {
        let column = self.ranking.rank[v];
        let end = self.branch_end(v);
        let limit = self.occupancy.rows;
        let fits = |r: usize| {
            self.occupancy.is_free((column, r))
                && self.passes_no_node(from, (column, r), r)
                && (from.0 + 1..=end).all(|c| self.occupancy.is_free((c, r)))
        };
        match (from.1 + 1..=limit).find(|&r| fits(r)) {
            Some(r) => (r, true),
            None => (limit.max(from.1 + 1), false),
        }
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
