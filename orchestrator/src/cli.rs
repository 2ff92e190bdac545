//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use personas::{AuditKind, Money, Project, Provider, Status};

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
    /// The scheduled starts (timer start events: cycles, cron, dates) with their next fire times.
    Schedules {
        /// How many of the next fire times to show for each.
        #[arg(long, value_name = "N", default_value_t = 3)]
        next: usize,
    },
    /// Act on one scheduled start.
    Schedule {
        /// What to do.
        #[command(subcommand)]
        action: ScheduleAction,
    },
    /// List the instances (counts, every running one, the newest ended ones), or show one:
    /// active elements, variables, incidents, timers, jobs.
    Status {
        /// The process instance key.
        instance: Option<i64>,
        /// Show the variables the compiler keeps for itself too (names with `__`, `sla_clocks`).
        #[arg(long)]
        all: bool,
        /// How many of the newest ended instances the list shows.
        #[arg(long, value_name = "N", default_value_t = 50)]
        ended: usize,
    },
    /// Apply a retention policy: remove from the store's log the history of the instances that
    /// ended longer ago than --keep (through `serve` when it runs on the store). Running
    /// instances, instances that ended later and deployments stay; the state is untouched.
    Prune {
        /// How long the history of an ended instance is kept, counted from its end: 30d, 12h, or
        /// ISO 8601 (P30D).
        #[arg(long, value_name = "DURATION")]
        keep: String,
    },
    /// What happened to an instance: elements with timings, variable changes, incidents and
    /// jobs, each with who or what caused it.
    History {
        /// The process instance key.
        instance: i64,
        /// Show the variables the compiler keeps for itself too (names with `__`, `sla_clocks`).
        #[arg(long)]
        all: bool,
    },
    /// Publish a message to the instances waiting for it (through `serve` when it runs on the
    /// store).
    Publish {
        /// What to publish.
        #[command(subcommand)]
        what: PublishWhat,
    },
    /// Broadcast a signal to every instance waiting for it (through `serve` when it runs on
    /// the store).
    Broadcast {
        /// What to broadcast.
        #[command(subcommand)]
        what: BroadcastWhat,
    },
    /// Set variables of a running instance (through `serve` when it runs on the store).
    Set {
        /// What to set.
        #[command(subcommand)]
        what: SetWhat,
    },
    /// The deployed processes, every version, with their instance counts.
    Processes,
    /// The pending timers, the earliest due first; or move the store's virtual clock to fire
    /// them.
    Timers {
        /// Fire a timer, or let time pass.
        #[command(subcommand)]
        action: Option<TimersAction>,
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
    Run(Box<RunArgs>),
    /// The action catalogue: every built-in action with its job type, step fields, operations,
    /// inputs, outputs, side effects, timeout and retries.
    Actions {
        /// Show only this action (e.g. `azure-devops`).
        name: Option<String>,
    },
    /// Run the engine, its timers and the in-process job handlers behind the HTTP API (REST,
    /// live events, metrics, OpenAPI docs at /api/docs) until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// The shell-command guard: test a policy without running anything.
    Guard {
        /// What to do.
        #[command(subcommand)]
        action: GuardAction,
    },
    /// Persona types and the instances that do the work: load the catalogue, create, list, show,
    /// change, pause, resume, retire and assign instances.
    Personas {
        /// What to do.
        #[command(subcommand)]
        action: PersonasAction,
    },
    /// The persona audit log: routing decisions, approvals, vetoes, escalations, SLA breaches,
    /// spend and changes to instances, oldest first.
    Audit(AuditArgs),
}

/// `personas ...`.
#[derive(Debug, Subcommand)]
pub enum PersonasAction {
    /// Load the persona type catalogue into the store (new types added, changed ones updated) and
    /// list the types with their instance counts.
    Types {
        /// The catalogue file.
        #[arg(long, value_name = "PATH", default_value = "workflows/personas/types.yaml")]
        catalogue: PathBuf,
    },
    /// Create an instance of a persona type (load the types first with `personas types`).
    Create(CreateArgs),
    /// List the instances with their load and spend.
    List {
        /// Only instances of this persona type.
        #[arg(long = "type", value_name = "TYPE")]
        persona_type: Option<String>,
        /// Only instances of this project (ORGANISATION/PROJECT).
        #[arg(long, value_name = "ORG/PROJECT", value_parser = parsed::<Project>)]
        project: Option<Project>,
        /// Only instances with this status: active, paused or retired.
        #[arg(long, value_name = "STATUS", value_parser = parsed::<Status>)]
        status: Option<Status>,
    },
    /// Show one instance: settings, load, spend and the jobs it holds.
    Show(InstanceArg),
    /// Change an instance's name, providers, limits, capacity, priority or settings.
    Update(UpdateArgs),
    /// Stop an instance taking new work (the jobs it holds stay with it until they finish).
    Pause(InstanceArg),
    /// Let a paused instance take work again.
    Resume(InstanceArg),
    /// Retire an instance for good (the jobs it holds stay with it until they finish).
    Retire(InstanceArg),
    /// Assign an unassigned instance to the one project it works for.
    Assign {
        /// The instance: its id or name.
        instance: String,
        /// The project: ORGANISATION/PROJECT, or ORGANISATION/PROJECT/REPOSITORY for one repository.
        #[arg(value_name = "ORG/PROJECT[/REPO]", value_parser = parsed::<Project>)]
        project: Project,
    },
}

