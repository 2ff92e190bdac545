//! Writes flow elements: nodes, sequence flows, event definitions, expressions, loops, and the
//! parts every base element shares.

use super::kept::KeptChildren;
use super::out::XmlOut;
use super::zeebe::write_extension_elements;
use crate::model::{
    Activity, Common, Documentation, Event, EventDefinition, EventDefinitionKind, EventKind, Expression, FlowElement,
    FlowNode, FlowNodeKind, GatewayKind, LoopCharacteristics, MultiInstance, SequenceFlow, TaskKind,
};
use crate::ns;
use crate::schema_order::rank;

/// Opens a BPMN element with the canonical prefix.
pub(crate) fn start_bpmn(out: &mut XmlOut, local: &str) {
    out.start(Some(ns::BPMN), Some("bpmn"), local, &[], false);
}

/// Writes `id` and `name`.
pub(crate) fn write_id_name(out: &mut XmlOut, common: &Common) {
    out.attr("id", &common.id);
    out.opt_attr("name", common.name.as_deref());
}

/// Writes documentation and extension elements, with the kept children that precede them.
pub(crate) fn write_common_children(out: &mut XmlOut, common: &Common, kept: &mut KeptChildren<'_>) {
    write_documentation(out, &common.documentation, kept);
    kept.up_to(out, rank::EXTENSION_ELEMENTS);
    write_extension_elements(out, common.extension_elements.as_ref());
}

/// Writes documentation elements, with the kept children that precede them.
pub(crate) fn write_documentation(out: &mut XmlOut, documentation: &[Documentation], kept: &mut KeptChildren<'_>) {
    kept.up_to(out, rank::DOCUMENTATION);
    for doc in documentation {
        out.start(Some(ns::BPMN), Some("bpmn"), "documentation", &[], true);
        out.opt_attr("textFormat", doc.text_format.as_deref());
        out.attributes(&doc.extras.attributes);
        if !doc.text.is_empty() {
            out.text(&doc.text);
        }
        for child in &doc.extras.children {
            out.raw(child);
        }
        out.end();
    }
}

/// Writes an expression element.
pub(crate) fn write_expression(out: &mut XmlOut, local: &str, expression: &Expression) {
    out.start(Some(ns::BPMN), Some("bpmn"), local, &[], true);
    if let Some(xsi_type) = &expression.xsi_type {
        out.ns_attr(ns::XSI, Some("xsi"), "type", xsi_type);
    }
    out.opt_attr("language", expression.language.as_deref());
    out.attributes(&expression.extras.attributes);
    if !expression.body.is_empty() {
        out.text(&expression.body);
    }
    for child in &expression.extras.children {
        out.raw(child);
    }
    out.end();
}

/// Writes the flow elements of a process or sub-process in their order.
pub(crate) fn write_flow_elements(out: &mut XmlOut, elements: &[FlowElement]) {
    for element in elements {
        match element {
            FlowElement::Node(node) => write_node(out, node),
            FlowElement::SequenceFlow(flow) => write_sequence_flow(out, flow),
            FlowElement::Other(raw) => out.raw(raw),
        }
    }
}

fn write_sequence_flow(out: &mut XmlOut, flow: &SequenceFlow) {
    start_bpmn(out, "sequenceFlow");
    write_id_name(out, &flow.common);
    out.attr("sourceRef", &flow.source_ref);
    out.attr("targetRef", &flow.target_ref);
    out.bool_attr("isImmediate", flow.is_immediate);
    out.attributes(&flow.common.extras.attributes);
    let mut kept = KeptChildren::new(&flow.common.extras.children);
    write_common_children(out, &flow.common, &mut kept);
    if let Some(condition) = &flow.condition {
        kept.up_to(out, rank::BODY);
        write_expression(out, "conditionExpression", condition);
    }
    kept.rest(out);
    out.end();
}

