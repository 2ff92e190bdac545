//! Semantic checks of one workflow and, given the other workflows, of its calls.
//!
//! Errors: duplicate step ids, unparsable templates, references to undeclared inputs or unknown
//! steps, `item` outside a `for-loop`, calls to workflows that do not exist (directory mode).
//! Warnings: outputs no step declares, `context` names nothing sets, shell outputs the command
//! never prints, and call contract mismatches (unknown, missing or out-of-enum inputs).

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostics, Pos};
use crate::dialect::ast::{Action, Branch, BranchTest, Step, Text, Workflow};
use crate::index::WorkflowIndex;
use crate::template::{CONTEXT_BUILTINS, Expr, Segment, split, split_located};
use crate::texts::for_each_text;
use crate::yaml::{Node, position_in_scalar};

/// What callers need to know about a workflow: its declared inputs and outputs.
#[derive(Debug, Clone, Default)]
pub struct Signature {
    /// Declared inputs: name, whether a caller must pass it, enum values.
    pub inputs: Vec<(String, bool, Vec<String>)>,
    /// Declared workflow output names.
    pub outputs: Vec<String>,
    /// The workflows it calls, with where each call names its callee.
    pub calls: Vec<(String, Pos)>,
}

impl Signature {
    /// The signature of a parsed workflow.
    pub fn of(workflow: &Workflow) -> Self {
        Self {
            inputs: workflow.inputs.iter().map(|i| (i.name.clone(), i.must_be_passed(), i.values.clone())).collect(),
            outputs: workflow.outputs.iter().map(|o| o.name.clone()).collect(),
            calls: workflow
                .all_steps()
                .into_iter()
                .filter_map(|s| match &s.action {
                    Action::Call { workflow, .. } => Some((workflow.text.clone(), workflow.pos)),
                    Action::Phase { sla: Some(sla), .. } => rollback_call(sla),
                    _ => None,
                })
                .chain(workflow.sla.as_ref().and_then(rollback_call))
                .collect(),
        }
    }
}

/// The rollback workflow an SLA breach runs, as a call.
fn rollback_call(sla: &crate::dialect::ast::Sla) -> Option<(String, Pos)> {
    match &sla.on_breach {
        crate::dialect::ast::Breach::Rollback(workflow) => Some((workflow.text.clone(), workflow.pos)),
        _ => None,
    }
}

/// Workflow signatures by `metadata.id`, for cross-file checks.
pub type Catalog = HashMap<String, Signature>;

/// Runs every check on `workflow`; `catalog` enables the cross-file checks.
///
/// `source` is the YAML text the workflow was read from, to place diagnostics inside values.
pub fn check_workflow(workflow: &Workflow, source: &str, catalog: Option<&Catalog>, diags: &mut Diagnostics) {
    if let Some(catalog) = catalog {
        check_call_cycles(&workflow.metadata.id.text, catalog, diags);
    }
    let index = WorkflowIndex::new(workflow);
    check_duplicate_ids(workflow, diags);
    let set_names = context_names_set(workflow);
    let mut refs = RefChecker { index: &index, source, catalog, set_names, warned_context: HashSet::new(), diags };
    for_each_text(workflow, &mut |text, pos, in_loop| refs.text(text, pos, in_loop));
    for step in workflow.all_steps() {
        match &step.action {
            Action::Shell { command } => refs.shell_outputs(step, &command.text),
            Action::Call { workflow, inputs } => refs.call_contract(step, &workflow.text, workflow.pos, inputs),
            Action::While { condition, .. } => refs.loop_exit(step, condition),
            Action::Switch { branches, .. } => contains_branches(step, branches, refs.diags),
            Action::SetVariable { variable, value } => text_that_is_not_data(variable, value, refs.diags),
            _ => {}
        }
    }
}

/// A call that leads back to the calling workflow starts instances without end: warn at the
/// first call of `id` that is on such a cycle.
pub fn check_call_cycles(id: &str, catalog: &Catalog, diags: &mut Diagnostics) {
    let Some(signature) = catalog.get(id) else { return };
    for (callee, pos) in &signature.calls {
        if let Some(path) = call_path(callee, id, catalog) {
            diags.warning(
                *pos,
                format!(
                    "this call leads back to `{id}` ({id} → {}); an instance would never end, break the cycle",
                    path.join(" → ")
                ),
            );
            return;
        }
    }
}

