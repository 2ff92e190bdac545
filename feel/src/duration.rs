//! Durations, one parser for the whole project: the engine's timers, FEEL's `duration()`, the
//! YAML dialect's `sla`, `wait` and `timeout`, and the worker's config file all read them here.
//!
//! An [`IsoDuration`] keeps the calendar part (years and months, counted in months) apart from
//! the exact part (weeks, days, hours, minutes and seconds, counted in milliseconds). A month has
//! no fixed length, so [`IsoDuration::add_to`] adds it by the calendar, clamping to the end of a
//! shorter month (2024-01-31 + `P1M` = 2024-02-29), and then adds the milliseconds: the way Zeebe
//! adds a `java.time` `Period` and then a `Duration` to a date-time in UTC. A day is 24 hours.
//!
//! Two notations are read:
//! - ISO-8601, [`IsoDuration::parse`]: `P1Y2M3DT4H5M6.5S`, `PT1H`, `P2W`, `-PT5S`. Units come in
//!   the order Y, M, W, D, then `T` and H, M, S, each at most once; only the last unit written may
//!   have a fraction (`PT1.5H`, `PT0,25S`), and years and months must be whole.
//! - The short human form of the YAML dialect and the config files, [`IsoDuration::parse_short`]:
//!   a whole number and one of the units `ms`, `s`, `m`, `h`, `d` (`250ms`, `30s`, `4h`, `5d`).
//!
//! [`Display`](fmt::Display) prints the canonical ISO-8601 text: years and months, then days, then
//! hours, minutes and seconds (weeks and 24 hours become days), `PT0S` for zero.

use std::fmt;

use chrono::{DateTime, Months};

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

/// The largest number of months or milliseconds a duration holds.
const MAX: u64 = i64::MAX as u64;

/// How to write an ISO-8601 duration, the end of every error about one.
const ISO_HINT: &str = "write ISO-8601 such as PT1H30M, P2D or P1Y2M";

/// How to write a short duration, the end of every error about one.
const SHORT_HINT: &str = "write a whole number and a unit (ms, s, m, h or d), such as 30s";

/// How to write a fixed length of time, the end of every error about one.
const LENGTH_HINT: &str =
    "write a whole number and a unit (90s, 30m, 4h, 2d) or ISO 8601 (PT1H30M, P30D), without months";

/// A duration: a number of calendar months and a number of milliseconds, both of the same sign.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct IsoDuration {
    months: i64,
    millis: i64,
}

/// Which kinds of unit an ISO-8601 text wrote, even with an amount of zero: FEEL tells a
/// years-and-months duration (`P1Y`, `P0M`) from a days-and-time one (`P1D`, `PT0S`) this way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Designators {
    /// Years or months (`Y`, or `M` before `T`).
    pub calendar: bool,
    /// Weeks, days, hours, minutes or seconds.
    pub exact: bool,
}

/// Text that is not a duration: what is wrong and how to write one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    text: String,
    reason: String,
    hint: &'static str,
}

impl DurationError {
    fn new(text: &str, reason: impl Into<String>, hint: &'static str) -> Self {
        Self { text: text.to_owned(), reason: reason.into(), hint }
    }

    /// What is wrong, without the text and the hint (`it has no unit`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a duration: {}; {}", self.text, self.reason, self.hint)
    }
}

impl std::error::Error for DurationError {}

impl IsoDuration {
    /// No time at all.
    pub const ZERO: Self = Self { months: 0, millis: 0 };

    /// `months` calendar months and then `millis` milliseconds; `None` when one is negative and the
    /// other positive (such a duration has no ISO-8601 text).
    pub fn new(months: i64, millis: i64) -> Option<Self> {
        (months.signum() * millis.signum() >= 0).then_some(Self { months, millis })
    }

    /// A duration of calendar months only.
    pub fn from_months(months: i64) -> Self {
        Self { months, millis: 0 }
    }

    /// A duration of milliseconds only.
    pub fn from_millis(millis: i64) -> Self {
        Self { months: 0, millis }
    }

    /// The calendar months (years × 12 + months), negative for a negative duration.
    pub fn months(&self) -> i64 {
        self.months
    }

