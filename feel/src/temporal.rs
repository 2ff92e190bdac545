//! Temporal values: ISO 8601 parsing and printing, and the arithmetic FEEL defines on them.

use crate::value::Value;
use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta};

/// Parses `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Parses a date and time with an offset (`Z`, `+02:00`), without one, or a bare date (midnight).
pub(crate) fn parse_date_time(text: &str) -> Option<Value> {
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Some(Value::DateTime(with_offset));
    }
    if let Ok(local) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(Value::LocalDateTime(local));
    }
    parse_date(text).and_then(|date| date.and_hms_opt(0, 0, 0)).map(Value::LocalDateTime)
}

/// Parses an ISO 8601 duration: `P1Y2M` (years and months) or `P1DT2H3M4.5S` / `PT1H` (days and time).
/// Mixing the two kinds is not a FEEL duration.
pub(crate) fn parse_duration(text: &str) -> Option<Value> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let rest = rest.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (rest, None),
    };
    let date_fields = fields(date_part, &['Y', 'M', 'W', 'D'])?;
    let time_fields = match time_part {
        Some(time) => fields(time, &['H', 'M', 'S'])?,
        None => Vec::new(),
    };
    if date_fields.is_empty() && time_fields.is_empty() {
        return None;
    }
    let sign = if negative { -1 } else { 1 };
    let year_month = date_fields.iter().any(|(unit, _)| matches!(unit, 'Y' | 'M'));
    if year_month {
        if date_fields.iter().any(|(unit, _)| matches!(unit, 'W' | 'D')) || !time_fields.is_empty() {
            return None;
        }
        let mut months: i64 = 0;
        for (unit, amount) in date_fields {
            let whole = whole_number(amount)?;
            let factor = if unit == 'Y' { 12 } else { 1 };
            months = months.checked_add(whole.checked_mul(factor)?)?;
        }
        return Some(Value::YearMonthDuration(sign * months));
    }
    let mut millis: f64 = 0.0;
    for (unit, amount) in date_fields.into_iter().chain(time_fields.iter().map(|(u, a)| (time_unit(*u), *a))) {
        let seconds_per_unit = match unit {
            'W' => 604_800.0,
            'D' => 86_400.0,
            'h' => 3_600.0,
            'm' => 60.0,
            _ => 1.0,
        };
        millis += amount.parse::<f64>().ok()? * seconds_per_unit * 1000.0;
    }
    let delta = TimeDelta::try_milliseconds((millis.round() as i64).checked_mul(sign)?)?;
    Some(Value::DayTimeDuration(delta))
}

fn time_unit(unit: char) -> char {
    match unit {
        'H' => 'h',
        'M' => 'm',
        _ => 's',
    }
}

fn whole_number(amount: &str) -> Option<i64> {
    amount.parse::<i64>().ok()
}

/// Splits `1Y2M` into `[('Y', "1"), ('M', "2")]`, units in the given order, each at most once.
fn fields<'a>(text: &'a str, units: &[char]) -> Option<Vec<(char, &'a str)>> {
    let mut result = Vec::new();
    let mut rest = text;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let at = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let (amount, tail) = rest.split_at(at);
        let unit = tail.chars().next()?;
        let position = units.iter().skip(next_unit).position(|u| *u == unit)? + next_unit;
        if amount.is_empty() || amount.parse::<f64>().is_err() {
            return None;
        }
        result.push((unit, amount));
        next_unit = position + 1;
        rest = &tail[unit.len_utf8()..];
    }
    Some(result)
}

/// Prints a temporal value (or a range) the way FEEL and Zeebe serialise it.
pub(crate) fn to_text(value: &Value) -> String {
    match value {
        Value::Date(date) => date.format("%Y-%m-%d").to_string(),
        Value::DateTime(date_time) => without_trailing_zeros(&date_time.to_rfc3339_opts(SecondsFormat::Nanos, true)),
        Value::LocalDateTime(local) => without_trailing_zeros(&local.format("%Y-%m-%dT%H:%M:%S%.9f").to_string()),
        Value::DayTimeDuration(delta) => day_time_text(*delta),
        Value::YearMonthDuration(months) => year_month_text(*months),
        Value::Range(range) => format!(
            "{}{}..{}{}",
            if range.start_closed { '[' } else { '(' },
            crate::builtins::conversion::to_feel_string(&range.start),
            crate::builtins::conversion::to_feel_string(&range.end),
            if range.end_closed { ']' } else { ')' }
        ),
        other => crate::builtins::conversion::to_feel_string(other),
    }
}

/// A date-time's text with its fraction of a second as Zeebe writes it: without trailing zeros
/// (`10:00:00.1Z`, `10:00:00.12Z`) and without the dot for a whole second (`10:00:00Z`).
fn without_trailing_zeros(text: &str) -> String {
    let Some(dot) = text.find('.') else { return text.to_owned() };
    let end = text[dot + 1..].find(|c: char| !c.is_ascii_digit()).map_or(text.len(), |at| dot + 1 + at);
    let fraction = text[dot + 1..end].trim_end_matches('0');
    let point = if fraction.is_empty() { "" } else { "." };
    format!("{}{point}{fraction}{}", &text[..dot], &text[end..])
}

