//! Template → FEEL translation, one operator form at a time.

use yaml_to_bpmn::template::{Expr, Scope, Segment, Translator, parse_expr, split};

/// A scope with one boolean input `FLAG`, and a container `tests` whose children `unit` and
/// `lint` both declare `RESULT`.
struct TestScope;

impl Scope for TestScope {
    fn is_boolean_input(&self, name: &str) -> bool {
        name == "FLAG"
    }

    fn step_sources(&self, id: &str, output: &str) -> Vec<String> {
        match (id, output) {
            ("tests", "RESULT") => vec!["unit".into(), "lint".into()],
            _ => vec![id.into()],
        }
    }
}

fn value(template: &str) -> String {
    let expr = parse_expr(template).expect("parses");
    Translator::new(&TestScope).value(&expr)
}

fn condition(template: &str) -> String {
    let expr = parse_expr(template).expect("parses");
    Translator::new(&TestScope).condition(&expr)
}

fn text(source: &str) -> String {
    Translator::new(&TestScope).text(&split(source).expect("splits"))
}

#[test]
fn references() {
    assert_eq!(value("inputs.BRANCH_NAME"), "inputs.BRANCH_NAME");
    assert_eq!(value("steps.create-branch.BRANCH_NAME"), "steps.`create-branch`.BRANCH_NAME");
    assert_eq!(value("steps.plain.OUT"), "steps.plain.OUT");
    assert_eq!(value("context.REVIEW_DECISION.decision"), "REVIEW_DECISION.decision");
    assert_eq!(value("error.message"), "error.message");
    assert_eq!(value("item.id"), "item.id");
    assert_eq!(value("item"), "item");
}

#[test]
fn container_reference_becomes_a_coalescing_chain_over_declaring_children() {
    assert_eq!(
        value("steps.tests.RESULT"),
        "(if steps.unit.RESULT != null then steps.unit.RESULT else steps.lint.RESULT)"
    );
}

#[test]
fn runtime_builtins() {
    assert_eq!(value("context.timestamp"), "now()");
    assert_eq!(value("context.current_date"), "today()");
    assert_eq!(value("context.current_step"), "error.stepId");
    assert_eq!(value("context.error"), "error.message");
}

#[test]
fn equality_spellings() {
    assert_eq!(value("inputs.SEVERITY eq 'P1'"), "(inputs.SEVERITY = \"P1\")");
    assert_eq!(value("inputs.SEVERITY == 'P1'"), "(inputs.SEVERITY = \"P1\")");
    assert_eq!(value("inputs.SEVERITY ne 'P1'"), "(inputs.SEVERITY != \"P1\")");
    assert_eq!(value("inputs.SEVERITY neq 'P1'"), "(inputs.SEVERITY != \"P1\")");
}

#[test]
fn comparison_with_true_or_false_literal_compares_strings() {
    assert_eq!(value("inputs.AUTO_FIX eq 'true'"), "(string(inputs.AUTO_FIX) = \"true\")");
}

#[test]
fn ordering_converts_operands_to_numbers() {
    assert_eq!(value("steps.a.COUNT gt 0"), "(number(string(steps.a.COUNT)) > 0)");
    assert_eq!(value("steps.a.COUNT gt '0'"), "(number(string(steps.a.COUNT)) > 0)");
    assert_eq!(value("steps.a.LINES lt inputs.MAX"), "(number(string(steps.a.LINES)) < number(string(inputs.MAX)))");
    assert_eq!(value("context.IDS.length > 0"), "(count(IDS) > 0)");
}

#[test]
fn not_and_or_in_conditions() {
    assert_eq!(condition("not inputs.FLAG"), "not((inputs.FLAG = true))");
    assert_eq!(condition("inputs.FLAG and not inputs.FLAG"), "((inputs.FLAG = true) and not((inputs.FLAG = true)))");
    assert_eq!(condition("inputs.A eq 'x' or inputs.A eq 'y'"), "((inputs.A = \"x\") or (inputs.A = \"y\"))");
}

#[test]
fn not_binds_tighter_than_and() {
    let expr = parse_expr("not inputs.A and inputs.B").expect("parses");
    assert!(matches!(expr, Expr::And(left, _) if matches!(*left, Expr::Not(_))));
}

#[test]
fn or_as_a_value_is_a_coalesce() {
    assert_eq!(
        value("inputs.STATUS or context.CURRENT_STATE"),
        "(if inputs.STATUS != null then inputs.STATUS else CURRENT_STATE)"
    );
}

