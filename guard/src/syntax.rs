//! A small shell parser: just enough of the POSIX/bash grammar to see every program a command
//! line would run and every file it would write.
//!
//! It handles quoting (`'…'`, `"…"`, `$'…'`, backslashes), the operators `;` `&` `&&` `||` `|`
//! `|&`, subshells `( … )`, groups `{ …; }`, function definitions, redirections (heredocs too),
//! command substitutions `$( … )` and backticks, process substitutions `<( … )`, parameter
//! expansions, field splitting on an unquoted `$IFS`, and brace expansion (`{rm,-rf,/}`). The
//! bodies of substitutions are kept as text; the guard parses them in turn. `case` is not
//! supported and is refused as unparsable, which blocks the command.

use std::fmt;

/// A command line: pipelines in the order they appear (the separators between them do not
/// matter to the guard, which checks every pipeline).
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// The pipelines.
    pub pipelines: Vec<Pipeline>,
}

/// Elements joined by `|` or `|&`.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The elements, left to right.
    pub elements: Vec<Element>,
}

/// One element of a pipeline.
#[derive(Debug, Clone)]
pub enum Element {
    /// A simple command.
    Simple(Simple),
    /// `( … )` or `{ …; }`, with the redirections after it.
    Group(Script, Vec<Redirect>),
    /// `name() { … }` or `function name { … }`.
    Function {
        /// The function's name.
        name: String,
        /// Its body.
        body: Script,
    },
}

/// Words and redirections.
#[derive(Debug, Clone, Default)]
pub struct Simple {
    /// The words after expansion of braces and `$IFS`, assignments and keywords included.
    pub words: Vec<Word>,
    /// The redirections.
    pub redirects: Vec<Redirect>,
}

/// A redirection: its operator and target (for a heredoc, the body).
#[derive(Debug, Clone)]
pub struct Redirect {
    /// `>`, `>>`, `<`, `<<`, `&>`, …
    pub op: &'static str,
    /// The file, or the heredoc body.
    pub target: Word,
}

impl Redirect {
    /// Whether the redirection writes to its target.
    pub fn writes(&self) -> bool {
        matches!(self.op, ">" | ">>" | ">|" | "&>" | "&>>" | "<>")
    }
}

/// How a character of a word came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Unquoted text: globs and braces apply.
    Plain,
    /// Quoted or escaped text: taken literally.
    Quoted,
    /// Part of an expansion only known at run time (`$NAME`, `${…}`, `$(…)`).
    Expansion,
}

/// A word after quote removal. Expansions stay as written (`$HOME`, `$(…)`) and are marked so.
#[derive(Debug, Clone, Default)]
pub struct Word {
    /// The text.
    pub text: String,
    origins: Vec<Origin>,
    /// The bodies of the command and process substitutions inside the word.
    pub substitutions: Vec<String>,
    /// The names of the parameters the word expands (`HOME` for `$HOME` or `${HOME:-x}`).
    pub parameters: Vec<String>,
    /// Whether the word had quotes (so `""` is a word).
    touched: bool,
}

impl Word {
    /// A word of plain text (for words the guard makes up, like `{}` replaced by a path).
    pub fn plain(text: &str) -> Self {
        let mut word = Word::default();
        word.push_str(text, Origin::Plain);
        word
    }

    /// Whether the word is fully known before it runs (no expansion, no substitution).
    pub fn is_static(&self) -> bool {
        !self.origins.contains(&Origin::Expansion)
    }

    /// Whether the word starts with an unquoted `~`.
    pub fn starts_with_tilde(&self) -> bool {
        self.text.starts_with('~') && self.origins.first() == Some(&Origin::Plain)
    }

    /// Whether the word is exactly `text`, unquoted (a keyword such as `if` or `{`).
    pub fn is_plain_text(&self, text: &str) -> bool {
        self.text == text && self.origins.iter().all(|o| *o == Origin::Plain)
    }

    /// Whether the word is a variable assignment `NAME=value` (or `NAME+=value`).
    pub fn is_assignment(&self) -> bool {
        let Some(eq) = self.text.find('=') else { return false };
        let name = self.text[..eq].strip_suffix('+').unwrap_or(&self.text[..eq]);
        let mut chars = name.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && self.origins[..self.text[..eq].chars().count()].iter().all(|o| *o == Origin::Plain)
    }

