//! Differences between the engines that are known and explained. Each difference line of a case
//! must be explained by a row (the row names the case, or no case for "any", and a text the line
//! contains); any other difference fails the test, and so does a row that explains nothing.

use super::outcome::{ORDER_ONLY, ZONE_ONLY};

/// One known difference.
pub struct Expected {
    /// The cases it occurs in; empty: any case.
    pub cases: &'static [&'static str],
    /// Text every difference line it explains contains.
    pub contains: &'static str,
    /// Which engine is wrong: `embedded`, `zeebe`, or `neither` (an environment or version
    /// difference).
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

/// The known differences.
pub const EXPECTED: &[Expected] = &[
    Expected {
        cases: &[],
        contains: ZONE_ONLY,
        wrong: "neither (environment)",
        reason: "`now()` on Zeebe is a date-time in the broker JVM's default zone, written with its zone \
                 id (`2026-11-21T08:00:00.5Z[Etc/UTC]`, and `...@Etc/UTC` by `string()`; another machine \
                 writes another zone); the embedded engine's clock is UTC and writes `Z`. Both clocks read \
                 the same instant.",
    },
    Expected {
        cases: &[],
        contains: ORDER_ONLY,
        wrong: "embedded",
        reason: "Zeebe activates the branches of a parallel fork in reverse document order (its batch \
                 processing runs the follow-up ACTIVATE commands last-in-first-out), so their jobs are \
                 created, and here completed, last branch first; the embedded engine activates them in \
                 document order. Every branch runs on both.",
    },
];
