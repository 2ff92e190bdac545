//! Variable behaviour (Zeebe §3.3): local and propagating merges, input and output mappings,
//! and the payload of completions and events.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::model::{Mapping, MappingSource};
use crate::processing::Machine;
use crate::processing::lifecycle::{Element, Failure};
use crate::record::{ErrorType, Intent, RecordValue, VariableRecord};

/// Writes one variable into exactly `scope` (`CREATED` or `UPDATED`; nothing when unchanged).
pub(crate) fn set_local(m: &mut Machine, scope: i64, process_instance: i64, name: Arc<str>, value: Value) {
    let intent = match m.state.local_variable(scope, &name) {
        Some(old) if *old == value => return,
        Some(_) => Intent::VariableUpdated,
        None => Intent::VariableCreated,
    };
    let key = m.key();
    m.write(
        key,
        intent,
        RecordValue::Variable(VariableRecord { name, value, scope_key: scope, process_instance_key: process_instance }),
    );
}

/// Propagating merge starting at `scope`: each variable updates the nearest scope that holds it,
/// else is created in the root scope of the chain.
pub(crate) fn set_propagating(m: &mut Machine, scope: i64, process_instance: i64, name: &str, value: Value) {
    // An existing variable's stored name is shared instead of allocating a new one.
    let (target, name) = match m.state.variable_holder(scope, name) {
        Some((holder, stored)) => (holder, stored.clone()),
        None => (root_of(m, scope), Arc::from(name)),
    };
    set_local(m, target, process_instance, name, value);
}

fn root_of(m: &Machine, scope: i64) -> i64 {
    let mut key = scope;
    while let Some(parent) = m.state.element(key).map(|e| e.flow_scope_key).filter(|p| *p >= 0) {
        key = parent;
    }
    key
}

/// Hands a container's collected output (`outputCollection` of a multi-instance body or an
/// ad-hoc sub-process) to its flow scope, `[]` when nothing was collected.
pub(crate) fn propagate_collection(m: &mut Machine, element: &Element, collection: &str) {
    let value = m.state.local_variable(element.key, collection).cloned().unwrap_or(Value::Array(Vec::new()));
    set_propagating(m, element.flow_scope, element.process_instance, collection, value);
}

/// Merges a document into exactly `scope`.
pub(crate) fn merge_local(m: &mut Machine, scope: i64, process_instance: i64, document: &Map<String, Value>) {
    for (name, value) in document {
        set_local(m, scope, process_instance, Arc::from(name.as_str()), value.clone());
    }
}

/// Merges a document with propagation starting at `scope`.
pub(crate) fn merge_propagating(m: &mut Machine, scope: i64, process_instance: i64, document: &Map<String, Value>) {
    for (name, value) in document {
        set_propagating(m, scope, process_instance, name, value.clone());
    }
}

/// Variables from a job completion, message, signal or user task: local when the element has
/// output mappings (they decide what leaves), else propagated from the element's own scope.
pub(crate) fn apply_payload(m: &mut Machine, element: &Element, document: &Map<String, Value>, local_only: bool) {
    if local_only || !element.node().outputs.is_empty() {
        merge_local(m, element.key, element.process_instance, document);
    } else {
        merge_propagating(m, element.key, element.process_instance, document);
    }
}

/// Evaluates the input mappings in order into the element's local scope.
pub(crate) fn apply_input_mappings(m: &mut Machine, element: &Element) -> Result<(), Failure> {
    let process = &element.process;
    for mapping in &process.node(element.node).inputs {
        let value = evaluate(m, element.key, mapping)?;
        let (name, value) = nest(m.state.local_variable(element.key, &mapping.target[0]), mapping, value);
        set_local(m, element.key, element.process_instance, name, value);
    }
    Ok(())
}

/// Evaluates the output mappings in the element scope and merges the results, propagating from
/// the flow scope (from the element itself for an inner multi-instance instance).
pub(crate) fn apply_output_mappings(m: &mut Machine, element: &Element) -> Result<(), Failure> {
    let process = &element.process;
    let outputs = &process.node(element.node).outputs;
    if outputs.is_empty() {
        return Ok(());
    }
    let start = if element.is_inner { element.key } else { element.flow_scope };
    let mut results = Vec::with_capacity(outputs.len());
    for mapping in outputs {
        results.push((mapping, evaluate(m, element.key, mapping)?));
    }
    for (mapping, value) in results {
        let (name, value) = nest(m.state.variable(start, &mapping.target[0]), mapping, value);
        set_propagating(m, start, element.process_instance, &name, value);
    }
    Ok(())
}

fn evaluate(m: &Machine, scope: i64, mapping: &Mapping) -> Result<Value, Failure> {
    match &mapping.source {
        MappingSource::Null => Ok(Value::Null),
        MappingSource::Static(v) => Ok(v.clone()),
        MappingSource::Expression(e) => e.evaluate(&m.view(scope)).map_err(|message| {
            Failure::new(
                ErrorType::IoMappingError,
                format!("Failed to evaluate expression '{}': {message}", e.source()),
            )
        }),
    }
}

/// For a dotted target (`order.status`), puts `value` into a copy of the existing object at the
/// first path segment (other keys kept); returns the variable name and its new value.
fn nest(existing: Option<&Value>, mapping: &Mapping, value: Value) -> (Arc<str>, Value) {
    let name = mapping.target[0].clone();
    if mapping.target.len() == 1 {
        return (name, value);
    }
    let mut root = match existing {
        Some(Value::Object(o)) => Value::Object(o.clone()),
        _ => Value::Object(Map::new()),
    };
    let mut cursor = &mut root;
    for (i, part) in mapping.target.iter().enumerate().skip(1) {
        let Value::Object(map) = cursor else { break };
        if i == mapping.target.len() - 1 {
            map.insert(part.to_string(), value);
            break;
        }
        let slot = map.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        cursor = slot;
    }
    (name, root)
}
