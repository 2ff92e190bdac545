//! The handlers that ask the provider chain of the `llm` crate: the `llm` action's structured
//! answers, and the `agent` that decides an `ad-hoc` step's tools.

mod agent;
mod handler;
mod structured;

pub use agent::{AgentHandler, CALLS_EXHAUSTED, DEFAULT_MAX_CALLS};
pub use handler::{Answer, AskError, LlmHandler, LlmUsage};
pub use structured::StructuredOutput;
