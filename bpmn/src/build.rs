//! A small builder for models made in code: compilers that emit BPMN and tests that need a model
//! without writing XML.
//!
//! A [`Flows`] collects the content of a process or sub-process in order; [`Flows::into_process`]
//! turns it into a [`Process`] and [`definitions`] wraps processes into a [`Definitions`]. Every
//! finishing step fills the `bpmn:incoming` / `bpmn:outgoing` lists of the nodes from the sequence
//! flows, so the result looks like what a modeller writes.
//!
//! ```
//! use bpmn::build::{Flows, definitions};
//!
//! let process = Flows::new()
//!     .start("start")
//!     .service_task("work", "do-work")
//!     .end("end")
//!     .chain(&["start", "work", "end"])
//!     .into_process("order");
//! let model = definitions("defs", [process]);
//! assert_eq!(model.process("order").map(|p| p.flow_elements.len()), Some(5));
//! ```

use std::collections::HashMap;

use crate::model::zeebe::{CalledElement, TaskDefinition};
use crate::model::{
    CallActivity, Common, Definitions, Event, EventDefinition, EventDefinitionKind, EventKind, Expression,
    ExtensionElement, FlowElement, FlowNode, FlowNodeKind, Gateway, GatewayKind, Location, Process, RootElement,
    SequenceFlow, SubProcess, SubProcessKind, Task, TaskKind,
};

/// The namespace [`definitions`] puts into `targetNamespace`.
pub const TARGET_NAMESPACE: &str = "http://bpmn.io/schema/bpmn";

/// The flow elements of one process or sub-process, in the order they are added.
#[derive(Debug, Clone, Default)]
pub struct Flows {
    elements: Vec<FlowElement>,
}

impl Flows {
    /// An empty list of flow elements.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds any flow node.
    pub fn node(mut self, node: FlowNode) -> Self {
        self.elements.push(FlowElement::Node(node));
        self
    }

    /// Adds any flow element (sequence flows, verbatim artifacts, ...).
    pub fn element(mut self, element: FlowElement) -> Self {
        self.elements.push(element);
        self
    }

    /// Adds a none start event.
    pub fn start(self, id: &str) -> Self {
        self.event(id, EventKind::Start { is_interrupting: None }, None)
    }

    /// Adds a start event with a trigger (message, timer, signal, error, ...).
    pub fn start_with(self, id: &str, definition: EventDefinitionKind) -> Self {
        self.event(id, EventKind::Start { is_interrupting: None }, Some(definition))
    }

    /// Adds a none end event.
    pub fn end(self, id: &str) -> Self {
        self.event(id, EventKind::End, None)
    }

    /// Adds an event of any kind with at most one definition.
    pub fn event(self, id: &str, kind: EventKind, definition: Option<EventDefinitionKind>) -> Self {
        let event = Event::new(kind, definition.map(EventDefinition::new));
        self.node(FlowNode::new(id, FlowNodeKind::Event(event)))
    }

    /// Adds an interrupting boundary event attached to `host`.
    pub fn boundary(self, id: &str, host: &str, definition: EventDefinitionKind) -> Self {
        let kind = EventKind::Boundary { attached_to: host.to_owned(), cancel_activity: None };
        self.event(id, kind, Some(definition))
    }

    /// Adds an undefined task (`bpmn:task`).
    pub fn task(self, id: &str) -> Self {
        self.node(FlowNode::new(id, FlowNodeKind::Task(Task::new(TaskKind::Undefined))))
    }

    /// Adds a service task with a `zeebe:taskDefinition` of the given job type.
    pub fn service_task(self, id: &str, job_type: &str) -> Self {
        let mut node = FlowNode::new(id, FlowNodeKind::Task(Task::new(TaskKind::Service)));
        let definition = TaskDefinition { job_type: job_type.to_owned(), ..TaskDefinition::default() };
        node.common.extensions_mut().set(ExtensionElement::TaskDefinition(definition));
        self.node(node)
    }

    /// Adds a call activity whose `zeebe:calledElement` names `process_id` (static or `=expr`).
    pub fn call_activity(self, id: &str, process_id: &str) -> Self {
        let mut node = FlowNode::new(id, FlowNodeKind::CallActivity(CallActivity::default()));
        let called = CalledElement { process_id: process_id.to_owned(), ..CalledElement::default() };
        node.common.extensions_mut().set(ExtensionElement::CalledElement(called));
        self.node(node)
    }

