//! `history`: what happened to one instance, each step with who or what caused it.

use serde_json::json;

use super::{Format, Shown, instance_json};
use crate::failure::Result;
use crate::output::say;
use crate::output::section;
use crate::output::{duration, print_json, short_json, time};
use crate::store::StoreLocation;

/// `history <instance>`.
pub fn show(store: &StoreLocation, key: i64, shown: Shown, format: Format) -> Result<()> {
    let history = store.read_instance_history(key)?;
    let instance = history.instance(key).ok_or_else(|| store.unknown_instance(key))?;
    let elements = history.elements(key);
    let mut variables = history.variable_changes(key);
    variables.retain(|v| shown.shows(&v.name));
    let incidents = history.incidents(Some(key));
    let jobs = history.jobs(key);
    let timers = history.timers(key);
    let user_tasks = history.user_tasks(Some(key));
    let called: Vec<_> = history.instances().filter(|i| i.parent_instance_key == Some(key)).collect();
    if format == Format::Json {
        print_json(&json!({
            "instance": instance_json(instance),
            "elements": elements,
            "variable_changes": variables,
            "incidents": incidents,
            "jobs": jobs,
            "timers": timers,
            "user_tasks": user_tasks,
            "called_instances": called.iter().map(|i| instance_json(i)).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    say!(
        "instance {key}: {} version {}, {}; started by {}{}",
        instance.bpmn_process_id,
        instance.version,
        instance.status.name(),
        instance.span.started.cause,
        instance.span.ended.as_ref().map(|c| format!(", ended by {}", c.cause)).unwrap_or_default()
    );
    let ended_by = |span: &engine::history::Span| span.ended.as_ref().map_or("-".to_owned(), |c| c.cause.to_string());
    section(
        "elements",
        &["ELEMENT", "TYPE", "STATUS", "STARTED", "ENDED", "DURATION", "STARTED BY", "ENDED BY"],
        elements.iter().map(|e| {
            vec![
                e.element_id.clone(),
                e.element_type.to_owned(),
                e.status.name().to_owned(),
                time(Some(e.span.started.at_millis)),
                time(e.span.ended.as_ref().map(|c| c.at_millis)),
                duration(e.span.duration_millis()),
                e.span.started.cause.to_string(),
                ended_by(&e.span),
            ]
        }),
    );
    section(
        "variable changes",
        &["NAME", "VALUE", "SCOPE", "CHANGE", "AT", "BY"],
        variables.iter().map(|v| {
            vec![
                v.name.clone(),
                short_json(&v.value, 60),
                v.scope_key.to_string(),
                if v.created { "created" } else { "updated" }.to_owned(),
                time(Some(v.change.at_millis)),
                v.change.cause.to_string(),
            ]
        }),
    );
    section(
        "incidents",
        &["INCIDENT", "TYPE", "ELEMENT", "RAISED BY", "RESOLVED BY", "MESSAGE"],
        incidents.iter().map(|i| {
            vec![
                i.key.to_string(),
                i.error_type.to_owned(),
                i.element_id.clone(),
                i.span.started.cause.to_string(),
                ended_by(&i.span),
                i.error_message.clone(),
            ]
        }),
    );
    section(
        "jobs",
        &["JOB", "TYPE", "ELEMENT", "STEP", "WORKER", "RETRIES", "AT", "BY"],
        jobs.iter().flat_map(|j| {
            j.events.iter().map(|event| {
                vec![
                    j.key.to_string(),
                    j.job_type.clone(),
                    j.element_id.clone(),
                    event.intent.to_owned(),
                    event.worker.clone(),
                    event.retries.to_string(),
                    time(Some(event.change.at_millis)),
                    event.change.cause.to_string(),
                ]
            })
        }),
    );
    section(
        "timers",
        &["TIMER", "ELEMENT", "DUE", "STATUS", "BY"],
        timers.iter().map(|t| {
            vec![
                t.key.to_string(),
                t.element_id.clone(),
                time(Some(t.due_millis)),
                t.status.name().to_owned(),
                ended_by(&t.span),
            ]
        }),
    );
    section(
        "user tasks",
        &["TASK", "ELEMENT", "STATUS", "ENDED BY"],
        user_tasks
            .iter()
            .map(|t| vec![t.key.to_string(), t.element_id.clone(), t.status.name().to_owned(), ended_by(&t.span)]),
    );
    if !called.is_empty() {
        let keys: Vec<String> = called.iter().map(|i| format!("{} ({})", i.key, i.bpmn_process_id)).collect();
        say!("\ncalled instances (see `orchestrator history <key>`): {}", keys.join(", "));
    }
    Ok(())
}
