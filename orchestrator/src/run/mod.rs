//! `run`: the engine, its timers and the in-process job handlers, until Ctrl-C or a condition.
//!
//! The engine is opened on the store once and shared ([`engine::Engine`]) by a ticker (timers,
//! job time-outs, back-offs), a [`workers::WorkerRuntime`] whose [`workers::EmbeddedClient`]
//! runs the handlers of [`handlers`], and a watcher that shows progress and checks the stop
//! condition. Stopping drains: the handlers finish and report every job in flight first.
//!
//! With `--simulate` the persona jobs get simulated outputs ([`scenario`]) and a [`summary`] of
//! the instance is printed at the end; with `--clock virtual` engine time jumps to the next
//! timer whenever nothing else can happen ([`clock`]).

pub(crate) mod clock;
mod commits;
pub(crate) mod console;
pub(crate) mod handlers;
mod log_tail;
mod log_watch;
mod pools;
pub(crate) mod routing;
mod scenario;
pub(crate) mod settings;
mod started;
mod summary;
mod watch;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use engine::history::{History, Status};
use engine::{Clock, Engine, EngineCore, SystemClock, VirtualClock};
use serde_json::json;
use workers::{CancellationToken, EmbeddedClient, InMemoryMetrics, WorkerOptions, WorkerRuntime};

use crate::cli::{ClockKind, RunArgs};
use crate::failure::{Failure, Result};
use crate::output::Format;
use crate::output::{print_json, say, time};
use crate::store::StoreLocation;
use crate::{deploy, vars};
use commits::CommitWatch;
use console::Console;
use handlers::Mode;
use log_watch::LogWatch;
use routing::Routing;
use summary::Summary;
use watch::{Counts, Stop, Until, Watch};

/// How often the watcher looks and the ticker fires due timers.
const BEAT: Duration = Duration::from_millis(100);

/// How often a long `run` (and `serve`) stores a snapshot of the state (it also stores one when
/// it stops), so the next open replays only what came after it.
pub(crate) const SNAPSHOT_EVERY: Duration = Duration::from_secs(300);

