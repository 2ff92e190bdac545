//! Generic XML pieces: what the typed model does not understand is kept here verbatim, so that
//! reading and writing a file loses nothing.

/// Where an element started in the source document: 1-based line and column (in characters).
///
/// A location is metadata, not content: two model values that differ only in where they were read
/// from compare equal, so `read(write(model)) == model` holds.
#[derive(Debug, Clone, Copy, Default, Eq)]
pub struct Location {
    /// 1-based line; 0 when the element was built in code rather than read.
    pub line: u32,
    /// 1-based column in characters; 0 when the element was built in code.
    pub column: u32,
}

impl Location {
    /// A location in a source document.
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }

    /// True when the element was read from a document (not built in code).
    pub const fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl PartialEq for Location {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A namespace-resolved XML name.
///
/// Names compare, hash and order by namespace and local part only: the prefix is a spelling
/// hint for the writer, not part of the name (`bpmn2:task` and `semantic:task` are the same
/// name when both prefixes stand for the BPMN namespace).
#[derive(Debug, Clone)]
pub struct QName {
    /// Namespace URI, or `None` for an unqualified name.
    pub namespace: Option<String>,
    /// Local part of the name.
    pub local: String,
    /// The prefix the source document used, kept as a hint for the writer.
    pub prefix: Option<String>,
}

impl PartialEq for QName {
    fn eq(&self, other: &Self) -> bool {
        self.namespace == other.namespace && self.local == other.local
    }
}

impl Eq for QName {}

impl std::hash::Hash for QName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.namespace.hash(state);
        self.local.hash(state);
    }
}

impl PartialOrd for QName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for QName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.namespace, &self.local).cmp(&(&other.namespace, &other.local))
    }
}

impl QName {
    /// An unqualified name (for example an attribute written without a prefix).
    pub fn local(local: impl Into<String>) -> Self {
        Self { namespace: None, local: local.into(), prefix: None }
    }

    /// A name in a namespace.
    pub fn new(namespace: &str, local: impl Into<String>) -> Self {
        Self { namespace: Some(namespace.to_owned()), local: local.into(), prefix: None }
    }

    /// True when this name is `local` in namespace `namespace`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.namespace.as_deref() == Some(namespace) && self.local == local
    }
}

/// An attribute kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute's name.
    pub name: QName,
    /// The attribute's value, unescaped.
    pub value: String,
}

/// An XML element the typed model does not interpret, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlElement {
    /// The element's name.
    pub name: QName,
    /// Namespace declarations made on this element in the source (`None` prefix is the default
    /// namespace), re-emitted so that QName-valued attributes and text inside still resolve.
    pub namespace_declarations: Vec<(Option<String>, String)>,
    /// Attributes other than namespace declarations, in source order.
    pub attributes: Vec<Attribute>,
    /// Child nodes in source order.
    pub children: Vec<XmlNode>,
    /// Where the element started.
    pub location: Location,
}

impl XmlElement {
    /// An empty element with the given name.
    pub fn new(name: QName) -> Self {
        Self {
            name,
            namespace_declarations: Vec::new(),
            attributes: Vec::new(),
            children: Vec::new(),
            location: Location::default(),
        }
    }

    /// The value of an attribute by local name and namespace (`None` for unqualified).
    pub fn attribute(&self, namespace: Option<&str>, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.local == local && a.name.namespace.as_deref() == namespace)
            .map(|a| a.value.as_str())
    }

    /// The `id` attribute, if any.
    pub fn id(&self) -> Option<&str> {
        self.attribute(None, "id")
    }

    /// Child elements, skipping text and comments.
    pub fn child_elements(&self) -> impl Iterator<Item = &XmlElement> {
        self.children.iter().filter_map(|c| match c {
            XmlNode::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The concatenated text and CDATA content of this element (not of its descendants).
    pub fn text(&self) -> String {
        XmlNode::text_of(&self.children)
    }
}

/// A node inside an [`XmlElement`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlNode {
    /// A child element.
    Element(XmlElement),
    /// Character data, unescaped.
    Text(String),
    /// A CDATA section's content.
    CData(String),
    /// A comment's content.
    Comment(String),
}

impl XmlNode {
    /// The concatenated text and CDATA content of `nodes` (child elements and comments skipped).
    pub fn text_of(nodes: &[XmlNode]) -> String {
        nodes
            .iter()
            .filter_map(|node| match node {
                XmlNode::Text(t) | XmlNode::CData(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// What a typed element carries that the model has no field for: unknown attributes (other
/// vendors' extensions, newer BPMN attributes) and unknown child elements. Every typed element has
/// one, so nothing a source file says is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// Attributes without a typed field, in source order.
    pub attributes: Vec<Attribute>,
    /// Child elements without a typed field, in source order.
    pub children: Vec<XmlElement>,
}

impl Extras {
    /// True when nothing unknown was kept.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.children.is_empty()
    }

    /// The value of a kept attribute by namespace and local name.
    pub fn attribute(&self, namespace: Option<&str>, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.local == local && a.name.namespace.as_deref() == namespace)
            .map(|a| a.value.as_str())
    }
}
