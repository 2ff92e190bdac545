//! `audit`: the persona registry's audit log.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use engine::Clock;
use feel::duration::IsoDuration;
use personas::{AuditEntry, AuditKind, AuditQuery, InstanceRef};
use serde_json::{Value, json};

use super::Format;
use super::personas::read_registry;
use crate::cli::AuditArgs;
use crate::failure::{Failure, Result};
use crate::output::say;
use crate::output::{print_json, short_json, short_text, table, time};
use crate::store::StoreLocation;

/// `audit`: the entries matching the filters, oldest first.
pub fn show(store: &StoreLocation, args: AuditArgs, format: Format) -> Result<()> {
    let now = engine::SystemClock.now_millis();
    let query = AuditQuery {
        instance: args.instance.as_deref().map(|text| InstanceRef::parse(text, args.project.clone())),
        workflow_instance: args.workflow_instance,
        since_millis: args.since.as_deref().map(|text| parse_time("--since", text, now)).transpose()?,
        until_millis: args.until.as_deref().map(|text| parse_time("--until", text, now)).transpose()?,
        kinds: args.kinds,
        limit: args.limit,
    };
    let entries = read_registry(store, |r| async move { r.audit(&query).await })?;
    if format == Format::Json {
        print_json(&json!({ "entries": entries }));
        return Ok(());
    }
    if entries.is_empty() {
        say!("no audit entries match");
        return Ok(());
    }
    let dash = || "-".to_owned();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                time(Some(e.at_millis)),
                e.kind.as_str().to_owned(),
                e.instance_name.clone().unwrap_or_else(dash),
                e.workflow_instance.map_or_else(dash, |k| k.to_string()),
                e.element_id.clone().unwrap_or_else(dash),
                e.job_key.map_or_else(dash, |k| k.to_string()),
                short_text(&what(e), 100),
            ]
        })
        .collect();
    say!("{}", table(&["ID", "TIME", "KIND", "INSTANCE", "WORKFLOW", "ELEMENT", "JOB", "WHAT"], &rows));
    Ok(())
}

/// A time on the command line, in epoch milliseconds: RFC 3339, a UTC date or date and time, or
/// a time ago (`30m`, `4h`, `7d`, read as the dialect reads durations).
fn parse_time(flag: &str, text: &str, now: i64) -> Result<i64> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.timestamp_millis());
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at.and_utc().timestamp_millis());
        }
    }
    if let Some(midnight) = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)) {
        return Ok(midnight.and_utc().timestamp_millis());
    }
    match IsoDuration::parse_short(text) {
        Ok(ago) if ago.months() == 0 && !ago.is_negative() => Ok(now - ago.millis()),
        _ => Err(Failure::Usage(format!(
            "{flag} '{text}' is not a time; write a UTC date (2026-03-01), a date and time (2026-03-01T09:30:00Z) or a time ago (30m, 4h, 7d)"
        ))),
    }
}

/// What an entry records, in a few words.
fn what(entry: &AuditEntry) -> String {
    let d = &entry.details;
    let text = |key: &str| d[key].as_str().unwrap_or("?").to_owned();
    match (entry.kind, d["decision"].as_str(), d["action"].as_str()) {
        (AuditKind::Routing, Some("assigned"), _) => format!("assigned: {}", text("reason")),
        (AuditKind::Routing, _, _) => format!("waits: {}", text("reason")),
        (AuditKind::Spend, _, Some("charge")) => match d["model"].as_str() {
            Some(model) => format!(
                "charged ${} for {model} ({} in, {} out tokens); today ${}",
                text("amount"),
                d["input_tokens"],
                d["output_tokens"],
                text("spent_today")
            ),
            None => format!("charged ${}; today ${}", text("amount"), text("spent_today")),
        },
        (AuditKind::Spend, _, Some("refused")) => format!(
            "refused a call of ${}: {} limit ${} (${} spent, ${} set aside)",
            text("needed"),
            text("period"),
            text("limit"),
            text("spent"),
            text("reserved")
        ),
        (AuditKind::InstanceChange, _, Some("update")) => {
            let fields: Vec<&str> =
                d["changes"].as_object().map(|c| c.keys().map(String::as_str).collect()).unwrap_or_default();
            format!("update: {}", fields.join(", "))
        }
        (AuditKind::InstanceChange, _, Some("assign")) => {
            format!("assign to {}", short_json(&d["project"], 60))
        }
        (AuditKind::InstanceChange, _, Some("reassign")) => format!("took back jobs {}", d["jobs"]),
        (AuditKind::InstanceChange, _, Some(action)) => action.to_owned(),
        _ => short_json(&Value::clone(d), 100),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_every_form_and_bad_ones_say_what_to_write() {
        let now = 1_772_352_000_000; // 2026-03-01T08:00:00Z
        assert_eq!(parse_time("--since", "2026-03-01", now).ok(), Some(1_772_323_200_000));
        assert_eq!(parse_time("--since", "2026-03-01T08:00:00Z", now).ok(), Some(now));
        assert_eq!(parse_time("--since", "2026-03-01 08:00", now).ok(), Some(now));
        assert_eq!(parse_time("--since", "4h", now).ok(), Some(now - 4 * 3_600_000));
        let error = parse_time("--until", "yesterday", now).expect_err("not a time");
        assert!(error.message().contains("--until 'yesterday' is not a time; write a UTC date"), "{error:?}");
    }
}
