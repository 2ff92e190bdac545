//! Typed reading of `bpmn:extensionElements` and the Zeebe extension elements.
//!
//! A Zeebe element that lacks an attribute its typed form needs (a draft task definition without
//! a job type, say) is kept verbatim as [`ExtensionElement::Other`] rather than rejected, so a
//! half-finished model still reads and writes back unchanged. A malformed value (a boolean that
//! is not one) is an error.

use super::error::ReadError;
use super::parts::{Parts, in_namespace};
use crate::model::zeebe::{
    AssignmentDefinition, CalledDecision, CalledElement, ExecutionListener, ExecutionListeners, FormDefinition, Header,
    IoMapping, Mapping, Properties, Property, Script, Subscription, TaskDefinition, TaskHeaders, TaskSchedule,
    UserTaskForm, UserTaskMarker, VersionTag, ZeebeAdHoc, ZeebeLoopCharacteristics,
};
use crate::model::{ExtensionElement, ExtensionElements, Extras, XmlElement};
use crate::ns;

/// Reads a `bpmn:extensionElements` element.
pub(crate) fn read_extension_elements(element: XmlElement) -> Result<ExtensionElements, ReadError> {
    let mut parts = Parts::new(element);
    let mut items = Vec::new();
    for child in parts.take_children() {
        items.push(read_extension_element(child)?);
    }
    Ok(ExtensionElements { items, extras: parts.into_extras(Vec::new()) })
}

fn read_extension_element(element: XmlElement) -> Result<ExtensionElement, ReadError> {
    let Some(local) = in_namespace(&element, ns::ZEEBE) else { return Ok(ExtensionElement::Other(element)) };
    let local = local.to_owned();
    let kept = element.clone();
    let typed = read_zeebe(&local, Parts::new(element))?;
    Ok(typed.unwrap_or(ExtensionElement::Other(kept)))
}

