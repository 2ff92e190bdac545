//! `timers`: the pending timers; `timers fire` and `timers advance`, which move the store's
//! virtual clock (engine time that runs ahead of the wall clock, as `run --clock virtual` has
//! it) so waits of hours or days pass at once.

use std::collections::BTreeSet;
use std::time::Duration;

use engine::{Clock, EngineCore, VirtualClock};
use feel::duration::IsoDuration;
use serde_json::{Value, json};

use super::Format;
use crate::failure::{Failure, Result};
use crate::output::{print_json, say, table, time};
use crate::remote::Remote;
use crate::run::clock;
use crate::store::StoreLocation;

/// `timers`: every pending timer, the earliest due first.
pub fn list(store: &StoreLocation, format: Format) -> Result<()> {
    let history = store.read_history()?;
    let pending: Vec<Value> = history
        .timers_due()
        .into_iter()
        .map(|t| {
            json!({
                "key": t.key,
                "element_id": t.element_id,
                "process_instance_key": t.process_instance_key,
                "element_instance_key": t.element_instance_key,
                "due_date": t.due_millis,
            })
        })
        .collect();
    if format == Format::Json {
        print_json(&json!({ "timers": pending }));
        return Ok(());
    }
    if pending.is_empty() {
        say!("no pending timers");
        return Ok(());
    }
    let text = |v: &Value| v.as_i64().map_or_else(|| "-".to_owned(), |n| n.to_string());
    let rows: Vec<Vec<String>> = pending
        .iter()
        .map(|t| {
            vec![
                text(&t["key"]),
                text(&t["process_instance_key"]),
                t["element_id"].as_str().unwrap_or_default().to_owned(),
                time(t["due_date"].as_i64()),
            ]
        })
        .collect();
    say!("{}", table(&["TIMER", "INSTANCE", "ELEMENT", "DUE"], &rows));
    say!(
        "fire one now with `orchestrator timers fire <TIMER>`, or let time pass with `orchestrator timers advance 1h`"
    );
    Ok(())
}

/// `timers fire KEY`: the virtual clock moves on to the timer's due time (unless it is past).
pub fn fire(store: &StoreLocation, key: i64, format: Format) -> Result<()> {
    moved(store, format, |core, clock| {
        let due = core.state().timer_due.iter().find(|(_, k)| *k == key).map(|(due, _)| *due);
        let due = due.ok_or_else(|| {
            Failure::Failed(format!("no pending timer {key}: `orchestrator timers` lists the pending ones"))
        })?;
        clock.advance_to(due);
        Ok(())
    })
}

/// `timers advance DURATION`: the virtual clock moves on by `duration`.
pub fn advance(store: &StoreLocation, duration: &str, format: Format) -> Result<()> {
    let by = parse_duration("the duration", duration)?;
    moved(store, format, |_, clock| {
        clock.advance(by);
        Ok(())
    })
}

/// Opens the engine on the store's virtual clock (at the latest of the log's last time, the
/// clock's kept time and now), lets `step` move the clock, fires what fell due, keeps the
/// clock's new time and prints the timers that fired.
fn moved(
    store: &StoreLocation,
    format: Format,
    step: impl FnOnce(&mut EngineCore, &VirtualClock) -> Result<()>,
) -> Result<()> {
    if let Some(serve) = Remote::find(store)? {
        return Err(Failure::Failed(format!(
            "a serve runs on this store (at {}) on the wall clock, so its timers fire when they are due; stop it to move the store's virtual clock",
            serve.base()
        )));
    }
    // Read before the engine opens: opening fires what the clock finds due already.
    let before: BTreeSet<i64> = store.read_history()?.timers_due().into_iter().map(|t| t.key).collect();
    let clock = clock::start(store)?;
    let mut core = store.open_engine_on(std::sync::Arc::new(clock.clone()))?;
    step(&mut core, &clock)?;
    core.tick();
    clock::keep(store, &clock)?;
    let after: BTreeSet<i64> = core.state().timer_due.iter().map(|(_, key)| *key).collect();
    let fired: Vec<i64> = before.difference(&after).copied().collect();
    let now = clock.now_millis();
    match format {
        Format::Json => print_json(&json!({ "fired_timers": fired, "engine_time": now })),
        Format::Text => {
            let list = fired.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let what = if fired.is_empty() { "no timer fired".to_owned() } else { format!("fired timers {list}") };
            say!("the store's virtual clock is now {}: {what}", time(Some(now)));
            say!("keep that time with `orchestrator run --clock virtual`; the wall clock is behind it");
        }
    }
    Ok(())
}

/// A duration on the command line: the short form (`90s`, `30m`, `4h`, `2d`) or ISO 8601
/// (`PT1H30M`), not negative and without months (whose length varies).
pub fn parse_duration(what: &str, text: &str) -> Result<Duration> {
    IsoDuration::parse_length(text).map_err(|e| Failure::Usage(format!("{what} {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_short_and_iso_forms_and_refuse_the_rest() {
        assert_eq!(parse_duration("d", "90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("d", "2d"), Ok(Duration::from_secs(2 * 86_400)));
        assert_eq!(parse_duration("d", "PT1H30M"), Ok(Duration::from_secs(5_400)));
        for bad in ["soon", "P1M", "-PT1H", ""] {
            let Err(Failure::Usage(message)) = parse_duration("--ttl", bad) else { panic!("{bad} was accepted") };
            assert!(message.starts_with(&format!("--ttl '{bad}'")), "{message}");
        }
    }
}
