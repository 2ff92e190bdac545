//! Typed reading of flow elements: nodes, sequence flows, event definitions, expressions and
//! loop characteristics, and the content of processes and sub-processes.

use super::error::ReadError;
use super::parts::{Parts, bpmn_local};
use super::zeebe::read_extension_elements;
use crate::model::{
    Activity, CallActivity, Common, Documentation, Event, EventDefinition, EventDefinitionKind, EventKind, Expression,
    FlowElement, FlowNode, FlowNodeKind, Gateway, GatewayKind, LoopCharacteristics, MultiInstance, SequenceFlow,
    SubProcess, SubProcessKind, Task, TaskKind, XmlElement,
};
use crate::ns;
use crate::schema_order::kept_child_rank;

/// Reads `documentation` and `extensionElements` into `common`; gives back any other child.
pub(crate) fn read_common_child(common: &mut Common, child: XmlElement) -> Result<Option<XmlElement>, ReadError> {
    match bpmn_local(&child) {
        Some("documentation") => common.documentation.push(read_documentation(child)),
        Some("extensionElements") if common.extension_elements.is_none() => {
            common.extension_elements = Some(read_extension_elements(child)?);
        }
        _ => return Ok(Some(child)),
    }
    Ok(None)
}

/// Starts a [`Common`] from an element's id and name.
pub(crate) fn common_of(parts: &mut Parts) -> Result<Common, ReadError> {
    Ok(Common { id: parts.required_id()?, name: parts.attr("name"), location: parts.location, ..Common::default() })
}

/// Reads a `bpmn:documentation` element.
pub(crate) fn read_documentation(element: XmlElement) -> Documentation {
    let mut parts = Parts::new(element);
    let text = parts.text();
    let text_format = parts.attr("textFormat");
    let children = parts.take_children().collect();
    Documentation { text, text_format, extras: parts.into_extras(children) }
}

/// Reads an expression element (`conditionExpression`, `timeDuration`, ...).
pub(crate) fn read_expression(element: XmlElement) -> Expression {
    let mut parts = Parts::new(element);
    let body = parts.text();
    let language = parts.attr("language");
    let xsi_type = parts.attr_ns(ns::XSI, "type");
    let children = parts.take_children().collect();
    Expression { body, language, xsi_type, extras: parts.into_extras(children) }
}

/// The trimmed text of a reference element such as `incoming` or `flowNodeRef`.
pub(crate) fn reference_text(element: XmlElement) -> String {
    Parts::new(element).text().trim().to_owned()
}

/// The content of a process or sub-process: lane sets, flow elements, and kept children.
#[derive(Default)]
pub(crate) struct ContainerContent {
    /// `laneSet` children, raw.
    pub(crate) lane_sets: Vec<XmlElement>,
    /// Flow elements and artifacts in source order.
    pub(crate) flow_elements: Vec<FlowElement>,
    /// Children that are neither (kept in extras).
    pub(crate) unknown: Vec<XmlElement>,
}

impl ContainerContent {
    /// Room for up to `children` flow elements, so that large processes do not grow the list by
    /// copying.
    pub(crate) fn with_capacity(children: usize) -> Self {
        Self { flow_elements: Vec::with_capacity(children), ..Self::default() }
    }

    /// Sorts one child of a process or sub-process into lane sets, flow elements or unknown.
    pub(crate) fn add(&mut self, child: XmlElement) -> Result<(), ReadError> {
        match bpmn_local(&child) {
            Some("laneSet") => self.lane_sets.push(child),
            Some(local) if kept_child_rank(local).is_none() => self.flow_elements.push(read_flow_element(child)?),
            _ => self.unknown.push(child),
        }
        Ok(())
    }
}

/// Reads one BPMN flow element; anything the model does not type is kept verbatim.
pub(crate) fn read_flow_element(element: XmlElement) -> Result<FlowElement, ReadError> {
    let Some(local) = bpmn_local(&element) else { return Ok(FlowElement::Other(element)) };
    if local == "sequenceFlow" {
        if element.attribute(None, "sourceRef").is_none() || element.attribute(None, "targetRef").is_none() {
            // A flow that connects nothing (some tools leave such drafts behind) is kept as written.
            return Ok(FlowElement::Other(element));
        }
        return Ok(FlowElement::SequenceFlow(read_sequence_flow(element)?));
    }
    match NodeFamily::of(local) {
        Some(family) => Ok(FlowElement::Node(read_node(element, family)?)),
        None => Ok(FlowElement::Other(element)),
    }
}

