//! `status`: the instances, or one instance now.

use engine::history::{History, Status};
use engine::store::IndexedInstance;
use engine::store::instance_index::{InstanceCounts, InstanceOverview};
use serde_json::json;

use super::{Format, Shown, instance_json};
use crate::failure::Result;
use crate::output::say;
use crate::output::{print_json, section, short_json, table, time};
use crate::store::StoreLocation;

/// `status`: the counts by status, then a table of every running instance and of the
/// `newest_ended` newest ended ones. Read from the store's instance index (a few rows whatever
/// the log's length), or folded from the log when the store has no index yet.
pub fn list(store: &StoreLocation, newest_ended: usize, format: Format) -> Result<()> {
    let overview = match store.instance_overview(newest_ended)? {
        Some(overview) => overview,
        None => overview_of(&store.read_history()?, newest_ended),
    };
    let listed = || overview.active.iter().chain(&overview.ended);
    if format == Format::Json {
        let instances: Vec<_> = listed()
            .map(|i| {
                let mut value = serde_json::to_value(i).unwrap_or_default();
                value["process_instance_key"] = i.key.into();
                value
            })
            .collect();
        print_json(&json!({ "counts": overview.counts, "instances": instances }));
        return Ok(());
    }
    let InstanceCounts { active, completed, terminated } = overview.counts;
    if active + completed + terminated == 0 {
        say!("no process instances yet: `orchestrator start <process-id>` starts one");
        return Ok(());
    }
    say!("{active} active, {completed} completed, {terminated} terminated");
    let rows: Vec<Vec<String>> = listed()
        .map(|i| {
            vec![
                i.key.to_string(),
                i.bpmn_process_id.clone(),
                i.version.to_string(),
                i.status.to_owned(),
                i.open_incidents.to_string(),
                time(Some(i.started_at_millis)),
                time(i.ended_at_millis),
            ]
        })
        .collect();
    say!("{}", table(&["INSTANCE", "PROCESS", "VERSION", "STATUS", "INCIDENTS", "STARTED", "ENDED"], &rows));
    let unlisted = completed + terminated - overview.ended.len() as i64;
    if unlisted > 0 {
        say!("{unlisted} older ended instances are not listed; `status --ended N` lists more");
    }
    Ok(())
}

/// The overview that the instance index would give, from a folded history.
fn overview_of(history: &History, newest_ended: usize) -> InstanceOverview {
    let mut overview = InstanceOverview::default();
    for instance in history.instances() {
        let row = IndexedInstance {
            key: instance.key,
            bpmn_process_id: instance.bpmn_process_id.clone(),
            version: instance.version,
            process_definition_key: instance.process_definition_key,
            status: instance.status.name(),
            open_incidents: history.incidents(Some(instance.key)).iter().filter(|x| x.is_open()).count() as i64,
            started_at_millis: instance.span.started.at_millis,
            started_position: instance.span.started.position,
            ended_at_millis: instance.span.ended.as_ref().map(|c| c.at_millis),
            ended_position: instance.span.ended.as_ref().map(|c| c.position),
        };
        match instance.status {
            Status::Active => {
                overview.counts.active += 1;
                overview.active.push(row);
            }
            Status::Completed | Status::Terminated => {
                if instance.status == Status::Completed {
                    overview.counts.completed += 1;
                } else {
                    overview.counts.terminated += 1;
                }
                overview.ended.push(row);
            }
        }
    }
    overview.active.sort_by_key(|i| i.key);
    overview.ended.sort_by_key(|i| std::cmp::Reverse((i.ended_position, i.key)));
    overview.ended.truncate(newest_ended);
    overview
}

/// `status <instance>`: active elements, variables, open incidents, pending timers, open jobs
/// and user tasks.
pub fn show(store: &StoreLocation, key: i64, shown: Shown, format: Format) -> Result<()> {
    let history = store.read_instance_history(key)?;
    let instance = history.instance(key).ok_or_else(|| store.unknown_instance(key))?;
    let mut now = Now::of(&history, key);
    now.variables.retain(|v| shown.shows(&v.name));
    if format == Format::Json {
        print_json(&json!({
            "instance": instance_json(instance),
            "active_elements": now.active_elements,
            "variables": now.variables,
            "incidents": now.incidents,
            "timers": now.timers,
            "jobs": now.jobs,
            "user_tasks": now.user_tasks,
        }));
        return Ok(());
    }
    say!(
        "instance {key}: {} version {}, {} (started {}, ended {})",
        instance.bpmn_process_id,
        instance.version,
        instance.status.name(),
        time(Some(instance.span.started.at_millis)),
        time(instance.span.ended.as_ref().map(|c| c.at_millis))
    );
    section(
        "active elements",
        &["ELEMENT", "TYPE", "KEY", "SINCE"],
        now.active_elements.iter().map(|e| {
            vec![
                e.element_id.clone(),
                e.element_type.to_owned(),
                e.key.to_string(),
                time(Some(e.span.started.at_millis)),
            ]
        }),
    );
    section(
        "variables",
        &["NAME", "VALUE", "SCOPE"],
        now.variables.iter().map(|v| vec![v.name.clone(), short_json(&v.value, 80), v.scope_key.to_string()]),
    );
    section(
        "open incidents",
        &["INCIDENT", "TYPE", "ELEMENT", "MESSAGE"],
        now.incidents
            .iter()
            .map(|i| vec![i.key.to_string(), i.error_type.to_owned(), i.element_id.clone(), i.error_message.clone()]),
    );
    section(
        "pending timers",
        &["TIMER", "ELEMENT", "DUE"],
        now.timers.iter().map(|t| vec![t.key.to_string(), t.element_id.clone(), time(Some(t.due_millis))]),
    );
    section(
        "open jobs",
        &["JOB", "TYPE", "ELEMENT", "STATE", "RETRIES"],
        now.jobs.iter().map(|j| {
            vec![j.key.to_string(), j.job_type.clone(), j.element_id.clone(), j.state.to_owned(), j.retries.to_string()]
        }),
    );
    section(
        "open user tasks",
        &["TASK", "ELEMENT", "ASSIGNEE"],
        now.user_tasks.iter().map(|t| vec![t.key.to_string(), t.element_id.clone(), t.assignee.clone()]),
    );
    Ok(())
}

/// What is open in one instance now.
struct Now<'h> {
    active_elements: Vec<&'h engine::history::ElementHistory>,
    variables: Vec<&'h engine::history::VariableChange>,
    incidents: Vec<&'h engine::history::IncidentHistory>,
    timers: Vec<&'h engine::history::TimerHistory>,
    jobs: Vec<&'h engine::history::JobHistory>,
    user_tasks: Vec<&'h engine::history::UserTaskHistory>,
}

impl<'h> Now<'h> {
    fn of(history: &'h History, key: i64) -> Self {
        let active = |status: Status| status == Status::Active;
        Self {
            active_elements: history.elements(key).into_iter().filter(|e| active(e.status) && e.key != key).collect(),
            variables: history.current_variables(key),
            incidents: history.incidents(Some(key)).into_iter().filter(|i| i.is_open()).collect(),
            timers: history.timers(key).into_iter().filter(|t| active(t.status)).collect(),
            jobs: history.jobs(key).into_iter().filter(|j| active(j.status)).collect(),
            user_tasks: history.user_tasks(Some(key)).into_iter().filter(|t| active(t.status)).collect(),
        }
    }
}
