//! Temporal values: ISO 8601 parsing and printing, and the arithmetic FEEL defines on them.

use crate::duration::IsoDuration;
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
    let (duration, written) = IsoDuration::parse_designators(text).ok()?;
    match (written.calendar, written.exact) {
        (true, true) => None,
        (true, false) => Some(Value::YearMonthDuration(duration.months())),
        (false, _) => TimeDelta::try_milliseconds(duration.millis()).map(Value::DayTimeDuration),
    }
}

/// Prints a temporal value (or a range) the way FEEL and Zeebe serialise it.
pub(crate) fn to_text(value: &Value) -> String {
    match value {
        Value::Date(date) => date.format("%Y-%m-%d").to_string(),
        Value::DateTime(date_time) => date_time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        Value::LocalDateTime(local) => local.format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
        Value::DayTimeDuration(delta) => IsoDuration::from_millis(delta.num_milliseconds()).to_string(),
        // FEEL writes a zero years-and-months duration in months, not as `PT0S`.
        Value::YearMonthDuration(0) => "P0M".to_owned(),
        Value::YearMonthDuration(months) => IsoDuration::from_months(*months).to_string(),
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
