//! One scope of a process (the process itself, or the inside of a sub-process) seen as a graph:
//! which nodes are laid out in the flow, which hang on a host's border, which are drawn apart,
//! and the sequence flows between them.

use std::collections::HashMap;

use crate::model::{EventKind, FlowElement, FlowNode, FlowNodeKind, GatewayKind, SequenceFlow};

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Look {
    /// A circle.
    Event,
    /// A diamond; exclusive gateways show their marker.
    Gateway {
        /// True for an exclusive gateway.
        exclusive: bool,
    },
    /// A task-sized rectangle (tasks, call activities).
    Activity,
    /// An expanded sub-process box with its content inside.
    SubProcess,
}

/// Where a node goes in its scope's drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// A node of the left-to-right flow.
    Layered,
    /// A boundary event on the border of the layered node with this index.
    Attached(usize),
    /// An event sub-process, drawn below the flow and not connected to it.
    EventSubProcess,
}

/// A flow node of the scope.
#[derive(Debug)]
pub(super) struct ScopeNode<'a> {
    /// The model node.
    pub node: &'a FlowNode,
    /// How it is drawn.
    pub look: Look,
    /// Where it goes.
    pub role: Role,
}

impl ScopeNode<'_> {
    /// The node's name when it has a non-blank one.
    pub fn name(&self) -> Option<&str> {
        self.node.common.name.as_deref().filter(|n| !n.trim().is_empty())
    }

    /// True for a start event.
    pub fn is_start(&self) -> bool {
        matches!(&self.node.kind, FlowNodeKind::Event(e) if matches!(e.kind, EventKind::Start { .. }))
    }

    /// The content of a sub-process.
    pub fn children(&self) -> Option<&[FlowElement]> {
        match &self.node.kind {
            FlowNodeKind::SubProcess(s) => Some(&s.flow_elements),
            _ => None,
        }
    }
}

/// A sequence flow whose both ends are nodes of the scope.
#[derive(Debug)]
pub(super) struct ScopeFlow<'a> {
    /// The model flow.
    pub flow: &'a SequenceFlow,
    /// Index of the source node.
    pub source: usize,
    /// Index of the target node.
    pub target: usize,
    /// Where the flow starts in the layering: the host when the source is a boundary event.
    pub layout_source: usize,
}

impl ScopeFlow<'_> {
    /// True when the flow leaves a boundary event.
    pub fn leaves_boundary(&self) -> bool {
        self.source != self.layout_source
    }
}

/// The nodes and flows of one scope, in document order. Flows that leave the scope (invalid
/// BPMN) are not part of it and are not drawn.
#[derive(Debug)]
pub(super) struct Scope<'a> {
    /// The flow nodes.
    pub nodes: Vec<ScopeNode<'a>>,
    /// The sequence flows between them.
    pub flows: Vec<ScopeFlow<'a>>,
}

impl<'a> Scope<'a> {
    /// The scope formed by `elements`.
    pub fn new(elements: &'a [FlowElement]) -> Self {
        let model_nodes: Vec<&FlowNode> = elements
            .iter()
            .filter_map(|e| match e {
                FlowElement::Node(n) => Some(n),
                _ => None,
            })
            .collect();
        let mut index = HashMap::new();
        for (i, node) in model_nodes.iter().enumerate() {
            index.entry(node.id()).or_insert(i);
        }
        let model_flows: Vec<(&SequenceFlow, usize, usize)> = elements
            .iter()
            .filter_map(|e| match e {
                FlowElement::SequenceFlow(f) => {
                    Some((f, *index.get(f.source_ref.as_str())?, *index.get(f.target_ref.as_str())?))
                }
                _ => None,
            })
            .collect();
        let has_flows = |i: usize| model_flows.iter().any(|&(_, s, t)| s == i || t == i);
        let has_incoming = |i: usize| model_flows.iter().any(|&(_, _, t)| t == i);
        let nodes: Vec<ScopeNode> = model_nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let role = match &node.kind {
                    FlowNodeKind::SubProcess(s) if s.is_event_sub_process() && !has_flows(i) => Role::EventSubProcess,
                    _ => Role::Layered,
                };
                ScopeNode { node, look: look_of(node), role }
            })
            .collect();
        let mut scope = Scope { nodes, flows: Vec::new() };
        for i in 0..scope.nodes.len() {
            if let Some(host) = scope.host_of(i, &index)
                && !has_incoming(i)
            {
                scope.nodes[i].role = Role::Attached(host);
            }
        }
        scope.flows = model_flows
            .into_iter()
            .map(|(flow, source, target)| {
                let layout_source = match scope.nodes[source].role {
                    Role::Attached(host) => host,
                    _ => source,
                };
                ScopeFlow { flow, source, target, layout_source }
            })
            .collect();
        scope
    }

    /// The layered host of boundary event `i`, when it has one in this scope.
    fn host_of(&self, i: usize, index: &HashMap<&str, usize>) -> Option<usize> {
        let FlowNodeKind::Event(event) = &self.nodes[i].node.kind else { return None };
        let EventKind::Boundary { attached_to, .. } = &event.kind else { return None };
        let host = *index.get(attached_to.as_str())?;
        (host != i && self.nodes[host].role == Role::Layered).then_some(host)
    }

    /// The boundary events attached to `host`, in document order.
    pub fn attached_to(&self, host: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(move |&i| self.nodes[i].role == Role::Attached(host))
    }

    /// The layered nodes split into weakly connected pieces, each in document order; pieces are
    /// ordered by their first node.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let mut parent: Vec<usize> = (0..self.nodes.len()).collect();
        fn find(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for flow in &self.flows {
            let (a, b) = (find(&mut parent, flow.layout_source), find(&mut parent, flow.target));
            parent[a.max(b)] = a.min(b);
        }
        let mut pieces: Vec<(usize, Vec<usize>)> = Vec::new();
        for i in (0..self.nodes.len()).filter(|&i| self.nodes[i].role == Role::Layered) {
            let root = find(&mut parent, i);
            match pieces.iter_mut().find(|(r, _)| *r == root) {
                Some((_, members)) => members.push(i),
                None => pieces.push((root, vec![i])),
            }
        }
        pieces.into_iter().map(|(_, members)| members).collect()
    }
}

/// How a model node is drawn.
fn look_of(node: &FlowNode) -> Look {
    match &node.kind {
        FlowNodeKind::Event(_) => Look::Event,
        FlowNodeKind::Gateway(g) => Look::Gateway { exclusive: g.kind == GatewayKind::Exclusive },
        FlowNodeKind::Task(_) | FlowNodeKind::CallActivity(_) => Look::Activity,
        FlowNodeKind::SubProcess(_) => Look::SubProcess,
    }
}
