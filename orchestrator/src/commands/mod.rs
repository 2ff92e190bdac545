//! One function per subcommand; [`dispatch`] picks it.

mod actions;
mod audit;
mod change;
mod events;
pub(crate) mod guard;
mod history;
mod lists;
mod personas;
mod retention;
mod schedules;
mod status;
mod timers;

use std::process::ExitCode;

use crate::cli::{
    BroadcastWhat, Cli, Command, GuardAction, IncidentsAction, PublishWhat, ScheduleAction, SetWhat, TasksAction,
    TimersAction,
};
use crate::failure::Result;
pub use crate::output::Format;
use crate::store::StoreLocation;

/// Runs the command the command line names.
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    let store = StoreLocation::resolve(cli.store.as_deref());
    let format = if cli.json { Format::Json } else { Format::Text };
    match cli.command {
        Command::Deploy { paths } => change::deploy(&store, &paths, format),
        Command::Start { process_id, vars } => change::start(&store, &process_id, &vars, format),
        Command::Schedules { next } => schedules::list(&store, next, format),
        Command::Schedule { action: ScheduleAction::Trigger { name, vars } } => {
            schedules::trigger(&store, &name, &vars, format)
        }
        Command::Status { instance: None, ended, .. } => status::list(&store, ended, format),
        Command::Status { instance: Some(key), all, .. } => status::show(&store, key, Shown::of(all), format),
        Command::History { instance, all } => history::show(&store, instance, Shown::of(all), format),
        Command::Prune { keep } => retention::prune(&store, &keep, format),
        Command::Publish { what: PublishWhat::Message { name, correlation_key, ttl, vars } } => {
            events::publish(&store, &name, &correlation_key, ttl.as_deref(), &vars, format)
        }
        Command::Broadcast { what: BroadcastWhat::Signal { name, vars } } => {
            events::broadcast(&store, &name, &vars, format)
        }
        Command::Set { what: SetWhat::Variables { instance, vars } } => {
            events::set_variables(&store, instance, &vars, format)
        }
        Command::Processes => lists::processes(&store, format),
        Command::Timers { action: None } => timers::list(&store, format),
        Command::Timers { action: Some(TimersAction::Fire { key }) } => timers::fire(&store, key, format),
        Command::Timers { action: Some(TimersAction::Advance { duration }) } => {
            timers::advance(&store, &duration, format)
        }
        Command::Tasks { action: None } => lists::tasks(&store, format),
        Command::Tasks { action: Some(TasksAction::Complete { key, vars }) } => {
            change::complete_task(&store, key, &vars, format)
        }
        Command::Incidents { action: None } => lists::incidents(&store, format),
        Command::Incidents { action: Some(IncidentsAction::Resolve { key, retries }) } => {
            change::resolve_incident(&store, key, retries, format)
        }
        Command::Cancel { instance } => change::cancel(&store, instance, format),
        Command::Run(args) => return crate::run::run(&store, &args, format),
        Command::Actions { name } => actions::list(name.as_deref(), format),
        Command::Serve(args) => return crate::serve::serve(&store, &args),
        Command::Guard { action: GuardAction::Check(args) } => return guard::check(&args, format),
        Command::Personas { action } => personas::run(&store, action, format),
        Command::Audit(args) => audit::show(&store, args, format),
    }?;
    Ok(ExitCode::SUCCESS)
}

/// Which variables `status` and `history` show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The workflow's own variables: not those the compiler keeps for itself.
    Workflow,
    /// Every variable (`--all`).
    All,
}

impl Shown {
    /// `--all` or not.
    pub fn of(all: bool) -> Self {
        if all { Shown::All } else { Shown::Workflow }
    }

    /// True when a variable of this name is shown.
    pub fn shows(self, name: &str) -> bool {
        self == Shown::All || !yaml_to_bpmn::lower::is_internal_variable(name)
    }
}

/// An instance as `--json` prints it: its fields, with its key also as `process_instance_key`
/// (the name Zeebe and the other commands use).
pub fn instance_json(instance: &engine::history::InstanceHistory) -> serde_json::Value {
    let mut value = serde_json::to_value(instance).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        fields.insert("process_instance_key".to_owned(), instance.key.into());
    }
    value
}
