//! Spend: tokens priced from the price table, calls refused before they would pass a limit,
//! counters that roll over on the virtual clock, and a limit that holds under 100 concurrent jobs.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use engine::VirtualClock;
use personas::{
    AuditKind, AuditQuery, Cost, InstanceRef, ModelPrice, Money, Outcome, PriceTable, Registry, RegistryError,
    RouteDecision, RouteRequest, SPEND_LIMIT_EXCEEDED,
};
use serde_json::json;
use support::{TestStore, instance_in, on_every_backend, shop};

on_every_backend!(
    tokens_are_priced_from_the_price_table_and_charged,
    a_call_that_would_pass_a_limit_is_refused_before_it_is_made,
    counters_roll_over_on_the_virtual_clock,
    a_spend_limit_holds_under_100_concurrent_jobs,
    finishing_a_job_releases_what_was_set_aside_for_it,
);

fn money(text: &str) -> Money {
    text.parse().expect("an amount")
}

/// The price table of these tests: `sonnet` at $0.003 / $0.015 per 1k tokens, `mini` at $0.01 /
/// $0.04 per 1k.
fn prices() -> PriceTable {
    let mut prices = PriceTable::default();
    prices.insert("sonnet", ModelPrice { input_per_1k: money("0.003"), output_per_1k: money("0.015") });
    prices.insert("mini", ModelPrice { input_per_1k: money("0.01"), output_per_1k: money("0.04") });
    prices
}

/// A registry with the test prices and one backend developer `bea` with these limits.
async fn with_budget(store: &TestStore, clock: &VirtualClock, daily: &str, monthly: &str) -> (Registry, InstanceRef) {
    let registry = store.registry(clock).await.with_prices(prices());
    let mut new = instance_in("bea", "backend-developer", &shop());
    new.daily_limit = Some(money(daily));
    new.monthly_limit = Some(money(monthly));
    let bea = registry.create_instance(new).await.expect("created");
    (registry, InstanceRef::Id(bea.id))
}

async fn spent(registry: &Registry, instance: &InstanceRef) -> (Money, Money, Money) {
    let now = registry.get(instance).await.expect("reads");
    (now.spent_today, now.spent_this_month, now.reserved)
}

async fn tokens_are_priced_from_the_price_table_and_charged(store: TestStore) {
    let clock = VirtualClock::default();
    let (registry, bea) = with_budget(&store, &clock, "10", "100").await;
    // 10,000 in at $0.003/1k + 2,000 out at $0.015/1k = $0.03 + $0.03.
    let charge = registry.charge(&bea, Some(5), &Cost::tokens("sonnet", 10_000, 2_000)).await.expect("charged");
    assert_eq!(
        (charge.amount, charge.spent_today, charge.spent_this_month),
        (money("0.06"), money("0.06"), money("0.06"))
    );
    assert_eq!(
        (charge.model.as_deref(), charge.input_tokens, charge.output_tokens),
        (Some("sonnet"), Some(10_000), Some(2_000))
    );
    let third = registry.charge(&bea, Some(5), &Cost::Amount(money("0.000001"))).await.expect("charged");
    assert_eq!(third.spent_today, money("0.060001"), "to the micro-dollar");

    let before = registry.audit(&AuditQuery::default()).await.expect("reads");
    for (cost, message) in
        [(Cost::tokens("opus", 1, 1), "no price for model `opus`"), (Cost::Amount(money("-1")), "cannot be negative")]
    {
        let error = registry.charge(&bea, None, &cost).await.expect_err("refused");
        assert!(error.to_string().contains(message) && error.is_bad_input(), "{error}");
    }
    assert_eq!(registry.audit(&AuditQuery::default()).await.expect("reads"), before, "refusals change nothing");
    assert_eq!(spent(&registry, &bea).await.0, money("0.060001"));

    let entries = registry
        .audit(&AuditQuery { kinds: vec![AuditKind::Spend], instance: Some(bea.clone()), ..Default::default() })
        .await
        .expect("reads");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].job_key, Some(5));
    assert_eq!(entries[0].details["amount"], json!("0.06"));
    assert_eq!(entries[0].details["model"], json!("sonnet"));
}

