//! Turns the document's bytes into text: UTF-8 (with or without byte order mark), or the
//! single-byte encodings ISO-8859-1 and US-ASCII when the XML declaration names them.

use super::error::ReadError;
use super::position::PositionTracker;
use crate::model::Location;

/// The encodings the reader decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Latin1,
    Ascii,
}

/// Decodes `bytes` into a string, or says where and why it cannot.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
        return Err(ReadError::at(
            Location::new(1, 1),
            "the file is UTF-16 encoded; the reader takes UTF-8 or ISO-8859-1: re-save the file as UTF-8",
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match declared_encoding(bytes)? {
        Encoding::Utf8 => decode_utf8(bytes),
        Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Encoding::Ascii => decode_ascii(bytes),
    }
}

fn decode_utf8(bytes: &[u8]) -> Result<String, ReadError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(error) => {
            let valid = error.valid_up_to();
            let prefix = std::str::from_utf8(bytes.get(..valid).unwrap_or_default()).unwrap_or_default();
            let bad = bytes.get(valid).copied().unwrap_or_default();
            Err(ReadError::at(
                PositionTracker::new(prefix).locate(valid),
                format!(
                    "byte 0x{bad:02X} is not valid UTF-8; save the file as UTF-8, or declare its real encoding \
                     (for example <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>)"
                ),
            ))
        }
    }
}

fn decode_ascii(bytes: &[u8]) -> Result<String, ReadError> {
    match bytes.iter().position(|b| !b.is_ascii()) {
        None => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Some(at) => {
            let prefix: String = bytes.iter().take(at).map(|&b| char::from(b)).collect();
            let bad = bytes.get(at).copied().unwrap_or_default();
            Err(ReadError::at(
                PositionTracker::new(&prefix).locate(at),
                format!(
                    "byte 0x{bad:02X} is not US-ASCII, the encoding the XML declaration names; \
                     declare encoding=\"UTF-8\" or \"ISO-8859-1\" to match the file's real encoding"
                ),
            ))
        }
    }
}

/// The encoding named by the XML declaration, UTF-8 when there is none.
fn declared_encoding(bytes: &[u8]) -> Result<Encoding, ReadError> {
    if !bytes.starts_with(b"<?xml") {
        return Ok(Encoding::Utf8);
    }
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    let Some(end) = head.windows(2).position(|w| w == b"?>") else {
        return Ok(Encoding::Utf8);
    };
    let declaration = head.get(..end).unwrap_or_default();
    let Some(key) = declaration.windows(8).position(|w| w == b"encoding") else {
        return Ok(Encoding::Utf8);
    };
    let rest = declaration.get(key + 8..).unwrap_or_default();
    let Some(open) = rest.iter().position(|&b| b == b'"' || b == b'\'') else {
        return Ok(Encoding::Utf8);
    };
    let quote = rest.get(open).copied().unwrap_or(b'"');
    let value_bytes = rest.get(open + 1..).unwrap_or_default();
    let value_end = value_bytes.iter().position(|&b| b == quote).unwrap_or(value_bytes.len());
    let value = String::from_utf8_lossy(value_bytes.get(..value_end).unwrap_or_default()).into_owned();
    match value.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => Ok(Encoding::Utf8),
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" => Ok(Encoding::Latin1),
        "us-ascii" | "ascii" => Ok(Encoding::Ascii),
        _ => {
            let column = u32::try_from(key + 8 + open + 2).unwrap_or(u32::MAX);
            Err(ReadError::at(
                Location::new(1, column),
                format!(
                    "unsupported encoding \"{value}\" in the XML declaration; the reader takes UTF-8, ISO-8859-1 \
                     and US-ASCII: re-save the file as UTF-8"
                ),
            ))
        }
    }
}
