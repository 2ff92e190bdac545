//! The `outputs` task header: the shapes a step declares for its outputs, as `yaml-to-bpmn`
//! writes them (a JSON object from output name to `"string"`, `"boolean"`, `"number"`,
//! `"list"`, `"object"` or a non-empty list of allowed strings). One reader for every handler
//! that needs them (simulated outputs, structured LLM answers).
//!
//! ```
//! use workers::outputs::{OutputShape, OutputShapes};
//!
//! let shapes = OutputShapes::from_header(r#"{"OK": "boolean", "NEXT": ["code", "ask"]}"#).unwrap();
//! let read: Vec<(&str, &OutputShape)> = shapes.iter().collect();
//! assert_eq!(read, [("NEXT", &OutputShape::OneOf(vec!["code".into(), "ask".into()])), ("OK", &OutputShape::Boolean)]);
//! assert!(OutputShape::Boolean.fits(&serde_json::json!(true)));
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

/// The shape of one declared output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputShape {
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

impl OutputShape {
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

/// The outputs a step declares, by name (in name order). Empty when it declares none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputShapes(BTreeMap<String, OutputShape>);

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
                    Value::String(s) => match s.as_str() {
                        "string" => Some(OutputShape::String),
                        "boolean" => Some(OutputShape::Boolean),
                        "number" => Some(OutputShape::Number),
                        "list" => Some(OutputShape::List),
                        "object" => Some(OutputShape::Object),
                        _ => None,
                    },
                    Value::Array(values) if !values.is_empty() => values
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .map(OutputShape::OneOf),
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

    /// Whether no outputs are declared.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each declared output and its shape, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &OutputShape)> {
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
        let read: Vec<OutputShape> = shapes.iter().map(|(_, s)| s.clone()).collect();
        assert_eq!(
            read,
            [
                OutputShape::String,
                OutputShape::Boolean,
                OutputShape::Number,
                OutputShape::List,
                OutputShape::Object,
                OutputShape::OneOf(vec!["x".into(), "y".into()])
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
    fn values_fit_their_shape_only() {
        let one_of = OutputShape::OneOf(vec!["a".into()]);
        assert!(one_of.fits(&json!("a")) && !one_of.fits(&json!("b")));
        assert!(OutputShape::Number.fits(&json!(1.5)) && !OutputShape::Number.fits(&json!("1")));
        assert!(OutputShape::List.fits(&json!([])) && !OutputShape::Object.fits(&json!([])));
    }
}
