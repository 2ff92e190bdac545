//! [`RegistryGate`]: the registry as the runtime's spend gate. A call that would pass a limit is
//! refused before it is made; one that fits is held, then charged as used; a hold is given back;
//! an unrouted job is only priced; a model without a price is named.

mod support;

use std::collections::BTreeMap;

use engine::VirtualClock;
use personas::routed::INSTANCE_ID_HEADER;
use personas::{AuditKind, AuditQuery, InstanceRef, ModelPrice, Money, PriceTable, Registry, RegistryGate};
use support::{TestStore, instance_in, on_every_backend, shop};
use workers::Job;
use workers::spend::{PlannedCall, SpendError, SpendGate, SpendHold, UsedCall};

on_every_backend!(
    a_call_that_would_pass_a_limit_is_refused_before_it_is_made,
    a_call_is_held_at_its_dearest_model_then_charged_as_used,
    a_hold_is_given_back_and_an_unrouted_job_is_only_priced,
);

fn money(text: &str) -> Money {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// `cheap` at $1 / $3 and `dear` at $2 / $6 per 1,000 input / output tokens.
fn prices() -> PriceTable {
    let mut prices = PriceTable::default();
    prices.insert("cheap", ModelPrice { input_per_1k: money("1"), output_per_1k: money("3") });
    prices.insert("dear", ModelPrice { input_per_1k: money("2"), output_per_1k: money("6") });
    prices
}

fn job(instance_id: Option<i64>) -> Job {
    Job {
        job_type: "llm".into(),
        key: 42,
        element_id: "ask".into(),
        element_instance_key: 1,
        bpmn_process_id: "p".into(),
        process_definition_key: 1,
        process_instance_key: 7,
        variables: workers::Variables::new(),
        custom_headers: instance_id
            .map(|id| (INSTANCE_ID_HEADER.to_owned(), id.to_string()))
            .into_iter()
            .collect::<BTreeMap<_, _>>(),
        retries: 3,
        deadline: chrono::Utc::now(),
        worker: "test".into(),
    }
}

async fn setup(store: &TestStore, daily: &str) -> (Registry, i64) {
    let clock = VirtualClock::at(1_700_000_000_000);
    let registry = store.registry(&clock).await.with_prices(prices());
    let mut new = instance_in("ada", "software-architect", &shop());
    new.daily_limit = Some(money(daily));
    let ada = registry.create_instance(new).await.expect("created");
    (registry, ada.id)
}

fn planned<'a>(job: &'a Job, models: &'a [String], input: u64, output: u64) -> PlannedCall<'a> {
    PlannedCall { job, models, input_tokens: input, max_output_tokens: output }
}

async fn a_call_that_would_pass_a_limit_is_refused_before_it_is_made(store: TestStore) {
    let (registry, id) = setup(&store, "0.01").await;
    let gate = RegistryGate::new(registry.clone());
    let job = job(Some(id));
    let models = vec!["cheap".to_owned()];
    // 100 input and up to 1,000 output tokens of `cheap`: $0.10 + $3.00, far above $0.01.
    let refused = gate.reserve(&planned(&job, &models, 100, 1000)).await;
    let Err(SpendError::Refused(message)) = refused else { panic!("{refused:?}") };
    assert!(message.contains("daily spend limit"), "{message}");
    let ada = registry.get(&InstanceRef::Id(id)).await.expect("ada");
    assert_eq!((ada.reserved, ada.spent_today), (Money::ZERO, Money::ZERO), "nothing held, nothing spent");
    let spend =
        registry.audit(&AuditQuery { kinds: vec![AuditKind::Spend], ..AuditQuery::default() }).await.expect("audit");
    assert_eq!(spend.len(), 1, "{spend:?}");
    assert_eq!(spend[0].details["action"], "refused");

    let unknown = gate.reserve(&planned(&job, &["gpt-9".to_owned()], 1, 1)).await;
    assert!(matches!(&unknown, Err(SpendError::Failed(m)) if m.contains("no price for model `gpt-9`")), "{unknown:?}");
}

async fn a_call_is_held_at_its_dearest_model_then_charged_as_used(store: TestStore) {
    let (registry, id) = setup(&store, "10").await;
    let gate = RegistryGate::new(registry.clone());
    let job = job(Some(id));
    let models = vec!["cheap".to_owned(), "dear".to_owned()];
    let hold = gate.reserve(&planned(&job, &models, 100, 1000)).await.expect("held");
    let ada = registry.get(&InstanceRef::Id(id)).await.expect("ada");
    assert_eq!(ada.reserved, money("6.2"), "100 in and 1,000 out of `dear`: $0.20 + $6.00");
    let cost =
        gate.settle(hold, &UsedCall { model: "cheap", input_tokens: 50, output_tokens: 20 }).await.expect("charged");
    assert!((cost - 0.11).abs() < 1e-12, "$0.05 + $0.06, got {cost}");
    let ada = registry.get(&InstanceRef::Id(id)).await.expect("ada");
    assert_eq!((ada.reserved, ada.spent_today), (Money::ZERO, money("0.11")));
}

async fn a_hold_is_given_back_and_an_unrouted_job_is_only_priced(store: TestStore) {
    let (registry, id) = setup(&store, "10").await;
    let gate = RegistryGate::new(registry.clone());
    let models = vec!["cheap".to_owned()];
    let routed = job(Some(id));
    let hold = gate.reserve(&planned(&routed, &models, 1000, 1000)).await.expect("held");
    gate.release(hold).await;
    let ada = registry.get(&InstanceRef::Id(id)).await.expect("ada");
    assert_eq!((ada.reserved, ada.spent_today), (Money::ZERO, Money::ZERO));

    let unrouted = job(None);
    let hold = gate.reserve(&planned(&unrouted, &models, 1000, 1000)).await.expect("nothing to hold");
    assert_eq!(hold, SpendHold(None));
    let cost =
        gate.settle(hold, &UsedCall { model: "cheap", input_tokens: 1000, output_tokens: 0 }).await.expect("priced");
    assert!((cost - 1.0).abs() < 1e-12, "{cost}");
    let ada = registry.get(&InstanceRef::Id(id)).await.expect("ada");
    assert_eq!(ada.spent_today, Money::ZERO, "no instance pays for an unrouted job");
}
