//! `run`: the engine, its timers and the in-process job handlers, until Ctrl-C or a condition.
//!
//! The engine is opened on the store once and shared ([`engine::Engine`]) by a ticker (timers,
//! job time-outs, back-offs), a [`workers::WorkerRuntime`] whose [`workers::EmbeddedClient`]
//! runs the handlers of [`handlers`], and a watcher that shows progress and checks the stop
//! condition. Stopping drains: the handlers finish and report every job in flight first.

mod console;
mod handlers;
mod watch;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use engine::Engine;
use engine::history::Status;
use serde_json::json;
use workers::{CancellationToken, EmbeddedClient, InMemoryMetrics, WorkerOptions, WorkerRuntime};

use crate::cli::RunArgs;
use crate::commands::{Format, unknown_instance};
use crate::failure::{Failure, Result};
use crate::output::print_json;
use crate::output::say;
use crate::store::StoreLocation;
use crate::{deploy, vars};
use console::Console;
use watch::{Counts, Stop, Until, Watch};

/// How often the watcher looks and the ticker fires due timers.
const BEAT: Duration = Duration::from_millis(100);

/// How often a long `run` stores a snapshot of the state (it also stores one when it stops), so
/// the next open replays only what came after it.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(300);

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
    let models = if args.deploy.is_empty() { None } else { Some(deploy::load(&args.deploy)?) };
    let start_variables = vars::collect(&args.vars)?;
    let console = Console::stdout(format == Format::Json);
    let mut core = store.open_engine()?;
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
    if let Some(process_id) = &args.start {
        let created = crate::commands::start_instance(&mut core, process_id, start_variables)?;
        let key = created.process_instance_key;
        console
            .line(&format!("started {} version {}: process instance {key}", created.bpmn_process_id, created.version));
        if until == Until::Done(0) {
            until = Until::Done(key);
        }
    }
    if let Until::Done(key) = until
        && !core.is_active(key)
    {
        // Ended before `run` (or while starting, or by a timer that fell due on open).
        return Ok(finish(&ended(&mut core, store, key)?, &Counts::default(), format));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))?;
    let (stop, counts) = runtime.block_on(serve(Engine::new(core), until, &args.worker, &console));
    console.finish();
    Ok(finish(&stop, &counts, format))
}

/// How the instance `key`, which is not running, ended, from the engine's log.
fn ended(core: &mut engine::EngineCore, store: &StoreLocation, key: i64) -> Result<Stop> {
    let entries = core.history().transpose()?.unwrap_or_default();
    let history = engine::history::History::fold(entries);
    match history.instance(key).map(|i| i.status) {
        None => Err(unknown_instance(store, key)),
        Some(Status::Terminated) => Ok(Stop::Terminated(key)),
        Some(_) => Ok(Stop::Completed(key)),
    }
}

/// Runs ticker, handlers and watcher until the condition holds or Ctrl-C comes; then drains.
async fn serve(engine: Engine, until: Until, worker: &str, console: &Console) -> (Stop, Counts) {
    let job_types = handlers::job_types();
    let mut watch = Watch::new(until, &job_types);
    // Look once before anything runs, so every running instance is followed from the start.
    engine.with(|core| watch.observe(core));
    let ticker = engine.spawn_ticker(BEAT);
    let metrics = Arc::new(InMemoryMetrics::new());
    let options =
        WorkerOptions { request_timeout: Duration::from_secs(1), poll_interval: BEAT, ..WorkerOptions::default() };
    let runtime =
        WorkerRuntime::new(Arc::new(EmbeddedClient::new(engine.clone()))).worker_name(worker).metrics(metrics.clone());
    let runtime = handlers::register(runtime, console, &options);
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
    (stop, counts)
}

/// Stores a snapshot of the engine's state; a failure is shown, not fatal: the log still holds
/// everything, the next open only replays more of it.
fn take_snapshot(engine: &Engine, console: &Console) {
    if let Err(error) = engine.with(|core| core.snapshot()) {
        console.line(&format!("could not store a snapshot (the log is intact; the next open replays it): {error}"));
    }
}

/// Prints why `run` stopped and the counts; the exit code follows the reason.
fn finish(stop: &Stop, counts: &Counts, format: Format) -> ExitCode {
    let instance = match stop {
        Stop::Completed(k) | Stop::Terminated(k) | Stop::Stuck(k, _) => Some(*k),
        Stop::Interrupted | Stop::Idle => None,
    };
    match format {
        Format::Json => print_json(&json!({
            "stopped": stop.name(),
            "instance": instance,
            "message": stop.describe(),
            "counts": counts,
        })),
        Format::Text if stop.failed() => eprintln!("error: {}", stop.describe()),
        Format::Text => say!("stopped: {}", stop.describe()),
    }
    if stop.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
