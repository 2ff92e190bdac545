//! Broken workflows: each gives a located diagnostic (line, column, message) and never a panic.

use yaml_to_bpmn::{Diagnostic, Outcome, Severity, Source, compile_set, compile_str};

/// A workflow whose `steps:` list starts on line 4 with `body`.
fn with_steps(body: &str) -> String {
    format!("metadata:\n  id: demo\nsteps:\n{body}")
}

fn compile(yaml: &str) -> Outcome {
    compile_str("t.yaml", yaml)
}

/// The first diagnostic with this severity whose message contains `needle`.
fn find<'a>(outcome: &'a Outcome, severity: Severity, needle: &str) -> &'a Diagnostic {
    outcome
        .diagnostics
        .iter()
        .find(|d| d.severity == severity && d.message.contains(needle))
        .unwrap_or_else(|| panic!("no {severity} containing {needle:?} in {:#?}", outcome.diagnostics))
}

#[track_caller]
fn assert_error(yaml: &str, line: u32, column: u32, needle: &str) {
    let outcome = compile(yaml);
    let d = find(&outcome, Severity::Error, needle);
    assert_eq!((d.pos.line, d.pos.column), (line, column), "{d}");
    assert!(outcome.workflows.is_empty(), "a file with errors must not compile");
}

#[track_caller]
fn assert_warning(yaml: &str, line: u32, column: u32, needle: &str) {
    let outcome = compile(yaml);
    let d = find(&outcome, Severity::Warning, needle);
    assert_eq!((d.pos.line, d.pos.column), (line, column), "{d}");
    assert!(!outcome.has_errors(), "warnings only expected: {:#?}", outcome.diagnostics);
    assert_eq!(outcome.workflows.len(), 1, "the file still compiles");
}

const LOG: &str = "  - id: a\n    action: log\n    message: hi\n";

#[test]
fn diagnostics_print_as_file_line_column() {
    let outcome = compile(&with_steps("  - id: a\n    action: foo\n"));
    let line = outcome.diagnostics[0].to_string();
    assert!(line.starts_with("t.yaml:5:13: error: unknown action `foo`"), "{line}");
}

#[test]
fn yaml_syntax_error_is_located() {
    assert_error("metadata:\n  id: x\n  name: \"abc\nsteps: []\n", 3, 9, "YAML syntax error");
}

#[test]
fn tab_indentation_is_a_syntax_error() {
    assert_error("metadata:\n  id: x\nsteps:\n\t- id: a\n", 4, 2, "tabs");
}

#[test]
fn unknown_action() {
    assert_error(&with_steps("  - id: a\n    action: foo\n"), 5, 13, "unknown action `foo`");
}

#[test]
fn duplicate_step_ids() {
    let yaml = with_steps(&format!("{LOG}{LOG}"));
    assert_error(&yaml, 7, 5, "duplicate step id `a` (first at line 4:5)");
}

#[test]
fn dangling_step_reference() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: \"${steps.nope.X}\"\n");
    assert_error(&yaml, 6, 15, "`steps.nope` names no step");
}

#[test]
fn undeclared_input_reference() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: \"${inputs.MISSING}\"\n");
    assert_error(&yaml, 6, 15, "`inputs.MISSING` is not a declared input");
}

#[test]
fn item_outside_a_for_loop() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: \"${item.name}\"\n");
    assert_error(&yaml, 6, 15, "only defined inside a `for-loop`");
}

#[test]
fn unknown_workflow_in_directory_mode() {
    let yaml = with_steps("  - id: call\n    action: execute-workflow\n    workflow: ghost\n");
    let outcome = compile_set(&[Source { name: "t.yaml".into(), text: yaml }]);
    let d = find(&outcome, Severity::Error, "workflow `ghost` is not among the compiled files");
    assert_eq!((d.pos.line, d.pos.column), (6, 15));
}

