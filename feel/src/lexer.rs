//! Splits FEEL text into tokens, each with the byte offset where it starts.

use crate::error::{FeelError, column_of};
use rust_decimal::Decimal;
use std::str::FromStr;

/// One lexical token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A number literal such as `12` or `1.5`.
    Number(Decimal),
    /// A string literal with escapes resolved.
    Str(String),
    /// A name; `quoted` is true for a backtick name (`` `tracking-id` ``), which is never a keyword.
    Name {
        text: String,
        quoted: bool,
    },
    /// `@` introducing a temporal literal `@"2024-01-31"`.
    At,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Dot,
    DotDot,
    Plus,
    Minus,
    Star,
    StarStar,
    Slash,
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    /// End of the text.
    End,
}

impl Token {
    /// True when this token is the unquoted keyword `word`.
    pub(crate) fn is_keyword(&self, word: &str) -> bool {
        matches!(self, Token::Name { text, quoted: false } if text == word)
    }

    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Token::Number(n) => format!("number {n}"),
            Token::Str(s) => format!("string \"{s}\""),
            Token::Name { text, .. } => format!("'{text}'"),
            Token::End => "the end of the expression".to_string(),
            other => format!("'{}'", punctuation(other)),
        }
    }
}

fn punctuation(token: &Token) -> &'static str {
    match token {
        Token::At => "@",
        Token::LParen => "(",
        Token::RParen => ")",
        Token::LBracket => "[",
        Token::RBracket => "]",
        Token::LBrace => "{",
        Token::RBrace => "}",
        Token::Comma => ",",
        Token::Colon => ":",
        Token::Dot => ".",
        Token::DotDot => "..",
        Token::Plus => "+",
        Token::Minus => "-",
        Token::Star => "*",
        Token::StarStar => "**",
        Token::Slash => "/",
        Token::Eq => "=",
        Token::NotEq => "!=",
        Token::Less => "<",
        Token::LessEq => "<=",
        Token::Greater => ">",
        Token::GreaterEq => ">=",
        _ => "?",
    }
}

/// A token and the byte offset of its first character.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spanned {
    pub(crate) token: Token,
    pub(crate) offset: usize,
}

