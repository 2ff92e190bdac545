//! Multi-instance behaviour (Zeebe §3.10): the input collection, inner instances with
//! `loopCounter` and the input element, the output collection in input order, and the
//! completion condition with its `numberOf*` variables.

use std::sync::Arc;

use serde_json::Value;

use super::{transitions, variables};
use crate::model::MultiInstance;
use crate::processing::Machine;
use crate::processing::lifecycle::{Element, Failure};

/// The items to iterate: the input collection (must be an array) or `1..=cardinality`.
pub(crate) fn items(m: &Machine, body: &Element, spec: &MultiInstance) -> Result<Vec<Value>, Failure> {
    let view = m.view(body.key);
    if let Some(collection) = &spec.input_collection {
        return match collection.evaluate(&view).map_err(Failure::extract_value)? {
            Value::Array(items) => Ok(items),
            other => Err(Failure::extract_value(collection.type_error("ARRAY", &other))),
        };
    }
    match spec.cardinality.as_ref().map(|c| (c, c.evaluate(&view))) {
        Some((_, Ok(Value::Number(n)))) => Ok((1..=n.as_u64().unwrap_or(0)).map(Value::from).collect()),
        Some((c, Ok(other))) => Err(Failure::extract_value(c.type_error("NUMBER", &other))),
        Some((_, Err(message))) => Err(Failure::extract_value(message)),
        None => Ok(Vec::new()),
    }
}

/// Creates inner instance number `counter` (1-based) with its local `loopCounter`, input element
/// and (when `outputElement` is a plain name) a `null` output variable.
pub(crate) fn activate_inner(m: &mut Machine, body: &Element, spec: &MultiInstance, counter: u32, item: Value) {
    let key = transitions::activate_with_counter(m, body.key, body.def, body.node, counter, None);
    variables::set_local(m, key, body.process_instance, Arc::from("loopCounter"), Value::from(counter));
    if let Some(name) = &spec.input_element {
        variables::set_local(m, key, body.process_instance, name.clone(), item);
    }
    if let Some(name) = spec.output_element.as_ref().and_then(|e| e.as_variable_name())
        && Some(name) != spec.input_element.as_deref()
    {
        variables::set_local(m, key, body.process_instance, Arc::from(name), Value::Null);
    }
}

/// Stores an inner instance's `outputElement` at its index of the body's output collection.
pub(crate) fn collect_output(m: &mut Machine, inner: &Element) -> Result<(), Failure> {
    let Some(spec) = inner.node().multi_instance.as_deref() else { return Ok(()) };
    let (Some(collection), Some(output)) = (&spec.output_collection, &spec.output_element) else { return Ok(()) };
    let value = output.evaluate(&m.view(inner.key)).map_err(Failure::extract_value)?;
    let counter = m.state.element(inner.key).map_or(0, |e| e.loop_counter) as usize;
    let mut list = match m.state.local_variable(inner.flow_scope, collection) {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    if counter == 0 {
        return Ok(());
    }
    if list.len() < counter {
        list.resize(counter, Value::Null);
    }
    list[counter - 1] = value;
    variables::set_local(m, inner.flow_scope, inner.process_instance, collection.clone(), Value::Array(list));
    Ok(())
}

/// Evaluates the completion condition with the `numberOf*` counters shadowing variables.
pub(crate) fn completion_condition_met(
    m: &Machine,
    body: &Element,
    spec: &MultiInstance,
    total: usize,
) -> Result<bool, Failure> {
    let Some(condition) = &spec.completion_condition else { return Ok(false) };
    let Some(instance) = m.state.element(body.key) else { return Ok(false) };
    let extra = [
        ("numberOfInstances", Value::from(total)),
        ("numberOfActiveInstances", Value::from(instance.active_children)),
        ("numberOfCompletedInstances", Value::from(instance.completed_children())),
        ("numberOfTerminatedInstances", Value::from(instance.terminated_children())),
    ];
    condition.evaluate_bool(&m.view(body.key).with_extra(&extra)).map_err(Failure::extract_value)
}
