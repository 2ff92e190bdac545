//! Durations in the config file: a whole number with a unit, such as `250ms`, `10s`, `5m`, `1h`,
//! `1d`, read by the project's one duration parser ([`feel::duration`]).

use std::time::Duration;

use feel::duration::IsoDuration;
use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Reads `text` as a duration, or says how to write one.
pub fn parse(text: &str) -> Result<Duration, String> {
    // The short form has no sign and no months: its milliseconds are all there is.
    IsoDuration::parse_short(text).map(|d| Duration::from_millis(d.millis().unsigned_abs())).map_err(|e| e.to_string())
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
        assert_eq!(parse("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse("5").unwrap_err().contains("has no unit"));
        assert!(parse("5x").unwrap_err().contains("unknown unit 'x'"));
        assert!(parse("ms").unwrap_err().contains("not a duration"));
        assert!(parse("PT5S").unwrap_err().contains("such as 30s"), "the config takes the short form only");
        assert!(parse("5000000000000000h").unwrap_err().contains("too long"));
    }
}
