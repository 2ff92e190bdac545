//! Checks that references between the elements of a scope resolve: sequence flow ends, default
//! flows and boundary attachments.

use super::super::{ProcessGraph, Scope};
use super::{Code, Report};
use crate::model::{EventKind, FlowNode};

/// `flow-source-missing`, `flow-target-missing`, `default-flow-missing`,
/// `default-flow-not-outgoing`, `boundary-host-missing` and `boundary-host-not-activity`.
pub(super) fn check(graph: &ProcessGraph<'_>, scope: &Scope<'_>, report: &mut Report<'_>) {
    for node in scope.nodes() {
        check_default_flow(scope, node, report);
        check_attachment(graph, scope, node, report);
    }
    for flow in scope.flows() {
        let id = &flow.common.id;
        for (code, attribute, reference) in [
            (Code::FlowSourceMissing, "sourceRef", &flow.source_ref),
            (Code::FlowTargetMissing, "targetRef", &flow.target_ref),
        ] {
            if scope.node(reference).is_some() {
                continue;
            }
            let problem = missing(graph, scope, reference);
            let message = format!(
                "sequence flow `{id}` has {attribute} {problem}; set it to the id of a flow node in `{}`",
                scope.id()
            );
            report.push(code, id, flow.common.location, message);
        }
    }
}

/// Describes why `reference` names no node of `scope`.
fn missing(graph: &ProcessGraph<'_>, scope: &Scope<'_>, reference: &str) -> String {
    if reference.is_empty() {
        return "empty".to_owned();
    }
    match graph.scope_of(reference) {
        Some(other) => format!(
            "`{reference}`, which is inside `{}`, not `{}` (sequence flows cannot cross a sub-process border)",
            other.id(),
            scope.id()
        ),
        None => format!("`{reference}`, which names no flow node"),
    }
}

fn check_default_flow(scope: &Scope<'_>, node: &FlowNode, report: &mut Report<'_>) {
    let Some(default) = node.default_flow() else { return };
    let id = node.id();
    match scope.flow(default) {
        None => {
            let message = format!(
                "`{id}` names `{default}` as its default flow, but no sequence flow in `{}` has that id; set default \
                 to one of its outgoing flows or remove it",
                scope.id()
            );
            report.push(Code::DefaultFlowMissing, id, node.common.location, message);
        }
        Some(flow) if flow.source_ref != id => {
            let message = format!(
                "`{id}` names `{default}` as its default flow, but that flow leaves `{}`; set default to one of \
                 `{id}`'s outgoing flows",
                flow.source_ref
            );
            report.push(Code::DefaultFlowNotOutgoing, id, node.common.location, message);
        }
        Some(_) => {}
    }
}

fn check_attachment(graph: &ProcessGraph<'_>, scope: &Scope<'_>, node: &FlowNode, report: &mut Report<'_>) {
    let Some(EventKind::Boundary { attached_to, .. }) = node.event().map(|event| &event.kind) else { return };
    let id = node.id();
    match scope.node(attached_to) {
        None => {
            let problem = missing(graph, scope, attached_to);
            let message =
                format!("boundary event `{id}` is attached to {problem}; set attachedToRef to an activity beside it");
            report.push(Code::BoundaryHostMissing, id, node.common.location, message);
        }
        Some(host) if host.activity().is_none() => {
            let message = format!(
                "boundary event `{id}` is attached to `{attached_to}`, a {}; attach it to a task, sub-process or \
                 call activity",
                host.element_name()
            );
            report.push(Code::BoundaryHostNotActivity, id, node.common.location, message);
        }
        Some(_) => {}
    }
}
