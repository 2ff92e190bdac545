//! Finding the catch event of a thrown BPMN error or escalation (Zeebe §3.6, §3.7): from the
//! throwing element outward, each scope's attached boundary events and event sub-process starts;
//! through a call activity into the parent process. In one scope a specific code beats a
//! catch-all.

use std::sync::Arc;

use crate::model::{NodeIdx, NodeKind, Trigger};
use crate::processing::Machine;
use crate::state::Lifecycle;

/// What was thrown.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Thrown<'a> {
    /// A BPMN error with this code.
    Error(&'a str),
    /// An escalation with this code.
    Escalation(&'a str),
}

/// Where a thrown event is caught.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Catcher {
    /// The element instance that owns the catch event (attached activity or enclosing scope).
    pub owner: i64,
    /// The boundary event or event sub-process start event.
    pub catch: NodeIdx,
    /// True when catching interrupts the owner.
    pub interrupting: bool,
}

/// Searches outward from element instance `from`.
pub(crate) fn find(m: &Machine, from: i64, thrown: Thrown<'_>) -> Option<Catcher> {
    let mut current = from;
    while let Some(instance) = m.state.element(current) {
        let process = m.state.process(instance.def);
        let node = process.node(instance.element);
        let inner = instance.element_type == crate::model::ElementType::AdHocSubProcessInnerInstance
            || m.state
                .element(instance.flow_scope_key)
                .is_some_and(|s| s.element_type == crate::model::ElementType::MultiInstanceBody);
        let mut candidates: Vec<(NodeIdx, &Option<Arc<str>>, bool)> = Vec::new();
        if !inner {
            for &b in &node.boundaries {
                if let NodeKind::Boundary { trigger, interrupting, .. } = &process.node(b).kind
                    && let Some(code) = code_of(trigger, thrown)
                {
                    candidates.push((b, code, *interrupting));
                }
            }
        }
        let is_scope = !matches!(
            instance.element_type,
            crate::model::ElementType::MultiInstanceBody | crate::model::ElementType::AdHocSubProcessInnerInstance
        );
        if let (Some(c), true) = (node.kind.container(), is_scope && !instance.interrupted) {
            for &esp in &c.event_sub_processes {
                if let NodeKind::EventSubProcess { start, interrupting, .. } = &process.node(esp).kind
                    && let NodeKind::Start(trigger) = &process.node(*start).kind
                    && let Some(code) = code_of(trigger, thrown)
                {
                    candidates.push((*start, code, *interrupting));
                }
            }
        }
        let thrown_code = match thrown {
            Thrown::Error(c) | Thrown::Escalation(c) => c,
        };
        let specific = candidates.iter().find(|(_, code, _)| code.as_deref() == Some(thrown_code));
        let any = candidates.iter().find(|(_, code, _)| code.is_none());
        if let Some(&(catch, _, interrupting)) = specific.or(any)
            && matches!(instance.state, Lifecycle::Activated)
        {
            return Some(Catcher { owner: current, catch, interrupting });
        }
        current =
            if instance.flow_scope_key >= 0 { instance.flow_scope_key } else { instance.parent_element_instance_key };
    }
    None
}

fn code_of<'t>(trigger: &'t Trigger, thrown: Thrown<'_>) -> Option<&'t Option<Arc<str>>> {
    match (trigger, thrown) {
        (Trigger::Error(code), Thrown::Error(_)) | (Trigger::Escalation(code), Thrown::Escalation(_)) => Some(code),
        _ => None,
    }
}