    /// The word without its first `skip` characters (`of=/dev/sda` → `/dev/sda`).
    pub fn tail(&self, skip: usize) -> Word {
        let count = self.origins.len();
        let (text, origins) = self.slice(skip.min(count)..count);
        Word {
            text: text.into_iter().collect(),
            origins,
            substitutions: self.substitutions.clone(),
            parameters: self.parameters.clone(),
            touched: true,
        }
    }

    fn push(&mut self, c: char, origin: Origin) {
        self.text.push(c);
        self.origins.push(origin);
        self.touched = true;
    }

    fn push_str(&mut self, text: &str, origin: Origin) {
        text.chars().for_each(|c| self.push(c, origin));
    }

    fn slice(&self, range: std::ops::Range<usize>) -> (Vec<char>, Vec<Origin>) {
        (self.text.chars().skip(range.start).take(range.len()).collect(), self.origins[range].to_vec())
    }

    /// The words brace expansion makes of this one (`{a,b}c` → `ac`, `bc`); at most 64.
    fn brace_expand(self) -> Vec<Word> {
        let chars: Vec<char> = self.text.chars().collect();
        let plain = |i: usize, c: char| chars[i] == c && self.origins[i] == Origin::Plain;
        let Some(open) = (0..chars.len()).find(|&i| plain(i, '{')) else { return vec![self] };
        let mut depth = 0;
        let mut commas = Vec::new();
        let mut close = None;
        for i in open..chars.len() {
            if plain(i, '{') {
                depth += 1;
            } else if plain(i, '}') {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            } else if plain(i, ',') && depth == 1 {
                commas.push(i);
            }
        }
        let Some(close) = close.filter(|_| !commas.is_empty()) else { return vec![self] };
        let (prefix, prefix_origins) = self.slice(0..open);
        let (suffix, suffix_origins) = self.slice(close + 1..chars.len());
        let bounds: Vec<usize> = std::iter::once(open).chain(commas).chain(std::iter::once(close)).collect();
        let mut words = Vec::new();
        for pair in bounds.windows(2) {
            let (middle, middle_origins) = self.slice(pair[0] + 1..pair[1]);
            let mut word = Word {
                substitutions: self.substitutions.clone(),
                parameters: self.parameters.clone(),
                ..Word::default()
            };
            for (c, o) in prefix
                .iter()
                .chain(&middle)
                .chain(&suffix)
                .zip(prefix_origins.iter().chain(&middle_origins).chain(&suffix_origins))
            {
                word.push(*c, *o);
            }
            words.extend(word.brace_expand());
        }
        words.truncate(64);
        words
    }
}

/// A command line the parser cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn error<T>(message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError { message: message.into() })
}

/// Parses a command line.
pub fn parse(source: &str) -> Result<Script, SyntaxError> {
    let tokens = Lexer::new(source).tokens()?;
    let mut parser = Parser { tokens, pos: 0 };
    parser.list(None)
}

#[derive(Debug)]
enum Token {
    Word(Word),
    Op(&'static str),
    Redirect(Redirect),
}

const OPERATORS: &[&str] = &["&&", "||", ";;", "|&", ";", "&", "|", "(", ")", "\n"];
const REDIRECTS: &[&str] = &["<<<", "<<-", "&>>", "<<", "<>", "<&", ">>", ">&", ">|", "&>", "<", ">"];

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    /// Heredocs whose bodies start after the next newline: token index, delimiter, expands.
    heredocs: Vec<(usize, String, bool)>,
}