#[test]
fn bare_reference_condition_gets_the_truthiness_wrapper() {
    assert_eq!(
        condition("inputs.NAME"),
        "(if inputs.NAME instance of boolean then inputs.NAME else if inputs.NAME instance of list then count(inputs.NAME) > 0 else inputs.NAME != null and string(inputs.NAME) != \"\" and lower case(string(inputs.NAME)) != \"false\")"
    );
    assert_eq!(condition("inputs.FLAG"), "(inputs.FLAG = true)");
}

#[test]
fn ternary() {
    assert_eq!(value("inputs.FLAG ? 'high' : 'normal'"), "(if (inputs.FLAG = true) then \"high\" else \"normal\")");
}

#[test]
fn concatenation_is_null_safe() {
    assert_eq!(
        value("'rollback-' + steps.create-incident.ID"),
        "(\"rollback-\" + (if steps.`create-incident`.ID = null then \"\" else string(steps.`create-incident`.ID)))"
    );
}

#[test]
fn length_and_indexing() {
    assert_eq!(value("context.IDS.length"), "count(IDS)");
    assert_eq!(value("context.IDS[0]"), "IDS[1]");
    assert_eq!(value("steps.get-items.LIST[2].id"), "steps.`get-items`.LIST[3].id");
}

#[test]
fn functions() {
    assert_eq!(value("context.includes(inputs.CHECKS, 'tests')"), "list contains(inputs.CHECKS, \"tests\")");
    assert_eq!(value("context.plus_days(2)"), "(today() + duration(\"P\" + string(2) + \"D\"))");
    let expr = parse_expr("context.merge_objects(inputs.FIELDS)").expect("parses");
    let mut translator = Translator::new(&TestScope);
    assert_eq!(translator.value(&expr), "null");
    assert_eq!(translator.notes.len(), 1);
    assert!(translator.notes[0].contains("merge_objects"));
}

#[test]
fn string_literals_escape_quotes_and_keep_newlines() {
    assert_eq!(value("'say \"hi\"\\nnext'"), "\"say \\\"hi\\\"\\nnext\"");
}

#[test]
fn embedded_templates_become_a_null_safe_concatenation() {
    assert_eq!(
        text("Fix ${inputs.ID} now"),
        "\"Fix \" + (if inputs.ID = null then \"\" else string(inputs.ID)) + \" now\""
    );
}

#[test]
fn a_whole_template_keeps_its_type() {
    assert_eq!(text("${context.IDS}"), "IDS");
    assert_eq!(text("plain text"), "\"plain text\"");
}

#[test]
fn shell_expansions_stay_text() {
    let segments = split("echo ${#msg} ${file##*.} ${inputs.X}").expect("splits");
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[0], Segment::Text("echo ${#msg} ${file##*.} ".into()));
    assert!(matches!(&segments[1], Segment::Template(Expr::Input(name)) if name == "X"));
}

#[test]
fn templates_may_hold_braces_in_strings_and_span_lines() {
    let segments = split("${inputs.A eq '}'\n ? 'a' : 'b'}").expect("splits");
    assert!(matches!(segments.as_slice(), [Segment::Template(Expr::Ternary(..))]));
}

#[test]
fn long_operands_are_bound_once_instead_of_repeated() {
    let long =
        "steps.a-very-long-step-identifier-used-for-this-test.A_VERY_LONG_OUTPUT_NAME_THAT_KEEPS_GOING_AND_GOING"
            .to_owned();
    let nested = format!("{long} or {long} or {long} or {long} or {long} or {long}");
    let feel = value(&nested);
    assert!(feel.contains("for operand in ["), "{feel}");
    assert!(feel.len() < 4000, "grows linearly: {} chars", feel.len());
}

#[test]
fn parse_errors_say_what_was_expected() {
    assert!(parse_expr("inputs.").unwrap_err().contains("expected an input name"));
    assert!(parse_expr("context.A eq").unwrap_err().contains("expected a value"));
    assert!(parse_expr("x.y").unwrap_err().contains("unknown name `x`"));
    assert!(parse_expr("'open").unwrap_err().contains("unterminated string"));
    assert!(parse_expr("inputs.A inputs.B").unwrap_err().contains("unexpected"));
    assert!(parse_expr(&"not ".repeat(100)).unwrap_err().contains("nested deeper"));
}
