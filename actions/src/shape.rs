//! Shapes of values: what an action's inputs and outputs hold, and the `outputs` task header,
//! the shapes a step declares for its outputs as `yaml-to-bpmn` writes them (a JSON object from output name to `"string"`, `"boolean"`, `"number"`,
//! `"list"`, `"object"` or a non-empty list of allowed strings). One reader for every handler
//! that needs them (simulated outputs, structured LLM answers).
//!
//! ```
//! use actions::{OutputShapes, Shape};
//!
//! let shapes = OutputShapes::from_header(r#"{"OK": "boolean", "NEXT": ["code", "ask"]}"#).unwrap();
//! let read: Vec<(&str, &Shape)> = shapes.iter().collect();
//! assert_eq!(read, [("NEXT", &Shape::OneOf(vec!["code".into(), "ask".into()])), ("OK", &Shape::Boolean)]);
//! assert!(Shape::Boolean.fits(&serde_json::json!(true)));
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

/// The shape of one value: an action input, or a declared output.
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
    /// The shape of a keyword as workflows write it (`string`, `boolean`, `number`, `list`,
    /// `object`); `None` for any other word.
    pub fn from_keyword(word: &str) -> Option<Self> {
        match word {
            "string" => Some(Self::String),
            "boolean" => Some(Self::Boolean),
            "number" => Some(Self::Number),
            "list" => Some(Self::List),
            "object" => Some(Self::Object),
            _ => None,
        }
    }

    /// The shape as the `outputs` header writes it: its keyword, or the list of allowed values.
    pub fn to_json(&self) -> Value {
        match self {
            Self::String => "string".into(),
            Self::Boolean => "boolean".into(),
            Self::Number => "number".into(),
            Self::List => "list".into(),
            Self::Object => "object".into(),
            Self::OneOf(values) => Value::from(values.clone()),
        }
    }

    /// The shape in words, for instructions and error messages.
    pub fn describe(&self) -> String {
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

    /// True when `value` has this shape.
    pub fn fits(&self, value: &Value) -> bool {
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

impl serde::Serialize for Shape {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// The outputs a step declares, by name (in name order). Empty when it declares none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputShapes(BTreeMap<String, Shape>);

/// Why an `outputs` header is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the `outputs` header {0}")]
pub struct OutputsHeaderError(String);

impl OutputShapes {
    /// Reads the `outputs` header.
    pub fn from_header(header: &str) -> Result<Self, OutputsHeaderError> {
        let value: Value =
            serde_json::from_str(header).map_err(|e| OutputsHeaderError(format!("is not JSON ({e}): {header}")))?;
        let Value::Object(map) = value else {
            return Err(OutputsHeaderError(format!("must be a JSON object from output name to shape, not {value}")));
        };
        let shapes = map
            .into_iter()
            .map(|(name, shape)| {
                let parsed = match &shape {
                    Value::String(s) => Shape::from_keyword(s),
                    Value::Array(values) if !values.is_empty() => values
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .map(Shape::OneOf),
                    _ => None,
                };
                parsed.map(|shape| (name.clone(), shape)).ok_or_else(|| {
                    OutputsHeaderError(format!(
                        "gives output `{name}` the shape {shape}; use \"string\", \"boolean\", \"number\", \"list\", \"object\" or a non-empty list of strings"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self(shapes))
    }

    /// The shapes of these outputs, by name.
    pub fn new(shapes: impl IntoIterator<Item = (String, Shape)>) -> Self {
        Self(shapes.into_iter().collect())
    }

    /// The `outputs` header that [`from_header`](Self::from_header) reads back.
    pub fn to_header(&self) -> String {
        let object: serde_json::Map<String, Value> =
            self.0.iter().map(|(name, shape)| (name.clone(), shape.to_json())).collect();
        Value::Object(object).to_string()
    }

    /// The shape of the output `name`, if declared.
    pub fn get(&self, name: &str) -> Option<&Shape> {
        self.0.get(name)
    }

    /// Whether no outputs are declared.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each declared output and its shape, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Shape)> {
        self.0.iter().map(|(name, shape)| (name.as_str(), shape))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_shape_is_read_and_bad_headers_are_named() {
        let shapes = OutputShapes::from_header(
            r#"{"A": "string", "B": "boolean", "C": "number", "D": "list", "E": "object", "F": ["x", "y"]}"#,
        )
        .expect("a good header");
        let read: Vec<Shape> = shapes.iter().map(|(_, s)| s.clone()).collect();
        assert_eq!(
            read,
            [
                Shape::String,
                Shape::Boolean,
                Shape::Number,
                Shape::List,
                Shape::Object,
                Shape::OneOf(vec!["x".into(), "y".into()])
            ]
        );
        for (header, expected) in [
            ("[1]", "must be a JSON object"),
            ("{", "is not JSON"),
            (r#"{"A": "text"}"#, "gives output `A` the shape \"text\""),
            (r#"{"A": []}"#, "non-empty list"),
            (r#"{"A": [1]}"#, "the shape [1]"),
        ] {
            let refused = OutputShapes::from_header(header).expect_err(header).to_string();
            assert!(refused.contains(expected), "{header}: {refused}");
        }
    }

    #[test]
    fn the_header_reads_back_what_it_writes() {
        let shapes = OutputShapes::new([
            ("N".to_owned(), Shape::Number),
            ("W".to_owned(), Shape::OneOf(vec!["a".into(), "b".into()])),
        ]);
        assert_eq!(OutputShapes::from_header(&shapes.to_header()), Ok(shapes.clone()));
        assert_eq!(shapes.get("N"), Some(&Shape::Number));
        assert_eq!(Shape::from_keyword("text"), None);
    }

    #[test]
    fn values_fit_their_shape_only() {
        let one_of = Shape::OneOf(vec!["a".into()]);
        assert!(one_of.fits(&json!("a")) && !one_of.fits(&json!("b")));
        assert!(Shape::Number.fits(&json!(1.5)) && !Shape::Number.fits(&json!("1")));
        assert!(Shape::List.fits(&json!([])) && !Shape::Object.fits(&json!([])));
    }
}
