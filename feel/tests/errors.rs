//! Bad input gives an error with a 1-based column and a message, never a panic.

use feel::{Expression, FeelError, FeelErrorKind};
use serde_json::Map;

fn parse_error(text: &str) -> FeelError {
    match Expression::parse(text) {
        Ok(expression) => panic!("{text} parsed as {expression:?}"),
        Err(error) => error,
    }
}

fn assert_syntax_error(text: &str, column: usize, message_part: &str) {
    let error = parse_error(text);
    assert_eq!(error.kind, FeelErrorKind::Syntax, "{text}: {error}");
    assert_eq!(error.column, column, "{text}: {error}");
    assert!(error.message.contains(message_part), "{text}: '{}' lacks '{message_part}'", error.message);
}

#[test]
fn unterminated_string() {
    assert_syntax_error("=\"abc", 2, "unterminated string literal");
}

#[test]
fn unknown_function() {
    let error = parse_error("=1 + foo(1)");
    assert_eq!(error.kind, FeelErrorKind::UnknownFunction);
    assert_eq!(error.column, 6);
    assert_eq!(error.message, "unknown function 'foo()'");
    let error = parse_error("=string lenght(\"a\")");
    assert_eq!((error.column, error.message.as_str()), (2, "unknown function 'string lenght()'"));
}

#[test]
fn wrong_number_of_arguments() {
    let error = parse_error("=substring(\"a\")");
    assert_eq!(error.kind, FeelErrorKind::UnknownFunction);
    assert_eq!(error.column, 2);
    assert_eq!(error.message, "function 'substring()' takes 2 to 3 arguments");
    assert_eq!(parse_error("=now(1)").message, "function 'now()' takes exactly 0 arguments");
    assert_eq!(parse_error("=is defined()").message, "function 'is defined()' takes exactly 1 argument");
}

#[test]
fn bad_character() {
    assert_syntax_error("=1 # 2", 4, "unexpected character '#'");
}

#[test]
fn single_quoted_string() {
    assert_syntax_error("='text'", 2, "double quotes");
}

#[test]
fn unbalanced_parenthesis() {
    assert_syntax_error("=(1 + 2", 8, "expected ')' to close '('");
    assert_syntax_error("=1 + 2)", 7, "unexpected ')' after a complete expression");
}

#[test]
fn unbalanced_bracket_and_brace() {
    assert_syntax_error("=[1, 2", 7, "expected ',' between list items or ']'");
    assert_syntax_error("={a: 1", 7, "between context entries or '}'");
    assert_syntax_error("=numbers[1", 11, "expected ']' to close the filter");
}

#[test]
fn missing_else() {
    assert_syntax_error("=if x then 1", 13, "expected 'else'");
}

#[test]
fn missing_return_and_satisfies() {
    assert_syntax_error("=for x in l", 12, "expected 'return'");
    assert_syntax_error("=some x in l x > 1", 14, "expected 'satisfies'");
}

#[test]
fn empty_expression() {
    assert_syntax_error("=", 2, "the expression is empty");
    assert_syntax_error("   ", 4, "the expression is empty");
}

#[test]
fn expression_ending_early() {
    assert_syntax_error("=1 +", 5, "ends too early");
}

#[test]
fn keyword_where_a_value_belongs() {
    assert_syntax_error("=x and then", 8, "unexpected 'then'");
}

#[test]
fn unterminated_backtick_name() {
    assert_syntax_error("=`tracking-id", 2, "unterminated backtick name");
}

#[test]
fn bad_escape_in_string() {
    assert_syntax_error("=\"a\\qb\"", 4, "unknown escape");
}

#[test]
fn path_without_name() {
    assert_syntax_error("=order.", 8, "expected a name after '.'");
}

#[test]
fn context_entry_without_colon() {
    assert_syntax_error("={a 1}", 5, "expected ':' after the context key");
}

#[test]
fn unknown_type_after_instance_of() {
    assert_syntax_error("=x instance of foo", 16, "expected a type name");
}

#[test]
fn call_of_a_path() {
    assert_syntax_error("=order.x(1)", 9, "only built-in functions can be called");
}

#[test]
fn number_out_of_range() {
    assert_syntax_error("=123456789012345678901234567890123", 2, "out of range");
}

#[test]
fn temporal_literal_without_a_string() {
    assert_syntax_error("=@2024", 3, "'@' must be followed by a string");
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_syntax_error("=\"äöü\" # 1", 8, "unexpected character '#'");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = format!("={}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(parse_error(&deep).message.contains("nests deeper than"));
    let long_chain = format!("=1{}", " + 1".repeat(5000));
    assert!(parse_error(&long_chain).message.contains("nests deeper than"));
    let negations = format!("={}1", "-".repeat(5000));
    assert!(parse_error(&negations).message.contains("nests deeper than"));
}

#[test]
fn huge_range_is_an_evaluation_error() {
    let expression = Expression::parse("=for i in 1..100000000 return i").unwrap_or_else(|e| panic!("{e}"));
    let error = match expression.evaluate(&Map::new()) {
        Ok(value) => panic!("evaluated to {value:?}"),
        Err(error) => error,
    };
    assert_eq!(error.kind, FeelErrorKind::Evaluation);
    assert!(error.message.contains("more than 1000000 items"), "{}", error.message);
}

#[test]
fn iterating_over_a_range_of_strings_is_an_evaluation_error() {
    let expression = Expression::parse("=for i in \"a\"..\"c\" return i").unwrap_or_else(|e| panic!("{e}"));
    let error = expression.evaluate(&Map::new()).err();
    assert_eq!(error.map(|e| e.kind), Some(FeelErrorKind::Evaluation));
}

#[test]
fn nesting_just_within_the_limit_still_evaluates() {
    let nested = format!("={}1{}", "(".repeat(99), ")".repeat(99));
    let value = Expression::parse(&nested).and_then(|e| e.evaluate_json(&Map::new()));
    assert_eq!(value, Ok(serde_json::json!(1)));
    let chain = format!("=1{}", " + 1".repeat(99));
    let value = Expression::parse(&chain).and_then(|e| e.evaluate_json(&Map::new()));
    assert_eq!(value, Ok(serde_json::json!(100)));
}

#[test]
fn failed_assertion_is_an_evaluation_error_with_its_message() {
    let variables = serde_json::json!({"x": null});
    let variables = variables.as_object().cloned().unwrap_or_default();
    let expression = Expression::parse("=assert(x, x != null, \"x is required\")").unwrap_or_else(|e| panic!("{e}"));
    let error = expression.evaluate(&variables).err();
    assert_eq!(
        error.map(|e| (e.kind, e.message)),
        Some((FeelErrorKind::Evaluation, "assertion failed: x is required".to_string()))
    );
    let error = parse_error("=assert(x)");
    assert_eq!((error.column, error.message.as_str()), (2, "function 'assert()' takes 2 to 3 arguments"));
}
