//! Filling a command template so that each substituted value is one literal piece of text to
//! the shell, whatever quoting context the template author put its placeholder in.
//!
//! The template is scanned with the shell's quoting rules; at each placeholder the value is
//! quoted for the context it lands in:
//!
//! - unquoted (also inside `$(…)`): `'value'`, with each `'` written as `'\''`;
//! - inside the author's single quotes: each `'` written as `'\''`;
//! - inside the author's double quotes: `\`, `"`, `$` and `` ` `` escaped with a backslash;
//! - inside backticks: the quoting of the inner context, then `\`, `` ` `` and `$` escaped once
//!   per level of backticks;
//! - in a here-document body: `\`, `$` and `` ` `` escaped (none if the delimiter is quoted);
//!   a value with a line break is refused there, since a line could end the document.
//!
//! Comments (`# …` at the start of a word) are skipped, so an apostrophe in a comment does not
//! open a quote.

use serde_json::Value;

use crate::dry_run::{Part, for_each_part, text};

/// Fills `template`'s known placeholders with their values, quoted for their context. The
/// error names the placeholder whose value cannot be placed safely, and why.
pub(crate) fn fill_quoted<'v>(template: &str, value_of: impl Fn(&str) -> Option<&'v Value>) -> Result<String, String> {
    let mut scanner = Scanner::default();
    let mut filled = String::with_capacity(template.len());
    let mut refused = None;
    for_each_part(
        template,
        |name| value_of(name).is_some(),
        |part| match part {
            Part::Text(piece) => {
                scanner.scan(piece);
                filled.push_str(piece);
            }
            Part::Slot(name) => {
                let value = value_of(name).map(text).unwrap_or_default();
                match scanner.quote(&value) {
                    Ok(quoted) => filled.push_str(&quoted),
                    Err(why) => {
                        refused.get_or_insert_with(|| format!("the value of {{{{{name}}}}} {why}"));
                    }
                }
            }
        },
    );
    refused.map_or(Ok(filled), Err)
}

/// A nesting level the scanner is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Unquoted command text: the top level, or the inside of `$(…)` with its open parentheses.
    Plain { parens: usize },
    /// Inside `"…"`.
    Double,
    /// Inside `` `…` ``.
    Backtick,
}

/// A here-document whose body is still to come or being read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Heredoc {
    delimiter: String,
    /// `<<-`: leading tabs are stripped before comparing lines with the delimiter.
    strip_tabs: bool,
    /// An unquoted delimiter: the body undergoes `$`, `` ` `` and `\` expansion.
    expands: bool,
}

/// The shell quoting state at the current point of the template.
#[derive(Debug, Clone)]
struct Scanner {
    frames: Vec<Frame>,
    single: bool,
    escaped: bool,
    comment: bool,
    previous: Option<char>,
    /// After `<<`: the delimiter word read so far (`None` while skipping blanks and `-`).
    reading_delimiter: Option<(String, bool, bool)>,
    pending: Vec<Heredoc>,
    /// The body being read, and its current line so far.
    body: Option<(Heredoc, String)>,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            frames: vec![Frame::Plain { parens: 0 }],
            single: false,
            escaped: false,
            comment: false,
            previous: None,
            reading_delimiter: None,
            pending: Vec::new(),
            body: None,
        }
    }
}

impl Scanner {
    fn top(&self) -> Frame {
        self.frames.last().copied().unwrap_or(Frame::Plain { parens: 0 })
    }

    fn scan(&mut self, text: &str) {
        for c in text.chars() {
            self.step(c);
            self.previous = Some(c);
        }
    }

