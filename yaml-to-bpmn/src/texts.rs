//! Every place of a workflow where templates may occur, visited in document order.

use crate::diagnostic::Pos;
use crate::dialect::ast::{Action, AdHocChooser, Step, WaitDuration, Workflow};
use crate::yaml::{Node, Value};

/// Calls `visit(text, position, inside_for_loop)` for every text that may hold templates.
pub fn for_each_text(workflow: &Workflow, visit: &mut dyn FnMut(&str, Pos, bool)) {
    let on_failure = workflow.error_handling.iter().flat_map(|e| &e.on_failure);
    for step in workflow.steps.iter().chain(on_failure) {
        step_texts(step, false, visit);
    }
    for output in &workflow.outputs {
        node_texts(&output.value, false, visit);
    }
    for notification in workflow.error_handling.iter().flat_map(|e| &e.notifications) {
        visit(&notification.target.text, notification.target.pos, false);
    }
}

fn step_texts(step: &Step, in_loop: bool, visit: &mut dyn FnMut(&str, Pos, bool)) {
    let auto_approve = step.raci.as_ref().and_then(|r| r.auto_approve.as_ref());
    for text in [step.on_error.as_ref(), step.guard.as_ref(), auto_approve].into_iter().flatten() {
        visit(&text.text, text.pos, in_loop);
    }
    if let Action::Llm { context, .. } = &step.action {
        for value in context {
            visit(&format!("${{{}}}", value.text), value.pos, in_loop);
        }
    }
    match &step.action {
        Action::Shell { command: text }
        | Action::Log { message: text, .. }
        | Action::If { condition: text, .. }
        | Action::While { condition: text, .. }
        | Action::Switch { subject: text, .. }
        | Action::ForEach { items: text, .. }
        | Action::Llm { prompt: text, .. }
        | Action::Wait { duration: WaitDuration::Dynamic { template: text, .. } } => {
            visit(&text.text, text.pos, in_loop)
        }
        Action::Notify { channel, message } => {
            visit(&channel.text, channel.pos, in_loop);
            visit(&message.text, message.pos, in_loop);
        }
        Action::Operation { parameters: Some(node), .. } | Action::SetVariable { value: node, .. } => {
            node_texts(node, in_loop, visit)
        }
        Action::Call { inputs, .. } => inputs.iter().for_each(|(_, value)| node_texts(value, in_loop, visit)),
        Action::AdHoc { chooser: AdHocChooser::Agent { goal, .. }, .. } => visit(&goal.text, goal.pos, in_loop),
        Action::AdHoc { chooser: AdHocChooser::List { run, until }, .. } => {
            for text in std::iter::once(run).chain(until) {
                visit(&text.text, text.pos, in_loop);
            }
        }
        Action::Operation { parameters: None, .. }
        | Action::Parallel { .. }
        | Action::Phase { .. }
        | Action::Repeat { .. }
        | Action::Wait { duration: WaitDuration::Fixed(_) } => {}
    }
    let body_in_loop = in_loop || matches!(step.action, Action::ForEach { .. });
    for child in step.action.children() {
        step_texts(child, body_in_loop, visit);
    }
}

fn node_texts(node: &Node, in_loop: bool, visit: &mut dyn FnMut(&str, Pos, bool)) {
    match &node.value {
        Value::Str(text) => visit(text, node.pos, in_loop),
        Value::Seq(items) => items.iter().for_each(|n| node_texts(n, in_loop, visit)),
        Value::Map(entries) => entries.iter().for_each(|e| node_texts(&e.value, in_loop, visit)),
        _ => {}
    }
}
