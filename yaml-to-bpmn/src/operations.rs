//! Checks of `operation:` steps (`git-operation`, `azure-devops`) against the action catalogue
//! (the `actions` crate): the operation must exist and its `inputs` must give what it requires.
//!
//! With a persona catalogue (strict mode) these are errors; without one (workflows written for
//! other tools, such as the seed corpus) an unknown operation is a warning, since it can still
//! run dry or simulated.

use actions::{ActionSpec, Operation};

use crate::diagnostic::{Diagnostics, Pos};
use crate::dialect::ast::{Action, Step, Workflow};
use crate::yaml::{Node, Value};

/// Checks every operation step of `workflow`.
pub fn check_operations(workflow: &Workflow, strict: bool, diags: &mut Diagnostics) {
    for step in workflow.all_steps() {
        if let Action::Operation { job_type, operation, parameters } = &step.action
            && let Some(spec) = actions::by_job_type(job_type)
        {
            check_step(step, &spec, operation, parameters.as_ref(), strict, diags);
        }
    }
}

fn check_step(
    step: &Step,
    spec: &ActionSpec,
    operation: &str,
    parameters: Option<&Node>,
    strict: bool,
    diags: &mut Diagnostics,
) {
    let report = |diags: &mut Diagnostics, pos: Pos, message: String| {
        if strict { diags.error(pos, message) } else { diags.warning(pos, message) }
    };
    let Some(known) = spec.operation(operation) else {
        let names: Vec<&str> = spec.operations.iter().map(|o| o.name).collect();
        report(
            diags,
            step.pos,
            format!(
                "step `{}`: `{}` has no operation `{operation}`{}; use one of: {}",
                step.id,
                spec.name,
                suggestion(operation, &names),
                names.join(", ")
            ),
        );
        return;
    };
    let Some(node @ Node { value: Value::Map(_), .. }) = parameters else { return };
    for missing in missing_inputs(known, node) {
        report(
            diags,
            node.pos,
            format!(
                "step `{}`: operation `{operation}` of `{}` needs input `{missing}`; add `{missing}: ...` under `inputs`",
                step.id, spec.name
            ),
        );
    }
}

/// The required inputs of `operation` that the `inputs` mapping does not give.
fn missing_inputs<'a>(operation: &'a Operation, inputs: &Node) -> Vec<&'a str> {
    let given: Vec<&str> = inputs.entries().iter().map(|entry| entry.key.as_str()).collect();
    operation.inputs.iter().filter(|field| field.required && !given.contains(&field.name)).map(|f| f.name).collect()
}

/// ` (did you mean `x`?)` for the closest known name, when one is close.
fn suggestion(name: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|candidate| (strsim::levenshtein(name, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len() / 3 + 1)
        .min()
        .map_or_else(String::new, |(_, close)| format!(" (did you mean `{close}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_name_is_suggested_and_a_far_one_is_not() {
        assert_eq!(suggestion("creat-pr", &["create-pr", "update-pr"]), " (did you mean `create-pr`?)");
        assert_eq!(suggestion("launch-rocket", &["create-pr"]), "");
    }
}