impl Lexer {
    fn new(source: &str) -> Self {
        Lexer { chars: source.chars().collect(), pos: 0, heredocs: Vec::new() }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn tokens(mut self) -> Result<Vec<Token>, SyntaxError> {
        let mut tokens = Vec::new();
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' || c == '\r' {
                self.pos += 1;
            } else if self.starts_with("\\\n") {
                self.pos += 2;
            } else if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
            } else if self.starts_with("<(") || self.starts_with(">(") {
                tokens.push(Token::Word(self.process_substitution()?));
            } else if let Some(op) = OPERATORS.iter().find(|op| self.starts_with(op)) {
                self.pos += op.chars().count();
                tokens.push(Token::Op(op));
                if *op == "\n" {
                    self.heredoc_bodies(&mut tokens)?;
                }
            } else if let Some(op) = REDIRECTS.iter().find(|op| self.starts_with(op)) {
                self.pos += op.chars().count();
                while matches!(self.peek(), Some(' ' | '\t')) {
                    self.pos += 1;
                }
                let target = if self.starts_with("<(") || self.starts_with(">(") {
                    Some(self.process_substitution()?)
                } else {
                    self.word()?.into_iter().next()
                };
                let Some(target) = target else {
                    return error(format!("the redirection `{op}` has no target"));
                };
                if op.starts_with("<<") && *op != "<<<" {
                    let expands = !target.origins.contains(&Origin::Quoted);
                    self.heredocs.push((tokens.len(), target.text.clone(), expands));
                }
                tokens.push(Token::Redirect(Redirect { op, target }));
            } else if c.is_ascii_digit() && self.fd_number_ends_at().is_some() {
                self.pos = self.fd_number_ends_at().unwrap_or(self.pos);
            } else {
                tokens.extend(self.word()?.into_iter().map(Token::Word));
            }
        }
        self.heredoc_bodies(&mut tokens)?;
        Ok(tokens)
    }

    /// `<(…)` or `>(…)` at the cursor: a word standing for the file its command reads or writes.
    fn process_substitution(&mut self) -> Result<Word, SyntaxError> {
        self.pos += 2;
        let body = self.balanced('(', ')')?;
        let mut word = Word::default();
        word.push_str("<(...)", Origin::Expansion);
        word.substitutions.push(body);
        Ok(word)
    }

    /// Where the digits at the cursor end when they are a file descriptor (`2>`), else `None`.
    fn fd_number_ends_at(&self) -> Option<usize> {
        let mut end = self.pos;
        while self.chars.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
        let next = self.chars.get(end).copied();
        let after = self.chars.get(end + 1).copied();
        (matches!(next, Some('<' | '>')) && after != Some('(')).then_some(end)
    }

    /// Reads the bodies of the pending heredocs, line by line up to their delimiters.
    fn heredoc_bodies(&mut self, tokens: &mut [Token]) -> Result<(), SyntaxError> {
        for (index, delimiter, expands) in std::mem::take(&mut self.heredocs) {
            let mut body = String::new();
            loop {
                if self.peek().is_none() {
                    if body.is_empty() {
                        break;
                    }
                    return error(format!("the heredoc ends before its delimiter `{delimiter}`"));
                }
                let mut line = String::new();
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == '\n' {
                        break;
                    }
                    line.push(c);
                }
                if line.trim_start_matches('\t') == delimiter {
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            if let Some(Token::Redirect(redirect)) = tokens.get_mut(index) {
                let mut word = Word::default();
                word.push_str(&body, Origin::Quoted);
                if expands {
                    word.substitutions = substitutions_in(&body)?;
                }
                redirect.target = word;
            }
        }
        Ok(())
    }

    /// The words at the cursor: one, or several when an unquoted `$IFS` splits it or braces
    /// expand it; none for a lone `$IFS`.
    fn word(&mut self) -> Result<Vec<Word>, SyntaxError> {
        let mut fields = Vec::new();
        let mut word = Word::default();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(next) => {
                            self.pos += 1;
                            word.push(next, Origin::Quoted);
                        }
                        None => word.push('\\', Origin::Plain),
                    }
                }
                '\'' => {
                    self.pos += 1;
                    word.touched = true;
                    loop {
                        match self.peek() {
                            None => return error("a single quote is not closed"),
                            Some('\'') => break,
                            Some(c) => word.push(c, Origin::Quoted),
                        }
                        self.pos += 1;
                    }
                    self.pos += 1;
                }
                '"' => self.double_quoted(&mut word)?,
                '$' => {
                    if self.dollar(&mut word, false)? {
                        fields.push(std::mem::take(&mut word));
                    }
                }
                '`' => self.backtick(&mut word)?,
                _ => {
                    self.pos += 1;
                    word.push(c, Origin::Plain);
                }
            }
        }
        fields.push(word);
        Ok(fields.into_iter().filter(|w| w.touched).flat_map(Word::brace_expand).collect())
    }

    fn double_quoted(&mut self, word: &mut Word) -> Result<(), SyntaxError> {
        self.pos += 1;
        word.touched = true;
        loop {
            match self.peek() {
                None => return error("a double quote is not closed"),
                Some('"') => break,
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(c @ ('$' | '`' | '"' | '\\')) => {
                            self.pos += 1;
                            word.push(c, Origin::Quoted);
                        }
                        _ => word.push('\\', Origin::Quoted),
                    }
                }
                Some('$') => {
                    self.dollar(word, true)?;
                }
                Some('`') => self.backtick(word)?,
                Some(c) => {
                    self.pos += 1;
                    word.push(c, Origin::Quoted);
                }
            }
        }
        self.pos += 1;
        Ok(())
    }

    /// An expansion at a `$`. Returns true when it was an unquoted `$IFS`, which ends the word.
    fn dollar(&mut self, word: &mut Word, quoted: bool) -> Result<bool, SyntaxError> {
        let literal = if quoted { Origin::Quoted } else { Origin::Plain };
        match self.peek_at(1) {
            Some('\'') if !quoted => {
                self.pos += 2;
                self.ansi_c(word)?;
            }
            Some('"') if !quoted => {
                self.pos += 1;
                self.double_quoted(word)?;
            }
            Some('(') => {
                self.pos += 2;
                let body = self.balanced('(', ')')?;
                if body.starts_with('(') && body.ends_with(')') {
                    word.push_str(&format!("$({body})"), Origin::Expansion);
                    word.substitutions.extend(substitutions_in(&body)?);
                } else {
                    word.push_str("$(...)", Origin::Expansion);
                    word.substitutions.push(body);
                }
            }
            Some('{') => {
                self.pos += 2;
                let body = self.balanced('{', '}')?;
                let name: String = body.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if name == "IFS" && !quoted {
                    return Ok(true);
                }
                word.push_str(&format!("${{{body}}}"), Origin::Expansion);
                word.substitutions.extend(substitutions_in(&body)?);
                word.parameters.push(name);
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                self.pos += 1;
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|c| c.is_ascii_alphanumeric() || *c == '_') {
                    name.push(c);
                    self.pos += 1;
                }
                if name == "IFS" && !quoted {
                    return Ok(true);
                }
                word.push_str(&format!("${name}"), Origin::Expansion);
                word.parameters.push(name);
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => {
                self.pos += 2;
                word.push_str(&format!("${c}"), Origin::Expansion);
                word.parameters.push(c.to_string());
            }
            _ => {
                self.pos += 1;
                word.push('$', literal);
            }
        }
        Ok(false)
    }

    fn backtick(&mut self, word: &mut Word) -> Result<(), SyntaxError> {
        self.pos += 1;
        let mut body = String::new();
        loop {
            match self.peek() {
                None => return error("a backtick substitution is not closed"),
                Some('`') => break,
                Some('\\') if matches!(self.peek_at(1), Some('`' | '\\' | '$')) => {
                    body.push(self.peek_at(1).unwrap_or('\\'));
                    self.pos += 2;
                    continue;
                }
                Some(c) => body.push(c),
            }
            self.pos += 1;
        }
        self.pos += 1;
        word.push_str("`...`", Origin::Expansion);
        word.substitutions.push(body);
        Ok(())
    }

    /// The text up to the `close` that matches an `open` already read, skipping quoted parts.
    fn balanced(&mut self, open: char, close: char) -> Result<String, SyntaxError> {
        let mut depth = 1;
        let mut body = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => {
                    body.push(c);
                    if let Some(next) = self.peek() {
                        body.push(next);
                        self.pos += 1;
                    }
                    continue;
                }
                '\'' | '"' | '`' => {
                    body.push(c);
                    while let Some(inner) = self.peek() {
                        self.pos += 1;
                        body.push(inner);
                        if inner == '\\' && c != '\'' {
                            if let Some(next) = self.peek() {
                                body.push(next);
                                self.pos += 1;
                            }
                        } else if inner == c {
                            break;
                        }
                    }
                    continue;
                }
                _ if c == open => depth += 1,
                _ if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(body);
                    }
                }
                _ => {}
            }
            body.push(c);
        }
        error(format!("`{open}` is not closed by `{close}`"))
    }

    /// `$'…'` with its backslash escapes decoded.
    fn ansi_c(&mut self, word: &mut Word) -> Result<(), SyntaxError> {
        word.touched = true;
        loop {
            let Some(c) = self.peek() else { return error("a $'…' string is not closed") };
            self.pos += 1;
            match c {
                '\'' => return Ok(()),
                '\\' => {
                    let Some(e) = self.peek() else { return error("a $'…' string is not closed") };
                    self.pos += 1;
                    let decoded = match e {
                        'n' => Some('\n'),
                        't' => Some('\t'),
                        'r' => Some('\r'),
                        'a' => Some('\u{7}'),
                        'b' => Some('\u{8}'),
                        'e' | 'E' => Some('\u{1b}'),
                        'f' => Some('\u{c}'),
                        'v' => Some('\u{b}'),
                        'x' => self.number(16, 2),
                        'u' => self.number(16, 4),
                        'U' => self.number(16, 8),
                        '0'..='7' => {
                            self.pos -= 1;
                            self.number(8, 3)
                        }
                        other => Some(other),
                    };
                    word.push(decoded.unwrap_or(e), Origin::Quoted);
                }
                other => word.push(other, Origin::Quoted),
            }
        }
    }

    /// Up to `digits` digits in `radix` at the cursor, as a character.
    fn number(&mut self, radix: u32, digits: usize) -> Option<char> {
        let mut value = 0u32;
        let mut read = 0;
        while read < digits {
            let Some(d) = self.peek().and_then(|c| c.to_digit(radix)) else { break };
            value = value * radix + d;
            self.pos += 1;
            read += 1;
        }
        (read > 0).then(|| char::from_u32(value)).flatten()
    }
}

