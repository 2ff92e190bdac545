//! `orchestrator`: deploy, start, run and inspect workflows on the durable embedded engine.
//!
//! The engine's record log lives in `./.orchestrator/state.db` (SQLite) unless `--store` or
//! `ORCHESTRATOR_STORE` names another file. Every command opens the store, does its work and
//! closes it; `run` keeps it open while the engine, its timers and the in-process job handlers
//! work. Exit codes: 0 ok, 1 the command failed, 2 bad usage or input.

mod cli;
mod commands;
mod deploy;
mod failure;
mod output;
mod run;
mod serve;
mod store;
mod vars;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message());
            failure.exit_code()
        }
    }
}
