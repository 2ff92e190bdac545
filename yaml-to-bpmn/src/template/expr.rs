//! The `${...}` expression language (survey §3.4): its syntax tree and a recursive-descent parser.

/// A parsed template expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `inputs.NAME`.
    Input(String),
    /// `steps.ID.OUTPUT` (`output` is `None` for a bare `steps.ID`).
    Step {
        /// The step id (may contain `-`).
        id: String,
        /// The output name.
        output: Option<String>,
    },
    /// `context.NAME`.
    Context(String),
    /// `error.NAME`.
    Error(String),
    /// `item`.
    Item,
    /// `'text'` (escapes decoded).
    Str(String),
    /// A number literal as written.
    Num(String),
    /// `x.NAME`.
    Field(Box<Expr>, String),
    /// `x.length`.
    Length(Box<Expr>),
    /// `x[n]` (0-based as written).
    Index(Box<Expr>, u64),
    /// `context.NAME(args)`.
    Call(String, Vec<Expr>),
    /// `not x`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// A comparison.
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// `a + b + ...`.
    Concat(Vec<Expr>),
    /// `c ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`, `==`.
    Eq,
    /// `ne`, `neq`, `!=`.
    Ne,
    /// `gt`, `>`.
    Gt,
    /// `lt`, `<`.
    Lt,
}

