//! BPMN 2.0 for Camunda 8 / Zeebe: a typed model with the Zeebe extensions, a lossless reader, a
//! deterministic writer, a graph view with validation, and an auto-layout for models drawn by no
//! one.
//!
//! Data flows one way: XML → [`model::Definitions`] → graph and validation → layout → XML.
//! [`read::read`] parses a document, [`write::write`] serializes one.

pub mod build;
pub mod graph;
pub mod layout;
pub mod model;
pub mod ns;
pub mod read;
mod schema_order;
pub mod write;
mod xml_char;

pub use model::Definitions;
pub use read::{ReadError, ReadOutcome, ReadWarning, read, read_str, read_with_warnings};
pub use write::write;

/// The execution platform the writer stamps on models that declare none.
pub const TARGET_PLATFORM: &str = "Camunda Cloud";

/// The Zeebe version compiled models target and are linted against.
pub const TARGET_PLATFORM_VERSION: &str = "8.6.0";