/// `run`.
pub fn run(store: &StoreLocation, args: &RunArgs, format: Format) -> Result<ExitCode> {
    let has_vars = !args.vars.vars.is_empty() || args.vars.vars_file.is_some();
    if has_vars && args.start.is_none() {
        return Err(Failure::Usage(
            "--var and --vars-file give the variables of --start; add --start <process-id>".into(),
        ));
    }
    if args.until_done == Some(0) && args.start.is_none() {
        return Err(Failure::Usage(
            "--until-done without an instance key waits for the instance --start starts; add --start <process-id> or give the key".into(),
        ));
    }
    let simulate = scenario::handler(args)?;
    let mut settings = settings::settings(args)?;
    let seed = simulate.as_ref().map(|s| s.seed());
    let worker = if simulate.is_some() { format!("{}-simulate", args.worker) } else { args.worker.clone() };
    let models = if args.deploy.is_empty() { None } else { Some(deploy::load(&args.deploy)?) };
    let start_variables = vars::collect(&args.vars)?;
    let console = Console::stdout(format == Format::Json);
    let virtual_clock = match args.clock {
        ClockKind::System => None,
        ClockKind::Virtual => Some(clock::start(store)?),
    };
    let engine_clock: Arc<dyn Clock> = match &virtual_clock {
        Some(clock) => Arc::new(clock.clone()),
        None => Arc::new(SystemClock),
    };
    let (mut core, shared) = store.open_engine_sharing(engine_clock.clone())?;
    // This run's workers are the only ones: jobs still activated were held by a run that died.
    let released = core
        .release_activated_jobs()
        .map_err(|e| Failure::engine(e, "the store could not record the release; check the disk and run again"))?;
    if released > 0 {
        console.line(&format!("{released} jobs that an earlier run held when it stopped are free again"));
    }
    if let Some(models) = &models {
        let deployment = deploy::deploy(&mut core, models)?;
        let versions: Vec<String> =
            deployment.processes.iter().map(|p| format!("{} v{}", p.bpmn_process_id, p.version)).collect();
        console.line(&format!("deployed {} processes: {}", versions.len(), versions.join(", ")));
    }
    let mut until = match args.until_done {
        Some(key) if key != 0 => Until::Done(key),
        Some(_) => Until::Done(0),
        None if args.until_idle => Until::Idle,
        None => Until::Stopped,
    };
    let mut started = None;
    if let Some(process_id) = &args.start {
        let created = crate::start::start_instance(&mut core, process_id, start_variables)?;
        let key = created.process_instance_key;
        console
            .line(&format!("started {} version {}: process instance {key}", created.bpmn_process_id, created.version));
        if until == Until::Done(0) {
            until = Until::Done(key);
        }
        started = Some(key);
    }
    let followed = match until {
        Until::Done(key) => Some(key),
        Until::Idle | Until::Stopped => started,
    };
    if let Until::Done(key) = until
        && !core.is_active(key)
    {
        // Ended before `run` (or while starting, or by a timer that fell due on open).
        let stop = ended(&mut core, store, key)?;
        let summary = summarize(&mut core, followed.zip(seed))?;
        return Ok(finish(&stop, &watch::counts(&core), summary.as_ref(), format));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))?;
    let mut routing = match &args.project {
        Some(project) => Some(runtime.block_on(Routing::open(store, shared, engine_clock, project.clone()))?),
        None => None,
    };
    if let Some(routing) = &mut routing {
        if let Some(clock) = &virtual_clock {
            // A run killed mid-job may have recorded assignments later than its log's last entry.
            runtime.block_on(routing.last_time())?.into_iter().for_each(|at| clock.advance_to(at));
        }
        routing.gate_spend(&mut settings.settings, args.actions.as_deref())?;
        let settled = match &args.pools {
            Some(file) => runtime.block_on(routing.pools(file))?,
            None => Vec::new(),
        };
        console.line(&routing.describe());
        settled.iter().for_each(|change| console.line(change));
    }
    let commits = CommitWatch::open(store, args)?;
    if let Some(commits) = &commits {
        console.line(&commits.describe());
    }
    let log = LogWatch::open(store, args)?;
    if let Some(log) = &log {
        console.line(&log.describe());
    }
    let engine = Engine::new(core);
    let routing = routing.map(|routing| routing.watching(&engine));
    let mode = simulate.map_or(Mode::DryRun, |handler| Mode::Simulate(handler, virtual_clock.clone()));
    let serving = Serving { worker, mode, settings, clock: virtual_clock, routing };
    let (stop, counts) =
        runtime.block_on(serve(engine.clone(), until, &serving, Starters { commits, log }, &console))?;
    console.finish();
    let summary = engine.with(|core| summarize(core, followed.zip(seed)))?;
    Ok(finish(&stop, &counts, summary.as_ref(), format))
}

/// The summary of the instance `run` followed, when it simulated (`Some((instance, seed))`).
fn summarize(core: &mut EngineCore, simulated: Option<(i64, u64)>) -> Result<Option<Summary>> {
    let Some((key, seed)) = simulated else { return Ok(None) };
    let entries = core.history().transpose()?.unwrap_or_default();
    Ok(Summary::of(&History::fold(entries), key, seed))
}

/// How the instance `key`, which is not running, ended, from the engine's log.
fn ended(core: &mut engine::EngineCore, store: &StoreLocation, key: i64) -> Result<Stop> {
    let entries = core.history().transpose()?.unwrap_or_default();
    let history = engine::history::History::fold(entries);
    match history.instance(key).map(|i| i.status) {
        None => Err(store.unknown_instance(key)),
        Some(Status::Terminated) => Ok(Stop::Terminated(key)),
        Some(_) => Ok(Stop::Completed(key)),
    }
}

/// How `run` works the jobs: the worker name recorded, the handlers, and the virtual clock if
/// any.
struct Serving {
    worker: String,
    mode: Mode,
    /// How the real handlers are set up (`--actions`, `--execute-shell`).
    settings: settings::ActionSettings,
    clock: Option<VirtualClock>,
    /// Persona jobs routed through the registry (`--project`).
    routing: Option<Routing>,
}

/// What starts instances while `run` runs: new commits (`--watch-repo`) and matching log lines
/// (`--watch-log`).
struct Starters {
    commits: Option<CommitWatch>,
    log: Option<LogWatch>,
}