fn read_sequence_flow(element: XmlElement) -> Result<SequenceFlow, ReadError> {
    let mut parts = Parts::new(element);
    let mut common = common_of(&mut parts)?;
    let source_ref = parts.required("sourceRef")?;
    let target_ref = parts.required("targetRef")?;
    let is_immediate = parts.bool_attr("isImmediate")?;
    let mut condition = None;
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        let Some(child) = read_common_child(&mut common, child)? else { continue };
        match bpmn_local(&child) {
            Some("conditionExpression") if condition.is_none() => condition = Some(read_expression(child)),
            _ => unknown.push(child),
        }
    }
    common.extras = parts.into_extras(unknown);
    Ok(SequenceFlow { common, source_ref, target_ref, condition, is_immediate })
}

/// What sort of node an element name is, which decides the attributes and children it takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NodeFamily {
    Event,
    Task,
    SubProcess,
    CallActivity,
    Gateway,
}

impl NodeFamily {
    fn of(local: &str) -> Option<Self> {
        Some(match local {
            "startEvent" | "endEvent" | "intermediateCatchEvent" | "intermediateThrowEvent" | "boundaryEvent" => {
                Self::Event
            }
            "task" | "serviceTask" | "sendTask" | "receiveTask" | "userTask" | "manualTask" | "scriptTask"
            | "businessRuleTask" => Self::Task,
            "subProcess" | "adHocSubProcess" | "transaction" => Self::SubProcess,
            "callActivity" => Self::CallActivity,
            "exclusiveGateway" | "inclusiveGateway" | "parallelGateway" | "eventBasedGateway" | "complexGateway" => {
                Self::Gateway
            }
            _ => return None,
        })
    }

    fn is_activity(self) -> bool {
        matches!(self, Self::Task | Self::SubProcess | Self::CallActivity)
    }
}

/// Children a node takes besides the common ones and incoming/outgoing.
#[derive(Default)]
struct NodeChildren {
    definitions: Vec<EventDefinition>,
    loop_characteristics: Option<LoopCharacteristics>,
    script: Option<String>,
    activation_condition: Option<Expression>,
    completion_condition: Option<Expression>,
    content: ContainerContent,
}

fn read_node(element: XmlElement, family: NodeFamily) -> Result<FlowNode, ReadError> {
    let local = element.name.local.clone();
    let mut parts = Parts::new(element);
    let mut common = common_of(&mut parts)?;
    let activity = if family.is_activity() {
        Activity {
            default_flow: parts.attr("default"),
            is_for_compensation: parts.bool_attr("isForCompensation")?,
            loop_characteristics: None,
        }
    } else {
        Activity::default()
    };
    let mut kind = read_node_attributes(&local, family, activity, &mut parts)?;
    let mut incoming = Vec::new();
    let mut outgoing = Vec::new();
    let children = parts.take_children();
    let mut taken = NodeChildren::default();
    if family == NodeFamily::SubProcess {
        taken.content = ContainerContent::with_capacity(children.size_hint().1.unwrap_or_default());
    }
    let mut unknown = Vec::new();
    for child in children {
        let Some(child) = read_common_child(&mut common, child)? else { continue };
        let Some(child_local) = bpmn_local(&child) else {
            unknown.push(child);
            continue;
        };
        match child_local {
            "incoming" => incoming.push(reference_text(child)),
            "outgoing" => outgoing.push(reference_text(child)),
            l if family == NodeFamily::Event && is_event_definition(l) => {
                taken.definitions.push(read_event_definition(child)?);
            }
            "multiInstanceLoopCharacteristics" if family.is_activity() && taken.loop_characteristics.is_none() => {
                taken.loop_characteristics = Some(LoopCharacteristics::MultiInstance(read_multi_instance(child)?));
            }
            "standardLoopCharacteristics" if family.is_activity() && taken.loop_characteristics.is_none() => {
                taken.loop_characteristics = Some(LoopCharacteristics::Standard(child));
            }
            "script" if local == "scriptTask" && taken.script.is_none() => {
                taken.script = Some(Parts::new(child).text());
            }
            "activationCondition" if local == "complexGateway" && taken.activation_condition.is_none() => {
                taken.activation_condition = Some(read_expression(child));
            }
            "completionCondition" if local == "adHocSubProcess" && taken.completion_condition.is_none() => {
                taken.completion_condition = Some(read_expression(child));
            }
            _ if family == NodeFamily::SubProcess => taken.content.add(child)?,
            _ => unknown.push(child),
        }
    }
    unknown.append(&mut taken.content.unknown);
    fill_node_children(&mut kind, taken);
    common.extras = parts.into_extras(unknown);
    Ok(FlowNode { common, incoming, outgoing, kind })
}

