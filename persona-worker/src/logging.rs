//! Log setup: `tracing` events to standard error, as text or JSON lines, with their fields.

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Installs the global subscriber. `RUST_LOG`, when set, wins over `level`; a filter that
/// cannot be read falls back to `info` with a warning.
pub fn init(format: LogFormat, level: &str) {
    let (filter, problem) = match std::env::var("RUST_LOG") {
        Ok(from_env) => parse(&from_env, "RUST_LOG"),
        Err(_) => parse(level, "--log-level"),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(false).init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
    }
    if let Some(problem) = problem {
        tracing::warn!("{problem}");
    }
}

/// The filter for `text`, or `info` and what was wrong with `text`.
fn parse(text: &str, source: &str) -> (EnvFilter, Option<String>) {
    match EnvFilter::try_new(text) {
        Ok(filter) => (filter, None),
        Err(error) => (
            EnvFilter::new("info"),
            Some(format!(
                "{source} '{text}' is not a log filter ({error}); logging at info. Use a level such as debug"
            )),
        ),
    }
}
