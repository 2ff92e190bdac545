//! Prompt templates: an `llm` step's prompt is framed by its persona type's template (or the
//! catalogue's default for `llm`), with the step's own prompt and the values it names in
//! `context:`; a bad template is an error at its line in the catalogue.

use yaml_to_bpmn::{Outcome, Severity, Source, compile_set};

const CATALOGUE: &str = r#"prompt_templates:
  llm: |
    As {{persona.name}} ({{persona.role}}), on "{{step.name}}" of {{workflow.name}}:
    {{step.prompt}}
    {{context}}
persona_types:
  - id: qa-engineer
    name: QA Engineer
    role: "finds what breaks before users do"
    capabilities: [llm]
  - id: auditor
    name: Auditor
    capabilities: [llm]
    prompts:
      llm: "Audit: {{step.prompt}}"
"#;

fn workflow(persona: &str) -> String {
    format!(
        "metadata:\n  id: check-release\n  name: Check the release\ninputs:\n  - name: VERSION\n    type: string\nsteps:\n  - id: find-risks\n    name: Find the risks\n    action: llm\n    persona: {persona}\n    prompt: \"List the risks of ${{inputs.VERSION}}\"\n    context: [inputs.VERSION]\n"
    )
}

fn compile(workflow: &str, catalogue: Option<&str>) -> Outcome {
    let mut sources = vec![Source { name: "w.yaml".into(), text: workflow.into() }];
    if let Some(catalogue) = catalogue {
        sources.push(Source { name: "types.yaml".into(), text: catalogue.into() });
    }
    compile_set(&sources)
}

/// The compiled model's XML.
fn xml(outcome: &Outcome) -> String {
    let errors: Vec<_> = outcome.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    yaml_to_bpmn::output::to_xml(&outcome.workflows[0].definitions)
}

#[test]
fn the_catalogue_template_frames_the_step_prompt_and_its_context() {
    let xml = xml(&compile(&workflow("qa-engineer"), Some(CATALOGUE)));
    // The quotes around the step name are escaped in the FEEL string and again in the XML.
    assert!(xml.contains("As QA Engineer (finds what breaks before users do), on "), "{xml}");
    assert!(xml.contains("Find the risks") && xml.contains(" of Check the release:"), "{xml}");
    assert!(xml.contains("List the risks of "), "{xml}");
    assert!(xml.contains("- inputs.VERSION: "), "the context line: {xml}");
}

#[test]
fn a_persona_type_template_replaces_the_default_and_no_catalogue_keeps_the_prompt() {
    let own = xml(&compile(&workflow("auditor"), Some(CATALOGUE)));
    assert!(own.contains("Audit: List the risks of "), "{own}");
    assert!(!own.contains("As Auditor"), "{own}");
    let bare = xml(&compile(&workflow("qa-engineer"), None));
    assert!(bare.contains("List the risks of "), "{bare}");
    assert!(bare.contains("- inputs.VERSION: "), "context without a template follows the prompt: {bare}");
    assert!(!bare.contains("As QA Engineer"), "{bare}");
}

#[test]
fn a_bad_template_is_an_error_at_its_line_in_the_catalogue() {
    let bad = CATALOGUE.replace("Audit: {{step.prompt}}", "Audit: {{step.promt}} ${inputs.VERSION}");
    let outcome = compile(&workflow("auditor"), Some(&bad));
    let errors: Vec<_> = outcome.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    let at = |needle: &str| {
        errors
            .iter()
            .find(|d| d.message.contains(needle))
            .map(|d| (d.file.as_str(), d.pos.line))
            .unwrap_or_else(|| panic!("no error with {needle:?}: {errors:#?}"))
    };
    assert_eq!(at("unknown placeholder `{{step.promt}}`"), ("types.yaml", 15));
    assert_eq!(at("has no `{{step.prompt}}`"), ("types.yaml", 15));
    assert_eq!(at("cannot read workflow values"), ("types.yaml", 15));
    let unknown_action = CATALOGUE.replace("prompts:\n      llm:", "prompts:\n      lm:");
    let outcome = compile(&workflow("auditor"), Some(&unknown_action));
    assert!(
        outcome.diagnostics.iter().any(|d| d.message.contains("`lm` is not an action kind")),
        "{:#?}",
        outcome.diagnostics
    );
}
