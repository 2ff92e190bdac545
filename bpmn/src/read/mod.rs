//! The BPMN XML reader: bytes in, [`Definitions`] out, or a [`ReadError`] that says where and why.
//!
//! - Namespaces are resolved by URI, so any prefix works (`bpmn:`, `bpmn2:`, `semantic:`, a
//!   default namespace, ...).
//! - UTF-8 (with or without byte order mark) is read, and so are ISO-8859-1 and US-ASCII when the
//!   XML declaration names them; any other declared encoding is an error naming it.
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
mod tree;
mod zeebe;

pub use error::ReadError;

use crate::model::Definitions;

/// Reads a BPMN document from its bytes.
pub fn read(bytes: &[u8]) -> Result<Definitions, ReadError> {
    let text = decode::decode(bytes)?;
    read_str(&text)
}

/// Reads a BPMN document from text that is already decoded.
///
/// An XML declaration in the text is not looked at: the text is taken as it is.
pub fn read_str(text: &str) -> Result<Definitions, ReadError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let root = tree::parse_document(text)?;
    semantic::read_definitions(root)
}
