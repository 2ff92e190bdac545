//! Compiles the seed YAML workflow dialect into executable Camunda 8 / Zeebe BPMN models.
//!
//! Pipeline: text → located YAML tree ([`yaml`]) → dialect AST ([`dialect`]) → checks
//! ([`check`]) → BPMN model ([`lower`]), with templates translated to FEEL ([`template`]).
//! Every problem is a located [`Diagnostic`]; nothing panics on bad input.
//!
//! ```
//! let yaml = "metadata:\n  id: hello\nsteps:\n  - id: greet\n    action: log\n    message: hi\n";
//! let outcome = yaml_to_bpmn::compile_str("hello.yaml", yaml);
//! assert!(!outcome.has_errors());
//! let xml = yaml_to_bpmn::output::to_xml(&outcome.workflows[0].definitions);
//! assert!(xml.contains("id=\"hello\""));
//! ```
//!
//! - [`compile_str`] compiles one file on its own; [`compile_set`] compiles several together and
//!   adds the cross-file checks (callee exists, input and output contracts, call cycles).
//! - [`Outcome`] holds one [`CompiledWorkflow`] (a [`bpmn::Definitions`]) per file without errors,
//!   and every [`Diagnostic`] (`file:line:col: error|warning: message`).
//! - [`output::to_xml`] writes a compiled model as BPMN XML; [`model_check::check_bpmn`] reads and
//!   validates a BPMN file into the same diagnostics.
//! - [`resources::load`] is the one loader of workflow resources (BPMN read with its repair
//!   warnings, YAML compiled), used by `orchestrator deploy`, `persona-worker deploy` and the
//!   server's `POST /api/deployments`.
//!
//! Errors stop a file: YAML syntax, differing duplicate keys, unknown actions, missing required
//! fields, duplicate step ids, references to undeclared inputs or unknown steps, bad durations,
//! unparsable templates, unknown callees (in a set). Everything else the survey lists as a defect
//! is a warning and the file still compiles; constructs with no FEEL equivalent
//! (`context.merge_objects`, `context.calculate_overall_status`) compile to `null` with a warning.

pub mod check;
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod dialect;
pub mod duration;
pub mod governance;
pub mod index;
pub mod lower;
pub mod model_check;
pub mod operations;
pub mod output;
pub mod parallel;
pub mod personas;
pub mod prompt;
pub mod raci;
pub mod resources;
pub mod template;
pub mod texts;
pub mod yaml;

pub use compile::{CompiledWorkflow, Outcome, Source, compile_set, compile_str};
pub use diagnostic::{Diagnostic, Diagnostics, Pos, Severity};
