//! Low-level XML output: indentation, escaping, and the namespace scope that picks a prefix for
//! every namespaced name.

use crate::model::{Attribute, QName, XmlElement, XmlNode};
use crate::ns;
use crate::xml_char::is_xml_char;

/// One open element.
struct Open {
    /// The name as written, for the end tag.
    written_name: String,
    /// Whether the start tag has been closed with `>` (content follows).
    has_content: bool,
    /// Whether content is written inline (text content: no added whitespace).
    inline: bool,
    /// Namespace bindings made on this element (`None` is the default namespace).
    bindings: Vec<(Option<String>, String)>,
}

/// An XML document under construction.
pub(crate) struct XmlOut {
    out: String,
    open: Vec<Open>,
}

impl XmlOut {
    /// An empty document with the XML declaration written.
    pub(crate) fn new() -> Self {
        let mut out = String::with_capacity(64 * 1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Self { out, open: Vec::new() }
    }

    /// The finished document.
    pub(crate) fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }

    /// Opens an element: writes `<prefix:local`, leaving the start tag open for attributes.
    ///
    /// `declarations` are bound on this element before its own name is resolved; `hint` is the
    /// prefix to prefer for `namespace`.
    pub(crate) fn start(
        &mut self,
        namespace: Option<&str>,
        hint: Option<&str>,
        local: &str,
        declarations: &[(Option<String>, String)],
        inline: bool,
    ) {
        self.before_child();
        let depth = self.open.len();
        if self.open.last().is_none_or(|parent| !parent.inline) && depth > 0 {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
        self.out.push('<');
        let name_at = self.out.len();
        self.open.push(Open { written_name: String::new(), has_content: false, inline, bindings: Vec::new() });
        for (prefix, uri) in declarations {
            self.declare(prefix.as_deref(), uri);
        }
        let prefix = self.element_prefix(namespace, hint);
        let mut written = String::new();
        if let Some(prefix) = prefix {
            written.push_str(&prefix);
            written.push(':');
        }
        written.push_str(local);
        self.out.insert_str(name_at, &written);
        if let Some(open) = self.open.last_mut() {
            open.written_name = written;
        }
    }

    /// Writes `xmlns[:prefix]="uri"` on the open start tag and binds it.
    fn declare(&mut self, prefix: Option<&str>, uri: &str) {
        match prefix {
            Some(p) => {
                self.out.push_str(" xmlns:");
                self.out.push_str(p);
            }
            None => self.out.push_str(" xmlns"),
        }
        self.out.push_str("=\"");
        escape_into(&mut self.out, uri, true);
        self.out.push('"');
        if let Some(open) = self.open.last_mut() {
            open.bindings.push((prefix.map(str::to_owned), uri.to_owned()));
        }
    }

    /// The URI a prefix (or the default namespace) is bound to in the current scope.
    fn lookup(&self, prefix: Option<&str>) -> Option<&str> {
        if prefix == Some("xml") {
            return Some(ns::XML);
        }
        self.open
            .iter()
            .rev()
            .flat_map(|o| o.bindings.iter().rev())
            .find(|(p, _)| p.as_deref() == prefix)
            .map(|(_, uri)| uri.as_str())
    }

    /// A prefix bound to `uri` that is not shadowed, preferring `preferred` ones in order.
    fn bound_prefix(&self, uri: &str, preferred: &[Option<&str>]) -> Option<String> {
        for candidate in preferred.iter().flatten() {
            if self.lookup(Some(candidate)) == Some(uri) {
                return Some((*candidate).to_owned());
            }
        }
        self.open
            .iter()
            .rev()
            .flat_map(|o| o.bindings.iter().rev())
            .filter_map(|(p, u)| p.as_deref().filter(|_| u == uri))
            .find(|p| self.lookup(Some(p)) == Some(uri))
            .map(str::to_owned)
    }

    /// Picks (and if needed declares) the prefix of an element name.
    fn element_prefix(&mut self, namespace: Option<&str>, hint: Option<&str>) -> Option<String> {
        let Some(uri) = namespace else {
            if self.lookup(None).is_some_and(|d| !d.is_empty()) {
                self.declare(None, "");
            }
            return None;
        };
        if hint.is_none() && self.lookup(None) == Some(uri) {
            return None;
        }
        if let Some(prefix) = self.bound_prefix(uri, &[hint, ns::canonical_prefix(uri)]) {
            return Some(prefix);
        }
        if hint.is_none() {
            self.declare(None, uri);
            return None;
        }
        Some(self.declare_new(uri, hint))
    }

    /// Picks (and if needed declares) the prefix of a namespaced attribute name.
    fn attribute_prefix(&mut self, uri: &str, hint: Option<&str>) -> String {
        if uri == ns::XML {
            return "xml".to_owned();
        }
        self.bound_prefix(uri, &[hint, ns::canonical_prefix(uri)]).unwrap_or_else(|| self.declare_new(uri, hint))
    }

    /// Declares a prefix for `uri`: the hint or canonical prefix when free, else `ns1`, `ns2`, ...
    fn declare_new(&mut self, uri: &str, hint: Option<&str>) -> String {
        let free = |w: &Self, p: &str| w.lookup(Some(p)).is_none() && p != "xml" && p != "xmlns";
        let prefix = [hint, ns::canonical_prefix(uri)]
            .into_iter()
            .flatten()
            .find(|p| free(self, p))
            .map(str::to_owned)
            .unwrap_or_else(|| {
                (1..).map(|n| format!("ns{n}")).find(|p| free(self, p)).unwrap_or_else(|| "ns".to_owned())
            });
        self.declare(Some(&prefix), uri);
        prefix
    }

    /// Writes an unqualified attribute on the open start tag.
    pub(crate) fn attr(&mut self, local: &str, value: &str) {
        self.out.push(' ');
        self.attr_tail(local, value);
    }

    /// Writes an attribute when it has a value.
    pub(crate) fn opt_attr(&mut self, local: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.attr(local, value);
        }
    }