/// The typed form of a Zeebe element, `None` when a needed attribute is missing or the element
/// is one the model does not type.
fn read_zeebe(local: &str, mut p: Parts) -> Result<Option<ExtensionElement>, ReadError> {
    let location = p.location;
    let element = match local {
        "taskDefinition" => {
            let Some(job_type) = p.attr("type") else { return Ok(None) };
            let retries = p.attr("retries");
            let extras = unknown_children(p);
            ExtensionElement::TaskDefinition(TaskDefinition { job_type, retries, extras, location })
        }
        "taskHeaders" => {
            let mut headers = Vec::new();
            let mut unknown = Vec::new();
            for child in p.take_children() {
                if in_namespace(&child, ns::ZEEBE) != Some("header") {
                    unknown.push(child);
                    continue;
                }
                let mut h = Parts::new(child);
                let (Some(key), Some(value)) = (h.attr("key"), h.attr("value")) else { return Ok(None) };
                headers.push(Header { key, value, extras: unknown_children(h) });
            }
            ExtensionElement::TaskHeaders(TaskHeaders { headers, extras: p.into_extras(unknown), location })
        }
        "ioMapping" => {
            let mut mapping = IoMapping { location, ..IoMapping::default() };
            let mut unknown = Vec::new();
            for child in p.take_children() {
                let list = match in_namespace(&child, ns::ZEEBE) {
                    Some("input") => &mut mapping.inputs,
                    Some("output") => &mut mapping.outputs,
                    _ => {
                        unknown.push(child);
                        continue;
                    }
                };
                let mut m = Parts::new(child);
                let child_location = m.location;
                let Some(target) = m.attr("target") else { return Ok(None) };
                let source = m.attr("source");
                list.push(Mapping { source, target, extras: unknown_children(m), location: child_location });
            }
            mapping.extras = p.into_extras(unknown);
            ExtensionElement::IoMapping(mapping)
        }
        "subscription" => {
            let correlation_key = p.attr("correlationKey");
            ExtensionElement::Subscription(Subscription { correlation_key, extras: unknown_children(p), location })
        }
        "calledElement" => {
            let Some(process_id) = p.attr("processId") else { return Ok(None) };
            ExtensionElement::CalledElement(CalledElement {
                process_id,
                propagate_all_child_variables: p.bool_attr("propagateAllChildVariables")?,
                propagate_all_parent_variables: p.bool_attr("propagateAllParentVariables")?,
                binding_type: p.attr("bindingType"),
                version_tag: p.attr("versionTag"),
                extras: unknown_children(p),
                location,
            })
        }
        "loopCharacteristics" => ExtensionElement::LoopCharacteristics(ZeebeLoopCharacteristics {
            input_collection: p.attr("inputCollection"),
            input_element: p.attr("inputElement"),
            output_collection: p.attr("outputCollection"),
            output_element: p.attr("outputElement"),
            extras: unknown_children(p),
            location,
        }),
        "adHoc" => ExtensionElement::AdHoc(ZeebeAdHoc {
            active_elements_collection: p.attr("activeElementsCollection"),
            output_collection: p.attr("outputCollection"),
            output_element: p.attr("outputElement"),
            extras: unknown_children(p),
            location,
        }),
        "assignmentDefinition" => ExtensionElement::AssignmentDefinition(AssignmentDefinition {
            assignee: p.attr("assignee"),
            candidate_groups: p.attr("candidateGroups"),
            candidate_users: p.attr("candidateUsers"),
            extras: unknown_children(p),
            location,
        }),
        "taskSchedule" => ExtensionElement::TaskSchedule(TaskSchedule {
            due_date: p.attr("dueDate"),
            follow_up_date: p.attr("followUpDate"),
            extras: unknown_children(p),
            location,
        }),
        "userTask" => ExtensionElement::UserTask(UserTaskMarker { extras: unknown_children(p), location }),
        "formDefinition" => ExtensionElement::FormDefinition(FormDefinition {
            form_key: p.attr("formKey"),
            form_id: p.attr("formId"),
            external_reference: p.attr("externalReference"),
            binding_type: p.attr("bindingType"),
            version_tag: p.attr("versionTag"),
            extras: unknown_children(p),
            location,
        }),
        "userTaskForm" => {
            let Some(id) = p.attr("id") else { return Ok(None) };
            let body = p.text();
            ExtensionElement::UserTaskForm(UserTaskForm { id, body, extras: unknown_children(p), location })
        }
        "script" => {
            let Some(expression) = p.attr("expression") else { return Ok(None) };
            let result_variable = p.attr("resultVariable");
            ExtensionElement::Script(Script { expression, result_variable, extras: unknown_children(p), location })
        }
        "calledDecision" => {
            let Some(decision_id) = p.attr("decisionId") else { return Ok(None) };
            ExtensionElement::CalledDecision(CalledDecision {
                decision_id,
                result_variable: p.attr("resultVariable"),
                binding_type: p.attr("bindingType"),
                version_tag: p.attr("versionTag"),
                extras: unknown_children(p),
                location,
            })
        }
        "properties" => {
            let mut properties = Vec::new();
            let mut unknown = Vec::new();
            for child in p.take_children() {
                if in_namespace(&child, ns::ZEEBE) != Some("property") {
                    unknown.push(child);
                    continue;
                }
                let mut q = Parts::new(child);
                let (Some(name), Some(value)) = (q.attr("name"), q.attr("value")) else { return Ok(None) };
                properties.push(Property { name, value, extras: unknown_children(q) });
            }
            ExtensionElement::Properties(Properties { properties, extras: p.into_extras(unknown), location })
        }
        "executionListeners" => {
            let mut listeners = Vec::new();
            let mut unknown = Vec::new();
            for child in p.take_children() {
                if in_namespace(&child, ns::ZEEBE) != Some("executionListener") {
                    unknown.push(child);
                    continue;
                }
                let mut l = Parts::new(child);
                let (Some(event_type), Some(job_type)) = (l.attr("eventType"), l.attr("type")) else {
                    return Ok(None);
                };
                let retries = l.attr("retries");
                listeners.push(ExecutionListener { event_type, job_type, retries, extras: unknown_children(l) });
            }
            ExtensionElement::ExecutionListeners(ExecutionListeners {
                listeners,
                extras: p.into_extras(unknown),
                location,
            })
        }
        "versionTag" => {
            let Some(value) = p.attr("value") else { return Ok(None) };
            ExtensionElement::VersionTag(VersionTag { value, extras: unknown_children(p), location })
        }
        _ => return Ok(None),
    };
    Ok(Some(element))
}

/// The remaining attributes and all child elements of `parts` as extras.
fn unknown_children(mut parts: Parts) -> Extras {
    let children = parts.take_children().collect();
    parts.into_extras(children)
}
