//! Message and signal behaviour (Zeebe §3.12, §3.13): publish and buffer messages, correlate
//! them at most once per process id, start instances from message, signal and timer start
//! events, broadcast signals.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::events;
use crate::model::{NodeIdx, Trigger as ModelTrigger};
use crate::processing::{Machine, Trigger};
use crate::record::{Intent, MessageRecord, RecordValue, SignalRecord, SubscriptionRecord};

/// Correlates a published message to open subscriptions (one per process id) and message start
/// events; returns true when it correlated anywhere.
pub(crate) fn correlate_published(m: &mut Machine, message_key: i64, message: &MessageRecord) -> bool {
    let index_key = (message.name.clone(), message.correlation_key.clone());
    let keys = m.state.message_subscriptions_by_name.get(&index_key).cloned().unwrap_or_default();
    let mut matching: Vec<(i64, SubscriptionRecord)> =
        keys.iter().filter_map(|k| m.state.message_subscriptions.get(k).map(|s| (*k, s.clone()))).collect();
    matching.sort_by_key(|(k, _)| *k);
    let mut done: Vec<Arc<str>> = Vec::new();
    for (key, sub) in matching {
        if done.contains(&sub.bpmn_process_id) {
            continue;
        }
        if correlate(m, key, sub.clone(), message_key, message.variables.clone()) {
            done.push(sub.bpmn_process_id);
        }
    }
    for (def, start) in start_events(
        m,
        |t| matches!(t, ModelTrigger::Message(spec) if matches!(&spec.name, crate::expression::ValueOrExpression::Static(n) if *n == message.name)),
    ) {
        let bpmn_id = m.state.process(def).bpmn_process_id.clone();
        if done.contains(&bpmn_id) {
            continue;
        }
        if !message.correlation_key.is_empty()
            && m.state.message_started.contains_key(&(bpmn_id.clone(), message.correlation_key.clone()))
        {
            continue;
        }
        let instance = start_instance_at(m, def, start, message.variables.clone());
        let process = m.state.process(def).clone();
        let record = SubscriptionRecord {
            name: message.name.clone(),
            correlation_key: message.correlation_key.clone(),
            element_id: process.node(start).id.clone(),
            element: start,
            process_definition_key: process.key,
            bpmn_process_id: bpmn_id.clone(),
            element_instance_key: -1,
            process_instance_key: instance,
            message_key,
            variables: message.variables.clone(),
        };
        let key = m.key();
        m.write(key, Intent::MessageSubscriptionCorrelated, RecordValue::Subscription(Box::new(record)));
        done.push(bpmn_id);
    }
    !done.is_empty()
}

/// The (process id, correlation key) a root instance was started with by a message, if any.
pub(crate) fn message_start_key(m: &Machine, process_instance: i64) -> Option<(Arc<str>, Arc<str>)> {
    m.state.message_started.iter().find(|(_, pik)| **pik == process_instance).map(|(k, _)| k.clone())
}

/// After an instance started by a message with a correlation key ended: the oldest buffered
/// message for the same process and key starts the next instance.
pub(crate) fn start_next_buffered(m: &mut Machine, (bpmn_process_id, correlation_key): (Arc<str>, Arc<str>)) {
    let Some(&def) = m.state.latest.get(&bpmn_process_id) else { return };
    let process = m.state.process(def).clone();
    let next = m
        .state
        .messages
        .iter()
        .filter(|(_, b)| b.record.correlation_key == correlation_key && !b.correlated.contains(&bpmn_process_id))
        .filter(|(_, b)| {
            process.start_events().any(|(_, t)| matches!(t, ModelTrigger::Message(spec) if matches!(&spec.name, crate::expression::ValueOrExpression::Static(n) if *n == b.record.name)))
        })
        .map(|(k, _)| *k)
        .min();
    if let Some(record) = next.and_then(|k| m.state.messages.get(&k)).map(|b| b.record.clone())
        && let Some(key) = next
    {
        correlate_published(m, key, &record);
    }
}

