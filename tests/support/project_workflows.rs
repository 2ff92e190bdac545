//! The project's own `workflows/` folder, compiled as the product deploys it: every YAML file
//! below it as one set, the persona catalogue included.

use yaml_to_bpmn::diagnostic::Diagnostics;
use yaml_to_bpmn::{Outcome, Source, compile_set};

use super::{files_with_extension, workspace_root};

/// The YAML sources below `workflows/`.
pub fn project_sources() -> Vec<Source> {
    files_with_extension(&workspace_root().join("workflows"), "yaml")
        .iter()
        .map(|p| Source { name: p.display().to_string(), text: std::fs::read_to_string(p).expect("read workflow") })
        .collect()
}

/// `workflows/` compiled together.
pub fn compile_project_workflows() -> Outcome {
    compile_set(&project_sources())
}

/// The task steps (work a persona does) of the compiled workflows, counted from their YAML.
pub fn task_count(outcome: &Outcome) -> usize {
    project_sources()
        .iter()
        .filter(|s| outcome.workflows.iter().any(|w| w.source == s.name))
        .filter_map(|s| yaml_to_bpmn::compile::parse_source(s, &mut Diagnostics::new(&s.name)))
        .map(|w| w.all_steps().into_iter().filter(|step| yaml_to_bpmn::raci::is_task(&step.action)).count())
        .sum()
}
