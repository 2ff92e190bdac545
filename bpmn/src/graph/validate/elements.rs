//! Checks on what each kind of node allows around it: which nodes may have incoming or outgoing
//! sequence flows, what an event-based gateway may lead to, and that link events pair up.

use super::super::Scope;
use super::{Code, Report};
use crate::model::{EventDefinitionKind, EventKind, FlowNode, FlowNodeKind, GatewayKind, SequenceFlow};

/// `unexpected-incoming-flow`, `unexpected-outgoing-flow`, `invalid-event-gateway` and
/// `unmatched-link`.
pub(super) fn check(scope: &Scope<'_>, report: &mut Report<'_>) {
    for node in scope.nodes() {
        check_flow_ends(scope, node, report);
        if matches!(node.gateway().map(|g| &g.kind), Some(GatewayKind::EventBased { .. })) {
            check_event_gateway(scope, node, report);
        }
        check_link(scope, node, report);
    }
}

/// What a node is called in messages about the flows it may not have.
fn role(node: &FlowNode) -> Option<&'static str> {
    match (&node.kind, node.event().map(|e| &e.kind)) {
        (FlowNodeKind::SubProcess(s), _) if s.is_event_sub_process() => Some("an event sub-process"),
        (_, Some(EventKind::Start { .. })) => Some("a start event"),
        (_, Some(EventKind::Boundary { .. })) => Some("a boundary event"),
        (_, Some(EventKind::End)) => Some("an end event"),
        _ => None,
    }
}

fn flow_list(flows: &[&SequenceFlow]) -> String {
    flows.iter().map(|flow| format!("`{}`", flow.common.id)).collect::<Vec<_>>().join(", ")
}

fn check_flow_ends(scope: &Scope<'_>, node: &FlowNode, report: &mut Report<'_>) {
    let Some(role) = role(node) else { return };
    let id = node.id();
    let incoming: Vec<&SequenceFlow> = scope.incoming(id).collect();
    let takes_incoming = matches!(node.event().map(|e| &e.kind), Some(EventKind::End));
    if !takes_incoming && !incoming.is_empty() {
        let message = format!(
            "`{id}` is {role} and cannot be entered by a sequence flow; point {} at the element after it instead",
            flow_list(&incoming)
        );
        report.push(Code::UnexpectedIncomingFlow, id, node.common.location, message);
    }
    let outgoing: Vec<&SequenceFlow> = scope.outgoing(id).collect();
    let gives_outgoing = !matches!(node.event().map(|e| &e.kind), Some(EventKind::End))
        && !matches!(&node.kind, FlowNodeKind::SubProcess(s) if s.is_event_sub_process());
    if !gives_outgoing && !outgoing.is_empty() {
        let message = format!(
            "`{id}` is {role} and cannot be left by a sequence flow; remove {} or end the path with something \
             else",
            flow_list(&outgoing)
        );
        report.push(Code::UnexpectedOutgoingFlow, id, node.common.location, message);
    }
}

/// True for the intermediate catch events Zeebe lets an event-based gateway wait for.
fn is_gateway_target(node: &FlowNode) -> bool {
    let Some(event) = node.event() else { return false };
    event.kind == EventKind::IntermediateCatch
        && matches!(
            event.definition().map(|d| &d.kind),
            Some(
                EventDefinitionKind::Message { .. }
                    | EventDefinitionKind::Timer { .. }
                    | EventDefinitionKind::Signal { .. }
            )
        )
}

fn check_event_gateway(scope: &Scope<'_>, gateway: &FlowNode, report: &mut Report<'_>) {
    let id = gateway.id();
    let targets: Vec<&FlowNode> = scope.successors(id).collect();
    if targets.len() < 2 {
        let message = format!(
            "event-based gateway `{id}` has {} outgoing flow(s) but waits for a choice between at least two events; \
             add flows to message, timer or signal catch events",
            targets.len()
        );
        report.push(Code::InvalidEventGateway, id, gateway.common.location, message);
    }
    for target in targets.into_iter().filter(|target| !is_gateway_target(target)) {
        let message = format!(
            "event-based gateway `{id}` leads to `{}`, a {}; it may only lead to message, timer or signal \
             intermediate catch events",
            target.id(),
            target.element_name()
        );
        report.push(Code::InvalidEventGateway, id, gateway.common.location, message);
    }
}

/// The link name of a link event of the given kind.
fn link_name<'n>(node: &'n FlowNode, kind: &EventKind) -> Option<Option<&'n str>> {
    let event = node.event().filter(|event| event.kind == *kind)?;
    match &event.definition()?.kind {
        EventDefinitionKind::Link { name } => Some(name.as_deref()),
        _ => None,
    }
}

fn check_link(scope: &Scope<'_>, node: &FlowNode, report: &mut Report<'_>) {
    let id = node.id();
    let catch_kind = EventKind::IntermediateCatch;
    let catches_named = |name: &str| scope.nodes().filter(|n| link_name(n, &catch_kind) == Some(Some(name))).count();
    let problem = match (link_name(node, &EventKind::IntermediateThrow), link_name(node, &catch_kind)) {
        (Some(None), _) | (_, Some(None)) => "has no name; give it the name that pairs the throw with its catch".into(),
        (Some(Some(name)), _) if catches_named(name) == 0 => {
            format!("throws to `{name}`, but no link catch event in `{}` has that name; add one", scope.id())
        }
        (_, Some(Some(name))) if catches_named(name) > 1 => {
            format!(
                "catches `{name}`, like another link catch event in `{}`; names of catches must be unique",
                scope.id()
            )
        }
        _ => return,
    };
    report.push(Code::UnmatchedLink, id, node.common.location, format!("link event `{id}` {problem}"));
}
