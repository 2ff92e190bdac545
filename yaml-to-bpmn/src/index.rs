//! What the checks and the lowering need to look up in a workflow: steps by id, who declares
//! which output, which inputs are boolean.

use std::collections::HashMap;

use crate::dialect::ast::{Action, InputType, Step, Workflow};
use crate::template::Scope;

/// Steps by id and their declared outputs, for one workflow.
pub struct WorkflowIndex<'a> {
    workflow: &'a Workflow,
    steps: HashMap<&'a str, &'a Step>,
}

impl<'a> WorkflowIndex<'a> {
    /// Indexes every step (the first of duplicate ids wins; duplicates are reported elsewhere).
    pub fn new(workflow: &'a Workflow) -> Self {
        let mut steps = HashMap::new();
        for step in workflow.all_steps() {
            steps.entry(step.id.as_str()).or_insert(step);
        }
        Self { workflow, steps }
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&'a Step> {
        self.steps.get(id).copied()
    }

    /// The workflow indexed.
    pub fn workflow(&self) -> &'a Workflow {
        self.workflow
    }

    /// The ids of `id` and its descendants that declare `output`, in document order.
    pub fn declarers(&self, id: &str, output: &str) -> Vec<String> {
        let Some(step) = self.step(id) else { return Vec::new() };
        let mut all = Vec::new();
        step.walk(&mut all);
        all.into_iter().filter(|s| declares(s, output)).map(|s| s.id.clone()).collect()
    }
}

/// The outputs the compiler itself records under `steps.<id>`: approval results for steps with
/// approvers, consultations for steps with consulted personas, and loop bookkeeping.
pub fn implicit_outputs(step: &Step) -> &'static [&'static str] {
    match (&step.action, &step.raci) {
        (Action::While { .. }, _) => &["iterations", "LIMIT_REACHED"],
        (_, Some(raci)) if !raci.accountable.is_empty() => {
            &["APPROVED", "APPROVALS", "VETOED_BY", "REJECT_REASON", "AUTO_APPROVED", "CONSULTATIONS"]
        }
        (_, Some(raci)) if !raci.consulted.is_empty() => &["CONSULTATIONS"],
        _ => &[],
    }
}

fn declares(step: &Step, output: &str) -> bool {
    step.outputs.iter().any(|o| o.text == output) || implicit_outputs(step).contains(&output)
}

impl Scope for WorkflowIndex<'_> {
    fn is_boolean_input(&self, name: &str) -> bool {
        self.workflow.input(name).is_some_and(|i| i.ty == InputType::Boolean)
    }

    fn step_sources(&self, id: &str, output: &str) -> Vec<String> {
        match self.step(id) {
            Some(step) if declares(step, output) || matches!(step.action, Action::Call { .. }) => vec![id.to_owned()],
            Some(_) => match self.declarers(id, output) {
                found if found.is_empty() => vec![id.to_owned()],
                found => found,
            },
            None => vec![id.to_owned()],
        }
    }
}
