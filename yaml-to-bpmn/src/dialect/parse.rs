//! From the located YAML tree to the dialect AST, reporting what is missing or malformed.

use super::ast::*;
use super::fields::Fields;
use super::governance::{parse_outputs, parse_raci, parse_sla, persona_shorthand};
use crate::diagnostic::{Diagnostics, Pos};
use crate::duration::{DurationError, parse_duration};
use crate::yaml::{Node, Value};

/// Reads a workflow from its YAML root. Returns `None` when something essential is missing; the
/// reasons are in `diags`.
pub fn parse_workflow(root: &Node, diags: &mut Diagnostics) -> Option<Workflow> {
    let mut top = Fields::of(root, "the workflow file", diags)?;
    let metadata = match top.get("metadata") {
        Some(node) => parse_metadata(node, diags),
        None => {
            diags.error(root.pos, "the workflow has no `metadata:`; add `metadata:` with at least `id:` and `name:`");
            None
        }
    };
    let inputs: Vec<Input> = top.list("inputs", diags).iter().filter_map(|n| parse_input(n, diags)).collect();
    let prerequisites = top.list("prerequisites", diags).iter().filter_map(|n| parse_prerequisite(n, diags)).collect();
    let steps = match top.entry("steps") {
        Some(entry) => parse_steps(&entry.value, "", diags),
        None => {
            diags.error(root.pos, "the workflow has no `steps:`; add a list of steps");
            Vec::new()
        }
    };
    let outputs = top.list("outputs", diags).iter().filter_map(|n| parse_output(n, diags)).collect();
    let success_criteria = top.list("successCriteria", diags).iter().filter_map(Node::scalar_text).collect();
    let error_handling = top.get("errorHandling").and_then(|n| parse_error_handling(n, diags));
    let sla = top.get("sla").and_then(|n| parse_sla(n, diags));
    let schedule = top.get("schedule").and_then(|n| super::schedule::parse_schedule(n, diags));
    top.finish(diags);
    let metadata = metadata?;
    if let (Some(_), Some(seed_sla)) = (&sla, &metadata.sla) {
        diags.error(seed_sla.pos, "the workflow has both `sla:` and `metadata.sla`; keep one (the top-level `sla:` can say what a breach does)");
    }
    let sla = sla.or_else(|| metadata.sla.clone());
    if let Some(schedule) = &schedule {
        for input in inputs.iter().filter(|i: &&Input| i.must_be_passed()) {
            diags.error(
                schedule.pos,
                format!(
                    "`schedule` starts the workflow without inputs, but input `{}` is required and has no default; \
                     give it a `default:`",
                    input.name
                ),
            );
        }
    }
    Some(Workflow { metadata, inputs, prerequisites, steps, outputs, success_criteria, error_handling, sla, schedule })
}

/// True for names usable as BPMN element ids and FEEL context keys: a letter or `_`, then
/// letters, digits, `_`, `-` or `.`.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn parse_metadata(node: &Node, diags: &mut Diagnostics) -> Option<Metadata> {
    let mut fields = Fields::of(node, "`metadata`", diags)?;
    let id = fields.text("id", diags);
    let name = fields.text("name", diags).map(|t| t.0);
    let description = fields.text("description", diags).map(|t| t.0);
    let persona = fields
        .get("persona_info")
        .and_then(|p| p.get("type"))
        .and_then(|n| n.scalar_text().map(|text| Text { text, pos: n.pos }));
    let sla = fields.get("sla").and_then(|n| parse_sla(n, diags));
    let mut properties = Vec::new();
    for key in
        ["version", "type", "author", "tags", "averageDuration", "idempotent", "role", "authorityRequired", "critical"]
    {
        if let Some(value) = fields.get(key) {
            properties.push((key.to_owned(), flatten(value)));
        }
    }
    if let Some(info) = fields.get("persona_info") {
        for entry in info.entries() {
            properties.push((format!("persona_info.{}", entry.key), flatten(&entry.value)));
        }
    }
    fields.finish(diags);
    let Some((id, pos)) = id else {
        diags.error(node.pos, "`metadata` has no `id`; add `id: <workflow-id>` (the file name without .yaml)");
        return None;
    };
    if !is_valid_id(&id) {
        diags.error(
            pos,
            format!(
                "metadata id `{id}` is not a valid process id; use letters, digits, `-` and `_`, starting with a letter"
            ),
        );
        return None;
    }
    Some(Metadata { id: Text { text: id, pos }, name, description, persona, sla, properties })
}

