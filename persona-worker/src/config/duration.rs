//! Durations in the config file: a whole number with a unit, such as `250ms`, `10s`, `5m`, `1h`.

use std::time::Duration;

use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Reads `text` as a duration, or says how to write one.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let how = "write a whole number and a unit (ms, s, m or h), such as 30s";
    let number: u64 = number.parse().map_err(|_| format!("'{text}' is not a duration; {how}"))?;
    let millis_per_unit = match unit.trim() {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        other => return Err(format!("'{text}' has the unknown unit '{other}'; {how}")),
    };
    number
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("'{text}' is too long a duration"))
}

/// Deserializes an optional duration field; a mistake is reported while the scalar is read, so
/// the YAML reader locates it at the value.
pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
    deserializer.deserialize_str(DurationVisitor).map(Some)
}

/// Reads a duration scalar.
struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a duration such as 30s")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<Duration, E> {
        parse(text).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unit_is_read_and_mistakes_explained() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse(" 5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse("5").unwrap_err().contains("unknown unit ''"));
        assert!(parse("5x").unwrap_err().contains("unknown unit 'x'"));
        assert!(parse("ms").unwrap_err().contains("not a duration"));
        assert!(parse("5000000000000000h").unwrap_err().contains("too long"));
    }
}
