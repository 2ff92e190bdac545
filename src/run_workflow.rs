//! The `run_workflow` demo: compile YAML workflows, deploy them to an embedded engine, start one
//! and run it to its end with dry-run job workers that print what they would do.
//!
//! `cargo run --example run_workflow -- <YAML FILE or DIR>... [--process ID] [--var K=V]...`
//! starts the first workflow named (the first file of a folder) unless `--process` names
//! another. Each `--var` becomes an entry of the start variable `inputs` (a value that reads as
//! JSON, such as `true`, `3` or `["a"]`, keeps its type; anything else is a string). The
//! engine runs on a virtual clock, so timers fire at once.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bpmn::graph::ProcessGraph;
use engine::record::{Intent, Record, RecordValue};
use engine::store::RecordSink;
use engine::{ActivatedJob, EngineCore, Variables, VirtualClock};
use serde_json::Value;
use yaml_to_bpmn::{CompiledWorkflow, Source, compile_set};

use crate::drive::{Driver, Ending, Reply, job_types};
use crate::dry_run::describe_job;

/// Steps (completed jobs plus timer jumps) after which a run is reported as not ending.
pub const DEFAULT_STEP_LIMIT: usize = 10_000;

/// The parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// YAML files and folders, in the order given.
    pub paths: Vec<PathBuf>,
    /// The process to start instead of the first workflow named.
    pub process: Option<String>,
    /// The entries of the start variable `inputs`.
    pub inputs: Variables,
    /// The step limit.
    pub step_limit: usize,
}

/// Why the demo could not run a workflow.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// The command line is wrong.
    Usage(String),
    /// A file or folder could not be read.
    Io(String),
    /// The workflows have compile errors (one `file:line:col: error: message` each).
    Compile(Vec<String>),
    /// `--process` names no compiled workflow.
    UnknownProcess {
        /// The id asked for.
        id: String,
        /// The ids compiled.
        known: Vec<String>,
    },
    /// The engine refused a command.
    Engine(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Usage(message) => write!(f, "{message}\n{USAGE}"),
            RunError::Io(message) => f.write_str(message),
            RunError::Compile(errors) => {
                write!(f, "the workflows do not compile ({} errors):\n{}", errors.len(), errors.join("\n"))
            }
            RunError::UnknownProcess { id, known } => {
                write!(f, "no workflow has the id `{id}`; compiled: {}", known.join(", "))
            }
            RunError::Engine(message) => write!(f, "the engine refused: {message}"),
        }
    }
}

impl std::error::Error for RunError {}

/// The usage text.
pub const USAGE: &str =
    "usage: run_workflow <YAML FILE or DIR>... [--process ID] [--var NAME=VALUE]... [--max-steps N]";

/// Parses the arguments after the program name.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, RunError> {
    let mut options =
        Options { paths: Vec::new(), process: None, inputs: Variables::new(), step_limit: DEFAULT_STEP_LIMIT };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| RunError::Usage(format!("{flag} needs a value")));
        match arg.as_str() {
            "--process" => options.process = Some(value("--process")?),
            "--var" => {
                let (name, text) = parse_var(&value("--var")?)?;
                options.inputs.insert(name, text);
            }
            "--max-steps" => {
                let text = value("--max-steps")?;
                options.step_limit = text
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| RunError::Usage(format!("--max-steps needs a positive number, not `{text}`")))?;
            }
            flag if flag.starts_with("--") => return Err(RunError::Usage(format!("unknown option `{flag}`"))),
            path => options.paths.push(PathBuf::from(path)),
        }
    }
    if options.paths.is_empty() {
        return Err(RunError::Usage("name at least one YAML file or folder".into()));
    }
    Ok(options)
}

/// `NAME=VALUE`: the value as JSON when it parses as JSON, else as a string.
fn parse_var(text: &str) -> Result<(String, Value), RunError> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(RunError::Usage(format!("--var `{text}` should be NAME=VALUE")));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(RunError::Usage(format!("--var `{text}` has no name before `=`")));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