/// An instance named on the command line.
#[derive(Debug, Args)]
pub struct InstanceArg {
    /// The instance: its id, or its name (add --project when several projects use the name).
    pub instance: String,
    /// The project the named instance works for (ORGANISATION/PROJECT).
    #[arg(long, value_name = "ORG/PROJECT", value_parser = parsed::<Project>)]
    pub project: Option<Project>,
}

/// `personas create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The name: a letter, then letters, digits, '-', '_' or '.'; unique within the project.
    pub name: String,
    /// The persona type id (`personas types` lists them).
    #[arg(long = "type", value_name = "TYPE")]
    pub persona_type: String,
    /// The project it works for: ORGANISATION/PROJECT, or ORGANISATION/PROJECT/REPOSITORY for one
    /// repository (or assign it later with `personas assign`).
    #[arg(long, value_name = "ORG/PROJECT[/REPO]", value_parser = parsed::<Project>)]
    pub project: Option<Project>,
    /// The instance's settings.
    #[command(flatten)]
    pub settings: InstanceSettings,
}

/// `personas update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The instance to change.
    #[command(flatten)]
    pub instance: InstanceArg,
    /// A new name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Remove the daily spend limit.
    #[arg(long, conflicts_with = "daily_limit")]
    pub no_daily_limit: bool,
    /// Remove the monthly spend limit.
    #[arg(long, conflicts_with = "monthly_limit")]
    pub no_monthly_limit: bool,
    /// The settings to change (given providers replace the list).
    #[command(flatten)]
    pub settings: InstanceSettings,
}

/// What `create` sets and `update` changes.
#[derive(Debug, Args)]
pub struct InstanceSettings {
    /// An LLM provider and model, PROVIDER:MODEL (e.g. anthropic:claude-sonnet-4); repeat in the
    /// order they are tried.
    #[arg(long = "provider", value_name = "PROVIDER:MODEL", value_parser = parsed::<Provider>)]
    pub providers: Vec<Provider>,
    /// The most it may spend in a UTC day, in dollars (e.g. 25 or 12.50).
    #[arg(long, value_name = "DOLLARS", value_parser = parsed::<Money>, allow_hyphen_values = true)]
    pub daily_limit: Option<Money>,
    /// The most it may spend in a calendar month, in dollars.
    #[arg(long, value_name = "DOLLARS", value_parser = parsed::<Money>, allow_hyphen_values = true)]
    pub monthly_limit: Option<Money>,
    /// How many tasks it may hold at once (default: the type's, 5 unless the catalogue says).
    #[arg(long, value_name = "N")]
    pub max_tasks: Option<u32>,
    /// Routing tie-breaker: higher goes first when load and success rate are equal (default 0).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub priority: Option<i32>,
    /// A setting KEY=VALUE; the value is JSON when it reads as JSON, else text (`update`: null
    /// removes the setting). Repeat for more.
    #[arg(long = "setting", value_name = "KEY=VALUE")]
    pub settings: Vec<String>,
}

/// `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries about this instance (its id or name).
    #[arg(long, value_name = "INSTANCE")]
    pub instance: Option<String>,
    /// The project of the named --instance, when several projects use the name.
    #[arg(long, value_name = "ORG/PROJECT", value_parser = parsed::<Project>, requires = "instance")]
    pub project: Option<Project>,
    /// Only entries about this workflow (process) instance.
    #[arg(long, value_name = "KEY")]
    pub workflow_instance: Option<i64>,
    /// Only entries at or after this time: 2026-03-01, 2026-03-01T09:30:00Z, or a time ago
    /// (30m, 4h, 7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only entries before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only entries of this kind: routing, approval, veto, escalation, sla-breach, spend or
    /// instance-change; repeat for more.
    #[arg(long = "kind", value_name = "KIND", value_parser = parsed::<AuditKind>)]
    pub kinds: Vec<AuditKind>,
    /// Only the newest N entries.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
}

