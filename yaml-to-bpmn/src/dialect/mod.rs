//! The YAML workflow dialect: its AST and how it is read from the located YAML tree.

pub mod ast;
mod fields;
mod governance;
mod parse;
mod schedule;

pub(crate) use fields::Fields;
pub use parse::{CONTROL_FLOW, is_valid_id, parse_workflow, step_actions};
