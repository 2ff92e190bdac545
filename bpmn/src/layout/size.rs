//! Camunda Modeler's shape sizes and the spacing between shapes. Every size is an even number of
//! pixels so that centres, and with them all waypoints, land on whole pixels.

/// Width and height of tasks and call activities.
pub(crate) const ACTIVITY: (f64, f64) = (100.0, 80.0);
/// Width and height of events.
pub(crate) const EVENT: f64 = 36.0;
/// Width and height of gateways.
pub(crate) const GATEWAY: f64 = 50.0;
/// Width and height of a data object reference.
pub(crate) const DATA_OBJECT: (f64, f64) = (36.0, 50.0);
/// Width and height of a data store reference.
pub(crate) const DATA_STORE: (f64, f64) = (50.0, 50.0);
/// Horizontal space between two columns.
pub(super) const COLUMN_GAP: f64 = 56.0;
/// Vertical space between two rows (below whatever hangs under the upper row).
pub(super) const ROW_GAP: f64 = 50.0;
/// Space between a shape and its external label.
pub(super) const LABEL_GAP: f64 = 6.0;
/// Horizontal room one boundary event needs on its host's border.
pub(super) const BOUNDARY_SLOT: f64 = 46.0;
/// Padding around the content of an expanded sub-process: left and right.
pub(super) const SUB_PROCESS_PAD_X: f64 = 30.0;
/// Padding above the content of an expanded sub-process (room for its name).
pub(super) const SUB_PROCESS_PAD_TOP: f64 = 40.0;
/// Padding below the content of an expanded sub-process.
pub(super) const SUB_PROCESS_PAD_BOTTOM: f64 = 30.0;
/// The smallest expanded sub-process (Camunda Modeler's default size).
pub(crate) const SUB_PROCESS_MIN: (f64, f64) = (350.0, 200.0);
/// Height of a lane that holds no node.
pub(super) const EMPTY_LANE: f64 = 120.0;
/// Space between blocks stacked in one scope: disconnected pieces and event sub-processes.
pub(super) const BLOCK_GAP: f64 = 60.0;
/// Vertical distance between a loop's line and what it passes under (and between nested loops).
pub(super) const LOOP_GAP: f64 = 24.0;

/// Widest external label before the text wraps.
const LABEL_MAX_WIDTH: f64 = 90.0;
/// Widest label set beside an edge leaving a shape's bottom (it has only half a column gap).
pub(super) const SIDE_LABEL_MAX_WIDTH: f64 = 60.0;
/// Approximate width of one character at the modeler's label font size.
const CHAR_WIDTH: f64 = 6.0;
/// Height of one label line.
const LINE_HEIGHT: f64 = 14.0;
/// Room the modeler leaves around a label's text; without it short words wrap.
const LABEL_PADDING: f64 = 8.0;

/// The size of an external label showing `text`, wrapped at the modeler's label width.
pub(super) fn label_size(text: &str) -> (f64, f64) {
    label_size_within(text, LABEL_MAX_WIDTH)
}

/// The size of an external label showing `text`, wrapped at `max_width` or at the longest word,
/// whichever is wider (the modeler breaks words that do not fit).
pub(super) fn label_size_within(text: &str, max_width: f64) -> (f64, f64) {
    let longest_word = text.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0) as f64;
    let max_width = max_width.max((longest_word * CHAR_WIDTH + LABEL_PADDING).ceil()).min(LABEL_MAX_WIDTH);
    let chars = text.chars().count().max(1) as f64;
    let natural = (chars * CHAR_WIDTH + LABEL_PADDING).ceil();
    let lines = (natural / max_width).ceil().max(1.0);
    (natural.min(max_width), lines * LINE_HEIGHT)
}

/// `value` rounded up to the next even whole number.
pub(super) fn even_ceil(value: f64) -> f64 {
    (value / 2.0).ceil() * 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_fit_on_one_line_and_long_ones_wrap() {
        let (w, h) = label_size("Start");
        assert!(w < LABEL_MAX_WIDTH && h == LINE_HEIGHT);
        let (w, _) = label_size("no");
        assert!(w >= 2.0 * CHAR_WIDTH + LABEL_PADDING, "two letters keep their padding: {w}");
        let (w, _) = label_size_within("Development Cycle", 40.0);
        assert!(w >= 11.0 * CHAR_WIDTH, "a narrow label still holds its longest word: {w}");
        let (w, h) = label_size("A rather long gateway question that wraps?");
        assert!(w == LABEL_MAX_WIDTH && h > LINE_HEIGHT);
    }

    #[test]
    fn even_ceil_rounds_up_to_even() {
        assert_eq!(even_ceil(101.0), 102.0);
        assert_eq!(even_ceil(100.0), 100.0);
        assert_eq!(even_ceil(99.2), 100.0);
    }
}
