//! The public entry point: an expression compiled once and evaluated many times.

use crate::ast::Expr;
use crate::error::{FeelError, FeelErrorKind};
use crate::eval;
use crate::lookup::VariableLookup;
use crate::parser;
use crate::value::Value;

/// A parsed FEEL expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    /// The expression text without the leading `=` and surrounding whitespace, for messages.
    text: String,
    ast: Expr,
}

impl Expression {
    /// Parses `text`, with or without Zeebe's leading `=`. Error columns are 1-based into `text` as
    /// given (the `=` counts).
    pub fn parse(text: &str) -> Result<Expression, FeelError> {
        let start = expression_start(text).unwrap_or(0);
        let ast = parser::parse(text, start)?;
        Ok(Expression { text: text.get(start..).unwrap_or_default().trim().to_string(), ast })
    }

    /// The expression text without the leading `=`.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the expression. Missing variables and failed operations give `null`; an error is
    /// returned only when evaluation cannot proceed at all (such as a range too large to iterate).
    pub fn evaluate(&self, variables: &(impl VariableLookup + ?Sized)) -> Result<Value, FeelError> {
        eval::evaluate(&self.ast, &AsDyn(variables))
    }

    /// Evaluates the expression and converts the result to JSON.
    pub fn evaluate_json(&self, variables: &(impl VariableLookup + ?Sized)) -> Result<serde_json::Value, FeelError> {
        self.evaluate(variables).map(|value| value.to_json())
    }

    /// Evaluates a condition. A result other than a boolean is an error of kind
    /// [`FeelErrorKind::UnexpectedType`] whose message is Zeebe's incident text, e.g.
    /// `Expected result of the expression 'x > 1' to be 'BOOLEAN', but was 'NULL'.`
    pub fn evaluate_to_bool(&self, variables: &(impl VariableLookup + ?Sized)) -> Result<bool, FeelError> {
        match self.evaluate(variables)? {
            Value::Bool(b) => Ok(b),
            other => Err(self.unexpected_type("BOOLEAN", &other)),
        }
    }

    /// The error Zeebe raises when this expression's result `actual` is not of the `expected` Zeebe
    /// type (`BOOLEAN`, `STRING`, `NUMBER`, `ARRAY`, ...).
    pub fn unexpected_type(&self, expected: &'static str, actual: &Value) -> FeelError {
        let actual = actual.zeebe_type_name();
        FeelError {
            kind: FeelErrorKind::UnexpectedType { expected, actual },
            column: 1,
            message: format!(
                "Expected result of the expression '{}' to be '{expected}', but was '{actual}'.",
                self.text
            ),
        }
    }

    /// True when an attribute value is an expression (starts with `=`, after leading whitespace)
    /// rather than a static value.
    pub fn is_expression(text: &str) -> bool {
        expression_start(text).is_some()
    }

    /// True when an attribute value is static text, such as `type="payment"`.
    pub fn is_static(text: &str) -> bool {
        !Self::is_expression(text)
    }
}

/// Byte offset just past the leading `=`, if there is one.
fn expression_start(text: &str) -> Option<usize> {
    let trimmed = text.trim_start();
    trimmed.starts_with('=').then(|| text.len() - trimmed.len() + 1)
}

/// An attribute that may hold a static value or an `=expression` (job type, message name, timer, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum StaticOrExpression {
    /// Static text, used as a string as written.
    Static(String),
    /// An expression to evaluate.
    Expression(Expression),
}

impl StaticOrExpression {
    /// Reads an attribute value: `=...` parses as an expression, anything else is static text.
    pub fn parse(text: &str) -> Result<StaticOrExpression, FeelError> {
        if Expression::is_expression(text) {
            Expression::parse(text).map(StaticOrExpression::Expression)
        } else {
            Ok(StaticOrExpression::Static(text.to_string()))
        }
    }

    /// The value: the static text as a string, or the expression's result.
    pub fn evaluate(&self, variables: &(impl VariableLookup + ?Sized)) -> Result<Value, FeelError> {
        match self {
            StaticOrExpression::Static(text) => Ok(Value::String(text.clone())),
            StaticOrExpression::Expression(expression) => expression.evaluate(variables),
        }
    }
}

/// Lets an unsized lookup (`dyn VariableLookup`) be passed where `&dyn VariableLookup` is needed.
struct AsDyn<'a, L: ?Sized>(&'a L);

impl<L: VariableLookup + ?Sized> VariableLookup for AsDyn<'_, L> {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.0.lookup(name)
    }

    fn lookup_path(&self, name: &str, segments: &[String]) -> Option<(Value, usize)> {
        self.0.lookup_path(name, segments)
    }

    fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.0.now()
    }
}
