//! The characters XML 1.0 allows in a document.

/// True for characters XML 1.0 allows (`Char` production); others can be neither read nor written.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
