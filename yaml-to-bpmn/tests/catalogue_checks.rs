//! Steps checked against the action catalogue: an unknown action or operation gets a
//! suggestion at its line and column, a missing operation input is named, and without a persona
//! catalogue (workflows written for other tools) an unknown operation is only a warning.

use yaml_to_bpmn::{Outcome, Severity, Source, compile_set};

const CATALOGUE: &str = "persona_types:
  - id: backend-developer
    capabilities: [shell-command, git-operation, azure-devops, log]
";

fn compile(steps: &str, with_catalogue: bool) -> Outcome {
    let workflow = Source { name: "w.yaml".into(), text: format!("metadata:\n  id: w\nsteps:\n{steps}") };
    let mut sources = vec![workflow];
    if with_catalogue {
        sources.push(Source { name: "types.yaml".into(), text: CATALOGUE.into() });
    }
    compile_set(&sources)
}

#[track_caller]
fn find(outcome: &Outcome, severity: Severity, needle: &str) -> (u32, u32) {
    let found = outcome
        .diagnostics
        .iter()
        .find(|d| d.severity == severity && d.message.contains(needle))
        .unwrap_or_else(|| panic!("no {severity:?} containing {needle:?} in {:#?}", outcome.diagnostics));
    assert_eq!(found.file, "w.yaml");
    (found.pos.line, found.pos.column)
}

const OPERATION: &str = "  - id: open
    action: azure-devops
    persona: backend-developer
    operation: OPERATION
    inputs:
      source_branch: feature/x
      target_branch: main
";

#[test]
fn an_unknown_action_gets_the_closest_name() {
    let outcome = compile("  - id: a\n    action: shell-comand\n    command: ls\n", true);
    assert_eq!(
        find(&outcome, Severity::Error, "unknown action `shell-comand` (did you mean `shell-command`?)"),
        (5, 13)
    );
    assert!(outcome.workflows.is_empty());
}

#[test]
fn an_unknown_operation_is_an_error_with_a_suggestion_in_strict_mode_and_a_warning_otherwise() {
    let steps = OPERATION.replace("OPERATION", "create-pull-request");
    let strict = compile(&steps, true);
    let needle = "`azure-devops` has no operation `create-pull-request`";
    assert_eq!(find(&strict, Severity::Error, needle), (4, 5));
    assert!(strict.workflows.is_empty(), "a strict set with an unknown operation must not compile");

    let lenient = compile(&steps, false);
    find(&lenient, Severity::Warning, needle);
    assert_eq!(lenient.workflows.len(), 1, "{:#?}", lenient.diagnostics);

    let close = compile(&OPERATION.replace("OPERATION", "create-prr"), true);
    find(&close, Severity::Error, "(did you mean `create-pr`?)");
}

#[test]
fn a_missing_required_input_is_named_with_what_to_add() {
    let outcome = compile(&OPERATION.replace("OPERATION", "create-pr"), true);
    assert_eq!(
        find(
            &outcome,
            Severity::Error,
            "operation `create-pr` of `azure-devops` needs input `title`; add `title: ...`"
        ),
        (9, 7)
    );
}

#[test]
fn an_operation_output_is_typed_by_the_catalogue_unless_the_step_types_it() {
    let steps = "  - id: open
    action: azure-devops
    persona: backend-developer
    operation: create-pr
    inputs:
      source_branch: feature/x
      target_branch: main
      title: T
    outputs:
      - PR_NUMBER
      - PR_URL: object
";
    let outcome = compile(steps, true);
    let compiled = outcome.workflows.first().unwrap_or_else(|| panic!("{:#?}", outcome.diagnostics));
    let xml = yaml_to_bpmn::output::to_xml(&compiled.definitions);
    let header = r#"{&quot;PR_NUMBER&quot;:&quot;number&quot;,&quot;PR_URL&quot;:&quot;object&quot;}"#;
    assert!(xml.contains(header), "no {header} in {xml}");
}
