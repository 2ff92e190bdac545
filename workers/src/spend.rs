//! [`SpendGate`]: money set aside before a call that costs money, and charged after it, so that a
//! call that would pass a budget is refused before it is made.
//!
//! A handler about to call a paid service (a model) asks the gate to [`reserve`](SpendGate::reserve)
//! the most the call can cost; a refusal ([`SpendError::Refused`]) means the call is not made
//! (the `llm` handler throws the BPMN error `SPEND_LIMIT_EXCEEDED`). After the call the handler
//! [`settle`](SpendGate::settle)s the hold with what the call used, and learns what it cost; when
//! no call was made it [`release`](SpendGate::release)s the hold. The gate prices the calls (the
//! persona registry with its price table), so prices live in one place.

use async_trait::async_trait;

use crate::job::Job;

/// A call about to be made.
#[derive(Debug, Clone, Copy)]
pub struct PlannedCall<'a> {
    /// The job it is made for (its headers name the persona instance that pays).
    pub job: &'a Job,
    /// The models that may answer, in the order they are tried; the hold covers the dearest.
    pub models: &'a [String],
    /// The prompt tokens, estimated.
    pub input_tokens: u64,
    /// The most output tokens the call may produce.
    pub max_output_tokens: u64,
}

/// What a call used.
#[derive(Debug, Clone, Copy)]
pub struct UsedCall<'a> {
    /// The model that answered.
    pub model: &'a str,
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
}

/// Money set aside for one call; settle or release it. `None` when nothing had to be set aside
/// (the job has no budget to keep to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendHold(pub Option<i64>);

/// Why a gate did not set money aside or record a charge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpendError {
    /// The call would pass a spend limit: it must not be made.
    #[error("spend refused: {0}")]
    Refused(String),
    /// The gate could not do its work (no price for the model, the store failed).
    #[error("spend not recorded: {0}")]
    Failed(String),
}

/// Sets money aside before each paid call and charges it after (see the
/// [module documentation](crate::spend)).
#[async_trait]
pub trait SpendGate: Send + Sync {
    /// Sets aside the most `call` can cost, or refuses it before it is made.
    async fn reserve(&self, call: &PlannedCall<'_>) -> Result<SpendHold, SpendError>;

    /// Charges what the call used in place of the hold; returns the cost in dollars.
    async fn settle(&self, hold: SpendHold, used: &UsedCall<'_>) -> Result<f64, SpendError>;

    /// Gives the hold back: the call was not made, or failed without cost.
    async fn release(&self, hold: SpendHold);
}

/// A gate that sets nothing aside, refuses nothing and prices nothing (every call costs 0):
/// for runs without a persona registry.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSpendLimit;

#[async_trait]
impl SpendGate for NoSpendLimit {
    async fn reserve(&self, _call: &PlannedCall<'_>) -> Result<SpendHold, SpendError> {
        Ok(SpendHold(None))
    }

    async fn settle(&self, _hold: SpendHold, _used: &UsedCall<'_>) -> Result<f64, SpendError> {
        Ok(0.0)
    }

    async fn release(&self, _hold: SpendHold) {}
}
