//! The size Camunda Modeler gives a new shape of each kind, for a `dc:Bounds` that lacks its width
//! or height: the reader takes the missing dimension from there and says so in a warning.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::layout::size::{ACTIVITY, DATA_OBJECT, DATA_STORE, EVENT, GATEWAY, SUB_PROCESS_MIN};
use crate::model::XmlElement;
use crate::ns;

/// A collapsed sub-process, task or call activity.
const COLLAPSED: (f64, f64) = ACTIVITY;
/// A pool.
const PARTICIPANT: (f64, f64) = (600.0, 250.0);
/// A lane.
const LANE: (f64, f64) = (400.0, 100.0);
/// A text annotation.
const TEXT_ANNOTATION: (f64, f64) = (100.0, 30.0);
/// A group.
const GROUP: (f64, f64) = (300.0, 300.0);
/// An external label.
pub(crate) const LABEL: (f64, f64) = (90.0, 20.0);

/// A standard size and the kind of element it belongs to (for messages).
pub(crate) struct StandardSize {
    /// The element's BPMN name, such as `task` or `startEvent`.
    pub(crate) kind: String,
    /// Width and height.
    pub(crate) size: (f64, f64),
}

/// The BPMN elements of a document by id, looked up only when a shape lacks a dimension.
pub(crate) struct StandardSizes<'a> {
    semantic: &'a [XmlElement],
    kinds: OnceCell<HashMap<&'a str, &'a str>>,
}

impl<'a> StandardSizes<'a> {
    /// Sizes for the shapes of the BPMN elements below `semantic` (the root's non-DI children).
    pub(crate) fn new(semantic: &'a [XmlElement]) -> Self {
        Self { semantic, kinds: OnceCell::new() }
    }

    /// The standard size of the element `id`, drawn expanded or not; `None` when the element is
    /// not found or its kind has no standard size.
    pub(crate) fn of(&self, id: &str, is_expanded: Option<bool>) -> Option<StandardSize> {
        let kind = *self.kinds.get_or_init(|| kinds_by_id(self.semantic)).get(id)?;
        size_of_kind(kind, is_expanded == Some(true)).map(|size| StandardSize { kind: kind.to_owned(), size })
    }
}

/// The local name of every BPMN element with an id, below `elements`.
fn kinds_by_id(elements: &[XmlElement]) -> HashMap<&str, &str> {
    let mut kinds = HashMap::new();
    let mut pending: Vec<&XmlElement> = elements.iter().collect();
    while let Some(element) = pending.pop() {
        if element.name.namespace.as_deref() != Some(ns::BPMN) {
            continue;
        }
        if let Some(id) = element.id() {
            kinds.entry(id).or_insert(element.name.local.as_str());
        }
        pending.extend(element.child_elements());
    }
    kinds
}

/// Camunda Modeler's size for a new element of this kind.
fn size_of_kind(kind: &str, is_expanded: bool) -> Option<(f64, f64)> {
    Some(match kind {
        "subProcess" | "transaction" | "adHocSubProcess" if is_expanded => SUB_PROCESS_MIN,
        "subProcess" | "transaction" | "adHocSubProcess" | "callActivity" | "task" => COLLAPSED,
        "dataObjectReference" | "dataObject" => DATA_OBJECT,
        "dataStoreReference" => DATA_STORE,
        "participant" => PARTICIPANT,
        "lane" => LANE,
        "textAnnotation" => TEXT_ANNOTATION,
        "group" => GROUP,
        _ if kind.ends_with("Task") => COLLAPSED,
        _ if kind.ends_with("Event") => (EVENT, EVENT),
        _ if kind.ends_with("Gateway") => (GATEWAY, GATEWAY),
        _ => return None,
    })
}
