//! Random text never panics the parser or the evaluator.

use feel::Expression;
use proptest::prelude::*;
use serde_json::json;

fn variables() -> serde_json::Map<String, serde_json::Value> {
    match json!({"x": 1, "l": [1, "a", null, {"b": 2}], "c": {"d": [3]}, "s": "text"}) {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// Fragments of FEEL, so random combinations reach deep into the grammar.
const FRAGMENTS: &[&str] = &[
    "x",
    "l",
    "c",
    "s",
    "1",
    "-",
    "+",
    "*",
    "/",
    "**",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "..",
    "=",
    "!=",
    "<",
    ">=",
    "\"",
    "`",
    "@",
    "and",
    "or",
    "not(",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "between",
    "instance of",
    "number",
    "item",
    "null",
    "true",
    "count(",
    "sum(",
    "date and time(",
    "duration(",
    "\"P1D\"",
    "\"2024-01-31\"",
    "get value(",
    "context put(",
    "is defined(",
    "substring(",
    "0",
    "-1",
    "99999999999999999999999999",
    "/*",
    "//",
    "\\",
    "é",
    " ",
];

fn check(text: &str) {
    if let Ok(expression) = Expression::parse(text) {
        // Errors are fine; panics are not.
        let _ = expression.evaluate_json(&variables());
        let _ = expression.evaluate_to_bool(&variables());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
        check(&text);
    }

    #[test]
    fn random_feel_fragments_never_panic(parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..24)) {
        check(&parts.concat());
        check(&parts.join(" "));
    }
}

/// JSON without floats (whose conversion goes through text) and with integers in the `i64` range.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn json_round_trips_through_values(json in json_value()) {
        prop_assert_eq!(feel::Value::from_json(&json).to_json(), json);
    }

    #[test]
    fn floats_round_trip_to_the_same_f64(x in -1.0e15f64..1.0e15) {
        let back = feel::Value::from_json(&json!(x)).to_json();
        prop_assert_eq!(back.as_f64(), Some(x));
    }
}
