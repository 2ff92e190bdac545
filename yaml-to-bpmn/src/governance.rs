//! Checks of the governance rules of a workflow: persona references, RACI blocks, SLAs and loop
//! bounds.
//!
//! With a persona catalogue (strict mode) every persona reference must name a catalogue type, a
//! responsible persona must have the step's action among its capabilities, and every
//! `while-loop` must be bounded. Without one (the seed corpus) an unbounded loop is a warning.

use crate::check::Catalog;
use crate::diagnostic::Diagnostics;
use crate::dialect::ast::{Action, AdHocChooser, Breach, Raci, Sla, Step, Text, Workflow};
use crate::personas::PersonaCatalogue;
use crate::raci::{action_kind, assignments, is_task};

/// Checks `workflow`'s governance; `workflows` (the compiled set) enables the rollback target check.
pub fn check_governance(
    workflow: &Workflow,
    catalogue: Option<&PersonaCatalogue>,
    workflows: Option<&Catalog>,
    diags: &mut Diagnostics,
) {
    let mut checker = Checker { catalogue, workflows, own_id: &workflow.metadata.id.text, diags };
    if let Some(persona) = &workflow.metadata.persona {
        checker.persona(persona);
    }
    if let Some(sla) = &workflow.sla {
        checker.sla(sla);
    }
    for step in workflow.all_steps() {
        checker.step(step);
    }
    if catalogue.is_some() {
        checker.capabilities(workflow);
    }
}

struct Checker<'a, 'd> {
    catalogue: Option<&'a PersonaCatalogue>,
    workflows: Option<&'a Catalog>,
    own_id: &'a str,
    diags: &'d mut Diagnostics,
}

impl Checker<'_, '_> {
    fn persona(&mut self, persona: &Text) {
        if let Some(catalogue) = self.catalogue
            && catalogue.get(&persona.text).is_none()
        {
            self.diags.error(persona.pos, catalogue.unknown(&persona.text));
        }
    }

    fn step(&mut self, step: &Step) {
        if let Some(raci) = &step.raci {
            self.raci(step, raci);
        }
        if step.human && !is_task(&step.action) {
            self.diags.error(step.pos, format!("`human: true` on `{}` applies to task steps only; remove it", step.id));
        }
        match &step.action {
            Action::Phase { sla: Some(sla), .. } => self.sla(sla),
            Action::While { max_iterations, escalate_to, condition, .. } => {
                if let Some(target) = escalate_to {
                    self.persona(target);
                }
                if max_iterations.is_none() {
                    let message = format!(
                        "`while-loop` `{}` has no `max_iterations`, so it may never end; add `max_iterations: <n>` (the loop then stops and escalates)",
                        step.id
                    );
                    if self.catalogue.is_some() {
                        self.diags.error(condition.pos, message);
                    } else {
                        self.diags.warning(condition.pos, message);
                    }
                }
            }
            _ => {}
        }
    }

    fn raci(&mut self, step: &Step, raci: &Raci) {
        let governable = is_task(&step.action) || matches!(step.action, Action::Phase { .. } | Action::Call { .. });
        let agent = matches!(step.action, Action::AdHoc { chooser: AdHocChooser::Agent { .. }, .. });
        if agent && raci.governs() {
            self.diags.error(
                raci.pos,
                format!(
                    "`{}` is an agent: its persona is who decides, and approvals do not apply to it; keep only `responsible` (or `persona:`) and approve in a following step",
                    step.id
                ),
            );
        } else if !governable && !agent {
            self.diags.error(
                raci.pos,
                format!(
                    "`raci` on `{}` does not apply: it belongs on a task step, a `phase` or an `execute-workflow`",
                    step.id
                ),
            );
        }
        for persona in raci.persona_refs() {
            self.persona(persona);
        }
        if raci.accountable.is_empty() {
            let needing = [
                raci.min_approvals.map(|(_, pos)| ("min_approvals", pos)),
                raci.veto.first().map(|v| ("veto", v.pos)),
                raci.auto_approve.as_ref().map(|a| ("auto_approve", a.pos)),
            ];
            for (key, pos) in needing.into_iter().flatten() {
                self.diags.error(pos, format!("`{key}` needs approvers; list them under `raci.accountable`"));
            }
        }
        if let Some((count, pos)) = raci.min_approvals
            && !raci.accountable.is_empty()
            && count as usize > raci.accountable.len()
        {
            self.diags.error(
                pos,
                format!(
                    "`min_approvals: {count}` is more than the {} approvers in `accountable`; lower it or add approvers",
                    raci.accountable.len()
                ),
            );
        }
        for veto in &raci.veto {
            if !raci.accountable.iter().any(|a| a.text == veto.text) {
                self.diags.error(
                    veto.pos,
                    format!(
                        "`{}` may veto but is not an approver; add it to `accountable` or remove the veto",
                        veto.text
                    ),
                );
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for approver in &raci.accountable {
            if seen.contains(&approver.text.as_str()) {
                self.diags.error(
                    approver.pos,
                    format!("`{}` is listed twice in `accountable`; list each approver once", approver.text),
                );
            }
            seen.push(&approver.text);
        }
        if step.human && raci.responsible.is_empty() {
            self.diags.error(
                step.pos,
                format!(
                    "`human: true` on `{}` needs `raci.responsible`: its persona types are the task's candidate groups",
                    step.id
                ),
            );
        }
    }

    fn sla(&mut self, sla: &Sla) {
        if let Some(target) = &sla.escalate_to {
            self.persona(target);
        }
        let Breach::Rollback(workflow) = &sla.on_breach else { return };
        if workflow.text == self.own_id {
            self.diags.error(workflow.pos, "a workflow cannot roll back by running itself; name a rollback workflow");
        } else if let Some(workflows) = self.workflows
            && !workflows.contains_key(&workflow.text)
        {
            self.diags.error(
                workflow.pos,
                format!(
                    "rollback workflow `{}` is not among the compiled files; check the id or add its file",
                    workflow.text
                ),
            );
        }
    }

    /// Each task step's responsible persona may perform the step's action.
    fn capabilities(&mut self, workflow: &Workflow) {
        let Some(catalogue) = self.catalogue else { return };
        for assignment in assignments(workflow) {
            let Some(kind) = action_kind(&assignment.step.action) else { continue };
            for persona in &assignment.responsible {
                let Some(found) = catalogue.get(persona) else { continue };
                if !found.capabilities.iter().any(|c| c == kind) {
                    let at = assignment.raci().map_or(assignment.step.pos, |r| r.pos);
                    self.diags.error(
                        at,
                        format!(
                            "persona `{persona}` may not run `{kind}` (step `{}`); add `{kind}` to its capabilities in {} or give the step another persona",
                            assignment.step.id, catalogue.source
                        ),
                    );
                }
            }
        }
    }
}
