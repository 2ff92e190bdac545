//! Validation of a whole [`Definitions`]: structural checks on every scope graph plus the Zeebe
//! rules that a deploy would reject or that make an instance stop with an incident.
//!
//! Every [`Problem`] names the element by id, carries the element's source [`Location`] and says
//! what is wrong and what to do. Problems come back in document order: the order of a pre-order
//! walk of the model (which is source order for a model that was read), and for one element in a
//! fixed order of checks. (A problem about an element whose id repeats is placed at the id's
//! first occurrence.)
//!
//! | Code | Severity | What |
//! |---|---|---|
//! | `duplicate-id` | error | an id used twice in the document |
//! | `no-start-event` | error | a process, embedded or event sub-process without the start event it needs |
//! | `too-many-start-events` | error | a second none start event in a process, a second start event in a sub-process |
//! | `untriggered-event-start` | error | an event sub-process whose start event has no trigger |
//! | `flow-source-missing` / `flow-target-missing` | error | a sequence flow end that names no node of its scope |
//! | `default-flow-missing` / `default-flow-not-outgoing` | error | a `default` naming no flow, or a flow that does not leave the node |
//! | `boundary-host-missing` / `boundary-host-not-activity` | error | `attachedToRef` naming nothing, or no activity |
//! | `condition-not-allowed` | error | a condition on a flow leaving anything but an exclusive or inclusive gateway |
//! | `condition-missing` | error | a non-default flow without condition leaving a branching exclusive or inclusive gateway |
//! | `gateway-may-get-stuck` | warning | every outgoing flow of such a gateway is conditional and there is no default |
//! | `called-element-missing` | error | a call activity without `zeebe:calledElement processId` |
//! | `unknown-called-process` | error | a static `processId` that names no known process |
//! | `unexpected-incoming-flow` | error | a start event, boundary event or event sub-process entered by a flow |
//! | `unexpected-outgoing-flow` | error | an end event or event sub-process left by a flow |
//! | `invalid-event-gateway` | error | an event-based gateway with fewer than two targets, or a target that is no message, timer or signal catch |
//! | `unmatched-link` | error | a link event without name, a throw without catch, two catches with one name |
//! | `unreachable-node` | warning | a node no start event of its scope leads to |
//! | `dead-end` | warning | a node from which no end can be reached (a loop without exit) |
//! | `straight-through-loop` | error | a loop through gateways, manual and undefined tasks and none throw events only: Zeebe refuses it |

mod calls;
mod conditions;
mod elements;
mod ids;
mod loops;
mod references;
mod structure;

use std::collections::HashSet;
use std::fmt;

use super::ProcessGraph;
use crate::model::{Definitions, Location};
use ids::DocumentOrder;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Zeebe would reject the model, or the engine cannot run it as written.
    Error,
    /// The model runs but very likely not as meant (unreachable nodes, loops without exit, ...).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Generates [`Code`] with its stable kebab-case name and its severity.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $severity:ident;)*) => {
        /// What kind of problem was found. [`Code::as_str`] is a stable kebab-case name for
        /// tools and tests to match on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// The stable kebab-case name, for example `dead-end`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The severity every problem of this kind has.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }
        }
    };
}

