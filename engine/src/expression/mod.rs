//! The one seam between the engine and FEEL. Everything the engine evaluates goes through
//! [`Expression`]: parsed once at deploy by the workspace's `feel` crate, evaluated against a
//! [`VariableLookup`] (the engine's scope chain, read in place) at run time.

use std::sync::Arc;

use serde_json::Value;

/// Where an expression reads its variables from.
pub trait VariableLookup {
    /// The value of the named variable as seen from the evaluating scope, if any.
    fn lookup(&self, name: &str) -> Option<&Value>;

    /// The engine's time (epoch milliseconds) for FEEL's `now()` and `today()`; `None` uses the
    /// system clock.
    fn now_millis(&self) -> Option<i64> {
        None
    }
}

/// No variables at all (used at deploy time).
pub(crate) struct NoVariables;

impl VariableLookup for NoVariables {
    fn lookup(&self, _name: &str) -> Option<&Value> {
        None
    }
}

/// A parsed FEEL expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    inner: feel::Expression,
}

/// Presents the engine's variables to the FEEL evaluator, converting only what is read.
struct Feel<'a>(&'a dyn VariableLookup);

impl feel::VariableLookup for Feel<'_> {
    fn lookup(&self, name: &str) -> Option<feel::Value> {
        self.0.lookup(name).map(feel::Value::from_json)
    }

    fn lookup_path(&self, name: &str, segments: &[String]) -> Option<(feel::Value, usize)> {
        let mut current = self.0.lookup(name)?;
        for (consumed, segment) in segments.iter().enumerate() {
            match current {
                Value::Object(entries) => match entries.get(segment) {
                    Some(entry) => current = entry,
                    None => return Some((feel::Value::Null, segments.len())),
                },
                _ => return Some((feel::Value::from_json(current), consumed)),
            }
        }
        Some((feel::Value::from_json(current), segments.len()))
    }

    fn now(&self) -> feel::chrono::DateTime<feel::chrono::FixedOffset> {
        self.0
            .now_millis()
            .and_then(feel::chrono::DateTime::from_timestamp_millis)
            .unwrap_or_else(feel::chrono::Utc::now)
            .fixed_offset()
    }
}

impl Expression {
    /// Parses FEEL text (with or without the leading `=`); the error says what is wrong and
    /// where (unknown functions are refused here, not at run time).
    pub fn parse(text: &str) -> Result<Self, String> {
        feel::Expression::parse(text).map(|inner| Self { inner }).map_err(|e| e.to_string())
    }

    /// The expression text as written (without the leading `=`).
    pub fn source(&self) -> &str {
        self.inner.text()
    }

    /// Evaluates the expression to JSON. Errors are messages in Zeebe's style.
    pub fn evaluate(&self, variables: &dyn VariableLookup) -> Result<Value, String> {
        self.inner.evaluate_json(&Feel(variables)).map_err(|e| e.message)
    }

    /// Evaluates and requires a boolean, with Zeebe's message otherwise.
    pub fn evaluate_bool(&self, variables: &dyn VariableLookup) -> Result<bool, String> {
        self.inner.evaluate_to_bool(&Feel(variables)).map_err(|e| e.message)
    }

    /// The message Zeebe gives when a result has the wrong type.
    pub fn type_error(&self, expected: &str, actual: &Value) -> String {
        format!(
            "Expected result of the expression '{}' to be '{}', but was '{}'.",
            self.source(),
            expected,
            type_name(actual)
        )
    }

    /// When the expression is a plain variable name, that name.
    pub fn as_variable_name(&self) -> Option<&str> {
        let text = self.source();
        let mut chars = text.chars();
        let starts_well = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
        let plain = starts_well && chars.all(|c| c.is_alphanumeric() || c == '_');
        let keyword = matches!(text, "true" | "false" | "null" | "not" | "and" | "or" | "if" | "for");
        (plain && !keyword).then_some(text)
    }
}

/// A model attribute that is either a static value or an `=expression`.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueOrExpression {
    /// A literal string.
    Static(Arc<str>),
    /// An expression evaluated at run time.
    Expression(Expression),
}

impl ValueOrExpression {
    /// Reads an attribute value: `=...` is parsed as FEEL, anything else is a literal.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim_start().strip_prefix('=') {
            Some(expression) => Expression::parse(expression).map(Self::Expression),
            None => Ok(Self::Static(Arc::from(text))),
        }
    }

    /// Evaluates to a string (numbers are written without a fraction when integral).
    pub fn evaluate_string(&self, variables: &dyn VariableLookup) -> Result<Arc<str>, String> {
        match self {
            Self::Static(s) => Ok(s.clone()),
            Self::Expression(e) => match e.evaluate(variables)? {
                Value::String(s) => Ok(Arc::from(s)),
                other => Err(e.type_error("STRING", &other)),
            },
        }
    }
}

/// Zeebe's name for a value's type in error messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(_) => "NUMBER",
        Value::String(_) => "STRING",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "OBJECT",
    }
}
