//! Timer definitions: ISO-8601 durations (`PT1H`), date-times (`2024-05-01T10:00:00Z`, no zone =
//! UTC), repeating intervals (`R3/PT1H`, `R/PT5M`, `R2/2024-05-01T10:00:00Z/PT1H`) and, as in
//! Zeebe, any cycle not starting with `R` as a six-field cron expression (`0 0 9 * * MON-FRI`).
//! Static values are checked at deploy; expressions are evaluated when the catch element
//! activates.

use std::sync::Arc;

use feel::duration::IsoDuration;

use feel::cron::CronSchedule;

use crate::expression::{ValueOrExpression, VariableLookup};

/// Which of the three timer forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    /// `timeDuration`.
    Duration,
    /// `timeDate`.
    Date,
    /// `timeCycle`.
    Cycle,
}

/// A timer definition.
#[derive(Debug, PartialEq)]
pub struct TimerSpec {
    /// The form.
    pub kind: TimerKind,
    /// The value or expression.
    pub value: ValueOrExpression,
}

/// When a timer fires next and how often it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// First due date (epoch milliseconds).
    pub due: i64,
    /// Number of firings (`-1` = forever).
    pub repetitions: i32,
    /// Interval between firings (zero for a one-shot timer or a cron); its months are added by
    /// the calendar.
    pub interval: IsoDuration,
    /// The cron expression of a cron cycle: each firing is due at its next match after the last.
    pub cron: Option<Arc<str>>,
}

impl TimerSpec {
    /// Computes the schedule at `now`.
    pub fn schedule(&self, now: i64, variables: &dyn VariableLookup) -> Result<Schedule, String> {
        let text = self.value.evaluate_string(variables)?;
        schedule(self.kind, &text, now)
    }
}

/// Parses `text` as the given timer form, relative to `now`. Durations count from `now` (a cycle
/// without a start, from `now` too), months by the calendar in UTC: `P1M` from 2024-01-31 is due
/// on 2024-02-29, as in Zeebe.
pub fn schedule(kind: TimerKind, text: &str, now: i64) -> Result<Schedule, String> {
    let text = text.trim();
    match kind {
        TimerKind::Duration => {
            let duration = parse_duration(text)?;
            Ok(Schedule {
                due: due_after(now, duration, text)?,
                repetitions: 1,
                interval: IsoDuration::ZERO,
                cron: None,
            })
        }
        TimerKind::Date => {
            Ok(Schedule { due: date_millis(text)?, repetitions: 1, interval: IsoDuration::ZERO, cron: None })
        }
        TimerKind::Cycle => {
            let Some(rest) = text.strip_prefix('R') else { return cron_schedule(text, now) };
            let mut parts = rest.split('/');
            let count = parts.next().unwrap_or_default();
            let repetitions =
                if count.is_empty() { -1 } else { count.parse::<i32>().map_err(|_| cycle_error(text))? };
            let (start, interval) = match (parts.next(), parts.next(), parts.next()) {
                (Some(d), None, None) => (None, parse_duration(d)?),
                (Some(s), Some(d), None) => (Some(date_millis(s)?), parse_duration(d)?),
                _ => return Err(cycle_error(text)),
            };
            let due = match start {
                Some(start) => start,
                None => due_after(now, interval, text)?,
            };
            Ok(Schedule { due, repetitions, interval, cron: None })
        }
    }
}

/// A cron cycle: due at the first match after `now`, repeating forever.
fn cron_schedule(text: &str, now: i64) -> Result<Schedule, String> {
    let due = CronSchedule::parse(text)?
        .next_after(now)
        .ok_or_else(|| format!("Invalid cron expression '{text}': it never matches after the current time"))?;
    Ok(Schedule { due, repetitions: -1, interval: IsoDuration::ZERO, cron: Some(Arc::from(text)) })
}

fn cycle_error(text: &str) -> String {
    format!(
        "Invalid time cycle '{text}': expected R<n>/<duration>, R<n>/<start>/<duration> or a six-field cron \
         expression like '0 0 * * * *'"
    )
}

/// An ISO-8601 duration such as `PT1H30M`, `P2D`, `P1M` or `-PT5S`.
fn parse_duration(text: &str) -> Result<IsoDuration, String> {
    IsoDuration::parse(text)
        .map_err(|e| format!("Invalid duration '{text}': {}; expected ISO-8601 like PT1H30M or P2D", e.reason()))
}

/// `start` plus `duration`, or an error naming the timer `text` when that is past the dates the
/// engine represents.
fn due_after(start: i64, duration: IsoDuration, text: &str) -> Result<i64, String> {
    duration.add_to(start).ok_or_else(|| format!("Invalid timer '{text}': the due date is out of range"))
}

