//! A random value of the shape a task declares for an output (`crate::outputs`).

use serde_json::{Map, Value};

use super::dice::Dice;
use crate::shape::Shape;

/// A random value of `shape` for the output `name`; `p_true` is the chance of `true`. Strings
/// are `<name in lower case>-<6 hex digits>`, numbers 0 to 9, lists zero to three strings,
/// objects empty, and one of the allowed values each as likely.
pub(super) fn random_value(shape: &Shape, name: &str, dice: &mut Dice, p_true: f64) -> Value {
    let text = |dice: &mut Dice| Value::String(format!("{}-{}", name.to_lowercase(), dice.tag()));
    match shape {
        Shape::String => text(dice),
        Shape::Boolean => Value::Bool(dice.chance(p_true)),
        Shape::Number => Value::from(dice.below(10)),
        Shape::List => {
            let length = dice.below(4);
            Value::Array((0..length).map(|_| text(dice)).collect())
        }
        Shape::Object => Value::Object(Map::new()),
        Shape::OneOf(values) => Value::String(values[dice.below(values.len())].clone()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_have_their_shape() {
        let mut dice = Dice::new(3, &["shapes"]);
        for _ in 0..50 {
            let text = random_value(&Shape::String, "Branch_Name", &mut dice, 0.5);
            let text = text.as_str().unwrap_or_default();
            assert!(text.starts_with("branch_name-") && text.len() == "branch_name-".len() + 6, "{text}");
            assert!(random_value(&Shape::Boolean, "B", &mut dice, 0.5).is_boolean());
            assert!(random_value(&Shape::Number, "N", &mut dice, 0.5).as_u64().is_some_and(|n| n < 10));
            let list = random_value(&Shape::List, "Files", &mut dice, 0.5);
            let items = list.as_array().cloned().unwrap_or_default();
            assert!(
                list.is_array()
                    && items.len() <= 3
                    && items.iter().all(|i| i.as_str().is_some_and(|s| s.starts_with("files-")))
            );
            assert_eq!(random_value(&Shape::Object, "O", &mut dice, 0.5), json!({}));
        }
        assert_eq!(random_value(&Shape::Boolean, "B", &mut dice, 1.0), json!(true));
    }

    #[test]
    fn a_list_of_values_yields_each_of_them_and_nothing_else() {
        let shape = Shape::OneOf(vec!["approve".into(), "request-changes".into(), "reject".into()]);
        let mut dice = Dice::new(5, &["enum"]);
        let mut seen: Vec<Value> = (0..100).map(|_| random_value(&shape, "VERDICT", &mut dice, 0.5)).collect();
        seen.sort_by_key(Value::to_string);
        seen.dedup();
        assert_eq!(seen, [json!("approve"), json!("reject"), json!("request-changes")]);
    }
}
