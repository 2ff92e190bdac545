//! Turns the document's bytes into text the way a browser does (and with it Camunda Modeler and
//! bpmn-js): a byte order mark wins, else the XML declaration's encoding label is looked up in
//! the WHATWG Encoding Standard (windows-1252, ISO-8859-x, Shift_JIS, GBK, ...), else UTF-8.
//!
//! UTF-8 is read leniently: a byte that is not valid UTF-8 (a Latin-1 `ä` saved as 0xE4 in a file
//! that declares UTF-8) is read as the windows-1252 character it stands for, with a warning at
//! the first such byte. In other encodings a malformed byte sequence cannot be recovered and is
//! an error at its position.

use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::error::ReadError;
use super::position::PositionTracker;
use super::warning::ReadWarning;
use crate::model::Location;

/// Decodes `bytes` into a string, noting what was repaired in `warnings`, or says where and why
/// it cannot.
pub(crate) fn decode(bytes: &[u8], warnings: &mut Vec<ReadWarning>) -> Result<String, ReadError> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_length..).unwrap_or_default();
        return if encoding == UTF_8 {
            Ok(decode_utf8_leniently(body, warnings))
        } else {
            decode_strictly(encoding, body)
        };
    }
    let Some(declared) = declared_label(bytes) else { return Ok(decode_utf8_leniently(bytes, warnings)) };
    let here = Location::new(1, declared.column);
    match Encoding::for_label(declared.label.trim().as_bytes()) {
        Some(encoding) if encoding == UTF_8 => Ok(decode_utf8_leniently(bytes, warnings)),
        Some(encoding) if encoding == UTF_16LE || encoding == UTF_16BE => {
            warnings.push(ReadWarning::at(
                here,
                format!(
                    "the XML declaration names encoding \"{}\", but the file has no UTF-16 byte order mark and its \
                     declaration is 8-bit text: read it as UTF-8; declare encoding=\"UTF-8\"",
                    declared.label
                ),
            ));
            Ok(decode_utf8_leniently(bytes, warnings))
        }
        Some(encoding) if encoding != REPLACEMENT => decode_strictly(encoding, bytes),
        _ => Err(ReadError::at(
            here,
            format!(
                "unsupported encoding \"{}\" in the XML declaration; the reader takes UTF-8, UTF-16 and the other \
                 encodings of the WHATWG Encoding Standard (windows-1252, ISO-8859-x, Shift_JIS, ...): declare one of \
                 them, or re-save the file as UTF-8",
                declared.label
            ),
        )),
    }
}

/// UTF-8, with every byte that is not part of a valid sequence read as windows-1252.
fn decode_utf8_leniently(bytes: &[u8], warnings: &mut Vec<ReadWarning>) -> String {
    let mut text = String::with_capacity(bytes.len());
    let mut first_invalid = None;
    let mut invalid_count = 0_usize;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            let decoded = windows_1252(byte);
            first_invalid.get_or_insert((text.len(), byte, decoded));
            invalid_count += 1;
            text.push(decoded);
        }
    }
    if let Some((offset, byte, decoded)) = first_invalid {
        let others = match invalid_count {
            1 => String::new(),
            n => format!(" ({} more such bytes follow)", n - 1),
        };
        warnings.push(ReadWarning::at(
            PositionTracker::new(&text).locate(offset),
            format!(
                "byte 0x{byte:02X} is not valid UTF-8; read it as windows-1252 \"{decoded}\"{others}: save the file as \
                 UTF-8, or declare its real encoding (for example <?xml version=\"1.0\" encoding=\"windows-1252\"?>)"
            ),
        ));
    }
    text
}

/// The character a single byte stands for in windows-1252 (every byte has one).
fn windows_1252(byte: u8) -> char {
    WINDOWS_1252.decode_without_bom_handling(&[byte]).0.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Decodes `bytes` in `encoding`, or names the position of the first malformed sequence.
fn decode_strictly(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, ReadError> {
    if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(text.into_owned());
    }
    let (lossy, _) = encoding.decode_without_bom_handling(bytes);
    let at = lossy.find(char::REPLACEMENT_CHARACTER).unwrap_or_default();
    Err(ReadError::at(
        PositionTracker::new(&lossy).locate(at),
        format!(
            "the bytes here are not valid {}, the file's encoding; save the file as UTF-8, or declare its real \
             encoding in the XML declaration",
            encoding.name()
        ),
    ))
}

/// The encoding label of the XML declaration and the column where it starts.
struct DeclaredLabel {
    label: String,
    column: u32,
}

/// The encoding label named by the XML declaration, when there is one.
fn declared_label(bytes: &[u8]) -> Option<DeclaredLabel> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    let end = head.windows(2).position(|w| w == b"?>")?;
    let declaration = head.get(..end).unwrap_or_default();
    let key = declaration.windows(8).position(|w| w == b"encoding")?;
    let rest = declaration.get(key + 8..).unwrap_or_default();
    let open = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let quote = rest.get(open).copied().unwrap_or(b'"');
    let value_bytes = rest.get(open + 1..).unwrap_or_default();
    let value_end = value_bytes.iter().position(|&b| b == quote).unwrap_or(value_bytes.len());
    let label = String::from_utf8_lossy(value_bytes.get(..value_end).unwrap_or_default()).into_owned();
    Some(DeclaredLabel { label, column: u32::try_from(key + 8 + open + 2).unwrap_or(u32::MAX) })
}
