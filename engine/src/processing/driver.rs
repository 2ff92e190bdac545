//! The element state machine: writes the lifecycle records in Zeebe's order and calls the
//! element's processor hooks in between (see `lifecycle.rs` for the diagram).

use super::behavior::{events, incidents, jobs, messages, multi_instance, transitions, user_tasks, variables};
use super::lifecycle::{ChildFinished, Element, Failure, processor_for};
use super::{Command, Machine, Trigger};
use crate::model::{FlowIdx, NodeKind};
use crate::record::{ElementRecord, Intent, RecordValue};
use crate::state::Lifecycle;

/// A token arrives over `flow`: a join waits until every incoming flow has a token; anything else
/// activates at once.
pub(crate) fn activate_from_flow(m: &mut Machine, flow_scope: i64, def: u32, flow: FlowIdx, trigger: Option<Trigger>) {
    let Some(scope) = m.state.element(flow_scope) else { return };
    if scope.state != Lifecycle::Activated || scope.interrupted {
        return;
    }
    let process = m.state.process(def);
    let target = process.flow(flow).target;
    if process.node(target).is_join && !transitions::join_ready(m, flow_scope, process, target) {
        return;
    }
    let process_instance = scope.process_instance_key;
    let key = m.key();
    write_activating(m, key, def, target, flow_scope, process_instance, -1, 0);
    run_activation(m, key, trigger);
}

/// Writes `ELEMENT_ACTIVATING` for a new element instance (a multi-instance activity gets its body).
// Mirrors the fields of `ElementRecord` one to one; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_activating(
    m: &mut Machine,
    key: i64,
    def: u32,
    element: crate::model::NodeIdx,
    flow_scope: i64,
    process_instance: i64,
    parent_element_instance: i64,
    loop_counter: u32,
) {
    let process = m.state.process(def);
    let node = process.node(element);
    let element_type = if node.multi_instance.is_some() && loop_counter == 0 {
        crate::model::ElementType::MultiInstanceBody
    } else {
        node.element_type
    };
    let record = ElementRecord {
        element_id: node.id.clone(),
        element,
        element_type,
        process_instance_key: if process_instance < 0 { key } else { process_instance },
        process_definition_key: process.key,
        flow_scope_key: flow_scope,
        parent_element_instance_key: parent_element_instance,
        loop_counter,
    };
    m.write(key, Intent::ElementActivating, RecordValue::Element(record));
}

/// Writes a lifecycle record for an existing instance, repeating its data.
pub(crate) fn write_lifecycle(m: &mut Machine, key: i64, intent: Intent) {
    if let Some(instance) = m.state.element(key) {
        let record = instance.record(m.state.process(instance.def));
        m.write(key, intent, RecordValue::Element(record));
    }
}

/// Marks the element activated (processors call this when they start waiting).
pub(crate) fn activated(m: &mut Machine, key: i64) {
    write_lifecycle(m, key, Intent::ElementActivated);
}

/// Runs the activation work of an `ACTIVATING` instance: event payload, input mappings,
/// subscriptions, then the processor. A failure becomes an incident.
pub(crate) fn run_activation(m: &mut Machine, key: i64, trigger: Option<Trigger>) {
    let Some(element) = Element::load(m, key) else { return };
    if m.state.element(key).is_none_or(|e| e.state != Lifecycle::Activating) {
        return;
    }
    if let Err(failure) = activation_steps(m, &element, trigger) {
        events::close_all(m, &element);
        incidents::raise(m, &element, failure, -1);
    }
}

fn activation_steps(m: &mut Machine, element: &Element, trigger: Option<Trigger>) -> Result<(), Failure> {
    if !element.is_body {
        if let Some(Trigger { variables: Some(payload), local_only, .. }) = &trigger {
            variables::apply_payload(m, element, payload, *local_only);
        }
        if !element.is_ad_hoc_inner {
            variables::apply_input_mappings(m, element)?;
        }
    }
    events::open_subscriptions(m, element)?;
    processor_for(element).on_activate(m, element, trigger)
}

/// Completes an activated element: `COMPLETING`, hooks and output mappings, `COMPLETED`, leave.
pub(crate) fn complete(m: &mut Machine, key: i64) {
    if m.state.element(key).is_none_or(|e| e.state != Lifecycle::Activated) {
        return;
    }
    write_lifecycle(m, key, Intent::ElementCompleting);
    run_completion(m, key);
}