/// A scalar or a list of scalars as one line of text.
fn flatten(node: &Node) -> String {
    match &node.value {
        Value::Seq(items) => items.iter().map(flatten).collect::<Vec<_>>().join(", "),
        Value::Map(entries) => {
            entries.iter().map(|e| format!("{}={}", e.key, flatten(&e.value))).collect::<Vec<_>>().join(", ")
        }
        _ => node.scalar_text().unwrap_or_default(),
    }
}

/// The ISO-8601 form of a duration field, or an error at `pos` saying how to write one.
pub(super) fn duration_or_report(text: &str, pos: Pos, what: &str, diags: &mut Diagnostics) -> Option<String> {
    match parse_duration(text) {
        Ok(iso) => Some(iso),
        Err(DurationError) => {
            diags.error(
                pos,
                format!("bad duration `{text}` in `{what}`; write a whole number above 0 and a unit s, m, h or d (e.g. `30m`), or ISO-8601 (e.g. `PT4H`)"),
            );
            None
        }
    }
}

fn parse_input(node: &Node, diags: &mut Diagnostics) -> Option<Input> {
    let mut fields = Fields::of(node, "an input", diags)?;
    let name = fields.text("name", diags);
    let ty = fields.text("type", diags);
    let values: Vec<String> = fields.list("values", diags).iter().filter_map(Node::scalar_text).collect();
    let default = fields.get("default").cloned();
    let required = fields.boolean("required", diags).unwrap_or(false);
    let _ = (fields.get("description"), fields.get("pattern"));
    fields.finish(diags);
    let Some((name, name_pos)) = name else {
        diags.error(node.pos, "an input has no `name`; add `name: <UPPER_SNAKE_NAME>`");
        return None;
    };
    if !is_valid_id(&name) {
        diags.error(name_pos, format!("input name `{name}` is not a valid variable name; use letters, digits and `_`"));
        return None;
    }
    let ty = match ty.as_ref().map(|(t, p)| (t.as_str(), *p)) {
        Some(("string", _)) | None => InputType::String,
        Some(("enum", _)) => InputType::Enum,
        Some(("boolean", _)) => InputType::Boolean,
        Some(("number", _)) => InputType::Number,
        Some(("array", _)) => InputType::Array,
        Some(("object", _)) => InputType::Object,
        Some((other, pos)) => {
            diags.error(
                pos,
                format!(
                    "input `{name}` has unknown type `{other}`; use string, enum, boolean, number, array or object"
                ),
            );
            return None;
        }
    };
    if ty == InputType::Enum && values.is_empty() {
        diags.warning(node.pos, format!("enum input `{name}` lists no `values`; add `values: [a, b]`"));
    }
    if let Some(default) = &default
        && !default_fits(ty, default)
    {
        diags.warning(
            default.pos,
            format!("default of input `{name}` is {}, which does not fit its type", default.kind_name()),
        );
    }
    if let (InputType::Enum, Some(default)) = (ty, &default)
        && let Some(text) = default.scalar_text().filter(|t| !values.contains(t))
    {
        diags.warning(default.pos, format!("default `{text}` of input `{name}` is not one of its values {values:?}"));
    }
    Some(Input { name, ty, values, default, required, pos: node.pos })
}