    /// The milliseconds (weeks, days, hours, minutes and seconds), negative for a negative duration.
    pub fn millis(&self) -> i64 {
        self.millis
    }

    /// Whether the duration goes backwards in time.
    pub fn is_negative(&self) -> bool {
        self.months < 0 || self.millis < 0
    }

    /// Whether the duration is no time at all.
    pub fn is_zero(&self) -> bool {
        self.months == 0 && self.millis == 0
    }

    /// Reads an ISO-8601 duration such as `P1Y2M3DT4H5M6.5S`, `PT1H`, `P2W` or `-PT5S`.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        Self::parse_designators(text).map(|(duration, _)| duration)
    }

    /// Reads an ISO-8601 duration as [`parse`](Self::parse) does, and also says which kinds of unit
    /// it wrote.
    pub fn parse_designators(text: &str) -> Result<(Self, Designators), DurationError> {
        let fail = |reason: String| DurationError::new(text, reason, ISO_HINT);
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let body = unsigned.strip_prefix('P').ok_or_else(|| fail("it does not start with P".into()))?;
        let (date, time) = match body.split_once('T') {
            Some((_, "")) => return Err(fail("T is not followed by hours, minutes or seconds".into())),
            Some((date, time)) => (date, Some(time)),
            None if body.is_empty() => return Err(fail("P is not followed by any amount".into())),
            None => (body, None),
        };
        let mut amounts = components(date, true).map_err(&fail)?;
        amounts.extend(components(time.unwrap_or_default(), false).map_err(&fail)?);
        let (mut months, mut millis, mut written) = (0u64, 0u64, Designators::default());
        let last = amounts.len().saturating_sub(1);
        for (index, amount) in amounts.into_iter().enumerate() {
            if amount.fraction.is_some() && index != last {
                return Err(fail(format!("only the last unit may have a fraction, not {}", amount.unit.name)));
            }
            let total = match amount.unit.size {
                Size::Months(_) => {
                    if amount.fraction.is_some() {
                        return Err(fail(format!("{} must be a whole number", amount.unit.name)));
                    }
                    written.calendar = true;
                    &mut months
                }
                Size::Millis(_) => {
                    written.exact = true;
                    &mut millis
                }
            };
            let sum = amount.value().and_then(|v| total.checked_add(v)).filter(|t| *t <= MAX);
            *total = sum.ok_or_else(|| fail("it is too long".into()))?;
        }
        // Both are at most i64::MAX, so the conversions cannot fail.
        let (months, millis) = (months as i64, millis as i64);
        let sign = if negative { -1 } else { 1 };
        Ok((Self { months: sign * months, millis: sign * millis }, written))
    }

    /// Reads a fixed length of time: the short form ([`parse_short`](Self::parse_short)) or ISO
    /// 8601 ([`parse`](Self::parse)), neither negative nor in months or years (whose length
    /// varies).
    pub fn parse_length(text: &str) -> Result<std::time::Duration, DurationError> {
        let fail = |reason: &str| DurationError::new(text.trim(), reason, LENGTH_HINT);
        let duration = Self::parse_short(text)
            .or_else(|_| Self::parse(text.trim()))
            .map_err(|_| fail("it is neither a number with a unit nor ISO 8601"))?;
        if duration.months() != 0 {
            return Err(fail("months and years have no fixed length"));
        }
        if duration.is_negative() {
            return Err(fail("it is negative"));
        }
        Ok(std::time::Duration::from_millis(duration.millis().unsigned_abs()))
    }

    /// Reads the short human form: a whole number and a unit `ms`, `s`, `m`, `h` or `d` (`250ms`,
    /// `30s`, `15m`, `4h`, `5d`), spaces around and between allowed.
    pub fn parse_short(text: &str) -> Result<Self, DurationError> {
        let trimmed = text.trim();
        let fail = |reason: String| DurationError::new(trimmed, reason, SHORT_HINT);
        let split = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(split);
        if number.is_empty() {
            return Err(fail("it does not start with a whole number".into()));
        }
        let per_unit = match unit.trim_start() {
            "ms" => 1,
            "s" => SECOND,
            "m" => MINUTE,
            "h" => HOUR,
            "d" => DAY,
            "" => return Err(fail("it has no unit".into())),
            other => return Err(fail(format!("it has the unknown unit '{other}'"))),
        };
        number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(per_unit))
            .and_then(|millis| i64::try_from(millis).ok())
            .map(Self::from_millis)
            .ok_or_else(|| fail("it is too long".into()))
    }

    /// `epoch_millis` (milliseconds since 1970-01-01T00:00:00Z) plus this duration: the months by
    /// the calendar in UTC, clamped to the end of a shorter month, then the milliseconds. `None`
    /// when the result is outside the dates chrono represents.
    pub fn add_to(&self, epoch_millis: i64) -> Option<i64> {
        let start = DateTime::from_timestamp_millis(epoch_millis)?;
        let months = Months::new(u32::try_from(self.months.unsigned_abs()).ok()?);
        let shifted = if self.months < 0 { start.checked_sub_months(months) } else { start.checked_add_months(months) };
        shifted?.timestamp_millis().checked_add(self.millis)
    }
}

