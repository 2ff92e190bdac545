//! Recursive-descent parser from tokens to [`Expr`], with FEEL's operator precedence:
//! `if`/`for`/`some`/`every` < `or` < `and` < comparison (`=`, `<`, `between`, `in`, `instance of`)
//! < `+ -` < `* /` < `**` < unary `-` < path, filter < primary.

use crate::ast::{BinaryOp, Expr, Iteration, Quantifier};
use crate::builtins;
use crate::error::{FeelError, FeelErrorKind, column_of};
use crate::lexer::{Spanned, Token, tokenize};
use crate::temporal;
use crate::value::{Range, Value};

/// Words that end or join expressions and therefore cannot be variable names unless in backticks.
const KEYWORDS: &[&str] = &[
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "and",
    "or",
    "between",
    "instance",
    "of",
];

/// Words that read as something other than a variable: literals and the `function` keyword.
const RESERVED_WORDS: &[&str] = &["true", "false", "null", "function"];

/// True when `name` can be written in an expression as it is: an identifier that is neither a
/// keyword nor a literal. Any other name (for example one with a hyphen) needs backticks.
pub fn is_plain_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
        && !RESERVED_WORDS.contains(&name)
}

/// Functions the evaluator handles itself because they need unevaluated arguments or can fail.
const SPECIAL_FORMS: &[&str] = &["is defined", "assert"];

/// Type names accepted after `instance of`, longest first where one is a prefix of another.
const TYPE_NAMES: &[&str] = &[
    "date and time",
    "days and time duration",
    "years and months duration",
    "number",
    "string",
    "boolean",
    "date",
    "list",
    "context",
    "range",
    "Null",
    "Any",
];

/// How deep brackets and operators may nest before the parser refuses (keeps the stack bounded).
const MAX_DEPTH: usize = 100;