/// True when a default value has the shape its declared type promises.
fn default_fits(ty: InputType, default: &Node) -> bool {
    matches!(
        (ty, &default.value),
        (_, Value::Null)
            | (InputType::String | InputType::Enum, Value::Str(_) | Value::Int(_) | Value::Float(_))
            | (InputType::Boolean, Value::Bool(_))
            | (InputType::Number, Value::Int(_) | Value::Float(_))
            | (InputType::Array, Value::Seq(_))
            | (InputType::Object, Value::Map(_))
    )
}

fn parse_prerequisite(node: &Node, diags: &mut Diagnostics) -> Option<Prerequisite> {
    let mut fields = Fields::of(node, "a prerequisite", diags)?;
    let description = fields.text("description", diags).map(|t| t.0).unwrap_or_default();
    let required = fields.boolean("required", diags).unwrap_or(false);
    let check = fields.text("check", diags).map(|t| t.0);
    fields.finish(diags);
    Some(Prerequisite { description, required, check })
}

fn parse_output(node: &Node, diags: &mut Diagnostics) -> Option<WorkflowOutput> {
    let mut fields = Fields::of(node, "a workflow output", diags)?;
    let name = fields.text("name", diags);
    let value = fields.entry("value").map(|e| e.value.clone());
    let _ = fields.get("description");
    fields.finish(diags);
    let Some((name, pos)) = name else {
        diags.error(node.pos, "a workflow output has no `name`; add `name: <UPPER_SNAKE_NAME>`");
        return None;
    };
    if !is_valid_id(&name) {
        diags.error(pos, format!("output name `{name}` is not a valid variable name; use letters, digits and `_`"));
        return None;
    }
    let Some(value) = value else {
        diags.error(
            node.pos,
            format!("workflow output `{name}` has no `value`; add `value: \"${{steps.<id>.<OUTPUT>}}\"`"),
        );
        return None;
    };
    Some(WorkflowOutput { name, value })
}

fn parse_error_handling(node: &Node, diags: &mut Diagnostics) -> Option<ErrorHandling> {
    let mut fields = Fields::of(node, "`errorHandling`", diags)?;
    let strategy = match fields.text("strategy", diags) {
        None => Strategy::FailFast,
        Some((text, pos)) => match text.as_str() {
            "fail-fast" => Strategy::FailFast,
            "rollback" => Strategy::Rollback,
            "retry" => Strategy::Retry,
            "continue-on-error" => Strategy::ContinueOnError,
            "escalate" => Strategy::Escalate,
            other => {
                diags.error(
                    pos,
                    format!(
                        "unknown strategy `{other}`; use fail-fast, rollback, retry, continue-on-error or escalate"
                    ),
                );
                Strategy::FailFast
            }
        },
    };
    let on_failure = match fields.entry("onFailure") {
        Some(entry) => parse_steps(&entry.value, "onFailure", diags),
        None => Vec::new(),
    };
    let notifications =
        fields.list("notifications", diags).iter().filter_map(|n| parse_notification(n, diags)).collect();
    fields.finish(diags);
    Some(ErrorHandling { strategy, on_failure, notifications })
}

fn parse_notification(node: &Node, diags: &mut Diagnostics) -> Option<Notification> {
    let mut fields = Fields::of(node, "a notification", diags)?;
    let kind = fields.text("type", diags);
    let target = fields.text("target", diags);
    fields.finish(diags);
    let Some((kind, _)) = kind else {
        diags.error(node.pos, "a notification has no `type`; add `type: log|slack|email|...`");
        return None;
    };
    let (text, pos) = target.unwrap_or_else(|| (String::new(), node.pos));
    Some(Notification { kind, target: Text { text, pos } })
}

/// Reads a list of steps; `parent` is the path id prefix for anonymous steps.
fn parse_steps(node: &Node, parent: &str, diags: &mut Diagnostics) -> Vec<Step> {
    let items = match &node.value {
        Value::Seq(items) => items.as_slice(),
        Value::Null => &[],
        _ => {
            diags.error(
                node.pos,
                format!("`steps` must be a list of steps (`- id: ...` entries), found {}", node.kind_name()),
            );
            &[]
        }
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let path = if parent.is_empty() { format!("step{index}") } else { format!("{parent}__s{index}") };
            parse_step(item, path, diags)
        })
        .collect()
}

