//! Spend: money set aside before a call and charged after it, against daily and monthly limits.
//!
//! **Reserve, then settle.** Before a call that costs money, the runtime reserves its estimate
//! ([`Registry::reserve`]: prompt tokens plus the most the call may produce, at the model's
//! price). The reservation is one conditional update: it succeeds only while what was spent in
//! the period, plus everything already reserved for calls in flight, plus this estimate, stays
//! within the limit; otherwise the call is refused before it is made
//! ([`RegistryError::SpendLimitExceeded`], which the runtime throws as the BPMN error
//! `SPEND_LIMIT_EXCEEDED`). After the call the runtime settles the reservation with what it
//! really cost ([`Registry::settle`]), or releases it if no call was made.
//!
//! So however many calls run at once, from however many processes, the money spent plus the
//! money reserved never passes a limit at the moment a call is admitted. The limit can only be
//! passed by a call that costs more than its estimate (a provider that ignored the output
//! limit); each such call passes it by its own excess at most, and once it is charged every new
//! reservation is refused. With estimates that bound the call, as the token price of the prompt
//! plus `max_tokens` does, a limit is never passed at all: less than the "one in-flight call's
//! cost" the issue allows.
//!
//! The counters count the UTC day and the calendar month of the registry's clock (the engine's
//! clock; a virtual clock in tests). A counter of an earlier day or month reads as zero and
//! starts again at the next charge: the roll-over needs no job.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::audit::{Append, AuditKind};
use crate::db::{Arg, Tx, args};
use crate::error::{RegistryError, Result};
use crate::model::{Instance, InstanceRef};
use crate::money::{Cost, Money};
use crate::period::Period;
use crate::registry::{Registry, load, refuse_retired, resolve};

/// Money set aside for a call in flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reservation {
    /// Its id: settle or release it by this.
    pub id: i64,
    /// The instance it is for.
    pub instance_id: i64,
    /// The job the call is made for.
    pub job_key: Option<i64>,
    /// The amount set aside.
    pub amount: Money,
}

/// Money spent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Charge {
    /// Its id.
    pub id: i64,
    /// The instance charged.
    pub instance_id: i64,
    /// The job the money was spent for.
    pub job_key: Option<i64>,
    /// The model, when the cost was tokens.
    pub model: Option<String>,
    /// Prompt tokens, when the cost was tokens.
    pub input_tokens: Option<u64>,
    /// Completion tokens, when the cost was tokens.
    pub output_tokens: Option<u64>,
    /// The amount.
    pub amount: Money,
    /// When (epoch ms).
    pub at_millis: i64,
    /// The instance's spend today, with this charge.
    pub spent_today: Money,
    /// The instance's spend this month, with this charge.
    pub spent_this_month: Money,
}

impl Registry {
    /// Sets money aside for a call an instance is about to make for `job_key`: the estimate
    /// (an amount, or tokens at the price table's price). Refused, before the call, with
    /// [`RegistryError::SpendLimitExceeded`] when the period's spend plus the money reserved for
    /// calls in flight plus the estimate would pass the daily or the monthly limit; the refusal
    /// is recorded in the audit log. Refused for a retired instance.
    pub async fn reserve(&self, instance: &InstanceRef, job_key: Option<i64>, estimate: &Cost) -> Result<Reservation> {
        let (registry, instance, estimate) = (self.clone(), instance.clone(), estimate.clone());
        self.db.detach(async move { registry.reserve_here(&instance, job_key, &estimate).await }).await
    }

    async fn reserve_here(&self, instance: &InstanceRef, job_key: Option<i64>, estimate: &Cost) -> Result<Reservation> {
        let amount = self.prices.price(estimate)?;
        loop {
            if let Some(reservation) = self.reserve_once(instance, job_key, amount).await? {
                return Ok(reservation);
            }
        }
    }

