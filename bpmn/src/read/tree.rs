//! Parses XML text into a namespace-resolved tree of [`XmlElement`]s with source locations.
//!
//! This is the only place that talks to quick-xml. Prefixes are resolved to URIs here, so the
//! typed conversion compares names by URI only and never by prefix.
//!
//! Line breaks and tabs in attribute values and text are kept as written (no attribute-value
//! normalization to spaces, no CR LF folding), as bpmn-moddle, the parser of the Camunda
//! tooling, keeps them: a name written over two lines stays on two lines.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;

use super::error::ReadError;
use super::position::PositionTracker;
use crate::model::{Attribute, Location, QName, XmlElement, XmlNode};
use crate::xml_char::is_xml_char;

/// Parses a whole document and returns its root element.
pub(crate) fn parse_document(text: &str) -> Result<XmlElement, ReadError> {
    TreeBuilder::new(text).run()
}

struct TreeBuilder<'a> {
    reader: NsReader<&'a [u8]>,
    positions: PositionTracker<'a>,
    /// Open elements, innermost last.
    open: Vec<XmlElement>,
    root: Option<XmlElement>,
}

impl<'a> TreeBuilder<'a> {
    fn new(text: &'a str) -> Self {
        let mut reader = NsReader::from_str(text);
        reader.config_mut().check_end_names = true;
        Self { reader, positions: PositionTracker::new(text), open: Vec::new(), root: None }
    }

    fn here(&mut self, offset: u64) -> Location {
        self.positions.locate(usize::try_from(offset).unwrap_or(usize::MAX))
    }

    fn run(mut self) -> Result<XmlElement, ReadError> {
        loop {
            let start = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let location = self.here(self.reader.error_position());
                    return Err(ReadError::at(location, describe_xml_error(&error)));
                }
            };
            let location = self.here(start);
            match event {
                Event::Start(tag) => {
                    let element = self.start_element(&tag, location)?;
                    self.open.push(element);
                }
                Event::Empty(tag) => {
                    let element = self.start_element(&tag, location)?;
                    self.close(element, location)?;
                }
                Event::End(_) => {
                    let Some(mut element) = self.open.pop() else {
                        return Err(ReadError::at(location, "end tag without a start tag; remove it"));
                    };
                    drop_layout_whitespace(&mut element);
                    self.close(element, location)?;
                }
                Event::Text(text) => {
                    let text = text.into_inner();
                    if self.open.is_empty() && !text.trim().is_empty() {
                        let stray = text.len() - text.trim_start().len();
                        let stray_at = self.here(start + u64::try_from(stray).unwrap_or_default());
                        return Err(outside_root(stray_at));
                    }
                    self.push_text(&text, location)?;
                }
                Event::GeneralRef(reference) => {
                    let resolved = resolve_reference(&reference.into_inner(), location)?;
                    self.push_text(&resolved, location)?;
                }
                Event::CData(data) => {
                    let content = data.into_inner().into_owned();
                    self.push_content(XmlNode::CData(content), location)?;
                }
                Event::Comment(comment) => {
                    if let Some(parent) = self.open.last_mut() {
                        parent.children.push(XmlNode::Comment(comment.into_inner().into_owned()));
                    }
                }
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => return self.finish(location),
            }
        }
    }

    fn finish(mut self, location: Location) -> Result<XmlElement, ReadError> {
        if let Some(unclosed) = self.open.pop() {
            let name = &unclosed.name.local;
            return Err(ReadError::at(
                location,
                format!(
                    "the document ends before element <{name}> (opened at {}) is closed; the file is truncated \
                     or the end tag </{name}> is missing",
                    unclosed.location
                ),
            ));
        }
        self.root.ok_or_else(|| {
            ReadError::at(location, "the document has no root element; a BPMN file holds one <bpmn:definitions>")
        })
    }

    /// Attaches a finished element to its parent, or makes it the root.
    fn close(&mut self, element: XmlElement, location: Location) -> Result<(), ReadError> {
        if let Some(parent) = self.open.last_mut() {
            parent.children.push(XmlNode::Element(element));
            Ok(())
        } else if self.root.is_some() {
            Err(ReadError::at(
                location,
                "a second root element; an XML document has exactly one root: remove everything after </definitions>",
            ))
        } else {
            self.root = Some(element);
            Ok(())
        }
    }

    fn push_text(&mut self, text: &str, location: Location) -> Result<(), ReadError> {
        let Some(parent) = self.open.last_mut() else {
            if text.trim().is_empty() {
                return Ok(());
            }
            return Err(outside_root(location));
        };
        if let Some(XmlNode::Text(previous)) = parent.children.last_mut() {
            previous.push_str(text);
        } else {
            parent.children.push(XmlNode::Text(text.to_owned()));
        }
        Ok(())
    }

    fn push_content(&mut self, node: XmlNode, location: Location) -> Result<(), ReadError> {
        match self.open.last_mut() {
            Some(parent) => {
                parent.children.push(node);
                Ok(())
            }
            None => Err(outside_root(location)),
        }
    }

    fn start_element(&mut self, tag: &BytesStart<'_>, location: Location) -> Result<XmlElement, ReadError> {
        if self.open.is_empty() && self.root.is_some() {
            return Err(ReadError::at(
                location,
                "a second root element; an XML document has exactly one root: remove everything after </definitions>",
            ));
        }
        let resolver = self.reader.resolver();
        let (namespace, local) = resolver.resolve_element(tag.name());
        let name = QName {
            namespace: bound_namespace(namespace, tag.name().prefix().map(|p| p.as_ref().to_owned()), location)?,
            local: local.as_ref().to_owned(),
            prefix: tag.name().prefix().map(|p| p.as_ref().to_owned()),
        };
        let mut element = XmlElement::new(name);
        element.location = location;
        for attribute in tag.attributes() {
            let attribute = attribute.map_err(|e| {
                ReadError::at(
                    location,
                    format!("malformed attribute in <{}>: {e}; write attributes as name=\"value\"", element.name.local),
                )
            })?;
            let value = quick_xml::escape::unescape(&attribute.value)
                .map_err(|e| {
                    ReadError::at(
                        location,
                        format!(
                            "bad attribute value {}=\"{}\" in <{}>: {e}; write & as &amp;",
                            attribute.key.as_ref(),
                            attribute.value,
                            element.name.local,
                        ),
                    )
                })?
                .into_owned();
            match attribute.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => element.namespace_declarations.push((None, value)),
                Some(PrefixDeclaration::Named(prefix)) => {
                    element.namespace_declarations.push((Some(prefix.to_owned()), value));
                }
                None => {
                    let prefix = attribute.key.prefix().map(|p| p.as_ref().to_owned());
                    let (namespace, local) = resolver.resolve_attribute(attribute.key);
                    let name = QName {
                        namespace: bound_namespace(namespace, prefix.clone(), location)?,
                        local: local.as_ref().to_owned(),
                        prefix,
                    };
                    element.attributes.push(Attribute { name, value });
                }
            }
        }
        Ok(element)
    }
}

