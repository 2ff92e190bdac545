//! Building one flow scope (a process or a sub-process): nodes, sequence flows, unique ids.

use std::collections::{HashMap, HashSet};

use bpmn::model::{Common, Documentation, Expression, FlowElement, FlowNode, FlowNodeKind, GatewayKind, SequenceFlow};

/// Ids and counters shared by every scope of one process.
#[derive(Default)]
pub struct Ids {
    used: HashSet<String>,
    flows: usize,
    /// Diverging exclusive gateways: an unconditioned flow out of one becomes its default flow.
    splits: HashSet<String>,
    /// Default flow per diverging gateway, applied by [`finish_scope`].
    defaults: HashMap<String, String>,
}

impl Ids {
    /// `base`, or `base_2`, `base_3`, ... when taken.
    pub fn fresh(&mut self, base: &str) -> String {
        let mut candidate = base.to_owned();
        let mut n = 1;
        while self.used.contains(&candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        self.used.insert(candidate.clone());
        candidate
    }

    /// Marks a gateway as diverging (see [`Ids::splits`]).
    pub fn mark_split(&mut self, id: &str) {
        self.splits.insert(id.to_owned());
    }
}

/// A node with id, name and optional documentation.
pub fn node(id: &str, name: &str, documentation: Option<&str>, kind: FlowNodeKind) -> FlowNode {
    let mut node = FlowNode::new(id, kind);
    node.common.name = Some(name.to_owned());
    if let Some(text) = documentation {
        node.common.documentation.push(Documentation { text: text.to_owned(), ..Documentation::default() });
    }
    node
}

/// Adds a sequence flow from `from` to `to` with an optional FEEL condition and name, and
/// records it as default flow when it leaves a diverging gateway unconditioned.
pub fn connect(
    ids: &mut Ids,
    scope: &mut Vec<FlowElement>,
    from: &str,
    to: &str,
    condition: Option<String>,
    name: Option<&str>,
) -> String {
    ids.flows += 1;
    let id = ids.fresh(&format!("Flow_{}", ids.flows));
    let is_default = condition.is_none() && ids.splits.contains(from);
    let mut flow = SequenceFlow {
        common: Common::new(id.clone()),
        source_ref: from.to_owned(),
        target_ref: to.to_owned(),
        condition: condition.map(Expression::formal),
        is_immediate: None,
    };
    flow.common.name = name.map(str::to_owned).or_else(|| is_default.then(|| "otherwise".to_owned()));
    scope.push(FlowElement::SequenceFlow(flow));
    if is_default {
        ids.defaults.entry(from.to_owned()).or_insert_with(|| id.clone());
    }
    id
}

/// Parts of a flow (each an entry and an exit node) joined one after another as they come.
#[derive(Debug, Default)]
pub struct Chain(Option<(String, String)>);

impl Chain {
    /// Appends a part: a flow from the last part's exit to its entry.
    pub fn push(&mut self, ids: &mut Ids, scope: &mut Vec<FlowElement>, (entry, exit): (String, String)) {
        self.0 = Some(match self.0.take() {
            None => (entry, exit),
            Some((first, last)) => {
                connect(ids, scope, &last, &entry, None, None);
                (first, exit)
            }
        });
    }

    /// The first entry and the last exit, none when nothing was pushed.
    pub fn ends(self) -> Option<(String, String)> {
        self.0
    }
}

/// Fills every node's `incoming`/`outgoing` lists from the flows of its scope and sets the
/// default flows of diverging gateways, recursively.
pub fn finish_scope(ids: &Ids, scope: &mut [FlowElement]) {
    let mut incoming: HashMap<String, Vec<String>> = HashMap::new();
    let mut outgoing: HashMap<String, Vec<String>> = HashMap::new();
    for element in scope.iter() {
        if let FlowElement::SequenceFlow(f) = element {
            outgoing.entry(f.source_ref.clone()).or_default().push(f.common.id.clone());
            incoming.entry(f.target_ref.clone()).or_default().push(f.common.id.clone());
        }
    }
    for element in scope.iter_mut() {
        let FlowElement::Node(node) = element else { continue };
        node.incoming = incoming.remove(&node.common.id).unwrap_or_default();
        node.outgoing = outgoing.remove(&node.common.id).unwrap_or_default();
        match &mut node.kind {
            FlowNodeKind::Gateway(gateway) if gateway.kind == GatewayKind::Exclusive => {
                if let Some(default) = ids.defaults.get(&node.common.id) {
                    gateway.default_flow = Some(default.clone());
                }
            }
            FlowNodeKind::SubProcess(sub) => finish_scope(ids, &mut sub.flow_elements),
            _ => {}
        }
    }
}