#[test]
fn call_contract_mismatches_are_warnings() {
    let callee = "metadata:\n  id: callee\ninputs:\n  - name: NEED\n    type: string\n    required: true\n  - name: KIND\n    type: enum\n    values: [a, b]\n    required: false\nsteps: []\n";
    let caller = with_steps(
        "  - id: call\n    action: execute-workflow\n    workflow: callee\n    inputs:\n      EXTRA: 1\n      KIND: c\n",
    );
    let outcome = compile_set(&[
        Source { name: "callee.yaml".into(), text: callee.into() },
        Source { name: "t.yaml".into(), text: caller },
    ]);
    assert!(!outcome.has_errors(), "{:#?}", outcome.diagnostics);
    let unknown = find(&outcome, Severity::Warning, "declares no input `EXTRA`");
    assert_eq!((unknown.pos.line, unknown.pos.column), (8, 7));
    let missing = find(&outcome, Severity::Warning, "required input `NEED`");
    assert_eq!((missing.pos.line, missing.pos.column), (4, 5));
    let outside = find(&outcome, Severity::Warning, "`c` is not a value of `callee` input `KIND`");
    assert_eq!((outside.pos.line, outside.pos.column), (9, 13));
}

#[test]
fn missing_metadata_id() {
    assert_error("metadata:\n  name: x\nsteps: []\n", 2, 3, "`metadata` has no `id`");
}

#[test]
fn missing_metadata() {
    assert_error("steps: []\n", 1, 1, "has no `metadata:`");
}

#[test]
fn missing_steps() {
    assert_error("metadata:\n  id: x\n", 1, 1, "has no `steps:`");
}

#[test]
fn steps_must_be_a_list() {
    assert_error("metadata:\n  id: x\nsteps: hello\n", 3, 8, "`steps` must be a list");
}

#[test]
fn a_step_must_be_a_mapping() {
    assert_error(&with_steps("  - just text\n"), 4, 5, "a step must be a mapping");
}

#[test]
fn missing_action() {
    assert_error(&with_steps("  - id: a\n    name: A\n"), 4, 5, "step `a` has no `action`");
}

#[test]
fn missing_command() {
    assert_error(
        &with_steps("  - id: a\n    action: shell-command\n"),
        4,
        5,
        "`shell-command` step `a` has no `command`",
    );
}

#[test]
fn bad_wait_duration() {
    assert_error(
        &with_steps("  - id: a\n    action: wait\n    duration: 5 minutes\n"),
        6,
        15,
        "bad duration `5 minutes`",
    );
}

#[test]
fn dynamic_wait_needs_a_unit() {
    let yaml = format!(
        "metadata:\n  id: demo\ninputs:\n  - name: N\n    type: number\nsteps:\n{}",
        "  - id: a\n    action: wait\n    duration: \"${inputs.N}\"\n"
    );
    assert_error(&yaml, 9, 15, "a template duration is one template and a unit");
}

#[test]
fn bad_parallel_timeout() {
    let yaml = with_steps(&format!(
        "  - id: p\n    action: parallel\n    timeout: soon\n    steps:\n{}",
        LOG.replace("  -", "      -").replace("\n    ", "\n        ")
    ));
    assert_error(&yaml, 6, 14, "bad duration `soon` in `timeout`");
}

#[test]
fn bad_sla() {
    assert_error("metadata:\n  id: x\n  sla: 4 hours\nsteps: []\n", 3, 8, "bad duration `4 hours` in `sla`");
}

#[test]
fn differing_duplicate_keys_are_an_error_at_the_second_key() {
    assert_error(
        "metadata:\n  id: x\n  name: A\n  name: B\nsteps: []\n",
        4,
        3,
        "duplicate key `name` with a different value (first at line 3:3)",
    );
}

#[test]
fn identical_duplicate_keys_are_a_warning() {
    assert_warning(
        "metadata:\n  id: x\nsteps: []\nmetadata:\n  id: x\n",
        4,
        1,
        "duplicate key `metadata` (first at line 1:1) with an identical value",
    );
}

