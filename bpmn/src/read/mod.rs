//! The BPMN XML reader: bytes in, [`Definitions`] out, or a [`ReadError`] that says where and why.
//!
//! - Namespaces are resolved by URI, so any prefix works (`bpmn:`, `bpmn2:`, `semantic:`, a
//!   default namespace, ...).
//! - Bytes are decoded as a browser does: a byte order mark (UTF-8, UTF-16) wins, else the XML
//!   declaration's encoding is looked up in the WHATWG Encoding Standard (windows-1252,
//!   ISO-8859-x, Shift_JIS, ...), else UTF-8. A label it does not know is an error naming it.
//! - Files are opened as Camunda Modeler opens them, and every repair is a located
//!   [`ReadWarning`] ([`read_with_warnings`]): bytes that are not valid UTF-8 in a UTF-8 file are
//!   read as windows-1252, and a `dc:Bounds` without width or height gets the size Camunda Modeler
//!   gives a new element of its kind. What cannot be recovered is a [`ReadError`].
//! - Nothing is lost: unknown attributes and elements are kept in the model's `Extras`,
//!   `XmlElement`s and `Other` variants, comments inside kept elements included.
//! - [`Definitions::namespace_declarations`] holds the root's declarations except those of the
//!   writer's canonical prefixes (`bpmn`, `bpmndi`, `dc`, `di`, `xsi`, `zeebe`, `modeler`), which
//!   the writer always declares itself; so reading what the writer wrote gives the same model.
//! - The work is linear in the input size: a 10 MB file reads in a fraction of a second.
//!
//! Not kept, because they carry nothing a model or a tool needs: comments and processing
//! instructions outside kept elements (before the root, inside typed elements), the DOCTYPE,
//! layout whitespace between elements, attributes other than the coordinates on `di:waypoint`
//! and `dc:Bounds` (some tools write `xsi:type="dc:Point"`), and namespace declarations on typed
//! elements other than the root (their names are resolved while reading).

mod decode;
mod di;
mod error;
mod flow;
mod parts;
mod position;
mod semantic;
mod standard_size;
mod tree;
mod warning;
mod zeebe;

pub use error::ReadError;
pub use warning::ReadWarning;

use crate::model::Definitions;

/// A document that did read, with what the reader repaired to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOutcome {
    /// The model.
    pub definitions: Definitions,
    /// The repairs, in the order they were made (decoding first, then the diagrams).
    pub warnings: Vec<ReadWarning>,
}

/// Reads a BPMN document from its bytes; what was repaired is dropped (see [`read_with_warnings`]).
pub fn read(bytes: &[u8]) -> Result<Definitions, ReadError> {
    read_with_warnings(bytes).map(|outcome| outcome.definitions)
}

/// Reads a BPMN document from its bytes, with a located warning for each repair.
pub fn read_with_warnings(bytes: &[u8]) -> Result<ReadOutcome, ReadError> {
    let mut warnings = Vec::new();
    let text = decode::decode(bytes, &mut warnings)?;
    let definitions = read_text(&text, &mut warnings)?;
    Ok(ReadOutcome { definitions, warnings })
}

/// Reads a BPMN document from text that is already decoded; what was repaired is dropped.
///
/// An XML declaration in the text is not looked at: the text is taken as it is.
pub fn read_str(text: &str) -> Result<Definitions, ReadError> {
    read_text(text, &mut Vec::new())
}

fn read_text(text: &str, warnings: &mut Vec<ReadWarning>) -> Result<Definitions, ReadError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let root = tree::parse_document(text)?;
    semantic::read_definitions(root, warnings)
}
