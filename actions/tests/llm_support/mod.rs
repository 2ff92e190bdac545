//! A spend gate for the tests: prices calls per 1,000 tokens, can refuse holds above a limit,
//! and records what it was asked.

#![allow(dead_code)] // each test binary uses its own part

use std::sync::Mutex;

use async_trait::async_trait;
use workers::spend::{PlannedCall, SpendError, SpendGate, SpendHold, UsedCall};

/// What the gate saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// A hold of this many dollars for this job.
    Held(i64, f64),
    /// A charge of this many dollars for a call of this model.
    Charged(String, f64),
    /// A hold given back.
    Released,
}

/// Prices every model at `input_per_1k` and `output_per_1k` dollars; refuses a hold above
/// `limit`.
pub struct Priced {
    pub input_per_1k: f64,
    pub output_per_1k: f64,
    pub limit: Option<f64>,
    pub seen: Mutex<Vec<Seen>>,
}

impl Priced {
    pub fn new(input_per_1k: f64, output_per_1k: f64) -> Self {
        Self { input_per_1k, output_per_1k, limit: None, seen: Mutex::default() }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn cost(&self, input: u64, output: u64) -> f64 {
        (input as f64 * self.input_per_1k + output as f64 * self.output_per_1k) / 1000.0
    }

    fn note(&self, seen: Seen) {
        if let Ok(mut all) = self.seen.lock() {
            all.push(seen);
        }
    }
}

#[async_trait]
impl SpendGate for Priced {
    async fn reserve(&self, call: &PlannedCall<'_>) -> Result<SpendHold, SpendError> {
        let hold = self.cost(call.input_tokens, call.max_output_tokens);
        if let Some(limit) = self.limit.filter(|limit| hold > *limit) {
            return Err(SpendError::Refused(format!("a call of up to ${hold} would pass the limit of ${limit}")));
        }
        self.note(Seen::Held(call.job.key, hold));
        Ok(SpendHold(Some(call.job.key)))
    }

    async fn settle(&self, _hold: SpendHold, used: &UsedCall<'_>) -> Result<f64, SpendError> {
        let cost = self.cost(used.input_tokens, used.output_tokens);
        self.note(Seen::Charged(used.model.to_owned(), cost));
        Ok(cost)
    }

    async fn release(&self, _hold: SpendHold) {
        self.note(Seen::Released);
    }
}
