//! A fluent builder for BPMN models in code, for tests and examples.
//!
//! Each node method adds the node and connects it from the previous one (the "cursor"); use
//! [`ProcessBuilder::move_to`] to continue from another node and [`ProcessBuilder::connect`] for
//! any other flow.
//!
//! ```
//! use engine::testing::model::ProcessBuilder;
//!
//! let definitions = ProcessBuilder::new("order")
//!     .start("start")
//!     .exclusive("check")
//!     .service_task("ship", "ship")
//!     .end("done")
//!     .move_to("check")
//!     .end("rejected")
//!     .condition("check", "ship", "=ok")
//!     .default_flow("check", "rejected")
//!     .build();
//! assert_eq!(definitions.processes().count(), 1);
//! ```

use std::collections::HashMap;

use bpmn::model::zeebe::{
    AssignmentDefinition, CalledElement, Header, IoMapping, Mapping, Script, Subscription, TaskDefinition, TaskHeaders,
    UserTaskMarker, ZeebeLoopCharacteristics,
};
use bpmn::model::{
    CallActivity, Common, Definitions, ErrorDef, Escalation, Event, EventDefinition, EventDefinitionKind, EventKind,
    Expression, ExtensionElement, ExtensionElements, FlowElement, FlowNode, FlowNodeKind, Gateway, GatewayKind,
    LoopCharacteristics, Message, MultiInstance, Process, RootElement, SequenceFlow, Signal, SubProcess,
    SubProcessKind, Task, TaskKind,
};

pub use crate::model::timer::TimerKind;

/// Builds one executable process (and the messages, errors, signals it references).
#[derive(Debug, Clone)]
pub struct ProcessBuilder {
    process: Process,
    roots: Vec<RootElement>,
    cursor: Option<String>,
    flow_count: usize,
}

impl ProcessBuilder {
    /// An empty executable process.
    pub fn new(id: &str) -> Self {
        Self {
            process: Process { common: Common::new(id), is_executable: Some(true), ..Process::default() },
            roots: Vec::new(),
            cursor: None,
            flow_count: 0,
        }
    }

    /// Marks the process not executable.
    pub fn not_executable(mut self) -> Self {
        self.process.is_executable = Some(false);
        self
    }

    /// The finished model. Every node lists its incoming and outgoing flows, as Camunda Modeler
    /// writes them: Zeebe reads some rules from these lists (an event-based gateway with no
    /// `<outgoing>` is refused for having fewer than two outgoing flows).
    pub fn build(mut self) -> Definitions {
        link_flows(&mut self.process.flow_elements);
        let mut roots = self.roots;
        roots.insert(0, RootElement::Process(self.process));
        Definitions {
            target_namespace: "http://bpmn.io/schema/bpmn".into(),
            root_elements: roots,
            ..Definitions::default()
        }
    }

    /// The process alone (for sub-process bodies; `build` links their flows).
    fn into_parts(self) -> (Vec<FlowElement>, Vec<RootElement>) {
        (self.process.flow_elements, self.roots)
    }

    // ---- cursor and flows ----

    /// Continues from an existing node.
    pub fn move_to(mut self, id: &str) -> Self {
        self.cursor = Some(id.into());
        self
    }

    /// Stops auto-connecting (the next node starts unconnected).
    pub fn detached(mut self) -> Self {
        self.cursor = None;
        self
    }

    /// Adds a flow `from -> to` (id `from-to`).
    pub fn connect(mut self, from: &str, to: &str) -> Self {
        self.add_flow(from, to);
        self
    }

    /// Puts a condition on the flow `from -> to`.
    pub fn condition(mut self, from: &str, to: &str, condition: &str) -> Self {
        if let Some(flow) = self.flow_mut(from, to) {
            flow.condition = Some(Expression::formal(condition));
        }
        self
    }

    /// Makes the flow `from -> to` the default flow of `from`.
    pub fn default_flow(mut self, from: &str, to: &str) -> Self {
        let id = self.flow_mut(from, to).map(|f| f.common.id.clone());
        if let (Some(id), Some(node)) = (id, self.node_mut(from)) {
            match &mut node.kind {
                FlowNodeKind::Gateway(g) => g.default_flow = Some(id),
                _ => {
                    if let Some(a) = node.activity_mut() {
                        a.default_flow = Some(id);
                    }
                }
            }
        }
        self
    }