/// The chain of calls from `from` to `to` (both included), if there is one (breadth first).
fn call_path(from: &str, to: &str, catalog: &Catalog) -> Option<Vec<String>> {
    let mut previous: HashMap<&str, &str> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([from]);
    let mut seen: HashSet<&str> = HashSet::from([from]);
    while let Some(current) = queue.pop_front() {
        if current == to {
            let mut path = vec![current.to_owned()];
            let mut at = current;
            while let Some(&before) = previous.get(at) {
                path.push(before.to_owned());
                at = before;
            }
            path.reverse();
            return Some(path);
        }
        for (callee, _) in catalog.get(current).map(|s| s.calls.as_slice()).unwrap_or_default() {
            if seen.insert(callee) {
                previous.insert(callee, current);
                queue.push_back(callee);
            }
        }
    }
    None
}

/// `set-variable` values that are code or YAML with templated keys (survey D18) compile to plain
/// text, which is rarely what their author meant.
fn text_that_is_not_data(variable: &str, value: &Node, diags: &mut Diagnostics) {
    let Some(text) = value.as_str() else { return };
    let lines = || text.lines().map(str::trim);
    let code = lines().any(|l| (l.starts_with("if ") || l.starts_with("elif ")) && l.ends_with(':') || l == "else:");
    let templated_keys = lines().any(|l| l.starts_with("${") && l.contains("}:"));
    if code {
        diags.warning(
            value.pos,
            format!("the value of `{variable}` looks like code (if/else); it is stored as text, not run"),
        );
    } else if templated_keys {
        diags.warning(
            value.pos,
            format!(
                "the value of `{variable}` is YAML text with templated keys; it is stored as text, not as a mapping"
            ),
        );
    }
}

/// Several `contains` branches may all match, but only the first one runs (exclusive gateway).
fn contains_branches(step: &Step, branches: &[Branch], diags: &mut Diagnostics) {
    let contains: Vec<&Branch> = branches.iter().filter(|b| matches!(b.test, BranchTest::Contains(_))).collect();
    if let [_, second, ..] = contains.as_slice() {
        diags.warning(
            second.pos,
            format!(
                "`{}` has several `contains` branches; only the first that matches runs, so order them by priority",
                step.id
            ),
        );
    }
}

fn check_duplicate_ids(workflow: &Workflow, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, Pos> = HashMap::new();
    for step in workflow.all_steps() {
        if let Some(first) = seen.get(step.id.as_str()) {
            diags.error(
                step.pos,
                format!(
                    "duplicate step id `{}` (first at line {}:{}); give each step its own id",
                    step.id, first.line, first.column
                ),
            );
        } else {
            seen.insert(&step.id, step.pos);
        }
    }
}

/// Names a `context.X` read may find: set-variable targets and step outputs (the implicit flat context).
fn context_names_set(workflow: &Workflow) -> HashSet<String> {
    let mut names: HashSet<String> = CONTEXT_BUILTINS.iter().map(|s| (*s).to_owned()).collect();
    let has_sla = workflow.sla.is_some()
        || workflow.all_steps().iter().any(|s| matches!(s.action, Action::Phase { sla: Some(_), .. }));
    if has_sla {
        // The compiled process keeps its SLA status in these (see `lower::sla`).
        names.extend([crate::lower::SLA_BREACHED_VARIABLE, crate::lower::SLA_BREACHES_VARIABLE].map(str::to_owned));
    }
    for step in workflow.all_steps() {
        names.extend(step.outputs.iter().map(|o| o.text.clone()));
        if let Action::SetVariable { variable, .. } = &step.action {
            names.insert(variable.clone());
        }
    }
    names
}

struct RefChecker<'a, 'd> {
    index: &'a WorkflowIndex<'a>,
    source: &'a str,
    catalog: Option<&'a Catalog>,
    set_names: HashSet<String>,
    warned_context: HashSet<String>,
    diags: &'d mut Diagnostics,
}

impl RefChecker<'_, '_> {
    /// A `while-loop` whose condition reads only `context` names that nothing sets never ends.
    fn loop_exit(&mut self, step: &Step, condition: &Text) {
        let Ok(segments) = split(&condition.text) else { return };
        let mut names = Vec::new();
        let mut other_inputs = false;
        for segment in &segments {
            if let Segment::Template(expr) = segment {
                expr.visit(&mut |e| match e {
                    Expr::Context(name) => names.push(name.clone()),
                    Expr::Step { .. } | Expr::Input(_) | Expr::Item | Expr::Error(_) => other_inputs = true,
                    _ => {}
                });
            }
        }
        if !other_inputs && !names.is_empty() && names.iter().all(|n| !self.set_names.contains(n)) {
            self.diags.warning(
                condition.pos,
                format!(
                    "nothing sets {} so `{}` never ends; set it inside the loop with `set-variable`",
                    names.iter().map(|n| format!("`context.{n}`")).collect::<Vec<_>>().join(", "),
                    step.id
                ),
            );
        }
    }

