//! `personas ...`: the persona types and instances of the registry in the store.

use std::future::Future;
use std::path::Path;

use personas::{AssignedJob, Instance, InstanceChanges, InstanceRef, Money, NewInstance, PersonaTypeInfo, Registry};
use serde_json::{Map, Value, json};
use yaml_to_bpmn::personas::PersonaCatalogue;

use super::Format;
use crate::cli::{CreateArgs, InstanceArg, InstanceSettings, PersonasAction, UpdateArgs};
use crate::failure::{Failure, Result};
use crate::output::say;
use crate::output::{print_json, table, time};
use crate::store::StoreLocation;
use crate::vars::parse_setting;

/// Runs a `personas` subcommand.
pub fn run(store: &StoreLocation, action: PersonasAction, format: Format) -> Result<()> {
    match action {
        PersonasAction::Types { catalogue } => types(store, &catalogue, format),
        PersonasAction::Create(args) => create(store, args, format),
        PersonasAction::List { persona_type, project, status } => {
            let instances =
                read_registry(
                    store,
                    |r| async move { r.list(persona_type.as_deref(), project.as_ref(), status).await },
                )?;
            list(&instances, format);
            Ok(())
        }
        PersonasAction::Show(arg) => show(store, &arg, format),
        PersonasAction::Update(args) => update(store, args, format),
        PersonasAction::Pause(arg) => {
            let instance = with_registry(store, |r| async move { r.pause(&reference(&arg)).await })?;
            changed(&instance, "paused: it takes no new work", format);
            Ok(())
        }
        PersonasAction::Resume(arg) => {
            let instance = with_registry(store, |r| async move { r.resume(&reference(&arg)).await })?;
            changed(&instance, "active: it takes work again", format);
            Ok(())
        }
        PersonasAction::Retire(arg) => {
            let instance = with_registry(store, |r| async move { r.retire(&reference(&arg)).await })?;
            changed(&instance, "retired: it takes no work again", format);
            Ok(())
        }
        PersonasAction::Assign { instance, project } => {
            let instance = with_registry(store, |r| async move {
                r.assign_project(&InstanceRef::parse(&instance, None), &project).await
            })?;
            changed(&instance, &format!("works for {}", instance.project_text()), format);
            Ok(())
        }
    }
}

/// Runs `work`, which only reads, on the registry of an existing store: a missing store file
/// is an error (a mistyped `--store`), not an empty registry.
pub fn read_registry<T, F>(store: &StoreLocation, work: impl FnOnce(Registry) -> F) -> Result<T>
where
    F: Future<Output = personas::Result<T>>,
{
    store.require_existing()?;
    with_registry(store, work)
}

/// Runs `work` on the store's registry (on a runtime of its own) and closes the registry.
pub fn with_registry<T, F>(store: &StoreLocation, work: impl FnOnce(Registry) -> F) -> Result<T>
where
    F: Future<Output = personas::Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let registry = store.open_registry().await?;
        let result = work(registry.clone()).await;
        registry.close().await;
        Ok(result?)
    })
}

fn reference(arg: &InstanceArg) -> InstanceRef {
    InstanceRef::parse(&arg.instance, arg.project.clone())
}

/// `personas types`: loads the catalogue, then lists the store's types.
fn types(store: &StoreLocation, path: &Path, format: Format) -> Result<()> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::Usage(format!("{name}: cannot read the persona type catalogue: {e}; give its path with --catalogue"))
    })?;
    let catalogue = PersonaCatalogue::parse(&name, &text).map_err(|diagnostics| {
        let errors: Vec<String> = diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
        Failure::Usage(format!("{}\nfix the catalogue and load it again", errors.join("\n")))
    })?;
    let (loaded, types) = with_registry(store, |r| async move {
        let loaded = r.load_types(&catalogue).await?;
        Ok((loaded, r.types().await?))
    })?;
    if format == Format::Json {
        print_json(&json!({"catalogue": name, "loaded": loaded, "types": types}));
        return Ok(());
    }
    say!(
        "loaded {name}: {} added, {} updated, {} unchanged",
        loaded.added.len(),
        loaded.updated.len(),
        loaded.unchanged
    );
    let rows: Vec<Vec<String>> = types.iter().map(type_row).collect();
    say!("{}", table(&["TYPE", "NAME", "GROUP", "MAX TASKS", "INSTANCES"], &rows));
    Ok(())
}

fn type_row(persona: &PersonaTypeInfo) -> Vec<String> {
    vec![
        persona.id.clone(),
        persona.name.clone(),
        persona.group.clone(),
        persona.max_concurrent_tasks.to_string(),
        persona.instances.to_string(),
    ]
}

/// The settings `--setting` entries give.
fn settings(entries: &[String]) -> Result<Map<String, Value>> {
    entries.iter().map(|entry| parse_setting(entry)).collect()
}

fn create(store: &StoreLocation, args: CreateArgs, format: Format) -> Result<()> {
    let InstanceSettings { providers, daily_limit, monthly_limit, max_tasks, priority, settings: entries } =
        args.settings;
    let new = NewInstance {
        name: args.name,
        persona_type: args.persona_type,
        project: args.project,
        providers,
        daily_limit,
        monthly_limit,
        max_concurrent_tasks: max_tasks,
        priority: priority.unwrap_or_default(),
        settings: settings(&entries)?,
    };
    let instance = with_registry(store, |r| async move { r.create_instance(new).await })?;
    if format == Format::Json {
        print_json(&json!({ "instance": instance }));
        return Ok(());
    }
    say!(
        "created instance {} `{}` ({}), {}",
        instance.id,
        instance.name,
        instance.persona_type,
        where_it_works(&instance)
    );
    say!("{}", summary(&instance));
    Ok(())
}

