//! RACI in the model: consulted personas before the work, approvals (with a minimum, vetoes and
//! auto-approval) after it, informed personas told without waiting, and an escalation timer.
//!
//! A task step with such a block becomes an embedded sub-process with the step's id holding
//! `consult → work → approve → inform`; a phase holds the same around its steps.

use bpmn::model::zeebe::{IoMapping, Script};
use bpmn::model::{
    Event, EventKind, ExtensionElement, FlowElement, FlowNode, FlowNodeKind, GatewayKind, SubProcess, SubProcessKind,
};

use super::graph::{Chain, connect, node};
use super::service::{JobSpec, Repetition, feel_list, multi_instance, service_node, set_activity};
use super::sla::timer;
use super::steps::end_event;
use super::{Lowerer, Scope, mapping, script_kind, start_event, step_name};
use crate::dialect::ast::{Raci, Step};
use crate::template::feel_string;

/// The variable a step's approval votes are collected in (local to the step).
const APPROVALS: &str = "approvals";
/// The variable a step's consultations are collected in (local to the step).
const CONSULTATIONS: &str = "consultations";

/// The lowering of one part (`work`): its entry and exit, none when it is empty.
type Part = Option<(String, String)>;

impl Lowerer<'_, '_> {
    /// A task (or call) step with a governing RACI block: a sub-process with the step's id.
    pub(super) fn governed_task(&mut self, scope: &mut Scope, step: &Step) -> (String, String) {
        let id = self.ids.fresh(&step.id);
        let mut inner = Scope::new();
        let start = self.ids.fresh(&format!("{}__start", step.id));
        inner.push(FlowElement::Node(node(&start, "Start", None, start_event())));
        let (entry, exit) = self
            .governed(&mut inner, step, |lowerer, inner| {
                let work_id = lowerer.ids.fresh(&format!("{}__work", step.id));
                let work = lowerer.task_with_id(step, work_id.clone());
                inner.push(FlowElement::Node(work));
                Some((work_id.clone(), work_id))
            })
            .unwrap_or_else(|| (start.clone(), start.clone()));
        connect(&mut self.ids, &mut inner, &start, &entry, None, None);
        let end = self.ids.fresh(&format!("{}__end", step.id));
        inner.push(FlowElement::Node(node(&end, "Done", None, end_event(None))));
        connect(&mut self.ids, &mut inner, &exit, &end, None, None);
        let mut sub = SubProcess::new(SubProcessKind::Embedded);
        sub.flow_elements = inner;
        let mut wrapper = node(&id, &step_name(step), step.description.as_deref(), FlowNodeKind::SubProcess(sub));
        self.declare_votes(&mut wrapper, step);
        scope.push(FlowElement::Node(wrapper));
        self.raci_escalation(scope, step, &id);
        (id.clone(), id)
    }

    /// `consult → work → approve → inform` in `scope`, as the step's RACI block asks.
    pub(super) fn governed(
        &mut self,
        scope: &mut Scope,
        step: &Step,
        work: impl FnOnce(&mut Self, &mut Scope) -> Part,
    ) -> Part {
        let Some(raci) = step.raci.clone() else { return work(self, scope) };
        let mut parts: Vec<Part> = Vec::new();
        if !raci.consulted.is_empty() {
            parts.push(Some(self.consult(scope, step, &raci)));
        }
        parts.push(work(self, scope));
        if !raci.accountable.is_empty() {
            parts.push(Some(self.approval(scope, step, &raci)));
        }
        if !raci.informed.is_empty() {
            parts.push(Some(self.inform(scope, step, &raci)));
        }
        let mut chain = Chain::default();
        for part in parts.into_iter().flatten() {
            chain.push(&mut self.ids, scope, part);
        }
        chain.ends()
    }

    /// Votes and advice stay local to the step: its sub-process declares the collections.
    pub(super) fn declare_votes(&self, sub_process: &mut FlowNode, step: &Step) {
        let Some(raci) = &step.raci else { return };
        let mut inputs = Vec::new();
        if !raci.accountable.is_empty() {
            inputs.push(mapping("=[]", APPROVALS));
        }
        if !raci.consulted.is_empty() {
            inputs.push(mapping("=[]", CONSULTATIONS));
        }
        if !inputs.is_empty() {
            sub_process
                .common
                .extensions_mut()
                .set(ExtensionElement::IoMapping(IoMapping { inputs, ..IoMapping::default() }));
        }
    }

