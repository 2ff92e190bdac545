//! Structured output: the shapes a step declares (the `outputs` task header), the instruction
//! that asks a model for them, and the check of its answer.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;
use workers::Variables;

/// The shape of one declared output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A JSON string.
    String,
    /// `true` or `false`.
    Boolean,
    /// A JSON number.
    Number,
    /// A JSON array.
    List,
    /// A JSON object.
    Object,
    /// A string, one of these values.
    OneOf(Vec<String>),
}

impl Shape {
    /// Words for the instruction and for error messages.
    fn describe(&self) -> String {
        match self {
            Self::String => "a string".to_owned(),
            Self::Boolean => "true or false".to_owned(),
            Self::Number => "a number".to_owned(),
            Self::List => "a JSON array".to_owned(),
            Self::Object => "a JSON object".to_owned(),
            Self::OneOf(values) => {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                format!("exactly one of the strings {}", quoted.join(", "))
            }
        }
    }

    fn fits(&self, value: &Value) -> bool {
        match (self, value) {
            (Self::String, Value::String(_))
            | (Self::Boolean, Value::Bool(_))
            | (Self::Number, Value::Number(_))
            | (Self::List, Value::Array(_))
            | (Self::Object, Value::Object(_)) => true,
            (Self::OneOf(values), Value::String(s)) => values.contains(s),
            _ => false,
        }
    }
}

/// The outputs a step declares, by name. Empty when the step declares none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputShapes(BTreeMap<String, Shape>);

/// Why an `outputs` header is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the `outputs` header {0}")]
pub struct ShapeError(String);

impl OutputShapes {
    /// Reads the `outputs` header: a JSON object from output name to `"string"`, `"boolean"`,
    /// `"number"`, `"list"`, `"object"` or an array of allowed strings.
    pub fn from_header(header: &str) -> Result<Self, ShapeError> {
        let value: Value =
            serde_json::from_str(header).map_err(|e| ShapeError(format!("is not JSON ({e}): {header}")))?;
        let Value::Object(map) = value else {
            return Err(ShapeError(format!("must be a JSON object from output name to shape, not {value}")));
        };
        let shapes = map
            .into_iter()
            .map(|(name, shape)| {
                let parsed = match &shape {
                    Value::String(s) => match s.as_str() {
                        "string" => Some(Shape::String),
                        "boolean" => Some(Shape::Boolean),
                        "number" => Some(Shape::Number),
                        "list" => Some(Shape::List),
                        "object" => Some(Shape::Object),
                        _ => None,
                    },
                    Value::Array(values) if !values.is_empty() => values
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .map(Shape::OneOf),
                    _ => None,
                };
                parsed.map(|shape| (name.clone(), shape)).ok_or_else(|| {
                    ShapeError(format!(
                        "gives output `{name}` the shape {shape}; use \"string\", \"boolean\", \"number\", \"list\", \"object\" or a non-empty list of strings"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self(shapes))
    }

    /// Whether no outputs are declared.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What to append to the prompt so that the model answers with the declared shape. The
    /// text itself holds no JSON object, so it cannot be mistaken for an answer.
    pub fn instruction(&self) -> String {
        let mut text = String::from(
            "Answer with a single JSON object and nothing else (no prose, no code fence). It must have exactly these keys:",
        );
        for (name, shape) in &self.0 {
            let _ = write!(text, "\n- \"{name}\": {}", shape.describe());
        }
        text
    }

    /// The declared outputs from a model's answer: the first JSON object in the text, checked
    /// against every shape. Undeclared keys are dropped. On failure, every problem found.
    pub fn check(&self, answer: &str) -> Result<Variables, Vec<String>> {
        let Some(mut object) = first_object(answer) else {
            return Err(vec!["the answer contains no JSON object".to_owned()]);
        };
        let mut outputs = Variables::new();
        let mut problems = Vec::new();
        for (name, shape) in &self.0 {
            match object.remove(name) {
                None => problems.push(format!("key \"{name}\" is missing; it must be {}", shape.describe())),
                Some(value) if shape.fits(&value) => {
                    outputs.insert(name.clone(), value);
                }
                Some(value) => problems.push(format!("key \"{name}\" is {value}; it must be {}", shape.describe())),
            }
        }
        if problems.is_empty() { Ok(outputs) } else { Err(problems) }
    }
}

/// The first JSON object in `text`: the whole text, one in a code fence or one amid prose.
fn first_object(text: &str) -> Option<serde_json::Map<String, Value>> {
    text.match_indices('{').find_map(|(start, _)| {
        let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(Value::Object(object))) => Some(object),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shapes() -> OutputShapes {
        OutputShapes::from_header(
            r#"{"ACTION": ["implement-feature", "fix-bug"], "CONFIDENCE": "number", "OK": "boolean",
                "FILES": "list", "REVIEW": "object", "NOTE": "string"}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_valid_answer_amid_prose_yields_the_declared_outputs_only() {
        let answer = r#"Sure! ```json
{"ACTION": "fix-bug", "CONFIDENCE": 0.8, "OK": true, "FILES": ["a.rs"], "REVIEW": {"x": 1}, "NOTE": "n", "EXTRA": 1}
```"#;
        let outputs = shapes().check(answer).unwrap();
        assert_eq!(
            Value::Object(outputs),
            json!({"ACTION": "fix-bug", "CONFIDENCE": 0.8, "OK": true, "FILES": ["a.rs"], "REVIEW": {"x": 1}, "NOTE": "n"})
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let problems = shapes()
            .check(r#"{ not json } then {"ACTION": "write-docs", "CONFIDENCE": "high", "OK": true, "FILES": [], "REVIEW": {}}"#)
            .unwrap_err();
        assert_eq!(
            problems,
            vec![
                r#"key "ACTION" is "write-docs"; it must be exactly one of the strings "implement-feature", "fix-bug""#,
                r#"key "CONFIDENCE" is "high"; it must be a number"#,
                r#"key "NOTE" is missing; it must be a string"#,
            ]
        );
        assert_eq!(shapes().check("no braces here").unwrap_err(), vec!["the answer contains no JSON object"]);
    }

    #[test]
    fn the_instruction_names_each_output_and_holds_no_json_object() {
        let instruction = shapes().instruction();
        assert!(instruction.contains(r#"- "CONFIDENCE": a number"#), "{instruction}");
        assert!(instruction.contains(r#""ACTION": exactly one of the strings "implement-feature", "fix-bug""#));
        assert!(first_object(&instruction).is_none());
    }

    #[test]
    fn bad_headers_are_explained() {
        let error = OutputShapes::from_header(r#"{"X": "integer"}"#).unwrap_err();
        assert!(error.to_string().contains(r#"gives output `X` the shape "integer""#), "{error}");
        assert!(OutputShapes::from_header("[1]").unwrap_err().to_string().contains("must be a JSON object"));
        assert!(OutputShapes::from_header(r#"{"X": []}"#).is_err());
        assert!(OutputShapes::from_header("{").unwrap_err().to_string().contains("is not JSON"));
    }
}