/// Puts the children a node took into its kind.
fn fill_node_children(kind: &mut FlowNodeKind, taken: NodeChildren) {
    match kind {
        FlowNodeKind::Event(event) => event.definitions = taken.definitions,
        FlowNodeKind::Task(task) => {
            task.activity.loop_characteristics = taken.loop_characteristics;
            if let TaskKind::Script { script, .. } = &mut task.kind {
                *script = taken.script;
            }
        }
        FlowNodeKind::SubProcess(sub) => {
            sub.activity.loop_characteristics = taken.loop_characteristics;
            sub.lane_sets = taken.content.lane_sets;
            sub.flow_elements = taken.content.flow_elements;
            sub.completion_condition = taken.completion_condition;
        }
        FlowNodeKind::CallActivity(call) => call.activity.loop_characteristics = taken.loop_characteristics,
        FlowNodeKind::Gateway(gateway) => {
            if let GatewayKind::Complex { activation_condition } = &mut gateway.kind {
                *activation_condition = taken.activation_condition;
            }
        }
    }
}

/// Takes the kind-specific attributes of a node.
fn read_node_attributes(
    local: &str,
    family: NodeFamily,
    activity: Activity,
    parts: &mut Parts,
) -> Result<FlowNodeKind, ReadError> {
    Ok(match family {
        NodeFamily::Event => {
            let kind = match local {
                "startEvent" => EventKind::Start { is_interrupting: parts.bool_attr("isInterrupting")? },
                "endEvent" => EventKind::End,
                "intermediateCatchEvent" => EventKind::IntermediateCatch,
                "intermediateThrowEvent" => EventKind::IntermediateThrow,
                _ => EventKind::Boundary {
                    attached_to: parts.required("attachedToRef")?,
                    cancel_activity: parts.bool_attr("cancelActivity")?,
                },
            };
            let parallel_multiple = parts.bool_attr("parallelMultiple")?;
            FlowNodeKind::Event(Event { kind, definitions: Vec::new(), parallel_multiple })
        }
        NodeFamily::Task => {
            let kind = match local {
                "serviceTask" => TaskKind::Service,
                "sendTask" => TaskKind::Send { message_ref: parts.attr("messageRef") },
                "receiveTask" => TaskKind::Receive {
                    message_ref: parts.attr("messageRef"),
                    instantiate: parts.bool_attr("instantiate")?,
                },
                "userTask" => TaskKind::User,
                "manualTask" => TaskKind::Manual,
                "scriptTask" => TaskKind::Script { script_format: parts.attr("scriptFormat"), script: None },
                "businessRuleTask" => TaskKind::BusinessRule,
                _ => TaskKind::Undefined,
            };
            FlowNodeKind::Task(Task { kind, activity })
        }
        NodeFamily::SubProcess => {
            let kind = match local {
                "adHocSubProcess" => SubProcessKind::AdHoc,
                "transaction" => SubProcessKind::Transaction,
                _ => SubProcessKind::Embedded,
            };
            let triggered_by_event = parts.bool_attr("triggeredByEvent")?;
            let cancel_remaining_instances =
                if kind == SubProcessKind::AdHoc { parts.bool_attr("cancelRemainingInstances")? } else { None };
            FlowNodeKind::SubProcess(SubProcess {
                activity,
                triggered_by_event,
                cancel_remaining_instances,
                ..SubProcess::new(kind)
            })
        }
        NodeFamily::CallActivity => {
            FlowNodeKind::CallActivity(CallActivity { activity, called_element: parts.attr("calledElement") })
        }
        NodeFamily::Gateway => {
            let kind = match local {
                "inclusiveGateway" => GatewayKind::Inclusive,
                "parallelGateway" => GatewayKind::Parallel,
                "eventBasedGateway" => GatewayKind::EventBased {
                    instantiate: parts.bool_attr("instantiate")?,
                    event_gateway_type: parts.attr("eventGatewayType"),
                },
                "complexGateway" => GatewayKind::Complex { activation_condition: None },
                _ => GatewayKind::Exclusive,
            };
            FlowNodeKind::Gateway(Gateway {
                kind,
                default_flow: parts.attr("default"),
                direction: parts.attr("gatewayDirection"),
            })
        }
    })
}

