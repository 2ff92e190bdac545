//! Helpers shared by the integration tests.

use feel::{AtInstant, Expression};
use serde_json::{Map, Value as Json, json};

/// The variables most tests read.
pub fn variables() -> Map<String, Json> {
    let variables = json!({
        "i": 7,
        "amount": 150,
        "name": "Ada",
        "tracking-id": "T-17",
        "order": {"customer": {"name": "Grace"}, "total price": 99.5, "status": "open"},
        "items": [{"id": "a", "price": 5}, {"id": "b", "price": 15}, {"id": "c", "price": 25}],
        "numbers": [1, 2, 3, 4],
        "nothing": null,
        "n": 3,
    });
    match variables {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}

/// Parses and evaluates `text` against [`variables`] at 2024-01-31T10:00:00Z, as JSON.
pub fn eval(text: &str) -> Json {
    let expression = Expression::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
    let now = chrono::DateTime::parse_from_rfc3339("2024-01-31T10:00:00Z").unwrap_or_else(|e| panic!("{e}"));
    let variables = variables();
    let clocked = AtInstant { variables: &variables, now };
    expression.evaluate_json(&clocked).unwrap_or_else(|error| panic!("{text}: {error}"))
}
