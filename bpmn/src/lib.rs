//! BPMN 2.0 for Camunda 8 / Zeebe: a typed model with the Zeebe extensions, a lossless reader, a
//! deterministic writer, a graph view with validation, and an auto-layout for models drawn by no
//! one.
//!
//! Data flows one way: XML → [`model::Definitions`] → graph and validation → layout → XML.

pub mod build;
pub mod graph;
pub mod layout;
pub mod model;
pub mod ns;

pub use model::Definitions;

/// The execution platform the writer stamps on models that declare none.
pub const TARGET_PLATFORM: &str = "Camunda Cloud";

/// The Zeebe version compiled models target and are linted against.
pub const TARGET_PLATFORM_VERSION: &str = "8.6.0";
