//! A located YAML tree: every node keeps the line and column it started at.
//!
//! The tree is built from `saphyr-parser` events (see [`load`]). Duplicate keys are detected while
//! loading: an identical duplicate is a warning, a differing one an error.

mod load;
mod locate;
mod node;

pub use load::load;
pub use locate::{byte_offset, position_in_scalar};
pub use node::{Entry, Node, Value};
