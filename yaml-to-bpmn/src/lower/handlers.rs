//! The error event sub-process of `errorHandling`: a catch-all error start, the `onFailure`
//! steps, the notifications, and an end event per strategy.

use bpmn::model::{
    Event, EventDefinition, EventDefinitionKind, EventKind, FlowElement, FlowNode, FlowNodeKind, SubProcess,
};

use super::graph::{connect, node};
use super::service::{JobSpec, service_node};
use super::steps::end_event;
use super::{ESCALATED, Lowerer, STEP_FAILED, Scope, root_ref};
use crate::dialect::ast::{ErrorHandling, Notification, Strategy};

impl Lowerer<'_, '_> {
    /// The interrupting error event sub-process.
    ///
    /// `fail-fast`, `rollback` and `retry` end by rethrowing `STEP_FAILED` to a caller,
    /// `continue-on-error` ends quietly, `escalate` throws the escalation `ESCALATED`.
    pub(super) fn error_handler(&mut self, handling: &ErrorHandling) -> FlowNode {
        let mut inner = Scope::new();
        let start = self.ids.fresh("error__start");
        let catch_all = EventDefinition::new(EventDefinitionKind::Error { error_ref: None });
        let kind = EventKind::Start { is_interrupting: Some(true) };
        inner.push(FlowElement::Node(node(
            &start,
            "Step failed",
            None,
            FlowNodeKind::Event(Event::new(kind, Some(catch_all))),
        )));
        let mut last = start;
        if let Some((entry, exit)) = self.sequence(&mut inner, &handling.on_failure) {
            connect(&mut self.ids, &mut inner, &last, &entry, None, None);
            last = exit;
        }
        for (index, notification) in handling.notifications.iter().enumerate() {
            let task =
                self.notify_task(&format!("error__notify_{index}"), notification, &notification_name(notification));
            let id = task.common.id.clone();
            inner.push(FlowElement::Node(task));
            connect(&mut self.ids, &mut inner, &last, &id, None, None);
            last = id;
        }
        let end = self.ids.fresh("error__end");
        let (name, definition) = match handling.strategy {
            Strategy::ContinueOnError => ("Failure handled", None),
            Strategy::Escalate => {
                self.uses.insert(ESCALATED);
                ("Escalate", Some(EventDefinitionKind::Escalation { escalation_ref: Some(root_ref(ESCALATED)) }))
            }
            Strategy::FailFast | Strategy::Rollback | Strategy::Retry => {
                self.uses.insert(STEP_FAILED);
                ("Fail workflow", Some(EventDefinitionKind::Error { error_ref: Some(root_ref(STEP_FAILED)) }))
            }
        };
        inner.push(FlowElement::Node(node(&end, name, None, end_event(definition.map(EventDefinition::new)))));
        connect(&mut self.ids, &mut inner, &last, &end, None, None);
        let id = self.ids.fresh("error__handler");
        let mut sub = SubProcess::event_sub_process();
        sub.flow_elements = inner;
        node(&id, "Handle failure", None, FlowNodeKind::SubProcess(sub))
    }

    /// A `notify` service task: headers `type` and (static) `target`, or a `target` input.
    fn notify_task(&mut self, base: &str, notification: &Notification, name: &str) -> FlowNode {
        let id = self.ids.fresh(base);
        let mut spec = JobSpec::new("notify", &[("type", &notification.kind)]);
        if notification.target.text.contains("${") {
            let feel = self.text(&notification.target.text, notification.target.pos);
            spec = spec.input(&format!("={feel}"), "target");
        } else {
            spec.headers.push(("target".into(), notification.target.text.clone()));
        }
        service_node(&id, name, None, spec)
    }
}

/// `Notify slack #ops`; a templated target stays out of the name (`Notify via email`).
fn notification_name(notification: &Notification) -> String {
    let target = notification.target.text.trim();
    if target.contains("${") || target.is_empty() {
        format!("Notify via {}", notification.kind)
    } else {
        format!("Notify {} {target}", notification.kind)
    }
}
