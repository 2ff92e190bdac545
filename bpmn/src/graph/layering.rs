//! The two steps every layered view of a flow needs: find the edges that close loops, and order
//! the nodes so that every other edge points forward. Validation (node ranks, loop reports) and
//! the auto-layout (columns) both build on them.
//!
//! A graph is given as adjacency lists: `adjacency[node]` lists `(edge, target)` pairs in the
//! order the caller wants them explored. Node and edge indices are dense (`0..n`); entries out of
//! range are ignored rather than trusted.

/// The edges that reach a node still on the depth-first stack, in the order the search finds
/// them. The search starts from each of `roots` in turn (roots already visited are skipped) and is
/// iterative, so deep models cannot overflow the stack.
pub(crate) fn back_edges(adjacency: &[Vec<(usize, usize)>], roots: impl IntoIterator<Item = usize>) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnStack,
        Done,
    }
    let mut state = vec![State::New; adjacency.len()];
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
            match state.get(target) {
                Some(State::New) => {
                    state[target] = State::OnStack;
                    stack.push((target, 0));
                }
                Some(State::OnStack) => found.push(edge),
                Some(State::Done) | None => {}
            }
        }
    }
    found
}

/// The nodes in an order where every edge not marked in `is_back` goes from an earlier node to a
/// later one (Kahn's algorithm; nodes on a remaining cycle are left out).
pub(crate) fn topological_order(adjacency: &[Vec<(usize, usize)>], is_back: &[bool]) -> Vec<usize> {
    let forward = |&&(edge, _): &&(usize, usize)| !is_back.get(edge).copied().unwrap_or(false);
    let mut in_degree = vec![0usize; adjacency.len()];
    for (_, target) in adjacency.iter().flatten().filter(forward) {
        if let Some(degree) = in_degree.get_mut(*target) {
            *degree += 1;
        }
    }
    let mut ready: Vec<usize> = (0..adjacency.len()).rev().filter(|&node| in_degree[node] == 0).collect();
    let mut order = Vec::with_capacity(adjacency.len());
    while let Some(node) = ready.pop() {
        order.push(node);
        for (_, target) in adjacency[node].iter().filter(forward) {
            if let Some(degree) = in_degree.get_mut(*target) {
                *degree -= 1;
                if *degree == 0 {
                    ready.push(*target);
                }
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::{back_edges, topological_order};

    /// 0 → 1 → 2 → 1 (edge 2 closes the loop), 2 → 3.
    fn looped() -> Vec<Vec<(usize, usize)>> {
        vec![vec![(0, 1)], vec![(1, 2)], vec![(2, 1), (3, 3)], vec![]]
    }

    #[test]
    fn the_edge_back_into_the_open_path_is_the_back_edge() {
        assert_eq!(back_edges(&looped(), [0]), vec![2]);
    }

    #[test]
    fn without_back_edges_every_edge_points_forward() {
        let adjacency = looped();
        let mut is_back = vec![false; 4];
        for edge in back_edges(&adjacency, [0]) {
            is_back[edge] = true;
        }
        let order = topological_order(&adjacency, &is_back);
        assert_eq!(order.len(), 4);
        let position = |node: usize| order.iter().position(|&n| n == node).expect("every node is ordered");
        for (from, list) in adjacency.iter().enumerate() {
            for &(edge, to) in list {
                assert!(is_back[edge] || position(from) < position(to), "edge {edge} points backwards");
            }
        }
    }

    #[test]
    fn out_of_range_entries_are_ignored() {
        let adjacency = vec![vec![(0, 7)], vec![(9, 0)]];
        assert!(back_edges(&adjacency, [0, 1, 5]).is_empty());
        assert_eq!(topological_order(&adjacency, &[]).len(), 2);
    }
}
