//! Where an expression's variables (and its clock) come from.

use crate::value::{Context, Value};
use chrono::{DateTime, FixedOffset, Utc};

/// Resolves the variables an expression reads, one name at a time, so an engine can walk its scope
/// chain without building a map per evaluation.
pub trait VariableLookup {
    /// The value of variable `name`, or `None` when it is not defined (which FEEL evaluates as `null`
    /// and `is defined()` reports as false).
    fn lookup(&self, name: &str) -> Option<Value>;

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
}

/// Variables already converted to FEEL values.
impl VariableLookup for Context {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
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

    fn now(&self) -> DateTime<FixedOffset> {
        self.now
    }
}
