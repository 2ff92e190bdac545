//! The `${...}` template language: splitting text, parsing expressions, translating to FEEL.

pub mod expr;
pub mod feel;
pub mod segments;

pub use expr::{CompareOp, Expr, parse_expr};
pub use feel::{CONTEXT_BUILTINS, Scope, Translator, feel_name, feel_string};
pub use segments::{Segment, SplitError, split, split_located, whole_template};
