//! The engine-neutral view of a run and what is compared.
//!
//! Both engines' records are read into [`Event`]s (the embedded engine's `engine::record`
//! records, Zeebe's exported JSON records); an [`Outcome`] is built from them the same way:
//!
//! - **Scopes** are named by the path of element ids from the root: `/p/sub/task`. Keys never
//!   appear (each engine allocates its own). When one scope holds several instances of an
//!   element (loops, multi-instance inner instances, a second root instance) the 2nd, 3rd, ...
//!   get `#2`, `#3` in activation order. A called process sits below its call activity:
//!   `/p/call/child`.
//! - **Completed elements**: per scope, the element ids whose instance completed there, in
//!   completion order (`ELEMENT_COMPLETED`). The process itself is listed in the scope above
//!   it (the root scope `/` for a started instance).
//! - **Variables**: per scope, the last value of each variable written there, as JSON. Numbers
//!   compare by value: FEEL numbers are decimals, and one engine writing `3` where the other
//!   writes `3.0` is no difference.
//! - **Incidents**: `scope path: ERROR_TYPE` in the order raised, with ` (resolved)` when one
//!   was resolved later. Messages are not compared (their wording is each engine's own).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

/// What happened to an element instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// `ELEMENT_ACTIVATING`: the instance exists.
    Activating,
    /// `ELEMENT_COMPLETED`.
    Completed,
    /// `ELEMENT_TERMINATED`.
    Terminated,
}

/// Created, or finished (triggered, cancelled, resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The timer or incident now exists.
    Created,
    /// It is gone.
    Ended,
}

/// One record of either engine, reduced to what the comparison and the driver read.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// An element instance changed.
    Element {
        key: i64,
        lifecycle: Lifecycle,
        element_id: String,
        /// True for the process element itself (a started or called instance).
        is_process: bool,
        flow_scope_key: i64,
        /// For a called process: the call activity's element instance, else -1.
        parent_element_instance_key: i64,
    },
    /// A variable was created or updated.
    Variable { name: String, value: Value, scope_key: i64 },
    /// An incident was raised or resolved.
    Incident { key: i64, change: Change, element_instance_key: i64, error_type: String, message: String, job_key: i64 },
    /// A timer was created, or triggered or cancelled.
    Timer { key: i64, change: Change, due_date: i64 },
}

/// The normalized result of a run on one engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Scope path -> completed element ids, in order.
    pub completed: BTreeMap<String, Vec<String>>,
    /// Scope path -> variable name -> last value.
    pub variables: BTreeMap<String, BTreeMap<String, Value>>,
    /// `path: ERROR_TYPE`, in order raised.
    pub incidents: Vec<String>,
    /// The incidents' messages, for the report only (each engine words its own).
    pub incident_messages: Vec<String>,
}

/// Where each element instance sits, built while reading the events in order.
#[derive(Default)]
struct Paths {
    /// Element instance key -> (its path, the path of the scope it is in).
    of: HashMap<i64, (String, String)>,
    /// (parent key, element id) -> instances seen so far.
    seen: HashMap<(i64, String), u32>,
}

impl Paths {
    fn add(&mut self, key: i64, element_id: &str, parent: i64) {
        if self.of.contains_key(&key) {
            return; // an element re-activating after its incident was resolved
        }
        let parent_path = self.path(parent);
        let ordinal = self.seen.entry((parent, element_id.to_owned())).or_insert(0);
        *ordinal += 1;
        let suffix = if *ordinal > 1 { format!("#{ordinal}") } else { String::new() };
        let path = format!("{}/{element_id}{suffix}", parent_path.trim_end_matches('/'));
        self.of.insert(key, (path, parent_path));
    }

    /// The path of an element instance; `/` for "above the roots", `?<key>` if never seen.
    fn path(&self, key: i64) -> String {
        if key < 0 {
            return "/".to_owned();
        }
        self.of.get(&key).map(|(path, _)| path.clone()).unwrap_or_else(|| format!("?{key}"))
    }

    fn scope_of(&self, key: i64) -> String {
        self.of.get(&key).map(|(_, scope)| scope.clone()).unwrap_or_else(|| format!("?{key}"))
    }
}

/// Numbers that are whole become integers, recursively, so `3.0` and `3` compare equal.
pub fn normalize(value: Value) -> Value {
    match value {
        Value::Number(n) if n.as_i64().is_none() && n.as_u64().is_none() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, normalize(v))).collect()),
        other => other,
    }
}

impl Outcome {
    /// Builds the outcome from a run's events, in the order the engine wrote them. Element
    /// paths are found first: Zeebe writes a process instance's start variables before the
    /// instance's own `ELEMENT_ACTIVATING`.
    pub fn from_events(events: &[Event]) -> Self {
        let mut paths = Paths::default();
        let mut outcome = Outcome::default();
        for event in events {
            if let Event::Element {
                key,
                lifecycle,
                element_id,
                is_process,
                flow_scope_key,
                parent_element_instance_key,
            } = event
            {
                let parent = if *is_process { *parent_element_instance_key } else { *flow_scope_key };
                match lifecycle {
                    Lifecycle::Activating => paths.add(*key, element_id, parent),
                    Lifecycle::Completed => {
                        outcome.completed.entry(paths.scope_of(*key)).or_default().push(element_id.clone())
                    }
                    Lifecycle::Terminated => {}
                }
            }
        }
        let mut incident_index = HashMap::new();
        for event in events {
            match event {
                Event::Variable { name, value, scope_key } => {
                    let scope = outcome.variables.entry(paths.path(*scope_key)).or_default();
                    scope.insert(name.clone(), normalize(value.clone()));
                }
                Event::Incident { key, change: Change::Created, element_instance_key, error_type, message, .. } => {
                    incident_index.insert(*key, outcome.incidents.len());
                    outcome.incidents.push(format!("{}: {error_type}", paths.path(*element_instance_key)));
                    outcome.incident_messages.push(message.clone());
                }
                Event::Incident { key, change: Change::Ended, .. } => {
                    if let Some(&index) = incident_index.get(key) {
                        outcome.incidents[index].push_str(" (resolved)");
                    }
                }
                Event::Element { .. } | Event::Timer { .. } => {}
            }
        }
        outcome
    }

