//! FEEL values and their lossless conversion to and from JSON.

use crate::temporal;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The entries of a FEEL context (a JSON object), ordered by key.
pub type Context = BTreeMap<String, Value>;

/// A FEEL value.
///
/// Numbers are decimals (28 significant digits): `0.1 + 0.2 = 0.3`, and a whole number converts to a
/// JSON integer (`1 + 1` gives `2`, not `2.0`). Temporal values convert to ISO 8601 strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, also the result of a missing variable and of most failed operations.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A decimal number.
    Number(Decimal),
    /// A string.
    String(String),
    /// A list (JSON array).
    List(Vec<Value>),
    /// A context (JSON object).
    Context(Context),
    /// A calendar date, `date("2024-01-31")`.
    Date(NaiveDate),
    /// A date and time with a UTC offset, `date and time("2024-01-31T10:00:00Z")`.
    DateTime(DateTime<FixedOffset>),
    /// A date and time without offset, `date and time("2024-01-31T10:00:00")`.
    LocalDateTime(NaiveDateTime),
    /// A days-and-time duration, `duration("P1DT2H")`.
    DayTimeDuration(TimeDelta),
    /// A years-and-months duration in months, `duration("P1Y2M")`.
    YearMonthDuration(i64),
    /// A range such as `[1..10]` or `1..n`.
    Range(Box<Range>),
}

/// The bounds of a range value.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// Lower bound.
    pub start: Value,
    /// True when the lower bound belongs to the range (`[`), false for `(` or `]`.
    pub start_closed: bool,
    /// Upper bound.
    pub end: Value,
    /// True when the upper bound belongs to the range (`]`), false for `)` or `[`.
    pub end_closed: bool,
}

impl Value {
    /// Zeebe's name for the type of this value, as used in incident messages (`NULL`, `BOOLEAN`,
    /// `NUMBER`, `STRING`, `ARRAY`, `OBJECT`, ...).
    pub fn zeebe_type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Number(_) => "NUMBER",
            Value::String(_) => "STRING",
            Value::List(_) => "ARRAY",
            Value::Context(_) => "OBJECT",
            Value::Date(_) => "DATE",
            Value::DateTime(_) | Value::LocalDateTime(_) => "DATE_TIME",
            Value::DayTimeDuration(_) => "DURATION",
            Value::YearMonthDuration(_) => "PERIOD",
            Value::Range(_) => "UNKNOWN",
        }
    }

    /// The FEEL type name of this value, as written after `instance of`.
    pub fn feel_type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Context(_) => "context",
            Value::Date(_) => "date",
            Value::DateTime(_) | Value::LocalDateTime(_) => "date and time",
            Value::DayTimeDuration(_) => "days and time duration",
            Value::YearMonthDuration(_) => "years and months duration",
            Value::Range(_) => "range",
        }
    }

    /// Converts this value to JSON. Whole numbers that fit an `i64` become JSON integers, other
    /// numbers JSON floats; temporal values and ranges become ISO 8601 / FEEL strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => Json::String(s.clone()),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Context(entries) => {
                Json::Object(entries.iter().map(|(key, value)| (key.clone(), value.to_json())).collect())
            }
            other => Json::String(temporal::to_text(other)),
        }
    }

    /// Converts JSON to a FEEL value. Integers convert exactly; a float converts through its shortest
    /// decimal text (`0.1` stays `0.1`). A number outside the decimal range (beyond ±7.9e28 or with
    /// more than 28 significant digits after rounding) becomes `null`.
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as Json;
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => json_number(n).map_or(Value::Null, Value::Number),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            Json::Object(entries) => {
                Value::Context(entries.iter().map(|(key, value)| (key.clone(), Value::from_json(value))).collect())
            }
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(json: &serde_json::Value) -> Self {
        Value::from_json(json)
    }
}

impl From<serde_json::Value> for Value {
    fn from(json: serde_json::Value) -> Self {
        Value::from_json(&json)
    }
}

impl From<&Value> for serde_json::Value {
    fn from(value: &Value) -> Self {
        value.to_json()
    }
}

impl From<Value> for serde_json::Value {
    fn from(value: Value) -> Self {
        value.to_json()
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Decimal::from(n))
    }
}

impl From<Decimal> for Value {
    fn from(n: Decimal) -> Self {
        Value::Number(n)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

fn number_to_json(n: Decimal) -> serde_json::Value {
    let n = n.normalize();
    if n.scale() == 0
        && let Some(int) = n.to_i64()
    {
        return serde_json::Value::from(int);
    }
    // Through text: Rust's float parsing rounds correctly, `Decimal::to_f64` does not always.
    n.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Converts a JSON number to a decimal, `None` when it is out of the decimal range.
pub(crate) fn json_number(n: &serde_json::Number) -> Option<Decimal> {
    if let Some(int) = n.as_i64() {
        return Some(Decimal::from(int));
    }
    if let Some(int) = n.as_u64() {
        return Some(Decimal::from(int));
    }
    let text = n.as_f64()?.to_string();
    Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).ok()
}
