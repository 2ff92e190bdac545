//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit code: done.
pub const EXIT_OK: u8 = 0;
/// Exit code: the input was rejected (compile errors, or Zeebe refused a resource).
pub const EXIT_REJECTED: u8 = 1;
/// Exit code: a usage or configuration problem.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code: the gateway could not be reached or failed.
pub const EXIT_GATEWAY: u8 = 3;

/// Runs the persona actions of compiled workflows as Zeebe job workers, and deploys workflows.
///
/// Connection settings come from the config file's `zeebe` section, overridden by the Camunda
/// client environment variables ZEEBE_ADDRESS, ZEEBE_INSECURE_CONNECTION,
/// ZEEBE_CA_CERTIFICATE_PATH, ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET,
/// ZEEBE_AUTHORIZATION_SERVER_URL and ZEEBE_TOKEN_AUDIENCE.
#[derive(Debug, Parser)]
#[command(name = "persona-worker", version, about)]
pub struct Cli {
    /// How log lines are written (to standard error).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Which log lines are written: a level (error, warn, info, debug, trace) or a tracing
    /// filter such as `info,workers=debug`. RUST_LOG wins when set.
    #[arg(long, default_value = "info", global = true)]
    pub log_level: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines with `key=value` fields.
    Text,
    /// One JSON object per line, fields included.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the job workers until SIGTERM or SIGINT, then finish the jobs in flight and exit 0.
    Run(RunArgs),
    /// Compile YAML workflows (or take BPMN files as they are) and deploy them to Zeebe in one
    /// deployment, printing each process id, version and definition key.
    Deploy(DeployArgs),
}

/// `run`'s arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The YAML config file (see persona-worker/persona-worker.example.yaml).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Serve Prometheus metrics at http://ADDR/metrics (overrides the file's `metrics_addr`).
    #[arg(long)]
    pub metrics_addr: Option<SocketAddr>,
}

/// `deploy`'s arguments.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// YAML workflows, BPMN files, or folders (walked for *.yaml, *.yml and *.bpmn). YAML files
    /// are compiled together, so calls between them are checked.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// A config file whose `zeebe` section says where and how to connect.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// The gateway address (overrides the config file and ZEEBE_ADDRESS).
    #[arg(long)]
    pub address: Option<String>,
    /// Print the deployed processes as a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How long to keep retrying while the gateway is unreachable, overloaded or times out (a
    /// deployment of unchanged resources is idempotent), such as 30s; 0s tries once.
    #[arg(long, default_value = "30s", value_parser = crate::config::parse_duration)]
    pub retry_for: Duration,
}
