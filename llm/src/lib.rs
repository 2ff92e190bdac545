//! Structured answers from LLMs across a priority-ordered chain of providers.
//!
//! - [`ProviderConfig`] names a provider: its wire format ([`ProviderKind`]: OpenAI-compatible,
//!   Anthropic, Gemini, Ollama), base URL, model, and the environment variable holding its key.
//!   Keys are read at call time and never appear in logs, errors or `Debug` output.
//! - [`Chain`] asks providers in order. Each gets a per-call timeout, retries with exponential
//!   back-off (`backon`) on 429, 5xx, timeouts and connection failures, and a circuit breaker;
//!   when one gives up or its circuit is open, the next is asked.
//! - [`OutputShapes`] turns the `outputs` task header into an instruction and checks answers.
//! - [`LlmHandler`] is the `llm` job: prompt plus instruction, one corrective retry on an
//!   invalid answer, the most each call can cost set aside with a [`SpendGate`] before the call
//!   (refused: the call is not made) and what it cost charged after, and the outputs plus
//!   `llm_usage` on the job; failures are BPMN errors `LLM_UNAVAILABLE`, `LLM_INVALID_OUTPUT` and
//!   `SPEND_LIMIT_EXCEEDED`. The gate prices the calls (the persona registry, with the one price
//!   table), so this crate has no prices of its own.
//!
//! The four wire formats are written by hand on the workspace's reqwest: only one plain chat
//! call per format is needed, and owning it lets the chain classify every status for fail-over
//! and keep keys out of every error text.

mod breaker;
mod chain;
mod handler;
mod provider;
mod shape;
mod wire;

pub use breaker::CircuitState;
pub use chain::{AttemptError, Chain, ChainError, ChainOptions, Completion, Unavailable, Usage};
pub use handler::{Answer, AskError, LlmHandler, LlmUsage};
pub use provider::{ProviderConfig, ProviderKind};
pub use shape::{OutputShapes, Shape, ShapeError, StructuredOutput};
pub use wire::{Message, Role};
pub use workers::spend::{NoSpendLimit, SpendError, SpendGate};