    /// Writes a boolean attribute when it has a value.
    pub(crate) fn bool_attr(&mut self, local: &str, value: Option<bool>) {
        if let Some(value) = value {
            self.attr(local, if value { "true" } else { "false" });
        }
    }

    /// Writes an attribute in a namespace.
    pub(crate) fn ns_attr(&mut self, uri: &str, hint: Option<&str>, local: &str, value: &str) {
        let prefix = self.attribute_prefix(uri, hint);
        self.out.push(' ');
        self.out.push_str(&prefix);
        self.out.push(':');
        self.attr_tail(local, value);
    }

    /// Writes `local="value"` (the part after the prefix, if any).
    fn attr_tail(&mut self, local: &str, value: &str) {
        self.out.push_str(local);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    /// Writes kept attributes.
    pub(crate) fn attributes(&mut self, attributes: &[Attribute]) {
        for attribute in attributes {
            self.qattr(&attribute.name, &attribute.value);
        }
    }

    /// Writes an attribute by its resolved name.
    pub(crate) fn qattr(&mut self, name: &QName, value: &str) {
        match &name.namespace {
            Some(uri) => self.ns_attr(uri, name.prefix.as_deref(), &name.local, value),
            None => self.attr(&name.local, value),
        }
    }

    /// Closes the start tag of the parent before a child is written.
    fn before_child(&mut self) {
        if let Some(parent) = self.open.last_mut()
            && !parent.has_content
        {
            parent.has_content = true;
            self.out.push('>');
        }
    }

    /// Writes text content (the element should have been started `inline`).
    pub(crate) fn text(&mut self, text: &str) {
        self.before_child();
        escape_into(&mut self.out, text, false);
    }

    /// Writes a CDATA section; content that holds `]]>` is split over two sections.
    pub(crate) fn cdata(&mut self, text: &str) {
        self.before_child();
        self.out.push_str("<![CDATA[");
        self.out.push_str(&text.replace("]]>", "]]]]><![CDATA[>"));
        self.out.push_str("]]>");
    }

    /// Writes a comment on its own line (or inline in text content).
    pub(crate) fn comment(&mut self, text: &str) {
        self.before_child();
        if self.open.last().is_some_and(|p| !p.inline) {
            self.out.push('\n');
            for _ in 0..self.open.len() {
                self.out.push_str("  ");
            }
        }
        self.out.push_str("<!--");
        self.out.push_str(&text.replace("--", "- -"));
        self.out.push_str("-->");
    }

    /// Closes the innermost open element.
    pub(crate) fn end(&mut self) {
        let Some(open) = self.open.pop() else { return };
        if !open.has_content {
            self.out.push_str("/>");
            return;
        }
        if !open.inline {
            self.out.push('\n');
            for _ in 0..self.open.len() {
                self.out.push_str("  ");
            }
        }
        self.out.push_str("</");
        self.out.push_str(&open.written_name);
        self.out.push('>');
    }

    /// Writes an element with only text content.
    pub(crate) fn text_element(&mut self, namespace: &str, local: &str, text: &str) {
        self.start(Some(namespace), None, local, &[], true);
        if !text.is_empty() {
            self.text(text);
        }
        self.end();
    }

    /// Writes a kept element with everything in it.
    pub(crate) fn raw(&mut self, element: &XmlElement) {
        let inline = element.children.iter().any(|c| matches!(c, XmlNode::Text(_) | XmlNode::CData(_)));
        self.start(
            element.name.namespace.as_deref(),
            element.name.prefix.as_deref(),
            &element.name.local,
            &element.namespace_declarations,
            inline,
        );
        self.attributes(&element.attributes);
        for child in &element.children {
            match child {
                XmlNode::Element(e) => self.raw(e),
                XmlNode::Text(t) => self.text(t),
                XmlNode::CData(t) => self.cdata(t),
                XmlNode::Comment(c) => self.comment(c),
            }
        }
        self.end();
    }
}

/// Appends `text` escaped for XML: `&`, `<`, `>` always; in attributes also `"` and the
/// whitespace characters that attribute normalization would otherwise turn into spaces. A
/// carriage return is always written as a reference, since parsers drop a literal one.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    let mut plain_from = 0;
    for (at, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '\r' => "&#13;",
            '"' if attribute => "&quot;",
            '\n' if attribute => "&#10;",
            '\t' if attribute => "&#9;",
            c if is_xml_char(c) => continue,
            _ => "",
        };
        out.push_str(text.get(plain_from..at).unwrap_or_default());
        out.push_str(replacement);
        plain_from = at + c.len_utf8();
    }
    out.push_str(text.get(plain_from..).unwrap_or_default());
}
