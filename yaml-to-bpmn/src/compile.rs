//! The compiler's entry points: one text, or a set of files checked against each other.

use bpmn::Definitions;
use bpmn::graph::{ValidationOptions, validate};

use crate::check::{Catalog, Signature, check_workflow};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::dialect::ast::Workflow;
use crate::dialect::parse_workflow;
use crate::governance::check_governance;
use crate::lower::lower_workflow;
use crate::operations::check_operations;
use crate::parallel::parallel_map;
use crate::personas::PersonaCatalogue;
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
    /// Its rows of the RACI matrix: who does, approves, advises on and hears about each task.
    pub raci: Vec<crate::raci::Row>,
}

/// What compiling produced: the models of the files without errors, and every diagnostic.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One model per file that compiled.
    pub workflows: Vec<CompiledWorkflow>,
    /// Errors and warnings of all files, per file in position order.
    pub diagnostics: Vec<Diagnostic>,
    /// The persona catalogue found among the sources, when there was one.
    pub catalogue: Option<PersonaCatalogue>,
}

impl Outcome {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses one source into the dialect AST (YAML and dialect errors go to `diags`).
pub fn parse_source(source: &Source, diags: &mut Diagnostics) -> Option<Workflow> {
    match parse_any(source, diags) {
        Some(Parsed::Workflow(workflow)) => Some(*workflow),
        Some(Parsed::Catalogue(_)) => {
            diags.error(Pos::default(), "this is a persona catalogue, not a workflow; compile it with the workflows");
            None
        }
        None => None,
    }
}

/// A source read: a workflow or the persona catalogue.
enum Parsed {
    Workflow(Box<Workflow>),
    Catalogue(PersonaCatalogue),
}

fn parse_any(source: &Source, diags: &mut Diagnostics) -> Option<Parsed> {
    let root = load(&source.text, diags)?;
    let parsed = if PersonaCatalogue::is_catalogue(&root) {
        Parsed::Catalogue(PersonaCatalogue::from_root(&source.name, &root, diags)?)
    } else {
        Parsed::Workflow(Box::new(parse_workflow(&root, diags)?))
    };
    (!diags.has_errors()).then_some(parsed)
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

/// A persona type whose `workflow` is not among the compiled files is an error at its entry.
fn report_missing_persona_workflows(catalogue: &PersonaCatalogue, catalog: &Catalog, diags: &mut Diagnostics) {
    for persona in &catalogue.types {
        if let Some(workflow) = persona.workflow.as_ref().filter(|w| !catalog.contains_key(*w)) {
            diags.error(
                persona.pos,
                format!("persona type `{}` names workflow `{workflow}`, which is not among the compiled files; add it or fix the id", persona.id),
            );
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

/// A source, its workflow when it parsed, and its diagnostics so far.
type ParsedWorkflow<'a> = (&'a Source, Option<Workflow>, Diagnostics);

/// Takes the persona catalogue out of the parsed sources; a second one is an error in its file.
fn take_catalogue(
    parsed: Vec<(&Source, Option<Parsed>, Diagnostics)>,
) -> (Option<PersonaCatalogue>, Vec<ParsedWorkflow<'_>>) {
    let mut catalogue: Option<PersonaCatalogue> = None;
    let mut workflows = Vec::new();
    for (source, item, mut diags) in parsed {
        let workflow = match item {
            Some(Parsed::Workflow(workflow)) => Some(*workflow),
            Some(Parsed::Catalogue(found)) => {
                match &catalogue {
                    Some(first) => diags.error(
                        Pos::default(),
                        format!("a second persona catalogue; {} is already the catalogue, keep one", first.source),
                    ),
                    None => catalogue = Some(found),
                }
                None
            }
            None => None,
        };
        workflows.push((source, workflow, diags));
    }
    (catalogue, workflows)
}

fn compile(sources: &[Source], cross_file: bool) -> Outcome {
    let parsed: Vec<_> = parallel_map(sources, |source| {
        let mut diags = Diagnostics::new(&source.name);
        let parsed = parse_any(source, &mut diags);
        (source, parsed, diags)
    });
    let (catalogue, mut parsed) = take_catalogue(parsed);
    report_duplicate_ids(&mut parsed);
    let catalog: Option<Catalog> = cross_file.then(|| {
        parsed
            .iter()
            .filter_map(|(_, w, _)| w.as_ref())
            .map(|w| (w.metadata.id.text.clone(), Signature::of(w)))
            .collect()
    });
    if let (Some(catalogue), Some(catalog)) = (&catalogue, &catalog)
        && let Some((_, _, diags)) = parsed.iter_mut().find(|(source, _, _)| source.name == catalogue.source)
    {
        report_missing_persona_workflows(catalogue, catalog, diags);
    }
    let compiled = parallel_map(&parsed, |(source, workflow, diags)| {
        let mut diags = diags.clone();
        let compiled = workflow.as_ref().and_then(|workflow| {
            check_workflow(workflow, &source.text, catalog.as_ref(), &mut diags);
            check_governance(workflow, catalogue.as_ref(), catalog.as_ref(), &mut diags);
            check_operations(workflow, catalogue.is_some(), &mut diags);
            (!diags.has_errors()).then(|| {
                let definitions = lower_workflow(workflow, catalogue.as_ref(), &mut diags);
                report_invalid_model(&definitions, workflow.metadata.id.pos, &mut diags);
                CompiledWorkflow {
                    source: source.name.clone(),
                    id: workflow.metadata.id.text.clone(),
                    definitions,
                    raci: crate::raci::matrix([workflow]),
                }
            })
        });
        (compiled, diags)
    });
    let mut outcome = Outcome { catalogue, ..Outcome::default() };
    for (workflow, diags) in compiled {
        outcome.workflows.extend(workflow);
        outcome.diagnostics.extend(diags.into_sorted());
    }
    outcome
}