/// Runs the completion work of a `COMPLETING` instance (also when an incident is resolved).
pub(crate) fn run_completion(m: &mut Machine, key: i64) {
    let Some(element) = Element::load(m, key) else { return };
    let processor = processor_for(&element);
    let result = processor.on_complete(m, &element).and_then(|()| {
        if element.is_body || element.is_ad_hoc_inner {
            return Ok(());
        }
        variables::apply_output_mappings(m, &element)?;
        if element.is_inner { multi_instance::collect_output(m, &element) } else { Ok(()) }
    });
    if let Err(failure) = result {
        incidents::raise(m, &element, failure, -1);
        return;
    }
    events::close_all(m, &element);
    let Some(instance) = m.state.element(key) else { return };
    let loop_counter = instance.loop_counter;
    let pending = instance.event_trigger().cloned();
    let message_start = if element.flow_scope < 0 { messages::message_start_key(m, key) } else { None };
    write_lifecycle(m, key, Intent::ElementCompleted);
    if let Some(started_by) = message_start {
        messages::start_next_buffered(m, started_by);
    }
    if !element.is_inner {
        processor.on_completed(m, &element, pending);
    }
    notify_flow_scope(m, &element, ChildFinished { completed: true, loop_counter });
}

/// Terminates an element: `TERMINATING`, cancel its job, subscriptions, incidents and children,
/// then `TERMINATED` once nothing inside is left.
pub(crate) fn terminate(m: &mut Machine, key: i64) {
    let Some(element) = Element::load(m, key) else { return };
    if m.state.element(key).is_none_or(|e| e.state == Lifecycle::Terminating) {
        return;
    }
    write_lifecycle(m, key, Intent::ElementTerminating);
    jobs::cancel(m, &element);
    user_tasks::cancel(m, &element);
    events::close_all(m, &element);
    incidents::resolve_all_of(m, key);
    if processor_for(&element).on_terminate(m, &element) {
        finish_termination(m, &element);
    }
}

/// Writes `TERMINATED`, activates a pending interrupting boundary event, and tells the flow scope.
pub(crate) fn finish_termination(m: &mut Machine, element: &Element) {
    let Some(instance) = m.state.element(element.key) else { return };
    let loop_counter = instance.loop_counter;
    let parent_call = instance.parent_element_instance_key;
    let pending = instance.event_trigger().cloned();
    if let Some(trigger) = &pending {
        m.write(element.key, Intent::ProcessEventTriggered, RecordValue::ProcessEvent(trigger.clone()));
    }
    let message_start = if element.flow_scope < 0 { messages::message_start_key(m, element.key) } else { None };
    write_lifecycle(m, element.key, Intent::ElementTerminated);
    if let Some(started_by) = message_start {
        messages::start_next_buffered(m, started_by);
    }
    if let Some(trigger) = pending
        && matches!(element.process.node(trigger.target_element).kind, NodeKind::Boundary { .. })
    {
        let payload = Trigger {
            variables: Some(trigger.variables),
            start: None,
            local_only: is_error(element, trigger.target_element),
        };
        transitions::activate_element(m, element.flow_scope, element.def, trigger.target_element, payload);
    }
    if element.flow_scope < 0 {
        super::container::process_terminated(m, element, parent_call);
    }
    notify_flow_scope(m, element, ChildFinished { completed: false, loop_counter });
}

fn is_error(element: &Element, catch: crate::model::NodeIdx) -> bool {
    matches!(element.process.node(catch).kind, NodeKind::Boundary { trigger: crate::model::Trigger::Error(_), .. })
}

/// Tells the flow scope that a gateway (never multi-instance) completed.
pub(crate) fn notify_flow_scope_completed(m: &mut Machine, element: &Element) {
    notify_flow_scope(m, element, ChildFinished { completed: true, loop_counter: 0 });
}

fn notify_flow_scope(m: &mut Machine, element: &Element, child: ChildFinished) {
    transitions::recheck_inclusive_joins(m, element.flow_scope);
    // Fast path: a scope with other live children and no multi-instance bookkeeping has
    // nothing to do when one child finishes.
    if m.state.element(element.flow_scope).is_some_and(|s| s.active_children > 0 && !s.element_type.counts_each_child())
    {
        return;
    }
    if let Some(scope) = Element::load(m, element.flow_scope) {
        processor_for(&scope).on_child_finished(m, &scope, child);
    }
}

/// Re-runs the failed step of an element after its incident was resolved.
pub(crate) fn retry_failed_step(m: &mut Machine, key: i64) {
    match m.state.element(key).map(|e| e.state) {
        Some(Lifecycle::Activating) => m.enqueue(Command::RunActivation { key, trigger: None }),
        Some(Lifecycle::Completing) => run_completion(m, key),
        _ => {}
    }
}
