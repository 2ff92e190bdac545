//! `schedules` and `schedule trigger`: the timer start events with their next fire times, and
//! firing one by hand.

use serde_json::json;

use super::Format;
use super::change::created_json;
use crate::cli::VarArgs;
use crate::failure::{Failure, Result};
use crate::output::{print_json, say, table, time};
use crate::store::StoreLocation;
use crate::vars;

/// `schedules`: read from the stored log (beside a running engine; nothing fires).
pub fn list(store: &StoreLocation, next: usize, format: Format) -> Result<()> {
    let starts = engine::scheduled_starts(&store.read_state()?, next);
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = starts
            .iter()
            .map(|s| {
                json!({"name": s.name, "bpmn_process_id": s.bpmn_process_id, "version": s.version,
                       "element_id": s.element_id, "timer": s.definition, "next_due_millis": s.next_due})
            })
            .collect();
        print_json(&json!({ "schedules": rows }));
        return Ok(());
    }
    if starts.is_empty() {
        say!("no scheduled starts: deploy a workflow with `schedule:` (or a BPMN timer start event)");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = starts
        .iter()
        .map(|s| {
            let next: Vec<String> = s.next_due.iter().map(|&due| time(Some(due))).collect();
            vec![s.name.clone(), s.version.to_string(), s.definition.clone(), next.join(", ")]
        })
        .collect();
    say!("{}", table(&["NAME", "VERSION", "TIMER", "NEXT (UTC)"], &rows));
    Ok(())
}

/// `schedule trigger`: starts one instance at the timer start event now.
pub fn trigger(store: &StoreLocation, name: &str, args: &VarArgs, format: Format) -> Result<()> {
    let variables = vars::collect(args)?;
    let mut core = store.open_engine()?;
    let created = core.trigger_scheduled_start(name, variables).map_err(|e| match e {
        engine::EngineError::NotFound(message) | engine::EngineError::InvalidArgument(message) => {
            Failure::Failed(format!("{message}; `orchestrator schedules` lists them"))
        }
        other => Failure::engine(other, "check the schedule's name"),
    })?;
    match format {
        Format::Json => print_json(&created_json(&created)),
        Format::Text => say!(
            "triggered {name}: started {} version {}, process instance {}",
            created.bpmn_process_id,
            created.version,
            created.process_instance_key
        ),
    }
    Ok(())
}
