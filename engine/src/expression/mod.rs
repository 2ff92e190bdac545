//! The one seam between the engine and FEEL. Everything the engine evaluates goes through
//! [`Expression`]: parsed once at deploy, evaluated against a [`VariableLookup`] at run time.
//!
//! The evaluator behind it is the interim subset in `subset` (names, paths, literals, lists,
//! contexts, arithmetic, comparisons, `and`/`or`/`not`, `if`). Swapping in the workspace's full
//! FEEL crate changes this module only.

mod subset;

use std::sync::Arc;

use serde_json::Value;

/// Where an expression reads its variables from.
pub trait VariableLookup {
    /// The value of the named variable as seen from the evaluating scope, if any.
    fn lookup(&self, name: &str) -> Option<&Value>;
}

/// No variables at all (used at deploy time).
pub(crate) struct NoVariables;

impl VariableLookup for NoVariables {
    fn lookup(&self, _name: &str) -> Option<&Value> {
        None
    }
}

/// A parsed FEEL expression with its source text (without the leading `=`).
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: Arc<str>,
    ast: subset::Ast,
}

impl Expression {
    /// Parses FEEL text (without the leading `=`); the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ast = subset::parse(text)?;
        Ok(Self { source: Arc::from(text.trim()), ast })
    }

    /// The expression text as written (without the leading `=`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the expression. Errors are messages in Zeebe's style.
    pub fn evaluate(&self, variables: &dyn VariableLookup) -> Result<Value, String> {
        subset::evaluate(&self.ast, variables)
    }

    /// Evaluates and requires a boolean, with Zeebe's message otherwise.
    pub fn evaluate_bool(&self, variables: &dyn VariableLookup) -> Result<bool, String> {
        match self.evaluate(variables)? {
            Value::Bool(b) => Ok(b),
            other => Err(self.type_error("BOOLEAN", &other)),
        }
    }

    /// The message Zeebe gives when a result has the wrong type.
    pub fn type_error(&self, expected: &str, actual: &Value) -> String {
        format!(
            "Expected result of the expression '{}' to be '{}', but was '{}'.",
            self.source,
            expected,
            type_name(actual)
        )
    }

    /// When the expression is a plain variable name, that name.
    pub fn as_variable_name(&self) -> Option<&str> {
        self.ast.as_name()
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
