//! Compiles the seed YAML workflow dialect into executable Camunda 8 / Zeebe BPMN models.
//!
//! Pipeline: text → located YAML tree ([`yaml`]) → dialect AST ([`dialect`]) → checks
//! ([`check`]) → BPMN model ([`lower`]), with templates translated to FEEL ([`template`]).
//! Every problem is a located [`Diagnostic`]; nothing panics on bad input.

pub mod check;
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod dialect;
pub mod duration;
pub mod index;
pub mod lower;
pub mod model_check;
pub mod output;
pub mod template;
pub mod texts;
pub mod yaml;

pub use compile::{CompiledWorkflow, Outcome, Source, compile_set, compile_str};
pub use diagnostic::{Diagnostic, Diagnostics, Pos, Severity};