fn is_event_definition(local: &str) -> bool {
    matches!(
        local,
        "messageEventDefinition"
            | "timerEventDefinition"
            | "errorEventDefinition"
            | "escalationEventDefinition"
            | "signalEventDefinition"
            | "terminateEventDefinition"
            | "linkEventDefinition"
            | "compensateEventDefinition"
            | "conditionalEventDefinition"
            | "cancelEventDefinition"
    )
}

fn read_event_definition(element: XmlElement) -> Result<EventDefinition, ReadError> {
    let local = element.name.local.clone();
    let mut parts = Parts::new(element);
    let location = parts.location;
    let id = parts.attr("id");
    let mut kind = match local.as_str() {
        "messageEventDefinition" => EventDefinitionKind::Message { message_ref: parts.attr("messageRef") },
        "timerEventDefinition" => EventDefinitionKind::Timer { time_date: None, time_duration: None, time_cycle: None },
        "errorEventDefinition" => EventDefinitionKind::Error { error_ref: parts.attr("errorRef") },
        "escalationEventDefinition" => EventDefinitionKind::Escalation { escalation_ref: parts.attr("escalationRef") },
        "signalEventDefinition" => EventDefinitionKind::Signal { signal_ref: parts.attr("signalRef") },
        "terminateEventDefinition" => EventDefinitionKind::Terminate,
        "linkEventDefinition" => EventDefinitionKind::Link { name: parts.attr("name") },
        "compensateEventDefinition" => EventDefinitionKind::Compensate {
            activity_ref: parts.attr("activityRef"),
            wait_for_completion: parts.bool_attr("waitForCompletion")?,
        },
        "conditionalEventDefinition" => EventDefinitionKind::Conditional { condition: None },
        _ => EventDefinitionKind::Cancel,
    };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        let slot = match (&mut kind, bpmn_local(&child)) {
            (EventDefinitionKind::Timer { time_date, .. }, Some("timeDate")) => time_date,
            (EventDefinitionKind::Timer { time_duration, .. }, Some("timeDuration")) => time_duration,
            (EventDefinitionKind::Timer { time_cycle, .. }, Some("timeCycle")) => time_cycle,
            (EventDefinitionKind::Conditional { condition }, Some("condition")) => condition,
            _ => {
                unknown.push(child);
                continue;
            }
        };
        if slot.is_some() {
            unknown.push(child);
        } else {
            *slot = Some(read_expression(child));
        }
    }
    Ok(EventDefinition { id, kind, extras: parts.into_extras(unknown), location })
}

fn read_multi_instance(element: XmlElement) -> Result<MultiInstance, ReadError> {
    let mut parts = Parts::new(element);
    let mut multi = MultiInstance {
        is_sequential: parts.bool_attr("isSequential")?,
        id: parts.attr("id"),
        ..MultiInstance::default()
    };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        match bpmn_local(&child) {
            Some("loopCardinality") if multi.loop_cardinality.is_none() => {
                multi.loop_cardinality = Some(read_expression(child));
            }
            Some("completionCondition") if multi.completion_condition.is_none() => {
                multi.completion_condition = Some(read_expression(child));
            }
            Some("extensionElements") if multi.extension_elements.is_none() => {
                multi.extension_elements = Some(read_extension_elements(child)?);
            }
            _ => unknown.push(child),
        }
    }
    multi.extras = parts.into_extras(unknown);
    Ok(multi)
}
