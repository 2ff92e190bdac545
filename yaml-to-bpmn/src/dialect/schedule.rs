//! `schedule:`: a workflow that also starts by itself, on an ISO-8601 cycle, a cron expression
//! or once at a date. It compiles to a timer start event beside the none start, so the workflow
//! can still be started by hand.
//!
//! ```yaml
//! schedule:
//!   cron: "0 0 2 * * *"      # Zeebe's six-field cron, seconds first, in UTC: every day at 02:00
//! # or  cycle: R/PT1H        # ISO-8601 repeating interval: every hour, forever (R5/PT1H: 5 times)
//! # or  date: 2030-01-01T09:00:00Z
//! ```

use chrono::{DateTime, NaiveDateTime};
use feel::cron::CronSchedule;
use feel::duration::IsoDuration;

use super::ast::{Schedule, ScheduleKind};
use super::fields::Fields;
use crate::diagnostic::{Diagnostics, Pos};
use crate::yaml::Node;

const KINDS: &str = "`cycle: R/PT1H`, `cron: \"0 0 * * * *\"` or `date: 2030-01-01T09:00:00Z`";

/// Reads `schedule:`, reporting a malformed one where it is.
pub fn parse_schedule(node: &Node, diags: &mut Diagnostics) -> Option<Schedule> {
    let mut fields = Fields::of(node, "`schedule`", diags)?;
    let given: Vec<(ScheduleKind, String, Pos)> =
        [("cycle", ScheduleKind::Cycle), ("cron", ScheduleKind::Cron), ("date", ScheduleKind::Date)]
            .into_iter()
            .filter_map(|(key, kind)| fields.text(key, diags).map(|(text, pos)| (kind, text, pos)))
            .collect();
    fields.finish(diags);
    let [(kind, value, pos)] = <[_; 1]>::try_from(given)
        .map_err(|given| {
            let what = if given.is_empty() { "none" } else { "more than one" };
            diags.error(node.pos, format!("`schedule` needs exactly one of {KINDS}; it has {what}"));
        })
        .ok()?;
    let checked = match kind {
        ScheduleKind::Cron => CronSchedule::parse(&value).map(|_| ()),
        ScheduleKind::Cycle => check_cycle(&value),
        ScheduleKind::Date => check_date(&value),
    };
    if let Err(message) = checked {
        diags.error(pos, format!("`schedule`: {message}"));
        return None;
    }
    Some(Schedule { kind, value, pos })
}

/// `R<n>/<duration>` or `R<n>/<start date>/<duration>`.
fn check_cycle(text: &str) -> Result<(), String> {
    let shape = || {
        format!(
            "invalid cycle '{text}': expected R<n>/<duration> or R<n>/<start>/<duration> like R/PT1H or R5/PT10M \
             (a cron expression goes under `cron:`)"
        )
    };
    let rest = text.strip_prefix('R').ok_or_else(shape)?;
    let parts: Vec<&str> = rest.split('/').collect();
    let (count, start, duration) = match parts.as_slice() {
        [count, duration] => (*count, None, *duration),
        [count, start, duration] => (*count, Some(*start), *duration),
        _ => return Err(shape()),
    };
    if !count.chars().all(|c| c.is_ascii_digit()) {
        return Err(shape());
    }
    if let Some(start) = start {
        check_date(start)?;
    }
    let duration = IsoDuration::parse(duration)
        .map_err(|e| format!("invalid duration '{duration}' in cycle '{text}': {}; expected e.g. PT1H", e.reason()))?;
    if duration.is_zero() || duration.is_negative() {
        return Err(format!("the cycle '{text}' never advances; give it a positive duration like PT1H"));
    }
    Ok(())
}

/// An ISO-8601 date-time with `Z` or an offset, or without a zone (UTC).
fn check_date(text: &str) -> Result<(), String> {
    let with_zone = DateTime::parse_from_rfc3339(text).is_ok();
    if with_zone || NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_ok() {
        Ok(())
    } else {
        Err(format!("invalid date '{text}': expected ISO-8601 like 2030-01-01T09:00:00Z or with an offset like +02:00"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> (Option<Schedule>, Vec<crate::diagnostic::Diagnostic>) {
        let mut diags = Diagnostics::new("wf.yaml");
        let root = crate::yaml::load(yaml, &mut diags).expect("yaml");
        let schedule = root.get("schedule").and_then(|node| parse_schedule(node, &mut diags));
        (schedule, diags.into_sorted())
    }

    #[test]
    fn each_kind_reads_with_its_value() {
        for (yaml, kind, value) in [
            ("schedule:\n  cron: \"0 0 2 * * *\"\n", ScheduleKind::Cron, "0 0 2 * * *"),
            ("schedule:\n  cycle: R5/PT10M\n", ScheduleKind::Cycle, "R5/PT10M"),
            ("schedule:\n  cycle: R/2030-01-01T00:00:00Z/P1D\n", ScheduleKind::Cycle, "R/2030-01-01T00:00:00Z/P1D"),
            ("schedule:\n  date: 2030-01-01T09:00:00+02:00\n", ScheduleKind::Date, "2030-01-01T09:00:00+02:00"),
            ("schedule:\n  date: 2030-01-01T09:00:00\n", ScheduleKind::Date, "2030-01-01T09:00:00"),
        ] {
            let (schedule, diags) = parse(yaml);
            let schedule = schedule.unwrap_or_else(|| panic!("{yaml}: {diags:?}"));
            assert_eq!((schedule.kind, schedule.value.as_str()), (kind, value));
            assert_eq!(schedule.pos.line, 2, "where the value is");
        }
    }

    #[test]
    fn a_bad_schedule_is_reported_at_its_line_with_what_to_write() {
        for (yaml, line, says) in [
            ("schedule:\n  cron: \"0 0 * * *\"\n", 2, "has 5 field(s)"),
            ("schedule:\n  cron: \"0 0 25 * * *\"\n", 2, "Invalid cron expression '0 0 25 * * *'"),
            ("schedule:\n  cycle: \"0 0 * * * *\"\n", 2, "a cron expression goes under `cron:`"),
            ("schedule:\n  cycle: R/1H\n", 2, "invalid duration '1H'"),
            ("schedule:\n  cycle: R/PT0S\n", 2, "never advances"),
            ("schedule:\n  cycle: Rx/PT1H\n", 2, "expected R<n>/<duration>"),
            ("schedule:\n  cycle: R/tomorrow/PT1H\n", 2, "invalid date 'tomorrow'"),
            ("schedule:\n  date: next monday\n", 2, "invalid date 'next monday'"),
            ("schedule:\n  cron: \"0 0 * * * *\"\n  cycle: R/PT1H\n", 2, "it has more than one"),
            ("schedule:\n  every: 1h\n", 2, "it has none"),
            ("schedule: hourly\n", 1, "must be a mapping"),
        ] {
            let (schedule, diags) = parse(yaml);
            assert!(schedule.is_none(), "{yaml}");
            let error = diags.iter().find(|d| d.is_error()).unwrap_or_else(|| panic!("{yaml}: no error"));
            assert!(error.to_string().starts_with(&format!("wf.yaml:{line}:")), "{error}");
            assert!(error.message.contains(says), "{yaml}: {}", error.message);
            assert_eq!(error.pos.line, line, "{yaml}: {}", error.message);
        }
    }
}
