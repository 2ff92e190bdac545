//! Tree-walking evaluation of a parsed expression with Zeebe's FEEL semantics: missing variables and
//! failed operations are `null`, `and`/`or` are three-valued, comparisons with `null` are `null`
//! except `=` and `!=`.

use crate::ast::{BinaryOp, Expr, Iteration, Quantifier};
use crate::builtins::lists::index;
use crate::compare::{equals, order};
use crate::error::FeelError;
use crate::lookup::VariableLookup;
use crate::temporal;
use crate::value::{Context, Range, Value};
use chrono::{Datelike, TimeDelta, Timelike};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use std::cmp::Ordering;

/// The most items a numeric range may produce when iterated (`for i in 1..n`).
pub(crate) const MAX_RANGE_ITEMS: i64 = 1_000_000;

/// The result of an evaluation step; the error is boxed so results stay as small as a [`Value`].
type Flow<T> = Result<T, Box<FeelError>>;

/// An evaluation failure concerning the whole expression.
fn failure(message: impl Into<String>) -> Box<FeelError> {
    Box::new(FeelError::evaluation(message))
}

/// Evaluates `expr` against `variables`.
pub(crate) fn evaluate(expr: &Expr, variables: &dyn VariableLookup) -> Result<Value, FeelError> {
    Evaluator { variables }.eval(expr, None).map_err(|error| *error)
}

/// A local binding on top of the variables, innermost first.
struct Local<'a> {
    binding: Binding<'a>,
    parent: Option<&'a Local<'a>>,
}

/// What a [`Local`] puts in scope.
enum Binding<'a> {
    /// An iteration variable of `for`, `some` or `every`.
    Named(&'a str, &'a Value),
    /// The current item of a filter: `item` and, for a context item, its entries.
    Item(&'a Value),
    /// The entries defined so far in a context literal (`{a: 1, b: a + 1}`).
    Entries(&'a Context),
}

struct Evaluator<'v> {
    variables: &'v dyn VariableLookup,
}