    /// The RACI escalation: a non-interrupting timer on `attached_to` and an `escalate` task.
    pub(super) fn raci_escalation(&mut self, scope: &mut Scope, step: &Step, attached_to: &str) {
        let Some(escalation) = step.raci.as_ref().and_then(|r| r.escalation.as_ref()) else { return };
        let boundary = self.ids.fresh(&format!("{}__escalation", step.id));
        let kind = EventKind::Boundary { attached_to: attached_to.to_owned(), cancel_activity: Some(false) };
        scope.push(FlowElement::Node(node(
            &boundary,
            &format!("Not done after {}", escalation.after),
            None,
            FlowNodeKind::Event(Event::new(kind, Some(timer(&escalation.after)))),
        )));
        let task = self.ids.fresh(&format!("{}__escalate", step.id));
        let spec = JobSpec::new(
            "escalate",
            &[
                ("kind", "raci-timeout"),
                ("stepId", &step.id),
                ("after", &escalation.after),
                ("escalateTo", &escalation.to.text),
            ],
        );
        scope.push(FlowElement::Node(service_node(&task, &format!("Escalate to {}", escalation.to.text), None, spec)));
        let end = self.ids.fresh(&format!("{}__escalated", step.id));
        scope.push(FlowElement::Node(node(&end, "Escalated", None, end_event(None))));
        connect(&mut self.ids, scope, &boundary, &task, None, None);
        connect(&mut self.ids, scope, &task, &end, None, None);
    }

    /// The consulted personas, asked in parallel; their advice goes to `steps.<id>.CONSULTATIONS`.
    fn consult(&mut self, scope: &mut Scope, step: &Step, raci: &Raci) -> (String, String) {
        let id = self.ids.fresh(&format!("{}__consult", step.id));
        let consulted: Vec<String> = raci.consulted.iter().map(|t| t.text.clone()).collect();
        let spec = JobSpec::new("consult", &[("stepId", &step.id), ("raci", "consulted")]).input("=null", "advice");
        let mut task = service_node(&id, &format!("Consult on {}", step_name(step)), None, spec);
        set_activity(
            &mut task,
            multi_instance(Repetition {
                collection: format!("={}", feel_list(&consulted)),
                element: "consultant",
                output: Some((CONSULTATIONS, "={consultant: consultant, advice: advice}".into())),
                completion: None,
                sequential: false,
            }),
        );
        scope.push(FlowElement::Node(task));
        let record = self.record(
            scope,
            step,
            "consult",
            "Record the advice",
            &format!("{{\"CONSULTATIONS\": {CONSULTATIONS}}}"),
        );
        connect(&mut self.ids, scope, &id, &record, None, None);
        (id, record)
    }