#[test]
fn document_written_twice_without_separator_still_compiles() {
    let one = with_steps(LOG);
    let twice = format!("{one}{one}");
    let outcome = compile(&twice);
    assert!(!outcome.has_errors(), "{:#?}", outcome.diagnostics);
    assert_eq!(outcome.workflows.len(), 1);
    let warnings = outcome.diagnostics.iter().filter(|d| d.message.contains("duplicate key")).count();
    assert_eq!(warnings, 2, "one warning per repeated top-level key");
}

#[test]
fn truncated_branch_is_dropped_with_a_warning() {
    let yaml = with_steps(
        "  - id: route\n    action: conditional\n    condition: \"${inputs.X}\"\n    branches:\n      - condition:\n",
    )
    .replace("steps:\n", "inputs:\n  - name: X\n    type: string\nsteps:\n");
    assert_warning(&yaml, 11, 9, "has no condition and no steps (truncated file?)");
}

#[test]
fn branch_without_condition_but_with_steps_is_an_error() {
    let yaml = with_steps(
        "  - id: route\n    action: conditional\n    condition: \"${context.X}\"\n    branches:\n      - steps:\n          - id: b\n            action: log\n            message: hi\n",
    );
    assert_error(&yaml, 8, 9, "has no `condition`");
}

#[test]
fn unreadable_branch_condition() {
    let yaml = with_steps(
        "  - id: route\n    action: conditional\n    condition: \"${context.X}\"\n    branches:\n      - condition: \"greater than 3\"\n        steps: []\n",
    );
    assert_error(&yaml, 8, 20, "branch condition `greater than 3` is not understood");
}

#[test]
fn bare_word_branch_condition_is_a_warning() {
    let yaml = with_steps(
        "  - id: route\n    action: conditional\n    condition: \"${context.X}\"\n    branches:\n      - condition: done\n        steps: []\n",
    );
    assert_warning(&yaml, 8, 20, "has no operator; read as `eq 'done'`");
}

#[test]
fn empty_file() {
    assert_error("", 1, 1, "holds no YAML document");
}

#[test]
fn comment_only_file() {
    assert_error("# nothing here\n", 1, 1, "holds no YAML document");
}

#[test]
fn miscased_key_gets_a_suggestion() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: hi\n    Description: x\n");
    assert_warning(&yaml, 7, 5, "did you mean `description`?");
}

#[test]
fn unterminated_template() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: \"${inputs.X\"\n");
    assert_error(&yaml, 6, 15, "is never closed");
}

#[test]
fn template_syntax_error() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: \"${context.A eq}\"\n");
    assert_error(&yaml, 6, 15, "expected a value");
}

#[test]
fn shell_expansions_are_not_templates() {
    let yaml = with_steps("  - id: a\n    action: shell-command\n    command: echo ${#msg} ${file##*.} ${HOME}\n");
    let outcome = compile(&yaml);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
}

#[test]
fn repeat_count_must_be_positive() {
    let yaml = with_steps("  - id: r\n    action: repeat\n    count: 0\n    steps: []\n");
    assert_error(&yaml, 6, 12, "`count` of `repeat` must be a whole number above 0");
}

#[test]
fn unknown_strategy() {
    let yaml = format!("{}errorHandling:\n  strategy: pray\n", with_steps(LOG));
    assert_error(&yaml, 8, 13, "unknown strategy `pray`");
}

#[test]
fn unknown_input_type() {
    let yaml = "metadata:\n  id: x\ninputs:\n  - name: A\n    type: text\nsteps: []\n";
    assert_error(yaml, 5, 11, "unknown type `text`");
}

#[test]
fn invalid_step_id() {
    assert_error(
        &with_steps("  - id: 9lives\n    action: log\n    message: hi\n"),
        4,
        9,
        "step id `9lives` is not valid",
    );
}

