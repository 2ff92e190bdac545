//! Reading the fields of one YAML mapping while noticing keys nobody asked for.

use crate::diagnostic::{Diagnostics, Pos};
use crate::yaml::{Entry, Node, Value};

/// A mapping being read: hands out fields and reports the keys left over.
pub struct Fields<'a> {
    entries: &'a [Entry],
    what: String,
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// Starts reading `node` (described as `what` in messages); reports an error when it is not a mapping.
    pub fn of(node: &'a Node, what: impl Into<String>, diags: &mut Diagnostics) -> Option<Self> {
        let what = what.into();
        match &node.value {
            Value::Map(entries) => Some(Self { entries, what, known: Vec::new() }),
            _ => {
                diags.error(
                    node.pos,
                    format!("{what} must be a mapping of `key: value` lines, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    /// The value under `key`, if present (a YAML null counts as absent).
    pub fn get(&mut self, key: &'static str) -> Option<&'a Node> {
        self.known.push(key);
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value).filter(|n| n.value != Value::Null)
    }

    /// The entry under `key` with its key position, null values included.
    pub fn entry(&mut self, key: &'static str) -> Option<&'a Entry> {
        self.known.push(key);
        self.entries.iter().find(|e| e.key == key)
    }

    /// A string field (numbers and booleans are accepted as their text).
    pub fn text(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<(String, Pos)> {
        let node = self.get(key)?;
        match node.scalar_text() {
            Some(text) => Some((text, node.pos)),
            None => {
                diags.error(node.pos, format!("`{key}` of {} must be text, found {}", self.what, node.kind_name()));
                None
            }
        }
    }

    /// A boolean field.
    pub fn boolean(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<bool> {
        let node = self.get(key)?;
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                diags.error(
                    node.pos,
                    format!("`{key}` of {} must be true or false, found {}", self.what, node.kind_name()),
                );
                None
            }
        }
    }

    /// A list field; a scalar is reported and treated as absent.
    pub fn list(&mut self, key: &'static str, diags: &mut Diagnostics) -> &'a [Node] {
        match self.get(key) {
            Some(Node { value: Value::Seq(items), .. }) => items,
            Some(node) => {
                diags.error(
                    node.pos,
                    format!("`{key}` of {} must be a list (`- item` lines), found {}", self.what, node.kind_name()),
                );
                &[]
            }
            None => &[],
        }
    }

    /// Warns about every key that no `get` asked for, suggesting the right spelling of mis-cased keys.
    pub fn finish(self, diags: &mut Diagnostics) {
        for entry in self.entries {
            if self.known.contains(&entry.key.as_str()) {
                continue;
            }
            let hint = self
                .known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(&entry.key))
                .map(|k| format!("; did you mean `{k}`? Keys are case-sensitive"))
                .unwrap_or_else(|| "; remove it or check its spelling".into());
            diags.warning(entry.key_pos, format!("unknown key `{}` in {}, ignored{hint}", entry.key, self.what));
        }
    }
}
