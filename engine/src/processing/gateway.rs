//! Gateway processors. Gateways activate and complete in one step (Zeebe §3.2.3), unless
//! choosing a flow fails, which leaves the gateway activating with an incident.

use super::behavior::{events, transitions};
use super::lifecycle::{Element, ElementProcessor, Failure};
use super::{Machine, Trigger, driver};
use crate::model::{FlowIdx, NodeKind};
use crate::record::{ErrorType, Intent, ProcessEventRecord};

const NO_FLOW: &str = "Expected at least one condition to evaluate to true, or to have a default flow";

/// Completes a gateway at once and takes the chosen flows.
fn pass(m: &mut Machine, element: &Element, flows: &[FlowIdx]) {
    driver::activated(m, element.key);
    driver::write_lifecycle(m, element.key, Intent::ElementCompleting);
    driver::write_lifecycle(m, element.key, Intent::ElementCompleted);
    for &flow in flows {
        transitions::take_flow(m, element, flow, None);
    }
    driver::notify_flow_scope_completed(m, element);
}

/// Evaluates a flow's condition (a flow without one counts as true).
fn condition(m: &Machine, element: &Element, flow: FlowIdx) -> Result<bool, Failure> {
    match &element.process.flow(flow).condition {
        None => Ok(true),
        Some(e) => e.evaluate_bool(&m.view(element.key)).map_err(Failure::extract_value),
    }
}

/// Exclusive gateway: Zeebe walks the conditions from the last outgoing flow to the first, so
/// of several true conditions the last in document order wins, and a condition that fails to
/// evaluate matters only when no later one is true; else the default flow.
pub(crate) struct ExclusiveProcessor;

impl ElementProcessor for ExclusiveProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let node = element.node();
        let chosen = match node.outgoing.as_slice() {
            [] => None,
            [only] if element.process.flow(*only).condition.is_none() => Some(*only),
            outgoing => {
                let mut chosen = None;
                for &flow in outgoing.iter().rev().filter(|f| Some(**f) != node.default_flow) {
                    if condition(m, element, flow)? {
                        chosen = Some(flow);
                        break;
                    }
                }
                match chosen.or(node.default_flow) {
                    Some(flow) => Some(flow),
                    None => return Err(Failure::new(ErrorType::ConditionError, NO_FLOW)),
                }
            }
        };
        pass(m, element, chosen.as_slice());
        Ok(())
    }
}

/// Parallel gateway: a fork takes every flow, the last outgoing flow first (as Zeebe does); a
/// join waits for a token per incoming flow (the driver counts them).
pub(crate) struct ParallelProcessor;

impl ElementProcessor for ParallelProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let outgoing: Vec<FlowIdx> = element.node().outgoing.iter().rev().copied().collect();
        pass(m, element, &outgoing);
        Ok(())
    }
}

/// Inclusive gateway: every flow whose condition is true, evaluated and taken from the last
/// outgoing flow to the first (as Zeebe does), else the default flow.
pub(crate) struct InclusiveProcessor;

impl ElementProcessor for InclusiveProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let node = element.node();
        let mut chosen = Vec::new();
        for &flow in node.outgoing.iter().rev().filter(|f| Some(**f) != node.default_flow) {
            if condition(m, element, flow)? {
                chosen.push(flow);
            }
        }
        if chosen.is_empty() && !node.outgoing.is_empty() {
            chosen.push(node.default_flow.ok_or_else(|| Failure::new(ErrorType::ConditionError, NO_FLOW))?);
        }
        pass(m, element, &chosen);
        Ok(())
    }
}

/// Event-based gateway: subscribe to every target event; the first to fire wins.
pub(crate) struct EventBasedGatewayProcessor;

impl ElementProcessor for EventBasedGatewayProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        for &flow in &process.node(element.node).outgoing {
            let target = process.flow(flow).target;
            if let NodeKind::Catch(trigger) = &process.node(target).kind {
                events::open(m, element, target, trigger)?;
            }
        }
        driver::activated(m, element.key);
        Ok(())
    }

    fn on_completed(&self, m: &mut Machine, element: &Element, pending: Option<ProcessEventRecord>) {
        let Some(event) = pending else { return };
        let flow =
            element.node().outgoing.iter().copied().find(|&f| element.process.flow(f).target == event.target_element);
        if let Some(flow) = flow {
            let trigger = Trigger { variables: Some(event.variables), start: None, local_only: false };
            transitions::take_flow(m, element, flow, Some(trigger));
        }
    }
}
