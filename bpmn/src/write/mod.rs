//! The BPMN XML writer: [`Definitions`] in, a UTF-8 XML document out.
//!
//! - Deterministic: the same model always gives byte-identical output, indented by two spaces,
//!   starting with `<?xml version="1.0" encoding="UTF-8"?>`.
//! - BPMN elements get the canonical prefixes of [`crate::ns::CANONICAL`], all declared on the
//!   root. The source root's other declarations ([`Definitions::namespace_declarations`],
//!   including a default namespace) are declared there too, so QName values in kept content
//!   still resolve. Kept elements use their source prefix when it is bound to their namespace,
//!   else a canonical or generated one, and re-declare their own declarations.
//! - Execution platform: a model that declares no `modeler:executionPlatform` is stamped with
//!   [`crate::TARGET_PLATFORM`] and (unless it declares one) [`crate::TARGET_PLATFORM_VERSION`],
//!   the target the project compiles for and lints against; a declared platform and version are
//!   written as they are.
//! - Children of typed elements follow the BPMN XSD sequence; kept BPMN children go to their XSD
//!   place, other kept children after the typed ones; process and sub-process content keeps its
//!   order.
//! - Escaping: `&`, `<`, `>` in text; in attributes also `"`, newline, tab (as character
//!   references, so values survive attribute normalization). Non-ASCII is written as UTF-8, and
//!   text such as embedded JSON is written exactly as the model holds it.

mod di;
mod flow;
mod kept;
mod out;
mod zeebe;

use flow::{start_bpmn, write_common_children, write_documentation, write_flow_elements, write_id_name};
use kept::KeptChildren;
use out::XmlOut;
use zeebe::write_extension_elements;

use crate::model::{Collaboration, Common, Definitions, Lane, LaneSet, Process, RootElement};
use crate::ns;
use crate::schema_order::rank;

/// Writes a model as a BPMN XML document.
pub fn write(definitions: &Definitions) -> String {
    let mut out = XmlOut::new();
    let mut declarations: Vec<(Option<String>, String)> =
        ns::CANONICAL.iter().map(|(p, u)| (Some((*p).to_owned()), (*u).to_owned())).collect();
    for (prefix, uri) in &definitions.namespace_declarations {
        if !declarations.iter().any(|(p, _)| p == prefix) {
            declarations.push((prefix.clone(), uri.clone()));
        }
    }
    out.start(Some(ns::BPMN), Some("bpmn"), "definitions", &declarations, false);
    out.opt_attr("id", definitions.id.as_deref());
    out.opt_attr("name", definitions.name.as_deref());
    if !definitions.target_namespace.is_empty() {
        out.attr("targetNamespace", &definitions.target_namespace);
    }
    out.opt_attr("exporter", definitions.exporter.as_deref());
    out.opt_attr("exporterVersion", definitions.exporter_version.as_deref());
    let (platform, version) = match &definitions.execution_platform {
        Some(platform) => (platform.as_str(), definitions.execution_platform_version.as_deref()),
        None => (
            crate::TARGET_PLATFORM,
            Some(definitions.execution_platform_version.as_deref().unwrap_or(crate::TARGET_PLATFORM_VERSION)),
        ),
    };
    out.ns_attr(ns::MODELER, Some("modeler"), "executionPlatform", platform);
    if let Some(version) = version {
        out.ns_attr(ns::MODELER, Some("modeler"), "executionPlatformVersion", version);
    }
    out.attributes(&definitions.extras.attributes);
    let mut kept = KeptChildren::new(&definitions.extras.children);
    write_documentation(&mut out, &definitions.documentation, &mut kept);
    kept.up_to(&mut out, rank::EXTENSION_ELEMENTS);
    write_extension_elements(&mut out, definitions.extension_elements.as_ref());
    kept.up_to(&mut out, rank::ROOT_ELEMENTS);
    for root in &definitions.root_elements {
        write_root_element(&mut out, root);
    }
    kept.up_to(&mut out, rank::DIAGRAMS);
    for diagram in &definitions.diagrams {
        di::write_diagram(&mut out, diagram);
    }
    kept.rest(&mut out);
    out.end();
    out.finish()
}

