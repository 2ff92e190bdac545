//! One scope of a process: its nodes, its sequence flows as edges, boundary attachments, and the
//! rank and loop information computed from them.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};

use super::order::{Order, order};
use crate::model::{
    EventDefinitionKind, EventKind, FlowElement, FlowNode, FlowNodeKind, SequenceFlow, SubProcess, SubProcessKind,
};

/// What kind of container a scope is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// The process itself.
    Process,
    /// An embedded sub-process or a transaction: entered through its none start event.
    SubProcess,
    /// An event sub-process (`triggeredByEvent="true"`): entered through its one triggered start event.
    EventSubProcess,
    /// An ad-hoc sub-process: its inner activities need no start event.
    AdHoc,
}

impl ScopeKind {
    /// The kind of scope a sub-process opens.
    pub fn of(sub_process: &SubProcess) -> Self {
        if sub_process.is_event_sub_process() {
            ScopeKind::EventSubProcess
        } else if sub_process.kind == SubProcessKind::AdHoc {
            ScopeKind::AdHoc
        } else {
            ScopeKind::SubProcess
        }
    }
}

/// Why one node leads to another inside a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// A sequence flow, by its index in [`Scope::flows`].
    Flow(usize),
    /// From a host activity to a boundary event attached to it.
    Attachment,
    /// From a link throw event to the link catch event with the same name.
    Jump,
}

impl Link {
    /// How many ranks the link advances: a boundary event shares its host's rank.
    pub(crate) fn rank_step(self) -> usize {
        match self {
            Link::Attachment => 0,
            Link::Flow(_) | Link::Jump => 1,
        }
    }
}

/// The nodes and sequence flows written directly inside a process or sub-process.
///
/// Node `i` of the internal graph is `nodes[i]`; nodes and flows keep document order.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    id: &'a str,
    kind: ScopeKind,
    owner: Option<&'a FlowNode>,
    pub(super) parent: Option<usize>,
    pub(super) children: Vec<usize>,
    nodes: Vec<&'a FlowNode>,
    flows: Vec<&'a SequenceFlow>,
    index: HashMap<&'a str, usize>,
    flow_index: HashMap<&'a str, usize>,
    graph: DiGraph<(), Link>,
    order: Order,
}

impl<'a> Scope<'a> {
    /// Builds the scope `id` from the flow elements written inside it.
    pub(super) fn new(
        id: &'a str,
        kind: ScopeKind,
        owner: Option<&'a FlowNode>,
        parent: Option<usize>,
        elements: &'a [FlowElement],
    ) -> Self {
        let mut nodes = Vec::new();
        let mut flows = Vec::new();
        for element in elements {
            match element {
                FlowElement::Node(node) => nodes.push(node),
                FlowElement::SequenceFlow(flow) => flows.push(flow),
                FlowElement::Other(_) => {}
            }
        }
        let mut index = HashMap::new();
        for (position, node) in nodes.iter().enumerate() {
            index.entry(node.id()).or_insert(position);
        }
        let mut flow_index = HashMap::new();
        for (position, flow) in flows.iter().enumerate() {
            flow_index.entry(flow.common.id.as_str()).or_insert(position);
        }
        let mut scope = Self {
            id,
            kind,
            owner,
            parent,
            children: Vec::new(),
            nodes,
            flows,
            index,
            flow_index,
            graph: DiGraph::new(),
            order: Order::default(),
        };
        scope.build_graph();
        scope.order = order(&scope.graph, &scope.roots());
        scope
    }

    /// Adds one graph node per flow node, then the sequence flows, attachments and link jumps.
    fn build_graph(&mut self) {
        for _ in &self.nodes {
            self.graph.add_node(());
        }
        for (position, flow) in self.flows.iter().enumerate() {
            if let (Some(source), Some(target)) = (self.position(&flow.source_ref), self.position(&flow.target_ref)) {
                self.graph.add_edge(NodeIndex::new(source), NodeIndex::new(target), Link::Flow(position));
            }
        }
        for (position, node) in self.nodes.iter().enumerate() {
            if let Some(EventKind::Boundary { attached_to, .. }) = node.event().map(|e| &e.kind)
                && let Some(host) = self.position(attached_to)
            {
                self.graph.add_edge(NodeIndex::new(host), NodeIndex::new(position), Link::Attachment);
            }
        }
        let catches = link_events(&self.nodes, EventKind::IntermediateCatch);
        for (throw, name) in link_events(&self.nodes, EventKind::IntermediateThrow) {
            for (catch, _) in catches.iter().filter(|(_, catch_name)| *catch_name == name) {
                self.graph.add_edge(NodeIndex::new(throw), NodeIndex::new(*catch), Link::Jump);
            }
        }
    }

