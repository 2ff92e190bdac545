//! The lanes of a process: which leaf lane (a lane without child lanes) holds each node, and which
//! leaf lanes every lane spans, in drawing order from top to bottom.

use std::collections::HashMap;

use crate::model::LaneSet;

/// A process's lanes flattened for drawing.
#[derive(Debug, Default)]
pub(super) struct Lanes {
    /// How many leaf lanes there are.
    pub leaves: usize,
    /// Every lane (parents before their children) with the first and last leaf it spans.
    pub spans: Vec<(String, usize, usize)>,
    /// The leaf lane of each node id listed in a lane.
    of_node: HashMap<String, usize>,
}

impl Lanes {
    /// The lanes of `lane_sets`, or `None` when there are none.
    pub fn new(lane_sets: &[LaneSet]) -> Option<Self> {
        let mut lanes = Lanes::default();
        for set in lane_sets {
            lanes.add(set);
        }
        (lanes.leaves > 0).then_some(lanes)
    }

    /// The leaf lane of node `id` (the first lane when no lane lists it).
    pub fn of(&self, id: &str) -> usize {
        self.of_node.get(id).copied().unwrap_or(0)
    }

    fn add(&mut self, set: &LaneSet) {
        for lane in &set.lanes {
            let slot = self.spans.len();
            self.spans.push((lane.common.id.clone(), self.leaves, self.leaves));
            let children = lane.child_lane_set.as_ref().filter(|s| !s.lanes.is_empty());
            match children {
                Some(children) => self.add(children),
                None => self.leaves += 1,
            }
            let last = self.leaves.saturating_sub(1).max(self.spans[slot].1);
            self.spans[slot].2 = last;
            let leaf = self.spans[slot].1;
            for node in &lane.flow_node_refs {
                self.of_node.entry(node.clone()).or_insert(leaf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Common, Lane};

    fn lane(id: &str, nodes: &[&str], children: Vec<Lane>) -> Lane {
        Lane {
            common: Common::new(id),
            flow_node_refs: nodes.iter().map(|n| n.to_string()).collect(),
            child_lane_set: (!children.is_empty()).then(|| LaneSet { lanes: children, ..LaneSet::default() }),
        }
    }

    #[test]
    fn nested_lanes_span_their_leaves_and_nodes_go_to_the_deepest_lane() {
        let inner = vec![lane("A1", &["x"], vec![]), lane("A2", &["y"], vec![])];
        let set = LaneSet {
            lanes: vec![lane("A", &["x", "y", "z"], inner), lane("B", &["w"], vec![])],
            ..LaneSet::default()
        };
        let lanes = Lanes::new(&[set]).expect("lanes");
        assert_eq!(lanes.leaves, 3);
        let spans: Vec<(&str, usize, usize)> = lanes.spans.iter().map(|(id, a, b)| (id.as_str(), *a, *b)).collect();
        assert_eq!(spans, vec![("A", 0, 1), ("A1", 0, 0), ("A2", 1, 1), ("B", 2, 2)]);
        assert_eq!((lanes.of("x"), lanes.of("y"), lanes.of("z"), lanes.of("w"), lanes.of("none")), (0, 1, 0, 2, 0));
        assert!(Lanes::new(&[]).is_none());
    }
}