/// Parses the FEEL expression in `text` starting at byte offset `start`.
pub(crate) fn parse(text: &str, start: usize) -> Result<Expr, FeelError> {
    let tokens = tokenize(text, start)?;
    let mut parser = Parser { text, tokens, position: 0, depth: 0 };
    if parser.peek() == &Token::End {
        return Err(parser.error_here("the expression is empty: write a value or an expression after '='"));
    }
    let expr = parser.expression()?;
    if parser.peek() != &Token::End {
        let found = parser.peek().describe();
        return Err(parser.error_here(format!("unexpected {found} after a complete expression")));
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Spanned>,
    position: usize,
    depth: usize,
}

impl Parser<'_> {
    fn token_at(&self, index: usize) -> &Token {
        self.tokens.get(index).map_or(&Token::End, |spanned| &spanned.token)
    }

    fn peek(&self) -> &Token {
        self.token_at(self.position)
    }

    fn column_at(&self, index: usize) -> usize {
        let offset = self.tokens.get(index).map_or(self.text.len(), |spanned| spanned.offset);
        column_of(self.text, offset)
    }

    fn error_here(&self, message: impl Into<String>) -> FeelError {
        FeelError::syntax(self.column_at(self.position), message)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.position < self.tokens.len() {
            self.position += 1;
        }
        token
    }

    fn eat(&mut self, token: &Token) -> bool {
        let found = self.peek() == token;
        if found {
            self.advance();
        }
        found
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        let found = self.peek().is_keyword(word);
        if found {
            self.advance();
        }
        found
    }

    fn expect(&mut self, token: &Token, context: &str) -> Result<(), FeelError> {
        if self.eat(token) {
            return Ok(());
        }
        let found = self.peek().describe();
        Err(self.error_here(format!("expected {} {context}, found {found}", token.describe())))
    }

    fn expect_keyword(&mut self, word: &str, context: &str) -> Result<(), FeelError> {
        if self.eat_keyword(word) {
            return Ok(());
        }
        let found = self.peek().describe();
        Err(self.error_here(format!("expected '{word}' {context}, found {found}")))
    }

    fn nested<T>(&mut self, parse: impl FnOnce(&mut Self) -> Result<T, FeelError>) -> Result<T, FeelError> {
        let outer_depth = self.depth;
        self.deepen()?;
        let result = parse(self);
        self.depth = outer_depth;
        result
    }

    /// Counts one more level of the tree being built (operator chains deepen it as much as brackets).
    fn deepen(&mut self) -> Result<(), FeelError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_here(format!("the expression nests deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        Ok(())
    }

    /// Parses a left-associative chain `operand (op operand)*`, each step one level deeper.
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Expr, FeelError>,
        operator: fn(&mut Self) -> Option<Join>,
    ) -> Result<Expr, FeelError> {
        let outer_depth = self.depth;
        let result = (|| {
            let mut left = operand(self)?;
            while let Some(join) = operator(self) {
                self.advance();
                self.deepen()?;
                left = join.build(Box::new(left), Box::new(operand(self)?));
            }
            Ok(left)
        })();
        self.depth = outer_depth;
        result
    }

    fn expression(&mut self) -> Result<Expr, FeelError> {
        self.nested(|parser| {
            if parser.eat_keyword("if") {
                parser.if_expression()
            } else if parser.eat_keyword("for") {
                let iterations = parser.iterations("return")?;
                Ok(Expr::For(iterations, Box::new(parser.expression()?)))
            } else if parser.eat_keyword("some") {
                let iterations = parser.iterations("satisfies")?;
                Ok(Expr::Quantified(Quantifier::Some, iterations, Box::new(parser.expression()?)))
            } else if parser.eat_keyword("every") {
                let iterations = parser.iterations("satisfies")?;
                Ok(Expr::Quantified(Quantifier::Every, iterations, Box::new(parser.expression()?)))
            } else {
                parser.disjunction()
            }
        })
    }

    fn if_expression(&mut self) -> Result<Expr, FeelError> {
        let condition = self.expression()?;
        self.expect_keyword("then", "after the condition of 'if'")?;
        let then = self.expression()?;
        self.expect_keyword("else", "after the 'then' branch ('else' is required in FEEL)")?;
        let otherwise = self.expression()?;
        Ok(Expr::If(Box::new(condition), Box::new(then), Box::new(otherwise)))
    }

    /// `name in source {, name in source} <terminator>`; a source may be a bare range `a..b`.
    fn iterations(&mut self, terminator: &str) -> Result<Vec<Iteration>, FeelError> {
        let mut iterations = Vec::new();
        loop {
            let name = match self.advance() {
                Token::Name { text, quoted } if quoted || !KEYWORDS.contains(&text.as_str()) => text,
                other => {
                    self.position -= 1;
                    return Err(self.error_here(format!("expected a variable name, found {}", other.describe())));
                }
            };
            self.expect_keyword("in", "after the iteration variable")?;
            let mut source = self.expression()?;
            if self.eat(&Token::DotDot) {
                let end = self.expression()?;
                source =
                    Expr::Range { start: Box::new(source), start_closed: true, end: Box::new(end), end_closed: true };
            }
            iterations.push(Iteration { name, source });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect_keyword(terminator, "after the iteration")?;
        Ok(iterations)
    }

    fn disjunction(&mut self) -> Result<Expr, FeelError> {
        self.chain(Self::conjunction, |parser| parser.peek().is_keyword("or").then_some(Join::Or))
    }

    fn conjunction(&mut self) -> Result<Expr, FeelError> {
        self.chain(Self::comparison, |parser| parser.peek().is_keyword("and").then_some(Join::And))
    }

    fn comparison(&mut self) -> Result<Expr, FeelError> {
        let left = self.additive()?;
        let op = match self.peek() {
            Token::Eq => BinaryOp::Equal,
            Token::NotEq => BinaryOp::NotEqual,
            Token::Less => BinaryOp::Less,
            Token::LessEq => BinaryOp::LessEqual,
            Token::Greater => BinaryOp::Greater,
            Token::GreaterEq => BinaryOp::GreaterEqual,
            token if token.is_keyword("between") => {
                self.advance();
                let low = self.additive()?;
                self.expect_keyword("and", "between the bounds of 'between'")?;
                let high = self.additive()?;
                return Ok(Expr::Between(Box::new(left), Box::new(low), Box::new(high)));
            }
            token if token.is_keyword("in") => {
                self.advance();
                return Ok(Expr::In(Box::new(left), Box::new(self.in_tests()?)));
            }
            token if token.is_keyword("instance") => {
                self.advance();
                self.expect_keyword("of", "after 'instance'")?;
                return Ok(Expr::InstanceOf(Box::new(left), self.type_name()?));
            }
            _ => return Ok(left),
        };
        self.advance();
        Ok(Expr::Binary(op, Box::new(left), Box::new(self.additive()?)))
    }

    /// What follows `in`: a value, a list, a range, or a parenthesised list of values (`in ("M", "S")`).
    fn in_tests(&mut self) -> Result<Expr, FeelError> {
        if self.peek() != &Token::LParen {
            return self.additive();
        }
        self.advance();
        let first = self.expression()?;
        if self.eat(&Token::DotDot) {
            return self.range_end(first, false);
        }
        let mut tests = vec![first];
        while self.eat(&Token::Comma) {
            tests.push(self.expression()?);
        }
        self.expect(&Token::RParen, "to close the list of values after 'in'")?;
        Ok(match <[Expr; 1]>::try_from(tests) {
            Ok([single]) => single,
            Err(tests) => Expr::List(tests),
        })
    }

    fn type_name(&mut self) -> Result<String, FeelError> {
        for name in TYPE_NAMES {
            let words: Vec<&str> = name.split(' ').collect();
            let matches = words
                .iter()
                .enumerate()
                .all(|(i, word)| matches!(self.token_at(self.position + i), Token::Name { text, .. } if text == word));
            if matches {
                self.position += words.len();
                return Ok((*name).to_string());
            }
        }
        let found = self.peek().describe();
        Err(self.error_here(format!("expected a type name (number, string, boolean, date, ...), found {found}")))
    }

    fn additive(&mut self) -> Result<Expr, FeelError> {
        self.chain(Self::multiplicative, |parser| match parser.peek() {
            Token::Plus => Some(Join::Binary(BinaryOp::Add)),
            Token::Minus => Some(Join::Binary(BinaryOp::Subtract)),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> Result<Expr, FeelError> {
        self.chain(Self::power, |parser| match parser.peek() {
            Token::Star => Some(Join::Binary(BinaryOp::Multiply)),
            Token::Slash => Some(Join::Binary(BinaryOp::Divide)),
            _ => None,
        })
    }

    fn power(&mut self) -> Result<Expr, FeelError> {
        self.chain(Self::unary, |parser| match parser.peek() {
            Token::StarStar => Some(Join::Binary(BinaryOp::Power)),
            _ => None,
        })
    }

    fn unary(&mut self) -> Result<Expr, FeelError> {
        if self.eat(&Token::Minus) {
            return self.nested(|parser| {
                Ok(match parser.unary()? {
                    Expr::Literal(Value::Number(n)) => Expr::Literal(Value::Number(-n)),
                    other => Expr::Negate(Box::new(other)),
                })
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, FeelError> {
        let outer_depth = self.depth;
        let result = self.postfix_chain();
        self.depth = outer_depth;
        result
    }

    fn postfix_chain(&mut self) -> Result<Expr, FeelError> {
        let mut expr = self.primary()?;
        loop {
            if matches!(self.peek(), Token::Dot | Token::LBracket) {
                self.deepen()?;
            }
            if self.eat(&Token::Dot) {
                match self.advance() {
                    Token::Name { text, .. } => expr = path(expr, text),
                    other => {
                        self.position -= 1;
                        return Err(self.error_here(format!("expected a name after '.', found {}", other.describe())));
                    }
                }
            } else if self.peek() == &Token::LBracket {
                self.advance();
                let filter = self.expression()?;
                self.expect(&Token::RBracket, "to close the filter")?;
                expr = Expr::Filter(Box::new(expr), Box::new(filter));
            } else if self.peek() == &Token::LParen {
                return Err(self.error_here("only built-in functions can be called: put an operator before '('"));
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, FeelError> {
        let start = self.position;
        match self.advance() {
            Token::Number(n) => Ok(Expr::Literal(Value::Number(n))),
            Token::Str(s) => Ok(Expr::Literal(Value::String(s))),
            Token::At => self.temporal_literal(),
            Token::Name { text, quoted: true } => Ok(Expr::Name(text)),
            Token::Name { text, quoted: false } => self.name_or_call(start, text),
            Token::LParen => self.parenthesised(),
            Token::LBracket => self.list_or_range(),
            Token::LBrace => self.context(),
            Token::End => Err(self.error_here("the expression ends too early: a value is missing")),
            other => {
                self.position = start;
                Err(self.error_here(format!("unexpected {}: expected a value", other.describe())))
            }
        }
    }

    fn temporal_literal(&mut self) -> Result<Expr, FeelError> {
        let Token::Str(text) = self.advance() else {
            self.position -= 1;
            return Err(self.error_here("'@' must be followed by a string, as in @\"2024-01-31\""));
        };
        // Camunda: a literal that is not a valid calendar date (@"2024-06-31") is null, not an error.
        let value = temporal::parse_duration(&text)
            .or_else(|| temporal::parse_date(&text).map(Value::Date))
            .or_else(|| temporal::parse_date_time(&text))
            .unwrap_or(Value::Null);
        Ok(Expr::Literal(value))
    }

    /// A name at `start` (already consumed): a literal keyword, a (multi-word) function call or a variable.
    fn name_or_call(&mut self, start: usize, first: String) -> Result<Expr, FeelError> {
        match first.as_str() {
            "true" => return Ok(Expr::Literal(Value::Bool(true))),
            "false" => return Ok(Expr::Literal(Value::Bool(false))),
            "null" => return Ok(Expr::Literal(Value::Null)),
            "function" => {
                return Err(FeelError::syntax(self.column_at(start), "function definitions are not supported"));
            }
            word if KEYWORDS.contains(&word) => {
                return Err(FeelError::syntax(
                    self.column_at(start),
                    format!("unexpected '{word}': a value is missing before it"),
                ));
            }
            _ => {}
        }
        let mut words = vec![first];
        while let Token::Name { text, quoted: false } = self.token_at(start + words.len()) {
            words.push(text.clone());
        }
        if self.token_at(start + words.len()) != &Token::LParen {
            return Ok(Expr::Name(words.swap_remove(0)));
        }
        if words.len() > 1 && words.get(1).is_some_and(|second| KEYWORDS.contains(&second.as_str())) {
            let joined = words.join(" ");
            if builtins::lookup(&joined).is_none() && !SPECIAL_FORMS.contains(&joined.as_str()) {
                return Ok(Expr::Name(words.swap_remove(0)));
            }
        }
        let name = words.join(" ");
        self.position = start + words.len() + 1;
        let arguments = self.arguments()?;
        if name == "is defined" {
            return match <[Expr; 1]>::try_from(arguments) {
                Ok([argument]) => Ok(Expr::IsDefined(Box::new(argument))),
                Err(_) => Err(arity_error(self.column_at(start), &name, "exactly 1 argument")),
            };
        }
        if name == "assert" {
            let mut arguments = arguments.into_iter().map(Box::new);
            return match (arguments.next(), arguments.next(), arguments.next(), arguments.next()) {
                (Some(value), Some(condition), message, None) => Ok(Expr::Assert(value, condition, message)),
                _ => Err(arity_error(self.column_at(start), &name, "2 to 3 arguments")),
            };
        }
        let Some(builtin) = builtins::lookup(&name) else {
            return Err(FeelError {
                kind: FeelErrorKind::UnknownFunction,
                column: self.column_at(start),
                message: format!("unknown function '{name}()'"),
            });
        };
        if !builtin.accepts(arguments.len()) {
            return Err(arity_error(self.column_at(start), &name, &builtin.arity_text()));
        }
        Ok(Expr::Call(builtin, arguments))
    }

    /// Arguments after the opening parenthesis, through the closing one.
    fn arguments(&mut self) -> Result<Vec<Expr>, FeelError> {
        let mut arguments = Vec::new();
        if self.eat(&Token::RParen) {
            return Ok(arguments);
        }
        loop {
            arguments.push(self.expression()?);
            if self.eat(&Token::RParen) {
                return Ok(arguments);
            }
            self.expect(&Token::Comma, "between arguments or ')' after them")?;
        }
    }

    fn parenthesised(&mut self) -> Result<Expr, FeelError> {
        let inner = self.expression()?;
        if self.eat(&Token::DotDot) {
            return self.range_end(inner, false);
        }
        self.expect(&Token::RParen, "to close '('")?;
        Ok(inner)
    }

    fn list_or_range(&mut self) -> Result<Expr, FeelError> {
        let mut items = Vec::new();
        if self.eat(&Token::RBracket) {
            return Ok(Expr::List(items));
        }
        let first = self.expression()?;
        if self.eat(&Token::DotDot) {
            return self.range_end(first, true);
        }
        items.push(first);
        loop {
            if self.eat(&Token::RBracket) {
                return Ok(Expr::List(items));
            }
            self.expect(&Token::Comma, "between list items or ']' after them")?;
            items.push(self.expression()?);
        }
    }

    fn range_end(&mut self, start: Expr, start_closed: bool) -> Result<Expr, FeelError> {
        let end = self.expression()?;
        let end_closed = match self.peek() {
            Token::RBracket => true,
            Token::RParen => false,
            other => {
                let found = other.describe();
                return Err(self.error_here(format!("expected ']' or ')' to close the range, found {found}")));
            }
        };
        self.advance();
        let range = Expr::Range { start: Box::new(start), start_closed, end: Box::new(end), end_closed };
        Ok(constant_range(&range).map_or(range, Expr::Literal))
    }

    fn context(&mut self) -> Result<Expr, FeelError> {
        let mut entries = Vec::new();
        if self.eat(&Token::RBrace) {
            return Ok(Expr::Context(entries));
        }
        loop {
            let key = match self.advance() {
                Token::Name { text, .. } | Token::Str(text) => text,
                other => {
                    self.position -= 1;
                    return Err(self.error_here(format!("expected a context key, found {}", other.describe())));
                }
            };
            self.expect(&Token::Colon, "after the context key")?;
            entries.push((key, self.expression()?));
            if self.eat(&Token::RBrace) {
                return Ok(Expr::Context(entries));
            }
            self.expect(&Token::Comma, "between context entries or '}' after them")?;
        }
    }
}

/// `target.name`, merging a chain that starts at a variable into one [`Expr::VariablePath`].
fn path(target: Expr, name: String) -> Expr {
    match target {
        Expr::Name(variable) => Expr::VariablePath(variable, vec![name]),
        Expr::VariablePath(variable, mut segments) => {
            segments.push(name);
            Expr::VariablePath(variable, segments)
        }
        other => Expr::Path(Box::new(other), name),
    }
}

/// How a chain step joins its two operands.
#[derive(Clone, Copy)]
enum Join {
    Or,
    And,
    Binary(BinaryOp),
}

impl Join {
    fn build(self, left: Box<Expr>, right: Box<Expr>) -> Expr {
        match self {
            Join::Or => Expr::Or(left, right),
            Join::And => Expr::And(left, right),
            Join::Binary(op) => Expr::Binary(op, left, right),
        }
    }
}

/// A range with literal bounds is a constant value.
fn constant_range(range: &Expr) -> Option<Value> {
    let Expr::Range { start, start_closed, end, end_closed } = range else { return None };
    match (start.as_ref(), end.as_ref()) {
        (Expr::Literal(start), Expr::Literal(end)) => Some(Value::Range(Box::new(Range {
            start: start.clone(),
            start_closed: *start_closed,
            end: end.clone(),
            end_closed: *end_closed,
        }))),
        _ => None,
    }
}

fn arity_error(column: usize, name: &str, expected: &str) -> FeelError {
    FeelError { kind: FeelErrorKind::UnknownFunction, column, message: format!("function '{name}()' takes {expected}") }
}