fn bound_namespace(
    result: ResolveResult<'_>,
    prefix: Option<String>,
    location: Location,
) -> Result<Option<String>, ReadError> {
    match result {
        ResolveResult::Bound(namespace) => Ok(Some(namespace.as_ref().to_owned()).filter(|uri| !uri.is_empty())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(unknown) => {
            let shown = prefix.unwrap_or(unknown);
            Err(ReadError::at(
                location,
                format!("namespace prefix \"{shown}\" is not declared; add xmlns:{shown}=\"...\" to the root element"),
            ))
        }
    }
}

fn outside_root(location: Location) -> ReadError {
    ReadError::at(
        location,
        "text outside the root element; a BPMN file holds only <definitions> and whitespace: remove the stray content",
    )
}

/// Layout whitespace between child elements is not content: drop it when the element has child
/// elements or comments, keep it when text is all the element holds.
fn drop_layout_whitespace(element: &mut XmlElement) {
    let structured = element.children.iter().any(|c| matches!(c, XmlNode::Element(_) | XmlNode::Comment(_)));
    if structured {
        element.children.retain(|c| !matches!(c, XmlNode::Text(t) if t.trim().is_empty()));
    }
}

/// The text an entity or character reference stands for.
fn resolve_reference(name: &str, location: Location) -> Result<String, ReadError> {
    let predefined = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    };
    let character = predefined.or_else(|| {
        let number = name.strip_prefix('#')?;
        let code = match number.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        char::from_u32(code).filter(|c| is_xml_char(*c))
    });
    character.map(String::from).ok_or_else(|| {
        ReadError::at(
            location,
            format!(
                "unknown entity or character reference &{name}; write & as &amp; and use only &lt; &gt; &amp; \
                 &quot; &apos; or &#NN; for a character XML allows"
            ),
        )
    })
}

fn describe_xml_error(error: &quick_xml::Error) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    match error {
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("end tag </{found}> does not match the open element <{expected}>; close <{expected}> first")
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(tag)) => {
            format!("end tag </{tag}> has no matching start tag; remove it")
        }
        quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => {
            "a tag is not closed: `>` is missing before the end of the file (is the file truncated?)".to_owned()
        }
        quick_xml::Error::Syntax(syntax) => format!("XML syntax error: {syntax}; fix the markup at this place"),
        other => format!("malformed XML: {other}; fix the markup at this place"),
    }
}
