//! Typed reading of the document root and the root elements: definitions, processes, lanes,
//! collaborations, messages, errors, escalations and signals.

use super::di::{DiReader, read_diagram};
use super::error::ReadError;
use super::flow::{ContainerContent, common_of, read_common_child, read_documentation, reference_text};
use super::parts::{Parts, bpmn_local, in_namespace};
use super::standard_size::StandardSizes;
use super::warning::ReadWarning;
use super::zeebe::read_extension_elements;
use crate::model::{
    Collaboration, Common, Definitions, ErrorDef, Escalation, Lane, LaneSet, Message, MessageFlow, Participant,
    Process, RootElement, Signal, XmlElement,
};
use crate::ns;
use crate::schema_order::kept_child_rank;

/// Reads the root element into [`Definitions`], noting what was repaired in `warnings`.
pub(crate) fn read_definitions(
    mut root: XmlElement,
    warnings: &mut Vec<ReadWarning>,
) -> Result<Definitions, ReadError> {
    check_root(&root)?;
    let namespace_declarations = std::mem::take(&mut root.namespace_declarations)
        .into_iter()
        .filter(|(prefix, _)| !prefix.as_deref().is_some_and(|p| ns::CANONICAL.iter().any(|(c, _)| *c == p)))
        .collect();
    let mut parts = Parts::new(root);
    let mut definitions = Definitions {
        id: parts.attr("id"),
        name: parts.attr("name"),
        target_namespace: parts.attr("targetNamespace").unwrap_or_default(),
        exporter: parts.attr("exporter"),
        exporter_version: parts.attr("exporterVersion"),
        execution_platform: parts.attr_ns(ns::MODELER, "executionPlatform"),
        execution_platform_version: parts.attr_ns(ns::MODELER, "executionPlatformVersion"),
        namespace_declarations,
        location: parts.location,
        ..Definitions::default()
    };
    let (diagrams, semantic): (Vec<_>, Vec<_>) =
        parts.take_children().partition(|child| in_namespace(child, ns::BPMNDI) == Some("BPMNDiagram"));
    let mut di = DiReader { sizes: StandardSizes::new(&semantic), warnings };
    definitions.diagrams =
        diagrams.into_iter().map(|diagram| read_diagram(diagram, &mut di)).collect::<Result<_, _>>()?;
    let mut unknown = Vec::new();
    for child in semantic {
        match bpmn_local(&child) {
            Some("documentation") => definitions.documentation.push(read_documentation(child)),
            Some("extensionElements") if definitions.extension_elements.is_none() => {
                definitions.extension_elements = Some(read_extension_elements(child)?);
            }
            Some(local) if kept_child_rank(local).is_none() => {
                definitions.root_elements.push(read_root_element(child)?);
            }
            _ => unknown.push(child),
        }
    }
    definitions.extras = parts.into_extras(unknown);
    Ok(definitions)
}

fn check_root(root: &XmlElement) -> Result<(), ReadError> {
    let name = &root.name;
    if name.local != "definitions" {
        return Err(ReadError::at(
            root.location,
            format!(
                "the root element is <{}>, not <definitions>; a BPMN 2.0 file starts with \
                 <bpmn:definitions xmlns:bpmn=\"{}\">",
                name.local,
                ns::BPMN
            ),
        ));
    }
    if name.namespace.as_deref() != Some(ns::BPMN) {
        let found = name.namespace.as_deref().unwrap_or("no namespace");
        return Err(ReadError::at(
            root.location,
            format!(
                "<definitions> is in {found}, not in the BPMN 2.0 namespace; declare \
                 xmlns:bpmn=\"{}\" and write <bpmn:definitions>",
                ns::BPMN
            ),
        ));
    }
    Ok(())
}

fn read_root_element(element: XmlElement) -> Result<RootElement, ReadError> {
    let Some(local) = bpmn_local(&element) else { return Ok(RootElement::Other(element)) };
    Ok(match local {
        "process" => RootElement::Process(read_process(element)?),
        "collaboration" => RootElement::Collaboration(read_collaboration(element)?),
        "message" => {
            let (common, mut p) = simple(element)?;
            let item_ref = p.attr("itemRef");
            RootElement::Message(Message { common: finish(common, p)?, item_ref })
        }
        "error" => {
            let (common, mut p) = simple(element)?;
            let error_code = p.attr("errorCode");
            let structure_ref = p.attr("structureRef");
            RootElement::Error(ErrorDef { common: finish(common, p)?, error_code, structure_ref })
        }
        "escalation" => {
            let (common, mut p) = simple(element)?;
            let escalation_code = p.attr("escalationCode");
            let structure_ref = p.attr("structureRef");
            RootElement::Escalation(Escalation { common: finish(common, p)?, escalation_code, structure_ref })
        }
        "signal" => {
            let (common, mut p) = simple(element)?;
            let structure_ref = p.attr("structureRef");
            RootElement::Signal(Signal { common: finish(common, p)?, structure_ref })
        }
        _ => RootElement::Other(element),
    })
}

