//! Puts kept child elements back at their XSD position among the typed children.

use super::out::XmlOut;
use crate::model::XmlElement;
use crate::ns;
use crate::schema_order::{kept_child_rank, rank};

/// The kept children of one typed element, ordered by XSD rank (source order among equals).
pub(crate) struct KeptChildren<'a> {
    sorted: Vec<(u8, &'a XmlElement)>,
    next: usize,
}

impl<'a> KeptChildren<'a> {
    /// Orders `children` by where the BPMN XSD puts them; children of other namespaces and
    /// unknown BPMN children go after the typed ones.
    pub(crate) fn new(children: &'a [XmlElement]) -> Self {
        let mut sorted: Vec<(u8, &XmlElement)> = children
            .iter()
            .map(|child| {
                let ranked = match child.name.namespace.as_deref() {
                    Some(ns::BPMN) => kept_child_rank(&child.name.local),
                    _ => None,
                };
                (ranked.unwrap_or(rank::LAST), child)
            })
            .collect();
        sorted.sort_by_key(|(r, _)| *r);
        Self { sorted, next: 0 }
    }

    /// Writes the kept children that come before typed children of rank `before`.
    pub(crate) fn up_to(&mut self, out: &mut XmlOut, before: u8) {
        while let Some((r, child)) = self.sorted.get(self.next) {
            if *r >= before {
                break;
            }
            out.raw(child);
            self.next += 1;
        }
    }

    /// Writes the kept children not written yet.
    pub(crate) fn rest(&mut self, out: &mut XmlOut) {
        self.up_to(out, u8::MAX);
        while let Some((_, child)) = self.sorted.get(self.next) {
            out.raw(child);
            self.next += 1;
        }
    }
}
