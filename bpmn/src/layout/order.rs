//! Crossing reduction: the order of the nodes within each column, by a few barycenter sweeps.
//! Rows are handed out depth-first; where a node has several side branches, this order decides
//! which branch takes the upper row.

use super::rank::{Piece, Ranking};

/// How many down-and-up sweeps to run.
const SWEEPS: usize = 4;

/// The position of every local node within its column after crossing reduction.
pub(super) fn column_positions(piece: &Piece, ranking: &Ranking) -> Vec<usize> {
    let columns = ranking.rank.iter().max().map_or(0, |&m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for v in discovery_order(piece, ranking) {
        layers[ranking.rank[v]].push(v);
    }
    let mut position = positions(&layers, piece.len());
    let forward: Vec<(usize, usize)> = piece
        .edges
        .iter()
        .enumerate()
        .filter(|&(e, _)| ranking.forward(e))
        .map(|(_, edge)| (edge.from, edge.to))
        .collect();
    for _ in 0..SWEEPS {
        for layer in layers.iter_mut().skip(1) {
            sort_by_barycenter(layer, &position, |v| {
                forward.iter().filter(move |&&(_, to)| to == v).map(|&(from, _)| from)
            });
            for (i, &v) in layer.iter().enumerate() {
                position[v] = i;
            }
        }
        for layer in layers.iter_mut().rev().skip(1) {
            sort_by_barycenter(layer, &position, |v| {
                forward.iter().filter(move |&&(from, _)| from == v).map(|&(_, to)| to)
            });
            for (i, &v) in layer.iter().enumerate() {
                position[v] = i;
            }
        }
    }
    position
}

/// Local nodes in depth-first pre-order from the piece's roots, following flows in document order.
fn discovery_order(piece: &Piece, ranking: &Ranking) -> Vec<usize> {
    let mut seen = vec![false; piece.len()];
    let mut order = Vec::with_capacity(piece.len());
    for root in piece.roots() {
        let mut pending = vec![root];
        while let Some(v) = pending.pop() {
            if std::mem::replace(&mut seen[v], true) {
                continue;
            }
            order.push(v);
            let next = piece.outgoing(v).into_iter().filter(|&e| ranking.forward(e)).map(|e| piece.edges[e].to);
            let next: Vec<usize> = next.collect();
            pending.extend(next.into_iter().rev());
        }
    }
    order
}

fn positions(layers: &[Vec<usize>], nodes: usize) -> Vec<usize> {
    let mut position = vec![0; nodes];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            position[v] = i;
        }
    }
    position
}

/// Stable-sorts `layer` by the mean position of each node's neighbours; nodes without neighbours
/// keep their place.
fn sort_by_barycenter<I: Iterator<Item = usize>>(
    layer: &mut [usize],
    position: &[usize],
    neighbours: impl Fn(usize) -> I,
) {
    let keys: Vec<(usize, f64)> = layer
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let (sum, count) = neighbours(v).fold((0usize, 0usize), |(sum, count), n| (sum + position[n], count + 1));
            (v, if count == 0 { i as f64 } else { sum as f64 / count as f64 })
        })
        .collect();
    let mut sorted = keys;
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (slot, (v, _)) in layer.iter_mut().zip(sorted) {
        *slot = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_move_next_to_the_mean_of_their_neighbours() {
        // Upper layer: nodes 0, 1, 2 at positions 0, 1, 2. Lower layer [3, 4, 5]: 3 hangs off 2,
        // 4 off 0, 5 off 0 and 1; node 6 has no neighbour and keeps its slot.
        let position = vec![0, 1, 2, 0, 1, 2, 3];
        let edges = [(2, 3), (0, 4), (0, 5), (1, 5)];
        let mut layer = vec![3, 4, 5, 6];
        sort_by_barycenter(&mut layer, &position, |v| {
            edges.iter().filter(move |&&(_, to)| to == v).map(|&(from, _)| from)
        });
        assert_eq!(layer, vec![4, 5, 3, 6]);
    }
}
