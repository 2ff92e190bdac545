//! `yaml-to-bpmn`: compiles YAML workflows to Camunda 8 / Zeebe BPMN (see `--help`).

use clap::Parser;

fn main() -> std::process::ExitCode {
    yaml_to_bpmn::cli::run(yaml_to_bpmn::cli::Cli::parse())
}
