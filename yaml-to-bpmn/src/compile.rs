//! The compiler's entry points: one text, or a set of files checked against each other.

use bpmn::Definitions;
use bpmn::graph::{ValidationOptions, validate};

use crate::check::{Catalog, Signature, check_workflow};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::dialect::ast::Workflow;
use crate::dialect::parse_workflow;
use crate::lower::lower_workflow;
use crate::parallel::parallel_map;
use crate::yaml::load;

/// One YAML source: a name for messages (usually the path) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name diagnostics use.
    pub name: String,
    /// The YAML text.
    pub text: String,
}

/// One compiled workflow.
#[derive(Debug, Clone)]
pub struct CompiledWorkflow {
    /// The source it came from.
    pub source: String,
    /// `metadata.id`, also the process id.
    pub id: String,
    /// The BPMN model, without a diagram ([`crate::output::to_xml`] adds one when writing).
    pub definitions: Definitions,
}

/// What compiling produced: the models of the files without errors, and every diagnostic.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One model per file that compiled.
    pub workflows: Vec<CompiledWorkflow>,
    /// Errors and warnings of all files, per file in position order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses one source into the dialect AST (YAML and dialect errors go to `diags`).
pub fn parse_source(source: &Source, diags: &mut Diagnostics) -> Option<Workflow> {
    let root = load(&source.text, diags)?;
    let workflow = parse_workflow(&root, diags)?;
    (!diags.has_errors()).then_some(workflow)
}

/// Compiles one file on its own (no cross-file checks).
pub fn compile_str(name: &str, text: &str) -> Outcome {
    compile(&[Source { name: name.to_owned(), text: text.to_owned() }], false)
}

/// Compiles a set of files together: calls are checked against the callee's declared inputs and
/// outputs, and a call to a workflow not in the set is an error.
pub fn compile_set(sources: &[Source]) -> Outcome {
    compile(sources, true)
}

/// A second workflow with an id already seen is an error in its file (it is not compiled).
fn report_duplicate_ids(parsed: &mut [(&Source, Option<Workflow>, Diagnostics)]) {
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (source, workflow, diags) in parsed.iter_mut() {
        let Some(id) = workflow.as_ref().map(|w| w.metadata.id.clone()) else { continue };
        if let Some(first) = seen.get(&id.text) {
            diags.error(
                id.pos,
                format!("workflow id `{}` is already used by {first}; give each workflow its own id", id.text),
            );
            *workflow = None;
        } else {
            seen.insert(id.text.clone(), source.name.clone());
        }
    }
}

/// A safety net: a model the graph validation rejects is a compiler bug, reported as an error at
/// `metadata.id` (the checks above are meant to stop every input that would lead there).
fn report_invalid_model(definitions: &Definitions, at: Pos, diags: &mut Diagnostics) {
    for problem in validate(definitions, &ValidationOptions::default()).into_iter().filter(|p| p.is_error()) {
        diags.error(
            at,
            format!(
                "internal compiler problem, please report it: the BPMN for this file is invalid: [{}] {}",
                problem.element_id, problem.message
            ),
        );
    }
}

fn compile(sources: &[Source], cross_file: bool) -> Outcome {
    let mut parsed: Vec<_> = parallel_map(sources, |source| {
        let mut diags = Diagnostics::new(&source.name);
        let workflow = parse_source(source, &mut diags);
        (source, workflow, diags)
    });
    report_duplicate_ids(&mut parsed);
    let catalog: Option<Catalog> = cross_file.then(|| {
        parsed
            .iter()
            .filter_map(|(_, w, _)| w.as_ref())
            .map(|w| (w.metadata.id.text.clone(), Signature::of(w)))
            .collect()
    });
    let compiled = parallel_map(&parsed, |(source, workflow, diags)| {
        let mut diags = diags.clone();
        let compiled = workflow.as_ref().and_then(|workflow| {
            check_workflow(workflow, &source.text, catalog.as_ref(), &mut diags);
            (!diags.has_errors()).then(|| {
                let definitions = lower_workflow(workflow, &mut diags);
                report_invalid_model(&definitions, workflow.metadata.id.pos, &mut diags);
                CompiledWorkflow { source: source.name.clone(), id: workflow.metadata.id.text.clone(), definitions }
            })
        });
        (compiled, diags)
    });
    let mut outcome = Outcome::default();
    for (workflow, diags) in compiled {
        outcome.workflows.extend(workflow);
        outcome.diagnostics.extend(diags.into_sorted());
    }
    outcome
}
