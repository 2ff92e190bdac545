//! Equality and ordering of values, with FEEL's null rules.

use crate::temporal;
use crate::value::Value;
use std::cmp::Ordering;

/// FEEL `=`: `null = null` is true, `null` against a value is false, values of different types are
/// not comparable (`None`, which FEEL turns into `null`).
pub(crate) fn equals(left: &Value, right: &Value) -> Option<bool> {
    match (left, right) {
        (Value::Null, Value::Null) => Some(true),
        (Value::Null, _) | (_, Value::Null) => Some(false),
        (Value::Bool(a), Value::Bool(b)) => Some(a == b),
        (Value::Number(a), Value::Number(b)) => Some(a == b),
        (Value::String(a), Value::String(b)) => Some(a == b),
        (Value::List(a), Value::List(b)) => {
            if a.len() != b.len() {
                return Some(false);
            }
            all_equal(a.iter().zip(b))
        }
        (Value::Context(a), Value::Context(b)) => {
            if a.len() != b.len() || a.keys().ne(b.keys()) {
                return Some(false);
            }
            all_equal(a.values().zip(b.values()))
        }
        (Value::Range(a), Value::Range(b)) => Some(a == b),
        _ => temporal::compare(left, right).map(|ordering| ordering == Ordering::Equal),
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    for (a, b) in pairs {
        if !equals(a, b)? {
            return Some(false);
        }
    }
    Some(true)
}

/// FEEL ordering (`<`, `>`, ...): numbers, strings and temporal values of the same kind; `None` for
/// anything else, including `null`.
pub(crate) fn order(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => Some(a.cmp(b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => temporal::compare(left, right),
    }
}
