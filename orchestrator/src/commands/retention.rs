//! `prune`: the retention policy applied to the store's history.

use engine::store::PruneReport;
use reqwest::Method;
use serde_json::json;

use super::Format;
use super::timers::parse_duration;
use crate::failure::{Failure, Result};
use crate::output::{print_json, say};
use crate::remote;
use crate::store::StoreLocation;

/// `prune --keep <DURATION>`: removes the history of the instances that ended longer ago than
/// `keep`, through `serve` when it runs on the store, else on the store itself.
pub fn prune(store: &StoreLocation, keep: &str, format: Format) -> Result<()> {
    let kept_for = parse_duration("--keep", keep)?;
    store.require_existing()?;
    let report = remote::change(
        store,
        |serve| {
            let answer = serve.call(Method::POST, "/api/history/prune", Some(&json!({ "keep": keep })))?;
            serde_json::from_value::<PruneReport>(answer)
                .map_err(|e| Failure::Failed(format!("serve answered the pruning with an unexpected body: {e}")))
        },
        || {
            store
                .open_engine()?
                .apply_retention(kept_for)
                .map_err(|e| Failure::engine(e, "prune the history"))?
                .ok_or_else(|| Failure::Failed(format!("the store {} keeps no history to prune", store.display())))
        },
    )?;
    match format {
        Format::Json => print_json(&json!(report)),
        Format::Text => say_report(&report, keep),
    }
    Ok(())
}

/// The report for people.
fn say_report(report: &PruneReport, keep: &str) {
    if report.instances == 0 {
        say!(
            "no instance ended longer than {keep} ago: nothing to prune (the log through position {} was looked at)",
            report.through
        );
        return;
    }
    say!(
        "pruned the history of {} instances that ended longer than {keep} ago: {} records in {} log batches",
        report.instances,
        report.records,
        report.batches_rewritten
    );
    say!(
        "the log through position {} (a snapshot's) went from {} to {} bytes stored; the store reuses the freed space",
        report.through,
        report.bytes_before,
        report.bytes_after
    );
}
