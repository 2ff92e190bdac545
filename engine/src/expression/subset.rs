//! The interim FEEL subset: a tokenizer, a precedence-climbing parser and a tree evaluator with
//! FEEL's null semantics (comparing or computing with `null` gives `null`).

use serde_json::{Map, Number, Value};

use super::VariableLookup;

/// A parsed expression tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ast {
    Literal(Value),
    Name(String),
    Path(Box<Ast>, String),
    Index(Box<Ast>, Box<Ast>),
    List(Vec<Ast>),
    Context(Vec<(String, Ast)>),
    Binary(Op, Box<Ast>, Box<Ast>),
    Negate(Box<Ast>),
    Call(String, Vec<Ast>),
    If(Box<Ast>, Box<Ast>, Box<Ast>),
}

impl Ast {
    pub(super) fn as_name(&self) -> Option<&str> {
        match self {
            Ast::Name(n) => Some(n),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Str(String),
    Ident(String),
    Sym(&'static str),
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            while chars.get(i).is_some_and(|c| c.is_ascii_digit() || *c == '.') {
                i += 1;
            }
            let literal: String = chars[start..i].iter().collect();
            let number = literal.parse::<f64>().map_err(|_| format!("invalid number '{literal}' at {start}"))?;
            tokens.push((Token::Number(number), start));
        } else if c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => return Err(format!("unterminated string starting at {start}")),
                    Some('"') => break,
                    Some('\\') => {
                        s.push(match chars.get(i + 1) {
                            Some('n') => '\n',
                            Some(other) => *other,
                            None => return Err(format!("unterminated string starting at {start}")),
                        });
                        i += 2;
                    }
                    Some(other) => {
                        s.push(*other);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push((Token::Str(s), start));
        } else if c == '`' {
            let end = chars[i + 1..].iter().position(|c| *c == '`').ok_or(format!("unterminated name at {start}"))?;
            tokens.push((Token::Ident(chars[i + 1..i + 1 + end].iter().collect()), start));
            i += end + 2;
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            while chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '$') {
                i += 1;
            }
            tokens.push((Token::Ident(chars[start..i].iter().collect()), start));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let symbol = ["<=", ">=", "!="].into_iter().find(|s| *s == two);
            let symbol = match symbol {
                Some(s) => s,
                None => ["(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "*", "/", "<", ">", "="]
                    .into_iter()
                    .find(|s| s.starts_with(c))
                    .ok_or(format!("unexpected character '{c}' at {start}"))?,
            };
            i += symbol.len();
            tokens.push((Token::Sym(symbol), start));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
}

pub(super) fn parse(text: &str) -> Result<Ast, String> {
    let mut parser = Parser { tokens: tokenize(text)?, at: 0 };
    if parser.tokens.is_empty() {
        return Err("the expression is empty".into());
    }
    let ast = parser.expression()?;
    match parser.tokens.get(parser.at) {
        None => Ok(ast),
        Some((token, pos)) => Err(format!("unexpected {token:?} at {pos} in '{text}'")),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn eat_sym(&mut self, symbol: &str) -> bool {
        if matches!(self.peek(), Some(Token::Sym(s)) if *s == symbol) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Ident(s)) if s == word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, symbol: &str) -> Result<(), String> {
        if self.eat_sym(symbol) { Ok(()) } else { Err(self.unexpected(&format!("'{symbol}'"))) }
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.tokens.get(self.at) {
            Some((token, pos)) => format!("expected {wanted} at {pos}, found {token:?}"),
            None => format!("expected {wanted}, found the end of the expression"),
        }
    }

    fn expression(&mut self) -> Result<Ast, String> {
        if self.eat_word("if") {
            let condition = self.expression()?;
            if !self.eat_word("then") {
                return Err(self.unexpected("'then'"));
            }
            let then = self.expression()?;
            if !self.eat_word("else") {
                return Err(self.unexpected("'else'"));
            }
            let otherwise = self.expression()?;
            return Ok(Ast::If(Box::new(condition), Box::new(then), Box::new(otherwise)));
        }
        self.binary(0)
    }

    fn binary(&mut self, min_level: u8) -> Result<Ast, String> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Token::Ident(w)) if w == "or" => Op::Or,
                Some(Token::Ident(w)) if w == "and" => Op::And,
                Some(Token::Sym(s)) => match *s {
                    "=" => Op::Eq,
                    "!=" => Op::Ne,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    "+" => Op::Add,
                    "-" => Op::Sub,
                    "*" => Op::Mul,
                    "/" => Op::Div,
                    _ => break,
                },
                _ => break,
            };
            let level = match op {
                Op::Or => 1,
                Op::And => 2,
                Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => 3,
                Op::Add | Op::Sub => 4,
                Op::Mul | Op::Div => 5,
            };
            if level < min_level {
                break;
            }
            self.at += 1;
            let right = self.binary(level + 1)?;
            left = Ast::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Ast, String> {
        if self.eat_sym("-") {
            return Ok(Ast::Negate(Box::new(self.unary()?)));
        }
        let mut ast = self.primary()?;
        loop {
            if self.eat_sym(".") {
                match self.tokens.get(self.at) {
                    Some((Token::Ident(name), _)) => {
                        ast = Ast::Path(Box::new(ast), name.clone());
                        self.at += 1;
                    }
                    _ => return Err(self.unexpected("a name after '.'")),
                }
            } else if self.eat_sym("[") {
                let index = self.expression()?;
                self.expect_sym("]")?;
                ast = Ast::Index(Box::new(ast), Box::new(index));
            } else {
                return Ok(ast);
            }
        }
    }

    fn primary(&mut self) -> Result<Ast, String> {
        let Some((token, _)) = self.tokens.get(self.at).cloned() else {
            return Err(self.unexpected("a value"));
        };
        self.at += 1;
        match token {
            Token::Number(n) => Ok(Ast::Literal(number(n))),
            Token::Str(s) => Ok(Ast::Literal(Value::String(s))),
            Token::Ident(word) => match word.as_str() {
                "true" => Ok(Ast::Literal(Value::Bool(true))),
                "false" => Ok(Ast::Literal(Value::Bool(false))),
                "null" => Ok(Ast::Literal(Value::Null)),
                _ if self.eat_sym("(") => {
                    let mut args = Vec::new();
                    if !self.eat_sym(")") {
                        loop {
                            args.push(self.expression()?);
                            if self.eat_sym(")") {
                                break;
                            }
                            self.expect_sym(",")?;
                        }
                    }
                    Ok(Ast::Call(word, args))
                }
                _ => Ok(Ast::Name(word)),
            },
            Token::Sym("(") => {
                let inner = self.expression()?;
                self.expect_sym(")")?;
                Ok(inner)
            }
            Token::Sym("[") => {
                let mut items = Vec::new();
                if !self.eat_sym("]") {
                    loop {
                        items.push(self.expression()?);
                        if self.eat_sym("]") {
                            break;
                        }
                        self.expect_sym(",")?;
                    }
                }
                Ok(Ast::List(items))
            }
            Token::Sym("{") => {
                let mut entries = Vec::new();
                if !self.eat_sym("}") {
                    loop {
                        let key = match self.tokens.get(self.at).cloned() {
                            Some((Token::Ident(k) | Token::Str(k), _)) => k,
                            _ => return Err(self.unexpected("a context key")),
                        };
                        self.at += 1;
                        self.expect_sym(":")?;
                        entries.push((key, self.expression()?));
                        if self.eat_sym("}") {
                            break;
                        }
                        self.expect_sym(",")?;
                    }
                }
                Ok(Ast::Context(entries))
            }
            Token::Sym(s) => Err(format!("unexpected '{s}'")),
        }
    }
}

/// A JSON number from an f64, integral when it is.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::Number(Number::from(n as i64))
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

struct Context<'a> {
    variables: &'a dyn VariableLookup,
    locals: Vec<(&'a str, Value)>,
}

pub(super) fn evaluate(ast: &Ast, variables: &dyn VariableLookup) -> Result<Value, String> {
    eval(ast, &mut Context { variables, locals: Vec::new() })
}

fn eval<'a>(ast: &'a Ast, ctx: &mut Context<'a>) -> Result<Value, String> {
    Ok(match ast {
        Ast::Literal(v) => v.clone(),
        Ast::Name(name) => match ctx.locals.iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => v.clone(),
            None => ctx.variables.lookup(name).cloned().unwrap_or(Value::Null),
        },
        Ast::Path(base, key) => match eval(base, ctx)? {
            Value::Object(mut map) => map.remove(key).unwrap_or(Value::Null),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|i| i.get(key).cloned().unwrap_or(Value::Null)).collect())
            }
            _ => Value::Null,
        },
        Ast::Index(base, index) => {
            let base = eval(base, ctx)?;
            let index = eval(index, ctx)?;
            match (base, index.as_f64()) {
                (Value::Array(items), Some(i)) if i.fract() == 0.0 => {
                    let len = items.len() as i64;
                    let i = i as i64;
                    let position = if i > 0 { i - 1 } else { len + i };
                    usize::try_from(position).ok().and_then(|p| items.into_iter().nth(p)).unwrap_or(Value::Null)
                }
                _ => Value::Null,
            }
        }
        Ast::List(items) => Value::Array(items.iter().map(|i| eval(i, ctx)).collect::<Result<_, _>>()?),
        Ast::Context(entries) => {
            let mut map = Map::new();
            let mark = ctx.locals.len();
            for (key, value) in entries {
                let value = eval(value, ctx)?;
                ctx.locals.push((key.as_str(), value.clone()));
                map.insert(key.clone(), value);
            }
            ctx.locals.truncate(mark);
            Value::Object(map)
        }
        Ast::Negate(inner) => match eval(inner, ctx)?.as_f64() {
            Some(n) => number(-n),
            None => Value::Null,
        },
        Ast::If(condition, then, otherwise) => match eval(condition, ctx)? {
            Value::Bool(true) => eval(then, ctx)?,
            _ => eval(otherwise, ctx)?,
        },
        Ast::Call(name, args) => {
            let args = args.iter().map(|a| eval(a, ctx)).collect::<Result<Vec<_>, _>>()?;
            call(name, args)?
        }
        Ast::Binary(op, left, right) => {
            let left = eval(left, ctx)?;
            let right = eval(right, ctx)?;
            binary(*op, left, right)
        }
    })
}

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let mut args = args.into_iter();
    let first = args.next().unwrap_or(Value::Null);
    Ok(match name {
        "not" => match first {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Null,
        },
        "count" => match first {
            Value::Array(items) => Value::from(items.len()),
            _ => Value::Null,
        },
        "sum" => match first {
            Value::Array(items) => items.iter().map(Value::as_f64).sum::<Option<f64>>().map_or(Value::Null, number),
            _ => Value::Null,
        },
        "string" => match first {
            Value::String(s) => Value::String(s),
            Value::Null => Value::Null,
            other => Value::String(other.to_string()),
        },
        "is defined" => Value::Bool(!first.is_null()),
        _ => return Err(format!("no function found with name '{name}'")),
    })
}

