//! Context functions and the boolean / null helpers `not()` and `get or else()`.

use crate::lookup::VariableLookup;
use crate::value::{Context, Value};

/// `get value(context, key)`; `key` may also be a list of keys, a path into nested contexts.
pub(crate) fn get_value(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::Context(entries), Value::String(key)] => entries.get(key).cloned().unwrap_or(Value::Null),
        [Value::Context(_), Value::List(keys)] => {
            let mut current = arguments.first();
            for key in keys {
                current = match (current, key) {
                    (Some(Value::Context(entries)), Value::String(key)) => entries.get(key),
                    _ => None,
                };
            }
            current.cloned().unwrap_or(Value::Null)
        }
        _ => Value::Null,
    }
}

/// `get entries(context)`: a list of `{key, value}` contexts.
pub(crate) fn get_entries(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let [Value::Context(entries)] = arguments else { return Value::Null };
    Value::List(
        entries
            .iter()
            .map(|(key, value)| {
                Value::Context(Context::from([
                    ("key".to_string(), Value::String(key.clone())),
                    ("value".to_string(), value.clone()),
                ]))
            })
            .collect(),
    )
}

/// `context put(context, key, value)`; `key` may be a list of keys, creating nested contexts.
pub(crate) fn context_put(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::Context(entries), Value::String(key), value] => {
            let mut result = entries.clone();
            result.insert(key.clone(), value.clone());
            Value::Context(result)
        }
        [Value::Context(entries), Value::List(keys), value] => match keys.as_slice() {
            [] => Value::Null,
            keys => put_path(entries, keys, value).map_or(Value::Null, Value::Context),
        },
        _ => Value::Null,
    }
}

fn put_path(entries: &Context, keys: &[Value], value: &Value) -> Option<Context> {
    let (Value::String(key), rest) = keys.split_first()? else { return None };
    let mut result = entries.clone();
    let inner = if rest.is_empty() {
        value.clone()
    } else {
        let nested = match entries.get(key) {
            Some(Value::Context(nested)) => nested.clone(),
            _ => Context::new(),
        };
        Value::Context(put_path(&nested, rest, value)?)
    };
    result.insert(key.clone(), inner);
    Some(result)
}

/// `context merge(contexts)`: later entries win.
pub(crate) fn context_merge(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let [Value::List(contexts)] = arguments else { return Value::Null };
    let mut result = Context::new();
    for context in contexts {
        let Value::Context(entries) = context else { return Value::Null };
        result.extend(entries.iter().map(|(key, value)| (key.clone(), value.clone())));
    }
    Value::Context(result)
}

/// `not(negand)`: `null` for a non-boolean.
pub(crate) fn not(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::Bool(b)] => Value::Bool(!b),
        _ => Value::Null,
    }
}

/// `get or else(value, default)`: `default` when `value` is null.
pub(crate) fn get_or_else(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::Null, default] => default.clone(),
        [value, _] => value.clone(),
        _ => Value::Null,
    }
}
