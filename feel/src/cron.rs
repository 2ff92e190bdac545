//! Cron timer cycles as Zeebe accepts them: Spring-style, exactly six fields
//! `second minute hour day-of-month month day-of-week` (names `JAN`–`DEC`, `MON`–`SUN`, `L`, `W`,
//! `#`, `?`, and the macros `@hourly`, `@daily`, ...), evaluated in UTC. A day-of-month and a
//! day-of-week that are both restricted must both match, as in Spring. Beside [`crate::duration`]
//! because both are timer values that the engine and the workflow compiler check alike.

use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// A parsed cron expression.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    cron: Cron,
}

impl CronSchedule {
    /// Parses `text`; the error names the expression and says what a valid one looks like.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let fields = text.split_whitespace().count();
        if !text.starts_with('@') && fields != 6 {
            return Err(format!(
                "Invalid cron expression '{text}': it has {fields} field(s), Zeebe's cron has six: second minute \
                 hour day-of-month month day-of-week, e.g. '0 0 * * * *' for every hour (add the seconds field \
                 in front of a five-field Unix cron)"
            ));
        }
        let parser = CronParser::builder().seconds(Seconds::Required).year(Year::Disallowed).dom_and_dow(true).build();
        let cron = parser.parse(text).map_err(|e| {
            format!(
                "Invalid cron expression '{text}': {e}; expected six fields second minute hour day-of-month \
                 month day-of-week, e.g. '0 0 9 * * MON-FRI'"
            )
        })?;
        Ok(Self { cron })
    }

    /// The first firing strictly after `millis` (epoch milliseconds, UTC), or `None` when the
    /// expression never matches again (or the date is out of range).
    pub fn next_after(&self, millis: i64) -> Option<i64> {
        let from: DateTime<Utc> = DateTime::from_timestamp_millis(millis)?;
        self.cron.find_next_occurrence(&from, false).ok().map(|next| next.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;
    /// 2024-01-01T00:00:00Z, a Monday.
    const MONDAY: i64 = 1_704_067_200_000;

    fn next(text: &str, from: i64) -> Option<i64> {
        CronSchedule::parse(text).expect(text).next_after(from)
    }

    #[test]
    fn six_fields_with_seconds_first() {
        assert_eq!(next("0 0 * * * *", MONDAY), Some(MONDAY + HOUR), "hourly, strictly after a matching time");
        assert_eq!(next("0 0 * * * *", MONDAY + 1), Some(MONDAY + HOUR));
        assert_eq!(next("*/10 * * * * *", MONDAY + 1), Some(MONDAY + 10_000));
        assert_eq!(next("0 30 2 * * *", MONDAY), Some(MONDAY + 2 * HOUR + 30 * 60_000));
        assert_eq!(next("@hourly", MONDAY), Some(MONDAY + HOUR));
    }

    #[test]
    fn weekdays_count_as_in_spring() {
        // 1 is Monday and 0 and 7 are Sunday (Quartz would make 1 Sunday).
        let sunday = MONDAY + 6 * 24 * HOUR;
        assert_eq!(next("0 0 9 * * 1", MONDAY + 10 * HOUR), Some(MONDAY + 7 * 24 * HOUR + 9 * HOUR));
        assert_eq!(next("0 0 9 * * 0", MONDAY), Some(sunday + 9 * HOUR));
        assert_eq!(next("0 0 9 * * SUN", MONDAY), Some(sunday + 9 * HOUR));
        assert_eq!(next("0 0 9-17 * * MON-FRI", MONDAY + 17 * HOUR), Some(MONDAY + 24 * HOUR + 9 * HOUR));
        // Day-of-month and day-of-week both restricted: both must hold (the 1st that is a Monday).
        assert_eq!(
            next("0 0 0 1 * MON", MONDAY),
            Some(MONDAY + 91 * 24 * HOUR),
            "2024-04-01 is the next Monday the 1st"
        );
    }

    #[test]
    fn a_wrong_number_of_fields_says_what_zeebe_expects() {
        for (bad, count) in [("0 * * * *", 5), ("0 0 0 * * * 2024", 7), ("", 0)] {
            let error = CronSchedule::parse(bad).expect_err(bad);
            assert!(error.starts_with(&format!("Invalid cron expression '{bad}'")), "{error}");
            assert!(error.contains(&format!("has {count} field(s)")) && error.contains("six"), "{error}");
        }
    }

    #[test]
    fn a_bad_field_is_refused_with_the_expression() {
        for bad in ["0 0 25 * * *", "0 0 * * * FUNDAY", "x 0 * * * *", "@sometimes"] {
            let error = CronSchedule::parse(bad).expect_err(bad);
            assert!(error.starts_with(&format!("Invalid cron expression '{bad}': ")), "{error}");
            assert!(error.contains("0 0 9 * * MON-FRI"), "shows a valid example: {error}");
        }
    }

    #[test]
    fn out_of_range_start_has_no_next() {
        assert_eq!(next("0 0 * * * *", i64::MAX), None);
    }
}