fn day_time_text(delta: TimeDelta) -> String {
    let sign = if delta < TimeDelta::zero() { "-" } else { "" };
    let delta = delta.abs();
    let total_seconds = delta.num_seconds();
    let millis = delta.subsec_nanos() / 1_000_000;
    let (days, hours, minutes, seconds) =
        (total_seconds / 86_400, total_seconds % 86_400 / 3_600, total_seconds % 3_600 / 60, total_seconds % 60);
    let mut text = format!("{sign}P");
    if days > 0 {
        text.push_str(&format!("{days}D"));
    }
    if hours > 0 || minutes > 0 || seconds > 0 || millis > 0 {
        text.push('T');
        if hours > 0 {
            text.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            text.push_str(&format!("{minutes}M"));
        }
        if millis > 0 {
            let fraction = format!("{millis:03}");
            text.push_str(&format!("{seconds}.{}S", fraction.trim_end_matches('0')));
        } else if seconds > 0 {
            text.push_str(&format!("{seconds}S"));
        }
    }
    if days == 0 && text.len() == sign.len() + 1 {
        text.push_str("T0S");
    }
    text
}

fn year_month_text(months: i64) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let (years, rest) = (months.abs() / 12, months.abs() % 12);
    match (years, rest) {
        (0, rest) => format!("{sign}P{rest}M"),
        (years, 0) => format!("{sign}P{years}Y"),
        (years, rest) => format!("{sign}P{years}Y{rest}M"),
    }
}

/// `temporal ± duration`, `duration ± duration` and `date(-time) - date(-time)`; `None` when FEEL does
/// not define the combination or the result is out of range.
pub(crate) fn add(left: &Value, right: &Value, subtract: bool) -> Option<Value> {
    use Value::*;
    let sign: i32 = if subtract { -1 } else { 1 };
    let delta = |d: &TimeDelta| d.checked_mul(sign);
    let months = |m: &i64| m.checked_mul(i64::from(sign));
    match (left, right) {
        (DateTime(at), DayTimeDuration(d)) => at.checked_add_signed(delta(d)?).map(DateTime),
        (LocalDateTime(at), DayTimeDuration(d)) => at.checked_add_signed(delta(d)?).map(LocalDateTime),
        (Date(day), DayTimeDuration(d)) => day.checked_add_signed(delta(d)?).map(Date),
        (DateTime(at), YearMonthDuration(m)) => {
            let m = months(m)?;
            if m < 0 { at.checked_sub_months(month_count(m)?) } else { at.checked_add_months(month_count(m)?) }
                .map(DateTime)
        }
        (LocalDateTime(at), YearMonthDuration(m)) => {
            let m = months(m)?;
            if m < 0 { at.checked_sub_months(month_count(m)?) } else { at.checked_add_months(month_count(m)?) }
                .map(LocalDateTime)
        }
        (Date(day), YearMonthDuration(m)) => {
            let m = months(m)?;
            if m < 0 { day.checked_sub_months(month_count(m)?) } else { day.checked_add_months(month_count(m)?) }
                .map(Date)
        }
        (DayTimeDuration(_) | YearMonthDuration(_), DateTime(_) | LocalDateTime(_) | Date(_)) if !subtract => {
            add(right, left, false)
        }
        (DayTimeDuration(a), DayTimeDuration(b)) => a.checked_add(&delta(b)?).map(DayTimeDuration),
        (YearMonthDuration(a), YearMonthDuration(b)) => a.checked_add(months(b)?).map(YearMonthDuration),
        (DateTime(a), DateTime(b)) if subtract => Some(DayTimeDuration(a.signed_duration_since(*b))),
        (LocalDateTime(a), LocalDateTime(b)) if subtract => Some(DayTimeDuration(a.signed_duration_since(*b))),
        (Date(a), Date(b)) if subtract => Some(DayTimeDuration(a.signed_duration_since(*b))),
        _ => None,
    }
}

/// chrono clamps to the last day of the month, as FEEL does (2024-01-31 + P1M = 2024-02-29).
fn month_count(months: i64) -> Option<Months> {
    u32::try_from(months.unsigned_abs()).ok().map(Months::new)
}

/// Orders two temporal values of the same kind; `None` for different kinds.
pub(crate) fn compare(left: &Value, right: &Value) -> Option<std::cmp::Ordering> {
    use Value::*;
    match (left, right) {
        (Date(a), Date(b)) => Some(a.cmp(b)),
        (DateTime(a), DateTime(b)) => Some(a.cmp(b)),
        (LocalDateTime(a), LocalDateTime(b)) => Some(a.cmp(b)),
        (DayTimeDuration(a), DayTimeDuration(b)) => Some(a.cmp(b)),
        (YearMonthDuration(a), YearMonthDuration(b)) => Some(a.cmp(b)),
        _ => None,
    }
}
