//! Malformed RACI, SLA and persona inputs: each gets an error at its file, line and column that
//! says what to do, and the workflow is not compiled.

use yaml_to_bpmn::{Outcome, Severity, Source, compile_set};

/// A catalogue of four persona types (file `types.yaml`).
const CATALOGUE: &str = "persona_types:
  - id: backend-developer
    capabilities: [shell-command, llm, notify, log]
  - id: software-architect
    capabilities: [llm, approve]
  - id: security-architect
    capabilities: [llm, approve]
  - id: engineering-manager
    capabilities: [llm, approve, escalate]
";

/// A workflow `w` whose step list starts on line 4 with `steps`, compiled with the catalogue and
/// a `rollback` workflow.
fn compile(steps: &str) -> Outcome {
    compile_with(&format!("metadata:\n  id: w\nsteps:\n{steps}"), CATALOGUE)
}

fn compile_with(workflow: &str, catalogue: &str) -> Outcome {
    let rollback = "metadata:\n  id: rollback\nsteps:\n  - id: undo\n    action: log\n    persona: backend-developer\n    message: undo\n";
    compile_set(&[
        Source { name: "types.yaml".into(), text: catalogue.into() },
        Source { name: "w.yaml".into(), text: workflow.into() },
        Source { name: "rollback.yaml".into(), text: rollback.into() },
    ])
}

#[track_caller]
fn assert_error_in(outcome: &Outcome, file: &str, line: u32, column: u32, needle: &str) {
    let found = outcome
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error && d.message.contains(needle))
        .unwrap_or_else(|| panic!("no error containing {needle:?} in {:#?}", outcome.diagnostics));
    assert_eq!((found.file.as_str(), found.pos.line, found.pos.column), (file, line, column), "{found}");
    assert!(!outcome.workflows.iter().any(|w| w.source == file), "{file} has errors and must not compile");
}

#[track_caller]
fn assert_error(steps: &str, line: u32, column: u32, needle: &str) {
    assert_error_in(&compile(steps), "w.yaml", line, column, needle);
}

/// A task step `a` (an llm step by the backend developer) with this extra text.
fn task(extra: &str) -> String {
    format!("  - id: a\n    action: llm\n    prompt: think\n{extra}")
}

#[test]
fn an_unknown_responsible_persona_gets_a_suggestion() {
    assert_error(
        &task("    raci:\n      responsible: backend-develper\n"),
        8,
        20,
        "unknown persona type `backend-develper`; did you mean `backend-developer`?",
    );
}

#[test]
fn an_unknown_persona_shorthand_is_located_at_its_value() {
    assert_error(
        &task("    persona: qa-wizard\n"),
        7,
        14,
        "unknown persona type `qa-wizard`; use one of the ids in types.yaml",
    );
}

#[test]
fn an_unknown_persona_workflow_type() {
    let outcome = compile_with(
        "metadata:\n  id: w\n  persona_info:\n    type: softwar-architect\nsteps:\n  - id: a\n    action: llm\n    prompt: p\n",
        CATALOGUE,
    );
    assert_error_in(&outcome, "w.yaml", 4, 11, "did you mean `software-architect`?");
}

#[test]
fn more_approvals_than_approvers() {
    assert_error(
        &task(
            "    persona: backend-developer\n    raci:\n      accountable: [software-architect]\n      min_approvals: 2\n",
        ),
        7,
        14,
        "a step has both `persona:` and `raci:`",
    );
    assert_error(
        &task(
            "    raci:\n      responsible: backend-developer\n      accountable: [software-architect, security-architect]\n      min_approvals: 3\n",
        ),
        10,
        22,
        "`min_approvals: 3` is more than the 2 approvers",
    );
}

#[test]
fn zero_approvals_are_refused() {
    assert_error(
        &task("    raci:\n      accountable: [software-architect]\n      min_approvals: 0\n"),
        9,
        22,
        "`min_approvals` must be a whole number of at least 1",
    );
}

