//! The syntax tree a parsed expression is evaluated from.

use crate::builtins::Builtin;
use crate::value::Value;

/// An expression node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A constant: number, string, boolean, null or temporal literal.
    Literal(Value),
    /// A variable (or, inside a filter, an entry of the current item).
    Name(String),
    /// `variable.a.b`: a variable and the context entries below it, resolved in one lookup so a large
    /// JSON variable need not be converted as a whole.
    VariablePath(String, Vec<String>),
    /// `target.name`: a context entry, a projection over a list of contexts, or a temporal property.
    Path(Box<Expr>, String),
    /// `target[filter]`: an index (1-based, negative from the end) or a boolean filter.
    Filter(Box<Expr>, Box<Expr>),
    /// A call of a built-in function.
    Call(Builtin, Vec<Expr>),
    /// `is defined(expr)`: needs the unevaluated argument to tell absent from null.
    IsDefined(Box<Expr>),
    /// `assert(value, condition, message?)`: the value, or an evaluation error when the condition is
    /// not true.
    Assert(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    /// `-expr`.
    Negate(Box<Expr>),
    /// Arithmetic or comparison.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// Three-valued `and`.
    And(Box<Expr>, Box<Expr>),
    /// Three-valued `or`.
    Or(Box<Expr>, Box<Expr>),
    /// `value between low and high`.
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `value in tests`: membership in a list or range, or equality.
    In(Box<Expr>, Box<Expr>),
    /// `value instance of type`.
    InstanceOf(Box<Expr>, String),
    /// `if condition then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `for a in x, b in y return body`.
    For(Vec<Iteration>, Box<Expr>),
    /// `some`/`every` `x in list satisfies condition`.
    Quantified(Quantifier, Vec<Iteration>, Box<Expr>),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `{a: 1, "b c": 2}`.
    Context(Vec<(String, Expr)>),
    /// `[a..b]`, `(a..b)`, or the bare `a..b` of a `for` iteration.
    Range { start: Box<Expr>, start_closed: bool, end: Box<Expr>, end_closed: bool },
}

/// One `name in source` clause of `for`, `some` or `every`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Iteration {
    pub(crate) name: String,
    pub(crate) source: Expr,
}

/// `some` or `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantifier {
    Some,
    Every,
}

/// Binary operators other than `and`/`or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Power,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}