fn write_node(out: &mut XmlOut, node: &FlowNode) {
    start_bpmn(out, node.element_name());
    write_id_name(out, &node.common);
    write_node_attributes(out, &node.kind);
    out.attributes(&node.common.extras.attributes);
    let mut kept = KeptChildren::new(&node.common.extras.children);
    write_common_children(out, &node.common, &mut kept);
    kept.up_to(out, rank::INCOMING);
    for incoming in &node.incoming {
        out.text_element(ns::BPMN, "incoming", incoming);
    }
    kept.up_to(out, rank::OUTGOING);
    for outgoing in &node.outgoing {
        out.text_element(ns::BPMN, "outgoing", outgoing);
    }
    if let Some(activity) = node.activity() {
        kept.up_to(out, rank::LOOP_CHARACTERISTICS);
        write_loop_characteristics(out, activity);
    }
    match &node.kind {
        FlowNodeKind::Event(event) => {
            kept.up_to(out, rank::EVENT_DEFINITION);
            for definition in &event.definitions {
                write_event_definition(out, definition);
            }
        }
        FlowNodeKind::Task(task) => {
            if let TaskKind::Script { script: Some(script), .. } = &task.kind {
                kept.up_to(out, rank::BODY);
                out.text_element(ns::BPMN, "script", script);
            }
        }
        FlowNodeKind::SubProcess(sub) => {
            kept.up_to(out, rank::LANE_SET);
            for lane_set in &sub.lane_sets {
                out.raw(lane_set);
            }
            kept.up_to(out, rank::FLOW_ELEMENTS);
            write_flow_elements(out, &sub.flow_elements);
            if let Some(condition) = &sub.completion_condition {
                kept.up_to(out, rank::FLOW_ELEMENTS + 1);
                write_expression(out, "completionCondition", condition);
            }
        }
        FlowNodeKind::Gateway(gateway) => {
            if let GatewayKind::Complex { activation_condition: Some(condition) } = &gateway.kind {
                kept.up_to(out, rank::BODY);
                write_expression(out, "activationCondition", condition);
            }
        }
        FlowNodeKind::CallActivity(_) => {}
    }
    kept.rest(out);
    out.end();
}

fn write_node_attributes(out: &mut XmlOut, kind: &FlowNodeKind) {
    match kind {
        FlowNodeKind::Event(event) => write_event_attributes(out, event),
        FlowNodeKind::Task(task) => {
            match &task.kind {
                TaskKind::Send { message_ref } => out.opt_attr("messageRef", message_ref.as_deref()),
                TaskKind::Receive { message_ref, instantiate } => {
                    out.opt_attr("messageRef", message_ref.as_deref());
                    out.bool_attr("instantiate", *instantiate);
                }
                TaskKind::Script { script_format, .. } => out.opt_attr("scriptFormat", script_format.as_deref()),
                _ => {}
            }
            write_activity_attributes(out, &task.activity);
        }
        FlowNodeKind::SubProcess(sub) => {
            out.bool_attr("triggeredByEvent", sub.triggered_by_event);
            write_activity_attributes(out, &sub.activity);
            out.bool_attr("cancelRemainingInstances", sub.cancel_remaining_instances);
        }
        FlowNodeKind::CallActivity(call) => {
            out.opt_attr("calledElement", call.called_element.as_deref());
            write_activity_attributes(out, &call.activity);
        }
        FlowNodeKind::Gateway(gateway) => {
            out.opt_attr("default", gateway.default_flow.as_deref());
            out.opt_attr("gatewayDirection", gateway.direction.as_deref());
            if let GatewayKind::EventBased { instantiate, event_gateway_type } = &gateway.kind {
                out.bool_attr("instantiate", *instantiate);
                out.opt_attr("eventGatewayType", event_gateway_type.as_deref());
            }
        }
    }
}

fn write_event_attributes(out: &mut XmlOut, event: &Event) {
    match &event.kind {
        EventKind::Start { is_interrupting } => out.bool_attr("isInterrupting", *is_interrupting),
        EventKind::Boundary { attached_to, cancel_activity } => {
            out.attr("attachedToRef", attached_to);
            out.bool_attr("cancelActivity", *cancel_activity);
        }
        EventKind::End | EventKind::IntermediateCatch | EventKind::IntermediateThrow => {}
    }
    out.bool_attr("parallelMultiple", event.parallel_multiple);
}

