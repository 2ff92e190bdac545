//! The event sub-processes: `errorHandling` (catch-all error start, `onFailure` steps,
//! notifications, an end event per strategy) and `metadata.sla` (non-interrupting timer that
//! runs a `notify` task).

use bpmn::model::zeebe::{Header, IoMapping, TaskDefinition, TaskHeaders};
use bpmn::model::{
    Event, EventDefinition, EventDefinitionKind, EventKind, Expression, ExtensionElement, FlowElement, FlowNode,
    FlowNodeKind, SubProcess, Task, TaskKind,
};

use super::graph::{connect, node};
use super::steps::end_event;
use super::{ESCALATED, Lowerer, STEP_FAILED, Scope, mapping, root_ref};
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

    /// The non-interrupting timer event sub-process that reports an SLA breach.
    pub(super) fn sla_handler(&mut self, duration: &str, workflow_id: &str) -> FlowNode {
        let mut inner = Scope::new();
        let start = self.ids.fresh("sla__start");
        let timer = EventDefinition::new(EventDefinitionKind::Timer {
            time_date: None,
            time_duration: Some(Expression::formal(duration.to_owned())),
            time_cycle: None,
        });
        let kind = EventKind::Start { is_interrupting: Some(false) };
        inner.push(FlowElement::Node(node(
            &start,
            &format!("SLA ({duration}) elapsed"),
            None,
            FlowNodeKind::Event(Event::new(kind, Some(timer))),
        )));
        let notification = Notification {
            kind: "sla".into(),
            target: crate::dialect::ast::Text { text: workflow_id.to_owned(), pos: Default::default() },
        };
        let task = self.notify_task("sla__notify", &notification, "Report SLA breach");
        let task_id = task.common.id.clone();
        inner.push(FlowElement::Node(task));
        let end = self.ids.fresh("sla__end");
        inner.push(FlowElement::Node(node(&end, "SLA breach reported", None, end_event(None))));
        connect(&mut self.ids, &mut inner, &start, &task_id, None, None);
        connect(&mut self.ids, &mut inner, &task_id, &end, None, None);
        let id = self.ids.fresh("sla__handler");
        let mut sub = SubProcess::event_sub_process();
        sub.flow_elements = inner;
        node(&id, "Watch SLA", None, FlowNodeKind::SubProcess(sub))
    }

    /// A `notify` service task: headers `type` and (static) `target`, or a `target` input.
    fn notify_task(&mut self, base: &str, notification: &Notification, name: &str) -> FlowNode {
        let id = self.ids.fresh(base);
        let mut headers = vec![Header { key: "type".into(), value: notification.kind.clone(), ..Header::default() }];
        let mut inputs = Vec::new();
        if notification.target.text.contains("${") {
            let feel = self.text(&notification.target.text, notification.target.pos);
            inputs.push(mapping(&format!("={feel}"), "target"));
        } else {
            headers.push(Header { key: "target".into(), value: notification.target.text.clone(), ..Header::default() });
        }
        let mut task = node(&id, name, None, FlowNodeKind::Task(Task::new(TaskKind::Service)));
        let extensions = task.common.extensions_mut();
        extensions.set(ExtensionElement::TaskDefinition(TaskDefinition {
            job_type: "notify".into(),
            retries: Some("3".into()),
            ..TaskDefinition::default()
        }));
        extensions.set(ExtensionElement::TaskHeaders(TaskHeaders { headers, ..TaskHeaders::default() }));
        if !inputs.is_empty() {
            extensions.set(ExtensionElement::IoMapping(IoMapping { inputs, ..IoMapping::default() }));
        }
        task
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
