//! The spend periods: UTC days and calendar months, read off the engine clock.

use chrono::{DateTime, Datelike};

/// Milliseconds in a day.
const DAY_MILLIS: i64 = 86_400_000;

/// The day and month an instant falls in, as the keys the spend counters carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// `year * 12 + month - 1` (UTC).
    pub month: i64,
}

impl Period {
    /// The period of `millis` since the epoch.
    pub(crate) fn at(millis: i64) -> Self {
        let day = millis.div_euclid(DAY_MILLIS);
        // Every i64 day count chrono cannot show is far outside any engine clock; such an instant
        // counts as month 0, which only means its counters start afresh.
        let month =
            DateTime::from_timestamp_millis(millis).map_or(0, |t| i64::from(t.year()) * 12 + i64::from(t.month0()));
        Self { day, month }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_months_turn_at_midnight_utc() {
        // 2024-01-31T23:59:59.999Z and the next millisecond.
        let last = Period::at(1_706_745_599_999);
        let first = Period::at(1_706_745_600_000);
        assert_eq!(first.day, last.day + 1);
        assert_eq!(first.month, last.month + 1);
        assert_eq!(first.month, 2024 * 12 + 1, "February 2024");
        // Within February the month stays.
        assert_eq!(Period::at(1_706_745_600_000 + 28 * DAY_MILLIS).month, first.month, "2024-02-29");
        assert_eq!(Period::at(1_706_745_600_000 + 29 * DAY_MILLIS).month, first.month + 1, "2024-03-01");
        assert_eq!(Period::at(-1).day, -1, "before the epoch");
    }
}
