//! Where an expression's variables (and its clock) come from.

use crate::value::{Context, Value};
use chrono::{DateTime, FixedOffset, Utc};

/// Resolves the variables an expression reads, one name at a time, so an engine can walk its scope
/// chain without building a map per evaluation.
pub trait VariableLookup {
    /// The value of variable `name`, or `None` when it is not defined (which FEEL evaluates as `null`
    /// and `is defined()` reports as false).
    fn lookup(&self, name: &str) -> Option<Value>;

    /// Resolves `name.segments[0].segments[1]...` as far as the lookup can walk it cheaply. Returns the
    /// value reached and how many segments it consumed; the evaluator applies the rest. A missing
    /// entry of a context resolves to `null` with all segments consumed. The default consumes none;
    /// JSON-backed lookups override it to convert only the value reached.
    fn lookup_path(&self, name: &str, segments: &[String]) -> Option<(Value, usize)> {
        let _ = segments;
        self.lookup(name).map(|value| (value, 0))
    }

    /// The clock `now()` and `today()` read; the system clock in UTC unless overridden (an engine
    /// with a controllable clock overrides it).
    fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().fixed_offset()
    }
}

/// JSON variables, as an engine or a test holds them.
impl VariableLookup for serde_json::Map<String, serde_json::Value> {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.get(name).map(Value::from_json)
    }

    fn lookup_path(&self, name: &str, segments: &[String]) -> Option<(Value, usize)> {
        let mut current = self.get(name)?;
        for (consumed, segment) in segments.iter().enumerate() {
            match current {
                serde_json::Value::Object(entries) => match entries.get(segment) {
                    Some(entry) => current = entry,
                    None => return Some((Value::Null, segments.len())),
                },
                _ => return Some((Value::from_json(current), consumed)),
            }
        }
        Some((Value::from_json(current), segments.len()))
    }
}

/// Variables already converted to FEEL values.
impl VariableLookup for Context {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }

    fn lookup_path(&self, name: &str, segments: &[String]) -> Option<(Value, usize)> {
        let mut current = self.get(name)?;
        for (consumed, segment) in segments.iter().enumerate() {
            match current {
                Value::Context(entries) => match entries.get(segment) {
                    Some(entry) => current = entry,
                    None => return Some((Value::Null, segments.len())),
                },
                _ => return Some((current.clone(), consumed)),
            }
        }
        Some((current.clone(), segments.len()))
    }
}

/// A closure from name to value.
impl<F> VariableLookup for F
where
    F: Fn(&str) -> Option<Value>,
{
    fn lookup(&self, name: &str) -> Option<Value> {
        self(name)
    }
}

/// Another variable source read at a fixed instant: `now()` and `today()` see `now`.
pub struct AtInstant<'a, L: ?Sized> {
    /// Where variables come from.
    pub variables: &'a L,
    /// What `now()` returns.
    pub now: DateTime<FixedOffset>,
}

impl<L: VariableLookup + ?Sized> VariableLookup for AtInstant<'_, L> {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.variables.lookup(name)
    }

    fn lookup_path(&self, name: &str, segments: &[String]) -> Option<(Value, usize)> {
        self.variables.lookup_path(name, segments)
    }

    fn now(&self) -> DateTime<FixedOffset> {
        self.now
    }
}