    fn add_flow(&mut self, from: &str, to: &str) {
        self.flow_count += 1;
        let mut id = format!("{from}-{to}");
        if self.process.flow_elements.iter().any(|e| matches!(e, FlowElement::SequenceFlow(f) if f.common.id == id)) {
            id = format!("{id}-{}", self.flow_count);
        }
        let flow = SequenceFlow {
            common: Common::new(id),
            source_ref: from.into(),
            target_ref: to.into(),
            ..SequenceFlow::default()
        };
        self.process.flow_elements.push(FlowElement::SequenceFlow(flow));
    }

    fn flow_mut(&mut self, from: &str, to: &str) -> Option<&mut SequenceFlow> {
        self.process.flow_elements.iter_mut().rev().find_map(|e| match e {
            FlowElement::SequenceFlow(f) if f.source_ref == from && f.target_ref == to => Some(f),
            _ => None,
        })
    }

    fn node_mut(&mut self, id: &str) -> Option<&mut FlowNode> {
        fn find<'a>(elements: &'a mut [FlowElement], id: &str) -> Option<&'a mut FlowNode> {
            for element in elements {
                if let FlowElement::Node(node) = element {
                    if node.common.id == id {
                        return Some(node);
                    }
                    if let FlowNodeKind::SubProcess(sub) = &mut node.kind
                        && let Some(found) = find(&mut sub.flow_elements, id)
                    {
                        return Some(found);
                    }
                }
            }
            None
        }
        find(&mut self.process.flow_elements, id)
    }

    /// Adds a node, connecting it from the cursor, and moves the cursor to it.
    pub fn node(mut self, id: &str, kind: FlowNodeKind) -> Self {
        self.process.flow_elements.push(FlowElement::Node(FlowNode::new(id, kind)));
        if let Some(from) = self.cursor.take() {
            self.add_flow(&from, id);
        }
        self.cursor = Some(id.into());
        self
    }

    fn extend(mut self, id: &str, extension: ExtensionElement) -> Self {
        if let Some(node) = self.node_mut(id) {
            node.common.extensions_mut().set(extension);
        }
        self
    }

    // ---- events ----

    fn event(self, id: &str, kind: EventKind, definition: Option<EventDefinitionKind>) -> Self {
        self.node(id, FlowNodeKind::Event(Event::new(kind, definition.map(EventDefinition::new))))
    }

    /// A none start event.
    pub fn start(self, id: &str) -> Self {
        self.event(id, EventKind::Start { is_interrupting: None }, None)
    }

    /// A message start event (`interrupting` matters inside event sub-processes).
    pub fn message_start(mut self, id: &str, message_name: &str, interrupting: bool) -> Self {
        let message_ref = self.message(message_name, None);
        self.event(
            id,
            EventKind::Start { is_interrupting: Some(interrupting) },
            Some(EventDefinitionKind::Message { message_ref: Some(message_ref) }),
        )
    }

    /// A message start event of an event sub-process, with a correlation key.
    pub fn message_start_keyed(
        mut self,
        id: &str,
        message_name: &str,
        correlation_key: &str,
        interrupting: bool,
    ) -> Self {
        let message_ref = self.message(message_name, Some(correlation_key));
        self.event(
            id,
            EventKind::Start { is_interrupting: Some(interrupting) },
            Some(EventDefinitionKind::Message { message_ref: Some(message_ref) }),
        )
    }

    /// A timer start event.
    pub fn timer_start(self, id: &str, kind: TimerKind, value: &str, interrupting: bool) -> Self {
        self.event(id, EventKind::Start { is_interrupting: Some(interrupting) }, Some(timer(kind, value)))
    }

    /// A signal start event.
    pub fn signal_start(mut self, id: &str, signal_name: &str, interrupting: bool) -> Self {
        let signal_ref = self.signal(signal_name);
        self.event(
            id,
            EventKind::Start { is_interrupting: Some(interrupting) },
            Some(EventDefinitionKind::Signal { signal_ref: Some(signal_ref) }),
        )
    }

    /// An error start event (event sub-processes); `None` catches all.
    pub fn error_start(mut self, id: &str, code: Option<&str>) -> Self {
        let error_ref = code.map(|c| self.error(c));
        self.event(id, EventKind::Start { is_interrupting: Some(true) }, Some(EventDefinitionKind::Error { error_ref }))
    }

    /// An escalation start event (event sub-processes); `None` catches all.
    pub fn escalation_start(mut self, id: &str, code: Option<&str>, interrupting: bool) -> Self {
        let escalation_ref = code.map(|c| self.escalation(c));
        self.event(
            id,
            EventKind::Start { is_interrupting: Some(interrupting) },
            Some(EventDefinitionKind::Escalation { escalation_ref }),
        )
    }

    /// A none end event.
    pub fn end(self, id: &str) -> Self {
        self.event(id, EventKind::End, None)
    }

    /// A terminate end event.
    pub fn terminate_end(self, id: &str) -> Self {
        self.event(id, EventKind::End, Some(EventDefinitionKind::Terminate))
    }

    /// An error end event.
    pub fn error_end(mut self, id: &str, code: &str) -> Self {
        let error_ref = self.error(code);
        self.event(id, EventKind::End, Some(EventDefinitionKind::Error { error_ref: Some(error_ref) }))
    }

    /// An escalation end event.
    pub fn escalation_end(mut self, id: &str, code: &str) -> Self {
        let escalation_ref = self.escalation(code);
        self.event(id, EventKind::End, Some(EventDefinitionKind::Escalation { escalation_ref: Some(escalation_ref) }))
    }

    /// An escalation intermediate throw event.
    pub fn escalation_throw(mut self, id: &str, code: &str) -> Self {
        let escalation_ref = self.escalation(code);
        self.event(
            id,
            EventKind::IntermediateThrow,
            Some(EventDefinitionKind::Escalation { escalation_ref: Some(escalation_ref) }),
        )
    }

    /// A signal end event.
    pub fn signal_end(mut self, id: &str, signal_name: &str) -> Self {
        let signal_ref = self.signal(signal_name);
        self.event(id, EventKind::End, Some(EventDefinitionKind::Signal { signal_ref: Some(signal_ref) }))
    }

    /// A signal intermediate throw event.
    pub fn signal_throw(mut self, id: &str, signal_name: &str) -> Self {
        let signal_ref = self.signal(signal_name);
        self.event(id, EventKind::IntermediateThrow, Some(EventDefinitionKind::Signal { signal_ref: Some(signal_ref) }))
    }

    /// A link intermediate throw event.
    pub fn link_throw(self, id: &str, name: &str) -> Self {
        self.event(id, EventKind::IntermediateThrow, Some(EventDefinitionKind::Link { name: Some(name.into()) }))
    }

    /// A link intermediate catch event (not connected from the cursor).
    pub fn link_catch(self, id: &str, name: &str) -> Self {
        self.detached().event(
            id,
            EventKind::IntermediateCatch,
            Some(EventDefinitionKind::Link { name: Some(name.into()) }),
        )
    }

    /// A timer intermediate catch event.
    pub fn timer_catch(self, id: &str, kind: TimerKind, value: &str) -> Self {
        self.event(id, EventKind::IntermediateCatch, Some(timer(kind, value)))
    }

    /// A message intermediate catch event with a correlation key expression.
    pub fn message_catch(mut self, id: &str, message_name: &str, correlation_key: &str) -> Self {
        let message_ref = self.message(message_name, Some(correlation_key));
        self.event(
            id,
            EventKind::IntermediateCatch,
            Some(EventDefinitionKind::Message { message_ref: Some(message_ref) }),
        )
    }

    /// A signal intermediate catch event.
    pub fn signal_catch(mut self, id: &str, signal_name: &str) -> Self {
        let signal_ref = self.signal(signal_name);
        self.event(id, EventKind::IntermediateCatch, Some(EventDefinitionKind::Signal { signal_ref: Some(signal_ref) }))
    }

    /// A boundary event with the given definition, attached to `attached_to`; the cursor moves
    /// to it (unconnected).
    pub fn boundary(self, id: &str, attached_to: &str, interrupting: bool, definition: EventDefinitionKind) -> Self {
        let kind = EventKind::Boundary { attached_to: attached_to.into(), cancel_activity: Some(interrupting) };
        self.detached().event(id, kind, Some(definition))
    }

    /// A timer boundary event.
    pub fn boundary_timer(self, id: &str, attached_to: &str, interrupting: bool, kind: TimerKind, value: &str) -> Self {
        self.boundary(id, attached_to, interrupting, timer(kind, value))
    }

    /// An error boundary event; `None` catches all.
    pub fn boundary_error(mut self, id: &str, attached_to: &str, code: Option<&str>) -> Self {
        let error_ref = code.map(|c| self.error(c));
        self.boundary(id, attached_to, true, EventDefinitionKind::Error { error_ref })
    }

    /// An escalation boundary event; `None` catches all.
    pub fn boundary_escalation(mut self, id: &str, attached_to: &str, interrupting: bool, code: Option<&str>) -> Self {
        let escalation_ref = code.map(|c| self.escalation(c));
        self.boundary(id, attached_to, interrupting, EventDefinitionKind::Escalation { escalation_ref })
    }

    /// A message boundary event.
    pub fn boundary_message(
        mut self,
        id: &str,
        attached_to: &str,
        interrupting: bool,
        name: &str,
        correlation_key: &str,
    ) -> Self {
        let message_ref = self.message(name, Some(correlation_key));
        self.boundary(id, attached_to, interrupting, EventDefinitionKind::Message { message_ref: Some(message_ref) })
    }

    /// A signal boundary event.
    pub fn boundary_signal(mut self, id: &str, attached_to: &str, interrupting: bool, name: &str) -> Self {
        let signal_ref = self.signal(name);
        self.boundary(id, attached_to, interrupting, EventDefinitionKind::Signal { signal_ref: Some(signal_ref) })
    }

    // ---- tasks ----

    fn task_node(self, id: &str, kind: TaskKind) -> Self {
        self.node(id, FlowNodeKind::Task(Task::new(kind)))
    }

    /// A service task with a job type.
    pub fn service_task(self, id: &str, job_type: &str) -> Self {
        self.task_node(id, TaskKind::Service).extend(id, task_definition(job_type))
    }

    /// A service task without `zeebe:taskDefinition` (refused at deploy; for tests of that).
    pub fn task_without_definition(self, id: &str) -> Self {
        self.task_node(id, TaskKind::Service)
    }

    /// A send task with a job type.
    pub fn send_task(self, id: &str, job_type: &str) -> Self {
        self.task_node(id, TaskKind::Send { message_ref: None }).extend(id, task_definition(job_type))
    }

    /// A job-based user task.
    pub fn user_task(self, id: &str) -> Self {
        self.task_node(id, TaskKind::User)
    }

    /// A Camunda user task (`zeebe:userTask`).
    pub fn camunda_user_task(self, id: &str) -> Self {
        self.task_node(id, TaskKind::User).extend(id, ExtensionElement::UserTask(UserTaskMarker::default()))
    }

    /// Sets the assignment of a user task.
    pub fn assignment(self, id: &str, assignee: Option<&str>, candidate_groups: Option<&str>) -> Self {
        let definition = AssignmentDefinition {
            assignee: assignee.map(String::from),
            candidate_groups: candidate_groups.map(String::from),
            ..AssignmentDefinition::default()
        };
        self.extend(id, ExtensionElement::AssignmentDefinition(definition))
    }

    /// A FEEL script task.
    pub fn script_task(self, id: &str, expression: &str, result_variable: &str) -> Self {
        let script = Script {
            expression: expression.into(),
            result_variable: Some(result_variable.into()),
            ..Script::default()
        };
        self.task_node(id, TaskKind::Script { script_format: None, script: None })
            .extend(id, ExtensionElement::Script(script))
    }

    /// A business rule task calling a decision.
    pub fn decision_task(self, id: &str, decision_id: &str) -> Self {
        let called = bpmn::model::zeebe::CalledDecision {
            decision_id: decision_id.into(),
            result_variable: Some("result".into()),
            ..Default::default()
        };
        self.task_node(id, TaskKind::BusinessRule).extend(id, ExtensionElement::CalledDecision(called))
    }

    /// A receive task.
    pub fn receive_task(mut self, id: &str, message_name: &str, correlation_key: &str) -> Self {
        let message_ref = self.message(message_name, Some(correlation_key));
        self.task_node(id, TaskKind::Receive { message_ref: Some(message_ref), instantiate: None })
    }

    /// An undefined task (`bpmn:task`).
    pub fn task(self, id: &str) -> Self {
        self.task_node(id, TaskKind::Undefined)
    }

    /// A manual task.
    pub fn manual_task(self, id: &str) -> Self {
        self.task_node(id, TaskKind::Manual)
    }

    /// A call activity.
    pub fn call_activity(self, id: &str, process_id: &str) -> Self {
        let called = CalledElement { process_id: process_id.into(), ..CalledElement::default() };
        self.node(id, FlowNodeKind::CallActivity(CallActivity::default()))
            .extend(id, ExtensionElement::CalledElement(called))
    }

    /// Sets a call activity's propagation flags.
    pub fn propagation(mut self, id: &str, all_child: Option<bool>, all_parent: Option<bool>) -> Self {
        if let Some(node) = self.node_mut(id)
            && let Some(called) = node.common.extensions_mut().called_element_mut()
        {
            called.propagate_all_child_variables = all_child;
            called.propagate_all_parent_variables = all_parent;
        }
        self
    }

    /// An embedded sub-process built by `body`.
    pub fn sub_process(self, id: &str, body: impl FnOnce(ProcessBuilder) -> ProcessBuilder) -> Self {
        self.container(id, SubProcess::new(SubProcessKind::Embedded), body)
    }

    /// An event sub-process built by `body` (not connected).
    pub fn event_sub_process(self, id: &str, body: impl FnOnce(ProcessBuilder) -> ProcessBuilder) -> Self {
        let cursor = self.cursor.clone();
        let mut built = self.detached().container(id, SubProcess::event_sub_process(), body);
        built.cursor = cursor;
        built
    }

    fn container(mut self, id: &str, mut sub: SubProcess, body: impl FnOnce(ProcessBuilder) -> ProcessBuilder) -> Self {
        let inner = body(ProcessBuilder { roots: std::mem::take(&mut self.roots), ..ProcessBuilder::new(id) });
        let (elements, roots) = inner.into_parts();
        sub.flow_elements = elements;
        self.roots = roots;
        self.node(id, FlowNodeKind::SubProcess(sub))
    }

    // ---- gateways ----

    /// An exclusive gateway.
    pub fn exclusive(self, id: &str) -> Self {
        self.node(id, FlowNodeKind::Gateway(Gateway::new(GatewayKind::Exclusive)))
    }

    /// A parallel gateway.
    pub fn parallel(self, id: &str) -> Self {
        self.node(id, FlowNodeKind::Gateway(Gateway::new(GatewayKind::Parallel)))
    }

    /// An inclusive gateway.
    pub fn inclusive(self, id: &str) -> Self {
        self.node(id, FlowNodeKind::Gateway(Gateway::new(GatewayKind::Inclusive)))
    }

    /// An event-based gateway.
    pub fn event_gateway(self, id: &str) -> Self {
        self.node(
            id,
            FlowNodeKind::Gateway(Gateway::new(GatewayKind::EventBased {
                instantiate: None,
                event_gateway_type: None,
            })),
        )
    }

    // ---- extensions ----

    /// Adds an input mapping (`source` like `=x` or a literal; `None` maps null).
    pub fn input(self, id: &str, source: Option<&str>, target: &str) -> Self {
        self.mapping(id, source, target, true)
    }

    /// Adds an output mapping.
    pub fn output(self, id: &str, source: &str, target: &str) -> Self {
        self.mapping(id, Some(source), target, false)
    }

    fn mapping(mut self, id: &str, source: Option<&str>, target: &str, input: bool) -> Self {
        if let Some(node) = self.node_mut(id) {
            let extensions = node.common.extensions_mut();
            if extensions.io_mapping().is_none() {
                extensions.set(ExtensionElement::IoMapping(IoMapping::default()));
            }
            if let Some(io) = extensions.io_mapping_mut() {
                let mapping = Mapping { source: source.map(String::from), target: target.into(), ..Mapping::default() };
                if input { io.inputs.push(mapping) } else { io.outputs.push(mapping) }
            }
        }
        self
    }

    /// Adds a static task header.
    pub fn header(mut self, id: &str, key: &str, value: &str) -> Self {
        if let Some(node) = self.node_mut(id) {
            let extensions = node.common.extensions_mut();
            if extensions.task_headers().is_none() {
                extensions.set(ExtensionElement::TaskHeaders(TaskHeaders::default()));
            }
            if let Some(headers) = extensions.task_headers_mut() {
                headers.headers.push(Header { key: key.into(), value: value.into(), ..Header::default() });
            }
        }
        self
    }

    /// Sets a task's retries.
    pub fn retries(mut self, id: &str, retries: &str) -> Self {
        if let Some(definition) = self.node_mut(id).and_then(|n| n.common.extensions_mut().task_definition_mut()) {
            definition.retries = Some(retries.into());
        }
        self
    }

    /// Makes an activity multi-instance.
    pub fn multi_instance(mut self, id: &str, spec: MultiInstanceSpec<'_>) -> Self {
        let zeebe = ZeebeLoopCharacteristics {
            input_collection: spec.input_collection.map(String::from),
            input_element: spec.input_element.map(String::from),
            output_collection: spec.output_collection.map(String::from),
            output_element: spec.output_element.map(String::from),
            ..ZeebeLoopCharacteristics::default()
        };
        let mi = MultiInstance {
            is_sequential: Some(spec.sequential),
            completion_condition: spec.completion_condition.map(Expression::formal),
            extension_elements: Some(ExtensionElements {
                items: vec![ExtensionElement::LoopCharacteristics(zeebe)],
                ..Default::default()
            }),
            ..MultiInstance::default()
        };
        if let Some(activity) = self.node_mut(id).and_then(FlowNode::activity_mut) {
            activity.loop_characteristics = Some(LoopCharacteristics::MultiInstance(mi));
        }
        self
    }

    // ---- root elements ----

    fn message(&mut self, name: &str, correlation_key: Option<&str>) -> String {
        let id = format!("Message_{name}");
        if !self.roots.iter().any(|r| matches!(r, RootElement::Message(m) if m.common.id == id)) {
            let mut common = Common::new(id.clone());
            common.name = Some(name.into());
            if let Some(key) = correlation_key {
                let subscription = Subscription { correlation_key: Some(key.into()), ..Subscription::default() };
                common.extensions_mut().set(ExtensionElement::Subscription(subscription));
            }
            self.roots.push(RootElement::Message(Message { common, item_ref: None }));
        }
        id
    }

    fn signal(&mut self, name: &str) -> String {
        let id = format!("Signal_{name}");
        if !self.roots.iter().any(|r| matches!(r, RootElement::Signal(s) if s.common.id == id)) {
            let mut common = Common::new(id.clone());
            common.name = Some(name.into());
            self.roots.push(RootElement::Signal(Signal { common, structure_ref: None }));
        }
        id
    }

    fn error(&mut self, code: &str) -> String {
        let id = format!("Error_{code}");
        if !self.roots.iter().any(|r| matches!(r, RootElement::Error(e) if e.common.id == id)) {
            self.roots.push(RootElement::Error(ErrorDef {
                common: Common::new(id.clone()),
                error_code: Some(code.into()),
                structure_ref: None,
            }));
        }
        id
    }

    fn escalation(&mut self, code: &str) -> String {
        let id = format!("Escalation_{code}");
        if !self.roots.iter().any(|r| matches!(r, RootElement::Escalation(e) if e.common.id == id)) {
            self.roots.push(RootElement::Escalation(Escalation {
                common: Common::new(id.clone()),
                escalation_code: Some(code.into()),
                structure_ref: None,
            }));
        }
        id
    }
}