#[test]
fn a_veto_by_a_non_approver() {
    assert_error(
        &task("    raci:\n      accountable: [software-architect]\n      veto: [security-architect]\n"),
        9,
        14,
        "`security-architect` may veto but is not an approver",
    );
}

#[test]
fn auto_approve_without_approvers() {
    assert_error(
        &task("    raci:\n      responsible: backend-developer\n      auto_approve: \"${inputs.X}\"\n"),
        9,
        21,
        "`auto_approve` needs approvers",
    );
}

#[test]
fn an_approver_listed_twice() {
    assert_error(
        &task("    raci:\n      accountable: [software-architect, software-architect]\n"),
        8,
        41,
        "`software-architect` is listed twice in `accountable`",
    );
}

#[test]
fn a_negative_sla_duration() {
    let outcome = compile_with(
        "metadata:\n  id: w\nsla:\n  duration: -4h\nsteps:\n  - id: a\n    action: llm\n    persona: backend-developer\n    prompt: p\n",
        CATALOGUE,
    );
    assert_error_in(&outcome, "w.yaml", 4, 13, "bad duration `-4h` in `sla.duration`; write a whole number above 0");
}

#[test]
fn an_unparsable_escalation_timeout() {
    assert_error(
        &task("    raci:\n      escalation: {after: four hours, to: engineering-manager}\n"),
        8,
        27,
        "bad duration `four hours` in `escalation.after`",
    );
}

#[test]
fn an_escalation_without_a_target() {
    assert_error(&task("    raci:\n      escalation: {after: 4h}\n"), 8, 19, "`escalation` needs `after` and `to`");
}

#[test]
fn a_rollback_to_an_unknown_workflow() {
    let outcome = compile_with(
        "metadata:\n  id: w\nsla:\n  duration: 4h\n  on_breach:\n    rollback: wf11-rollbak\nsteps:\n  - id: a\n    action: llm\n    persona: backend-developer\n    prompt: p\n",
        CATALOGUE,
    );
    assert_error_in(&outcome, "w.yaml", 6, 15, "rollback workflow `wf11-rollbak` is not among the compiled files");
}

#[test]
fn a_workflow_cannot_roll_back_to_itself() {
    assert_error(
        "  - id: p\n    action: phase\n    sla: {duration: 1h, on_breach: {rollback: w}}\n    steps:\n      - id: a\n        action: log\n        persona: backend-developer\n        message: m\n",
        6,
        47,
        "cannot roll back by running itself",
    );
}

#[test]
fn an_unknown_breach_action() {
    assert_error(
        "  - id: p\n    action: phase\n    sla: {duration: 1h, on_breach: explode}\n    steps: []\n",
        6,
        36,
        "`on_breach: explode` is not understood",
    );
}

#[test]
fn an_unbounded_loop_is_an_error_with_a_catalogue() {
    assert_error(
        "  - id: again\n    action: while-loop\n    condition: \"${steps.a.X}\"\n    steps:\n      - id: a\n        action: llm\n        persona: backend-developer\n        prompt: p\n        outputs: [X]\n",
        6,
        16,
        "`while-loop` `again` has no `max_iterations`",
    );
}

#[test]
fn a_zero_iteration_limit() {
    assert_error(
        "  - id: again\n    action: while-loop\n    condition: \"${inputs.X}\"\n    max_iterations: 0\n    steps: []\n",
        7,
        21,
        "`max_iterations` must be a whole number of at least 1",
    );
}

#[test]
fn a_persona_without_the_capability() {
    assert_error(
        "  - id: build\n    action: shell-command\n    persona: software-architect\n    command: make\n",
        6,
        14,
        "persona `software-architect` may not run `shell-command` (step `build`)",
    );
}

#[test]
fn raci_on_a_control_flow_step() {
    assert_error(
        "  - id: both\n    action: parallel\n    raci:\n      responsible: backend-developer\n    steps: []\n",
        7,
        7,
        "`raci` on `both` does not apply",
    );
}

#[test]
fn human_on_a_control_flow_step() {
    assert_error(
        "  - id: wait\n    action: wait\n    human: true\n    duration: 5m\n",
        4,
        5,
        "`human: true` on `wait` applies to task steps only",
    );
}

