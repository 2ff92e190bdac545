//! Event subscription behaviour: open the timers and message/signal subscriptions an element
//! waits on, close them when it leaves, and route a triggered event to its catch element
//! (intermediate catch, boundary event, event sub-process start, event-based gateway target).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{messages, transitions};
use crate::model::{MessageSpec, NodeIdx, NodeKind, Trigger as ModelTrigger};
use crate::processing::lifecycle::{Element, Failure};
use crate::processing::{Command, Machine, Trigger};
use crate::record::{Intent, ProcessEventRecord, RecordValue, SubscriptionRecord, TimerRecord};
use crate::state::Lifecycle;

/// Opens the subscriptions of an activating element: its boundary events and, for a scope, the
/// start events of its event sub-processes.
pub(crate) fn open_subscriptions(m: &mut Machine, element: &Element) -> Result<(), Failure> {
    let process = &element.process;
    let node = process.node(element.node);
    if element.is_ad_hoc_inner {
        return Ok(());
    }
    if !element.is_inner {
        for &boundary in &node.boundaries {
            if let NodeKind::Boundary { trigger, .. } = &process.node(boundary).kind {
                open(m, element, boundary, trigger)?;
            }
        }
    }
    if let (Some(container), false) = (node.kind.container(), element.is_body) {
        for &esp in &container.event_sub_processes {
            if let NodeKind::EventSubProcess { start, .. } = &process.node(esp).kind
                && let NodeKind::Start(trigger) = &process.node(*start).kind
            {
                open(m, element, *start, trigger)?;
            }
        }
    }
    Ok(())
}

/// Opens one subscription owned by `owner` for the catch element `catch`.
pub(crate) fn open(m: &mut Machine, owner: &Element, catch: NodeIdx, trigger: &ModelTrigger) -> Result<(), Failure> {
    match trigger {
        ModelTrigger::Timer(spec) => {
            let schedule = spec.schedule(m.now, &m.view(owner.key)).map_err(Failure::extract_value)?;
            let record = TimerRecord::scheduled(
                schedule,
                owner.process.node(catch).id.clone(),
                catch,
                owner.process.key,
                owner.key,
                owner.process_instance,
            );
            let key = m.key();
            m.write(key, Intent::TimerCreated, RecordValue::Timer(record));
        }
        ModelTrigger::Message(spec) => open_message(m, owner, catch, spec)?,
        ModelTrigger::Signal(name) => {
            let name = name.evaluate_string(&m.view(owner.key)).map_err(Failure::extract_value)?;
            let record = subscription(owner, catch, name, super::jobs::empty());
            let key = m.key();
            m.write(key, Intent::SignalSubscriptionCreated, RecordValue::Subscription(Box::new(record)));
        }
        _ => {}
    }
    Ok(())
}

/// Opens a message subscription owned by `owner` for `catch`, and takes a buffered message.
pub(crate) fn open_message(
    m: &mut Machine,
    owner: &Element,
    catch: NodeIdx,
    spec: &MessageSpec,
) -> Result<(), Failure> {
    let (name, correlation_key) = message_names(m, owner, spec)?;
    let record = subscription(owner, catch, name, correlation_key);
    let key = m.key();
    m.write(key, Intent::MessageSubscriptionCreated, RecordValue::Subscription(Box::new(record)));
    messages::correlate_buffered(m, key);
    Ok(())
}

fn subscription(owner: &Element, catch: NodeIdx, name: Arc<str>, correlation_key: Arc<str>) -> SubscriptionRecord {
    SubscriptionRecord {
        name,
        correlation_key,
        element_id: owner.process.node(catch).id.clone(),
        element: catch,
        process_definition_key: owner.process.key,
        bpmn_process_id: owner.process.bpmn_process_id.clone(),
        element_instance_key: owner.key,
        process_instance_key: owner.process_instance,
        message_key: -1,
        variables: Arc::new(Map::new()),
    }
}