fn parse_step(node: &Node, path_id: String, diags: &mut Diagnostics) -> Option<Step> {
    let mut f = Fields::of(node, "a step", diags)?;
    let explicit = f.text("id", diags);
    if let Some((id, pos)) = &explicit
        && !is_valid_id(id)
    {
        diags.error(
            *pos,
            format!("step id `{id}` is not valid; use letters, digits, `-` and `_`, starting with a letter"),
        );
        return None;
    }
    let explicit_id = explicit.is_some();
    let id = explicit.map(|t| t.0).unwrap_or(path_id);
    let name = f.text("name", diags).map(|t| t.0);
    let description = f.text("description", diags).map(|t| t.0);
    let (outputs, shapes) = parse_outputs(f.list("outputs", diags), diags);
    let raci = match (f.get("raci"), f.text("persona", diags)) {
        (Some(_), Some((_, pos))) => {
            diags.error(pos, "a step has both `persona:` and `raci:`; name the persona as `raci.responsible`");
            None
        }
        (Some(block), None) => parse_raci(block, diags),
        (None, Some((persona, pos))) => Some(persona_shorthand(persona, pos)),
        (None, None) => None,
    };
    let human = f.boolean("human", diags).unwrap_or(false);
    let on_error = f.text("onError", diags).map(|(text, pos)| Text { text, pos });
    if let Some(on_error) = &on_error
        && !on_error.text.contains("${")
        && on_error.text != "fail"
        && on_error.text != "continue"
    {
        diags.error(on_error.pos, format!("`onError: {}` is not understood; use `fail` or `continue`", on_error.text));
    }
    let retries = ["retryCount", "maxRetries"].into_iter().find_map(|key| {
        let node = f.get(key)?;
        match node.value {
            Value::Int(n) => u32::try_from(n).ok(),
            _ => {
                diags.error(node.pos, format!("`{key}` must be a whole number"));
                None
            }
        }
    });
    let Some((action_name, action_pos)) = f.text("action", diags) else {
        diags.error(node.pos, format!("step `{id}` has no `action`; add one of: {}", step_actions().join(", ")));
        return None;
    };
    let mut guard = None;
    let action = parse_action(&action_name, action_pos, node, &id, &mut f, &mut guard, diags)?;
    f.finish(diags);
    Some(Step {
        id,
        explicit_id,
        name,
        description,
        outputs,
        on_error,
        guard,
        retries,
        raci,
        human,
        shapes,
        pos: node.pos,
        action,
    })
}

/// Variables the compiled process uses itself; `set-variable` may not overwrite them.
pub const RESERVED_VARIABLES: [&str; 6] = ["inputs", "steps", "outputs", "item", "error", crate::lower::CALLER_STEPS];

/// The control-flow actions, which the compiler turns into BPMN structure itself.
pub const CONTROL_FLOW: [&str; 9] =
    ["phase", "execute-workflow", "conditional", "parallel", "ad-hoc", "while-loop", "for-loop", "repeat", "wait"];

/// Every name a step may give in `action:`: the catalogue's step actions, then control flow.
pub fn step_actions() -> Vec<&'static str> {
    let catalogue = actions::specs().into_iter().filter(|spec| spec.in_steps).map(|spec| spec.name);
    catalogue.chain(CONTROL_FLOW).collect()
}

