//! The stored format of log entries: how a command's records and cause become bytes, and back.
//!
//! An entry's records are encoded one after another into one byte string (JSON values today);
//! the cause is JSON text, readable with any SQLite tool.

use super::{LogEntry, StoredEntry};
use crate::record::{Cause, Record};

/// The version of the entry format this engine writes and reads. A log in any other version is
/// refused on open rather than misread.
pub const RECORD_FORMAT_VERSION: i64 = 2;

/// Refuses a log in another format than [`RECORD_FORMAT_VERSION`], saying what to do.
pub fn check_version(format_version: i64) -> Result<(), String> {
    use std::cmp::Ordering;
    match format_version.cmp(&RECORD_FORMAT_VERSION) {
        Ordering::Equal => Ok(()),
        Ordering::Greater => Err(format!(
            "the log is in record format {format_version}, but this engine reads format {RECORD_FORMAT_VERSION}; open it with the newer engine that wrote it"
        )),
        Ordering::Less => Err(format!(
            "the log is in the older record format {format_version}, and this engine reads only format {RECORD_FORMAT_VERSION}; there is no converter (the format changed before any release): open it with the engine that wrote it, or move the file away to start an empty engine"
        )),
    }
}

/// Appends one encoded record to an entry's buffer.
pub fn encode_record(record: &Record, buffer: &mut Vec<u8>) -> Result<(), String> {
    serde_json::to_writer(buffer, record)
        .map_err(|e| format!("record {} {} cannot be serialized: {e}", record.key, record.intent.name()))
}

/// The cause as stored (JSON text).
pub fn encode_cause(cause: &Cause) -> String {
    // A `Cause` is strings and tags only: serializing it cannot fail.
    serde_json::to_string(cause).unwrap_or_default()
}

/// Decodes a stored entry; the error names the entry's position and what to do.
pub fn decode_entry(stored: &StoredEntry) -> Result<LogEntry, String> {
    let damaged = |why: String| {
        format!(
            "the log entry at position {} {why}; the log is damaged: restore the file from a backup",
            stored.position
        )
    };
    let cause: Cause =
        serde_json::from_str(&stored.cause).map_err(|e| damaged(format!("has a cause that cannot be read ({e})")))?;
    let mut records = Vec::with_capacity(usize::try_from(stored.record_count).unwrap_or(0));
    for record in serde_json::Deserializer::from_slice(&stored.records).into_iter::<Record>() {
        records.push(record.map_err(|e| damaged(format!("has a record that cannot be read ({e})")))?);
    }
    if records.len() as i64 != stored.record_count {
        return Err(damaged(format!("holds {} records instead of {}", records.len(), stored.record_count)));
    }
    Ok(LogEntry { position: stored.position, at_millis: stored.at_millis, cause, records })
}

/// An entry's encoded records as JSON values, one per record, in the stored structure (for
/// inspecting a log with tools, and for tests that damage one on purpose).
pub fn records_to_json(records: &[u8]) -> Result<Vec<serde_json::Value>, String> {
    serde_json::Deserializer::from_slice(records)
        .into_iter::<serde_json::Value>()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the records cannot be read ({e})"))
}

/// Encodes JSON values in the stored structure (as [`records_to_json`] gives them) back into an
/// entry's records.
pub fn records_from_json(values: &[serde_json::Value]) -> Result<Vec<u8>, String> {
    let mut buffer = Vec::new();
    for value in values {
        serde_json::to_writer(&mut buffer, value).map_err(|e| format!("a record cannot be encoded ({e})"))?;
    }
    Ok(buffer)
}