impl Evaluator<'_> {
    fn resolve(&self, name: &str, scope: Option<&Local<'_>>) -> Option<Value> {
        match scope {
            None => self.variables.lookup(name),
            Some(_) => self.local(name, scope).or_else(|| self.variables.lookup(name)),
        }
    }

    /// `name.segments...`: a local binding walked here, or a variable walked by the lookup.
    fn resolve_path(&self, name: &str, segments: &[String], scope: Option<&Local<'_>>) -> Value {
        let resolved = match self.local(name, scope) {
            Some(value) => Some((value, 0)),
            None => self.variables.lookup_path(name, segments),
        };
        let Some((mut value, consumed)) = resolved else { return Value::Null };
        for segment in segments.get(consumed..).unwrap_or_default() {
            value = path(value, segment);
        }
        value
    }

    fn local(&self, name: &str, scope: Option<&Local<'_>>) -> Option<Value> {
        let mut frame = scope;
        while let Some(local) = frame {
            let found = match local.binding {
                Binding::Named(bound, value) => (bound == name).then_some(value),
                Binding::Item(item) if name == "item" => Some(item),
                Binding::Item(Value::Context(entries)) | Binding::Entries(entries) => entries.get(name),
                Binding::Item(_) => None,
            };
            if let Some(value) = found {
                return Some(value.clone());
            }
            frame = local.parent;
        }
        None
    }

    /// The hot cases (names, literals, operators) stay small; the rest is out of line.
    fn eval(&self, expr: &Expr, scope: Option<&Local<'_>>) -> Flow<Value> {
        match expr {
            Expr::Literal(value) => Ok(value.clone()),
            Expr::Name(name) => Ok(self.resolve(name, scope).unwrap_or(Value::Null)),
            Expr::Binary(op, left, right) => Ok(binary(*op, &self.eval(left, scope)?, &self.eval(right, scope)?)),
            Expr::And(left, right) => Ok(match self.eval(left, scope)? {
                Value::Bool(false) => Value::Bool(false),
                left => match (left, self.eval(right, scope)?) {
                    (_, Value::Bool(false)) => Value::Bool(false),
                    (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                    _ => Value::Null,
                },
            }),
            Expr::Or(left, right) => Ok(match self.eval(left, scope)? {
                Value::Bool(true) => Value::Bool(true),
                left => match (left, self.eval(right, scope)?) {
                    (_, Value::Bool(true)) => Value::Bool(true),
                    (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                    _ => Value::Null,
                },
            }),
            other => self.eval_compound(other, scope),
        }
    }

    #[inline(never)]
    fn eval_compound(&self, expr: &Expr, scope: Option<&Local<'_>>) -> Flow<Value> {
        Ok(match expr {
            Expr::Literal(_) | Expr::Name(_) | Expr::Binary(..) | Expr::And(..) | Expr::Or(..) => {
                self.eval(expr, scope)?
            }
            Expr::VariablePath(name, segments) => self.resolve_path(name, segments, scope),
            Expr::Path(target, name) => path(self.eval(target, scope)?, name),
            Expr::Filter(target, filter) => self.filter(self.eval(target, scope)?, filter, scope)?,
            Expr::Call(builtin, arguments) => {
                let values = arguments.iter().map(|a| self.eval(a, scope)).collect::<Result<Vec<_>, _>>()?;
                builtin.call(&values, self.variables)
            }
            Expr::IsDefined(argument) => Value::Bool(self.defined(argument, scope)?.is_some()),
            Expr::Assert(value, condition, message) => {
                let value = self.eval(value, scope)?;
                if self.eval(condition, scope)? != Value::Bool(true) {
                    let message = match message {
                        Some(message) => match self.eval(message, scope)? {
                            Value::String(text) => text,
                            other => crate::builtins::conversion::to_feel_string(&other),
                        },
                        None => "the assertion's condition is not true".to_string(),
                    };
                    return Err(failure(format!("assertion failed: {message}")));
                }
                value
            }
            Expr::Negate(operand) => negate(self.eval(operand, scope)?),
            Expr::Between(value, low, high) => {
                let value = self.eval(value, scope)?;
                let range = Range {
                    start: self.eval(low, scope)?,
                    start_closed: true,
                    end: self.eval(high, scope)?,
                    end_closed: true,
                };
                range_contains(&range, &value).map_or(Value::Null, Value::Bool)
            }
            Expr::In(value, tests) => in_tests(&self.eval(value, scope)?, &self.eval(tests, scope)?),
            Expr::InstanceOf(value, type_name) => {
                let value = self.eval(value, scope)?;
                Value::Bool(match type_name.as_str() {
                    "Any" => value != Value::Null,
                    name => value.feel_type_name() == name,
                })
            }
            Expr::If(condition, then, otherwise) => match self.eval(condition, scope)? {
                Value::Bool(true) => self.eval(then, scope)?,
                _ => self.eval(otherwise, scope)?,
            },
            Expr::For(iterations, body) => {
                let mut results = Vec::new();
                match self.iterate(iterations, body, scope, &mut results)? {
                    true => Value::List(results),
                    false => Value::Null,
                }
            }
            Expr::Quantified(quantifier, iterations, condition) => {
                let mut results = Vec::new();
                if !self.iterate(iterations, condition, scope, &mut results)? {
                    return Ok(Value::Null);
                }
                quantify(*quantifier, &results)
            }
            Expr::List(items) => {
                Value::List(items.iter().map(|item| self.eval(item, scope)).collect::<Result<_, _>>()?)
            }
            Expr::Context(entries) => {
                let mut context = Context::new();
                for (key, expr) in entries {
                    let local = Local { binding: Binding::Entries(&context), parent: scope };
                    let value = self.eval(expr, Some(&local))?;
                    context.insert(key.clone(), value);
                }
                Value::Context(context)
            }
            Expr::Range { start, start_closed, end, end_closed } => Value::Range(Box::new(Range {
                start: self.eval(start, scope)?,
                start_closed: *start_closed,
                end: self.eval(end, scope)?,
                end_closed: *end_closed,
            })),
        })
    }

    /// The value of a name or path if it is defined; any other expression is defined.
    fn defined(&self, expr: &Expr, scope: Option<&Local<'_>>) -> Flow<Option<Value>> {
        match expr {
            Expr::Name(name) => Ok(self.resolve(name, scope)),
            Expr::VariablePath(name, segments) => {
                let mut current = self.resolve(name, scope);
                for segment in segments {
                    current = current.and_then(|value| defined_entry(value, segment));
                }
                Ok(current)
            }
            Expr::Path(target, name) => Ok(self.defined(target, scope)?.and_then(|value| defined_entry(value, name))),
            other => self.eval(other, scope).map(Some),
        }
    }

    fn filter(&self, target: Value, filter: &Expr, scope: Option<&Local<'_>>) -> Flow<Value> {
        let items = match target {
            Value::Null => return Ok(Value::Null),
            Value::List(items) => items,
            single => vec![single],
        };
        if let Value::Number(position) = self.eval(filter, scope)? {
            return Ok(index(&position, items.len()).and_then(|at| items.get(at).cloned()).unwrap_or(Value::Null));
        }
        let mut kept = Vec::new();
        for item in items {
            let local = Local { binding: Binding::Item(&item), parent: scope };
            if self.eval(filter, Some(&local))? == Value::Bool(true) {
                kept.push(item);
            }
        }
        Ok(Value::List(kept))
    }

    /// Runs `body` for every combination of the iterations, appending results; false when a source is
    /// not iterable (FEEL then yields `null`).
    fn iterate(
        &self,
        iterations: &[Iteration],
        body: &Expr,
        scope: Option<&Local<'_>>,
        results: &mut Vec<Value>,
    ) -> Flow<bool> {
        let Some((first, rest)) = iterations.split_first() else {
            results.push(self.eval(body, scope)?);
            return Ok(true);
        };
        let items = match self.eval(&first.source, scope)? {
            Value::List(items) => items,
            Value::Range(range) => range_items(&range)?,
            Value::Null => return Ok(false),
            single => vec![single],
        };
        for item in &items {
            let local = Local { binding: Binding::Named(&first.name, item), parent: scope };
            if !self.iterate(rest, body, Some(&local), results)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// `value.name` if that entry exists (for a context) or is not null (for other values).
fn defined_entry(value: Value, name: &str) -> Option<Value> {
    match value {
        Value::Context(mut entries) => entries.remove(name),
        other => Some(path(other, name)).filter(|value| *value != Value::Null),
    }
}

/// As Camunda documents it: `some` is true if the condition is true for at least one element, else
/// false; `every` is true if it is true for all elements, else false (a `null` result counts as not
/// true, so neither yields `null`).
fn quantify(quantifier: Quantifier, results: &[Value]) -> Value {
    let is_true = |result: &Value| *result == Value::Bool(true);
    Value::Bool(match quantifier {
        Quantifier::Some => results.iter().any(is_true),
        Quantifier::Every => results.iter().all(is_true),
    })
}

/// The whole numbers of a range used as an iteration source, ascending or descending.
fn range_items(range: &Range) -> Flow<Vec<Value>> {
    let (Value::Number(start), Value::Number(end)) = (&range.start, &range.end) else {
        return Err(failure("a range to iterate over needs number bounds"));
    };
    let (Some(start), Some(end)) = (start.to_i64(), end.to_i64()) else {
        return Err(failure("a range to iterate over needs whole-number bounds"));
    };
    if start.abs_diff(end) >= MAX_RANGE_ITEMS.unsigned_abs() {
        return Err(failure(format!(
            "the range {start}..{end} has more than {MAX_RANGE_ITEMS} items; iterate over a smaller range"
        )));
    }
    let step = if end >= start { 1 } else { -1 };
    let mut items = Vec::new();
    let mut current = start;
    loop {
        items.push(Value::Number(Decimal::from(current)));
        if current == end {
            return Ok(items);
        }
        current += step;
    }
}

/// Whether `value` lies in `range`; `None` when the bounds and the value are not comparable.
fn range_contains(range: &Range, value: &Value) -> Option<bool> {
    let above_start = match order(&range.start, value)? {
        Ordering::Less => true,
        Ordering::Equal => range.start_closed,
        Ordering::Greater => false,
    };
    let below_end = match order(value, &range.end)? {
        Ordering::Less => true,
        Ordering::Equal => range.end_closed,
        Ordering::Greater => false,
    };
    Some(above_start && below_end)
}

/// `value in tests`: a list means "equal to one of the items (or inside one of its ranges)".
fn in_tests(value: &Value, tests: &Value) -> Value {
    let single = |test: &Value| match test {
        Value::Range(range) => range_contains(range, value),
        other => equals(value, other),
    };
    match tests {
        Value::List(items) => Value::Bool(items.iter().any(|item| single(item) == Some(true))),
        other => single(other).map_or(Value::Null, Value::Bool),
    }
}

/// `target.name`: a context entry, a projection over a list, or a temporal property.
fn path(target: Value, name: &str) -> Value {
    let number = |n: i64| Value::Number(Decimal::from(n));
    match (&target, name) {
        (Value::Context(entries), _) => entries.get(name).cloned().unwrap_or(Value::Null),
        (Value::List(items), _) => Value::List(items.iter().map(|item| path(item.clone(), name)).collect()),
        (Value::Date(date), _) => date_property(*date, name),
        (Value::DateTime(at), "hour") => number(i64::from(at.hour())),
        (Value::DateTime(at), "minute") => number(i64::from(at.minute())),
        (Value::DateTime(at), "second") => number(i64::from(at.second())),
        (Value::DateTime(at), _) => date_property(at.date_naive(), name),
        (Value::LocalDateTime(at), "hour") => number(i64::from(at.hour())),
        (Value::LocalDateTime(at), "minute") => number(i64::from(at.minute())),
        (Value::LocalDateTime(at), "second") => number(i64::from(at.second())),
        (Value::LocalDateTime(at), _) => date_property(at.date(), name),
        (Value::DayTimeDuration(d), "days") => number(d.num_days()),
        (Value::DayTimeDuration(d), "hours") => number(d.num_hours() % 24),
        (Value::DayTimeDuration(d), "minutes") => number(d.num_minutes() % 60),
        (Value::DayTimeDuration(d), "seconds") => number(d.num_seconds() % 60),
        (Value::YearMonthDuration(m), "years") => number(m / 12),
        (Value::YearMonthDuration(m), "months") => number(m % 12),
        _ => Value::Null,
    }
}

fn date_property(date: chrono::NaiveDate, name: &str) -> Value {
    let value = match name {
        "year" => i64::from(date.year()),
        "month" => i64::from(date.month()),
        "day" => i64::from(date.day()),
        "weekday" => i64::from(date.weekday().number_from_monday()),
        _ => return Value::Null,
    };
    Value::Number(Decimal::from(value))
}

fn negate(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::Number(-n),
        Value::DayTimeDuration(d) => d.checked_mul(-1).map_or(Value::Null, Value::DayTimeDuration),
        Value::YearMonthDuration(m) => m.checked_neg().map_or(Value::Null, Value::YearMonthDuration),
        _ => Value::Null,
    }
}

/// Numbers take a short path; everything else goes through [`binary_general`].
#[inline]
fn binary(op: BinaryOp, left: &Value, right: &Value) -> Value {
    if let (Value::Number(a), Value::Number(b)) = (left, right) {
        let result = match op {
            BinaryOp::Add => a.checked_add(*b),
            BinaryOp::Subtract => a.checked_sub(*b),
            BinaryOp::Multiply => a.checked_mul(*b),
            BinaryOp::Less => return Value::Bool(a < b),
            BinaryOp::LessEqual => return Value::Bool(a <= b),
            BinaryOp::Greater => return Value::Bool(a > b),
            BinaryOp::GreaterEqual => return Value::Bool(a >= b),
            BinaryOp::Equal => return Value::Bool(a == b),
            BinaryOp::NotEqual => return Value::Bool(a != b),
            BinaryOp::Divide | BinaryOp::Power => return binary_general(op, left, right),
        };
        return result.map_or(Value::Null, Value::Number);
    }
    binary_general(op, left, right)
}

#[inline(never)]
fn binary_general(op: BinaryOp, left: &Value, right: &Value) -> Value {
    let ordered = |accept: fn(Ordering) -> bool| order(left, right).map_or(Value::Null, |o| Value::Bool(accept(o)));
    match op {
        BinaryOp::Equal => equals(left, right).map_or(Value::Null, Value::Bool),
        BinaryOp::NotEqual => equals(left, right).map_or(Value::Null, |equal| Value::Bool(!equal)),
        BinaryOp::Less => ordered(Ordering::is_lt),
        BinaryOp::LessEqual => ordered(Ordering::is_le),
        BinaryOp::Greater => ordered(Ordering::is_gt),
        BinaryOp::GreaterEqual => ordered(Ordering::is_ge),
        BinaryOp::Add => match (left, right) {
            (Value::Number(a), Value::Number(b)) => a.checked_add(*b).map_or(Value::Null, Value::Number),
            (Value::String(a), Value::String(b)) => Value::String(format!("{a}{b}")),
            _ => temporal::add(left, right, false).unwrap_or(Value::Null),
        },
        BinaryOp::Subtract => match (left, right) {
            (Value::Number(a), Value::Number(b)) => a.checked_sub(*b).map_or(Value::Null, Value::Number),
            _ => temporal::add(left, right, true).unwrap_or(Value::Null),
        },
        BinaryOp::Multiply => match (left, right) {
            (Value::Number(a), Value::Number(b)) => a.checked_mul(*b).map_or(Value::Null, Value::Number),
            (Value::DayTimeDuration(d), Value::Number(n)) | (Value::Number(n), Value::DayTimeDuration(d)) => {
                scale_duration(*d, *n)
            }
            (Value::YearMonthDuration(m), Value::Number(n)) | (Value::Number(n), Value::YearMonthDuration(m)) => {
                Decimal::from(*m)
                    .checked_mul(*n)
                    .and_then(|months| months.round().to_i64())
                    .map_or(Value::Null, Value::YearMonthDuration)
            }
            _ => Value::Null,
        },
        BinaryOp::Divide => match (left, right) {
            (Value::Number(a), Value::Number(b)) => a.checked_div(*b).map_or(Value::Null, Value::Number),
            (Value::DayTimeDuration(d), Value::Number(n)) => {
                Decimal::ONE.checked_div(*n).map_or(Value::Null, |inverse| scale_duration(*d, inverse))
            }
            (Value::DayTimeDuration(a), Value::DayTimeDuration(b)) => Decimal::from(a.num_milliseconds())
                .checked_div(Decimal::from(b.num_milliseconds()))
                .map_or(Value::Null, Value::Number),
            _ => Value::Null,
        },
        BinaryOp::Power => match (left, right) {
            (Value::Number(base), Value::Number(exponent)) => {
                power(*base, *exponent).map_or(Value::Null, Value::Number)
            }
            _ => Value::Null,
        },
    }
}

fn scale_duration(duration: TimeDelta, factor: Decimal) -> Value {
    Decimal::from(duration.num_milliseconds())
        .checked_mul(factor)
        .and_then(|millis| millis.round().to_i64())
        .and_then(TimeDelta::try_milliseconds)
        .map_or(Value::Null, Value::DayTimeDuration)
}

/// `base ** exponent`: exact for whole exponents, through `f64` otherwise.
fn power(base: Decimal, exponent: Decimal) -> Option<Decimal> {
    if exponent.fract().is_zero() {
        let whole = exponent.to_i64()?;
        let mut result = Decimal::ONE;
        let mut square = base;
        let mut remaining = whole.unsigned_abs();
        while remaining > 0 {
            if remaining & 1 == 1 {
                result = result.checked_mul(square)?;
            }
            remaining >>= 1;
            if remaining > 0 {
                square = square.checked_mul(square)?;
            }
        }
        return if whole < 0 { Decimal::ONE.checked_div(result) } else { Some(result) };
    }
    let value = base.to_f64()?.powf(exponent.to_f64()?);
    if value.is_finite() { Decimal::from_f64(value) } else { None }
}
