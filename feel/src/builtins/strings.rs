//! String functions. Positions and lengths count characters (Unicode scalar values), 1-based.

use crate::lookup::VariableLookup;
use crate::value::Value;
use rust_decimal::prelude::ToPrimitive;

fn two_strings(arguments: &[Value]) -> Option<(&str, &str)> {
    match arguments {
        [Value::String(a), Value::String(b)] => Some((a, b)),
        _ => None,
    }
}

fn test(arguments: &[Value], predicate: fn(&str, &str) -> bool) -> Value {
    two_strings(arguments).map_or(Value::Null, |(a, b)| Value::Bool(predicate(a, b)))
}

fn map_string(arguments: &[Value], map: fn(&str) -> Value) -> Value {
    match arguments {
        [Value::String(s)] => map(s),
        _ => Value::Null,
    }
}

/// `contains(string, match)`.
pub(crate) fn contains(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    test(arguments, |a, b| a.contains(b))
}

/// `starts with(string, match)`.
pub(crate) fn starts_with(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    test(arguments, |a, b| a.starts_with(b))
}

/// `ends with(string, match)`.
pub(crate) fn ends_with(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    test(arguments, |a, b| a.ends_with(b))
}

/// `upper case(string)`.
pub(crate) fn upper_case(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    map_string(arguments, |s| Value::String(s.to_uppercase()))
}

/// `lower case(string)`.
pub(crate) fn lower_case(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    map_string(arguments, |s| Value::String(s.to_lowercase()))
}

/// `string length(string)`.
pub(crate) fn string_length(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    map_string(arguments, |s| Value::Number(s.chars().count().into()))
}

/// `trim(string)`.
pub(crate) fn trim(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    map_string(arguments, |s| Value::String(s.trim().to_string()))
}

/// `is blank(string)`: empty or only whitespace.
pub(crate) fn is_blank(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    map_string(arguments, |s| Value::Bool(s.trim().is_empty()))
}

/// `substring(string, start position, length?)`; a negative start counts from the end.
pub(crate) fn substring(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let (text, start, length) = match arguments {
        [Value::String(text), Value::Number(start)] => (text, start, None),
        [Value::String(text), Value::Number(start), Value::Number(length)] => (text, start, Some(length)),
        _ => return Value::Null,
    };
    let count = text.chars().count() as i64;
    let Some(start) = start.trunc().to_i64() else { return Value::Null };
    let first = match start {
        0 => return Value::Null,
        s if s > 0 => s - 1,
        s => (count + s).max(0),
    };
    let take = match length.map(|l| l.trunc().to_i64()) {
        None => count,
        Some(Some(l)) if l >= 0 => l,
        Some(_) => return Value::Null,
    };
    Value::String(text.chars().skip(first.max(0) as usize).take(take.max(0) as usize).collect())
}

/// `substring before(string, match)`: `""` when there is no match.
pub(crate) fn substring_before(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    two_strings(arguments).map_or(Value::Null, |(text, needle)| {
        Value::String(text.split_once(needle).map_or("", |(before, _)| before).to_string())
    })
}

/// `substring after(string, match)`: `""` when there is no match.
pub(crate) fn substring_after(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    two_strings(arguments).map_or(Value::Null, |(text, needle)| {
        Value::String(text.split_once(needle).map_or("", |(_, after)| after).to_string())
    })
}

/// Upper bound for a compiled pattern, so a hostile pattern cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a FEEL (XPath-style) pattern with optional flags `i`, `s`, `m`, `x`; `None` when the
/// pattern or a flag is invalid, which makes the calling function return `null`.
fn pattern(pattern: &str, flags: Option<&Value>) -> Option<regex::Regex> {
    let flags = match flags {
        None | Some(Value::Null) => "",
        Some(Value::String(flags)) => flags.as_str(),
        Some(_) => return None,
    };
    let mut builder = regex::RegexBuilder::new(pattern);
    builder.size_limit(REGEX_SIZE_LIMIT);
    for flag in flags.chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            's' => builder.dot_matches_new_line(true),
            'm' => builder.multi_line(true),
            'x' => builder.ignore_whitespace(true),
            _ => return None,
        };
    }
    builder.build().ok()
}

/// `matches(input, pattern, flags?)`: whether the pattern matches anywhere in the input.
pub(crate) fn matches(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::String(input), Value::String(expression), flags @ ..] => {
            pattern(expression, flags.first()).map_or(Value::Null, |regex| Value::Bool(regex.is_match(input)))
        }
        _ => Value::Null,
    }
}

/// `replace(input, pattern, replacement, flags?)`: every match replaced; `$1` refers to a group.
pub(crate) fn replace(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match arguments {
        [Value::String(input), Value::String(expression), Value::String(replacement), flags @ ..] => {
            pattern(expression, flags.first())
                .map_or(Value::Null, |regex| Value::String(regex.replace_all(input, replacement.as_str()).into_owned()))
        }
        _ => Value::Null,
    }
}

/// `split(string, delimiter)`: the delimiter is a regular expression.
pub(crate) fn split(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    match two_strings(arguments) {
        Some((text, delimiter)) if !delimiter.is_empty() => pattern(delimiter, None).map_or(Value::Null, |regex| {
            Value::List(regex.split(text).map(|part| Value::String(part.to_string())).collect())
        }),
        _ => Value::Null,
    }
}

/// `string join(list, delimiter?)`: null items are skipped; a non-string item makes the result null.
pub(crate) fn string_join(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let (items, delimiter) = match arguments {
        [Value::List(items)] => (items, ""),
        [Value::List(items), Value::String(delimiter)] => (items, delimiter.as_str()),
        [Value::List(items), Value::Null] => (items, ""),
        _ => return Value::Null,
    };
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) => parts.push(s.as_str()),
            Value::Null => {}
            _ => return Value::Null,
        }
    }
    Value::String(parts.join(delimiter))
}
