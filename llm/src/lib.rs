//! Structured answers from LLMs across a priority-ordered chain of providers.
//!
//! - [`ProviderConfig`] names a provider: its wire format ([`ProviderKind`]: OpenAI-compatible,
//!   Anthropic, Gemini, Ollama), base URL, model, and the environment variable holding its key.
//!   Keys are read at call time and never appear in logs, errors or `Debug` output.
//! - [`Chain`] asks providers in order. Each gets a per-call timeout, retries with exponential
//!   back-off (`backon`) on 429, 5xx, timeouts and connection failures, and a circuit breaker;
//!   when one gives up or its circuit is open, the next is asked.
//! - Calls are priced and held against a budget by a `workers::spend::SpendGate`, which the
//!   `llm` action's handler takes (the persona registry implements it with the one price table).
//!
//! The `llm` job handler, which asks the chain for a step's declared outputs, is the `llm`
//! action of the `actions` crate.
//!
//! The four wire formats are written by hand on the workspace's reqwest: only one plain chat
//! call per format is needed, and owning it lets the chain classify every status for fail-over
//! and keep keys out of every error text.

mod breaker;
mod chain;
mod provider;
mod wire;

#[cfg(feature = "testing")]
pub mod testing;

pub use breaker::CircuitState;
pub use chain::{AttemptError, Chain, ChainError, ChainOptions, Completion, Unavailable, Usage};
pub use provider::{ProviderConfig, ProviderKind};
pub use wire::{Message, Role};