    /// Positions of the nodes a token can start at without an incoming flow: start events, event
    /// sub-processes and compensation handlers, in document order.
    pub(crate) fn roots(&self) -> Vec<usize> {
        let positions = |predicate: fn(&FlowNode) -> bool| {
            self.nodes.iter().enumerate().filter(move |(_, node)| predicate(node)).map(|(position, _)| position)
        };
        let is_start = |node: &FlowNode| matches!(node.event().map(|e| &e.kind), Some(EventKind::Start { .. }));
        let is_event_sub_process =
            |node: &FlowNode| matches!(&node.kind, FlowNodeKind::SubProcess(s) if s.is_event_sub_process());
        let is_compensation_handler =
            |node: &FlowNode| node.activity().and_then(|a| a.is_for_compensation) == Some(true);
        positions(is_start).chain(positions(is_event_sub_process)).chain(positions(is_compensation_handler)).collect()
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The scope's id: the process id or the sub-process id.
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// What kind of container this is.
    pub fn kind(&self) -> ScopeKind {
        self.kind
    }

    /// The sub-process node that opens this scope; `None` for the process scope.
    pub fn owner(&self) -> Option<&'a FlowNode> {
        self.owner
    }

    /// The flow nodes written directly in this scope, in document order.
    pub fn nodes(&self) -> impl Iterator<Item = &'a FlowNode> + '_ {
        self.nodes.iter().copied()
    }

    /// The sequence flows written directly in this scope, in document order, including flows
    /// whose ends name no node of the scope.
    pub fn flows(&self) -> impl Iterator<Item = &'a SequenceFlow> + '_ {
        self.flows.iter().copied()
    }

