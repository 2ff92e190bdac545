//! Structured output: the shapes a step declares (the `outputs` task header), the instruction
//! that asks a model for them, and the check of its answer.

use std::fmt::Write as _;

use serde_json::Value;
use workers::Variables;

use crate::shape::OutputShapes;

/// Structured answers: how to ask a model for the declared outputs, and how to read them back.
pub trait StructuredOutput {
    /// What to append to the prompt so that the model answers with the declared shape. The
    /// text itself holds no JSON object, so it cannot be mistaken for an answer.
    fn instruction(&self) -> String;

    /// The declared outputs from a model's answer: the first JSON object in the text, checked
    /// against every shape. Undeclared keys are dropped. On failure, every problem found.
    fn check(&self, answer: &str) -> Result<Variables, Vec<String>>;
}

impl StructuredOutput for OutputShapes {
    fn instruction(&self) -> String {
        let mut text = String::from(
            "Answer with a single JSON object and nothing else (no prose, no code fence). It must have exactly these keys:",
        );
        for (name, shape) in self.iter() {
            let _ = write!(text, "\n- \"{name}\": {}", shape.describe());
        }
        text
    }

    fn check(&self, answer: &str) -> Result<Variables, Vec<String>> {
        let Some(mut object) = first_object(answer) else {
            return Err(vec!["the answer contains no JSON object".to_owned()]);
        };
        let mut outputs = Variables::new();
        let mut problems = Vec::new();
        for (name, shape) in self.iter() {
            match object.remove(name) {
                None => problems.push(format!("key \"{name}\" is missing; it must be {}", shape.describe())),
                Some(value) if shape.fits(&value) => {
                    outputs.insert(name.to_owned(), value);
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
