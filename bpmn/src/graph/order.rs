//! Ordering a scope for layout and loop detection: a depth-first search from the roots finds the
//! back edges, and the longest path over the remaining (acyclic) edges gives each node its rank.

use std::collections::VecDeque;

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

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

/// Finds the back edges by an iterative depth-first search started from each root in turn (roots
/// already visited are skipped), so deep models cannot overflow the stack.
fn back_edges(graph: &DiGraph<(), Link>, roots: impl IntoIterator<Item = usize>) -> Vec<EdgeIndex> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnStack,
        Done,
    }
    let adjacency = adjacency(graph);
    let mut state = vec![State::New; graph.node_count()];
    let mut found = Vec::new();
    for root in roots {
        if state.get(root) != Some(&State::New) {
            continue;
        }
        state[root] = State::OnStack;
        let mut stack = vec![(root, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            let Some(&(edge, target)) = adjacency.get(*node).and_then(|list| list.get(*next)) else {
                state[*node] = State::Done;
                stack.pop();
                continue;
            };
            *next += 1;
            match state[target.index()] {
                State::New => {
                    state[target.index()] = State::OnStack;
                    stack.push((target.index(), 0));
                }
                State::OnStack => found.push(edge),
                State::Done => {}
            }
        }
    }
    found
}

/// Orders the nodes of `graph` from `roots` (then from every node not reached, in index order).
pub(super) fn order(graph: &DiGraph<(), Link>, roots: &[usize]) -> Order {
    let count = graph.node_count();
    let back_edges = back_edges(graph, roots.iter().copied().chain(0..count));
    let mut is_back = vec![false; graph.edge_count()];
    for edge in &back_edges {
        is_back[edge.index()] = true;
    }
    let mut in_degree = vec![0usize; count];
    let forward: Vec<_> = graph.edge_references().filter(|edge| !is_back[edge.id().index()]).collect();
    for edge in &forward {
        in_degree[edge.target().index()] += 1;
    }
    let mut outgoing = vec![Vec::new(); count];
    for edge in &forward {
        outgoing[edge.source().index()].push((edge.target().index(), edge.weight().rank_step()));
    }
    let mut ranks = vec![0usize; count];
    let mut ready: VecDeque<usize> = (0..count).filter(|&node| in_degree[node] == 0).collect();
    while let Some(node) = ready.pop_front() {
        for &(target, step) in &outgoing[node] {
            ranks[target] = ranks[target].max(ranks[node] + step);
            in_degree[target] -= 1;
            if in_degree[target] == 0 {
                ready.push_back(target);
            }
        }
    }
    Order { ranks, back_edges }
}
