//! List functions. Positions are 1-based; a negative position counts from the end.

use super::items_of;
use crate::compare::{equals, order};
use crate::lookup::VariableLookup;
use crate::value::Value;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Ordering;

fn list(arguments: &[Value]) -> Option<&Vec<Value>> {
    match arguments.first() {
        Some(Value::List(items)) => Some(items),
        _ => None,
    }
}

/// `list contains(list, element)`.
pub(crate) fn list_contains(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match (list(arguments), arguments.get(1)) {
        (Some(items), Some(wanted)) => Value::Bool(items.iter().any(|item| equals(item, wanted) == Some(true))),
        _ => Value::Null,
    }
}

/// `count(list)`.
pub(crate) fn count(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    list(arguments).map_or(Value::Null, |items| Value::Number(items.len().into()))
}

fn numbers(arguments: &[Value]) -> Option<Vec<Decimal>> {
    items_of(arguments)?.iter().map(|item| if let Value::Number(n) = item { Some(*n) } else { None }).collect()
}

/// `sum(list)` or `sum(n1, n2, ...)`; `null` for an empty list or a non-number item.
pub(crate) fn sum(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let Some(numbers) = numbers(arguments).filter(|numbers| !numbers.is_empty()) else { return Value::Null };
    numbers.iter().try_fold(Decimal::ZERO, |total, n| total.checked_add(*n)).map_or(Value::Null, Value::Number)
}

/// `product(list)` or `product(n1, n2, ...)`; `null` for an empty list or a non-number item.
pub(crate) fn product(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let Some(numbers) = numbers(arguments).filter(|numbers| !numbers.is_empty()) else { return Value::Null };
    numbers.iter().try_fold(Decimal::ONE, |total, n| total.checked_mul(*n)).map_or(Value::Null, Value::Number)
}

/// `mean(list)` or `mean(n1, n2, ...)`.
pub(crate) fn mean(arguments: &[Value], variables: &dyn VariableLookup) -> Value {
    match (sum(arguments, variables), numbers(arguments)) {
        (Value::Number(total), Some(numbers)) => {
            total.checked_div(Decimal::from(numbers.len())).map_or(Value::Null, Value::Number)
        }
        _ => Value::Null,
    }
}

fn extreme(arguments: &[Value], wanted: Ordering) -> Value {
    let Some(items) = items_of(arguments) else { return Value::Null };
    let mut best: Option<&Value> = None;
    for item in items {
        best = match best {
            None => Some(item),
            Some(current) => match order(item, current) {
                Some(ordering) if ordering == wanted => Some(item),
                Some(_) => Some(current),
                None => return Value::Null,
            },
        };
    }
    best.cloned().unwrap_or(Value::Null)
}

/// `min(list)` or `min(a, b, ...)`: numbers, strings or temporal values of one kind.
pub(crate) fn min(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    extreme(arguments, Ordering::Less)
}

/// `max(list)` or `max(a, b, ...)`.
pub(crate) fn max(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    extreme(arguments, Ordering::Greater)
}

fn booleans(arguments: &[Value], stop_at: bool) -> Value {
    let Some(items) = items_of(arguments) else { return Value::Null };
    let mut unknown = false;
    for item in items {
        match item {
            Value::Bool(b) if *b == stop_at => return Value::Bool(stop_at),
            Value::Bool(_) => {}
            _ => unknown = true,
        }
    }
    if unknown { Value::Null } else { Value::Bool(!stop_at) }
}

/// `all(list)`: false if any item is false, else null if any is not a boolean, else true.
pub(crate) fn all(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    booleans(arguments, false)
}

/// `any(list)`: true if any item is true, else null if any is not a boolean, else false.
pub(crate) fn any(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    booleans(arguments, true)
}

/// `append(list, item...)`.
pub(crate) fn append(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments.split_first() {
        Some((Value::List(items), rest)) => Value::List(items.iter().chain(rest).cloned().collect()),
        _ => Value::Null,
    }
}

/// `concatenate(list...)`.
pub(crate) fn concatenate(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let mut result = Vec::new();
    for argument in arguments {
        match argument {
            Value::List(items) => result.extend(items.iter().cloned()),
            _ => return Value::Null,
        }
    }
    Value::List(result)
}

fn push_distinct(result: &mut Vec<Value>, item: &Value) {
    if !result.iter().any(|seen| equals(seen, item) == Some(true)) {
        result.push(item.clone());
    }
}

/// `distinct values(list)`: first occurrences, in order.
pub(crate) fn distinct_values(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    list(arguments).map_or(Value::Null, |items| {
        let mut result = Vec::new();
        items.iter().for_each(|item| push_distinct(&mut result, item));
        Value::List(result)
    })
}

