//! The graph view of a process: one directed graph per scope, and validation on top of it.
//!
//! A [`ProcessGraph`] splits a [`Process`] into [`Scope`]s: the process itself and every
//! sub-process (embedded, event, ad-hoc, transaction) as its own scope, linked to its parent.
//! Inside a scope the nodes are the flow nodes written directly in it and the edges are its
//! sequence flows; a boundary event belongs to the scope of its host and is attached to it.
//! Sequence flows never cross scopes: a flow whose `sourceRef` or `targetRef` names no node of its
//! own scope is kept in [`Scope::flows`] but is not an edge (validation reports it).
//!
//! [`validate`] checks a whole [`Definitions`](crate::Definitions) and returns [`Problem`]s in
//! document order.

pub(crate) mod layering;
mod order;
mod scope;
mod validate;

pub use scope::{Scope, ScopeKind};
pub use validate::{Code, Problem, Severity, ValidationOptions, validate};

use std::collections::HashMap;

use crate::model::{FlowElement, FlowNode, FlowNodeKind, Process};

/// A process split into scopes, borrowing the model.
#[derive(Debug, Clone)]
pub struct ProcessGraph<'a> {
    process: &'a Process,
    /// The scopes in document pre-order; index 0 is the process.
    scopes: Vec<Scope<'a>>,
    /// Node id → index of the scope holding it (first occurrence).
    scope_of_node: HashMap<&'a str, usize>,
}

impl<'a> ProcessGraph<'a> {
    /// Builds the scopes of `process`. Never fails: dangling references, duplicate ids and cycles
    /// are tolerated (a dangling flow is simply not an edge; a duplicate id resolves to the first
    /// node with it).
    pub fn new(process: &'a Process) -> Self {
        let mut graph = Self { process, scopes: Vec::new(), scope_of_node: HashMap::new() };
        let root = Scope::new(&process.common.id, ScopeKind::Process, None, None, &process.flow_elements);
        graph.add_scope(root, &process.flow_elements);
        graph
    }

    /// Adds `scope` and, depth first, the scopes of the sub-processes among `elements`.
    fn add_scope(&mut self, scope: Scope<'a>, elements: &'a [FlowElement]) {
        let index = self.scopes.len();
        for node in scope.nodes() {
            self.scope_of_node.entry(node.id()).or_insert(index);
        }
        self.scopes.push(scope);
        for element in elements {
            let FlowElement::Node(node) = element else { continue };
            let FlowNodeKind::SubProcess(sub_process) = &node.kind else { continue };
            let child_index = self.scopes.len();
            if let Some(parent) = self.scopes.get_mut(index) {
                parent.children.push(child_index);
            }
            let kind = ScopeKind::of(sub_process);
            let child = Scope::new(node.id(), kind, Some(node), Some(index), &sub_process.flow_elements);
            self.add_scope(child, &sub_process.flow_elements);
        }
    }

    /// The process this graph was built from.
    pub fn process(&self) -> &'a Process {
        self.process
    }

    /// The process scope (the root of the scope tree).
    pub fn root(&self) -> &Scope<'a> {
        // `new` always pushes the process scope first.
        &self.scopes[0]
    }

    /// All scopes in document pre-order, the process first.
    pub fn scopes(&self) -> impl Iterator<Item = &Scope<'a>> {
        self.scopes.iter()
    }

    /// The scope with the given id: the process id or a sub-process id.
    pub fn scope(&self, id: &str) -> Option<&Scope<'a>> {
        self.scopes.iter().find(|s| s.id() == id)
    }

    /// The scope that encloses `scope`, or `None` for the process scope.
    pub fn parent(&self, scope: &Scope<'a>) -> Option<&Scope<'a>> {
        scope.parent.and_then(|index| self.scopes.get(index))
    }

    /// The scopes directly inside `scope` (its sub-processes), in document order.
    pub fn children<'g>(&'g self, scope: &'g Scope<'a>) -> impl Iterator<Item = &'g Scope<'a>> {
        scope.children.iter().filter_map(|&index| self.scopes.get(index))
    }

    /// The flow node with the given id, in any scope of the process.
    pub fn node(&self, id: &str) -> Option<&'a FlowNode> {
        self.scope_of(id).and_then(|scope| scope.node(id))
    }

    /// The scope a flow node sits in (for a sub-process node: the scope around it, not its own).
    pub fn scope_of(&self, node_id: &str) -> Option<&Scope<'a>> {
        self.scope_of_node.get(node_id).and_then(|&index| self.scopes.get(index))
    }
}