impl fmt::Display for IsoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("PT0S");
        }
        let (months, millis) = (self.months.unsigned_abs(), self.millis.unsigned_abs());
        f.write_str(if self.is_negative() { "-P" } else { "P" })?;
        let (years, months) = (months / 12, months % 12);
        let (days, time) = (millis / DAY, millis % DAY);
        for (amount, unit) in [(years, 'Y'), (months, 'M'), (days, 'D')] {
            if amount > 0 {
                write!(f, "{amount}{unit}")?;
            }
        }
        if time == 0 {
            return Ok(());
        }
        f.write_str("T")?;
        let (hours, minutes, seconds, fraction) =
            (time / HOUR, time % HOUR / MINUTE, time % MINUTE / SECOND, time % SECOND);
        for (amount, unit) in [(hours, 'H'), (minutes, 'M')] {
            if amount > 0 {
                write!(f, "{amount}{unit}")?;
            }
        }
        match (seconds, fraction) {
            (0, 0) => Ok(()),
            (seconds, 0) => write!(f, "{seconds}S"),
            (seconds, fraction) => {
                write!(f, "{seconds}.{}S", format!("{fraction:03}").trim_end_matches('0'))
            }
        }
    }
}

/// What one unit letter counts.
#[derive(Debug, Clone, Copy)]
enum Size {
    /// Calendar months per unit.
    Months(u64),
    /// Milliseconds per unit.
    Millis(u64),
}

/// A unit letter of one part (before or after `T`).
#[derive(Debug)]
struct Unit {
    letter: char,
    name: &'static str,
    size: Size,
}

/// The units before `T`, in the order they must be written.
static DATE_UNITS: [Unit; 4] = [
    Unit { letter: 'Y', name: "years", size: Size::Months(12) },
    Unit { letter: 'M', name: "months", size: Size::Months(1) },
    Unit { letter: 'W', name: "weeks", size: Size::Millis(WEEK) },
    Unit { letter: 'D', name: "days", size: Size::Millis(DAY) },
];

/// The units after `T`, in the order they must be written.
static TIME_UNITS: [Unit; 3] = [
    Unit { letter: 'H', name: "hours", size: Size::Millis(HOUR) },
    Unit { letter: 'M', name: "minutes", size: Size::Millis(MINUTE) },
    Unit { letter: 'S', name: "seconds", size: Size::Millis(SECOND) },
];

/// At most this many decimal places (nanoseconds, as `java.time` reads).
const MAX_FRACTION_DIGITS: usize = 9;

/// One `<number><unit>` of an ISO-8601 duration.
struct Amount<'a> {
    unit: &'static Unit,
    whole: &'a str,
    fraction: Option<&'a str>,
}

