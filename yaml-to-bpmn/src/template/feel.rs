//! Translating template expressions to FEEL (survey §8.2, §8.3).
//!
//! Step outputs live in one process variable `steps`, keyed by the raw step id; ids that are not
//! FEEL names (they contain `-`) are read with Camunda FEEL's backtick names
//! (`` steps.`create-branch`.BRANCH_NAME ``). `context.X` is the process variable `X`.
//! Conditions are made null-safe: a non-boolean operand goes through a truthiness test and the
//! caller compares the result with `true`.

use super::expr::{CompareOp, Expr};
use super::segments::{Segment, whole_template};

/// What the translator needs to know about the workflow.
pub trait Scope {
    /// True when `inputs.NAME` is declared `type: boolean`.
    fn is_boolean_input(&self, name: &str) -> bool;
    /// The ids of the steps that produce `steps.ID.OUTPUT`: the step itself, or the children of a
    /// container that declare the output (survey §8.3 (4)).
    fn step_sources(&self, id: &str, output: &str) -> Vec<String>;
}

/// Translates expressions, collecting notes about constructs that have no FEEL equivalent.
pub struct Translator<'a> {
    scope: &'a dyn Scope,
    /// Warnings for the caller to report at the template's position.
    pub notes: Vec<String>,
}

/// A FEEL name for `name`: as is when it is a plain FEEL name, else in backticks.
pub fn feel_name(name: &str) -> String {
    if feel::is_plain_name(name) { name.to_owned() } else { format!("`{name}`") }
}

/// A FEEL string literal holding `text`.
pub fn feel_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Longer operands are bound once with `for` instead of being repeated, so that nested wrappers
/// grow linearly, not exponentially.
const REPEAT_LIMIT: usize = 120;

/// Builds `test` over `feel`, binding `feel` to a name first when it is long.
fn with_operand(feel: &str, test: impl Fn(&str) -> String) -> String {
    if feel.len() <= REPEAT_LIMIT {
        return test(feel);
    }
    format!("(for operand in [{feel}] return {})[1]", test("operand"))
}

/// Wraps a value so that null becomes `""` and anything else its string form.
pub fn null_safe_string(feel: &str) -> String {
    with_operand(feel, |v| format!("(if {v} = null then \"\" else string({v}))"))
}

/// The truthiness test of survey §8.2 for a value of unknown type.
pub fn truthy(feel: &str) -> String {
    with_operand(feel, |v| {
        format!(
            "(if {v} instance of boolean then {v} else if {v} instance of list then count({v}) > 0 \
             else {v} != null and string({v}) != \"\" and lower case(string({v})) != \"false\")"
        )
    })
}

impl<'a> Translator<'a> {
    /// A translator for one workflow.
    pub fn new(scope: &'a dyn Scope) -> Self {
        Self { scope, notes: Vec::new() }
    }

    /// FEEL for a text value: the template's value when the text is one template, else a
    /// null-safe concatenation of the literal parts and the templates.
    pub fn text(&mut self, segments: &[Segment]) -> String {
        if let Some(expr) = whole_template(segments) {
            return self.value(expr);
        }
        let parts: Vec<String> = segments
            .iter()
            .map(|segment| match segment {
                Segment::Text(text) => feel_string(text),
                Segment::Template(expr) => {
                    let value = self.value(expr);
                    null_safe_string(&value)
                }
            })
            .collect();
        match parts.len() {
            0 => "\"\"".into(),
            1 => parts.concat(),
            _ => parts.join(" + "),
        }
    }