    fn step(&mut self, c: char) {
        if let Some((heredoc, line)) = &mut self.body {
            if c != '\n' {
                line.push(c);
                return;
            }
            let line = if heredoc.strip_tabs { line.trim_start_matches('\t') } else { line.as_str() };
            if line == heredoc.delimiter {
                self.body = None;
                self.start_next_body();
            } else if let Some((_, line)) = &mut self.body {
                line.clear();
            }
            return;
        }
        if self.reading_delimiter.is_some() {
            self.read_delimiter(c);
            return;
        }
        if self.comment {
            if c == '\n' {
                self.comment = false;
                self.start_next_body();
            }
            return;
        }
        if self.escaped {
            self.escaped = false;
            return;
        }
        if self.single {
            self.single = c != '\'';
            return;
        }
        match (self.top(), c) {
            (_, '\\') => self.escaped = true,
            (Frame::Double, '"') | (Frame::Backtick, '`') => {
                self.frames.pop();
            }
            (_, '`') => self.frames.push(Frame::Backtick),
            (_, '(') if self.previous == Some('$') => self.frames.push(Frame::Plain { parens: 0 }),
            (Frame::Double, _) => {}
            (_, '\'') => self.single = true,
            (_, '"') => self.frames.push(Frame::Double),
            (Frame::Plain { parens }, '(') => self.set_top(Frame::Plain { parens: parens + 1 }),
            (Frame::Plain { parens: 0 }, ')') if self.frames.len() > 1 => {
                self.frames.pop();
            }
            (Frame::Plain { parens }, ')') => self.set_top(Frame::Plain { parens: parens.saturating_sub(1) }),
            (_, '#') if self.previous.is_none_or(|p| p.is_whitespace() || ";&|()".contains(p)) => self.comment = true,
            (_, '<') if self.previous == Some('<') && self.frames.len() == 1 => {
                self.reading_delimiter = Some((String::new(), false, false));
            }
            (_, '\n') if self.frames.len() == 1 => self.start_next_body(),
            _ => {}
        }
    }

    fn set_top(&mut self, frame: Frame) {
        if let Some(top) = self.frames.last_mut() {
            *top = frame;
        }
    }

    /// After `<<`: skips `-` and blanks, then reads the delimiter word up to a blank or an
    /// operator; quotes in it make the body literal.
    fn read_delimiter(&mut self, c: char) {
        let Some((word, strip_tabs, quoted)) = &mut self.reading_delimiter else { return };
        let ends_word = c.is_whitespace() || ";&|<>()".contains(c);
        if word.is_empty() && !*quoted {
            match c {
                '-' if !*strip_tabs => {
                    *strip_tabs = true;
                    return;
                }
                ' ' | '\t' => return,
                _ => {}
            }
        }
        if ends_word {
            let heredoc = Heredoc { delimiter: std::mem::take(word), strip_tabs: *strip_tabs, expands: !*quoted };
            self.reading_delimiter = None;
            self.pending.push(heredoc);
            if c == '\n' {
                self.start_next_body();
            }
        } else if matches!(c, '\'' | '"' | '\\') {
            *quoted = true;
        } else {
            word.push(c);
        }
    }

    /// At the end of a command line: the next pending here-document's body begins.
    fn start_next_body(&mut self) {
        if !self.pending.is_empty() {
            self.body = Some((self.pending.remove(0), String::new()));
        }
    }

    /// `value` written so that the shell reads it, at this point, as exactly its text.
    fn quote(&self, value: &str) -> Result<String, String> {
        if let Some((heredoc, _)) = &self.body {
            if value.contains('\n') || value.trim_start_matches('\t') == heredoc.delimiter {
                return Err(format!(
                    "lands in a here-document and has a line break or is its delimiter `{}`, so it could end the document; remove the line break",
                    heredoc.delimiter
                ));
            }
            return Ok(if heredoc.expands { escape(value, &['\\', '$', '`']) } else { value.to_owned() });
        }
        if self.comment {
            return Ok(value.replace('\n', " "));
        }
        let mut quoted = if self.single {
            value.replace('\'', r"'\''")
        } else if self.top() == Frame::Double {
            escape(value, &['\\', '"', '$', '`'])
        } else {
            format!("'{}'", value.replace('\'', r"'\''"))
        };
        for _ in self.frames.iter().filter(|frame| **frame == Frame::Backtick) {
            quoted = escape(&quoted, &['\\', '`', '$']);
        }
        Ok(quoted)
    }
}

/// `text` with a backslash before each of `special`.
fn escape(text: &str, special: &[char]) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if special.contains(&c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