/// The command and process substitutions in text where only `$(…)` and backticks expand (the
/// inside of `${…}`, `$((…))` or a heredoc).
fn substitutions_in(text: &str) -> Result<Vec<String>, SyntaxError> {
    let mut lexer = Lexer::new(text);
    let mut word = Word::default();
    while let Some(c) = lexer.peek() {
        match c {
            '\\' => lexer.pos += 2,
            '$' => {
                lexer.dollar(&mut word, true)?;
            }
            '`' => lexer.backtick(&mut word)?,
            _ => lexer.pos += 1,
        }
    }
    Ok(word.substitutions)
}

/// Where a list ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Paren,
    Brace,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token::Op(o)) if *o == op)
    }

    fn is_plain_word(&self, text: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.is_plain_text(text))
    }

    fn list(&mut self, end: Option<End>) -> Result<Script, SyntaxError> {
        let mut script = Script::default();
        loop {
            while matches!(self.peek(), Some(Token::Op(";" | "&" | "&&" | "||" | "\n"))) {
                self.pos += 1;
            }
            match (self.peek(), end) {
                (None, None) => return Ok(script),
                (None, Some(End::Paren)) => return error("a `(` is not closed by `)`"),
                (None, Some(End::Brace)) => return error("a `{` is not closed by `}`"),
                (Some(Token::Op(")")), Some(End::Paren)) => {
                    self.pos += 1;
                    return Ok(script);
                }
                (Some(Token::Word(_)), Some(End::Brace)) if self.is_plain_word("}") => {
                    self.pos += 1;
                    return Ok(script);
                }
                _ => script.pipelines.push(self.pipeline()?),
            }
        }
    }

    fn pipeline(&mut self) -> Result<Pipeline, SyntaxError> {
        let mut elements = vec![self.element()?];
        while self.is_op("|") || self.is_op("|&") {
            self.pos += 1;
            while self.is_op("\n") {
                self.pos += 1;
            }
            elements.push(self.element()?);
        }
        Ok(Pipeline { elements })
    }

    fn redirects(&mut self) -> Vec<Redirect> {
        let mut redirects = Vec::new();
        while let Some(Token::Redirect(r)) = self.peek() {
            redirects.push(r.clone());
            self.pos += 1;
        }
        redirects
    }

    fn element(&mut self) -> Result<Element, SyntaxError> {
        if self.is_op("(") {
            self.pos += 1;
            let script = self.list(Some(End::Paren))?;
            return Ok(Element::Group(script, self.redirects()));
        }
        if self.is_plain_word("{") {
            self.pos += 1;
            let script = self.list(Some(End::Brace))?;
            return Ok(Element::Group(script, self.redirects()));
        }
        if self.is_plain_word("function") {
            self.pos += 1;
            let Some(Token::Word(name)) = self.peek() else { return error("`function` has no name") };
            let name = name.text.clone();
            self.pos += 1;
            return self.function_body(name);
        }
        let mut simple = Simple::default();
        loop {
            match self.peek() {
                Some(Token::Word(w)) => simple.words.push(w.clone()),
                Some(Token::Redirect(r)) => simple.redirects.push(r.clone()),
                Some(Token::Op("(")) if simple.words.len() == 1 && simple.redirects.is_empty() => {
                    let name = simple.words.remove(0).text;
                    return self.function_body(name);
                }
                _ => break,
            }
            self.pos += 1;
        }
        if simple.words.is_empty() && simple.redirects.is_empty() {
            return match self.peek() {
                Some(Token::Op(";;")) => error("`case` is not supported"),
                Some(Token::Op(op)) => error(format!("unexpected `{}`", op.escape_debug())),
                _ => error("a command is missing"),
            };
        }
        Ok(Element::Simple(simple))
    }

    /// After a function's name: optional `()`, newlines, then the body.
    fn function_body(&mut self, name: String) -> Result<Element, SyntaxError> {
        if self.is_op("(") {
            self.pos += 1;
            if !self.is_op(")") {
                return error(format!("the function `{name}` has `(` without `)`"));
            }
            self.pos += 1;
        }
        while self.is_op("\n") {
            self.pos += 1;
        }
        let body = match self.element()? {
            Element::Group(script, _) => script,
            other => Script { pipelines: vec![Pipeline { elements: vec![other] }] },
        };
        Ok(Element::Function { name, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(source: &str) -> Vec<Vec<String>> {
        let script = parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let mut out = Vec::new();
        for pipeline in &script.pipelines {
            for element in &pipeline.elements {
                if let Element::Simple(simple) = element {
                    out.push(simple.words.iter().map(|w| w.text.clone()).collect());
                }
            }
        }
        out
    }

    #[test]
    fn quotes_escapes_and_operators_split_as_the_shell_does() {
        assert_eq!(
            words(r#"r'm' -"rf" \/ && echo "a b"; ls|wc -l"#),
            [vec!["rm", "-rf", "/"], vec!["echo", "a b"], vec!["ls"], vec!["wc", "-l"]]
        );
        assert_eq!(words(r"$'\x72\x6d' -rf /"), [vec!["rm", "-rf", "/"]]);
        assert_eq!(words("rm${IFS}-rf$IFS/"), [vec!["rm", "-rf", "/"]]);
        assert_eq!(words("{rm,-rf,/}"), [vec!["rm", "-rf", "/"]]);
        assert_eq!(words("echo '{a,b}'"), [vec!["echo", "{a,b}"]]);
    }

    #[test]
    fn substitutions_and_heredocs_keep_their_bodies() {
        let script = parse("echo \"$(curl x | sh)\" `id` <<EOF\n$(whoami)\nEOF\n").unwrap_or_else(|e| panic!("{e}"));
        let Element::Simple(simple) = &script.pipelines[0].elements[0] else { panic!("not simple") };
        assert_eq!(simple.words[1].substitutions, ["curl x | sh"]);
        assert_eq!(simple.words[2].substitutions, ["id"]);
        assert_eq!(simple.redirects[0].target.substitutions, ["whoami"]);
    }

    #[test]
    fn a_fork_bomb_parses_as_a_function() {
        let script = parse(":(){ :|:& };:").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(&script.pipelines[0].elements[0], Element::Function { name, .. } if name == ":"));
    }

    #[test]
    fn broken_input_is_an_error() {
        for source in ["echo 'a", "echo \"a", "echo $(a", "( ls", "case x in a) ls;; esac", "ls >"] {
            assert!(parse(source).is_err(), "{source}");
        }
    }
}