    /// One reservation transaction; `None` when the limit check failed but a fresh read shows
    /// room (on PostgreSQL: calls settled in between), so it is worth trying again.
    async fn reserve_once(
        &self,
        instance: &InstanceRef,
        job_key: Option<i64>,
        amount: Money,
    ) -> Result<Option<Reservation>> {
        let now = self.now();
        let period = Period::at(now);
        let mut tx = self.db.write().await?;
        let holder = resolve(&mut tx, instance, now).await?;
        refuse_retired(&holder, "spend money")?;
        let admitted = tx
            .execute(
                "UPDATE persona_instance SET reserved = reserved + $4 WHERE id = $1 \
                 AND (daily_limit IS NULL \
                      OR (CASE WHEN day_key = $2 THEN spent_day ELSE 0 END) + reserved + $4 <= daily_limit) \
                 AND (monthly_limit IS NULL \
                      OR (CASE WHEN month_key = $3 THEN spent_month ELSE 0 END) + reserved + $4 <= monthly_limit)",
                &args![holder.id, period.day, period.month, amount.micros()],
            )
            .await?;
        if admitted == 0 {
            // Read again: on PostgreSQL other calls may have changed the counters since.
            let current = load(&mut tx, holder.id, now).await?;
            let Some((period, limit, spent)) = passed_limit(&current, amount) else {
                return Ok(None);
            };
            let details = json!({
                "action": "refused", "period": period, "limit": limit, "spent": spent,
                "reserved": current.reserved, "needed": amount,
            });
            Append { job_key, ..Append::about(AuditKind::Spend, holder.id, details) }.write(&mut tx, now).await?;
            tx.commit().await?;
            return Err(RegistryError::SpendLimitExceeded {
                instance: current.name,
                period,
                limit,
                spent,
                reserved: current.reserved,
                needed: amount,
            });
        }
        let row = tx
            .fetch_one(
                "INSERT INTO persona_spend_reservation (instance_id, job_key, amount, reserved_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &args![holder.id, job_key, amount.micros(), now],
            )
            .await?;
        let id: i64 = row.get("id")?;
        tx.commit().await?;
        self.index().forget_instance(holder.id);
        Ok(Some(Reservation { id, instance_id: holder.id, job_key, amount }))
    }

    /// Settles a reservation with what the call really cost: the reservation is released and
    /// the cost charged (in full, even above the estimate: the money is spent). Fails when the
    /// reservation is not open (settled or released already); charge with
    /// [`Registry::charge`] then.
    pub async fn settle(&self, reservation: i64, actual: &Cost) -> Result<Charge> {
        let (registry, actual) = (self.clone(), actual.clone());
        self.db.detach(async move { registry.settle_here(reservation, &actual).await }).await
    }

    async fn settle_here(&self, reservation: i64, actual: &Cost) -> Result<Charge> {
        let amount = self.prices.price(actual)?;
        let now = self.now();
        let mut tx = self.db.write().await?;
        let held = take_reservation(&mut tx, reservation).await?;
        let charge = record_charge(&mut tx, now, held.instance_id, held.job_key, actual, amount, held.amount).await?;
        tx.commit().await?;
        self.index().forget_instance(held.instance_id);
        Ok(charge)
    }

    /// Releases a reservation whose call was not made (or failed without cost).
    pub async fn release(&self, reservation: i64) -> Result<Reservation> {
        let registry = self.clone();
        self.db.detach(async move { registry.release_here(reservation).await }).await
    }

    async fn release_here(&self, reservation: i64) -> Result<Reservation> {
        let mut tx = self.db.write().await?;
        let released = take_reservation(&mut tx, reservation).await?;
        tx.execute(
            "UPDATE persona_instance SET reserved = reserved - $2 WHERE id = $1",
            &args![released.instance_id, released.amount.micros()],
        )
        .await?;
        tx.commit().await?;
        self.index().forget_instance(released.instance_id);
        Ok(released)
    }

    /// Charges an instance for money spent without a reservation (a cost known only after the
    /// fact). Never refused for the limits (the money is spent); the next reservation sees it.
    pub async fn charge(&self, instance: &InstanceRef, job_key: Option<i64>, cost: &Cost) -> Result<Charge> {
        let (instance, cost) = (instance.clone(), cost.clone());
        self.detached(move |r| async move { r.charge_here(&instance, job_key, &cost).await }).await
    }

    async fn charge_here(&self, instance: &InstanceRef, job_key: Option<i64>, cost: &Cost) -> Result<Charge> {
        let amount = self.prices.price(cost)?;
        let now = self.now();
        let mut tx = self.db.write().await?;
        let holder = resolve(&mut tx, instance, now).await?;
        let charge = record_charge(&mut tx, now, holder.id, job_key, cost, amount, Money::ZERO).await?;
        tx.commit().await?;
        self.index().forget_instance(holder.id);
        Ok(charge)
    }
}

/// The first limit a call needing `needed` would pass (`daily` or `monthly`, the limit, the
/// period's spend), if any.
fn passed_limit(instance: &Instance, needed: Money) -> Option<(&'static str, Money, Money)> {
    let passes = |spent: Money, limit: Option<Money>| {
        limit.filter(|limit| {
            let total =
                i128::from(spent.micros()) + i128::from(instance.reserved.micros()) + i128::from(needed.micros());
            total > i128::from(limit.micros())
        })
    };
    match (
        passes(instance.spent_today, instance.daily_limit),
        passes(instance.spent_this_month, instance.monthly_limit),
    ) {
        (Some(limit), _) => Some(("daily", limit, instance.spent_today)),
        (None, Some(limit)) => Some(("monthly", limit, instance.spent_this_month)),
        (None, None) => None,
    }
}

