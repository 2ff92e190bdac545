//! Turns byte offsets into 1-based line and character column, in one forward pass.

use crate::model::Location;

/// Maps byte offsets of a text to [`Location`]s.
///
/// Offsets are usually asked for in increasing order, so the tracker walks forward from the last
/// answer; that keeps reading linear even for documents written on one long line. An offset
/// before the last answer restarts the walk from the beginning.
pub(crate) struct PositionTracker<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
    column: u32,
}

impl<'a> PositionTracker<'a> {
    /// A tracker at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, offset: 0, line: 1, column: 1 }
    }

    /// The location of byte `offset` (clamped to the text, moved back to a character boundary).
    pub(crate) fn locate(&mut self, offset: usize) -> Location {
        let mut target = offset.min(self.text.len());
        while !self.text.is_char_boundary(target) {
            target -= 1;
        }
        if target < self.offset {
            *self = Self::new(self.text);
        }
        let passed = self.text.get(self.offset..target).unwrap_or_default();
        for c in passed.chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset = target;
        Location::new(self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes_and_restarts_backwards() {
        let text = "ab\nçé<x";
        let mut tracker = PositionTracker::new(text);
        let lt = text.find('<').unwrap_or_default();
        assert_eq!(tracker.locate(lt), Location::new(2, 3));
        assert_eq!((tracker.locate(lt).line, tracker.locate(lt).column), (2, 3));
        let back = tracker.locate(1);
        assert_eq!((back.line, back.column), (1, 2));
    }
}
