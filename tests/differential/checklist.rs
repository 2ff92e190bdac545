//! One small model per behaviour of the compatibility checklist (§10 of the Zeebe reference).

use super::case::Case;

/// The checklist cases.
pub fn cases() -> Vec<Case> {
    Vec::new()
}