#[test]
fn yaml_aliases_are_rejected() {
    let yaml = "metadata:\n  id: &x demo\n  name: *x\nsteps: []\n";
    assert_error(yaml, 3, 9, "aliases");
}

#[test]
fn second_yaml_document_is_rejected() {
    let yaml = "metadata:\n  id: x\nsteps: []\n---\nmetadata:\n  id: y\nsteps: []\n";
    assert_error(yaml, 4, 1, "a second YAML document");
}

#[test]
fn complex_mapping_key_is_rejected() {
    assert_error("? [a, b]\n: c\n", 1, 3, "a mapping key must be a plain name");
}

#[test]
fn very_deep_block_nesting_is_rejected_without_overflow() {
    let yaml: String = (0..300).map(|depth| format!("{}a:\n", "  ".repeat(depth))).collect();
    assert_error(&yaml, 201, 401, "nesting deeper than 200 levels");
}

#[test]
fn very_deep_flow_nesting_is_a_located_yaml_error() {
    let yaml = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert_error(&yaml, 1, 256, "recursion limit exceeded");
}

#[test]
fn unsupported_function_is_a_warning_and_compiles_to_null() {
    let yaml = with_steps(
        "  - id: s\n    action: set-variable\n    variable: X\n    value: \"${context.merge_objects(context.A)}\"\n",
    );
    assert_warning(&yaml, 7, 12, "`context.merge_objects(...)` has no FEEL equivalent");
}

#[test]
fn undeclared_step_output_is_a_warning() {
    let yaml = with_steps(&format!("{LOG}  - id: b\n    action: log\n    message: \"${{steps.a.NOPE}}\"\n"));
    assert_warning(&yaml, 9, 15, "step `a` declares no output `NOPE`");
}

#[test]
fn context_never_set_is_a_warning() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: \"${context.ghost}\"\n");
    assert_warning(&yaml, 6, 15, "`context.ghost` is never set");
}

#[test]
fn shell_output_never_printed_is_a_warning() {
    let yaml = with_steps("  - id: a\n    action: shell-command\n    command: echo hi\n    outputs: [RESULT]\n");
    assert_warning(&yaml, 7, 15, "declares output `RESULT` but its command never prints it");
}

#[test]
fn ten_megabyte_file_compiles_without_panic() {
    let filler = "      echo lorem ipsum dolor sit amet consectetur\n".repeat(10 * 1024 * 1024 / 50);
    let yaml = with_steps(&format!("  - id: big\n    action: shell-command\n    command: |\n{filler}"));
    assert!(yaml.len() >= 10 * 1024 * 1024);
    let outcome = compile(&yaml);
    assert!(!outcome.has_errors(), "{:#?}", outcome.diagnostics.first());
    assert_eq!(outcome.workflows.len(), 1);
}

#[test]
fn ten_megabyte_garbage_is_an_error_not_a_panic() {
    let garbage = "key: [unclosed, {\n".repeat(10 * 1024 * 1024 / 18);
    let outcome = compile(&garbage);
    assert!(outcome.has_errors());
}

#[test]
fn duplicate_workflow_ids_in_a_set() {
    let text = with_steps(LOG);
    let outcome = compile_set(&[
        Source { name: "one.yaml".into(), text: text.clone() },
        Source { name: "two.yaml".into(), text },
    ]);
    let d = find(&outcome, Severity::Error, "workflow id `demo` is already used by one.yaml");
    assert_eq!((d.file.as_str(), d.pos.line, d.pos.column), ("two.yaml", 2, 7));
    assert_eq!(outcome.workflows.len(), 1);
}

#[test]
fn set_variable_may_not_overwrite_reserved_variables() {
    let yaml = with_steps("  - id: s\n    action: set-variable\n    variable: context.steps\n    value: 1\n");
    assert_error(&yaml, 6, 15, "`steps` is reserved");
    let yaml = with_steps("  - id: s\n    action: set-variable\n    variable: steps__caller\n    value: 1\n");
    assert_error(&yaml, 6, 15, "`steps__caller` is reserved");
}

