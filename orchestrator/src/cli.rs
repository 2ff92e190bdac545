//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Deploy, start, run and inspect workflows on the durable embedded engine.
///
/// The engine's state lives in ./.orchestrator/state.db (SQLite) unless --store or
/// ORCHESTRATOR_STORE names another file or a postgres:// URL. Exit codes: 0 ok, 1 the command failed, 2 bad usage or
/// input.
#[derive(Debug, Parser)]
#[command(name = "orchestrator", version)]
pub struct Cli {
    /// The record store: a SQLite file path (default ./.orchestrator/state.db, or
    /// ORCHESTRATOR_STORE), or postgres://user:password@host:port/database?log=<name>.
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub store: Option<String>,
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile YAML workflows and deploy them with BPMN files; nothing is deployed on an error.
    Deploy {
        /// YAML (.yaml, .yml) and BPMN (.bpmn) files, and folders to search for them.
        #[arg(required = true, value_name = "YAML|BPMN|DIR")]
        paths: Vec<PathBuf>,
    },
    /// Start an instance of the latest version of a deployed process.
    Start {
        /// The BPMN process id (a YAML workflow's metadata.id).
        process_id: String,
        /// The start variables.
        #[command(flatten)]
        vars: VarArgs,
    },
    /// List the instances, or show one: active elements, variables, incidents, timers, jobs.
    Status {
        /// The process instance key.
        instance: Option<i64>,
    },
    /// What happened to an instance: elements with timings, variable changes, incidents and
    /// jobs, each with who or what caused it.
    History {
        /// The process instance key.
        instance: i64,
    },
    /// List open user tasks, or complete one.
    Tasks {
        /// Complete a task.
        #[command(subcommand)]
        action: Option<TasksAction>,
    },
    /// List open incidents, or resolve one.
    Incidents {
        /// Resolve an incident.
        #[command(subcommand)]
        action: Option<IncidentsAction>,
    },
    /// Cancel a process instance (and the instances it called).
    Cancel {
        /// The process instance key.
        instance: i64,
    },
    /// Run the engine, its timers and the in-process job handlers until Ctrl-C or a condition.
    Run(RunArgs),
    /// The shell-command guard: test a policy without running anything.
    Guard {
        /// What to do.
        #[command(subcommand)]
        action: GuardAction,
    },
}

/// `tasks complete`.
#[derive(Debug, Subcommand)]
pub enum TasksAction {
    /// Complete a user task with variables.
    Complete {
        /// The user task key (`orchestrator tasks` lists them).
        key: i64,
        /// The variables to complete with.
        #[command(flatten)]
        vars: VarArgs,
    },
}

/// `incidents resolve`.
#[derive(Debug, Subcommand)]
pub enum IncidentsAction {
    /// Resolve an incident: a job incident gives the job retries again, any other re-runs the
    /// failed step.
    Resolve {
        /// The incident key (`orchestrator incidents` lists them).
        key: i64,
        /// For a job incident: the retries the job gets (default 1).
        #[arg(long, value_name = "N")]
        retries: Option<i32>,
    },
}

/// Variables from the command line.
#[derive(Debug, Clone, Default, Args)]
pub struct VarArgs {
    /// A variable NAME=VALUE; the value is JSON when it reads as JSON, else text. A dotted name
    /// (inputs.WORK_TYPE=feature) sets a field of an object variable. Repeat for more.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A JSON or YAML file holding an object of variables (--var entries win).
    #[arg(long, value_name = "FILE")]
    pub vars_file: Option<PathBuf>,
}

/// `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Deploy these YAML/BPMN files or folders first.
    #[arg(long = "deploy", value_name = "YAML|BPMN|DIR")]
    pub deploy: Vec<PathBuf>,
    /// Start an instance of this process first.
    #[arg(long, value_name = "PROCESS_ID")]
    pub start: Option<String>,
    /// The variables of the instance --start starts.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Stop once no job is waiting for a handler and no timer is due.
    #[arg(long, conflicts_with = "until_done")]
    pub until_idle: bool,
    /// Stop once this instance (default: the one --start started) has ended, or cannot go on
    /// without outside help (an incident, a user task, a message).
    #[arg(long, value_name = "INSTANCE", num_args = 0..=1, default_missing_value = "0")]
    pub until_done: Option<i64>,
    /// The worker name recorded on the jobs the handlers take (with --simulate it gets the
    /// suffix -simulate, so the history shows the outputs were simulated).
    #[arg(long, default_value = "orchestrator")]
    pub worker: String,
    /// Complete the persona jobs (shell-command, git-operation, azure-devops, llm, notify, log,
    /// approve, consult, escalate) with simulated outputs of the shapes their steps declare,
    /// instead of dry-run ones with none, and print a summary of the instance at the end.
    #[arg(long)]
    pub simulate: bool,
    /// The seed of the simulated outputs (default: the scenario's, else 0); the same seed and
    /// workflow give the same run.
    #[arg(long, value_name = "N", requires = "simulate")]
    pub seed: Option<u64>,
    /// A YAML or JSON scenario for --simulate: a seed, the chances of the random answers, and
    /// outcomes scripted per step (see scenarios/).
    #[arg(long, value_name = "FILE", requires = "simulate")]
    pub scenario: Option<PathBuf>,
    /// The engine's clock. `virtual` starts at the later of the store's last time and now; with
    /// --simulate each job takes its work time on it (a scenario's `durations`), and whenever no
    /// job waits or runs it jumps to the next timer, so hour- and day-long waits pass at once.
    #[arg(long, value_enum, default_value_t = ClockKind::System)]
    pub clock: ClockKind,
}

/// The clock `run` gives the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockKind {
    /// The wall clock.
    System,
    /// Engine time that jumps to the next timer when nothing else can happen.
    Virtual,
}

/// `guard check`.
#[derive(Debug, Subcommand)]
pub enum GuardAction {
    /// Tell whether a shell command may run, without running it: exit 0 and `allowed`, or exit 1
    /// and `blocked by <rule>: <reason> (at: <part>)`.
    Check(GuardCheckArgs),
}

/// `guard check`'s arguments.
#[derive(Debug, Args)]
pub struct GuardCheckArgs {
    /// The persona type whose allow-list applies (without one, only the deny rules do).
    #[arg(long, value_name = "TYPE")]
    pub persona: Option<String>,
    /// A YAML policy: `{persona_type: [program or pattern, ...]}`.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The workspace that commands may write in (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// The command: one argument keeps its quoting; several are joined with spaces.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}