fn binary(op: Op, left: Value, right: Value) -> Value {
    match op {
        Op::And => match (left, right) {
            (Value::Bool(false), _) | (_, Value::Bool(false)) => Value::Bool(false),
            (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
            _ => Value::Null,
        },
        Op::Or => match (left, right) {
            (Value::Bool(true), _) | (_, Value::Bool(true)) => Value::Bool(true),
            (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
            _ => Value::Null,
        },
        Op::Eq => equal(&left, &right),
        Op::Ne => match equal(&left, &right) {
            Value::Bool(b) => Value::Bool(!b),
            other => other,
        },
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ordering = match (&left, &right) {
                (Value::Number(_), Value::Number(_)) => left.as_f64().zip(right.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            match ordering {
                None => Value::Null,
                Some(o) => Value::Bool(match op {
                    Op::Lt => o.is_lt(),
                    Op::Le => o.is_le(),
                    Op::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }),
            }
        }
        Op::Add | Op::Sub | Op::Mul | Op::Div => match (&left, &right, op) {
            (Value::String(a), Value::String(b), Op::Add) => Value::String(format!("{a}{b}")),
            _ => match (left.as_f64(), right.as_f64()) {
                (Some(a), Some(b)) => match op {
                    Op::Add => number(a + b),
                    Op::Sub => number(a - b),
                    Op::Mul => number(a * b),
                    _ if b == 0.0 => Value::Null,
                    _ => number(a / b),
                },
                _ => Value::Null,
            },
        },
    }
}

fn equal(left: &Value, right: &Value) -> Value {
    match (left, right) {
        (Value::Null, Value::Null) => Value::Bool(true),
        (Value::Null, _) | (_, Value::Null) => Value::Bool(false),
        (Value::Number(a), Value::Number(b)) => Value::Bool(a.as_f64() == b.as_f64()),
        (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => Value::Bool(a == b),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    struct Vars(Value);
    impl VariableLookup for Vars {
        fn lookup(&self, name: &str) -> Option<&Value> {
            self.0.get(name)
        }
    }

    fn run(text: &str, vars: Value) -> Value {
        match parse(text) {
            Ok(ast) => evaluate(&ast, &Vars(vars)).unwrap_or(Value::String("error".into())),
            Err(e) => Value::String(format!("parse error: {e}")),
        }
    }

    #[test]
    fn arithmetic_and_comparisons_follow_feel() {
        assert_eq!(run("i < 20", json!({"i": 3})), json!(true));
        assert_eq!(run("a + b * 2 > 5", json!({"a": 1, "b": 2})), json!(false));
        assert_eq!(run("x > 1", json!({})), Value::Null);
        assert_eq!(run("counter + 1", json!({"counter": 9})), json!(10));
        assert_eq!(run("\"a\" + \"b\"", json!({})), json!("ab"));
    }

    #[test]
    fn names_paths_and_one_based_indexes() {
        assert_eq!(run("`tracking-id`", json!({"tracking-id": 7})), json!(7));
        assert_eq!(run("tracking-id", json!({"tracking": 7, "id": 2})), json!(5));
        assert_eq!(run("order.items[1]", json!({"order": {"items": [4, 5]}})), json!(4));
        assert_eq!(run("[1,2,3][4]", json!({})), Value::Null);
        assert_eq!(run("[1,2,3][-1]", json!({})), json!(3));
    }

    #[test]
    fn contexts_see_earlier_entries_and_if_chooses() {
        assert_eq!(run("{a: 1, b: a + 1}", json!({})), json!({"a": 1, "b": 2}));
        assert_eq!(run("if x then \"y\" else \"n\"", json!({"x": false})), json!("n"));
        assert_eq!(run("not(true) or count([1,2]) = 2", json!({})), json!(true));
    }

    #[test]
    fn parse_errors_name_the_position() {
        assert!(parse("a +").is_err());
        assert!(parse("\"open").is_err_and(|e| e.contains("unterminated")));
        assert!(parse("a ? b").is_err_and(|e| e.contains("'?'")));
        assert!(parse("").is_err());
    }
}
