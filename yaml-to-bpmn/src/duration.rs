//! The dialect's duration literals (`30m`, `4h`) as ISO-8601 durations (`PT30M`, `PT4H`).

/// The text is not `<whole number><unit>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationError;

/// Converts `<n>s|m|h|d` to an ISO-8601 duration; anything else is an error.
pub fn parse_duration(text: &str) -> Result<String, DurationError> {
    let text = text.trim();
    let unit = text.chars().last().ok_or(DurationError)?;
    let digits = text.get(..text.len() - unit.len_utf8()).ok_or(DurationError)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError);
    }
    let n: u64 = digits.parse().map_err(|_| DurationError)?;
    match unit {
        's' => Ok(format!("PT{n}S")),
        'm' => Ok(format!("PT{n}M")),
        'h' => Ok(format!("PT{n}H")),
        'd' => Ok(format!("P{n}D")),
        _ => Err(DurationError),
    }
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
    }

    #[test]
    fn rejects_prose_and_missing_parts() {
        for bad in ["", "m", "30", "4 hours", "1-2 minutes", "-3m", "3x", "99999999999999999999999m", "é"] {
            assert_eq!(parse_duration(bad), Err(DurationError), "{bad}");
        }
    }
}
