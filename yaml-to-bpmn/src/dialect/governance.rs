//! Reading the governance blocks of the dialect: `raci:` (and its `persona:` shorthand), `sla:`,
//! and typed step `outputs`.

use actions::Shape;

use super::ast::{Breach, Escalation, Raci, Sla, Text};
use super::fields::Fields;
use super::parse::duration_or_report;
use crate::diagnostic::{Diagnostics, Pos};
use crate::yaml::{Node, Value};

/// Reads a `raci:` block.
pub fn parse_raci(node: &Node, diags: &mut Diagnostics) -> Option<Raci> {
    let mut f = Fields::of(node, "`raci`", diags)?;
    let responsible = persona_list(f.get("responsible"), "responsible", diags);
    let accountable = persona_list(f.get("accountable"), "accountable", diags);
    let veto = persona_list(f.get("veto"), "veto", diags);
    let consulted = persona_list(f.get("consulted"), "consulted", diags);
    let informed = persona_list(f.get("informed"), "informed", diags);
    let min_approvals = f.get("min_approvals").and_then(|n| match n.value {
        Value::Int(count) if count >= 1 => u32::try_from(count).ok().map(|c| (c, n.pos)),
        _ => {
            diags.error(n.pos, "`min_approvals` must be a whole number of at least 1, e.g. `min_approvals: 2`");
            None
        }
    });
    let escalation = f.get("escalation").and_then(|n| parse_escalation(n, diags));
    let auto_approve = f.text("auto_approve", diags).map(|(text, pos)| Text { text, pos });
    f.finish(diags);
    Some(Raci {
        responsible,
        accountable,
        min_approvals,
        veto,
        consulted,
        informed,
        escalation,
        auto_approve,
        pos: node.pos,
    })
}

/// The `persona: <type>` shorthand: a block whose only entry is the responsible type.
pub fn persona_shorthand(text: String, pos: Pos) -> Raci {
    Raci { responsible: vec![Text { text, pos }], pos, ..Raci::default() }
}

/// One persona type id or a list of them.
fn persona_list(node: Option<&Node>, key: &str, diags: &mut Diagnostics) -> Vec<Text> {
    let Some(node) = node else { return Vec::new() };
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items
        .into_iter()
        .filter_map(|item| match item.scalar_text() {
            Some(text) if !text.trim().is_empty() => Some(Text { text: text.trim().to_owned(), pos: item.pos }),
            _ => {
                diags.error(
                    item.pos,
                    format!("`{key}` lists persona type ids such as `software-architect`, found {}", item.kind_name()),
                );
                None
            }
        })
        .collect()
}

fn parse_escalation(node: &Node, diags: &mut Diagnostics) -> Option<Escalation> {
    let mut f = Fields::of(node, "`escalation`", diags)?;
    let after = f.text("after", diags);
    let to = f.text("to", diags);
    f.finish(diags);
    let (Some((after, after_pos)), Some((to, to_pos))) = (after, to) else {
        diags.error(
            node.pos,
            "`escalation` needs `after` and `to`, e.g. `escalation: {after: 4h, to: engineering-manager}`",
        );
        return None;
    };
    let after = duration_or_report(&after, after_pos, "escalation.after", diags)?;
    Some(Escalation { after, to: Text { text: to, pos: to_pos } })
}

/// Reads an `sla:`: a duration (breach escalates) or `{duration, on_breach, escalate_to}`.
pub fn parse_sla(node: &Node, diags: &mut Diagnostics) -> Option<Sla> {
    if let Some(text) = node.scalar_text() {
        let duration = duration_or_report(&text, node.pos, "sla", diags)?;
        return Some(Sla { duration, on_breach: Breach::Escalate, escalate_to: None, pos: node.pos });
    }
    let mut f = Fields::of(node, "`sla`", diags)?;
    let duration = f.text("duration", diags);
    let on_breach = match f.get("on_breach") {
        None => Some(Breach::Escalate),
        Some(breach) => parse_breach(breach, diags),
    };
    let escalate_to = f.text("escalate_to", diags).map(|(text, pos)| Text { text, pos });
    f.finish(diags);
    let Some((duration, duration_pos)) = duration else {
        diags.error(node.pos, "`sla` has no `duration`; add e.g. `duration: 4h`");
        return None;
    };
    let duration = duration_or_report(&duration, duration_pos, "sla.duration", diags)?;
    Some(Sla { duration, on_breach: on_breach?, escalate_to, pos: node.pos })
}

fn parse_breach(node: &Node, diags: &mut Diagnostics) -> Option<Breach> {
    const HOW: &str = "use `escalate`, `interrupt` or `{rollback: <workflow-id>}`";
    match node.scalar_text().as_deref() {
        Some("escalate") => return Some(Breach::Escalate),
        Some("interrupt") => return Some(Breach::Interrupt),
        Some(other) => {
            diags.error(node.pos, format!("`on_breach: {other}` is not understood; {HOW}"));
            return None;
        }
        None => {}
    }
    match node.entries() {
        [entry] if entry.key == "rollback" => match entry.value.scalar_text() {
            Some(workflow) => Some(Breach::Rollback(Text { text: workflow, pos: entry.value.pos })),
            None => {
                diags.error(
                    entry.value.pos,
                    "`rollback` names the rollback workflow's id, e.g. `rollback: wf11-rollback`",
                );
                None
            }
        },
        _ => {
            diags.error(node.pos, format!("`on_breach` is not understood; {HOW}"));
            None
        }
    }
}

/// Reads a step's `outputs` list: bare names, or one-key maps from a name to its shape.
pub fn parse_outputs(items: &[Node], diags: &mut Diagnostics) -> (Vec<Text>, Vec<(String, Shape)>) {
    let mut names = Vec::new();
    let mut shapes = Vec::new();
    for item in items {
        let (name, pos, shape) = match (&item.value, item.entries()) {
            (Value::Map(_), [entry]) => match parse_shape(&entry.value, diags) {
                Some(shape) => (entry.key.clone(), entry.key_pos, Some(shape)),
                None => continue,
            },
            _ => match item.scalar_text() {
                Some(text) => (text, item.pos, None),
                None => {
                    diags.error(item.pos, "a step output is a name such as `BRANCH_NAME`, or `NAME: boolean`");
                    continue;
                }
            },
        };
        if !super::parse::is_valid_id(&name) {
            diags.error(pos, format!("step output `{name}` must be a name such as `BRANCH_NAME`"));
            continue;
        }
        if let Some(shape) = shape {
            shapes.push((name.clone(), shape));
        }
        names.push(Text { text: name, pos });
    }
    (names, shapes)
}

fn parse_shape(node: &Node, diags: &mut Diagnostics) -> Option<Shape> {
    if let Value::Seq(values) = &node.value {
        let values: Vec<String> = values.iter().filter_map(Node::scalar_text).collect();
        if values.is_empty() {
            diags.error(node.pos, "an output's list of values is empty; list the values it can take");
            return None;
        }
        return Some(Shape::OneOf(values));
    }
    let word = node.scalar_text();
    match word.as_deref().and_then(Shape::from_keyword) {
        Some(shape) => Some(shape),
        None => {
            diags.error(
                node.pos,
                format!(
                    "unknown output shape `{}`; use string, boolean, number, list, object or a list of values",
                    word.as_deref().unwrap_or("?")
                ),
            );
            None
        }
    }
}