/// `union(list...)`: distinct items of all lists.
pub(crate) fn union(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let mut result = Vec::new();
    for argument in arguments {
        match argument {
            Value::List(items) => items.iter().for_each(|item| push_distinct(&mut result, item)),
            _ => return Value::Null,
        }
    }
    Value::List(result)
}

fn flatten_into(items: &[Value], result: &mut Vec<Value>) {
    for item in items {
        match item {
            Value::List(inner) => flatten_into(inner, result),
            other => result.push(other.clone()),
        }
    }
}

/// `flatten(list)`: nested lists spliced in, at any depth.
pub(crate) fn flatten(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    list(arguments).map_or(Value::Null, |items| {
        let mut result = Vec::new();
        flatten_into(items, &mut result);
        Value::List(result)
    })
}

/// `index of(list, match)`: all 1-based positions of `match`.
pub(crate) fn index_of(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match (list(arguments), arguments.get(1)) {
        (Some(items), Some(wanted)) => Value::List(
            (1..)
                .zip(items)
                .filter(|(_, item)| equals(item, wanted) == Some(true))
                .map(|(position, _): (u64, _)| Value::Number(position.into()))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// `reverse(list)`.
pub(crate) fn reverse(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    list(arguments).map_or(Value::Null, |items| Value::List(items.iter().rev().cloned().collect()))
}

/// `sort(list)`: ascending natural order (numbers, strings or temporals of one kind); `null` when the
/// items cannot be ordered. The `precedes` function argument of FEEL is not supported.
pub(crate) fn sort(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let Some(items) = list(arguments) else { return Value::Null };
    let comparable = items.windows(2).all(|pair| match pair {
        [a, b] => order(a, b).is_some(),
        _ => true,
    });
    if !comparable {
        return Value::Null;
    }
    let mut sorted = items.clone();
    sorted.sort_by(|a, b| order(a, b).unwrap_or(Ordering::Equal));
    Value::List(sorted)
}

/// Converts a 1-based (negative: from the end) position to a 0-based index within `len`.
pub(crate) fn index(position: &Decimal, len: usize) -> Option<usize> {
    let position = position.trunc().to_i64()?;
    let len = i64::try_from(len).ok()?;
    let zero_based = match position {
        p if p > 0 => p - 1,
        p if p < 0 => len + p,
        _ => return None,
    };
    (0..len).contains(&zero_based).then(|| usize::try_from(zero_based).ok()).flatten()
}

/// `sublist(list, start position, length?)`.
pub(crate) fn sublist(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let (items, start, length) = match arguments {
        [Value::List(items), Value::Number(start)] => (items, start, None),
        [Value::List(items), Value::Number(start), Value::Number(length)] => (items, start, Some(length)),
        _ => return Value::Null,
    };
    let Some(first) = index(start, items.len()) else { return Value::Null };
    let take = match length.map(|l| l.to_usize()) {
        None => items.len(),
        Some(Some(l)) => l,
        Some(None) => return Value::Null,
    };
    Value::List(items.iter().skip(first).take(take).cloned().collect())
}

/// `insert before(list, position, newItem)`.
pub(crate) fn insert_before(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::List(items), Value::Number(position), item] => match index(position, items.len()) {
            Some(at) => {
                let mut result = items.clone();
                result.insert(at, item.clone());
                Value::List(result)
            }
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

/// `remove(list, position)`.
pub(crate) fn remove(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::List(items), Value::Number(position)] => match index(position, items.len()) {
            Some(at) => {
                let mut result = items.clone();
                result.remove(at);
                Value::List(result)
            }
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

/// `is empty(list)`.
pub(crate) fn is_empty(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    list(arguments).map_or(Value::Null, |items| Value::Bool(items.is_empty()))
}

/// `duplicate values(list)`: the items that occur more than once, each listed once.
pub(crate) fn duplicate_values(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    list(arguments).map_or(Value::Null, |items| {
        let mut result = Vec::new();
        for (at, item) in items.iter().enumerate() {
            let repeated = items.iter().skip(at + 1).any(|later| equals(later, item) == Some(true));
            if repeated {
                push_distinct(&mut result, item);
            }
        }
        Value::List(result)
    })
}

/// `partition(list, size)`: consecutive sublists of `size` items (the last may be shorter).
pub(crate) fn partition(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let [Value::List(items), Value::Number(size)] = arguments else { return Value::Null };
    match size.to_usize().filter(|size| *size > 0) {
        Some(size) => Value::List(items.chunks(size).map(|chunk| Value::List(chunk.to_vec())).collect()),
        None => Value::Null,
    }
}