/// Tokenises `text` from byte offset `start`; the last token is always [`Token::End`].
pub(crate) fn tokenize(text: &str, start: usize) -> Result<Vec<Spanned>, FeelError> {
    let mut chars = text.char_indices().peekable();
    while chars.next_if(|(at, _)| *at < start).is_some() {}
    let mut lexer = Lexer { text, chars };
    let mut tokens = Vec::new();
    loop {
        let next = lexer.next_token()?;
        let end = next.token == Token::End;
        tokens.push(next);
        if end {
            return Ok(tokens);
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '?'
}

fn is_name_part(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '\''
}

impl Lexer<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> FeelError {
        FeelError::syntax(column_of(self.text, offset), message)
    }

    fn peek_char(&mut self) -> Option<char> {
        self.chars.peek().map(|(_, c)| *c)
    }

    fn skip_trivia(&mut self) -> Result<(), FeelError> {
        while let Some((at, c)) = self.chars.peek().copied() {
            if c.is_whitespace() {
                self.chars.next();
            } else if self.text[at..].starts_with("//") {
                while self.chars.next_if(|(_, c)| *c != '\n').is_some() {}
            } else if self.text[at..].starts_with("/*") {
                self.chars.next();
                self.chars.next();
                let mut previous = ' ';
                loop {
                    match self.chars.next() {
                        Some((_, '/')) if previous == '*' => break,
                        Some((_, c)) => previous = c,
                        None => return Err(self.error(at, "unterminated comment: close it with */")),
                    }
                }
            } else {
                break;
            }
        }
        Ok(())
    }

    fn next_token(&mut self) -> Result<Spanned, FeelError> {
        self.skip_trivia()?;
        let Some((offset, c)) = self.chars.next() else {
            return Ok(Spanned { token: Token::End, offset: self.text.len() });
        };
        let token = match c {
            '"' => Token::Str(self.string(offset)?),
            '`' => self.backtick_name(offset)?,
            '0'..='9' => self.number(offset)?,
            c if is_name_start(c) => {
                let mut end = offset + c.len_utf8();
                while let Some((at, c)) = self.chars.next_if(|(_, c)| is_name_part(*c)) {
                    end = at + c.len_utf8();
                }
                Token::Name { text: self.text[offset..end].to_string(), quoted: false }
            }
            '.' if self.peek_char() == Some('.') => {
                self.chars.next();
                Token::DotDot
            }
            '.' => Token::Dot,
            '@' => Token::At,
            '(' => Token::LParen,
            ')' => Token::RParen,
            '[' => Token::LBracket,
            ']' => Token::RBracket,
            '{' => Token::LBrace,
            '}' => Token::RBrace,
            ',' => Token::Comma,
            ':' => Token::Colon,
            '+' => Token::Plus,
            '-' => Token::Minus,
            '/' => Token::Slash,
            '*' if self.chars.next_if(|(_, c)| *c == '*').is_some() => Token::StarStar,
            '*' => Token::Star,
            '=' => Token::Eq,
            '!' if self.chars.next_if(|(_, c)| *c == '=').is_some() => Token::NotEq,
            '<' if self.chars.next_if(|(_, c)| *c == '=').is_some() => Token::LessEq,
            '<' => Token::Less,
            '>' if self.chars.next_if(|(_, c)| *c == '=').is_some() => Token::GreaterEq,
            '>' => Token::Greater,
            '\'' => return Err(self.error(offset, "strings use double quotes in FEEL: write \"text\", not 'text'")),
            other => return Err(self.error(offset, format!("unexpected character '{other}'"))),
        };
        Ok(Spanned { token, offset })
    }

    fn string(&mut self, offset: usize) -> Result<String, FeelError> {
        let mut value = String::new();
        loop {
            match self.chars.next() {
                None => return Err(self.error(offset, "unterminated string literal: add the closing \"")),
                Some((_, '"')) => return Ok(value),
                Some((at, '\\')) => value.push(self.escape(at)?),
                Some((_, c)) => value.push(c),
            }
        }
    }

    fn escape(&mut self, offset: usize) -> Result<char, FeelError> {
        match self.chars.next() {
            Some((_, 'n')) => Ok('\n'),
            Some((_, 't')) => Ok('\t'),
            Some((_, 'r')) => Ok('\r'),
            Some((_, c @ ('"' | '\\' | '\''))) => Ok(c),
            Some((_, 'u')) => {
                let mut code = 0u32;
                for _ in 0..4 {
                    let digit = self.chars.next().and_then(|(_, c)| c.to_digit(16));
                    let Some(digit) = digit else {
                        return Err(self.error(offset, "\\u must be followed by four hex digits"));
                    };
                    code = code * 16 + digit;
                }
                char::from_u32(code).ok_or_else(|| self.error(offset, "\\u escape is not a valid character"))
            }
            _ => Err(self.error(offset, "unknown escape in string: use \\\", \\\\, \\n, \\t, \\r or \\uXXXX")),
        }
    }

    fn backtick_name(&mut self, offset: usize) -> Result<Token, FeelError> {
        let mut text = String::new();
        loop {
            match self.chars.next() {
                None => return Err(self.error(offset, "unterminated backtick name: add the closing `")),
                Some((_, '`')) if text.is_empty() => return Err(self.error(offset, "empty backtick name ``")),
                Some((_, '`')) => return Ok(Token::Name { text, quoted: true }),
                Some((_, c)) => text.push(c),
            }
        }
    }

    fn number(&mut self, offset: usize) -> Result<Token, FeelError> {
        let mut end = offset + 1;
        while let Some((at, _)) = self.chars.next_if(|(_, c)| c.is_ascii_digit()) {
            end = at + 1;
        }
        // A fraction needs a digit after the dot, so `1..5` stays a range.
        let fraction = self.text.get(end..).is_some_and(|rest| {
            let mut rest = rest.chars();
            rest.next() == Some('.') && rest.next().is_some_and(|c| c.is_ascii_digit())
        });
        if fraction {
            self.chars.next();
            while let Some((at, _)) = self.chars.next_if(|(_, c)| c.is_ascii_digit()) {
                end = at + 1;
            }
        }
        let literal = &self.text[offset..end];
        Decimal::from_str(literal)
            .map(Token::Number)
            .map_err(|_| self.error(offset, format!("number {literal} is out of range (at most 28 digits)")))
    }
}
