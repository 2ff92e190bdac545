//! Positions inside scalars: where the character at some offset of a scalar's value sits in the
//! source, for diagnostics that point into a long value (a template in a shell command).

use crate::diagnostic::Pos;

/// The byte offset of a 1-based line and column (in characters), when it lies in `text`.
pub fn byte_offset(text: &str, pos: Pos) -> Option<usize> {
    let line_start = if pos.line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(usize::try_from(pos.line).ok()?.checked_sub(2)?).map(|(i, _)| i + 1)?
    };
    let line = text.get(line_start..)?;
    let column = usize::try_from(pos.column).ok()?.checked_sub(1)?;
    line.char_indices().nth(column).map(|(i, _)| line_start + i)
}

/// Where byte `offset` of `value` (the scalar starting at `scalar` in `source`) is in the source.
///
/// Exact for single-line plain and quoted scalars without escapes and for literal block scalars
/// (`|`, whose position is their first content line); for other shapes (folded or multi-line flow
/// scalars) the scalar's own position.
pub fn position_in_scalar(source: &str, scalar: Pos, value: &str, offset: usize) -> Pos {
    let Some(before) = value.get(..offset) else { return scalar };
    let Some(start) = byte_offset(source, scalar) else { return scalar };
    let shift = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let columns_after_last_newline = before.rsplit('\n').next().unwrap_or("").chars().count();
    let header = source.get(..start).unwrap_or("").trim_end().rsplit(char::is_whitespace).next().unwrap_or("");
    if header.starts_with('|') {
        let lines_before = before.matches('\n').count();
        let column = if lines_before == 0 {
            scalar.column.saturating_add(shift(columns_after_last_newline))
        } else {
            shift(columns_after_last_newline).saturating_add(scalar.column)
        };
        return Pos::new(scalar.line.saturating_add(shift(lines_before)), column);
    }
    if header.starts_with('>') || before.contains('\n') {
        return scalar;
    }
    let quoted = matches!(source.get(start..).and_then(|s| s.chars().next()), Some('"' | '\''));
    Pos::new(scalar.line, scalar.column.saturating_add(u32::from(quoted)).saturating_add(shift(before.chars().count())))
}
