//! [`Shape`]: what a task declares of each output in its `outputs` header, and a random value of
//! that shape.

use serde_json::{Map, Value};

use super::dice::Dice;

/// The shape of one declared output.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// `"string"`: `<name in lower case>-<6 hex digits>`.
    String,
    /// `"boolean"`: true with the scenario's chance.
    Boolean,
    /// `"number"`: a small whole number, 0 to 9.
    Number,
    /// `"list"`: zero to three strings.
    List,
    /// `"object"`: an empty object.
    Object,
    /// A list of allowed values: one of them, each as likely.
    OneOf(Vec<Value>),
}

/// The outputs the `outputs` header declares, by name (in name order); the error says what is
/// wrong with the header.
pub(crate) fn parse(header: &str) -> Result<Vec<(String, Shape)>, String> {
    let object: Map<String, Value> = serde_json::from_str(header).map_err(|e| format!("is not a JSON object ({e})"))?;
    object
        .into_iter()
        .map(|(name, shape)| {
            let shape = match shape {
                Value::String(kind) => match kind.as_str() {
                    "string" => Shape::String,
                    "boolean" => Shape::Boolean,
                    "number" => Shape::Number,
                    "list" => Shape::List,
                    "object" => Shape::Object,
                    other => {
                        return Err(format!(
                            "gives output '{name}' the shape '{other}'; use string, boolean, number, list, object or a list of values"
                        ));
                    }
                },
                Value::Array(values) if !values.is_empty() => Shape::OneOf(values),
                other => return Err(format!("gives output '{name}' the shape {other}; use a shape name or a non-empty list of values")),
            };
            Ok((name, shape))
        })
        .collect()
}

impl Shape {
    /// A random value of this shape for the output `name`; `p_true` is the chance of `true`.
    pub(super) fn value(&self, name: &str, dice: &mut Dice, p_true: f64) -> Value {
        let text = |dice: &mut Dice| Value::String(format!("{}-{}", name.to_lowercase(), dice.tag()));
        match self {
            Shape::String => text(dice),
            Shape::Boolean => Value::Bool(dice.chance(p_true)),
            Shape::Number => Value::from(dice.below(10)),
            Shape::List => {
                let length = dice.below(4);
                Value::Array((0..length).map(|_| text(dice)).collect())
            }
            Shape::Object => Value::Object(Map::new()),
            Shape::OneOf(values) => values[dice.below(values.len())].clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_shape_is_read_and_bad_ones_are_named() {
        let read =
            parse(r#"{"A": "string", "B": "boolean", "C": "number", "D": "list", "E": "object", "F": ["x", "y"]}"#);
        let shapes: Vec<Shape> = read.unwrap_or_default().into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            shapes,
            [
                Shape::String,
                Shape::Boolean,
                Shape::Number,
                Shape::List,
                Shape::Object,
                Shape::OneOf(vec![json!("x"), json!("y")])
            ]
        );
        for (header, expected) in [
            ("[1]", "is not a JSON object"),
            (r#"{"A": "text"}"#, "output 'A' the shape 'text'"),
            (r#"{"A": []}"#, "non-empty list"),
            (r#"{"A": 3}"#, "the shape 3"),
        ] {
            let refused = parse(header);
            assert!(refused.as_ref().is_err_and(|e| e.contains(expected)), "{header}: {refused:?}");
        }
    }

    #[test]
    fn values_have_their_shape() {
        let mut dice = Dice::new(3, &["shapes"]);
        for _ in 0..50 {
            let text = Shape::String.value("Branch_Name", &mut dice, 0.5);
            let text = text.as_str().unwrap_or_default();
            assert!(text.starts_with("branch_name-") && text.len() == "branch_name-".len() + 6, "{text}");
            assert!(Shape::Boolean.value("B", &mut dice, 0.5).is_boolean());
            assert!(Shape::Number.value("N", &mut dice, 0.5).as_u64().is_some_and(|n| n < 10));
            let list = Shape::List.value("Files", &mut dice, 0.5);
            let items = list.as_array().cloned().unwrap_or_default();
            assert!(
                list.is_array()
                    && items.len() <= 3
                    && items.iter().all(|i| i.as_str().is_some_and(|s| s.starts_with("files-")))
            );
            assert_eq!(Shape::Object.value("O", &mut dice, 0.5), json!({}));
        }
        assert_eq!(Shape::Boolean.value("B", &mut dice, 1.0), json!(true));
    }

    #[test]
    fn a_list_of_values_yields_each_of_them_and_nothing_else() {
        let shape = Shape::OneOf(vec![json!("approve"), json!("request-changes"), json!("reject")]);
        let mut dice = Dice::new(5, &["enum"]);
        let mut seen: Vec<Value> = (0..100).map(|_| shape.value("VERDICT", &mut dice, 0.5)).collect();
        seen.sort_by_key(Value::to_string);
        seen.dedup();
        assert_eq!(seen, [json!("approve"), json!("reject"), json!("request-changes")]);
    }
}
