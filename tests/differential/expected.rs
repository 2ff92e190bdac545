//! Differences between the engines that are known and explained. Each difference line of a case
//! must be explained by a row: the row names the case (or no case, for any case) and a text the
//! line contains (the tags of `outcome` for the two normalized kinds). Any other difference fails
//! the test, and so does a row that explains nothing (see `main`).
//!
//! "Zeebe" is Zeebe's workflow engine as `zeebe-process-test-engine` 8.8.21 runs it; the rows
//! about models and flow order were also checked by hand on the 8.6.0 broker.

use super::outcome::{ORDER_ONLY, ZONE_ONLY};

/// One known difference.
pub struct Expected {
    /// The cases it occurs in; empty: any case.
    pub cases: &'static [&'static str],
    /// Text every difference line it explains contains (empty: every line of its cases).
    pub contains: &'static str,
    /// Which engine is wrong: `embedded`, `zeebe`, or `neither` (an environment difference); or
    /// the compiled model, when it relies on something one engine does and the other does not.
    pub wrong: &'static str,
    /// Why.
    pub reason: &'static str,
}

impl Expected {
    /// True when this row explains the difference `line` of `case`.
    pub fn explains(&self, case: &str, line: &str) -> bool {
        (self.cases.is_empty() || self.cases.contains(&case)) && line.contains(self.contains)
    }
}

/// The known differences, most specific first (a line is explained by the first row that fits).
pub const EXPECTED: &[Expected] = &[
    Expected {
        cases: &["item 48 a non-interrupting escalation catch lets both paths continue"],
        contains: ORDER_ONLY,
        wrong: "embedded",
        reason: "after a non-interrupting escalation boundary fires, Zeebe activates the boundary's path \
                 before the throw event's own continuation, so the escalation path's job comes first; the \
                 embedded engine continues the throw path first. Both paths run to the same end.",
    },
    Expected {
        cases: &[
            "item 18 an event-based gateway takes the first event and closes the others",
            "item 60 a signal triggers waiting catch events and starts processes",
        ],
        contains: "embedded (unset), zeebe ",
        wrong: "embedded",
        reason: "when an event activates a catch element (the message after an event-based gateway, a \
                 signal start event), Zeebe first writes the event's payload as local variables of that \
                 element and propagates them to the enclosing scope when it completes; the embedded engine \
                 writes them to the enclosing scope at once. The process ends with the same variables; \
                 only the catch element's own (short-lived) copy is missing.",
    },
    Expected {
        cases: &["item 20 (bare) link events with neither element names nor definition ids"],
        contains: "",
        wrong: "zeebe",
        reason: "Zeebe (8.6.0 and 8.8.21) refuses the deployment with a NullPointerException message \
                 (`String.getBytes ... because \"value\" is null`) when the link events have no name \
                 attribute and their definitions no id, which BPMN does not require; the embedded engine \
                 runs the model. With the names and ids Camunda Modeler writes, both agree (item 20).",
    },
    Expected {
        cases: &["item 62 (static) a timeDate without zone in the model"],
        contains: "",
        wrong: "embedded",
        reason: "Zeebe (8.6.0 and 8.8.21) refuses a static timeDate without zone \
                 (`2020-01-01T00:00:00`: \"Invalid date-time format\") at deploy; the embedded engine \
                 accepts it as UTC. The same date through FEEL (`=date and time(...)`) is UTC on both \
                 (item 62). The embedded deploy check should refuse it too.",
    },
    Expected {
        cases: &[],
        contains: ZONE_ONLY,
        wrong: "neither (environment)",
        reason: "`now()` on Zeebe is a date-time in the broker JVM's default zone, written with its zone id \
                 (`2026-11-21T08:00:00.5Z[Etc/UTC]`, and `...@Etc/UTC` by `string()`; another machine \
                 writes another zone); the embedded engine's clock is UTC and writes `Z`. Both clocks read \
                 the same instant.",
    },
];