/// Correlates a message to one subscription: `CORRELATED`, then the catch element is triggered.
fn correlate(
    m: &mut Machine,
    key: i64,
    sub: SubscriptionRecord,
    message_key: i64,
    variables: Arc<Map<String, Value>>,
) -> bool {
    let owner_waiting = m
        .state
        .element(sub.element_instance_key)
        .is_some_and(|e| e.state == crate::state::Lifecycle::Activated && e.event_trigger().is_none());
    if !owner_waiting {
        return false;
    }
    let record = SubscriptionRecord { message_key, variables: variables.clone(), ..sub.clone() };
    m.write(key, Intent::MessageSubscriptionCorrelated, RecordValue::Subscription(Box::new(record)));
    events::trigger(m, sub.element_instance_key, sub.element, variables, false)
}

/// A new subscription takes the oldest buffered message with its name and key that has not yet
/// correlated to its process id.
pub(crate) fn correlate_buffered(m: &mut Machine, subscription_key: i64) {
    let Some(sub) = m.state.message_subscriptions.get(&subscription_key).cloned() else { return };
    let oldest = m
        .state
        .messages
        .iter()
        .filter(|(_, b)| {
            b.record.name == sub.name
                && b.record.correlation_key == sub.correlation_key
                && !b.correlated.contains(&sub.bpmn_process_id)
        })
        .map(|(k, _)| *k)
        .min();
    if let Some(message_key) = oldest
        && let Some(variables) = m.state.messages.get(&message_key).map(|b| b.record.variables.clone())
    {
        // The owner is still activating: correlate once it waits.
        m.pending_correlations.push((subscription_key, message_key, variables));
    }
}

/// Correlations found while a subscription's owner was activating, run once it is activated.
pub(crate) fn run_pending_correlations(m: &mut Machine) {
    while let Some((sub_key, message_key, variables)) = m.pending_correlations.pop() {
        if let Some(sub) = m.state.message_subscriptions.get(&sub_key).cloned() {
            correlate(m, sub_key, sub, message_key, variables);
        }
    }
}

/// Start events of the latest process versions whose trigger matches.
pub(crate) fn start_events(m: &Machine, matches: impl Fn(&ModelTrigger) -> bool) -> Vec<(u32, NodeIdx)> {
    let mut found: Vec<(u32, NodeIdx)> = m
        .state
        .latest
        .values()
        .flat_map(|&def| {
            m.state
                .process(def)
                .start_events()
                .filter(|(_, t)| matches(t))
                .map(move |(n, _)| (def, n))
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort_unstable();
    found
}

/// Creates a process instance that begins at `start` with `variables` in its root scope.
pub(crate) fn start_instance_at(m: &mut Machine, def: u32, start: NodeIdx, variables: Arc<Map<String, Value>>) -> i64 {
    let key = m.key();
    crate::processing::driver::write_activating(m, key, def, crate::model::PROCESS_NODE, -1, -1, -1, 0);
    super::variables::merge_local(m, key, key, &variables);
    m.enqueue(crate::processing::Command::RunActivation {
        key,
        trigger: Some(Trigger { variables: None, start: Some(start), local_only: false }),
    });
    key
}

/// Broadcasts a signal: every open signal subscription with the name is triggered and every
/// latest process with a matching signal start event gets a new instance.
pub(crate) fn broadcast_signal(m: &mut Machine, name: Arc<str>, variables: Arc<Map<String, Value>>) -> i64 {
    let key = m.key();
    m.write(
        key,
        Intent::SignalBroadcasted,
        RecordValue::Signal(SignalRecord { name: name.clone(), variables: variables.clone() }),
    );
    let mut subs: Vec<(i64, SubscriptionRecord)> =
        m.state.signal_subscriptions.iter().filter(|(_, s)| s.name == name).map(|(k, s)| (*k, s.clone())).collect();
    subs.sort_by_key(|(k, _)| *k);
    for (_, sub) in subs {
        events::trigger(m, sub.element_instance_key, sub.element, variables.clone(), false);
    }
    for (def, start) in start_events(
        m,
        |t| matches!(t, ModelTrigger::Signal(crate::expression::ValueOrExpression::Static(n)) if *n == name),
    ) {
        start_instance_at(m, def, start, variables.clone());
    }
    key
}