impl Expr {
    /// Calls `visit` on this expression and every sub-expression.
    pub fn visit(&self, visit: &mut dyn FnMut(&Expr)) {
        visit(self);
        match self {
            Expr::Field(x, _) | Expr::Length(x) | Expr::Index(x, _) | Expr::Not(x) => x.visit(visit),
            Expr::Call(_, args) | Expr::Concat(args) => args.iter().for_each(|a| a.visit(visit)),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) => {
                a.visit(visit);
                b.visit(visit);
            }
            Expr::Ternary(c, a, b) => {
                c.visit(visit);
                a.visit(visit);
                b.visit(visit);
            }
            Expr::Input(_)
            | Expr::Step { .. }
            | Expr::Context(_)
            | Expr::Error(_)
            | Expr::Item
            | Expr::Str(_)
            | Expr::Num(_) => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(String),
    Punct(&'static str),
}

/// Deeper nesting than this is rejected rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// Parses the inside of one `${...}`. The error says what was expected.
pub fn parse_expr(source: &str) -> Result<Expr, String> {
    let tokens = lex(source)?;
    let mut parser = Parser { tokens, at: 0, depth: 0 };
    let expr = parser.ternary()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(format!("unexpected {} after a complete expression", describe(token))),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Ident(s) => format!("`{s}`"),
        Token::Str(s) => format!("'{s}'"),
        Token::Num(s) => format!("number {s}"),
        Token::Punct(p) => format!("`{p}`"),
    }
}

fn lex(source: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Ident(source.get(start..end).unwrap_or_default().to_owned()));
        } else if c.is_ascii_digit() {
            let mut text = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if c.is_ascii_digit() || (c == '.' && !text.contains('.')) {
                    text.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            if text.ends_with('.') {
                return Err(format!("number `{text}` has no digits after the point"));
            }
            tokens.push(Token::Num(text));
        } else if c == '\'' {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string; close it with `'`".into()),
                    Some((_, '\'')) => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => text.push('\n'),
                        Some((_, 't')) => text.push('\t'),
                        Some((_, other)) => text.push(other),
                        None => return Err("unterminated string; close it with `'`".into()),
                    },
                    Some((_, other)) => text.push(other),
                }
            }
            tokens.push(Token::Str(text));
        } else {
            chars.next();
            let next = chars.peek().map(|&(_, c)| c);
            let punct = match (c, next) {
                ('=', Some('=')) | ('!', Some('=')) => {
                    chars.next();
                    if c == '=' { "==" } else { "!=" }
                }
                ('.', _) => ".",
                ('[', _) => "[",
                (']', _) => "]",
                ('(', _) => "(",
                (')', _) => ")",
                (',', _) => ",",
                ('?', _) => "?",
                (':', _) => ":",
                ('+', _) => "+",
                ('>', _) => ">",
                ('<', _) => "<",
                _ => return Err(format!("unexpected character `{c}`")),
            };
            tokens.push(Token::Punct(punct));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn eat_punct(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Token::Punct(p)) if *p == punct) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Ident(w)) if w == word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, punct: &str) -> Result<(), String> {
        if self.eat_punct(punct) { Ok(()) } else { Err(format!("expected `{punct}`, found {}", self.found())) }
    }

    fn found(&self) -> String {
        self.peek().map(describe).unwrap_or_else(|| "the end of the template".into())
    }

    fn name(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Token::Ident(name)) => Ok(name),
            other => Err(format!(
                "expected {what}, found {}",
                other.as_ref().map(describe).unwrap_or_else(|| "the end of the template".into())
            )),
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("expression nested deeper than {MAX_DEPTH} levels; simplify it"));
        }
        Ok(())
    }

    fn ternary(&mut self) -> Result<Expr, String> {
        self.enter()?;
        let condition = self.or()?;
        let result = if self.eat_punct("?") {
            let then = self.ternary()?;
            self.expect_punct(":")?;
            let otherwise = self.ternary()?;
            Expr::Ternary(Box::new(condition), Box::new(then), Box::new(otherwise))
        } else {
            condition
        };
        self.depth -= 1;
        Ok(result)
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat_word("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.eat_word("and") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_word("not") {
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, String> {
        let left = self.concat()?;
        let op = match self.peek() {
            Some(Token::Ident(w)) if w == "eq" => CompareOp::Eq,
            Some(Token::Ident(w)) if w == "ne" || w == "neq" => CompareOp::Ne,
            Some(Token::Ident(w)) if w == "gt" => CompareOp::Gt,
            Some(Token::Ident(w)) if w == "lt" => CompareOp::Lt,
            Some(Token::Punct("==")) => CompareOp::Eq,
            Some(Token::Punct("!=")) => CompareOp::Ne,
            Some(Token::Punct(">")) => CompareOp::Gt,
            Some(Token::Punct("<")) => CompareOp::Lt,
            _ => return Ok(left),
        };
        self.at += 1;
        let right = self.concat()?;
        Ok(Expr::Compare(op, Box::new(left), Box::new(right)))
    }

    fn concat(&mut self) -> Result<Expr, String> {
        let first = self.postfix()?;
        if !matches!(self.peek(), Some(Token::Punct("+"))) {
            return Ok(first);
        }
        let mut parts = vec![first];
        while self.eat_punct("+") {
            parts.push(self.postfix()?);
        }
        Ok(Expr::Concat(parts))
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let mut expr = self.primary()?;
        loop {
            if self.eat_punct(".") {
                let name = self.name("a field name after `.`")?;
                expr = if name == "length" { Expr::Length(Box::new(expr)) } else { Expr::Field(Box::new(expr), name) };
            } else if self.eat_punct("[") {
                let index = match self.next() {
                    Some(Token::Num(n)) => {
                        n.parse::<u64>().map_err(|_| format!("index `{n}` must be a whole number"))?
                    }
                    other => {
                        return Err(format!(
                            "expected an index number, found {}",
                            other.as_ref().map(describe).unwrap_or_default()
                        ));
                    }
                };
                self.expect_punct("]")?;
                expr = Expr::Index(Box::new(expr), index);
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Expr::Str(s)),
            Some(Token::Num(n)) => Ok(Expr::Num(n)),
            Some(Token::Ident(root)) => match root.as_str() {
                "inputs" => {
                    self.expect_punct(".")?;
                    Ok(Expr::Input(self.name("an input name after `inputs.`")?))
                }
                "steps" => {
                    self.expect_punct(".")?;
                    let id = self.name("a step id after `steps.`")?;
                    let output = if self.eat_punct(".") { Some(self.name("an output name")?) } else { None };
                    Ok(Expr::Step { id, output })
                }
                "context" => {
                    self.expect_punct(".")?;
                    let name = self.name("a name after `context.`")?;
                    if self.eat_punct("(") {
                        let mut args = Vec::new();
                        if !self.eat_punct(")") {
                            loop {
                                args.push(self.ternary()?);
                                if self.eat_punct(")") {
                                    break;
                                }
                                self.expect_punct(",")?;
                            }
                        }
                        return Ok(Expr::Call(name, args));
                    }
                    Ok(Expr::Context(name))
                }
                "error" => {
                    self.expect_punct(".")?;
                    Ok(Expr::Error(self.name("a name after `error.`")?))
                }
                "item" => Ok(Expr::Item),
                other => Err(format!(
                    "unknown name `{other}`; references start with inputs., steps., context., error. or item"
                )),
            },
            Some(Token::Punct("(")) => {
                let inner = self.ternary()?;
                self.expect_punct(")")?;
                Ok(inner)
            }
            other => Err(format!(
                "expected a value, found {}",
                other.as_ref().map(describe).unwrap_or_else(|| "the end of the template".into())
            )),
        }
    }
}