impl Amount<'_> {
    /// The amount in the unit's months or milliseconds (a fraction rounded half up to the
    /// millisecond); `None` when it does not fit.
    fn value(&self) -> Option<u64> {
        let per = match self.unit.size {
            Size::Months(per) | Size::Millis(per) => per,
        };
        let whole = self.whole.parse::<u64>().ok()?.checked_mul(per)?;
        let Some(digits) = self.fraction else { return Some(whole) };
        let scale = 10u128.pow(u32::try_from(digits.len()).ok()?);
        let part = (digits.parse::<u128>().ok()? * u128::from(per) + scale / 2) / scale;
        whole.checked_add(u64::try_from(part).ok()?)
    }
}

/// Splits one part of an ISO-8601 duration, the one before `T` (`1Y2M`) or the one after it
/// (`4H5.5S`), into its amounts, checking the units' order; the reason when it cannot.
fn components(part: &str, before_t: bool) -> Result<Vec<Amount<'_>>, String> {
    let units: &'static [Unit] = if before_t { &DATE_UNITS } else { &TIME_UNITS };
    let mut amounts: Vec<Amount<'_>> = Vec::new();
    let mut rest = part;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let (whole, tail) = rest.split_at(digits);
        let (fraction, tail) = match tail.strip_prefix(['.', ',']) {
            Some(after) => {
                let end = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
                (Some(&after[..end]), &after[end..])
            }
            None => (None, tail),
        };
        let Some(letter) = tail.chars().next() else {
            return Err(format!("the number {} has no unit", &rest[..rest.len() - tail.len()]));
        };
        let unit = units.iter().find(|u| u.letter == letter).ok_or_else(|| misplaced(letter, before_t))?;
        if whole.is_empty() {
            return Err(format!("'{letter}' is not preceded by a number"));
        }
        if fraction.is_some_and(|f| f.is_empty() || f.len() > MAX_FRACTION_DIGITS) {
            return Err(format!("a decimal point needs 1 to {MAX_FRACTION_DIGITS} digits after it"));
        }
        if let Some(previous) = amounts.last() {
            let order = |u: &Unit| units.iter().position(|v| v.letter == u.letter);
            if order(unit) <= order(previous.unit) {
                return Err(if unit.letter == previous.unit.letter {
                    format!("{} appear twice", unit.name)
                } else {
                    format!(
                        "{} come after {}; write the units in the order Y, M, W, D, T, H, M, S",
                        unit.name, previous.unit.name
                    )
                });
            }
        }
        amounts.push(Amount { unit, whole, fraction });
        rest = &tail[letter.len_utf8()..];
    }
    Ok(amounts)
}

