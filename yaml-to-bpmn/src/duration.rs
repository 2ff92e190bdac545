//! The dialect's durations, short (`30m`, `4h`, `5d`) or ISO-8601 (`PT4H`, `P5D`), as canonical
//! ISO-8601 text for the BPMN (`PT30M`, `PT4H`, `P5D`). Both are read by [`feel::duration`], the
//! parser the engine's timers use too.

use feel::duration::IsoDuration;

/// The text is not a duration above zero, short or ISO-8601.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationError;

/// Converts `<n>ms|s|m|h|d` or an ISO-8601 duration to canonical ISO-8601 text; anything else, and
/// a duration of zero or less (an SLA, a wait or a timeout must be some time ahead), is an error.
pub fn parse_duration(text: &str) -> Result<String, DurationError> {
    let text = text.trim();
    let duration = IsoDuration::parse_short(text).or_else(|_| IsoDuration::parse(text)).map_err(|_| DurationError)?;
    if duration.is_zero() || duration.is_negative() {
        return Err(DurationError);
    }
    Ok(duration.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_each_unit() {
        assert_eq!(parse_duration("30m").as_deref(), Ok("PT30M"));
        assert_eq!(parse_duration("5s").as_deref(), Ok("PT5S"));
        assert_eq!(parse_duration("4h").as_deref(), Ok("PT4H"));
        assert_eq!(parse_duration("2d").as_deref(), Ok("P2D"));
        assert_eq!(parse_duration("250ms").as_deref(), Ok("PT0.25S"));
        assert_eq!(parse_duration("90m").as_deref(), Ok("PT1H30M"));
    }

    #[test]
    fn iso_text_is_accepted_and_made_canonical() {
        assert_eq!(parse_duration("P5D").as_deref(), Ok("P5D"));
        assert_eq!(parse_duration(" PT4H ").as_deref(), Ok("PT4H"));
        assert_eq!(parse_duration("P1W").as_deref(), Ok("P7D"));
        assert_eq!(parse_duration("P1M").as_deref(), Ok("P1M"));
        assert_eq!(parse_duration("PT36H").as_deref(), Ok("P1DT12H"));
    }

    #[test]
    fn rejects_prose_missing_parts_and_no_time_at_all() {
        for bad in [
            "",
            "m",
            "30",
            "4 hours",
            "1-2 minutes",
            "-3m",
            "3x",
            "99999999999999999999999m",
            "é",
            "0s",
            "PT0S",
            "-PT5M",
            "P",
            "PT",
            "P1H",
        ] {
            assert_eq!(parse_duration(bad), Err(DurationError), "{bad}");
        }
    }
}