#[test]
fn unknown_on_error_value() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: hi\n    onError: ignore\n");
    assert_error(&yaml, 7, 14, "`onError: ignore` is not understood");
}

#[test]
fn default_of_the_wrong_type_is_a_warning() {
    let yaml = "metadata:\n  id: x\ninputs:\n  - name: B\n    type: boolean\n    default: maybe\nsteps: []\n";
    assert_warning(yaml, 6, 14, "default of input `B` is a string");
}

#[test]
fn loop_on_a_flag_nothing_sets_never_ends() {
    let yaml =
        with_steps("  - id: spin\n    action: while-loop\n    condition: \"${not context.approved}\"\n    steps: []\n");
    assert_warning(&yaml, 6, 16, "nothing sets `context.approved` so `spin` never ends");
    let fixed = with_steps(
        "  - id: spin\n    action: while-loop\n    condition: \"${not context.approved}\"\n    steps:\n      - action: set-variable\n        variable: approved\n        value: true\n",
    );
    assert!(!compile(&fixed).diagnostics.iter().any(|d| d.message.contains("never ends")));
}

#[test]
fn several_contains_branches_warn_that_only_the_first_runs() {
    let yaml = with_steps(
        "  - id: route\n    action: conditional\n    condition: \"${context.X}\"\n    branches:\n      - condition: \"contains 'a'\"\n        steps: []\n      - condition: \"contains 'b'\"\n        steps: []\n",
    );
    assert_warning(&yaml, 10, 9, "only the first that matches runs");
}

#[test]
fn call_cycles_are_reported_with_their_path() {
    let call = |id: &str, callee: &str| {
        format!("metadata:\n  id: {id}\nsteps:\n  - id: call\n    action: execute-workflow\n    workflow: {callee}\n")
    };
    let outcome = compile_set(&[
        Source { name: "a.yaml".into(), text: call("a", "b") },
        Source { name: "b.yaml".into(), text: call("b", "a") },
    ]);
    assert!(!outcome.has_errors(), "{:#?}", outcome.diagnostics);
    let d = find(&outcome, Severity::Warning, "this call leads back to `a` (a → b → a)");
    assert_eq!((d.file.as_str(), d.pos.line, d.pos.column), ("a.yaml", 6, 15));
    let direct = compile_set(&[Source { name: "self.yaml".into(), text: call("self-caller", "self-caller") }]);
    find(&direct, Severity::Warning, "(self-caller → self-caller)");
}

#[test]
fn comment_glued_to_a_quoted_value_is_read_as_a_comment_with_a_warning() {
    let yaml = "metadata:\n  id: x\n  name: \"X\"# trailing\nsteps: []\n";
    assert_warning(yaml, 3, 12, "add a space before `#`");
}

#[test]
fn document_doubled_with_a_glued_comment_compiles_with_warnings() {
    // How the survey's D1 file joins: the first copy ends in a quoted scalar without a newline and
    // the second copy starts with a `# file.yaml` comment.
    let one = format!(
        "{}errorHandling:\n  strategy: fail-fast\n  notifications:\n    - type: email\n      target: \"ops\"",
        with_steps(LOG)
    );
    let twice = format!("{one}# demo.yaml\n{one}\n");
    let outcome = compile(&twice);
    assert!(!outcome.has_errors(), "{:#?}", outcome.diagnostics);
    assert_eq!(outcome.workflows.len(), 1);
    let glued = find(&outcome, Severity::Warning, "add a space before `#`");
    assert_eq!((glued.pos.line, glued.pos.column), (11, 20));
    let duplicates = outcome.diagnostics.iter().filter(|d| d.message.contains("duplicate key")).count();
    assert_eq!(duplicates, 3, "metadata, steps and errorHandling repeat");
}

