//! Conversion and temporal functions: `string()`, `number()`, `date()`, `date and time()`,
//! `duration()`, `now()`, `today()`, `day of week()`, `month of year()`.

use crate::lookup::VariableLookup;
use crate::temporal;
use crate::value::Value;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

/// The text FEEL's `string()` gives for a value: numbers without trailing zeros, temporals in ISO
/// 8601, lists as `[1, 2]`, contexts as `{a:1}`.
pub(crate) fn to_feel_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.normalize().to_string(),
        Value::String(s) => s.clone(),
        Value::List(items) => format!("[{}]", items.iter().map(quoted).collect::<Vec<_>>().join(", ")),
        Value::Context(entries) => format!(
            "{{{}}}",
            entries.iter().map(|(key, value)| format!("{key}:{}", quoted(value))).collect::<Vec<_>>().join(", ")
        ),
        other => temporal::to_text(other),
    }
}

/// Strings inside lists and contexts print with quotes.
fn quoted(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{s}\""),
        other => to_feel_string(other),
    }
}

/// `string(from)`.
pub(crate) fn string(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::Null] => Value::Null,
        [value] => Value::String(to_feel_string(value)),
        _ => Value::Null,
    }
}

/// `number(from)` and `number(from, grouping separator, decimal separator)`.
pub(crate) fn number(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let text = match arguments {
        [Value::Number(n)] => return Value::Number(*n),
        [Value::String(text)] => text.clone(),
        [Value::String(text), grouping, decimal] => {
            let mut text = text.clone();
            if let Value::String(grouping) = grouping {
                text = text.replace(grouping.as_str(), "");
            }
            if let Value::String(decimal) = decimal {
                text = text.replace(decimal.as_str(), ".");
            }
            text
        }
        _ => return Value::Null,
    };
    let text = text.trim();
    Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)).map_or(Value::Null, Value::Number)
}

/// `date(from)` and `date(year, month, day)`.
pub(crate) fn date(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let date = match arguments {
        [Value::String(text)] => temporal::parse_date(text),
        [Value::Date(date)] => Some(*date),
        [Value::DateTime(at)] => Some(at.date_naive()),
        [Value::LocalDateTime(at)] => Some(at.date()),
        [Value::Number(year), Value::Number(month), Value::Number(day)] => {
            match (year.to_i32(), month.to_u32(), day.to_u32()) {
                (Some(year), Some(month), Some(day)) => NaiveDate::from_ymd_opt(year, month, day),
                _ => None,
            }
        }
        _ => None,
    };
    date.map_or(Value::Null, Value::Date)
}

/// `date and time(from)`.
pub(crate) fn date_and_time(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::String(text)] => temporal::parse_date_time(text).unwrap_or(Value::Null),
        [value @ (Value::DateTime(_) | Value::LocalDateTime(_))] => value.clone(),
        [Value::Date(date)] => date.and_hms_opt(0, 0, 0).map_or(Value::Null, Value::LocalDateTime),
        _ => Value::Null,
    }
}

/// `duration(from)`.
pub(crate) fn duration(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::String(text)] => temporal::parse_duration(text).unwrap_or(Value::Null),
        [value @ (Value::DayTimeDuration(_) | Value::YearMonthDuration(_))] => value.clone(),
        _ => Value::Null,
    }
}

/// `now()`: the current date and time of the variable source's clock.
pub(crate) fn now(_: &[Value], variables: &dyn VariableLookup) -> Value {
    Value::DateTime(variables.now())
}

/// `today()`: the current date of the variable source's clock.
pub(crate) fn today(_: &[Value], variables: &dyn VariableLookup) -> Value {
    Value::Date(variables.now().date_naive())
}

fn date_of(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::Date(date) => Some(*date),
        Value::DateTime(at) => Some(at.date_naive()),
        Value::LocalDateTime(at) => Some(at.date()),
        _ => None,
    }
}

/// `day of week(date)`: `"Monday"` ... `"Sunday"`.
pub(crate) fn day_of_week(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let day = arguments.first().and_then(date_of).map(|date| date.weekday().num_days_from_monday());
    day.and_then(|day| DAYS.get(day as usize)).map_or(Value::Null, |name| Value::String((*name).to_string()))
}

/// `month of year(date)`: `"January"` ... `"December"`.
pub(crate) fn month_of_year(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = arguments.first().and_then(date_of).map(|date| date.month0());
    month.and_then(|month| MONTHS.get(month as usize)).map_or(Value::Null, |name| Value::String((*name).to_string()))
}

/// `last day of month(date)`.
pub(crate) fn last_day_of_month(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let last = arguments.first().and_then(date_of).and_then(|date| {
        let first_of_next = if date.month() == 12 {
            NaiveDate::from_ymd_opt(date.year().checked_add(1)?, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
        };
        first_of_next?.pred_opt()
    });
    last.map_or(Value::Null, Value::Date)
}

/// Zeebe's `cycle(duration)` and `cycle(repetitions, duration)`: the ISO 8601 repeating interval of a
/// timer cycle, `"R/P7D"` or `"R3/PT1H"`.
pub(crate) fn cycle(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let (repetitions, duration) = match arguments {
        [duration] => (String::new(), duration),
        [Value::Number(n), duration] if n.fract().is_zero() && !n.is_sign_negative() => {
            (n.normalize().to_string(), duration)
        }
        _ => return Value::Null,
    };
    match duration {
        Value::DayTimeDuration(_) | Value::YearMonthDuration(_) => {
            Value::String(format!("R{repetitions}/{}", temporal::to_text(duration)))
        }
        _ => Value::Null,
    }
}