#[allow(clippy::too_many_arguments)]
fn parse_action(
    action: &str,
    action_pos: Pos,
    node: &Node,
    id: &str,
    f: &mut Fields<'_>,
    guard: &mut Option<Text>,
    diags: &mut Diagnostics,
) -> Option<Action> {
    let required = |f: &mut Fields<'_>, key: &'static str, example: &str, diags: &mut Diagnostics| {
        let found = f.text(key, diags).map(|(text, pos)| Text { text, pos });
        if found.is_none() {
            diags.error(node.pos, format!("`{action}` step `{id}` has no `{key}`; add `{key}: {example}`"));
        }
        found
    };
    let body = |f: &mut Fields<'_>, diags: &mut Diagnostics| match f.entry("steps") {
        Some(entry) => Some(parse_steps(&entry.value, id, diags)),
        None => {
            diags.error(node.pos, format!("`{action}` step `{id}` has no `steps`; add the steps it runs"));
            None
        }
    };
    if action != "conditional" && action != "while-loop" {
        *guard = f.text("condition", diags).map(|(text, pos)| Text { text, pos });
    }
    // Every catalogued action with operations (git-operation, azure-devops, ...) is an
    // operation step: adding one to the catalogue needs no change here.
    if let Some(spec) = actions::find(action).filter(|spec| spec.in_steps && !spec.operations.is_empty()) {
        let operation = required(f, "operation", "<operation-name>", diags)?.text;
        return Some(Action::Operation { job_type: spec.job_type, operation, parameters: f.get("inputs").cloned() });
    }
    let parsed = match action {
        "shell-command" => Action::Shell { command: required(f, "command", "<shell text>", diags)? },
        "log" => {
            let message = required(f, "message", "<text>", diags)?;
            Action::Log { message, level: f.text("level", diags).map(|t| t.0) }
        }
        "execute-workflow" => {
            let workflow = required(f, "workflow", "<workflow-id>", diags)?;
            let inputs = match f.get("inputs") {
                Some(n @ Node { value: Value::Map(_), .. }) => n
                    .entries()
                    .iter()
                    .map(|e| (Text { text: e.key.clone(), pos: e.key_pos }, e.value.clone()))
                    .collect(),
                Some(n) => {
                    diags.error(
                        n.pos,
                        format!(
                            "`inputs` of `execute-workflow` must map input names to values, found {}",
                            n.kind_name()
                        ),
                    );
                    return None;
                }
                None => Vec::new(),
            };
            Action::Call { workflow, inputs }
        }
        "conditional" => {
            let condition = required(f, "condition", "\"${inputs.FLAG}\"", diags)?;
            match f.get("branches") {
                Some(branches) => Action::Switch { subject: condition, branches: parse_branches(branches, id, diags) },
                None => {
                    let then = body(f, diags)?;
                    let otherwise = match f.entry("else") {
                        Some(entry) => parse_steps(&entry.value, &format!("{id}__else"), diags),
                        None => Vec::new(),
                    };
                    Action::If { condition, then, otherwise }
                }
            }
        }
        "parallel" => {
            let timeout = f.text("timeout", diags).and_then(|(t, p)| duration_or_report(&t, p, "timeout", diags));
            Action::Parallel { steps: body(f, diags)?, timeout }
        }
        "ad-hoc" => {
            let chooser = parse_chooser(f, node, id, diags)?;
            let cancel_remaining = f.boolean("cancel_remaining", diags).unwrap_or(true);
            Action::AdHoc { steps: body(f, diags)?, chooser, cancel_remaining }
        }
        "while-loop" => {
            let condition = required(f, "condition", "\"${not context.done}\"", diags)?;
            let max_iterations = f.get("max_iterations").and_then(|n| match n.value {
                Value::Int(count) if count >= 1 => u32::try_from(count).ok(),
                _ => {
                    diags.error(
                        n.pos,
                        "`max_iterations` must be a whole number of at least 1, e.g. `max_iterations: 3`",
                    );
                    None
                }
            });
            let escalate_to = f.text("escalate_to", diags).map(|(text, pos)| Text { text, pos });
            Action::While { condition, steps: body(f, diags)?, max_iterations, escalate_to }
        }
        "llm" => {
            let prompt = required(f, "prompt", "\"Summarise ${inputs.WORK_ITEM_ID}\"", diags)?;
            let context = f
                .list("context", diags)
                .iter()
                .filter_map(|item| match item.scalar_text() {
                    Some(text) => Some(Text { text, pos: item.pos }),
                    None => {
                        diags.error(item.pos, "a `context` entry names a workflow value, e.g. `inputs.WORK_ITEM_ID`");
                        None
                    }
                })
                .collect();
            Action::Llm { prompt, context }
        }
        "notify" => {
            let channel = required(f, "channel", "\"#team\"", diags)?;
            Action::Notify { channel, message: required(f, "message", "<text>", diags)? }
        }
        "phase" => {
            let sla = f.get("sla").and_then(|n| parse_sla(n, diags));
            Action::Phase { steps: body(f, diags)?, sla }
        }
        "for-loop" => {
            let items = required(f, "items", "\"${steps.<id>.<LIST>}\"", diags)?;
            Action::ForEach { items, steps: body(f, diags)? }
        }
        "repeat" => {
            let count = match f.get("count") {
                Some(Node { value: Value::Int(n), pos }) => match u32::try_from(*n) {
                    Ok(n) if n > 0 => n,
                    _ => {
                        diags.error(*pos, "`count` of `repeat` must be a whole number above 0");
                        return None;
                    }
                },
                Some(other) => {
                    diags.error(other.pos, "`count` of `repeat` must be a whole number above 0");
                    return None;
                }
                None => {
                    diags.error(node.pos, format!("`repeat` step `{id}` has no `count`; add `count: 3`"));
                    return None;
                }
            };
            Action::Repeat { count, steps: body(f, diags)? }
        }
        "wait" => {
            let text = required(f, "duration", "30m", diags)?;
            Action::Wait { duration: parse_wait(&text, diags)? }
        }
        "set-variable" => {
            let variable = required(f, "variable", "NAME", diags)?;
            let name = variable.text.strip_prefix("context.").unwrap_or(&variable.text).to_owned();
            if !is_valid_id(&name) || name.contains(['-', '.']) {
                diags.error(variable.pos, format!("variable name `{name}` is not valid; use letters, digits and `_`"));
                return None;
            }
            if RESERVED_VARIABLES.contains(&name.as_str()) {
                diags.error(
                    variable.pos,
                    format!("`{name}` is reserved by the compiled process; choose another variable name"),
                );
                return None;
            }
            let Some(value) = f.entry("value").map(|e| e.value.clone()) else {
                diags.error(node.pos, format!("`set-variable` step `{id}` has no `value`; add `value: ...`"));
                return None;
            };
            Action::SetVariable { variable: name, value }
        }
        other => {
            let known = step_actions();
            let close = known.iter().min_by_key(|name| strsim::levenshtein(name, other)).copied().unwrap_or("llm");
            diags.error(
                action_pos,
                format!("unknown action `{other}` (did you mean `{close}`?); use one of: {}", known.join(", ")),
            );
            return None;
        }
    };
    Some(parsed)
}