/// Multi-instance settings for [`ProcessBuilder::multi_instance`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MultiInstanceSpec<'a> {
    /// Sequential instead of parallel.
    pub sequential: bool,
    /// `=expression` giving the list.
    pub input_collection: Option<&'a str>,
    /// Variable name of each item.
    pub input_element: Option<&'a str>,
    /// Variable name of the collected output.
    pub output_collection: Option<&'a str>,
    /// `=expression` per instance.
    pub output_element: Option<&'a str>,
    /// `=expression` completion condition.
    pub completion_condition: Option<&'a str>,
}

/// Fills each node's `incoming` and `outgoing` with the ids of the flows of its scope that end
/// and start at it, in document order; sub-process bodies too.
fn link_flows(elements: &mut [FlowElement]) {
    let mut incoming: HashMap<String, Vec<String>> = HashMap::new();
    let mut outgoing: HashMap<String, Vec<String>> = HashMap::new();
    for element in elements.iter() {
        if let FlowElement::SequenceFlow(flow) = element {
            outgoing.entry(flow.source_ref.clone()).or_default().push(flow.common.id.clone());
            incoming.entry(flow.target_ref.clone()).or_default().push(flow.common.id.clone());
        }
    }
    for element in elements.iter_mut() {
        if let FlowElement::Node(node) = element {
            node.incoming = incoming.remove(&node.common.id).unwrap_or_default();
            node.outgoing = outgoing.remove(&node.common.id).unwrap_or_default();
            if let FlowNodeKind::SubProcess(sub) = &mut node.kind {
                link_flows(&mut sub.flow_elements);
            }
        }
    }
}

