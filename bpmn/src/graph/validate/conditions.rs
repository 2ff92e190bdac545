//! Checks on conditional sequence flows and the gateways that evaluate them, after Zeebe's rules:
//! conditions are evaluated only on flows leaving exclusive and inclusive gateways; such a gateway
//! with one outgoing flow without condition simply takes it; with several outgoing flows every
//! flow but the default must have a condition; and when no condition is true and there is no
//! default flow, the instance stops with an incident.

use super::super::Scope;
use super::{Code, Report};
use crate::model::{FlowNode, GatewayKind, SequenceFlow};

/// `condition-not-allowed`, `condition-missing` and `gateway-may-get-stuck`.
pub(super) fn check(scope: &Scope<'_>, report: &mut Report<'_>) {
    for node in scope.nodes() {
        if is_deciding_gateway(node) {
            check_gateway(scope, node, report);
        }
    }
    for flow in scope.flows().filter(|flow| flow.condition.is_some()) {
        let Some(source) = scope.node(&flow.source_ref) else { continue };
        if is_deciding_gateway(source) {
            continue;
        }
        let message = format!(
            "sequence flow `{}` has a condition but leaves `{}`, a {}; Zeebe evaluates conditions only on flows \
             leaving exclusive and inclusive gateways: remove the condition or branch through an exclusive gateway",
            flow.common.id,
            source.id(),
            source.element_name()
        );
        report.push(Code::ConditionNotAllowed, &flow.common.id, flow.common.location, message);
    }
}

fn is_deciding_gateway(node: &FlowNode) -> bool {
    node.gateway().is_some_and(|gateway| matches!(gateway.kind, GatewayKind::Exclusive | GatewayKind::Inclusive))
}

fn check_gateway(scope: &Scope<'_>, gateway: &FlowNode, report: &mut Report<'_>) {
    let id = gateway.id();
    let default = gateway.default_flow();
    let outgoing: Vec<&SequenceFlow> = scope.outgoing(id).collect();
    let unconditioned: Vec<&SequenceFlow> = outgoing
        .iter()
        .copied()
        .filter(|flow| flow.condition.is_none() && Some(flow.common.id.as_str()) != default)
        .collect();
    if outgoing.len() >= 2 {
        for flow in &unconditioned {
            let message = format!(
                "sequence flow `{}` leaves {} `{id}`, which has {} outgoing flows, but has no condition; give it a \
                 condition or make it the gateway's default flow",
                flow.common.id,
                gateway.element_name(),
                outgoing.len()
            );
            report.push(Code::ConditionMissing, &flow.common.id, flow.common.location, message);
        }
    }
    if default.is_none() && !outgoing.is_empty() && unconditioned.is_empty() {
        let message = format!(
            "every outgoing flow of {} `{id}` has a condition and none is the default flow: when all conditions are \
             false the instance stops with an incident; mark one flow as the default",
            gateway.element_name()
        );
        report.push(Code::GatewayMayGetStuck, id, gateway.common.location, message);
    }
}