    fn shell_outputs(&mut self, step: &Step, command: &str) {
        for output in &step.outputs {
            if !command.contains(&output.text) {
                self.diags.warning(
                    output.pos,
                    format!(
                        "step `{}` declares output `{}` but its command never prints it; print `{}=<value>`",
                        step.id, output.text, output.text
                    ),
                );
            }
        }
    }

    /// Checks the templates of a text; diagnostics point at the template inside the scalar.
    fn text(&mut self, text: &str, pos: Pos, in_loop: bool) {
        match split_located(text) {
            Err(error) => self.diags.error(position_in_scalar(self.source, pos, text, error.offset), error.message),
            Ok(segments) => {
                let source = self.source;
                for (offset, segment) in &segments {
                    if let Segment::Template(expr) = segment {
                        // Locating a template inside its scalar costs a scan of the source, so it
                        // is done only when a diagnostic needs the position.
                        let at = || position_in_scalar(source, pos, text, *offset);
                        expr.visit(&mut |e| self.reference(e, &at, in_loop));
                    }
                }
            }
        }
    }

    fn reference(&mut self, expr: &Expr, at: &dyn Fn() -> Pos, in_loop: bool) {
        let workflow = self.index.workflow();
        match expr {
            Expr::Input(name) if workflow.input(name).is_none() => {
                self.diags.error(
                    at(),
                    format!("`inputs.{name}` is not a declared input; declare it under `inputs:` or fix the name"),
                );
            }
            Expr::Step { id, output } => match (self.index.step(id), output) {
                (None, _) => {
                    self.diags.error(at(), format!("`steps.{id}` names no step of this workflow; check the step id"))
                }
                (Some(step), Some(output))
                    if self.index.declarers(id, output).is_empty() && !self.callee_exports(step, output) =>
                {
                    self.diags.warning(
                        at(),
                        format!("step `{id}` declares no output `{output}` (nor do its children); add it to the step's `outputs:` or fix the name"),
                    );
                }
                _ => {}
            },
            Expr::Context(name) if !self.set_names.contains(name) && self.warned_context.insert(name.clone()) => {
                self.diags.warning(
                    at(),
                    format!("`context.{name}` is never set in this workflow and will be null; set it with a `set-variable` step"),
                );
            }
            Expr::Item if !in_loop => {
                self.diags.error(at(), "`item` is only defined inside a `for-loop`; move the step into the loop")
            }
            _ => {}
        }
    }

    fn callee_exports(&self, step: &Step, output: &str) -> bool {
        match (&step.action, self.catalog) {
            (Action::Call { workflow, .. }, Some(catalog)) => {
                catalog.get(&workflow.text).is_some_and(|s| s.outputs.iter().any(|o| o == output))
            }
            _ => false,
        }
    }

    fn call_contract(&mut self, step: &Step, callee: &str, pos: Pos, inputs: &[(Text, Node)]) {
        let Some(catalog) = self.catalog else { return };
        let Some(signature) = catalog.get(callee) else {
            self.diags.error(
                pos,
                format!("workflow `{callee}` is not among the compiled files; check the id or add its file"),
            );
            return;
        };
        for (name, value) in inputs {
            match signature.inputs.iter().find(|(n, _, _)| *n == name.text) {
                None => self.diags.warning(
                    name.pos,
                    format!("`{callee}` declares no input `{}`; it is ignored, remove or rename it", name.text),
                ),
                Some((_, _, values)) if !values.is_empty() => {
                    if let Some(text) = value.scalar_text().filter(|t| !t.contains("${") && !values.contains(t)) {
                        self.diags.warning(
                            value.pos,
                            format!("`{text}` is not a value of `{callee}` input `{}` ({values:?})", name.text),
                        );
                    }
                }
                Some(_) => {}
            }
        }
        for (name, must, _) in &signature.inputs {
            if *must && !inputs.iter().any(|(n, _)| n.text == *name) {
                self.diags.warning(
                    step.pos,
                    format!("call of `{callee}` does not pass its required input `{name}`; add it under `inputs:`"),
                );
            }
        }
        for output in &step.outputs {
            if !signature.outputs.contains(&output.text) {
                self.diags.warning(output.pos, format!("`{callee}` has no output `{}`; it will be null", output.text));
            }
        }
    }
}
