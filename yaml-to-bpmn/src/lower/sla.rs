//! SLAs, phases and loop limits: timers that bound the work, and what a breach does.
//!
//! Every breach takes the same path: a script task records it (`sla_breached`, `sla_breaches`),
//! an `escalate` job tells the persona in charge (with the SLA, the scope and the elapsed time),
//! and then, per `on_breach`, the work goes on (non-interrupting timer), stops, or stops and a
//! rollback workflow runs.

use bpmn::model::zeebe::{IoMapping, Script};
use bpmn::model::{
    Event, EventDefinition, EventDefinitionKind, EventKind, Expression, ExtensionElement, FlowElement, FlowNode,
    FlowNodeKind, SubProcess, SubProcessKind,
};

use super::graph::{connect, node};
use super::service::{JobSpec, call_node, service_node};
use super::steps::end_event;
use super::{Lowerer, SLA_BREACHED, Scope, mapping, root_ref, script_kind, start_event, step_name};
use crate::dialect::ast::{Breach, Sla, Step};
use crate::template::feel_string;

/// The variable that says whether an SLA of the instance was breached.
pub const BREACHED: &str = "sla_breached";
/// The variable listing the breaches: `{scope, sla, action}` entries.
pub const BREACHES: &str = "sla_breaches";
/// The variable holding when each SLA scope started, by scope.
pub const CLOCKS: &str = "sla_clocks";
/// The scope name of the workflow's own SLA.
pub const WORKFLOW_SCOPE: &str = "workflow";

/// FEEL for the current instant at offset `Z`. Zeebe stores `now()` with its zone id
/// (`…Z[Etc/UTC]`), which its own `date and time()` cannot read back; an instant computed from a
/// `Z` date-time keeps the offset form on both engines, so `sla_clocks` can be read again.
pub const NOW_AT_UTC: &str =
    "date and time(\"1970-01-01T00:00:00Z\") + (now() - date and time(\"1970-01-01T00:00:00Z\"))";

impl Lowerer<'_, '_> {
    /// The workflow's SLA: a timer event sub-process, non-interrupting when the breach escalates.
    pub(super) fn workflow_sla(&mut self, sla: &Sla) -> FlowNode {
        let interrupting = sla.on_breach != Breach::Escalate;
        let mut inner = Scope::new();
        let start = self.ids.fresh("sla__start");
        let kind = EventKind::Start { is_interrupting: Some(interrupting) };
        inner.push(FlowElement::Node(node(
            &start,
            &format!("SLA {} breached", sla.duration),
            None,
            FlowNodeKind::Event(Event::new(kind, Some(timer(&sla.duration)))),
        )));
        let last = self.breach_path(&mut inner, &start, sla, WORKFLOW_SCOPE);
        let end = self.ids.fresh("sla__end");
        inner.push(FlowElement::Node(node(&end, "Breach handled", None, end_event(None))));
        connect(&mut self.ids, &mut inner, &last, &end, None, None);
        let id = self.ids.fresh("sla__handler");
        let mut sub = SubProcess::event_sub_process();
        sub.flow_elements = inner;
        node(&id, &format!("Watch the {} SLA", sla.duration), None, FlowNodeKind::SubProcess(sub))
    }

    /// A `phase`: an embedded sub-process holding its steps (governed by its RACI block), with
    /// its SLA as a boundary timer. Returns its entry and exit.
    pub(super) fn phase(
        &mut self,
        scope: &mut Scope,
        step: &Step,
        steps: &[Step],
        sla: Option<&Sla>,
    ) -> (String, String) {
        let inherited = self.responsible(step);
        self.responsible.push(inherited);
        let id = self.ids.fresh(&step.id);
        let mut inner = Scope::new();
        let start = self.ids.fresh(&format!("{}__start", step.id));
        inner.push(FlowElement::Node(node(&start, "Start", None, start_event())));
        let body = self.governed(&mut inner, step, |lowerer, inner| lowerer.sequence(inner, steps));
        self.responsible.pop();
        let end = self.ids.fresh(&format!("{}__end", step.id));
        inner.push(FlowElement::Node(node(&end, "Done", None, end_event(None))));
        let last = match body {
            Some((entry, exit)) => {
                connect(&mut self.ids, &mut inner, &start, &entry, None, None);
                exit
            }
            None => start,
        };
        connect(&mut self.ids, &mut inner, &last, &end, None, None);
        let name = step_name(step);
        let mut sub = SubProcess::new(SubProcessKind::Embedded);
        sub.flow_elements = inner;
        let mut phase = node(&id, &name, step.description.as_deref(), FlowNodeKind::SubProcess(sub));
        self.declare_votes(&mut phase, step);
        scope.push(FlowElement::Node(phase));
        self.raci_escalation(scope, step, &id);
        let Some(sla) = sla else { return (id.clone(), id) };
        let clock = self.sla_clock(scope, &step.id, &name);
        connect(&mut self.ids, scope, &clock, &id, None, None);
        let interrupting = sla.on_breach != Breach::Escalate;
        let boundary = self.ids.fresh(&format!("{}__sla", step.id));
        let kind = EventKind::Boundary { attached_to: id.clone(), cancel_activity: Some(interrupting) };
        scope.push(FlowElement::Node(node(
            &boundary,
            &format!("{name}: SLA {} breached", sla.duration),
            None,
            FlowNodeKind::Event(Event::new(kind, Some(timer(&sla.duration)))),
        )));
        let last = self.breach_path(scope, &boundary, sla, &step.id);
        let end = self.ids.fresh(&format!("{}__sla_end", step.id));
        let definition = match sla.on_breach {
            Breach::Interrupt => {
                self.uses.insert(SLA_BREACHED);
                Some(EventDefinition::new(EventDefinitionKind::Error { error_ref: Some(root_ref(SLA_BREACHED)) }))
            }
            Breach::Escalate | Breach::Rollback(_) => None,
        };
        let end_name = if definition.is_some() { "Fail with SLA_BREACHED" } else { "Breach handled" };
        scope.push(FlowElement::Node(node(&end, end_name, None, end_event(definition))));
        connect(&mut self.ids, scope, &last, &end, None, None);
        (clock, id)
    }

