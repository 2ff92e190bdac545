//! `tasks` and `incidents`: the open user tasks and incidents of every instance.

use engine::USER_TASK_JOB_TYPE;
use engine::history::Status;
use serde_json::json;

use super::Format;
use crate::failure::Result;
use crate::output::say;
use crate::output::{print_json, table, time};
use crate::store::StoreLocation;

/// `tasks`: open Camunda user tasks and open job-based user tasks.
pub fn tasks(store: &StoreLocation, format: Format) -> Result<()> {
    let history = store.read_history()?;
    let mut rows: Vec<serde_json::Value> = history
        .user_tasks(None)
        .into_iter()
        .filter(|t| t.status == Status::Active)
        .map(|t| {
            json!({"key": t.key, "element_id": t.element_id, "process_instance_key": t.process_instance_key,
                   "assignee": t.assignee, "kind": "user_task", "created_millis": t.span.started.at_millis})
        })
        .collect();
    rows.extend(history.open_jobs().filter(|j| j.job_type == USER_TASK_JOB_TYPE).map(|j| {
        json!({"key": j.key, "element_id": j.element_id, "process_instance_key": j.process_instance_key,
               "assignee": "", "kind": "job", "created_millis": j.events.first().map(|e| e.change.at_millis)})
    }));
    if format == Format::Json {
        print_json(&json!({ "user_tasks": rows }));
        return Ok(());
    }
    if rows.is_empty() {
        say!("no open user tasks");
        return Ok(());
    }
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                text(&r["key"]),
                text(&r["process_instance_key"]),
                text(&r["element_id"]),
                text(&r["assignee"]),
                time(r["created_millis"].as_i64()),
            ]
        })
        .collect();
    say!("{}", table(&["TASK", "INSTANCE", "ELEMENT", "ASSIGNEE", "CREATED"], &lines));
    say!("complete one with `orchestrator tasks complete <TASK> --var NAME=VALUE`");
    Ok(())
}

/// `incidents`: the open incidents.
pub fn incidents(store: &StoreLocation, format: Format) -> Result<()> {
    let history = store.read_history()?;
    let open: Vec<_> = history.incidents(None).into_iter().filter(|i| i.is_open()).collect();
    if format == Format::Json {
        print_json(&json!({ "incidents": open }));
        return Ok(());
    }
    if open.is_empty() {
        say!("no open incidents");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = open
        .iter()
        .map(|i| {
            vec![
                i.key.to_string(),
                i.process_instance_key.to_string(),
                i.element_id.clone(),
                i.error_type.to_owned(),
                i.job_key.map_or_else(|| "-".to_owned(), |k| k.to_string()),
                i.error_message.clone(),
            ]
        })
        .collect();
    say!("{}", table(&["INCIDENT", "INSTANCE", "ELEMENT", "TYPE", "JOB", "MESSAGE"], &rows));
    say!("resolve one with `orchestrator incidents resolve <INCIDENT>` (add --retries N for a job)");
    Ok(())
}

/// `processes`: every deployed process version, with its instances (all, and active now).
pub fn processes(store: &StoreLocation, format: Format) -> Result<()> {
    let history = store.read_history()?;
    let rows: Vec<serde_json::Value> = history
        .processes()
        .into_iter()
        .map(|(key, id, version)| {
            let of_it = || history.instances().filter(move |i| i.process_definition_key == key);
            let active = of_it().filter(|i| i.status == Status::Active).count();
            json!({"process_definition_key": key, "bpmn_process_id": id, "version": version,
                   "instances": of_it().count(), "active_instances": active})
        })
        .collect();
    if format == Format::Json {
        print_json(&json!({ "processes": rows }));
        return Ok(());
    }
    if rows.is_empty() {
        say!("no process deployed yet: `orchestrator deploy <file>` deploys one");
        return Ok(());
    }
    let cell = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            ["bpmn_process_id", "version", "process_definition_key", "instances", "active_instances"]
                .iter()
                .map(|field| cell(&r[*field]))
                .collect()
        })
        .collect();
    say!("{}", table(&["PROCESS", "VERSION", "DEFINITION KEY", "INSTANCES", "ACTIVE"], &lines));
    Ok(())
}
