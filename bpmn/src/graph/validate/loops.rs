//! `straight-through-loop`: a cycle of sequence flows through elements that all complete as
//! soon as they are entered would keep an instance busy forever without ever waiting, so Zeebe
//! refuses such a model at deploy (`Processes are not allowed to contain a straight-through
//! processing loop: a > g > a`).

use std::collections::HashMap;

use super::super::{Scope, ScopeKind};
use super::{Code, Report};
use crate::model::{EventKind, FlowNode, FlowNodeKind, GatewayKind, TaskKind};

/// Whether `node` counts as completing at once for the broker's check: an exclusive, inclusive
/// or parallel gateway, a manual or undefined task, or a none intermediate throw event. (Zeebe
/// 8.6 does not count FEEL script tasks, though they complete at once too; the differential test
/// `straight_through_loops_on_zeebe` pins what it refuses.) An activity with multi-instance
/// characteristics waits for its instances.
fn passes_straight_through(node: &FlowNode) -> bool {
    if node.activity().is_some_and(|activity| activity.loop_characteristics.is_some()) {
        return false;
    }
    match &node.kind {
        FlowNodeKind::Gateway(gateway) => {
            matches!(gateway.kind, GatewayKind::Exclusive | GatewayKind::Inclusive | GatewayKind::Parallel)
        }
        FlowNodeKind::Task(task) => matches!(task.kind, TaskKind::Undefined | TaskKind::Manual),
        FlowNodeKind::Event(event) => event.kind == EventKind::IntermediateThrow && event.definitions.is_empty(),
        _ => false,
    }
}

/// Reports the first loop of the scope whose every element passes straight through, at its
/// first element in document order, naming the whole loop (`a > g > a`).
pub(super) fn check(scope: &Scope<'_>, report: &mut Report<'_>) {
    if scope.kind() == ScopeKind::AdHoc {
        return;
    }
    if let Some(cycle) = straight_through_cycle(scope) {
        let first = cycle[0];
        let path = cycle.iter().map(|node| node.id()).collect::<Vec<_>>().join(" > ");
        let message = format!(
            "the flow can go round without waiting anywhere ({path}), so an instance would loop forever; Zeebe \
             refuses such a model: put a wait state in the loop (a service or user task, a timer, a message)"
        );
        report.push(Code::StraightThroughLoop, first.id(), first.common.location, message);
    }
}

/// The first cycle of straight-through nodes, from its first node round to that node again.
/// Depth-first from the nodes in document order, visiting successors in flow order, so the
/// answer is the same for the same model.
fn straight_through_cycle<'a>(scope: &Scope<'a>) -> Option<Vec<&'a FlowNode>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnPath,
        Done,
    }
    let successors = |node: &FlowNode| -> Vec<&'a FlowNode> {
        let mut next: Vec<&'a FlowNode> = scope.successors(node.id()).filter(|n| passes_straight_through(n)).collect();
        next.reverse(); // popped last first, so visited in flow order
        next
    };
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    for root in scope.nodes().filter(|node| passes_straight_through(node)) {
        if marks.contains_key(root.id()) {
            continue;
        }
        marks.insert(root.id(), Mark::OnPath);
        // The path from the root, each node with the successors it has yet to visit.
        let mut path: Vec<(&'a FlowNode, Vec<&'a FlowNode>)> = vec![(root, successors(root))];
        while let Some((_, pending)) = path.last_mut() {
            let Some(next) = pending.pop() else {
                if let Some((done, _)) = path.pop() {
                    marks.insert(done.id(), Mark::Done);
                }
                continue;
            };
            match marks.get(next.id()) {
                Some(Mark::OnPath) => {
                    let from = path.iter().position(|(node, _)| node.id() == next.id()).unwrap_or(0);
                    let mut cycle: Vec<&'a FlowNode> = path[from..].iter().map(|(node, _)| *node).collect();
                    cycle.push(next);
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    marks.insert(next.id(), Mark::OnPath);
                    path.push((next, successors(next)));
                }
            }
        }
    }
    None
}
