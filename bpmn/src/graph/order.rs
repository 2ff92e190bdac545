//! Ordering a scope for layout and loop detection: a depth-first search from the roots finds the
//! back edges, and the longest path over the remaining (acyclic) edges gives each node its rank.

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::layering;
use super::scope::Link;

/// The result of ordering one scope.
#[derive(Debug, Clone, Default)]
pub(super) struct Order {
    /// Rank per node index.
    pub(super) ranks: Vec<usize>,
    /// The edges that close a cycle, in the order the search found them.
    pub(super) back_edges: Vec<EdgeIndex>,
}

/// The outgoing edges of every node, in insertion order (sequence flows in document order first).
fn adjacency(graph: &DiGraph<(), Link>) -> Vec<Vec<(EdgeIndex, NodeIndex)>> {
    let mut adjacency = vec![Vec::new(); graph.node_count()];
    for edge in graph.edge_references() {
        if let Some(list) = adjacency.get_mut(edge.source().index()) {
            list.push((edge.id(), edge.target()));
        }
    }
    for list in &mut adjacency {
        list.sort_by_key(|(edge, _)| *edge);
    }
    adjacency
}

/// Orders the nodes of `graph` from `roots` (then from every node not reached, in index order).
pub(super) fn order(graph: &DiGraph<(), Link>, roots: &[usize]) -> Order {
    let count = graph.node_count();
    let adjacency: Vec<Vec<(usize, usize)>> = adjacency(graph)
        .into_iter()
        .map(|list| list.into_iter().map(|(edge, target)| (edge.index(), target.index())).collect())
        .collect();
    let found = layering::back_edges(&adjacency, roots.iter().copied().chain(0..count));
    let mut is_back = vec![false; graph.edge_count()];
    for &edge in &found {
        is_back[edge] = true;
    }
    let mut ranks = vec![0usize; count];
    for node in layering::topological_order(&adjacency, &is_back) {
        for edge in graph.edges(NodeIndex::new(node)).filter(|edge| !is_back[edge.id().index()]) {
            let target = edge.target().index();
            ranks[target] = ranks[target].max(ranks[node] + edge.weight().rank_step());
        }
    }
    Order { ranks, back_edges: found.into_iter().map(EdgeIndex::new).collect() }
}
