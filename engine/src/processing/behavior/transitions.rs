//! State transition behaviour: taking sequence flows, activating elements, and completing a
//! scope once nothing inside it is left.

use std::sync::Arc;

use crate::model::{ExecutableProcess, FlowIdx, NodeIdx};
use crate::processing::driver;
use crate::processing::lifecycle::Element;
use crate::processing::{Command, Machine, Trigger};
use crate::record::{Intent, RecordValue, SequenceFlowRecord};
use crate::state::Lifecycle;

/// Takes every outgoing flow of a completed element, the last in document order first: Zeebe
/// walks outgoing flows backwards, so of an implicit fork the last branch is activated first.
pub(crate) fn take_outgoing_flows(m: &mut Machine, element: &Element) {
    let process = &element.process;
    for &flow in process.node(element.node).outgoing.iter().rev() {
        take_flow(m, element, flow, None);
    }
}

/// Writes `SEQUENCE_FLOW_TAKEN` and sends the token to the flow's target.
pub(crate) fn take_flow(m: &mut Machine, element: &Element, flow: FlowIdx, trigger: Option<Trigger>) {
    let key = m.key();
    let record = SequenceFlowRecord {
        flow_id: element.process.flow(flow).id.clone(),
        flow,
        process_instance_key: element.process_instance,
        process_definition_key: element.process.key,
        flow_scope_key: element.flow_scope,
    };
    m.write(key, Intent::SequenceFlowTaken, RecordValue::SequenceFlow(record));
    m.enqueue(Command::ActivateFromFlow { flow_scope: element.flow_scope, def: element.def, flow, trigger });
}

/// True when a joining gateway may activate: a parallel join needs a token on every incoming
/// flow; an inclusive join also fires when no active path can still reach it.
pub(crate) fn join_ready(m: &Machine, scope: i64, process: &ExecutableProcess, gateway: NodeIdx) -> bool {
    let Some(instance) = m.state.element(scope) else { return false };
    let node = process.node(gateway);
    let taken = |flow: &FlowIdx| instance.taken_joins().iter().any(|(f, c)| f == flow && *c > 0);
    if node.incoming.iter().all(taken) {
        return true;
    }
    if matches!(node.kind, crate::model::NodeKind::Inclusive) {
        // Tokens in flight elsewhere in the scope might still arrive: wait for them.
        let waiting_here: u32 =
            instance.taken_joins().iter().filter(|(f, _)| node.incoming.contains(f)).map(|(_, c)| *c).sum();
        if waiting_here == 0 || instance.active_flows > waiting_here {
            return false;
        }
        let mut active = instance.children.iter().filter_map(|k| m.state.element(*k)).map(|e| e.element);
        return !active.any(|from| can_reach(process, from, gateway));
    }
    false
}

/// After a child of `scope` finished, an inclusive join with waiting tokens may have become
/// unreachable for the missing ones: re-offer it a token so it can fire.
pub(crate) fn recheck_inclusive_joins(m: &mut Machine, scope: i64) {
    let Some(instance) = m.state.element(scope) else { return };
    if instance.taken_joins().is_empty() {
        return;
    }
    let def = instance.def;
    let process = m.state.process(def);
    let waiting: Vec<FlowIdx> = instance
        .taken_joins()
        .iter()
        .map(|(f, _)| *f)
        .filter(|&f| matches!(process.node(process.flow(f).target).kind, crate::model::NodeKind::Inclusive))
        .collect();
    for flow in waiting {
        m.enqueue(Command::ActivateFromFlow { flow_scope: scope, def, flow, trigger: None });
    }
}

/// True when a path of sequence flows leads from `from` to `to`.
fn can_reach(process: &ExecutableProcess, from: NodeIdx, to: NodeIdx) -> bool {
    let mut seen = vec![false; process.nodes.len()];
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if std::mem::replace(&mut seen[n as usize], true) {
            continue;
        }
        stack.extend(process.node(n).outgoing.iter().map(|&f| process.flow(f).target));
    }
    false
}

/// Activates `node` inside `flow_scope` right away (not over a flow): start events, boundary
/// events, event sub-processes, inner multi-instance instances. Returns the new key.
pub(crate) fn activate_element(m: &mut Machine, flow_scope: i64, def: u32, node: NodeIdx, trigger: Trigger) -> i64 {
    activate_with_counter(m, flow_scope, def, node, 0, Some(trigger))
}

/// Like [`activate_element`], with a multi-instance loop counter (0 for none).
pub(crate) fn activate_with_counter(
    m: &mut Machine,
    flow_scope: i64,
    def: u32,
    node: NodeIdx,
    loop_counter: u32,
    trigger: Option<Trigger>,
) -> i64 {
    let process_instance = m.state.element(flow_scope).map_or(-1, |s| s.process_instance_key);
    let key = m.key();
    driver::write_activating(m, key, def, node, flow_scope, process_instance, -1, loop_counter);
    m.enqueue(Command::RunActivation { key, trigger });
    key
}

/// Completes an activated pass-through element in the same step.
pub(crate) fn complete_immediately(m: &mut Machine, element: &Element) {
    driver::activated(m, element.key);
    driver::complete(m, element.key);
}

/// The default reaction of a container to a finished child: finish a termination, start a
/// pending interrupting event sub-process, or complete when no child and no token is left.
pub(crate) fn complete_scope_when_empty(m: &mut Machine, element: &Element) {
    let Some(instance) = m.state.element(element.key) else { return };
    if instance.active_children > 0 {
        return;
    }
    match instance.state {
        Lifecycle::Terminating => driver::finish_termination(m, element),
        Lifecycle::Activated => {
            if let Some(trigger) = instance.event_trigger().cloned() {
                m.write(element.key, Intent::ProcessEventTriggered, RecordValue::ProcessEvent(trigger.clone()));
                let process: &Arc<ExecutableProcess> = &element.process;
                if let Some(esp) = process.node(trigger.target_element).scope {
                    let payload = Trigger {
                        variables: Some(trigger.variables),
                        start: Some(trigger.target_element),
                        local_only: false,
                    };
                    activate_element(m, element.key, element.def, esp, payload);
                }
            } else if instance.active_flows == 0 {
                m.enqueue(Command::Complete { key: element.key });
            }
        }
        _ => {}
    }
}