fn write_activity_attributes(out: &mut XmlOut, activity: &Activity) {
    out.opt_attr("default", activity.default_flow.as_deref());
    out.bool_attr("isForCompensation", activity.is_for_compensation);
}

fn write_loop_characteristics(out: &mut XmlOut, activity: &Activity) {
    match &activity.loop_characteristics {
        Some(LoopCharacteristics::MultiInstance(multi)) => write_multi_instance(out, multi),
        Some(LoopCharacteristics::Standard(raw)) => out.raw(raw),
        None => {}
    }
}

fn write_multi_instance(out: &mut XmlOut, multi: &MultiInstance) {
    start_bpmn(out, "multiInstanceLoopCharacteristics");
    out.opt_attr("id", multi.id.as_deref());
    out.bool_attr("isSequential", multi.is_sequential);
    out.attributes(&multi.extras.attributes);
    let mut kept = KeptChildren::new(&multi.extras.children);
    kept.up_to(out, rank::EXTENSION_ELEMENTS);
    write_extension_elements(out, multi.extension_elements.as_ref());
    if let Some(cardinality) = &multi.loop_cardinality {
        kept.up_to(out, rank::LOOP_CARDINALITY);
        write_expression(out, "loopCardinality", cardinality);
    }
    if let Some(condition) = &multi.completion_condition {
        kept.up_to(out, rank::COMPLETION_CONDITION);
        write_expression(out, "completionCondition", condition);
    }
    kept.rest(out);
    out.end();
}

fn write_event_definition(out: &mut XmlOut, definition: &EventDefinition) {
    let (local, refs): (&str, Vec<(&str, Option<&str>)>) = match &definition.kind {
        EventDefinitionKind::Message { message_ref } => {
            ("messageEventDefinition", vec![("messageRef", message_ref.as_deref())])
        }
        EventDefinitionKind::Timer { .. } => ("timerEventDefinition", vec![]),
        EventDefinitionKind::Error { error_ref } => ("errorEventDefinition", vec![("errorRef", error_ref.as_deref())]),
        EventDefinitionKind::Escalation { escalation_ref } => {
            ("escalationEventDefinition", vec![("escalationRef", escalation_ref.as_deref())])
        }
        EventDefinitionKind::Signal { signal_ref } => {
            ("signalEventDefinition", vec![("signalRef", signal_ref.as_deref())])
        }
        EventDefinitionKind::Terminate => ("terminateEventDefinition", vec![]),
        EventDefinitionKind::Link { name } => ("linkEventDefinition", vec![("name", name.as_deref())]),
        EventDefinitionKind::Compensate { activity_ref, .. } => {
            ("compensateEventDefinition", vec![("activityRef", activity_ref.as_deref())])
        }
        EventDefinitionKind::Conditional { .. } => ("conditionalEventDefinition", vec![]),
        EventDefinitionKind::Cancel => ("cancelEventDefinition", vec![]),
    };
    start_bpmn(out, local);
    out.opt_attr("id", definition.id.as_deref());
    for (name, value) in refs {
        out.opt_attr(name, value);
    }
    if let EventDefinitionKind::Compensate { wait_for_completion, .. } = &definition.kind {
        out.bool_attr("waitForCompletion", *wait_for_completion);
    }
    out.attributes(&definition.extras.attributes);
    let mut kept = KeptChildren::new(&definition.extras.children);
    kept.up_to(out, rank::BODY);
    match &definition.kind {
        EventDefinitionKind::Timer { time_date, time_duration, time_cycle } => {
            let timers = [("timeDate", time_date), ("timeDuration", time_duration), ("timeCycle", time_cycle)];
            for (local, expression) in timers {
                if let Some(expression) = expression {
                    write_expression(out, local, expression);
                }
            }
        }
        EventDefinitionKind::Conditional { condition: Some(condition) } => {
            write_expression(out, "condition", condition);
        }
        _ => {}
    }
    kept.rest(out);
    out.end();
}