fn write_root_element(out: &mut XmlOut, root: &RootElement) {
    match root {
        RootElement::Process(process) => write_process(out, process),
        RootElement::Collaboration(collaboration) => write_collaboration(out, collaboration),
        RootElement::Message(message) => {
            write_simple(out, "message", &message.common, &[("itemRef", message.item_ref.as_deref())]);
        }
        RootElement::Error(error) => write_simple(
            out,
            "error",
            &error.common,
            &[("errorCode", error.error_code.as_deref()), ("structureRef", error.structure_ref.as_deref())],
        ),
        RootElement::Escalation(escalation) => write_simple(
            out,
            "escalation",
            &escalation.common,
            &[
                ("escalationCode", escalation.escalation_code.as_deref()),
                ("structureRef", escalation.structure_ref.as_deref()),
            ],
        ),
        RootElement::Signal(signal) => {
            write_simple(out, "signal", &signal.common, &[("structureRef", signal.structure_ref.as_deref())]);
        }
        RootElement::Other(raw) => out.raw(raw),
    }
}

/// Writes an element that has only common content besides the given attributes.
fn write_simple(out: &mut XmlOut, local: &str, common: &Common, attributes: &[(&str, Option<&str>)]) {
    start_bpmn(out, local);
    write_id_name(out, common);
    for (name, value) in attributes {
        out.opt_attr(name, *value);
    }
    out.attributes(&common.extras.attributes);
    let mut kept = KeptChildren::new(&common.extras.children);
    write_common_children(out, common, &mut kept);
    kept.rest(out);
    out.end();
}

fn write_process(out: &mut XmlOut, process: &Process) {
    start_bpmn(out, "process");
    write_id_name(out, &process.common);
    out.opt_attr("processType", process.process_type.as_deref());
    out.bool_attr("isExecutable", process.is_executable);
    out.attributes(&process.common.extras.attributes);
    let mut kept = KeptChildren::new(&process.common.extras.children);
    write_common_children(out, &process.common, &mut kept);
    kept.up_to(out, rank::LANE_SET);
    for lane_set in &process.lane_sets {
        write_lane_set(out, "laneSet", lane_set);
    }
    kept.up_to(out, rank::FLOW_ELEMENTS);
    write_flow_elements(out, &process.flow_elements);
    kept.rest(out);
    out.end();
}

fn write_lane_set(out: &mut XmlOut, local: &str, lane_set: &LaneSet) {
    start_bpmn(out, local);
    out.opt_attr("id", lane_set.id.as_deref());
    out.opt_attr("name", lane_set.name.as_deref());
    out.attributes(&lane_set.extras.attributes);
    let mut kept = KeptChildren::new(&lane_set.extras.children);
    kept.up_to(out, rank::FLOW_ELEMENTS);
    for lane in &lane_set.lanes {
        write_lane(out, lane);
    }
    kept.rest(out);
    out.end();
}

fn write_lane(out: &mut XmlOut, lane: &Lane) {
    start_bpmn(out, "lane");
    write_id_name(out, &lane.common);
    out.attributes(&lane.common.extras.attributes);
    let mut kept = KeptChildren::new(&lane.common.extras.children);
    write_common_children(out, &lane.common, &mut kept);
    kept.up_to(out, rank::FLOW_NODE_REF);
    for reference in &lane.flow_node_refs {
        out.text_element(ns::BPMN, "flowNodeRef", reference);
    }
    if let Some(child) = &lane.child_lane_set {
        kept.up_to(out, rank::CHILD_LANE_SET);
        write_lane_set(out, "childLaneSet", child);
    }
    kept.rest(out);
    out.end();
}

fn write_collaboration(out: &mut XmlOut, collaboration: &Collaboration) {
    start_bpmn(out, "collaboration");
    write_id_name(out, &collaboration.common);
    out.bool_attr("isClosed", collaboration.is_closed);
    out.attributes(&collaboration.common.extras.attributes);
    let mut kept = KeptChildren::new(&collaboration.common.extras.children);
    write_common_children(out, &collaboration.common, &mut kept);
    kept.up_to(out, rank::PARTICIPANT);
    for participant in &collaboration.participants {
        write_simple(out, "participant", &participant.common, &[("processRef", participant.process_ref.as_deref())]);
    }
    kept.up_to(out, rank::MESSAGE_FLOW);
    for flow in &collaboration.message_flows {
        let attributes = [
            ("sourceRef", Some(flow.source_ref.as_str())),
            ("targetRef", Some(flow.target_ref.as_str())),
            ("messageRef", flow.message_ref.as_deref()),
        ];
        write_simple(out, "messageFlow", &flow.common, &attributes);
    }
    kept.up_to(out, rank::COLLABORATION_OTHER);
    for other in &collaboration.other {
        out.raw(other);
    }
    kept.rest(out);
    out.end();
}
