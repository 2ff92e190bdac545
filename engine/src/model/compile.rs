//! Compiles the typed BPMN model into [`ExecutableProcess`]es. Everything the engine cannot run
//! is refused here with a message naming the element id and kind; nothing is silently skipped.

use std::collections::HashMap;
use std::sync::Arc;

use bpmn::model::{
    self, Common, Definitions, EventDefinitionKind, EventKind, FlowElement, FlowNode, FlowNodeKind, GatewayKind,
    LoopCharacteristics, SubProcessKind, TaskKind,
};

use super::timer::{self, TimerKind, TimerSpec};
use super::{
    Assignment, CallSpec, Container, ElementType, ExecutableProcess, Flow, FlowIdx, JobSpec, Mapping, MappingSource,
    MessageSpec, MultiInstance, Node, NodeIdx, NodeKind, Retries, Throw, Trigger,
};
use crate::expression::{Expression, ValueOrExpression};

mod ad_hoc;

/// The executable processes of one resource, not yet versioned (key and version are 0).
#[derive(Debug)]
pub struct CompiledResource {
    /// One entry per executable process, in document order.
    pub processes: Vec<ExecutableProcess>,
}

/// Compiles every executable process of `definitions`. Non-executable processes are skipped.
/// Errors list every problem found, each naming the element.
pub fn compile_definitions(definitions: &Definitions, resource_name: &str) -> Result<CompiledResource, Vec<String>> {
    let executable: Vec<&model::Process> = definitions.processes().filter(|p| p.executable()).collect();
    if executable.is_empty() {
        return Err(vec![format!("'{resource_name}': Must contain at least one executable process")]);
    }
    let mut processes = Vec::new();
    let mut errors = Vec::new();
    for process in executable {
        let mut compiler =
            Compiler { definitions, resource_name, errors: Vec::new(), nodes: Vec::new(), flows: Vec::new() };
        match compiler.process(process) {
            Some(p) if compiler.errors.is_empty() => processes.push(p),
            _ => errors.append(&mut compiler.errors),
        }
    }
    if errors.is_empty() { Ok(CompiledResource { processes }) } else { Err(errors) }
}

/// A node collected in the first pass, with its model element and scope.
struct Collected<'a> {
    node: &'a FlowNode,
    scope: Option<NodeIdx>,
}

struct Compiler<'a> {
    definitions: &'a Definitions,
    resource_name: &'a str,
    errors: Vec<String>,
    nodes: Vec<Collected<'a>>,
    flows: Vec<(&'a model::SequenceFlow, NodeIdx)>,
}

impl<'a> Compiler<'a> {
    fn error(&mut self, common: &Common, kind: &str, message: impl std::fmt::Display) {
        let at = if common.location.is_known() { format!(" at {}", common.location) } else { String::new() };
        self.errors.push(format!("'{}'{at}: element '{}' ({kind}): {message}", self.resource_name, common.id));
    }

    fn collect(&mut self, elements: &'a [FlowElement], scope: NodeIdx) {
        for element in elements {
            match element {
                FlowElement::Node(node) => {
                    self.nodes.push(Collected { node, scope: Some(scope) });
                    // Node indexes are shifted by one: the process itself is node 0.
                    let idx = self.nodes.len() as NodeIdx;
                    if let FlowNodeKind::SubProcess(sub) = &node.kind {
                        self.collect(&sub.flow_elements, idx);
                    }
                }
                FlowElement::SequenceFlow(flow) => self.flows.push((flow, scope)),
                FlowElement::Other(_) => {}
            }
        }
    }