/// `agent: {goal, max_calls}` or `run:` (with an optional `until:`), exactly one of them.
fn parse_chooser(f: &mut Fields<'_>, node: &Node, id: &str, diags: &mut Diagnostics) -> Option<AdHocChooser> {
    let run = f.text("run", diags).map(|(text, pos)| Text { text, pos });
    let until = f.text("until", diags).map(|(text, pos)| Text { text, pos });
    let agent = f.get("agent");
    match (agent, run) {
        (Some(agent), None) => {
            if let Some(until) = &until {
                diags.error(
                    until.pos,
                    "`until` goes with `run`; an agent decides itself when it is done: remove `until`",
                );
                return None;
            }
            let mut fields = Fields::of(agent, "`agent`", diags)?;
            let goal = fields.text("goal", diags).map(|(text, pos)| Text { text, pos });
            let max_calls = fields.get("max_calls").and_then(|n| match n.value {
                Value::Int(count) if count >= 1 => u32::try_from(count).ok(),
                _ => {
                    diags.error(n.pos, "`max_calls` must be a whole number of at least 1, e.g. `max_calls: 8`");
                    None
                }
            });
            fields.finish(diags);
            let Some(goal) = goal else {
                diags.error(agent.pos, "`agent` has no `goal`; say what the agent is to achieve");
                return None;
            };
            Some(AdHocChooser::Agent { goal, max_calls })
        }
        (None, Some(run)) => Some(AdHocChooser::List { run, until }),
        (Some(agent), Some(_)) => {
            diags.error(agent.pos, format!("`ad-hoc` step `{id}` has both `agent` and `run`; keep one"));
            None
        }
        (None, None) => {
            diags.error(
                node.pos,
                format!("`ad-hoc` step `{id}` has neither `agent` nor `run`; add `agent: {{goal: ...}}` or `run: \"${{inputs.CHECKS}}\"`"),
            );
            None
        }
    }
}

