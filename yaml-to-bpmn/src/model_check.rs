//! Checking BPMN files: read them, validate their graphs, and report in the same located form as
//! YAML diagnostics.

use bpmn::graph::{ValidationOptions, validate};

use crate::diagnostic::{Diagnostic, Pos, Severity};

/// Reads and validates one BPMN document. A read failure is one error; otherwise every
/// validation problem becomes a diagnostic naming the element id.
pub fn check_bpmn(name: &str, bytes: &[u8], options: &ValidationOptions) -> Vec<Diagnostic> {
    let diagnostic =
        |pos: Pos, severity: Severity, message: String| Diagnostic { file: name.to_owned(), pos, severity, message };
    let definitions = match bpmn::read(bytes) {
        Ok(definitions) => definitions,
        Err(error) => return vec![diagnostic(Pos::new(error.line, error.column), Severity::Error, error.message)],
    };
    validate(&definitions, options)
        .into_iter()
        .map(|problem| {
            let severity = if problem.is_error() { Severity::Error } else { Severity::Warning };
            let pos = Pos::new(problem.location.line, problem.location.column);
            diagnostic(pos, severity, format!("[{}] {}", problem.element_id, problem.message))
        })
        .collect()
}