    fn process(&mut self, process: &'a model::Process) -> Option<ExecutableProcess> {
        self.collect(&process.flow_elements, 0);
        let index: HashMap<&str, NodeIdx> =
            self.nodes.iter().enumerate().map(|(i, c)| (c.node.id(), (i + 1) as NodeIdx)).collect();
        if index.len() != self.nodes.len() {
            let nodes = self.nodes.iter().map(|c| c.node).collect::<Vec<_>>();
            for (i, node) in nodes.iter().enumerate() {
                if nodes[..i].iter().any(|earlier| earlier.id() == node.id()) {
                    self.error(
                        &node.common,
                        node.element_name(),
                        "the element id is used more than once in the process",
                    );
                }
            }
            return None;
        }
        let mut flows = Vec::with_capacity(self.flows.len());
        let collected_flows = self.flows.clone();
        for (flow, _) in collected_flows {
            let (Some(&source), Some(&target)) =
                (index.get(flow.source_ref.as_str()), index.get(flow.target_ref.as_str()))
            else {
                self.error(
                    &flow.common,
                    "sequenceFlow",
                    format!("source '{}' or target '{}' does not exist", flow.source_ref, flow.target_ref),
                );
                continue;
            };
            let condition = match &flow.condition {
                Some(c) => self.expression(&flow.common, "sequenceFlow", &c.body),
                None => None,
            };
            flows.push(Flow { id: Arc::from(flow.common.id.as_str()), source, target, condition });
        }
        let mut nodes = Vec::with_capacity(self.nodes.len() + 1);
        nodes.push(Node::new(
            &process.common.id,
            ElementType::Process,
            NodeKind::Container(Container::default()),
            None,
        ));
        for i in 0..self.nodes.len() {
            let Collected { node, scope } = self.nodes[i];
            let (element_type, kind) = self.kind(node, &index)?;
            let mut compiled = Node::new(node.id(), element_type, kind, scope);
            self.mappings(node, &mut compiled);
            compiled.multi_instance = self.multi_instance(node);
            nodes.push(compiled);
        }
        for (idx, flow) in flows.iter().enumerate() {
            let idx = idx as FlowIdx;
            nodes[flow.source as usize].outgoing.push(idx);
            nodes[flow.target as usize].incoming.push(idx);
        }
        self.link_structure(&mut nodes, &flows);
        Some(ExecutableProcess {
            key: 0,
            bpmn_process_id: Arc::from(process.common.id.as_str()),
            version: 0,
            resource_name: Arc::from(self.resource_name),
            checksum: 0,
            resource: Arc::from(&[][..]),
            nodes,
            flows,
        })
    }

    /// Fills containers, boundaries, defaults and joins, and checks flow rules.
    fn link_structure(&mut self, nodes: &mut [Node], flows: &[Flow]) {
        for i in 1..nodes.len() {
            let idx = i as NodeIdx;
            let scope = nodes[i].scope.unwrap_or(0) as usize;
            let is_esp = matches!(nodes[i].kind, NodeKind::EventSubProcess { .. });
            let is_none_start = matches!(nodes[i].kind, NodeKind::Start(Trigger::None));
            let in_esp = matches!(nodes[scope].kind, NodeKind::EventSubProcess { .. });
            if let Some(container) = nodes[scope].container_mut() {
                container.children.push(idx);
                if is_esp {
                    container.event_sub_processes.push(idx);
                }
                if is_none_start && !in_esp {
                    container.none_start = Some(idx);
                }
            }
            if let NodeKind::Boundary { attached_to, .. } = nodes[i].kind {
                nodes[attached_to as usize].boundaries.push(idx);
            }
            let node = self.nodes[i - 1].node;
            if let Some(default) = node.default_flow() {
                match flows.iter().position(|f| &*f.id == default) {
                    Some(f) => nodes[i].default_flow = Some(f as FlowIdx),
                    None => self.error(
                        &node.common,
                        node.element_name(),
                        format!("default flow '{default}' does not exist"),
                    ),
                }
            }
            let gateway = matches!(nodes[i].kind, NodeKind::Exclusive | NodeKind::Inclusive);
            if !gateway && nodes[i].outgoing.iter().any(|&f| flows[f as usize].condition.is_some()) {
                self.error(
                    &node.common,
                    node.element_name(),
                    "conditions are only allowed on flows leaving exclusive or inclusive gateways",
                );
            }
            nodes[i].is_join =
                matches!(nodes[i].kind, NodeKind::Parallel | NodeKind::Inclusive) && nodes[i].incoming.len() > 1;
            if matches!(nodes[i].kind, NodeKind::EventBased) {
                let ok = nodes[i].outgoing.len() >= 2
                    && nodes[i].outgoing.iter().all(|&f| {
                        matches!(
                            nodes[flows[f as usize].target as usize].kind,
                            NodeKind::Catch(Trigger::Timer(_) | Trigger::Message(_) | Trigger::Signal(_))
                        )
                    });
                if !ok {
                    self.error(&node.common, "eventBasedGateway", "needs at least two outgoing flows, each to a timer, message or signal intermediate catch event");
                }
            }
        }
        for i in 1..nodes.len() {
            self.link_ad_hoc(nodes, i);
        }
        for (i, compiled) in nodes.iter_mut().enumerate().skip(1) {
            if let NodeKind::Container(c) = &compiled.kind
                && c.none_start.is_none()
            {
                let node = self.nodes[i - 1].node;
                self.error(&node.common, "subProcess", "an embedded sub-process needs a none start event");
            }
            if let NodeKind::EventSubProcess { container, start, interrupting } = &mut compiled.kind {
                let starts: Vec<NodeIdx> = container.children.iter().copied().filter(|&c| self.is_start(c)).collect();
                match starts.as_slice() {
                    [only] => *start = *only,
                    _ => {
                        let node = self.nodes[i - 1].node;
                        self.error(&node.common, "subProcess", "an event sub-process needs exactly one start event");
                    }
                }
                *interrupting = (*start as usize).checked_sub(1).and_then(|at| self.nodes.get(at)).is_some_and(|c| {
                    !matches!(c.node.event().map(|e| &e.kind), Some(EventKind::Start { is_interrupting: Some(false) }))
                });
            }
        }
    }