    /// What differs from `zeebe`'s outcome (this one is the embedded engine's), one line each;
    /// empty when the outcomes are identical. Two kinds of line are tagged so that the table of
    /// expected differences can name exactly them: [`ORDER_ONLY`] when a scope completed the same
    /// elements in another order, [`ZONE_ONLY`] when a variable differs only in how the clock's
    /// time zone is written.
    pub fn differences(&self, zeebe: &Outcome) -> Vec<String> {
        let mut lines = Vec::new();
        let scopes: BTreeSet<&String> = self.completed.keys().chain(zeebe.completed.keys()).collect();
        for scope in scopes {
            let ours = self.completed.get(scope).cloned().unwrap_or_default();
            let theirs = zeebe.completed.get(scope).cloned().unwrap_or_default();
            if ours != theirs {
                let (mut a, mut b) = (ours.clone(), theirs.clone());
                a.sort();
                b.sort();
                let tag = if a == b { ORDER_ONLY } else { "" };
                lines.push(format!("completed in {scope}{tag}: embedded {ours:?}, zeebe {theirs:?}"));
            }
        }
        let empty = BTreeMap::new();
        let scopes: BTreeSet<&String> = self.variables.keys().chain(zeebe.variables.keys()).collect();
        for scope in scopes {
            let ours = self.variables.get(scope).unwrap_or(&empty);
            let theirs = zeebe.variables.get(scope).unwrap_or(&empty);
            let names: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
            for name in names {
                let (a, b) = (ours.get(name), theirs.get(name));
                if a != b {
                    let show = |v: Option<&Value>| v.map_or("(unset)".to_owned(), Value::to_string);
                    let (a, b) = (show(a), show(b));
                    let tag = if a == without_zone_ids(&b) { ZONE_ONLY } else { "" };
                    lines.push(format!("variable {name} in {scope}{tag}: embedded {a}, zeebe {b}"));
                }
            }
        }
        if self.incidents != zeebe.incidents {
            lines.push(format!(
                "incidents: embedded {:?}, zeebe {:?} (messages: embedded {:?}, zeebe {:?})",
                self.incidents, zeebe.incidents, self.incident_messages, zeebe.incident_messages
            ));
        }
        lines
    }
}

/// Tag of a scope whose completed elements are the same but in another order.
pub const ORDER_ONLY: &str = " [same elements, other order]";

/// Tag of a variable whose values differ only in how a date-time's zone is written.
pub const ZONE_ONLY: &str = " [only the clock's zone id differs]";

/// Zeebe's date-times on a UTC JVM name the zone (`...Z[Etc/UTC]`, `...@Etc/UTC` from
/// `string()`); this writes them as the embedded engine does (`...Z`).
fn without_zone_ids(json: &str) -> String {
    json.replace("Z[Etc/UTC]", "Z").replace("@Etc/UTC", "Z")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn element(key: i64, lifecycle: Lifecycle, id: &str, scope: i64) -> Event {
        Event::Element {
            key,
            lifecycle,
            element_id: id.into(),
            is_process: scope < 0,
            flow_scope_key: scope,
            parent_element_instance_key: -1,
        }
    }

    #[test]
    fn paths_name_scopes_by_element_ids_and_count_repeated_instances() {
        use Lifecycle::*;
        let events = [
            element(10, Activating, "p", -1),
            element(11, Activating, "loop", 10),
            element(11, Completed, "loop", 10),
            element(12, Activating, "loop", 10),
            Event::Variable { name: "x".into(), value: json!(2.0), scope_key: 12 },
            element(12, Completed, "loop", 10),
            Event::Incident {
                key: 5,
                change: Change::Created,
                element_instance_key: 12,
                error_type: "JOB_NO_RETRIES".into(),
                message: "no retries left".into(),
                job_key: 1,
            },
            element(10, Completed, "p", -1),
        ];
        let outcome = Outcome::from_events(&events);
        assert_eq!(outcome.completed["/p"], ["loop", "loop"]);
        assert_eq!(outcome.completed["/"], ["p"]);
        assert_eq!(outcome.variables["/p/loop#2"]["x"], json!(2));
        assert_eq!(outcome.incidents, ["/p/loop#2: JOB_NO_RETRIES"]);
        let mut other = outcome.clone();
        other.completed.get_mut("/p").unwrap().pop();
        assert_eq!(outcome.differences(&outcome), Vec::<String>::new());
        assert_eq!(outcome.differences(&other).len(), 1);
    }
}
