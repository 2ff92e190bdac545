//! One function per subcommand; [`dispatch`] picks it.

mod actions;
mod audit;
mod change;
pub(crate) mod guard;
mod history;
mod lists;
mod personas;
mod schedules;
mod status;

use std::process::ExitCode;

pub use change::start_instance;
pub use status::section;

use crate::cli::{Cli, Command, GuardAction, IncidentsAction, ScheduleAction, TasksAction};
use crate::failure::{Failure, Result};
use crate::store::StoreLocation;

/// How the command should print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text for people.
    Text,
    /// JSON for scripts.
    Json,
}

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
        Command::Status { instance: None } => status::list(&store, format),
        Command::Status { instance: Some(key) } => status::show(&store, key, format),
        Command::History { instance } => history::show(&store, instance, format),
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

/// The failure for an instance key the store does not know.
pub fn unknown_instance(store: &StoreLocation, key: i64) -> Failure {
    Failure::Failed(format!(
        "no process instance {key} in the store {}: `orchestrator status` lists the instances",
        store.display()
    ))
}
