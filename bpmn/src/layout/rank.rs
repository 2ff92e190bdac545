//! The layering of one connected piece: which flows are loops (back edges), and the column
//! (rank) of every node as the longest path from the start.

use super::scope::Scope;
use crate::graph::layering;

/// One connected piece of a scope, with node indices local to the piece.
#[derive(Debug)]
pub(super) struct Piece {
    /// Scope index of each local node, in document order.
    pub nodes: Vec<usize>,
    /// The flows inside the piece, in document order.
    pub edges: Vec<PieceEdge>,
    /// True for local nodes that are start events.
    pub is_start: Vec<bool>,
    /// Edge indices leaving every local node, in [`Piece::outgoing`] order.
    outgoing: Vec<Vec<usize>>,
}

/// A flow between two local nodes of a [`Piece`].
#[derive(Debug, Clone, Copy)]
pub(super) struct PieceEdge {
    /// Scope index of the flow.
    pub flow: usize,
    /// Local index of the layout source (the host for a boundary event's flow).
    pub from: usize,
    /// Local index of the target.
    pub to: usize,
    /// True when the flow leaves a boundary event.
    pub from_boundary: bool,
}

impl Piece {
    /// The piece of `scope` made of the layered nodes `members`.
    pub fn new(scope: &Scope, members: &[usize]) -> Self {
        let local_index: std::collections::HashMap<usize, usize> =
            members.iter().enumerate().map(|(local, &node)| (node, local)).collect();
        let local = |scope_index: usize| local_index.get(&scope_index).copied();
        let edges: Vec<PieceEdge> = scope
            .flows
            .iter()
            .enumerate()
            .filter_map(|(flow, f)| {
                Some(PieceEdge {
                    flow,
                    from: local(f.layout_source)?,
                    to: local(f.target)?,
                    from_boundary: f.leaves_boundary(),
                })
            })
            .collect();
        let is_start = members.iter().map(|&m| scope.nodes[m].is_start()).collect();
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
        for (e, edge) in edges.iter().enumerate() {
            outgoing[edge.from].push(e);
        }
        for out in &mut outgoing {
            out.sort_by_key(|&e| edges[e].from_boundary);
        }
        Piece { nodes: members.to_vec(), edges, is_start, outgoing }
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Edge indices leaving local node `u`: plain flows first, then boundary events' flows, each
    /// in document order.
    pub fn outgoing(&self, u: usize) -> Vec<usize> {
        self.outgoing.get(u).cloned().unwrap_or_default()
    }

    /// `(edge, target)` pairs leaving every local node, in [`Piece::outgoing`] order.
    fn adjacency(&self) -> Vec<Vec<(usize, usize)>> {
        self.outgoing.iter().map(|edges| edges.iter().map(|&e| (e, self.edges[e].to)).collect()).collect()
    }

    /// Where depth-first walks start: start events, then nodes without incoming flows, then the
    /// rest (for pieces that are one big cycle), each in document order.
    pub fn roots(&self) -> Vec<usize> {
        let has_incoming = |v: usize| self.edges.iter().any(|e| e.to == v && e.from != v);
        let mut roots: Vec<usize> = (0..self.len()).filter(|&v| self.is_start[v]).collect();
        roots.extend((0..self.len()).filter(|&v| !self.is_start[v] && !has_incoming(v)));
        let rest: Vec<usize> = (0..self.len()).filter(|v| !roots.contains(v)).collect();
        roots.extend(rest);
        roots
    }
}

/// The layering of a piece.
#[derive(Debug)]
pub(super) struct Ranking {
    /// Column of every local node.
    pub rank: Vec<usize>,
    /// True for edges that close a loop.
    pub back: Vec<bool>,
    /// Longest forward distance (in columns) from every local node to the end of its path.
    pub tail: Vec<usize>,
}

impl Ranking {
    /// Ranks `piece`: back edges by depth-first search from its roots, columns by longest path.
    pub fn new(piece: &Piece) -> Self {
        let adjacency = piece.adjacency();
        let mut back = vec![false; piece.edges.len()];
        for edge in layering::back_edges(&adjacency, piece.roots()) {
            back[edge] = true;
        }
        let order = layering::topological_order(&adjacency, &back);
        let mut rank = vec![0; piece.len()];
        for &u in &order {
            for e in piece.outgoing(u).into_iter().filter(|&e| !back[e]) {
                let to = piece.edges[e].to;
                rank[to] = rank[to].max(rank[u] + 1);
            }
        }
        let mut tail = vec![0; piece.len()];
        for &u in order.iter().rev() {
            for e in piece.outgoing(u).into_iter().filter(|&e| !back[e]) {
                let to = piece.edges[e].to;
                tail[u] = tail[u].max(rank[to] - rank[u] + tail[to]);
            }
        }
        Ranking { rank, back, tail }
    }

    /// True when `e` is a forward edge.
    pub fn forward(&self, e: usize) -> bool {
        !self.back[e]
    }
}