codes! {
    /// An id used by an earlier element of the same document.
    DuplicateId = "duplicate-id", Error;
    /// A process, embedded sub-process or event sub-process without the start event it needs.
    NoStartEvent = "no-start-event", Error;
    /// More start events than the scope allows.
    TooManyStartEvents = "too-many-start-events", Error;
    /// The start event of an event sub-process has no trigger.
    UntriggeredEventStart = "untriggered-event-start", Error;
    /// A sequence flow's `sourceRef` names no node of its scope.
    FlowSourceMissing = "flow-source-missing", Error;
    /// A sequence flow's `targetRef` names no node of its scope.
    FlowTargetMissing = "flow-target-missing", Error;
    /// A `default` attribute names no sequence flow of the scope.
    DefaultFlowMissing = "default-flow-missing", Error;
    /// A `default` attribute names a flow that does not leave the node.
    DefaultFlowNotOutgoing = "default-flow-not-outgoing", Error;
    /// A boundary event's `attachedToRef` names no node of its scope.
    BoundaryHostMissing = "boundary-host-missing", Error;
    /// A boundary event is attached to something that is not an activity.
    BoundaryHostNotActivity = "boundary-host-not-activity", Error;
    /// A conditional flow leaves something other than an exclusive or inclusive gateway.
    ConditionNotAllowed = "condition-not-allowed", Error;
    /// A flow leaving a branching exclusive or inclusive gateway is neither conditional nor default.
    ConditionMissing = "condition-missing", Error;
    /// All outgoing flows of an exclusive or inclusive gateway are conditional and none is default.
    GatewayMayGetStuck = "gateway-may-get-stuck", Warning;
    /// A call activity does not say which process to call.
    CalledElementMissing = "called-element-missing", Error;
    /// A call activity calls a process that is not known.
    UnknownCalledProcess = "unknown-called-process", Error;
    /// A start event, boundary event or event sub-process entered by a sequence flow.
    UnexpectedIncomingFlow = "unexpected-incoming-flow", Error;
    /// An end event or event sub-process left by a sequence flow.
    UnexpectedOutgoingFlow = "unexpected-outgoing-flow", Error;
    /// An event-based gateway with fewer than two targets, or a target that is not a message,
    /// timer or signal intermediate catch event.
    InvalidEventGateway = "invalid-event-gateway", Error;
    /// A link event without name, a link throw without catch, or two catches with one name.
    UnmatchedLink = "unmatched-link", Error;
    /// A node that no start event of its scope leads to.
    UnreachableNode = "unreachable-node", Warning;
    /// A node from which no end can be reached.
    DeadEnd = "dead-end", Warning;
    /// A loop whose every element completes at once, so an instance in it never waits.
    StraightThroughLoop = "straight-through-loop", Error;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of [`validate`].
///
/// Displays as `line:col: severity: [element-id] message` (`0:0` for elements built in code);
/// callers prepend the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning (always `code.severity()`).
    pub severity: Severity,
    /// What kind of problem this is.
    pub code: Code,
    /// The id of the element the problem is about.
    pub element_id: String,
    /// Where that element starts in the source.
    pub location: Location,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl Problem {
    /// True for an error, false for a warning.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: [{}] {}", self.location, self.severity, self.element_id, self.message)
    }
}

/// What [`validate`] should know beyond the model.
#[derive(Debug, Clone, Default)]
pub struct ValidationOptions {
    /// The process ids a call activity may call (for example the processes deployed with this
    /// one). `None` skips the check. The processes of the validated definitions always count as
    /// known, and `=expression` process ids are never checked.
    pub known_processes: Option<HashSet<String>>,
}

impl ValidationOptions {
    /// Options that check call activities against `process_ids`.
    pub fn with_known_processes<S: Into<String>>(process_ids: impl IntoIterator<Item = S>) -> Self {
        Self { known_processes: Some(process_ids.into_iter().map(Into::into).collect()) }
    }
}

/// Checks `definitions` and returns every problem found, in document order. Never panics: any
/// model, however broken, yields a list of problems.
pub fn validate(definitions: &Definitions, options: &ValidationOptions) -> Vec<Problem> {
    let order = DocumentOrder::of(definitions);
    let mut report = Report { order: &order, problems: Vec::new() };
    ids::check(&order, &mut report);
    for process in definitions.processes() {
        let graph = ProcessGraph::new(process);
        for scope in graph.scopes() {
            structure::check_start_events(&graph, scope, &mut report);
            references::check(&graph, scope, &mut report);
            conditions::check(scope, &mut report);
            calls::check(definitions, scope, options, &mut report);
            elements::check(scope, &mut report);
            structure::check_flow(scope, &mut report);
            loops::check(scope, &mut report);
        }
    }
    report.finish()
}

/// Collects problems with the document position of their element.
struct Report<'o> {
    order: &'o DocumentOrder<'o>,
    /// (position in document order, problem); pushes of one element stay in check order.
    problems: Vec<(usize, Problem)>,
}

impl Report<'_> {
    /// Records a problem about the element with `id`, placed at that id's first occurrence.
    fn push(&mut self, code: Code, id: &str, location: Location, message: String) {
        let position = self.order.position(id);
        self.push_at(position, code, id, location, message);
    }

    /// Records a problem placed at an explicit document position.
    fn push_at(&mut self, position: usize, code: Code, id: &str, location: Location, message: String) {
        let problem = Problem { severity: code.severity(), code, element_id: id.to_owned(), location, message };
        self.problems.push((position, problem));
    }

    fn finish(mut self) -> Vec<Problem> {
        self.problems.sort_by_key(|(position, _)| *position);
        self.problems.into_iter().map(|(_, problem)| problem).collect()
    }
}
