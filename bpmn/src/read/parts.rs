//! Takes a raw element apart for typed conversion: typed attributes and children are taken out
//! one by one, and whatever is left becomes the element's [`Extras`].

use super::error::ReadError;
use crate::model::{Attribute, Extras, Location, XmlElement, XmlNode};
use crate::ns;

/// A raw element whose attributes are being claimed by a typed conversion.
pub(crate) struct Parts {
    /// The element's local name, for messages.
    pub(crate) local: String,
    /// Where the element starts.
    pub(crate) location: Location,
    attributes: Vec<Attribute>,
    children: Vec<XmlNode>,
}

impl Parts {
    /// Starts taking `element` apart.
    pub(crate) fn new(element: XmlElement) -> Self {
        Self {
            local: element.name.local,
            location: element.location,
            attributes: element.attributes,
            children: element.children,
        }
    }

    /// Takes an unqualified attribute.
    pub(crate) fn attr(&mut self, local: &str) -> Option<String> {
        self.take(None, local)
    }

    /// Takes an attribute in a namespace.
    pub(crate) fn attr_ns(&mut self, namespace: &str, local: &str) -> Option<String> {
        self.take(Some(namespace), local)
    }

    fn take(&mut self, namespace: Option<&str>, local: &str) -> Option<String> {
        let index =
            self.attributes.iter().position(|a| a.name.local == local && a.name.namespace.as_deref() == namespace)?;
        Some(self.attributes.remove(index).value)
    }

    /// Takes the `id` attribute, which typed elements must have.
    pub(crate) fn required_id(&mut self) -> Result<String, ReadError> {
        self.required("id")
    }

    /// Takes an unqualified attribute the element must have.
    pub(crate) fn required(&mut self, local: &str) -> Result<String, ReadError> {
        self.attr(local).ok_or_else(|| self.missing(local))
    }

    /// The error for a missing attribute the element must have.
    fn missing(&self, local: &str) -> ReadError {
        ReadError::at(self.location, format!("<{}> has no {local} attribute; add {local}=\"...\"", self.local))
    }

    /// Takes a boolean attribute (`true`, `false`, `1` or `0`).
    pub(crate) fn bool_attr(&mut self, local: &str) -> Result<Option<bool>, ReadError> {
        let Some(value) = self.attr(local) else { return Ok(None) };
        match value.trim() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(ReadError::at(
                self.location,
                format!("{local}=\"{value}\" on <{}> is not a boolean; write true or false", self.local),
            )),
        }
    }

    /// Takes a number attribute the element must have.
    pub(crate) fn number(&mut self, local: &str) -> Result<f64, ReadError> {
        self.optional_number(local)?.ok_or_else(|| self.missing(local))
    }

    /// Takes a number attribute, when given.
    pub(crate) fn optional_number(&mut self, local: &str) -> Result<Option<f64>, ReadError> {
        let Some(value) = self.attr(local) else { return Ok(None) };
        value.trim().parse::<f64>().ok().filter(|n| n.is_finite()).map(Some).ok_or_else(|| {
            ReadError::at(
                self.location,
                format!("{local}=\"{value}\" on <{}> is not a number; write a decimal such as 100 or 12.5", self.local),
            )
        })
    }

    /// The concatenated text and CDATA content.
    pub(crate) fn text(&self) -> String {
        XmlNode::text_of(&self.children)
    }

    /// Takes the child elements, in order (text and comments of typed elements are not kept).
    pub(crate) fn take_children(&mut self) -> impl Iterator<Item = XmlElement> + use<> {
        std::mem::take(&mut self.children).into_iter().filter_map(|c| match c {
            XmlNode::Element(e) => Some(e),
            _ => None,
        })
    }

    /// What is left: the unclaimed attributes, with the given unclaimed children.
    pub(crate) fn into_extras(self, children: Vec<XmlElement>) -> Extras {
        Extras { attributes: self.attributes, children }
    }
}

/// The local name of `element` when it is in the BPMN namespace.
pub(crate) fn bpmn_local(element: &XmlElement) -> Option<&str> {
    in_namespace(element, ns::BPMN)
}

/// The local name of `element` when it is in `namespace`.
pub(crate) fn in_namespace<'e>(element: &'e XmlElement, namespace: &str) -> Option<&'e str> {
    (element.name.namespace.as_deref() == Some(namespace)).then_some(element.name.local.as_str())
}
