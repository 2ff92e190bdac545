//! Splitting text into literal pieces and `${...}` templates (survey §3.1).
//!
//! Only `${X}` whose `X` starts with `inputs.`, `steps.`, `context.`, `error.` or `item` (after
//! any leading `not`) is a template; shell expansions such as `${#msg}` or `${file##*.}` stay text.

use super::expr::{Expr, parse_expr};

/// A piece of a text value.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// Literal text, shell `${...}` included.
    Text(String),
    /// A template, parsed.
    Template(Expr),
}

/// Splits `text`. The error names the broken template and what is wrong with it.
pub fn split(text: &str) -> Result<Vec<Segment>, String> {
    split_located(text)
        .map(|segments| segments.into_iter().map(|(_, segment)| segment).collect())
        .map_err(|e| e.message)
}

/// A template that does not parse, and where in the text it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// Byte offset of the template's `${` in the text.
    pub offset: usize,
    /// What is wrong and what to do.
    pub message: String,
}

/// Splits `text`, giving each segment with the byte offset where it starts in `text`.
pub fn split_located(text: &str) -> Result<Vec<(usize, Segment)>, SplitError> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut literal_start = 0;
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let at = text.len() - rest.len() + start;
        let (before, from) = rest.split_at(start);
        literal.push_str(before);
        let inner_start = &from[2..];
        if is_template(inner_start) {
            let Some(end) = closing_brace(inner_start) else {
                let first_line = inner_start.lines().next().unwrap_or("").trim();
                return Err(SplitError {
                    offset: at,
                    message: format!("template `${{{first_line}` is never closed; add `}}`"),
                });
            };
            let inner = &inner_start[..end];
            let expr = parse_expr(inner)
                .map_err(|e| SplitError { offset: at, message: format!("in template `${{{}}}`: {e}", inner.trim()) })?;
            if !literal.is_empty() {
                segments.push((literal_start, Segment::Text(std::mem::take(&mut literal))));
            }
            segments.push((at, Segment::Template(expr)));
            rest = &inner_start[end + 1..];
            literal_start = text.len() - rest.len();
        } else {
            // A shell expansion: copy it up to its `}` (or the rest, when it has none).
            let end = inner_start.find('}').map_or(from.len(), |i| i + 3);
            literal.push_str(&from[..end]);
            rest = &from[end..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        segments.push((literal_start, Segment::Text(literal)));
    }
    Ok(segments)
}

/// The byte offset of the `}` closing a template body, skipping nested braces and quoted text.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '\'' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// True when the body starts (after any `not`) with one of the template roots.
fn is_template(body: &str) -> bool {
    let mut rest = body.trim_start();
    while let Some(after) = rest.strip_prefix("not ") {
        rest = after.trim_start();
    }
    ["inputs.", "steps.", "context.", "error."].iter().any(|root| rest.starts_with(root))
        || rest
            .strip_prefix("item")
            .is_some_and(|after| !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
}

/// The single template when `text` is exactly one template (surrounding whitespace allowed).
pub fn whole_template(segments: &[Segment]) -> Option<&Expr> {
    let mut templates = segments.iter().filter(|s| !matches!(s, Segment::Text(t) if t.trim().is_empty()));
    match (templates.next(), templates.next()) {
        (Some(Segment::Template(expr)), None) => Some(expr),
        _ => None,
    }
}