/// Epoch milliseconds of an ISO-8601 date-time; without a zone it is UTC.
pub fn date_millis(text: &str) -> Result<i64, String> {
    let error = || format!("Invalid date '{text}': expected ISO-8601 like 2024-05-01T10:00:00Z");
    let (date, time) = text.split_once('T').ok_or_else(error)?;
    let mut ymd = date.split('-').map(|p| p.parse::<i64>());
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d)), None) = (ymd.next(), ymd.next(), ymd.next(), ymd.next()) else {
        return Err(error());
    };
    if text.contains('[') {
        return Err(format!("Invalid date '{text}': zone ids are not supported, use Z or an offset like +02:00"));
    }
    let (clock, offset_minutes) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(pos) = time.rfind(['+', '-']) {
        let (clock, offset) = time.split_at(pos);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, mi) = offset[1..].split_once(':').ok_or_else(error)?;
        (clock, sign * (h.parse::<i64>().map_err(|_| error())? * 60 + mi.parse::<i64>().map_err(|_| error())?))
    } else {
        (time, 0)
    };
    let mut hms = clock.split(':');
    let hour: i64 = hms.next().and_then(|h| h.parse().ok()).ok_or_else(error)?;
    let minute: i64 = hms.next().and_then(|h| h.parse().ok()).ok_or_else(error)?;
    let second: f64 = hms.next().map_or(Some(0.0), |s| s.parse().ok()).ok_or_else(error)?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hour > 23 || minute > 59 || second >= 61.0 {
        return Err(error());
    }
    let days = days_from_civil(y, m, d);
    let millis = ((days * 24 + hour) * 60 + minute - offset_minutes) * 60_000 + (second * 1000.0).round() as i64;
    Ok(millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-01-31T00:00:00Z and 2024-02-29T00:00:00Z in epoch milliseconds.
    const JAN_31: i64 = 1_706_659_200_000;
    const FEB_29: i64 = 1_709_164_800_000;

    #[test]
    fn durations_count_months_by_the_calendar() {
        assert_eq!(date_millis("2024-01-31T00:00:00Z"), Ok(JAN_31));
        assert_eq!(date_millis("2024-02-29T00:00:00Z"), Ok(FEB_29));
        let due = |text: &str, now: i64| schedule(TimerKind::Duration, text, now).map(|s| s.due);
        assert_eq!(due("PT1H30M", 0), Ok(5_400_000));
        assert_eq!(due("P1DT1S", 0), Ok(86_401_000));
        assert_eq!(due("PT0.5S", 0), Ok(500));
        assert_eq!(due("-PT5S", 10_000), Ok(5_000));
        assert_eq!(due("P1M", JAN_31), Ok(FEB_29), "not 30 days later");
        assert_eq!(due("P1Y", 0), Ok(365 * 86_400_000), "1970 is no leap year");
        assert!(due("P1Y", i64::MAX).is_err_and(|e| e.contains("out of range")));
    }

    #[test]
    fn a_bad_duration_says_why() {
        for (bad, why) in [("1H", "does not start with P"), ("PT5", "has no unit"), ("P", "not followed by")] {
            let error = parse_duration(bad).expect_err(bad);
            assert!(error.starts_with(&format!("Invalid duration '{bad}': ")) && error.contains(why), "{error}");
        }
    }

    #[test]
    fn dates_parse_as_utc_or_with_offset() {
        assert_eq!(date_millis("1970-01-02T00:00:00Z"), Ok(86_400_000));
        assert_eq!(date_millis("1970-01-02T00:00:00"), Ok(86_400_000));
        assert_eq!(date_millis("1970-01-02T02:00:00+02:00"), Ok(86_400_000));
        assert_eq!(date_millis("2024-01-01T00:00:00Z"), Ok(1_704_067_200_000));
        assert!(date_millis("2024-13-01T00:00:00Z").is_err());
        assert!(date_millis("2024-01-01T00:00:00[Europe/Berlin]").is_err());
    }

    #[test]
    fn cycles_parse_repetitions_and_start() {
        assert_eq!(
            schedule(TimerKind::Cycle, "R3/PT1H", 0),
            Ok(Schedule { due: 3_600_000, repetitions: 3, interval: IsoDuration::from_millis(3_600_000), cron: None })
        );
        assert_eq!(schedule(TimerKind::Cycle, "R/PT1S", 0).map(|s| s.repetitions), Ok(-1));
        assert_eq!(schedule(TimerKind::Cycle, "R2/1970-01-01T00:00:10Z/PT1S", 0).map(|s| s.due), Ok(10_000));
        assert!(schedule(TimerKind::Cycle, "R3", 0).is_err_and(|e| e.contains("R<n>/<duration>")));
        let monthly = schedule(TimerKind::Cycle, "R3/P1M", JAN_31);
        assert_eq!(
            monthly,
            Ok(Schedule { due: FEB_29, repetitions: 3, interval: IsoDuration::from_months(1), cron: None })
        );
    }

    #[test]
    fn a_cycle_without_r_is_a_cron_due_at_its_next_match_forever() {
        // 2024-01-01T00:00:00Z is a Monday: the next weekday 09:00 is that day's.
        let monday = date_millis("2024-01-01T00:00:00Z").expect("a date");
        let cron = schedule(TimerKind::Cycle, "0 0 9 * * MON-FRI", monday).expect("a cron cycle");
        assert_eq!(cron.due, monday + 9 * 3_600_000);
        assert_eq!(
            (cron.repetitions, cron.interval, cron.cron.as_deref()),
            (-1, IsoDuration::ZERO, Some("0 0 9 * * MON-FRI"))
        );
        let error = schedule(TimerKind::Cycle, "0 0 9 * *", monday).expect_err("five fields");
        assert!(error.starts_with("Invalid cron expression '0 0 9 * *'") && error.contains("six"), "{error}");
        let never = schedule(TimerKind::Cycle, "0 0 0 30 2 *", monday).expect_err("no 30 February");
        assert!(never.contains("never matches"), "{never}");
    }
}