    /// The approvers vote in parallel until enough approve or one with a veto vetoes; an
    /// `auto_approve` condition skips the vote. The result goes to `steps.<id>`.
    fn approval(&mut self, scope: &mut Scope, step: &Step, raci: &Raci) -> (String, String) {
        let approvers: Vec<String> = raci.accountable.iter().map(|t| t.text.clone()).collect();
        let vetoers: Vec<String> = raci.veto.iter().map(|t| t.text.clone()).collect();
        let needed = raci.min_approvals.map_or(1, |(n, _)| n);
        let vote = self.ids.fresh(&format!("{}__approve", step.id));
        let spec = JobSpec::new(
            "approve",
            &[
                ("stepId", &step.id),
                ("raci", "accountable"),
                ("minApprovals", &needed.to_string()),
                ("veto", &vetoers.join(",")),
            ],
        )
        .input("=null", "approved")
        .input("=null", "veto")
        .input("=null", "reason");
        let mut task = service_node(&vote, &format!("Approve {}", step_name(step)), None, spec);
        let approved_votes = format!("{APPROVALS}[item != null and item.approved = true]");
        let vetoes = format!("{APPROVALS}[item != null and item.veto = true]");
        set_activity(
            &mut task,
            multi_instance(Repetition {
                collection: format!("={}", feel_list(&approvers)),
                element: "approver",
                output: Some((
                    APPROVALS,
                    format!(
                        "={{approver: approver, approved: approved = true, veto: veto = true and list contains({}, approver), reason: reason}}",
                        feel_list(&vetoers)
                    ),
                )),
                completion: Some(format!("=count({approved_votes}) >= {needed} or count({vetoes}) > 0")),
                sequential: false,
            }),
        );
        scope.push(FlowElement::Node(task));
        let decision = format!(
            "{{\"APPROVED\": count({vetoes}) = 0 and count({approved_votes}) >= {needed}, \
             \"APPROVALS\": count({approved_votes}), \
             \"VETOED_BY\": if count({vetoes}) > 0 then {vetoes}[1].approver else null, \
             \"REJECT_REASON\": if count({vetoes}) > 0 then {vetoes}[1].reason \
             else if count({approved_votes}) >= {needed} then null \
             else \"only \" + string(count({approved_votes})) + \" of {needed} approvals needed\", \
             \"AUTO_APPROVED\": false, \"VOTES\": {APPROVALS}[item != null]}}"
        );
        let decide = self.record(scope, step, "decide", "Decide on the approvals", &decision);
        connect(&mut self.ids, scope, &vote, &decide, None, None);
        let Some(auto) = &raci.auto_approve else { return (vote, decide) };
        let condition = self.condition(&auto.text, auto.pos);
        let name = step_name(step);
        let split = self.gateway(
            scope,
            &format!("{}__auto", step.id),
            &format!("Auto-approve {name}?"),
            GatewayKind::Exclusive,
            true,
        );
        let join =
            self.gateway(scope, &format!("{}__approved", step.id), "Approval decided", GatewayKind::Exclusive, false);
        let skipped = self.record(
            scope,
            step,
            "auto_approved",
            "Record the auto-approval",
            "{\"APPROVED\": true, \"APPROVALS\": 0, \"VETOED_BY\": null, \"REJECT_REASON\": null, \"AUTO_APPROVED\": true}",
        );
        connect(&mut self.ids, scope, &split, &skipped, Some(condition), Some("auto-approve"));
        connect(&mut self.ids, scope, &split, &vote, None, None);
        connect(&mut self.ids, scope, &skipped, &join, None, None);
        connect(&mut self.ids, scope, &decide, &join, None, None);
        (split, join)
    }

    /// Tells the informed personas without waiting: a parallel fork whose side branch ends after
    /// the `notify` task. Returns the fork as both entry and exit.
    fn inform(&mut self, scope: &mut Scope, step: &Step, raci: &Raci) -> (String, String) {
        let informed: Vec<String> = raci.informed.iter().map(|t| t.text.clone()).collect();
        let name = step_name(step);
        let fork = self.gateway(
            scope,
            &format!("{}__inform", step.id),
            &format!("Inform about {name}"),
            GatewayKind::Parallel,
            false,
        );
        let id = self.ids.fresh(&format!("{}__notify", step.id));
        let spec =
            JobSpec::new("notify", &[("type", "raci-informed"), ("stepId", &step.id), ("target", &informed.join(","))])
                .input(&format!("={}", feel_string(&format!("{name} is done"))), "message");
        scope.push(FlowElement::Node(service_node(&id, &format!("Tell {}", informed.join(", ")), None, spec)));
        let end = self.ids.fresh(&format!("{}__informed", step.id));
        scope.push(FlowElement::Node(node(&end, "Informed", None, end_event(None))));
        connect(&mut self.ids, scope, &fork, &id, None, None);
        connect(&mut self.ids, scope, &id, &end, None, None);
        (fork.clone(), fork)
    }

    /// A script task merging `entries` (a FEEL context) into `steps.<id>`.
    fn record(&mut self, scope: &mut Scope, step: &Step, suffix: &str, name: &str, entries: &str) -> String {
        let id = self.ids.fresh(&format!("{}__{suffix}", step.id));
        let key = feel_string(&step.id);
        let expression = format!(
            "=context put(steps, {key}, context merge([if get value(steps, {key}) = null then {{}} else get value(steps, {key}), {entries}]))"
        );
        let mut task = node(&id, name, None, script_kind());
        task.common.extensions_mut().set(ExtensionElement::Script(Script {
            expression,
            result_variable: Some("steps".into()),
            ..Script::default()
        }));
        scope.push(FlowElement::Node(task));
        id
    }
}
