//! `persona-worker`: the job-worker daemon for the persona actions of compiled workflows on
//! Zeebe (`run`), and the command that deploys YAML or BPMN workflows to Zeebe (`deploy`).
//!
//! Exit codes: 0 done (the daemon stopped on SIGTERM or SIGINT after finishing its jobs),
//! 1 the input was rejected (compile errors, or Zeebe refused a resource), 2 a usage or
//! configuration problem, 3 the gateway could not be reached or failed.

mod cli;
mod config;
mod connect;
mod daemon;
mod deploy;
mod handlers;
mod logging;
mod metrics;
mod metrics_server;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(cli.log_format, &cli.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(cli::EXIT_GATEWAY);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            cli::Command::Run(args) => daemon::run(args).await,
            cli::Command::Deploy(args) => deploy::run(args).await,
        }
    });
    ExitCode::from(code)
}