/// `schedule trigger`.
#[derive(Debug, Subcommand)]
pub enum ScheduleAction {
    /// Fire a scheduled start by hand: start one instance there now. Its schedule is untouched.
    Trigger {
        /// The scheduled start as `orchestrator schedules` names it: the process id, with
        /// `/<start event id>` when the process has several.
        name: String,
        /// The start variables.
        #[command(flatten)]
        vars: VarArgs,
    },
}

/// `publish message`.
#[derive(Debug, Subcommand)]
pub enum PublishWhat {
    /// Publish a message: the instance whose subscription has this name and correlation key
    /// receives it (or a message start event starts one).
    Message {
        /// The message name.
        name: String,
        /// The correlation key the waiting instance subscribed with.
        #[arg(long, value_name = "KEY", default_value = "")]
        correlation_key: String,
        /// How long the message waits for a subscriber when none is there yet (e.g. 30s, 1h;
        /// default: not at all).
        #[arg(long, value_name = "DURATION")]
        ttl: Option<String>,
        /// The message's variables.
        #[command(flatten)]
        vars: VarArgs,
    },
}

/// `broadcast signal`.
#[derive(Debug, Subcommand)]
pub enum BroadcastWhat {
    /// Broadcast a signal to every catch event and signal start event with this name.
    Signal {
        /// The signal name.
        name: String,
        /// The signal's variables.
        #[command(flatten)]
        vars: VarArgs,
    },
}

/// `set variables`.
#[derive(Debug, Subcommand)]
pub enum SetWhat {
    /// Set variables on a running instance's root scope.
    Variables {
        /// The process instance key.
        instance: i64,
        /// The variables to set (at least one).
        #[command(flatten)]
        vars: VarArgs,
    },
}

