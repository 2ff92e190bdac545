//! The persona registry from Rust: load the catalogue, create two instances of a type, route
//! jobs to them, pay for a model call within a budget, and read the audit log.
//!
//! ```sh
//! cargo run -p personas --example registry                      # a throwaway SQLite file
//! cargo run -p personas --example registry -- postgres://user:password@host/db
//! ```

use std::sync::Arc;

use personas::{
    AuditQuery, Cost, InstanceRef, ModelPrice, NewInstance, Outcome, PriceTable, Project, Registry, RegistryError,
    RouteDecision, RouteRequest,
};
use yaml_to_bpmn::personas::PersonaCatalogue;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = tempfile::tempdir()?;
    let location = std::env::args().nth(1).unwrap_or_else(|| folder.path().join("state.db").display().to_string());
    let catalogue_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../workflows/personas/types.yaml");
    let catalogue = PersonaCatalogue::parse(catalogue_path, &std::fs::read_to_string(catalogue_path)?)
        .map_err(|diagnostics| format!("the catalogue does not parse: {diagnostics:?}"))?;

    // Prices per 1,000 tokens, as text so they are exact.
    let mut prices = PriceTable::default();
    prices.insert("claude-sonnet-4", ModelPrice { input_per_1k: "0.003".parse()?, output_per_1k: "0.015".parse()? });
    let registry = Registry::open(&location, Arc::new(engine::SystemClock)).await?.with_prices(prices);
    let loaded = registry.load_types(&catalogue).await?;
    println!(
        "{} persona types loaded into {}",
        loaded.added.len() + loaded.updated.len() + loaded.unchanged,
        registry.location()
    );

    // Two backend developers for one project, one job at a time each, $1 a day.
    let project: Project = "acme/shop".parse()?;
    for name in ["ada", "bob"] {
        let mut new = NewInstance::new(name, "backend-developer");
        new.project = Some(project.clone());
        new.providers = vec!["anthropic:claude-sonnet-4".parse()?];
        new.max_concurrent_tasks = Some(1);
        new.daily_limit = Some("1".parse()?);
        match registry.create_instance(new).await {
            Ok(instance) => println!("created `{}` (id {})", instance.name, instance.id),
            // Run twice on one store: the names are taken.
            Err(error @ RegistryError::DuplicateName { .. }) => println!("{error}"),
            Err(error) => return Err(error.into()),
        }
    }

    // Three jobs: two find a free instance, the third waits.
    for job_key in 1..=3 {
        let request = RouteRequest {
            job_key,
            persona_type: "backend-developer".into(),
            project: project.clone(),
            workflow_instance: Some(100),
            element_id: Some(format!("implement-{job_key}")),
        };
        match registry.route(&request).await? {
            RouteDecision::Assigned(a) => println!("job {job_key} -> {}: {}", a.instance_name, a.reason),
            RouteDecision::Wait { reason, .. } => println!("job {job_key} waits: {reason}"),
        }
    }

    // Job 1 calls the model: set the estimate aside, call, settle what it cost.
    let holder = InstanceRef::InProject { project: project.clone(), name: "ada".into() };
    let reservation = registry.reserve(&holder, Some(1), &Cost::tokens("claude-sonnet-4", 20_000, 4_000)).await?;
    let charge = registry.settle(reservation.id, &Cost::tokens("claude-sonnet-4", 20_000, 1_500)).await?;
    println!(
        "job 1 spent {} (set aside {}); ada has spent {} today",
        charge.amount, reservation.amount, charge.spent_today
    );
    // A call that would pass the daily limit is refused before it is made.
    if let Err(error) = registry.reserve(&holder, Some(1), &Cost::tokens("claude-sonnet-4", 300_000, 8_000)).await {
        println!("refused ({}): {error}", error.bpmn_error_code().unwrap_or("-"));
    }
    registry.finish(1, Outcome::Succeeded).await?;

    println!("audit log of workflow instance 100:");
    for entry in registry.audit(&AuditQuery { workflow_instance: Some(100), ..AuditQuery::default() }).await? {
        println!("  {} {} {:?} {}", entry.id, entry.kind, entry.instance_name, entry.details["decision"]);
    }
    registry.close().await;
    Ok(())
}
