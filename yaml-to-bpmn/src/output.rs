//! Turning a compiled model into a BPMN file: auto-layout (the compiled model has no diagram),
//! then the deterministic writer.

use bpmn::Definitions;

/// The BPMN XML of a compiled model, with a diagram laid out for it.
pub fn to_xml(definitions: &Definitions) -> String {
    let mut drawn = definitions.clone();
    bpmn::layout::layout(&mut drawn);
    bpmn::write(&drawn)
}
