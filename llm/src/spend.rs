//! Cost: a [`PriceTable`] turns token counts into money, and a [`SpendCharger`] accepts or
//! refuses each charge (the persona registry enforces budgets through it).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::chain::Usage;

/// The price of a model, per 1,000 tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    /// Per 1,000 input tokens.
    pub input_per_1k: f64,
    /// Per 1,000 output tokens.
    pub output_per_1k: f64,
}

/// Prices by model name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceTable(pub HashMap<String, Price>);

impl PriceTable {
    /// The cost of `usage`; a model without a price costs 0 (and is logged).
    pub fn cost(&self, usage: &Usage) -> f64 {
        match self.0.get(&usage.model) {
            Some(price) => {
                (usage.input_tokens as f64 * price.input_per_1k + usage.output_tokens as f64 * price.output_per_1k)
                    / 1000.0
            }
            None => {
                tracing::warn!(model = %usage.model, "no price for this LLM model; its cost is recorded as 0");
                0.0
            }
        }
    }
}

/// A charge was refused: the budget it would exceed, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("spend refused: {0}")]
pub struct SpendRefused(pub String);

/// Accepts or refuses the cost of each LLM call of a job.
pub trait SpendCharger: Send + Sync {
    /// Charges `cost` for a call that `provider`'s `model` answered for job `job_key`.
    fn charge(&self, job_key: i64, provider: &str, model: &str, cost: f64) -> Result<(), SpendRefused>;
}

/// Accepts every charge: no budget until the persona registry provides one.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSpendLimit;

impl SpendCharger for NoSpendLimit {
    fn charge(&self, _job_key: i64, _provider: &str, _model: &str, _cost: f64) -> Result<(), SpendRefused> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_is_tokens_times_price_per_thousand() {
        let prices = PriceTable(HashMap::from([("m".to_owned(), Price { input_per_1k: 0.5, output_per_1k: 2.0 })]));
        let usage =
            |model: &str| Usage { provider: "p".into(), model: model.into(), input_tokens: 1200, output_tokens: 300 };
        assert!((prices.cost(&usage("m")) - 1.2).abs() < 1e-12);
        assert_eq!(prices.cost(&usage("unpriced")), 0.0);
    }
}
