//! The command line: `convert`, `check`, `raci` and `roundtrip`, with exit codes 0 (ok), 1 (errors in
//! the input) and 2 (usage or I/O problems).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use bpmn::graph::ValidationOptions;

use crate::compile::{Outcome, Source, compile_set, compile_str};
use crate::diagnostic::Diagnostic;
use crate::model_check::check_bpmn;

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
    ///
    /// Files with errors are reported and not written; the exit code is then 1.
    Convert {
        /// YAML files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The folder to write the BPMN files to (created when missing).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Check YAML workflows (compiled together) and BPMN files (read and graph-validated),
    /// printing `file:line:col: severity: message` diagnostics.
    Check {
        /// YAML or BPMN files, or folders (walked for *.yaml, *.yml and *.bpmn).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Print the RACI matrix of the workflows: one row per task step with who is responsible,
    /// accountable (approvals needed, vetoes), consulted and informed, and its escalation.
    Raci {
        /// YAML files or folders (compiled together, with the persona catalogue when present).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// How to print it.
        #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
        format: MatrixFormat,
    },
    /// Read a BPMN file and write it back (the reader and writer lose nothing).
    Roundtrip {
        /// The BPMN file to read.
        input: PathBuf,
        /// The BPMN file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// How `raci` prints the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// An aligned text table.
    Table,
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of rows.
    Json,
}

/// Exit code: everything fine.
pub const EXIT_OK: u8 = 0;
/// Exit code: the input has errors.
pub const EXIT_INPUT_ERRORS: u8 = 1;
/// Exit code: bad usage or an I/O failure.
pub const EXIT_USAGE: u8 = 2;

/// Runs a parsed command line, printing to stdout/stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Convert { inputs, output } => convert(&inputs, &output),
        Command::Check { inputs } => check(&inputs),
        Command::Raci { inputs, format } => raci(&inputs, format),
        Command::Roundtrip { input, output } => roundtrip(&input, &output),
    };
    ExitCode::from(result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        EXIT_USAGE
    }))
}

/// What a subcommand ends with: an exit code, or a usage/I/O problem to report (exit 2).
type Run = Result<u8, String>;

/// YAML workflow file extensions.
const YAML: &[&str] = &["yaml", "yml"];
/// Extensions `check` looks for in folders.
const CHECKABLE: &[&str] = &["yaml", "yml", "bpmn"];

/// The files named, plus those below the named folders whose extension is one of `extensions`
/// (sorted per folder).
pub fn collect_files(inputs: &[PathBuf], extensions: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, extensions, &mut found)?;
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, extensions: &[&str], found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: cannot list folder: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: cannot list folder: {e}", dir.display()))?.path();
        if path.is_dir() {
            walk(&path, extensions, found)?;
        } else if has_extension(&path, extensions) {
            found.push(path);
        }
    }
    Ok(())
}

/// Compiles the sources as a set (with cross-file checks: callees must be among them) when a
/// folder or several files were named; one named file is compiled on its own.
pub fn compile_sources(inputs: &[PathBuf], sources: &[Source]) -> Outcome {
    match sources {
        [single] if !inputs.iter().any(|p| p.is_dir()) => compile_str(&single.name, &single.text),
        _ => compile_set(sources),
    }
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e))
}

/// Reads each file as a [`Source`] named by its path; an unreadable file is an error naming it.
pub fn read_sources(files: &[PathBuf]) -> Result<Vec<Source>, String> {
    files
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .map(|text| Source { name: path.display().to_string(), text })
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))
        })
        .collect()
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
}

fn convert(inputs: &[PathBuf], output: &Path) -> Run {
    let sources = read_sources(&collect_files(inputs, YAML)?)?;
    let outcome = compile_sources(inputs, &sources);
    print_diagnostics(&outcome.diagnostics);
    std::fs::create_dir_all(output).map_err(|e| format!("{}: cannot create folder: {e}", output.display()))?;
    for (workflow, xml) in outcome.workflows.iter().zip(crate::output::to_xml_all(&outcome.workflows)) {
        let path = output.join(format!("{}.bpmn", workflow.id));
        write(&path, &xml)?;
        println!("wrote {}", path.display());
    }
    Ok(if outcome.has_errors() { EXIT_INPUT_ERRORS } else { EXIT_OK })
}

fn check(inputs: &[PathBuf]) -> Run {
    let (models, workflows): (Vec<PathBuf>, Vec<PathBuf>) =
        collect_files(inputs, CHECKABLE)?.into_iter().partition(|p| has_extension(p, &["bpmn"]));
    let sources = read_sources(&workflows)?;
    let mut diagnostics = if sources.is_empty() { Vec::new() } else { compile_sources(inputs, &sources).diagnostics };
    for path in &models {
        let bytes = read(path)?;
        diagnostics.extend(check_bpmn(&path.display().to_string(), &bytes, &ValidationOptions::default()));
    }
    print_diagnostics(&diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    println!("{} files, {errors} errors, {} warnings", sources.len() + models.len(), diagnostics.len() - errors);
    Ok(if errors > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
}

fn raci(inputs: &[PathBuf], format: MatrixFormat) -> Run {
    let sources = read_sources(&collect_files(inputs, YAML)?)?;
    let outcome = compile_sources(inputs, &sources);
    if outcome.has_errors() {
        print_diagnostics(&outcome.diagnostics);
        return Ok(EXIT_INPUT_ERRORS);
    }
    let rows: Vec<crate::raci::Row> = outcome.workflows.iter().flat_map(|w| w.raci.iter().cloned()).collect();
    match format {
        MatrixFormat::Table => print!("{}", crate::raci::to_table(&rows)),
        MatrixFormat::Csv => print!("{}", crate::raci::to_csv(&rows)),
        MatrixFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&rows).map_err(|e| format!("cannot write JSON: {e}"))?)
        }
    }
    Ok(EXIT_OK)
}

fn roundtrip(input: &Path, output: &Path) -> Run {
    let definitions = match bpmn::read_with_warnings(&read(input)?) {
        Ok(outcome) => {
            for warning in &outcome.warnings {
                eprintln!("{}:{warning}", input.display());
            }
            outcome.definitions
        }
        Err(e) => {
            eprintln!("{}:{}:{}: error: {}", input.display(), e.line, e.column, e.message);
            return Ok(EXIT_INPUT_ERRORS);
        }
    };
    write(output, &bpmn::write(&definitions))?;
    println!("wrote {}", output.display());
    Ok(EXIT_OK)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}