/// Why `letter` is not a unit of the part before `T` (or after it).
fn misplaced(letter: char, before_t: bool) -> String {
    match letter {
        'T' => "T appears more than once".to_owned(),
        'H' | 'S' if before_t => format!("'{letter}' belongs after T"),
        'Y' | 'W' | 'D' if !before_t => format!("'{letter}' belongs before T"),
        other => format!("'{other}' is not a unit; use Y, M, W, D before T and H, M, S after it"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_length_reads_the_short_and_iso_forms_and_refuses_months_and_negatives() {
        use std::time::Duration;
        assert_eq!(IsoDuration::parse_length("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(IsoDuration::parse_length(" 2d "), Ok(Duration::from_secs(2 * 86_400)));
        assert_eq!(IsoDuration::parse_length("P30D"), Ok(Duration::from_secs(30 * 86_400)));
        for (bad, why) in [
            ("soon", "neither a number with a unit nor ISO 8601"),
            ("", "neither"),
            ("P1M", "months and years have no fixed length"),
            ("-PT1H", "it is negative"),
        ] {
            let message = IsoDuration::parse_length(bad).expect_err(bad).to_string();
            assert!(message.starts_with(&format!("'{}' is not a duration: ", bad.trim())), "{message}");
            assert!(message.contains(why) && message.ends_with("without months"), "{message}");
        }
    }

    fn parsed(text: &str) -> (i64, i64) {
        let duration = IsoDuration::parse(text).unwrap_or_else(|e| panic!("{e}"));
        (duration.months(), duration.millis())
    }

    /// Epoch milliseconds of midnight UTC on a date.
    fn at(year: i32, month: u32, day: u32) -> i64 {
        let date = NaiveDate::from_ymd_opt(year, month, day).expect("a valid date");
        date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis()
    }

    const D: i64 = 86_400_000;
    const H: i64 = 3_600_000;

    #[test]
    fn every_unit_is_counted() {
        assert_eq!(parsed("P1Y"), (12, 0));
        assert_eq!(parsed("P1M"), (1, 0));
        assert_eq!(parsed("P2W"), (0, 14 * D));
        assert_eq!(parsed("P3D"), (0, 3 * D));
        assert_eq!(parsed("PT4H"), (0, 4 * H));
        assert_eq!(parsed("PT5M"), (0, 300_000));
        assert_eq!(parsed("PT6S"), (0, 6_000));
        assert_eq!(parsed("P1Y2M3DT4H5M6.5S"), (14, 3 * D + 4 * H + 300_000 + 6_500));
        assert_eq!(parsed("P1W2D"), (0, 9 * D));
        assert_eq!(parsed("P0D"), (0, 0));
    }

    #[test]
    fn the_last_unit_may_have_a_fraction() {
        assert_eq!(parsed("PT0.5S"), (0, 500));
        assert_eq!(parsed("PT0,25S"), (0, 250));
        assert_eq!(parsed("PT1.5H"), (0, 5_400_000));
        assert_eq!(parsed("P1.5D"), (0, 36 * H));
        assert_eq!(parsed("PT0.0005S"), (0, 1), "half a millisecond rounds up");
        assert_eq!(parsed("PT0.0004S"), (0, 0));
        assert_eq!(parsed("PT1M0.123456789S"), (0, 60_123));
    }

    #[test]
    fn a_minus_makes_every_part_negative() {
        assert_eq!(parsed("-PT5S"), (0, -5_000));
        assert_eq!(parsed("-P1Y1D"), (-12, -D));
        assert!(IsoDuration::parse("-PT5S").is_ok_and(|d| d.is_negative()));
        assert_eq!(IsoDuration::parse("-PT0S"), Ok(IsoDuration::ZERO), "minus zero is zero");
        assert_eq!(IsoDuration::new(1, -1), None, "one sign for both parts");
        assert_eq!(IsoDuration::new(-1, 0).map(|d| d.is_negative()), Some(true));
    }

    #[test]
    fn months_are_added_by_the_calendar_clamped_to_the_month_end() {
        let add = |text: &str, from: i64| IsoDuration::parse(text).ok().and_then(|d| d.add_to(from));
        assert_eq!(add("P1M", at(2024, 1, 31)), Some(at(2024, 2, 29)), "a leap year's February");
        assert_eq!(add("P1M", at(2023, 1, 31)), Some(at(2023, 2, 28)));
        assert_eq!(add("P1M", at(2024, 2, 29)), Some(at(2024, 3, 29)));
        assert_eq!(add("P1Y", at(2024, 2, 29)), Some(at(2025, 2, 28)));
        assert_eq!(add("P4Y", at(2024, 2, 29)), Some(at(2028, 2, 29)));
        assert_eq!(add("P1M", at(2024, 12, 15)), Some(at(2025, 1, 15)), "across a year end");
        assert_eq!(add("-P1M", at(2024, 3, 31)), Some(at(2024, 2, 29)));
        assert_eq!(add("P1M1D", at(2024, 1, 31)), Some(at(2024, 3, 1)), "months first, then days");
        assert_eq!(add("P1MT1H", at(2024, 1, 31)), Some(at(2024, 2, 29) + H));
        assert_eq!(add("PT36H", at(2024, 1, 31)), Some(at(2024, 2, 1) + 12 * H));
        assert_eq!(add("-PT5S", 10_000), Some(5_000));
        assert_eq!(add("P1Y", i64::MAX), None, "past the end of time");
    }

    #[test]
    fn display_is_canonical_and_parses_back() {
        for canonical in ["PT0S", "P1Y", "P1Y2M3DT4H5M6.5S", "P14D", "PT1H30M", "PT0.25S", "-PT5S", "-P2M", "P1DT12H"] {
            let duration = IsoDuration::parse(canonical).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(duration.to_string(), canonical);
        }
        for (written, canonical) in [("P2W", "P14D"), ("PT90M", "PT1H30M"), ("PT36H", "P1DT12H"), ("P12M", "P1Y")] {
            assert_eq!(IsoDuration::parse(written).map(|d| d.to_string()).as_deref(), Ok(canonical));
        }
        for (months, millis) in [(0, 1), (25, 0), (-3, -D - 1), (0, i64::MAX), (-i64::MAX, 0), (7, 999)] {
            let duration = IsoDuration::new(months, millis).expect("one sign");
            assert_eq!(IsoDuration::parse(&duration.to_string()), Ok(duration), "{duration}");
        }
    }

    #[test]
    fn designators_tell_the_two_kinds_apart_even_at_zero() {
        let kinds = |text: &str| IsoDuration::parse_designators(text).map(|(_, d)| (d.calendar, d.exact));
        assert_eq!(kinds("P0M"), Ok((true, false)));
        assert_eq!(kinds("PT0S"), Ok((false, true)));
        assert_eq!(kinds("P1Y2D"), Ok((true, true)));
    }

    #[test]
    fn malformed_text_is_rejected_with_the_reason() {
        for (bad, reason) in [
            ("", "does not start with P"),
            ("1H", "does not start with P"),
            ("p1d", "does not start with P"),
            ("P", "P is not followed by any amount"),
            ("-P", "P is not followed by any amount"),
            ("PT", "T is not followed"),
            ("P1DT", "T is not followed"),
            ("P1H", "'H' belongs after T"),
            ("PT1D", "'D' belongs before T"),
            ("P1DT1HT1M", "T appears more than once"),
            ("P1M1Y", "years come after months"),
            ("PT1S1H", "hours come after seconds"),
            ("P1D1D", "days appear twice"),
            ("PT5", "the number 5 has no unit"),
            ("P1.5", "the number 1.5 has no unit"),
            ("PD", "'D' is not preceded by a number"),
            ("P1X", "'X' is not a unit"),
            ("P1.5Y", "years must be a whole number"),
            ("P1.5DT1H", "only the last unit may have a fraction, not days"),
            ("PT1.S", "a decimal point needs"),
            ("PT0.1234567891S", "a decimal point needs"),
            ("P99999999999999999999D", "too long"),
            ("P106751991167301D", "too long"),
            ("P1D ", "' ' is not a unit"),
        ] {
            let error = IsoDuration::parse(bad).expect_err(bad);
            assert!(error.reason().contains(reason), "{bad}: {error}");
            assert!(error.to_string().ends_with(ISO_HINT), "{error}");
        }
    }

    #[test]
    fn the_short_form_reads_each_unit() {
        let millis = |text: &str| IsoDuration::parse_short(text).map(|d| (d.months(), d.millis()));
        assert_eq!(millis("250ms"), Ok((0, 250)));
        assert_eq!(millis("30s"), Ok((0, 30_000)));
        assert_eq!(millis("15m"), Ok((0, 900_000)));
        assert_eq!(millis("4h"), Ok((0, 4 * H)));
        assert_eq!(millis("5d"), Ok((0, 5 * D)));
        assert_eq!(millis(" 10 s "), Ok((0, 10_000)));
        assert_eq!(millis("0s"), Ok((0, 0)));
    }

    #[test]
    fn a_bad_short_form_says_how_to_write_one() {
        for (bad, reason) in [
            ("", "does not start with a whole number"),
            ("ms", "does not start with a whole number"),
            ("-3m", "does not start with a whole number"),
            ("PT5M", "does not start with a whole number"),
            ("5", "it has no unit"),
            ("5x", "unknown unit 'x'"),
            ("5 minutes", "unknown unit 'minutes'"),
            ("1.5h", "unknown unit '.5h'"),
            ("99999999999999999999m", "too long"),
            ("9223372036854776d", "too long"),
        ] {
            let error = IsoDuration::parse_short(bad).expect_err(bad);
            assert!(error.reason().contains(reason), "{bad}: {error}");
            assert!(error.to_string().contains("such as 30s"), "{error}");
        }
    }
}
