//! The public API the engine and the YAML compiler use: lookups, JSON conversion, conditions,
//! static-or-expression attributes.

use feel::{Context, Expression, FeelErrorKind, StaticOrExpression, Value, VariableLookup};
use serde_json::{Map, json};

fn parse(text: &str) -> Expression {
    Expression::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"))
}

fn object(json: serde_json::Value) -> Map<String, serde_json::Value> {
    match json {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn condition_on_missing_variable_is_a_null_type_error_with_zeebes_message() {
    let error = parse("=x > 1").evaluate_to_bool(&Map::new()).err();
    let error = error.unwrap_or_else(|| panic!("a null condition must be an error"));
    assert_eq!(error.kind, FeelErrorKind::UnexpectedType { expected: "BOOLEAN", actual: "NULL" });
    assert_eq!(error.message, "Expected result of the expression 'x > 1' to be 'BOOLEAN', but was 'NULL'.");
}

#[test]
fn condition_of_another_type_names_that_type() {
    let error = parse("=\"yes\"").evaluate_to_bool(&Map::new()).err().map(|e| e.kind);
    assert_eq!(error, Some(FeelErrorKind::UnexpectedType { expected: "BOOLEAN", actual: "STRING" }));
}

#[test]
fn condition_true_and_false() {
    let variables = object(json!({"x": 2}));
    assert_eq!(parse("=x > 1").evaluate_to_bool(&variables), Ok(true));
    assert_eq!(parse("=x > 5").evaluate_to_bool(&variables), Ok(false));
}

#[test]
fn closure_lookup_resolves_names_without_a_map() {
    let lookup = |name: &str| (name == "i").then(|| Value::Number(19.into()));
    assert_eq!(parse("=i < 20").evaluate(&lookup), Ok(Value::Bool(true)));
    assert_eq!(parse("=j < 20").evaluate(&lookup), Ok(Value::Null));
}

#[test]
fn context_lookup_of_feel_values() {
    let variables = Context::from([("loopCounter".to_string(), Value::Number(2.into()))]);
    assert_eq!(parse("=loopCounter * 10").evaluate_json(&variables), Ok(json!(20)));
}

#[test]
fn engine_can_supply_its_own_clock() {
    struct Engine;
    impl VariableLookup for Engine {
        fn lookup(&self, _: &str) -> Option<Value> {
            None
        }
        fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
            chrono::DateTime::parse_from_rfc3339("2030-05-06T07:08:09+02:00").unwrap_or_default()
        }
    }
    assert_eq!(parse("=now()").evaluate_json(&Engine), Ok(json!("2030-05-06T07:08:09+02:00")));
    assert_eq!(parse("=today()").evaluate_json(&Engine), Ok(json!("2030-05-06")));
}

#[test]
fn json_round_trip_keeps_integers_and_decimals() {
    let document = json!({"int": 12, "negative": -3, "big": 9007199254740993_i64, "float": 0.1,
        "text": "x", "flag": true, "none": null, "list": [1, [2.5]], "nested": {"a": {"b": 1}}});
    assert_eq!(Value::from_json(&document).to_json(), document);
    assert_eq!(Value::from_json(&json!(2.0)).to_json().to_string(), "2");
}

#[test]
fn expression_results_round_trip_through_json() {
    let variables = object(json!({"order": {"id": 7, "lines": [{"qty": 2}]}}));
    assert_eq!(parse("=order").evaluate_json(&variables), Ok(json!({"id": 7, "lines": [{"qty": 2}]})));
    assert_eq!(parse("=order.lines[1].qty + 0.5").evaluate_json(&variables), Ok(json!(2.5)));
}

#[test]
fn zeebe_type_names() {
    assert_eq!(Value::Null.zeebe_type_name(), "NULL");
    assert_eq!(Value::from_json(&json!([1])).zeebe_type_name(), "ARRAY");
    assert_eq!(Value::from_json(&json!({})).zeebe_type_name(), "OBJECT");
}

#[test]
fn static_values_and_expressions_are_told_apart() {
    assert!(Expression::is_static("payment"));
    assert!(Expression::is_expression("=\"payment\""));
    assert!(Expression::is_expression("  =x"));
    let variables = object(json!({"kind": "refund"}));
    let job_type = StaticOrExpression::parse("payment").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(job_type.evaluate(&variables), Ok(Value::String("payment".into())));
    let job_type = StaticOrExpression::parse("=kind + \"-worker\"").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(job_type.evaluate(&variables), Ok(Value::String("refund-worker".into())));
    assert!(StaticOrExpression::parse("=kind +").is_err());
}

#[test]
fn text_is_kept_without_the_equals_sign() {
    assert_eq!(parse("= a + b ").text(), "a + b");
}

#[test]
fn one_parse_many_evaluations() {
    let expression = parse("=numberOfCompletedInstances >= 2");
    let results: Vec<_> = (0..4)
        .map(|done| {
            let variables = object(json!({"numberOfCompletedInstances": done}));
            expression.evaluate_to_bool(&variables)
        })
        .collect();
    assert_eq!(results, vec![Ok(false), Ok(false), Ok(true), Ok(true)]);
}

#[test]
fn path_lookups_agree_across_lookup_kinds() {
    let json = object(json!({
        "order": {"customer": {"name": "Grace", "tags": ["a"]}, "lines": [{"qty": 2}, {"qty": 3}], "none": null},
        "text": "abc",
    }));
    let values: Context = json.iter().map(|(key, value)| (key.clone(), Value::from_json(value))).collect();
    let closure = |name: &str| json.get(name).map(Value::from_json);
    let cases = [
        ("order.customer.name", json!("Grace")),
        ("order.customer.tags", json!(["a"])),
        ("order.lines.qty", json!([2, 3])),
        ("order.missing.deeper", json!(null)),
        ("order.none.deeper", json!(null)),
        ("text.length", json!(null)),
        ("missing.a", json!(null)),
        ("is defined(order.customer.name)", json!(true)),
        ("is defined(order.none)", json!(true)),
        ("is defined(order.missing)", json!(false)),
        ("is defined(order.missing.deeper)", json!(false)),
    ];
    for (text, expected) in cases {
        let expression = parse(text);
        assert_eq!(expression.evaluate_json(&json), Ok(expected.clone()), "{text} on a JSON map");
        assert_eq!(expression.evaluate_json(&values), Ok(expected.clone()), "{text} on FEEL values");
        assert_eq!(expression.evaluate_json(&closure), Ok(expected), "{text} on a closure");
    }
}

#[test]
fn iteration_variables_shadow_variables_in_paths() {
    let variables = object(json!({"x": {"a": "outer"}}));
    assert_eq!(parse("for x in [{a: 1}] return x.a").evaluate_json(&variables), Ok(json!([1])));
}

/// `is_plain_name` agrees with the parser: a plain name reads its variable as written, and any
/// other name reads it only in backticks.
#[test]
fn plain_names_read_their_variable_and_others_need_backticks() {
    for name in ["order", "_x1", "if", "true", "null", "not", "tracking-id", "a b", "1st", "function"] {
        let mut variables = serde_json::Map::new();
        variables.insert(name.to_owned(), serde_json::json!("found"));
        let backticked = feel::Expression::parse(&format!("`{name}`")).expect("backticks take any name");
        assert_eq!(backticked.evaluate_json(&variables).ok(), Some(serde_json::json!("found")), "`{name}`");
        let as_written = feel::Expression::parse(name).and_then(|e| e.evaluate_json(&variables));
        assert_eq!(
            feel::is_plain_name(name),
            as_written.ok() == Some(serde_json::json!("found")),
            "is_plain_name({name:?}) disagrees with how the parser reads it"
        );
    }
}