    fn is_start(&self, idx: NodeIdx) -> bool {
        self.nodes
            .get(idx as usize - 1)
            .is_some_and(|c| matches!(c.node.event().map(|e| &e.kind), Some(EventKind::Start { .. })))
    }

    fn expression(&mut self, common: &Common, kind: &str, text: &str) -> Option<Expression> {
        let body = text.trim().strip_prefix('=').unwrap_or(text.trim());
        match Expression::parse(body) {
            Ok(e) => Some(e),
            Err(message) => {
                self.error(common, kind, format!("invalid expression '{text}': {message}"));
                None
            }
        }
    }

    fn value(&mut self, common: &Common, kind: &str, text: &str) -> Option<ValueOrExpression> {
        match ValueOrExpression::parse(text) {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(common, kind, format!("invalid expression '{text}': {message}"));
                None
            }
        }
    }

    fn kind(&mut self, node: &'a FlowNode, index: &HashMap<&str, NodeIdx>) -> Option<(ElementType, NodeKind)> {
        let name = node.element_name();
        let common = &node.common;
        if let Some(listeners) = common.extensions().execution_listeners()
            && !listeners.listeners.is_empty()
        {
            self.error(common, name, "execution listeners are not supported by this engine");
        }
        if let Some(activity) = node.activity() {
            if matches!(activity.loop_characteristics, Some(LoopCharacteristics::Standard(_))) {
                self.error(common, name, "standard loop characteristics are not supported; use multi-instance");
            }
            if activity.is_for_compensation == Some(true) {
                self.error(common, name, "compensation handlers are not supported by this engine");
            }
        }
        Some(match &node.kind {
            FlowNodeKind::Event(event) => self.event(node, event, index)?,
            FlowNodeKind::Task(task) => self.task(node, &task.kind)?,
            FlowNodeKind::SubProcess(sub) => match sub.kind {
                SubProcessKind::Embedded if sub.is_event_sub_process() => (
                    ElementType::EventSubProcess,
                    NodeKind::EventSubProcess { container: Container::default(), start: 0, interrupting: true },
                ),
                SubProcessKind::Embedded => (ElementType::SubProcess, NodeKind::Container(Container::default())),
                SubProcessKind::AdHoc => self.ad_hoc(node, sub)?,
                SubProcessKind::Transaction => return self.unsupported(common, name),
            },
            FlowNodeKind::CallActivity(call) => {
                let called = common.extensions().called_element();
                let Some(process_id) = called.map(|c| c.process_id.as_str()).or(call.called_element.as_deref()) else {
                    self.error(common, name, "needs zeebe:calledElement with a processId");
                    return None;
                };
                let process_id = self.value(common, name, process_id)?;
                (
                    ElementType::CallActivity,
                    NodeKind::CallActivity(CallSpec {
                        process_id,
                        propagate_all_child: called.and_then(|c| c.propagate_all_child_variables).unwrap_or(true),
                        propagate_all_parent: called.and_then(|c| c.propagate_all_parent_variables).unwrap_or(true),
                    }),
                )
            }
            FlowNodeKind::Gateway(gateway) => match &gateway.kind {
                GatewayKind::Exclusive => (ElementType::ExclusiveGateway, NodeKind::Exclusive),
                GatewayKind::Parallel => (ElementType::ParallelGateway, NodeKind::Parallel),
                GatewayKind::Inclusive => (ElementType::InclusiveGateway, NodeKind::Inclusive),
                GatewayKind::EventBased { instantiate: Some(true), .. } => {
                    self.error(common, name, "instantiating event-based gateways are not supported");
                    return None;
                }
                GatewayKind::EventBased { .. } => (ElementType::EventBasedGateway, NodeKind::EventBased),
                GatewayKind::Complex { .. } => return self.unsupported(common, name),
            },
        })
    }

    fn unsupported<T>(&mut self, common: &Common, name: &str) -> Option<T> {
        self.error(
            common,
            name,
            "this element kind is not supported by the engine; remove it or model it with supported elements",
        );
        None
    }

    fn task(&mut self, node: &'a FlowNode, kind: &TaskKind) -> Option<(ElementType, NodeKind)> {
        let common = &node.common;
        let name = node.element_name();
        let ext = common.extensions();
        Some(match kind {
            TaskKind::Undefined => (ElementType::Task, NodeKind::PassThrough),
            TaskKind::Manual => (ElementType::ManualTask, NodeKind::PassThrough),
            TaskKind::Service => (ElementType::ServiceTask, NodeKind::Job(self.job(node, None)?)),
            TaskKind::Send { .. } => (ElementType::SendTask, NodeKind::Job(self.job(node, None)?)),
            TaskKind::Script { .. } => match ext.script() {
                Some(script) => {
                    let expression = self.expression(common, name, &script.expression)?;
                    let Some(result) = script.result_variable.as_deref() else {
                        self.error(common, name, "zeebe:script needs a resultVariable");
                        return None;
                    };
                    (ElementType::ScriptTask, NodeKind::Script { expression, result_variable: Arc::from(result) })
                }
                None => (ElementType::ScriptTask, NodeKind::Job(self.job(node, None)?)),
            },
            TaskKind::BusinessRule => match ext.called_decision() {
                Some(decision) => (
                    ElementType::BusinessRuleTask,
                    NodeKind::Decision { decision_id: Arc::from(decision.decision_id.as_str()) },
                ),
                None => (ElementType::BusinessRuleTask, NodeKind::Job(self.job(node, None)?)),
            },
            TaskKind::User => {
                let assignment = self.assignment(node)?;
                if ext.user_task().is_some() {
                    (ElementType::UserTask, NodeKind::UserTask(assignment))
                } else {
                    let spec = JobSpec {
                        job_type: ValueOrExpression::Static(Arc::from(crate::USER_TASK_JOB_TYPE)),
                        retries: Retries::Static(1),
                        headers: self.headers(node),
                        assignment: Some(assignment),
                        template: None,
                    };
                    (ElementType::UserTask, NodeKind::Job(spec))
                }
            }
            TaskKind::Receive { instantiate: Some(true), .. } => {
                self.error(common, name, "instantiating receive tasks are not supported; use a message start event");
                return None;
            }
            TaskKind::Receive { message_ref, .. } => {
                (ElementType::ReceiveTask, NodeKind::Receive(self.message(common, name, message_ref.as_deref(), true)?))
            }
        })
    }

    fn headers(&self, node: &FlowNode) -> Arc<[(String, String)]> {
        node.common
            .extensions()
            .task_headers()
            .map(|h| h.headers.iter().map(|h| (h.key.clone(), h.value.clone())).collect())
            .unwrap_or_else(|| Arc::from(Vec::new()))
    }

    fn job(&mut self, node: &FlowNode, assignment: Option<Assignment>) -> Option<JobSpec> {
        let name = node.element_name();
        let Some(definition) = node.common.extensions().task_definition() else {
            self.error(&node.common, name, "needs zeebe:taskDefinition with a job type");
            return None;
        };
        if definition.job_type.trim().is_empty() {
            self.error(&node.common, name, "zeebe:taskDefinition has an empty job type");
            return None;
        }
        let job_type = self.value(&node.common, name, &definition.job_type)?;
        let retries = match self.value(&node.common, name, definition.retries.as_deref().unwrap_or("3"))? {
            ValueOrExpression::Expression(e) => Retries::Expression(e),
            ValueOrExpression::Static(text) => match text.trim().parse::<i32>() {
                Ok(n) => Retries::Static(n),
                Err(_) => {
                    self.error(&node.common, name, format!("retries '{text}' is not a number"));
                    return None;
                }
            },
        };
        Some(JobSpec { job_type, retries, headers: self.headers(node), assignment, template: None })
    }

    fn assignment(&mut self, node: &FlowNode) -> Option<Assignment> {
        let ext = node.common.extensions();
        let mut assignment = Assignment::default();
        if let Some(a) = ext.assignment_definition() {
            let name = node.element_name();
            assignment.assignee = match &a.assignee {
                Some(v) => Some(self.value(&node.common, name, v)?),
                None => None,
            };
            assignment.candidate_groups = match &a.candidate_groups {
                Some(v) => Some(self.value(&node.common, name, v)?),
                None => None,
            };
            assignment.candidate_users = match &a.candidate_users {
                Some(v) => Some(self.value(&node.common, name, v)?),
                None => None,
            };
        }
        assignment.form_key = ext.form_definition().and_then(|f| f.form_key.as_deref()).map(Arc::from);
        Some(assignment)
    }

    fn message(
        &mut self,
        common: &Common,
        kind: &str,
        message_ref: Option<&str>,
        needs_key: bool,
    ) -> Option<MessageSpec> {
        let Some(message) = message_ref.and_then(|id| self.definitions.message(id)) else {
            self.error(
                common,
                kind,
                format!("references message '{}' which does not exist", message_ref.unwrap_or("")),
            );
            return None;
        };
        let Some(message_name) = message.common.name.as_deref() else {
            self.error(common, kind, format!("message '{}' has no name", message.common.id));
            return None;
        };
        let name = self.value(common, kind, message_name)?;
        let key = message.common.extensions().subscription().and_then(|s| s.correlation_key.as_deref());
        let correlation_key = match key {
            Some(k) => Some(self.expression(common, kind, k)?),
            None if needs_key => {
                self.error(
                    common,
                    kind,
                    format!("message '{}' needs a zeebe:subscription correlationKey", message.common.id),
                );
                return None;
            }
            None => None,
        };
        Some(MessageSpec { name, correlation_key })
    }

    fn event(
        &mut self,
        node: &'a FlowNode,
        event: &model::Event,
        index: &HashMap<&str, NodeIdx>,
    ) -> Option<(ElementType, NodeKind)> {
        let common = &node.common;
        let name = node.element_name();
        if event.definitions.len() > 1 {
            self.error(common, name, "multiple event definitions are not supported");
            return None;
        }
        let definition = event.definition().map(|d| &d.kind);
        Some(match &event.kind {
            EventKind::Start { .. } => (ElementType::StartEvent, NodeKind::Start(self.trigger(node, definition)?)),
            EventKind::IntermediateCatch => {
                if definition.is_none() {
                    self.error(common, name, "an intermediate catch event needs an event definition");
                    return None;
                }
                (ElementType::IntermediateCatchEvent, NodeKind::Catch(self.trigger(node, definition)?))
            }
            EventKind::Boundary { attached_to, cancel_activity } => {
                let Some(&attached) = index.get(attached_to.as_str()) else {
                    self.error(common, name, format!("is attached to '{attached_to}' which does not exist"));
                    return None;
                };
                let trigger = self.trigger(node, definition)?;
                if matches!(trigger, Trigger::None | Trigger::Link(_)) {
                    self.error(
                        common,
                        name,
                        "a boundary event needs a timer, message, signal, error or escalation definition",
                    );
                    return None;
                }
                let interrupting = cancel_activity.unwrap_or(true) || matches!(trigger, Trigger::Error(_));
                (ElementType::BoundaryEvent, NodeKind::Boundary { attached_to: attached, interrupting, trigger })
            }
            EventKind::End => (ElementType::EndEvent, NodeKind::End(self.throw(node, definition)?)),
            EventKind::IntermediateThrow => {
                let throw = self.throw(node, definition)?;
                if matches!(throw, Throw::Terminate | Throw::Error(_)) {
                    return self.unsupported(common, name);
                }
                (ElementType::IntermediateThrowEvent, NodeKind::Throw(throw))
            }
        })
    }

    fn trigger(&mut self, node: &FlowNode, definition: Option<&EventDefinitionKind>) -> Option<Trigger> {
        let common = &node.common;
        let name = node.element_name();
        let is_process_start = matches!(node.event().map(|e| &e.kind), Some(EventKind::Start { .. }));
        Some(match definition {
            None => Trigger::None,
            Some(EventDefinitionKind::Timer { time_date, time_duration, time_cycle }) => {
                let (kind, expression) = match (time_date, time_duration, time_cycle) {
                    (Some(e), None, None) => (TimerKind::Date, e),
                    (None, Some(e), None) => (TimerKind::Duration, e),
                    (None, None, Some(e)) => (TimerKind::Cycle, e),
                    _ => {
                        self.error(common, name, "a timer needs exactly one of timeDate, timeDuration, timeCycle");
                        return None;
                    }
                };
                let value = self.value(common, name, &expression.body)?;
                if let ValueOrExpression::Static(text) = &value
                    && let Err(message) = timer::schedule(kind, text, 0)
                {
                    self.error(common, name, message);
                    return None;
                }
                Trigger::Timer(TimerSpec { kind, value })
            }
            Some(EventDefinitionKind::Message { message_ref }) => {
                let needs_key = !(is_process_start && self.is_top_level_start(node));
                Trigger::Message(self.message(common, name, message_ref.as_deref(), needs_key)?)
            }
            Some(EventDefinitionKind::Signal { signal_ref }) => {
                let Some(signal) = signal_ref.as_deref().and_then(|id| self.definitions.signal(id)) else {
                    self.error(common, name, "references a signal that does not exist");
                    return None;
                };
                let signal_name = signal.common.name.clone().unwrap_or_default();
                Trigger::Signal(self.value(common, name, &signal_name)?)
            }
            Some(EventDefinitionKind::Error { error_ref }) => {
                let code = match error_ref.as_deref() {
                    None => None,
                    Some(id) => match self.definitions.error(id) {
                        Some(error) => error.error_code.as_deref().map(Arc::from),
                        None => {
                            self.error(common, name, format!("references error '{id}' which does not exist"));
                            return None;
                        }
                    },
                };
                Trigger::Error(code)
            }
            Some(EventDefinitionKind::Escalation { escalation_ref }) => {
                let code = escalation_ref
                    .as_deref()
                    .and_then(|id| self.definitions.escalation(id))
                    .and_then(|e| e.escalation_code.as_deref());
                Trigger::Escalation(code.map(Arc::from))
            }
            Some(EventDefinitionKind::Link { name: link }) => Trigger::Link(Arc::from(link.as_deref().unwrap_or(""))),
            Some(_) => return self.unsupported(common, name),
        })
    }

    /// True for a start event directly in the process (message start events need no key).
    fn is_top_level_start(&self, node: &FlowNode) -> bool {
        self.nodes.iter().any(|c| std::ptr::eq(c.node, node) && c.scope == Some(0))
            && matches!(node.event().map(|e| &e.kind), Some(EventKind::Start { .. }))
    }

    fn throw(&mut self, node: &FlowNode, definition: Option<&EventDefinitionKind>) -> Option<Throw> {
        let common = &node.common;
        let name = node.element_name();
        Some(match definition {
            None => Throw::None,
            Some(EventDefinitionKind::Terminate) => Throw::Terminate,
            Some(EventDefinitionKind::Error { error_ref }) => {
                let Some(code) =
                    error_ref.as_deref().and_then(|id| self.definitions.error(id)).and_then(|e| e.error_code.clone())
                else {
                    self.error(common, name, "an error throw event needs an error with an errorCode");
                    return None;
                };
                Throw::Error(self.value(common, name, &code)?)
            }
            Some(EventDefinitionKind::Escalation { escalation_ref }) => {
                let Some(code) = escalation_ref
                    .as_deref()
                    .and_then(|id| self.definitions.escalation(id))
                    .and_then(|e| e.escalation_code.clone())
                else {
                    self.error(common, name, "an escalation throw event needs an escalation with an escalationCode");
                    return None;
                };
                Throw::Escalation(self.value(common, name, &code)?)
            }
            Some(EventDefinitionKind::Signal { signal_ref }) => {
                let Some(signal) = signal_ref.as_deref().and_then(|id| self.definitions.signal(id)) else {
                    self.error(common, name, "references a signal that does not exist");
                    return None;
                };
                Throw::Signal(self.value(common, name, signal.common.name.as_deref().unwrap_or(""))?)
            }
            Some(EventDefinitionKind::Message { .. }) => Throw::Job(Box::new(self.job(node, None)?)),
            Some(EventDefinitionKind::Link { name: link }) => {
                let link = link.as_deref().unwrap_or("");
                let scope = self.nodes.iter().find(|c| std::ptr::eq(c.node, node)).and_then(|c| c.scope);
                let target = self.nodes.iter().position(|c| {
                    c.scope == scope
                        && matches!(c.node.event(), Some(e) if e.kind == EventKind::IntermediateCatch
                            && matches!(e.definition().map(|d| &d.kind), Some(EventDefinitionKind::Link { name: Some(n) }) if n == link))
                });
                match target {
                    Some(t) => Throw::Link((t + 1) as NodeIdx),
                    None => {
                        self.error(common, name, format!("no link catch event named '{link}' in the same scope"));
                        return None;
                    }
                }
            }
            Some(_) => return self.unsupported(common, name),
        })
    }

    fn mappings(&mut self, node: &FlowNode, compiled: &mut Node) {
        let Some(io) = node.common.extensions().io_mapping() else { return };
        let name = node.element_name();
        for (mappings, is_input) in [(&io.inputs, true), (&io.outputs, false)] {
            for mapping in mappings {
                let source = match mapping.source.as_deref().map(str::trim) {
                    None | Some("") => MappingSource::Null,
                    Some(text) => match text.strip_prefix('=') {
                        Some(_) => match self.expression(&node.common, name, text) {
                            Some(e) => MappingSource::Expression(e),
                            None => continue,
                        },
                        None if is_input => MappingSource::Static(serde_json::Value::String(text.to_string())),
                        None => match self.expression(&node.common, name, text) {
                            Some(e) => MappingSource::Expression(e),
                            None => continue,
                        },
                    },
                };
                let target: Vec<Arc<str>> = mapping.target.split('.').map(|p| Arc::from(p.trim())).collect();
                if target.iter().any(|p| p.is_empty()) {
                    self.error(&node.common, name, format!("invalid mapping target '{}'", mapping.target));
                    continue;
                }
                let entry = Mapping { source, target };
                if is_input { compiled.inputs.push(entry) } else { compiled.outputs.push(entry) }
            }
        }
    }

    fn multi_instance(&mut self, node: &FlowNode) -> Option<Box<MultiInstance>> {
        let Some(LoopCharacteristics::MultiInstance(mi)) =
            node.activity().and_then(|a| a.loop_characteristics.as_ref())
        else {
            return None;
        };
        let name = node.element_name();
        let zeebe = mi.extension_elements.as_ref().and_then(|e| e.loop_characteristics());
        let input_collection =
            zeebe.and_then(|z| z.input_collection.as_deref()).and_then(|t| self.expression(&node.common, name, t));
        let cardinality = mi.loop_cardinality.as_ref().and_then(|c| self.expression(&node.common, name, &c.body));
        if input_collection.is_none() && cardinality.is_none() {
            self.error(
                &node.common,
                name,
                "multi-instance needs an inputCollection (zeebe:loopCharacteristics) or a loopCardinality",
            );
            return None;
        }
        Some(Box::new(MultiInstance {
            sequential: mi.sequential(),
            input_collection,
            cardinality,
            input_element: zeebe.and_then(|z| z.input_element.as_deref()).map(Arc::from),
            output_collection: zeebe.and_then(|z| z.output_collection.as_deref()).map(Arc::from),
            output_element: zeebe
                .and_then(|z| z.output_element.as_deref())
                .and_then(|t| self.expression(&node.common, name, t)),
            completion_condition: mi
                .completion_condition
                .as_ref()
                .and_then(|c| self.expression(&node.common, name, &c.body)),
        }))
    }
}

impl Node {
    fn new(id: &str, element_type: ElementType, kind: NodeKind, scope: Option<NodeIdx>) -> Self {
        Node {
            id: Arc::from(id),
            element_type,
            kind,
            scope,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            default_flow: None,
            inputs: Vec::new(),
            outputs: Vec::new(),
            boundaries: Vec::new(),
            multi_instance: None,
            is_join: false,
        }
    }

    fn container_mut(&mut self) -> Option<&mut Container> {
        match &mut self.kind {
            NodeKind::Container(c) | NodeKind::EventSubProcess { container: c, .. } => Some(c),
            NodeKind::AdHoc(ad_hoc) => Some(&mut ad_hoc.container),
            _ => None,
        }
    }
}
