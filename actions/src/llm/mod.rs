//! The `llm` action's handler: structured answers from the provider chain of the `llm` crate.

mod handler;
mod structured;

pub use handler::{Answer, AskError, LlmHandler, LlmUsage};
pub use structured::StructuredOutput;