fn where_it_works(instance: &Instance) -> String {
    match &instance.project {
        Some(project) => format!("working for {project}"),
        None => format!("not assigned yet: `orchestrator personas assign {} ORG/PROJECT`", instance.id),
    }
}

/// Capacity, limits and providers in one line.
fn summary(instance: &Instance) -> String {
    let providers: Vec<String> = instance.providers.iter().map(|p| format!("{}:{}", p.provider, p.model)).collect();
    let limit = |period: &str, limit: Option<Money>| match limit {
        Some(limit) => format!("{period} limit {limit}"),
        None => format!("no {period} limit"),
    };
    format!(
        "  {} tasks at once, priority {}, {}, {}, providers {}",
        instance.max_concurrent_tasks,
        instance.priority,
        limit("daily", instance.daily_limit),
        limit("monthly", instance.monthly_limit),
        if providers.is_empty() { "none".to_owned() } else { providers.join(", ") }
    )
}

/// A limit in a table cell.
fn limit(limit: Option<Money>) -> String {
    limit.map_or_else(|| "-".to_owned(), |m| m.to_string())
}

/// `personas list`.
fn list(instances: &[Instance], format: Format) {
    if format == Format::Json {
        print_json(&json!({ "instances": instances }));
        return;
    }
    if instances.is_empty() {
        say!("no persona instances: `orchestrator personas create NAME --type TYPE --project ORG/PROJECT` creates one");
        return;
    }
    let rows: Vec<Vec<String>> = instances
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.name.clone(),
                i.persona_type.clone(),
                i.project_text(),
                i.status.as_str().to_owned(),
                format!("{}/{}", i.open_tasks, i.max_concurrent_tasks),
                format!("{} / {}", i.spent_today, limit(i.daily_limit)),
                format!("{} / {}", i.spent_this_month, limit(i.monthly_limit)),
                i.priority.to_string(),
                time(i.last_activity_millis),
            ]
        })
        .collect();
    say!(
        "{}",
        table(
            &["ID", "NAME", "TYPE", "PROJECT", "STATUS", "TASKS", "TODAY", "THIS MONTH", "PRIORITY", "LAST ACTIVE"],
            &rows
        )
    );
}

/// `personas show`.
fn show(store: &StoreLocation, arg: &InstanceArg, format: Format) -> Result<()> {
    let (instance, work) = read_registry(store, |r| async move {
        let instance = r.get(&reference(arg)).await?;
        let work = r.open_work(&InstanceRef::Id(instance.id)).await?;
        Ok((instance, work))
    })?;
    if format == Format::Json {
        print_json(&json!({ "instance": instance, "open_work": work }));
        return Ok(());
    }
    say!(
        "instance {} `{}`: {}, {}, {}",
        instance.id,
        instance.name,
        instance.persona_type,
        instance.status.as_str(),
        where_it_works(&instance)
    );
    say!("{}", summary(&instance));
    say!(
        "  {} of {} tasks open, recent success {}/{}; spent {} today, {} this month, {} set aside for calls in flight",
        instance.open_tasks,
        instance.max_concurrent_tasks,
        instance.recent_succeeded,
        instance.recent_finished,
        instance.spent_today,
        instance.spent_this_month,
        instance.reserved
    );
    if !instance.settings.is_empty() {
        say!("  settings {}", Value::Object(instance.settings.clone()));
    }
    say!(
        "  created {}, changed {}, last active {}",
        time(Some(instance.created_millis)),
        time(Some(instance.updated_millis)),
        time(instance.last_activity_millis)
    );
    if !work.is_empty() {
        say!("open jobs:");
        let rows: Vec<Vec<String>> = work.iter().map(job_row).collect();
        say!("{}", table(&["JOB", "WORKFLOW INSTANCE", "ELEMENT", "PROJECT", "SINCE"], &rows));
    }
    Ok(())
}

fn job_row(job: &AssignedJob) -> Vec<String> {
    vec![
        job.job_key.to_string(),
        job.workflow_instance.map_or_else(|| "-".to_owned(), |k| k.to_string()),
        job.element_id.clone().unwrap_or_else(|| "-".to_owned()),
        job.project.to_string(),
        time(Some(job.started_millis)),
    ]
}

/// `personas update`.
fn update(store: &StoreLocation, args: UpdateArgs, format: Format) -> Result<()> {
    let InstanceSettings { providers, daily_limit, monthly_limit, max_tasks, priority, settings: entries } =
        args.settings;
    let changes = InstanceChanges {
        name: args.name,
        providers: (!providers.is_empty()).then_some(providers),
        daily_limit: if args.no_daily_limit { Some(None) } else { daily_limit.map(Some) },
        monthly_limit: if args.no_monthly_limit { Some(None) } else { monthly_limit.map(Some) },
        max_concurrent_tasks: max_tasks,
        priority,
        settings: (!entries.is_empty()).then(|| settings(&entries)).transpose()?,
    };
    if changes == InstanceChanges::default() {
        return Err(Failure::Usage(
            "nothing to change: give --name, --provider, --daily-limit, --monthly-limit, --no-daily-limit, \
             --no-monthly-limit, --max-tasks, --priority or --setting"
                .into(),
        ));
    }
    let instance = with_registry(store, |r| async move { r.update(&reference(&args.instance), changes).await })?;
    changed(&instance, "updated", format);
    Ok(())
}

/// Prints an instance after a change.
fn changed(instance: &Instance, what: &str, format: Format) {
    if format == Format::Json {
        print_json(&json!({ "instance": instance }));
        return;
    }
    say!("instance {} `{}` {what}", instance.id, instance.name);
    if instance.open_tasks > 0 && instance.status != personas::Status::Active {
        say!("  its {} open tasks stay with it until they finish or the runtime takes them back", instance.open_tasks);
    }
}