    /// The node of this scope with the given id (the first, should ids repeat).
    pub fn node(&self, id: &str) -> Option<&'a FlowNode> {
        self.position(id).and_then(|position| self.nodes.get(position).copied())
    }

    /// The sequence flow of this scope with the given id (the first, should ids repeat).
    pub fn flow(&self, id: &str) -> Option<&'a SequenceFlow> {
        self.flow_index.get(id).and_then(|&position| self.flows.get(position).copied())
    }

    /// The start events of this scope (of any trigger), in document order.
    pub fn start_events(&self) -> impl Iterator<Item = &'a FlowNode> + '_ {
        self.nodes().filter(|node| matches!(node.event().map(|e| &e.kind), Some(EventKind::Start { .. })))
    }

    /// The sequence flows leaving `id` whose target is in this scope, in document order.
    pub fn outgoing(&self, id: &str) -> impl Iterator<Item = &'a SequenceFlow> + '_ {
        self.flow_edges(id, Direction::Outgoing).into_iter().map(|(flow, _)| flow)
    }

    /// The sequence flows entering `id` whose source is in this scope, in document order.
    pub fn incoming(&self, id: &str) -> impl Iterator<Item = &'a SequenceFlow> + '_ {
        self.flow_edges(id, Direction::Incoming).into_iter().map(|(flow, _)| flow)
    }

    /// The targets of the sequence flows leaving `id`, in flow document order (a node reached by
    /// two flows appears twice).
    pub fn successors(&self, id: &str) -> impl Iterator<Item = &'a FlowNode> + '_ {
        self.flow_edges(id, Direction::Outgoing).into_iter().map(|(_, node)| node)
    }

    /// The sources of the sequence flows entering `id`, in flow document order.
    pub fn predecessors(&self, id: &str) -> impl Iterator<Item = &'a FlowNode> + '_ {
        self.flow_edges(id, Direction::Incoming).into_iter().map(|(_, node)| node)
    }

    /// The boundary events attached to the activity `host_id`, in document order.
    pub fn boundary_events(&self, host_id: &str) -> impl Iterator<Item = &'a FlowNode> + '_ {
        self.linked(host_id, Direction::Outgoing, Link::Attachment)
    }

    /// The activity a boundary event is attached to, when it is a node of this scope.
    pub fn host(&self, boundary_id: &str) -> Option<&'a FlowNode> {
        self.linked(boundary_id, Direction::Incoming, Link::Attachment).next()
    }

    /// The layout rank of a node: the length of the longest path to it from a node without
    /// predecessors, counting sequence flows and link jumps as one step and ignoring back edges. A
    /// boundary event has the rank of its host, so what follows it comes after the host.
    pub fn rank(&self, id: &str) -> Option<usize> {
        self.position(id).and_then(|position| self.order.ranks.get(position).copied())
    }

    /// The sequence flows that close a loop, found by a depth-first search from the start events
    /// (then event sub-processes, then nodes not reached), in the order the search met them.
    pub fn back_edges(&self) -> impl Iterator<Item = &'a SequenceFlow> + '_ {
        self.order.back_edges.iter().filter_map(|&edge| match self.graph.edge_weight(edge) {
            Some(Link::Flow(position)) => self.flows.get(*position).copied(),
            _ => None,
        })
    }

    /// The flows at `id` in one direction with the node at their other end, in flow order.
    fn flow_edges(&self, id: &str, direction: Direction) -> Vec<(&'a SequenceFlow, &'a FlowNode)> {
        let Some(position) = self.position(id) else { return Vec::new() };
        let mut edges: Vec<_> = self
            .graph
            .edges_directed(NodeIndex::new(position), direction)
            .filter_map(|edge| {
                let Link::Flow(flow) = *edge.weight() else { return None };
                let other = if direction == Direction::Outgoing { edge.target() } else { edge.source() };
                Some((flow, other.index()))
            })
            .collect();
        edges.sort_unstable();
        edges.into_iter().filter_map(|(flow, other)| Some((*self.flows.get(flow)?, *self.nodes.get(other)?))).collect()
    }

    /// The nodes linked to `id` in one direction by links of one kind, in document order.
    fn linked(&self, id: &str, direction: Direction, kind: Link) -> impl Iterator<Item = &'a FlowNode> + '_ {
        let mut others: Vec<usize> = match self.position(id) {
            Some(position) => self
                .graph
                .edges_directed(NodeIndex::new(position), direction)
                .filter(|edge| *edge.weight() == kind)
                .map(|edge| if direction == Direction::Outgoing { edge.target() } else { edge.source() }.index())
                .collect(),
            None => Vec::new(),
        };
        others.sort_unstable();
        others.into_iter().filter_map(|other| self.nodes.get(other).copied())
    }

    /// Which nodes a token can reach from `roots`, following sequence flows, boundary attachments
    /// and link jumps.
    pub(crate) fn reachable_from(&self, roots: &[usize]) -> Vec<bool> {
        let mut reached = vec![false; self.nodes.len()];
        let mut dfs = Dfs::empty(&self.graph);
        for &root in roots {
            dfs.move_to(NodeIndex::new(root));
            while let Some(node) = dfs.next(&self.graph) {
                if let Some(slot) = reached.get_mut(node.index()) {
                    *slot = true;
                }
            }
        }
        reached
    }

    /// Which nodes can lead a token to an end: an end event, or a node without outgoing sequence
    /// flows or link jumps (an implicit end). A node that cannot is a dead end.
    pub(crate) fn can_finish(&self) -> Vec<bool> {
        let ends: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&node| {
                let is_end_event =
                    self.nodes.get(node.index()).and_then(|n| n.event()).map(|e| &e.kind) == Some(&EventKind::End);
                let leaves = self.graph.edges(node).any(|edge| !matches!(edge.weight(), Link::Attachment));
                is_end_event || !leaves
            })
            .collect();
        let reversed = Reversed(&self.graph);
        let mut finishes = vec![false; self.nodes.len()];
        let mut dfs = Dfs::empty(reversed);
        for end in ends {
            dfs.move_to(end);
            while let Some(node) = dfs.next(reversed) {
                if let Some(slot) = finishes.get_mut(node.index()) {
                    *slot = true;
                }
            }
        }
        finishes
    }

    /// Positions of the nodes with an edge (of any kind) into `position`.
    pub(crate) fn sources_of(&self, position: usize) -> impl Iterator<Item = usize> + '_ {
        self.graph.neighbors_directed(NodeIndex::new(position), Direction::Incoming).map(|n| n.index())
    }
}

/// Positions and names of the link events of the given kind among `nodes`.
fn link_events<'a>(nodes: &[&'a FlowNode], kind: EventKind) -> Vec<(usize, &'a str)> {
    nodes
        .iter()
        .enumerate()
        .filter_map(|(position, node)| {
            let event = node.event().filter(|e| e.kind == kind)?;
            match &event.definition()?.kind {
                EventDefinitionKind::Link { name: Some(name) } => Some((position, name.as_str())),
                _ => None,
            }
        })
        .collect()
}
