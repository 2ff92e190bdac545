//! Checks on the shape of a scope: the start events it needs, nodes no start leads to, and nodes
//! that lead to no end.

use super::super::{ProcessGraph, Scope, ScopeKind};
use super::{Code, Report};
use crate::model::{EventKind, FlowNode, Location};

/// How many node ids a dead-end message lists.
const LISTED_NODES: usize = 5;

/// Where a scope's own problems point: its sub-process node, or the process.
fn scope_location(graph: &ProcessGraph<'_>, scope: &Scope<'_>) -> Location {
    scope.owner().map_or(graph.process().common.location, |owner| owner.common.location)
}

fn is_none_event(node: &FlowNode) -> bool {
    node.event().is_some_and(|event| event.definitions.is_empty())
}

/// `no-start-event`, `too-many-start-events` and `untriggered-event-start`.
///
/// A process needs at least one start event and at most one none start event (message, timer and
/// signal start events may sit beside it); an empty process that is not executable (a pool drawn
/// for a partner) needs none. An embedded sub-process starts at exactly one none start event, an
/// event sub-process at exactly one start event with a trigger. Ad-hoc sub-processes need none.
pub(super) fn check_start_events(graph: &ProcessGraph<'_>, scope: &Scope<'_>, report: &mut Report<'_>) {
    let starts: Vec<&FlowNode> = scope.start_events().collect();
    let none_starts: Vec<&FlowNode> = starts.iter().copied().filter(|node| is_none_event(node)).collect();
    let location = scope_location(graph, scope);
    let id = scope.id();
    let extra_starts = match scope.kind() {
        ScopeKind::AdHoc => return,
        ScopeKind::Process => {
            if starts.is_empty() && (scope.nodes().next().is_some() || graph.process().executable()) {
                let message = format!(
                    "process `{id}` has no start event; add a none start event (or a message, timer or signal start \
                     event) where its instances begin"
                );
                report.push(Code::NoStartEvent, id, location, message);
            }
            none_starts.get(1..).unwrap_or_default()
        }
        ScopeKind::SubProcess => {
            if none_starts.is_empty() {
                let message = format!(
                    "sub-process `{id}` has no none start event; add one start event without a trigger where its \
                     inner flow begins"
                );
                report.push(Code::NoStartEvent, id, location, message);
            }
            starts.get(1..).unwrap_or_default()
        }
        ScopeKind::EventSubProcess => {
            match starts.first() {
                None => {
                    let message = format!(
                        "event sub-process `{id}` has no start event; add one start event with the trigger \
                         (message, timer, signal, error or escalation) that opens it"
                    );
                    report.push(Code::NoStartEvent, id, location, message);
                }
                Some(start) if is_none_event(start) => {
                    let message = format!(
                        "start event `{}` of event sub-process `{id}` has no trigger; give it a message, timer, \
                         signal, error or escalation event definition",
                        start.id()
                    );
                    report.push(Code::UntriggeredEventStart, start.id(), start.common.location, message);
                }
                Some(_) => {}
            }
            starts.get(1..).unwrap_or_default()
        }
    };
    let allowed = if scope.kind() == ScopeKind::Process { "none start event" } else { "start event" };
    for start in extra_starts {
        let message = format!(
            "`{id}` may have only one {allowed}, but `{}` is another one; remove it or join its path to the first one",
            start.id()
        );
        report.push(Code::TooManyStartEvents, start.id(), start.common.location, message);
    }
}

/// False for nodes whose other problems make the flow checks meaningless: a second node with an
/// id already taken (`duplicate-id`) and a boundary event without host (`boundary-host-missing`).
fn is_checked(scope: &Scope<'_>, node: &FlowNode) -> bool {
    let first_with_id = scope.node(node.id()).is_some_and(|first| std::ptr::eq(first, node));
    let orphan_boundary =
        matches!(node.event().map(|e| &e.kind), Some(EventKind::Boundary { .. })) && scope.host(node.id()).is_none();
    first_with_id && !orphan_boundary
}

/// `unreachable-node` and `dead-end`.
///
/// A node is reachable when a path of sequence flows, boundary attachments (a boundary event is
/// reachable when its host is) and link jumps leads to it from a start event, an event
/// sub-process or a compensation handler of its scope. A node is a dead end when no such path
/// leads from it to an end event or to a node without outgoing flows (an implicit end): the token
/// is caught in a loop without exit. Only the first node of each dead region is reported. Scopes
/// without start event (already reported) and ad-hoc sub-processes are not checked.
pub(super) fn check_flow(scope: &Scope<'_>, report: &mut Report<'_>) {
    if scope.start_events().next().is_none() || scope.kind() == ScopeKind::AdHoc {
        return;
    }
    let roots = scope.roots();
    let reached = scope.reachable_from(&roots);
    let finishes = scope.can_finish();
    let nodes: Vec<&FlowNode> = scope.nodes().collect();
    for (position, node) in nodes.iter().enumerate() {
        let id = node.id();
        if !is_checked(scope, node) {
            continue;
        }
        if !reached.get(position).copied().unwrap_or(true) {
            let message = format!(
                "`{id}` cannot be reached from any start event of `{}`; connect it with a sequence flow or remove it",
                scope.id()
            );
            report.push(Code::UnreachableNode, id, node.common.location, message);
            continue;
        }
        if finishes.get(position).copied().unwrap_or(true) {
            continue;
        }
        let entered_from_outside = roots.contains(&position)
            || scope.sources_of(position).any(|source| finishes.get(source).copied().unwrap_or(false));
        if !entered_from_outside {
            continue;
        }
        let trapped = scope.reachable_from(&[position]);
        let others: Vec<String> = nodes
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != position && trapped.get(*other).copied().unwrap_or(false))
            .map(|(_, other)| format!("`{}`", other.id()))
            .take(LISTED_NODES)
            .collect();
        let through = if others.is_empty() { String::new() } else { format!(" (through {})", others.join(", ")) };
        let message = format!(
            "no end can be reached from `{id}`: every path from here loops without exit{through}; add a flow out of \
             the loop to an end event"
        );
        report.push(Code::DeadEnd, id, node.common.location, message);
    }
}