/// How the run went.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The process started.
    pub process_id: String,
    /// How it ended.
    pub ending: Ending,
}

impl Summary {
    /// True when the instance completed.
    pub fn completed(&self) -> bool {
        matches!(self.ending, Ending::Completed(_))
    }
}

/// Compiles, deploys, starts and runs the workflow, printing the transcript to `out`.
pub fn run(options: &Options, out: &mut dyn Write) -> Result<Summary, RunError> {
    let workflows = compile(&options.paths, out)?;
    let process_id = chosen_process(options, &workflows)?;
    let transcript = Transcript::default();
    let clock = VirtualClock::default();
    let mut core = EngineCore::with(Arc::new(clock.clone()), Box::new(transcript.clone()));
    let resources: Vec<(&str, &bpmn::Definitions)> =
        workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    let deployment = core.deploy_models(&resources).map_err(|e| RunError::Engine(e.to_string()))?;
    transcript.learn_names(&workflows, &deployment.processes);
    let types = job_types(workflows.iter().map(|w| &w.definitions));
    writeln_or_io(out, format_args!("starting {process_id} with inputs {}", Value::Object(options.inputs.clone())))?;

    let mut write_failure = None;
    let mut handler = |job: &ActivatedJob| {
        transcript.push(format!("  job  {} {}: {}", job.job_type(), job.element_id(), indent(&describe_job(job))));
        if let Err(e) = transcript.flush(out) {
            write_failure.get_or_insert(e);
        }
        Reply::Complete(Variables::new())
    };
    let mut driver = Driver { core: &mut core, clock: &clock, job_types: &types, step_limit: options.step_limit };
    let start = Variables::from_iter([("inputs".to_owned(), Value::Object(options.inputs.clone()))]);
    let result = driver.run(&process_id, start, &mut handler);
    transcript.flush(out)?;
    if let Some(e) = write_failure {
        return Err(e);
    }
    let run = result.map_err(|e| RunError::Engine(e.to_string()))?;
    report_ending(&core, run.instance, &run.ending, out)?;
    Ok(Summary { process_id, ending: run.ending })
}

