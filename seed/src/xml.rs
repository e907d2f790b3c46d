//! Reading XML, the same way for every loader that does: line numbers counted once over
//! the file, character and predefined entity references decoded, errors that name the
//! line, and a general element tree ([`Node`]) for loaders that read whole records
//! (IATI activities) rather than a stream of events (IATI codelists).

use crate::error::ParseError;
use quick_xml::events::{BytesRef, BytesStart, Event};
use std::cell::Cell;

/// One element with its attributes, text and child elements.
#[derive(Clone, Debug, Default)]
pub(crate) struct Node {
    /// The element's name (with its prefix, if any).
    pub name: String,
    /// The line its start tag is on.
    pub line: u64,
    /// Attributes in document order, values unescaped.
    pub attributes: Vec<(String, String)>,
    /// The element's own text (its children's not included), entities decoded.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Node>,
}

impl Node {
    /// An attribute's value, trimmed, `None` when missing or blank.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim()).filter(|v| !v.is_empty())
    }

    /// The child elements named `name`.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The first child element named `name`.
    pub(crate) fn first(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|child| child.name == name)
    }

    /// The element's own text, trimmed, `None` when blank.
    pub(crate) fn value(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|text| !text.is_empty())
    }

    /// The first non-blank `narrative` child (IATI's text container).
    pub(crate) fn narrative(&self) -> Option<String> {
        self.all("narrative").find_map(Node::value).map(str::to_owned)
    }
}

/// Line numbers of byte positions in a text. Positions usually only grow, so the text is
/// scanned once; an earlier position rescans from the start.
pub(crate) struct Lines<'a> {
    text: &'a str,
    counted: Cell<(usize, u64)>,
}

impl<'a> Lines<'a> {
    /// Line numbers in `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, counted: Cell::new((0, 1)) }
    }

    /// The (1-based) line of a byte position of the reader.
    pub(crate) fn at(&self, position: u64) -> u64 {
        let end = usize::try_from(position).unwrap_or(self.text.len()).min(self.text.len());
        let (mut from, mut line) = self.counted.get();
        if end < from {
            (from, line) = (0, 1);
        }
        line += self.text.as_bytes()[from..end].iter().filter(|byte| **byte == b'\n').count() as u64;
        self.counted.set((end, line));
        line
    }
}

/// The error for a file that is not well-formed XML at `line`.
pub(crate) fn invalid(line: u64, error: &dyn std::fmt::Display) -> ParseError {
    ParseError::File(format!("line {line}: not valid XML: {error}"))
}

/// The text a reference stands for: a character reference (`&#233;`, `&#xE9;`) or one of
/// XML's predefined entities (`&amp;` …); anything else stands for nothing.
pub(crate) fn reference_text(reference: &BytesRef<'_>) -> String {
    let resolved = match reference.resolve_char_ref() {
        Ok(Some(character)) => Some(character.to_string()),
        _ => reference
            .decode()
            .ok()
            .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name))
            .map(str::to_owned),
    };
    resolved.unwrap_or_default()
}

/// Reads into trees every element named `record` that is not inside another one.
/// `outside` sees the name of each other element met at the top level (for recognising
/// the document's root).
pub(crate) fn records(text: &str, record: &str, mut outside: impl FnMut(&[u8])) -> Result<Vec<Node>, ParseError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let lines = Lines::new(text);
    let bad = |position: u64, error: &dyn std::fmt::Display| invalid(lines.at(position), error);
    let mut stack: Vec<Node> = Vec::new();
    let mut done = Vec::new();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|error| bad(reader.error_position(), &error))?;
        match event {
            Event::Eof => break,
            Event::Start(start) | Event::Empty(start)
                if stack.is_empty() && start.name().as_ref() != record.as_bytes() =>
            {
                outside(start.name().as_ref());
            }
            Event::Start(start) => stack.push(node(&start, lines.at(position)).map_err(|e| bad(position, &e))?),
            Event::Empty(start) => {
                let leaf = node(&start, lines.at(position)).map_err(|e| bad(position, &e))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(leaf),
                    None => done.push(leaf),
                }
            }
            Event::Text(content) => {
                if let Some(current) = stack.last_mut() {
                    let content = content.decode().map_err(|error| bad(position, &error))?;
                    current.text.push_str(&content);
                }
            }
            Event::CData(content) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&String::from_utf8_lossy(&content));
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&reference_text(&reference));
                }
            }
            Event::End(_) => {
                if let Some(finished) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(finished),
                        None => done.push(finished),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(done)
}

/// An element without its text and children yet.
fn node(start: &BytesStart<'_>, line: u64) -> Result<Node, quick_xml::Error> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(quick_xml::Error::from)?;
        let value = attribute.unescape_value()?.into_owned();
        attributes.push((String::from_utf8_lossy(attribute.key.as_ref()).into_owned(), value));
    }
    Ok(Node {
        name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        line,
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_trees_with_lines_text_and_entities() {
        let text = "<root>\n<item a=\" x \">\n<name>A &amp; B&#233;</name><leaf/>\n</item>\n<other/>\n</root>";
        let mut names = Vec::new();
        let items = records(text, "item", |name| names.push(name.to_vec())).unwrap();
        let [item] = items.as_slice() else { panic!("{items:?}") };
        assert_eq!((item.line, item.attribute("a")), (2, Some("x")));
        assert_eq!(item.first("name").and_then(Node::value), Some("A & Bé"));
        assert_eq!(item.children.len(), 2);
        assert_eq!(names, [b"root".to_vec(), b"other".to_vec()]);
    }

    #[test]
    fn malformed_xml_names_its_line() {
        let error = records("<root>\n<item>\n</wrong>", "item", |_| {}).unwrap_err();
        assert!(
            matches!(&error, ParseError::File(message) if message.starts_with("line 3: not valid XML")),
            "{error:?}"
        );
    }

    #[test]
    fn lines_rescan_for_an_earlier_position() {
        let lines = Lines::new("a\nb\nc");
        assert_eq!((lines.at(4), lines.at(2), lines.at(0)), (3, 2, 1));
    }
}
