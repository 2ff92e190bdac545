//! `actions`: the action catalogue, as a table per action or as JSON.

use actions::{ActionSpec, Field};

use super::Format;
use crate::failure::{Failure, Result};
use crate::output::{print_json, say};

/// Prints every action of the catalogue, or only `name`; an unknown name is a usage error that
/// lists the known ones.
pub fn list(name: Option<&str>, format: Format) -> Result<()> {
    let specs = actions::specs();
    let shown: Vec<&ActionSpec> = match name {
        None => specs.iter().collect(),
        Some(name) => match specs.iter().find(|spec| spec.name == name) {
            Some(spec) => vec![spec],
            None => {
                let known: Vec<&str> = specs.iter().map(|spec| spec.name).collect();
                return Err(Failure::Usage(format!("no action `{name}`; the actions are: {}", known.join(", "))));
            }
        },
    };
    match format {
        Format::Json => print_json(&shown),
        Format::Text => shown.iter().for_each(|spec| say!("{}", render(spec))),
    }
    Ok(())
}

/// One action as text: a header line, its fields, outputs and operations.
fn render(spec: &ActionSpec) -> String {
    let mut text = format!(
        "{} (job type {}, effects {}, timeout {} s, retries {}{})\n  {}\n",
        spec.name,
        spec.job_type,
        spec.effects.word(),
        spec.timeout.as_secs(),
        spec.retries,
        if spec.in_steps { "" } else { ", compiled from RACI/SLA" },
        spec.summary
    );
    section(&mut text, "  step fields", &spec.fields);
    section(&mut text, "  outputs", &spec.outputs);
    for operation in &spec.operations {
        text.push_str(&format!(
            "  operation {} ({}, {}): {}\n",
            operation.name,
            operation.effects.word(),
            if operation.real { "real" } else { "dry or simulated only" },
            operation.summary
        ));
        section(&mut text, "      inputs", &operation.inputs);
        section(&mut text, "      outputs", &operation.outputs);
    }
    text
}

/// `title: name (shape, required), ...` when there are fields.
fn section(text: &mut String, title: &str, fields: &[Field]) {
    if fields.is_empty() {
        return;
    }
    let items: Vec<String> = fields
        .iter()
        .map(|field| {
            let required = if field.required { ", required" } else { "" };
            format!("{} ({}{required})", field.name, field.shape.to_json())
        })
        .collect();
    text.push_str(&format!("{title}: {}\n", items.join(", ")));
}