async fn a_call_that_would_pass_a_limit_is_refused_before_it_is_made(store: TestStore) {
    let clock = VirtualClock::default();
    let (registry, bea) = with_budget(&store, &clock, "1", "5").await;
    let first = registry.reserve(&bea, Some(1), &Cost::Amount(money("0.60"))).await.expect("room for it");
    let error = registry.reserve(&bea, Some(2), &Cost::Amount(money("0.50"))).await.expect_err("over the daily limit");
    assert_eq!(error.bpmn_error_code(), Some(SPEND_LIMIT_EXCEEDED));
    assert!(matches!(&error, RegistryError::SpendLimitExceeded { period: "daily", .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("$0.60 set aside") && text.contains("--daily-limit"), "{text}");
    // The call cost less than its estimate: the rest is free again.
    let charge = registry.settle(first.id, &Cost::tokens("mini", 10_000, 5_000)).await.expect("settled");
    assert_eq!(charge.amount, money("0.30"));
    assert_eq!(spent(&registry, &bea).await, (money("0.30"), money("0.30"), Money::ZERO));
    let second = registry.reserve(&bea, Some(2), &Cost::Amount(money("0.50"))).await.expect("room now");
    assert_eq!(registry.release(second.id).await.expect("released").amount, money("0.50"));
    assert!(matches!(registry.release(second.id).await, Err(RegistryError::NotFound(_))), "released once only");

    // A call that costs more than its estimate is charged in full (the money is spent); it alone
    // passes the limit, by its own excess, and every later call is refused.
    let big = registry.reserve(&bea, Some(3), &Cost::Amount(money("0.70"))).await.expect("exactly to the limit");
    registry.settle(big.id, &Cost::Amount(money("0.85"))).await.expect("settled");
    assert_eq!(spent(&registry, &bea).await.0, money("1.15"));
    let error = registry.reserve(&bea, Some(4), &Cost::Amount(money("0.000001"))).await.expect_err("nothing left");
    assert!(matches!(error, RegistryError::SpendLimitExceeded { .. }));

    let refusals: Vec<serde_json::Value> = registry
        .audit(&AuditQuery { kinds: vec![AuditKind::Spend], ..Default::default() })
        .await
        .expect("reads")
        .into_iter()
        .filter(|e| e.details["action"] == json!("refused"))
        .map(|e| e.details)
        .collect();
    assert_eq!(refusals.len(), 2, "each refusal is audited");
    assert_eq!(
        refusals[0],
        json!({"action": "refused", "period": "daily", "limit": "1.00", "spent": "0.00", "reserved": "0.60", "needed": "0.50"})
    );
}

async fn counters_roll_over_on_the_virtual_clock(store: TestStore) {
    // 2024-01-31T22:00:00Z.
    let clock = VirtualClock::at(1_706_738_400_000);
    let (registry, bea) = with_budget(&store, &clock, "1", "1.50").await;
    registry.charge(&bea, None, &Cost::Amount(money("0.90"))).await.expect("charged");
    let refused = registry.reserve(&bea, None, &Cost::Amount(money("0.20"))).await;
    assert!(matches!(refused, Err(RegistryError::SpendLimitExceeded { period: "daily", .. })), "{refused:?}");
    clock.advance(Duration::from_secs(2 * 3600) - Duration::from_millis(1));
    assert_eq!(spent(&registry, &bea).await.0, money("0.90"), "23:59:59.999 is still the same day");
    assert!(registry.reserve(&bea, None, &Cost::Amount(money("0.20"))).await.is_err());

    // Midnight: a new day and a new month; both counters start again.
    clock.advance(Duration::from_millis(1));
    assert_eq!(spent(&registry, &bea).await, (Money::ZERO, Money::ZERO, Money::ZERO));
    let reservation = registry.reserve(&bea, None, &Cost::Amount(money("0.90"))).await.expect("a new day");
    registry.settle(reservation.id, &Cost::Amount(money("0.90"))).await.expect("settled");

    // The next day the daily counter is back to zero but the month's goes on.
    clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(spent(&registry, &bea).await, (Money::ZERO, money("0.90"), Money::ZERO));
    let refused = registry.reserve(&bea, None, &Cost::Amount(money("0.70"))).await;
    assert!(matches!(refused, Err(RegistryError::SpendLimitExceeded { period: "monthly", .. })), "{refused:?}");
    registry.reserve(&bea, None, &Cost::Amount(money("0.60"))).await.expect("within the month's limit");
}

/// 100 concurrent jobs, each estimate $0.05, against a $1.00 daily limit.
const JOBS: u64 = 100;

async fn a_spend_limit_holds_under_100_concurrent_jobs(store: TestStore) {
    let clock = VirtualClock::default();
    let (registry, bea) = with_budget(&store, &clock, "1", "100").await;
    let limit = money("1");
    // Estimate: 1,000 prompt tokens and at most 1,000 completion tokens of `mini` = $0.05.
    let estimate = Cost::tokens("mini", 1_000, 1_000);
    let handles = [registry.clone(), store.open(&clock).await.with_prices(prices())];
    let (admitted, refused) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let done = Arc::new(AtomicBool::new(false));
    // Watches, from a handle of its own, that spend plus money set aside never passes the limit.
    let watcher = {
        let (registry, bea, done) = (store.open(&clock).await, bea.clone(), done.clone());
        tokio::spawn(async move {
            let (mut samples, mut most) = (0_u32, Money::ZERO);
            while !done.load(Ordering::SeqCst) {
                let now = registry.get(&bea).await.expect("reads");
                most = most.max(now.spent_today.checked_add(now.reserved).expect("fits"));
                samples += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            (samples, most)
        })
    };
    let mut jobs = Vec::new();
    for job in 0..JOBS {
        let registry = handles[(job % 2) as usize].clone();
        let (bea, estimate, admitted, refused) = (bea.clone(), estimate.clone(), admitted.clone(), refused.clone());
        jobs.push(tokio::spawn(async move {
            match registry.reserve(&bea, Some(job as i64), &estimate).await {
                Ok(reservation) => {
                    admitted.fetch_add(1, Ordering::SeqCst);
                    // The call: takes a moment, produces 500 to 1,000 completion tokens.
                    tokio::time::sleep(Duration::from_millis(job % 7)).await;
                    let output = 500 + (job * 37) % 501;
                    registry.settle(reservation.id, &Cost::tokens("mini", 1_000, output)).await.expect("settles");
                }
                Err(error) => {
                    assert_eq!(error.bpmn_error_code(), Some(SPEND_LIMIT_EXCEEDED), "{error}");
                    refused.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    for job in jobs {
        job.await.expect("the job ends");
    }
    done.store(true, Ordering::SeqCst);
    let (samples, most_committed) = watcher.await.expect("the watcher ends");
    let (today, _, reserved) = spent(&registry, &bea).await;
    let (admitted, refused) = (admitted.load(Ordering::SeqCst), refused.load(Ordering::SeqCst));
    println!(
        "{} backend: {JOBS} concurrent jobs, limit {limit}, estimate $0.05: {admitted} admitted, {refused} refused, \
         spent {today}, most spent + set aside seen {most_committed} in {samples} samples",
        if store.is_postgres() { "postgres" } else { "sqlite" }
    );
    assert_eq!(u64::from(admitted + refused), JOBS);
    assert!(today <= limit, "spent {today}, over the limit {limit}");
    assert!(most_committed <= limit, "spent plus set aside reached {most_committed}");
    assert!(admitted >= 20, "the limit admits at least $1.00 / $0.05 calls, {admitted} were");
    assert!(refused > 0, "the jobs wanted more than the limit");
    assert_eq!(reserved, Money::ZERO, "every reservation was settled");
    let charged: i64 = registry
        .audit(&AuditQuery { kinds: vec![AuditKind::Spend], ..Default::default() })
        .await
        .expect("reads")
        .iter()
        .filter(|e| e.details["action"] == json!("charge"))
        .map(|e| e.details["amount"].as_str().unwrap_or("0").parse::<Money>().expect("an amount").micros())
        .sum();
    assert_eq!(Money::from_micros(charged), today, "the audited charges add up to the counter");
}

async fn finishing_a_job_releases_what_was_set_aside_for_it(store: TestStore) {
    let clock = VirtualClock::default();
    let (registry, bea) = with_budget(&store, &clock, "1", "5").await;
    let request = RouteRequest {
        job_key: 11,
        persona_type: "backend-developer".into(),
        project: shop(),
        workflow_instance: None,
        element_id: None,
    };
    assert!(matches!(registry.route(&request).await.expect("routes"), RouteDecision::Assigned(_)));
    let reservation = registry.reserve(&bea, Some(11), &Cost::Amount(money("0.40"))).await.expect("reserved");
    assert_eq!(spent(&registry, &bea).await.2, money("0.40"));
    registry.finish(11, Outcome::Failed).await.expect("finished");
    assert_eq!(spent(&registry, &bea).await.2, Money::ZERO, "the job is done: nothing is in flight for it");
    assert!(matches!(
        registry.settle(reservation.id, &Cost::Amount(money("0.1"))).await,
        Err(RegistryError::NotFound(_))
    ));

    registry.retire(&bea).await.expect("retired");
    let error = registry.reserve(&bea, None, &Cost::Amount(money("0.1"))).await.expect_err("retired");
    assert!(error.to_string().contains("retired"), "{error}");
}