fn parse_wait(text: &Text, diags: &mut Diagnostics) -> Option<WaitDuration> {
    let trimmed = text.text.trim();
    if !trimmed.contains("${") {
        return duration_or_report(trimmed, text.pos, "duration", diags).map(WaitDuration::Fixed);
    }
    let unit = trimmed.chars().last().map(|c| c.to_ascii_uppercase());
    let template = trimmed.get(..trimmed.len().saturating_sub(1)).unwrap_or("");
    match unit {
        Some(unit @ ('S' | 'M' | 'H')) if template.starts_with("${") && template.ends_with('}') => {
            Some(WaitDuration::Dynamic { template: Text { text: template.to_owned(), pos: text.pos }, unit })
        }
        _ => {
            diags.error(text.pos, format!("bad duration `{trimmed}`; a template duration is one template and a unit s, m or h, e.g. `${{steps.x.SECONDS}}s`"));
            None
        }
    }
}

fn parse_branches(node: &Node, id: &str, diags: &mut Diagnostics) -> Vec<Branch> {
    let Value::Seq(items) = &node.value else {
        diags.error(node.pos, "`branches` must be a list of `- condition: ... steps: ...` entries");
        return Vec::new();
    };
    let mut branches = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(mut f) = Fields::of(item, "a branch", diags) else { continue };
        let condition = f.get("condition");
        let steps_entry = f.entry("steps");
        f.finish(diags);
        let steps = steps_entry.map(|e| parse_steps(&e.value, &format!("{id}__b{index}"), diags)).unwrap_or_default();
        let Some(condition) = condition else {
            if steps.is_empty() {
                diags.warning(
                    item.pos,
                    format!("branch {index} of `{id}` has no condition and no steps (truncated file?); it is dropped"),
                );
            } else {
                diags.error(
                    item.pos,
                    format!("branch {index} of `{id}` has no `condition`; add `condition: \"eq 'value'\"`"),
                );
            }
            continue;
        };
        let Some(text) = condition.scalar_text() else {
            diags.error(condition.pos, "a branch condition must be text such as `eq 'value'`");
            continue;
        };
        let Some(test) = parse_branch_test(&text, condition.pos, diags) else { continue };
        branches.push(Branch { test, pos: item.pos, steps });
    }
    branches
}

fn parse_branch_test(text: &str, pos: Pos, diags: &mut Diagnostics) -> Option<BranchTest> {
    let text = text.trim();
    let (op, rest) = text.split_once(char::is_whitespace).unwrap_or(("", text));
    let literal = |rest: &str| {
        let rest = rest.trim();
        rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).unwrap_or(rest).to_owned()
    };
    match op {
        "eq" | "==" => Some(BranchTest::Eq(literal(rest))),
        "neq" | "ne" | "!=" => Some(BranchTest::Ne(literal(rest))),
        "contains" => Some(BranchTest::Contains(literal(rest))),
        "" if !text.is_empty() && !text.contains(char::is_whitespace) && !text.contains("${") => {
            diags.warning(
                pos,
                format!("branch condition `{text}` has no operator; read as `eq '{text}'`, write that instead"),
            );
            Some(BranchTest::Eq(literal(text)))
        }
        _ => {
            diags.error(pos, format!("branch condition `{text}` is not understood; write `eq 'value'`, `neq 'value'` or `contains 'value'`"));
            None
        }
    }
}