fn not_open(reservation: i64) -> RegistryError {
    RegistryError::NotFound(format!(
        "reservation {reservation} is not open: it was settled or released already (its job finishing releases it too)"
    ))
}

/// Charges `amount` for `cost`, giving back `released` of the instance's reservations, and
/// records it in the audit log.
async fn record_charge(
    tx: &mut Tx,
    now: i64,
    instance_id: i64,
    job_key: Option<i64>,
    cost: &Cost,
    amount: Money,
    released: Money,
) -> Result<Charge> {
    let period = Period::at(now);
    let (model, input_tokens, output_tokens) = match cost {
        Cost::Amount(_) => (None, None, None),
        Cost::Tokens { model, input_tokens, output_tokens } => {
            (Some(model.clone()), Some(*input_tokens), Some(*output_tokens))
        }
    };
    let tokens = |count: Option<u64>| -> Result<Option<i64>> {
        count
            .map(|n| {
                i64::try_from(n).map_err(|_| RegistryError::Invalid(format!("{n} tokens is more than can be stored")))
            })
            .transpose()
    };
    tx.execute(
        "UPDATE persona_instance SET \
         spent_day = (CASE WHEN day_key = $2 THEN spent_day ELSE 0 END) + $4, day_key = $2, \
         spent_month = (CASE WHEN month_key = $3 THEN spent_month ELSE 0 END) + $4, month_key = $3, \
         reserved = reserved - $5, last_activity = $6 WHERE id = $1",
        &args![instance_id, period.day, period.month, amount.micros(), released.micros(), now],
    )
    .await?;
    let row = tx
        .fetch_one(
            "INSERT INTO persona_spend_charge (instance_id, job_key, model, input_tokens, output_tokens, amount, \
             charged_at, day_key, month_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &args![
                instance_id,
                job_key,
                model.as_deref(),
                tokens(input_tokens)?,
                tokens(output_tokens)?,
                amount.micros(),
                now,
                period.day,
                period.month
            ],
        )
        .await?;
    let id: i64 = row.get("id")?;
    let after = load(tx, instance_id, now).await?;
    let details = json!({
        "action": "charge", "amount": amount, "model": model, "input_tokens": input_tokens,
        "output_tokens": output_tokens, "released": released, "spent_today": after.spent_today,
        "spent_this_month": after.spent_this_month,
    });
    Append { job_key, ..Append::about(AuditKind::Spend, instance_id, details) }.write(tx, now).await?;
    Ok(Charge {
        id,
        instance_id,
        job_key,
        model,
        input_tokens,
        output_tokens,
        amount,
        at_millis: now,
        spent_today: after.spent_today,
        spent_this_month: after.spent_this_month,
    })
}

/// Removes every reservation still held for the jobs of `job_keys` (they are done: no call is
/// in flight for them any more); returns each as (job, instance, amount). The money goes back to
/// the instances with [`give_back_reserved`].
pub(crate) async fn take_job_reservations(tx: &mut Tx, job_keys: &[i64]) -> Result<Vec<(i64, i64, i64)>> {
    if job_keys.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<[Arg; 1]> = job_keys.iter().map(|key| [Arg::from(*key)]).collect();
    let rows = tx
        .fetch_rows(&[], &keys, |keys| {
            format!("DELETE FROM persona_spend_reservation WHERE job_key IN (VALUES {keys}) RETURNING job_key, instance_id, amount")
        })
        .await?;
    rows.iter().map(|row| Ok((row.get("job_key")?, row.get("instance_id")?, row.get("amount")?))).collect()
}

/// Takes the amounts of reservations removed by [`take_job_reservations`] off their instances'
/// money in flight.
pub(crate) async fn give_back_reserved(tx: &mut Tx, reservations: &[(i64, i64, i64)]) -> Result<()> {
    let mut held: BTreeMap<i64, i64> = BTreeMap::new();
    for (_, instance_id, amount) in reservations {
        *held.entry(*instance_id).or_default() += amount;
    }
    for (instance_id, amount) in held {
        tx.execute("UPDATE persona_instance SET reserved = reserved - $2 WHERE id = $1", &args![instance_id, amount])
            .await?;
    }
    Ok(())
}

/// Removes an open reservation and returns it; an error when it is not open (settled or
/// released already).
async fn take_reservation(tx: &mut Tx, reservation: i64) -> Result<Reservation> {
    let held = tx
        .fetch_optional(
            "DELETE FROM persona_spend_reservation WHERE id = $1 RETURNING instance_id, job_key, amount",
            &args![reservation],
        )
        .await?;
    let Some(held) = held else {
        return Err(not_open(reservation));
    };
    Ok(Reservation {
        id: reservation,
        instance_id: held.get("instance_id")?,
        job_key: held.get("job_key")?,
        amount: Money::from_micros(held.get("amount")?),
    })
}
