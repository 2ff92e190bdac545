//! Output helpers: aligned text tables, times and durations for people, JSON for scripts.

use serde::Serialize;

/// How the command should print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text for people.
    Text,
    /// JSON for scripts.
    Json,
}

/// `println!` that ignores a closed stdout (`orchestrator history 1 | head` must not panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
pub(crate) use say;

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => say!("{text}"),
        // Every value printed is built from JSON-able parts; this only guards against a bug.
        Err(e) => eprintln!("error: cannot render the answer as JSON: {e}"),
    }
}

/// A table with a header row and left-aligned columns separated by two spaces.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells.zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut text = line(&mut headers.iter().copied());
    for row in rows {
        text.push('\n');
        text.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    text
}

/// An epoch-millisecond time as `2026-11-21 07:58:12.345` (UTC), or `-` when unknown.
pub fn time(millis: Option<i64>) -> String {
    millis
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
}

/// A duration in milliseconds as `850ms`, `12.3s`, `4m05s` or `2h03m`; `-` when unknown.
pub fn duration(millis: Option<i64>) -> String {
    let Some(ms) = millis else { return "-".to_owned() };
    match ms {
        ..1_000 => format!("{ms}ms"),
        1_000..60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{}m{:02}s", ms / 60_000, ms % 60_000 / 1000),
        _ => format!("{}h{:02}m", ms / 3_600_000, ms % 3_600_000 / 60_000),
    }
}

/// A JSON value in one line, cut to `max` characters.
pub fn short_json(value: &serde_json::Value, max: usize) -> String {
    short_text(&value.to_string(), max)
}

/// `text` cut to `max` characters, ending in `…` when cut.
pub fn short_text(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// A titled table, or `title: none`.
pub fn section(title: &str, headers: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.collect();
    if rows.is_empty() {
        say!("\n{title}: none");
    } else {
        say!("\n{title}:\n{}", indent(&table(headers, &rows)));
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_to_the_widest_cell() {
        let rows = vec![vec!["1".to_owned(), "a-long-name".to_owned()], vec!["22".to_owned(), "b".to_owned()]];
        assert_eq!(table(&["KEY", "NAME"], &rows), "KEY  NAME\n1    a-long-name\n22   b");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        let cases =
            [(Some(850), "850ms"), (Some(12_345), "12.3s"), (Some(245_000), "4m05s"), (Some(7_380_000), "2h03m")];
        for (millis, text) in cases {
            assert_eq!(duration(millis), text);
        }
        assert_eq!(duration(None), "-");
        assert_eq!(time(Some(0)), "1970-01-01 00:00:00.000");
    }

    #[test]
    fn long_json_is_cut_with_an_ellipsis() {
        assert_eq!(short_json(&serde_json::json!("abcdefgh"), 5), "\"abc…");
    }
}
