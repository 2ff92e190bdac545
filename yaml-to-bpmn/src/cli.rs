//! The command line: `convert`, `check` and `roundtrip`, with exit codes 0 (ok), 1 (errors in
//! the input) and 2 (usage or I/O problems).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::compile::{Outcome, Source, compile_set};

/// Compiles YAML workflows to Camunda 8 / Zeebe BPMN.
#[derive(Debug, Parser)]
#[command(name = "yaml-to-bpmn", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile workflows (files, or folders walked for *.yaml / *.yml) to `<metadata.id>.bpmn`.
    Convert {
        /// YAML files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The folder to write the BPMN files to (created when missing).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Check YAML workflows (compiled together) or BPMN files, printing diagnostics.
    Check {
        /// YAML or BPMN files, or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

/// Exit code: everything fine.
pub const EXIT_OK: u8 = 0;
/// Exit code: the input has errors.
pub const EXIT_INPUT_ERRORS: u8 = 1;
/// Exit code: bad usage or an I/O failure.
pub const EXIT_USAGE: u8 = 2;

/// Runs a parsed command line, printing to stdout/stderr.
pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Command::Convert { inputs, output } => convert(&inputs, &output),
        Command::Check { inputs } => check(&inputs),
    };
    ExitCode::from(code)
}

/// The YAML files named or found below the named folders, sorted per folder.
pub fn collect_yaml(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found)?;
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: cannot list folder: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: cannot list folder: {e}", dir.display()))?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            found.push(path);
        }
    }
    Ok(())
}

fn read_sources(files: &[PathBuf]) -> Result<Vec<Source>, String> {
    files
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .map(|text| Source { name: path.display().to_string(), text })
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))
        })
        .collect()
}

fn print_diagnostics(outcome: &Outcome) {
    for diagnostic in &outcome.diagnostics {
        eprintln!("{diagnostic}");
    }
}

fn convert(inputs: &[PathBuf], output: &Path) -> u8 {
    let sources = match collect_yaml(inputs).and_then(|files| read_sources(&files)) {
        Ok(sources) => sources,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let outcome = compile_set(&sources);
    print_diagnostics(&outcome);
    if let Err(e) = std::fs::create_dir_all(output) {
        eprintln!("error: {}: cannot create folder: {e}", output.display());
        return EXIT_USAGE;
    }
    for workflow in &outcome.workflows {
        let path = output.join(format!("{}.bpmn", workflow.id));
        if let Err(e) = std::fs::write(&path, crate::output::to_xml(&workflow.definitions)) {
            eprintln!("error: {}: cannot write: {e}", path.display());
            return EXIT_USAGE;
        }
        println!("wrote {}", path.display());
    }
    if outcome.has_errors() { EXIT_INPUT_ERRORS } else { EXIT_OK }
}

fn check(inputs: &[PathBuf]) -> u8 {
    let sources = match collect_yaml(inputs).and_then(|files| read_sources(&files)) {
        Ok(sources) => sources,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let outcome = compile_set(&sources);
    print_diagnostics(&outcome);
    let errors = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
    println!("{} files, {errors} errors, {} warnings", sources.len(), outcome.diagnostics.len() - errors);
    if errors > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK }
}
