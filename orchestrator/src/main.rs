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
mod remote;
mod run;
mod serve;
mod start;
mod store;
mod vars;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return bad_command_line(&error),
    };
    let json = cli.json;
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(failure) => report(&failure, json),
    }
}

/// Prints why the command failed: `error: ...` on stderr, or with `--json` the JSON error on
/// stdout (where scripts read the answer).
fn report(failure: &failure::Failure, json: bool) -> ExitCode {
    if json {
        output::print_json(&failure.to_json());
    } else {
        eprintln!("error: {}", failure.message());
    }
    failure.exit_code()
}

/// A command line clap cannot read: help and version print as usual; an error is a usage
/// failure, as JSON when `--json` is among the arguments.
fn bad_command_line(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let asked_json = std::env::args().skip(1).any(|a| a == "--json");
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) || !asked_json {
        let _ = error.print();
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    }
    let message = if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        "a subcommand or argument is missing; `orchestrator --help` lists them".to_owned()
    } else {
        let rendered = error.render().to_string();
        rendered.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned()
    };
    report(&failure::Failure::Usage(message), true)
}
