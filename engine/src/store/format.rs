//! The stored format of the log: how commands' entries become bytes, and back.
//!
//! Format 3. A record is a MessagePack value (structs as arrays of their fields in declaration
//! order, enum variants by name); an entry's records are written one after another. A store
//! writes the entries of one group commit as one *batch*: [`pack_batch`] frames each entry
//! (engine time, record count, cause as JSON text, records) and compresses the whole with LZ4
//! (block format, uncompressed size first); [`unpack_batch`] reverses it and refuses damaged
//! bytes with a reason. [`records_to_json`] shows an entry's records as JSON.
//!
//! Why (W1, 104 records per instance, measured on the 2-vCPU VM): JSON made an instance 31.6 KB
//! and the SQLite log about 54 KB per instance, so the disk bounded throughput near 1,000
//! instances/s. MessagePack drops the field names and stays self-describing (a
//! `serde_json::Value` variable round-trips, and any tool can read the values); compressing
//! single entries still left 5.7 KB per instance (keys, element ids, causes and the job
//! template repeat across entries), compressing a whole batch removes that repetition, and the
//! store's thread does it, off the engine's. A field added at the end of a struct with
//! `#[serde(default)]` still reads older logs (their arrays are one shorter); reordering fields,
//! or adding one elsewhere or without a default, needs a new format version.

use super::{EncodedEntry, LogEntry, StoredEntry};
use crate::record::{Cause, Record};

/// The version of the log format this engine writes and reads. A log in any other version is
/// refused on open rather than misread.
pub const RECORD_FORMAT_VERSION: i64 = 3;

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
    rmp_serde::encode::write(buffer, record)
        .map_err(|e| format!("record {} {} cannot be serialized: {e}", record.key, record.intent.name()))
}

/// The cause as stored (JSON text).
pub fn encode_cause(cause: &Cause) -> String {
    // A `Cause` is strings and tags only: serializing it cannot fail.
    serde_json::to_string(cause).unwrap_or_default()
}

/// Packs the entries of one group commit into one compressed batch.
pub fn pack_batch<'a>(entries: impl IntoIterator<Item = &'a EncodedEntry>) -> Vec<u8> {
    let mut raw = Vec::new();
    for entry in entries {
        raw.extend_from_slice(&entry.at_millis.to_le_bytes());
        raw.extend_from_slice(&entry.record_count.to_le_bytes());
        for part in [entry.cause.as_bytes(), &entry.records] {
            raw.extend_from_slice(&(part.len() as u64).to_le_bytes());
            raw.extend_from_slice(part);
        }
    }
    lz4_flex::block::compress_prepend_size(&raw)
}

/// Unpacks a batch written by [`pack_batch`] whose first entry has position `first_position`.
pub fn unpack_batch(first_position: i64, batch: &[u8]) -> Result<Vec<StoredEntry>, String> {
    let damaged = |why: &str| {
        format!(
            "the log batch starting at position {first_position} {why}; the log is damaged: restore the file from a backup"
        )
    };
    let raw = lz4_flex::block::decompress_size_prepended(batch)
        .map_err(|e| damaged(&format!("does not decompress ({e})")))?;
    let mut reader = Reader { bytes: &raw };
    let mut entries = Vec::new();
    while !reader.bytes.is_empty() {
        let truncated = || damaged("ends inside an entry");
        let at_millis = reader.i64().ok_or_else(truncated)?;
        let record_count = reader.i64().ok_or_else(truncated)?;
        let cause = reader.part().ok_or_else(truncated)?;
        let cause = String::from_utf8(cause.to_vec()).map_err(|_| damaged("has a cause that is not text"))?;
        let records = reader.part().ok_or_else(truncated)?.to_vec();
        let position = first_position + entries.len() as i64;
        entries.push(StoredEntry { position, at_millis, cause, record_count, records });
    }
    Ok(entries)
}

/// The entries after position `after` from stored batches `(first_position, entry_count,
/// bytes)` in order, checking that the batches follow each other without a gap (the first may
/// start before `after + 1`: it holds that position) and hold as many entries as they say.
pub fn entries_after(after: i64, batches: Vec<(i64, i64, Vec<u8>)>) -> Result<Vec<StoredEntry>, String> {
    let mut expected = after + 1;
    let mut entries = Vec::new();
    for (index, (first, count, bytes)) in batches.into_iter().enumerate() {
        if first > expected || (index > 0 && first != expected) {
            return Err(format!(
                "the log has no entries from position {expected} to {}; the log is damaged: restore the file from a backup",
                first - 1
            ));
        }
        let batch = unpack_batch(first, &bytes)?;
        if batch.len() as i64 != count {
            return Err(format!(
                "the log batch starting at position {first} holds {} entries instead of {count}; the log is damaged: restore the file from a backup",
                batch.len()
            ));
        }
        expected = first + count;
        entries.extend(batch.into_iter().filter(|e| e.position > after));
    }
    Ok(entries)
}

/// Reads the framing of an unpacked batch, refusing to read past its end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn i64(&mut self) -> Option<i64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(i64::from_le_bytes)
    }

    fn part(&mut self) -> Option<&'a [u8]> {
        let len = self.take(8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)?;
        self.take(usize::try_from(len).ok()?)
    }
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
    let mut reader = stored.records.as_slice();
    let mut records = Vec::with_capacity(usize::try_from(stored.record_count).unwrap_or(0).min(reader.len()));
    while !reader.is_empty() {
        let record: Record = rmp_serde::from_read(&mut reader)
            .map_err(|e| damaged(format!("has a record that cannot be read ({e})")))?;
        records.push(record);
    }
    if records.len() as i64 != stored.record_count {
        return Err(damaged(format!("holds {} records instead of {}", records.len(), stored.record_count)));
    }
    Ok(LogEntry { position: stored.position, at_millis: stored.at_millis, cause, records })
}

/// An entry's encoded records as JSON values, one per record, in the stored structure (structs
/// as arrays; for inspecting a log with tools, and for tests that damage one on purpose).
pub fn records_to_json(records: &[u8]) -> Result<Vec<serde_json::Value>, String> {
    let mut reader = records;
    let mut values = Vec::new();
    while !reader.is_empty() {
        values.push(rmp_serde::from_read(&mut reader).map_err(|e| format!("a record cannot be read ({e})"))?);
    }
    Ok(values)
}

/// Encodes JSON values in the stored structure (as [`records_to_json`] gives them) back into an
/// entry's records.
pub fn records_from_json(values: &[serde_json::Value]) -> Result<Vec<u8>, String> {
    let mut buffer = Vec::new();
    for value in values {
        rmp_serde::encode::write(&mut buffer, value).map_err(|e| format!("a record cannot be encoded ({e})"))?;
    }
    Ok(buffer)
}