    /// Adds a gateway of the given kind without a default flow.
    pub fn gateway(self, id: &str, kind: GatewayKind) -> Self {
        self.node(FlowNode::new(id, FlowNodeKind::Gateway(Gateway::new(kind))))
    }

    /// Adds a gateway of the given kind whose default flow is `default_flow`.
    pub fn gateway_with_default(self, id: &str, kind: GatewayKind, default_flow: &str) -> Self {
        let gateway = Gateway { default_flow: Some(default_flow.to_owned()), ..Gateway::new(kind) };
        self.node(FlowNode::new(id, FlowNodeKind::Gateway(gateway)))
    }

    /// Adds an embedded sub-process holding `content`.
    pub fn sub_process(self, id: &str, content: Flows) -> Self {
        let sub_process = SubProcess { flow_elements: content.finish(), ..SubProcess::new(SubProcessKind::Embedded) };
        self.node(FlowNode::new(id, FlowNodeKind::SubProcess(sub_process)))
    }

    /// Adds an event sub-process holding `content`.
    pub fn event_sub_process(self, id: &str, content: Flows) -> Self {
        let sub_process = SubProcess { flow_elements: content.finish(), ..SubProcess::event_sub_process() };
        self.node(FlowNode::new(id, FlowNodeKind::SubProcess(sub_process)))
    }

    /// Adds a sequence flow without a condition.
    pub fn flow(self, id: &str, source: &str, target: &str) -> Self {
        self.sequence_flow(id, source, target, None)
    }

    /// Adds a sequence flow with a condition expression (for Zeebe a FEEL expression like `=x > 1`).
    pub fn conditional_flow(self, id: &str, source: &str, target: &str, condition: &str) -> Self {
        self.sequence_flow(id, source, target, Some(Expression::formal(condition)))
    }

    /// Adds unconditional sequence flows between consecutive nodes, named `Flow_<source>_<target>`.
    pub fn chain(self, node_ids: &[&str]) -> Self {
        node_ids.windows(2).fold(self, |flows, pair| match pair {
            [source, target] => flows.flow(&format!("Flow_{source}_{target}"), source, target),
            _ => flows,
        })
    }

    /// Sets the source location of the element added last (for models that stand in for a file).
    pub fn at(mut self, line: u32, column: u32) -> Self {
        if let Some(element) = self.elements.last_mut() {
            let location = Location::new(line, column);
            match element {
                FlowElement::Node(node) => node.common.location = location,
                FlowElement::SequenceFlow(flow) => flow.common.location = location,
                FlowElement::Other(other) => other.location = location,
            }
        }
        self
    }

    /// A process with the given id holding these elements, marked executable.
    pub fn into_process(self, id: &str) -> Process {
        Process {
            common: Common::new(id),
            is_executable: Some(true),
            flow_elements: self.finish(),
            ..Process::default()
        }
    }

    /// The elements, with each node's incoming and outgoing lists filled from the sequence flows.
    pub fn finish(mut self) -> Vec<FlowElement> {
        let mut outgoing: HashMap<String, Vec<String>> = HashMap::new();
        let mut incoming: HashMap<String, Vec<String>> = HashMap::new();
        for element in &self.elements {
            if let FlowElement::SequenceFlow(flow) = element {
                outgoing.entry(flow.source_ref.clone()).or_default().push(flow.common.id.clone());
                incoming.entry(flow.target_ref.clone()).or_default().push(flow.common.id.clone());
            }
        }
        for element in &mut self.elements {
            let FlowElement::Node(node) = element else { continue };
            for (flows, list) in [(&outgoing, &mut node.outgoing), (&incoming, &mut node.incoming)] {
                for flow in flows.get(&node.common.id).into_iter().flatten() {
                    if !list.contains(flow) {
                        list.push(flow.clone());
                    }
                }
            }
        }
        self.elements
    }

    fn sequence_flow(self, id: &str, source: &str, target: &str, condition: Option<Expression>) -> Self {
        self.element(FlowElement::SequenceFlow(SequenceFlow {
            common: Common::new(id),
            source_ref: source.to_owned(),
            target_ref: target.to_owned(),
            condition,
            is_immediate: None,
        }))
    }
}

/// Definitions with the given id holding `processes`, in order.
pub fn definitions(id: &str, processes: impl IntoIterator<Item = Process>) -> Definitions {
    Definitions {
        id: Some(id.to_owned()),
        target_namespace: TARGET_NAMESPACE.to_owned(),
        root_elements: processes.into_iter().map(RootElement::Process).collect(),
        ..Definitions::default()
    }
}