/// `timers fire` and `timers advance`.
#[derive(Debug, Subcommand)]
pub enum TimersAction {
    /// Fire one pending timer now: the store's virtual clock moves on to its due time (firing
    /// the timers due before it too). Refused while an engine runs on the store.
    Fire {
        /// The timer key (`orchestrator timers` lists them).
        key: i64,
    },
    /// Let time pass on the store's virtual clock and fire the timers that fall due. Refused
    /// while an engine runs on the store.
    Advance {
        /// How long: 90s, 30m, 4h, 2d, or an ISO 8601 duration (PT1H30M).
        duration: String,
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

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port, printed at start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Compile and deploy these workflows and BPMN files first (files or folders).
    #[arg(long = "deploy", value_name = "YAML|BPMN|DIR")]
    pub deploy: Vec<PathBuf>,
    /// The worker name recorded on the jobs the in-process handlers complete.
    #[arg(long, default_value = "orchestrator")]
    pub worker: String,
    /// Complete persona jobs with simulated outputs (as `run --simulate`) instead of dry runs.
    #[arg(long)]
    pub simulate: bool,
    /// The simulation's seed.
    #[arg(long, value_name = "N", requires = "simulate")]
    pub seed: Option<u64>,
    /// Run the actions this file sets up for real (as `run --actions`: `workspace:` plus one
    /// section per action); the rest stay dry runs, or simulated with --simulate.
    #[arg(long, value_name = "FILE")]
    pub actions: Option<PathBuf>,
    /// What each webhook event does (see the README's "orchestrator serve").
    #[arg(long, value_name = "FILE")]
    pub webhooks: Option<PathBuf>,
    /// Route each persona job to a persona instance of this project through the registry in the
    /// store, as `run --project` does.
    #[arg(long, value_name = "ORG/PROJECT[/REPO]", value_parser = parsed::<Project>)]
    pub project: Option<Project>,
    /// Grow and shrink pools of persona instances with the jobs held for them, as `run --pools`
    /// does (the `pools:` section of this YAML file).
    #[arg(long, value_name = "FILE", requires = "project")]
    pub pools: Option<PathBuf>,
    /// Serve the files of this folder under /ui/ (beside the built-in console at /).
    #[arg(long, value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// A retention policy: every hour (and once at start) remove the history of the instances
    /// that ended longer ago than this (30d, 12h, or ISO 8601 such as P30D), as `prune --keep`.
    #[arg(long, value_name = "DURATION", value_parser = length)]
    pub retention: Option<std::time::Duration>,
    /// Require the bearer token for /healthz too.
    #[arg(long)]
    pub protect_health: bool,
    /// Require the bearer token for /metrics too.
    #[arg(long)]
    pub protect_metrics: bool,
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
    /// Run `shell-command` jobs for real, with this folder as the workspace, behind the command
    /// guard: a blocked command throws FORBIDDEN_COMMAND and never runs. The other persona jobs
    /// stay dry runs (or simulated with --simulate).
    #[arg(long, value_name = "DIR")]
    pub execute_shell: Option<PathBuf>,
    /// The guard's allow-lists per persona type for the guarded shell (--execute-shell or
    /// --actions), as YAML (`persona-type: [program, "kubectl get", ...]`); without it only
    /// the deny rules apply.
    #[arg(long, value_name = "FILE")]
    pub shell_policy: Option<PathBuf>,
    /// Run the actions for real that this YAML file sets up: `workspace:` (the repository,
    /// relative to the file) and one section per action (e.g. `git-operation: {remote: origin}`,
    /// `azure-devops: {...}`, `notify: {webhook_url_env: ...}`). Shell commands and git
    /// operations work in the workspace; actions without a real handler stay dry runs (or
    /// simulated with --simulate).
    #[arg(long, value_name = "FILE")]
    pub actions: Option<PathBuf>,
    /// Route each persona job (a task with a `persona` header) to a persona instance of this
    /// project through the registry in the store, and finish the assignment when the job ends;
    /// a job's `project` variable names another project. A job no instance can take now waits
    /// (given back with its retries unchanged, offered again after a few seconds). Load the
    /// types and create the instances first (`personas types`, `personas create`).
    #[arg(long, value_name = "ORG/PROJECT[/REPO]", value_parser = parsed::<Project>)]
    pub project: Option<Project>,
    /// Grow and shrink pools of persona instances with the jobs held for them, as the `pools:`
    /// section of this YAML file sets (per pool: `type`, `min` (2), `max` (5),
    /// `held_per_instance` (1), `max_tasks`, `project` (--project)). Each beat a pool with held
    /// jobs creates or resumes one member `<type>-pool-<n>`, and a pool without pauses one idle
    /// member, never below `min` nor above `max`; the audit log says why.
    #[arg(long, value_name = "FILE", requires = "project")]
    pub pools: Option<PathBuf>,
    /// Watch this git repository: each new commit on --branch starts --on-commit once, with
    /// the variables sha, author, message and changed_files (and inputs.SHA, inputs.AUTHOR,
    /// inputs.MESSAGE, inputs.CHANGED_FILES); commits already started, as the store remembers,
    /// never start again.
    #[arg(long, value_name = "DIR", requires = "on_commit")]
    pub watch_repo: Option<PathBuf>,
    /// The branch --watch-repo watches.
    #[arg(long, value_name = "NAME", default_value = "main", requires = "watch_repo")]
    pub branch: String,
    /// The process each new commit of --watch-repo starts.
    #[arg(long, value_name = "PROCESS_ID", requires = "watch_repo")]
    pub on_commit: Option<String>,
    /// Follow this log file: each new line that matches a --rule starts --on-match once, with the
    /// variables log_line, log_file, log_offset and log_rule (and inputs.LOG_LINE, inputs.LOG_FILE);
    /// lines already started, as the store remembers, never start again.
    #[arg(long, value_name = "FILE", requires_all = ["rules", "on_match"])]
    pub watch_log: Option<PathBuf>,
    /// A regular expression a line of --watch-log must match to start --on-match (repeat it: any
    /// one is enough).
    #[arg(long = "rule", value_name = "REGEX", requires = "watch_log")]
    pub rules: Vec<String>,
    /// The process each matching line of --watch-log starts.
    #[arg(long, value_name = "PROCESS_ID", requires = "watch_log")]
    pub on_match: Option<String>,
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

/// A fixed length of time (`30d`, `12h`, `P30D`), whose error says what to write instead.
fn length(text: &str) -> Result<std::time::Duration, String> {
    feel::duration::IsoDuration::parse_length(text).map_err(|e| e.to_string())
}

/// A value read by its type's `FromStr` (projects, providers, amounts, statuses, audit kinds),
/// whose error says what to write instead.
fn parsed<T: std::str::FromStr<Err = personas::RegistryError>>(text: &str) -> Result<T, String> {
    text.parse().map_err(|e: personas::RegistryError| e.to_string())
}
