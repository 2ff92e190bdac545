//! A `tracing` subscriber for tests that keeps each event's level and fields, so tests can
//! check what was logged.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One logged event: its level and its fields as `name=value` text (`message` first).
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    /// The event's level.
    pub level: Level,
    /// The event's fields as `(name, value)` text, `message` first.
    pub fields: Vec<(String, String)>,
}

impl Logged {
    /// The value of a field, if the event has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Collects events; spans are accepted and ignored.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<Logged>>>);

impl Capture {
    /// The events logged so far.
    pub fn events(&self) -> Vec<Logged> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _metadata: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        let logged = Logged { level: *event.metadata().level(), fields: fields.0 };
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(logged);
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}