/// Runs ticker, handlers and watcher until the condition holds or Ctrl-C comes; then drains.
async fn serve(
    engine: Engine,
    until: Until,
    serving: &Serving,
    mut starters: Starters,
    console: &Console,
) -> Result<(Stop, Counts)> {
    let job_types = handlers::job_types();
    let mut watch = Watch::new(until, &job_types);
    // Look once before anything runs, so every running instance is followed from the start.
    engine.with(|core| watch.observe(core));
    let metrics = Arc::new(InMemoryMetrics::new());
    let options =
        WorkerOptions { request_timeout: Duration::from_secs(1), poll_interval: BEAT, ..WorkerOptions::default() };
    let runtime = WorkerRuntime::new(Arc::new(EmbeddedClient::new(engine.clone())))
        .worker_name(serving.worker.as_str())
        .metrics(metrics.clone());
    let runtime =
        handlers::register(runtime, console, &options, &serving.mode, &serving.settings, serving.routing.as_ref())?;
    let ticker = engine.spawn_ticker(BEAT);
    let shutdown = CancellationToken::new();
    let workers = tokio::spawn(runtime.run(shutdown.clone()));
    let jobs_done = |counts: &mut Counts| {
        counts.jobs_done = job_types
            .iter()
            .map(|t| {
                let stats = metrics.stats(t);
                stats.completed + stats.failed + stats.errored
            })
            .sum();
    };
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut beat = tokio::time::interval(BEAT);
    let mut last_snapshot = tokio::time::Instant::now();
    let stop = loop {
        tokio::select! {
            // Ctrl-C first: its handler is installed when it is first polled, before the first
            // progress line appears.
            biased;
            _ = &mut ctrl_c => break Stop::Interrupted,
            _ = beat.tick() => {}
        }
        if let Some(commits) = &mut starters.commits {
            commits.poll(&engine, console);
        }
        if let Some(log) = &mut starters.log {
            log.poll(&engine, console);
        }
        if let Some(routing) = &serving.routing {
            routing.reconcile_pools().await.iter().for_each(|change| console.line(change));
        }
        if let Some(clock) = &serving.clock
            && let Some(at) = engine.with(|core| clock::leap(core, clock, watch.jobs_moving(core.state())))
        {
            console.line(&format!("virtual clock: nothing else to do, on to the next timer at {}", time(Some(at))));
        }
        let (mut counts, stop) = engine.with(|core| watch.observe(core));
        jobs_done(&mut counts);
        console.progress(&counts.line());
        if let Some(stop) = stop {
            break stop;
        }
        if last_snapshot.elapsed() >= SNAPSHOT_EVERY {
            take_snapshot(&engine, console);
            last_snapshot = tokio::time::Instant::now();
        }
    };
    shutdown.cancel();
    if let Ok(Err(error)) = workers.await {
        console.line(&format!("the job handlers could not run: {error}"));
    }
    ticker.abort();
    take_snapshot(&engine, console);
    let (mut counts, _) = engine.with(|core| watch.observe(core));
    jobs_done(&mut counts);
    console.progress(&counts.line());
    Ok((stop, counts))
}

/// Stores a snapshot of the engine's state; a failure is shown, not fatal: the log still holds
/// everything, the next open only replays more of it.
fn take_snapshot(engine: &Engine, console: &Console) {
    if let Err(error) = engine.with(|core| core.snapshot()) {
        console.line(&format!("could not store a snapshot (the log is intact; the next open replays it): {error}"));
    }
}

/// Prints the summary (with `--simulate`), why `run` stopped and the counts; the exit code
/// follows the reason.
fn finish(stop: &Stop, counts: &Counts, summary: Option<&Summary>, format: Format) -> ExitCode {
    let instance = match stop {
        Stop::Completed(k) | Stop::Terminated(k) | Stop::Stuck(k, _) => Some(*k),
        Stop::Interrupted | Stop::Idle => None,
    };
    match format {
        Format::Json => print_json(&json!({
            "stopped": stop.name(),
            "instance": instance,
            "process_instance_key": instance,
            "message": stop.describe(),
            "counts": counts,
            "summary": summary,
        })),
        Format::Text => {
            if let Some(summary) = summary {
                summary.print();
            }
            if stop.failed() {
                eprintln!("error: {}", stop.describe());
            } else {
                say!("stopped: {}", stop.describe());
            }
        }
    }
    if stop.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
