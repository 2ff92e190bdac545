//! Turning a compiled model into a BPMN file: auto-layout (the compiled model has no diagram),
//! then the deterministic writer.

use bpmn::Definitions;

use crate::CompiledWorkflow;
use crate::parallel::parallel_map;

/// The BPMN XML of a compiled model, with a diagram laid out for it.
pub fn to_xml(definitions: &Definitions) -> String {
    let mut drawn = definitions.clone();
    bpmn::layout::layout(&mut drawn);
    bpmn::write(&drawn)
}

/// The BPMN XML of each compiled workflow, in order; workflows are laid out and written in
/// parallel.
pub fn to_xml_all(workflows: &[CompiledWorkflow]) -> Vec<String> {
    parallel_map(workflows, |workflow| to_xml(&workflow.definitions))
}