/// Compiles the YAML files below the paths as one set; errors stop the run.
fn compile(paths: &[PathBuf], out: &mut dyn Write) -> Result<Vec<CompiledWorkflow>, RunError> {
    let files = yaml_to_bpmn::cli::collect_files(paths, &["yaml", "yml"]).map_err(RunError::Io)?;
    if files.is_empty() {
        return Err(RunError::Usage("no .yaml or .yml file found in the paths given".into()));
    }
    let sources = files
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .map(|text| Source { name: path.display().to_string(), text })
                .map_err(|e| RunError::Io(format!("{}: cannot read: {e}", path.display())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = compile_set(&sources);
    let errors: Vec<String> = outcome.diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
    if !errors.is_empty() {
        return Err(RunError::Compile(errors));
    }
    let warnings = outcome.diagnostics.len();
    writeln_or_io(
        out,
        format_args!(
            "compiled {} workflows ({warnings} warnings; `yaml-to-bpmn check` lists them)",
            outcome.workflows.len()
        ),
    )?;
    Ok(outcome.workflows)
}

/// `--process`, else the workflow of the first file named.
fn chosen_process(options: &Options, workflows: &[CompiledWorkflow]) -> Result<String, RunError> {
    let known = || workflows.iter().map(|w| w.id.clone()).collect::<Vec<_>>();
    match &options.process {
        Some(id) if workflows.iter().any(|w| &w.id == id) => Ok(id.clone()),
        Some(id) => Err(RunError::UnknownProcess { id: id.clone(), known: known() }),
        None => workflows
            .first()
            .map(|w| w.id.clone())
            .ok_or_else(|| RunError::UnknownProcess { id: "(first workflow)".into(), known: known() }),
    }
}

/// The final lines: the workflow's `outputs` and the instance state.
fn report_ending(core: &EngineCore, instance: i64, ending: &Ending, out: &mut dyn Write) -> Result<(), RunError> {
    let state = match ending {
        Ending::Completed(variables) => {
            let outputs = match variables.get("outputs") {
                Some(outputs) => serde_json::to_string_pretty(outputs).unwrap_or_else(|_| outputs.to_string()),
                None => "(the workflow declares no outputs)".to_owned(),
            };
            writeln_or_io(out, format_args!("outputs: {outputs}"))?;
            "completed".to_owned()
        }
        Ending::Terminated => "terminated".to_owned(),
        Ending::Incidents(incidents) => {
            let list: Vec<String> = incidents
                .iter()
                .map(|i| format!("{} at {}: {}", i.error_type.name(), i.element_id, i.error_message))
                .collect();
            format!("incident\n  {}", list.join("\n  "))
        }
        Ending::Stuck => format!("waiting (for a message, signal or user task) at {}", active(core, instance)),
        Ending::LimitReached => format!("still running after the step limit, at {}", active(core, instance)),
    };
    writeln_or_io(out, format_args!("instance state: {state}"))
}

/// The active element ids of an instance, comma-separated.
fn active(core: &EngineCore, instance: i64) -> String {
    let ids: Vec<String> = core
        .element_instances(instance)
        .into_iter()
        .filter(|e| e.key != instance)
        .map(|e| e.element_id.to_string())
        .collect();
    ids.join(", ")
}

fn writeln_or_io(out: &mut dyn Write, line: fmt::Arguments<'_>) -> Result<(), RunError> {
    writeln!(out, "{line}").map_err(|e| RunError::Io(format!("cannot write the transcript: {e}")))
}

/// Continuation lines of a multi-line description, indented under the first.
fn indent(text: &str) -> String {
    text.replace('\n', "\n         ")
}

/// A record sink that turns `ELEMENT_COMPLETED` records into transcript lines, kept until the
/// demo flushes them (job lines go through the same buffer, so the order is the engine's).
#[derive(Clone, Default)]
struct Transcript {
    shared: Arc<Mutex<TranscriptState>>,
}

#[derive(Default)]
struct TranscriptState {
    lines: Vec<String>,
    /// (process definition key, element id) → element name.
    names: HashMap<(i64, String), String>,
    /// Process definition key → BPMN process id.
    processes: HashMap<i64, String>,
}

impl Transcript {
    /// Learns the element names of the deployed models.
    fn learn_names(&self, workflows: &[CompiledWorkflow], deployed: &[engine::ProcessMetadata]) {
        let Ok(mut state) = self.shared.lock() else { return };
        for process in deployed {
            state.processes.insert(process.process_definition_key, process.bpmn_process_id.clone());
            let Some(model) = workflows.iter().find_map(|w| w.definitions.process(&process.bpmn_process_id)) else {
                continue;
            };
            let graph = ProcessGraph::new(model);
            for node in graph.scopes().flat_map(|scope| scope.nodes()) {
                if let Some(name) = &node.common.name {
                    state.names.insert((process.process_definition_key, node.id().to_owned()), name.clone());
                }
            }
        }
    }

    fn push(&self, line: String) {
        if let Ok(mut state) = self.shared.lock() {
            state.lines.push(line);
        }
    }

    fn flush(&self, out: &mut dyn Write) -> Result<(), RunError> {
        let lines = self.shared.lock().map(|mut state| std::mem::take(&mut state.lines)).unwrap_or_default();
        for line in lines {
            writeln_or_io(out, format_args!("{line}"))?;
        }
        Ok(())
    }
}

impl RecordSink for Transcript {
    fn append(&mut self, record: &Record) {
        let RecordValue::Element(element) = &record.value else { return };
        if record.intent != Intent::ElementCompleted {
            return;
        }
        let Ok(mut state) = self.shared.lock() else { return };
        let key = (element.process_definition_key, element.element_id.to_string());
        let name = state.names.get(&key).map(|n| format!(" \"{n}\"")).unwrap_or_default();
        let process = state.processes.get(&element.process_definition_key).cloned().unwrap_or_default();
        state.lines.push(format!("  done [{process}] {}{name}", element.element_id));
    }
}