#[test]
fn an_unknown_output_shape() {
    assert_error(
        &task("    persona: backend-developer\n    outputs:\n      - OK: yesno\n"),
        9,
        13,
        "unknown output shape `yesno`",
    );
}

#[test]
fn an_sla_given_twice() {
    let outcome = compile_with(
        "metadata:\n  id: w\n  sla: 2h\nsla: 4h\nsteps:\n  - id: a\n    action: log\n    persona: backend-developer\n    message: m\n",
        CATALOGUE,
    );
    assert_error_in(&outcome, "w.yaml", 3, 8, "the workflow has both `sla:` and `metadata.sla`");
}

#[test]
fn catalogue_mistakes_are_located_in_the_catalogue() {
    let catalogue = "persona_types:\n  - id: a-type\n    capabilities: [llm, shel-command]\n  - id: a-type\n    capabilities: [llm]\n    defaults:\n      escalate_to: nobody\n      allowed_actions: [notify]\n";
    let outcome = compile_with("metadata:\n  id: w\nsteps: []\n", catalogue);
    assert_error_in(
        &outcome,
        "types.yaml",
        3,
        25,
        "unknown action kind `shel-command` (did you mean `shell-command`?)",
    );
    assert_error_in(&outcome, "types.yaml", 4, 5, "persona type `a-type` is listed twice");
    assert_error_in(&outcome, "types.yaml", 8, 25, "`a-type` may not be allowed `notify`");
    assert_error_in(&outcome, "types.yaml", 4, 5, "`a-type` escalates to: unknown persona type `nobody`");
}

#[test]
fn a_persona_workflow_the_catalogue_names_must_exist() {
    let catalogue = "persona_types:\n  - id: backend-developer\n    capabilities: [llm, log]\n    workflow: persona-backend-developer\n";
    let outcome = compile_with("metadata:\n  id: w\nsteps: []\n", catalogue);
    assert_error_in(
        &outcome,
        "types.yaml",
        2,
        5,
        "names workflow `persona-backend-developer`, which is not among the compiled files",
    );
}

#[test]
fn without_a_catalogue_an_unbounded_loop_is_a_warning_and_personas_are_not_checked() {
    let workflow = "metadata:\n  id: w\nsteps:\n  - id: again\n    action: while-loop\n    condition: \"${steps.a.X}\"\n    steps:\n      - id: a\n        action: llm\n        persona: anyone\n        prompt: p\n        outputs: [X]\n";
    let outcome = compile_set(&[Source { name: "w.yaml".into(), text: workflow.into() }]);
    assert!(!outcome.has_errors(), "{:#?}", outcome.diagnostics);
    assert!(outcome.diagnostics.iter().any(|d| d.message.contains("has no `max_iterations`")));
}

#[test]
fn a_second_catalogue_is_an_error_in_its_file() {
    let outcome = compile_set(&[
        Source { name: "types.yaml".into(), text: CATALOGUE.into() },
        Source { name: "more-types.yaml".into(), text: CATALOGUE.into() },
    ]);
    let found = outcome.diagnostics.iter().find(|d| d.is_error()).expect("an error");
    assert_eq!(found.file, "more-types.yaml", "{found}");
    assert!(found.message.contains("a second persona catalogue; types.yaml is already the catalogue"), "{found}");
}

#[test]
fn a_catalogue_compiled_alone_as_a_workflow_says_so() {
    let outcome = yaml_to_bpmn::compile_str("types.yaml", CATALOGUE);
    assert!(outcome.workflows.is_empty());
    assert!(outcome.catalogue.is_some(), "it is read as the catalogue");
    let mut diags = yaml_to_bpmn::diagnostic::Diagnostics::new("types.yaml");
    let source = Source { name: "types.yaml".into(), text: CATALOGUE.into() };
    assert!(yaml_to_bpmn::compile::parse_source(&source, &mut diags).is_none());
    let errors = diags.into_sorted();
    assert!(errors.iter().any(|d| d.message.contains("this is a persona catalogue, not a workflow")), "{errors:?}");
}
