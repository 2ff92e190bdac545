//! `--simulate`, `--seed` and `--scenario`: the [`SimulateHandler`] they ask for.

use std::path::Path;
use std::sync::Arc;

use actions::{Scenario, SimulateHandler};

use crate::cli::RunArgs;
use crate::failure::{Failure, Result};

/// The simulate handler the arguments ask for, or `None` without `--simulate`: the scenario
/// file's (or the default) scenario, with `--seed` over its seed.
pub fn handler(args: &RunArgs) -> Result<Option<Arc<SimulateHandler>>> {
    if !args.simulate {
        return Ok(None);
    }
    let mut scenario = match &args.scenario {
        Some(path) => load(path)?,
        None => Scenario::default(),
    };
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    Ok(Some(Arc::new(SimulateHandler::new(scenario))))
}

/// Reads a scenario from a YAML (`.yaml`, `.yml`) or JSON (`.json`) file; a mistake is reported
/// at its line and column.
fn load(path: &Path) -> Result<Scenario> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("{name}: cannot read the scenario file: {e}")))?;
    let refused = |line: usize, column: usize, error: &dyn std::fmt::Display| {
        let error = error.to_string();
        // Both parsers end their message with the position, which the prefix already gives.
        let error = error.rfind(" at line ").map_or(error.as_str(), |at| &error[..at]);
        Failure::Usage(format!(
            "{name}:{line}:{column}: error: {error}; a scenario holds `seed`, `chances` and `steps` (see scenarios/)"
        ))
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str(&text).map_err(|e| refused(e.line(), e.column(), &e)),
        Some("yaml" | "yml") => serde_yaml_ng::from_str(&text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |at| (at.line(), at.column()));
            refused(line, column, &e)
        }),
        _ => Err(Failure::Usage(format!(
            "{name}: a scenario file must end in .yaml, .yml or .json so its format is known"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        (dir, path)
    }

    #[test]
    fn yaml_and_json_scenarios_are_read() {
        let (_dir, yaml) = write("s.yaml", "seed: 3\nsteps:\n  build:\n    - error: BUILD_FAILED\n    - {}\n");
        let read = load(&yaml).map(|s| (s.seed, s.steps.len()));
        assert_eq!(read, Ok((3, 1)));
        let (_dir, json) = write("s.json", r#"{"seed": 4}"#);
        assert_eq!(load(&json).map(|s| s.seed), Ok(4));
    }

    #[test]
    fn a_mistake_is_reported_at_its_line_and_column() {
        let (_dir, yaml) = write("s.yaml", "seed: 3\nsteps:\n  build:\n    - {error: A, fail: b}\n");
        let Err(Failure::Usage(message)) = load(&yaml) else { panic!("accepted") };
        assert!(message.contains("s.yaml:4:") && message.contains("not both"), "{message}");
        assert!(!message.contains(" at line "), "{message}");
        let (_dir, json) = write("s.json", "{\n  \"sead\": 1\n}");
        let Err(Failure::Usage(message)) = load(&json) else { panic!("accepted") };
        assert!(message.contains("s.json:2:") && message.contains("unknown field `sead`"), "{message}");
        let (_dir, text) = write("s.txt", "seed: 1");
        let Err(Failure::Usage(message)) = load(&text) else { panic!("accepted") };
        assert!(message.ends_with("must end in .yaml, .yml or .json so its format is known"), "{message}");
    }
}