/// Starts reading an element that has only common content besides its attributes.
fn simple(element: XmlElement) -> Result<(Common, Parts), ReadError> {
    let mut parts = Parts::new(element);
    let common = common_of(&mut parts)?;
    Ok((common, parts))
}

/// Reads the children of an element that has only common content, and its extras.
fn finish(mut common: Common, mut parts: Parts) -> Result<Common, ReadError> {
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if let Some(child) = read_common_child(&mut common, child)? {
            unknown.push(child);
        }
    }
    common.extras = parts.into_extras(unknown);
    Ok(common)
}

fn read_process(element: XmlElement) -> Result<Process, ReadError> {
    let mut parts = Parts::new(element);
    let mut common = common_of(&mut parts)?;
    let is_executable = parts.bool_attr("isExecutable")?;
    let process_type = parts.attr("processType");
    let children = parts.take_children();
    let mut content = ContainerContent::with_capacity(children.size_hint().1.unwrap_or_default());
    for child in children {
        if let Some(child) = read_common_child(&mut common, child)? {
            content.add(child)?;
        }
    }
    let lane_sets = content.lane_sets.into_iter().map(read_lane_set).collect::<Result<_, _>>()?;
    common.extras = parts.into_extras(content.unknown);
    Ok(Process { common, is_executable, process_type, lane_sets, flow_elements: content.flow_elements })
}

fn read_lane_set(element: XmlElement) -> Result<LaneSet, ReadError> {
    let mut parts = Parts::new(element);
    let mut lane_set = LaneSet { id: parts.attr("id"), name: parts.attr("name"), ..LaneSet::default() };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        if bpmn_local(&child) == Some("lane") {
            lane_set.lanes.push(read_lane(child)?);
        } else {
            unknown.push(child);
        }
    }
    lane_set.extras = parts.into_extras(unknown);
    Ok(lane_set)
}

fn read_lane(element: XmlElement) -> Result<Lane, ReadError> {
    let mut parts = Parts::new(element);
    let mut lane = Lane { common: common_of(&mut parts)?, ..Lane::default() };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        let Some(child) = read_common_child(&mut lane.common, child)? else { continue };
        match bpmn_local(&child) {
            Some("flowNodeRef") => lane.flow_node_refs.push(reference_text(child)),
            Some("childLaneSet") if lane.child_lane_set.is_none() => {
                lane.child_lane_set = Some(read_lane_set(child)?);
            }
            _ => unknown.push(child),
        }
    }
    lane.common.extras = parts.into_extras(unknown);
    Ok(lane)
}

fn read_collaboration(element: XmlElement) -> Result<Collaboration, ReadError> {
    let mut parts = Parts::new(element);
    let mut collaboration = Collaboration {
        common: common_of(&mut parts)?,
        is_closed: parts.bool_attr("isClosed")?,
        ..Collaboration::default()
    };
    let mut unknown = Vec::new();
    for child in parts.take_children() {
        let Some(child) = read_common_child(&mut collaboration.common, child)? else { continue };
        match bpmn_local(&child) {
            Some("participant") => {
                let (common, mut p) = simple(child)?;
                let process_ref = p.attr("processRef");
                collaboration.participants.push(Participant { common: finish(common, p)?, process_ref });
            }
            Some("messageFlow")
                if child.attribute(None, "sourceRef").is_some() && child.attribute(None, "targetRef").is_some() =>
            {
                let (common, mut p) = simple(child)?;
                let source_ref = p.required("sourceRef")?;
                let target_ref = p.required("targetRef")?;
                let message_ref = p.attr("messageRef");
                let common = finish(common, p)?;
                collaboration.message_flows.push(MessageFlow { common, source_ref, target_ref, message_ref });
            }
            Some(_) => collaboration.other.push(child),
            None => unknown.push(child),
        }
    }
    collaboration.common.extras = parts.into_extras(unknown);
    Ok(collaboration)
}
