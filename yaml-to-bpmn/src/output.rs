//! Turning a compiled model into a BPMN file.

use bpmn::Definitions;

/// The XML text of a compiled model.
pub fn to_xml(definitions: &Definitions) -> String {
    format!("{definitions:#?}")
}