#[test]
fn too_many_glued_comments_are_an_error() {
    let lines: String = (0..20).map(|i| format!("  k{i}: \"v\"#c\n")).collect();
    assert_error(&format!("metadata:\n  id: x\n{lines}steps: []\n"), 1, 1, "too many comments glued to values");
}

#[test]
fn diagnostics_point_into_block_scalars() {
    let yaml = with_steps(
        "  - id: a\n    action: shell-command\n    command: |\n      echo start\n      echo ${steps.ghost.X} and ${inputs.NOPE}\n",
    );
    let outcome = compile(&yaml);
    let ghost = find(&outcome, Severity::Error, "`steps.ghost` names no step");
    assert_eq!((ghost.pos.line, ghost.pos.column), (8, 12));
    let nope = find(&outcome, Severity::Error, "`inputs.NOPE` is not a declared input");
    assert_eq!((nope.pos.line, nope.pos.column), (8, 33));
}

#[test]
fn diagnostics_point_into_plain_scalars() {
    let yaml = with_steps("  - id: a\n    action: log\n    message: Value ${inputs.NOPE}\n");
    assert_error(&yaml, 6, 20, "`inputs.NOPE` is not a declared input");
}

#[test]
fn set_variable_values_that_are_not_data_are_warnings() {
    let code = with_steps(
        "  - id: s\n    action: set-variable\n    variable: DECISION\n    value: |\n      if ready:\n        approve\n      else:\n        wait\n",
    );
    assert_warning(&code, 8, 7, "the value of `DECISION` looks like code");
    let keys = with_steps(
        "  - id: s\n    action: set-variable\n    variable: FIELDS\n    value: |\n      ${context.KEY}: 1\n",
    );
    assert_warning(&keys, 8, 7, "the value of `FIELDS` is YAML text with templated keys");
}

const TOOL: &str = "      - id: t\n        action: log\n        message: hi\n";

#[test]
fn an_ad_hoc_step_needs_exactly_one_of_agent_and_run() {
    let neither = with_steps(&format!("  - id: a\n    action: ad-hoc\n    steps:\n{TOOL}"));
    assert_error(&neither, 4, 5, "has neither `agent` nor `run`");
    let both = with_steps(&format!(
        "  - id: a\n    action: ad-hoc\n    run: \"${{inputs.X}}\"\n    agent:\n      goal: go\n    steps:\n{TOOL}"
    ));
    assert_error(&both, 8, 7, "has both `agent` and `run`");
}

#[test]
fn an_ad_hoc_agent_needs_a_goal_a_sane_call_limit_and_no_until() {
    let no_goal =
        with_steps(&format!("  - id: a\n    action: ad-hoc\n    agent:\n      max_calls: 3\n    steps:\n{TOOL}"));
    assert_error(&no_goal, 7, 7, "`agent` has no `goal`");
    let zero = with_steps(&format!(
        "  - id: a\n    action: ad-hoc\n    agent:\n      goal: go\n      max_calls: 0\n    steps:\n{TOOL}"
    ));
    assert_error(&zero, 8, 18, "`max_calls` must be a whole number of at least 1");
    let until = with_steps(&format!(
        "  - id: a\n    action: ad-hoc\n    agent:\n      goal: go\n    until: \"${{true}}\"\n    steps:\n{TOOL}"
    ));
    assert_error(&until, 8, 12, "`until` goes with `run`");
    let not_a_map = with_steps(&format!("  - id: a\n    action: ad-hoc\n    agent: go\n    steps:\n{TOOL}"));
    assert_error(&not_a_map, 6, 12, "`agent` must be a mapping");
}

#[test]
fn approvals_on_an_agent_are_refused_with_what_to_do() {
    let yaml = with_steps(&format!(
        "  - id: a\n    action: ad-hoc\n    raci:\n      responsible: [sre]\n      accountable: [manager]\n    agent:\n      goal: go\n    steps:\n{TOOL}"
    ));
    assert_error(&yaml, 7, 7, "approvals do not apply to it");
}
