//! Compiling `bpmn:adHocSubProcess` (Camunda 8.7+): the `zeebe:adHoc` settings, the completion
//! condition, the job-worker implementation, and Zeebe's deploy-time rules for them.

use std::sync::Arc;

use bpmn::model::{FlowNode, SubProcess};
use serde_json::{Map, Value, json};

use super::Compiler;
use crate::model::{AdHoc, Container, ElementType, Node, NodeIdx, NodeKind};

impl Compiler<'_> {
    /// The ad-hoc sub-process's settings; its content is linked later by [`Self::link_ad_hoc`].
    pub(super) fn ad_hoc(&mut self, node: &FlowNode, sub: &SubProcess) -> Option<(ElementType, NodeKind)> {
        let common = &node.common;
        let name = node.element_name();
        let settings = common.extensions().ad_hoc();
        let expression = |compiler: &mut Self, text: Option<&String>| match text {
            Some(text) => compiler.expression(common, name, text).map(Some),
            None => Some(None),
        };
        let active_elements = expression(self, settings.and_then(|s| s.active_elements_collection.as_ref()))?;
        let output_element = expression(self, settings.and_then(|s| s.output_element.as_ref()))?;
        let completion_condition = expression(self, sub.completion_condition.as_ref().map(|c| &c.body))?;
        let output_collection = settings.and_then(|s| s.output_collection.as_deref()).map(Arc::from);
        if output_collection.is_some() != output_element.is_some() {
            self.error(
                common,
                name,
                "zeebe:adHoc needs both outputCollection and outputElement, or neither; add the missing one",
            );
        }
        let job = match common.extensions().task_definition() {
            Some(_) => {
                let refused = [
                    (active_elements.is_some(), "activeElementsCollection"),
                    (completion_condition.is_some(), "a completionCondition"),
                    (sub.cancel_remaining_instances == Some(false), "cancelRemainingInstances=\"false\""),
                ];
                for (_, what) in refused.iter().filter(|(present, _)| *present) {
                    self.error(
                        common,
                        name,
                        format!(
                            "with zeebe:taskDefinition the job worker decides what runs and when it is done; remove {what}"
                        ),
                    );
                }
                Some(self.job(node, None)?)
            }
            None => None,
        };
        let ad_hoc = AdHoc {
            container: Container::default(),
            activatable: Vec::new(),
            elements: Value::Array(Vec::new()),
            active_elements,
            output_collection,
            output_element,
            completion_condition,
            cancel_remaining: sub.cancel_remaining_instances.unwrap_or(true),
            job,
        };
        Some((ElementType::AdHocSubProcess, NodeKind::AdHoc(Box::new(ad_hoc))))
    }

    /// Checks an ad-hoc sub-process's content (no start or end event, at least one element) and
    /// fills its activatable elements and their description for `adHocSubProcessElements`.
    pub(super) fn link_ad_hoc(&mut self, nodes: &mut [Node], at: usize) {
        let NodeKind::AdHoc(ad_hoc) = &nodes[at].kind else { return };
        let children = ad_hoc.container.children.clone();
        let owner = self.nodes[at - 1].node;
        if children.is_empty() {
            self.error(&owner.common, "adHocSubProcess", "an ad-hoc sub-process needs at least one element inside");
        }
        let mut activatable = Vec::new();
        let mut elements = Vec::new();
        for child in children {
            let node = &nodes[child as usize];
            let model = self.nodes[child as usize - 1].node;
            match node.kind {
                NodeKind::Start(_) | NodeKind::End(_) => {
                    self.error(
                        &model.common,
                        model.element_name(),
                        "an ad-hoc sub-process may not contain start or end events; remove it (inner elements start when activated and end when their flow ends)",
                    );
                    continue;
                }
                NodeKind::Boundary { .. } | NodeKind::EventSubProcess { .. } => continue,
                _ if !node.incoming.is_empty() => continue,
                _ => {}
            }
            activatable.push(child as NodeIdx);
            elements.push(describe(model));
        }
        if let NodeKind::AdHoc(ad_hoc) = &mut nodes[at].kind {
            ad_hoc.activatable = activatable;
            ad_hoc.elements = Value::Array(elements);
        }
    }
}

/// One entry of `adHocSubProcessElements`: `elementId`, and `elementName`, `documentation` and
/// `properties` when the element has them.
fn describe(node: &FlowNode) -> Value {
    let common = &node.common;
    let mut entry = Map::new();
    entry.insert("elementId".into(), json!(common.id));
    if let Some(name) = common.name.as_deref().filter(|n| !n.is_empty()) {
        entry.insert("elementName".into(), json!(name));
    }
    let documentation: Vec<&str> =
        common.documentation.iter().map(|d| d.text.trim()).filter(|t| !t.is_empty()).collect();
    if !documentation.is_empty() {
        entry.insert("documentation".into(), json!(documentation.join("\n")));
    }
    if let Some(properties) = common.extensions().properties().filter(|p| !p.properties.is_empty()) {
        let map: Map<String, Value> = properties.properties.iter().map(|p| (p.name.clone(), json!(p.value))).collect();
        entry.insert("properties".into(), Value::Object(map));
    }
    Value::Object(entry)
}
