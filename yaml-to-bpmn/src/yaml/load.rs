//! Builds the located tree from `saphyr-parser` events.
//!
//! `saphyr-parser` was chosen because it is the maintained successor of `yaml-rust` (the saphyr
//! project), has no unsafe-heavy dependencies, and reports a span with every event, which
//! `serde_yaml` does not. The builder is iterative (no recursion on input depth) and caps the
//! nesting depth, so hostile input cannot overflow the stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::locate::byte_offset;
use super::node::{Entry, Node, Value};
use crate::diagnostic::{Diagnostics, Pos};

/// Deeper nesting than this is rejected (the dialect needs fewer than 20 levels).
const MAX_DEPTH: usize = 200;

/// How many `"quoted"#comment` joins one file may have before the loader gives up recovering.
const MAX_COMMENT_RECOVERIES: usize = 16;

/// The scanner's message for a `#` that touches the token before it.
const COMMENT_WITHOUT_SPACE: &str = "comments must be separated from other tokens by whitespace";

/// Parses `text` into a located tree, recording YAML errors and duplicate keys in `diags`.
///
/// A `#` glued to a quoted scalar (`"x"#comment`, how a document written twice without `---`
/// joins) is read as a comment with a warning, as PyYAML reads it; the loader re-parses with a
/// space inserted there, so columns after it on that line are one too far right.
///
/// Returns `None` when the text is not valid YAML, is empty, or holds more than one document.
pub fn load(text: &str, diags: &mut Diagnostics) -> Option<Node> {
    let mut patched = std::borrow::Cow::Borrowed(text);
    for _ in 0..=MAX_COMMENT_RECOVERIES {
        let mut attempt = Diagnostics::new(diags.file());
        match parse_once(&patched, &mut attempt) {
            Attempt::Done(root) => {
                diags.extend(attempt.into_sorted());
                return root;
            }
            Attempt::GluedComment(pos) => {
                let Some(at) = byte_offset(&patched, pos) else { break };
                diags.warning(pos, "`#` right after a value starts a comment only after a space; read as a comment, add a space before `#`");
                patched.to_mut().insert(at, ' ');
            }
        }
    }
    let mut last = Diagnostics::new(diags.file());
    if let Attempt::Done(root) = parse_once(&patched, &mut last) {
        diags.extend(last.into_sorted());
        return root;
    }
    diags.error(Pos::new(1, 1), "too many comments glued to values; put a space before each `#`");
    None
}

/// What one parse of the text gave.
enum Attempt {
    /// A tree, or `None` with the errors recorded.
    Done(Option<Node>),
    /// A `#` glued to the token before it, at this position.
    GluedComment(Pos),
}

fn parse_once(text: &str, diags: &mut Diagnostics) -> Attempt {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        match event {
            Ok((event, span)) => {
                if let Err((pos, message)) = builder.event(event, span, diags) {
                    diags.error(pos, message);
                    return Attempt::Done(None);
                }
            }
            Err(error) => {
                let marker = error.marker();
                let pos = pos_of(marker.line(), marker.col());
                if error.info().contains(COMMENT_WITHOUT_SPACE) {
                    return Attempt::GluedComment(pos);
                }
                diags.error(
                    pos,
                    format!(
                        "YAML syntax error: {}; fix the YAML (indent with spaces, close quotes and brackets)",
                        error.info()
                    ),
                );
                return Attempt::Done(None);
            }
        }
    }
    if builder.root.is_none() {
        diags.error(Pos::new(1, 1), "the file holds no YAML document; write a workflow with `metadata:` and `steps:`");
    }
    Attempt::Done(builder.root)
}

fn pos_of(line: usize, col: usize) -> Pos {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Pos::new(clamp(line.max(1)), clamp(col).saturating_add(1))
}

fn span_pos(span: &Span) -> Pos {
    pos_of(span.start.line(), span.start.col())
}

/// A container being filled.
enum Frame {
    Seq { pos: Pos, items: Vec<Node> },
    Map { pos: Pos, entries: Vec<Entry>, index: HashMap<String, usize>, key: Option<(String, Pos)> },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
}

type Step = Result<(), (Pos, String)>;

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span, diags: &mut Diagnostics) -> Step {
        let pos = span_pos(&span);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err((
                        pos,
                        "the file holds a second YAML document; put each workflow in its own file".into(),
                    ));
                }
                Ok(())
            }
            Event::Alias(_) => Err((pos, "YAML aliases (`*name`) are not supported; write the value out".into())),
            Event::Scalar(text, style, _, _) => {
                self.expect_no_complex_key(pos, false)?;
                self.attach(Node { value: resolve(&text, style), pos }, diags)
            }
            Event::SequenceStart(..) => self.open(Frame::Seq { pos, items: Vec::new() }, pos),
            Event::MappingStart(..) => {
                self.open(Frame::Map { pos, entries: Vec::new(), index: HashMap::new(), key: None }, pos)
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq { pos, items }) => self.attach(Node { value: Value::Seq(items), pos }, diags),
                Some(Frame::Map { pos, entries, .. }) => self.attach(Node { value: Value::Map(entries), pos }, diags),
                None => Ok(()),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame, pos: Pos) -> Step {
        self.expect_no_complex_key(pos, true)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err((pos, format!("nesting deeper than {MAX_DEPTH} levels; flatten the document")));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Mapping keys must be scalars.
    fn expect_no_complex_key(&self, pos: Pos, is_collection: bool) -> Step {
        if let (true, Some(Frame::Map { key: None, .. })) = (is_collection, self.stack.last()) {
            return Err((pos, "a mapping key must be a plain name, not a list or mapping".into()));
        }
        Ok(())
    }

    fn attach(&mut self, node: Node, diags: &mut Diagnostics) -> Step {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map { entries, index, key, .. }) => match key.take() {
                None => {
                    let text = node.scalar_text().unwrap_or_default();
                    *key = Some((text, node.pos));
                    Ok(())
                }
                Some((key, key_pos)) => {
                    if let Some(&first) = index.get(&key) {
                        let Some(previous) = entries.get(first) else { return Ok(()) };
                        let at = previous.key_pos;
                        if previous.value.same_content(&node) {
                            diags.warning(
                                key_pos,
                                format!(
                                    "duplicate key `{key}` (first at line {}:{}) with an identical value; the copy is ignored, remove it",
                                    at.line, at.column
                                ),
                            );
                            return Ok(());
                        }
                        return Err((
                            key_pos,
                            format!(
                                "duplicate key `{key}` with a different value (first at line {}:{}); keep only one of them",
                                at.line, at.column
                            ),
                        ));
                    }
                    index.insert(key.clone(), entries.len());
                    entries.push(Entry { key, key_pos, value: node });
                    Ok(())
                }
            },
        }
    }
}

/// Resolves a scalar by the YAML 1.2 core schema (quoted and block scalars are strings).
fn resolve(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if is_integer(text) {
        if let Ok(n) = text.parse::<i64>() {
            return Value::Int(n);
        }
        return Value::Float(text.to_owned());
    }
    if is_float(text) {
        return Value::Float(text.to_owned());
    }
    Value::Str(text.to_owned())
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(f) => digits(whole) && digits(f) && !(whole.is_empty() && f.is_empty()),
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (fraction.is_some() || exponent.is_some())
}
