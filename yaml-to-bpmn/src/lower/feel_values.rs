//! FEEL for YAML values: text with templates, numbers, booleans, lists and mappings.

use crate::template::{Translator, feel_string, split};
use crate::yaml::{Node, Value};

/// FEEL for a YAML value: strings go through the template translation, lists and mappings
/// become FEEL lists and contexts (mapping keys as string keys).
pub fn node_feel(translator: &mut Translator<'_>, node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_feel(f),
        Value::Str(text) => text_feel(translator, text),
        Value::Seq(items) => {
            let items: Vec<String> = items.iter().map(|n| node_feel(translator, n)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|e| format!("{}: {}", feel_string(&e.key), node_feel(translator, &e.value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// FEEL for text that may hold templates (errors were reported by the checks; a text that does
/// not split is kept as a plain string).
pub fn text_feel(translator: &mut Translator<'_>, text: &str) -> String {
    match split(text) {
        Ok(segments) => translator.text(&segments),
        Err(_) => feel_string(text),
    }
}

/// YAML floats FEEL cannot read (`.inf`, `1e5`) become strings.
fn float_feel(text: &str) -> String {
    if text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
        && !text.starts_with('.')
        && !text.ends_with('.')
    {
        text.trim_start_matches('+').to_owned()
    } else {
        feel_string(text)
    }
}