    /// A script task that notes when the SLA scope `scope_id` starts, in `sla_clocks`.
    fn sla_clock(&mut self, scope: &mut Scope, scope_id: &str, name: &str) -> String {
        let id = self.ids.fresh(&format!("{scope_id}__sla_clock"));
        let mut task = node(&id, &format!("Start the {name} clock"), None, script_kind());
        task.common.extensions_mut().set(ExtensionElement::Script(Script {
            expression: format!("=context put({CLOCKS}, {}, {NOW_AT_UTC})", feel_string(scope_id)),
            result_variable: Some(CLOCKS.into()),
            ..Script::default()
        }));
        scope.push(FlowElement::Node(task));
        id
    }

    /// Record → escalate → (rollback call) after `from`; returns the last node.
    fn breach_path(&mut self, scope: &mut Scope, from: &str, sla: &Sla, scope_id: &str) -> String {
        let action = match &sla.on_breach {
            Breach::Escalate => "escalate".to_owned(),
            Breach::Interrupt => "interrupt".to_owned(),
            Breach::Rollback(workflow) => format!("rollback:{}", workflow.text),
        };
        let record = self.ids.fresh(&format!("{scope_id}__record_breach"));
        let entry = format!(
            "{{scope: {}, sla: {}, action: {}}}",
            feel_string(scope_id),
            feel_string(&sla.duration),
            feel_string(&action)
        );
        let mut task = node(&record, "Record the SLA breach", None, script_kind());
        let extensions = task.common.extensions_mut();
        extensions.set(ExtensionElement::Script(Script {
            expression: format!("=append(if {BREACHES} = null then [] else {BREACHES}, {entry})"),
            result_variable: Some(BREACHES.into()),
            ..Script::default()
        }));
        extensions.set(ExtensionElement::IoMapping(IoMapping {
            outputs: vec![mapping(&format!("={BREACHES}"), BREACHES), mapping("=true", BREACHED)],
            ..IoMapping::default()
        }));
        scope.push(FlowElement::Node(task));
        connect(&mut self.ids, scope, from, &record, None, None);
        let target = sla.escalate_to.as_ref().map_or_else(|| self.escalation_target.clone(), |t| t.text.clone());
        // Variables hold date-times as text, so the start is read back with `date and time`.
        let elapsed = format!("=string(now() - date and time(get value({CLOCKS}, {})))", feel_string(scope_id));
        let spec = JobSpec::new(
            "escalate",
            &[
                ("kind", "sla-breach"),
                ("scope", scope_id),
                ("sla", &sla.duration),
                ("escalateTo", &target),
                ("onBreach", &action),
            ],
        )
        .input(&elapsed, "elapsed");
        let escalate = self.ids.fresh(&format!("{scope_id}__escalate_breach"));
        scope.push(FlowElement::Node(service_node(&escalate, &format!("Escalate to {target}"), None, spec)));
        connect(&mut self.ids, scope, &record, &escalate, None, None);
        let Breach::Rollback(workflow) = &sla.on_breach else { return escalate };
        let call = self.ids.fresh(&format!("{scope_id}__rollback"));
        let reason = feel_string(&format!("SLA {} of {scope_id} breached", sla.duration));
        let inputs = vec![mapping(&format!("=context merge([inputs, {{\"REASON\": {reason}}}])"), "inputs")];
        let task =
            call_node(&call, &format!("Roll back with {}", workflow.text), None, &workflow.text, inputs, Vec::new());
        scope.push(FlowElement::Node(task));
        connect(&mut self.ids, scope, &escalate, &call, None, None);
        call
    }
}

/// A timer definition with an ISO-8601 duration.
pub(super) fn timer(duration: &str) -> EventDefinition {
    EventDefinition::new(EventDefinitionKind::Timer {
        time_date: None,
        time_duration: Some(Expression::formal(duration.to_owned())),
        time_cycle: None,
    })
}
