//! [`RegistryGate`]: the registry as the runtime's [`SpendGate`]: before a paid call, the most it
//! can cost (the dearest of the models that may answer, at the price table's prices) is set aside
//! against the budget of the instance the job was routed to ([`Registry::reserve`]), refused when
//! it would pass the daily or monthly limit; after the call what it used is charged
//! ([`Registry::settle`]). Prices are the registry's [`PriceTable`](crate::PriceTable): the one
//! price table.
//!
//! A job that was not routed (no [`INSTANCE_ID_HEADER`]) has no instance budget: nothing is set
//! aside, and its calls are only priced.

use async_trait::async_trait;
use workers::spend::{PlannedCall, SpendError, SpendGate, SpendHold, UsedCall};

use crate::error::RegistryError;
use crate::model::InstanceRef;
use crate::money::{Cost, Money};
use crate::registry::Registry;
use crate::routed::INSTANCE_ID_HEADER;

/// The registry as a [`SpendGate`] (see the [module documentation](crate::gate)).
#[derive(Debug, Clone)]
pub struct RegistryGate {
    registry: Registry,
}

impl RegistryGate {
    /// A gate on `registry`, pricing with its price table.
    pub fn new(registry: Registry) -> Self {
        Self { registry }
    }

    /// The most `call` can cost: its tokens at the price of the dearest model that may answer.
    fn estimate(&self, call: &PlannedCall<'_>) -> Result<Money, RegistryError> {
        let mut dearest = Money::ZERO;
        for model in call.models {
            let cost = Cost::tokens(model.as_str(), call.input_tokens, call.max_output_tokens);
            dearest = dearest.max(self.registry.prices().price(&cost)?);
        }
        Ok(dearest)
    }
}

/// Dollars as the runtime reports them.
fn dollars(money: Money) -> f64 {
    money.micros() as f64 / 1_000_000.0
}

fn failed(error: RegistryError) -> SpendError {
    match error {
        RegistryError::SpendLimitExceeded { .. } => SpendError::Refused(error.to_string()),
        other => SpendError::Failed(other.to_string()),
    }
}

#[async_trait]
impl SpendGate for RegistryGate {
    async fn reserve(&self, call: &PlannedCall<'_>) -> Result<SpendHold, SpendError> {
        let estimate = self.estimate(call).map_err(failed)?;
        let Some(header) = call.job.header(INSTANCE_ID_HEADER) else {
            return Ok(SpendHold(None));
        };
        let id: i64 = header.parse().map_err(|_| {
            SpendError::Failed(format!("the job's {INSTANCE_ID_HEADER} header `{header}` is not an instance id"))
        })?;
        let reservation = self
            .registry
            .reserve(&InstanceRef::Id(id), Some(call.job.key), &Cost::Amount(estimate))
            .await
            .map_err(failed)?;
        Ok(SpendHold(Some(reservation.id)))
    }

    async fn settle(&self, hold: SpendHold, used: &UsedCall<'_>) -> Result<f64, SpendError> {
        let cost = Cost::tokens(used.model, used.input_tokens, used.output_tokens);
        match hold.0 {
            Some(reservation) => {
                self.registry.settle(reservation, &cost).await.map(|c| dollars(c.amount)).map_err(failed)
            }
            None => self.registry.prices().price(&cost).map(dollars).map_err(failed),
        }
    }

    async fn release(&self, hold: SpendHold) {
        if let Some(reservation) = hold.0
            && let Err(error) = self.registry.release(reservation).await
        {
            // The job's end releases what is still held, so nothing stays set aside for long.
            tracing::warn!(reservation, %error, "could not release money set aside for a call");
        }
    }
}
