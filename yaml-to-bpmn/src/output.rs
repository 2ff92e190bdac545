//! Turning a compiled model into a BPMN file with the deterministic writer.

use bpmn::Definitions;

/// The BPMN XML of a compiled model.
pub fn to_xml(definitions: &Definitions) -> String {
    bpmn::write(definitions)
}