fn task_definition(job_type: &str) -> ExtensionElement {
    ExtensionElement::TaskDefinition(TaskDefinition { job_type: job_type.into(), ..TaskDefinition::default() })
}

fn timer(kind: TimerKind, value: &str) -> EventDefinitionKind {
    let expression = Some(Expression::formal(value));
    match kind {
        TimerKind::Duration => {
            EventDefinitionKind::Timer { time_date: None, time_duration: expression, time_cycle: None }
        }
        TimerKind::Date => EventDefinitionKind::Timer { time_date: expression, time_duration: None, time_cycle: None },
        TimerKind::Cycle => EventDefinitionKind::Timer { time_date: None, time_duration: None, time_cycle: expression },
    }
}

/// `start -> task (service, job_type) -> end` in process `id`.
pub fn service_task_process(id: &str, job_type: &str) -> Definitions {
    ProcessBuilder::new(id).start("start").service_task("task", job_type).end("end").build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(elements: &'a [FlowElement], id: &str) -> &'a FlowNode {
        elements
            .iter()
            .find_map(|e| match e {
                FlowElement::Node(n) if n.common.id == id => Some(n),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no node {id}"))
    }

    #[test]
    fn built_nodes_list_their_flows_inside_sub_processes_too() {
        let model = ProcessBuilder::new("p")
            .start("s")
            .event_gateway("gw")
            .timer_catch("a", TimerKind::Duration, "PT1M")
            .end("ea")
            .move_to("gw")
            .signal_catch("b", "go")
            .end("eb")
            .move_to("s")
            .sub_process("sub", |b| b.start("ss").end("se"))
            .build();
        let process = model.processes().next().expect("a process");
        let gateway = node(&process.flow_elements, "gw");
        assert_eq!(gateway.outgoing, ["gw-a", "gw-b"]);
        assert_eq!(gateway.incoming, ["s-gw"]);
        assert_eq!(node(&process.flow_elements, "s").outgoing, ["s-gw", "s-sub"]);
        let FlowNodeKind::SubProcess(sub) = &node(&process.flow_elements, "sub").kind else {
            panic!("not a sub-process")
        };
        assert_eq!(node(&sub.flow_elements, "ss").outgoing, ["ss-se"]);
        assert_eq!(node(&sub.flow_elements, "se").incoming, ["ss-se"]);
    }
}
