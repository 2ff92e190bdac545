//! The persona orchestrator: YAML workflows compiled to Camunda 8 / Zeebe BPMN and run by an
//! embedded engine or by Zeebe. This package ties the workspace crates together; it hosts the
//! cross-crate tests (`tests/`), the benchmarks (`benches/`) and the examples (`examples/`).

pub use bpmn;
pub use engine;