    /// FEEL for an expression whose value is used as data.
    pub fn value(&mut self, expr: &Expr) -> String {
        match expr {
            Expr::Input(name) => format!("inputs.{}", feel_name(name)),
            Expr::Step { id, output: None } => format!("steps.{}", feel_name(id)),
            Expr::Step { id, output: Some(output) } => self.step_output(id, output),
            Expr::Context(name) => context_variable(name),
            Expr::Error(name) => format!("error.{}", feel_name(name)),
            Expr::Item => "item".into(),
            Expr::Str(text) => feel_string(text),
            Expr::Num(n) => n.clone(),
            Expr::Field(base, name) => format!("{}.{}", self.path_base(base), feel_name(name)),
            Expr::Length(base) => format!("count({})", self.value(base)),
            Expr::Index(base, index) => format!("{}[{}]", self.path_base(base), index.saturating_add(1)),
            Expr::Call(name, args) => self.call(name, args),
            Expr::Not(_) | Expr::And(..) | Expr::Compare(..) => self.condition(expr),
            Expr::Or(a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                with_operand(&a, |v| format!("(if {v} != null then {v} else {b})"))
            }
            Expr::Concat(parts) => {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|p| match p {
                        Expr::Str(text) => feel_string(text),
                        other => {
                            let value = self.value(other);
                            null_safe_string(&value)
                        }
                    })
                    .collect();
                format!("({})", parts.join(" + "))
            }
            Expr::Ternary(c, a, b) => {
                format!("(if {} then {} else {})", self.condition(c), self.value(a), self.value(b))
            }
        }
    }

    /// FEEL for an expression used as a condition: true, false or null (callers compare with `true`).
    pub fn condition(&mut self, expr: &Expr) -> String {
        match expr {
            Expr::Not(inner) => format!("not({})", self.condition(inner)),
            Expr::And(a, b) => format!("({} and {})", self.condition(a), self.condition(b)),
            Expr::Or(a, b) => format!("({} or {})", self.condition(a), self.condition(b)),
            Expr::Compare(op, a, b) => self.compare(*op, a, b),
            Expr::Input(name) if self.scope.is_boolean_input(name) => format!("(inputs.{} = true)", feel_name(name)),
            Expr::Call(name, _) if name == "includes" => self.value(expr),
            other => {
                let value = self.value(other);
                truthy(&value)
            }
        }
    }

    fn compare(&mut self, op: CompareOp, a: &Expr, b: &Expr) -> String {
        let is_bool_literal = |e: &Expr| matches!(e, Expr::Str(s) if s == "true" || s == "false");
        match op {
            CompareOp::Eq | CompareOp::Ne => {
                let symbol = if op == CompareOp::Eq { "=" } else { "!=" };
                let side = |t: &mut Self, e: &Expr, other: &Expr| {
                    let v = t.value(e);
                    if is_bool_literal(other) && !matches!(e, Expr::Str(_)) { format!("string({v})") } else { v }
                };
                let (left, right) = (side(self, a, b), side(self, b, a));
                format!("({left} {symbol} {right})")
            }
            CompareOp::Gt | CompareOp::Lt => {
                let symbol = if op == CompareOp::Gt { ">" } else { "<" };
                let (left, right) = (self.number(a), self.number(b));
                format!("({left} {symbol} {right})")
            }
        }
    }

    /// A number operand: numerals stay literals, anything else is converted from its string form.
    fn number(&mut self, expr: &Expr) -> String {
        match expr {
            Expr::Num(n) => n.clone(),
            Expr::Str(s)
                if !s.is_empty() && s.parse::<f64>().is_ok() && s.chars().all(|c| c.is_ascii_digit() || c == '.') =>
            {
                s.clone()
            }
            Expr::Length(_) => self.value(expr),
            other => {
                let value = self.value(other);
                format!("number(string({value}))")
            }
        }
    }

    fn path_base(&mut self, base: &Expr) -> String {
        let value = self.value(base);
        match base {
            Expr::Input(_) | Expr::Step { .. } | Expr::Error(_) | Expr::Item | Expr::Field(..) | Expr::Index(..) => {
                value
            }
            Expr::Context(name) if context_variable(name) == feel_name(name) => value,
            _ => format!("({value})"),
        }
    }

    fn step_output(&mut self, id: &str, output: &str) -> String {
        let mut sources: Vec<String> = self
            .scope
            .step_sources(id, output)
            .iter()
            .map(|source| format!("steps.{}.{}", feel_name(source), feel_name(output)))
            .collect();
        let Some(last) = sources.pop() else { return format!("steps.{}.{}", feel_name(id), feel_name(output)) };
        sources
            .iter()
            .rev()
            .fold(last, |otherwise, source| format!("(if {source} != null then {source} else {otherwise})"))
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> String {
        match (name, args) {
            ("includes", [list, value]) => format!("list contains({}, {})", self.value(list), self.value(value)),
            ("plus_days", [days]) => format!("(today() + duration(\"P\" + string({}) + \"D\"))", self.value(days)),
            _ => {
                self.notes.push(format!(
                    "`context.{name}(...)` has no FEEL equivalent; it compiles to null, so compute the value in a step instead"
                ));
                "null".into()
            }
        }
    }
}

/// The FEEL for `context.NAME`: a runtime built-in or the process variable `NAME`.
fn context_variable(name: &str) -> String {
    match name {
        "timestamp" => "now()".into(),
        "current_date" => "today()".into(),
        "current_step" => "error.stepId".into(),
        "error" => "error.message".into(),
        _ => feel_name(name),
    }
}

/// The names `context.X` may use without any step setting them (runtime built-ins).
pub const CONTEXT_BUILTINS: [&str; 4] = ["timestamp", "current_date", "current_step", "error"];