/// Evaluates a message name and correlation key (a number becomes its integer text).
fn message_names(m: &Machine, owner: &Element, spec: &MessageSpec) -> Result<(Arc<str>, Arc<str>), Failure> {
    let view = m.view(owner.key);
    let name = spec.name.evaluate_string(&view).map_err(Failure::extract_value)?;
    let key = match &spec.correlation_key {
        None => super::jobs::empty(),
        Some(e) => match e.evaluate(&view).map_err(Failure::extract_value)? {
            Value::String(s) => Arc::from(s),
            Value::Number(n) => Arc::from(n.as_f64().map_or(0, |f| f as i64).to_string()),
            other => {
                return Err(Failure::extract_value(format!(
                    "Failed to extract the correlation key for '{}': The value must be either a string or a number, but was '{}'.",
                    e.source(),
                    crate::expression::type_name(&other)
                )));
            }
        },
    };
    Ok((name, key))
}

/// Closes every timer and subscription the element owns.
pub(crate) fn close_all(m: &mut Machine, element: &Element) {
    let Some(instance) = m.state.element(element.key) else { return };
    if instance.subscriptions().is_empty() {
        return;
    }
    for key in instance.subscriptions().to_vec() {
        if let Some(timer) = m.state.timers.get(&key).cloned() {
            m.write(key, Intent::TimerCanceled, RecordValue::Timer(timer));
        } else if let Some(sub) = m.state.message_subscriptions.get(&key).cloned() {
            m.write(key, Intent::MessageSubscriptionDeleted, RecordValue::Subscription(Box::new(sub)));
        } else if let Some(sub) = m.state.signal_subscriptions.get(&key).cloned() {
            m.write(key, Intent::SignalSubscriptionDeleted, RecordValue::Subscription(Box::new(sub)));
        }
    }
}

/// Routes an event for catch element `catch` owned by element instance `owner`. Returns false
/// when the owner cannot take it (gone, not waiting, already interrupted).
pub(crate) fn trigger(
    m: &mut Machine,
    owner: i64,
    catch: NodeIdx,
    variables: Arc<Map<String, Value>>,
    local_only: bool,
) -> bool {
    let Some(element) = Element::load(m, owner) else { return false };
    let Some(instance) = m.state.element(owner) else { return false };
    if instance.state != Lifecycle::Activated || instance.event_trigger().is_some() {
        return false;
    }
    let process = &element.process;
    let catch_node = process.node(catch);
    let payload = Trigger { variables: Some(variables.clone()), start: None, local_only };
    match &catch_node.kind {
        NodeKind::Boundary { interrupting: true, .. } => {
            store_trigger(m, &element, catch, variables);
            m.enqueue(Command::Terminate { key: owner });
        }
        NodeKind::Boundary { .. } => {
            transitions::activate_element(m, element.flow_scope, element.def, catch, payload);
        }
        NodeKind::Start(_) => {
            let Some(esp) = catch_node.scope else { return false };
            if instance.interrupted {
                return false;
            }
            if matches!(process.node(esp).kind, NodeKind::EventSubProcess { interrupting: true, .. }) {
                store_trigger(m, &element, catch, variables);
                let children = m.state.children(owner);
                if children.is_empty() {
                    transitions::complete_scope_when_empty(m, &element);
                }
                for child in children {
                    m.enqueue(Command::Terminate { key: child });
                }
            } else {
                let payload = Trigger { start: Some(catch), ..payload };
                transitions::activate_element(m, owner, element.def, esp, payload);
            }
        }
        _ if element.node == catch => {
            super::variables::apply_payload(m, &element, &variables, local_only);
            m.enqueue(Command::Complete { key: owner });
        }
        _ => {
            store_trigger(m, &element, catch, variables);
            m.enqueue(Command::Complete { key: owner });
        }
    }
    true
}

/// Writes `PROCESS_EVENT TRIGGERING`: the event waits on the scope until it is emptied.
fn store_trigger(m: &mut Machine, element: &Element, catch: NodeIdx, variables: Arc<Map<String, Value>>) {
    let record = ProcessEventRecord {
        scope_key: element.key,
        target_element: catch,
        target_element_id: element.process.node(catch).id.clone(),
        process_instance_key: element.process_instance,
        variables,
    };
    m.write(element.key, Intent::ProcessEventTriggering, RecordValue::ProcessEvent(record));
}
