//! Writes `bpmn:extensionElements` and the typed Zeebe extension elements.

use super::out::XmlOut;
use crate::model::zeebe::{ExtensionElement, ExtensionElements};
use crate::model::{Extras, XmlElement};
use crate::ns;

/// Writes an extension elements block (nothing when it is absent).
pub(crate) fn write_extension_elements(out: &mut XmlOut, extensions: Option<&ExtensionElements>) {
    let Some(extensions) = extensions else { return };
    out.start(Some(ns::BPMN), Some("bpmn"), "extensionElements", &[], false);
    out.attributes(&extensions.extras.attributes);
    for item in &extensions.items {
        write_item(out, item);
    }
    raw_children(out, &extensions.extras.children);
    out.end();
}

fn start(out: &mut XmlOut, local: &str) {
    out.start(Some(ns::ZEEBE), Some("zeebe"), local, &[], false);
}

fn raw_children(out: &mut XmlOut, children: &[XmlElement]) {
    for child in children {
        out.raw(child);
    }
}

/// Writes the kept attributes, the kept children, and closes the element.
fn finish(out: &mut XmlOut, extras: &Extras) {
    raw_children(out, &extras.children);
    out.end();
}

fn write_item(out: &mut XmlOut, item: &ExtensionElement) {
    match item {
        ExtensionElement::TaskDefinition(t) => {
            start(out, "taskDefinition");
            out.attr("type", &t.job_type);
            out.opt_attr("retries", t.retries.as_deref());
            out.attributes(&t.extras.attributes);
            finish(out, &t.extras);
        }
        ExtensionElement::TaskHeaders(t) => {
            start(out, "taskHeaders");
            out.attributes(&t.extras.attributes);
            for header in &t.headers {
                start(out, "header");
                out.attr("key", &header.key);
                out.attr("value", &header.value);
                out.attributes(&header.extras.attributes);
                finish(out, &header.extras);
            }
            finish(out, &t.extras);
        }
        ExtensionElement::IoMapping(m) => {
            start(out, "ioMapping");
            out.attributes(&m.extras.attributes);
            for (local, list) in [("input", &m.inputs), ("output", &m.outputs)] {
                for mapping in list {
                    start(out, local);
                    out.opt_attr("source", mapping.source.as_deref());
                    out.attr("target", &mapping.target);
                    out.attributes(&mapping.extras.attributes);
                    finish(out, &mapping.extras);
                }
            }
            finish(out, &m.extras);
        }
        ExtensionElement::Subscription(s) => {
            start(out, "subscription");
            out.opt_attr("correlationKey", s.correlation_key.as_deref());
            out.attributes(&s.extras.attributes);
            finish(out, &s.extras);
        }
        ExtensionElement::CalledElement(c) => {
            start(out, "calledElement");
            out.attr("processId", &c.process_id);
            out.bool_attr("propagateAllChildVariables", c.propagate_all_child_variables);
            out.bool_attr("propagateAllParentVariables", c.propagate_all_parent_variables);
            out.opt_attr("bindingType", c.binding_type.as_deref());
            out.opt_attr("versionTag", c.version_tag.as_deref());
            out.attributes(&c.extras.attributes);
            finish(out, &c.extras);
        }
        ExtensionElement::LoopCharacteristics(l) => {
            start(out, "loopCharacteristics");
            out.opt_attr("inputCollection", l.input_collection.as_deref());
            out.opt_attr("inputElement", l.input_element.as_deref());
            out.opt_attr("outputCollection", l.output_collection.as_deref());
            out.opt_attr("outputElement", l.output_element.as_deref());
            out.attributes(&l.extras.attributes);
            finish(out, &l.extras);
        }
        ExtensionElement::AdHoc(a) => {
            start(out, "adHoc");
            out.opt_attr("activeElementsCollection", a.active_elements_collection.as_deref());
            out.opt_attr("outputCollection", a.output_collection.as_deref());
            out.opt_attr("outputElement", a.output_element.as_deref());
            out.attributes(&a.extras.attributes);
            finish(out, &a.extras);
        }
        ExtensionElement::AssignmentDefinition(a) => {
            start(out, "assignmentDefinition");
            out.opt_attr("assignee", a.assignee.as_deref());
            out.opt_attr("candidateGroups", a.candidate_groups.as_deref());
            out.opt_attr("candidateUsers", a.candidate_users.as_deref());
            out.attributes(&a.extras.attributes);
            finish(out, &a.extras);
        }
        ExtensionElement::TaskSchedule(t) => {
            start(out, "taskSchedule");
            out.opt_attr("dueDate", t.due_date.as_deref());
            out.opt_attr("followUpDate", t.follow_up_date.as_deref());
            out.attributes(&t.extras.attributes);
            finish(out, &t.extras);
        }
        ExtensionElement::UserTask(u) => {
            start(out, "userTask");
            out.attributes(&u.extras.attributes);
            finish(out, &u.extras);
        }
        ExtensionElement::FormDefinition(f) => {
            start(out, "formDefinition");
            out.opt_attr("formKey", f.form_key.as_deref());
            out.opt_attr("formId", f.form_id.as_deref());
            out.opt_attr("externalReference", f.external_reference.as_deref());
            out.opt_attr("bindingType", f.binding_type.as_deref());
            out.opt_attr("versionTag", f.version_tag.as_deref());
            out.attributes(&f.extras.attributes);
            finish(out, &f.extras);
        }
        ExtensionElement::UserTaskForm(f) => {
            out.start(Some(ns::ZEEBE), Some("zeebe"), "userTaskForm", &[], true);
            out.attr("id", &f.id);
            out.attributes(&f.extras.attributes);
            if !f.body.is_empty() {
                out.text(&f.body);
            }
            finish(out, &f.extras);
        }
        ExtensionElement::Script(s) => {
            start(out, "script");
            out.attr("expression", &s.expression);
            out.opt_attr("resultVariable", s.result_variable.as_deref());
            out.attributes(&s.extras.attributes);
            finish(out, &s.extras);
        }
        ExtensionElement::CalledDecision(c) => {
            start(out, "calledDecision");
            out.attr("decisionId", &c.decision_id);
            out.opt_attr("resultVariable", c.result_variable.as_deref());
            out.opt_attr("bindingType", c.binding_type.as_deref());
            out.opt_attr("versionTag", c.version_tag.as_deref());
            out.attributes(&c.extras.attributes);
            finish(out, &c.extras);
        }
        ExtensionElement::Properties(p) => {
            start(out, "properties");
            out.attributes(&p.extras.attributes);
            for property in &p.properties {
                start(out, "property");
                out.attr("name", &property.name);
                out.attr("value", &property.value);
                out.attributes(&property.extras.attributes);
                finish(out, &property.extras);
            }
            finish(out, &p.extras);
        }
        ExtensionElement::ExecutionListeners(e) => {
            start(out, "executionListeners");
            out.attributes(&e.extras.attributes);
            for listener in &e.listeners {
                start(out, "executionListener");
                out.attr("eventType", &listener.event_type);
                out.attr("type", &listener.job_type);
                out.opt_attr("retries", listener.retries.as_deref());
                out.attributes(&listener.extras.attributes);
                finish(out, &listener.extras);
            }
            finish(out, &e.extras);
        }
        ExtensionElement::VersionTag(v) => {
            start(out, "versionTag");
            out.attr("value", &v.value);
            out.attributes(&v.extras.attributes);
            finish(out, &v.extras);
        }
        ExtensionElement::Other(element) => out.raw(element),
    }
}
